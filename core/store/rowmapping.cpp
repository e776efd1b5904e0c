#include "core/store/rowmapping.h"

#include "core/store/directquery.h"
#include "core/store/sqlutil.h"

#include <QVariant>

namespace Recourse::Store::Rows {

const char *const kEvaluationColumns = "id, created_ms, expires_ms, subject, resource, action, context, members, "
                                       "template, reason, binding_hash, jti, caller, task_id";
const char *const kTaskColumns = "id, status, created_ms, updated_ms, expires_ms, template, requester, "
                                 "evaluation_id, subject_id, decided_by, doc";
const char *const kDecisionColumns = "task_id, step, approver, decision, comment, reason, at_ms, extra, item";
const char *const kApprovalColumns = "id, task_id, item, evaluation_id, approved_ms, until_ms, scope, subject, "
                                     "resource, action, context, members, requester, template, state, "
                                     "revoked_ms, revoked_by";

template <typename Row>
EvaluationRecord evaluation(const Row &q)
{
    EvaluationRecord r;
    r.id = q.value(0).toString();
    r.createdMs = q.value(1).toLongLong();
    r.expiresMs = q.value(2).toLongLong();
    r.subject = Sql::objectFrom(q.value(3));
    r.resource = Sql::objectFrom(q.value(4));
    r.action = Sql::objectFrom(q.value(5));
    r.context = Sql::objectFrom(q.value(6));
    r.members = Sql::listFrom(q.value(7));
    r.templateName = q.value(8).toString();
    r.reason = q.value(9).toString();
    r.bindingHash = q.value(10).toString();
    r.jti = q.value(11).toString();
    r.caller = q.value(12).toString();
    r.taskId = q.value(13).toString();
    return r;
}

template <typename Row>
TaskRecord task(const Row &q)
{
    TaskRecord r;
    r.id = q.value(0).toString();
    r.status = q.value(1).toString();
    r.createdMs = q.value(2).toLongLong();
    r.updatedMs = q.value(3).toLongLong();
    r.expiresMs = q.value(4).toLongLong();
    r.templateName = q.value(5).toString();
    r.requester = q.value(6).toString();
    r.evaluationId = q.value(7).toString();
    r.subjectId = q.value(8).toString();
    r.decidedBy = q.value(9).toString();
    r.doc = Sql::objectFrom(q.value(10));
    return r;
}

template <typename Row>
DecisionRecord decision(const Row &q)
{
    DecisionRecord r;
    r.taskId = q.value(0).toString();
    r.step = q.value(1).toInt();
    r.approver = q.value(2).toString();
    r.decision = q.value(3).toString();
    r.comment = q.value(4).toString();
    r.reason = q.value(5).toString();
    r.atMs = q.value(6).toLongLong();
    r.extra = Sql::objectFrom(q.value(7));
    r.item = q.value(8).toInt();
    return r;
}

template <typename Row>
ApprovalRecord approval(const Row &q)
{
    ApprovalRecord r;
    r.id = q.value(0).toString();
    r.taskId = q.value(1).toString();
    r.item = q.value(2).toInt();
    r.evaluationId = q.value(3).toString();
    r.approvedMs = q.value(4).toLongLong();
    r.untilMs = q.value(5).toLongLong();
    r.scope = Sql::objectFrom(q.value(6));
    r.subject = Sql::objectFrom(q.value(7));
    r.resource = Sql::objectFrom(q.value(8));
    r.action = Sql::objectFrom(q.value(9));
    r.context = Sql::objectFrom(q.value(10));
    r.members = Sql::listFrom(q.value(11));
    r.requester = q.value(12).toString();
    r.templateName = q.value(13).toString();
    r.state = q.value(14).toString();
    r.revokedMs = q.value(15).toLongLong();
    r.revokedBy = q.value(16).toString();
    return r;
}

EventRecord event(const QSqlQuery &q)
{
    EventRecord r;
    r.seq = q.value(0).toLongLong();
    r.type = q.value(1).toString();
    r.atMs = q.value(2).toLongLong();
    r.taskId = q.value(3).toString();
    r.evaluationId = q.value(4).toString();
    r.data = Sql::objectFrom(q.value(5));
    return r;
}

AuditRecord audit(const QSqlQuery &q)
{
    AuditRecord r;
    r.seq = q.value(0).toLongLong();
    r.atMs = q.value(1).toLongLong();
    r.type = q.value(2).toString();
    r.actor = q.value(3).toString();
    r.taskId = q.value(4).toString();
    r.evaluationId = q.value(5).toString();
    r.approvalId = q.value(6).toString();
    r.subjectId = q.value(7).toString();
    r.data = Sql::objectFrom(q.value(8));
    r.prevHash = q.value(9).toString();
    r.hash = q.value(10).toString();
    return r;
}

template EvaluationRecord evaluation(const QSqlQuery &);
template EvaluationRecord evaluation(const DirectQuery &);
template TaskRecord task(const QSqlQuery &);
template TaskRecord task(const DirectQuery &);
template DecisionRecord decision(const QSqlQuery &);
template DecisionRecord decision(const DirectQuery &);
template ApprovalRecord approval(const QSqlQuery &);
template ApprovalRecord approval(const DirectQuery &);

} // namespace Recourse::Store::Rows
