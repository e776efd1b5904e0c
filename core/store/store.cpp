#include "core/store/store.h"

#include "core/json/json.h"
#include "core/store/directquery.h"
#include "core/store/schema.h"
#include "core/store/statementcache.h"
#include "core/store/storelogging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QPointer>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QUuid>

#include <condition_variable>
#include <fcntl.h>
#include <unistd.h>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>

Q_LOGGING_CATEGORY(lcStore, "recourse.store", QtWarningMsg)

namespace Recourse::Store {

namespace {

// How many queued jobs one transaction takes at most. Larger groups amortize the fsync further
// but delay the first job's answer; 256 keeps a group well under a millisecond of SQL work.
constexpr int kMaxGroupSize = 256;

// How long the writer lets detached jobs gather before it commits them. No caller waits for a
// detached job, and waking the writer for each one cost a thread wake-up and a commit per plain
// evaluation. Now the jobs of one millisecond share a commit (about 20 at 20,000 evaluations/s).
constexpr std::chrono::microseconds kDetachedLinger{1000};

Result<void> configureConnection(QSqlDatabase &db)
{
    // WAL lets readers run beside the writer; FULL makes every acknowledged commit survive a
    // power loss, not just a process crash.
    for (const char *pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA busy_timeout=5000",
                               "PRAGMA foreign_keys=ON"}) {
        if (auto r = Schema::exec(db, QString::fromLatin1(pragma)); !r)
            return r;
    }
    return {};
}

} // namespace

// A queued job, or a queued event when `event` is set (then `job` is empty and `detached` true).
struct Store::PendingJob
{
    WriteJob job;
    QPointer<QObject> context;
    WriteDone done;
    bool detached = false;
    std::optional<EventRecord> event;
};

struct Store::Private
{
    QString path;
    std::shared_ptr<const Clock> clock;
    int schemaVersion = 0;

    std::mutex mutex;
    std::condition_variable wake;
    std::deque<PendingJob> queue;
    int waitedJobs = 0; // queued jobs whose caller waits for the result, so the writer starts at once
    bool stopping = false;
    QThread *writer = nullptr;
    QString auditHead; // hash of the newest committed audit record; owned by the writer thread
    qint64 auditSeq = 0; // seq of that record, 0 for an empty log; owned by the writer thread
    qint64 failedGroups = 0; // groups that failed since the last commit; owned by the writer thread

    QString connectionPrefix = QUuid::createUuid().toString(QUuid::WithoutBraces);
    // Each thread's read connection and its prepared statements, by connection name. A thread
    // only ever uses its own entry; the mutex guards the map.
    std::mutex readersMutex;
    std::map<QString, std::unique_ptr<StatementCache>> readers;
};

Store::Store(QString path, std::shared_ptr<const Clock> clock, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    d->path = std::move(path);
    d->clock = clock ? std::move(clock) : std::make_shared<SystemClock>();
    qRegisterMetaType<QList<Recourse::Store::EventRecord>>();
}

Store::~Store()
{
    close();
}

QString Store::path() const
{
    return d->path;
}

const Clock &Store::clock() const
{
    return *d->clock;
}

int Store::schemaVersion() const
{
    return d->schemaVersion;
}

int Store::latestSchemaVersion()
{
    return Schema::latestVersion();
}

Result<void> Store::open()
{
    QDir().mkpath(QFileInfo(d->path).absolutePath());

    // The store keeps every request's context and justification, so only its owner may read
    // it. SQLite creates the -wal and -shm files with the mode of the database file.
    const int created = ::open(QFile::encodeName(d->path).constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (created >= 0)
        ::close(created);
    else if (!QFile::setPermissions(d->path, QFile::ReadOwner | QFile::WriteOwner))
        qCWarning(lcStore) << "Cannot make the store at" << d->path << "readable by its owner only";

    // Migrations run on a short-lived connection of the opening thread before the writer starts.
    const QString setupName = d->connectionPrefix + QStringLiteral("-setup");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), setupName);
        db.setDatabaseName(d->path);
        if (!db.open()) {
            qCWarning(lcStore) << "Cannot open the store at" << d->path << ":" << db.lastError().text();
            QSqlDatabase::removeDatabase(setupName);
            return Error::make(ErrorCode::StorageUnavailable,
                               QStringLiteral("Cannot open the store at %1.").arg(d->path));
        }
        if (auto configured = configureConnection(db); !configured) {
            db.close();
            return configured;
        }
        auto migrated = Schema::migrate(db);
        if (!migrated) {
            db.close();
            return migrated.error();
        }
        d->schemaVersion = migrated.value();

        QSqlQuery head(db);
        if (head.exec(QStringLiteral("SELECT hash, seq FROM audit ORDER BY seq DESC LIMIT 1")) && head.next()) {
            d->auditHead = head.value(0).toString();
            d->auditSeq = head.value(1).toLongLong();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(setupName);

    d->writer = QThread::create([this] { runWriter(); });
    d->writer->setObjectName(QStringLiteral("recourse-store-writer"));
    d->writer->start();
    qCInfo(lcStore) << "Opened the store at" << d->path << "schema version" << d->schemaVersion;
    return {};
}

