// Approvals that end before the mission does: revoked by a person, or past approved_until.

#include "core/base/rfc3339.h"
#include "demo/scenarios/scenariosteps.h"

namespace Recourse::Demo {

namespace {

// Revocation is watched by re-checking before each read; standalone a person may take a while.
constexpr int kRecheckSeconds = 10;
constexpr int kMaxRechecks = 60;
// The agent's clock may run ahead of a remote PDP's, so it checks a few times past approved_until.
constexpr int kSkewCheckSeconds = 15;
constexpr int kMaxSkewChecks = 8;

QJsonObject logRequest()
{
    return supportAgentRequest(QJsonObject{{QStringLiteral("type"), QStringLiteral("log")},
                                           {QStringLiteral("id"), QStringLiteral("payments-provider")}},
                               QStringLiteral("read"));
}

struct Granted
{
    QJsonObject approval;
    QString taskId;
};

// Evaluate, submit, wait for the person, and check the first re-evaluation permits.
Result<Granted> obtainApproval(ScenarioSteps &steps, qint64 requestedUntilMs)
{
    const QJsonObject request = logRequest();
    steps.step(QStringLiteral("The support agent asks the PDP: may sam read log payments-provider for tenant acme?"));
    auto denied = steps.ask(request);
    if (!denied)
        return denied.error();
    if (!Pep::ReferencePep::isRequestable(denied.value()))
        return unexpected(QStringLiteral("The payment-provider log should be a requestable denial in the demo policy."));

    steps.step(QStringLiteral("The agent submits an access request bound to that denial."));
    auto submitted = steps.submit(request, denied.value(),
                                  QStringLiteral("Tracing a failed card charge for tenant acme."), requestedUntilMs);
    if (!submitted)
        return submitted.error();
    const QJsonObject task = submitted->body.value(QStringLiteral("task")).toObject();
    auto completed = steps.waitForDecision(task);
    if (!completed)
        return completed.error();
    auto approval = Pep::ReferencePep::approvalFrom(completed.value());
    if (!approval)
        return approval.error();

    steps.step(QStringLiteral("Approved until %1. The agent re-evaluates with the approval.")
                   .arg(approval->value(QStringLiteral("approved_until")).toString()));
    auto permitted = steps.askWith(request, approval.value());
    if (!permitted)
        return permitted.error();
    if (!permits(permitted.value()))
        return unexpected(QStringLiteral("The first re-evaluation with the approval should permit."));
    steps.note(QStringLiteral("The agent reads the log."));
    return Granted{approval.value(), task.value(QStringLiteral("id")).toString()};
}

// The denial after the approval ended must carry reason approval_expired and offer a new request.
Result<void> expectExpiredDenial(const QJsonObject &decision)
{
    if (permits(decision) || reasonOf(decision) != QLatin1String("approval_expired")
        || nextActionOf(decision) != QLatin1String("request") || !Pep::ReferencePep::isRequestable(decision)) {
        return unexpected(QStringLiteral("After the approval ended the PDP should deny with reason approval_expired, "
                                         "next_action request and a fresh access_request; it said: %1.")
                              .arg(describeDecision(decision)));
    }
    return {};
}

} // namespace

Result<void> runRevoked(ScenarioContext &context)
{
    ScenarioSteps steps(context);
    auto granted = obtainApproval(steps, steps.nowMs() + 3600LL * 1000);
    if (!granted)
        return granted.error();
    const QString approvalId = granted->approval.value(QStringLiteral("id")).toString();

    steps.step(QStringLiteral("Mid-mission, an approver revokes approval %1 (task %2).").arg(approvalId, granted->taskId));
    steps.note(QStringLiteral("Revoke it in the Recourse console; the agent re-checks before every read."));
    if (context.hooks.onRevokeWanted)
        context.hooks.onRevokeWanted(approvalId);

    QJsonObject decision;
    for (int check = 0; check < kMaxRechecks; ++check) {
        auto again = steps.askWith(logRequest(), granted->approval);
        if (!again)
            return again.error();
        decision = again.value();
        if (!permits(decision))
            break;
        steps.note(QStringLiteral("Still permitted; the agent reads and checks again in %1 s.").arg(kRecheckSeconds));
        steps.advanceClock(kRecheckSeconds);
    }
    if (auto expired = expectExpiredDenial(decision); !expired)
        return expired.error();
    steps.note(QStringLiteral("The agent stops reading at once: a revoked approval buys no decision."));

    steps.step(QStringLiteral("The PEP follows next_action \"request\" and submits against the fresh denial."));
    auto submitted = steps.submit(logRequest(), decision,
                                  QStringLiteral("The approval was revoked mid-investigation; asking again."), 0);
    if (!submitted)
        return submitted.error();
    auto completed = steps.waitForDecision(submitted->body.value(QStringLiteral("task")).toObject());
    if (!completed)
        return completed.error();
    auto approval = Pep::ReferencePep::approvalFrom(completed.value());
    if (!approval) {
        steps.note(QStringLiteral("Not approved this time; the agent stays denied and hands the ticket to a person."));
        steps.out() << "Done: the revocation took effect at the next decision.\n";
        return {};
    }
    steps.step(QStringLiteral("Approved again; the agent re-evaluates with the new approval."));
    auto permitted = steps.askWith(logRequest(), approval.value());
    if (!permitted)
        return permitted.error();
    if (!permits(permitted.value()))
        return unexpected(QStringLiteral("The re-evaluation with the new approval should permit."));
    steps.out() << "Done: the revocation took effect at the next decision, and a new approval was needed.\n";
    return {};
}

Result<void> runExpired(ScenarioContext &context)
{
    ScenarioSteps steps(context);
    // Two minutes, so the end is reached without a long wait when a person approves as asked.
    auto granted = obtainApproval(steps, steps.nowMs() + 2LL * 60 * 1000);
    if (!granted)
        return granted.error();
    const QString until = granted->approval.value(QStringLiteral("approved_until")).toString();
    const auto untilMs = Rfc3339::parse(until);
    if (!untilMs)
        return unexpected(QStringLiteral("The approval carries no valid approved_until: %1").arg(until));

    const int wait = int(qMax<qint64>(0, untilMs.value() - steps.nowMs()) / 1000) + 1;
    steps.step(QStringLiteral("The agent keeps working until after %1 (%2 s from now).").arg(until).arg(wait));
    steps.advanceClock(wait);

    QJsonObject decision;
    for (int check = 0; check < kMaxSkewChecks; ++check) {
        steps.note(QStringLiteral("It re-evaluates with the same approval."));
        auto again = steps.askWith(logRequest(), granted->approval);
        if (!again)
            return again.error();
        decision = again.value();
        if (!permits(decision))
            break;
        steps.note(QStringLiteral("The PDP still permits, so its clock is behind the agent's; checking again in %1 s.")
                       .arg(kSkewCheckSeconds));
        steps.advanceClock(kSkewCheckSeconds);
    }
    if (auto expired = expectExpiredDenial(decision); !expired)
        return expired.error();
    steps.note(QStringLiteral("The approval has ended. The PEP could follow next_action \"request\" to ask again; "
                              "here the agent's work is done."));
    steps.out() << "Done: an approval ends at approved_until, and the next decision says so.\n";
    return {};
}

} // namespace Recourse::Demo
