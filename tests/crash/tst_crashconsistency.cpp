// Crash consistency: submissions and approvals run against the real executable while it is
// killed with SIGKILL at random moments, 20 times. After each restart every acknowledged task and
// decision must be there exactly once, and the audit chain must verify.

#include "core/json/json.h"

#include <QFile>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace Recourse;

namespace {

const QByteArray kConfig = R"({"identities": [
    {"id": "pep-a", "role": "pep", "token": "pep-a-secret"},
    {"id": "bob", "role": "approver", "groups": ["managers"], "token": "bob-secret"},
    {"id": "audit-1", "role": "auditor", "token": "audit-secret"}]})";

constexpr int kKills = 20;
constexpr int kAgents = 8;

QJsonObject logRequest(int agent)
{
    return QJsonObject{
        {QStringLiteral("subject"), QJsonObject{{QStringLiteral("type"), QStringLiteral("user")},
                                                {QStringLiteral("id"), QStringLiteral("sam")},
                                                {QStringLiteral("properties"),
                                                 QJsonObject{{QStringLiteral("department"), QStringLiteral("support")}}}}},
        {QStringLiteral("resource"), QJsonObject{{QStringLiteral("type"), QStringLiteral("log")},
                                                 {QStringLiteral("id"), QStringLiteral("payments-provider")}}},
        {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("read")}}},
        {QStringLiteral("context"), QJsonObject{{QStringLiteral("tenant"), QStringLiteral("tenant-%1").arg(agent)}}}};
}

// What the service acknowledged with a 2xx before it was killed.
struct Acknowledged
{
    QHash<QString, QString> taskByKey; // Idempotency-Key -> task id
    QHash<QString, QJsonObject> bodyByKey;
    QSet<QString> approvedTasks;
};

} // namespace

class CrashConsistencyTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void killedServiceLosesNothing();

private:
    bool startService(QProcess &process);
    void runAgent(int agent, int round, bool *stopped);
    QNetworkReply *send(const QByteArray &method, const QString &path, const QByteArray &token,
                        const QJsonObject &body = {}, const QByteArray &idempotencyKey = {});
    QJsonObject waitJson(QNetworkReply *reply, int *status);

    QTemporaryDir m_dir;
    QString m_baseUrl;
    QNetworkAccessManager m_network;
    Acknowledged m_acknowledged;
    int m_sequence = 0;
};

void CrashConsistencyTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QFile config(m_dir.filePath(QStringLiteral("config.json")));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(kConfig);
}

