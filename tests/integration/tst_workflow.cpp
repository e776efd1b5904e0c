// Approval workflows of the arap-conformance pack over HTTP: automatic approval at submission,
// delayed provisioning, the two-step security review, and task expiry on the manual clock.

#include "core/base/rfc3339.h"
#include "tests/integration/araprequests.h"
#include "tests/integration/servicefixture.h"

#include <QJsonArray>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

constexpr qint64 kTaskLifetimeSeconds = 24 * 3600; // every template of the pack

QString invalidTaskStateType()
{
    return QStringLiteral("urn:openid:authzen:access-request:error:invalid_task_state");
}

QString statusOf(const HttpResponse &response)
{
    return response.json.value(u"task").toObject().value(u"status").toString();
}

} // namespace

class tst_Workflow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void autoApprovalAtSubmission();
    void slowProvisioningAnswersRetry();
    void securityReviewNeedsBothSteps_data();
    void securityReviewNeedsBothSteps();
    void securityReviewDeniedByEither_data();
    void securityReviewDeniedByEither();
    void approverOutsideAwaitedGroups();
    void workflowNamesApprovers();
    void pendingTaskExpires();
    void sweepExpiresWithoutPolling();

private:
    std::unique_ptr<ServiceFixture> m_service;
};

void tst_Workflow::init()
{
    m_service = std::make_unique<ServiceFixture>();
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
}

void tst_Workflow::cleanup()
{
    m_service.reset();
}

void tst_Workflow::autoApprovalAtSubmission()
{
    const QJsonObject request = Arap::crmExportCall();
    const QJsonObject submission = m_service->freshSubmission(request);
    QVERIFY(!submission.isEmpty());
    QCOMPARE(submission.value(u"denial").toObject().value(u"template").toString(), QStringLiteral("auto_low_risk"));

    // The rule resolves the task inside the submission: 201, already approved, with a result.
    const HttpResponse response = m_service->submit(submission);
    QVERIFY2(response.status == 201, response.describe().constData());
    const QJsonObject task = response.json.value(u"task").toObject();
    QCOMPARE(task.value(u"status").toString(), QStringLiteral("approved"));
    QVERIFY(!task.contains(u"links"));
    QCOMPARE(QString::fromUtf8(response.header("location")), task.value(u"status_endpoint").toString());
    const QJsonObject result = response.json.value(u"result").toObject();
    QCOMPARE(result.value(u"mode").toString(), QStringLiteral("reevaluate"));
    const QJsonObject approval = result.value(u"approval").toObject();

    // The rule grants 30 minutes.
    const qint64 untilMs = Rfc3339::parse(approval.value(u"approved_until").toString()).value();
    QCOMPARE(untilMs - m_service->clock().nowMs(), 30 * 60 * 1000);

    const HttpResponse permitted = m_service->evaluate(withApproval(request, approval));
    QCOMPARE(permitted.json.value(u"decision"), QJsonValue(true));

    const HttpResponse detail = m_service->get(QStringLiteral("/admin/v1/tasks/") + task.value(u"id").toString(), Tokens::bob);
    QCOMPARE(detail.json.value(u"decided_by").toString(), QStringLiteral("policy:auto-approval"));
    QCOMPARE(detail.json.value(u"actor_chain").toArray().first().toObject().value(u"id").toString(),
             QStringLiteral("agent-7"));
}

void tst_Workflow::slowProvisioningAnswersRetry()
{
    const QJsonObject request = Arap::q4PlanWrite();
    const Escalation flow = m_service->grantAccess(request);
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    const QJsonObject reevaluation = withApproval(request, flow.approval);

    const HttpResponse early = m_service->evaluate(reevaluation);
    QCOMPARE(early.status, 200);
    QCOMPARE(early.json.value(u"decision"), QJsonValue(false));
    QJsonObject context = early.json.value(u"context").toObject();
    QCOMPARE(context.value(u"reason").toString(), QStringLiteral("grant_pending"));
    QCOMPARE(context.value(u"next_action").toString(), QStringLiteral("retry"));
    QCOMPARE(context.value(u"retry_after").toInt(), 5);
    QVERIFY(!context.contains(u"access_request"));

    m_service->clock().advanceSeconds(4);
    const HttpResponse stillEarly = m_service->evaluate(reevaluation);
    QCOMPARE(stillEarly.json.value(u"decision"), QJsonValue(false));
    context = stillEarly.json.value(u"context").toObject();
    QCOMPARE(context.value(u"reason").toString(), QStringLiteral("grant_pending"));
    QCOMPARE(context.value(u"retry_after").toInt(), 1);

    m_service->clock().advanceSeconds(1);
    const HttpResponse ready = m_service->evaluate(reevaluation);
    QCOMPARE(ready.json.value(u"decision"), QJsonValue(true));
}

