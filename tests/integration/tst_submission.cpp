// The Access Request Endpoint over HTTP: submission validation, the profile's problem types,
// denial freshness against the manual clock, task handles and cancellation.

#include "core/base/rfc3339.h"
#include "tests/integration/araprequests.h"
#include "tests/integration/servicefixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

constexpr qint64 kHintLifetimeSeconds = 10 * 60; // manager_approval's hint_lifetime
constexpr qint64 kSkewSeconds = 30;              // clock_skew_seconds of the fixture config
constexpr qint64 kTaskLifetimeSeconds = 24 * 3600;

QString arapType(const QString &name)
{
    return QStringLiteral("urn:openid:authzen:access-request:error:") + name;
}

QJsonObject withMember(QJsonObject object, const QString &path, const QJsonValue &value)
{
    // path is "member" or "member.inner"
    const qsizetype dot = path.indexOf(u'.');
    if (dot < 0) {
        object.insert(path, value);
        return object;
    }
    const QString outer = path.left(dot);
    object.insert(outer, withMember(object.value(outer).toObject(), path.mid(dot + 1), value));
    return object;
}

QJsonObject denialOf(const QJsonObject &submission)
{
    return submission.value(QStringLiteral("denial")).toObject();
}

} // namespace

class tst_Submission : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void notRequestableWhenPolicyForbids();
    void denialWithoutBindingMaterial();
    void unknownEvaluationId();
    void malformedSubmission_data();
    void malformedSubmission();
    void expiredDenial();
    void movedExpiryRejected();
    void evaluationIdPathUsesRecordedExpiry_data();
    void evaluationIdPathUsesRecordedExpiry();
    void skewTolerance_data();
    void skewTolerance();
    void timestampsMustBeRfc3339_data();
    void timestampsMustBeRfc3339();
    void requestedUntilInThePast_data();
    void requestedUntilInThePast();
    void requestedUntilPassedBeforeRetry();
    void approvalAfterRequestedWindow();
    void evaluationIdOnlySubmission();
    void evaluationSummaryFromRecord_data();
    void evaluationSummaryFromRecord();
    void createdResponseMatchesStatus();
    void unknownTask_data();
    void unknownTask();
    void taskExpiredAfterRetention();
    void cancelPendingTask_data();
    void cancelPendingTask();
    void invalidCancelBodyRejected_data();
    void invalidCancelBodyRejected();
    void requestSchemaEnforced_data();
    void requestSchemaEnforced();

private:
    void checkArapProblem(const HttpResponse &response, int status, const QString &name);
    std::unique_ptr<ServiceFixture> m_service;
};

void tst_Submission::init()
{
    m_service = std::make_unique<ServiceFixture>();
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
}

void tst_Submission::cleanup()
{
    m_service.reset();
}

void tst_Submission::checkArapProblem(const HttpResponse &response, int status, const QString &name)
{
    QVERIFY2(response.status == status, response.describe().constData());
    QVERIFY2(response.isProblem(), response.contentType().constData());
    QCOMPARE(response.problemType(), arapType(name));
    QCOMPARE(response.json.value(u"status").toInt(), status);
}

void tst_Submission::notRequestableWhenPolicyForbids()
{
    // The risk member is not bound by the denial, so the binding holds, but current policy
    // forbids a high-risk session outright.
    QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    submission = withMember(submission, QStringLiteral("context.risk"), QStringLiteral("high"));

    checkArapProblem(m_service->submit(submission), 400, QStringLiteral("not_requestable"));
}

void tst_Submission::denialWithoutBindingMaterial()
{
    QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    submission.insert(QStringLiteral("denial"),
                      QJsonObject{{QStringLiteral("expires_at"), denialOf(submission).value(u"expires_at")}});

    checkArapProblem(m_service->submit(submission), 400, QStringLiteral("invalid_denial_binding"));
}

