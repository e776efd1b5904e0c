#include "core/policy/search.h"

namespace Recourse::Policy {

namespace {

const QString kType = QStringLiteral("type");
const QString kId = QStringLiteral("id");
const QString kName = QStringLiteral("name");
const QString kProperties = QStringLiteral("properties");

bool isDeclared(const QList<QJsonObject> &declared, const QJsonObject &entity, const QStringList &identity)
{
    for (const QJsonObject &candidate : declared) {
        bool same = true;
        for (const QString &member : identity)
            same = same && candidate.value(member) == entity.value(member);
        if (same)
            return true;
    }
    return false;
}

// The identifying members only: what a search result carries.
QJsonObject identityOf(const QJsonObject &entity, const QStringList &identity)
{
    QJsonObject result;
    for (const QString &member : identity)
        result.insert(member, entity.value(member));
    return result;
}

// The candidate as the pack declares it, properties included, for evaluation.
QJsonObject declaredForm(const QJsonObject &entity, const QStringList &identity)
{
    QJsonObject result = identityOf(entity, identity);
    const QJsonObject properties = entity.value(kProperties).toObject();
    if (!properties.isEmpty())
        result.insert(kProperties, properties);
    return result;
}

} // namespace

QList<QJsonObject> search(const PolicySet &policy, SearchKind kind, const Request &request)
{
    const QStringList typeAndId{kType, kId};
    const QStringList nameOnly{kName};

    // Fixed entities must be ones the pack declares; an unknown one matches nothing.
    if (kind != SearchKind::Subject && !isDeclared(policy.subjects(), request.subject, typeAndId))
        return {};
    if (kind != SearchKind::Resource && !isDeclared(policy.resources(), request.resource, typeAndId))
        return {};
    if (kind != SearchKind::Action && !isDeclared(policy.actions(), request.action, nameOnly))
        return {};

    const QList<QJsonObject> *candidates = nullptr;
    QString wantedType;
    switch (kind) {
    case SearchKind::Subject:
        candidates = &policy.subjects();
        wantedType = request.subject.value(kType).toString();
        break;
    case SearchKind::Resource:
        candidates = &policy.resources();
        wantedType = request.resource.value(kType).toString();
        break;
    case SearchKind::Action:
        candidates = &policy.actions();
        break;
    }
    const QStringList &identity = kind == SearchKind::Action ? nameOnly : typeAndId;

    QList<QJsonObject> results;
    for (const QJsonObject &candidate : *candidates) {
        if (kind != SearchKind::Action && candidate.value(kType).toString() != wantedType)
            continue;

        Request evaluated = request;
        const QJsonObject declared = declaredForm(candidate, identity);
        switch (kind) {
        case SearchKind::Subject:
            evaluated.subject = declared;
            break;
        case SearchKind::Resource:
            evaluated.resource = declared;
            break;
        case SearchKind::Action:
            evaluated.action = declared;
            break;
        }

        if (policy.evaluate(evaluated).effect == Effect::Permit)
            results.append(identityOf(candidate, identity));
    }
    return results;
}

} // namespace Recourse::Policy
