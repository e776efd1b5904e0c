// HTTPS and WSS on the service with a self-signed certificate from the data folder.

#include "core/service/httpserver.h"
#include "core/service/servicehost.h"

#include <QFile>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <functional>

using namespace Recourse;

class TlsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void httpsWithTrustedCertificate();
    void untrustedCertificateFails();
    void eventStreamOverWss();
    void abruptWssUpgradesKeepServing();
    void plainHttpGetsNoAnswer();
    void connectionLimitAnsweredOverTls();
    void certificateIsReusedAfterRestart();

private:
    QSslConfiguration trusting() const;

    QTemporaryDir m_dir;
    std::unique_ptr<Service::ServiceHost> m_host;
    QSslCertificate m_certificate;
};

void TlsTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    Service::ServiceOptions options;
    options.dataDir = m_dir.filePath(QStringLiteral("data"));
    options.policy = QStringLiteral("demo");
    options.tlsSelfSigned = true;
    options.config = QJsonDocument::fromJson(R"({"identities": [
        {"id": "bob", "role": "approver", "groups": ["managers"], "token": "bob-secret"}]})").object();
    auto host = Service::ServiceHost::start(options);
    QVERIFY2(host.ok(), host.ok() ? "" : qPrintable(host.error().message));
    m_host = std::move(host.value());
    QCOMPARE(m_host->baseUrl().scheme(), QStringLiteral("https"));

    QFile pem(m_dir.filePath(QStringLiteral("data/tls-certificate.pem")));
    QVERIFY(pem.open(QIODevice::ReadOnly));
    m_certificate = QSslCertificate(pem.readAll(), QSsl::Pem);
    QVERIFY(!m_certificate.isNull());
    // The printed fingerprint is the one a console pins.
    QCOMPARE(m_host->tlsFingerprint(),
             QString::fromLatin1(m_certificate.digest(QCryptographicHash::Sha256).toHex(':')).toUpper());
    // Nobody but the owner may read the private key.
    const QFileDevice::Permissions keyPermissions = QFile::permissions(m_dir.filePath(QStringLiteral("data/tls-key.pem")));
    const QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup
        | QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
    QCOMPARE(keyPermissions & others, QFileDevice::Permissions());
    QVERIFY(keyPermissions & QFileDevice::ReadOwner);
}

namespace {

// Responds to every request with 204.
class NoContentHandler final : public Http::Handler
{
public:
    void handle(const Http::Request &request, Http::Responder respond) override
    {
        Q_UNUSED(request);
        Http::Response response;
        response.status = 204;
        respond(std::move(response));
    }
};

} // namespace

QSslConfiguration TlsTest::trusting() const
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setCaCertificates({m_certificate});
    return configuration;
}

void TlsTest::httpsWithTrustedCertificate()
{
    QNetworkAccessManager network;
    QNetworkRequest request(m_host->baseUrl().resolved(QUrl(QStringLiteral("/.well-known/authzen-configuration"))));
    request.setSslConfiguration(trusting());
    QNetworkReply *reply = network.get(request);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(10000));
    QCOMPARE(reply->error(), QNetworkReply::NoError);
    const QJsonObject metadata = QJsonDocument::fromJson(reply->readAll()).object();
    QVERIFY(metadata.value(QStringLiteral("access_evaluation_endpoint")).toString().startsWith(QLatin1String("https://")));
    delete reply;
}

void TlsTest::untrustedCertificateFails()
{
    QNetworkAccessManager network;
    QNetworkReply *reply = network.get(QNetworkRequest(m_host->baseUrl().resolved(QUrl(QStringLiteral("/healthz")))));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(10000));
    QCOMPARE(reply->error(), QNetworkReply::SslHandshakeFailedError);
    delete reply;
}

void TlsTest::eventStreamOverWss()
{
    QWebSocket socket;
    socket.setSslConfiguration(trusting());
    QUrl url = m_host->baseUrl().resolved(QUrl(QStringLiteral("/admin/v1/events?after=0")));
    url.setScheme(QStringLiteral("wss"));
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer bob-secret");
    socket.open(request);
    QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::ConnectedState, 10000);
    socket.close();
}

