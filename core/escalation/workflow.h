#pragma once

#include "core/base/result.h"
#include "core/escalation/identities.h"
#include "core/policy/policy.h"
#include "core/store/records.h"

#include <QJsonObject>

namespace Recourse::Escalation {

// Where a task's approval workflow stands, computed from the template and the decisions so far.
// One approval of a workflow step: who gave it and when.
struct StepApproval
{
    QString approver;
    qint64 atMs = 0;
};

struct WorkflowProgress
{
    QList<QList<StepApproval>> approvalsPerStep; // each step's approvals, in template order
    bool denied = false;
    bool complete = false; // every step reached its quorum
    int currentStep = 0;   // zero-based index of the first incomplete step

    QJsonObject toJson(const Policy::Template &tmpl) const;
};

WorkflowProgress progressOf(const Policy::Template &tmpl, const QList<Store::DecisionRecord> &decisions);

// The eligibility check of every person's decision (approver API, batch decisions, bulk items):
// returns the zero-based step the identity may decide, or NotEligible with the reason.
// These identities are refused: one that cannot decide, the subject, the requester, any principal
// of the actor chain, and a member of one of the template's conflicting groups. So is an identity
// that already decided this task or that is in no group of an incomplete step.
Result<int> checkEligibility(const Identity &approver, const Store::TaskRecord &task, const Policy::Template &tmpl,
                             const QList<Store::DecisionRecord> &decisions);

// The id that automatic approvals decide and are recorded under.
inline constexpr QStringView kAutomatedApproverId = u"policy:auto-approval";

// Checks an automatic approval with the same chain and conflict rules as checkEligibility().
// No person reviews an automatic approval, so the evaluator counts as a member of the subject's
// groups ("subject.properties.groups"). A subject in a conflicting group therefore makes the
// evaluator ineligible, and the task waits for people.
Result<void> checkAutomatedEligibility(const Store::TaskRecord &task, const Policy::Template &tmpl);

} // namespace Recourse::Escalation
