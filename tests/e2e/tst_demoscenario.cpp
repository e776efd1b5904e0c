// End to end: the recourse executable in --headless mode and the recourse-demo PEP as separate
// processes, talking HTTP on loopback, with the approval given through the approver API.

#include "core/jose/jose.h"
#include "core/json/json.h"

#include <QFile>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <csignal>

using namespace Recourse;

namespace {

const QByteArray kConfig = R"({
  "identities": [
    {"id": "pep-a",   "role": "pep",      "token": "pep-a-secret"},
    {"id": "bob",     "role": "approver", "groups": ["managers"], "token": "bob-secret"},
    {"id": "audit-1", "role": "auditor",  "token": "audit-secret"}
  ],
  "clock_skew_seconds": 30
})";

struct HttpAnswer
{
    int status = 0;
    QJsonObject body;
};

} // namespace

class DemoScenarioTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void supportAgentScenario();
    void cleanupTestCase();

private:
    HttpAnswer send(const QByteArray &method, const QString &path, const QByteArray &token, const QJsonObject &body = {});

    QTemporaryDir m_dir;
    QProcess m_service;
    QString m_baseUrl;
    QNetworkAccessManager m_network;
};

HttpAnswer DemoScenarioTest::send(const QByteArray &method, const QString &path, const QByteArray &token,
                                  const QJsonObject &body)
{
    QNetworkRequest request(QUrl(m_baseUrl + path));
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *reply = method == "GET" ? m_network.get(request)
                                           : m_network.sendCustomRequest(request, method, Json::serialize(body));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        finished.wait(10000);
    reply->deleteLater();
    HttpAnswer answer;
    answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    auto parsed = Json::parseObject(reply->readAll());
    if (parsed)
        answer.body = parsed.value();
    return answer;
}

void DemoScenarioTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QFile config(m_dir.filePath(QStringLiteral("config.json")));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(kConfig);
    config.close();

    m_service.setProgram(QStringLiteral(RECOURSE_BINARY_DIR "/app/recourse"));
    m_service.setArguments({QStringLiteral("--headless"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                            QStringLiteral("--data-dir"), m_dir.filePath(QStringLiteral("data")),
                            QStringLiteral("--policy"), QStringLiteral("demo"),
                            QStringLiteral("--config"), config.fileName(),
                            // The expected events below start with the first, plain permit.
                            QStringLiteral("--decision-events"), QStringLiteral("all")});
    m_service.setProcessChannelMode(QProcess::SeparateChannels);
    m_service.start();
    QVERIFY2(m_service.waitForStarted(10000), qPrintable(m_service.errorString()));

    // The first line of standard output names the chosen URL.
    QTRY_VERIFY_WITH_TIMEOUT(m_service.canReadLine(), 10000);
    const QString line = QString::fromUtf8(m_service.readLine()).trimmed();
    QVERIFY2(line.startsWith(QLatin1String("listening on http://127.0.0.1:")), qPrintable(line));
    m_baseUrl = line.mid(QStringLiteral("listening on ").size());
}

