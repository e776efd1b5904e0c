#include "ui/taskhistorytabs.h"

#include "ui/evaluationtree.h"
#include "ui/scopetext.h"
#include "ui/tasktext.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Recourse::Ui {

namespace {

constexpr int ApprovalIdRole = Qt::UserRole;
constexpr int RevokedRole = Qt::UserRole + 1;

QTreeWidget *historyTree(QWidget *parent, const QString &objectName, const QString &accessibleName,
                         const QStringList &headers)
{
    auto *tree = new QTreeWidget(parent);
    tree->setObjectName(objectName);
    tree->setAccessibleName(accessibleName);
    tree->setHeaderLabels(headers);
    tree->setRootIsDecorated(false);
    tree->setUniformRowHeights(true);
    tree->setAlternatingRowColors(true);
    tree->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    return tree;
}

QString joinStrings(const QJsonArray &array)
{
    QStringList parts;
    for (const QJsonValue &value : array)
        parts.append(TaskText::shown(value.toString()));
    return parts.join(QStringLiteral(", "));
}

} // namespace

TaskHistoryTabs::TaskHistoryTabs(QWidget *parent) : QTabWidget(parent)
{
    setObjectName(QStringLiteral("detailTabs"));
    setDocumentMode(true);

    m_evaluation = new EvaluationTree(this);
    m_evaluation->setObjectName(QStringLiteral("evaluationTree"));
    addTab(m_evaluation, tr("Bound evaluation"));
    addTab(buildWorkflowPage(), tr("Workflow"));
    addTab(buildApprovalsPage(), tr("Approvals"));
    addTab(buildCallbacksPage(), tr("Callbacks"));
}

QWidget *TaskHistoryTabs::buildWorkflowPage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    m_workflow = historyTree(page, QStringLiteral("workflowTree"), tr("Workflow steps"),
                             {tr("Step"), tr("Groups"), tr("Quorum"), tr("Approvals"), tr("Complete")});
    m_decisions = historyTree(page, QStringLiteral("decisionsTree"), tr("Decisions"),
                              {tr("Approver"), tr("Decision"), tr("Comment or reason"), tr("At")});
    layout->addWidget(m_workflow);
    layout->addWidget(new QLabel(tr("Decisions"), page));
    layout->addWidget(m_decisions);
    return page;
}

QWidget *TaskHistoryTabs::buildApprovalsPage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    m_approvals = historyTree(page, QStringLiteral("approvalsTree"), tr("Approvals"),
                              {tr("Until"), tr("Scope"), tr("Approved at"), tr("Revoked at"), tr("Approval")});
    m_revoke = new QPushButton(tr("&Revoke…"), page);
    m_revoke->setObjectName(QStringLiteral("revokeButton"));
    m_revoke->setAccessibleName(tr("Revoke approval"));
    m_revoke->setEnabled(false);
    connect(m_approvals, &QTreeWidget::itemSelectionChanged, this, &TaskHistoryTabs::updateRevokeButton);
    connect(m_revoke, &QPushButton::clicked, this, [this] {
        if (const QTreeWidgetItem *item = m_approvals->currentItem())
            Q_EMIT revokeRequested(item->data(0, ApprovalIdRole).toString());
    });
    m_reevaluations = historyTree(page, QStringLiteral("reevaluationsTree"), tr("Re-evaluations"),
                                  {tr("At"), tr("Decision"), tr("Reason"), tr("Next action"), tr("Resource"), tr("Action")});

    // The button sits above the list, so a short detail pane never hides it below the fold.
    auto *revokeRow = new QHBoxLayout;
    revokeRow->addWidget(new QLabel(tr("Select an approval to revoke it."), page), 1);
    revokeRow->addWidget(m_revoke);
    layout->addLayout(revokeRow);
    layout->addWidget(m_approvals);
    layout->addWidget(new QLabel(tr("Re-evaluations that cited an approval"), page));
    layout->addWidget(m_reevaluations);
    return page;
}

