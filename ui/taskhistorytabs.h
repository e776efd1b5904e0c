#pragma once

#include <QJsonObject>
#include <QTabWidget>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace Recourse::Ui {

class EvaluationTree;

// The tabs under a task's summary: the bound evaluation, the workflow steps with every decision,
// the approvals with the re-evaluations that cited them, and the callback notifications sent to
// the PEP with every delivery attempt.
class TaskHistoryTabs final : public QTabWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TaskHistoryTabs)

public:
    // The approvals list leads with what an approver checks first: until when, and for what.
    enum ApprovalColumn { UntilColumn, ScopeColumn, ApprovedAtColumn, RevokedAtColumn, ApprovalIdColumn };

    explicit TaskHistoryTabs(QWidget *parent = nullptr);

    void setTask(const QJsonObject &task);
    EvaluationTree *evaluationTree() const { return m_evaluation; }

Q_SIGNALS:
    // The user asked to revoke the approval selected in the approvals list.
    void revokeRequested(const QString &approvalId);

private:
    QWidget *buildWorkflowPage();
    QWidget *buildApprovalsPage();
    QWidget *buildCallbacksPage();
    void populateWorkflow(const QJsonObject &task);
    void populateDecisions(const QJsonObject &task);
    void populateApprovals(const QJsonObject &task);
    void populateReevaluations(const QJsonObject &task);
    void populateCallbacks(const QJsonObject &task);
    void updateRevokeButton();

    EvaluationTree *m_evaluation = nullptr;
    QTreeWidget *m_workflow = nullptr;
    QTreeWidget *m_decisions = nullptr;
    QTreeWidget *m_approvals = nullptr;
    QPushButton *m_revoke = nullptr;
    QTreeWidget *m_reevaluations = nullptr;
    QLabel *m_callbackSummary = nullptr;
    QTreeWidget *m_callbacks = nullptr;
};

} // namespace Recourse::Ui
