#pragma once

#include "core/base/result.h"

#include <QSslConfiguration>
#include <QString>

namespace Recourse::Service::Tls {

// Where a listener's certificate and private key live, both PEM.
struct Material
{
    QString certificatePath;
    QString keyPath;
};

// Returns the certificate and key in the data folder (tls-certificate.pem, tls-key.pem), creating a
// self-signed P-256 certificate valid for one year for localhost, 127.0.0.1, ::1 and `hostName`
// when they do not exist yet. The key file is written with owner-only permissions.
Result<Material> loadOrCreateSelfSigned(const QString &dataDir, const QString &hostName);

// A server-side TLS configuration (TLS 1.2 or newer) from PEM files.
Result<QSslConfiguration> serverConfiguration(const Material &material);

// The SHA-256 fingerprint of a PEM certificate as colon-separated hex, which the console pins.
QString fingerprint(const QSslCertificate &certificate);

} // namespace Recourse::Service::Tls
