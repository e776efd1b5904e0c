#include "ui/connectionsettings.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QSettings>

namespace Recourse::Ui {

namespace {

const QString RemoteKey = QStringLiteral("Connection/remote");
const QString UrlKey = QStringLiteral("Connection/url");
const QString TokenKey = QStringLiteral("Connection/token");
const QString StoreTokenKey = QStringLiteral("Connection/storeToken");
const QString PinKey = QStringLiteral("Connection/pin");

QString tr(const char *text)
{
    return QCoreApplication::translate("Recourse::Ui::ConnectionSettings", text);
}

bool isLoopback(const QString &host)
{
    if (host == u"localhost")
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

} // namespace

ConnectionSettings ConnectionSettings::load(const QSettings &settings)
{
    ConnectionSettings connection;
    connection.remote = settings.value(RemoteKey, false).toBool();
    connection.url = QUrl(settings.value(UrlKey).toString());
    connection.storeToken = settings.value(StoreTokenKey, false).toBool();
    if (connection.storeToken)
        connection.token = settings.value(TokenKey).toString();
    connection.pin = settings.value(PinKey).toString();
    return connection;
}

void ConnectionSettings::save(QSettings &settings) const
{
    settings.setValue(RemoteKey, remote);
    settings.setValue(UrlKey, url.toString());
    settings.setValue(StoreTokenKey, storeToken);
    settings.setValue(PinKey, pin);
    // A token that is not to be stored is also removed, so unticking the box deletes it.
    if (storeToken && !token.isEmpty())
        settings.setValue(TokenKey, token);
    else
        settings.remove(TokenKey);
    settings.sync();
}

QString ConnectionSettings::problem() const
{
    if (!remote)
        return {};

    const QString scheme = url.scheme();
    if (!url.isValid() || url.host().isEmpty() || (scheme != u"https" && scheme != u"http"))
        return tr("Enter the service's URL, for example https://recourse.example.com:8443.");
    if (scheme == u"http" && !isLoopback(url.host()))
        return tr("Use https for a service on another computer: over http the approver token would travel in clear text.");
    if (token.trimmed().isEmpty())
        return tr("Enter an approver token for the service.");
    if (!pin.trimmed().isEmpty()) {
        if (scheme != u"https")
            return tr("A certificate pin needs an https URL.");
        if (const auto parsed = Client::CertificatePin::parse(pin); !parsed)
            return parsed.error().message;
    }
    return {};
}

Result<Client::CertificatePin> ConnectionSettings::certificatePin() const
{
    if (pin.trimmed().isEmpty())
        return Client::CertificatePin();
    return Client::CertificatePin::parse(pin);
}

} // namespace Recourse::Ui