QWidget *TaskHistoryTabs::buildCallbacksPage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    m_callbackSummary = new QLabel(page);
    m_callbackSummary->setObjectName(QStringLiteral("callbackSummaryLabel"));
    m_callbackSummary->setWordWrap(true);
    m_callbackSummary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_callbacks = historyTree(page, QStringLiteral("callbacksTree"), tr("Callback deliveries"),
                              {tr("Notification"), tr("Status"), tr("Attempts"), tr("At"), tr("Address"), tr("Result")});
    // Attempts hang under their notification.
    m_callbacks->setRootIsDecorated(true);
    layout->addWidget(m_callbackSummary);
    layout->addWidget(m_callbacks);
    return page;
}

void TaskHistoryTabs::setTask(const QJsonObject &task)
{
    m_evaluation->setTask(task);
    populateWorkflow(task);
    populateDecisions(task);
    populateApprovals(task);
    populateReevaluations(task);
    populateCallbacks(task);
    updateRevokeButton();
}

void TaskHistoryTabs::populateWorkflow(const QJsonObject &task)
{
    m_workflow->clear();
    const QJsonArray steps = task.value(u"workflow").toObject().value(u"steps").toArray();
    for (int i = 0; i < steps.size(); ++i) {
        const QJsonObject step = steps.at(i).toObject();
        QStringList approvers;
        for (const QJsonValue &approval : step.value(u"approvals").toArray())
            approvers.append(approval.toObject().value(u"approver").toString());
        const QString name = step.value(u"name").toString();
        new QTreeWidgetItem(m_workflow, {name.isEmpty() ? QString::number(i + 1) : name, joinStrings(step.value(u"groups").toArray()),
                                         TaskText::scalar(step.value(u"quorum")), approvers.join(QStringLiteral(", ")),
                                         step.value(u"complete").toBool() ? tr("yes") : tr("no")});
    }
}

void TaskHistoryTabs::populateDecisions(const QJsonObject &task)
{
    m_decisions->clear();
    for (const QJsonValue &value : task.value(u"decisions").toArray()) {
        const QJsonObject decision = value.toObject();
        QStringList notes{TaskText::shown(decision.value(u"reason").toString()),
                          TaskText::shown(decision.value(u"comment").toString())};
        notes.removeAll(QString());
        new QTreeWidgetItem(m_decisions, {decision.value(u"approver").toString(), decision.value(u"decision").toString(),
                                          notes.join(QStringLiteral(" — ")), TaskText::localTime(decision.value(u"at"))});
    }
}

void TaskHistoryTabs::populateApprovals(const QJsonObject &task)
{
    m_approvals->clear();
    for (const QJsonValue &value : task.value(u"approvals").toArray()) {
        const QJsonObject approval = value.toObject();
        const bool revoked = approval.contains(u"revoked_at") && !approval.value(u"revoked_at").isNull();
        const QString revokedAt = TaskText::localTime(approval.value(u"revoked_at"));
        QString scope = ScopeText::summary(approval.value(u"scope").toObject());
        // An approval of a bulk task covers one item, so the row names that item's resource and action.
        if (approval.contains(u"item")) {
            const QJsonObject covered = task.value(u"items").toArray().at(approval.value(u"item").toInt()).toObject();
            scope = tr("%1: %2").arg(TaskText::pair(covered), scope);
        }
        QStringList columns(ApprovalIdColumn + 1);
        columns[UntilColumn] = TaskText::localTime(approval.value(u"approved_until"));
        columns[ScopeColumn] = scope;
        columns[ApprovedAtColumn] = TaskText::localTime(approval.value(u"approved_at"));
        columns[RevokedAtColumn] = revokedAt.isEmpty() ? QStringLiteral("—") : revokedAt;
        columns[ApprovalIdColumn] = approval.value(u"id").toString();
        auto *item = new QTreeWidgetItem(m_approvals, columns);
        item->setData(0, ApprovalIdRole, approval.value(u"id").toString());
        item->setData(0, RevokedRole, revoked);
    }
}

