// What survives a service restart on the same data folder and port: pending tasks, approvals
// and their signed state, revocations, idempotency keys, seen jti values, event seq and the audit
// chain.

#include "tests/integration/araprequests.h"
#include "tests/integration/servicefixture.h"

#include <QDir>
#include <QJsonArray>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

QString statusOf(const HttpResponse &response)
{
    return response.json.value(u"task").toObject().value(u"status").toString();
}

bool strictlyIncreasing(const QList<qint64> &values)
{
    for (qsizetype i = 1; i < values.size(); ++i) {
        if (values.at(i) <= values.at(i - 1))
            return false;
    }
    return true;
}

// Holds the store's write lock from a connection of its own, as another writer would, so the
// service's writer cannot commit until release().
class StoreWriteLock
{
public:
    explicit StoreWriteLock(const QString &dataDir)
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(QDir(dataDir).filePath(QStringLiteral("recourse.db")));
        m_locked = db.open() && QSqlQuery(db).exec(QStringLiteral("BEGIN IMMEDIATE"));
    }
    ~StoreWriteLock() { release(); }
    Q_DISABLE_COPY_MOVE(StoreWriteLock)

    bool isLocked() const { return m_locked; }
    void release()
    {
        if (!QSqlDatabase::contains(m_name))
            return;
        {
            QSqlDatabase db = QSqlDatabase::database(m_name);
            if (m_locked)
                QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
        m_locked = false;
    }

private:
    QString m_name = QStringLiteral("tst_restart-write-lock");
    bool m_locked = false;
};

QJsonObject byEvaluationIdOnly(QJsonObject submission)
{
    const QJsonObject denial = submission.value(u"denial").toObject();
    submission.insert(QStringLiteral("denial"),
                      QJsonObject{{QStringLiteral("expires_at"), denial.value(u"expires_at")},
                                  {QStringLiteral("evaluation_id"), denial.value(u"evaluation_id")}});
    return submission;
}

} // namespace

class tst_Restart : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void pendingTaskSurvivesRestart();
    void revocationSurvivesRestart();
    void idempotencyAndReplaySurviveRestart();
    void eventSeqContinuesAfterRestart();
    void denialCitableByIdAfterRestart();
    void unstoredDenialNotIssued();

private:
    void restart();
    std::unique_ptr<ServiceFixture> m_service;
};

void tst_Restart::init()
{
    m_service = std::make_unique<ServiceFixture>();
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
}

void tst_Restart::cleanup()
{
    m_service.reset();
}

void tst_Restart::restart()
{
    const QString before = m_service->baseUrl();
    QVERIFY2(m_service->restart(), qPrintable(m_service->errorString()));
    QCOMPARE(m_service->baseUrl(), before);
}

void tst_Restart::pendingTaskSurvivesRestart()
{
    const Escalation flow = m_service->requestAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));

    restart();
    if (QTest::currentTestFailed())
        return;

    // The PEP resumes from the persisted handle.
    const HttpResponse pending = m_service->taskStatus(flow.statusEndpoint());
    QVERIFY2(pending.status == 200, pending.describe().constData());
    QCOMPARE(statusOf(pending), QStringLiteral("pending"));
    QCOMPARE(pending.json.value(u"task").toObject().value(u"expires_at"), flow.task.value(u"expires_at"));

    const HttpResponse approved = m_service->approve(flow.taskId(), Tokens::bob);
    QVERIFY2(approved.status == 200, approved.describe().constData());
    const QJsonObject approval =
        m_service->taskStatus(flow.statusEndpoint()).json.value(u"result").toObject().value(u"approval").toObject();
    QVERIFY(!approval.isEmpty());

    restart();
    if (QTest::currentTestFailed())
        return;

    // The signed state still verifies with the persisted key, and the task is still approved.
    const HttpResponse permitted = m_service->evaluate(withApproval(flow.request, approval));
    QCOMPARE(permitted.json.value(u"decision"), QJsonValue(true));
    QCOMPARE(permitted.json.value(u"context").toObject().value(u"approval").toObject().value(u"approved_until"),
             approval.value(u"approved_until"));
    const HttpResponse status = m_service->taskStatus(flow.statusEndpoint());
    QCOMPARE(statusOf(status), QStringLiteral("approved"));
    QCOMPARE(status.json.value(u"result").toObject().value(u"approval").toObject(), approval);
}

