// The Access Request Endpoint: validation, binding verification and task creation.

#include "core/base/ids.h"
#include "core/base/rfc3339.h"
#include "core/escalation/binding.h"
#include "core/escalation/escalationlogging.h"
#include "core/escalation/internal.h"
#include "core/escalation/submissionvalidation.h"
#include "core/escalation/taskview.h"
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

Result<void> validateSubmission(const QJsonObject &body)
{
    using AuthZen::EntityKind;
    if (body.contains(QStringLiteral("items"))) {
        // TODO: bulk submissions (items) are not processed yet; they are refused, never half-done.
        return invalidRequest(QStringLiteral("Bulk submissions (items) are not supported by this service yet."),
                              QStringLiteral("items"));
    }
    if (auto r = AuthZen::validateEntity(EntityKind::Subject, body.value(QStringLiteral("subject")), QStringLiteral("subject")); !r)
        return r;
    if (auto r = AuthZen::validateEntity(EntityKind::Resource, body.value(QStringLiteral("resource")), QStringLiteral("resource")); !r)
        return r;
    if (auto r = AuthZen::validateEntity(EntityKind::Action, body.value(QStringLiteral("action")), QStringLiteral("action")); !r)
        return r;
    for (const char *member : {"context", "requested_access", "client"}) {
        const QJsonValue value = body.value(QLatin1String(member));
        if (!value.isUndefined() && !value.isObject())
            return invalidRequest(QStringLiteral("The member %1 must be an object.").arg(QLatin1String(member)),
                                  QLatin1String(member));
    }

    const QJsonObject requested = body.value(QStringLiteral("requested_access")).toObject();
    const QJsonValue until = requested.value(QStringLiteral("requested_until"));
    if (!until.isUndefined()) {
        if (!until.isString())
            return invalidRequest(QStringLiteral("requested_access.requested_until must be an RFC 3339 string."),
                                  QStringLiteral("requested_access.requested_until"));
        if (auto parsed = Rfc3339::parse(until.toString()); !parsed)
            return invalidRequest(QStringLiteral("requested_access.requested_until: ") + parsed.error().message,
                                  until.toString());
    }
    const QJsonValue emergency = requested.value(QStringLiteral("emergency"));
    if (!emergency.isUndefined() && !emergency.isBool())
        return invalidRequest(QStringLiteral("requested_access.emergency must be a boolean."),
                              QStringLiteral("requested_access.emergency"));

    if (body.contains(QStringLiteral("callback"))) {
        // TODO: per-task callbacks are not delivered yet; a request for one is refused.
        return Error::make(ErrorCode::InvalidCallback,
                           QStringLiteral("Callbacks are not supported by this service yet; poll the status endpoint."),
                           QStringLiteral("callback"));
    }

    const QJsonValue denialValue = body.value(QStringLiteral("denial"));
    if (!denialValue.isObject())
        return invalidRequest(QStringLiteral("The member denial is missing or not an object."), QStringLiteral("denial"));
    const QJsonObject denial = denialValue.toObject();
    const QJsonValue expiresAt = denial.value(QStringLiteral("expires_at"));
    if (!expiresAt.isString())
        return invalidRequest(QStringLiteral("denial.expires_at is required and must be an RFC 3339 string."),
                              QStringLiteral("denial.expires_at"));
    if (auto parsed = Rfc3339::parse(expiresAt.toString()); !parsed)
        return invalidRequest(QStringLiteral("denial.expires_at: ") + parsed.error().message, expiresAt.toString());
    for (const char *member : {"binding_token", "evaluation_id", "evaluated_at", "reason", "template"}) {
        const QJsonValue value = denial.value(QLatin1String(member));
        if (!value.isUndefined() && !value.isString())
            return invalidRequest(QStringLiteral("denial.%1 must be a string.").arg(QLatin1String(member)),
                                  QStringLiteral("denial.") + QLatin1String(member));
    }
    const QJsonValue evaluatedAt = denial.value(QStringLiteral("evaluated_at"));
    if (evaluatedAt.isString()) {
        if (auto parsed = Rfc3339::parse(evaluatedAt.toString()); !parsed)
            return invalidRequest(QStringLiteral("denial.evaluated_at: ") + parsed.error().message, evaluatedAt.toString());
    }
    if (!denial.contains(QStringLiteral("binding_token")) && !denial.contains(QStringLiteral("evaluation_id"))) {
        return invalidBinding(QStringLiteral("The denial carries neither binding_token nor evaluation_id."),
                              QStringLiteral("denial"));
    }
    return {};
}

namespace {

// What the binding proved about the denied evaluation.
struct BoundDenial
{
    QString evaluationId;
    QString templateName;
    QStringList members;
    QString jti;
    qint64 deadlineMs = 0; // freshness deadline before skew tolerance
    qint64 tokenExpMs = 0;
};

} // namespace