void tst_Submission::unknownEvaluationId()
{
    QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    QJsonObject denial = denialOf(submission);
    denial.remove(QStringLiteral("binding_token"));
    denial.insert(QStringLiteral("evaluation_id"), QStringLiteral("evl_NOTISSUEDBYTHISSERVICE"));
    submission.insert(QStringLiteral("denial"), denial);

    checkArapProblem(m_service->submit(submission), 400, QStringLiteral("invalid_denial_binding"));
}

void tst_Submission::malformedSubmission_data()
{
    QTest::addColumn<QString>("member");
    QTest::addColumn<QJsonValue>("value"); // Undefined removes the member
    QTest::addColumn<QString>("type");

    const QString blank = QStringLiteral("about:blank");
    QTest::newRow("no denial") << QStringLiteral("denial") << QJsonValue(QJsonValue::Undefined) << blank;
    QTest::newRow("denial a string") << QStringLiteral("denial") << QJsonValue(QStringLiteral("x")) << blank;
    QTest::newRow("no subject") << QStringLiteral("subject") << QJsonValue(QJsonValue::Undefined) << blank;
    QTest::newRow("action without name") << QStringLiteral("action") << QJsonValue(QJsonObject{}) << blank;
    QTest::newRow("context an array") << QStringLiteral("context") << QJsonValue(QJsonArray{}) << blank;
    QTest::newRow("emergency a string") << QStringLiteral("requested_access")
                                        << QJsonValue(QJsonObject{{QStringLiteral("emergency"), QStringLiteral("yes")}})
                                        << blank;
    QTest::newRow("binding_token a number") << QStringLiteral("denial.binding_token") << QJsonValue(5) << blank;
    QTest::newRow("callback requested") << QStringLiteral("callback")
                                        << QJsonValue(QJsonObject{{QStringLiteral("endpoint"),
                                                                   QStringLiteral("https://cb.example.test/cb")}})
                                        << arapType(QStringLiteral("invalid_callback"));
}

void tst_Submission::malformedSubmission()
{
    QFETCH(QString, member);
    QFETCH(QJsonValue, value);
    QFETCH(QString, type);

    QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    if (value.isUndefined())
        submission.remove(member);
    else
        submission = withMember(submission, member, value);

    const HttpResponse response = m_service->submit(submission);
    QVERIFY2(response.status == 400, response.describe().constData());
    QVERIFY(response.isProblem());
    QCOMPARE(response.problemType(), type);

    // Nothing was consumed: the untouched submission still creates a task.
    QCOMPARE(m_service->submit(m_service->freshSubmission(Arap::q4PlanRead())).status, 202);
}

void tst_Submission::expiredDenial()
{
    const QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());

    m_service->clock().advanceSeconds(kHintLifetimeSeconds + kSkewSeconds + 1);

    const HttpResponse response = m_service->submit(submission);
    checkArapProblem(response, 410, QStringLiteral("expired_denial"));
}

void tst_Submission::movedExpiryRejected()
{
    // The PEP echoes an expiry one hour later than the one the PDP signed.
    QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    const qint64 signedMs = Rfc3339::parse(denialOf(submission).value(u"expires_at").toString()).value();
    submission = withMember(submission, QStringLiteral("denial.expires_at"), Rfc3339::format(signedMs + 3600 * 1000));

    checkArapProblem(m_service->submit(submission), 400, QStringLiteral("invalid_denial_binding"));

    // Past the signed expiry the mismatch is still reported first, before freshness.
    m_service->clock().advanceSeconds(kHintLifetimeSeconds + kSkewSeconds + 1);
    checkArapProblem(m_service->submit(submission), 400, QStringLiteral("invalid_denial_binding"));
}

void tst_Submission::evaluationIdPathUsesRecordedExpiry_data()
{
    QTest::addColumn<qint64>("advanceSeconds");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("problem");

    // An echoed expiry that differs from the recorded one is a binding mismatch while the denial
    // is fresh. Once the recorded expiry has passed, the denial is expired.
    QTest::newRow("before the recorded expiry") << qint64(60) << 400 << QStringLiteral("invalid_denial_binding");
    QTest::newRow("after the recorded expiry") << kHintLifetimeSeconds + kSkewSeconds + 1 << 410
                                               << QStringLiteral("expired_denial");
}

