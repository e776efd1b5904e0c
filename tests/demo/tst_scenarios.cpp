// The demo scenarios in-process against the real service: the hooks approve, deny and revoke
// through the approver API and move the fixture's manual clock, so nothing waits for a person or
// for the wall clock. Each test checks the decisions the PEP received, in order.

#include "core/base/rfc3339.h"
#include "demo/scenarios.h"
#include "tests/integration/servicefixture.h"

#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

struct Step
{
    QString name; // evaluation, submission or status
    QJsonObject request;
    int status = 0;
    QJsonObject response;
};

// One scenario run: the service, a PEP whose exchanges are recorded, and the printed steps.
class Harness
{
public:
    explicit Harness(const QString &pack) : fixture(pack), stream(&output) { }

    bool start()
    {
        if (!fixture.start())
            return false;
        Pep::ReferencePep::Config config;
        config.serviceUrl = QUrl(fixture.baseUrl());
        config.token = Tokens::pepA;
        config.trace = [this](const QString &step, const QJsonObject &sent, const Pep::Exchange &received) {
            steps.append(Step{step, sent, received.status, received.body});
        };
        pep = std::make_unique<Pep::ReferencePep>(config);
        if (!pep->discover())
            return false;

        context.pep = pep.get();
        context.out = &stream;
        context.pepConfig = config;
        context.hooks.advanceClock = [this](int seconds) {
            advancedSeconds += seconds;
            fixture.clock().advanceSeconds(seconds);
        };
        context.hooks.nowMs = [this] { return fixture.clock().nowMs(); };
        context.hooks.onTaskPending = [this](const QString &taskId) { approve(taskId); };
        context.hooks.onItemDecisionsWanted = [this](const QString &taskId, const QList<int> &approved,
                                                     const QList<int> &denied) {
            decideItems(taskId, approved, denied);
        };
        return true;
    }

    void approve(const QString &taskId, const QJsonObject &body = {})
    {
        pendingTasks.append(taskId);
        lastAnswer = fixture.approve(taskId, Tokens::bob, body);
    }

    // Approves the items at `approved` and denies those at `denied` as bob, in two decisions.
    void decideItems(const QString &taskId, const QList<int> &approved, const QList<int> &denied)
    {
        pendingTasks.append(taskId);
        QJsonArray approvedItems;
        for (const int position : approved)
            approvedItems.append(position);
        QJsonArray deniedItems;
        for (const int position : denied)
            deniedItems.append(position);
        itemAnswers.append(fixture.approve(taskId, Tokens::bob, QJsonObject{{QStringLiteral("items"), approvedItems}}));
        itemAnswers.append(fixture.deny(taskId, Tokens::bob,
                                        QJsonObject{{QStringLiteral("items"), deniedItems},
                                                    {QStringLiteral("reason"), QStringLiteral("Closing accounts is out of scope.")}}));
    }

    // Each evaluation's decision as "permit" or "deny reason/next_action".
    QStringList decisions() const
    {
        QStringList list;
        for (const Step &step : steps) {
            if (step.name != QLatin1String("evaluation"))
                continue;
            if (step.response.value(QStringLiteral("decision")) == QJsonValue(true)) {
                list.append(QStringLiteral("permit"));
                continue;
            }
            const QJsonObject decisionContext = step.response.value(QStringLiteral("context")).toObject();
            QString text = QStringLiteral("deny ") + decisionContext.value(QStringLiteral("reason")).toString();
            if (decisionContext.contains(QStringLiteral("next_action")))
                text += u'/' + decisionContext.value(QStringLiteral("next_action")).toString();
            list.append(text);
        }
        return list;
    }

    QList<Step> named(const QString &name) const
    {
        QList<Step> list;
        for (const Step &step : steps) {
            if (step.name == name)
                list.append(step);
        }
        return list;
    }

    QList<int> submissionStatuses() const
    {
        QList<int> list;
        for (const Step &step : named(QStringLiteral("submission")))
            list.append(step.status);
        return list;
    }

