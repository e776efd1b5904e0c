#include "core/escalation/scope.h"

#include <QJsonArray>

namespace Recourse::Escalation::Scope {

namespace {

Error invalidScope(const QString &message, const QString &value = QStringLiteral("scope"))
{
    return Error::make(ErrorCode::InvalidRequest, message, value);
}

// At most this many resources or actions in one broadened scope: an approver picks a handful,
// and the preview evaluates every pair.
constexpr qsizetype kMaxScopeEntries = 50;

} // namespace

Result<QJsonObject> normalize(const QJsonValue &requested, const Store::TaskRecord &task, const Policy::Template &tmpl)
{
    const QJsonObject exact{{QStringLiteral("mode"), QStringLiteral("exact")}};
    if (requested.isUndefined() || requested.isNull())
        return exact;
    if (!requested.isObject())
        return invalidScope(QStringLiteral("scope must be an object."));

    const QJsonObject scope = requested.toObject();
    const QString mode = scope.value(QStringLiteral("mode")).toString(QStringLiteral("exact"));
    if (mode == QLatin1String("exact"))
        return exact;
    if (mode != QLatin1String("broadened"))
        return invalidScope(QStringLiteral("scope.mode must be \"exact\" or \"broadened\"."), mode.left(64));

    const QJsonObject boundResource = task.doc.value(QStringLiteral("resource")).toObject();
    const QString boundAction = task.doc.value(QStringLiteral("action")).toObject().value(QStringLiteral("name")).toString();
    const QString resourceType = boundResource.value(QStringLiteral("type")).toString();

    // The bound resource and action are always part of the scope.
    QJsonArray resources{QJsonObject{{QStringLiteral("type"), resourceType},
                                     {QStringLiteral("id"), boundResource.value(QStringLiteral("id"))}}};
    QJsonArray actions{boundAction};

    const QJsonValue resourceList = scope.value(QStringLiteral("resources"));
    if (!resourceList.isUndefined() && !resourceList.isArray())
        return invalidScope(QStringLiteral("scope.resources must be an array of {type, id} objects."));
    for (const QJsonValue &entry : resourceList.toArray()) {
        const QJsonObject resource = entry.toObject();
        const QJsonValue type = resource.value(QStringLiteral("type"));
        const QJsonValue id = resource.value(QStringLiteral("id"));
        if (!type.isString() || !id.isString() || id.toString().isEmpty())
            return invalidScope(QStringLiteral("Each scope.resources entry needs a string type and id."));
        if (type.toString() != resourceType) {
            return invalidScope(QStringLiteral("A broadened scope keeps the resource type %1; %2 is another type.")
                                    .arg(resourceType, type.toString()),
                                type.toString().left(64));
        }
        const QJsonObject normalized{{QStringLiteral("type"), type}, {QStringLiteral("id"), id}};
        if (!resources.contains(normalized))
            resources.append(normalized);
    }
    const QJsonValue actionList = scope.value(QStringLiteral("actions"));
    if (!actionList.isUndefined() && !actionList.isArray())
        return invalidScope(QStringLiteral("scope.actions must be an array of action names."));
    for (const QJsonValue &entry : actionList.toArray()) {
        if (!entry.isString() || entry.toString().isEmpty())
            return invalidScope(QStringLiteral("Each scope.actions entry must be an action name."));
        if (!actions.contains(entry))
            actions.append(entry);
    }

    if (resources.size() > kMaxScopeEntries || actions.size() > kMaxScopeEntries)
        return invalidScope(QStringLiteral("A broadened scope lists at most %1 resources and %1 actions.").arg(kMaxScopeEntries));
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