void Store::close()
{
    if (!d->writer)
        return;
    {
        std::lock_guard lock(d->mutex);
        d->stopping = true;
    }
    d->wake.notify_all();
    d->writer->wait();
    delete d->writer;
    d->writer = nullptr;
}

void Store::write(WriteJob job, QObject *context, WriteDone done)
{
    {
        std::lock_guard lock(d->mutex);
        if (d->stopping) {
            // Answer on the caller's thread, after the caller returns, like every other result.
            QMetaObject::invokeMethod(context, [done] {
                done(Error::make(ErrorCode::StorageUnavailable, QStringLiteral("The store is shutting down.")));
            }, Qt::QueuedConnection);
            return;
        }
        d->queue.push_back(PendingJob{std::move(job), context, std::move(done), false, std::nullopt});
        ++d->waitedJobs;
    }
    d->wake.notify_one();
}

void Store::writeDetached(WriteJob job)
{
    queueDetached(PendingJob{std::move(job), nullptr, {}, true, std::nullopt});
}

void Store::appendEventDetached(EventRecord event)
{
    // Serialized here, so the writer thread, which every write shares, does less.
    if (event.serializedData.isEmpty())
        event.serializedData = Json::serialize(event.data);
    queueDetached(PendingJob{{}, nullptr, {}, true, std::move(event)});
}

void Store::queueDetached(PendingJob pending)
{
    bool wake = false;
    {
        std::lock_guard lock(d->mutex);
        if (d->stopping)
            return;
        wake = d->queue.empty();
        d->queue.push_back(std::move(pending));
        wake = wake || int(d->queue.size()) >= kMaxGroupSize;
    }
    // The writer lingers once it has a detached job, so only the first job of a batch wakes it,
    // and a full group ends the linger.
    if (wake)
        d->wake.notify_one();
}

