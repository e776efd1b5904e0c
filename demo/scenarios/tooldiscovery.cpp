#include "demo/scenarios/scenariosteps.h"

namespace Recourse::Demo {

namespace {

QJsonObject tool(const QString &id, const QString &risk)
{
    // The PEP reports the risk it assessed for the tool; the template auto-approves "low".
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("tool")},
                       {QStringLiteral("id"), id},
                       {QStringLiteral("properties"), QJsonObject{{QStringLiteral("risk"), risk}}}};
}

// Asks for a tool, escalates the requestable denial, obtains the approval (at once or from a
// manager) and calls the tool after a fresh permit.
Result<void> requestTool(ScenarioSteps &steps, const QJsonObject &toolResource, int expectedStatus)
{
    const QString toolId = toolResource.value(QStringLiteral("id")).toString();
    const QJsonObject request = supportAgentRequest(toolResource, QStringLiteral("call"));
    steps.note(QStringLiteral("It asks the PDP: may sam's agent call tool %1?").arg(toolId));
    auto denied = steps.ask(request);
    if (!denied)
        return denied.error();
    if (!Pep::ReferencePep::isRequestable(denied.value()))
        return unexpected(QStringLiteral("A new tool should be a requestable denial in the demo policy."));

    steps.step(QStringLiteral("The agent requests the tool; its actor chain names support-agent-7 acting for sam."));
    auto submitted = steps.submit(request, denied.value(),
                                  QStringLiteral("The agent needs %1 to finish ticket SUP-4812.").arg(toolId), 0);
    if (!submitted)
        return submitted.error();
    if (submitted->status != expectedStatus) {
        return unexpected(QStringLiteral("The submission for %1 should answer %2, not %3.")
                              .arg(toolId).arg(expectedStatus).arg(submitted->status));
    }

    QJsonObject statusBody = submitted->body;
    if (submitted->status == 201) {
        steps.note(QStringLiteral("201: the template approved the low-risk tool at once, no person involved."));
    } else {
        steps.step(QStringLiteral("A high-risk tool needs a manager, so the agent waits."));
        auto completed = steps.waitForDecision(submitted->body.value(QStringLiteral("task")).toObject());
        if (!completed)
            return completed.error();
        statusBody = completed.value();
    }
    auto approval = Pep::ReferencePep::approvalFrom(statusBody);
    if (!approval) {
        steps.note(approval.error().message + QStringLiteral(" The agent does not call the tool."));
        return approval.error();
    }

    steps.step(QStringLiteral("The agent asks again with the approval (until %1).")
                   .arg(approval->value(QStringLiteral("approved_until")).toString()));
    auto permitted = steps.askWith(request, approval.value());
    if (!permitted)
        return permitted.error();
    if (!permits(permitted.value()))
        return unexpected(QStringLiteral("The re-evaluation for %1 with its approval should permit.").arg(toolId));
    steps.note(QStringLiteral("The agent calls %1.").arg(toolId));
    return {};
}

} // namespace

Result<void> runToolDiscovery(ScenarioContext &context)
{
    ScenarioSteps steps(context);

    steps.step(QStringLiteral("While working ticket SUP-4812, the support agent discovers ticket-summarizer, a tool "
                              "it has never used, and rates it low risk."));
    if (auto low = requestTool(steps, tool(QStringLiteral("ticket-summarizer"), QStringLiteral("low")), 201); !low)
        return low.error();

    steps.step(QStringLiteral("Next it finds bulk-refund, which it rates high risk."));
    if (auto high = requestTool(steps, tool(QStringLiteral("bulk-refund"), QStringLiteral("high")), 202); !high)
        return high.error();

    steps.out() << "Done: the low-risk tool was approved automatically, the high-risk one by a manager; each call "
                   "followed a fresh permit.\n";
    return {};
}

} // namespace Recourse::Demo