    ServiceFixture fixture;
    QString output;
    QTextStream stream;
    std::unique_ptr<Pep::ReferencePep> pep;
    Demo::ScenarioContext context;
    QList<Step> steps;
    QStringList pendingTasks;
    HttpResponse lastAnswer;
    QList<HttpResponse> itemAnswers;
    int advancedSeconds = 0;
};

QByteArray failure(const Result<void> &result, const QString &output)
{
    return (result ? QString() : result.error().message + QStringLiteral("\n") + output).toUtf8();
}

} // namespace

class ScenariosTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void supportAgent();
    void toolDiscovery();
    void bundleEndsPartial();
    void revokedThenDenied();
    void revokedThenApprovedAgain();
    void expired();
    void pepRestart();
    void grantPending();
    void allDemoScenarios();
    void unknownScenario();
};

void ScenariosTest::supportAgent()
{
    Harness harness(QStringLiteral("demo"));
    QVERIFY2(harness.start(), qPrintable(harness.fixture.errorString()));

    const Result<void> result = Demo::runScenario(QStringLiteral("support-agent"), harness.context);

    QVERIFY2(result, failure(result, harness.output).constData());
    QCOMPARE(harness.decisions(), (QStringList{QStringLiteral("permit"), QStringLiteral("deny approval_required"),
                                               QStringLiteral("permit"), QStringLiteral("deny policy_denied/none")}));
    QCOMPARE(harness.pendingTasks.size(), 1);
}

void ScenariosTest::toolDiscovery()
{
    // Given the demo pack, where tool_discovery auto-approves tools reported as low risk.
    Harness harness(QStringLiteral("demo"));
    QVERIFY2(harness.start(), qPrintable(harness.fixture.errorString()));

    // When the agent asks for a low-risk and then a high-risk tool.
    const Result<void> result = Demo::runScenario(QStringLiteral("tool-discovery"), harness.context);

    // Then the first is approved at once (201) and only the second waits for a manager.
    QVERIFY2(result, failure(result, harness.output).constData());
    QCOMPARE(harness.submissionStatuses(), (QList<int>{201, 202}));
    QCOMPARE(harness.pendingTasks.size(), 1);
    QCOMPARE(harness.decisions(), (QStringList{QStringLiteral("deny approval_required"), QStringLiteral("permit"),
                                               QStringLiteral("deny approval_required"), QStringLiteral("permit")}));
    const QList<Step> evaluations = harness.named(QStringLiteral("evaluation"));
    QCOMPARE(evaluations.at(1).request.value(QStringLiteral("resource")).toObject().value(QStringLiteral("id")).toString(),
             QStringLiteral("ticket-summarizer"));
    QCOMPARE(evaluations.at(3).request.value(QStringLiteral("resource")).toObject().value(QStringLiteral("id")).toString(),
             QStringLiteral("bulk-refund"));

    // And the PEP acts on the 201 response directly, so no status poll comes between it and the
    // re-evaluation.
    QVERIFY(harness.steps.size() >= 3);
    QCOMPARE(harness.steps.at(1).name, QStringLiteral("submission"));
    QCOMPARE(harness.steps.at(1).status, 201);
    QCOMPARE(harness.steps.at(2).name, QStringLiteral("evaluation"));

    // And the manager's task names the agent in its actor chain.
    const HttpResponse task = harness.fixture.get(QStringLiteral("/admin/v1/tasks/") + harness.pendingTasks.first(), Tokens::bob);
    QCOMPARE(task.status, 200);
    const QJsonArray chain = task.json.value(QStringLiteral("actor_chain")).toArray();
    QVERIFY2(!chain.isEmpty(), task.describe().constData());
    QCOMPARE(chain.first().toObject().value(QStringLiteral("id")).toString(), QStringLiteral("support-agent-7"));
}