void tst_Submission::evaluationIdPathUsesRecordedExpiry()
{
    QFETCH(qint64, advanceSeconds);
    QFETCH(int, status);
    QFETCH(QString, problem);

    QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    QJsonObject denial = denialOf(submission);
    denial.remove(QStringLiteral("binding_token"));
    const qint64 recordedMs = Rfc3339::parse(denial.value(u"expires_at").toString()).value();
    denial.insert(QStringLiteral("expires_at"), Rfc3339::format(recordedMs + 3600 * 1000));
    submission.insert(QStringLiteral("denial"), denial);

    m_service->clock().advanceSeconds(advanceSeconds);

    checkArapProblem(m_service->submit(submission), status, problem);
}

void tst_Submission::skewTolerance_data()
{
    QTest::addColumn<bool>("byEvaluationId");
    QTest::addColumn<qint64>("secondsPastExpiry");
    QTest::addColumn<int>("status");

    QTest::newRow("token, just inside the tolerance") << false << kSkewSeconds << 202;
    QTest::newRow("token, just outside the tolerance") << false << kSkewSeconds + 1 << 410;
    QTest::newRow("evaluation id, just inside the tolerance") << true << kSkewSeconds << 202;
    QTest::newRow("evaluation id, just outside the tolerance") << true << kSkewSeconds + 1 << 410;
}

void tst_Submission::skewTolerance()
{
    QFETCH(bool, byEvaluationId);
    QFETCH(qint64, secondsPastExpiry);
    QFETCH(int, status);

    QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    if (byEvaluationId) {
        QJsonObject denial = denialOf(submission);
        denial.remove(QStringLiteral("binding_token"));
        submission.insert(QStringLiteral("denial"), denial);
    }

    m_service->clock().advanceSeconds(kHintLifetimeSeconds + secondsPastExpiry);

    const HttpResponse response = m_service->submit(submission);
    QVERIFY2(response.status == status, response.describe().constData());
    if (status == 410)
        QCOMPARE(response.problemType(), arapType(QStringLiteral("expired_denial")));
}

void tst_Submission::timestampsMustBeRfc3339_data()
{
    QTest::addColumn<QString>("member");
    QTest::addColumn<QString>("value");

    const QStringList members{QStringLiteral("requested_access.requested_until"),
                              QStringLiteral("denial.evaluated_at")};
    const QList<QPair<const char *, QString>> values{
        {"no offset", QStringLiteral("2026-12-04T12:00:00")},
        {"offset +24:00", QStringLiteral("2026-12-04T12:00:00+24:00")},
        {"empty", QString()},
        {"date only", QStringLiteral("2026-12-04")},
        {"no seconds", QStringLiteral("2026-12-04T12:00Z")},
        {"space separator", QStringLiteral("2026-12-04 12:00:00Z")},
        {"month 13", QStringLiteral("2026-13-04T12:00:00Z")},
    };
    for (const QString &member : members) {
        for (const auto &[name, value] : values)
            QTest::addRow("%s, %s", qPrintable(member), name) << member << value;
    }
}

void tst_Submission::timestampsMustBeRfc3339()
{
    QFETCH(QString, member);
    QFETCH(QString, value);

    QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    submission = withMember(submission, member, value);

    const HttpResponse response = m_service->submit(submission);
    QVERIFY2(response.status == 400, response.describe().constData());
    QVERIFY(response.isProblem());
    QCOMPARE(response.problemType(), QStringLiteral("about:blank"));
    if (!value.isEmpty())
        QCOMPARE(response.json.value(u"invalid_value").toString(), value);
}

void tst_Submission::requestedUntilInThePast_data()
{
    QTest::addColumn<qint64>("offsetMs"); // requested_until relative to the service clock
    QTest::addColumn<int>("status");

    QTest::newRow("an hour ago") << qint64(-3600 * 1000) << 400;
    QTest::newRow("one millisecond ago") << qint64(-1) << 400;
    QTest::newRow("now") << qint64(0) << 400;
    QTest::newRow("one second ahead") << qint64(1000) << 202;
}

