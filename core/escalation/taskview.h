#pragma once

#include "core/escalation/escalationservice.h"
#include "core/escalation/workflow.h"

namespace Recourse::Escalation::TaskView {

// The Task Handle a PEP sees: id, status, status_endpoint, expires_at, links and progress.
// Approver identities are left out: the requester is not entitled to them.
QJsonObject handle(const Store::TaskRecord &task, const EscalationConfig &config, const Policy::Template *tmpl,
                   const QList<Store::DecisionRecord> &decisions);

// The body of a status or submission response: {task} plus `result` once approved.
QJsonObject statusBody(const Store::TaskRecord &task, const EscalationConfig &config, const Policy::Template *tmpl,
                       const QList<Store::DecisionRecord> &decisions, const QList<Store::ApprovalRecord> &approvals);

// The approval object of a result: {id, approved_at, approved_until, state}.
QJsonObject approvalObject(const Store::ApprovalRecord &approval);

// The approver API's task object (see docs/approver-api.md). `detail` adds decisions, approvals
// and re-evaluations; `viewer` decides can_decide.
QJsonObject adminTask(const Store::TaskRecord &task, const Policy::Template *tmpl,
                      const QList<Store::DecisionRecord> &decisions, const QList<Store::ApprovalRecord> &approvals,
                      const QList<Store::ReevaluationRecord> &reevaluations, const Identity &viewer, bool detail);

} // namespace Recourse::Escalation::TaskView
