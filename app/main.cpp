// recourse: the console with its embedded service, the headless service, or the console
// connected to a remote service.

#include "app/datafolder.h"
#include "app/localidentities.h"
#include "app/logsink.h"
#include "app/options.h"
#include "app/unixsignals.h"
#include "core/client/approverclient.h"
#include "core/client/eventstreamclient.h"
#include "core/service/servicehost.h"
#include "core/service/signingkeys.h"
#include "ui/connectdialog.h"
#include "ui/connectionsettings.h"
#include "ui/mainwindow.h"
#include "ui/translations.h"

#include <QApplication>
#include <QCoreApplication>
#include <QHostAddress>
#include <QJsonArray>
#include <QLocale>
#include <QSettings>
#include <QMessageBox>
#include <QTextStream>
#include <QUrl>

#include <algorithm>
#include <cstdio>
#include <memory>

using namespace Recourse;

namespace {

int fail(const QString &message)
{
    App::flushLogSink();
    QTextStream(stderr) << "recourse: " << message << Qt::endl;
    return 2;
}

// The error's message, followed by the offending value when the message does not show it already.
QString describe(const Error &error)
{
    if (error.value.isEmpty() || error.message.contains(error.value))
        return error.message;
    return QStringLiteral("%1 The value given was \"%2\".").arg(error.message, error.value.left(200));
}

Result<std::unique_ptr<Service::ServiceHost>> startService(const App::Options &options, quint16 port)
{
    Service::ServiceOptions serviceOptions;
    serviceOptions.address = options.address;
    serviceOptions.port = port;
    serviceOptions.dataDir = options.dataDir;
    serviceOptions.policy = options.policy;
    serviceOptions.config = options.config;
    serviceOptions.tlsCertificate = options.tlsCertificate;
    serviceOptions.tlsKey = options.tlsKey;
    serviceOptions.tlsSelfSigned = options.tlsSelfSigned;
    serviceOptions.upstreamUrl = options.upstreamUrl;
    serviceOptions.httpThreads = options.httpThreads;
    // On a desktop the console shows every decision as it happens. A headless PDP deciding at full
    // rate would fill the store with permits that no one requested to keep.
    serviceOptions.decisionEvents = options.decisionEvents.value_or(
        options.headless ? DecisionEvents::Denials : DecisionEvents::All);
    serviceOptions.upstreamToken = options.upstreamToken;
    return Service::ServiceHost::start(serviceOptions);
}

int runHeadless(const App::Options &options)
{
    auto host = startService(options, options.port);
    if (!host)
        return fail(describe(host.error()));

    // The harness contract: the chosen URL is the first line on standard output.
    QTextStream(stdout) << "listening on " << host.value()->baseUrl().toString() << Qt::endl;
    if (!host.value()->tlsFingerprint().isEmpty())
        QTextStream(stdout) << "TLS certificate SHA-256 fingerprint " << host.value()->tlsFingerprint() << Qt::endl;

    // Without a --config there is nobody to call the service, so the local approver and demo PEP
    // of the console are created as in the embedded case; recourse-demo and recoursectl find them
    // in the data folder. With a --config only its identities exist.
    if (options.configPath.isEmpty()) {
        auto local = App::loadOrCreateLocalIdentities(options.dataDir);
        if (!local)
            return fail(local.error().message);
        host.value()->addIdentity(local->consoleId, QStringLiteral("approver"), local->consoleGroups, local->consoleToken);
        host.value()->addIdentity(local->demoPepId, QStringLiteral("pep"), {}, local->demoPepToken);
        if (auto written = App::writeServiceUrl(options.dataDir, host.value()->baseUrl().toString()); !written)
            return fail(written.error().message);
        QTextStream(stdout) << "local approver and demo PEP tokens are in " << App::localIdentitiesPath(options.dataDir)
                            << Qt::endl;
    }
    std::fflush(stdout);

    App::UnixSignals unixSignals;
    // Not qApp: it casts to QApplication, and the headless service runs a QCoreApplication.
    QObject::connect(&unixSignals, &App::UnixSignals::terminationRequested, QCoreApplication::instance(), [&host] {
        host.value()->drain([] { QCoreApplication::quit(); });
    });
    const int code = QCoreApplication::exec();
    host.value()->shutdown();
    return code;
}

// --rotate-signing-key: only for a stopped service, because a running one locks the keys.
int rotateSigningKey(const App::Options &options)
{
    const QJsonValue skew = options.config.value(QStringLiteral("clock_skew_seconds"));
    auto rotated = Service::SigningKeys::rotateStopped(options.dataDir, std::make_shared<SystemClock>(),
                                                      std::clamp<qint64>(skew.toInteger(30), 0, 60));
    if (!rotated)
        return fail(rotated.error().message);

    QTextStream out(stdout);
    out << "active signing key " << rotated->value(QStringLiteral("active_kid")).toString() << Qt::endl;
    for (const QJsonValue &value : rotated->value(QStringLiteral("keys")).toArray()) {
        const QJsonObject key = value.toObject();
        if (key.value(QStringLiteral("state")).toString() != QLatin1String("retired"))
            continue;
        const QJsonValue until = key.value(QStringLiteral("retire_after"));
        out << "retired signing key " << key.value(QStringLiteral("kid")).toString() << " verifies its tokens until "
            << (until.isString() ? until.toString() : QStringLiteral("its token expiry is known")) << Qt::endl;
    }
    return 0;
}

// Builds the embedded service once; a later switch back to it reuses the running one.
Result<QUrl> embeddedService(const App::Options &options, std::unique_ptr<Service::ServiceHost> &host, QString &token)
{
    auto local = App::loadOrCreateLocalIdentities(options.dataDir);
    if (!local)
        return local.error();
    token = local->consoleToken;
    if (host)
        return host->baseUrl();

    // Binding tokens and approval states name the service URL as issuer, so the embedded
    // service keeps the port of its last run: a new port would orphan every pending approval.
    quint16 port = options.port;
    if (!options.portGiven) {
        const QUrl previous(App::readServiceUrl(options.dataDir));
        if (previous.isValid() && QHostAddress(previous.host()) == options.address)
            port = quint16(previous.port(0));
    }
    auto started = startService(options, port);
    if (!started && !options.portGiven && port != 0) {
        App::flushLogSink();
        QTextStream(stderr) << "recourse: port " << port << " of the last run is not available ("
                            << started.error().message << "); tokens issued before now will not verify." << Qt::endl;
        started = startService(options, 0);
    }
    if (!started)
        return started.error();
    host = std::move(started.value());
    host->addIdentity(local->consoleId, QStringLiteral("approver"), local->consoleGroups, local->consoleToken);
    host->addIdentity(local->demoPepId, QStringLiteral("pep"), {}, local->demoPepToken);
    const QUrl serviceUrl = host->baseUrl();
    if (auto written = App::writeServiceUrl(options.dataDir, serviceUrl.toString()); !written) {
        App::flushLogSink();
        QTextStream(stderr) << "recourse: " << written.error().message << Qt::endl;
    }
    QTextStream(stdout) << "listening on " << serviceUrl.toString() << Qt::endl;
    return serviceUrl;
}

// The service to open: --connect wins, then the one chosen in File → Connect last time. A saved
// remote service whose token was not stored asks for it; cancelling falls back to the embedded one.
Ui::ConnectionSettings initialConnection(const App::Options &options, const QSettings &settings)
{
    Ui::ConnectionSettings connection = Ui::ConnectionSettings::load(settings);
    if (!options.connectUrl.isEmpty()) {
        connection.remote = true;
        connection.url = options.connectUrl;
        connection.token = options.token;
        connection.pin = options.pin;
        return connection;
    }
    if (connection.remote && !connection.problem().isEmpty()) {
        Ui::ConnectDialog dialog(connection);
        if (dialog.exec() == QDialog::Accepted)
            return dialog.settings();
        connection.remote = false;
    }
    return connection;
}

int runConsole(const App::Options &options)
{
    if (!options.connectUrl.isEmpty() && options.token.isEmpty())
        return fail(QStringLiteral("--connect needs an approver token: pass --token or set RECOURSE_TOKEN."));

    QSettings settings;
    Ui::ConnectionSettings connection = initialConnection(options, settings);
    std::unique_ptr<Service::ServiceHost> host;
    App::UnixSignals unixSignals;
    QObject::connect(&unixSignals, &App::UnixSignals::terminationRequested, qApp, &QCoreApplication::quit);

    // Each turn opens the console against one service; choosing another in File → Connect ends
    // the turn and the next one opens the console against the new choice.
    int code = 0;
    for (bool reconnect = true; reconnect;) {
        reconnect = false;
        QUrl serviceUrl = connection.url;
        QString token = connection.token;
        Client::CertificatePin pin;
        if (connection.remote) {
            auto parsed = connection.certificatePin();
            if (!parsed)
                return fail(parsed.error().message);
            pin = parsed.value();
        } else {
            auto embedded = embeddedService(options, host, token);
            if (!embedded) {
                QMessageBox::critical(nullptr, QObject::tr("Recourse"), embedded.error().message);
                return 2;
            }
            serviceUrl = embedded.value();
        }

        Client::ApproverClient client(serviceUrl, token);
        client.setCertificatePin(pin);
        Client::EventStreamClient events(serviceUrl, token);
        events.setCertificatePin(pin);
        Ui::MainWindow window(&client, &events, {&settings, {}});
        QObject::connect(&window, &Ui::MainWindow::connectRequested, &window, [&] {
            auto *dialog = new Ui::ConnectDialog(connection, &window);
            dialog->setAttribute(Qt::WA_DeleteOnClose);
            QObject::connect(dialog, &QDialog::accepted, &window, [&, dialog] {
                connection = dialog->settings();
                connection.save(settings);
                reconnect = true;
                window.saveSettings();
                QCoreApplication::exit(0);
            });
            dialog->open();
        });
        window.show();
        code = QApplication::exec();
        events.stop();
    }

    if (host)
        host->shutdown();
    return code;
}

} // namespace

