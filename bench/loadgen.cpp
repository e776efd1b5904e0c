// Load program for the benchmarks that wrk cannot drive: submissions from many concurrent PEPs,
// the end-to-end escalation timed per step, and delivery to event-stream subscribers.
#include "bench/loadruns.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QUrl>

#include <cstdio>

int main(int argc, char *argv[])
{
    using namespace Recourse::Bench;
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("recourse-loadgen"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Load program for bench/run. Modes:\n"
        "  submit    N concurrent PEPs evaluate then submit; then counts the tasks in the store\n"
        "  escalate  one client: deny, submit (auto-approved), status, re-evaluate; timed per step\n"
        "  events    WebSocket subscribers on /admin/v1/events while evaluations produce events"));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("mode"), QStringLiteral("submit, escalate or events"));
    const QCommandLineOption url(QStringLiteral("url"), QStringLiteral("Service base URL (loopback only)."), QStringLiteral("url"));
    const QCommandLineOption pepToken(QStringLiteral("token"), QStringLiteral("PEP bearer token."), QStringLiteral("token"),
                                      QStringLiteral("pep-a-secret"));
    const QCommandLineOption auditorToken(QStringLiteral("auditor-token"), QStringLiteral("Auditor bearer token."),
                                          QStringLiteral("token"), QStringLiteral("audit-secret"));
    const QCommandLineOption duration(QStringLiteral("duration"), QStringLiteral("Seconds of load."), QStringLiteral("s"), QStringLiteral("10"));
    const QCommandLineOption peps(QStringLiteral("peps"), QStringLiteral("Concurrent PEPs (submit)."), QStringLiteral("n"), QStringLiteral("64"));
    const QCommandLineOption count(QStringLiteral("count"), QStringLiteral("Stop after this many tasks (submit; 0: duration)."),
                                   QStringLiteral("n"), QStringLiteral("0"));
    const QCommandLineOption retryEvery(QStringLiteral("retry-every"),
                                        QStringLiteral("Send every Nth submission twice with its key (0: never)."),
                                        QStringLiteral("n"), QStringLiteral("10"));
    const QCommandLineOption noCheck(QStringLiteral("no-check"), QStringLiteral("Skip counting the store (submit)."));
    const QCommandLineOption subscribers(QStringLiteral("subscribers"), QStringLiteral("WebSocket subscribers (events)."),
                                         QStringLiteral("n"), QStringLiteral("10"));
    const QCommandLineOption rate(QStringLiteral("rate"), QStringLiteral("Evaluations per second (events)."), QStringLiteral("n"),
                                  QStringLiteral("1200"));
    const QCommandLineOption producers(QStringLiteral("producers"), QStringLiteral("Producing connections (events)."),
                                       QStringLiteral("n"), QStringLiteral("16"));
    const QCommandLineOption iterations(QStringLiteral("iterations"), QStringLiteral("Timed iterations (escalate)."),
                                        QStringLiteral("n"), QStringLiteral("300"));
    const QCommandLineOption client(QStringLiteral("client"),
                                    QStringLiteral("raw (this program's HTTP client) or pep (the reference PEP) (escalate)."),
                                    QStringLiteral("kind"), QStringLiteral("raw"));
    parser.addOptions({url, pepToken, auditorToken, duration, peps, count, retryEvery, noCheck, subscribers, rate, producers,
                       iterations, client});
    parser.process(app);

    const QUrl base(parser.value(url));
    const QString mode = parser.positionalArguments().value(0);
    // The load is aimed at the service this machine runs for the benchmark, nowhere else.
    if (base.scheme() != QLatin1String("http") || base.host() != QLatin1String("127.0.0.1") || base.port() <= 0) {
        std::fprintf(stderr, "--url must be http://127.0.0.1:PORT\n");
        return 2;
    }

    RunOptions options;
    options.target.host = base.host();
    options.target.port = quint16(base.port());
    options.target.pepToken = parser.value(pepToken).toUtf8();
    options.target.auditorToken = parser.value(auditorToken).toUtf8();
    options.durationSeconds = qBound(1, parser.value(duration).toInt(), 3600);
    options.peps = qBound(1, parser.value(peps).toInt(), 1024);
    options.count = qMax<qint64>(0, parser.value(count).toLongLong());
    options.retryEvery = qMax(0, parser.value(retryEvery).toInt());
    options.checkStore = !parser.isSet(noCheck);
    options.subscribers = qBound(1, parser.value(subscribers).toInt(), 200);
    options.rate = qBound(1, parser.value(rate).toInt(), 100000);
    options.producers = qBound(1, parser.value(producers).toInt(), 256);
    options.iterations = qBound(1, parser.value(iterations).toInt(), 100000);
    options.client = parser.value(client);

    if (mode == QLatin1String("submit"))
        return runSubmissions(options);
    if (mode == QLatin1String("escalate"))
        return runEscalation(options);
    if (mode == QLatin1String("events"))
        return runEvents(options);
    std::fprintf(stderr, "Unknown mode; use submit, escalate or events.\n");
    return 2;
}
