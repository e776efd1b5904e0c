#pragma once

#include "demo/scenarios.h"

#include <QJsonObject>

namespace Recourse::Demo {

// The building blocks the scenarios share: numbered steps, evaluations that print the PDP's
// decision, submissions, and waiting for a person, all through the hooks so tests can drive them.
class ScenarioSteps
{
public:
    explicit ScenarioSteps(ScenarioContext &context);

    QTextStream &out() { return *m_context.out; }
    Pep::ReferencePep &pep() { return *m_context.pep; }
    ScenarioContext &context() { return m_context; }

    // Prints "N. text" and returns the step number.
    int step(const QString &text);
    // Prints an indented line under the current step.
    void note(const QString &text);

    // Evaluates `request` on `pep` (the context's PEP when null) and prints the decision.
    Result<QJsonObject> ask(const QJsonObject &request, Pep::ReferencePep *pep = nullptr);
    // Re-evaluates `request` with `approval` and prints the decision.
    Result<QJsonObject> askWith(const QJsonObject &request, const QJsonObject &approval, Pep::ReferencePep *pep = nullptr);

    // Submits an access request for the requestable denial `decision` of `request`, asking for
    // access until `requestedUntilMs` (none when 0). Expects 201 or 202.
    Result<Pep::Exchange> submit(const QJsonObject &request, const QJsonObject &decision, const QString &justification,
                                 qint64 requestedUntilMs, Pep::ReferencePep *pep = nullptr);
    // Tells the hooks a task is pending, then polls it to a final status.
    Result<QJsonObject> waitForDecision(const QJsonObject &task, Pep::ReferencePep *pep = nullptr);

    void advanceClock(int seconds);
    qint64 nowMs() const;

private:
    ScenarioContext &m_context;
    int m_step = 0;
};

// "permit", or "deny" with the reason, next_action and whether escalation is offered.
QString describeDecision(const QJsonObject &decision);
QString reasonOf(const QJsonObject &decision);
QString nextActionOf(const QJsonObject &decision);
bool permits(const QJsonObject &decision);
Error unexpected(const QString &message);

// sam of the support department, working through the agent support-agent-7 (the actor).
QJsonObject supportAgentSubject();
// An evaluation request by the support agent for tenant acme.
QJsonObject supportAgentRequest(const QJsonObject &resource, const QString &action);

} // namespace Recourse::Demo
