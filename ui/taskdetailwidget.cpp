#include "ui/taskdetailwidget.h"

#include "ui/approvegrant.h"
#include "ui/logging.h"
#include "ui/taskdecisions.h"
#include "ui/taskhistorytabs.h"
#include "ui/tasktext.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QStackedWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace Recourse::Ui {

namespace {

QLabel *valueLabel(QWidget *parent, const QString &objectName)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    label->setTextFormat(Qt::PlainText);
    return label;
}

QString statusColor(const QString &status)
{
    if (status == u"pending")
        return QStringLiteral("#b26a00");
    if (status == u"approved")
        return QStringLiteral("#1b7f3b");
    if (status == u"denied" || status == u"failed")
        return QStringLiteral("#b3261e");
    // Some items were approved and can be used, so partial reads as a result, not as disabled.
    if (status == u"partial")
        return QStringLiteral("#1a5fb4");
    return QStringLiteral("palette(mid)");
}

QString orDash(const QString &text)
{
    return text.isEmpty() ? QStringLiteral("—") : text;
}

} // namespace

TaskDetailWidget::TaskDetailWidget(Client::ApproverClient *client, std::shared_ptr<const Clock> clock, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
    , m_clock(clock ? std::move(clock) : std::make_shared<SystemClock>())
    , m_countdownTimer(new QTimer(this))
    , m_refreshTimer(new QTimer(this))
{
    m_decisions = new TaskDecisions(client, m_clock, this);
    connect(m_decisions, &TaskDecisions::decided, this, &TaskDetailWidget::onDecided);
    connect(m_decisions, &TaskDecisions::failed, this, &TaskDetailWidget::onDecisionFailed);
    connect(m_decisions, &TaskDecisions::busyChanged, this, [this](const QString &taskId) {
        if (taskId == m_taskId)
            updateActions();
    });
    buildUi();
    // Several events about one task often arrive together, so one fetch covers them all.
    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(50);
    connect(m_refreshTimer, &QTimer::timeout, this, &TaskDetailWidget::fetch);
    m_countdownTimer->setInterval(1000);
    connect(m_countdownTimer, &QTimer::timeout, this, [this] {
        updateCountdown();
        updateActions();
    });
    populate();
}

TaskDetailWidget::~TaskDetailWidget() = default;

void TaskDetailWidget::buildUi()
{
    m_pages = new QStackedWidget(this);
    m_placeholder = new QLabel(tr("Select a task to see its bound evaluation."), this);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setEnabled(false);
    m_pages->addWidget(m_placeholder);

    auto *content = new QWidget(this);
    auto *layout = new QVBoxLayout(content);
    layout->addWidget(buildHeader());

    m_form = new QFormLayout;
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_actorChain = valueLabel(content, QStringLiteral("actorChainLabel"));
    m_justification = valueLabel(content, QStringLiteral("justificationLabel"));
    m_requestedDuration = valueLabel(content, QStringLiteral("requestedDurationLabel"));
    m_reason = valueLabel(content, QStringLiteral("reasonLabel"));
    m_template = valueLabel(content, QStringLiteral("templateLabel"));
    m_evaluationId = valueLabel(content, QStringLiteral("evaluationIdLabel"));
    m_requester = valueLabel(content, QStringLiteral("requesterLabel"));
    m_pepClient = valueLabel(content, QStringLiteral("pepClientLabel"));
    m_workflowSummary = valueLabel(content, QStringLiteral("workflowLabel"));
    m_form->addRow(tr("On behalf of:"), m_actorChain);
    m_form->addRow(tr("Justification:"), m_justification);
    m_form->addRow(tr("Requested:"), m_requestedDuration);
    m_form->addRow(tr("Denial reason:"), m_reason);
    m_form->addRow(tr("Template:"), m_template);
    m_form->addRow(tr("Evaluation:"), m_evaluationId);
    m_form->addRow(tr("Requester:"), m_requester);
    m_form->addRow(tr("PEP client:"), m_pepClient);
    m_form->addRow(tr("Workflow:"), m_workflowSummary);
    layout->addLayout(m_form);
    m_tabs = new TaskHistoryTabs(content);
    connect(m_tabs, &TaskHistoryTabs::revokeRequested, this, &TaskDetailWidget::revoke);
    layout->addWidget(m_tabs, 1);

    // The scroll area lets the window shrink below the height of a task with many rows.
    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("detailScrollArea"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);
    m_pages->addWidget(scroll);

    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(m_pages);
}

QWidget *TaskDetailWidget::buildHeader()
{
    auto *header = new QWidget(this);
    auto *layout = new QVBoxLayout(header);
    layout->setContentsMargins(0, 0, 0, 0);

    m_title = valueLabel(header, QStringLiteral("titleLabel"));
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_status = valueLabel(header, QStringLiteral("statusLabel"));
    QFont statusFont = m_status->font();
    statusFont.setBold(true);
    m_status->setFont(statusFont);
    auto *titleRow = new QHBoxLayout;
    titleRow->addWidget(m_title, 1);
    titleRow->addWidget(m_status);
    layout->addLayout(titleRow);

    m_subtitle = valueLabel(header, QStringLiteral("subtitleLabel"));
    m_countdown = valueLabel(header, QStringLiteral("countdownLabel"));
    layout->addWidget(m_subtitle);
    layout->addWidget(m_countdown);

    m_comment = new QLineEdit(header);
    m_comment->setObjectName(QStringLiteral("commentEdit"));
    m_comment->setAccessibleName(tr("Approval comment"));
    m_comment->setPlaceholderText(tr("Optional comment for the approval"));
    m_comment->setClearButtonEnabled(true);
    m_approve = new QPushButton(tr("&Approve"), header);
    m_approve->setObjectName(QStringLiteral("approveButton"));
    m_approve->setAccessibleName(tr("Approve"));
    m_approve->setToolTip(tr("Approve exactly as requested (A)"));
    m_editScope = new QPushButton(tr("Edit &scope…"), header);
    m_editScope->setObjectName(QStringLiteral("editScopeButton"));
    m_editScope->setAccessibleName(tr("Approve with an edited scope"));
    m_editScope->setToolTip(tr("Narrow, broaden or shorten the approval, with a preview of what it unlocks (S)"));
    m_deny = new QPushButton(tr("&Deny…"), header);
    m_deny->setObjectName(QStringLiteral("denyButton"));
    m_deny->setAccessibleName(tr("Deny"));
    m_deny->setToolTip(tr("Deny with a reason (D)"));
    connect(m_approve, &QPushButton::clicked, this, &TaskDetailWidget::approve);
    connect(m_editScope, &QPushButton::clicked, this, &TaskDetailWidget::approveWithScope);
    connect(m_deny, &QPushButton::clicked, this, &TaskDetailWidget::deny);
    connect(m_comment, &QLineEdit::returnPressed, this, &TaskDetailWidget::approve);
    auto *decideRow = new QHBoxLayout;
    decideRow->addWidget(m_comment, 1);
    decideRow->addWidget(m_approve);
    decideRow->addWidget(m_editScope);
    decideRow->addWidget(m_deny);
    layout->addLayout(decideRow);

    m_grant = valueLabel(header, QStringLiteral("approveGrantLabel"));
    m_grant->hide();
    layout->addWidget(m_grant);

    m_cannotDecide = valueLabel(header, QStringLiteral("cannotDecideLabel"));
    m_cannotDecide->setEnabled(false);
    m_error = valueLabel(header, QStringLiteral("errorLabel"));
    m_error->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_error->hide();
    layout->addWidget(m_cannotDecide);
    layout->addWidget(m_error);
    return header;
}

void TaskDetailWidget::showTask(const QString &taskId)
{
    if (taskId == m_taskId && !m_task.isEmpty())
        return;

    ++m_generation;
    m_taskId = taskId;
    m_task = {};
    m_comment->clear();
    m_error->hide();
    populate();
    fetch();
}

void TaskDetailWidget::setTask(const QJsonObject &task)
{
    const QString id = task.value(u"id").toString();
    if (id != m_taskId) {
        ++m_generation;
        m_comment->clear();
        m_error->hide();
    }
    m_taskId = id;
    m_task = task;
    populate();
}

void TaskDetailWidget::refresh()
{
    if (!m_refreshTimer->isActive())
        m_refreshTimer->start();
}

void TaskDetailWidget::fetch()
{
    if (m_taskId.isEmpty() || !m_client)
        return;

    const quint64 generation = m_generation;
    const QString id = m_taskId;
    m_client->task(id, this, [this, generation, id](const Result<QJsonObject> &result) {
        if (generation != m_generation || id != m_taskId)
            return;
        if (!result.ok()) {
            qCWarning(lcUi) << "loading task" << id << "failed:" << result.error().message;
            showError(result.error().message);
            return;
        }
        m_task = result.value();
        populate();
        Q_EMIT taskChanged(m_task);
    });
}

bool TaskDetailWidget::canDecide() const
{
    return !m_task.isEmpty() && !m_decisions->isBusy(m_taskId) && m_task.value(u"status").toString() == u"pending"
        && m_task.value(u"can_decide").toBool();
}

void TaskDetailWidget::focusTask()
{
    if (m_comment->isEnabled())
        m_comment->setFocus(Qt::OtherFocusReason);
    else
        m_tabs->currentWidget()->setFocus(Qt::OtherFocusReason);
}

void TaskDetailWidget::approve()
{
    if (!canDecide())
        return;

    m_error->hide();
    m_decisions->approve(m_task, m_comment->text());
}

void TaskDetailWidget::approveWithScope()
{
    if (!canDecide())
        return;

    m_error->hide();
    m_decisions->approveWithScope(m_task, m_comment->text());
}

void TaskDetailWidget::deny()
{
    if (!canDecide())
        return;

    m_error->hide();
    m_decisions->deny(m_task);
}

void TaskDetailWidget::revoke(const QString &approvalId)
{
    if (m_task.isEmpty())
        return;

    m_error->hide();
    m_decisions->revoke(m_task, approvalId);
}

void TaskDetailWidget::onDecided(const QString &taskId, const QJsonObject &task)
{
    if (taskId != m_taskId)
        return;

    m_comment->clear();
    m_task = task;
    populate();
    Q_EMIT taskChanged(m_task);
}

void TaskDetailWidget::onDecisionFailed(const QString &taskId, const QString &message)
{
    Q_EMIT decisionFailed(message);
    if (taskId != m_taskId)
        return;

    showError(message);
    // The refusal may mean the task changed underneath (decided elsewhere, expired).
    fetch();
}

void TaskDetailWidget::populate()
{
    if (m_taskId.isEmpty()) {
        m_pages->setCurrentWidget(m_placeholder);
        m_countdownTimer->stop();
        return;
    }

    m_pages->setCurrentIndex(1);
    populateSummary();
    populateWorkflow();
    m_tabs->setTask(m_task);
    updateActions();
    updateCountdown();
    if (m_task.value(u"status").toString() == u"pending")
        m_countdownTimer->start();
    else
        m_countdownTimer->stop();
}

QString TaskDetailWidget::summaryText() const
{
    return tr("%1  →  %2  →  %3")
        .arg(TaskText::entity(m_task.value(u"subject").toObject()), TaskText::taskAction(m_task),
             TaskText::taskResource(m_task));
}

void TaskDetailWidget::populateSummary()
{
    if (m_task.isEmpty()) {
        m_title->setText(tr("Loading %1…").arg(m_taskId));
        m_subtitle->clear();
        m_status->clear();
        return;
    }

    const QJsonObject evaluation = m_task.value(u"evaluation").toObject();
    const QJsonObject requestedAccess = m_task.value(u"requested_access").toObject();
    const QString templateTitle = m_task.value(u"template_title").toString();
    const QString templateName = m_task.value(u"template").toString();

    m_title->setText(summaryText());
    m_subtitle->setText(tr("%1 · created %2").arg(m_taskId, TaskText::localTime(m_task.value(u"created_at"))));
    const QString status = m_task.value(u"status").toString();
    m_status->setText(TaskText::status(status));
    m_status->setStyleSheet(QStringLiteral("color: %1;").arg(statusColor(status)));
    m_actorChain->setText(TaskText::actorChain(m_task));
    // A PEP writes the justification and the ids, so controls in them are shown, not applied.
    m_justification->setText(orDash(TaskText::shown(m_task.value(u"justification").toString(), true)));
    m_reason->setText(orDash(TaskText::shown(evaluation.value(u"reason").toString())));
    m_template->setText(templateTitle.isEmpty() ? orDash(templateName) : tr("%1 (%2)").arg(templateTitle, templateName));
    m_evaluationId->setText(orDash(evaluation.value(u"evaluation_id").toString()));
    m_requester->setText(orDash(TaskText::shown(m_task.value(u"requester").toObject().value(u"id").toString())));
    const QJsonValue client = m_task.value(u"requester").toObject().value(u"client");
    const bool noClient = client.isUndefined() || client.isNull() || (client.isObject() && client.toObject().isEmpty());
    m_pepClient->setText(noClient ? orDash({}) : TaskText::scalar(client));

    const qint64 createdMs = TaskText::timeMs(m_task.value(u"created_at"));
    const qint64 untilMs = TaskText::timeMs(requestedAccess.value(u"requested_until"));
    QString requested = untilMs < 0 ? tr("no end requested")
                                    : tr("until %1 (%2)").arg(TaskText::localTime(requestedAccess.value(u"requested_until")),
                                                               TaskText::duration(untilMs - createdMs));
    if (m_task.value(u"emergency").toBool())
        requested = tr("%1 — emergency").arg(requested);
    m_requestedDuration->setText(requested);
}

void TaskDetailWidget::populateWorkflow()
{
    const QJsonObject workflow = m_task.value(u"workflow").toObject();
    const QJsonArray steps = workflow.value(u"steps").toArray();
    const int total = workflow.value(u"total_steps").toInt(int(steps.size()));
    const int current = workflow.value(u"current_step").toInt();
    QStringList awaiting;
    for (const QJsonValue &group : workflow.value(u"awaiting_groups").toArray())
        awaiting.append(group.toString());

    QString summary;
    if (total == 0)
        summary = tr("no approval steps");
    else if (m_task.value(u"status").toString() != u"pending")
        summary = TaskText::plural(tr("%n step(s), finished", nullptr, total), total);
    else
        summary = awaiting.isEmpty() ? tr("step %1 of %2").arg(current).arg(total)
                                     : tr("step %1 of %2, awaiting %3").arg(current).arg(total).arg(awaiting.join(QStringLiteral(", ")));
    m_workflowSummary->setText(summary);
}

void TaskDetailWidget::updateActions()
{
    const bool decidable = canDecide();
    // The end depends on the time of the click, so the countdown's tick refreshes it too.
    const ApproveGrant grant = ApproveGrant::of(m_task, m_clock->nowMs());
    m_grant->setText(grant.text);
    m_grant->setVisible(decidable && !grant.text.isEmpty());
    m_approve->setEnabled(decidable && grant.possible);
    m_editScope->setEnabled(decidable);
    m_deny->setEnabled(decidable);
    m_comment->setEnabled(decidable);

    QString why;
    const QString status = m_task.value(u"status").toString();
    const QString decidedBy = m_task.value(u"decided_by").toString();
    if (m_task.isEmpty() || m_decisions->isBusy(m_taskId))
        why.clear();
    else if (status != u"pending" && !decidedBy.isEmpty())
        why = tr("Decided by %1").arg(decidedBy);
    else if (status != u"pending")
        why = tr("The task is %1.").arg(TaskText::status(status).toLower());
    else if (!m_task.value(u"can_decide").toBool())
        why = m_task.value(u"cannot_decide_reason").toString();
    m_cannotDecide->setText(why);
    m_cannotDecide->setVisible(!why.isEmpty());
    if (!decidable)
        m_approve->setToolTip(why);
    else if (!grant.possible)
        m_approve->setToolTip(grant.text);
    else
        m_approve->setToolTip(tr("Approve exactly as requested (A)"));
    m_deny->setToolTip(decidable ? tr("Deny with a reason (D)") : why);
    m_editScope->setToolTip(decidable ? tr("Narrow, broaden or shorten the approval, with a preview of what it unlocks (S)")
                                      : why);
}

void TaskDetailWidget::updateCountdown()
{
    const QString status = m_task.value(u"status").toString();
    const qint64 expiresMs = TaskText::timeMs(m_task.value(u"expires_at"));
    if (m_task.isEmpty() || status != u"pending" || expiresMs < 0) {
        m_countdown->clear();
        m_countdown->hide();
        return;
    }

    const qint64 now = m_clock->nowMs();
    m_countdown->setText(expiresMs > now ? tr("Expires %1 (%2)").arg(TaskText::expiresIn(expiresMs, now),
                                                                     TaskText::localTime(m_task.value(u"expires_at")))
                                         : tr("Expired %1 ago").arg(TaskText::duration(now - expiresMs)));
    m_countdown->show();
}

void TaskDetailWidget::showError(const QString &message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
    updateActions();
}

} // namespace Recourse::Ui
