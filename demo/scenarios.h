#pragma once

#include "demo/referencepep.h"

#include <QStringList>
#include <QTextStream>

namespace Recourse::Demo {

// A named scenario that drives a real service over HTTP and prints each step in plain words.
struct ScenarioContext
{
    Pep::ReferencePep *pep = nullptr;
    QTextStream *out = nullptr;
};

QStringList scenarioNames();
QString scenarioDescription(const QString &name);

// Runs one scenario; returns an error when a step did not go as the scenario expects.
Result<void> runScenario(const QString &name, ScenarioContext &context);

} // namespace Recourse::Demo
