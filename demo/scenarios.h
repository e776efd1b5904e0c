#pragma once

#include "demo/referencepep.h"

#include <QStringList>
#include <QTextStream>

#include <functional>

namespace Recourse::Demo {

// What a scenario needs from outside the PEP. Standalone, a person decides in the console and
// time passes for real. A test fills these in to approve through the approver API and to move a
// manual clock, so no scenario waits for a person or for the wall clock.
struct ScenarioHooks
{
    // A task waits for a person. Default: nothing; someone decides it in the console.
    std::function<void(const QString &taskId)> onTaskPending;
    // A bundle task waits for a person, and the scenario wants the items at positions `approve`
    // approved and those at `deny` denied. Default: nothing; someone decides the items in the
    // console (approve the chosen items, then deny the rest).
    std::function<void(const QString &taskId, const QList<int> &approve, const QList<int> &deny)> onItemDecisionsWanted;
    // The scenario wants approval `approvalId` revoked. Default: nothing; someone revokes it in
    // the console.
    std::function<void(const QString &approvalId)> onRevokeWanted;
    // Lets `seconds` pass on the service's clock. Default: waits that long in real time.
    std::function<void(int seconds)> advanceClock;
    // The service's current time in milliseconds since the epoch. Default: the system clock.
    std::function<qint64()> nowMs;
};

// A named scenario that drives a real service over HTTP and prints each step in plain words.
struct ScenarioContext
{
    Pep::ReferencePep *pep = nullptr;
    QTextStream *out = nullptr;
    // For scenarios that start a second PEP instance against the same service.
    Pep::ReferencePep::Config pepConfig;
    // The folder a PEP persists task handles in; a temporary folder when empty.
    QString stateDir;
    ScenarioHooks hooks;
};

QStringList scenarioNames();
QString scenarioDescription(const QString &name);
// The shipped policy pack a scenario is written against: "demo" or "arap-conformance".
QString scenarioPolicyPack(const QString &name);

// Runs one scenario; returns an error when a step did not go as the scenario expects.
Result<void> runScenario(const QString &name, ScenarioContext &context);
// Runs every scenario written against `pack`, in order, and stops at the first that fails.
Result<void> runAllScenarios(ScenarioContext &context, const QString &pack = QStringLiteral("demo"));

} // namespace Recourse::Demo
