#pragma once

#include "core/base/result.h"
#include "core/policy/policy.h"
#include "core/store/records.h"

#include <QJsonObject>

namespace Recourse::Escalation::Scope {

// Validates an approver's scope against the task and its template and returns the normalized
// scope: {"mode":"exact"}, or {"mode":"broadened","resources":[{type,id}...],"actions":[...]}
// with the bound resource and action always included. Broadening resources keeps the bound
// resource's type; broadening either needs the template's permission. An absent scope is exact.
Result<QJsonObject> normalize(const QJsonValue &requested, const Store::TaskRecord &task, const Policy::Template &tmpl);

// Every (resource, action) pair a scope covers, for the preview.
QList<QPair<QJsonObject, QJsonObject>> coveredPairs(const QJsonObject &scope, const Store::TaskRecord &task);

// "sam may read log payments-provider and log payments-ledger for tenant acme until ..."
QString describe(const QJsonObject &scope, const Store::TaskRecord &task, const QString &until);

} // namespace Recourse::Escalation::Scope
