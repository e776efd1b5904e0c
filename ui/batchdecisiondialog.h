#pragma once

#include "core/client/approverclient.h"

#include <QDialog>
#include <QJsonObject>
#include <QList>
#include <QPointer>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;

namespace Recourse::Ui {

// Decides several selected tasks at once through POST /admin/v1/tasks:batch: approve each exactly
// as requested, or deny each with one shared reason. The dialog lists every task in plain words
// before anything is sent. Then it shows the service's outcome per task: the new status, or why
// the service rejected that task while the others still went through.
class BatchDecisionDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BatchDecisionDialog)

public:
    enum class Decision { Approve, Deny };
    enum Column { TaskColumn, RequestColumn, OutcomeColumn };

    // `tasks` are task objects as the inbox stores them. The client must outlive the dialog.
    BatchDecisionDialog(Client::ApproverClient *client, Decision decision, const QList<QJsonObject> &tasks,
                        QWidget *parent = nullptr);

    void setReason(const QString &reason);
    void setComment(const QString &comment);
    // The decisions array the dialog sends.
    QJsonArray decisions() const;
    // Each task's outcome once the batch returned: the status, or empty when rejected.
    QList<QJsonObject> outcomes() const { return m_outcomes; }
    bool isFinished() const { return m_finished; }

public Q_SLOTS:
    // Sends the batch (the first press of the decide button); closes once the outcomes are shown.
    void accept() override;

Q_SIGNALS:
    // The batch returned; `outcomes` are {task_id, status} or {task_id, error} in request order.
    void batchFinished(const QList<QJsonObject> &outcomes);

private:
    void send();
    void onBatch(const Result<QJsonObject> &result);
    void updateButtons();

    QPointer<Client::ApproverClient> m_client;
    Decision m_decision;
    QList<QJsonObject> m_tasks;
    QList<QJsonObject> m_outcomes;
    bool m_sent = false;
    bool m_finished = false;

    QTreeWidget *m_list = nullptr;
    QLineEdit *m_reason = nullptr;
    QLineEdit *m_comment = nullptr;
    QLabel *m_summary = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_decide = nullptr;
};

} // namespace Recourse::Ui
