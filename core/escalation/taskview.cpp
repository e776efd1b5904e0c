#include "core/escalation/taskview.h"

#include "core/base/rfc3339.h"
#include "core/escalation/bulktask.h"

#include <QJsonArray>

namespace Recourse::Escalation::TaskView {

namespace {

QString statusEndpoint(const EscalationConfig &config, const QString &taskId)
{
    return config.accessRequestEndpoint + u'/' + taskId;
}

// The item whose workflow stands for a bulk task's: the first pending item, else the first one.
int focusItem(const Store::TaskRecord &task)
{
    const QJsonArray items = task.doc.value(QStringLiteral("items")).toArray();
    for (int i = 0; i < items.size(); ++i) {
        if (items.at(i).toObject().value(QStringLiteral("status")).toString() == QLatin1String("pending"))
            return i;
    }
    return 0;
}

// The decisions that make up the task's workflow progress: all of them for a single-item task,
// and the focus item's for a bulk task, because every item runs the template's workflow on its own.
QList<Store::DecisionRecord> workflowDecisions(const Store::TaskRecord &task,
                                               const QList<Store::DecisionRecord> &decisions)
{
    if (!BulkTask::isBulk(task))
        return decisions;
    return BulkTask::decisionsFor(decisions, focusItem(task));
}

// Whether `viewer` may decide the task now, and why not: for a bulk task, eligible for at least
// one pending item.
QString cannotDecideReason(const Store::TaskRecord &task, const Policy::Template *tmpl,
                           const QList<Store::DecisionRecord> &decisions, const Identity &viewer)
{
    if (task.status != QLatin1String("pending")) {
        return task.decidedBy.isEmpty() ? QStringLiteral("The task is %1.").arg(task.status)
                                        : QStringLiteral("Decided by %1.").arg(task.decidedBy);
    }
    if (!tmpl)
        return QStringLiteral("The template %1 is no longer in the policy.").arg(task.templateName);
    if (!BulkTask::isBulk(task)) {
        auto eligible = checkEligibility(viewer, task, *tmpl, decisions);
        return eligible ? QString() : eligible.error().message;
    }

    QString firstReason;
    const QJsonArray items = task.doc.value(QStringLiteral("items")).toArray();
    for (int i = 0; i < items.size(); ++i) {
        if (items.at(i).toObject().value(QStringLiteral("status")).toString() != QLatin1String("pending"))
            continue;
        auto eligible = checkEligibility(viewer, BulkTask::itemView(task, i), *tmpl, BulkTask::decisionsFor(decisions, i));
        if (eligible)
            return {};
        if (firstReason.isEmpty())
            firstReason = QStringLiteral("items[%1]: ").arg(i) + eligible.error().message;
    }
    return firstReason;
}

} // namespace

QJsonObject handle(const Store::TaskRecord &task, const EscalationConfig &config, const Policy::Template *tmpl,
                   const QList<Store::DecisionRecord> &decisions)
{
    QJsonObject handle{
        {QStringLiteral("id"), task.id},
        {QStringLiteral("status"), task.status},
        {QStringLiteral("status_endpoint"), statusEndpoint(config, task.id)},
        {QStringLiteral("expires_at"), Rfc3339::format(task.expiresMs)},
    };
    if (task.status == QLatin1String("pending")) {
        handle.insert(QStringLiteral("links"),
                      QJsonObject{{QStringLiteral("cancel"), QString(statusEndpoint(config, task.id) + QStringLiteral("/cancel"))}});
    }
    if (tmpl && !tmpl->steps.isEmpty()) {
        const WorkflowProgress progress = progressOf(*tmpl, workflowDecisions(task, decisions));
        const int current = qMin(progress.currentStep, int(tmpl->steps.size()) - 1);
        handle.insert(QStringLiteral("progress"),
                      QJsonObject{{QStringLiteral("current_step"), current + 1},
                                  {QStringLiteral("total_steps"), int(tmpl->steps.size())},
                                  {QStringLiteral("step_name"), tmpl->steps.at(current).name}});
    }
    const QJsonObject display = task.doc.value(QStringLiteral("display")).toObject();
    if (!display.isEmpty())
        handle.insert(QStringLiteral("display"), display);
    return handle;
}

QJsonObject approvalObject(const Store::ApprovalRecord &approval)
{
    return QJsonObject{
        {QStringLiteral("id"), approval.id},
        {QStringLiteral("approved_at"), Rfc3339::format(approval.approvedMs)},
        {QStringLiteral("approved_until"), Rfc3339::format(approval.untilMs)},
        {QStringLiteral("state"), approval.state},
    };
}

QJsonObject statusBody(const Store::TaskRecord &task, const EscalationConfig &config, const Policy::Template *tmpl,
                       const QList<Store::DecisionRecord> &decisions, const QList<Store::ApprovalRecord> &approvals)
{
    QJsonObject taskHandle = handle(task, config, tmpl, decisions);
    // A bulk task has no top-level result: each approved item carries its own.
    if (BulkTask::isBulk(task)) {
        taskHandle.insert(QStringLiteral("items"), BulkTask::handleItems(task, approvals));
        return QJsonObject{{QStringLiteral("task"), taskHandle}};
    }
    QJsonObject body{{QStringLiteral("task"), taskHandle}};
    if (task.status == QLatin1String("approved") && !approvals.isEmpty()) {
        body.insert(QStringLiteral("result"),
                    QJsonObject{{QStringLiteral("mode"), QStringLiteral("reevaluate")},
                                {QStringLiteral("approval"), approvalObject(approvals.constLast())}});
    }
    return body;
}

QJsonObject adminTask(const Store::TaskRecord &task, const Policy::Template *tmpl,
                      const QList<Store::DecisionRecord> &decisions, const QList<Store::ApprovalRecord> &approvals,
                      const QList<Store::ReevaluationRecord> &reevaluations, const Identity &viewer, bool detail)
{
    const QJsonObject &doc = task.doc;
    QJsonObject object{
        {QStringLiteral("id"), task.id},
        {QStringLiteral("status"), task.status},
        {QStringLiteral("created_at"), Rfc3339::format(task.createdMs)},
        {QStringLiteral("updated_at"), Rfc3339::format(task.updatedMs)},
        {QStringLiteral("expires_at"), Rfc3339::format(task.expiresMs)},
        {QStringLiteral("template"), task.templateName},
        {QStringLiteral("template_title"), tmpl && !tmpl->title.isEmpty() ? tmpl->title : task.templateName},
        {QStringLiteral("subject"), doc.value(QStringLiteral("subject"))},
        {QStringLiteral("resource"), doc.value(QStringLiteral("resource"))},
        {QStringLiteral("action"), doc.value(QStringLiteral("action"))},
        {QStringLiteral("binding_context_members"), doc.value(QStringLiteral("binding_context_members"))},
        {QStringLiteral("requester"), QJsonObject{{QStringLiteral("id"), task.requester},
                                                  {QStringLiteral("client"), doc.value(QStringLiteral("client"))}}},
        {QStringLiteral("actor_chain"), doc.value(QStringLiteral("actor_chain"))},
        {QStringLiteral("requested_access"), doc.value(QStringLiteral("requested_access"))},
        {QStringLiteral("emergency"),
         doc.value(QStringLiteral("requested_access")).toObject().value(QStringLiteral("emergency")).toBool()},
    };
    const QString justification = doc.value(QStringLiteral("justification")).toString();
    if (!justification.isEmpty())
        object.insert(QStringLiteral("justification"), justification);
    if (!task.decidedBy.isEmpty())
        object.insert(QStringLiteral("decided_by"), task.decidedBy);
    // A bulk task names its resources and actions per item, never at the top level.
    if (BulkTask::isBulk(task)) {
        object.remove(QStringLiteral("resource"));
        object.remove(QStringLiteral("action"));
        object.insert(QStringLiteral("items"), BulkTask::adminItems(task));
    }

    if (tmpl)
        object.insert(QStringLiteral("workflow"), progressOf(*tmpl, workflowDecisions(task, decisions)).toJson(*tmpl));

    const QString cannotDecide = cannotDecideReason(task, tmpl, decisions, viewer);
    const bool canDecide = cannotDecide.isEmpty();
    object.insert(QStringLiteral("can_decide"), canDecide);
    if (!canDecide)
        object.insert(QStringLiteral("cannot_decide_reason"), cannotDecide);

    if (!detail)
        return object;

    object.insert(QStringLiteral("context"), doc.value(QStringLiteral("context")));
    object.insert(QStringLiteral("evaluation"), doc.value(QStringLiteral("evaluation")));
    // The console shows what one click on Approve grants and offers only the broadening the
    // template allows, so the limits appear before the decision rather than in a 400 after it.
    if (tmpl) {
        // Items of a bulk task are approved exactly as requested, whatever the template allows.
        const bool bulk = BulkTask::isBulk(task);
        object.insert(QStringLiteral("approval_limits"),
                      QJsonObject{{QStringLiteral("default_duration_seconds"), double(tmpl->effectiveDefaultSeconds())},
                                  {QStringLiteral("max_duration_seconds"), double(tmpl->maxDurationSeconds)},
                                  {QStringLiteral("broaden_resources"), !bulk && tmpl->broaden.resources},
                                  {QStringLiteral("broaden_actions"), !bulk && tmpl->broaden.actions}});
    }

    QJsonArray decisionList;
    for (const Store::DecisionRecord &decision : decisions) {
        QJsonObject entry{{QStringLiteral("approver"), decision.approver},
                          {QStringLiteral("decision"), decision.decision},
                          {QStringLiteral("step"), decision.step + 1},
                          {QStringLiteral("at"), Rfc3339::format(decision.atMs)}};
        if (decision.item >= 0)
            entry.insert(QStringLiteral("item"), decision.item);
        if (!decision.comment.isEmpty())
            entry.insert(QStringLiteral("comment"), decision.comment);
        if (!decision.reason.isEmpty())
            entry.insert(QStringLiteral("reason"), decision.reason);
        decisionList.append(entry);
    }
    object.insert(QStringLiteral("decisions"), decisionList);

    QJsonArray approvalList;
    for (const Store::ApprovalRecord &approval : approvals) {
        QJsonObject entry{{QStringLiteral("id"), approval.id},
                          {QStringLiteral("approved_at"), Rfc3339::format(approval.approvedMs)},
                          {QStringLiteral("approved_until"), Rfc3339::format(approval.untilMs)},
                          {QStringLiteral("scope"), approval.scope}};
        if (approval.item >= 0)
            entry.insert(QStringLiteral("item"), approval.item);
        if (approval.revokedMs > 0) {
            entry.insert(QStringLiteral("revoked_at"), Rfc3339::format(approval.revokedMs));
            entry.insert(QStringLiteral("revoked_by"), approval.revokedBy);
        }
        approvalList.append(entry);
    }
    object.insert(QStringLiteral("approvals"), approvalList);

    QJsonArray reevaluationList;
    for (const Store::ReevaluationRecord &r : reevaluations) {
        QJsonObject entry{{QStringLiteral("at"), Rfc3339::format(r.atMs)},
                          {QStringLiteral("decision"), r.decision},
                          {QStringLiteral("approval_id"), r.approvalId},
                          {QStringLiteral("resource"), r.resource},
                          {QStringLiteral("action"), r.action}};
        if (!r.reason.isEmpty())
            entry.insert(QStringLiteral("reason"), r.reason);
        if (!r.nextAction.isEmpty())
            entry.insert(QStringLiteral("next_action"), r.nextAction);
        reevaluationList.append(entry);
    }
    object.insert(QStringLiteral("reevaluations"), reevaluationList);
    return object;
}

} // namespace Recourse::Escalation::TaskView
