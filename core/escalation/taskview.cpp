#include "core/escalation/taskview.h"

#include "core/base/rfc3339.h"

#include <QJsonArray>

namespace Recourse::Escalation::TaskView {

namespace {

QString statusEndpoint(const EscalationConfig &config, const QString &taskId)
{
    return config.accessRequestEndpoint + u'/' + taskId;
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
        const WorkflowProgress progress = progressOf(*tmpl, decisions);
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
    QJsonObject body{{QStringLiteral("task"), handle(task, config, tmpl, decisions)}};
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
    if (doc.contains(QStringLiteral("items")))
        object.insert(QStringLiteral("items"), doc.value(QStringLiteral("items")));

    if (tmpl)
        object.insert(QStringLiteral("workflow"), progressOf(*tmpl, decisions).toJson(*tmpl));

    bool canDecide = false;
    QString cannotDecide;
    if (task.status != QLatin1String("pending")) {
        cannotDecide = task.decidedBy.isEmpty() ? QStringLiteral("The task is %1.").arg(task.status)
                                                : QStringLiteral("Decided by %1.").arg(task.decidedBy);
    } else if (!tmpl) {
        cannotDecide = QStringLiteral("The template %1 is no longer in the policy.").arg(task.templateName);
    } else if (auto eligible = checkEligibility(viewer, task, *tmpl, decisions); !eligible) {
        cannotDecide = eligible.error().message;
    } else {
        canDecide = true;
    }
    object.insert(QStringLiteral("can_decide"), canDecide);
    if (!canDecide)
        object.insert(QStringLiteral("cannot_decide_reason"), cannotDecide);

    if (!detail)
        return object;

    object.insert(QStringLiteral("context"), doc.value(QStringLiteral("context")));
    object.insert(QStringLiteral("evaluation"), doc.value(QStringLiteral("evaluation")));

    QJsonArray decisionList;
    for (const Store::DecisionRecord &decision : decisions) {
        QJsonObject entry{{QStringLiteral("approver"), decision.approver},
                          {QStringLiteral("decision"), decision.decision},
                          {QStringLiteral("step"), decision.step + 1},
                          {QStringLiteral("at"), Rfc3339::format(decision.atMs)}};
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
