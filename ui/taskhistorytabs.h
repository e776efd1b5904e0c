#pragma once

#include <QJsonObject>
#include <QTabWidget>

class QPushButton;
class QTreeWidget;

namespace Recourse::Ui {

class EvaluationTree;

// The tabs under a task's summary: the bound evaluation, the workflow steps with every decision,
// and the approvals with the re-evaluations that cited them.
// NOTE: callback deliveries are not listed, because the service does not record them in the task
// object yet; once it does, they belong on the Approvals page.
class TaskHistoryTabs final : public QTabWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TaskHistoryTabs)

public:
    explicit TaskHistoryTabs(QWidget *parent = nullptr);

    void setTask(const QJsonObject &task);
    EvaluationTree *evaluationTree() const { return m_evaluation; }

Q_SIGNALS:
    // The user asked to revoke the approval selected in the approvals list.
    void revokeRequested(const QString &approvalId);

private:
    QWidget *buildWorkflowPage();
    QWidget *buildApprovalsPage();
    void populateWorkflow(const QJsonObject &task);
    void populateDecisions(const QJsonObject &task);
    void populateApprovals(const QJsonObject &task);
    void populateReevaluations(const QJsonObject &task);
    void updateRevokeButton();

    EvaluationTree *m_evaluation = nullptr;
    QTreeWidget *m_workflow = nullptr;
    QTreeWidget *m_decisions = nullptr;
    QTreeWidget *m_approvals = nullptr;
    QPushButton *m_revoke = nullptr;
    QTreeWidget *m_reevaluations = nullptr;
};

} // namespace Recourse::Ui
