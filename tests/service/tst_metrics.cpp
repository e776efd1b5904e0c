// /metrics and per-identity rate limiting on the real service.

#include "core/service/metrics.h"
#include "core/service/servicehost.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Recourse;

namespace {

struct Answer
{
    int status = 0;
    QByteArray body;
    QByteArray retryAfter;
};

std::unique_ptr<Service::ServiceHost> startService(const QString &dataDir, const QByteArray &config)
{
    Service::ServiceOptions options;
    options.dataDir = dataDir;
    options.policy = QStringLiteral("demo");
    options.config = QJsonDocument::fromJson(config).object();
    auto host = Service::ServiceHost::start(options);
    return host ? std::move(host.value()) : nullptr;
}

// Sends `bytes` on a new connection and returns the status line of the response. The server rejects
// each request sent here and closes the connection, so the response is complete once it closes.
QByteArray statusLineFor(const QUrl &base, const QByteArray &bytes)
{
    QTcpSocket socket;
    socket.connectToHost(base.host(), quint16(base.port()));
    if (!socket.waitForConnected(5000))
        return QByteArrayLiteral("no connection");
    socket.write(bytes);
    QSignalSpy closed(&socket, &QTcpSocket::disconnected);
    if (socket.state() == QAbstractSocket::ConnectedState)
        closed.wait(10000);
    const QByteArray response = socket.readAll();
    return response.left(response.indexOf("\r\n"));
}

} // namespace

class MetricsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void routeLabelsHideIds();
    void metricsCountRequestsPerRoute();
    void metricsNeedAnAdminIdentity();
    void rejectedRequestsCounted();
    void rateLimitAnswers429WithRetryAfter();
    void tokenBucketRefills();

private:
    Answer get(const QUrl &base, const QString &path, const QByteArray &token);
    QNetworkAccessManager m_network;
};

Answer MetricsTest::get(const QUrl &base, const QString &path, const QByteArray &token)
{
    QNetworkRequest request(base.resolved(QUrl(path)));
    request.setRawHeader("Authorization", "Bearer " + token);
    QNetworkReply *reply = m_network.get(request);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        finished.wait(10000);
    reply->deleteLater();
    return Answer{reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll(),
                  reply->rawHeader("Retry-After")};
}

void MetricsTest::routeLabelsHideIds()
{
    QCOMPARE(Service::Metrics::routeOf("GET", "/access/v1/requests/arq_0123456789abcdefghjkmnpqrs"),
             QStringLiteral("GET /access/v1/requests/{id}"));
    QCOMPARE(Service::Metrics::routeOf("POST", "/admin/v1/tasks/arq_x1/approve"),
             QStringLiteral("POST /admin/v1/tasks/{id}/approve"));
    QCOMPARE(Service::Metrics::routeOf("POST", "/admin/v1/tasks:batch"), QStringLiteral("POST /admin/v1/tasks:batch"));
    QCOMPARE(Service::Metrics::routeOf("GET", "/.well-known/authzen-configuration"),
             QStringLiteral("GET /.well-known/authzen-configuration"));
    QCOMPARE(Service::Metrics::routeOf("GET", "/access/v1/templates/crm_access/catalog/context/entitlement"),
             QStringLiteral("GET /access/v1/templates/{template}/catalog/{field}"));
    // A scanner's random paths share one label, also under the API prefixes, and so do unknown
    // methods.
    QCOMPARE(Service::Metrics::routeOf("GET", "/wp-login.php"), QStringLiteral("GET other"));
    QCOMPARE(Service::Metrics::routeOf("GET", "/access/v1/p17/q17/r17"), QStringLiteral("GET other"));
    QCOMPARE(Service::Metrics::routeOf("GET", "/admin/v1/tasks/arq_x1/approve/extra"), QStringLiteral("GET other"));
    QCOMPARE(Service::Metrics::routeOf("BREW", "/metrics"), QStringLiteral("OTHER /metrics"));
    QCOMPARE(Service::Metrics::routeOf("BREW", "/nothing/here"), QStringLiteral("OTHER other"));
    // Fixed paths are looked up whole: a prefix, a trailing slash or another case is not the route.
    QCOMPARE(Service::Metrics::routeOf("POST", "/access/v1/evaluation"), QStringLiteral("POST /access/v1/evaluation"));
    QCOMPARE(Service::Metrics::routeOf("POST", "/access/v1/evaluations"), QStringLiteral("POST /access/v1/evaluations"));
    QCOMPARE(Service::Metrics::routeOf("POST", "/access/v1/evaluation/"), QStringLiteral("POST other"));
    QCOMPARE(Service::Metrics::routeOf("POST", "/access/v1/Evaluation"), QStringLiteral("POST other"));
    QCOMPARE(Service::Metrics::routeOf("post", "/access/v1/evaluation"), QStringLiteral("OTHER /access/v1/evaluation"));
    QCOMPARE(Service::Metrics::routeOf("DELETE", "/access/v1/requests/arq_1/cancel"),
             QStringLiteral("DELETE /access/v1/requests/{id}/cancel"));
}