void tst_Submission::requestedUntilInThePast()
{
    QFETCH(qint64, offsetMs);
    QFETCH(int, status);

    QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    const QString until = Rfc3339::format(m_service->clock().nowMs() + offsetMs);
    submission = withMember(submission, QStringLiteral("requested_access.requested_until"), until);

    const HttpResponse response = m_service->submit(submission);

    QVERIFY2(response.status == status, response.describe().constData());
    if (status != 400)
        return;
    QVERIFY(response.isProblem());
    QCOMPARE(response.problemType(), QStringLiteral("about:blank"));
    QCOMPARE(response.json.value(u"invalid_value").toString(), until);
    QVERIFY2(response.json.value(u"detail").toString().contains(QStringLiteral("requested_access.requested_until")),
             response.describe().constData());
    // The refusal consumed nothing: with a future end the same denial still creates a task.
    submission = withMember(submission, QStringLiteral("requested_access.requested_until"),
                            Rfc3339::format(m_service->clock().nowMs() + 3600 * 1000));
    QCOMPARE(m_service->submit(submission).status, 202);
}

void tst_Submission::requestedUntilPassedBeforeRetry()
{
    // A genuine retry gets the stored task even when the requested end has passed since.
    QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    submission = withMember(submission, QStringLiteral("requested_access.requested_until"),
                            Rfc3339::format(m_service->clock().nowMs() + 60 * 1000));
    const HttpResponse first = m_service->submit(submission, Tokens::pepA, QStringLiteral("until-key"));
    QVERIFY2(first.status == 202, first.describe().constData());

    m_service->clock().advanceSeconds(120);

    const HttpResponse retry = m_service->submit(submission, Tokens::pepA, QStringLiteral("until-key"));
    QVERIFY2(retry.status == 202, retry.describe().constData());
    QCOMPARE(retry.json.value(u"task").toObject().value(u"id"), first.json.value(u"task").toObject().value(u"id"));
}

void tst_Submission::approvalAfterRequestedWindow()
{
    // The requested window closes while the task waits: approving it as asked would grant the
    // template's default duration, which the PEP never requested.
    QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    const QString requestedUntil = Rfc3339::format(m_service->clock().nowMs() + 60 * 1000);
    submission = withMember(submission, QStringLiteral("requested_access.requested_until"), requestedUntil);
    const HttpResponse created = m_service->submit(submission);
    QVERIFY2(created.status == 202, created.describe().constData());
    const QJsonObject task = created.json.value(u"task").toObject();
    const QString taskId = task.value(u"id").toString();
    const QString statusEndpoint = task.value(u"status_endpoint").toString();

    m_service->clock().advanceSeconds(120);

    const HttpResponse asRequested = m_service->approve(taskId, Tokens::bob);
    checkArapProblem(asRequested, 409, QStringLiteral("invalid_task_state"));
    QCOMPARE(asRequested.json.value(u"invalid_value").toString(), requestedUntil);
    const HttpResponse pending = m_service->taskStatus(statusEndpoint);
    QCOMPARE(pending.json.value(u"task").toObject().value(u"status").toString(), QStringLiteral("pending"));

    const QString newEnd = Rfc3339::format(m_service->clock().nowMs() + 30 * 60 * 1000);
    const HttpResponse withNewEnd =
        m_service->approve(taskId, Tokens::bob, QJsonObject{{QStringLiteral("approved_until"), newEnd}});
    QVERIFY2(withNewEnd.status == 200, withNewEnd.describe().constData());
    const HttpResponse approved = m_service->taskStatus(statusEndpoint);
    QCOMPARE(approved.json.value(u"task").toObject().value(u"status").toString(), QStringLiteral("approved"));
}

void tst_Submission::createdResponseMatchesStatus()
{
    // The 202 response is built from the task the submission just wrote, without reading it back.
    // It must equal what the status endpoint returns for that task.
    QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    submission = withMember(submission, QStringLiteral("requested_access.requested_until"),
                            Rfc3339::format(m_service->clock().nowMs() + 10 * 60 * 1000));
    const HttpResponse created = m_service->submit(submission);
    QVERIFY2(created.status == 202, created.describe().constData());

    const QString statusEndpoint = created.json.value(u"task").toObject().value(u"status_endpoint").toString();
    const HttpResponse status = m_service->taskStatus(statusEndpoint);
    QVERIFY2(status.status == 200, status.describe().constData());
    QCOMPARE(created.json, status.json);
}