void tst_Workflow::securityReviewNeedsBothSteps_data()
{
    QTest::addColumn<QString>("firstToken");
    QTest::addColumn<QString>("secondToken");
    QTest::addColumn<int>("stepAfterFirst");

    QTest::newRow("manager first") << Tokens::bob << Tokens::carol << 2;
    QTest::newRow("security first") << Tokens::carol << Tokens::bob << 1;
}

void tst_Workflow::securityReviewNeedsBothSteps()
{
    QFETCH(QString, firstToken);
    QFETCH(QString, secondToken);
    QFETCH(int, stepAfterFirst);

    const Escalation flow = m_service->requestAccess(Arap::paymentLogRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    QCOMPARE(flow.task.value(u"progress").toObject().value(u"total_steps").toInt(), 2);

    const HttpResponse first = m_service->approve(flow.taskId(), firstToken);
    QVERIFY2(first.status == 200, first.describe().constData());
    QCOMPARE(first.json.value(u"status").toString(), QStringLiteral("pending"));

    // One step is not the workflow: still pending, no result, progress moved on.
    const HttpResponse halfway = m_service->taskStatus(flow.statusEndpoint());
    QCOMPARE(statusOf(halfway), QStringLiteral("pending"));
    QVERIFY(!halfway.json.contains(u"result"));
    const QJsonObject progress = halfway.json.value(u"task").toObject().value(u"progress").toObject();
    QCOMPARE(progress.value(u"current_step").toInt(), stepAfterFirst);
    QCOMPARE(progress.value(u"total_steps").toInt(), 2);

    const HttpResponse second = m_service->approve(flow.taskId(), secondToken);
    QVERIFY2(second.status == 200, second.describe().constData());
    QCOMPARE(second.json.value(u"status").toString(), QStringLiteral("approved"));
    QCOMPARE(second.json.value(u"decisions").toArray().size(), 2);

    const HttpResponse done = m_service->taskStatus(flow.statusEndpoint());
    QCOMPARE(statusOf(done), QStringLiteral("approved"));
    const QJsonObject approval = done.json.value(u"result").toObject().value(u"approval").toObject();
    // The template caps the approval at two hours.
    const qint64 untilMs = Rfc3339::parse(approval.value(u"approved_until").toString()).value();
    QVERIFY(untilMs <= m_service->clock().nowMs() + 2 * 3600 * 1000);
    QCOMPARE(m_service->evaluate(withApproval(Arap::paymentLogRead(), approval)).json.value(u"decision"), QJsonValue(true));
}

void tst_Workflow::securityReviewDeniedByEither_data()
{
    QTest::addColumn<QString>("approverToken"); // empty: nobody approves first
    QTest::addColumn<QString>("denierToken");

    QTest::newRow("manager denies") << QString() << Tokens::bob;
    QTest::newRow("security denies") << QString() << Tokens::carol;
    QTest::newRow("security denies after the manager approved") << Tokens::bob << Tokens::carol;
    QTest::newRow("manager denies after security approved") << Tokens::carol << Tokens::bob;
}

void tst_Workflow::securityReviewDeniedByEither()
{
    QFETCH(QString, approverToken);
    QFETCH(QString, denierToken);

    const Escalation flow = m_service->requestAccess(Arap::paymentLogRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    if (!approverToken.isEmpty())
        QCOMPARE(m_service->approve(flow.taskId(), approverToken).status, 200);

    const HttpResponse denied = m_service->deny(flow.taskId(), denierToken, QJsonObject{{QStringLiteral("reason"),
                                                                                        QStringLiteral("not justified")}});
    QVERIFY2(denied.status == 200, denied.describe().constData());
    QCOMPARE(denied.json.value(u"status").toString(), QStringLiteral("denied"));

    const HttpResponse status = m_service->taskStatus(flow.statusEndpoint());
    QCOMPARE(statusOf(status), QStringLiteral("denied"));
    QVERIFY(!status.json.contains(u"result"));

    // Denied is terminal for everyone.
    const QString other = denierToken == Tokens::bob ? Tokens::carol : Tokens::bob;
    const HttpResponse late = m_service->approve(flow.taskId(), other);
    QCOMPARE(late.status, 409);
    QCOMPARE(late.problemType(), invalidTaskStateType());
}

void tst_Workflow::approverOutsideAwaitedGroups()
{
    // manager_approval awaits managers; carol is in security only.
    const Escalation flow = m_service->requestAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));

    const HttpResponse refused = m_service->approve(flow.taskId(), Tokens::carol);

    QCOMPARE(refused.status, 403);
    QCOMPARE(refused.problemType(), QStringLiteral("urn:recourse:error:not_eligible"));
    QCOMPARE(statusOf(m_service->taskStatus(flow.statusEndpoint())), QStringLiteral("pending"));
}

