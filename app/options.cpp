#include "app/options.h"

#include "core/json/json.h"

#include <QFile>
#include <QStandardPaths>

namespace Recourse::App {

namespace {

// An upper bound that catches a mistyped value: each serving thread has its own event loop and
// store read connection, and one per core is the default.
constexpr int kMaxHttpThreads = 64;

Error usageError(const QString &message, const QString &value = {})
{
    return Error::make(ErrorCode::InvalidRequest, message, value);
}

Result<QJsonObject> loadConfig(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return usageError(QStringLiteral("Cannot read the config file %1: %2").arg(path, file.errorString()), path);
    auto parsed = Json::parseObject(file.readAll());
    if (!parsed)
        return usageError(QStringLiteral("The config file %1 is not valid JSON: %2").arg(path, parsed.error().message), path);
    return parsed.value();
}

Result<void> parseListen(const QString &text, Options &options)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0)
        return usageError(QStringLiteral("--listen takes ADDRESS:PORT, for example 127.0.0.1:8080."), text);
    QString host = text.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    QHostAddress address;
    if (!ok || port > 65535 || !address.setAddress(host))
        return usageError(QStringLiteral("--listen takes a numeric address and a port from 0 to 65535."), text);
    options.address = address;
    options.port = quint16(port);
    options.portGiven = true;
    return {};
}

bool isLoopbackHost(const QString &host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

} // namespace

QString usage()
{
    return QStringLiteral(
        "Usage: recourse [options]\n"
        "\n"
        "Approval and monitoring console for AuthZEN requestable denials.\n"
        "\n"
        "  --headless            Run the service only (PDP, Access Request Service, approver API).\n"
        "  --listen ADDR:PORT    Address to bind (default 127.0.0.1:0 for a free port; the chosen URL\n"
        "                        is printed as the first line of standard output).\n"
        "  --data-dir DIR        Store, signing key and local identities (default: the user's data folder).\n"
        "  --policy PACK|DIR     Policy folder, or a shipped pack: demo, certification, arap-conformance.\n"
        "  --config FILE         JSON file with identities, clock_skew_seconds, rate_limit and\n"
        "                        event_retention_days.\n"
        "  --backup DIR          Copy the data folder into the new or empty folder DIR and exit; a service\n"
        "                        may keep running on the data folder meanwhile.\n"
        "  --restore DIR         Check the backup in DIR and copy it into the data folder, which must be\n"
        "                        new or empty and not in use by a service, then exit.\n"
        "  --connect URL         Open the console against a remote service instead of an embedded one.\n"
        "  --token TOKEN         Approver bearer token for --connect (or RECOURSE_TOKEN).\n"
        "  --pin SHA256          Accept only the https certificate with this SHA-256 fingerprint for\n"
        "                        --connect, even when it is self-signed.\n"
        "  --tls-cert FILE       Serve HTTPS with this PEM certificate (with --tls-key).\n"
        "  --tls-key FILE        PEM private key of --tls-cert.\n"
        "  --tls-self-signed     Serve HTTPS with a self-signed certificate kept in the data folder; the\n"
        "                        SHA-256 fingerprint to pin is printed at start.\n"
        "  --upstream URL        Upstream mode: an existing AuthZEN PDP at URL decides permit and deny;\n"
        "                        local forbid and requestable rules are laid over its decisions.\n"
        "  --upstream-token TOKEN\n"
        "                        Bearer token for the upstream PDP (or RECOURSE_UPSTREAM_TOKEN).\n"
        "  --http-threads N      Threads that read, evaluate and answer HTTP requests besides the main\n"
        "                        thread (default: one per core; 0 serves everything on the main thread).\n"
        "  --decision-events MODE\n"
        "                        Plain decisions recorded as events: all, denials or none (default: all\n"
        "                        with the console, denials with --headless). Requestable denials and\n"
        "                        re-evaluations are always recorded.\n"
        "  --allow-insecure-http Allow plain HTTP on a non-loopback address, for the listener and the upstream.\n"
        "  --rotate-signing-key  Make a new signing key active in the data folder of a stopped service and\n"
        "                        exit; the old key keeps verifying its tokens until they expire.\n"
        "  --log-format FORMAT   Log lines on standard error as text (default) or json, one object per line.\n"
        "  --log-level LEVEL     Log recourse.* messages at debug, info (default) or warning and above.\n"
        "  --version             Print the version and exit.\n"
        "  --help                Print this help and exit.\n");
}