void MetricsTest::metricsCountRequestsPerRoute()
{
    QTemporaryDir dir;
    auto host = startService(dir.path(), R"({"identities": [
        {"id": "audit-1", "role": "auditor", "token": "audit-secret"}]})");
    QVERIFY(host);

    QCOMPARE(get(host->baseUrl(), QStringLiteral("/admin/v1/tasks"), "audit-secret").status, 200);
    QCOMPARE(get(host->baseUrl(), QStringLiteral("/admin/v1/tasks/arq_nothing_here"), "audit-secret").status, 404);

    const Answer metrics = get(host->baseUrl(), QStringLiteral("/metrics"), "audit-secret");
    QCOMPARE(metrics.status, 200);
    QVERIFY2(metrics.body.contains("recourse_http_requests_total{route=\"GET /admin/v1/tasks\",code=\"200\"} 1"),
             metrics.body.constData());
    QVERIFY(metrics.body.contains("recourse_http_requests_total{route=\"GET /admin/v1/tasks/{id}\",code=\"404\"} 1"));
    QVERIFY(metrics.body.contains("recourse_http_request_duration_seconds_count{route=\"GET /admin/v1/tasks\"} 1"));
    QVERIFY(metrics.body.contains("recourse_tasks{status=\"pending\"} 0"));
    QVERIFY(metrics.body.contains("recourse_event_subscribers 0"));
}

// Requests that the HTTP layer rejects itself, or that are rejected before their body is read,
// are counted too, because a security team watches them for scanners and stale tokens.
void MetricsTest::rejectedRequestsCounted()
{
    QTemporaryDir dir;
    auto host = startService(dir.path(), R"({"identities": [
        {"id": "audit-1", "role": "auditor", "token": "audit-secret"}]})");
    QVERIFY(host);
    const QUrl base = host->baseUrl();

    QCOMPARE(statusLineFor(base, "NOT A REQUEST\r\n\r\n"), QByteArray("HTTP/1.1 400 Bad Request"));
    QCOMPARE(statusLineFor(base, "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n"),
             QByteArray("HTTP/1.1 400 Bad Request"));
    QCOMPARE(statusLineFor(base, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + QByteArray(70000, 'a') + "\r\n\r\n"),
             QByteArray("HTTP/1.1 431 Request Header Fields Too Large"));
    QCOMPARE(statusLineFor(base, "POST /access/v1/evaluation HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer stale\r\n"
                                 "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n"),
             QByteArray("HTTP/1.1 401 Unauthorized"));

    const Answer metrics = get(base, QStringLiteral("/metrics"), "audit-secret");
    QCOMPARE(metrics.status, 200);
    const QByteArrayList expected = {
        R"(recourse_http_requests_total{route="OTHER other",code="400"} 1)",
        R"(recourse_http_requests_total{route="GET /healthz",code="400"} 1)",
        R"(recourse_http_requests_total{route="GET /healthz",code="431"} 1)",
        R"(recourse_http_requests_total{route="POST /access/v1/evaluation",code="401"} 1)",
    };
    for (const QByteArray &line : expected)
        QVERIFY2(metrics.body.contains(QByteArray(line + '\n')), QByteArray(line + " missing from\n" + metrics.body).constData());
    // None of them was complete, so none has a duration.
    QVERIFY(!metrics.body.contains(R"(recourse_http_request_duration_seconds_count{route="GET /healthz"})"));
    QVERIFY(!metrics.body.contains(R"(recourse_http_request_duration_seconds_count{route="OTHER other"})"));
}

void MetricsTest::metricsNeedAnAdminIdentity()
{
    QTemporaryDir dir;
    auto host = startService(dir.path(), R"({"identities": [
        {"id": "pep-a", "role": "pep", "token": "pep-a-secret"}]})");
    QVERIFY(host);
    QCOMPARE(get(host->baseUrl(), QStringLiteral("/metrics"), "").status, 401);
    QCOMPARE(get(host->baseUrl(), QStringLiteral("/metrics"), "pep-a-secret").status, 403);
}

void MetricsTest::rateLimitAnswers429WithRetryAfter()
{
    QTemporaryDir dir;
    auto host = startService(dir.path(), R"({"identities": [
        {"id": "audit-1", "role": "auditor", "token": "audit-secret"},
        {"id": "audit-2", "role": "auditor", "token": "audit-2-secret"}],
        "rate_limit": {"requests_per_second": 0.5, "burst": 3}})");
    QVERIFY(host);

    for (int i = 0; i < 3; ++i)
        QCOMPARE(get(host->baseUrl(), QStringLiteral("/admin/v1/tasks"), "audit-secret").status, 200);
    const Answer limited = get(host->baseUrl(), QStringLiteral("/admin/v1/tasks"), "audit-secret");
    QCOMPARE(limited.status, 429);
    QVERIFY(limited.retryAfter.toInt() >= 1);
    // The limit is per identity: another identity is not affected.
    QCOMPARE(get(host->baseUrl(), QStringLiteral("/admin/v1/tasks"), "audit-2-secret").status, 200);
}

void MetricsTest::tokenBucketRefills()
{
    Service::RateLimiter limiter(10, 2);
    QCOMPARE(limiter.acquire(QStringLiteral("a"), 1000), 0);
    QCOMPARE(limiter.acquire(QStringLiteral("a"), 1000), 0);
    QVERIFY(limiter.acquire(QStringLiteral("a"), 1000) > 0);
    // 100 ms later one token is back at 10 per second.
    QCOMPARE(limiter.acquire(QStringLiteral("a"), 1100), 0);
    QVERIFY(limiter.acquire(QStringLiteral("a"), 1100) > 0);
    QVERIFY(!Service::RateLimiter(0, 0).enabled());
}

QTEST_GUILESS_MAIN(MetricsTest)
#include "tst_metrics.moc"
