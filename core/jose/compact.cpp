#include "core/jose/jose.h"

#include "core/json/json.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <array>

namespace Recourse::Jose {

namespace {

// Far above any token Recourse issues, and small enough that a hostile token costs little.
constexpr qsizetype kMaxTokenSize = 64 * 1024;

// Offending values are echoed in errors, so attacker-controlled text is cut short.
constexpr qsizetype kMaxEchoedValue = 64;

Error bindingError(const QString &message, const QString &value = {})
{
    return Error::make(ErrorCode::InvalidDenialBinding, message, value.left(kMaxEchoedValue));
}

QByteArray compactJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

struct Segments
{
    QByteArrayView signingInput; // "header.payload" exactly as received
    QByteArray header;
    QByteArray payload;
    QByteArray signature;
};

Result<Segments> splitToken(QByteArrayView token)
{
    if (token.size() > kMaxTokenSize)
        return bindingError(QStringLiteral("The token is larger than %1 bytes.").arg(kMaxTokenSize));

    const qsizetype firstDot = token.indexOf('.');
    const qsizetype secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
    if (secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0)
        return bindingError(QStringLiteral("The token does not have exactly three parts."));

    const std::array<QByteArrayView, 3> parts { token.first(firstDot),
        token.sliced(firstDot + 1, secondDot - firstDot - 1), token.sliced(secondDot + 1) };
    const std::array<const char *, 3> names { "header", "payload", "signature" };
    std::array<QByteArray, 3> decoded;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (parts[i].isEmpty())
            return bindingError(QStringLiteral("The token's %1 is empty.").arg(QLatin1String(names[i])));
        auto bytes = base64UrlDecode(parts[i]);
        if (!bytes)
            return bindingError(
                QStringLiteral("The token's %1 is not unpadded base64url.").arg(QLatin1String(names[i])));
        decoded[i] = std::move(bytes).value();
    }

    return Segments { token.first(secondDot), decoded[0], decoded[1], decoded[2] };
}

// Selects the key from the header. Nothing in the header chooses the algorithm: ES256 is the only
// one accepted, and the key comes from the trusted set, never from a "jwk" or "jku" member.
Result<const SigningKey *> checkHeader(
    const QJsonObject &header, const KeySet &keys, const VerifyOptions &options)
{
    const QJsonValue alg = header.value(QLatin1String("alg"));
    if (!alg.isString())
        return bindingError(QStringLiteral("The token header has no alg string."));
    if (alg.toString() != QLatin1String("ES256"))
        return bindingError(QStringLiteral("The token's alg must be ES256."), alg.toString());

    // RFC 7515 section 4.1.11: a recipient must reject extensions it does not understand, and
    // Recourse understands none.
    if (header.contains(QLatin1String("crit")))
        return bindingError(QStringLiteral("The token header has a crit member, which is not supported."));

    const QJsonValue typ = header.value(QLatin1String("typ"));
    if (!typ.isString() || typ.toString() != options.typ)
        return bindingError(QStringLiteral("The token's typ is not %1.").arg(options.typ), typ.toString());

    const QJsonValue kid = header.value(QLatin1String("kid"));
    if (!kid.isString() || kid.toString().isEmpty())
        return bindingError(QStringLiteral("The token header has no kid string."));
    const SigningKey *key = keys.find(options.expectedIssuer, kid.toString(), options.nowSeconds);
    if (!key)
        return bindingError(
            QStringLiteral("The token's kid is not a key trusted for %1.").arg(options.expectedIssuer),
            kid.toString());
    return key;
}

Result<void> checkAudience(const QJsonValue &aud, const QString &audience)
{
    if (aud.isString()) {
        if (aud.toString() == audience)
            return {};
        return bindingError(
            QStringLiteral("The token's audience does not include %1.").arg(audience), aud.toString());
    }
    if (!aud.isArray())
        return bindingError(QStringLiteral("The token has no aud string or array."));

    bool found = false;
    for (const QJsonValue &element : aud.toArray()) {
        if (!element.isString())
            return bindingError(
                QStringLiteral("The token's aud array contains a value that is not a string."));
        found = found || element.toString() == audience;
    }
    if (!found)
        return bindingError(QStringLiteral("The token's audience does not include %1.").arg(audience));
    return {};
}

// NumericDate claims (RFC 7519 section 2) are JSON numbers of seconds since the epoch.
Result<void> checkTimes(const QJsonObject &claims, const VerifyOptions &options)
{
    const double now = double(options.nowSeconds);
    const double leeway = double(std::max<qint64>(0, options.leewaySeconds));

    const QJsonValue exp = claims.value(QLatin1String("exp"));
    if (exp.isUndefined() && options.requireExp)
        return bindingError(QStringLiteral("The token has no exp claim."));
    if (!exp.isUndefined() && !exp.isDouble())
        return bindingError(QStringLiteral("The token's exp claim is not a number."));
    if (options.validateTime && exp.isDouble() && now > exp.toDouble() + leeway)
        return bindingError(QStringLiteral("The token expired at %1.").arg(exp.toDouble(), 0, 'f', 0));

    const QJsonValue iat = claims.value(QLatin1String("iat"));
    if (!iat.isUndefined() && !iat.isDouble())
        return bindingError(QStringLiteral("The token's iat claim is not a number."));
    if (options.validateTime && iat.isDouble() && iat.toDouble() > now + leeway)
        return bindingError(QStringLiteral("The token's iat claim is in the future."));

    const QJsonValue nbf = claims.value(QLatin1String("nbf"));
    if (!nbf.isUndefined() && !nbf.isDouble())
        return bindingError(QStringLiteral("The token's nbf claim is not a number."));
    if (options.validateTime && nbf.isDouble() && now + leeway < nbf.toDouble())
        return bindingError(
            QStringLiteral("The token is not valid before %1.").arg(nbf.toDouble(), 0, 'f', 0));
    return {};
}

Result<void> checkClaims(const QJsonObject &claims, const VerifyOptions &options)
{
    const QJsonValue iss = claims.value(QLatin1String("iss"));
    if (!iss.isString() || iss.toString() != options.expectedIssuer)
        return bindingError(
            QStringLiteral("The token's issuer is not %1.").arg(options.expectedIssuer), iss.toString());

    if (auto audience = checkAudience(claims.value(QLatin1String("aud")), options.audience); !audience)
        return audience;

    return checkTimes(claims, options);
}

} // namespace

