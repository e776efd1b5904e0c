// Upstream mode against a real PDP: Cerbos 0.55 on 127.0.0.1 with the certification fixture
// (tests/upstream/cerbos), and Recourse in front of it with a local layer that keeps the hard-delete
// forbid and makes one Cerbos deny requestable. The CTest fixture installs Cerbos from npm into the
// build folder; the suite skips only when npm itself is missing.

#include "tests/upstream/upstreamservice.h"

#include <QJsonDocument>
#include <QNetworkReply>
#include <QPointer>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTest>

#include <memory>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

const QString kCerbosDir = QStringLiteral(RECOURSE_SOURCE_DIR "/tests/upstream/cerbos");

// The eight required decisions of the certification fixture, as evaluation request bodies.
const QByteArray kRule1 = R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}})";
const QByteArray kRule2 = R"({"subject":{"type":"user","id":"alice"},"action":{"name":"write"},"resource":{"type":"record","id":"record-1"}})";
const QByteArray kRule3 = R"({"subject":{"type":"user","id":"bob"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}})";
const QByteArray kRule4 = R"({"subject":{"type":"user","id":"bob"},"action":{"name":"write"},"resource":{"type":"record","id":"record-1"}})";
const QByteArray kRule5 = R"({"subject":{"type":"user","id":"alice"},"action":{"name":"write"},
    "resource":{"type":"record","id":"record-2","properties":{"status":"archived"}}})";
const QByteArray kRule6 = R"({"subject":{"type":"user","id":"bob","properties":{"role":"admin"}},"action":{"name":"write"},
    "resource":{"type":"record","id":"record-2","properties":{"status":"archived"}}})";
const QByteArray kRule7 = R"({"subject":{"type":"user","id":"alice"},"action":{"name":"delete","properties":{"soft":true}},
    "resource":{"type":"record","id":"record-1"}})";
const QByteArray kRule8 = R"({"subject":{"type":"user","id":"alice"},"action":{"name":"delete","properties":{"soft":false}},
    "resource":{"type":"record","id":"record-1"}})";

QJsonObject object(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

} // namespace

class tst_CerbosUpstream : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void cerbosAloneDecides_data();
    void cerbosAloneDecides();
    void certificationDecisionsThroughRecourse_data();
    void certificationDecisionsThroughRecourse();
    void requestableRuleOverCerbosDeny();

private:
    bool cerbosAnswers();

    QProcess m_cerbos;
    QUrl m_cerbosUrl;
    QNetworkAccessManager m_probeNetwork;
    QPointer<QNetworkReply> m_probe;
    bool m_cerbosReady = false;
    std::unique_ptr<UpstreamService> m_service;
};

void tst_CerbosUpstream::initTestCase()
{
    const QString binary = QStringLiteral(RECOURSE_CERBOS_BINARY);
    if (!QFile::exists(binary)) {
        if (QStandardPaths::findExecutable(QStringLiteral("npm")).isEmpty())
            QSKIP("npm is not installed, so the test set-up cannot install Cerbos.");
        QFAIL(qPrintable(QStringLiteral("Cerbos is missing at %1 although npm is installed; run the "
                                        "upstream_install_cerbos test (ctest -R upstream) to install it.")
                             .arg(binary)));
    }

    // Given Cerbos on two free loopback ports with the certification fixture
    const quint16 httpPort = freePort();
    const quint16 grpcPort = freePort();
    QVERIFY(httpPort != 0 && grpcPort != 0 && httpPort != grpcPort);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("RECOURSE_CERBOS_HTTP_PORT"), QString::number(httpPort));
    environment.insert(QStringLiteral("RECOURSE_CERBOS_GRPC_PORT"), QString::number(grpcPort));
    environment.insert(QStringLiteral("RECOURSE_CERBOS_POLICIES"), kCerbosDir + QStringLiteral("/policies"));
    environment.insert(QStringLiteral("CERBOS_NO_TELEMETRY"), QStringLiteral("1"));
    m_cerbos.setProcessEnvironment(environment);
    m_cerbos.setProcessChannelMode(QProcess::MergedChannels);
    m_cerbos.start(binary, {QStringLiteral("server"), QStringLiteral("--config=") + kCerbosDir + QStringLiteral("/conf.yaml"),
                            QStringLiteral("--log-level=warn")});
    QTRY_VERIFY_WITH_TIMEOUT(m_cerbos.state() != QProcess::Starting, 10000);
    QVERIFY2(m_cerbos.state() == QProcess::Running, qPrintable(m_cerbos.errorString()));
    m_cerbosUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(httpPort));

    // Cerbos loads and compiles the policies before it listens; a slow machine takes seconds.
    QTRY_VERIFY_WITH_TIMEOUT(cerbosAnswers() || m_cerbos.state() == QProcess::NotRunning, 60000);
    QVERIFY2(m_cerbos.state() == QProcess::Running, m_cerbos.readAll().constData());

    // And Recourse in upstream mode in front of it
    m_service = std::make_unique<UpstreamService>(kCerbosDir + QStringLiteral("/layer"), m_cerbosUrl, QString(), 10000);
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
}