void TlsTest::abruptWssUpgradesKeepServing()
{
    // Each client sends a complete upgrade request and closes at once, so the socket is handed
    // from a serving thread to the event hub's thread while its TLS session ends. Moving it from
    // inside its own readyRead() crashed the service under 3,000 such clients.
    // Qt warns when a socket's notifiers are used from a thread it no longer lives on, which is
    // how the crash began.
    QTest::failOnWarning(QRegularExpression(QStringLiteral("Socket notifiers cannot be enabled or disabled")));
    constexpr int kClients = 1500;
    constexpr int kParallel = 20;
    const QByteArray upgrade = "GET /admin/v1/events HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                               "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                               "Sec-WebSocket-Version: 13\r\nAuthorization: Bearer bob-secret\r\n\r\n";
    const quint16 port = quint16(m_host->baseUrl().port());
    int started = 0;
    int ended = 0;
    std::function<void()> startClient = [&] {
        if (started == kClients)
            return;
        ++started;
        auto *socket = new QSslSocket(this);
        socket->setSslConfiguration(trusting());
        connect(socket, &QSslSocket::encrypted, socket, [socket, &upgrade] {
            socket->write(upgrade);
            socket->disconnectFromHost();
        });
        // Exactly one of the two signals ends each client, and the next one starts.
        const auto end = [socket, &ended, &startClient] {
            if (socket->property("ended").toBool())
                return;
            socket->setProperty("ended", true);
            ++ended;
            socket->deleteLater();
            startClient();
        };
        connect(socket, &QSslSocket::disconnected, socket, end);
        connect(socket, &QSslSocket::errorOccurred, socket, end);
        socket->connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
    };

    for (int i = 0; i < kParallel; ++i)
        startClient();

    QTRY_COMPARE_WITH_TIMEOUT(ended, kClients, 120000);
    httpsWithTrustedCertificate();
}

void TlsTest::plainHttpGetsNoAnswer()
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_host->baseUrl().port());
    QVERIFY(socket.waitForConnected(5000));
    socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    // A plain request is not a TLS ClientHello: the handshake fails and the socket closes
    // without any HTTP answer.
    QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 10000);
    QVERIFY(!socket.readAll().startsWith("HTTP/1.1 200"));
}

void TlsTest::certificateIsReusedAfterRestart()
{
    const QString fingerprint = m_host->tlsFingerprint();
    m_host.reset();
    Service::ServiceOptions options;
    options.dataDir = m_dir.filePath(QStringLiteral("data"));
    options.policy = QStringLiteral("demo");
    options.tlsSelfSigned = true;
    auto host = Service::ServiceHost::start(options);
    QVERIFY(host.ok());
    QCOMPARE(host.value()->tlsFingerprint(), fingerprint);
}

void TlsTest::connectionLimitAnsweredOverTls()
{
    // Given an HTTPS server that takes one connection per client, with the service's certificate,
    QFile keyFile(m_dir.filePath(QStringLiteral("data/tls-key.pem")));
    QVERIFY(keyFile.open(QIODevice::ReadOnly));
    QSslConfiguration serving = QSslConfiguration::defaultConfiguration();
    serving.setLocalCertificate(m_certificate);
    serving.setPrivateKey(QSslKey(keyFile.readAll(), QSsl::Ec));
    QVERIFY(!serving.privateKey().isNull());
    NoContentHandler handler;
    Http::Limits limits;
    limits.maxConnectionsPerClient = 1;
    Http::Server server(&handler, limits);
    server.setSslConfiguration(serving);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));

    QSslSocket first;
    first.setSslConfiguration(trusting());
    first.setPeerVerifyName(QStringLiteral("localhost"));
    first.connectToHostEncrypted(QStringLiteral("127.0.0.1"), server.serverPort());
    QTRY_VERIFY(first.isEncrypted());
    QTRY_COMPARE(server.connectionCount(), 1);

    // a second connection completes its handshake and reads the 503 as HTTP, not as noise,
    QSslSocket second;
    second.setSslConfiguration(trusting());
    second.setPeerVerifyName(QStringLiteral("localhost"));
    QByteArray received;
    connect(&second, &QSslSocket::readyRead, &second, [&] { received += second.readAll(); });
    second.connectToHostEncrypted(QStringLiteral("127.0.0.1"), server.serverPort());
    QTRY_VERIFY(received.contains("\r\n\r\n") && received.contains("retry later"));
    QVERIFY2(received.startsWith("HTTP/1.1 503 Service Unavailable\r\n"), received.constData());
    QVERIFY(received.contains("Content-Type: application/problem+json"));
    QTRY_COMPARE(second.state(), QAbstractSocket::UnconnectedState);

    // and the first connection still works.
    first.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    QByteArray answer;
    QTRY_VERIFY((answer += first.readAll()).contains("\r\n\r\n"));
    QVERIFY2(answer.startsWith("HTTP/1.1 204"), answer.constData());
}

QTEST_GUILESS_MAIN(TlsTest)
#include "tst_tls.moc"