Result<Options> parseOptions(const QStringList &arguments)
{
    Options options;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        const auto next = [&]() -> std::optional<QString> {
            if (i + 1 >= arguments.size())
                return std::nullopt;
            return arguments.at(++i);
        };
        if (argument == QLatin1String("--headless")) {
            options.headless = true;
        } else if (argument == QLatin1String("--backup") || argument == QLatin1String("--restore")) {
            const std::optional<QString> folder = next();
            if (!folder || folder->isEmpty())
                return usageError(QStringLiteral("%1 needs a folder.").arg(argument), argument);
            if (argument == QLatin1String("--backup"))
                options.backupTarget = *folder;
            else
                options.restoreSource = *folder;
        } else if (argument == QLatin1String("--version")) {
            options.version = true;
        } else if (argument == QLatin1String("--allow-insecure-http")) {
            options.allowInsecureHttp = true;
        } else if (argument == QLatin1String("--tls-self-signed")) {
            options.tlsSelfSigned = true;
        } else if (argument == QLatin1String("--rotate-signing-key")) {
            options.rotateSigningKey = true;
        } else if (argument == QLatin1String("--log-format") || argument == QLatin1String("--log-level")) {
            const std::optional<QString> value = next();
            if (!value)
                return usageError(QStringLiteral("%1 needs a value.").arg(argument), argument);
            if (argument == QLatin1String("--log-format")) {
                auto format = parseLogFormat(*value);
                if (!format)
                    return format.error();
                options.logFormat = format.value();
            } else {
                auto level = parseLogLevel(*value);
                if (!level)
                    return level.error();
                options.logLevel = level.value();
            }
        } else if (argument == QLatin1String("--listen") || argument == QLatin1String("--data-dir")
                   || argument == QLatin1String("--policy") || argument == QLatin1String("--config")
                   || argument == QLatin1String("--connect") || argument == QLatin1String("--token")
                   || argument == QLatin1String("--pin")
                   || argument == QLatin1String("--tls-cert") || argument == QLatin1String("--tls-key")
                   || argument == QLatin1String("--upstream") || argument == QLatin1String("--upstream-token")
                   || argument == QLatin1String("--http-threads") || argument == QLatin1String("--decision-events")) {
            const std::optional<QString> value = next();
            if (!value)
                return usageError(QStringLiteral("%1 needs a value.").arg(argument), argument);
            if (argument == QLatin1String("--listen")) {
                if (auto parsed = parseListen(*value, options); !parsed)
                    return parsed.error();
            } else if (argument == QLatin1String("--data-dir")) {
                options.dataDir = *value;
            } else if (argument == QLatin1String("--policy")) {
                options.policy = *value;
            } else if (argument == QLatin1String("--config")) {
                options.configPath = *value;
            } else if (argument == QLatin1String("--connect")) {
                options.connectUrl = QUrl(*value, QUrl::StrictMode);
                const QString scheme = options.connectUrl.scheme();
                if (!options.connectUrl.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https")))
                    return usageError(QStringLiteral("--connect takes an http:// or https:// URL."), *value);
            } else if (argument == QLatin1String("--pin")) {
                options.pin = *value;
            } else if (argument == QLatin1String("--tls-cert")) {
                options.tlsCertificate = *value;
            } else if (argument == QLatin1String("--tls-key")) {
                options.tlsKey = *value;
            } else if (argument == QLatin1String("--upstream")) {
                // The service checks the rest (no user info, query or fragment) when it starts.
                options.upstreamUrl = QUrl(*value, QUrl::StrictMode);
                const QString scheme = options.upstreamUrl.scheme();
                if (!options.upstreamUrl.isValid() || options.upstreamUrl.host().isEmpty()
                    || (scheme != QLatin1String("http") && scheme != QLatin1String("https")))
                    return usageError(QStringLiteral("--upstream takes an http:// or https:// URL."));
            } else if (argument == QLatin1String("--upstream-token")) {
                options.upstreamToken = *value;
            } else if (argument == QLatin1String("--http-threads")) {
                bool ok = false;
                options.httpThreads = value->toInt(&ok);
                if (!ok || options.httpThreads < 0 || options.httpThreads > kMaxHttpThreads)
                    return usageError(QStringLiteral("--http-threads takes a number from 0 to %1.").arg(kMaxHttpThreads), *value);
            } else if (argument == QLatin1String("--decision-events")) {
                options.decisionEvents = decisionEventsFromName(*value);
                if (!options.decisionEvents)
                    return usageError(QStringLiteral("--decision-events takes all, denials or none."), *value);
            } else {
                options.token = *value;
            }
        } else {
            return usageError(QStringLiteral("Unknown option %1. Run recourse --help for the list.").arg(argument), argument);
        }
    }

    if (options.dataDir.isEmpty())
        options.dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (options.token.isEmpty())
        options.token = qEnvironmentVariable("RECOURSE_TOKEN");
    if (options.upstreamToken.isEmpty())
        options.upstreamToken = qEnvironmentVariable("RECOURSE_UPSTREAM_TOKEN");
    if (!options.upstreamToken.isEmpty() && options.upstreamUrl.isEmpty())
        return usageError(QStringLiteral("--upstream-token needs --upstream."));
    if (!options.configPath.isEmpty()) {
        auto config = loadConfig(options.configPath);
        if (!config)
            return config.error();
        options.config = config.value();
    }

    if (options.tlsCertificate.isEmpty() != options.tlsKey.isEmpty())
        return usageError(QStringLiteral("--tls-cert and --tls-key go together."));
    const bool tls = options.tlsSelfSigned || !options.tlsCertificate.isEmpty();

    // Plain HTTP beyond loopback would put bearer tokens on the network in clear text.
    if (!options.address.isLoopback() && !tls && !options.allowInsecureHttp) {
        return usageError(QStringLiteral("Refusing plain HTTP on the non-loopback address %1: bearer tokens would "
                                         "cross the network unencrypted. Bind 127.0.0.1, serve TLS "
                                         "(--tls-cert and --tls-key, or --tls-self-signed), or pass "
                                         "--allow-insecure-http if a TLS proxy terminates in front of Recourse.")
                              .arg(options.address.toString()),
                          options.address.toString());
    }

    // The same reason for the upstream: evaluations carry subject attributes and the upstream
    // token, so they leave the machine only over TLS unless the operator says otherwise.
    if (!options.upstreamUrl.isEmpty() && options.upstreamUrl.scheme() == QLatin1String("http")
        && !isLoopbackHost(options.upstreamUrl.host()) && !options.allowInsecureHttp) {
        return usageError(QStringLiteral("Refusing the plain-HTTP upstream %1: evaluations and the upstream token would "
                                         "cross the network unencrypted. Use an https:// URL, or pass "
                                         "--allow-insecure-http if the path to the upstream is trusted.")
                              .arg(options.upstreamUrl.toString(QUrl::RemoveUserInfo)),
                          options.upstreamUrl.toString(QUrl::RemoveUserInfo));
    }
    return options;
}

bool displayAvailable()
{
    if (!qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        return true;
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
}

} // namespace Recourse::App
