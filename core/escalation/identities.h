#pragma once

#include "core/base/result.h"

#include <QHash>
#include <QJsonObject>
#include <QReadWriteLock>
#include <QStringList>

#include <optional>

namespace Recourse::Escalation {

enum class Role { Pep, Approver, Auditor, Admin };

struct Identity
{
    QString id;
    Role role = Role::Pep;
    QStringList groups;
    // Actors this credential may name in a submission's actor chain ("*" for any). Empty means
    // the credential vouches for no actor, so a claimed chain is kept as unverified audit data.
    QStringList actors;
    // The pre-shared key of a PEP's callback notifications (HMAC-SHA256); empty when the PEP may
    // not ask for callbacks. Comes from the config only: never logged, never stored.
    QByteArray callbackSecret;

    bool canDecide() const { return role == Role::Approver || role == Role::Admin; }
    bool canReadAdmin() const { return role != Role::Pep; }
};

QString roleName(Role role);
std::optional<Role> roleFromName(const QString &name);

// Identities keyed by the SHA-256 of their bearer token: a clear-text token is hashed when it
// is loaded and never kept. Thread-safe.
class IdentityRegistry
{
public:
    // Loads the "identities" array of the --config document. Entries carry "token" (clear text)
    // or "token_sha256" (hex). Fails on a missing id, an unknown role or a duplicate id or token.
    Result<void> load(const QJsonObject &config);
    Result<void> add(const Identity &identity, const QString &token);

    std::optional<Identity> authenticate(QByteArrayView bearerToken) const;
    std::optional<Identity> find(const QString &id) const;
    qsizetype size() const;

private:
    Result<void> insert(const Identity &identity, const QByteArray &tokenHash);

    mutable QReadWriteLock m_lock;
    QHash<QByteArray, Identity> m_byTokenHash;
    QHash<QString, Identity> m_byId;
};

} // namespace Recourse::Escalation
