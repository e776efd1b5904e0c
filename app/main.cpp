// recourse: the console with its embedded service, the headless service, or the console
// connected to a remote service.

#include "app/localidentities.h"
#include "app/options.h"
#include "app/unixsignals.h"
#include "core/client/approverclient.h"
#include "core/client/eventstreamclient.h"
#include "core/service/servicehost.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QCoreApplication>
#include <QMessageBox>
#include <QTextStream>

#include <cstdio>
#include <memory>

using namespace Recourse;

namespace {

int fail(const QString &message)
{
    QTextStream(stderr) << "recourse: " << message << Qt::endl;
    return 2;
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
    serviceOptions.upstreamToken = options.upstreamToken;
    return Service::ServiceHost::start(serviceOptions);
}

int runHeadless(const App::Options &options)
{
    auto host = startService(options, options.port);
    if (!host)
        return fail(host.error().message);

    // The harness contract: the chosen URL is the first line on standard output.
    QTextStream(stdout) << "listening on " << host.value()->baseUrl().toString() << Qt::endl;
    if (!host.value()->tlsFingerprint().isEmpty())
        QTextStream(stdout) << "TLS certificate SHA-256 fingerprint " << host.value()->tlsFingerprint() << Qt::endl;
    std::fflush(stdout);

    App::UnixSignals unixSignals;
    QObject::connect(&unixSignals, &App::UnixSignals::terminationRequested, qApp, [&host] {
        host.value()->drain([] { QCoreApplication::quit(); });
    });
    const int code = QCoreApplication::exec();
    host.value()->shutdown();
    return code;
}

int runConsole(const App::Options &options)
{
    std::unique_ptr<Service::ServiceHost> host;
    QUrl serviceUrl = options.connectUrl;
    QString token = options.token;

    if (serviceUrl.isEmpty()) {
        auto local = App::loadOrCreateLocalIdentities(options.dataDir);
        if (!local)
            return fail(local.error().message);
        auto started = startService(options, options.portGiven ? options.port : 0);
        if (!started) {
            QMessageBox::critical(nullptr, QObject::tr("Recourse"), started.error().message);
            return 2;
        }
        host = std::move(started.value());
        host->addIdentity(local->consoleId, QStringLiteral("approver"), local->consoleGroups, local->consoleToken);
        host->addIdentity(local->demoPepId, QStringLiteral("pep"), {}, local->demoPepToken);
        serviceUrl = host->baseUrl();
        token = local->consoleToken;
        if (auto written = App::writeServiceUrl(options.dataDir, serviceUrl.toString()); !written)
            QTextStream(stderr) << "recourse: " << written.error().message << Qt::endl;
        QTextStream(stdout) << "listening on " << serviceUrl.toString() << Qt::endl;
    } else if (token.isEmpty()) {
        return fail(QStringLiteral("--connect needs an approver token: pass --token or set RECOURSE_TOKEN."));
    }

    Client::ApproverClient client(serviceUrl, token);
    Client::EventStreamClient events(serviceUrl, token);
    Ui::MainWindow window(&client, &events);
    window.show();
    events.start(0);

    App::UnixSignals unixSignals;
    QObject::connect(&unixSignals, &App::UnixSignals::terminationRequested, qApp, &QCoreApplication::quit);
    const int code = QApplication::exec();
    events.stop();
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
        return fail(options.error().message);
    if (options->version) {
        QTextStream(stdout) << "recourse " << RECOURSE_VERSION << " (Qt " << qVersion() << ")" << Qt::endl;
        return 0;
    }

    if (!options->headless && !App::displayAvailable()) {
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
    return runConsole(options.value());
}
