// The URLs the service hands to PEPs when it runs with TLS: every endpoint in the metadata, the
// requestable denial and the task handle uses https, so a PEP never follows a plain-HTTP link.
// The service uses a self-signed certificate from its data folder, which the client trusts.

#include "core/service/servicehost.h"
#include "tests/integration/araprequests.h"
#include "tests/integration/servicefixture.h"

#include <QFile>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QTemporaryDir>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

class tst_HttpsEndpoints : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void metadataEndpointsUseHttps();
    void denialAndTaskUseHttps();

private:
    // Sends one request over HTTPS and returns the status and the JSON object body.
    QPair<int, QJsonObject> exchange(const QByteArray &method, const QString &target, const QJsonObject &body);

    QTemporaryDir m_dir;
    std::unique_ptr<Service::ServiceHost> m_host;
    QSslConfiguration m_trusting;
    QNetworkAccessManager m_network;
};

void tst_HttpsEndpoints::initTestCase()
{
    QVERIFY(m_dir.isValid());
    Service::ServiceOptions options;
    options.dataDir = m_dir.filePath(QStringLiteral("data"));
    options.policy = QStringLiteral("arap-conformance");
    options.config = ServiceFixture::identityConfig();
    options.clock = std::make_shared<ManualClock>(kFixtureStartMs);
    options.tlsSelfSigned = true;
    auto host = Service::ServiceHost::start(std::move(options));
    QVERIFY2(host.ok(), host.ok() ? "" : qPrintable(host.error().message));
    m_host = std::move(host.value());
    QCOMPARE(m_host->baseUrl().scheme(), QStringLiteral("https"));

    QFile pem(m_dir.filePath(QStringLiteral("data/tls-certificate.pem")));
    QVERIFY(pem.open(QIODevice::ReadOnly));
    const QSslCertificate certificate(pem.readAll(), QSsl::Pem);
    QVERIFY(!certificate.isNull());
    m_trusting = QSslConfiguration::defaultConfiguration();
    m_trusting.setCaCertificates({certificate});
}

void tst_HttpsEndpoints::cleanupTestCase()
{
    m_host.reset();
}

QPair<int, QJsonObject> tst_HttpsEndpoints::exchange(const QByteArray &method, const QString &target,
                                                      const QJsonObject &body)
{
    QNetworkRequest request(target.startsWith(u"https://") ? QUrl(target) : m_host->baseUrl().resolved(QUrl(target)));
    request.setSslConfiguration(m_trusting);
    request.setTransferTimeout(20 * 1000);
    request.setRawHeader("Authorization", "Bearer " + Tokens::pepA.toUtf8());
    QNetworkReply *reply = nullptr;
    if (method == "GET") {
        reply = m_network.get(request);
    } else {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        reply = m_network.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
    }
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished() && !finished.wait(20 * 1000)) {
        reply->abort();
        reply->deleteLater();
        return {0, {}};
    }
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QJsonObject json = QJsonDocument::fromJson(reply->readAll()).object();
    reply->deleteLater();
    return {status, json};
}

void tst_HttpsEndpoints::metadataEndpointsUseHttps()
{
    const auto [status, metadata] = exchange("GET", QStringLiteral("/.well-known/authzen-configuration"), {});
    QCOMPARE(status, 200);

    for (const char *member : {"policy_decision_point", "access_evaluation_endpoint", "access_request_endpoint",
                               "jwks_uri"}) {
        const QString value = metadata.value(QLatin1String(member)).toString();
        QVERIFY2(value.startsWith(u"https://"), qPrintable(QStringLiteral("%1: %2").arg(QLatin1String(member), value)));
    }
}

void tst_HttpsEndpoints::denialAndTaskUseHttps()
{
    const QJsonObject request = Arap::q4PlanRead();
    const auto [evaluated, decision] = exchange("POST", QStringLiteral("/access/v1/evaluation"), request);
    QCOMPARE(evaluated, 200);
    const QJsonObject accessRequest = decision.value(u"context").toObject().value(u"access_request").toObject();
    // manager_approval declares a request schema, so the denial names its URL as well.
    for (const char *member : {"endpoint", "request_schema_url"}) {
        const QString value = accessRequest.value(QLatin1String(member)).toString();
        QVERIFY2(value.startsWith(u"https://"), qPrintable(QStringLiteral("%1: %2").arg(QLatin1String(member), value)));
    }

    const auto [submitted, response] =
        exchange("POST", accessRequest.value(u"endpoint").toString(), submissionFor(request, decision));
    QCOMPARE(submitted, 202);
    const QJsonObject task = response.value(u"task").toObject();
    const QString statusEndpoint = task.value(u"status_endpoint").toString();
    QVERIFY2(statusEndpoint.startsWith(u"https://"), qPrintable(statusEndpoint));
    const QString cancel = task.value(u"links").toObject().value(u"cancel").toString();
    QVERIFY2(cancel.startsWith(u"https://"), qPrintable(cancel));

    // The handle is usable as given.
    const auto [polled, status] = exchange("GET", statusEndpoint, {});
    QCOMPARE(polled, 200);
    QCOMPARE(status.value(u"task").toObject().value(u"status").toString(), QStringLiteral("pending"));
}

QTEST_GUILESS_MAIN(tst_HttpsEndpoints)
#include "tst_httpsendpoints.moc"
