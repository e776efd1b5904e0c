// Certificate pinning of the approver API and event stream clients against a TLS server on
// 127.0.0.1 whose self-signed certificate the test generates with OpenSSL.

#include "core/client/approverclient.h"
#include "core/client/certificatepin.h"
#include "core/client/eventstreamclient.h"

#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <optional>

using namespace Recourse;
using Recourse::Client::CertificatePin;

namespace {

struct Credentials
{
    QSslCertificate certificate;
    QSslKey key;
};

QByteArray readBio(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return QByteArray(data, int(size));
}

// A self-signed P-256 certificate for CN=localhost, valid from an hour ago for a day.
Credentials makeSelfSigned(const char *commonName)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *certificate = X509_new();
    X509_set_version(certificate, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(certificate), 4242);
    X509_gmtime_adj(X509_getm_notBefore(certificate), -3600);
    X509_gmtime_adj(X509_getm_notAfter(certificate), 24 * 3600);
    X509_set_pubkey(certificate, key);
    X509_NAME *name = X509_get_subject_name(certificate);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char *>(commonName), -1, -1, 0);
    X509_set_issuer_name(certificate, name);
    X509_sign(certificate, key, EVP_sha256());

    BIO *certificateBio = BIO_new(BIO_s_mem());
    BIO *keyBio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(certificateBio, certificate);
    PEM_write_bio_PrivateKey(keyBio, key, nullptr, nullptr, 0, nullptr, nullptr);
    Credentials credentials{QSslCertificate(readBio(certificateBio), QSsl::Pem),
                            QSslKey(readBio(keyBio), QSsl::Ec, QSsl::Pem)};
    BIO_free(certificateBio);
    BIO_free(keyBio);
    X509_free(certificate);
    EVP_PKEY_free(key);
    return credentials;
}

QSslConfiguration serverConfiguration(const Credentials &credentials)
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificate(credentials.certificate);
    configuration.setPrivateKey(credentials.key);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    return configuration;
}

} // namespace

class tst_CertificatePin : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void parsesFingerprints_data();
    void parsesFingerprints();
    void pinnedSelfSignedIsAccepted();
    void unpinnedSelfSignedIsRejected();
    void otherCertificateIsRejected();
    void eventStreamHonoursPin();

private:
    std::optional<Result<QJsonObject>> whoami(const CertificatePin &pin);

    Credentials m_server;
    Credentials m_other;
    std::unique_ptr<QSslServer> m_https;
    std::unique_ptr<QWebSocketServer> m_wss;
    int m_requests = 0;
};

void tst_CertificatePin::initTestCase()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("Qt was built without a TLS backend");
    m_server = makeSelfSigned("localhost");
    m_other = makeSelfSigned("impostor");
    QVERIFY(!m_server.certificate.isNull());
    QVERIFY(!m_server.key.isNull());
    QVERIFY(m_server.certificate != m_other.certificate);
}

void tst_CertificatePin::init()
{
    m_requests = 0;
    m_https = std::make_unique<QSslServer>();
    m_https->setSslConfiguration(serverConfiguration(m_server));
    // A minimal HTTP/1.1 responder: every request gets a whoami response, then the connection closes.
    connect(m_https.get(), &QSslServer::pendingConnectionAvailable, this, [this] {
        while (QTcpSocket *socket = m_https->nextPendingConnection()) {
            connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                if (!socket->peek(64 * 1024).contains("\r\n\r\n"))
                    return;
                ++m_requests;
                const QByteArray body = R"({"id":"bob","role":"approver","groups":["managers"]})";
                socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                              + QByteArray::number(body.size()) + "\r\n\r\n" + body);
                socket->disconnectFromHost();
            });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
    QVERIFY(m_https->listen(QHostAddress::LocalHost, 0));

    m_wss = std::make_unique<QWebSocketServer>(QStringLiteral("pin-test"), QWebSocketServer::SecureMode);
    m_wss->setSslConfiguration(serverConfiguration(m_server));
    connect(m_wss.get(), &QWebSocketServer::newConnection, this, [this] {
        while (QWebSocket *socket = m_wss->nextPendingConnection())
            connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
    });
    QVERIFY(m_wss->listen(QHostAddress::LocalHost, 0));
}

void tst_CertificatePin::cleanup()
{
    m_wss.reset();
    m_https.reset();
}

