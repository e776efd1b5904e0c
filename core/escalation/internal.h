#pragma once

// Steps shared by the submission and decision paths of EscalationService; not a public API.

#include "core/escalation/escalationservice.h"
#include "core/store/store.h"

#include <span>

namespace Recourse::Escalation::Internal {

// The end of an approval issued at `nowMs`: `requestedUntilMs` (the approver's approved_until or
// the PEP's requested_until, 0 for neither) capped at the template's maximum, or the template's
// default. A requested end that has passed is rejected rather than replaced by the default, which
// would grant a period that no one requested. Whole seconds, as every surface shows them.
Result<qint64> approvalEnd(const Policy::Template &tmpl, qint64 nowMs, qint64 requestedUntilMs);

// The requested_until of a task's or item's requested_access in ms, or 0 when absent or invalid.
qint64 requestedUntilOf(const QJsonObject &taskOrItem);

// Signs and stores an approval of `task` as stored (its bound subject, resource, action and
// context) for a duration the template bounds. `item` is the bulk item position, or -1. Changes
// no task status; see grant() for single-item tasks.
Result<Store::ApprovalRecord> issueApproval(Store::WriteTx &tx, const Store::TaskRecord &task, int item,
                                            const Policy::Template &tmpl, qint64 requestedUntilMs,
                                            const QJsonObject &scope, const EscalationConfig &config,
                                            const Jose::SigningKey &key);

// Issues the approval of a single-item task whose workflow completed: the approval, then task
// status `approved` with its audit record and event, all in `tx`.
Result<Store::ApprovalRecord> grant(Store::WriteTx &tx, Store::TaskRecord task, const Policy::Template &tmpl,
                                    const QString &approver, qint64 requestedUntilMs, const QJsonObject &scope,
                                    const EscalationConfig &config, const Jose::SigningKey &key);

// Logs and returns the 403 for an authenticated caller whose credential does not grant
// `operation`. The log line names the caller and task ids; `taskId` is empty for a submission.
Error forbidTaskOperation(const Identity &caller, TaskOperation operation, const QString &taskId);
// Logs and returns the 403 for a submission naming a subject that the caller's credential may
// not submit for. The log line names the caller and subject ids.
Error forbidSubject(const Identity &caller, const QString &subjectId);

// Moves a pending task to a terminal status with its audit record and event.
Result<void> finish(Store::WriteTx &tx, Store::TaskRecord task, const QString &status, const QString &actor,
                    const QJsonObject &data);

// The JSON type a member of an approver's request body must have. Null means "not given" where
// the type allows it.
enum class BodyMember { String, StringOrNull, ObjectOrNull, Array };

// A member an approver's request body may carry, and its type.
struct BodyRule
{
    QLatin1StringView name;
    BodyMember type;
};

// Checks the body of an approver's request (approve, deny, a batch entry, revoke, preview): each
// member must be one of `allowed`, of its kind. The approver API is the project's own, so a typo
// such as approve_until is an error instead of being dropped for the template's default.
Result<void> checkApproverBody(const QJsonObject &body, std::span<const BodyRule> allowed);

// Structural checks shared by single-item and bulk submissions (submission.cpp). `path` names
// the checked object in error messages and values, for example "items[2].denial".
Result<void> validateOptionalMembers(const QJsonObject &body);
Result<void> validateRequestedAccess(const QJsonObject &requested, const QString &path);
Result<void> validateDenial(const QJsonValue &denial, const QString &path);

Result<void> audit(Store::WriteTx &tx, const QString &type, const QString &actor, const Store::TaskRecord &task,
                   const QJsonObject &data, const QString &approvalId = {});
// Records an "auto_approval.refused" audit entry: the automatic approval matched but its
// eligibility check failed for `reason`. `item` is the bulk item position, or -1.
Result<void> auditAutomatedRefusal(Store::WriteTx &tx, const Store::TaskRecord &task, int item, const QString &reason);
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