Result<QByteArray> signCompact(const SigningKey &key, const QString &typ, const QJsonObject &claims)
{
    if (key.hasExpiryRecorder()) {
        // A token without exp would keep its key needed forever.
        const QJsonValue exp = claims.value(QLatin1String("exp"));
        if (!exp.isDouble())
            return Error::make(ErrorCode::Internal, QStringLiteral("A token signed with a service key needs an exp claim."));
        if (auto recorded = key.recordExpiry(qint64(exp.toDouble())); !recorded)
            return recorded.error();
    }

    const QJsonObject header {
        { QStringLiteral("alg"), QStringLiteral("ES256") },
        { QStringLiteral("typ"), typ },
        { QStringLiteral("kid"), key.kid() },
    };
    const QByteArray signingInput
        = base64UrlEncode(compactJson(header)) + '.' + base64UrlEncode(compactJson(claims));

    const auto signature = key.sign(signingInput);
    if (!signature)
        return signature.error();
    return QByteArray(signingInput + '.' + base64UrlEncode(*signature));
}

Result<VerifiedToken> verifyCompact(QByteArrayView token, const KeySet &keys, const VerifyOptions &options)
{
    // An empty expectation would match an empty claim, so it is a configuration fault, not a pass.
    if (options.typ.isEmpty() || options.expectedIssuer.isEmpty() || options.audience.isEmpty())
        return bindingError(QStringLiteral("The verifier needs a typ, an issuer and an audience."));

    const auto segments = splitToken(token);
    if (!segments)
        return segments.error();

    const auto header = Json::parseObject(segments->header);
    if (!header)
        return bindingError(
            QStringLiteral("The token header is not a valid JSON object: %1").arg(header.error().message));

    const auto key = checkHeader(*header, keys, options);
    if (!key)
        return key.error();

    if (!(*key)->verify(segments->signingInput, segments->signature))
        return bindingError(QStringLiteral("The token's signature is invalid."));

    const auto claims = Json::parseObject(segments->payload);
    if (!claims)
        return bindingError(
            QStringLiteral("The token payload is not a valid JSON object: %1").arg(claims.error().message));

    if (auto checked = checkClaims(*claims, options); !checked)
        return checked.error();

    return VerifiedToken { *header, *claims };
}

} // namespace Recourse::Jose
