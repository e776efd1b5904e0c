#include "core/escalation/denialbinding.h"

#include "core/base/rfc3339.h"
#include "core/escalation/binding.h"
#include "core/json/json.h"

namespace Recourse::Escalation::Internal {

namespace {

Error invalidBinding(const QString &message, const QString &value = {})
{
    return Error::make(ErrorCode::InvalidDenialBinding, message, value);
}

Error expiredDenial(qint64 deadlineMs, const QString &echoedExpiry)
{
    return Error::make(ErrorCode::ExpiredDenial,
                       QStringLiteral("The requestable denial expired at %1; evaluate again to get a fresh one.")
                           .arg(Rfc3339::format(deadlineMs)),
                       echoedExpiry);
}

Error issuedToAnotherClient()
{
    return invalidBinding(QStringLiteral("The requestable denial was issued to another PEP client; only that client "
                                         "can submit it."));
}

QString mismatchMessage(const BindingTarget &target)
{
    if (target.bundle) {
        return QStringLiteral("The submitted subject, items (in their order) or authorization-relevant context "
                              "differ from the bundle the denial binds.");
    }
    return QStringLiteral("The submitted subject, resource, action or authorization-relevant context differs from "
                          "the denied evaluation.");
}

QString expectedHash(const BindingTarget &target, const QStringList &members)
{
    if (target.bundle)
        return Binding::bulkHash(target.subject, target.pairs, target.context, members);
    const QJsonObject pair = target.pairs.first().toObject();
    return Binding::hash(target.subject, pair.value(QStringLiteral("resource")).toObject(),
                         pair.value(QStringLiteral("action")).toObject(), target.context, members);
}

Result<BoundDenial> bindToken(Store::WriteTx &tx, const Jose::VerifiedToken &token, const QJsonObject &denial,
                              const BindingTarget &target, qint64 skewMs)
{
    const qint64 echoedExpiresMs = Rfc3339::parse(denial.value(QStringLiteral("expires_at")).toString()).value();
    const QJsonObject &claims = token.claims;
    BoundDenial bound;
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

    const QString signedHash = claims.value(QStringLiteral("binding_hash")).toString();
    if (auto seen = tx.rememberJti(bound.jti, bound.tokenExpMs + skewMs, {}); !seen)
        return seen.error();
    if (claims.value(QStringLiteral("client_id")).toString() != target.client)
        return issuedToAnotherClient();
    if (signedHash.isEmpty() || signedHash != expectedHash(target, bound.members))
        return invalidBinding(mismatchMessage(target));

    // The requestable denial was recorded before its token went out.
    if (const std::optional<Store::EvaluationRecord> record = tx.evaluation(bound.evaluationId)) {
        bound.reason = record->reason;
        bound.evaluatedMs = record->createdMs;
    }
    return bound;
}

Result<BoundDenial> bindEvaluationId(Store::WriteTx &tx, const QJsonObject &denial, const BindingTarget &target,
                                     qint64 skewMs)
{
    const qint64 echoedExpiresMs = Rfc3339::parse(denial.value(QStringLiteral("expires_at")).toString()).value();
    const QString evaluationId = denial.value(QStringLiteral("evaluation_id")).toString();
    const std::optional<Store::EvaluationRecord> record = tx.evaluation(evaluationId);
    if (!record)
        return invalidBinding(QStringLiteral("The evaluation_id is unknown to this service."), evaluationId);
    // Our PDP records one evaluated request per evaluation_id, so it can bind one pair only.
    if (target.pairs.size() != 1) {
        return invalidBinding(QStringLiteral("The evaluation_id names one evaluated request, so it cannot bind %1 "
                                             "items; give each item its own denial.")
                                  .arg(target.pairs.size()),
                              evaluationId);
    }
    // Freshness is judged on the recorded expiry, never the echoed one, so a PEP that moved the
    // expiry of a denial that has since expired gets expired_denial.
    if (record->expiresMs != echoedExpiresMs && tx.nowMs() > record->expiresMs + skewMs)
        return expiredDenial(record->expiresMs, denial.value(QStringLiteral("expires_at")).toString());
    if (record->expiresMs != echoedExpiresMs)
        return invalidBinding(QStringLiteral("denial.expires_at differs from the recorded expiry."),
                              denial.value(QStringLiteral("expires_at")).toString());

    BoundDenial bound;
    bound.evaluationId = record->id;
    bound.templateName = record->templateName;
    bound.members = record->members;
    bound.jti = record->jti;
    bound.deadlineMs = record->expiresMs;
    bound.tokenExpMs = record->expiresMs;
    bound.reason = record->reason;
    bound.evaluatedMs = record->createdMs;
    if (auto seen = tx.rememberJti(bound.jti, record->expiresMs + skewMs, {}); !seen)
        return seen.error();
    if (record->caller != target.client)
        return issuedToAnotherClient();

    const QJsonObject pair = target.pairs.first().toObject();
    const bool same = Json::structurallyEqual(Binding::withoutActor(record->subject), Binding::withoutActor(target.subject))
        && Json::structurallyEqual(record->resource, pair.value(QStringLiteral("resource")))
        && Json::structurallyEqual(record->action, pair.value(QStringLiteral("action")))
        && Json::structurallyEqual(record->context, Binding::project(target.context, record->members));
    if (!same)
        return invalidBinding(mismatchMessage(target));
    return bound;
}

} // namespace

PresentedDenial presentDenial(const QJsonObject &denial, const EscalationConfig &config, const Jose::KeySet &keys,
                              qint64 nowSeconds)
{
    PresentedDenial presented;
    presented.denial = denial;
    const QString token = denial.value(QStringLiteral("binding_token")).toString();
    if (token.isEmpty())
        return presented;

    Jose::VerifyOptions options;
    options.typ = QString::fromLatin1(kBindingTokenType);
    options.expectedIssuer = config.pdpIdentifier;
    options.audience = config.accessRequestEndpoint;
    options.nowSeconds = nowSeconds;
    options.leewaySeconds = config.clockSkewSeconds;
    // Freshness is judged by bindDenial() with the profile's own error (expired_denial), in its order.
    options.validateTime = false;
    presented.token = Jose::verifyCompact(token.toUtf8(), keys, options);
    return presented;
}

Result<BoundDenial> bindDenial(Store::WriteTx &tx, const PresentedDenial &presented, const BindingTarget &target,
                               qint64 skewMs)
{
    if (target.pairs.isEmpty())
        return invalidBinding(QStringLiteral("The denial binds no resource and action."));

    if (presented.token && !presented.token->ok())
        return invalidBinding(presented.token->error().message, QStringLiteral("denial.binding_token"));
    Result<BoundDenial> bound = presented.token ? bindToken(tx, presented.token->value(), presented.denial, target, skewMs)
                                                : bindEvaluationId(tx, presented.denial, target, skewMs);
    if (!bound)
        return bound;

    if (tx.nowMs() > bound->deadlineMs + skewMs)
        return expiredDenial(bound->deadlineMs, presented.denial.value(QStringLiteral("expires_at")).toString());
    return bound;
}

QJsonObject evaluationSummary(const BoundDenial &bound)
{
    QJsonObject summary{{QStringLiteral("evaluation_id"), bound.evaluationId},
                        {QStringLiteral("expires_at"), Rfc3339::format(bound.deadlineMs)}};
    if (bound.evaluatedMs >= 0)
        summary.insert(QStringLiteral("evaluated_at"), Rfc3339::format(bound.evaluatedMs));
    if (!bound.reason.isEmpty())
        summary.insert(QStringLiteral("reason"), bound.reason);
    return summary;
}

} // namespace Recourse::Escalation::Internal
