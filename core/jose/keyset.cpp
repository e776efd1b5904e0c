#include "core/jose/jose.h"

#include "core/jose/logging.h"

#include <QJsonArray>
#include <QSet>

namespace Recourse::Jose {

void KeySet::add(const QString &issuer, const QJsonObject &publicJwk)
{
    const Result<void> added = tryAdd(issuer, publicJwk);
    if (!added)
        qCWarning(lcJose) << "Ignored a key for issuer" << issuer << "-" << added.error().message;
}

Result<void> KeySet::tryAdd(const QString &issuer, const QJsonObject &publicJwk)
{
    if (issuer.isEmpty())
        return Error::make(
            ErrorCode::InvalidRequest, QStringLiteral("The issuer of a trusted key is missing."));

    auto key = SigningKey::fromPublicJwk(publicJwk);
    if (!key)
        return key.error();

    // One kid must select one key for an issuer, because a second key under the same kid would
    // make verification depend on insertion order. Adding the same key again changes nothing.
    if (const SigningKey *existing = find(issuer, key->kid())) {
        if (thumbprint(existing->publicJwk()) == thumbprint(key->publicJwk()))
            return {};
        return Error::make(ErrorCode::InvalidRequest,
            QStringLiteral("Issuer %1 already has a trusted key with this kid.").arg(issuer), key->kid());
    }

    m_entries.append(Entry { issuer, std::make_shared<SigningKey>(std::move(key).value()) });
    return {};
}

QJsonObject KeySet::toJwks() const
{
    return toJwks(0);
}

QJsonObject KeySet::toJwks(qint64 nowSeconds) const
{
    // A key trusted for several issuers is published once.
    QSet<QString> published;
    QJsonArray keys;
    for (const Entry &entry : m_entries) {
        if (!trustedAt(entry, nowSeconds))
            continue;
        const QJsonObject jwk = entry.key->publicJwk();
        const QString identity = entry.key->kid() + QLatin1Char(' ') + thumbprint(jwk);
        if (published.contains(identity))
            continue;
        published.insert(identity);
        keys.append(jwk);
    }
    return QJsonObject { { QStringLiteral("keys"), keys } };
}

const SigningKey *KeySet::find(const QString &issuer, const QString &kid) const
{
    for (const Entry &entry : m_entries) {
        if (entry.issuer == issuer && entry.key->kid() == kid)
            return entry.key.get();
    }
    return nullptr;
}

const SigningKey *KeySet::find(const QString &issuer, const QString &kid, qint64 nowSeconds) const
{
    for (const Entry &entry : m_entries) {
        if (entry.issuer == issuer && entry.key->kid() == kid)
            return trustedAt(entry, nowSeconds) ? entry.key.get() : nullptr;
    }
    return nullptr;
}

qsizetype KeySet::size() const
{
    return m_entries.size();
}

void KeySet::retireAfter(const QString &kid, qint64 lastSecond)
{
    for (Entry &entry : m_entries) {
        if (entry.key->kid() == kid)
            entry.lastSecond = lastSecond;
    }
}

void KeySet::remove(const QString &kid)
{
    m_entries.removeIf([&kid](const Entry &entry) { return entry.key->kid() == kid; });
}

bool KeySet::trustedAt(const Entry &entry, qint64 nowSeconds)
{
    return entry.lastSecond <= 0 || nowSeconds <= entry.lastSecond;
}

} // namespace Recourse::Jose
