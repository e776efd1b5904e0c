#include "core/escalation/internal.h"

#include "core/base/ids.h"
#include "core/base/logfields.h"
#include "core/base/rfc3339.h"
#include "core/escalation/binding.h"
#include "core/escalation/callbacks.h"
#include "core/escalation/escalationlogging.h"
#include "core/escalation/workflow.h"

#include <QJsonArray>

#include <algorithm>

namespace Recourse::Escalation::Internal {

Result<void> audit(Store::WriteTx &tx, const QString &type, const QString &actor, const Store::TaskRecord &task,
                   const QJsonObject &data, const QString &approvalId)
{
    Store::AuditRecord record;
    record.type = type;
    record.actor = actor;
    record.taskId = task.id;
    record.evaluationId = task.evaluationId;
    record.approvalId = approvalId;
    record.subjectId = task.subjectId;
    record.data = data;
    return tx.appendAudit(record);
}

Result<void> auditAutomatedRefusal(Store::WriteTx &tx, const Store::TaskRecord &task, int item, const QString &reason)
{
    QJsonObject data{{QStringLiteral("decision"), QStringLiteral("approve")}, {QStringLiteral("reason"), reason}};
    if (item >= 0)
        data.insert(QStringLiteral("item"), item);
    return audit(tx, QStringLiteral("auto_approval.refused"), kAutomatedApproverId.toString(), task, data);
}

Result<void> event(Store::WriteTx &tx, const QString &type, const Store::TaskRecord &task, QJsonObject data)
{
    Store::EventRecord record;
    record.type = type;
    record.taskId = task.id;
    record.evaluationId = task.evaluationId;
    if (!data.contains(QStringLiteral("subject")))
        data.insert(QStringLiteral("subject"), task.doc.value(QStringLiteral("subject")));
    if (!data.contains(QStringLiteral("resource")))
        data.insert(QStringLiteral("resource"), task.doc.value(QStringLiteral("resource")));
    if (!data.contains(QStringLiteral("action")))
        data.insert(QStringLiteral("action"), task.doc.value(QStringLiteral("action")));
    // A bulk task has no single resource and action, so its own events list every item's pair.
    // "items" already names the decided positions in some of them, hence another member.
    const QJsonArray items = task.doc.value(QStringLiteral("items")).toArray();
    if (!items.isEmpty() && !task.doc.contains(QStringLiteral("resource"))) {
        QJsonArray pairs;
        for (const QJsonValue &item : items) {
            pairs.append(QJsonObject{{QStringLiteral("resource"), item.toObject().value(QStringLiteral("resource"))},
                                     {QStringLiteral("action"), item.toObject().value(QStringLiteral("action"))}});
        }
        data.insert(QStringLiteral("pairs"), pairs);
    }
    record.data = data;
    return tx.appendEvent(record);
}

Result<void> finish(Store::WriteTx &tx, Store::TaskRecord task, const QString &status, const QString &actor,
                    const QJsonObject &data)
{
    if (auto r = tx.updateTaskStatus(task.id, status, actor, task.doc); !r)
        return r;
    task.status = status;
    QJsonObject eventData = data;
    eventData.insert(QStringLiteral("status"), status);
    if (!actor.isEmpty())
        eventData.insert(QStringLiteral("approver"), actor);
    if (auto r = audit(tx, QStringLiteral("task.") + status, actor.isEmpty() ? QStringLiteral("system") : actor, task,
                       eventData);
        !r)
        return r;
    if (auto r = event(tx, QStringLiteral("task.") + status, task, eventData); !r)
        return r;
    // Queued in the transaction of the transition, so a crash cannot lose the notification.
    return Callbacks::queueIfRequested(tx, task, status);
}

Result<qint64> approvalEnd(const Policy::Template &tmpl, qint64 nowMs, qint64 requestedUntilMs)
{
    // Approving a window that has already closed with the default duration would grant access
    // for a period the PEP never requested, so the approver must choose a new end or deny.
    if (requestedUntilMs > 0 && requestedUntilMs <= nowMs) {
        const QString ended = Rfc3339::format(requestedUntilMs);
        return Error::make(ErrorCode::InvalidTaskState,
                           QStringLiteral("The access was requested until %1, which has passed; approve with an "
                                          "approved_until in the future, or deny the task.").arg(ended),
                           ended);
    }

    // The template bounds the duration whatever the approver or the PEP asked for; whole seconds
    // keep the stored instant identical to the RFC 3339 text every surface shows.
    const qint64 maxUntil = nowMs + tmpl.maxDurationSeconds * 1000;
    qint64 untilMs = requestedUntilMs > nowMs ? qMin(requestedUntilMs, maxUntil)
                                              : qMin(nowMs + tmpl.effectiveDefaultSeconds() * 1000, maxUntil);
    untilMs -= untilMs % 1000;
    return untilMs;
}

qint64 requestedUntilOf(const QJsonObject &taskOrItem)
{
    const QString requested = taskOrItem.value(QStringLiteral("requested_access")).toObject()
                                  .value(QStringLiteral("requested_until")).toString();
    if (requested.isEmpty())
        return 0;
    auto parsed = Rfc3339::parse(requested);
    return parsed ? parsed.value() : 0;
}

Result<Store::ApprovalRecord> issueApproval(Store::WriteTx &tx, const Store::TaskRecord &task, int item,
                                            const Policy::Template &tmpl, qint64 requestedUntilMs,
                                            const QJsonObject &scope, const EscalationConfig &config,
                                            const Jose::SigningKey &key)
{
    const qint64 now = tx.nowMs();
    const Result<qint64> end = approvalEnd(tmpl, now, requestedUntilMs);
    if (!end)
        return end.error();
    const qint64 untilMs = end.value();

    const QJsonObject &doc = task.doc;
    Store::ApprovalRecord approval;
    approval.id = Ids::random(u"apr_");
    approval.taskId = task.id;
    approval.item = item;
    approval.evaluationId = task.evaluationId;
    approval.approvedMs = now;
    approval.untilMs = untilMs;
    approval.scope = scope;
    approval.subject = doc.value(QStringLiteral("subject")).toObject();
    approval.resource = doc.value(QStringLiteral("resource")).toObject();
    approval.action = doc.value(QStringLiteral("action")).toObject();
    for (const QJsonValue &member : doc.value(QStringLiteral("binding_context_members")).toArray())
        approval.members.append(member.toString());
    approval.context = Binding::project(doc.value(QStringLiteral("context")).toObject(), approval.members);
    approval.requester = task.requester;
    approval.templateName = tmpl.name;

    const QJsonObject claims{
        {QStringLiteral("iss"), config.arsIdentifier},
        {QStringLiteral("aud"), config.pdpIdentifier},
        {QStringLiteral("iat"), double(now / 1000)},
        {QStringLiteral("exp"), double(untilMs / 1000)},
        {QStringLiteral("jti"), Ids::random(u"jti_")},
        {QStringLiteral("approval_id"), approval.id},
        {QStringLiteral("task_id"), task.id},
        {QStringLiteral("evaluation_id"), task.evaluationId},
        {QStringLiteral("binding_hash"), Binding::hash(approval.subject, approval.resource, approval.action,
                                                       approval.context, approval.members)},
        {QStringLiteral("binding_context_members"), QJsonArray::fromStringList(approval.members)},
        {QStringLiteral("scope"), scope},
    };
    auto state = Jose::signCompact(key, QString::fromLatin1(kApprovalStateType), claims);
    if (!state)
        return Error::make(ErrorCode::StorageUnavailable, QStringLiteral("The approval could not be signed."));
    approval.state = QString::fromLatin1(state.value());

    if (auto r = tx.insertApproval(approval); !r)
        return r.error();
    return approval;
}

Result<Store::ApprovalRecord> grant(Store::WriteTx &tx, Store::TaskRecord task, const Policy::Template &tmpl,
                                    const QString &approver, qint64 requestedUntilMs, const QJsonObject &scope,
                                    const EscalationConfig &config, const Jose::SigningKey &key)
{
    auto approval = issueApproval(tx, task, -1, tmpl, requestedUntilMs, scope, config, key);
    if (!approval)
        return approval;
    const QJsonObject data{{QStringLiteral("approval_id"), approval->id},
                           {QStringLiteral("approved_until"), Rfc3339::format(approval->untilMs)},
                           {QStringLiteral("scope"), scope}};
    if (auto r = finish(tx, task, QStringLiteral("approved"), approver, data); !r)
        return r.error();
    return approval;
}

std::optional<TaskBundle> loadBundle(Store::WriteTx &tx, const QString &taskId)
{
    std::optional<Store::TaskRecord> task = tx.task(taskId);
    if (!task)
        return std::nullopt;
    return TaskBundle{*task, tx.decisions(taskId), tx.approvalsForTask(taskId)};
}

Error forbidTaskOperation(const Identity &caller, TaskOperation operation, const QString &taskId)
{
    const QString name = operationName(operation);
    if (lcEscalation().isWarningEnabled()) {
        const Log::ScopedFields fields(QJsonObject{{QStringLiteral("caller_id"), caller.id},
                                                   {QStringLiteral("operation"), name},
                                                   {QStringLiteral("task_id"), taskId}});
        const QString target = taskId.isEmpty() ? QString() : QStringLiteral(" on task ") + taskId;
        qCWarning(lcEscalation).noquote().nospace() << "Rejected " << name << " by " << caller.id << target
                                                    << " because its credential does not grant the operation";
    }
    return Error::make(ErrorCode::Forbidden,
                       QStringLiteral("The credential of %1 does not grant the %2 operation on access requests.")
                           .arg(caller.id, name),
                       name);
}

Error forbidSubject(const Identity &caller, const QString &subjectId)
{
    if (lcEscalation().isWarningEnabled()) {
        const Log::ScopedFields fields(QJsonObject{{QStringLiteral("caller_id"), caller.id},
                                                   {QStringLiteral("operation"), operationName(TaskOperation::Submit)},
                                                   {QStringLiteral("subject_id"), subjectId}});
        qCWarning(lcEscalation).noquote() << "Rejected a submission by" << caller.id << "for subject" << subjectId
                                          << "because its credential does not name the subject";
    }
    return Error::make(ErrorCode::Forbidden,
                       QStringLiteral("The credential of %1 may not submit access requests for the subject %2.")
                           .arg(caller.id, subjectId),
                       subjectId.left(64));
}

Result<void> checkApproverBody(const QJsonObject &body, std::span<const BodyRule> allowed)
{
    const auto kindOf = [](const QJsonValue &value) {
        switch (value.type()) {
        case QJsonValue::Null: return QStringLiteral("null");
        case QJsonValue::Bool: return QStringLiteral("a boolean");
        case QJsonValue::Double: return QStringLiteral("a number");
        case QJsonValue::String: return QStringLiteral("a string");
        case QJsonValue::Array: return QStringLiteral("an array");
        case QJsonValue::Object: return QStringLiteral("an object");
        case QJsonValue::Undefined: break;
        }
        return QStringLiteral("missing");
    };

    for (auto it = body.constBegin(); it != body.constEnd(); ++it) {
        const QString name = it.key();
        const auto known = std::find_if(allowed.begin(), allowed.end(), [&name](const BodyRule &rule) { return rule.name == name; });
        if (known == allowed.end()) {
            QStringList names;
            for (const BodyRule &rule : allowed)
                names.append(rule.name);
            return Error::make(ErrorCode::InvalidRequest,
                               QStringLiteral("The member %1 is not part of this request; it takes %2.")
                                   .arg(name.left(64), names.join(QStringLiteral(", "))),
                               name.left(64));
        }

        const QJsonValue value = it.value();
        bool fits = false;
        QString expected;
        switch (known->type) {
        case BodyMember::String:
            fits = value.isString();
            expected = QStringLiteral("a string");
            break;
        case BodyMember::StringOrNull:
            fits = value.isString() || value.isNull();
            expected = QStringLiteral("a string");
            break;
        case BodyMember::ObjectOrNull:
            fits = value.isObject() || value.isNull();
            expected = QStringLiteral("an object");
            break;
        case BodyMember::Array:
            fits = value.isArray();
            expected = QStringLiteral("an array");
            break;
        }
        if (!fits) {
            return Error::make(ErrorCode::InvalidRequest,
                               QStringLiteral("The member %1 must be %2, not %3.").arg(name, expected, kindOf(value)),
                               name);
        }
    }
    return {};
}

} // namespace Recourse::Escalation::Internal
