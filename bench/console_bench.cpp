// recourse-console-bench: the approver console against a service with a large store. It starts
// `recourse --headless` on a seeded data folder (recourse-seed) on 127.0.0.1 and opens the real
// MainWindow with the real API client and event stream as an approver. It measures the console's
// performance targets: first rows after start, the cost of a keystroke in the inbox search field,
// event-loop stalls while about 1,000 events/s arrive, and resident memory. It prints one RESULT
// line per phase on standard output.
#include "bench/consoleload.h"
#include "bench/stallmonitor.h"

#include "core/client/approverclient.h"
#include "core/client/eventstreamclient.h"
#include "ui/inboxfilterbar.h"
#include "ui/inboxfilterproxy.h"
#include "ui/inboxmodel.h"
#include "ui/inboxpage.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QLineEdit>
#include <QProcess>
#include <QSettings>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>

using namespace Recourse;

namespace {

struct BenchOptions
{
    QString recourse;
    QString dataDir;
    QString policy;
    QString config;
    QString serviceLog;
    QByteArray approverToken;
    QByteArray pepToken;
    QByteArray deciderToken;
    int rate = 1000;
    int eventSeconds = 30;
    QStringList phases; // "opened", "all"
    int timeoutSeconds = 900;
};

qint64 residentKiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t middle = values.size() / 2;
    return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

QString stallText(const Bench::StallStats &stats)
{
    return QStringLiteral("stall_max_ms=%1 stall_p99_ms=%2 stalls_over_50ms=%3 gui_busy_max_ms=%4 gui_busy_over_50ms=%5 ticks=%6")
        .arg(stats.maxLateMs, 0, 'f', 1)
        .arg(stats.p99LateMs, 0, 'f', 1)
        .arg(stats.lateOver50)
        .arg(stats.maxBusyMs, 0, 'f', 1)
        .arg(stats.busyOver50)
        .arg(stats.ticks);
}

// Observes paints of the inbox view and the search field, so a measurement can end when the
// window shows the outcome rather than when the model changed.
class PaintProbe final : public QObject
{
public:
    std::function<void(QObject *)> onPaint;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint && onPaint)
            onPaint(watched);
        return false;
    }
};

class ConsoleBench
{
public:
    explicit ConsoleBench(BenchOptions options) : m_options(std::move(options)) { m_lastEventAt.start(); }

