#include "app/ctl/connection.h"

#include "app/ctl/commandline.h"
#include "app/localidentities.h"
#include "core/json/json.h"

#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QStandardPaths>

namespace Recourse::Ctl {

namespace {

Error usageError(const QString &message, const QString &value = {})
{
    return Error::make(ErrorCode::InvalidRequest, message, value);
}

// The console's entry in local-identities.json. Both members stay empty when the file does not
// exist or cannot be read, because then the user has to name the service some other way.
struct LocalConsole
{
    QString url;
    QString token;
};

Result<LocalConsole> readLocalConsole(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return LocalConsole{};

    auto parsed = Json::parseObject(file.readAll());
    if (!parsed)
        return usageError(QStringLiteral("%1 is not valid JSON: %2").arg(path, parsed.error().message), path);
    return LocalConsole{parsed->value(QStringLiteral("service_url")).toString(),
                        parsed->value(QStringLiteral("console_token")).toString()};
}

bool sameService(const QString &left, const QString &right)
{
    if (left.isEmpty() || right.isEmpty())
        return false;
    const auto normalized = [](const QString &text) {
        return QUrl(text).adjusted(QUrl::StripTrailingSlash | QUrl::NormalizePathSegments);
    };
    return normalized(left) == normalized(right);
}

bool isLoopbackHost(const QString &host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

Result<QUrl> checkedUrl(const QString &text, bool allowInsecureHttp)
{
    const QUrl url(text, QUrl::StrictMode);
    const QString scheme = url.scheme();
    if (!url.isValid() || url.host().isEmpty() || (scheme != QLatin1String("http") && scheme != QLatin1String("https")))
        return usageError(QStringLiteral("The service URL must be an http:// or https:// URL with a host."), text);
    if (!url.userInfo().isEmpty())
        return usageError(QStringLiteral("The service URL must not carry a user name or password; pass the token with --token or RECOURSE_TOKEN."));

    // The bearer token would cross the network in clear text.
    if (scheme == QLatin1String("http") && !isLoopbackHost(url.host()) && !allowInsecureHttp) {
        return usageError(QStringLiteral("Refusing to send the token over plain HTTP to %1. Use https://, or pass "
                                         "--allow-insecure-http if the network path is trusted.")
                              .arg(url.host()),
                          url.host());
    }
    return url;
}

} // namespace

QString defaultConsoleDataDir()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
        .filePath(QStringLiteral("Recourse/recourse"));
}

Result<Connection> resolveConnection(const CommandLine &line, const QProcessEnvironment &environment)
{
    QString urlText = line.url.isEmpty() ? environment.value(QStringLiteral("RECOURSE_URL")) : line.url;
    QString token = line.token.isEmpty() ? environment.value(QStringLiteral("RECOURSE_TOKEN")) : line.token;
    const QString localPath = App::localIdentitiesPath(line.dataDir.isEmpty() ? defaultConsoleDataDir() : line.dataDir);

    if (urlText.isEmpty() || token.isEmpty()) {
        auto local = readLocalConsole(localPath);
        if (!local)
            return local.error();
        if (urlText.isEmpty())
            urlText = local->url;
        if (token.isEmpty() && sameService(urlText, local->url))
            token = local->token;
    }

    if (urlText.isEmpty()) {
        return usageError(QStringLiteral("No service URL: pass --url, set RECOURSE_URL, or start the console so that %1 "
                                         "names its service.")
                              .arg(localPath));
    }
    if (token.isEmpty())
        return usageError(QStringLiteral("No token for %1: pass --token or set RECOURSE_TOKEN.").arg(urlText), urlText);

    auto url = checkedUrl(urlText, line.allowInsecureHttp);
    if (!url)
        return url.error();
    return Connection{url.value(), token};
}

} // namespace Recourse::Ctl
