#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

namespace Recourse::Escalation::Binding {

// Context members that are profile machinery and never authorization-relevant.
bool isMachineryMember(const QString &name);

// The subject without `properties.act`: the PEP may move the actor to client.actor, so the
// actor never takes part in binding or scope comparison. `properties` left empty is dropped, so
// a subject without properties matches one whose properties held only the actor.
QJsonObject withoutActor(const QJsonObject &subject);

// The context reduced to `members` (members absent from the context stay absent).
QJsonObject project(const QJsonObject &context, const QStringList &members);

// base64url(SHA-256(JCS({"subject","resource","action","context"}))) with the actor removed from
// the subject and the context projected onto the authorization-relevant members.
QString hash(const QJsonObject &subject, const QJsonObject &resource, const QJsonObject &action,
             const QJsonObject &context, const QStringList &members);

// The bulk form of hash(): base64url(SHA-256(JCS({"subject","items","context"}))) where `items`
// lists {"resource","action"} of every item in the order the denial binds them.
QString bulkHash(const QJsonObject &subject, const QJsonArray &items, const QJsonObject &context,
                 const QStringList &members);

// The actor chain of a submission, outermost first: from subject.properties.act (nested "act"
// claims, RFC 8693 style) and client.actor (nested "act"). Each entry is {id, type, verified}.
QJsonArray actorChain(const QJsonObject &subject, const QJsonObject &client);

// Every principal id that appears in an actor chain.
QStringList actorIds(const QJsonArray &chain);

} // namespace Recourse::Escalation::Binding
