#pragma once

#include <QCoreApplication>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace Recourse::Ui {

// Describes approval scopes in plain words, so the approver reads what an approval grants before
// granting it. A scope is {"mode": "exact"} or {"mode": "broadened", "resources": [{type, id}],
// "actions": [name]}; the task's bound resource and action are always part of it.
class ScopeText
{
    Q_DECLARE_TR_FUNCTIONS(ScopeText)

public:
    // "document q4-plan" for every resource the scope covers, the bound one first.
    static QStringList resources(const QJsonObject &task, const QJsonObject &scope);
    // Every action name the scope covers, the bound one first.
    static QStringList actions(const QJsonObject &task, const QJsonObject &scope);
    // The resources and actions the scope adds to the request, as "document q4-budget" and
    // "action can_write"; empty for an exact scope.
    static QStringList additions(const QJsonObject &task, const QJsonObject &scope);

    // "alice may can_read document q4-plan and document q4-budget until 4 Dec 2026 18:00 (2 h from
    // now)". For a bulk task, `items` names the zero-based positions being approved; empty means
    // every pending item.
    static QString grant(const QJsonObject &task, const QJsonObject &scope, qint64 untilMs, qint64 nowMs,
                         const QList<int> &items = {});
    // A short form for tables: "exactly as requested" or "2 resources × 1 action".
    static QString summary(const QJsonObject &scope);
    // "a, b and c".
    static QString list(const QStringList &parts);
};

} // namespace Recourse::Ui
