#include "ui/taskdecisions.h"

#include "ui/approvedialog.h"
#include "ui/denydialog.h"
#include "ui/logging.h"
#include "ui/scopetext.h"
#include "ui/tasktext.h"

#include <QInputDialog>
#include <QJsonArray>
#include <QMessageBox>
#include <QPushButton>
#include <QWidget>

#include <algorithm>

namespace Recourse::Ui {

namespace {

QString taskIdOf(const QJsonObject &task)
{
    return task.value(u"id").toString();
}

QString summaryOf(const QJsonObject &task)
{
    return QCoreApplication::translate("Recourse::Ui::TaskDecisions", "%1  →  %2  →  %3")
        .arg(TaskText::entity(task.value(u"subject").toObject()), TaskText::taskAction(task), TaskText::taskResource(task));
}

} // namespace

TaskDecisions::TaskDecisions(Client::ApproverClient *client, std::shared_ptr<const Clock> clock, QWidget *dialogParent)
    : QObject(dialogParent)
    , m_client(client)
    , m_clock(clock ? std::move(clock) : std::make_shared<SystemClock>())
    , m_dialogParent(dialogParent)
{
}

void TaskDecisions::run(const QString &taskId, const QString &what, const Call &call)
{
    if (!m_client || taskId.isEmpty() || m_busy.contains(taskId))
        return;

    m_busy.insert(taskId);
    Q_EMIT busyChanged(taskId, true);
    call([this, taskId, what](const Result<QJsonObject> &result) {
        m_busy.remove(taskId);
        Q_EMIT busyChanged(taskId, false);
        if (!result.ok()) {
            qCWarning(lcUi) << what << "of task" << taskId << "failed:" << result.error().message;
            Q_EMIT failed(taskId, result.error().message);
            return;
        }
        Q_EMIT decided(taskId, result.value());
    });
}

void TaskDecisions::approve(const QJsonObject &task, const QString &comment)
{
    QStringList pendingItems;
    for (const QJsonValue &value : task.value(u"items").toArray()) {
        const QJsonObject item = value.toObject();
        if (item.value(u"status").toString() == u"pending")
            pendingItems.append(TaskText::pair(item));
    }
    if (pendingItems.size() < 2) {
        approveAsRequested(task, comment);
        return;
    }

    // Approving a bundle as asked grants every pending item at once, often several high-risk
    // tools, so the approver confirms the list or picks items in the scope editor instead.
    auto *question = new QMessageBox(QMessageBox::Question, tr("Approve every item?"),
                                     tr("Approve all %1 pending items of this request?").arg(pendingItems.size()),
                                     QMessageBox::Cancel, m_dialogParent);
    question->setObjectName(QStringLiteral("approveAllDialog"));
    question->setAttribute(Qt::WA_DeleteOnClose);
    question->setInformativeText(pendingItems.join(QLatin1Char('\n')));
    QPushButton *all = question->addButton(tr("Approve all"), QMessageBox::AcceptRole);
    all->setObjectName(QStringLiteral("approveAllButton"));
    QPushButton *choose = question->addButton(tr("Choose items…"), QMessageBox::ActionRole);
    choose->setObjectName(QStringLiteral("chooseItemsButton"));
    question->setDefaultButton(choose);
    connect(question, &QMessageBox::buttonClicked, this, [this, task, comment, all, choose](QAbstractButton *button) {
        if (button == all)
            approveAsRequested(task, comment);
        else if (button == choose)
            approveWithScope(task, comment);
    });
    question->open();
}

void TaskDecisions::approveAsRequested(const QJsonObject &task, const QString &comment)
{
    const QString id = taskIdOf(task);
    QJsonObject body;
    if (!comment.trimmed().isEmpty())
        body.insert(QStringLiteral("comment"), comment.trimmed());
    run(id, QStringLiteral("approving"),
        [this, id, body](Client::ApproverClient::Callback done) { m_client->approve(id, body, this, std::move(done)); });
}

void TaskDecisions::approveWithScope(const QJsonObject &task, const QString &comment)
{
    if (!m_client)
        return;

    // open() instead of exec(): no nested event loop, and the dialog dies with its parent.
    auto *dialog = new ApproveDialog(m_client, task, m_clock, m_dialogParent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setComment(comment);
    const QString id = taskIdOf(task);
    connect(dialog, &QDialog::accepted, this, [this, dialog, id] {
        const QJsonObject body = dialog->approveBody();
        run(id, QStringLiteral("approving with a scope"),
            [this, id, body](Client::ApproverClient::Callback done) { m_client->approve(id, body, this, std::move(done)); });
    });
    dialog->open();
}

void TaskDecisions::deny(const QJsonObject &task)
{
    QString summary = summaryOf(task);
    // Denying a bulk task decides only its pending items, which the task summary does not show.
    const QJsonArray items = task.value(u"items").toArray();
    if (!items.isEmpty()) {
        const int pending = int(std::count_if(items.begin(), items.end(), [](const QJsonValue &item) {
            return item.toObject().value(u"status").toString() == u"pending";
        }));
        summary += QStringLiteral("\n\n")
            + (pending == 1 ? tr("Denies the one item still pending. Items already decided keep their decision.")
                            : tr("Denies the %1 items still pending. Items already decided keep their decision.").arg(pending));
    }
    auto *dialog = new DenyDialog(summary, m_dialogParent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const QString id = taskIdOf(task);
    connect(dialog, &QDialog::accepted, this, [this, dialog, id] {
        QJsonObject body{{QStringLiteral("reason"), dialog->reason()}};
        if (!dialog->comment().isEmpty())
            body.insert(QStringLiteral("comment"), dialog->comment());
        run(id, QStringLiteral("denying"),
            [this, id, body](Client::ApproverClient::Callback done) { m_client->deny(id, body, this, std::move(done)); });
    });
    dialog->open();
}

void TaskDecisions::revoke(const QJsonObject &task, const QString &approvalId)
{
    if (approvalId.isEmpty())
        return;

    QJsonObject approval;
    for (const QJsonValue &value : task.value(u"approvals").toArray()) {
        if (value.toObject().value(u"id").toString() == approvalId)
            approval = value.toObject();
    }
    const QString grant = ScopeText::grant(task, approval.value(u"scope").toObject(),
                                           TaskText::timeMs(approval.value(u"approved_until")), m_clock->nowMs());

    auto *dialog = new QInputDialog(m_dialogParent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(QStringLiteral("revokeDialog"));
    dialog->setWindowTitle(tr("Revoke approval"));
    dialog->setLabelText(tr("Revoke approval %1? It grants: %2.\nRe-evaluations that cite it are denied from now on.\n\n"
                            "Comment:")
                             .arg(approvalId, grant));
    dialog->setOkButtonText(tr("Revoke"));
    const QString id = taskIdOf(task);
    connect(dialog, &QInputDialog::textValueSelected, this, [this, approvalId, id](const QString &comment) {
        run(id, QStringLiteral("revoking"), [this, approvalId, comment](Client::ApproverClient::Callback done) {
            m_client->revoke(approvalId, comment.trimmed(), this, std::move(done));
        });
    });
    dialog->open();
}

} // namespace Recourse::Ui
