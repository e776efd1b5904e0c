#include "demo/scenarios.h"

#include "core/base/rfc3339.h"

#include <QDateTime>

namespace Recourse::Demo {

namespace {

QJsonObject supportAgent()
{
    // sam works the support queue through an AI agent; the agent is the actor, sam the subject.
    return QJsonObject{
        {QStringLiteral("type"), QStringLiteral("user")},
        {QStringLiteral("id"), QStringLiteral("sam")},
        {QStringLiteral("properties"),
         QJsonObject{{QStringLiteral("department"), QStringLiteral("support")},
                     {QStringLiteral("act"), QJsonObject{{QStringLiteral("sub"), QStringLiteral("support-agent-7")},
                                                         {QStringLiteral("sub_profile"), QStringLiteral("ai_agent")}}}}},
    };
}

QJsonObject request(const QJsonObject &resource, const QString &action)
{
    return QJsonObject{{QStringLiteral("subject"), supportAgent()},
                       {QStringLiteral("resource"), resource},
                       {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), action}}},
                       {QStringLiteral("context"), QJsonObject{{QStringLiteral("tenant"), QStringLiteral("acme")}}}};
}

QString describe(const QJsonObject &decision)
{
    if (decision.value(QStringLiteral("decision")).toBool())
        return QStringLiteral("permit");
    const QJsonObject context = decision.value(QStringLiteral("context")).toObject();
    QStringList parts{QStringLiteral("deny")};
    if (context.contains(QStringLiteral("reason")))
        parts.append(QStringLiteral("reason %1").arg(context.value(QStringLiteral("reason")).toString()));
    if (context.contains(QStringLiteral("next_action")))
        parts.append(QStringLiteral("next action %1").arg(context.value(QStringLiteral("next_action")).toString()));
    if (Pep::ReferencePep::isRequestable(decision))
        parts.append(QStringLiteral("escalation available"));
    return parts.join(QStringLiteral(", "));
}

Error unexpected(const QString &message)
{
    return Error::make(ErrorCode::InvalidRequest, message);
}

Result<void> runSupportAgent(ScenarioContext &context)
{
    QTextStream &out = *context.out;
    Pep::ReferencePep &pep = *context.pep;
    const QJsonObject billing{{QStringLiteral("type"), QStringLiteral("billing_record")},
                              {QStringLiteral("id"), QStringLiteral("invoice-2291")}};
    const QJsonObject log{{QStringLiteral("type"), QStringLiteral("log")},
                          {QStringLiteral("id"), QStringLiteral("payments-provider")}};

    out << "1. The support agent (support-agent-7, acting for sam) investigates a billing problem for tenant acme.\n"
        << "   It asks the PDP: may sam read billing record invoice-2291?\n";
    auto first = pep.evaluate(request(billing, QStringLiteral("read")));
    if (!first)
        return first.error();
    out << "   The PDP says: " << describe(first.value()) << ".\n";
    if (!first->value(QStringLiteral("decision")).toBool())
        return unexpected(QStringLiteral("The billing record should be readable in the demo policy."));

    out << "2. The record points at a failed charge, so the agent needs the restricted payment-provider log.\n"
        << "   It asks the PDP: may sam read log payments-provider?\n";
    const QJsonObject logRequest = request(log, QStringLiteral("read"));
    auto denied = pep.evaluate(logRequest);
    if (!denied)
        return denied.error();
    out << "   The PDP says: " << describe(denied.value()) << ".\n";
    if (!Pep::ReferencePep::isRequestable(denied.value()))
        return unexpected(QStringLiteral("The payment-provider log should be a requestable denial in the demo policy."));
    const QJsonObject accessRequest =
        denied->value(QStringLiteral("context")).toObject().value(QStringLiteral("access_request")).toObject();
    out << "   A denial is still a denial: the agent does not read the log. Escalation is offered under template "
        << accessRequest.value(QStringLiteral("template")).toString() << " until "
        << accessRequest.value(QStringLiteral("expires_at")).toString() << ".\n";

    out << "3. The agent submits an access request bound to that exact denial, asking for two hours.\n";
    const QString until = Rfc3339::format(QDateTime::currentMSecsSinceEpoch() + 2LL * 3600 * 1000);
    auto submitted = pep.submit(
        logRequest, denied.value(),
        QJsonObject{{QStringLiteral("business_justification"),
                     QStringLiteral("Customer acme reports a failed card charge on invoice-2291; the provider log "
                                    "shows the decline code.")}},
        QJsonObject{{QStringLiteral("requested_until"), until}});
    if (!submitted)
        return submitted.error();
    if (submitted->status != 201 && submitted->status != 202) {
        return unexpected(QStringLiteral("The submission answered %1: %2").arg(submitted->status)
                              .arg(submitted->body.value(QStringLiteral("detail")).toString()));
    }
    const QJsonObject task = submitted->body.value(QStringLiteral("task")).toObject();
    out << "   The service created task " << task.value(QStringLiteral("id")).toString() << " ("
        << task.value(QStringLiteral("status")).toString() << ").\n"
        << "4. Waiting for a manager to decide it in the Recourse console...\n";
    out.flush();

    auto completed = pep.waitForCompletion(task, [&out](int delayMs) {
        out << "   still pending; checking again in " << (delayMs + 500) / 1000 << " s\n";
        out.flush();
    });
    if (!completed)
        return completed.error();
    auto approval = Pep::ReferencePep::approvalFrom(completed.value());
    if (!approval) {
        out << "   " << approval.error().message << " The agent stays denied.\n";
        return approval.error();
    }
    out << "   Approved until " << approval->value(QStringLiteral("approved_until")).toString()
        << ". An approval is an input to a new decision, not a key.\n";

    out << "5. The agent asks the PDP again, presenting the approval.\n";
    auto permitted = pep.reevaluate(logRequest, approval.value());
    if (!permitted)
        return permitted.error();
    out << "   The PDP says: " << describe(permitted.value()) << ".\n";
    if (!permitted->value(QStringLiteral("decision")).toBool())
        return unexpected(QStringLiteral("The re-evaluation with the approval should permit."));
    out << "   The agent reads the payment-provider log and finds the decline code.\n";

    out << "6. The same approval presented for another log (payments-ledger) unlocks nothing:\n";
    const QJsonObject ledger{{QStringLiteral("type"), QStringLiteral("log")},
                             {QStringLiteral("id"), QStringLiteral("payments-ledger")}};
    auto other = pep.reevaluate(request(ledger, QStringLiteral("read")), approval.value());
    if (!other)
        return other.error();
    out << "   The PDP says: " << describe(other.value()) << ".\n";
    if (other->value(QStringLiteral("decision")).toBool())
        return unexpected(QStringLiteral("The approval must not unlock a different resource."));
    out << "Done: denied, escalated, approved by a person, and permitted by a fresh decision.\n";
    return {};
}

} // namespace

QStringList scenarioNames()
{
    return {QStringLiteral("support-agent")};
}

QString scenarioDescription(const QString &name)
{
    if (name == QLatin1String("support-agent"))
        return QStringLiteral("A support agent hits a requestable denial on the payment-provider log, a manager "
                              "approves two hours in the console, and the agent re-evaluates and proceeds.");
    return {};
}

Result<void> runScenario(const QString &name, ScenarioContext &context)
{
    if (name == QLatin1String("support-agent"))
        return runSupportAgent(context);
    return Error::make(ErrorCode::InvalidRequest,
                       QStringLiteral("Unknown scenario %1; known scenarios: %2").arg(name, scenarioNames().join(QStringLiteral(", "))),
                       name);
}

} // namespace Recourse::Demo
