#include "core/client/certificatepin.h"

#include <QCryptographicHash>
#include <QRegularExpression>
#include <QSslCertificate>

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

} // namespace Recourse::Client
