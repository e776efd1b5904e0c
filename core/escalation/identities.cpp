#include "core/escalation/identities.h"

#include <QCryptographicHash>
#include <QJsonArray>

namespace Recourse::Escalation {

namespace {

QByteArray hashToken(QByteArrayView token)
{
    return QCryptographicHash::hash(token, QCryptographicHash::Sha256).toHex();
}

Error configError(const QString &message, const QString &value = {})
{
    return Error::make(ErrorCode::InvalidRequest, message, value);
}

// The optional callback_secret of a PEP identity, checked for length: the key of an HMAC should
// be as long as its output, and a short one is guessable from captured notifications.
Result<QByteArray> callbackSecret(const QJsonObject &object, const Identity &identity)
{
    const QJsonValue value = object.value(QStringLiteral("callback_secret"));
    if (value.isUndefined())
        return QByteArray();
    if (identity.role != Role::Pep) {
        return configError(QStringLiteral("The identity %1 has a callback_secret, but only pep identities receive "
                                          "callbacks.").arg(identity.id),
                           identity.id);
    }
    // The value itself never goes into the message.
    if (!value.isString() || value.toString().size() < 32) {
        return configError(QStringLiteral("The callback_secret of identity %1 must be a string of at least 32 "
                                          "characters.").arg(identity.id),
                           identity.id);
    }
    return value.toString().toUtf8();
}

} // namespace

QString roleName(Role role)
{
    switch (role) {
    case Role::Pep:
        return QStringLiteral("pep");
    case Role::Approver:
        return QStringLiteral("approver");
    case Role::Auditor:
        return QStringLiteral("auditor");
    case Role::Admin:
        return QStringLiteral("admin");
    }
    return {};
}

std::optional<Role> roleFromName(const QString &name)
{
    for (Role role : {Role::Pep, Role::Approver, Role::Auditor, Role::Admin}) {
        if (roleName(role) == name)
            return role;
    }
    return std::nullopt;
}

Result<void> IdentityRegistry::load(const QJsonObject &config)
{
    const QJsonValue list = config.value(QStringLiteral("identities"));
    if (list.isUndefined())
        return {};
    if (!list.isArray())
        return configError(QStringLiteral("The config member identities must be an array."));

    int index = 0;
    for (const QJsonValue &entry : list.toArray()) {
        const QString where = QStringLiteral("identities[%1]").arg(index++);
        const QJsonObject object = entry.toObject();
        const QString id = object.value(QStringLiteral("id")).toString();
        if (id.isEmpty())
            return configError(QStringLiteral("The config entry %1 has no id.").arg(where), where);

        // A misspelt "groups" or "actors" would silently leave an identity without them.
        static const QStringList known{QStringLiteral("id"), QStringLiteral("role"), QStringLiteral("groups"),
                                       QStringLiteral("actors"), QStringLiteral("token"), QStringLiteral("token_sha256"),
                                       QStringLiteral("callback_secret")};
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            if (!known.contains(it.key())) {
                return configError(QStringLiteral("The identity %1 has the unknown member \"%2\"; the members are %3.")
                                       .arg(id, it.key(), known.join(QStringLiteral(", "))),
                                   it.key());
            }
        }

        const QString roleText = object.value(QStringLiteral("role")).toString();
        const std::optional<Role> role = roleFromName(roleText);
        if (!role) {
            return configError(QStringLiteral("The identity %1 has the unknown role \"%2\"; use pep, approver, "
                                              "auditor or admin.").arg(id, roleText), roleText);
        }

        Identity identity{id, *role, {}, {}, {}};
        for (const QJsonValue &group : object.value(QStringLiteral("groups")).toArray())
            identity.groups.append(group.toString());
        for (const QJsonValue &actor : object.value(QStringLiteral("actors")).toArray())
            identity.actors.append(actor.toString());
        const Result<QByteArray> secret = callbackSecret(object, identity);
        if (!secret)
            return secret.error();
        identity.callbackSecret = secret.value();

        QByteArray tokenHash;
        const QString clear = object.value(QStringLiteral("token")).toString();
        const QString hashed = object.value(QStringLiteral("token_sha256")).toString();
        if (!clear.isEmpty())
            tokenHash = hashToken(clear.toUtf8());
        else if (hashed.size() == 64)
            tokenHash = hashed.toLower().toLatin1();
        else
            return configError(QStringLiteral("The identity %1 needs a token or a 64-digit token_sha256.").arg(id), id);

        if (auto inserted = insert(identity, tokenHash); !inserted)
            return inserted;
    }
    return {};
}

Result<void> IdentityRegistry::add(const Identity &identity, const QString &token)
{
    return insert(identity, hashToken(token.toUtf8()));
}

Result<void> IdentityRegistry::insert(const Identity &identity, const QByteArray &tokenHash)
{
    QWriteLocker locker(&m_lock);
    if (m_byId.contains(identity.id))
        return configError(QStringLiteral("The identity %1 is defined twice.").arg(identity.id), identity.id);
    if (m_byTokenHash.contains(tokenHash))
        return configError(QStringLiteral("The identity %1 reuses another identity's token.").arg(identity.id), identity.id);
    m_byTokenHash.insert(tokenHash, identity);
    m_byId.insert(identity.id, identity);
    return {};
}

std::optional<Identity> IdentityRegistry::authenticate(QByteArrayView bearerToken) const
{
    if (bearerToken.isEmpty() || bearerToken.size() > 4096)
        return std::nullopt;
    const QByteArray hash = hashToken(bearerToken);
    QReadLocker locker(&m_lock);
    const auto it = m_byTokenHash.constFind(hash);
    if (it == m_byTokenHash.constEnd())
        return std::nullopt;
    return *it;
}

std::optional<Identity> IdentityRegistry::find(const QString &id) const
{
    QReadLocker locker(&m_lock);
    const auto it = m_byId.constFind(id);
    if (it == m_byId.constEnd())
        return std::nullopt;
    return *it;
}

qsizetype IdentityRegistry::size() const
{
    QReadLocker locker(&m_lock);
    return m_byId.size();
}

} // namespace Recourse::Escalation