    int run()
    {
        if (!startService())
            return 2;
        const int code = measure();
        stopService();
        return code;
    }

private:
    // Runs the event loop until `done` returns true or `timeoutMs` passed; returns the last result.
    bool waitUntil(const std::function<bool()> &done, qint64 timeoutMs)
    {
        QElapsedTimer timer;
        timer.start();
        while (!done()) {
            if (timer.elapsed() > timeoutMs || m_timedOut)
                return false;
            // The stall monitor's 5 ms timer wakes the loop, so `done` is checked every few ms.
            QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 50);
        }
        return true;
    }

    bool startService()
    {
        QStringList arguments{QStringLiteral("--headless"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                              QStringLiteral("--data-dir"), m_options.dataDir, QStringLiteral("--policy"), m_options.policy,
                              QStringLiteral("--config"), m_options.config, QStringLiteral("--log-level"),
                              QStringLiteral("warning")};
        m_service.setProgram(m_options.recourse);
        m_service.setArguments(arguments);
        m_service.setStandardErrorFile(m_options.serviceLog.isEmpty() ? QProcess::nullDevice() : m_options.serviceLog);
        QElapsedTimer timer;
        timer.start();
        m_service.start();
        if (!m_service.waitForStarted(10000)) {
            std::fprintf(stderr, "console-bench: cannot start %s: %s\n", qPrintable(m_options.recourse),
                         qPrintable(m_service.errorString()));
            return false;
        }

        // The harness contract of --headless: the first line is "listening on URL".
        QByteArray line;
        const bool listening = waitUntil([&] {
            if (m_service.canReadLine())
                line = m_service.readLine().trimmed();
            return line.startsWith("listening on ") || m_service.state() == QProcess::NotRunning;
        }, 120000);
        if (!listening || !line.startsWith("listening on ")) {
            std::fprintf(stderr, "console-bench: the service did not start (see %s)\n", qPrintable(m_options.serviceLog));
            return false;
        }
        m_serviceStartMs = timer.elapsed();
        m_url = QUrl(QString::fromLatin1(line.mid(int(qstrlen("listening on ")))));
        std::fprintf(stderr, "console-bench: service at %s after %lld ms\n", qPrintable(m_url.toString()), m_serviceStartMs);
        return true;
    }

    void stopService()
    {
        if (m_service.state() == QProcess::NotRunning)
            return;
        m_service.terminate();
        if (!m_service.waitForFinished(60000))
            m_service.kill();
        m_service.waitForFinished(5000);
    }

    int measure()
    {
        QTemporaryDir settingsDir;
        QSettings settings(settingsDir.filePath(QStringLiteral("console.ini")), QSettings::IniFormat);
        Client::ApproverClient client(m_url, QString::fromLatin1(m_options.approverToken));
        Client::EventStreamClient events(m_url, QString::fromLatin1(m_options.approverToken));
        QObject::connect(&events, &Client::EventStreamClient::eventReceived, &events, [this](const QJsonObject &event) {
            ++m_eventsReceived;
            m_taskEventsReceived += event.value(QStringLiteral("type")).toString().startsWith(QStringLiteral("task.")) ? 1 : 0;
            m_lastEventAt.start();
        });

        // 1. Start: from constructing the window to the first rows painted in the inbox.
        m_monitor.begin();
        QElapsedTimer sinceStart;
        sinceStart.start();
        Ui::MainWindow window(&client, &events, {&settings, {}});
        m_window = &window;
        installProbes();
        window.show();
        qint64 firstRowsMs = -1;
        m_onViewPaintDone = [&] {
            if (firstRowsMs < 0 && proxy()->rowCount() > 0)
                firstRowsMs = sinceStart.elapsed();
        };
        if (!waitUntil([&] { return firstRowsMs >= 0; }, 120000)) {
            std::fprintf(stderr, "console-bench: the inbox showed no rows within 120 s\n");
            return 1;
        }
        m_onViewPaintDone = nullptr;
        const int firstRows = proxy()->rowCount();

        // The event stream replays what the service recorded after the console's last seq (0 on a
        // first start). The start phase ends when it has been quiet for 2 s.
        const bool settled = waitUntil([&] {
            return events.state() == Client::EventStreamClient::State::Online && !model()->isLoading()
                && (m_eventsReceived == 0 ? sinceStart.elapsed() > 3000 : m_lastEventAt.elapsed() > 2000);
        }, 120000);
        const qint64 settledMs = sinceStart.elapsed() - (m_eventsReceived == 0 || !settled ? 0 : 2000);
        m_streamOnline = events.state() == Client::EventStreamClient::State::Online;
        const Bench::StallStats startStalls = m_monitor.end();
        const qint64 replayed = m_eventsReceived;
        const qint64 rssOpened = residentKiB();
        report(QStringLiteral("start"),
               QStringLiteral("service_start_ms=%1 first_rows_ms=%2 first_rows=%3 settled_ms=%4 settled=%5 events_replayed=%6 "
                              "rows_loaded=%7 rss_mib=%8 %9")
                   .arg(m_serviceStartMs).arg(firstRowsMs).arg(firstRows).arg(settledMs).arg(settled ? 1 : 0)
                   .arg(replayed).arg(model()->rowCount()).arg(double(rssOpened) / 1024, 0, 'f', 1)
                   .arg(stallText(startStalls)));
        if (!m_streamOnline)
            std::fprintf(stderr, "console-bench: the event stream is not online after 120 s (%s); skipping the "
                                 "event phases\n", qPrintable(events.lastError()));

        for (const QString &phase : std::as_const(m_options.phases)) {
            if (phase == u"all" && !loadAllRows())
                return 1;
            if (!filterKeystrokes(phase))
                return 1;
            if (m_options.eventSeconds > 0 && m_streamOnline && !eventLoad(phase))
                return 1;
        }

        m_window = nullptr;
        events.stop();
        return m_timedOut ? 1 : 0;
    }

    void installProbes()
    {
        m_probe.onPaint = [this](QObject *watched) {
            const bool view = watched == inboxView()->viewport();
            // A zero timer fires once the paint (and whatever else this pass does) has finished.
            if (view && m_onViewPaintDone)
                QTimer::singleShot(0, m_window, [this] { if (m_onViewPaintDone) m_onViewPaintDone(); });
            if (!view && m_onEditPaintDone)
                QTimer::singleShot(0, m_window, [this] { if (m_onEditPaintDone) m_onEditPaintDone(); });
        };
        inboxView()->viewport()->installEventFilter(&m_probe);
        searchEdit()->installEventFilter(&m_probe);
        for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved}) {
            QObject::connect(proxy(), signal, m_window, [this] { m_proxyChanged = true; });
        }
        QObject::connect(proxy(), &QAbstractItemModel::layoutChanged, m_window, [this] { m_proxyChanged = true; });
        QObject::connect(proxy(), &QAbstractItemModel::modelReset, m_window, [this] { m_proxyChanged = true; });
    }

    // 2. A keystroke in the search field: from the key press until the view has painted the
    // filtered rows (or, when no row changed, until the field has painted the new text).
    bool filterKeystrokes(const QString &phase)
    {
        QLineEdit *edit = searchEdit();
        m_window->activateWindow();
        edit->setFocus();
        waitUntil([] { return false; }, 300);

        QList<QPair<int, QChar>> keys;
        for (const QString &word : {QStringLiteral("q4-budget"), QStringLiteral("pep-b")}) {
            for (const QChar c : word)
                keys.append({0, c});
            for (qsizetype i = 0; i < word.size(); ++i)
                keys.append({Qt::Key_Backspace, QChar()});
        }

        std::vector<double> totals;
        std::vector<double> synchronous;
        m_monitor.begin();
        for (const auto &[key, character] : std::as_const(keys)) {
            m_proxyChanged = false;
            bool done = false;
            QElapsedTimer timer;
            qint64 doneNs = 0;
            const auto finish = [&] {
                if (!done) {
                    done = true;
                    doneNs = timer.nsecsElapsed();
                }
            };
            m_onViewPaintDone = [&] { if (m_proxyChanged) finish(); };
            m_onEditPaintDone = [&] { if (!m_proxyChanged) finish(); };
            timer.start();
            if (key)
                QTest::keyClick(edit, Qt::Key(key));
            else
                QTest::keyClick(edit, character.toLatin1());
            synchronous.push_back(double(timer.nsecsElapsed()) / 1e6);
            if (!waitUntil([&] { return done; }, 10000)) {
                std::fprintf(stderr, "console-bench: a keystroke was not painted within 10 s\n");
                return false;
            }
            totals.push_back(double(doneNs) / 1e6);
            // Keystrokes a person types are at least this far apart.
            waitUntil([] { return false; }, 100);
        }
        m_onViewPaintDone = nullptr;
        m_onEditPaintDone = nullptr;
        const Bench::StallStats stalls = m_monitor.end();
        report(QStringLiteral("filter-") + phase,
               QStringLiteral("keystrokes=%1 rows=%2 keystroke_median_ms=%3 keystroke_max_ms=%4 filter_sync_median_ms=%5 "
                              "filter_sync_max_ms=%6 %7")
                   .arg(totals.size()).arg(model()->rowCount())
                   .arg(median(totals), 0, 'f', 1).arg(*std::max_element(totals.begin(), totals.end()), 0, 'f', 1)
                   .arg(median(synchronous), 0, 'f', 1)
                   .arg(*std::max_element(synchronous.begin(), synchronous.end()), 0, 'f', 1)
                   .arg(stallText(stalls)));
        return true;
    }

    // Loads every task into the inbox, as scrolling to the end would: page after page through
    // fetchMore(). The pages are 500 tasks (the API's maximum) instead of the view's 100, which
    // only saves round trips.
    bool loadAllRows()
    {
        m_monitor.begin();
        QElapsedTimer timer;
        timer.start();
        model()->setPageSize(500);
        const QModelIndex root;
        const bool loaded = waitUntil([&] {
            if (model()->isLoading())
                return false;
            if (!model()->canFetchMore(root))
                return true;
            model()->fetchMore(root);
            return false;
        }, 600000);
        const qint64 loadMs = timer.elapsed();
        const Bench::StallStats stalls = m_monitor.end();
        if (!loaded) {
            std::fprintf(stderr, "console-bench: loading every task did not finish within 600 s\n");
            return false;
        }
        waitUntil([] { return false; }, 1000);
        report(QStringLiteral("load-all"), QStringLiteral("rows=%1 load_ms=%2 rss_mib=%3 %4")
                                               .arg(model()->rowCount()).arg(loadMs)
                                               .arg(double(residentKiB()) / 1024, 0, 'f', 1).arg(stallText(stalls)));
        return true;
    }

    // 3. Stalls while the load makes the service emit about `rate` events per second.
    bool eventLoad(const QString &phase)
    {
        Bench::ConsoleLoadOptions load;
        load.host = m_url.host();
        load.port = quint16(m_url.port());
        load.pepToken = m_options.pepToken;
        load.approverToken = m_options.deciderToken;
        load.evaluationsPerSecond = m_options.rate;
        load.seconds = m_options.eventSeconds;

        const int rowsBefore = model()->rowCount();
        const qint64 eventsBefore = m_eventsReceived;
        const qint64 taskEventsBefore = m_taskEventsReceived;
        Bench::ConsoleLoadReport sent;
        std::unique_ptr<QThread> thread(QThread::create([&sent, load] { sent = Bench::runConsoleLoad(load); }));
        m_monitor.begin();
        thread->start();
        const bool finished = waitUntil([&] { return thread->isFinished(); }, qint64(m_options.eventSeconds + 60) * 1000);
        // The events of the last requests are still on their way.
        waitUntil([&] { return m_lastEventAt.elapsed() > 1000; }, 30000);
        const Bench::StallStats stalls = m_monitor.end();
        if (!finished) {
            std::fprintf(stderr, "console-bench: the load did not finish in time\n");
            thread->wait();
            return false;
        }
        thread->wait();
        const qint64 received = m_eventsReceived - eventsBefore;
        report(QStringLiteral("events-") + phase,
               QStringLiteral("seconds=%1 evaluations=%2 evaluation_failures=%3 submissions=%4 submission_failures=%5 "
                              "decisions=%6 decision_failures=%7 events_received=%8 events_per_s=%9 task_events=%10 "
                              "rows_added=%11 rss_mib=%12 %13")
                   .arg(sent.seconds, 0, 'f', 1).arg(sent.evaluations).arg(sent.evaluationFailures)
                   .arg(sent.submissions).arg(sent.submissionFailures).arg(sent.decisions).arg(sent.decisionFailures)
                   .arg(received).arg(sent.seconds > 0 ? double(received) / sent.seconds : 0.0, 0, 'f', 0)
                   .arg(m_taskEventsReceived - taskEventsBefore).arg(model()->rowCount() - rowsBefore)
                   .arg(double(residentKiB()) / 1024, 0, 'f', 1).arg(stallText(stalls)));
        if (!sent.firstFailure.isEmpty())
            std::fprintf(stderr, "console-bench: first load failure: %s\n", qPrintable(sent.firstFailure));
        return true;
    }

    void report(const QString &phase, const QString &figures)
    {
        std::printf("RESULT mode=console phase=%s %s\n", qPrintable(phase), qPrintable(figures));
        std::fflush(stdout);
    }

    Ui::InboxModel *model() const { return m_window->inboxModel(); }
    Ui::InboxFilterProxy *proxy() const { return m_window->inboxPage()->proxy(); }
    QTableView *inboxView() const { return m_window->inboxView(); }
    QLineEdit *searchEdit() const
    {
        return m_window->inboxPage()->filters()->findChild<QLineEdit *>(QStringLiteral("searchEdit"));
    }

