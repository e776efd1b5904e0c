#pragma once

#include "core/base/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <functional>
#include <memory>

namespace Recourse::Jose {

// Base64url without padding (RFC 7515 section 2). decode rejects padding and characters outside
// the URL-safe alphabet.
QByteArray base64UrlEncode(const QByteArray &data);
Result<QByteArray> base64UrlDecode(QByteArrayView text);

// One P-256 key pair (or public key only) used for ES256. The algorithm is fixed by the key:
// nothing in a token header can select another one.
class SigningKey
{
public:
    ~SigningKey();
    SigningKey(SigningKey &&) noexcept;
    SigningKey &operator=(SigningKey &&) noexcept;
    SigningKey(const SigningKey &) = delete;
    SigningKey &operator=(const SigningKey &) = delete;

    // An empty kid is replaced by the RFC 7638 thumbprint of the public key.
    static Result<SigningKey> generate(const QString &kid);
    static Result<SigningKey> fromPrivatePem(const QByteArray &pem, const QString &kid);
    // Public-only key from a JWK object (kty EC, crv P-256, x, y); rejects anything else,
    // including an "alg" other than ES256 or a "use" other than "sig". A private "d" member is
    // ignored. Without a "kid" member the thumbprint becomes the kid.
    static Result<SigningKey> fromPublicJwk(const QJsonObject &jwk);

    QString kid() const;
    bool hasPrivateKey() const;
    QByteArray privatePem() const; // PKCS#8 PEM; empty for a public-only key
    // {"kty":"EC","crv":"P-256","x","y","kid","use":"sig","alg":"ES256"}
    QJsonObject publicJwk() const;

    // Raw 64-byte signature: r then s, each left-padded to 32 bytes (RFC 7518 section 3.4).
    Result<QByteArray> sign(QByteArrayView data) const;
    // Accepts only a 64-byte raw signature with 0 < r, s < n; DER input is rejected.
    bool verify(QByteArrayView data, QByteArrayView signature) const;

    // Called by signCompact() with the exp (seconds since the epoch) of every token it signs with
    // this key, before the token is returned. A failure fails the signing. The key ring uses it to
    // know how long the tokens of a retired key can still be presented.
    using ExpiryRecorder = std::function<Result<void>(const QString &kid, qint64 expSeconds)>;
    void setExpiryRecorder(ExpiryRecorder recorder);
    bool hasExpiryRecorder() const;
    Result<void> recordExpiry(qint64 expSeconds) const;

private:
    struct Private;
    explicit SigningKey(std::unique_ptr<Private> d);
    std::unique_ptr<Private> d;
};

// Keys trusted for verification, each tied to the issuer it may sign for.
class KeySet
{
public:
    // Trusts a public JWK for one issuer; a key that fails to import is logged and skipped.
    void add(const QString &issuer, const QJsonObject &publicJwk);
    // As add(), but returns why a key was rejected: an invalid JWK, an empty issuer, or another
    // key under a kid the issuer already trusts. Adding the same key twice is a no-op.
    Result<void> tryAdd(const QString &issuer, const QJsonObject &publicJwk);
    // Trusted public JWKs, in insertion order, for the JWKS endpoint.
    QJsonObject toJwks() const;
    // As toJwks(), without the keys retired before `nowSeconds`.
    QJsonObject toJwks(qint64 nowSeconds) const;
    // The key with this kid, if it is trusted for this issuer.
    const SigningKey *find(const QString &issuer, const QString &kid) const;
    // As find(), but a key retired before `nowSeconds` is not trusted any more.
    const SigningKey *find(const QString &issuer, const QString &kid, qint64 nowSeconds) const;
    qsizetype size() const;

    // Keeps trusting the key with this kid (for every issuer) up to and including
    // `lastSecond` (seconds since the epoch), and no later. A rotated-out key stays verifiable
    // until the tokens it signed have expired.
    void retireAfter(const QString &kid, qint64 lastSecond);
    // Stops trusting the key with this kid for every issuer.
    void remove(const QString &kid);

private:
    struct Entry
    {
        QString issuer;
        std::shared_ptr<SigningKey> key;
        qint64 lastSecond = 0; // 0: no end
    };
    static bool trustedAt(const Entry &entry, qint64 nowSeconds);
    QList<Entry> m_entries;
};

// What a verified compact JWS carried.
struct VerifiedToken
{
    QJsonObject header;
    QJsonObject claims;
};

// Signs claims as a compact JWS with header {"alg":"ES256","typ":typ,"kid":key.kid()}. With a key
// that has an expiry recorder, the claims need a numeric exp, which is recorded before signing.
Result<QByteArray> signCompact(const SigningKey &key, const QString &typ, const QJsonObject &claims);

// What a verifier requires of a token besides a valid signature.
struct VerifyOptions
{
    QString typ;            // required, compared exactly
    QString expectedIssuer; // required: "iss" must equal it and the kid must be trusted for it
    QString audience;       // required: "aud" must equal it or be an array containing it
    qint64 nowSeconds = 0;
    qint64 leewaySeconds = 30; // clock-skew tolerance for exp, capped at 60 by the caller
    bool requireExp = true;
    // When false, exp, iat and nbf are type-checked but not compared with nowSeconds, for callers
    // that judge freshness themselves with their own error (the ARS answers expired_denial).
    bool validateTime = true;
};

// Verifies a compact JWS strictly: three base64url parts; header and payload parsed with the
// strict JSON parser (duplicate members rejected); "alg" must be exactly "ES256"; "kid" must
// select a key trusted for the expected issuer at nowSeconds (a retired key is not); typ, iss and
// aud checked; exp (with leeway) and iat not in the future beyond leeway. Every failure is ErrorCode::InvalidDenialBinding with a
// message that says which check failed; callers remap the code where a different one applies.
Result<VerifiedToken> verifyCompact(QByteArrayView token, const KeySet &keys, const VerifyOptions &options);

// Loads the service's signing key from dataDir/"signing-key.pem", or generates one there with
// owner-only permissions (0600) on first run. The kid is derived from the public key (RFC 7638
// thumbprint, base64url) so it is stable across restarts.
Result<SigningKey> loadOrCreateSigningKey(const QString &dataDir);

// RFC 7638 JWK thumbprint (SHA-256, base64url) of an EC public JWK.
QString thumbprint(const QJsonObject &publicJwk);

} // namespace Recourse::Jose
