#include "demo/scenarios/scenariosteps.h"

#include "core/base/rfc3339.h"

#include <QDateTime>
#include <QEventLoop>
#include <QTimer>

namespace Recourse::Demo {

ScenarioSteps::ScenarioSteps(ScenarioContext &context) : m_context(context) { }

int ScenarioSteps::step(const QString &text)
{
    ++m_step;
    out() << m_step << ". " << text << "\n";
    out().flush();
    return m_step;
}

void ScenarioSteps::note(const QString &text)
{
    out() << "   " << text << "\n";
    out().flush();
}

Result<QJsonObject> ScenarioSteps::ask(const QJsonObject &request, Pep::ReferencePep *pep)
{
    auto decision = (pep ? *pep : this->pep()).evaluate(request);
    if (!decision)
        return decision.error();
    note(QStringLiteral("The PDP says: %1.").arg(describeDecision(decision.value())));
    return decision;
}

Result<QJsonObject> ScenarioSteps::askWith(const QJsonObject &request, const QJsonObject &approval,
                                           Pep::ReferencePep *pep)
{
    auto decision = (pep ? *pep : this->pep()).reevaluate(request, approval);
    if (!decision)
        return decision.error();
    note(QStringLiteral("The PDP says: %1.").arg(describeDecision(decision.value())));
    return decision;
}

Result<Pep::Exchange> ScenarioSteps::submit(const QJsonObject &request, const QJsonObject &decision,
                                            const QString &justification, qint64 requestedUntilMs,
                                            Pep::ReferencePep *pep)
{
    QJsonObject requestedAccess;
    if (requestedUntilMs > 0)
        requestedAccess.insert(QStringLiteral("requested_until"), Rfc3339::format(requestedUntilMs));
    auto submitted = (pep ? *pep : this->pep())
                         .submit(request, decision, QJsonObject{{QStringLiteral("business_justification"), justification}},
                                 requestedAccess);
    if (!submitted)
        return submitted.error();
    if (submitted->status != 201 && submitted->status != 202) {
        return unexpected(QStringLiteral("The submission answered %1: %2").arg(submitted->status)
                              .arg(submitted->body.value(QStringLiteral("detail")).toString()));
    }
    const QJsonObject task = submitted->body.value(QStringLiteral("task")).toObject();
    note(QStringLiteral("The service answered %1 with task %2 (%3).")
             .arg(submitted->status)
             .arg(task.value(QStringLiteral("id")).toString(), task.value(QStringLiteral("status")).toString()));
    return submitted;
}

Result<QJsonObject> ScenarioSteps::waitForDecision(const QJsonObject &task, Pep::ReferencePep *pep)
{
    const QString taskId = task.value(QStringLiteral("id")).toString();
    note(QStringLiteral("Waiting for a manager to decide task %1 in the Recourse console...").arg(taskId));
    if (m_context.hooks.onTaskPending)
        m_context.hooks.onTaskPending(taskId);

    auto completed = (pep ? *pep : this->pep()).waitForCompletion(task, [this](int delayMs) {
        note(QStringLiteral("still pending; checking again in %1 s").arg((delayMs + 500) / 1000));
    });
    if (!completed)
        return completed.error();
    note(QStringLiteral("The task is %1.").arg(
        completed->value(QStringLiteral("task")).toObject().value(QStringLiteral("status")).toString()));
    return completed;
}

void ScenarioSteps::advanceClock(int seconds)
{
    if (seconds <= 0)
        return;
    if (m_context.hooks.advanceClock) {
        m_context.hooks.advanceClock(seconds);
        return;
    }
    // Standalone the service runs on the wall clock, so the PEP simply waits.
    QEventLoop loop;
    QTimer::singleShot(seconds * 1000, &loop, &QEventLoop::quit);
    loop.exec();
}

qint64 ScenarioSteps::nowMs() const
{
    return m_context.hooks.nowMs ? m_context.hooks.nowMs() : QDateTime::currentMSecsSinceEpoch();
}

QString describeDecision(const QJsonObject &decision)
{
    if (permits(decision))
        return QStringLiteral("permit");
    QStringList parts{QStringLiteral("deny")};
    if (!reasonOf(decision).isEmpty())
        parts.append(QStringLiteral("reason %1").arg(reasonOf(decision)));
    if (!nextActionOf(decision).isEmpty())
        parts.append(QStringLiteral("next action %1").arg(nextActionOf(decision)));
    const QJsonValue retryAfter = decision.value(QStringLiteral("context")).toObject().value(QStringLiteral("retry_after"));
    if (retryAfter.isDouble())
        parts.append(QStringLiteral("retry after %1 s").arg(retryAfter.toInt()));
    if (Pep::ReferencePep::isRequestable(decision))
        parts.append(QStringLiteral("escalation available"));
    return parts.join(QStringLiteral(", "));
}

QString reasonOf(const QJsonObject &decision)
{
    return decision.value(QStringLiteral("context")).toObject().value(QStringLiteral("reason")).toString();
}

QString nextActionOf(const QJsonObject &decision)
{
    return decision.value(QStringLiteral("context")).toObject().value(QStringLiteral("next_action")).toString();
}

bool permits(const QJsonObject &decision)
{
    // Only a literal true permits; anything else is a denial.
    return decision.value(QStringLiteral("decision")) == QJsonValue(true);
}

Error unexpected(const QString &message)
{
    return Error::make(ErrorCode::InvalidRequest, message);
}

QJsonObject supportAgentSubject()
{
    return QJsonObject{
        {QStringLiteral("type"), QStringLiteral("user")},
        {QStringLiteral("id"), QStringLiteral("sam")},
        {QStringLiteral("properties"),
         QJsonObject{{QStringLiteral("department"), QStringLiteral("support")},
                     {QStringLiteral("act"), QJsonObject{{QStringLiteral("sub"), QStringLiteral("support-agent-7")},
                                                         {QStringLiteral("sub_profile"), QStringLiteral("ai_agent")}}}}},
    };
}

QJsonObject supportAgentRequest(const QJsonObject &resource, const QString &action)
{
    return QJsonObject{{QStringLiteral("subject"), supportAgentSubject()},
                       {QStringLiteral("resource"), resource},
                       {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), action}}},
                       {QStringLiteral("context"), QJsonObject{{QStringLiteral("tenant"), QStringLiteral("acme")}}}};
}

} // namespace Recourse::Demo
