#pragma once

#include "core/base/result.h"
#include "core/escalation/identities.h"
#include "core/policy/policy.h"
#include "core/store/records.h"

#include <QJsonObject>

namespace Recourse::Escalation {

// Where a task's approval workflow stands, computed from the template and the decisions so far.
struct WorkflowProgress
{
    QList<QStringList> approversPerStep; // who approved each step, in template order
    bool denied = false;
    bool complete = false; // every step reached its quorum
    int currentStep = 0;   // zero-based index of the first incomplete step

    QJsonObject toJson(const Policy::Template &tmpl) const;
};

WorkflowProgress progressOf(const Policy::Template &tmpl, const QList<Store::DecisionRecord> &decisions);

// The one eligibility check every path goes through (approver API, batch decisions, automatic
// approvals): returns the zero-based step the identity may decide, or NotEligible with the reason.
// Refused: identities that cannot decide; the subject; the requester; any principal of the actor
// chain; an identity that already decided this task; an identity in no group of an incomplete step.
Result<int> checkEligibility(const Identity &approver, const Store::TaskRecord &task, const Policy::Template &tmpl,
                             const QList<Store::DecisionRecord> &decisions);

} // namespace Recourse::Escalation