int main(int argc, char **argv)
{
    QStringList arguments;
    for (int i = 1; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));

    if (arguments.contains(QLatin1String("--help")) || arguments.contains(QLatin1String("-h"))) {
        QTextStream(stdout) << App::usage();
        return 0;
    }

    QCoreApplication::setOrganizationName(QStringLiteral("Recourse"));
    QCoreApplication::setApplicationName(QStringLiteral("recourse"));
    QCoreApplication::setApplicationVersion(QStringLiteral(RECOURSE_VERSION));

    auto options = App::parseOptions(arguments);
    if (!options)
        return fail(describe(options.error()));
    if (options->version) {
        QTextStream(stdout) << "recourse " << RECOURSE_VERSION << " (Qt " << qVersion() << ")" << Qt::endl;
        return 0;
    }
    App::installLogSink(options->logFormat, options->logLevel, std::make_shared<SystemClock>());
    if (options->rotateSigningKey) {
        QCoreApplication app(argc, argv);
        return rotateSigningKey(options.value());
    }

    if (!options->backupTarget.isEmpty() || !options->restoreSource.isEmpty()) {
        QCoreApplication app(argc, argv);
        return App::runDataFolderCommand(options.value());
    }

    if (!options->headless && !App::displayAvailable()) {
        App::flushLogSink();
        QTextStream(stderr) << "recourse: no display found (DISPLAY and WAYLAND_DISPLAY are unset); "
                               "starting the service with --headless instead."
                            << Qt::endl;
        options->headless = true;
    }

    if (options->headless) {
        // Qt's own Unix event dispatcher serves about a quarter more requests per second than the
        // GLib one on this workload (measured with wrk on loopback); a headless service needs no GLib.
        qputenv("QT_NO_GLIB", "1");
        QCoreApplication app(argc, argv);
        return runHeadless(options.value());
    }
    QApplication app(argc, argv);
    Ui::installTranslations(app, QLocale());
    return runConsole(options.value());
}