void tst_CerbosUpstream::cleanupTestCase()
{
    m_service.reset();
    if (m_cerbos.state() == QProcess::NotRunning)
        return;
    // SIGTERM to the pid this test started; Cerbos shuts down gracefully on it.
    m_cerbos.terminate();
    QTRY_VERIFY_WITH_TIMEOUT(m_cerbos.state() == QProcess::NotRunning, 15000);
}

// Polls the metadata endpoint, one request at a time; stays true once Cerbos has answered.
bool tst_CerbosUpstream::cerbosAnswers()
{
    if (m_cerbosReady)
        return true;
    if (m_probe && !m_probe->isFinished())
        return false;
    if (m_probe) {
        m_cerbosReady = m_probe->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200
            && QJsonDocument::fromJson(m_probe->readAll()).object().contains(QStringLiteral("policy_decision_point"));
        m_probe->deleteLater();
        if (m_cerbosReady)
            return true;
    }
    m_probe = m_probeNetwork.get(QNetworkRequest(QUrl(m_cerbosUrl.toString() + QStringLiteral("/.well-known/authzen-configuration"))));
    return false;
}

void tst_CerbosUpstream::cerbosAloneDecides_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("expected");

    QTest::newRow("rule 1: alice reads record-1") << kRule1 << true;
    QTest::newRow("rule 2: alice writes record-1") << kRule2 << true;
    QTest::newRow("rule 3: bob reads record-1") << kRule3 << true;
    QTest::newRow("rule 4: bob writes record-1") << kRule4 << false;
    QTest::newRow("rule 5: alice writes an archived record") << kRule5 << false;
    QTest::newRow("rule 6: an admin writes an archived record") << kRule6 << true;
    QTest::newRow("rule 7: alice soft-deletes record-1") << kRule7 << true;
    // Cerbos cannot see action.properties.soft, so on its own it permits the hard delete.
    QTest::newRow("rule 8: alice hard-deletes record-1") << kRule8 << true;
}

void tst_CerbosUpstream::cerbosAloneDecides()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, expected);

    const HttpResponse response = m_service->post(m_cerbosUrl.toString() + QStringLiteral("/access/v1/evaluation"), object(body), {});

    QCOMPARE(response.status, 200);
    QCOMPARE(response.json.value(QStringLiteral("decision")), QJsonValue(expected));
}

void tst_CerbosUpstream::certificationDecisionsThroughRecourse_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("expected");

    QTest::newRow("rule 1: alice reads record-1") << kRule1 << true;
    QTest::newRow("rule 2: alice writes record-1") << kRule2 << true;
    QTest::newRow("rule 3: bob reads record-1") << kRule3 << true;
    QTest::newRow("rule 4: bob writes record-1") << kRule4 << false;
    QTest::newRow("rule 5: alice writes an archived record") << kRule5 << false;
    QTest::newRow("rule 6: an admin writes an archived record") << kRule6 << true;
    QTest::newRow("rule 7: alice soft-deletes record-1") << kRule7 << true;
    QTest::newRow("rule 8: alice hard-deletes record-1") << kRule8 << false;
}

void tst_CerbosUpstream::certificationDecisionsThroughRecourse()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, expected);

    const HttpResponse response = m_service->evaluate(object(body));

    QCOMPARE(response.status, 200);
    QCOMPARE(response.json.value(QStringLiteral("decision")), QJsonValue(expected));
}

void tst_CerbosUpstream::requestableRuleOverCerbosDeny()
{
    const QJsonObject request = object(kRule4);

    // Given bob's write, which Cerbos denies and the local layer makes requestable
    const HttpResponse denied = m_service->evaluate(request);
    const QJsonObject accessRequest
        = denied.json.value(QStringLiteral("context")).toObject().value(QStringLiteral("access_request")).toObject();
    QCOMPARE(denied.json.value(QStringLiteral("decision")), QJsonValue(false));
    QCOMPARE(accessRequest.value(QStringLiteral("template")).toString(), QStringLiteral("record_write_review"));

    // When alice, a manager, approves the request and the PEP re-evaluates with the approval
    const Testing::Escalation flow = m_service->grantAccess(request, Tokens::alice);
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    const HttpResponse reevaluated = m_service->evaluate(withApproval(request, flow.approval));

    // Then Recourse permits, while Cerbos on its own still denies
    QCOMPARE(reevaluated.json.value(QStringLiteral("decision")), QJsonValue(true));
    const HttpResponse cerbos
        = m_service->post(m_cerbosUrl.toString() + QStringLiteral("/access/v1/evaluation"), request, {});
    QCOMPARE(cerbos.json.value(QStringLiteral("decision")), QJsonValue(false));
}

QTEST_GUILESS_MAIN(tst_CerbosUpstream)
#include "tst_cerbosupstream.moc"
