// The approval-aware side of the PDP: requestable denials and re-evaluations with approvals.

#include "core/base/ids.h"
#include "core/base/rfc3339.h"
#include "core/escalation/binding.h"
#include "core/escalation/catalogs.h"
#include "core/escalation/escalationlogging.h"
#include "core/escalation/escalationservice.h"
#include "core/json/json.h"

#include <QJsonArray>
#include <QThread>

#include <algorithm>
#include <utility>
#include <vector>

namespace Recourse::Escalation {

namespace {

// The plain decisions, built once per thread: a batch of 100 permits spent a twentieth of its
// instructions constructing the same one-member object. Callers get shared copies, which detach on
// change. One object per thread keeps serving threads from contending for its reference count.
const QJsonObject &plainDecision(bool decision)
{
    thread_local const QJsonObject permit{{QStringLiteral("decision"), true}};
    thread_local const QJsonObject deny{{QStringLiteral("decision"), false}};
    return decision ? permit : deny;
}

// Reason codes of the profile's registry, with the next_action each defaults to.
const QString kApprovalExpired = QStringLiteral("approval_expired");
const QString kOutOfScope = QStringLiteral("out_of_scope");
const QString kGrantPending = QStringLiteral("grant_pending");
const QString kPolicyDenied = QStringLiteral("policy_denied");
const QString kUnverifiable = QStringLiteral("approval_unverifiable");

QJsonObject denial(const QString &reason, const QString &nextAction)
{
    return QJsonObject{{QStringLiteral("decision"), false},
                       {QStringLiteral("context"), QJsonObject{{QStringLiteral("reason"), reason},
                                                               {QStringLiteral("next_action"), nextAction}}}};
}

bool inScope(const Store::ApprovalRecord &approval, const AuthZen::EvaluationRequest &request)
{
    if (!Json::structurallyEqual(Binding::withoutActor(approval.subject), Binding::withoutActor(request.subject)))
        return false;
    const QJsonObject requestContext = Binding::project(request.context, approval.members);
    if (!Json::structurallyEqual(approval.context, requestContext))
        return false;

    const QString mode = approval.scope.value(QStringLiteral("mode")).toString();
    if (mode != QLatin1String("broadened")) {
        return Json::structurallyEqual(approval.resource, request.resource)
            && Json::structurallyEqual(approval.action, request.action);
    }

    // A broadened scope lists resources by type and id and actions by name; properties of a
    // listed resource are not pinned, because the approver chose the resource, not a snapshot.
    bool resourceListed = false;
    for (const QJsonValue &entry : approval.scope.value(QStringLiteral("resources")).toArray()) {
        const QJsonObject listed = entry.toObject();
        if (listed.value(QStringLiteral("type")) == request.resource.value(QStringLiteral("type"))
            && listed.value(QStringLiteral("id")) == request.resource.value(QStringLiteral("id"))) {
            resourceListed = true;
            break;
        }
    }
    const QJsonArray actions = approval.scope.value(QStringLiteral("actions")).toArray();
    return resourceListed && actions.contains(request.action.value(QStringLiteral("name")));
}

Policy::Request policyRequest(const AuthZen::EvaluationRequest &request)
{
    return Policy::Request{request.subject, request.resource, request.action, request.context};
}

} // namespace

struct EscalationService::ApprovalCheck
{
    bool ok = false;
    QString reason; // a registry reason code when !ok
    Store::ApprovalRecord record;
};

EscalationService::ApprovalCheck EscalationService::verifyApproval(const Identity &caller, const QJsonObject &approval,
                                                                   const AuthZen::EvaluationRequest &request)
{
    ApprovalCheck check;
    check.reason = kUnverifiable;

    // Knowing an approval id never authorizes: the signed state is required, and its claims and
    // the stored record must both agree with the presented id.
    const QString id = approval.value(QStringLiteral("id")).toString();
    const QJsonValue state = approval.value(QStringLiteral("state"));
    if (id.isEmpty() || !state.isString())
        return check;

    // An approval of another requester answers exactly like an unknown one, so the response
    // never reveals that an approval exists for someone else.
    std::optional<Store::ApprovalRecord> record = Store::Reader(*m_store).approval(id);
    if (!record || record->requester != caller.id)
        return check;
    check.record = *record;

    // The record and the clock are both this service's own, so no clock-skew tolerance applies.
    // The approval ends exactly at approved_until.
    const qint64 now = m_clock->nowMs();
    if (record->revokedMs > 0 || now >= record->untilMs) {
        check.reason = kApprovalExpired;
        return check;
    }

    Jose::VerifyOptions options;
    options.typ = QString::fromLatin1(kApprovalStateType);
    options.expectedIssuer = m_config.arsIdentifier;
    options.audience = m_config.pdpIdentifier;
    options.nowSeconds = now / 1000;
    options.leewaySeconds = m_config.clockSkewSeconds;
    auto verified = Jose::verifyCompact(state.toString().toUtf8(), *m_trustedKeys, options);
    if (!verified || verified->claims.value(QStringLiteral("approval_id")).toString() != id)
        return check;

    if (!inScope(*record, request)) {
        check.reason = kOutOfScope;
        return check;
    }
    check.ok = true;
    check.reason.clear();
    return check;
}

QJsonObject EscalationService::evaluate(const Identity &caller, const AuthZen::EvaluationRequest &request,
                                        RecordedCallback recorded)
{
    Q_ASSERT(evaluatesOnAnyThread(request) || QThread::currentThread() == thread());
    const std::shared_ptr<const Policy::PolicySet> policy = m_policies->current();
    const Policy::Decision decision = policy->evaluate(policyRequest(request));
    return settle(answer(caller, request, decision.effect, decision.tmpl, {}), std::move(recorded));
}

bool EscalationService::evaluatesOnAnyThread(const AuthZen::EvaluationRequest &request)
{
    // Without an approval, evaluate() reads only what is safe on any thread: the current policy,
    // the clock, the active signing key and the configuration, and it only queues store writes.
    return !request.context.value(QStringLiteral("approval")).isObject();
}

bool EscalationService::permitsWithoutRecord(const Json::FlatDocument &body) const
{
    // answer() records every permit in this mode, and every re-evaluation in all of them.
    if (m_config.decisionEvents == DecisionEvents::All)
        return false;
    const int context = body.member(Json::FlatDocument::kRoot, "context");
    if (body.member(context, "approval") >= 0)
        return false;

    Policy::Request request;
    request.document = &body;
    return m_policies->current()->evaluate(request).effect == Policy::Effect::Permit;
}

QJsonObject EscalationService::settle(PendingDecision pending, RecordedCallback recorded)
{
    if (!pending.record) {
        recorded(true);
        return pending.decision;
    }

    const QJsonObject context = pending.decision.value(QStringLiteral("context")).toObject();
    const QString evaluationId = context.value(QStringLiteral("evaluation_id")).toString();
    // The callback comes back to this thread even for a denial decided on another one: a context
    // object there could be gone with its thread before the writer commits.
    m_store->write(std::move(pending.record), this, [evaluationId, recorded](Result<QJsonObject> result) {
        if (!result) {
            qCWarning(lcEscalation) << "Cannot store the requestable denial" << evaluationId
                                    << "so it is not returned:" << result.error().message;
        }
        recorded(result.ok());
    });
    return pending.decision;
}

bool EscalationService::forbidsLocally(const AuthZen::EvaluationRequest &request) const
{
    return m_policies->current()->evaluate(policyRequest(request)).effect == Policy::Effect::Forbid;
}

QJsonObject EscalationService::evaluateOverUpstream(const Identity &caller, const AuthZen::EvaluationRequest &request,
                                                    UpstreamVerdict upstream, RecordedCallback recorded)
{
    // Policy is read again rather than reused from forbidsLocally(), because a reload while the
    // upstream was deciding must not let through a request that a forbid rule now covers.
    const std::shared_ptr<const Policy::PolicySet> policy = m_policies->current();
    const Policy::Decision local = policy->evaluate(policyRequest(request));
    if (local.effect == Policy::Effect::Forbid)
        return settle(answer(caller, request, Policy::Effect::Forbid, nullptr, {}), std::move(recorded));

    if (upstream == UpstreamVerdict::Permit) {
        return settle(answer(caller, request, Policy::Effect::Permit, nullptr,
                             QJsonObject{{QStringLiteral("upstream"), QStringLiteral("permit")}}),
                      std::move(recorded));
    }

    if (upstream == UpstreamVerdict::Deny) {
        // A local permit never overrides the upstream's deny: the upstream owns permit and deny,
        // and the local layer only adds what the upstream cannot express (hard limits and
        // requestability). Only requestable rules turn its deny into something a PEP can act on.
        const bool requestable = local.effect == Policy::Effect::Requestable && local.tmpl;
        return settle(answer(caller, request, requestable ? Policy::Effect::Requestable : Policy::Effect::Deny,
                             local.tmpl, QJsonObject{{QStringLiteral("upstream"), QStringLiteral("deny")}}),
                      std::move(recorded));
    }

    // Fail closed. Without the upstream's decision there is no denial to make requestable, so no
    // binding token is issued and an approval cannot stand in for the missing decision.
    const QJsonObject failed{{QStringLiteral("decision"), false}};
    const QJsonValue approval = request.context.value(QStringLiteral("approval"));
    if (approval.isObject())
        recordReevaluation(caller.id, approval.toObject().value(QStringLiteral("id")).toString(), request, failed);
    else
        recordEvaluationEvent(QStringLiteral("evaluation.denied"), request,
                              QJsonObject{{QStringLiteral("effect"), Policy::effectName(Policy::Effect::Deny)},
                                          {QStringLiteral("upstream"), QStringLiteral("failed")}});
    recorded(true);
    return failed;
}

EscalationService::PendingDecision
EscalationService::answer(const Identity &caller, const AuthZen::EvaluationRequest &request, Policy::Effect effect,
                          const Policy::Template *matchedTemplate, const QJsonObject &eventData)
{
    const QJsonValue approvalValue = request.context.value(QStringLiteral("approval"));
    const bool reevaluation = approvalValue.isObject();

    if (effect == Policy::Effect::Permit) {
        // An approval that policy did not need still makes this a re-evaluation, recorded in every
        // --decision-events mode, as a denied one is below.
        if (reevaluation) {
            const QString approvalId = approvalValue.toObject().value(QStringLiteral("id")).toString();
            recordReevaluation(caller.id, approvalId, request, plainDecision(true));
        } else {
            recordEvaluationEvent(QStringLiteral("evaluation.permitted"), request, eventData);
        }
        return {plainDecision(true), {}};
    }

    if (effect != Policy::Effect::Requestable || !matchedTemplate) {
        // A forbid or default deny: an approval never overrides it.
        if (reevaluation) {
            QJsonObject answer = denial(kPolicyDenied, QStringLiteral("none"));
            recordReevaluation(caller.id, approvalValue.toObject().value(QStringLiteral("id")).toString(), request, answer);
            return {answer, {}};
        }
        QJsonObject data = eventData;
        data.insert(QStringLiteral("effect"), Policy::effectName(effect));
        recordEvaluationEvent(QStringLiteral("evaluation.denied"), request, data);
        return {plainDecision(false), {}};
    }

    const Policy::Template &tmpl = *matchedTemplate;
    if (!reevaluation)
        return issueRequestableDenial(caller, request, tmpl);

    const QJsonObject approval = approvalValue.toObject();
    ApprovalCheck check = verifyApproval(caller, approval, request);
    // An approval granted under one template never satisfies a denial that policy now routes to
    // another (for example a stricter two-step review), even when the scope covers the request.
    if (check.ok && check.record.templateName != tmpl.name) {
        check.ok = false;
        check.reason = kOutOfScope;
    }
    const QString approvalId = approval.value(QStringLiteral("id")).toString();
    PendingDecision pending;
    QJsonObject &answer = pending.decision;
    if (check.ok) {
        const qint64 readyMs = check.record.approvedMs + tmpl.provisioningDelaySeconds * 1000;
        const qint64 now = m_clock->nowMs();
        if (now < readyMs) {
            answer = denial(kGrantPending, QStringLiteral("retry"));
            QJsonObject context = answer.value(QStringLiteral("context")).toObject();
            context.insert(QStringLiteral("retry_after"), qMax<qint64>(1, (readyMs - now + 999) / 1000));
            answer.insert(QStringLiteral("context"), context);
        } else {
            answer = QJsonObject{
                {QStringLiteral("decision"), true},
                {QStringLiteral("context"),
                 QJsonObject{{QStringLiteral("approval"),
                              QJsonObject{{QStringLiteral("id"), check.record.id},
                                          {QStringLiteral("approved_until"), Rfc3339::format(check.record.untilMs)}}}}}};
        }
    } else if (check.reason == kUnverifiable) {
        answer = denial(kUnverifiable, QStringLiteral("none"));
    } else {
        // Expired, revoked or out of scope: a fresh requestable denial lets the PEP ask again.
        pending = issueRequestableDenial(
            caller, request, tmpl,
            QJsonObject{{QStringLiteral("reason"), check.reason}, {QStringLiteral("next_action"), QStringLiteral("request")}});
    }
    // Only approvals that resolved to a record of ours are linked to a task in the activity feed.
    recordReevaluation(caller.id, check.record.id.isEmpty() ? approvalId : check.record.id, request, answer);
    return pending;
}

EscalationService::PendingDecision
EscalationService::issueRequestableDenial(const Identity &caller, const AuthZen::EvaluationRequest &request,
                                          const Policy::Template &tmpl, QJsonObject extraContext)
{
    const qint64 now = m_clock->nowMs();
    const qint64 nowSeconds = now / 1000;
    const qint64 expiresSeconds = nowSeconds + tmpl.hintLifetimeSeconds;
    const QString evaluationId = Ids::random(u"evl_");
    const QString jti = Ids::random(u"jti_");

    QStringList members;
    for (const QString &member : tmpl.relevantContext) {
        if (!Binding::isMachineryMember(member))
            members.append(member);
    }
    const QString bindingHash = Binding::hash(request.subject, request.resource, request.action, request.context, members);
    const QString expiresAt = Rfc3339::format(expiresSeconds * 1000);

    const QJsonObject claims{
        {QStringLiteral("iss"), m_config.pdpIdentifier},
        {QStringLiteral("aud"), m_config.accessRequestEndpoint},
        // Only the PEP client this denial is issued to may submit it.
        {QStringLiteral("client_id"), caller.id},
        {QStringLiteral("iat"), double(nowSeconds)},
        {QStringLiteral("exp"), double(expiresSeconds)},
        {QStringLiteral("jti"), jti},
        {QStringLiteral("denial_expires_at"), expiresAt},
        {QStringLiteral("binding_context_members"), QJsonArray::fromStringList(members)},
        {QStringLiteral("binding_hash"), bindingHash},
        {QStringLiteral("evaluation_id"), evaluationId},
        {QStringLiteral("template"), tmpl.name},
    };
    auto token = Jose::signCompact(*m_signingKeys->activeKey(), QString::fromLatin1(kBindingTokenType), claims);
    if (!token) {
        // Without binding material a denial must not be requestable.
        qCWarning(lcEscalation) << "Cannot sign a binding token; answering a plain deny:" << token.error().message;
        return {plainDecision(false), {}};
    }

    QJsonObject accessRequest{
        {QStringLiteral("endpoint"), m_config.accessRequestEndpoint},
        {QStringLiteral("template"), tmpl.name},
        {QStringLiteral("expires_at"), expiresAt},
        {QStringLiteral("binding_token"), QString::fromLatin1(token.value())},
    };
    if (!tmpl.display.isEmpty())
        accessRequest.insert(QStringLiteral("display"), tmpl.display);
    // Both URLs are on the Access Request Endpoint's origin, and the loader refuses catalogs
    // without a request schema, so request_catalogs_url never appears alone.
    if (!tmpl.requestSchema.isEmpty()) {
        accessRequest.insert(QStringLiteral("request_schema_url"),
                             Catalogs::requestSchemaUrl(m_config.accessRequestEndpoint, tmpl.name));
    }
    if (!tmpl.catalogs.isEmpty()) {
        accessRequest.insert(QStringLiteral("request_catalogs_url"),
                             Catalogs::catalogsUrl(m_config.accessRequestEndpoint, tmpl.name));
    }

    QJsonObject context = extraContext;
    context.insert(QStringLiteral("evaluation_id"), evaluationId);
    context.insert(QStringLiteral("evaluated_at"), Rfc3339::format(nowSeconds * 1000));
    if (!context.contains(QStringLiteral("reason")))
        context.insert(QStringLiteral("reason"), tmpl.reason);
    context.insert(QStringLiteral("access_request"), accessRequest);

    // A PEP may submit this denial by evaluation_id alone, so settle() reports the denial usable
    // only once the record is committed.
    Store::EvaluationRecord record;
    record.id = evaluationId;
    record.createdMs = now;
    record.expiresMs = expiresSeconds * 1000;
    record.subject = request.subject;
    record.resource = request.resource;
    record.action = request.action;
    record.context = Binding::project(request.context, members);
    record.members = members;
    record.templateName = tmpl.name;
    record.reason = tmpl.reason;
    record.bindingHash = bindingHash;
    record.jti = jti;
    record.caller = caller.id;
    const QJsonObject eventData{{QStringLiteral("subject"), request.subject},
                                {QStringLiteral("resource"), request.resource},
                                {QStringLiteral("action"), request.action},
                                {QStringLiteral("reason"), context.value(QStringLiteral("reason"))},
                                {QStringLiteral("template"), tmpl.name},
                                {QStringLiteral("expires_at"), expiresAt},
                                {QStringLiteral("caller"), caller.id}};
    auto write = [record, eventData](Store::WriteTx &tx) -> Result<QJsonObject> {
        if (auto r = tx.insertEvaluation(record); !r)
            return r.error();
        Store::AuditRecord audit;
        audit.type = QStringLiteral("denial.issued");
        audit.actor = record.caller;
        audit.evaluationId = record.id;
        audit.subjectId = record.subject.value(QStringLiteral("id")).toString();
        audit.data = eventData;
        if (auto r = tx.appendAudit(audit); !r)
            return r.error();
        Store::EventRecord event;
        event.type = QStringLiteral("evaluation.denied.requestable");
        event.evaluationId = record.id;
        event.data = eventData;
        if (auto r = tx.appendEvent(event); !r)
            return r.error();
        return QJsonObject{};
    };

    return {QJsonObject{{QStringLiteral("decision"), false}, {QStringLiteral("context"), context}}, write};
}

void EscalationService::recordEvaluationEvent(const QString &type, const AuthZen::EvaluationRequest &request,
                                              const QJsonObject &data)
{
    const bool permitted = type == u"evaluation.permitted";
    if (m_config.decisionEvents == DecisionEvents::None
        || (permitted && m_config.decisionEvents != DecisionEvents::All))
        return;

    // Written as text straight away, because inserting the three entities into a QJsonObject and
    // serializing it again cost more than the policy decision itself. The members are sorted as
    // QJsonObject sorts them, so the live event has the same bytes as the event replayed later.
    std::vector<std::pair<QString, QJsonValue>> members{{QStringLiteral("action"), request.action},
                                                        {QStringLiteral("resource"), request.resource},
                                                        {QStringLiteral("subject"), request.subject}};
    for (auto it = data.constBegin(); it != data.constEnd(); ++it)
        members.emplace_back(it.key(), it.value());
    std::sort(members.begin(), members.end(), [](const auto &a, const auto &b) { return a.first < b.first; });

    QByteArray text = "{";
    for (const auto &[key, value] : members) {
        if (text.size() > 1)
            text += ',';
        text += Json::serializeValue(key) + ':' + Json::serializeValue(value);
    }
    text += '}';

    Store::EventRecord event;
    event.type = type;
    event.serializedData = std::move(text);
    m_store->appendEventDetached(std::move(event));
}

void EscalationService::recordReevaluation(const QString &callerId, const QString &approvalId,
                                           const AuthZen::EvaluationRequest &request,
                                           const QJsonObject &decision)
{
    const QJsonObject context = decision.value(QStringLiteral("context")).toObject();
    const bool allowed = decision.value(QStringLiteral("decision")).toBool();
    Store::ReevaluationRecord record;
    record.approvalId = approvalId;
    record.atMs = m_clock->nowMs();
    record.decision = allowed;
    record.reason = context.value(QStringLiteral("reason")).toString();
    record.nextAction = context.value(QStringLiteral("next_action")).toString();
    record.resource = request.resource;
    record.action = request.action;
    const QJsonObject data{{QStringLiteral("subject"), request.subject},
                           {QStringLiteral("resource"), request.resource},
                           {QStringLiteral("action"), request.action},
                           {QStringLiteral("decision"), allowed},
                           {QStringLiteral("reason"), record.reason},
                           {QStringLiteral("next_action"), record.nextAction},
                           {QStringLiteral("approval_id"), approvalId}};

    m_store->writeDetached([record, data, allowed, callerId](Store::WriteTx &tx) mutable -> Result<QJsonObject> {
        // The task is looked up from the approval, never taken from the caller's input.
        // Only the approval's own requester adds to its task's history: another PEP presenting a
        // known approval id must not write into someone else's audit trail.
        const std::optional<Store::ApprovalRecord> approval = tx.approval(record.approvalId);
        if (approval && approval->requester == callerId) {
            record.taskId = approval->taskId;
            if (auto r = tx.insertReevaluation(record); !r)
                return r.error();
            Store::AuditRecord audit;
            audit.type = QStringLiteral("reevaluation");
            audit.actor = approval->requester;
            audit.taskId = approval->taskId;
            audit.evaluationId = approval->evaluationId;
            audit.approvalId = approval->id;
            audit.subjectId = data.value(QStringLiteral("subject")).toObject().value(QStringLiteral("id")).toString();
            audit.data = data;
            if (auto r = tx.appendAudit(audit); !r)
                return r.error();
        }
        Store::EventRecord event;
        event.type = allowed ? QStringLiteral("reevaluation.allowed") : QStringLiteral("reevaluation.denied");
        event.taskId = record.taskId;
        event.data = data;
        if (auto r = tx.appendEvent(event); !r)
            return r.error();
        return QJsonObject{};
    });
}

} // namespace Recourse::Escalation