StatementCache &Store::readerStatements()
{
    // One named connection per thread, because Qt 6.4 cannot move a connection between threads.
    const QString name = d->connectionPrefix + QStringLiteral("-read-")
        + QString::number(reinterpret_cast<quintptr>(QThread::currentThreadId()));

    std::lock_guard lock(d->readersMutex);
    std::unique_ptr<StatementCache> &statements = d->readers[name];
    if (statements)
        return *statements;

    QSqlDatabase db = QSqlDatabase::contains(name) ? QSqlDatabase::database(name)
                                                   : QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    if (!db.isOpen()) {
        db.setDatabaseName(d->path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        if (!db.open())
            qCWarning(lcStore) << "Cannot open a read connection:" << db.lastError().text();
    }
    statements = std::make_unique<StatementCache>(db);
    return *statements;
}

void Store::runWriter()
{
    const QString name = d->connectionPrefix + QStringLiteral("-writer");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(d->path);
        const bool opened = db.open() && configureConnection(db).ok();
        if (!opened)
            qCCritical(lcStore) << "The writer cannot open the store:" << db.lastError().text();
        // Destroyed before db.close(): SQLite closes no connection while a statement of it lives.
        auto statements = std::make_unique<StatementCache>(db);

        for (;;) {
            std::vector<PendingJob> group;
            {
                std::unique_lock lock(d->mutex);
                d->wake.wait(lock, [this] { return d->stopping || !d->queue.empty(); });
                if (d->queue.empty() && d->stopping)
                    break;
                d->wake.wait_for(lock, kDetachedLinger, [this] {
                    return d->stopping || d->waitedJobs > 0 || int(d->queue.size()) >= kMaxGroupSize;
                });
                while (!d->queue.empty() && int(group.size()) < kMaxGroupSize) {
                    if (!d->queue.front().detached)
                        --d->waitedJobs;
                    group.push_back(std::move(d->queue.front()));
                    d->queue.pop_front();
                }
            }
            runGroup(db, *statements, opened, group);
        }
        statements.reset();
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

// One warning when commits start failing (a full disk, an I/O error) and one when they work
// again, instead of one per failed group while every write returns 503.
void Store::reportGroupOutcome(bool committed, size_t jobs)
{
    if (!committed) {
        if (d->failedGroups++ == 0)
            qCWarning(lcStore) << "The store cannot commit, so every write fails (clients get 503) until it can;"
                               << "the first failed group had" << jobs << "jobs";
        return;
    }
    if (d->failedGroups > 0) {
        qCWarning(lcStore) << "The store commits again after" << d->failedGroups << "failed groups";
        d->failedGroups = 0;
    }
}

void Store::runGroup(QSqlDatabase &db, StatementCache &statements, bool opened, std::vector<PendingJob> &group)
{
    std::vector<Result<QJsonObject>> results;
    results.reserve(group.size());
    QList<EventRecord> events;

    const Error unavailable = Error::make(ErrorCode::StorageUnavailable,
                                          QStringLiteral("The store could not save the change; retry later."));
    // The transaction statements run once or twice per job, so they come prepared from the cache
    // and skip QSqlQuery's per-run overhead.
    const auto run = [&statements](const QString &sql) {
        DirectQuery &query = statements.direct(sql);
        const bool ok = query.exec();
        query.finish();
        if (ok)
            return true;
        qCWarning(lcStore) << "SQL statement" << sql << "failed:" << query.lastError();
        return false;
    };
    const QString savepoint = QStringLiteral("SAVEPOINT job");
    const QString release = QStringLiteral("RELEASE job");
    const QString rollbackToSavepoint = QStringLiteral("ROLLBACK TO job");

    bool committed = opened && run(QStringLiteral("BEGIN IMMEDIATE"));
    const QString headBefore = d->auditHead;
    const qint64 seqBefore = d->auditSeq;

    if (committed) {
        for (PendingJob &pending : group) {
            if (pending.event) {
                // One INSERT is atomic, so it needs no savepoint. An event that cannot be inserted
                // is lost alone, as a failed detached job is; an error that ends the transaction
                // makes COMMIT fail below.
                WriteTx tx(db, statements, *this);
                if (tx.appendEvent(std::move(*pending.event)).ok())
                    events.append(tx.m_events);
                results.emplace_back(QJsonObject{});
                continue;
            }
            WriteTx tx(db, statements, *this);
            tx.m_auditHead = d->auditHead;
            tx.m_auditSeq = d->auditSeq;
            // A savepoint per job: a job that fails rolls back alone, the group still commits.
            if (!run(savepoint)) {
                committed = false;
                break;
            }
            Result<QJsonObject> result = pending.job(tx);
            // A job may leave a SELECT unfinished, so its statements are reset before the savepoint ends.
            statements.resetUsed();
            const bool kept = result.ok() ? run(release) : run(rollbackToSavepoint) && run(release);
            if (!kept) {
                committed = false;
                break;
            }
            if (result.ok()) {
                d->auditHead = tx.m_auditHead;
                d->auditSeq = tx.m_auditSeq;
                events.append(tx.m_events);
            }
            results.push_back(std::move(result));
        }
        committed = committed && run(QStringLiteral("COMMIT"));
        if (!committed) {
            // The group is lost as a whole, and no caller is told it succeeded. SQLite may have rolled
            // back by itself (3.40 does when COMMIT fails with SQLITE_FULL), so this ROLLBACK can
            // find no transaction, which is fine.
            QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
            d->auditHead = headBefore;
            d->auditSeq = seqBefore;
            events.clear();
        }
    }
    statements.resetUsed();
    reportGroupOutcome(committed, group.size());

    // Fail closed: a job whose commit did not happen never reports success.
    for (size_t i = 0; i < group.size(); ++i) {
        PendingJob &pending = group[i];
        if (pending.detached || !pending.context)
            continue;
        Result<QJsonObject> result = committed ? std::move(results[i]) : Result<QJsonObject>(unavailable);
        QMetaObject::invokeMethod(pending.context, [done = std::move(pending.done), result = std::move(result)] {
            done(result);
        }, Qt::QueuedConnection);
    }

    if (!events.isEmpty()) {
        QMetaObject::invokeMethod(this, [this, events] { Q_EMIT eventsCommitted(events); }, Qt::QueuedConnection);
    }
}

} // namespace Recourse::Store