std::optional<Result<QJsonObject>> tst_CertificatePin::whoami(const CertificatePin &pin)
{
    Client::ApproverClient client(QUrl(QStringLiteral("https://127.0.0.1:%1").arg(m_https->serverPort())),
                                  QStringLiteral("bob-secret"));
    client.setCertificatePin(pin);
    std::optional<Result<QJsonObject>> answer;
    client.whoami(this, [&answer](Result<QJsonObject> result) { answer = std::move(result); });
    if (!QTest::qWaitFor([&answer] { return answer.has_value(); }, 10000))
        return std::nullopt;
    return answer;
}

void tst_CertificatePin::parsesFingerprints_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");

    const QString hex = QString::fromLatin1(QByteArray(32, '\xab').toHex());
    const QString colons = QString::fromLatin1(QByteArray(32, '\xab').toHex(':'));
    QTest::newRow("plain hex") << hex << true;
    QTest::newRow("upper case with colons") << colons.toUpper() << true;
    QTest::newRow("sha256/ prefix") << QStringLiteral("sha256/") + hex << true;
    QTest::newRow("openssl output") << QStringLiteral("SHA256 Fingerprint=") + colons.toUpper() << true;
    QTest::newRow("surrounding spaces") << QStringLiteral("  ") + colons + QStringLiteral(" ") << true;
    QTest::newRow("too short") << hex.left(62) << false;
    QTest::newRow("not hex") << QString(64, u'z') << false;
    QTest::newRow("empty") << QString() << false;
}

void tst_CertificatePin::parsesFingerprints()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);

    const Result<CertificatePin> pin = CertificatePin::parse(text);
    QCOMPARE(pin.ok(), valid);
    if (valid) {
        QCOMPARE(pin->digest(), QByteArray(32, '\xab'));
        QCOMPARE(pin->toString(), QString::fromLatin1(QByteArray(32, '\xab').toHex(':').toUpper()));
    }
}

void tst_CertificatePin::pinnedSelfSignedIsAccepted()
{
    const auto answer = whoami(CertificatePin::of(m_server.certificate));
    QVERIFY(answer);
    QVERIFY2(answer->ok(), answer->ok() ? "" : qPrintable(answer->error().message));
    QCOMPARE(answer->value().value(u"id").toString(), QStringLiteral("bob"));
    QCOMPARE(m_requests, 1);
}

void tst_CertificatePin::unpinnedSelfSignedIsRejected()
{
    const auto answer = whoami(CertificatePin());
    QVERIFY(answer);
    QVERIFY(!answer->ok());
    QVERIFY2(answer->error().message.startsWith(QStringLiteral("Could not reach the service")), qPrintable(answer->error().message));
    QCOMPARE(m_requests, 0);
}

void tst_CertificatePin::otherCertificateIsRejected()
{
    const auto answer = whoami(CertificatePin::of(m_other.certificate));
    QVERIFY(answer);
    QVERIFY(!answer->ok());
    const QString presented = CertificatePin::of(m_server.certificate).toString();
    QVERIFY2(answer->error().message.contains(presented), qPrintable(answer->error().message));
    QVERIFY2(answer->error().message.contains(QStringLiteral("not the pinned")), qPrintable(answer->error().message));
    QCOMPARE(answer->error().code, ErrorCode::Forbidden);
    // The bearer token never reached the server.
    QCOMPARE(m_requests, 0);
}

void tst_CertificatePin::eventStreamHonoursPin()
{
    const QUrl url(QStringLiteral("https://127.0.0.1:%1").arg(m_wss->serverPort()));
    Client::EventStreamClient pinned(url, QStringLiteral("bob-secret"));
    pinned.setCertificatePin(CertificatePin::of(m_server.certificate));
    pinned.start();
    QTRY_COMPARE(pinned.state(), Client::EventStreamClient::State::Online);
    pinned.stop();

    Client::EventStreamClient mismatched(url, QStringLiteral("bob-secret"));
    mismatched.setBackoff(std::chrono::milliseconds(50), std::chrono::milliseconds(200));
    mismatched.setCertificatePin(CertificatePin::of(m_other.certificate));
    mismatched.start();
    QTRY_VERIFY2(mismatched.lastError().contains(QStringLiteral("not the pinned")), qPrintable(mismatched.lastError()));
    QVERIFY(mismatched.state() != Client::EventStreamClient::State::Online);
    mismatched.stop();
}

QTEST_MAIN(tst_CertificatePin)
#include "tst_certificatepin.moc"
