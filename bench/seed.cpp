// recourse-seed: fills a new data folder with the history of a busy approval service, for the
// benchmarks that need a full store. It writes tasks in every status with their requestable
// denials, decisions, approvals, audit chain and event stream through the store's write API, in
// large transactions. `recourse --headless --data-dir DIR` then serves the folder as its own.
#include "bench/seedhistory.h"

#include "core/base/clock.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>

#include <cstdio>
#include <memory>

using namespace Recourse;

namespace {

const QStringList kStatuses{QStringLiteral("pending"), QStringLiteral("approved"), QStringLiteral("denied"),
                            QStringLiteral("expired"), QStringLiteral("cancelled")};

// Writes the happenings [m_next, m_next + batch) as one store job, then the next batch once the
// previous one committed, so each transaction stays a bounded size.
class SeedWriter
{
public:
    SeedWriter(Store::Store &store, ManualClock &clock, const Bench::SeedHistory &history, int batch)
        : m_store(store), m_clock(clock), m_history(history), m_batch(batch)
    {
    }

    // Runs the event loop until every batch committed or one failed; returns the failure.
    Result<void> run()
    {
        writeNext();
        QCoreApplication::exec();
        return m_failure;
    }

private:
    void writeNext()
    {
        const auto &happenings = m_history.happenings();
        if (m_next >= happenings.size()) {
            QCoreApplication::exit(0);
            return;
        }

        const size_t first = m_next;
        const size_t end = std::min(happenings.size(), first + size_t(m_batch));
        m_next = end;
        auto job = [this, first, end](Store::WriteTx &tx) -> Result<QJsonObject> {
            const auto &all = m_history.happenings();
            for (size_t i = first; i < end; ++i) {
                // The store stamps updates with its clock, so the clock shows the happening's time.
                m_clock.setNowMs(all[i].atMs);
                if (auto r = m_history.write(tx, all[i]); !r)
                    return r.error();
            }
            return QJsonObject{};
        };
        m_store.write(job, &m_context, [this, end, total = happenings.size()](Result<QJsonObject> result) {
            if (!result) {
                m_failure = result.error();
                QCoreApplication::exit(1);
                return;
            }
            const int percent = int(100 * end / total);
            if (percent / 10 != m_reportedPercent / 10) {
                std::fprintf(stderr, "recourse-seed: %d%% written\n", percent);
                m_reportedPercent = percent;
            }
            writeNext();
        });
    }

    Store::Store &m_store;
    ManualClock &m_clock;
    const Bench::SeedHistory &m_history;
    int m_batch;
    size_t m_next = 0;
    int m_reportedPercent = 0;
    QObject m_context;
    Result<void> m_failure;
};

int fail(const QString &message)
{
    std::fprintf(stderr, "recourse-seed: %s\n", qPrintable(message));
    return 1;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("recourse-seed"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Seeds a new Recourse data folder with tasks in every status, their requestable denials, decisions,\n"
        "approvals, audit records and events, for benchmarks. Approval states are placeholders, not signed\n"
        "tokens. Prints one RESULT line with the counts and the time taken."));
    parser.addHelpOption();
    const QCommandLineOption dataDir(QStringLiteral("data-dir"), QStringLiteral("Data folder to seed; must hold no tasks yet."),
                                     QStringLiteral("dir"));
    const QCommandLineOption tasks(QStringLiteral("tasks"), QStringLiteral("Number of tasks (default 100000)."),
                                   QStringLiteral("n"), QStringLiteral("100000"));
    const QCommandLineOption days(QStringLiteral("days"), QStringLiteral("Days of history the tasks spread over (default 30)."),
                                  QStringLiteral("n"), QStringLiteral("30"));
    const QCommandLineOption reevaluations(QStringLiteral("reevaluations"),
                                           QStringLiteral("Re-evaluations per approval, each with an audit record (default 0)."),
                                           QStringLiteral("n"), QStringLiteral("0"));
    const QCommandLineOption noEvents(QStringLiteral("no-events"),
                                      QStringLiteral("Leave the event stream empty instead of recording each change."));
    const QCommandLineOption seed(QStringLiteral("seed"), QStringLiteral("Seed of the content (default 1)."),
                                  QStringLiteral("n"), QStringLiteral("1"));
    const QCommandLineOption batch(QStringLiteral("batch"),
                                   QStringLiteral("Happenings per transaction (default 20000)."), QStringLiteral("n"),
                                   QStringLiteral("20000"));
    parser.addOptions({dataDir, tasks, days, reevaluations, noEvents, seed, batch});
    parser.process(app);

    if (!parser.isSet(dataDir))
        return fail(QStringLiteral("--data-dir is required."));
    Bench::SeedOptions options;
    options.tasks = qBound(1, parser.value(tasks).toInt(), 10000000);
    options.days = qBound(1, parser.value(days).toInt(), 3650);
    options.reevaluationsPerApproval = qBound(0, parser.value(reevaluations).toInt(), 1000);
    options.events = !parser.isSet(noEvents);
    options.seed = parser.value(seed).toULongLong();
    options.nowMs = QDateTime::currentMSecsSinceEpoch();

    const QString dir = parser.value(dataDir);
    if (!QDir().mkpath(dir))
        return fail(QStringLiteral("Cannot create the data folder %1.").arg(dir));
    auto clock = std::make_shared<ManualClock>(options.nowMs);
    Store::Store store(QDir(dir).filePath(QStringLiteral("recourse.db")), clock);
    if (auto opened = store.open(); !opened)
        return fail(QStringLiteral("Cannot open the store in %1: %2").arg(dir, opened.error().message));
    {
        Store::Reader reader(store);
        qint64 existing = 0;
        for (const QString &status : kStatuses)
            existing += reader.countTasks(status);
        if (existing > 0)
            return fail(QStringLiteral("%1 already holds %2 tasks; seed a new folder.").arg(dir).arg(existing));
    }

    QElapsedTimer timer;
    timer.start();
    const Bench::SeedHistory history(options);
    const qint64 planMs = timer.restart();
    std::fprintf(stderr, "recourse-seed: planned %d tasks, %zu happenings in %lld ms\n", options.tasks,
                 history.happenings().size(), planMs);

    SeedWriter writer(store, *clock, history, qBound(1, parser.value(batch).toInt(), 1000000));
    if (auto written = writer.run(); !written)
        return fail(QStringLiteral("Writing failed: %1").arg(written.error().message));
    const qint64 writeMs = timer.restart();

    Store::Reader reader(store);
    const Store::AuditVerification audit = reader.verifyAudit();
    const qint64 verifyMs = timer.elapsed();
    QStringList counts;
    for (const QString &status : kStatuses)
        counts.append(QStringLiteral("%1=%2").arg(status).arg(reader.countTasks(status)));
    const qint64 events = reader.lastEventSeq();
    store.close();

    std::printf("RESULT mode=seed tasks=%d %s audit_records=%lld events=%lld plan_ms=%lld write_ms=%lld "
                "tasks_per_s=%.0f verify_ms=%lld chain=%s\n",
                options.tasks, qPrintable(counts.join(u' ')), audit.records, events, planMs, writeMs,
                writeMs > 0 ? 1000.0 * options.tasks / double(writeMs) : 0.0, verifyMs, audit.ok ? "ok" : "broken");
    std::fflush(stdout);
    if (!audit.ok)
        return fail(audit.message);
    return 0;
}
