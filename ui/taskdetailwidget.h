#pragma once

#include "core/base/clock.h"
#include "core/client/approverclient.h"

#include <QJsonObject>
#include <QPointer>
#include <QWidget>

#include <memory>

class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QStackedWidget;
class QTimer;

namespace Recourse::Ui {

class TaskDecisions;
class TaskHistoryTabs;

// One task in full: the bound evaluation, who asked on whose behalf, the workflow and its
// history, and the Approve, Edit scope and Deny actions. The widget fetches the task itself and
// decides through TaskDecisions. The buttons are disabled, with the service's reason shown, when
// the caller cannot decide (can_decide false) or the task is no longer pending.
class TaskDetailWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TaskDetailWidget)

public:
    // The client must outlive the widget. A null clock means the system clock.
    TaskDetailWidget(Client::ApproverClient *client, std::shared_ptr<const Clock> clock, QWidget *parent = nullptr);
    ~TaskDetailWidget() override;

    // Fetches and shows the task. An empty id shows the placeholder. Replies for a task that is no
    // longer shown are dropped.
    void showTask(const QString &taskId);
    // Shows a task object already at hand (the service's full form).
    void setTask(const QJsonObject &task);
    // Fetches the shown task again, for example after an event about it. Calls within 50 ms
    // share one fetch.
    void refresh();

    QString taskId() const { return m_taskId; }
    QJsonObject task() const { return m_task; }
    TaskDecisions *decisions() const { return m_decisions; }
    bool canDecide() const;
    // Moves keyboard focus into the view: the comment field when the task can be decided, the
    // bound evaluation otherwise.
    void focusTask();

public Q_SLOTS:
    // Approves exactly as requested, with the comment field as the optional comment.
    void approve();
    // Opens the scope editor with its live preview, then approves with the chosen scope.
    void approveWithScope();
    // Asks for a reason in a dialog, then denies.
    void deny();
    // Asks for a comment, then revokes the approval.
    void revoke(const QString &approvalId);

Q_SIGNALS:
    // The shown task changed: fetched, refreshed, or returned by a decision.
    void taskChanged(const QJsonObject &task);
    void decisionFailed(const QString &message);

private:
    void buildUi();
    QWidget *buildHeader();
    void fetch();
    void onDecided(const QString &taskId, const QJsonObject &task);
    void onDecisionFailed(const QString &taskId, const QString &message);
    void populate();
    void populateSummary();
    void populateWorkflow();
    void updateActions();
    void updateCountdown();
    void showError(const QString &message);
    QString summaryText() const;

    QPointer<Client::ApproverClient> m_client;
    std::shared_ptr<const Clock> m_clock;
    QString m_taskId;
    QJsonObject m_task;
    quint64 m_generation = 0;
    TaskDecisions *m_decisions = nullptr;

    QStackedWidget *m_pages = nullptr;
    QLabel *m_placeholder = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_subtitle = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_countdown = nullptr;
    QLineEdit *m_comment = nullptr;
    QPushButton *m_approve = nullptr;
    QPushButton *m_editScope = nullptr;
    QPushButton *m_deny = nullptr;
    QLabel *m_grant = nullptr;
    QLabel *m_cannotDecide = nullptr;
    QLabel *m_error = nullptr;
    QFormLayout *m_form = nullptr;
    QLabel *m_actorChain = nullptr;
    QLabel *m_justification = nullptr;
    QLabel *m_requestedDuration = nullptr;
    QLabel *m_reason = nullptr;
    QLabel *m_template = nullptr;
    QLabel *m_evaluationId = nullptr;
    QLabel *m_requester = nullptr;
    QLabel *m_pepClient = nullptr;
    QLabel *m_workflowSummary = nullptr;
    TaskHistoryTabs *m_tabs = nullptr;
    QTimer *m_countdownTimer = nullptr;
    QTimer *m_refreshTimer = nullptr;
};

} // namespace Recourse::Ui
