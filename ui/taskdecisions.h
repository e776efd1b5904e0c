#pragma once

#include "core/base/clock.h"
#include "core/client/approverclient.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <memory>

class QWidget;

namespace Recourse::Ui {

// The decisions an approver makes on one task, with the dialogs that come before them: approve
// exactly as asked, approve with an edited scope (ApproveDialog), deny with a reason (DenyDialog)
// and revoke a live approval. Every outcome arrives through decided() or failed(), named by task
// id, so a view that moved on to another task can ignore it.
class TaskDecisions final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TaskDecisions)

public:
    // Dialogs open over `dialogParent`, which also owns this object. The client must outlive it.
    TaskDecisions(Client::ApproverClient *client, std::shared_ptr<const Clock> clock, QWidget *dialogParent);

    // Whether a call for this task is in flight.
    bool isBusy(const QString &taskId) const { return m_busy.contains(taskId); }

    // Approves as requested. For a bulk task with several pending items, a question first lets the
    // approver confirm the list or choose items in the scope editor.
    void approve(const QJsonObject &task, const QString &comment);
    // Opens the scope editor; approves with its choices once the approver accepts.
    void approveWithScope(const QJsonObject &task, const QString &comment);
    void deny(const QJsonObject &task);
    // Asks for a comment, naming what the approval grants, then revokes it.
    void revoke(const QJsonObject &task, const QString &approvalId);

Q_SIGNALS:
    void busyChanged(const QString &taskId, bool busy);
    // The service accepted the call and returned the updated task.
    void decided(const QString &taskId, const QJsonObject &task);
    void failed(const QString &taskId, const QString &message);

private:
    void approveAsRequested(const QJsonObject &task, const QString &comment);
    using Call = std::function<void(Client::ApproverClient::Callback)>;
    void run(const QString &taskId, const QString &what, const Call &call);

    QPointer<Client::ApproverClient> m_client;
    std::shared_ptr<const Clock> m_clock;
    QWidget *m_dialogParent = nullptr;
    QSet<QString> m_busy;
};

} // namespace Recourse::Ui
