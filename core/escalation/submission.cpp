// The Access Request Endpoint: validation, binding verification and task creation.

#include "core/base/ids.h"
#include "core/base/rfc3339.h"
#include "core/escalation/binding.h"
#include "core/escalation/bulktask.h"
#include "core/escalation/callbacks.h"
#include "core/escalation/catalogs.h"
#include "core/escalation/denialbinding.h"
#include "core/escalation/escalationlogging.h"
#include "core/escalation/internal.h"
#include "core/escalation/requestschema.h"
#include "core/escalation/submissionvalidation.h"
#include "core/escalation/taskview.h"
#include "core/escalation/workflow.h"
#include "core/json/json.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>

namespace Recourse::Escalation {

namespace {

Error invalidRequest(const QString &message, const QString &value = {})
{
    return Error::make(ErrorCode::InvalidRequest, message, value);
}

Error invalidBinding(const QString &message, const QString &value = {})
{
    return Error::make(ErrorCode::InvalidDenialBinding, message, value);
}

} // namespace

Result<void> Internal::validateRequestedAccess(const QJsonObject &requested, const QString &path)
{
    const QJsonValue until = requested.value(QStringLiteral("requested_until"));
    if (!until.isUndefined()) {
        if (!until.isString())
            return invalidRequest(QStringLiteral("%1.requested_until must be an RFC 3339 string.").arg(path),
                                  path + QStringLiteral(".requested_until"));
        if (auto parsed = Rfc3339::parse(until.toString()); !parsed)
            return invalidRequest(path + QStringLiteral(".requested_until: ") + parsed.error().message, until.toString());
    }
    const QJsonValue emergency = requested.value(QStringLiteral("emergency"));
    if (!emergency.isUndefined() && !emergency.isBool())
        return invalidRequest(QStringLiteral("%1.emergency must be a boolean.").arg(path), path + QStringLiteral(".emergency"));
    return {};
}

Result<void> Internal::validateOptionalMembers(const QJsonObject &body)
{
    for (const char *member : {"context", "requested_access", "client"}) {
        const QJsonValue value = body.value(QLatin1String(member));
        if (!value.isUndefined() && !value.isObject())
            return invalidRequest(QStringLiteral("The member %1 must be an object.").arg(QLatin1String(member)),
                                  QLatin1String(member));
    }
    if (auto r = validateRequestedAccess(body.value(QStringLiteral("requested_access")).toObject(),
                                         QStringLiteral("requested_access"));
        !r)
        return r;

    // The destination is checked against the allowlist and resolved later, in submit().
    if (body.contains(QStringLiteral("callback"))) {
        if (auto r = Callbacks::parse(body.value(QStringLiteral("callback"))); !r)
            return r.error();
    }
    return {};
}

Result<void> Internal::validateDenial(const QJsonValue &denialValue, const QString &path)
{
    if (!denialValue.isObject())
        return invalidRequest(QStringLiteral("The member %1 is missing or not an object.").arg(path), path);
    const QJsonObject denial = denialValue.toObject();
    const QJsonValue expiresAt = denial.value(QStringLiteral("expires_at"));
    if (!expiresAt.isString())
        return invalidRequest(QStringLiteral("%1.expires_at is required and must be an RFC 3339 string.").arg(path),
                              path + QStringLiteral(".expires_at"));
    if (auto parsed = Rfc3339::parse(expiresAt.toString()); !parsed)
        return invalidRequest(path + QStringLiteral(".expires_at: ") + parsed.error().message, expiresAt.toString());
    for (const char *member : {"binding_token", "evaluation_id", "evaluated_at", "reason", "template"}) {
        const QJsonValue value = denial.value(QLatin1String(member));
        if (!value.isUndefined() && !value.isString())
            return invalidRequest(QStringLiteral("%1.%2 must be a string.").arg(path, QLatin1String(member)),
                                  path + u'.' + QLatin1String(member));
    }
    const QJsonValue evaluatedAt = denial.value(QStringLiteral("evaluated_at"));
    if (evaluatedAt.isString()) {
        if (auto parsed = Rfc3339::parse(evaluatedAt.toString()); !parsed)
            return invalidRequest(path + QStringLiteral(".evaluated_at: ") + parsed.error().message, evaluatedAt.toString());
    }
    if (!denial.contains(QStringLiteral("binding_token")) && !denial.contains(QStringLiteral("evaluation_id"))) {
        return invalidBinding(QStringLiteral("The %1 carries neither binding_token nor evaluation_id.").arg(path), path);
    }
    return {};
}

Result<void> validateSubmission(const QJsonObject &body)
{
    using AuthZen::EntityKind;
    // Bulk bodies have their own rules (BulkTask::validateSubmission); submit() routes them there.
    if (body.contains(QStringLiteral("items"))) {
        return invalidRequest(QStringLiteral("A body with items is a bulk submission, which this check does not cover."),
                              QStringLiteral("items"));
    }
    if (auto r = AuthZen::validateEntity(EntityKind::Subject, body.value(QStringLiteral("subject")), QStringLiteral("subject")); !r)
        return r;
    if (auto r = AuthZen::validateEntity(EntityKind::Resource, body.value(QStringLiteral("resource")), QStringLiteral("resource")); !r)
        return r;
    if (auto r = AuthZen::validateEntity(EntityKind::Action, body.value(QStringLiteral("action")), QStringLiteral("action")); !r)
        return r;
    if (auto r = Internal::validateOptionalMembers(body); !r)
        return r;
    return Internal::validateDenial(body.value(QStringLiteral("denial")), QStringLiteral("denial"));
}

namespace {

// Verifies the denial, requires current policy to keep the request requestable and inserts the
// pending task (steps 2 to 4 of a single-item submission).
Result<Store::TaskRecord> createSingleTask(Store::WriteTx &tx, const QJsonObject &body,
                                           const Internal::PresentedDenial &presented, const Policy::PolicySet &policy,
                                           qint64 skewMs, const QString &requester, const QJsonArray &actorChain)
{
    const qint64 now = tx.nowMs();
    const QJsonObject &denial = presented.denial;

    // 2. The binding: token or evaluation_id, then replay, then structure, then freshness.
    Internal::BindingTarget target;
    target.client = requester;
    target.subject = body.value(QStringLiteral("subject")).toObject();
    target.context = body.value(QStringLiteral("context")).toObject();
    target.pairs.append(QJsonObject{{QStringLiteral("resource"), body.value(QStringLiteral("resource"))},
                                    {QStringLiteral("action"), body.value(QStringLiteral("action"))}});
    const Result<Internal::BoundDenial> bound = Internal::bindDenial(tx, presented, target, skewMs);
    if (!bound)
        return bound.error();

    // 3. Current policy decides again: the request must still be requestable, under that template.
    const Policy::Request request{body.value(QStringLiteral("subject")).toObject(),
                                  body.value(QStringLiteral("resource")).toObject(),
                                  body.value(QStringLiteral("action")).toObject(),
                                  body.value(QStringLiteral("context")).toObject()};
    const Policy::Decision decision = policy.evaluate(request);
    const Policy::Template *tmpl = policy.findTemplate(bound->templateName);
    if (decision.effect != Policy::Effect::Requestable || !tmpl) {
        return Error::make(ErrorCode::NotRequestable,
                           QStringLiteral("Current policy no longer allows requesting this access."),
                           bound->templateName);
    }
    if (auto r = RequestSchema::checkSubmission(body, *tmpl); !r)
        return r.error();
    if (!tmpl->catalogs.isEmpty()) {
        const Policy::Request denied = Catalogs::deniedRequest(tx, bound->evaluationId, request, bound->members);
        if (auto r = Catalogs::checkSubmission(body, *tmpl, denied); !r)
            return r.error();
    }

    // 4. The task.
    Store::TaskRecord task;
    task.id = Ids::random(u"arq_");
    task.status = QStringLiteral("pending");
    task.createdMs = now;
    task.updatedMs = now;
    task.expiresMs = now + tmpl->taskLifetimeSeconds * 1000;
    task.templateName = tmpl->name;
    task.requester = requester;
    task.evaluationId = bound->evaluationId;
    task.subjectId = request.subject.value(QStringLiteral("id")).toString();
    const QJsonObject client = body.value(QStringLiteral("client")).toObject();
    QJsonObject storedDenial = denial;
    storedDenial.remove(QStringLiteral("binding_token"));
    task.doc = QJsonObject{
        {QStringLiteral("subject"), request.subject},
        {QStringLiteral("resource"), request.resource},
        {QStringLiteral("action"), request.action},
        {QStringLiteral("context"), request.context},
        {QStringLiteral("requested_access"), body.value(QStringLiteral("requested_access")).toObject()},
        {QStringLiteral("client"), client},
        {QStringLiteral("binding_context_members"), QJsonArray::fromStringList(bound->members)},
        {QStringLiteral("actor_chain"), actorChain},
        {QStringLiteral("evaluation"), Internal::evaluationSummary(*bound)},
        {QStringLiteral("denial"), storedDenial},
    };
    const QString justification = request.context.value(QStringLiteral("business_justification")).toString();
    if (!justification.isEmpty())
        task.doc.insert(QStringLiteral("justification"), justification);

    if (auto r = tx.insertTask(task); !r)
        return r.error();
    if (!bound->evaluationId.isEmpty()) {
        if (auto r = tx.linkEvaluationToTask(bound->evaluationId, task.id); !r)
            return r.error();
    }
    return task;
}

// Rejects a requested_until that is not in the future, at the top level or of any bulk item.
// Approving would read an end that has passed as none named and grant the template's default
// duration, which is longer than the PEP requested.
Result<void> requireFutureEnds(const QJsonObject &body, qint64 nowMs)
{
    QList<QPair<QString, QJsonObject>> requests{
        {QStringLiteral("requested_access"), body.value(QStringLiteral("requested_access")).toObject()}};
    const QJsonArray items = body.value(QStringLiteral("items")).toArray();
    for (qsizetype i = 0; i < items.size(); ++i) {
        requests.append({QStringLiteral("items[%1].requested_access").arg(i),
                         items.at(i).toObject().value(QStringLiteral("requested_access")).toObject()});
    }

    for (const auto &[path, requested] : requests) {
        const QString until = requested.value(QStringLiteral("requested_until")).toString();
        // validateRequestedAccess() has checked that a present value parses.
        if (until.isEmpty() || Rfc3339::parse(until).value() > nowMs)
            continue;
        return invalidRequest(QStringLiteral("%1.requested_until has already passed; request an end later than %2.")
                                  .arg(path, Rfc3339::format(nowMs)),
                              until);
    }
    return {};
}

// The task.created audit record and event: a bulk task lists its items' resources and actions.
Result<void> recordCreated(Store::WriteTx &tx, const Store::TaskRecord &task)
{
    QJsonObject created{{QStringLiteral("subject"), task.doc.value(QStringLiteral("subject"))},
                        {QStringLiteral("status"), task.status},
                        {QStringLiteral("template"), task.templateName},
                        {QStringLiteral("requester"), task.requester}};
    if (BulkTask::isBulk(task)) {
        QJsonArray items;
        for (const QJsonValue &item : task.doc.value(QStringLiteral("items")).toArray()) {
            items.append(QJsonObject{{QStringLiteral("resource"), item.toObject().value(QStringLiteral("resource"))},
                                     {QStringLiteral("action"), item.toObject().value(QStringLiteral("action"))}});
        }
        created.insert(QStringLiteral("items"), items);
    } else {
        created.insert(QStringLiteral("resource"), task.doc.value(QStringLiteral("resource")));
        created.insert(QStringLiteral("action"), task.doc.value(QStringLiteral("action")));
    }
    if (auto r = Internal::audit(tx, QStringLiteral("task.created"), task.requester, task, created); !r)
        return r;
    return Internal::event(tx, QStringLiteral("task.created"), task, created);
}

} // namespace

void EscalationService::setCallbackDestinations(Callbacks::Allowlist allowlist,
                                                std::shared_ptr<const Callbacks::HostResolver> resolver)
{
    m_callbackAllowlist = std::move(allowlist);
    if (resolver)
        m_callbackResolver = std::move(resolver);
}

void EscalationService::submit(const Identity &caller, const QJsonObject &body, const QString &idempotencyKey,
                               ReplyCallback done)
{
    // Authorization comes right after authentication and before the idempotency lookup, so a
    // credential that has lost the right since its first attempt gets no stored response either,
    // and a rejected submission creates no task and no idempotency record.
    if (!caller.mayPerform(TaskOperation::Submit)) {
        done(Internal::forbidTaskOperation(caller, TaskOperation::Submit, {}));
        return;
    }

    const bool bulk = body.contains(QStringLiteral("items"));
    if (auto valid = bulk ? BulkTask::validateSubmission(body) : validateSubmission(body); !valid) {
        done(valid.error());
        return;
    }
    // The subject id is read once the structure is known to be valid. Bulk submissions carry one
    // top-level subject for all their items, so this check covers them too.
    const QString subjectId = body.value(QStringLiteral("subject")).toObject().value(QStringLiteral("id")).toString();
    if (!caller.maySubmitFor(subjectId)) {
        done(Internal::forbidSubject(caller, subjectId));
        return;
    }

    if (!body.contains(QStringLiteral("callback"))) {
        submitChecked(caller, body, idempotencyKey, std::move(done));
        return;
    }

    // A callback is checked before any task exists, so a rejected one leaves nothing behind and
    // never causes a connection. A notification carries the task's status and result, so asking
    // for one needs the read operation as polling does.
    if (!caller.mayPerform(TaskOperation::Read)) {
        done(Internal::forbidTaskOperation(caller, TaskOperation::Read, {}));
        return;
    }
    if (caller.callbackSecret.isEmpty()) {
        done(Error::make(ErrorCode::InvalidCallback,
                         QStringLiteral("The PEP identity %1 has no callback_secret configured, so it cannot receive "
                                        "signed callbacks; poll the status endpoint or ask the operator for a secret.")
                             .arg(caller.id),
                         QStringLiteral("callback")));
        return;
    }
    const QUrl endpoint = Callbacks::parse(body.value(QStringLiteral("callback")))->endpoint;
    Callbacks::checkDestination(m_callbackAllowlist, *m_callbackResolver, endpoint, this,
                                [this, caller, body, idempotencyKey, done](Result<Callbacks::Destination> checked) {
        if (!checked) {
            done(checked.error());
            return;
        }
        submitChecked(caller, body, idempotencyKey, done);
    });
}

void EscalationService::submitChecked(const Identity &caller, const QJsonObject &body, const QString &idempotencyKey,
                                      ReplyCallback done)
{
    const bool bulk = body.contains(QStringLiteral("items"));

    // Actor delegation: a credential that lists the actors it vouches for must vouch for every
    // actor the submission claims; otherwise the chain is kept, marked unverified, for audit and
    // display only. Either way every actor of the chain is excluded from deciding the task.
    QJsonArray actorChain = Binding::actorChain(body.value(QStringLiteral("subject")).toObject(),
                                                body.value(QStringLiteral("client")).toObject());
    const bool vouchesForAny = caller.actors.contains(QStringLiteral("*"));
    for (qsizetype i = 0; i < actorChain.size(); ++i) {
        QJsonObject actor = actorChain.at(i).toObject();
        const QString actorId = actor.value(QStringLiteral("id")).toString();
        const bool verified = vouchesForAny || caller.actors.contains(actorId);
        if (!verified && !caller.actors.isEmpty()) {
            done(Error::make(ErrorCode::Forbidden,
                             QStringLiteral("The credential of %1 does not authorize the actor %2 named in the "
                                            "submission's actor chain.").arg(caller.id, actorId),
                             actorId.left(64)));
            return;
        }
        actor.insert(QStringLiteral("verified"), verified);
        actorChain.replace(i, actor);
    }

    // The Idempotency-Key covers the whole body, so reordering bulk items is a different body.
    const QString bodyHash = QString::fromLatin1(
        QCryptographicHash::hash(Json::canonicalize(body), QCryptographicHash::Sha256).toHex());

    // Signature checks are pure computation, so they run here; their verdict is applied inside
    // the writer job after the idempotency lookup, so a genuine retry still finds its task.
    const qint64 nowSeconds = m_clock->nowSeconds();
    std::optional<Internal::PresentedDenial> singleDenial;
    BulkTask::PresentedDenials bulkDenials;
    if (bulk)
        bulkDenials = BulkTask::presentDenials(body, m_config, *m_trustedKeys, nowSeconds);
    else
        singleDenial = Internal::presentDenial(body.value(QStringLiteral("denial")).toObject(), m_config, *m_trustedKeys,
                                               nowSeconds);

    const std::shared_ptr<const Policy::PolicySet> policy = m_policies->current();
    const EscalationConfig config = m_config;
    const std::shared_ptr<const Jose::SigningKey> key = m_signingKeys->activeKey();
    const qint64 skewMs = m_config.clockSkewSeconds * 1000;
    const QString callerId = caller.id;

    auto job = [=](Store::WriteTx &tx) -> Result<QJsonObject> {
        const qint64 now = tx.nowMs();

        // 1. Idempotency: the same caller and key with an equivalent body gets the same answer.
        if (!idempotencyKey.isEmpty()) {
            if (auto previous = tx.idempotency(callerId, idempotencyKey)) {
                if (previous->bodyHash != bodyHash) {
                    return Error::make(ErrorCode::DuplicateRequest,
                                       QStringLiteral("The Idempotency-Key was already used with a different body."),
                                       idempotencyKey);
                }
                return QJsonObject{{QStringLiteral("status"), previous->statusCode},
                                   {QStringLiteral("body"), QJsonDocument::fromJson(previous->response).object()}};
            }
        }

        // Checked after the idempotency lookup, so a retry still gets its task after the requested end passed.
        if (auto r = requireFutureEnds(body, now); !r)
            return r.error();

        // 2 to 4. The binding, current policy's decision and the task.
        Result<Store::TaskRecord> created =
            bulk ? BulkTask::createTask(tx, body, bulkDenials, *policy, skewMs, callerId, actorChain)
                 : createSingleTask(tx, body, *singleDenial, *policy, skewMs, callerId, actorChain);
        if (!created)
            return created.error();
        Store::TaskRecord task = created.value();
        if (auto r = Callbacks::attachToTask(tx, task, body); !r)
            return r.error();
        // Creating the task required the template, and the policy set stays alive in this job.
        const Policy::Template *tmpl = policy->findTemplate(task.templateName);
        if (auto r = recordCreated(tx, task); !r)
            return r.error();

        // 5. Automatic approval resolves the task synchronously (201, already terminal).
        int status = 202;
        if (bulk) {
            auto approved = BulkTask::autoApprove(tx, task, *tmpl, *policy, config, *key);
            if (!approved)
                return approved.error();
            if (approved->status == QLatin1String("approved"))
                status = 201;
        } else {
            const Policy::Request request{task.doc.value(QStringLiteral("subject")).toObject(),
                                          task.doc.value(QStringLiteral("resource")).toObject(),
                                          task.doc.value(QStringLiteral("action")).toObject(),
                                          task.doc.value(QStringLiteral("context")).toObject()};
            if (policy->autoApproves(*tmpl, request)) {
                // An ineligible evaluator leaves the task pending for people (202), with the reason audited.
                auto eligible = checkAutomatedEligibility(task, *tmpl);
                if (!eligible) {
                    if (auto r = Internal::auditAutomatedRefusal(tx, task, -1, eligible.error().message); !r)
                        return r.error();
                } else {
                    const qint64 untilMs = now + tmpl->autoApproval->durationSeconds * 1000;
                    auto granted = Internal::grant(tx, task, *tmpl, kAutomatedApproverId.toString(), untilMs,
                                                   QJsonObject{{QStringLiteral("mode"), QStringLiteral("exact")}}, config, *key);
                    if (!granted)
                        return granted.error();
                    status = 201;
                }
            }
        }

        // A single task still pending has no decisions or approvals, and this job wrote every
        // field the handle shows, so only a task that changed after its insert is read back.
        // Skipping the read saved about 6% of the writer thread's time under submission load.
        QJsonObject response;
        if (status == 202 && !bulk) {
            response = TaskView::statusBody(task, config, tmpl, {}, {});
        } else {
            auto bundle = Internal::loadBundle(tx, task.id);
            if (!bundle)
                return Error::make(ErrorCode::StorageUnavailable, QStringLiteral("The task could not be read back."));
            response = TaskView::statusBody(bundle->task, config, tmpl, bundle->decisions, bundle->approvals);
        }

        if (!idempotencyKey.isEmpty()) {
            Store::IdempotencyRecord record;
            record.caller = callerId;
            record.key = idempotencyKey;
            record.bodyHash = bodyHash;
            record.taskId = task.id;
            record.statusCode = status;
            record.response = QJsonDocument(response).toJson(QJsonDocument::Compact);
            record.createdMs = now;
            record.expiresMs = task.expiresMs + config.idempotencyRetentionSeconds * 1000;
            if (auto r = tx.insertIdempotency(record); !r)
                return r.error();
        }
        return QJsonObject{{QStringLiteral("status"), status}, {QStringLiteral("body"), response}};
    };

    m_store->write(job, this, [done](Result<QJsonObject> result) {
        if (!result) {
            done(result.error());
            return;
        }
        Reply reply;
        reply.status = result->value(QStringLiteral("status")).toInt();
        reply.body = result->value(QStringLiteral("body")).toObject();
        reply.location = reply.body.value(QStringLiteral("task")).toObject().value(QStringLiteral("status_endpoint")).toString();
        done(reply);
    });
}

} // namespace Recourse::Escalation
