// The reference PEP's rejections, against the real service on 127.0.0.1. It submits only
// requestable denials, contacts no origin but the service's, rejects metadata naming another PDP,
// and reads an approval only from an approved task with the reevaluate completion mode.

#include "demo/referencepep.h"
#include "tests/integration/araprequests.h"
#include "tests/integration/servicefixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

// A listener on 127.0.0.1 that counts connection attempts and never responds. It plays a host
// the PEP does not trust.
class Decoy
{
public:
    bool listen()
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                ++connections;
                socket->abort();
                socket->deleteLater();
            }
        });
        return m_server.listen(QHostAddress::LocalHost, 0);
    }
    QString url(const QString &path) const
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(m_server.serverPort()).arg(path);
    }

    int connections = 0;

private:
    QTcpServer m_server;
};

// An HTTP server on 127.0.0.1 that responds to every request with 200 and one fixed JSON body, so
// the PEP can be shown task statuses the real service never returns.
class FixedStatusServer
{
public:
    bool listen(const QJsonObject &body)
    {
        respondWith(body);
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                auto received = std::make_shared<QByteArray>();
                QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, received] {
                    // Every request of the PEP here is a GET without a body, so the request ends with its head.
                    received->append(socket->readAll());
                    if (!received->contains("\r\n\r\n"))
                        return;
                    ++requests;
                    socket->write(m_response);
                    socket->disconnectFromHost();
                });
                QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
        return m_server.listen(QHostAddress::LocalHost, 0);
    }
    QString baseUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()); }

    // Replaces the body, for a body that has to name the server's own URL.
    void respondWith(const QJsonObject &body)
    {
        const QByteArray payload = QJsonDocument(body).toJson(QJsonDocument::Compact);
        m_response = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + QByteArray::number(payload.size()) + "\r\nConnection: close\r\n\r\n" + payload;
    }

    int requests = 0;

private:
    QTcpServer m_server;
    QByteArray m_response;
};

QJsonObject statusBody(const QString &status, const QJsonObject &result = {}, const QJsonObject &display = {})
{
    QJsonObject task{{QStringLiteral("id"), QStringLiteral("arq_0000000000000000000000000")},
                     {QStringLiteral("status"), status}};
    if (!display.isEmpty())
        task.insert(QStringLiteral("display"), display);
    QJsonObject body{{QStringLiteral("task"), task}};
    if (!result.isEmpty())
        body.insert(QStringLiteral("result"), result);
    return body;
}

QJsonObject reevaluateResult(const QString &mode = QStringLiteral("reevaluate"))
{
    const QJsonObject approval{{QStringLiteral("id"), QStringLiteral("apr_0000000000000000000000000")},
                               {QStringLiteral("approved_until"), QStringLiteral("2026-12-04T18:00:00Z")},
                               {QStringLiteral("state"), QStringLiteral("opaque")}};
    return QJsonObject{{QStringLiteral("mode"), mode}, {QStringLiteral("approval"), approval}};
}

} // namespace

class tst_ReferencePep : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void discoverRejectsOtherPdp();
    void discoverIgnoresUnknownMembers();
    void submitsOnlyRequestableDenials_data();
    void submitsOnlyRequestableDenials();
    void untrustedOriginsNotContacted_data();
    void untrustedOriginsNotContacted();
    void metadataEndpointWhenDenialNamesNone();
    void approvalOnlyFromApprovedTask_data();
    void approvalOnlyFromApprovedTask();
    void pollingStopsOnUnknownStatus_data();
    void pollingStopsOnUnknownStatus();

private:
    std::unique_ptr<Pep::ReferencePep> makePep(const QString &serviceUrl) const;
    int taskCount();

    std::unique_ptr<ServiceFixture> m_service;
    std::unique_ptr<Pep::ReferencePep> m_pep;
};

void tst_ReferencePep::init()
{
    m_service = std::make_unique<ServiceFixture>();
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
    m_pep = makePep(m_service->baseUrl());
    const auto discovered = m_pep->discover();
    QVERIFY2(discovered, discovered ? "" : qPrintable(discovered.error().message));
}

void tst_ReferencePep::cleanup()
{
    m_pep.reset();
    m_service.reset();
}

std::unique_ptr<Pep::ReferencePep> tst_ReferencePep::makePep(const QString &serviceUrl) const
{
    Pep::ReferencePep::Config config;
    config.serviceUrl = QUrl(serviceUrl);
    config.token = Tokens::pepA;
    config.callTimeoutMs = 5000;
    return std::make_unique<Pep::ReferencePep>(config);
}

int tst_ReferencePep::taskCount()
{
    const HttpResponse tasks = m_service->get(QStringLiteral("/admin/v1/tasks"), Tokens::auditor);
    return tasks.status == 200 ? int(tasks.json.value(u"tasks").toArray().size()) : -1;
}

