#include "core/escalation/scope.h"

#include <QJsonArray>

#include <algorithm>
#include <initializer_list>
#include <optional>

namespace Recourse::Escalation::Scope {

namespace {

Error invalidScope(const QString &message, const QString &value = QStringLiteral("scope"))
{
    return Error::make(ErrorCode::InvalidRequest, message, value);
}

// At most this many resources or actions in one broadened scope: an approver picks a handful,
// and the preview evaluates every pair.
constexpr qsizetype kMaxScopeEntries = 50;

// Returns the first member of `object` outside `allowed`, which may be named "", or nothing.
std::optional<QString> unknownMember(const QJsonObject &object, std::initializer_list<QLatin1StringView> allowed)
{
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end())
            return it.key();
    }
    return std::nullopt;
}

Error tooManyEntries()
{
    return invalidScope(QStringLiteral("A broadened scope lists at most %1 resources and %1 actions.").arg(kMaxScopeEntries));
}

} // namespace

Result<QJsonObject> normalize(const QJsonValue &requested, const Store::TaskRecord &task, const Policy::Template &tmpl)
{
    const QJsonObject exact{{QStringLiteral("mode"), QStringLiteral("exact")}};
    if (requested.isUndefined() || requested.isNull())
        return exact;
    if (!requested.isObject())
        return invalidScope(QStringLiteral("scope must be an object."));

    // An approver who meant to broaden or to bind more must learn that the scope does not do so
    // before the approval is granted.
    const QJsonObject scope = requested.toObject();
    if (const std::optional<QString> unknown = unknownMember(scope, {QLatin1StringView("mode"), QLatin1StringView("resources"),
                                                                     QLatin1StringView("actions")})) {
        return invalidScope(QStringLiteral("scope.%1 is not part of a scope, which takes mode, resources and actions.")
                                .arg(unknown->left(64)),
                            QStringLiteral("scope.") + unknown->left(64));
    }
    const QJsonValue modeValue = scope.value(QStringLiteral("mode"));
    const QJsonValue resourceList = scope.value(QStringLiteral("resources"));
    const QJsonValue actionList = scope.value(QStringLiteral("actions"));
    const bool listsSomething = !resourceList.isUndefined() || !actionList.isUndefined();
    if (modeValue.isUndefined() && !listsSomething)
        return exact;
    if (!modeValue.isString()) {
        return invalidScope(QStringLiteral("scope.mode must be \"exact\" or \"broadened\"; a scope that lists "
                                           "resources or actions is \"broadened\"."),
                            QStringLiteral("scope.mode"));
    }
    const QString mode = modeValue.toString();
    if (mode == QLatin1String("exact")) {
        if (listsSomething) {
            return invalidScope(QStringLiteral("An exact scope lists no resources or actions; use mode \"broadened\" to add them."),
                                QStringLiteral("scope.mode"));
        }
        return exact;
    }
    if (mode != QLatin1String("broadened"))
        return invalidScope(QStringLiteral("scope.mode must be \"exact\" or \"broadened\"."), mode.left(64));

    // Checked before anything else reads the lists, so a long one costs no more than a short one.
    if (resourceList.toArray().size() > kMaxScopeEntries || actionList.toArray().size() > kMaxScopeEntries)
        return tooManyEntries();

    const QJsonObject boundResource = task.doc.value(QStringLiteral("resource")).toObject();
    const QString boundAction = task.doc.value(QStringLiteral("action")).toObject().value(QStringLiteral("name")).toString();
    const QString resourceType = boundResource.value(QStringLiteral("type")).toString();

    // The bound resource and action are always part of the scope.
    QJsonArray resources{QJsonObject{{QStringLiteral("type"), resourceType},
                                     {QStringLiteral("id"), boundResource.value(QStringLiteral("id"))}}};
    QJsonArray actions{boundAction};

    if (!resourceList.isUndefined() && !resourceList.isArray())
        return invalidScope(QStringLiteral("scope.resources must be an array of {type, id} objects."));
    const QJsonArray resourceEntries = resourceList.toArray();
    for (qsizetype i = 0; i < resourceEntries.size(); ++i) {
        const QJsonObject resource = resourceEntries.at(i).toObject();
        const QJsonValue type = resource.value(QStringLiteral("type"));
        const QJsonValue id = resource.value(QStringLiteral("id"));
        if (!type.isString() || !id.isString() || id.toString().isEmpty())
            return invalidScope(QStringLiteral("Each scope.resources entry needs a string type and id."));
        // Properties and the like would not be part of the approval, so they are rejected rather than dropped.
        if (const std::optional<QString> unknown = unknownMember(resource, {QLatin1StringView("type"), QLatin1StringView("id")})) {
            const QString member = QStringLiteral("scope.resources[%1].%2").arg(i).arg(unknown->left(64));
            return invalidScope(QStringLiteral("%1 is not part of a scope entry, which names a resource by type and id.")
                                    .arg(member),
                                member);
        }
        if (type.toString() != resourceType) {
            return invalidScope(QStringLiteral("A broadened scope keeps the resource type %1; %2 is another type.")
                                    .arg(resourceType, type.toString()),
                                type.toString().left(64));
        }
        const QJsonObject normalized{{QStringLiteral("type"), type}, {QStringLiteral("id"), id}};
        if (!resources.contains(normalized))
            resources.append(normalized);
    }
    if (!actionList.isUndefined() && !actionList.isArray())
        return invalidScope(QStringLiteral("scope.actions must be an array of action names."));
    for (const QJsonValue &entry : actionList.toArray()) {
        if (!entry.isString() || entry.toString().isEmpty())
            return invalidScope(QStringLiteral("Each scope.actions entry must be an action name."));
        if (!actions.contains(entry))
            actions.append(entry);
    }

    if (resources.size() > kMaxScopeEntries || actions.size() > kMaxScopeEntries)
        return tooManyEntries();
    if (resources.size() > 1 && !tmpl.broaden.resources) {
        return invalidScope(QStringLiteral("The template %1 does not allow approving other resources.").arg(tmpl.name),
                            tmpl.name);
    }
    if (actions.size() > 1 && !tmpl.broaden.actions) {
        return invalidScope(QStringLiteral("The template %1 does not allow approving other actions.").arg(tmpl.name),
                            tmpl.name);
    }
    if (resources.size() == 1 && actions.size() == 1)
        return exact;
    return QJsonObject{{QStringLiteral("mode"), QStringLiteral("broadened")},
                       {QStringLiteral("resources"), resources},
                       {QStringLiteral("actions"), actions}};
}

