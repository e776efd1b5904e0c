#include "core/escalation/binding.h"

#include "core/base/sha256.h"
#include "core/jose/jose.h"
#include "core/json/json.h"

namespace Recourse::Escalation::Binding {

namespace {

// Nested "act" objects deeper than this are cut off; a chain that long is not a real delegation.
constexpr int kMaxChainLength = 16;

void appendChain(QJsonArray &chain, QJsonObject act, const char *idMember, const char *typeMember)
{
    for (int depth = 0; depth < kMaxChainLength && !act.isEmpty(); ++depth) {
        const QString id = act.value(QLatin1String(idMember)).toString();
        if (!id.isEmpty()) {
            chain.append(QJsonObject{{QStringLiteral("id"), id},
                                     {QStringLiteral("type"), act.value(QLatin1String(typeMember)).toString()},
                                     {QStringLiteral("verified"), false}});
        }
        act = act.value(QStringLiteral("act")).toObject();
    }
}

} // namespace

bool isMachineryMember(const QString &name)
{
    static const QStringList machinery = {QStringLiteral("access_request"), QStringLiteral("evaluation_id"),
                                          QStringLiteral("evaluated_at"), QStringLiteral("reason"),
                                          QStringLiteral("approval")};
    return machinery.contains(name);
}

QJsonObject withoutActor(const QJsonObject &subject)
{
    QJsonObject stripped = subject;
    const auto properties = subject.constFind(QStringLiteral("properties"));
    if (properties != subject.constEnd() && properties->isObject()) {
        QJsonObject props = properties->toObject();
        props.remove(QStringLiteral("act"));
        // Otherwise a PEP that adds the actor at submission to a subject evaluated without
        // properties would no longer match its own denial. Policy still decides the request as
        // sent whenever it is evaluated again, so a rule on subject.properties itself still applies.
        if (props.isEmpty())
            stripped.remove(QStringLiteral("properties"));
        else
            stripped.insert(QStringLiteral("properties"), props);
    }
    return stripped;
}

QJsonObject project(const QJsonObject &context, const QStringList &members)
{
    QJsonObject projected;
    for (const QString &member : members) {
        const auto it = context.constFind(member);
        if (it != context.constEnd())
            projected.insert(member, *it);
    }
    return projected;
}

QString hash(const QJsonObject &subject, const QJsonObject &resource, const QJsonObject &action,
             const QJsonObject &context, const QStringList &members)
{
    const QJsonObject tuple{
        {QStringLiteral("subject"), withoutActor(subject)},
        {QStringLiteral("resource"), resource},
        {QStringLiteral("action"), action},
        {QStringLiteral("context"), project(context, members)},
    };
    const QByteArray digest = Sha256::digest(Json::canonicalize(tuple));
    return QString::fromLatin1(Jose::base64UrlEncode(digest));
}

QString bulkHash(const QJsonObject &subject, const QJsonArray &items, const QJsonObject &context,
                 const QStringList &members)
{
    // Other item members (denial, requested_access) are not bound, so they are left out.
    QJsonArray pairs;
    for (const QJsonValue &item : items) {
        pairs.append(QJsonObject{{QStringLiteral("resource"), item.toObject().value(QStringLiteral("resource"))},
                                 {QStringLiteral("action"), item.toObject().value(QStringLiteral("action"))}});
    }
    const QJsonObject tuple{
        {QStringLiteral("subject"), withoutActor(subject)},
        {QStringLiteral("items"), pairs},
        {QStringLiteral("context"), project(context, members)},
    };
    const QByteArray digest = Sha256::digest(Json::canonicalize(tuple));
    return QString::fromLatin1(Jose::base64UrlEncode(digest));
}

QJsonArray actorChain(const QJsonObject &subject, const QJsonObject &client)
{
    QJsonArray chain;
    appendChain(chain, subject.value(QStringLiteral("properties")).toObject().value(QStringLiteral("act")).toObject(),
                "sub", "sub_profile");
    appendChain(chain, client.value(QStringLiteral("actor")).toObject(), "id", "type");
    return chain;
}

QStringList actorIds(const QJsonArray &chain)
{
    QStringList ids;
    for (const QJsonValue &entry : chain)
        ids.append(entry.toObject().value(QStringLiteral("id")).toString());
    return ids;
}

} // namespace Recourse::Escalation::Binding