void ScenariosTest::bundleEndsPartial()
{
    // Given the demo pack and a manager who approves two of the bundle's three tools.
    Harness harness(QStringLiteral("demo"));
    QVERIFY2(harness.start(), qPrintable(harness.fixture.errorString()));

    // When the agent requests the three tools in one bundle.
    const Result<void> result = Demo::runScenario(QStringLiteral("bundle"), harness.context);

    // Then one bulk task contains the three items with their own denials,
    QVERIFY2(result, failure(result, harness.output).constData());
    const QList<Step> submissions = harness.named(QStringLiteral("submission"));
    QCOMPARE(submissions.size(), 1);
    QCOMPARE(submissions.first().status, 202);
    const QJsonArray items = submissions.first().request.value(QStringLiteral("items")).toArray();
    QCOMPARE(items.size(), 3);
    for (const QJsonValue &item : items)
        QVERIFY(item.toObject().value(QStringLiteral("denial")).toObject().contains(QStringLiteral("binding_token")));
    QVERIFY(!submissions.first().request.contains(QStringLiteral("resource")));

    // and the manager's two decisions were accepted, ending the task partial;
    QCOMPARE(harness.itemAnswers.size(), 2);
    QCOMPARE(harness.itemAnswers.at(0).status, 200);
    QCOMPARE(harness.itemAnswers.at(1).status, 200);
    QCOMPARE(harness.itemAnswers.at(1).json.value(QStringLiteral("status")).toString(), QStringLiteral("partial"));
    const QList<Step> polls = harness.named(QStringLiteral("status"));
    QVERIFY(!polls.isEmpty());
    QCOMPARE(polls.last().response.value(QStringLiteral("task")).toObject().value(QStringLiteral("status")).toString(),
             QStringLiteral("partial"));

    // and only the two approved tools are permitted, each with its own item's approval.
    QCOMPARE(harness.decisions(),
             (QStringList{QStringLiteral("deny approval_required"), QStringLiteral("deny approval_required"),
                          QStringLiteral("deny approval_required"), QStringLiteral("permit"), QStringLiteral("permit"),
                          QStringLiteral("deny out_of_scope/request")}));
    const QList<Step> evaluations = harness.named(QStringLiteral("evaluation"));
    const auto toolOf = [&](int index) {
        return evaluations.at(index).request.value(QStringLiteral("resource")).toObject().value(QStringLiteral("id")).toString();
    };
    QCOMPARE(toolOf(3), QStringLiteral("refund-issuer"));
    QCOMPARE(toolOf(4), QStringLiteral("ledger-export"));
    QCOMPARE(toolOf(5), QStringLiteral("account-closer"));
    const QJsonObject firstApproval =
        evaluations.at(3).request.value(QStringLiteral("context")).toObject().value(QStringLiteral("approval")).toObject();
    const QJsonObject secondApproval =
        evaluations.at(4).request.value(QStringLiteral("context")).toObject().value(QStringLiteral("approval")).toObject();
    QVERIFY(!firstApproval.isEmpty());
    QVERIFY(firstApproval.value(QStringLiteral("id")) != secondApproval.value(QStringLiteral("id")));
    QCOMPARE(evaluations.at(5).request.value(QStringLiteral("context")).toObject().value(QStringLiteral("approval")).toObject(),
             firstApproval);
    QVERIFY(harness.output.contains(QStringLiteral("The agent does not call account-closer.")));
}

