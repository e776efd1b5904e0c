#include "ui/batchdecisiondialog.h"

#include "ui/logging.h"
#include "ui/tasktext.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Recourse::Ui {

BatchDecisionDialog::BatchDecisionDialog(Client::ApproverClient *client, Decision decision,
                                         const QList<QJsonObject> &tasks, QWidget *parent)
    : QDialog(parent)
    , m_client(client)
    , m_decision(decision)
    , m_tasks(tasks)
{
    const bool approve = decision == Decision::Approve;
    const int count = int(tasks.size());
    setObjectName(QStringLiteral("batchDecisionDialog"));
    setWindowTitle(approve ? tr("Approve selected tasks") : tr("Deny selected tasks"));

    auto *intro = new QLabel(approve ? TaskText::plural(tr("Approve %n task(s), each exactly as requested:", nullptr, count), count)
                                     : TaskText::plural(tr("Deny %n task(s) with one reason:", nullptr, count), count),
                             this);
    intro->setWordWrap(true);

    m_list = new QTreeWidget(this);
    m_list->setObjectName(QStringLiteral("batchList"));
    m_list->setAccessibleName(tr("Selected tasks and their outcomes"));
    m_list->setHeaderLabels({tr("Task"), tr("Request"), tr("Outcome")});
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_list->header()->setStretchLastSection(true);
    for (const QJsonObject &task : tasks) {
        new QTreeWidgetItem(m_list, {task.value(u"id").toString(),
                                     tr("%1 may %2 %3")
                                         .arg(task.value(u"subject").toObject().value(u"id").toString(),
                                              TaskText::taskAction(task), TaskText::taskResource(task)),
                                     TaskText::status(task.value(u"status").toString())});
    }

    auto *form = new QFormLayout;
    m_reason = new QLineEdit(this);
    m_reason->setObjectName(QStringLiteral("batchReasonEdit"));
    m_reason->setAccessibleName(tr("Reason for the denials"));
    m_reason->setPlaceholderText(tr("Required: why these requests are denied"));
    m_comment = new QLineEdit(this);
    m_comment->setObjectName(QStringLiteral("batchCommentEdit"));
    m_comment->setAccessibleName(tr("Comment"));
    m_comment->setPlaceholderText(tr("Optional"));
    if (!approve)
        form->addRow(tr("&Reason:"), m_reason);
    else
        m_reason->hide();
    form->addRow(tr("&Comment:"), m_comment);
    connect(m_reason, &QLineEdit::textChanged, this, &BatchDecisionDialog::updateButtons);

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("batchSummaryLabel"));
    m_summary->setWordWrap(true);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_decide = m_buttons->addButton(approve ? TaskText::plural(tr("&Approve %n task(s)", nullptr, count), count)
                                            : TaskText::plural(tr("&Deny %n task(s)", nullptr, count), count),
                                    QDialogButtonBox::AcceptRole);
    m_decide->setObjectName(QStringLiteral("batchDecideButton"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &BatchDecisionDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_list, 1);
    layout->addLayout(form);
    layout->addWidget(m_summary);
    layout->addWidget(m_buttons);
    resize(720, 420);
    updateButtons();
}

void BatchDecisionDialog::setReason(const QString &reason)
{
    m_reason->setText(reason);
}

void BatchDecisionDialog::setComment(const QString &comment)
{
    m_comment->setText(comment);
}

QJsonArray BatchDecisionDialog::decisions() const
{
    const bool approve = m_decision == Decision::Approve;
    const QString comment = m_comment->text().trimmed();
    QJsonArray decisions;
    for (const QJsonObject &task : m_tasks) {
        QJsonObject entry{{QStringLiteral("task_id"), task.value(u"id").toString()},
                          {QStringLiteral("decision"), approve ? QStringLiteral("approve") : QStringLiteral("deny")}};
        if (!approve)
            entry.insert(QStringLiteral("reason"), m_reason->text().trimmed());
        if (!comment.isEmpty())
            entry.insert(QStringLiteral("comment"), comment);
        decisions.append(entry);
    }
    return decisions;
}

void BatchDecisionDialog::accept()
{
    if (m_finished) {
        QDialog::accept();
        return;
    }
    if (!m_sent && m_decide->isEnabled())
        send();
}

void BatchDecisionDialog::send()
{
    if (!m_client)
        return;

    m_sent = true;
    m_reason->setEnabled(false);
    m_comment->setEnabled(false);
    m_summary->setText(tr("Sending…"));
    updateButtons();
    m_client->decideBatch(decisions(), this, [this](const Result<QJsonObject> &result) { onBatch(result); });
}

void BatchDecisionDialog::onBatch(const Result<QJsonObject> &result)
{
    m_finished = true;
    if (!result.ok()) {
        // The service rejected the whole batch (for example for an auditor's token), so no task changed.
        qCWarning(lcUi) << "batch decision of" << m_tasks.size() << "tasks failed:" << result.error().message;
        m_summary->setText(tr("Nothing was decided: %1").arg(result.error().message));
        updateButtons();
        Q_EMIT batchFinished({});
        return;
    }

    const QJsonArray outcomes = result->value(u"outcomes").toArray();
    int decided = 0;
    for (int i = 0; i < m_list->topLevelItemCount(); ++i) {
        const QJsonObject outcome = outcomes.at(i).toObject();
        m_outcomes.append(outcome);
        QTreeWidgetItem *item = m_list->topLevelItem(i);
        const QString status = outcome.value(u"status").toString();
        if (!status.isEmpty()) {
            ++decided;
            item->setText(OutcomeColumn, TaskText::status(status));
            item->setForeground(OutcomeColumn, QColor(0x1b, 0x7f, 0x3b));
            continue;
        }
        const QString detail = outcome.value(u"error").toObject().value(u"detail").toString();
        // "Failed", not "rejected", which an approver could read as "denied".
        item->setText(OutcomeColumn, tr("Failed: %1").arg(detail.isEmpty() ? tr("no reason given") : detail));
        item->setToolTip(OutcomeColumn, detail);
        item->setForeground(OutcomeColumn, QColor(0xb3, 0x26, 0x1e));
    }
    const int failed = int(m_tasks.size()) - decided;
    m_summary->setText(tr("%1 decided, %2 failed.").arg(decided).arg(failed));
    updateButtons();
    Q_EMIT batchFinished(m_outcomes);
}

void BatchDecisionDialog::updateButtons()
{
    if (m_finished) {
        m_decide->setText(tr("&Close"));
        m_decide->setEnabled(true);
        m_buttons->button(QDialogButtonBox::Cancel)->hide();
        return;
    }
    const bool reasonGiven = m_decision == Decision::Approve || !m_reason->text().trimmed().isEmpty();
    m_decide->setEnabled(!m_sent && reasonGiven && !m_tasks.isEmpty());
}

} // namespace Recourse::Ui
