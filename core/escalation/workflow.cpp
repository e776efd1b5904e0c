#include "core/escalation/workflow.h"

#include "core/base/rfc3339.h"
#include "core/escalation/binding.h"

#include <QJsonArray>

#include <optional>

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

// The first of `groups` that the template lists as conflicting, or an empty string.
QString firstConflict(const QStringList &groups, const Policy::Template &tmpl)
{
    for (const QString &group : groups) {
        if (tmpl.conflictingGroups.contains(group))
            return group;
    }
    return {};
}

// The rules every decider passes, a person or an automatic approval: not the subject, the
// requester or an actor of the chain, and in none of the template's conflicting groups.
Result<void> checkIndependence(const QString &deciderId, const QStringList &deciderGroups,
                               const Store::TaskRecord &task, const Policy::Template &tmpl)
{
    // Self-approval across the whole chain: the subject, the PEP identity that submitted, and
    // every principal the submission names as acting for the subject.
    if (deciderId == task.subjectId) {
        return notEligible(QStringLiteral("%1 is the subject of this request and cannot decide it.").arg(deciderId),
                           deciderId);
    }
    if (deciderId == task.requester) {
        return notEligible(QStringLiteral("%1 submitted this request and cannot decide it.").arg(deciderId),
                           deciderId);
    }
    const QStringList chain = Binding::actorIds(task.doc.value(QStringLiteral("actor_chain")).toArray());
    if (chain.contains(deciderId)) {
        return notEligible(QStringLiteral("%1 acts in this request's actor chain and cannot decide it.").arg(deciderId),
                           deciderId);
    }

    // Separation of duties: a holder of a role that conflicts with this access may not grant it.
    const QString conflict = firstConflict(deciderGroups, tmpl);
    if (!conflict.isEmpty()) {
        return notEligible(QStringLiteral("%1 is in group %2, which conflicts with template %3, and cannot decide it.")
                               .arg(deciderId, conflict, tmpl.name),
                           deciderId);
    }
    return {};
}

// Returns the string entries of the task subject's "properties.groups", as the PEP sent them.
// Returns the groups the request names for its subject, or nullopt when it names none. A missing
// `subject.properties.groups` leaves membership unknown, unlike an empty list.
std::optional<QStringList> subjectGroups(const Store::TaskRecord &task)
{
    const QJsonValue groups = task.doc.value(QStringLiteral("subject")).toObject()
                                  .value(QStringLiteral("properties")).toObject()
                                  .value(QStringLiteral("groups"));
    if (!groups.isArray())
        return std::nullopt;
    QStringList names;
    for (const QJsonValue &group : groups.toArray()) {
        if (group.isString())
            names.append(group.toString());
    }
    return names;
}

} // namespace

WorkflowProgress progressOf(const Policy::Template &tmpl, const QList<Store::DecisionRecord> &decisions)
{
    WorkflowProgress progress;
    progress.approvalsPerStep.resize(tmpl.steps.size());
    for (const Store::DecisionRecord &decision : decisions) {
        if (decision.decision == QLatin1String("deny")) {
            progress.denied = true;
        } else if (decision.step >= 0 && decision.step < progress.approvalsPerStep.size()) {
            progress.approvalsPerStep[decision.step].append(StepApproval{decision.approver, decision.atMs});
        }
    }

    progress.complete = true;
    progress.currentStep = int(tmpl.steps.size());
    for (int step = 0; step < tmpl.steps.size(); ++step) {
        if (progress.approvalsPerStep.at(step).size() < tmpl.steps.at(step).quorum) {
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
        const bool stepComplete = approvalsPerStep.value(i).size() >= step.quorum;
        QJsonArray approvals;
        for (const StepApproval &approval : approvalsPerStep.value(i)) {
            approvals.append(QJsonObject{{QStringLiteral("approver"), approval.approver},
                                         {QStringLiteral("at"), Rfc3339::format(approval.atMs)}});
        }
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

    if (auto independent = checkIndependence(approver.id, approver.groups, task, tmpl); !independent)
        return independent.error();

    // Separation of duties: one person decides at most one step of a task.
    for (const Store::DecisionRecord &decision : decisions) {
        if (decision.approver == approver.id) {
            return notEligible(QStringLiteral("%1 already decided this task.").arg(approver.id), approver.id);
        }
    }

    const WorkflowProgress progress = progressOf(tmpl, decisions);
    for (int step = 0; step < tmpl.steps.size(); ++step) {
        const bool stepComplete = progress.approvalsPerStep.at(step).size() >= tmpl.steps.at(step).quorum;
        if (!stepComplete && intersects(approver.groups, tmpl.steps.at(step).groups))
            return step;
    }
    QStringList awaited;
    for (int step = 0; step < tmpl.steps.size(); ++step) {
        if (progress.approvalsPerStep.at(step).size() < tmpl.steps.at(step).quorum)
            awaited.append(tmpl.steps.at(step).groups);
    }
    awaited.removeDuplicates();
    return notEligible(QStringLiteral("%1 is not in a group this task awaits (%2).")
                           .arg(approver.id, awaited.join(QStringLiteral(", "))),
                       approver.id);
}

Result<void> checkAutomatedEligibility(const Store::TaskRecord &task, const Policy::Template &tmpl)
{
    const QString automated = kAutomatedApproverId.toString();
    if (auto independent = checkIndependence(automated, {}, task, tmpl); !independent)
        return independent;

    if (tmpl.conflictingGroups.isEmpty())
        return {};

    // The evaluator replaces a person's judgement on the subject's behalf, so the subject's groups
    // count as its groups. A request without groups goes to a person, because otherwise a PEP
    // could skip separation of duties by leaving the groups out.
    const std::optional<QStringList> groups = subjectGroups(task);
    if (!groups) {
        return notEligible(QStringLiteral("The request names no subject.properties.groups for %1, so an automatic "
                                          "approval cannot check it against the conflicting groups of template %2 "
                                          "and it waits for an approver.")
                               .arg(task.subjectId, tmpl.name),
                           QStringLiteral("subject.properties.groups"));
    }
    const QString conflict = firstConflict(*groups, tmpl);
    if (!conflict.isEmpty()) {
        return notEligible(QStringLiteral("The subject %1 is in group %2, which conflicts with template %3, so an "
                                          "automatic approval cannot decide this request and it waits for an approver.")
                               .arg(task.subjectId, conflict, tmpl.name),
                           conflict);
    }
    return {};
}

} // namespace Recourse::Escalation