void DemoScenarioTest::supportAgentScenario()
{
    // Given an approver watching the event stream from the start.
    QWebSocket events;
    QList<QJsonObject> received;
    connect(&events, &QWebSocket::textMessageReceived, this, [&received](const QString &message) {
        received.append(Json::parseObject(message.toUtf8()).value());
    });
    QNetworkRequest upgrade(QUrl(QString(m_baseUrl).replace(QLatin1String("http://"), QLatin1String("ws://"))
                                 + QStringLiteral("/admin/v1/events?after=0")));
    upgrade.setRawHeader("Authorization", "Bearer audit-secret");
    events.open(upgrade);
    QTRY_COMPARE_WITH_TIMEOUT(events.state(), QAbstractSocket::ConnectedState, 10000);

    // When the demo PEP runs the support-agent scenario as its own process.
    const QString transcriptPath = m_dir.filePath(QStringLiteral("transcript.jsonl"));
    QProcess demo;
    demo.setProgram(QStringLiteral(RECOURSE_BINARY_DIR "/app/recourse-demo"));
    demo.setArguments({QStringLiteral("support-agent"), QStringLiteral("--url"), m_baseUrl, QStringLiteral("--token"),
                       QStringLiteral("pep-a-secret"), QStringLiteral("--transcript"), transcriptPath});
    demo.start();
    QVERIFY(demo.waitForStarted(10000));

    // And a manager approves the pending task through the approver API.
    QString taskId;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const HttpAnswer list = send("GET", QStringLiteral("/admin/v1/tasks?status=pending"), "bob-secret");
            const QJsonArray tasks = list.body.value(QStringLiteral("tasks")).toArray();
            if (tasks.isEmpty())
                return false;
            taskId = tasks.first().toObject().value(QStringLiteral("id")).toString();
            return true;
        }(),
        15000);
    const HttpAnswer approved = send("POST", QStringLiteral("/admin/v1/tasks/%1/approve").arg(taskId), "bob-secret",
                                     QJsonObject{{QStringLiteral("comment"), QStringLiteral("Two hours for the decline code.")}});
    QCOMPARE(approved.status, 200);
    QCOMPARE(approved.body.value(QStringLiteral("status")).toString(), QStringLiteral("approved"));

    // Then the demo finishes successfully.
    QTRY_COMPARE_WITH_TIMEOUT(demo.state(), QProcess::NotRunning, 30000);
    const QString demoOutput = QString::fromUtf8(demo.readAllStandardOutput() + demo.readAllStandardError());
    QVERIFY2(demo.exitStatus() == QProcess::NormalExit && demo.exitCode() == 0, qPrintable(demoOutput));

    QFile transcript(transcriptPath);
    QVERIFY(transcript.open(QIODevice::ReadOnly));
    QList<QJsonObject> steps;
    while (!transcript.atEnd())
        steps.append(Json::parseObject(transcript.readLine()).value());
    QList<QJsonObject> evaluations;
    QList<QJsonObject> submissions;
    QList<QJsonObject> statuses;
    for (const QJsonObject &step : steps) {
        const QString name = step.value(QStringLiteral("step")).toString();
        if (name == QLatin1String("evaluation"))
            evaluations.append(step);
        else if (name == QLatin1String("submission"))
            submissions.append(step);
        else if (name == QLatin1String("status"))
            statuses.append(step);
    }
    QCOMPARE(evaluations.size(), 4);
    QCOMPARE(submissions.size(), 1);
    QVERIFY(!statuses.isEmpty());

    // The first decision on the log is a requestable denial whose binding_token verifies
    // against the service's published keys.
    const QJsonObject denial = evaluations.at(1).value(QStringLiteral("response")).toObject();
    QCOMPARE(denial.value(QStringLiteral("decision")), QJsonValue(false));
    const QJsonObject accessRequest =
        denial.value(QStringLiteral("context")).toObject().value(QStringLiteral("access_request")).toObject();
    const QString token = accessRequest.value(QStringLiteral("binding_token")).toString();
    QVERIFY(!token.isEmpty());
    const HttpAnswer jwks = send("GET", QStringLiteral("/access/v1/jwks"), {});
    QCOMPARE(jwks.status, 200);
    Jose::KeySet keys;
    for (const QJsonValue &key : jwks.body.value(QStringLiteral("keys")).toArray())
        keys.add(m_baseUrl, key.toObject());
    Jose::VerifyOptions options;
    options.typ = QStringLiteral("recourse-binding+jwt");
    options.expectedIssuer = m_baseUrl;
    options.audience = m_baseUrl + QStringLiteral("/access/v1/requests");
    options.nowSeconds = QDateTime::currentSecsSinceEpoch();
    const auto verified = Jose::verifyCompact(token.toUtf8(), keys, options);
    QVERIFY2(verified.ok(), verified.ok() ? "" : qPrintable(verified.error().message));
    QCOMPARE(verified->claims.value(QStringLiteral("evaluation_id")),
             denial.value(QStringLiteral("context")).toObject().value(QStringLiteral("evaluation_id")));

    // The submission returned a task; the final status carried result.mode reevaluate.
    const QJsonObject submitted = submissions.first();
    QCOMPARE(submitted.value(QStringLiteral("status")).toInt(), 202);
    QCOMPARE(submitted.value(QStringLiteral("response")).toObject().value(QStringLiteral("task")).toObject()
                 .value(QStringLiteral("id")).toString(),
             taskId);
    const QJsonObject finalStatus = statuses.constLast().value(QStringLiteral("response")).toObject();
    QCOMPARE(finalStatus.value(QStringLiteral("result")).toObject().value(QStringLiteral("mode")).toString(),
             QStringLiteral("reevaluate"));

    // The re-evaluation with the approval permits; the same approval for another resource does not.
    QCOMPARE(evaluations.at(2).value(QStringLiteral("response")).toObject().value(QStringLiteral("decision")),
             QJsonValue(true));
    QCOMPARE(evaluations.at(3).value(QStringLiteral("response")).toObject().value(QStringLiteral("decision")),
             QJsonValue(false));
    QCOMPARE(evaluations.at(3).value(QStringLiteral("request")).toObject().value(QStringLiteral("resource")).toObject()
                 .value(QStringLiteral("id")).toString(),
             QStringLiteral("payments-ledger"));

    // The event stream delivered every step, in seq order.
    const QStringList expected = {QStringLiteral("evaluation.permitted"), QStringLiteral("evaluation.denied.requestable"),
                                  QStringLiteral("task.created"), QStringLiteral("task.approved"),
                                  QStringLiteral("reevaluation.allowed"), QStringLiteral("reevaluation.denied")};
    QTRY_VERIFY_WITH_TIMEOUT(received.size() >= expected.size(), 10000);
    QStringList types;
    qint64 previousSeq = 0;
    for (const QJsonObject &event : received) {
        const qint64 seq = qint64(event.value(QStringLiteral("seq")).toDouble());
        QVERIFY2(seq > previousSeq, qPrintable(QStringLiteral("seq %1 after %2").arg(seq).arg(previousSeq)));
        previousSeq = seq;
        types.append(event.value(QStringLiteral("type")).toString());
    }
    QCOMPARE(types, expected);
    QCOMPARE(received.at(2).value(QStringLiteral("task_id")).toString(), taskId);
}

void DemoScenarioTest::cleanupTestCase()
{
    if (m_service.state() == QProcess::NotRunning)
        return;
    // The service finishes in-flight work and exits cleanly on SIGTERM.
    ::kill(pid_t(m_service.processId()), SIGTERM);
    QTRY_COMPARE_WITH_TIMEOUT(m_service.state(), QProcess::NotRunning, 10000);
    QCOMPARE(m_service.exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_service.exitCode(), 0);
}

QTEST_GUILESS_MAIN(DemoScenarioTest)
#include "tst_demoscenario.moc"