void tst_Workflow::workflowNamesApprovers()
{
    // The approver API lists each step's approvals as {approver, at}, which the console's
    // Workflow tab and recoursectl show.
    const Escalation flow = m_service->requestAccess(Arap::paymentLogRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    const QString approvedAt = Rfc3339::format(m_service->clock().nowMs());
    QCOMPARE(m_service->approve(flow.taskId(), Tokens::carol).status, 200);

    const HttpResponse detail = m_service->get(QStringLiteral("/admin/v1/tasks/") + flow.taskId(), Tokens::bob);
    QVERIFY2(detail.status == 200, detail.describe().constData());
    const QJsonArray steps = detail.json.value(u"workflow").toObject().value(u"steps").toArray();
    QCOMPARE(steps.size(), 2);
    QCOMPARE(steps.at(0).toObject().value(u"approvals").toArray(), QJsonArray());
    const QJsonArray security = steps.at(1).toObject().value(u"approvals").toArray();
    QCOMPARE(security.size(), 1);
    QCOMPARE(security.first().toObject(),
             QJsonObject({{QStringLiteral("approver"), QStringLiteral("carol")}, {QStringLiteral("at"), approvedAt}}));
}

void tst_Workflow::pendingTaskExpires()
{
    const Escalation flow = m_service->requestAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    QCOMPARE(Rfc3339::parse(flow.task.value(u"expires_at").toString()).value(),
             m_service->clock().nowMs() + kTaskLifetimeSeconds * 1000);

    m_service->clock().advanceSeconds(kTaskLifetimeSeconds - 1);
    QCOMPARE(statusOf(m_service->taskStatus(flow.statusEndpoint())), QStringLiteral("pending"));

    m_service->clock().advanceSeconds(1);
    const HttpResponse expired = m_service->taskStatus(flow.statusEndpoint());
    QCOMPARE(statusOf(expired), QStringLiteral("expired"));
    QVERIFY(!expired.json.contains(u"result"));
    QVERIFY(!expired.hasHeader("retry-after"));

    const HttpResponse approve = m_service->approve(flow.taskId(), Tokens::bob);
    QCOMPARE(approve.status, 409);
    QCOMPARE(approve.problemType(), invalidTaskStateType());
    const HttpResponse cancel = m_service->post(flow.statusEndpoint() + QStringLiteral("/cancel"), {}, Tokens::pepA);
    QCOMPARE(cancel.status, 409);
    QCOMPARE(cancel.problemType(), invalidTaskStateType());
}

void tst_Workflow::sweepExpiresWithoutPolling()
{
    // Nobody polls: the service's periodic sweep moves the task to expired on its own and the
    // approver API and the event stream show it.
    const Escalation flow = m_service->requestAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    EventRecorder events;
    events.open(m_service->baseUrl(), Tokens::auditor, 0);
    QTRY_VERIFY(events.isConnected());

    m_service->clock().advanceSeconds(kTaskLifetimeSeconds + 1);

    QTRY_VERIFY(events.types().contains(QStringLiteral("task.expired")));
    const HttpResponse detail = m_service->get(QStringLiteral("/admin/v1/tasks/") + flow.taskId(), Tokens::auditor);
    QCOMPARE(detail.json.value(u"status").toString(), QStringLiteral("expired"));
}

QTEST_GUILESS_MAIN(tst_Workflow)
#include "tst_workflow.moc"
