#include "ui/scopetext.h"

#include "ui/tasktext.h"

#include <QJsonArray>

namespace Recourse::Ui {

namespace {

bool isBroadened(const QJsonObject &scope)
{
    return scope.value(u"mode").toString() == u"broadened";
}

} // namespace

QStringList ScopeText::resources(const QJsonObject &task, const QJsonObject &scope)
{
    QStringList names{TaskText::entity(task.value(u"resource").toObject())};
    if (!isBroadened(scope))
        return names;

    for (const QJsonValue &resource : scope.value(u"resources").toArray()) {
        const QString name = TaskText::entity(resource.toObject());
        if (!names.contains(name))
            names.append(name);
    }
    return names;
}

QStringList ScopeText::actions(const QJsonObject &task, const QJsonObject &scope)
{
    QStringList names{TaskText::action(task.value(u"action").toObject())};
    if (!isBroadened(scope))
        return names;

    for (const QJsonValue &action : scope.value(u"actions").toArray()) {
        if (!names.contains(action.toString()))
            names.append(action.toString());
    }
    return names;
}

QStringList ScopeText::additions(const QJsonObject &task, const QJsonObject &scope)
{
    QStringList added = resources(task, scope).mid(1);
    for (const QString &action : actions(task, scope).mid(1))
        added.append(tr("action %1").arg(action));
    return added;
}

QString ScopeText::grant(const QJsonObject &task, const QJsonObject &scope, qint64 untilMs, qint64 nowMs,
                         const QList<int> &items)
{
    const QString subject = task.value(u"subject").toObject().value(u"id").toString();
    const QString until = untilMs < 0 ? tr("until the template's default duration ends")
                                      : tr("until %1 (%2 from now)")
                                            .arg(TaskText::localTime(untilMs),
                                                 // Rounded to the minute: a preview computed a moment ago
                                                 // should still read "2 h", not "1 h 59 min".
                                                 TaskText::duration(untilMs - nowMs + 30 * 1000));

    const QJsonArray taskItems = task.value(u"items").toArray();
    if (!taskItems.isEmpty()) {
        QStringList pairs;
        for (int i = 0; i < taskItems.size(); ++i) {
            const QJsonObject item = taskItems.at(i).toObject();
            const bool chosen = items.isEmpty() ? item.value(u"status").toString(QStringLiteral("pending")) == u"pending"
                                                : items.contains(i);
            if (chosen) {
                pairs.append(tr("%1 %2").arg(TaskText::action(item.value(u"action").toObject()),
                                             TaskText::entity(item.value(u"resource").toObject())));
            }
        }
        return tr("%1 may %2 %3").arg(subject, list(pairs), until);
    }

    return tr("%1 may %2 %3 %4").arg(subject, list(actions(task, scope)), list(resources(task, scope)), until);
}

QString ScopeText::summary(const QJsonObject &scope)
{
    if (!isBroadened(scope))
        return tr("exactly as requested");

    const int resourceCount = int(scope.value(u"resources").toArray().size());
    const int actionCount = int(scope.value(u"actions").toArray().size());
    return tr("broadened: %1 × %2")
        .arg(TaskText::plural(tr("%n resource(s)", nullptr, resourceCount), resourceCount),
             TaskText::plural(tr("%n action(s)", nullptr, actionCount), actionCount));
}

QString ScopeText::list(const QStringList &parts)
{
    if (parts.isEmpty())
        return {};
    if (parts.size() == 1)
        return parts.first();
    return tr("%1 and %2").arg(parts.mid(0, parts.size() - 1).join(QStringLiteral(", ")), parts.last());
}

} // namespace Recourse::Ui