void tst_Restart::revocationSurvivesRestart()
{
    const Escalation flow = m_service->grantAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    const HttpResponse revoked =
        m_service->post(QStringLiteral("/admin/v1/approvals/%1/revoke").arg(flow.approval.value(u"id").toString()), {},
                        Tokens::bob);
    QCOMPARE(revoked.status, 200);

    restart();
    if (QTest::currentTestFailed())
        return;

    const HttpResponse denied = m_service->evaluate(withApproval(flow.request, flow.approval));
    QCOMPARE(denied.json.value(u"decision"), QJsonValue(false));
    QCOMPARE(denied.json.value(u"context").toObject().value(u"reason").toString(), QStringLiteral("approval_expired"));
}

void tst_Restart::idempotencyAndReplaySurviveRestart()
{
    const QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    const HttpResponse first = m_service->submit(submission, Tokens::pepA, QStringLiteral("durable-key"));
    QVERIFY2(first.status == 202, first.describe().constData());

    restart();
    if (QTest::currentTestFailed())
        return;

    const HttpResponse retry = m_service->submit(submission, Tokens::pepA, QStringLiteral("durable-key"));
    QVERIFY2(retry.status == 202, retry.describe().constData());
    QCOMPARE(retry.json.value(u"task").toObject().value(u"id"), first.json.value(u"task").toObject().value(u"id"));

    const HttpResponse replay = m_service->submit(submission, Tokens::pepA, QStringLiteral("another-key"));
    QCOMPARE(replay.status, 400);
    QCOMPARE(replay.problemType(), QStringLiteral("urn:openid:authzen:access-request:error:invalid_denial_binding"));
}

void tst_Restart::eventSeqContinuesAfterRestart()
{
    EventRecorder before;
    before.open(m_service->baseUrl(), Tokens::auditor, 0);
    QTRY_VERIFY(before.isConnected());
    const Escalation flow = m_service->requestAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    QTRY_VERIFY(before.types().contains(QStringLiteral("task.created")));
    const qint64 lastBefore = before.lastSeq();
    const QList<qint64> seqsBefore = before.seqs();

    restart();
    if (QTest::currentTestFailed())
        return;
    QTRY_VERIFY(!before.isConnected());

    QCOMPARE(m_service->approve(flow.taskId(), Tokens::bob).status, 200);

    // New events continue the sequence; a client resuming after the last seq it saw misses none.
    EventRecorder resumed;
    resumed.open(m_service->baseUrl(), Tokens::auditor, lastBefore);
    QTRY_VERIFY(resumed.types().contains(QStringLiteral("task.approved")));
    QCOMPARE(resumed.seqs().first(), lastBefore + 1);
    QVERIFY(strictlyIncreasing(resumed.seqs()));

    EventRecorder everything;
    everything.open(m_service->baseUrl(), Tokens::auditor, 0);
    QTRY_COMPARE(everything.seqs().size(), seqsBefore.size() + resumed.seqs().size());
    QCOMPARE(everything.seqs(), seqsBefore + resumed.seqs());

    const HttpResponse verify = m_service->get(QStringLiteral("/admin/v1/audit/verify"), Tokens::auditor);
    QCOMPARE(verify.json.value(u"ok").toBool(), true);
}

void tst_Restart::denialCitableByIdAfterRestart()
{
    // The service restarts right after it returns the denial, before the PEP submits.
    const QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());

    restart();
    if (QTest::currentTestFailed())
        return;

    const HttpResponse submitted = m_service->submit(byEvaluationIdOnly(submission));
    QVERIFY2(submitted.status == 202, submitted.describe().constData());
}

void tst_Restart::unstoredDenialNotIssued()
{
    // While another connection holds the write lock, the denial's record cannot be committed; the
    // service must not hand out a requestable denial that a later submission cannot cite.
    StoreWriteLock lock(m_service->dataDir());
    QVERIFY(lock.isLocked());

    const HttpResponse evaluated = m_service->evaluate(Arap::q4PlanRead());
    lock.release();

    QVERIFY2(evaluated.status == 503, evaluated.describe().constData());
    QVERIFY(evaluated.isProblem());
    QVERIFY(evaluated.hasHeader("retry-after"));
    QVERIFY(!evaluated.json.contains(u"context"));

    // Once the store commits again, a denial is issued and can be cited by its id alone.
    const QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    const HttpResponse submitted = m_service->submit(byEvaluationIdOnly(submission));
    QVERIFY2(submitted.status == 202, submitted.describe().constData());
}

QTEST_GUILESS_MAIN(tst_Restart)
#include "tst_restart.moc"
