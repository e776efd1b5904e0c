#pragma once

#include "core/base/result.h"

#include <QFlags>
#include <QHash>
#include <QJsonObject>
#include <QReadWriteLock>
#include <QStringList>

#include <optional>

namespace Recourse::Escalation {

enum class Role { Pep, Approver, Auditor, Admin };

// The operations on task handles that the ARS authorizes one by one: reading a task's status
// (and with it the result) does not imply cancelling it, and the reverse.
enum class TaskOperation { Submit = 0x1, Read = 0x2, Cancel = 0x4 };
Q_DECLARE_FLAGS(TaskOperations, TaskOperation)
Q_DECLARE_OPERATORS_FOR_FLAGS(TaskOperations)
inline constexpr TaskOperations kAllTaskOperations{TaskOperation::Submit | TaskOperation::Read | TaskOperation::Cancel};

// The config name of an operation: submit, read or cancel.
QString operationName(TaskOperation operation);

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
    // The task-handle operations the credential may perform. Every one unless the config's
    // "operations" member of a PEP identity names fewer.
    TaskOperations operations = kAllTaskOperations;
    // Subject ids the credential may submit for, "*" for any (the default). Only the config's
    // "subjects" member of a PEP identity narrows it.
    QStringList subjects{QStringLiteral("*")};

    bool mayPerform(TaskOperation operation) const { return operations.testFlag(operation); }
    bool maySubmitFor(const QString &subjectId) const
    {
        return subjects.contains(QStringLiteral("*")) || subjects.contains(subjectId);
    }
    bool canDecide() const { return role == Role::Approver || role == Role::Admin; }
    bool canReadAdmin() const { return role != Role::Pep; }
};

QString roleName(Role role);
std::optional<Role> roleFromName(const QString &name);

// Identities keyed by the SHA-256 of their bearer token: a clear-text token from the
// configuration is hashed when it is loaded and never kept. Each thread remembers the last token
// it authenticated, in memory only, to skip hashing it again. Thread-safe.
class IdentityRegistry
{
public:
    // Shorter clear-text tokens still load, because tests and demos use readable ones, but each
    // gets a warning. 16 random characters from a 64-character alphabet carry 96 bits.
    static constexpr qsizetype kMinimumTokenLength = 16;

    IdentityRegistry() = default;
    ~IdentityRegistry();
    Q_DISABLE_COPY_MOVE(IdentityRegistry)

    // Loads the "identities" array of the --config document. Entries carry "token" (clear text)
    // or "token_sha256" (hex). Fails on a missing id, an unknown role, a duplicate id or token, or
    // an invalid callback_secret, operations or subjects member.
    Result<void> load(const QJsonObject &config);
    // One sentence per clear-text token of load() shorter than kMinimumTokenLength, naming the
    // identity but never the token, for the service to log at start.
    const QStringList &warnings() const { return m_warnings; }
    Result<void> add(const Identity &identity, const QString &token);

    std::optional<Identity> authenticate(QByteArrayView bearerToken) const;
    std::optional<Identity> find(const QString &id) const;
    qsizetype size() const;

private:
    Result<void> insert(const Identity &identity, const QByteArray &tokenHash);

    mutable QReadWriteLock m_lock;
    QHash<QByteArray, Identity> m_byTokenHash;
    QHash<QString, Identity> m_byId;
    QStringList m_warnings;
};

} // namespace Recourse::Escalation