QList<QPair<QJsonObject, QJsonObject>> coveredPairs(const QJsonObject &scope, const Store::TaskRecord &task)
{
    const QJsonObject boundResource = task.doc.value(QStringLiteral("resource")).toObject();
    const QJsonObject boundAction = task.doc.value(QStringLiteral("action")).toObject();
    if (scope.value(QStringLiteral("mode")).toString() != QLatin1String("broadened"))
        return {{boundResource, boundAction}};

    QList<QPair<QJsonObject, QJsonObject>> pairs;
    for (const QJsonValue &resource : scope.value(QStringLiteral("resources")).toArray()) {
        // The bound resource keeps its properties so policy sees what it saw at the denial.
        const bool bound = resource.toObject().value(QStringLiteral("id")) == boundResource.value(QStringLiteral("id"));
        for (const QJsonValue &action : scope.value(QStringLiteral("actions")).toArray()) {
            pairs.append({bound ? boundResource : resource.toObject(),
                          QJsonObject{{QStringLiteral("name"), action.toString()}}});
        }
    }
    return pairs;
}

QString describe(const QJsonObject &scope, const Store::TaskRecord &task, const QString &until)
{
    const QJsonObject subject = task.doc.value(QStringLiteral("subject")).toObject();
    QStringList resources;
    QStringList actions;
    for (const auto &[resource, action] : coveredPairs(scope, task)) {
        const QString label = resource.value(QStringLiteral("type")).toString() + u' '
            + resource.value(QStringLiteral("id")).toString();
        if (!resources.contains(label))
            resources.append(label);
        if (!actions.contains(action.value(QStringLiteral("name")).toString()))
            actions.append(action.value(QStringLiteral("name")).toString());
    }
    return QStringLiteral("%1 may %2 %3 until %4")
        .arg(subject.value(QStringLiteral("id")).toString(), actions.join(QStringLiteral(", ")),
             resources.join(QStringLiteral(", ")), until);
}

} // namespace Recourse::Escalation::Scope