void tst_Submission::evaluationIdOnlySubmission()
{
    QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    QJsonObject denial = denialOf(submission);
    const QString evaluationId = denial.value(u"evaluation_id").toString();
    denial = QJsonObject{{QStringLiteral("expires_at"), denial.value(u"expires_at")},
                         {QStringLiteral("evaluation_id"), evaluationId}};
    submission.insert(QStringLiteral("denial"), denial);

    const HttpResponse response = m_service->submit(submission);
    QVERIFY2(response.status == 202, response.describe().constData());
    const QString taskId = response.json.value(u"task").toObject().value(u"id").toString();

    const HttpResponse detail = m_service->get(QStringLiteral("/admin/v1/tasks/") + taskId, Tokens::bob);
    QCOMPARE(detail.status, 200);
    QCOMPARE(detail.json.value(u"evaluation").toObject().value(u"evaluation_id").toString(), evaluationId);
    QCOMPARE(detail.json.value(u"status").toString(), QStringLiteral("pending"));
}

void tst_Submission::evaluationSummaryFromRecord_data()
{
    QTest::addColumn<bool>("withToken"); // bound by binding_token, or by evaluation_id alone

    QTest::newRow("binding token") << true;
    QTest::newRow("evaluation id") << false;
}

// Approvers read the denial reason and time of a task. A PEP echoes them in its denial, but the
// task shows what the service recorded: a PEP cannot claim "pre_approved_by_ciso".
void tst_Submission::evaluationSummaryFromRecord()
{
    QFETCH(bool, withToken);
    QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    QJsonObject denial = denialOf(submission);
    const QString evaluatedAt = denial.value(u"evaluated_at").toString();
    const QString reason = denial.value(u"reason").toString();
    QVERIFY(!evaluatedAt.isEmpty());
    QVERIFY(!reason.isEmpty());
    if (!withToken)
        denial.remove(QStringLiteral("binding_token"));
    denial.insert(QStringLiteral("reason"), QStringLiteral("pre_approved_by_ciso"));
    denial.insert(QStringLiteral("evaluated_at"), QStringLiteral("2020-01-01T00:00:00Z"));
    submission.insert(QStringLiteral("denial"), denial);

    const HttpResponse response = m_service->submit(submission);
    QVERIFY2(response.status == 202, response.describe().constData());
    const QString taskId = response.json.value(u"task").toObject().value(u"id").toString();

    const HttpResponse detail = m_service->get(QStringLiteral("/admin/v1/tasks/") + taskId, Tokens::bob);
    QCOMPARE(detail.status, 200);
    const QJsonObject evaluation = detail.json.value(u"evaluation").toObject();
    QCOMPARE(evaluation.value(u"reason").toString(), reason);
    QCOMPARE(evaluation.value(u"evaluated_at").toString(), evaluatedAt);
}

void tst_Submission::unknownTask_data()
{
    QTest::addColumn<bool>("ownedByPepA");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("suffix");

    QTest::newRow("status of a task never issued") << false << QByteArrayLiteral("GET") << QString();
    QTest::newRow("cancel of a task never issued") << false << QByteArrayLiteral("POST") << QStringLiteral("/cancel");
    QTest::newRow("status of another PEP's task") << true << QByteArrayLiteral("GET") << QString();
    QTest::newRow("cancel of another PEP's task") << true << QByteArrayLiteral("POST") << QStringLiteral("/cancel");
    QTest::newRow("DELETE cancel of another PEP's task") << true << QByteArrayLiteral("DELETE") << QStringLiteral("/cancel");
}

