// Bulk tasks: item statuses, the aggregate status, per-item decisions and the item views.

#include "core/escalation/bulktask.h"

#include "core/base/rfc3339.h"
#include "core/escalation/scope.h"
#include "core/escalation/taskview.h"
#include "core/escalation/workflow.h"
#include "core/json/json.h"

#include <algorithm>
#include <cmath>

namespace Recourse::Escalation::BulkTask {

namespace {

const QString kPending = QStringLiteral("pending");

QString itemStatus(const QJsonValue &item)
{
    return item.toObject().value(QStringLiteral("status")).toString(kPending);
}

Error forItem(int position, Error error)
{
    error.message = QStringLiteral("items[%1]: ").arg(position) + error.message;
    return error;
}

// The end of an item's approval: the approver's choice, else the item's requested_until (both
// still bounded by the template when the approval is issued).
qint64 requestedUntil(const DecisionInput &input, const QJsonObject &item)
{
    if (input.approvedUntilMs > 0)
        return input.approvedUntilMs;
    return Internal::requestedUntilOf(item);
}

// Each item's approval covers exactly that item, so each item is re-evaluated independently. A
// broadened scope would cover other items too.
Result<void> requireExactScope(const QJsonValue &requested, const Store::TaskRecord &task, int position,
                               const Policy::Template &tmpl)
{
    auto scope = Scope::normalize(requested, itemView(task, position), tmpl);
    if (!scope)
        return scope.error();
    if (scope.value() != QJsonObject{{QStringLiteral("mode"), QStringLiteral("exact")}}) {
        return Error::make(ErrorCode::InvalidRequest,
                           QStringLiteral("Items of a bulk task are approved exactly as requested; remove the "
                                          "broadened scope."),
                           QStringLiteral("scope"));
    }
    return {};
}

QJsonArray positionsArray(const QList<int> &positions)
{
    QJsonArray array;
    for (const int position : positions)
        array.append(position);
    return array;
}

} // namespace

bool isBulk(const Store::TaskRecord &task)
{
    return task.doc.value(QStringLiteral("items")).isArray();
}

bool isTerminal(const QString &status)
{
    static const QStringList terminal = {QStringLiteral("approved"), QStringLiteral("denied"), QStringLiteral("expired"),
                                         QStringLiteral("cancelled"), QStringLiteral("failed")};
    return terminal.contains(status);
}

QString aggregateStatus(const QJsonArray &items)
{
    QString shared;
    bool mixed = false;
    for (const QJsonValue &item : items) {
        const QString status = itemStatus(item);
        if (!isTerminal(status))
            return kPending;
        if (shared.isEmpty())
            shared = status;
        else if (status != shared)
            mixed = true;
    }
    if (shared.isEmpty())
        return kPending;
    return mixed ? QStringLiteral("partial") : shared;
}

Result<QList<int>> selectPending(const QJsonValue &requested, const QJsonArray &items)
{
    QList<int> positions;
    if (requested.isUndefined() || requested.isNull()) {
        for (int i = 0; i < items.size(); ++i) {
            if (itemStatus(items.at(i)) == kPending)
                positions.append(i);
        }
        if (positions.isEmpty())
            return Error::make(ErrorCode::InvalidTaskState, QStringLiteral("No item of this task is pending."));
        return positions;
    }

    if (!requested.isArray() || requested.toArray().isEmpty()) {
        return Error::make(ErrorCode::InvalidRequest,
                           QStringLiteral("items must be a non-empty array of zero-based item positions."),
                           QStringLiteral("items"));
    }
    for (const QJsonValue &entry : requested.toArray()) {
        const double number = entry.toDouble(-1);
        if (!entry.isDouble() || number < 0 || number >= double(items.size()) || std::floor(number) != number) {
            return Error::make(ErrorCode::InvalidRequest,
                               QStringLiteral("items lists %1, which is not an item position of this task (0 to %2).")
                                   .arg(Json::displayText(entry).left(32), QString::number(items.size() - 1)),
                               QStringLiteral("items"));
        }
        const int position = int(number);
        if (positions.contains(position)) {
            return Error::make(ErrorCode::InvalidRequest, QStringLiteral("items lists position %1 twice.").arg(position),
                               QStringLiteral("items"));
        }
        const QString status = itemStatus(items.at(position));
        if (status != kPending) {
            return Error::make(ErrorCode::InvalidTaskState,
                               QStringLiteral("items[%1] is %2, so it cannot be decided any more.").arg(position).arg(status),
                               QStringLiteral("items[%1]").arg(position));
        }
        positions.append(position);
    }
    std::sort(positions.begin(), positions.end());
    return positions;
}

QList<int> closePending(QJsonObject &doc, const QString &status)
{
    QJsonArray items = doc.value(QStringLiteral("items")).toArray();
    QList<int> closed;
    for (int i = 0; i < items.size(); ++i) {
        if (itemStatus(items.at(i)) != kPending)
            continue;
        QJsonObject item = items.at(i).toObject();
        item.insert(QStringLiteral("status"), status);
        items.replace(i, item);
        closed.append(i);
    }
    doc.insert(QStringLiteral("items"), items);
    return closed;
}

Store::TaskRecord itemView(const Store::TaskRecord &task, int position)
{
    const QJsonObject item = task.doc.value(QStringLiteral("items")).toArray().at(position).toObject();
    Store::TaskRecord view = task;
    for (const char *member : {"resource", "action", "requested_access", "binding_context_members", "evaluation"})
        view.doc.insert(QLatin1String(member), item.value(QLatin1String(member)));
    view.doc.remove(QStringLiteral("items"));
    const QString evaluationId = item.value(QStringLiteral("evaluation")).toObject()
                                     .value(QStringLiteral("evaluation_id")).toString();
    if (!evaluationId.isEmpty())
        view.evaluationId = evaluationId;
    return view;
}

QList<Store::DecisionRecord> decisionsFor(const QList<Store::DecisionRecord> &decisions, int position)
{
    QList<Store::DecisionRecord> selected;
    for (const Store::DecisionRecord &decision : decisions) {
        if (decision.item == position)
            selected.append(decision);
    }
    return selected;
}

Result<void> recordItemDecision(Store::WriteTx &tx, const Store::TaskRecord &task, int position, const QString &actor,
                                const QJsonObject &data)
{
    const Store::TaskRecord view = itemView(task, position);
    if (auto r = Internal::audit(tx, QStringLiteral("task.progressed"), actor, view, data,
                                 data.value(QStringLiteral("approval_id")).toString());
        !r)
        return r;
    QJsonObject eventData = data;
    eventData.insert(QStringLiteral("approver"), actor);
    return Internal::event(tx, QStringLiteral("task.progressed"), view, eventData);
}

Result<Store::TaskRecord> settle(Store::WriteTx &tx, Store::TaskRecord task, const QString &actor,
                                 const QJsonObject &data)
{
    const QString aggregate = aggregateStatus(task.doc.value(QStringLiteral("items")).toArray());
    if (aggregate == kPending) {
        if (auto r = tx.updateTaskDoc(task.id, task.doc); !r)
            return r.error();
        return task;
    }
    // The store lets a task leave `pending` once, so a bulk task ends exactly when its last
    // pending item does.
    if (auto r = Internal::finish(tx, task, aggregate, actor, data); !r)
        return r.error();
    task.status = aggregate;
    return task;
}

Result<void> decide(Store::WriteTx &tx, Internal::TaskBundle &bundle, const Policy::Template &tmpl,
                    const Identity &approver, const DecisionInput &input, const EscalationConfig &config,
                    const Jose::SigningKey &key)
{
    Store::TaskRecord &task = bundle.task;
    QJsonArray items = task.doc.value(QStringLiteral("items")).toArray();
    auto positions = selectPending(input.items, items);
    if (!positions)
        return positions.error();

    // Every chosen item is checked before anything is written, so a refusal decides nothing.
    QList<int> steps;
    for (const int position : positions.value()) {
        auto step = checkEligibility(approver, itemView(task, position), tmpl, decisionsFor(bundle.decisions, position));
        if (!step)
            return forItem(position, step.error());
        steps.append(step.value());
    }
    if (input.approve) {
        if (auto exactScope = requireExactScope(input.scope, task, positions->first(), tmpl); !exactScope)
            return exactScope;
    }
    const QJsonObject exact{{QStringLiteral("mode"), QStringLiteral("exact")}};

    const QString decisionName = input.approve ? QStringLiteral("approve") : QStringLiteral("deny");
    for (qsizetype k = 0; k < positions->size(); ++k) {
        const int position = positions->at(k);
        Store::DecisionRecord decision;
        decision.taskId = task.id;
        decision.item = position;
        decision.step = steps.at(k);
        decision.approver = approver.id;
        decision.decision = decisionName;
        decision.comment = input.comment;
        decision.reason = input.reason;
        decision.atMs = tx.nowMs();
        if (auto r = tx.insertDecision(decision); !r)
            return r;
        bundle.decisions.append(decision);

        QJsonObject item = items.at(position).toObject();
        QJsonObject data{{QStringLiteral("item"), position},
                         {QStringLiteral("decision"), decisionName},
                         {QStringLiteral("step"), decision.step + 1},
                         {QStringLiteral("comment"), input.comment},
                         {QStringLiteral("reason"), input.reason}};
        if (!input.approve) {
            item.insert(QStringLiteral("status"), QStringLiteral("denied"));
            item.insert(QStringLiteral("decided_by"), approver.id);
        } else if (progressOf(tmpl, decisionsFor(bundle.decisions, position)).complete) {
            auto approval = Internal::issueApproval(tx, itemView(task, position), position, tmpl,
                                                    requestedUntil(input, item), exact, config, key);
            if (!approval)
                return approval.error();
            item.insert(QStringLiteral("status"), QStringLiteral("approved"));
            item.insert(QStringLiteral("decided_by"), approver.id);
            item.insert(QStringLiteral("approval_id"), approval->id);
            data.insert(QStringLiteral("approval_id"), approval->id);
            data.insert(QStringLiteral("approved_until"), Rfc3339::format(approval->untilMs));
        }
        data.insert(QStringLiteral("status"), itemStatus(item));
        items.replace(position, item);
        if (auto r = recordItemDecision(tx, task, position, approver.id, data); !r)
            return r;
    }

    task.doc.insert(QStringLiteral("items"), items);
    auto settled = settle(tx, task, approver.id,
                          QJsonObject{{QStringLiteral("decision"), decisionName},
                                      {QStringLiteral("items"), positionsArray(positions.value())},
                                      {QStringLiteral("comment"), input.comment},
                                      {QStringLiteral("reason"), input.reason}});
    if (!settled)
        return settled.error();
    task = settled.value();
    return {};
}

Result<QList<QPair<QJsonObject, QJsonObject>>> coveredPairs(const QJsonValue &requestedItems, const QJsonValue &scope,
                                                            const Store::TaskRecord &task, const Policy::Template &tmpl)
{
    const QJsonArray items = task.doc.value(QStringLiteral("items")).toArray();
    auto positions = selectPending(requestedItems, items);
    if (!positions)
        return positions.error();
    if (auto exactScope = requireExactScope(scope, task, positions->first(), tmpl); !exactScope)
        return exactScope.error();

    QList<QPair<QJsonObject, QJsonObject>> pairs;
    for (const int position : positions.value()) {
        const QJsonObject item = items.at(position).toObject();
        pairs.append({item.value(QStringLiteral("resource")).toObject(), item.value(QStringLiteral("action")).toObject()});
    }
    return pairs;
}

QString describe(const Store::TaskRecord &task, const QList<QPair<QJsonObject, QJsonObject>> &pairs,
                 const QString &until)
{
    QStringList grants;
    for (const auto &[resource, action] : pairs) {
        grants.append(action.value(QStringLiteral("name")).toString() + u' ' + resource.value(QStringLiteral("type")).toString()
                      + u' ' + resource.value(QStringLiteral("id")).toString());
    }
    return QStringLiteral("%1 may %2 until %3")
        .arg(task.doc.value(QStringLiteral("subject")).toObject().value(QStringLiteral("id")).toString(),
             grants.join(QStringLiteral(", ")), until);
}

QJsonArray handleItems(const Store::TaskRecord &task, const QList<Store::ApprovalRecord> &approvals)
{
    QJsonArray list;
    const QJsonArray items = task.doc.value(QStringLiteral("items")).toArray();
    for (int i = 0; i < items.size(); ++i) {
        const QJsonObject item = items.at(i).toObject();
        QJsonObject entry{{QStringLiteral("resource"), item.value(QStringLiteral("resource"))},
                          {QStringLiteral("action"), item.value(QStringLiteral("action"))},
                          {QStringLiteral("status"), itemStatus(item)}};
        // Only the item's own approval authorizes it; the task has no result of its own.
        const QString approvalId = item.value(QStringLiteral("approval_id")).toString();
        for (const Store::ApprovalRecord &approval : approvals) {
            if (approval.item != i || approval.id != approvalId || itemStatus(item) != QLatin1String("approved"))
                continue;
            entry.insert(QStringLiteral("result"),
                         QJsonObject{{QStringLiteral("mode"), QStringLiteral("reevaluate")},
                                     {QStringLiteral("approval"), TaskView::approvalObject(approval)}});
        }
        list.append(entry);
    }
    return list;
}

QJsonArray adminItems(const Store::TaskRecord &task)
{
    QJsonArray list;
    for (const QJsonValue &value : task.doc.value(QStringLiteral("items")).toArray()) {
        const QJsonObject item = value.toObject();
        QJsonObject entry{{QStringLiteral("resource"), item.value(QStringLiteral("resource"))},
                          {QStringLiteral("action"), item.value(QStringLiteral("action"))},
                          {QStringLiteral("status"), itemStatus(item)},
                          {QStringLiteral("requested_access"), item.value(QStringLiteral("requested_access"))}};
        for (const char *member : {"decided_by", "approval_id"}) {
            const QString text = item.value(QLatin1String(member)).toString();
            if (!text.isEmpty())
                entry.insert(QLatin1String(member), text);
        }
        list.append(entry);
    }
    return list;
}

} // namespace Recourse::Escalation::BulkTask
