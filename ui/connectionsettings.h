#pragma once

#include "core/base/result.h"
#include "core/client/certificatepin.h"

#include <QString>
#include <QUrl>

class QSettings;

namespace Recourse::Ui {

// Which service the console talks to: the embedded one, or a remote one by URL with an approver
// token and, for a self-signed certificate, its pinned SHA-256 fingerprint. The token is kept in
// the settings file only when the user opts in, because that file is not encrypted.
struct ConnectionSettings
{
    bool remote = false;
    QUrl url;
    QString token;
    bool storeToken = false;
    QString pin; // the fingerprint as entered; empty for none

    static ConnectionSettings load(const QSettings &settings);
    void save(QSettings &settings) const;

    // Why these settings cannot be used, in one sentence; empty when they can.
    QString problem() const;
    // The parsed pin; a null pin when none is set.
    Result<Client::CertificatePin> certificatePin() const;
};

} // namespace Recourse::Ui