void EscalationService::submit(const Identity &caller, const QJsonObject &body, const QString &idempotencyKey,
                               ReplyCallback done)
{
    if (auto valid = validateSubmission(body); !valid) {
        done(valid.error());
        return;
    }

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

    const QJsonObject denial = body.value(QStringLiteral("denial")).toObject();
    const QString token = denial.value(QStringLiteral("binding_token")).toString();
    const qint64 echoedExpiresMs = Rfc3339::parse(denial.value(QStringLiteral("expires_at")).toString()).value();
    const QString bodyHash = QString::fromLatin1(
        QCryptographicHash::hash(Json::canonicalize(body), QCryptographicHash::Sha256).toHex());

    // Signature checks are pure computation, so they run here; their verdict is applied inside
    // the writer job after the idempotency lookup, so a genuine retry still finds its task.
    std::optional<Result<Jose::VerifiedToken>> verified;
    if (!token.isEmpty()) {
        Jose::VerifyOptions options;
        options.typ = QString::fromLatin1(kBindingTokenType);
        options.expectedIssuer = m_config.pdpIdentifier;
        options.audience = m_config.accessRequestEndpoint;
        options.nowSeconds = m_clock->nowSeconds();
        options.leewaySeconds = m_config.clockSkewSeconds;
        // Freshness is judged below with the profile's own error (expired_denial), in its order.
        options.validateTime = false;
        verified = Jose::verifyCompact(token.toUtf8(), *m_trustedKeys, options);
    }

    const std::shared_ptr<const Policy::PolicySet> policy = m_policies->current();
    const EscalationConfig config = m_config;
    const Jose::SigningKey *key = m_signingKey;
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

        // 2. The binding: token or evaluation_id, then replay, then structure, then freshness.
        BoundDenial bound;
        if (verified) {
            if (!verified->ok())
                return invalidBinding(verified->error().message, QStringLiteral("denial.binding_token"));
            const QJsonObject claims = verified->value().claims;
            bound.evaluationId = claims.value(QStringLiteral("evaluation_id")).toString();
            bound.templateName = claims.value(QStringLiteral("template")).toString();
            bound.jti = claims.value(QStringLiteral("jti")).toString();
            bound.tokenExpMs = qint64(claims.value(QStringLiteral("exp")).toDouble()) * 1000;
            for (const QJsonValue &member : claims.value(QStringLiteral("binding_context_members")).toArray())
                bound.members.append(member.toString());

            const QJsonValue protectedExpiry = claims.value(QStringLiteral("denial_expires_at"));
            if (protectedExpiry.isString()) {
                auto protectedMs = Rfc3339::parse(protectedExpiry.toString());
                if (!protectedMs || protectedMs.value() != echoedExpiresMs)
                    return invalidBinding(QStringLiteral("denial.expires_at differs from the expiry the PDP signed."),
                                          denial.value(QStringLiteral("expires_at")).toString());
            } else if (bound.tokenExpMs > echoedExpiresMs) {
                return invalidBinding(QStringLiteral("The binding_token does not protect denial.expires_at."));
            }
            bound.deadlineMs = qMin(bound.tokenExpMs, echoedExpiresMs);
            if (bound.jti.isEmpty())
                return invalidBinding(QStringLiteral("The binding_token has no jti."));

            const QString expectedHash = claims.value(QStringLiteral("binding_hash")).toString();
            const QString actualHash = Binding::hash(body.value(QStringLiteral("subject")).toObject(),
                                                     body.value(QStringLiteral("resource")).toObject(),
                                                     body.value(QStringLiteral("action")).toObject(),
                                                     body.value(QStringLiteral("context")).toObject(), bound.members);
            if (auto seen = tx.rememberJti(bound.jti, bound.tokenExpMs + skewMs, {}); !seen)
                return seen.error();
            if (expectedHash.isEmpty() || expectedHash != actualHash)
                return invalidBinding(QStringLiteral("The submitted subject, resource, action or authorization-relevant "
                                                     "context differs from the denied evaluation."));
        } else {
            const QString evaluationId = denial.value(QStringLiteral("evaluation_id")).toString();
            const std::optional<Store::EvaluationRecord> record = tx.evaluation(evaluationId);
            if (!record)
                return invalidBinding(QStringLiteral("The evaluation_id is unknown to this service."), evaluationId);
            // Freshness is judged on the recorded expiry, never the echoed one, so a PEP that
            // moved the expiry of a denial that has since expired gets expired_denial.
            if (record->expiresMs != echoedExpiresMs && now > record->expiresMs + skewMs) {
                return Error::make(ErrorCode::ExpiredDenial,
                                   QStringLiteral("The requestable denial expired at %1; evaluate again to get a fresh one.")
                                       .arg(Rfc3339::format(record->expiresMs)),
                                   denial.value(QStringLiteral("expires_at")).toString());
            }
            if (record->expiresMs != echoedExpiresMs)
                return invalidBinding(QStringLiteral("denial.expires_at differs from the recorded expiry."),
                                      denial.value(QStringLiteral("expires_at")).toString());
            bound.evaluationId = record->id;
            bound.templateName = record->templateName;
            bound.members = record->members;
            bound.jti = record->jti;
            bound.deadlineMs = record->expiresMs;
            bound.tokenExpMs = record->expiresMs;
            if (auto seen = tx.rememberJti(bound.jti, record->expiresMs + skewMs, {}); !seen)
                return seen.error();
            const bool same = Json::structurallyEqual(Binding::withoutActor(record->subject),
                                                      Binding::withoutActor(body.value(QStringLiteral("subject")).toObject()))
                && Json::structurallyEqual(record->resource, body.value(QStringLiteral("resource")))
                && Json::structurallyEqual(record->action, body.value(QStringLiteral("action")))
                && Json::structurallyEqual(record->context,
                                           Binding::project(body.value(QStringLiteral("context")).toObject(), record->members));
            if (!same)
                return invalidBinding(QStringLiteral("The submitted subject, resource, action or authorization-relevant "
                                                     "context differs from the denied evaluation."));
        }
        if (now > bound.deadlineMs + skewMs) {
            return Error::make(ErrorCode::ExpiredDenial,
                               QStringLiteral("The requestable denial expired at %1; evaluate again to get a fresh one.")
                                   .arg(Rfc3339::format(bound.deadlineMs)),
                               denial.value(QStringLiteral("expires_at")).toString());
        }

        // 3. Current policy decides again: the request must still be requestable, under that template.
        const Policy::Request request{body.value(QStringLiteral("subject")).toObject(),
                                      body.value(QStringLiteral("resource")).toObject(),
                                      body.value(QStringLiteral("action")).toObject(),
                                      body.value(QStringLiteral("context")).toObject()};
        const Policy::Decision decision = policy->evaluate(request);
        const Policy::Template *tmpl = policy->findTemplate(bound.templateName);
        if (decision.effect != Policy::Effect::Requestable || !tmpl) {
            return Error::make(ErrorCode::NotRequestable,
                               QStringLiteral("Current policy no longer allows requesting this access."),
                               bound.templateName);
        }

        // 4. The task.
        Store::TaskRecord task;
        task.id = Ids::random(u"arq_");
        task.status = QStringLiteral("pending");
        task.createdMs = now;
        task.updatedMs = now;
        task.expiresMs = now + tmpl->taskLifetimeSeconds * 1000;
        task.templateName = tmpl->name;
        task.requester = callerId;
        task.evaluationId = bound.evaluationId;
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
            {QStringLiteral("binding_context_members"), QJsonArray::fromStringList(bound.members)},
            {QStringLiteral("actor_chain"), actorChain},
            {QStringLiteral("evaluation"),
             QJsonObject{{QStringLiteral("evaluation_id"), bound.evaluationId},
                         {QStringLiteral("evaluated_at"), denial.value(QStringLiteral("evaluated_at"))},
                         {QStringLiteral("expires_at"), Rfc3339::format(bound.deadlineMs)},
                         {QStringLiteral("reason"), denial.value(QStringLiteral("reason"))}}},
            {QStringLiteral("denial"), storedDenial},
        };
        const QString justification = request.context.value(QStringLiteral("business_justification")).toString();
        if (!justification.isEmpty())
            task.doc.insert(QStringLiteral("justification"), justification);

        if (auto r = tx.insertTask(task); !r)
            return r.error();
        if (!bound.evaluationId.isEmpty()) {
            if (auto r = tx.linkEvaluationToTask(bound.evaluationId, task.id); !r)
                return r.error();
        }
        const QJsonObject created{{QStringLiteral("subject"), request.subject},
                                  {QStringLiteral("resource"), request.resource},
                                  {QStringLiteral("action"), request.action},
                                  {QStringLiteral("status"), task.status},
                                  {QStringLiteral("template"), task.templateName},
                                  {QStringLiteral("requester"), callerId}};
        if (auto r = Internal::audit(tx, QStringLiteral("task.created"), callerId, task, created); !r)
            return r.error();
        if (auto r = Internal::event(tx, QStringLiteral("task.created"), task, created); !r)
            return r.error();

        // 5. Automatic approval resolves the task synchronously (201, already terminal).
        int status = 202;
        if (policy->autoApproves(*tmpl, request)) {
            const qint64 untilMs = now + tmpl->autoApproval->durationSeconds * 1000;
            auto granted = Internal::grant(tx, task, *tmpl, QStringLiteral("policy:auto-approval"), untilMs,
                                           QJsonObject{{QStringLiteral("mode"), QStringLiteral("exact")}}, config, *key);
            if (!granted)
                return granted.error();
            status = 201;
        }

        auto bundle = Internal::loadBundle(tx, task.id);
        if (!bundle)
            return Error::make(ErrorCode::StorageUnavailable, QStringLiteral("The task could not be read back."));
        const QJsonObject response = TaskView::statusBody(bundle->task, config, tmpl, bundle->decisions, bundle->approvals);

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
