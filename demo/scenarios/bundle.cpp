#include "demo/scenarios/scenariosteps.h"

#include <QJsonArray>

namespace Recourse::Demo {

namespace {

QJsonObject highRiskTool(const QString &id)
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("tool")},
                       {QStringLiteral("id"), id},
                       {QStringLiteral("properties"), QJsonObject{{QStringLiteral("risk"), QStringLiteral("high")}}}};
}

} // namespace

Result<void> runBundle(ScenarioContext &context)
{
    ScenarioSteps steps(context);
    const QStringList toolIds{QStringLiteral("refund-issuer"), QStringLiteral("ledger-export"),
                              QStringLiteral("account-closer")};
    // The manager approves what the refund needs and denies closing the customer's account.
    const QList<int> approve{0, 1};
    const QList<int> deny{2};

    steps.step(QStringLiteral("To refund the double charge of ticket SUP-4812, the support agent needs three tools "
                              "it rates high risk: %1.").arg(toolIds.join(QStringLiteral(", "))));
    QList<Pep::ReferencePep::BundleItem> items;
    for (const QString &toolId : toolIds) {
        const QJsonObject request = supportAgentRequest(highRiskTool(toolId), QStringLiteral("call"));
        steps.note(QStringLiteral("It asks the PDP: may sam's agent call tool %1?").arg(toolId));
        auto denied = steps.ask(request);
        if (!denied)
            return denied.error();
        if (!Pep::ReferencePep::isRequestable(denied.value()))
            return unexpected(QStringLiteral("Tool %1 should be a requestable denial in the demo policy.").arg(toolId));
        items.append({request, denied.value()});
    }

    steps.step(QStringLiteral("Rather than three requests, the agent submits one bundle: one task, one item per tool, "
                              "each item carrying its own denial unchanged."));
    const QJsonObject justification{{QStringLiteral("business_justification"),
                                     QStringLiteral("Refund the double charge reported in ticket SUP-4812.")}};
    auto submitted = steps.pep().submitBundle(items, justification);
    if (!submitted)
        return submitted.error();
    if (submitted->status != 202) {
        return unexpected(QStringLiteral("The bundle should wait for a manager (202), not answer %1: %2")
                              .arg(submitted->status)
                              .arg(submitted->body.value(QStringLiteral("detail")).toString()));
    }
    const QJsonObject task = submitted->body.value(QStringLiteral("task")).toObject();
    const QString taskId = task.value(QStringLiteral("id")).toString();
    steps.note(QStringLiteral("The service answered 202 with task %1 and %2 pending items.")
                   .arg(taskId)
                   .arg(task.value(QStringLiteral("items")).toArray().size()));

    steps.step(QStringLiteral("A manager decides each item on its own."));
    steps.note(QStringLiteral("In the Recourse console, approve %1 and %2 only, then deny the task so that %3 is "
                              "denied.").arg(toolIds.at(0), toolIds.at(1), toolIds.at(2)));
    if (context.hooks.onItemDecisionsWanted)
        context.hooks.onItemDecisionsWanted(taskId, approve, deny);
    auto completed = steps.pep().waitForCompletion(task, [&steps](int delayMs) {
        steps.note(QStringLiteral("still pending; checking again in %1 s").arg((delayMs + 500) / 1000));
    });
    if (!completed)
        return completed.error();
    const QString status = completed->value(QStringLiteral("task")).toObject().value(QStringLiteral("status")).toString();
    if (status == QLatin1String("partial"))
        steps.note(QStringLiteral("The task is partial: some items were approved and the others were not."));
    else
        steps.note(QStringLiteral("The task is %1.").arg(status));

    steps.step(QStringLiteral("The agent re-evaluates each tool, presenting only that item's approval."));
    int permitted = 0;
    for (qsizetype position = 0; position < items.size(); ++position) {
        const QString toolId = toolIds.at(position);
        auto approval = Pep::ReferencePep::itemApprovalFrom(completed.value(), int(position));
        if (!approval) {
            steps.note(QStringLiteral("%1 The agent does not call %2.").arg(approval.error().message, toolId));
            continue;
        }
        auto decision = steps.askWith(items.at(position).request, approval.value());
        if (!decision)
            return decision.error();
        if (!permits(decision.value()))
            return unexpected(QStringLiteral("The re-evaluation for %1 with its item's approval should permit.").arg(toolId));
        steps.note(QStringLiteral("The agent calls %1.").arg(toolId));
        ++permitted;
    }
    if (permitted == 0)
        return unexpected(QStringLiteral("No item of the bundle was approved."));

    steps.step(QStringLiteral("An item's approval is bound to its own tool: presenting the %1 approval for %2 "
                              "unlocks nothing.").arg(toolIds.at(0), toolIds.at(2)));
    auto firstApproval = Pep::ReferencePep::itemApprovalFrom(completed.value(), 0);
    if (firstApproval) {
        auto other = steps.askWith(items.at(2).request, firstApproval.value());
        if (!other)
            return other.error();
        if (permits(other.value()))
            return unexpected(QStringLiteral("An item's approval must not unlock another item's tool."));
    }

    // The summary reports what the approver did, which may differ from the instructions above.
    const qsizetype notApproved = items.size() - permitted;
    if (notApproved == 0) {
        steps.out() << "Done: every tool of the bundle was approved, and each was permitted by a fresh decision.\n";
    } else {
        steps.out() << QStringLiteral("Done: one bundle, decided item by item; each approved tool was permitted by a "
                                      "fresh decision, and the %1 not approved stayed denied.\n")
                           .arg(notApproved == 1 ? QStringLiteral("one") : QString::number(notApproved));
    }
    return {};
}

} // namespace Recourse::Demo
