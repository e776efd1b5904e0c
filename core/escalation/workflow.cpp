#include "core/escalation/workflow.h"

#include "core/escalation/binding.h"

#include <QJsonArray>

namespace Recourse::Escalation {

namespace {

Error notEligible(const QString &message, const QString &value)
{
    return Error::make(ErrorCode::NotEligible, message, value);
}

bool intersects(const QStringList &a, const QStringList &b)
{
    for (const QString &item : a) {
        if (b.contains(item))
            return true;
    }
    return false;
}

} // namespace

WorkflowProgress progressOf(const Policy::Template &tmpl, const QList<Store::DecisionRecord> &decisions)
{
    WorkflowProgress progress;
    progress.approversPerStep.resize(tmpl.steps.size());
    for (const Store::DecisionRecord &decision : decisions) {
        if (decision.decision == QLatin1String("deny"))
            progress.denied = true;
        else if (decision.step >= 0 && decision.step < progress.approversPerStep.size())
            progress.approversPerStep[decision.step].append(decision.approver);
    }

    progress.complete = true;
    progress.currentStep = int(tmpl.steps.size());
    for (int step = 0; step < tmpl.steps.size(); ++step) {
        if (progress.approversPerStep.at(step).size() < tmpl.steps.at(step).quorum) {
            progress.complete = false;
            progress.currentStep = qMin(progress.currentStep, step);
        }
    }
    return progress;
}

QJsonObject WorkflowProgress::toJson(const Policy::Template &tmpl) const
{
    QJsonArray steps;
    QStringList awaiting;
    for (int i = 0; i < tmpl.steps.size(); ++i) {
        const Policy::WorkflowStep &step = tmpl.steps.at(i);
        const bool stepComplete = approversPerStep.value(i).size() >= step.quorum;
        QJsonArray approvals;
        for (const QString &approver : approversPerStep.value(i))
            approvals.append(approver);
        steps.append(QJsonObject{{QStringLiteral("name"), step.name},
                                 {QStringLiteral("groups"), QJsonArray::fromStringList(step.groups)},
                                 {QStringLiteral("quorum"), step.quorum},
                                 {QStringLiteral("approvals"), approvals},
                                 {QStringLiteral("complete"), stepComplete}});
        if (!stepComplete && !denied)
            awaiting.append(step.groups);
    }
    awaiting.removeDuplicates();
    return QJsonObject{{QStringLiteral("steps"), steps},
                       {QStringLiteral("current_step"), qMin(currentStep + 1, int(tmpl.steps.size()))},
                       {QStringLiteral("total_steps"), int(tmpl.steps.size())},
                       {QStringLiteral("awaiting_groups"), QJsonArray::fromStringList(awaiting)}};
}

Result<int> checkEligibility(const Identity &approver, const Store::TaskRecord &task, const Policy::Template &tmpl,
                             const QList<Store::DecisionRecord> &decisions)
{
    if (!approver.canDecide())
        return notEligible(QStringLiteral("The identity %1 cannot decide tasks.").arg(approver.id), approver.id);

    // Self-approval across the whole chain: the subject, the PEP identity that submitted, and
    // every principal the submission names as acting for the subject.
    if (approver.id == task.subjectId) {
        return notEligible(QStringLiteral("%1 is the subject of this request and cannot decide it.").arg(approver.id),
                           approver.id);
    }
    if (approver.id == task.requester) {
        return notEligible(QStringLiteral("%1 submitted this request and cannot decide it.").arg(approver.id),
                           approver.id);
    }
    const QStringList chain = Binding::actorIds(task.doc.value(QStringLiteral("actor_chain")).toArray());
    if (chain.contains(approver.id)) {
        return notEligible(QStringLiteral("%1 acts in this request's actor chain and cannot decide it.").arg(approver.id),
                           approver.id);
    }

    // Separation of duties: one person decides at most one step of a task.
    for (const Store::DecisionRecord &decision : decisions) {
        if (decision.approver == approver.id) {
            return notEligible(QStringLiteral("%1 already decided this task.").arg(approver.id), approver.id);
        }
    }

    const WorkflowProgress progress = progressOf(tmpl, decisions);
    for (int step = 0; step < tmpl.steps.size(); ++step) {
        const bool stepComplete = progress.approversPerStep.at(step).size() >= tmpl.steps.at(step).quorum;
        if (!stepComplete && intersects(approver.groups, tmpl.steps.at(step).groups))
            return step;
    }
    QStringList awaited;
    for (int step = 0; step < tmpl.steps.size(); ++step) {
        if (progress.approversPerStep.at(step).size() < tmpl.steps.at(step).quorum)
            awaited.append(tmpl.steps.at(step).groups);
    }
    awaited.removeDuplicates();
    return notEligible(QStringLiteral("%1 is not in a group this task awaits (%2).")
                           .arg(approver.id, awaited.join(QStringLiteral(", "))),
                       approver.id);
}

} // namespace Recourse::Escalation
