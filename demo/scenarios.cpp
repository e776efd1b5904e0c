#include "demo/scenarios.h"

namespace Recourse::Demo {

Result<void> runSupportAgent(ScenarioContext &context);
Result<void> runToolDiscovery(ScenarioContext &context);
Result<void> runRevoked(ScenarioContext &context);
Result<void> runExpired(ScenarioContext &context);
Result<void> runPepRestart(ScenarioContext &context);
Result<void> runGrantPending(ScenarioContext &context);
Result<void> runBundle(ScenarioContext &context);

namespace {

struct Scenario
{
    QString name;
    QString pack;
    QString description;
    Result<void> (*run)(ScenarioContext &);
};

const QList<Scenario> &scenarios()
{
    static const QList<Scenario> all{
        {QStringLiteral("support-agent"), QStringLiteral("demo"),
         QStringLiteral("A support agent hits a requestable denial on the payment-provider log, a manager approves two "
                        "hours in the console, and the agent re-evaluates and proceeds."),
         runSupportAgent},
        {QStringLiteral("tool-discovery"), QStringLiteral("demo"),
         QStringLiteral("The agent discovers a low-risk tool, which is approved automatically (201), then a high-risk "
                        "tool, which a manager approves."),
         runToolDiscovery},
        {QStringLiteral("bundle"), QStringLiteral("demo"),
         QStringLiteral("The agent requests three high-risk tools in one bundle; the manager approves two and denies "
                        "one, so the task ends partial and only the two approved tools are permitted."),
         runBundle},
        {QStringLiteral("revoked"), QStringLiteral("demo"),
         QStringLiteral("An approval is revoked mid-mission; the next re-evaluation is denied approval_expired and the "
                        "PEP follows next_action request."),
         runRevoked},
        {QStringLiteral("expired"), QStringLiteral("demo"),
         QStringLiteral("An approval for two minutes runs out; the re-evaluation after approved_until is denied "
                        "approval_expired."),
         runExpired},
        {QStringLiteral("pep-restart"), QStringLiteral("demo"),
         QStringLiteral("The PEP persists its task handle and stops; a new instance resumes polling from the file "
                        "and completes."),
         runPepRestart},
        {QStringLiteral("grant-pending"), QStringLiteral("arap-conformance"),
         QStringLiteral("Write access to q4-plan is approved but provisioned later; the PEP retries on grant_pending. "
                        "Needs --policy arap-conformance."),
         runGrantPending},
    };
    return all;
}

const Scenario *find(const QString &name)
{
    for (const Scenario &scenario : scenarios()) {
        if (scenario.name == name)
            return &scenario;
    }
    return nullptr;
}

} // namespace

QStringList scenarioNames()
{
    QStringList names;
    for (const Scenario &scenario : scenarios())
        names.append(scenario.name);
    return names;
}

QString scenarioDescription(const QString &name)
{
    const Scenario *scenario = find(name);
    return scenario ? scenario->description : QString();
}

QString scenarioPolicyPack(const QString &name)
{
    const Scenario *scenario = find(name);
    return scenario ? scenario->pack : QString();
}

Result<void> runScenario(const QString &name, ScenarioContext &context)
{
    const Scenario *scenario = find(name);
    if (!scenario) {
        return Error::make(ErrorCode::InvalidRequest,
                           QStringLiteral("Unknown scenario %1; known scenarios: %2, all")
                               .arg(name, scenarioNames().join(QStringLiteral(", "))),
                           name);
    }
    return scenario->run(context);
}

Result<void> runAllScenarios(ScenarioContext &context, const QString &pack)
{
    bool ranAny = false;
    for (const Scenario &scenario : scenarios()) {
        if (scenario.pack != pack)
            continue;
        *context.out << (ranAny ? "\n" : "") << "== " << scenario.name << " ==\n";
        context.out->flush();
        ranAny = true;
        if (auto result = scenario.run(context); !result) {
            return Error::make(result.error().code,
                               QStringLiteral("%1: %2").arg(scenario.name, result.error().message), scenario.name);
        }
    }
    if (!ranAny)
        return Error::make(ErrorCode::InvalidRequest, QStringLiteral("No scenario is written against pack %1.").arg(pack), pack);
    return {};
}

} // namespace Recourse::Demo