void tst_ReferencePep::discoverRejectsOtherPdp()
{
    // The service publishes its base URL as policy_decision_point. A PEP configured for a tenant
    // path under it fetches the same document and must reject it.
    const auto pep = makePep(m_service->baseUrl() + QStringLiteral("/tenant1"));

    const auto discovered = pep->discover();

    QVERIFY(!discovered);
    QVERIFY2(discovered.error().message.contains(m_service->baseUrl()), qPrintable(discovered.error().message));
    QVERIFY(pep->metadata().isEmpty());
}

void tst_ReferencePep::discoverIgnoresUnknownMembers()
{
    // Metadata that names this server as the PDP and adds members the PEP does not know, of
    // every JSON type.
    FixedStatusServer server;
    QVERIFY(server.listen(QJsonObject{}));
    const QString base = server.baseUrl();
    server.respondWith(QJsonObject{
        {QStringLiteral("policy_decision_point"), base},
        {QStringLiteral("access_evaluation_endpoint"), QString(base + QStringLiteral("/access/v1/evaluation"))},
        {QStringLiteral("future_endpoint"), QString(base + QStringLiteral("/access/v2/anything"))},
        {QStringLiteral("com.example.flags"), QJsonArray{1, QStringLiteral("two"), QJsonValue(QJsonValue::Null)}},
        {QStringLiteral("com.example.limits"), QJsonObject{{QStringLiteral("rate"), 5}}},
    });

    const auto pep = makePep(base);
    const auto discovered = pep->discover();

    QVERIFY2(discovered, discovered ? "" : qPrintable(discovered.error().message));
    QCOMPARE(server.requests, 1);
    QCOMPARE(pep->metadata().value(u"policy_decision_point").toString(), base);
}

void tst_ReferencePep::submitsOnlyRequestableDenials_data()
{
    QTest::addColumn<QJsonObject>("decision");

    const QJsonObject accessRequest{{QStringLiteral("expires_at"), QStringLiteral("2026-12-04T10:10:00Z")},
                                    {QStringLiteral("evaluation_id"), QStringLiteral("evl_0000000000000000000000000")}};
    QTest::newRow("reason approval_required without access_request")
        << QJsonObject{{QStringLiteral("decision"), false},
                       {QStringLiteral("context"), QJsonObject{{QStringLiteral("reason"), QStringLiteral("approval_required")},
                                                               {QStringLiteral("next_action"), QStringLiteral("request")}}}};
    QTest::newRow("permit with access_request")
        << QJsonObject{{QStringLiteral("decision"), true},
                       {QStringLiteral("context"), QJsonObject{{QStringLiteral("access_request"), accessRequest}}}};
    QTest::newRow("decision the string \"false\" with access_request")
        << QJsonObject{{QStringLiteral("decision"), QStringLiteral("false")},
                       {QStringLiteral("context"), QJsonObject{{QStringLiteral("access_request"), accessRequest}}}};
    QTest::newRow("access_request a string")
        << QJsonObject{{QStringLiteral("decision"), false},
                       {QStringLiteral("context"), QJsonObject{{QStringLiteral("access_request"), QStringLiteral("yes")}}}};
}

void tst_ReferencePep::submitsOnlyRequestableDenials()
{
    QFETCH(QJsonObject, decision);

    QVERIFY(!Pep::ReferencePep::isRequestable(decision));
    const auto submitted = m_pep->submit(Arap::q4PlanRead(), decision, {}, {});

    QVERIFY(!submitted);
    QCOMPARE(taskCount(), 0);
}

void tst_ReferencePep::untrustedOriginsNotContacted_data()
{
    QTest::addColumn<QString>("target"); // the URL that points at the decoy

    QTest::newRow("access_request.endpoint") << QStringLiteral("endpoint");
    QTest::newRow("task status_endpoint") << QStringLiteral("status_endpoint");
}

void tst_ReferencePep::untrustedOriginsNotContacted()
{
    QFETCH(QString, target);

    Decoy decoy;
    QVERIFY(decoy.listen());
    const QJsonObject request = Arap::q4PlanRead();
    auto decision = m_pep->evaluate(request);
    QVERIFY(decision);
    QVERIFY(Pep::ReferencePep::isRequestable(decision.value()));

    const Result<Pep::Exchange> exchange = [&]() -> Result<Pep::Exchange> {
        if (target == QLatin1String("endpoint")) {
            // Another port on the same host is another origin.
            QJsonObject context = decision->value(u"context").toObject();
            QJsonObject accessRequest = context.value(u"access_request").toObject();
            accessRequest.insert(QStringLiteral("endpoint"), decoy.url(QStringLiteral("/access/v1/requests")));
            context.insert(QStringLiteral("access_request"), accessRequest);
            decision->insert(QStringLiteral("context"), context);
            return m_pep->submit(request, decision.value(), {}, {});
        }
        const QJsonObject handle{{QStringLiteral("id"), QStringLiteral("arq_0000000000000000000000000")},
                                 {QStringLiteral("status"), QStringLiteral("pending")},
                                 {QStringLiteral("status_endpoint"), decoy.url(QStringLiteral("/access/v1/requests/x"))}};
        return m_pep->status(handle);
    }();

    QVERIFY(!exchange);
    QVERIFY2(exchange.error().message.contains(QLatin1String("origin")), qPrintable(exchange.error().message));
    // A call runs a local event loop until its reply finishes, so a connection the PEP had
    // opened would already have reached the decoy here.
    QCOMPARE(decoy.connections, 0);
    QCOMPARE(taskCount(), 0);
}