void tst_Submission::unknownTask()
{
    QFETCH(bool, ownedByPepA);
    QFETCH(QByteArray, method);
    QFETCH(QString, suffix);

    QString statusEndpoint = m_service->baseUrl() + QStringLiteral("/access/v1/requests/arq_AAAAAAAAAAAAAAAAAAAAAAAAAA");
    if (ownedByPepA) {
        const Escalation flow = m_service->requestAccess(Arap::q4PlanRead(), Tokens::pepA);
        QVERIFY2(flow.ok(), qPrintable(flow.failure));
        statusEndpoint = flow.statusEndpoint();
    }

    // PEP-B learns nothing about PEP-A's task, not even that it exists.
    const QByteArray body = method == "POST" ? QByteArrayLiteral("{}") : QByteArray();
    const HttpResponse response = m_service->send(method, statusEndpoint + suffix, body, Tokens::pepB);
    checkArapProblem(response, 404, QStringLiteral("unknown_task"));

    if (ownedByPepA) {
        const HttpResponse own = m_service->taskStatus(statusEndpoint, Tokens::pepA);
        QCOMPARE(own.status, 200);
        QCOMPARE(own.json.value(u"task").toObject().value(u"status").toString(), QStringLiteral("pending"));
    }
}

void tst_Submission::taskExpiredAfterRetention()
{
    const Escalation flow = m_service->requestAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));

    // Past its lifetime the pending task reads as expired; a day after that it is gone.
    m_service->clock().advanceSeconds(kTaskLifetimeSeconds + 1);
    const HttpResponse expired = m_service->taskStatus(flow.statusEndpoint());
    QCOMPARE(expired.status, 200);
    QCOMPARE(expired.json.value(u"task").toObject().value(u"status").toString(), QStringLiteral("expired"));

    m_service->clock().advanceSeconds(24 * 3600 + 1);
    checkArapProblem(m_service->taskStatus(flow.statusEndpoint()), 410, QStringLiteral("task_expired"));
}

void tst_Submission::cancelPendingTask_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("POST with a reason") << QByteArrayLiteral("POST") << QByteArrayLiteral(R"({"reason":"no_longer_needed"})");
    QTest::newRow("POST without a body") << QByteArrayLiteral("POST") << QByteArray();
    QTest::newRow("DELETE") << QByteArrayLiteral("DELETE") << QByteArray();
}

void tst_Submission::cancelPendingTask()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, body);

    const Escalation flow = m_service->requestAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    const QString cancelLink = flow.task.value(u"links").toObject().value(u"cancel").toString();
    QVERIFY(!cancelLink.isEmpty());

    const HttpResponse cancelled = m_service->send(method, cancelLink, body, Tokens::pepA);
    QVERIFY2(cancelled.status == 200, cancelled.describe().constData());
    const QJsonObject task = cancelled.json.value(u"task").toObject();
    QCOMPARE(task.value(u"status").toString(), QStringLiteral("cancelled"));
    QVERIFY(!task.contains(u"links"));

    checkArapProblem(m_service->send(method, cancelLink, body, Tokens::pepA), 409, QStringLiteral("invalid_task_state"));

    // The status endpoint and the approver API agree, and nobody can approve it any more.
    QCOMPARE(m_service->taskStatus(flow.statusEndpoint()).json.value(u"task").toObject().value(u"status").toString(),
             QStringLiteral("cancelled"));
    checkArapProblem(m_service->approve(flow.taskId(), Tokens::bob), 409, QStringLiteral("invalid_task_state"));
    const HttpResponse detail = m_service->get(QStringLiteral("/admin/v1/tasks/") + flow.taskId(), Tokens::bob);
    QCOMPARE(detail.json.value(u"status").toString(), QStringLiteral("cancelled"));
    QCOMPARE(detail.json.value(u"approvals").toArray().size(), 0);
}

void tst_Submission::invalidCancelBodyRejected_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<QString>("member");

    QTest::newRow("reason a number") << QJsonObject{{QStringLiteral("reason"), 5}} << QStringLiteral("reason");
    QTest::newRow("comment null") << QJsonObject{{QStringLiteral("comment"), QJsonValue::Null}} << QStringLiteral("comment");
    QTest::newRow("reason over 4,000 characters") << QJsonObject{{QStringLiteral("reason"), QString(4001, u'r')}}
                                                  << QStringLiteral("reason");
}

