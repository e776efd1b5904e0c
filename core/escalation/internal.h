#pragma once

// Steps shared by the submission and decision paths of EscalationService; not a public API.

#include "core/escalation/escalationservice.h"
#include "core/store/store.h"

namespace Recourse::Escalation::Internal {

// Issues the approval of a task whose workflow completed: bounded duration, signed state,
// approval record, task status `approved`, audit record and event, all in `tx`.
Result<Store::ApprovalRecord> grant(Store::WriteTx &tx, Store::TaskRecord task, const Policy::Template &tmpl,
                                    const QString &approver, qint64 requestedUntilMs, const QJsonObject &scope,
                                    const EscalationConfig &config, const Jose::SigningKey &key);

// Moves a pending task to a terminal status with its audit record and event.
Result<void> finish(Store::WriteTx &tx, Store::TaskRecord task, const QString &status, const QString &actor,
                    const QJsonObject &data);

Result<void> audit(Store::WriteTx &tx, const QString &type, const QString &actor, const Store::TaskRecord &task,
                   const QJsonObject &data, const QString &approvalId = {});
Result<void> event(Store::WriteTx &tx, const QString &type, const Store::TaskRecord &task, QJsonObject data);

// Reads everything the views need about one task inside a transaction.
struct TaskBundle
{
    Store::TaskRecord task;
    QList<Store::DecisionRecord> decisions;
    QList<Store::ApprovalRecord> approvals;
};
std::optional<TaskBundle> loadBundle(Store::WriteTx &tx, const QString &taskId);

} // namespace Recourse::Escalation::Internal
