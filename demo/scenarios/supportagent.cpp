#include "demo/scenarios/scenariosteps.h"

namespace Recourse::Demo {

Result<void> runSupportAgent(ScenarioContext &context)
{
    ScenarioSteps steps(context);
    const QJsonObject billing{{QStringLiteral("type"), QStringLiteral("billing_record")},
                              {QStringLiteral("id"), QStringLiteral("invoice-2291")}};
    const QJsonObject log{{QStringLiteral("type"), QStringLiteral("log")},
                          {QStringLiteral("id"), QStringLiteral("payments-provider")}};

    steps.step(QStringLiteral("The support agent (support-agent-7, acting for sam) investigates a billing problem "
                              "for tenant acme."));
    steps.note(QStringLiteral("It asks the PDP: may sam read billing record invoice-2291?"));
    auto first = steps.ask(supportAgentRequest(billing, QStringLiteral("read")));
    if (!first)
        return first.error();
    if (!permits(first.value()))
        return unexpected(QStringLiteral("The billing record should be readable in the demo policy."));

    steps.step(QStringLiteral("The record points at a failed charge, so the agent needs the restricted "
                              "payment-provider log."));
    steps.note(QStringLiteral("It asks the PDP: may sam read log payments-provider?"));
    const QJsonObject logRequest = supportAgentRequest(log, QStringLiteral("read"));
    auto denied = steps.ask(logRequest);
    if (!denied)
        return denied.error();
    if (!Pep::ReferencePep::isRequestable(denied.value()))
        return unexpected(QStringLiteral("The payment-provider log should be a requestable denial in the demo policy."));
    const QJsonObject accessRequest =
        denied->value(QStringLiteral("context")).toObject().value(QStringLiteral("access_request")).toObject();
    steps.note(QStringLiteral("A denial is still a denial: the agent does not read the log. Escalation is offered "
                              "under template %1 until %2.")
                   .arg(accessRequest.value(QStringLiteral("template")).toString(),
                        accessRequest.value(QStringLiteral("expires_at")).toString()));

    steps.step(QStringLiteral("The agent submits an access request bound to that exact denial, asking for two hours."));
    auto submitted = steps.submit(logRequest, denied.value(),
                                  QStringLiteral("Customer acme reports a failed card charge on invoice-2291; the "
                                                 "provider log shows the decline code."),
                                  steps.nowMs() + 2LL * 3600 * 1000);
    if (!submitted)
        return submitted.error();

    steps.step(QStringLiteral("The agent waits for a person."));
    auto completed = steps.waitForDecision(submitted->body.value(QStringLiteral("task")).toObject());
    if (!completed)
        return completed.error();
    auto approval = Pep::ReferencePep::approvalFrom(completed.value());
    if (!approval) {
        steps.note(approval.error().message + QStringLiteral(" The agent stays denied."));
        return approval.error();
    }
    steps.note(QStringLiteral("Approved until %1. An approval is an input to a new decision, not a key.")
                   .arg(approval->value(QStringLiteral("approved_until")).toString()));

    steps.step(QStringLiteral("The agent asks the PDP again, presenting the approval."));
    auto permitted = steps.askWith(logRequest, approval.value());
    if (!permitted)
        return permitted.error();
    if (!permits(permitted.value()))
        return unexpected(QStringLiteral("The re-evaluation with the approval should permit."));
    steps.note(QStringLiteral("The agent reads the payment-provider log and finds the decline code."));

    steps.step(QStringLiteral("The same approval presented for another log (payments-ledger) unlocks nothing:"));
    const QJsonObject ledger{{QStringLiteral("type"), QStringLiteral("log")},
                             {QStringLiteral("id"), QStringLiteral("payments-ledger")}};
    auto other = steps.askWith(supportAgentRequest(ledger, QStringLiteral("read")), approval.value());
    if (!other)
        return other.error();
    if (permits(other.value()))
        return unexpected(QStringLiteral("The approval must not unlock a different resource."));
    steps.out() << "Done: denied, escalated, approved by a person, and permitted by a fresh decision.\n";
    return {};
}

} // namespace Recourse::Demo