// A cancellation's reason and comment reach the audit trail as sent, or the cancellation is
// rejected. They used to be cut to 200 and 2,000 characters without an error.
void tst_Submission::invalidCancelBodyRejected()
{
    QFETCH(QJsonObject, body);
    QFETCH(QString, member);
    const Escalation flow = m_service->requestAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    const QString cancelLink = flow.task.value(u"links").toObject().value(u"cancel").toString();

    const HttpResponse rejected = m_service->send("POST", cancelLink, QJsonDocument(body).toJson(), Tokens::pepA);
    const HttpResponse atLimit = m_service->send("POST", cancelLink,
        QJsonDocument(QJsonObject{{QStringLiteral("reason"), QString(4000, u'r')}, {QStringLiteral("note"), 1}}).toJson(),
        Tokens::pepA);

    QVERIFY2(rejected.status == 400, rejected.describe().constData());
    QCOMPARE(rejected.json.value(u"invalid_value").toString(), member);
    // 4,000 characters are kept whole, and an unknown member is ignored.
    QVERIFY2(atLimit.status == 200, atLimit.describe().constData());
}

void tst_Submission::requestSchemaEnforced_data()
{
    QTest::addColumn<QJsonObject>("request");
    QTest::addColumn<QJsonValue>("justification");
    QTest::addColumn<QString>("pointer"); // empty when the submission is accepted

    // manager_approval (q4-plan read) declares a 500-character justification in its
    // request_schema; slow_provisioning (q4-plan write) declares no schema, so the default cap
    // of 4,096 characters applies.
    const QString member = QStringLiteral("/context/business_justification");
    const QJsonObject read = Arap::q4PlanRead();
    const QJsonObject write = Arap::q4PlanWrite();
    QTest::newRow("schema: at maxLength") << read << QJsonValue(QString(500, u'j')) << QString();
    QTest::newRow("schema: one over maxLength") << read << QJsonValue(QString(501, u'j')) << member;
    QTest::newRow("schema: 100 kB") << read << QJsonValue(QString(100 * 1024, u'j')) << member;
    QTest::newRow("schema: a number") << read << QJsonValue(42) << member;
    // maxLength counts characters (code points), not UTF-16 units or bytes.
    QTest::newRow("schema: 500 astral characters") << read << QJsonValue(QString(QStringLiteral("\U0001F600")).repeated(500))
                                                   << QString();
    QTest::newRow("no schema: at the default cap") << write << QJsonValue(QString(4096, u'j')) << QString();
    QTest::newRow("no schema: over the default cap") << write << QJsonValue(QString(4097, u'j')) << member;
    QTest::newRow("no schema: an object") << write << QJsonValue(QJsonObject{{QStringLiteral("text"), QStringLiteral("x")}})
                                          << member;
}

void tst_Submission::requestSchemaEnforced()
{
    QFETCH(QJsonObject, request);
    QFETCH(QJsonValue, justification);
    QFETCH(QString, pointer);

    QJsonObject submission = m_service->freshSubmission(request);
    QVERIFY(!submission.isEmpty());
    submission = withMember(submission, QStringLiteral("context.business_justification"), justification);

    const HttpResponse response = m_service->submit(submission);

    if (pointer.isEmpty()) {
        QVERIFY2(response.status == 202, response.describe().constData());
        return;
    }
    QVERIFY2(response.status == 400, response.describe().left(300).constData());
    QVERIFY(response.isProblem());
    QCOMPARE(response.problemType(), QStringLiteral("about:blank"));
    QCOMPARE(response.json.value(u"invalid_value").toString(), pointer);
    QVERIFY(response.body.size() < 2000);
    const HttpResponse tasks = m_service->get(QStringLiteral("/admin/v1/tasks"), Tokens::auditor);
    QCOMPARE(tasks.json.value(u"tasks").toArray().size(), 0);
}

QTEST_GUILESS_MAIN(tst_Submission)
#include "tst_submission.moc"
