#pragma once

#include "core/base/result.h"

#include <QByteArray>
#include <QList>
#include <QSslCertificate>
#include <QSslError>
#include <QString>

#include <functional>

class QObject;
class QUrl;

namespace Recourse::Client {

// The SHA-256 fingerprint of the one server certificate a client accepts, for a remote service
// with a self-signed certificate. A pinned client accepts that certificate even though no
// authority signed it, and rejects every other certificate, including publicly trusted ones.
class CertificatePin
{
public:
    CertificatePin() = default;

    // Parses 64 hex digits, optionally separated by colons or spaces and prefixed with
    // "sha256/" or "SHA256:", as `openssl x509 -fingerprint -sha256` and the service print it.
    static Result<CertificatePin> parse(const QString &text);
    static CertificatePin of(const QSslCertificate &certificate);

    bool isNull() const { return m_digest.isEmpty(); }
    QByteArray digest() const { return m_digest; }
    // "AB:CD:..." upper-case hex with colons.
    QString toString() const;

    bool matches(const QSslCertificate &certificate) const;
    // Whether a handshake that reported `errors` for `peer` may go on: the peer is the pinned
    // certificate and every error is one that a self-signed certificate causes.
    bool acceptsErrors(const QSslCertificate &peer, const QList<QSslError> &errors) const;

    friend bool operator==(const CertificatePin &a, const CertificatePin &b) { return a.m_digest == b.m_digest; }

private:
    QByteArray m_digest; // 32 raw bytes, or empty when nothing is pinned
};

// Connects to the TLS server of an https or wss URL and returns the certificate it presents,
// without trusting it: the caller shows its fingerprint so the user can compare it with the one
// the service printed, before pinning it. `done` runs on the thread of `context` and is dropped
// when `context` is destroyed first. Fails after 10 s without an answer.
void fetchPresentedCertificate(const QUrl &url, QObject *context, std::function<void(Result<QSslCertificate>)> done);

} // namespace Recourse::Client