bool CrashConsistencyTest::startService(QProcess &process)
{
    process.setProgram(QStringLiteral(RECOURSE_BINARY_DIR "/app/recourse"));
    process.setArguments({QStringLiteral("--headless"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                          QStringLiteral("--data-dir"), m_dir.filePath(QStringLiteral("data")),
                          QStringLiteral("--policy"), QStringLiteral("demo"),
                          QStringLiteral("--config"), m_dir.filePath(QStringLiteral("config.json"))});
    process.start();
    if (!process.waitForStarted(10000))
        return false;
    if (!QTest::qWaitFor([&process] { return process.canReadLine() || process.state() == QProcess::NotRunning; }, 15000))
        return false;
    const QString line = QString::fromUtf8(process.readLine()).trimmed();
    if (!line.startsWith(QLatin1String("listening on ")))
        return false;
    m_baseUrl = line.mid(QStringLiteral("listening on ").size());
    return true;
}

QNetworkReply *CrashConsistencyTest::send(const QByteArray &method, const QString &path, const QByteArray &token,
                                          const QJsonObject &body, const QByteArray &idempotencyKey)
{
    QNetworkRequest request(QUrl(m_baseUrl + path));
    request.setRawHeader("Authorization", "Bearer " + token);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (!idempotencyKey.isEmpty())
        request.setRawHeader("Idempotency-Key", idempotencyKey);
    if (method == "GET")
        return m_network.get(request);
    return m_network.sendCustomRequest(request, method, Json::serialize(body));
}

QJsonObject CrashConsistencyTest::waitJson(QNetworkReply *reply, int *status)
{
    if (!reply->isFinished()) {
        QSignalSpy finished(reply, &QNetworkReply::finished);
        finished.wait(15000);
    }
    reply->deleteLater();
    *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    auto parsed = Json::parseObject(reply->readAll());
    return parsed ? parsed.value() : QJsonObject{};
}

// One simulated agent: evaluate, submit, and for every second task approve it, until stopped.
// Everything the service acknowledges is recorded; failures (the service died) are expected.
void CrashConsistencyTest::runAgent(int agent, int round, bool *stopped)
{
    if (*stopped)
        return;
    const QJsonObject request = logRequest(agent);
    QNetworkReply *evaluation = send("POST", QStringLiteral("/access/v1/evaluation"), "pep-a-secret", request);
    connect(evaluation, &QNetworkReply::finished, this, [=, this] {
        evaluation->deleteLater();
        const auto parsed = Json::parseObject(evaluation->readAll());
        const QJsonObject decision = parsed ? parsed.value() : QJsonObject{};
        const QJsonObject context = decision.value(QStringLiteral("context")).toObject();
        const QJsonObject accessRequest = context.value(QStringLiteral("access_request")).toObject();
        if (*stopped || accessRequest.isEmpty())
            return;

        QJsonObject body = request;
        body.insert(QStringLiteral("denial"),
                    QJsonObject{{QStringLiteral("expires_at"), accessRequest.value(QStringLiteral("expires_at"))},
                                {QStringLiteral("evaluation_id"), context.value(QStringLiteral("evaluation_id"))},
                                {QStringLiteral("binding_token"), accessRequest.value(QStringLiteral("binding_token"))}});
        const QString key = QStringLiteral("key-%1-%2-%3").arg(round).arg(agent).arg(++m_sequence);
        QNetworkReply *submission = send("POST", QStringLiteral("/access/v1/requests"), "pep-a-secret", body, key.toUtf8());
        connect(submission, &QNetworkReply::finished, this, [=, this] {
            submission->deleteLater();
            const int status = submission->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            const auto parsedAnswer = Json::parseObject(submission->readAll());
            const QJsonObject answer = parsedAnswer ? parsedAnswer.value() : QJsonObject{};
            if (status != 202 && status != 201)
                return;
            const QString taskId = answer.value(QStringLiteral("task")).toObject().value(QStringLiteral("id")).toString();
            m_acknowledged.taskByKey.insert(key, taskId);
            m_acknowledged.bodyByKey.insert(key, body);
            if (m_sequence % 2 == 0) {
                QNetworkReply *approval = send("POST", QStringLiteral("/admin/v1/tasks/%1/approve").arg(taskId), "bob-secret");
                connect(approval, &QNetworkReply::finished, this, [=, this] {
                    approval->deleteLater();
                    if (approval->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200)
                        m_acknowledged.approvedTasks.insert(taskId);
                    runAgent(agent, round, stopped);
                });
                return;
            }
            runAgent(agent, round, stopped);
        });
    });
}

void CrashConsistencyTest::killedServiceLosesNothing()
{
    // A fixed seed keeps the kill moments the same from run to run.
    QRandomGenerator random(20261204);
    for (int round = 0; round < kKills; ++round) {
        QProcess service;
        QVERIFY2(startService(service), qPrintable(QStringLiteral("round %1: the service did not start").arg(round)));

        bool stopped = false;
        for (int agent = 0; agent < kAgents; ++agent)
            runAgent(agent, round, &stopped);

        // Kill at a random moment while requests are in flight.
        const int killAfterMs = 150 + int(random.bounded(500));
        bool killed = false;
        QTimer::singleShot(killAfterMs, this, [&] {
            // QProcess::kill() sends SIGKILL and does nothing once the service has exited, whereas
            // kill() with the pid 0 of an exited QProcess would kill this test's process group.
            service.kill();
            killed = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(killed, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(service.state(), QProcess::NotRunning, 10000);
        stopped = true;
        // Let every in-flight reply fail before the next round reuses the network manager.
        QTRY_VERIFY_WITH_TIMEOUT(m_network.findChildren<QNetworkReply *>().isEmpty(), 15000);
    }
    QVERIFY2(m_acknowledged.taskByKey.size() > kKills, "the load produced too few acknowledged tasks to judge");

    QProcess service;
    QVERIFY(startService(service));

    // Every acknowledged task is there, approvals included.
    for (auto it = m_acknowledged.taskByKey.cbegin(); it != m_acknowledged.taskByKey.cend(); ++it) {
        int status = 0;
        const QJsonObject answer = waitJson(send("GET", QStringLiteral("/access/v1/requests/") + it.value(), "pep-a-secret"), &status);
        QVERIFY2(status == 200, qPrintable(QStringLiteral("task %1 acknowledged before a kill is missing (%2)").arg(it.value()).arg(status)));
        const QString taskStatus = answer.value(QStringLiteral("task")).toObject().value(QStringLiteral("status")).toString();
        if (m_acknowledged.approvedTasks.contains(it.value()))
            QCOMPARE(taskStatus, QStringLiteral("approved"));
    }

    // No task exists twice: the store holds exactly one task per acknowledged key (tasks whose
    // response was lost in the kill may exist in addition, but never a second one for a key).
    QSet<QString> stored;
    QString cursor;
    for (;;) {
        int status = 0;
        const QJsonObject page = waitJson(send("GET", QStringLiteral("/admin/v1/tasks?limit=500") +
                                                          (cursor.isEmpty() ? QString() : QStringLiteral("&cursor=") + cursor),
                                               "audit-secret"),
                                          &status);
        QCOMPARE(status, 200);
        for (const QJsonValue &task : page.value(QStringLiteral("tasks")).toArray()) {
            const QString id = task.toObject().value(QStringLiteral("id")).toString();
            QVERIFY2(!stored.contains(id), qPrintable(id));
            stored.insert(id);
        }
        cursor = page.value(QStringLiteral("next_cursor")).toString();
        if (cursor.isEmpty())
            break;
    }
    for (const QString &taskId : std::as_const(m_acknowledged.taskByKey))
        QVERIFY(stored.contains(taskId));

    // A retry of an acknowledged submission with its key returns the same task, not a new one.
    const QString someKey = m_acknowledged.taskByKey.constBegin().key();
    int retryStatus = 0;
    const QJsonObject retried = waitJson(send("POST", QStringLiteral("/access/v1/requests"), "pep-a-secret",
                                              m_acknowledged.bodyByKey.value(someKey), someKey.toUtf8()),
                                         &retryStatus);
    QVERIFY(retryStatus == 202 || retryStatus == 201);
    QCOMPARE(retried.value(QStringLiteral("task")).toObject().value(QStringLiteral("id")).toString(),
             m_acknowledged.taskByKey.value(someKey));

    // The audit chain survived every kill intact.
    int verifyStatus = 0;
    const QJsonObject verification = waitJson(send("GET", QStringLiteral("/admin/v1/audit/verify"), "audit-secret"), &verifyStatus);
    QCOMPARE(verifyStatus, 200);
    QVERIFY2(verification.value(QStringLiteral("ok")).toBool(), qPrintable(verification.value(QStringLiteral("message")).toString()));

    qInfo("acknowledged %lld tasks and %lld approvals across %d kills",
          qint64(m_acknowledged.taskByKey.size()), qint64(m_acknowledged.approvedTasks.size()), kKills);
    service.kill();
    service.waitForFinished(5000);
}

QTEST_GUILESS_MAIN(CrashConsistencyTest)
#include "tst_crashconsistency.moc"
