#include "core/policy/compiledpolicy.h"

#include "core/json/json.h"

#include <QJsonObject>
#include <QStringList>

namespace Recourse::Policy {

namespace {

// Sets `value` at the dotted `keys` below `object`, creating the objects on the way. A value
// already there stays, so the first rule term that names an attribute decides it.
void placeAt(QJsonObject &object, QStringList keys, const QJsonValue &value)
{
    const QString key = keys.takeFirst();
    if (keys.isEmpty()) {
        if (!object.contains(key))
            object.insert(key, value);
        return;
    }

    QJsonObject child = object.value(key).toObject();
    placeAt(child, std::move(keys), value);
    object.insert(key, child);
}

// The request a rule's terms describe, with placeholders for the ids AuthZEN requires.
QJsonObject candidateFor(const Detail::Rule &rule)
{
    QJsonObject request;
    const auto place = [&request](const QString &path, const QJsonValue &value) {
        placeAt(request, path.split(u'.'), value);
    };
    for (const Detail::MatchTerm &term : rule.match) {
        if (!term.values.items().empty())
            place(term.path.text(), term.values.items().front().toJson());
    }
    if (rule.when)
        rule.when->suggest(place);

    place(QStringLiteral("subject.type"), QStringLiteral("user"));
    place(QStringLiteral("subject.id"), QStringLiteral("example-user"));
    place(QStringLiteral("resource.type"), QStringLiteral("resource"));
    place(QStringLiteral("resource.id"), QStringLiteral("example-resource"));
    place(QStringLiteral("action.name"), QStringLiteral("example-action"));
    if (!request.contains(u"context"))
        request.insert(QStringLiteral("context"), QJsonObject());
    return request;
}

// Whether an evaluation endpoint would accept the request and decide it as a first evaluation:
// string ids where AuthZEN requires them, nesting within the JSON reader's limit, and no
// context.approval, which would make it a re-evaluation.
bool acceptableAsRequest(const QJsonObject &request)
{
    const auto stringMember = [&request](const char *entity, const char *member) {
        const QJsonValue value = request.value(QLatin1String(entity)).toObject().value(QLatin1String(member));
        return value.isString() && !value.toString().isEmpty();
    };
    if (!stringMember("subject", "type") || !stringMember("subject", "id") || !stringMember("resource", "type")
        || !stringMember("resource", "id") || !stringMember("action", "name")) {
        return false;
    }
    if (request.value(u"context").toObject().contains(u"approval"))
        return false;
    return Json::depth(request) <= Json::ParseLimits().maxDepth;
}

} // namespace

QJsonObject PolicySet::exampleRequest() const
{
    std::call_once(d->exampleOnce, [this] { d->example = findExample(); });
    return d->example;
}

QJsonObject PolicySet::findExample() const
{
    // A requestable denial shows the whole escalation loop, so such a rule is preferred. Each
    // candidate is checked by deciding it: a `not`, a glob or a stronger rule can defeat it. The
    // first 200 rules of each effect are tried, so a policy of 100,000 rules where none yields an
    // example costs at most 400 decisions, once per loaded policy.
    constexpr int kCandidatesPerEffect = 200;
    for (const Effect wanted : {Effect::Requestable, Effect::Permit}) {
        int tried = 0;
        for (const Detail::Rule &rule : d->policy.rules) {
            if (rule.effect != wanted)
                continue;
            if (++tried > kCandidatesPerEffect)
                break;

            const QJsonObject request = candidateFor(rule);
            if (!acceptableAsRequest(request))
                continue;
            const Decision decision = evaluate(Request{request.value(u"subject").toObject(),
                                                       request.value(u"resource").toObject(),
                                                       request.value(u"action").toObject(),
                                                       request.value(u"context").toObject()});
            if (decision.effect == wanted && decision.ruleId == rule.id)
                return request;
        }
    }
    return {};
}

} // namespace Recourse::Policy
