// Approval first, access a few seconds later: the arap-conformance pack's slow_provisioning
// template returns grant_pending with retry_after until its provisioning_delay has passed.

#include "demo/scenarios/scenariosteps.h"

namespace Recourse::Demo {

namespace {

constexpr int kMaxRetries = 5;

} // namespace

Result<void> runGrantPending(ScenarioContext &context)
{
    ScenarioSteps steps(context);
    const QJsonObject request{
        {QStringLiteral("subject"), QJsonObject{{QStringLiteral("type"), QStringLiteral("user")},
                                                {QStringLiteral("id"), QStringLiteral("alice")}}},
        {QStringLiteral("resource"), QJsonObject{{QStringLiteral("type"), QStringLiteral("document")},
                                                 {QStringLiteral("id"), QStringLiteral("q4-plan")}}},
        {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_write")}}},
    };

    steps.step(QStringLiteral("Alice's editor asks the PDP: may alice write document q4-plan?"));
    auto denied = steps.ask(request);
    if (!denied)
        return denied.error();
    if (!Pep::ReferencePep::isRequestable(denied.value())) {
        return unexpected(QStringLiteral("Writing q4-plan should be a requestable denial; run the service with "
                                         "--policy arap-conformance."));
    }

    steps.step(QStringLiteral("The editor submits an access request bound to that denial."));
    auto submitted = steps.submit(request, denied.value(), QStringLiteral("Updating the Q4 plan after the review."), 0);
    if (!submitted)
        return submitted.error();
    auto completed = steps.waitForDecision(submitted->body.value(QStringLiteral("task")).toObject());
    if (!completed)
        return completed.error();
    auto approval = Pep::ReferencePep::approvalFrom(completed.value());
    if (!approval)
        return approval.error();

    steps.step(QStringLiteral("Approved. The editor re-evaluates at once, before the document store has provisioned "
                              "the access."));
    bool sawPending = false;
    for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
        auto decision = steps.askWith(request, approval.value());
        if (!decision)
            return decision.error();
        if (permits(decision.value())) {
            if (!sawPending)
                steps.note(QStringLiteral("Provisioning had already finished."));
            steps.note(QStringLiteral("The editor opens q4-plan for writing."));
            steps.out() << "Done: grant_pending told the PEP to retry, not to ask again.\n";
            return {};
        }
        if (reasonOf(decision.value()) != QLatin1String("grant_pending")
            || nextActionOf(decision.value()) != QLatin1String("retry")) {
            return unexpected(QStringLiteral("While provisioning the PDP should answer grant_pending with next_action "
                                             "retry; it said: %1.").arg(describeDecision(decision.value())));
        }
        sawPending = true;
        const int retryAfter = qMax(1, decision->value(QStringLiteral("context")).toObject()
                                           .value(QStringLiteral("retry_after")).toInt(1));
        steps.note(QStringLiteral("The PEP follows next_action \"retry\": same approval, no new request, in %1 s.")
                       .arg(retryAfter));
        steps.advanceClock(retryAfter);
    }
    return unexpected(QStringLiteral("The access was still not provisioned after %1 retries.").arg(kMaxRetries));
}

} // namespace Recourse::Demo
