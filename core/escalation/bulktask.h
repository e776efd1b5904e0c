#pragma once

// Bulk Access Requests: one submission with several (resource, action) items, each decided and
// approved on its own, and an aggregate task status computed from the items. Not a public API.
//
// A bulk task stores its items in the task document as `items`, positionally matching the
// submission: {resource, action, status, requested_access, binding_context_members, evaluation,
// denial, decided_by, approval_id}. The task's status column contains the aggregate status.

#include "core/escalation/denialbinding.h"
#include "core/escalation/internal.h"

#include <QJsonArray>

#include <optional>

namespace Recourse::Escalation::BulkTask {

// At most this many items in one submission: each item is evaluated, bound and approved on its
// own inside one store transaction.
inline constexpr qsizetype kMaxItems = 100;

bool isBulk(const Store::TaskRecord &task);
bool isTerminal(const QString &status);

// The aggregate status of a bulk task: `pending` while any item is not terminal, the items'
// status when they all share one, otherwise `partial`.
QString aggregateStatus(const QJsonArray &items);

// The positions a decision applies to. `requested` lists zero-based positions; absent or null
// means every pending item. Fails with InvalidRequest for a malformed list and with
// InvalidTaskState when a listed item is no longer pending.
Result<QList<int>> selectPending(const QJsonValue &requested, const QJsonArray &items);

// Moves every pending item of a bulk task document to `status` and returns their positions.
QList<int> closePending(QJsonObject &doc, const QString &status);

// The task narrowed to item `position`, so the single-item steps (eligibility, scope, approval,
// audit) apply unchanged: the document's resource, action, requested_access, evaluation and
// binding_context_members, and the evaluation id, are the item's.
Store::TaskRecord itemView(const Store::TaskRecord &task, int position);

// The decisions recorded for item `position`.
QList<Store::DecisionRecord> decisionsFor(const QList<Store::DecisionRecord> &decisions, int position);

// Records one item's decision: the audit record and the `task.progressed` event, both naming the
// item and carrying its resource and action.
Result<void> recordItemDecision(Store::WriteTx &tx, const Store::TaskRecord &task, int position, const QString &actor,
                                const QJsonObject &data);

// Stores the task's items and, once no item is pending, ends the task with the aggregate status
// (its audit record and `task.<status>` event). Returns the task as stored.
Result<Store::TaskRecord> settle(Store::WriteTx &tx, Store::TaskRecord task, const QString &actor,
                                 const QJsonObject &data);

// Submission side (bulksubmission.cpp).

// Checks the structure of a bulk submission body (one with `items`) before any signature, store
// or policy work. Fails with InvalidRequest, InvalidCallback or InvalidDenialBinding and the
// offending member, for example "items[2].resource", as the error value.
Result<void> validateSubmission(const QJsonObject &body);

// Every denial of a bulk submission with its token signature checked: one per item that carries
// its own, plus the top-level bundle denial when some item lacks one.
struct PresentedDenials
{
    QList<std::optional<Internal::PresentedDenial>> items;
    std::optional<Internal::PresentedDenial> bundle;
};
PresentedDenials presentDenials(const QJsonObject &body, const EscalationConfig &config, const Jose::KeySet &keys,
                                qint64 nowSeconds);

// Verifies every item's binding: its own denial, or the bundle denial over all items in order.
// Then requires one template for all items and current policy to keep each item requestable.
// Inserts the pending task and links each denied evaluation to it.
Result<Store::TaskRecord> createTask(Store::WriteTx &tx, const QJsonObject &body, const PresentedDenials &presented,
                                     const Policy::PolicySet &policy, qint64 skewMs, const QString &requester,
                                     const QJsonArray &actorChain);

// Approves, at submission, every item the template's auto-approval rule accepts. Returns the
// updated task; its status is `approved` when every item was.
Result<Store::TaskRecord> autoApprove(Store::WriteTx &tx, Store::TaskRecord task, const Policy::Template &tmpl,
                                      const Policy::PolicySet &policy, const EscalationConfig &config,
                                      const Jose::SigningKey &key);

// Decision side (bulktask.cpp).

struct DecisionInput
{
    bool approve = false;
    QJsonValue items; // the body's `items`: positions, or absent for every pending item
    QJsonValue scope;
    qint64 approvedUntilMs = 0; // 0 when the approver named no end
    QString comment;
    QString reason;
};

// Records one approver's decision on the chosen items of a pending bulk task: per item the
// eligibility check, the workflow step, and an approval of its own once the item's workflow
// completes. Ends the task with the aggregate status once no item is pending. Every item is
// checked before anything is written, so a refusal decides nothing.
Result<void> decide(Store::WriteTx &tx, Internal::TaskBundle &bundle, const Policy::Template &tmpl,
                    const Identity &approver, const DecisionInput &input, const EscalationConfig &config,
                    const Jose::SigningKey &key);

// The resource and action pairs that approving the chosen items would cover, for the approval
// preview. Items are chosen and the scope is checked as decide() does.
Result<QList<QPair<QJsonObject, QJsonObject>>> coveredPairs(const QJsonValue &requestedItems, const QJsonValue &scope,
                                                            const Store::TaskRecord &task, const Policy::Template &tmpl);

// "alice may can_read document q4-plan, can_read document q4-budget until <until>".
QString describe(const Store::TaskRecord &task, const QList<QPair<QJsonObject, QJsonObject>> &pairs,
                 const QString &until);

// Views (bulktask.cpp).

// The Task Handle's `items`: {resource, action, status} per item, plus `result` for an approved
// item, carrying that item's own approval.
QJsonArray handleItems(const Store::TaskRecord &task, const QList<Store::ApprovalRecord> &approvals);

// The approver API's `items`: {resource, action, status, requested_access} per item, plus
// `decided_by` and `approval_id` once known.
QJsonArray adminItems(const Store::TaskRecord &task);

} // namespace Recourse::Escalation::BulkTask
