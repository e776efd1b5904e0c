// The structured log of the headless service, read as an operator's log shipper reads it. The
// recourse executable runs with --log-format json, serves a few requests (one with a bad token,
// one submission), then gets SIGTERM. Every line on standard error must be a JSON object with the expected members, and no
// bearer token, binding_token or approval.state may appear in it.

#include "core/base/rfc3339.h"
#include "core/json/json.h"

#include <QFile>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Recourse;

namespace {

const QByteArray kConfig = R"({
  "identities": [
    {"id": "pep-a",   "role": "pep",      "token": "pep-a-secret-4b1d"},
    {"id": "bob",     "role": "approver", "groups": ["managers"], "token": "bob-secret-9c2e"},
    {"id": "audit-1", "role": "auditor",  "token": "audit-secret-7f3a"},
    {"id": "admin-1", "role": "admin",    "token": "admin-secret-1e8d"}
  ],
  "clock_skew_seconds": 30
})";

const QByteArray kBadToken = "not-a-valid-token-5d6c";
const QByteArray kRequestId = "e2e-evaluation-1";
// Request ids are opaque bytes, and a UTF-8 one is logged as its characters.
const QByteArray kUtf8RequestId = "e2e-\xc3\xa9valuation-\xe2\x98\x83";

// Requestable under manager_approval in the arap-conformance pack.
const QJsonObject kRequest{
    {QStringLiteral("subject"), QJsonObject{{QStringLiteral("type"), QStringLiteral("user")}, {QStringLiteral("id"), QStringLiteral("alice")}}},
    {QStringLiteral("resource"), QJsonObject{{QStringLiteral("type"), QStringLiteral("document")}, {QStringLiteral("id"), QStringLiteral("q4-plan")}}},
    {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_read")}}},
    {QStringLiteral("context"), QJsonObject{{QStringLiteral("tenant"), QStringLiteral("acme")}}},
};

struct HttpAnswer
{
    int status = 0;
    QJsonObject body;
};

} // namespace

class ServiceLogTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void everyLineIsStructured();
    void startLineCarriesUrl();
    void requestLinesCarryRouteStatusAndId();
    void taskTransitionIsLogged();
    void rotationAndShutdownAreLogged();
    void noSecretIsLogged();
    void startupErrorFollowsEarlierLines();
    void optionErrorNamesValue();

private:
    HttpAnswer send(const QByteArray &method, const QString &path, const QByteArray &token, const QJsonObject &body = {},
                    const QByteArray &requestId = {});
    // The first line whose members include every member of `match`.
    QJsonObject findLine(const QJsonObject &match) const;

    QTemporaryDir m_dir;
    QNetworkAccessManager m_network;
    QString m_baseUrl;
    QByteArray m_stderr;
    QList<QJsonObject> m_lines;
    QStringList m_secrets;
    QString m_taskId;
    QByteArray m_malformedRequestId; // from the response to a request line that is not one
};

HttpAnswer ServiceLogTest::send(const QByteArray &method, const QString &path, const QByteArray &token,
                                const QJsonObject &body, const QByteArray &requestId)
{
    QNetworkRequest request(QUrl(m_baseUrl + path));
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token);
    if (!requestId.isEmpty())
        request.setRawHeader("X-Request-ID", requestId);
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

QJsonObject ServiceLogTest::findLine(const QJsonObject &match) const
{
    for (const QJsonObject &line : m_lines) {
        bool matches = true;
        for (auto it = match.begin(); it != match.end() && matches; ++it)
            matches = line.value(it.key()) == it.value();
        if (matches)
            return line;
    }
    return {};
}

void ServiceLogTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QFile config(m_dir.filePath(QStringLiteral("config.json")));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(kConfig);
    config.close();
    const auto identities = Json::parseObject(kConfig);
    QVERIFY(identities.ok());
    for (const QJsonValue &identity : identities->value(u"identities").toArray())
        m_secrets.append(identity.toObject().value(u"token").toString());
    m_secrets.append(QString::fromLatin1(kBadToken));

    QProcess service;
    service.setProgram(QStringLiteral(RECOURSE_BINARY_DIR "/app/recourse"));
    service.setArguments({QStringLiteral("--headless"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                          QStringLiteral("--data-dir"), m_dir.filePath(QStringLiteral("data")),
                          QStringLiteral("--policy"), QStringLiteral("arap-conformance"),
                          QStringLiteral("--config"), config.fileName(),
                          QStringLiteral("--log-format"), QStringLiteral("json")});
    service.setProcessChannelMode(QProcess::SeparateChannels);
    service.start();
    QVERIFY2(service.waitForStarted(10000), qPrintable(service.errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(service.canReadLine(), 10000);
    const QString first = QString::fromUtf8(service.readLine()).trimmed();
    QVERIFY2(first.startsWith(QLatin1String("listening on http://127.0.0.1:")), qPrintable(first));
    m_baseUrl = first.mid(QStringLiteral("listening on ").size());

    // A requestable denial, its submission, the approval and the approval's state.
    const HttpAnswer denial = send("POST", QStringLiteral("/access/v1/evaluation"), "pep-a-secret-4b1d", kRequest, kRequestId);
    QCOMPARE(denial.status, 200);
    const QJsonObject accessRequest = denial.body.value(u"context").toObject().value(u"access_request").toObject();
    const QString bindingToken = accessRequest.value(u"binding_token").toString();
    QVERIFY(!bindingToken.isEmpty());
    m_secrets.append(bindingToken);
    QCOMPARE(send("POST", QStringLiteral("/access/v1/evaluation"), "pep-a-secret-4b1d", kRequest, kUtf8RequestId).status, 200);

    QJsonObject submission = kRequest;
    submission.insert(QStringLiteral("denial"),
                      QJsonObject{{QStringLiteral("evaluation_id"), denial.body.value(u"context").toObject().value(u"evaluation_id")},
                                  {QStringLiteral("template"), accessRequest.value(u"template")},
                                  {QStringLiteral("expires_at"), accessRequest.value(u"expires_at")},
                                  {QStringLiteral("binding_token"), bindingToken}});
    const HttpAnswer submitted = send("POST", QStringLiteral("/access/v1/requests"), "pep-a-secret-4b1d", submission);
    QCOMPARE(submitted.status, 202);
    m_taskId = submitted.body.value(u"task").toObject().value(u"id").toString();
    QVERIFY(!m_taskId.isEmpty());
    QCOMPARE(send("POST", QStringLiteral("/admin/v1/tasks/%1/approve").arg(m_taskId), "bob-secret-9c2e").status, 200);
    const HttpAnswer status = send("GET", submitted.body.value(u"task").toObject().value(u"status_endpoint").toString().mid(m_baseUrl.size()),
                                   "pep-a-secret-4b1d");
    const QString state = status.body.value(u"result").toObject().value(u"approval").toObject().value(u"state").toString();
    QVERIFY(!state.isEmpty());
    m_secrets.append(state);

    // A request that the HTTP layer rejects before it has parsed a method.
    QTcpSocket raw;
    const QUrl base(m_baseUrl);
    raw.connectToHost(base.host(), quint16(base.port()));
    QVERIFY(raw.waitForConnected(5000));
    raw.write("NOT A REQUEST\r\n\r\n");
    QSignalSpy closed(&raw, &QTcpSocket::disconnected);
    QVERIFY(closed.wait(10000));
    const QByteArray response = raw.readAll();
    QVERIFY2(response.startsWith("HTTP/1.1 400 "), response.constData());
    const qsizetype idStart = response.indexOf("X-Request-ID: ");
    QVERIFY2(idStart > 0, response.constData());
    m_malformedRequestId = response.mid(idStart + 14, response.indexOf("\r\n", idStart) - idStart - 14);

    // A bad token, and a key rotation.
    QCOMPARE(send("GET", QStringLiteral("/admin/v1/tasks"), kBadToken).status, 401);
    QCOMPARE(send("POST", QStringLiteral("/admin/v1/keys/rotate"), "admin-secret-1e8d").status, 200);

    service.terminate();
    QVERIFY(service.waitForFinished(10000));
    QCOMPARE(service.exitStatus(), QProcess::NormalExit);
    QCOMPARE(service.exitCode(), 0);
    m_stderr = service.readAllStandardError();

    for (const QByteArray &line : m_stderr.split('\n')) {
        if (line.isEmpty())
            continue;
        auto parsed = Json::parseObject(line);
        QVERIFY2(parsed.ok(), line.constData());
        m_lines.append(parsed.value());
    }
    QVERIFY(m_lines.size() >= 8);
}

void ServiceLogTest::everyLineIsStructured()
{
    const QStringList levels{QStringLiteral("debug"), QStringLiteral("info"), QStringLiteral("warning"),
                             QStringLiteral("critical"), QStringLiteral("fatal")};
    for (const QJsonObject &line : std::as_const(m_lines)) {
        const QByteArray text = Json::serialize(line);
        const QString time = line.value(u"time").toString();
        QVERIFY2(time.endsWith(u'Z'), text.constData());
        QVERIFY2(Rfc3339::parse(time).ok(), text.constData());
        QVERIFY2(levels.contains(line.value(u"level").toString()), text.constData());
        QVERIFY2(!line.value(u"category").toString().isEmpty(), text.constData());
        QVERIFY2(line.value(u"message").isString(), text.constData());
    }
}

void ServiceLogTest::startLineCarriesUrl()
{
    const QJsonObject start = findLine({{QStringLiteral("category"), QStringLiteral("recourse.service")},
                                        {QStringLiteral("url"), m_baseUrl}});

    QVERIFY2(!start.isEmpty(), m_stderr.constData());
    QCOMPARE(start.value(u"level").toString(), QStringLiteral("info"));
    QVERIFY(start.value(u"message").toString().contains(m_baseUrl));
    QCOMPARE(start.value(u"data_dir").toString(), QDir(m_dir.filePath(QStringLiteral("data"))).absolutePath());
    QVERIFY(start.value(u"policy").toString().endsWith(QLatin1String("arap-conformance")));
    QCOMPARE(start.value(u"config_identities").toInt(), 4);
}

void ServiceLogTest::requestLinesCarryRouteStatusAndId()
{
    const QJsonObject evaluation = findLine({{QStringLiteral("category"), QStringLiteral("recourse.http")},
                                             {QStringLiteral("request_id"), QString::fromLatin1(kRequestId)}});
    QVERIFY2(!evaluation.isEmpty(), m_stderr.constData());
    QCOMPARE(evaluation.value(u"route").toString(), QStringLiteral("/access/v1/evaluation"));
    QCOMPARE(evaluation.value(u"method").toString(), QStringLiteral("POST"));
    QCOMPARE(evaluation.value(u"status").toInt(), 200);
    QCOMPARE(evaluation.value(u"caller").toString(), QStringLiteral("pep-a"));
    QVERIFY(evaluation.value(u"duration_ms").isDouble());

    const QJsonObject utf8Evaluation = findLine({{QStringLiteral("category"), QStringLiteral("recourse.http")},
                                                 {QStringLiteral("request_id"), QString::fromUtf8(kUtf8RequestId)}});
    QVERIFY2(!utf8Evaluation.isEmpty(), m_stderr.constData());

    const QJsonObject submission = findLine({{QStringLiteral("route"), QStringLiteral("/access/v1/requests")},
                                             {QStringLiteral("status"), 202}});
    QVERIFY2(!submission.isEmpty(), m_stderr.constData());
    QVERIFY(!submission.value(u"request_id").toString().isEmpty());

    // The task id in the path is replaced by the route pattern.
    const QJsonObject approval = findLine({{QStringLiteral("route"), QStringLiteral("/admin/v1/tasks/{id}/approve")}});
    QVERIFY2(!approval.isEmpty(), m_stderr.constData());
    QCOMPARE(approval.value(u"caller").toString(), QStringLiteral("bob"));

    const QJsonObject refused = findLine({{QStringLiteral("route"), QStringLiteral("/admin/v1/tasks")},
                                          {QStringLiteral("status"), 401}});
    QVERIFY2(!refused.isEmpty(), m_stderr.constData());
    QVERIFY(!refused.contains(u"caller"));

    // Rejected by the HTTP layer, and logged at info with the id that its response carried.
    const QJsonObject malformed = findLine({{QStringLiteral("category"), QStringLiteral("recourse.http")},
                                            {QStringLiteral("request_id"), QString::fromLatin1(m_malformedRequestId)}});
    QVERIFY2(!malformed.isEmpty(), m_stderr.constData());
    QCOMPARE(malformed.value(u"level").toString(), QStringLiteral("info"));
    QCOMPARE(malformed.value(u"method").toString(), QStringLiteral("-"));
    QCOMPARE(malformed.value(u"route").toString(), QStringLiteral("other"));
    QCOMPARE(malformed.value(u"status").toInt(), 400);
    QCOMPARE(malformed.value(u"message").toString(), QStringLiteral("- other 400"));
}

void ServiceLogTest::taskTransitionIsLogged()
{
    const QJsonObject created = findLine({{QStringLiteral("task_id"), m_taskId}, {QStringLiteral("to"), QStringLiteral("pending")}});
    QVERIFY2(!created.isEmpty(), m_stderr.constData());
    QCOMPARE(created.value(u"actor_id").toString(), QStringLiteral("pep-a"));

    const QJsonObject approved = findLine({{QStringLiteral("task_id"), m_taskId}, {QStringLiteral("to"), QStringLiteral("approved")}});
    QVERIFY2(!approved.isEmpty(), m_stderr.constData());
    QCOMPARE(approved.value(u"from").toString(), QStringLiteral("pending"));
    QCOMPARE(approved.value(u"actor_id").toString(), QStringLiteral("bob"));
    QCOMPARE(approved.value(u"category").toString(), QStringLiteral("recourse.escalation"));
}

void ServiceLogTest::rotationAndShutdownAreLogged()
{
    bool rotated = false;
    bool stopped = false;
    for (const QJsonObject &line : std::as_const(m_lines)) {
        const QString message = line.value(u"message").toString();
        rotated = rotated || message.contains(QLatin1String("Signing key rotated by admin-1"));
        stopped = stopped || message == QLatin1String("Service stopped");
    }
    QVERIFY2(rotated, m_stderr.constData());
    QVERIFY2(stopped, m_stderr.constData());
}

void ServiceLogTest::noSecretIsLogged()
{
    for (const QString &secret : std::as_const(m_secrets)) {
        QVERIFY2(!m_stderr.contains(secret.toUtf8()), qPrintable(QStringLiteral("logged: %1").arg(secret.left(24))));
        // A token's signature alone would still be a leak.
        const QString signature = secret.section(u'.', 2);
        if (!signature.isEmpty())
            QVERIFY2(!m_stderr.contains(signature.toUtf8()), qPrintable(QStringLiteral("logged a signature of %1").arg(secret.left(24))));
    }
}

void ServiceLogTest::startupErrorFollowsEarlierLines()
{
    // The port is taken, so the service opens its store and then fails to listen. main() writes
    // that error to stderr itself, and it must come after the lines the log writer still holds.
    QTcpServer occupant;
    QVERIFY(occupant.listen(QHostAddress::LocalHost));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    QProcess service;
    service.setProgram(QStringLiteral(RECOURSE_BINARY_DIR "/app/recourse"));
    service.setArguments({QStringLiteral("--headless"), QStringLiteral("--listen"),
                          QStringLiteral("127.0.0.1:%1").arg(occupant.serverPort()),
                          QStringLiteral("--data-dir"), dir.filePath(QStringLiteral("data")),
                          QStringLiteral("--policy"), QStringLiteral("arap-conformance"),
                          QStringLiteral("--config"), m_dir.filePath(QStringLiteral("config.json"))});
    service.start();
    QVERIFY2(service.waitForFinished(20000), qPrintable(service.errorString()));
    QCOMPARE(service.exitStatus(), QProcess::NormalExit);
    QCOMPARE(service.exitCode(), 2);

    const QList<QByteArray> lines = service.readAllStandardError().trimmed().split('\n');
    qsizetype opened = -1;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (lines.at(i).contains("Opened the store"))
            opened = i;
    }
    QVERIFY2(opened >= 0, lines.join('\n').constData());
    QVERIFY2(lines.last().startsWith("recourse: Cannot listen on 127.0.0.1:"), lines.join('\n').constData());
}

// A rejected option value is printed back, so a typo such as a capital letter is visible.
void ServiceLogTest::optionErrorNamesValue()
{
    QProcess service;
    service.setProgram(QStringLiteral(RECOURSE_BINARY_DIR "/app/recourse"));
    service.setArguments({QStringLiteral("--headless"), QStringLiteral("--decision-events"), QStringLiteral("ALL")});
    service.start();
    QVERIFY2(service.waitForFinished(20000), qPrintable(service.errorString()));

    QCOMPARE(service.exitCode(), 2);
    const QByteArray error = service.readAllStandardError().trimmed();
    QVERIFY2(error.startsWith("recourse: --decision-events takes all, denials or none."), error.constData());
    QVERIFY2(error.endsWith("The value given was \"ALL\"."), error.constData());
}

QTEST_GUILESS_MAIN(ServiceLogTest)
#include "tst_servicelog.moc"