void ScenariosTest::revokedThenDenied()
{
    // Given an approver who revokes the approval when asked and denies the follow-up request.
    Harness harness(QStringLiteral("demo"));
    QVERIFY2(harness.start(), qPrintable(harness.fixture.errorString()));
    QString revokedId;
    harness.context.hooks.onRevokeWanted = [&](const QString &approvalId) {
        revokedId = approvalId;
        harness.lastAnswer = harness.fixture.post(QStringLiteral("/admin/v1/approvals/%1/revoke").arg(approvalId),
                                                  QJsonObject{{QStringLiteral("comment"), QStringLiteral("Mission over.")}},
                                                  Tokens::bob);
    };
    harness.context.hooks.onTaskPending = [&](const QString &taskId) {
        if (harness.pendingTasks.isEmpty()) {
            harness.approve(taskId);
            return;
        }
        harness.pendingTasks.append(taskId);
        harness.fixture.deny(taskId, Tokens::bob, QJsonObject{{QStringLiteral("reason"), QStringLiteral("not needed")}});
    };

    // When the revoked scenario runs.
    const Result<void> result = Demo::runScenario(QStringLiteral("revoked"), harness.context);

    // Then the re-evaluation after the revocation is denied approval_expired with a fresh denial,
    // and the PEP submits against that fresh denial.
    QVERIFY2(result, failure(result, harness.output).constData());
    QVERIFY(!revokedId.isEmpty());
    QCOMPARE(harness.decisions(), (QStringList{QStringLiteral("deny approval_required"), QStringLiteral("permit"),
                                               QStringLiteral("deny approval_expired/request")}));
    const QList<Step> evaluations = harness.named(QStringLiteral("evaluation"));
    const QJsonObject fresh = evaluations.last().response.value(QStringLiteral("context")).toObject();
    QVERIFY(fresh.value(QStringLiteral("access_request")).isObject());
    const QList<Step> submissions = harness.named(QStringLiteral("submission"));
    QCOMPARE(submissions.size(), 2);
    QCOMPARE(submissions.last().request.value(QStringLiteral("denial")).toObject().value(QStringLiteral("evaluation_id")),
             fresh.value(QStringLiteral("evaluation_id")));
    QCOMPARE(harness.pendingTasks.size(), 2);
    QVERIFY(harness.output.contains(QStringLiteral("stays denied")));
}

void ScenariosTest::revokedThenApprovedAgain()
{
    Harness harness(QStringLiteral("demo"));
    QVERIFY2(harness.start(), qPrintable(harness.fixture.errorString()));
    harness.context.hooks.onRevokeWanted = [&](const QString &approvalId) {
        harness.lastAnswer = harness.fixture.post(QStringLiteral("/admin/v1/approvals/%1/revoke").arg(approvalId),
                                                  QJsonObject{}, Tokens::bob);
    };

    const Result<void> result = Demo::runScenario(QStringLiteral("revoked"), harness.context);

    QVERIFY2(result, failure(result, harness.output).constData());
    QCOMPARE(harness.decisions(), (QStringList{QStringLiteral("deny approval_required"), QStringLiteral("permit"),
                                               QStringLiteral("deny approval_expired/request"), QStringLiteral("permit")}));
    QCOMPARE(harness.pendingTasks.size(), 2);
}

void ScenariosTest::expired()
{
    // Given an approver who grants exactly five minutes.
    Harness harness(QStringLiteral("demo"));
    QVERIFY2(harness.start(), qPrintable(harness.fixture.errorString()));
    const qint64 untilMs = harness.fixture.clock().nowMs() + 5 * 60 * 1000;
    harness.context.hooks.onTaskPending = [&](const QString &taskId) {
        harness.approve(taskId, QJsonObject{{QStringLiteral("approved_until"), Rfc3339::format(untilMs)}});
    };

    // When the expired scenario runs.
    const Result<void> result = Demo::runScenario(QStringLiteral("expired"), harness.context);

    // Then the approval permits until approved_until, and the first check after it is denied
    // approval_expired, because the PDP applies no clock-skew allowance to its own approvals.
    QVERIFY2(result, failure(result, harness.output).constData());
    QCOMPARE(harness.lastAnswer.status, 200);
    const QStringList decisions = harness.decisions();
    QCOMPARE(decisions.first(), QStringLiteral("deny approval_required"));
    QCOMPARE(decisions.last(), QStringLiteral("deny approval_expired/request"));
    QCOMPARE(decisions.mid(1, decisions.size() - 2), QStringList(decisions.size() - 2, QStringLiteral("permit")));
    QCOMPARE(decisions.size(), 3);
    QVERIFY(harness.fixture.clock().nowMs() >= untilMs);
    QVERIFY(harness.fixture.clock().nowMs() < untilMs + 15 * 1000);
}

