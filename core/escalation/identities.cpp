#include "core/escalation/identities.h"

#include "core/base/sha256.h"

#include <QJsonArray>

#include <atomic>

namespace Recourse::Escalation {

namespace {

// Counts changes to every registry of the process. A cached look-up is only used while the count
// is what it was when the look-up ran. So a registry that changed, or a new one at the address of
// a destroyed one, never returns an identity from another registry's cache.
std::atomic<quint64> g_registryChanges{0};

// The last token this thread authenticated, with its identity. Each request is authenticated
// twice, before its body is read and when it is handled, and a PEP sends the same token every
// time. So this skips SHA-256 for most look-ups, which took about 7% of an evaluation.
struct LastLookup
{
    const void *registry = nullptr;
    quint64 changes = 0;
    QByteArray token;
    Identity identity;
};
thread_local LastLookup t_lastLookup;

// Takes as long for a token that differs in its first byte as for one that differs in its last,
// so the cache leaks no more timing to an attacker than the hash look-up does.
bool equalInConstantTime(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    uchar difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= uchar(a[i]) ^ uchar(b[i]);
    return difference == 0;
}

QByteArray hashToken(QByteArrayView token)
{
    return Sha256::digest(token).toHex();
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

// Rejects a member that only PEP identities may carry.
Result<void> requirePep(const QJsonObject &object, const Identity &identity, const QString &member)
{
    if (!object.contains(member) || identity.role == Role::Pep)
        return {};
    return configError(QStringLiteral("The identity %1 has %2, which only pep identities may carry; remove it or "
                                      "change the role.").arg(identity.id, member),
                       member);
}

// The optional "operations" member of a PEP identity: an array of submit, read and cancel.
// Absent means every operation, so configs written before the member existed keep working.
Result<TaskOperations> operations(const QJsonObject &object, const Identity &identity)
{
    const QJsonValue value = object.value(QStringLiteral("operations"));
    if (value.isUndefined())
        return kAllTaskOperations;
    if (auto pep = requirePep(object, identity, QStringLiteral("operations")); !pep)
        return pep.error();
    if (!value.isArray()) {
        return configError(QStringLiteral("The operations of identity %1 must be an array of submit, read and cancel.")
                               .arg(identity.id),
                           identity.id);
    }

    TaskOperations granted;
    for (const QJsonValue &entry : value.toArray()) {
        const QString name = entry.toString();
        bool known = false;
        for (TaskOperation operation : {TaskOperation::Submit, TaskOperation::Read, TaskOperation::Cancel}) {
            if (entry.isString() && operationName(operation) == name) {
                granted |= operation;
                known = true;
            }
        }
        if (!known) {
            const QString described = entry.isString() ? QStringLiteral("\"%1\"").arg(name)
                                                       : QStringLiteral("a non-string entry");
            return configError(QStringLiteral("The operations of identity %1 contain the unknown operation %2; use "
                                              "submit, read or cancel.").arg(identity.id, described),
                               name);
        }
    }
    return granted;
}

// The optional "subjects" member of a PEP identity: the subject ids it may submit for, "*" for
// any. Absent means any subject.
Result<QStringList> subjects(const QJsonObject &object, const Identity &identity)
{
    const QJsonValue value = object.value(QStringLiteral("subjects"));
    if (value.isUndefined())
        return QStringList{QStringLiteral("*")};
    if (auto pep = requirePep(object, identity, QStringLiteral("subjects")); !pep)
        return pep.error();
    const Error invalid = configError(QStringLiteral("The subjects of identity %1 must be an array of non-empty "
                                                     "subject id strings, or [\"*\"] for any subject.")
                                          .arg(identity.id),
                                      identity.id);
    if (!value.isArray())
        return invalid;

    QStringList ids;
    for (const QJsonValue &entry : value.toArray()) {
        if (!entry.isString() || entry.toString().isEmpty())
            return invalid;
        ids.append(entry.toString());
    }
    return ids;
}

} // namespace

QString operationName(TaskOperation operation)
{
    switch (operation) {
    case TaskOperation::Submit:
        return QStringLiteral("submit");
    case TaskOperation::Read:
        return QStringLiteral("read");
    case TaskOperation::Cancel:
        return QStringLiteral("cancel");
    }
    return {};
}

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
                                       QStringLiteral("callback_secret"), QStringLiteral("operations"),
                                       QStringLiteral("subjects")};
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

        Identity identity;
        identity.id = id;
        identity.role = *role;
        for (const QJsonValue &group : object.value(QStringLiteral("groups")).toArray())
            identity.groups.append(group.toString());
        for (const QJsonValue &actor : object.value(QStringLiteral("actors")).toArray())
            identity.actors.append(actor.toString());
        const Result<QByteArray> secret = callbackSecret(object, identity);
        if (!secret)
            return secret.error();
        identity.callbackSecret = secret.value();
        const Result<TaskOperations> granted = operations(object, identity);
        if (!granted)
            return granted.error();
        identity.operations = granted.value();
        const Result<QStringList> allowedSubjects = subjects(object, identity);
        if (!allowedSubjects)
            return allowedSubjects.error();
        identity.subjects = allowedSubjects.value();

        QByteArray tokenHash;
        const QString clear = object.value(QStringLiteral("token")).toString();
        const QString hashed = object.value(QStringLiteral("token_sha256")).toString();
        if (!clear.isEmpty())
            tokenHash = hashToken(clear.toUtf8());
        else if (hashed.size() == 64)
            tokenHash = hashed.toLower().toLatin1();
        else
            return configError(QStringLiteral("The identity %1 needs a token or a 64-digit token_sha256.").arg(id), id);

        // Characters as a person counts them: code points, not UTF-16 units.
        const qsizetype characters = clear.toUcs4().size();
        if (!clear.isEmpty() && characters < kMinimumTokenLength) {
            const QString length = characters == 1 ? QStringLiteral("1 character")
                                                   : QStringLiteral("%1 characters").arg(characters);
            m_warnings.append(QStringLiteral("The identity %1 has a token of %2, which can be guessed; use at least %3 "
                                             "random characters, for example from openssl rand -hex 32.")
                                  .arg(id, length).arg(kMinimumTokenLength));
        }

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
    ++g_registryChanges;
    return {};
}

std::optional<Identity> IdentityRegistry::authenticate(QByteArrayView bearerToken) const
{
    if (bearerToken.isEmpty() || bearerToken.size() > 4096)
        return std::nullopt;

    LastLookup &last = t_lastLookup;
    if (last.registry == this && last.changes == g_registryChanges.load()
        && equalInConstantTime(last.token, bearerToken))
        return last.identity;

    const QByteArray hash = hashToken(bearerToken);
    QReadLocker locker(&m_lock);
    const quint64 changes = g_registryChanges.load();
    const auto it = m_byTokenHash.constFind(hash);
    if (it == m_byTokenHash.constEnd())
        return std::nullopt;
    last = LastLookup{this, changes, bearerToken.toByteArray(), *it};
    return *it;
}

IdentityRegistry::~IdentityRegistry()
{
    ++g_registryChanges;
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
