#include "core/client/certificatepin.h"

#include "core/client/logging.h"

#include <QCryptographicHash>
#include <QPointer>
#include <QRegularExpression>
#include <QSslSocket>
#include <QTimer>
#include <QUrl>

#include <memory>

namespace Recourse::Client {

Result<CertificatePin> CertificatePin::parse(const QString &text)
{
    QString hex = text.trimmed();
    for (const QLatin1String prefix : {QLatin1String("sha256/"), QLatin1String("sha256:"), QLatin1String("sha256 fingerprint=")}) {
        if (hex.startsWith(prefix, Qt::CaseInsensitive))
            hex = hex.mid(prefix.size());
    }
    hex.remove(QRegularExpression(QStringLiteral("[\\s:]")));

    static const QRegularExpression hexDigits(QStringLiteral("^[0-9A-Fa-f]{64}$"));
    if (!hexDigits.match(hex).hasMatch()) {
        return Error::make(ErrorCode::InvalidRequest,
                           QStringLiteral("A certificate pin is the SHA-256 fingerprint: 64 hex digits, colons allowed."),
                           text.left(120));
    }

    CertificatePin pin;
    pin.m_digest = QByteArray::fromHex(hex.toLatin1());
    return pin;
}

CertificatePin CertificatePin::of(const QSslCertificate &certificate)
{
    CertificatePin pin;
    if (!certificate.isNull())
        pin.m_digest = certificate.digest(QCryptographicHash::Sha256);
    return pin;
}

QString CertificatePin::toString() const
{
    return QString::fromLatin1(m_digest.toHex(':').toUpper());
}

bool CertificatePin::matches(const QSslCertificate &certificate) const
{
    return !isNull() && !certificate.isNull() && certificate.digest(QCryptographicHash::Sha256) == m_digest;
}

bool CertificatePin::acceptsErrors(const QSslCertificate &peer, const QList<QSslError> &errors) const
{
    if (!matches(peer))
        return false;

    // The pin replaces the authority check and the name check, nothing else: an expired or
    // not-yet-valid certificate, or a broken signature, still fails.
    for (const QSslError &error : errors) {
        switch (error.error()) {
        case QSslError::SelfSignedCertificate:
        case QSslError::SelfSignedCertificateInChain:
        case QSslError::UnableToGetLocalIssuerCertificate:
        case QSslError::UnableToVerifyFirstCertificate:
        case QSslError::CertificateUntrusted:
        case QSslError::HostNameMismatch:
            break;
        default:
            return false;
        }
    }
    return true;
}

void fetchPresentedCertificate(const QUrl &url, QObject *context, std::function<void(Result<QSslCertificate>)> done)
{
    const bool secure = url.scheme() == u"https" || url.scheme() == u"wss";
    if (!secure || url.host().isEmpty()) {
        done(Error::make(ErrorCode::InvalidRequest,
                         QStringLiteral("Only an https URL has a certificate to fetch; %1 has none.").arg(url.toDisplayString()),
                         url.toDisplayString()));
        return;
    }

    auto *socket = new QSslSocket();
    QPointer<QObject> receiver = context;
    // Whichever comes first (handshake, failure, time-out) calls `done`, and the others find it empty.
    auto pending = std::make_shared<std::function<void(Result<QSslCertificate>)>>(std::move(done));
    const auto finish = [socket, receiver, pending](Result<QSslCertificate> result) {
        if (!*pending)
            return;
        auto callback = std::exchange(*pending, nullptr);
        socket->abort();
        socket->deleteLater();
        if (receiver)
            callback(std::move(result));
    };
    const auto presented = [socket, finish] {
        const QList<QSslCertificate> chain = socket->peerCertificateChain();
        if (chain.isEmpty()) {
            finish(Error::make(ErrorCode::Internal, QStringLiteral("The server presented no certificate.")));
            return;
        }
        finish(chain.first());
    };

    // The certificate is read, not trusted: errors are expected for a self-signed one, and nothing
    // but the handshake is sent.
    QObject::connect(socket, &QSslSocket::sslErrors, socket, [socket, presented](const QList<QSslError> &) { presented(); });
    QObject::connect(socket, &QSslSocket::encrypted, socket, presented);
    QObject::connect(socket, &QSslSocket::errorOccurred, socket, [socket, finish](QAbstractSocket::SocketError) {
        qCWarning(lcClient) << "fetching the certificate of" << socket->peerName() << "failed:" << socket->errorString();
        finish(Error::make(ErrorCode::Internal, QStringLiteral("Could not read the certificate: %1").arg(socket->errorString())));
    });
    QTimer::singleShot(10000, socket, [finish] {
        finish(Error::make(ErrorCode::Internal, QStringLiteral("Reading the certificate timed out after 10 s.")));
    });
    socket->connectToHostEncrypted(url.host(), quint16(url.port(443)));
}

} // namespace Recourse::Client