void ScenariosTest::pepRestart()
{
    Harness harness(QStringLiteral("demo"));
    QVERIFY2(harness.start(), qPrintable(harness.fixture.errorString()));
    QTemporaryDir stateDir;
    QVERIFY(stateDir.isValid());
    harness.context.stateDir = stateDir.path();
    const QString handlePath = stateDir.filePath(QStringLiteral("pending-task.json"));
    bool handleSeenWhilePending = false;
    int statusPollsBeforeApproval = -1;
    harness.context.hooks.onTaskPending = [&](const QString &taskId) {
        handleSeenWhilePending = QFile::exists(handlePath);
        statusPollsBeforeApproval = int(harness.named(QStringLiteral("status")).size());
        harness.approve(taskId);
    };

    const Result<void> result = Demo::runScenario(QStringLiteral("pep-restart"), harness.context);

    // The second instance polled the persisted task while pending, then completed it.
    QVERIFY2(result, failure(result, harness.output).constData());
    QVERIFY(handleSeenWhilePending);
    QCOMPARE(statusPollsBeforeApproval, 1);
    const QList<Step> statuses = harness.named(QStringLiteral("status"));
    QCOMPARE(statuses.first().response.value(QStringLiteral("task")).toObject().value(QStringLiteral("status")).toString(),
             QStringLiteral("pending"));
    QCOMPARE(statuses.last().response.value(QStringLiteral("task")).toObject().value(QStringLiteral("status")).toString(),
             QStringLiteral("approved"));
    QCOMPARE(harness.decisions(), (QStringList{QStringLiteral("deny approval_required"), QStringLiteral("permit")}));
    QVERIFY(!QFile::exists(handlePath));
}

void ScenariosTest::grantPending()
{
    // Given the arap-conformance pack, whose slow_provisioning template delays access by 5 s.
    Harness harness(QStringLiteral("arap-conformance"));
    QVERIFY2(harness.start(), qPrintable(harness.fixture.errorString()));

    const Result<void> result = Demo::runScenario(QStringLiteral("grant-pending"), harness.context);

    // Then the first re-evaluation says grant_pending/retry and the retry after retry_after permits.
    QVERIFY2(result, failure(result, harness.output).constData());
    QCOMPARE(harness.decisions(), (QStringList{QStringLiteral("deny approval_required"),
                                               QStringLiteral("deny grant_pending/retry"), QStringLiteral("permit")}));
    QCOMPARE(harness.advancedSeconds, 5);
    QCOMPARE(harness.submissionStatuses(), QList<int>{202});
}

void ScenariosTest::allDemoScenarios()
{
    Harness harness(QStringLiteral("demo"));
    QVERIFY2(harness.start(), qPrintable(harness.fixture.errorString()));
    harness.context.hooks.onRevokeWanted = [&](const QString &approvalId) {
        harness.fixture.post(QStringLiteral("/admin/v1/approvals/%1/revoke").arg(approvalId), QJsonObject{}, Tokens::bob);
    };

    const Result<void> result = Demo::runAllScenarios(harness.context);

    QVERIFY2(result, failure(result, harness.output).constData());
    for (const QString &name : Demo::scenarioNames()) {
        const bool demoPack = Demo::scenarioPolicyPack(name) == QLatin1String("demo");
        QCOMPARE(harness.output.contains(QStringLiteral("== %1 ==").arg(name)), demoPack);
    }
}

void ScenariosTest::unknownScenario()
{
    Harness harness(QStringLiteral("demo"));
    QVERIFY2(harness.start(), qPrintable(harness.fixture.errorString()));

    const Result<void> result = Demo::runScenario(QStringLiteral("no-such-scenario"), harness.context);

    QVERIFY(!result);
    QCOMPARE(result.error().value, QStringLiteral("no-such-scenario"));
    QVERIFY(harness.steps.isEmpty());
}

QTEST_GUILESS_MAIN(ScenariosTest)
#include "tst_scenarios.moc"