void TaskHistoryTabs::populateReevaluations(const QJsonObject &task)
{
    m_reevaluations->clear();
    for (const QJsonValue &value : task.value(u"reevaluations").toArray()) {
        const QJsonObject reevaluation = value.toObject();
        new QTreeWidgetItem(m_reevaluations,
                            {TaskText::localTime(reevaluation.value(u"at")),
                             reevaluation.value(u"decision").toBool() ? tr("allowed") : tr("denied"),
                             TaskText::shown(reevaluation.value(u"reason").toString()),
                             TaskText::shown(reevaluation.value(u"next_action").toString()),
                             TaskText::entity(reevaluation.value(u"resource").toObject()),
                             TaskText::action(reevaluation.value(u"action").toObject())});
    }
}

void TaskHistoryTabs::populateCallbacks(const QJsonObject &task)
{
    m_callbacks->clear();
    const QJsonObject callback = task.value(u"callback").toObject();
    if (callback.isEmpty()) {
        m_callbackSummary->setText(tr("The PEP did not request a callback, so it polls the status endpoint."));
        m_callbacks->setVisible(false);
        return;
    }

    const QJsonArray deliveries = callback.value(u"deliveries").toArray();
    QString summary = tr("Notifies %1 on these outcomes: %2. A notification is only a hint: the PEP "
                         "reads the status endpoint before it acts.")
                          .arg(TaskText::shown(callback.value(u"endpoint").toString()),
                               joinStrings(callback.value(u"events").toArray()));
    // An empty table alone looks like a failed load, so the summary states that nothing was due yet.
    if (deliveries.isEmpty())
        summary += QLatin1Char(' ') + tr("Nothing has been sent yet: a notification is queued when the task reaches one of these outcomes.");
    m_callbackSummary->setText(summary);
    m_callbacks->setVisible(!deliveries.isEmpty());

    for (const QJsonValue &value : deliveries) {
        const QJsonObject delivery = value.toObject();
        const QString status = delivery.value(u"status").toString();
        const QJsonValue next = delivery.value(u"next_attempt_at");
        const QString when = status == QLatin1String("pending") && next.isString()
            ? tr("next at %1").arg(TaskText::localTime(next))
            : QString();
        QString shownStatus = status;
        if (status == QLatin1String("delivered"))
            shownStatus = tr("delivered");
        else if (status == QLatin1String("pending"))
            shownStatus = delivery.value(u"attempts").toInteger() > 0 ? tr("retrying") : tr("queued");
        else if (status == QLatin1String("failed"))
            shownStatus = tr("failed, no more attempts");
        auto *item = new QTreeWidgetItem(m_callbacks, {delivery.value(u"event").toString(), shownStatus,
                                                       TaskText::scalar(delivery.value(u"attempts")), when});
        for (const QJsonValue &attemptValue : delivery.value(u"log").toArray()) {
            const QJsonObject attempt = attemptValue.toObject();
            const QJsonValue httpStatus = attempt.value(u"http_status");
            QString result = httpStatus.isDouble() ? tr("HTTP %1").arg(httpStatus.toInteger()) : QString();
            if (const QString error = attempt.value(u"error").toString(); !error.isEmpty())
                result = result.isEmpty() ? error : result + QStringLiteral(" — ") + error;
            result = tr("%1 (%2 ms)").arg(result).arg(attempt.value(u"duration_ms").toInteger());
            const QString address = attempt.value(u"address").toString();
            new QTreeWidgetItem(item, {tr("attempt %1").arg(attempt.value(u"attempt").toInteger()), QString(), QString(),
                                       TaskText::localTime(attempt.value(u"time")),
                                       address.isEmpty() ? tr("not connected") : address, result});
        }
        item->setExpanded(status != QLatin1String("delivered"));
    }
}

void TaskHistoryTabs::updateRevokeButton()
{
    const QTreeWidgetItem *approval = m_approvals->currentItem();
    m_revoke->setEnabled(approval && !approval->data(0, RevokedRole).toBool());
}

} // namespace Recourse::Ui