void tst_ReferencePep::metadataEndpointWhenDenialNamesNone()
{
    const QJsonObject request = Arap::q4PlanRead();
    auto decision = m_pep->evaluate(request);
    QVERIFY(decision);
    QJsonObject context = decision->value(u"context").toObject();
    QJsonObject accessRequest = context.value(u"access_request").toObject();
    QVERIFY(accessRequest.contains(u"endpoint"));
    accessRequest.remove(QStringLiteral("endpoint"));
    context.insert(QStringLiteral("access_request"), accessRequest);
    decision->insert(QStringLiteral("context"), context);

    const auto submitted = m_pep->submit(request, decision.value(), {}, {});

    QVERIFY2(submitted, submitted ? "" : qPrintable(submitted.error().message));
    QCOMPARE(submitted->status, 202);
    QCOMPARE(taskCount(), 1);
}

void tst_ReferencePep::approvalOnlyFromApprovedTask_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<bool>("approved");

    const QJsonObject approvedText{{QStringLiteral("title"), QStringLiteral("Approved")}};
    QTest::newRow("approved, reevaluate (control)") << statusBody(QStringLiteral("approved"), reevaluateResult()) << true;
    QTest::newRow("unknown status with a result") << statusBody(QStringLiteral("escalated"), reevaluateResult()) << false;
    QTest::newRow("pending with display text Approved")
        << statusBody(QStringLiteral("pending"), {}, approvedText) << false;
    QTest::newRow("denied with a result") << statusBody(QStringLiteral("denied"), reevaluateResult()) << false;
    QTest::newRow("partial with a result") << statusBody(QStringLiteral("partial"), reevaluateResult()) << false;
    QTest::newRow("approved, unknown mode") << statusBody(QStringLiteral("approved"), reevaluateResult(QStringLiteral("urn:example:grant")))
                                            << false;
    QTest::newRow("approved without a result") << statusBody(QStringLiteral("approved")) << false;
    QTest::newRow("status Approved in another case") << statusBody(QStringLiteral("Approved"), reevaluateResult()) << false;
}

void tst_ReferencePep::approvalOnlyFromApprovedTask()
{
    QFETCH(QJsonObject, body);
    QFETCH(bool, approved);

    const auto approval = Pep::ReferencePep::approvalFrom(body);

    QCOMPARE(bool(approval), approved);
    if (approved)
        QCOMPARE(approval->value(u"id").toString(), QStringLiteral("apr_0000000000000000000000000"));
}

void tst_ReferencePep::pollingStopsOnUnknownStatus_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<bool>("terminal");

    QTest::newRow("approved (control)") << statusBody(QStringLiteral("approved"), reevaluateResult()) << true;
    QTest::newRow("unknown status escalated") << statusBody(QStringLiteral("escalated"), reevaluateResult()) << false;
    QTest::newRow("status Pending in another case") << statusBody(QStringLiteral("Pending")) << false;
    QTest::newRow("no task") << QJsonObject{{QStringLiteral("result"), QJsonValue(reevaluateResult())}} << false;
}

void tst_ReferencePep::pollingStopsOnUnknownStatus()
{
    QFETCH(QJsonObject, body);
    QFETCH(bool, terminal);

    // A status the PEP does not know means "not approved", so it stops polling at once instead
    // of waiting for a change, and returns an error rather than the body.
    FixedStatusServer server;
    QVERIFY(server.listen(body));
    const auto pep = makePep(server.baseUrl());
    const QJsonObject handle{{QStringLiteral("id"), QStringLiteral("arq_0000000000000000000000000")},
                             {QStringLiteral("status"), QStringLiteral("pending")},
                             {QStringLiteral("status_endpoint"), QString(server.baseUrl() + QStringLiteral("/access/v1/requests/x"))},
                             {QStringLiteral("expires_at"), QStringLiteral("2099-01-01T00:00:00Z")}};
    int waits = 0;

    const auto completed = pep->waitForCompletion(handle, [&waits](int) { ++waits; });

    QCOMPARE(server.requests, 1);
    QCOMPARE(waits, 0);
    QCOMPARE(bool(completed), terminal);
    if (terminal)
        QCOMPARE(completed.value(), body);
}

QTEST_GUILESS_MAIN(tst_ReferencePep)
#include "tst_referencepep.moc"