public:
    void timeOut() { m_timedOut = true; }

private:
    BenchOptions m_options;
    QProcess m_service;
    QUrl m_url;
    qint64 m_serviceStartMs = 0;
    Ui::MainWindow *m_window = nullptr;
    Bench::StallMonitor m_monitor;
    PaintProbe m_probe;
    std::function<void()> m_onViewPaintDone;
    std::function<void()> m_onEditPaintDone;
    bool m_proxyChanged = false;
    qint64 m_eventsReceived = 0;
    qint64 m_taskEventsReceived = 0;
    QElapsedTimer m_lastEventAt;
    bool m_timedOut = false;
    bool m_streamOnline = false;
};

} // namespace

int main(int argc, char *argv[])
{
    // A GUI benchmark needs no display: the offscreen platform paints into memory.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("recourse-console-bench"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Measures the approver console against `recourse --headless` on a seeded data folder (see recourse-seed).\n"
        "The service listens on 127.0.0.1 only. Prints one RESULT line per phase."));
    parser.addHelpOption();
    const QCommandLineOption recourse(QStringLiteral("recourse"), QStringLiteral("The recourse executable."), QStringLiteral("path"));
    const QCommandLineOption dataDir(QStringLiteral("data-dir"),
                                     QStringLiteral("Seeded data folder; the service writes to it, so pass a copy."),
                                     QStringLiteral("dir"));
    const QCommandLineOption policy(QStringLiteral("policy"), QStringLiteral("Policy pack or folder (default arap-conformance)."),
                                    QStringLiteral("pack"), QStringLiteral("arap-conformance"));
    const QCommandLineOption config(QStringLiteral("config"), QStringLiteral("The service's --config file with the identities."),
                                    QStringLiteral("file"));
    const QCommandLineOption serviceLog(QStringLiteral("service-log"), QStringLiteral("File for the service's standard error."),
                                        QStringLiteral("file"));
    const QCommandLineOption token(QStringLiteral("token"), QStringLiteral("The console's approver token (default bob-secret)."),
                                   QStringLiteral("token"), QStringLiteral("bob-secret"));
    const QCommandLineOption pepToken(QStringLiteral("pep-token"), QStringLiteral("PEP token of the load (default pep-a-secret)."),
                                      QStringLiteral("token"), QStringLiteral("pep-a-secret"));
    const QCommandLineOption deciderToken(QStringLiteral("decider-token"),
                                          QStringLiteral("Approver token that denies some tasks of the load (default bob-secret)."),
                                          QStringLiteral("token"), QStringLiteral("bob-secret"));
    const QCommandLineOption rate(QStringLiteral("rate"), QStringLiteral("Evaluations per second of the load (default 1000)."),
                                  QStringLiteral("n"), QStringLiteral("1000"));
    const QCommandLineOption eventSeconds(QStringLiteral("event-seconds"),
                                          QStringLiteral("Seconds of load per event phase, 0 to skip (default 30)."),
                                          QStringLiteral("s"), QStringLiteral("30"));
    const QCommandLineOption phases(QStringLiteral("phases"),
                                    QStringLiteral("Comma-separated: opened (rows as the console loads them), all (every task "
                                                   "loaded); default opened,all."),
                                    QStringLiteral("list"), QStringLiteral("opened,all"));
    const QCommandLineOption timeout(QStringLiteral("timeout"), QStringLiteral("Seconds before the run gives up (default 900)."),
                                     QStringLiteral("s"), QStringLiteral("900"));
    parser.addOptions({recourse, dataDir, policy, config, serviceLog, token, pepToken, deciderToken, rate, eventSeconds, phases,
                       timeout});
    parser.process(app);

    BenchOptions options;
    options.recourse = parser.value(recourse);
    options.dataDir = parser.value(dataDir);
    options.policy = parser.value(policy);
    options.config = parser.value(config);
    options.serviceLog = parser.value(serviceLog);
    options.approverToken = parser.value(token).toUtf8();
    options.pepToken = parser.value(pepToken).toUtf8();
    options.deciderToken = parser.value(deciderToken).toUtf8();
    options.rate = qBound(1, parser.value(rate).toInt(), 20000);
    options.eventSeconds = qBound(0, parser.value(eventSeconds).toInt(), 600);
    options.phases = parser.value(phases).split(u',', Qt::SkipEmptyParts);
    options.timeoutSeconds = qBound(10, parser.value(timeout).toInt(), 7200);
    if (options.recourse.isEmpty() || options.dataDir.isEmpty() || options.config.isEmpty()) {
        std::fprintf(stderr, "console-bench: --recourse, --data-dir and --config are required\n");
        return 2;
    }
    for (const QString &phase : std::as_const(options.phases)) {
        if (phase != u"opened" && phase != u"all") {
            std::fprintf(stderr, "console-bench: unknown phase %s; use opened and all\n", qPrintable(phase));
            return 2;
        }
    }

    ConsoleBench bench(options);
    // The whole run is bounded: past the timeout every wait gives up and the service is stopped.
    QTimer::singleShot(std::chrono::seconds(options.timeoutSeconds), &app, [&bench] {
        std::fprintf(stderr, "console-bench: timed out\n");
        bench.timeOut();
    });
    return bench.run();
}
