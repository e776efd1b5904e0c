// A PEP that stops while its task is pending and a new instance that resumes from the persisted
// task handle: the handle and the evaluation request are everything it needs.

#include "core/json/json.h"
#include "demo/scenarios/scenariosteps.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>
#include <QTemporaryDir>

#include <memory>

namespace Recourse::Demo {

namespace {

Result<void> persist(const QString &path, const QJsonObject &task, const QJsonObject &request)
{
    // Written atomically, so a crash mid-write leaves the previous handle or none.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return unexpected(QStringLiteral("Cannot write %1: %2").arg(path, file.errorString()));
    file.write(Json::serialize(QJsonObject{{QStringLiteral("task"), task}, {QStringLiteral("request"), request}}));
    if (!file.commit())
        return unexpected(QStringLiteral("Cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

Result<QJsonObject> load(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return unexpected(QStringLiteral("Cannot read %1: %2").arg(path, file.errorString()));
    auto parsed = Json::parseObject(file.readAll());
    if (!parsed)
        return unexpected(QStringLiteral("%1 holds no task handle.").arg(path));
    return parsed.value();
}

} // namespace

Result<void> runPepRestart(ScenarioContext &context)
{
    ScenarioSteps steps(context);
    QTemporaryDir temporary;
    const QString stateDir = context.stateDir.isEmpty() ? temporary.path() : context.stateDir;
    const QString handlePath = QDir(stateDir).filePath(QStringLiteral("pending-task.json"));
    const QJsonObject request = supportAgentRequest(QJsonObject{{QStringLiteral("type"), QStringLiteral("log")},
                                                                {QStringLiteral("id"), QStringLiteral("payments-provider")}},
                                                    QStringLiteral("read"));

    steps.step(QStringLiteral("PEP instance 1 asks the PDP: may sam read log payments-provider for tenant acme?"));
    auto denied = steps.ask(request);
    if (!denied)
        return denied.error();
    if (!Pep::ReferencePep::isRequestable(denied.value()))
        return unexpected(QStringLiteral("The payment-provider log should be a requestable denial in the demo policy."));

    steps.step(QStringLiteral("Instance 1 submits an access request and persists the task handle before anything else."));
    auto submitted = steps.submit(request, denied.value(), QStringLiteral("Tracing a failed card charge for tenant acme."), 0);
    if (!submitted)
        return submitted.error();
    const QJsonObject task = submitted->body.value(QStringLiteral("task")).toObject();
    if (auto saved = persist(handlePath, task, request); !saved)
        return saved.error();
    steps.note(QStringLiteral("Saved to %1.").arg(handlePath));

    steps.step(QStringLiteral("Instance 1 stops while the task is pending (a deploy, a crash)."));
    // The second instance shares nothing with the first but the file.
    auto resumed = std::make_unique<Pep::ReferencePep>(context.pepConfig);
    if (auto discovered = resumed->discover(); !discovered)
        return discovered.error();

    steps.step(QStringLiteral("PEP instance 2 starts, reads the persisted handle and resumes polling."));
    auto handle = load(handlePath);
    if (!handle)
        return handle.error();
    const QJsonObject savedTask = handle->value(QStringLiteral("task")).toObject();
    const QJsonObject savedRequest = handle->value(QStringLiteral("request")).toObject();
    auto status = resumed->status(savedTask);
    if (!status)
        return status.error();
    const QString current = status->body.value(QStringLiteral("task")).toObject().value(QStringLiteral("status")).toString();
    steps.note(QStringLiteral("Task %1 is %2.").arg(savedTask.value(QStringLiteral("id")).toString(), current));
    auto completed = steps.waitForDecision(savedTask, resumed.get());
    if (!completed)
        return completed.error();
    auto approval = Pep::ReferencePep::approvalFrom(completed.value());
    if (!approval)
        return approval.error();

    steps.step(QStringLiteral("Instance 2 re-evaluates the persisted request with the approval."));
    auto permitted = steps.askWith(savedRequest, approval.value(), resumed.get());
    if (!permitted)
        return permitted.error();
    if (!permits(permitted.value()))
        return unexpected(QStringLiteral("The resumed PEP's re-evaluation should permit."));
    QFile::remove(handlePath);
    steps.note(QStringLiteral("The agent reads the log; the handle is no longer needed and is deleted."));
    steps.out() << "Done: the task outlived the PEP that submitted it.\n";
    return {};
}

} // namespace Recourse::Demo
