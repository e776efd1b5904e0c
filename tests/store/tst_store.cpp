#include "core/store/store.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Recourse;
using Recourse::Store::AuditFilter;
using Recourse::Store::AuditRecord;
using Recourse::Store::AuditVerification;
using Recourse::Store::EventRecord;
using Recourse::Store::Reader;
using Recourse::Store::TaskFilter;
using Recourse::Store::TaskRecord;
using Recourse::Store::WriteJob;
using Recourse::Store::WriteTx;
using SqliteStore = Recourse::Store::Store;

namespace {

constexpr qint64 kStart = 1'796'400'000'000; // 2026-12-04T16:00:00Z, a fixed instant

TaskRecord makeTask(const QString &id, const QString &status = QStringLiteral("pending"))
{
    TaskRecord task;
    task.id = id;
    task.status = status;
    task.createdMs = kStart;
    task.updatedMs = kStart;
    task.expiresMs = kStart + 3600 * 1000;
    task.templateName = QStringLiteral("manager_approval");
    task.requester = QStringLiteral("pep-a");
    task.subjectId = QStringLiteral("alice");
    task.doc = QJsonObject{{QStringLiteral("subject"), QJsonObject{{QStringLiteral("type"), QStringLiteral("user")},
                                                                   {QStringLiteral("id"), QStringLiteral("alice")}}}};
    return task;
}

// Runs one write job and waits for its answer.
Result<QJsonObject> writeAndWait(SqliteStore &store, WriteJob job)
{
    std::optional<Result<QJsonObject>> answer;
    QObject context;
    store.write(std::move(job), &context, [&answer](Result<QJsonObject> result) { answer = std::move(result); });
    if (!QTest::qWaitFor([&answer] { return answer.has_value(); }, 10000))
        return Error::make(ErrorCode::Internal, QStringLiteral("the write job did not answer"));
    return *answer;
}

// A job that appends one event of `type` whose data is {"i": i}.
WriteJob appendEventJob(const QString &type, int i)
{
    return [type, i](WriteTx &tx) -> Result<QJsonObject> {
        EventRecord event;
        event.type = type;
        event.data = QJsonObject{{QStringLiteral("i"), i}};
        if (auto r = tx.appendEvent(event); !r)
            return r.error();
        return QJsonObject{};
    };
}

// A job that appends one task.created audit record by pep-a.
WriteJob appendAuditJob(const QString &taskId, const QJsonObject &data)
{
    return [taskId, data](WriteTx &tx) -> Result<QJsonObject> {
        AuditRecord record;
        record.type = QStringLiteral("task.created");
        record.actor = QStringLiteral("pep-a");
        record.taskId = taskId;
        record.data = data;
        if (auto r = tx.appendAudit(record); !r)
            return r.error();
        return QJsonObject{};
    };
}

// Gathers the events of eventsCommitted signals until `count` have arrived.
bool collectCommittedEvents(QSignalSpy &committed, int count, QList<EventRecord> &events)
{
    return QTest::qWaitFor([&] {
        while (!committed.isEmpty())
            events.append(committed.takeFirst().at(0).value<QList<EventRecord>>());
        return events.size() >= count;
    }, 10000) && events.size() == count;
}

// A raw connection of the test's own, to change the file behind the store's back.
QSqlDatabase rawConnection(const QString &path)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
    db.setDatabaseName(path);
    db.open();
    return db;
}

} // namespace

class StoreTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void openCreatesLatestSchema();
    void storeFilesOwnerOnly();
    void openCreatesOwnerOnlyFile();
    void reopenKeepsData();
    void newerSchemaIsRejected();
    void groupCommitAnswersEveryJob();
    void failedJobRollsBackAlone();
    void terminalStatusCannotChange();
    void readsSeeEveryLaterCommit();
    void purgeUsesExpiryIndexes();
    void terminalStatusTriggerBlocksRawSql();
    void jtiReplayIsRejected();
    void eventsAreCommittedInSeqOrder();
    void detachedEventsKeepQueueOrder();
    void auditChainVerifies();
    void auditVerifiesNamesBeyondBmp();
    void auditLogIsAppendOnly();
    void auditTamperingIsFound();
    void taskFilterAndCursor();

private:
    QString databasePath() const { return m_dir->filePath(QStringLiteral("recourse.db")); }
    std::unique_ptr<QTemporaryDir> m_dir;
    std::shared_ptr<ManualClock> m_clock;
    std::unique_ptr<SqliteStore> m_store;
};

void StoreTest::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_clock = std::make_shared<ManualClock>(kStart);
    m_store = std::make_unique<SqliteStore>(databasePath(), m_clock);
    QVERIFY(m_store->open().ok());
}

void StoreTest::cleanup()
{
    m_store.reset();
    if (QSqlDatabase::contains(QStringLiteral("raw")))
        QSqlDatabase::removeDatabase(QStringLiteral("raw"));
}

void StoreTest::openCreatesLatestSchema()
{
    QCOMPARE(m_store->schemaVersion(), SqliteStore::latestSchemaVersion());
    QVERIFY(SqliteStore::latestSchemaVersion() >= 1);
}

void StoreTest::storeFilesOwnerOnly()
{
    // A store file left readable by others by an earlier version is tightened on open.
    m_store.reset();
    QVERIFY(QFile::setPermissions(databasePath(), QFile::permissions(databasePath()) | QFile::ReadGroup | QFile::ReadOther));
    SqliteStore reopened(databasePath(), m_clock);
    QVERIFY(reopened.open().ok());
    QVERIFY(writeAndWait(reopened, [](WriteTx &tx) -> Result<QJsonObject> {
        if (auto r = tx.insertTask(makeTask(QStringLiteral("arq_mode"))); !r)
            return r.error();
        return QJsonObject{};
    }).ok());

    const QFileDevice::Permissions others = QFile::ReadGroup | QFile::WriteGroup | QFile::ExeGroup | QFile::ReadOther
        | QFile::WriteOther | QFile::ExeOther;
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")}) {
        const QString path = databasePath() + suffix;
        QVERIFY2(QFile::exists(path), qPrintable(path));
        QVERIFY2(!(QFile::permissions(path) & others), qPrintable(path));
    }
}

void StoreTest::openCreatesOwnerOnlyFile()
{
    const QString path = m_dir->filePath(QStringLiteral("fresh/recourse.db"));
    SqliteStore fresh(path, m_clock);
    QVERIFY(fresh.open().ok());

    QCOMPARE(QFile::permissions(path) & (QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther),
             QFile::ReadOwner | QFile::WriteOwner);
}

void StoreTest::reopenKeepsData()
{
    QVERIFY(writeAndWait(*m_store, [](WriteTx &tx) -> Result<QJsonObject> {
        if (auto r = tx.insertTask(makeTask(QStringLiteral("arq_keep"))); !r)
            return r.error();
        return QJsonObject{};
    }).ok());
    m_store.reset();

    SqliteStore reopened(databasePath(), m_clock);
    QVERIFY(reopened.open().ok());
    const std::optional<TaskRecord> task = Reader(reopened).task(QStringLiteral("arq_keep"));
    QVERIFY(task.has_value());
    QCOMPARE(task->status, QStringLiteral("pending"));
    QCOMPARE(task->doc.value(QStringLiteral("subject")).toObject().value(QStringLiteral("id")).toString(),
             QStringLiteral("alice"));
}

void StoreTest::newerSchemaIsRejected()
{
    m_store.reset();
    {
        QSqlDatabase db = rawConnection(databasePath());
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("UPDATE schema_version SET version = 999")));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("raw"));

    SqliteStore newer(databasePath(), m_clock);
    const Result<void> opened = newer.open();
    QVERIFY(!opened.ok());
    QVERIFY2(opened.error().message.contains(QLatin1String("999")), qPrintable(opened.error().message));
}

void StoreTest::groupCommitAnswersEveryJob()
{
    // Given 300 jobs queued at once, more than one group holds.
    constexpr int jobs = 300;
    int answered = 0;
    int succeeded = 0;
    QObject context;
    for (int i = 0; i < jobs; ++i) {
        m_store->write([i](WriteTx &tx) -> Result<QJsonObject> {
            if (auto r = tx.insertTask(makeTask(QStringLiteral("arq_%1").arg(i))); !r)
                return r.error();
            return QJsonObject{{QStringLiteral("i"), i}};
        }, &context, [&](Result<QJsonObject> result) {
            ++answered;
            succeeded += result.ok() ? 1 : 0;
        });
    }

    // Then every job is answered, and every write is durable when it is.
    QTRY_COMPARE_WITH_TIMEOUT(answered, jobs, 20000);
    QCOMPARE(succeeded, jobs);
    TaskFilter filter;
    filter.limit = 1000;
    QCOMPARE(Reader(*m_store).tasks(filter).size(), jobs);
}

void StoreTest::failedJobRollsBackAlone()
{
    int answered = 0;
    bool firstOk = false;
    bool secondOk = true;
    QObject context;
    m_store->write([](WriteTx &tx) -> Result<QJsonObject> {
        if (auto r = tx.insertTask(makeTask(QStringLiteral("arq_good"))); !r)
            return r.error();
        return QJsonObject{};
    }, &context, [&](Result<QJsonObject> r) { firstOk = r.ok(); ++answered; });
    m_store->write([](WriteTx &tx) -> Result<QJsonObject> {
        if (auto r = tx.insertTask(makeTask(QStringLiteral("arq_bad"))); !r)
            return r.error();
        return Error::make(ErrorCode::InvalidRequest, QStringLiteral("rejected after writing"));
    }, &context, [&](Result<QJsonObject> r) { secondOk = r.ok(); ++answered; });

    QTRY_COMPARE(answered, 2);
    QVERIFY(firstOk);
    QVERIFY(!secondOk);
    Reader reader(*m_store);
    QVERIFY(reader.task(QStringLiteral("arq_good")).has_value());
    QVERIFY(!reader.task(QStringLiteral("arq_bad")).has_value());
}

void StoreTest::terminalStatusCannotChange()
{
    QVERIFY(writeAndWait(*m_store, [](WriteTx &tx) -> Result<QJsonObject> {
        if (auto r = tx.insertTask(makeTask(QStringLiteral("arq_once"))); !r)
            return r.error();
        if (auto r = tx.updateTaskStatus(QStringLiteral("arq_once"), QStringLiteral("approved"), QStringLiteral("bob"), {}); !r)
            return r.error();
        return QJsonObject{};
    }).ok());

    const Result<QJsonObject> second = writeAndWait(*m_store, [](WriteTx &tx) -> Result<QJsonObject> {
        if (auto r = tx.updateTaskStatus(QStringLiteral("arq_once"), QStringLiteral("denied"), QStringLiteral("carol"), {}); !r)
            return r.error();
        return QJsonObject{};
    });
    QVERIFY(!second.ok());
    QCOMPARE(second.error().code, ErrorCode::InvalidTaskState);
    QCOMPARE(Reader(*m_store).task(QStringLiteral("arq_once"))->status, QStringLiteral("approved"));
    QCOMPARE(Reader(*m_store).task(QStringLiteral("arq_once"))->decidedBy, QStringLiteral("bob"));
}

// Statements are prepared once per connection and reused. A reused SELECT left on its first row
// would keep the read connection on an old snapshot. So every read after a commit must see it,
// and a statement must work again after the job that used it was rolled back.
void StoreTest::readsSeeEveryLaterCommit()
{
    QVERIFY(writeAndWait(*m_store, [](WriteTx &tx) -> Result<QJsonObject> {
        if (auto r = tx.insertTask(makeTask(QStringLiteral("arq_fresh"))); !r)
            return r.error();
        return QJsonObject{};
    }).ok());
    QCOMPARE(Reader(*m_store).task(QStringLiteral("arq_fresh"))->status, QStringLiteral("pending"));
    QCOMPARE(Reader(*m_store).countTasks(QStringLiteral("pending")), 1);

    const Result<QJsonObject> failed = writeAndWait(*m_store, [](WriteTx &tx) -> Result<QJsonObject> {
        if (!tx.task(QStringLiteral("arq_fresh")))
            return Error::make(ErrorCode::Internal, QStringLiteral("the task is missing inside the job"));
        if (auto r = tx.updateTaskStatus(QStringLiteral("arq_fresh"), QStringLiteral("denied"), QStringLiteral("carol"), {}); !r)
            return r.error();
        return Error::make(ErrorCode::InvalidRequest, QStringLiteral("rolled back on purpose"));
    });
    QVERIFY(!failed.ok());
    QCOMPARE(Reader(*m_store).task(QStringLiteral("arq_fresh"))->status, QStringLiteral("pending"));

    for (int round = 0; round < 3; ++round) {
        const QString id = QStringLiteral("arq_more_%1").arg(round);
        QVERIFY(writeAndWait(*m_store, [id](WriteTx &tx) -> Result<QJsonObject> {
            if (!tx.task(QStringLiteral("arq_fresh")))
                return Error::make(ErrorCode::Internal, QStringLiteral("the task is missing inside the job"));
            if (auto r = tx.insertTask(makeTask(id)); !r)
                return r.error();
            return QJsonObject{};
        }).ok());
        Reader reader(*m_store);
        QVERIFY(reader.task(id).has_value());
        QCOMPARE(reader.countTasks(QStringLiteral("pending")), round + 2);
    }

    QVERIFY(writeAndWait(*m_store, [](WriteTx &tx) -> Result<QJsonObject> {
        if (auto r = tx.updateTaskStatus(QStringLiteral("arq_fresh"), QStringLiteral("approved"), QStringLiteral("bob"), {}); !r)
            return r.error();
        return QJsonObject{};
    }).ok());
    QCOMPARE(Reader(*m_store).task(QStringLiteral("arq_fresh"))->status, QStringLiteral("approved"));
    QCOMPARE(Reader(*m_store).countTasks(QStringLiteral("pending")), 3);
}

// The sweep purges every second, so on a store with a day of idempotency keys a table scan per
// run would cost more than the purge itself.
void StoreTest::purgeUsesExpiryIndexes()
{
    QSqlDatabase db = rawConnection(databasePath());
    for (const char *table : {"idempotency", "jti_seen"}) {
        QSqlQuery plan(db);
        QVERIFY(plan.exec(QStringLiteral("EXPLAIN QUERY PLAN DELETE FROM %1 WHERE expires_ms < 5").arg(QLatin1String(table))));
        QStringList details;
        while (plan.next())
            details.append(plan.value(3).toString());
        QVERIFY2(details.join(u' ').contains(QStringLiteral("USING INDEX")), qPrintable(details.join(u'|')));
        QVERIFY2(!details.join(u' ').startsWith(QStringLiteral("SCAN")), qPrintable(details.join(u'|')));
    }
}

void StoreTest::terminalStatusTriggerBlocksRawSql()
{
    QVERIFY(writeAndWait(*m_store, [](WriteTx &tx) -> Result<QJsonObject> {
        if (auto r = tx.insertTask(makeTask(QStringLiteral("arq_raw"), QStringLiteral("denied"))); !r)
            return r.error();
        return QJsonObject{};
    }).ok());

    // Even SQL that bypasses the store's code cannot move a terminal task.
    QSqlDatabase db = rawConnection(databasePath());
    QSqlQuery query(db);
    QVERIFY(!query.exec(QStringLiteral("UPDATE tasks SET status = 'approved' WHERE id = 'arq_raw'")));
    db.close();
    QCOMPARE(Reader(*m_store).task(QStringLiteral("arq_raw"))->status, QStringLiteral("denied"));
}

void StoreTest::jtiReplayIsRejected()
{
    const auto remember = [](WriteTx &tx) -> Result<QJsonObject> {
        if (auto r = tx.rememberJti(QStringLiteral("jti_1"), kStart + 600000, {}); !r)
            return r.error();
        return QJsonObject{};
    };
    QVERIFY(writeAndWait(*m_store, remember).ok());
    const Result<QJsonObject> replay = writeAndWait(*m_store, remember);
    QVERIFY(!replay.ok());
    QCOMPARE(replay.error().code, ErrorCode::InvalidDenialBinding);
}

void StoreTest::eventsAreCommittedInSeqOrder()
{
    QSignalSpy committed(m_store.get(), &SqliteStore::eventsCommitted);
    for (int i = 0; i < 20; ++i)
        m_store->writeDetached(appendEventJob(QStringLiteral("test.event"), i));

    QList<EventRecord> all;
    QVERIFY(collectCommittedEvents(committed, 20, all));
    for (int i = 0; i < all.size(); ++i) {
        QCOMPARE(all.at(i).seq, qint64(i + 1));
        QCOMPARE(all.at(i).data.value(QStringLiteral("i")).toInt(), i);
    }
    QCOMPARE(Reader(*m_store).eventsAfter(10, 100).size(), 10);
    QCOMPARE(Reader(*m_store).lastEventSeq(), qint64(20));
}

// Events queued on their own lane are inserted between the jobs queued around them, in queue
// order, and their data is stored as JSON text that reads back as the object.
void StoreTest::detachedEventsKeepQueueOrder()
{
    QSignalSpy committed(m_store.get(), &SqliteStore::eventsCommitted);
    const QJsonArray list{QStringLiteral("line\nbreak"), 1.5, QJsonValue::Null};
    const QJsonObject nested{{QStringLiteral("quote\"and\\"), list},
                             {QStringLiteral("emoji"), QStringLiteral("\U0001F600 \u00e9")}};
    for (int i = 0; i < 12; ++i) {
        if (i % 3 == 1) {
            EventRecord event;
            event.type = QStringLiteral("test.lane");
            event.data = nested;
            event.data.insert(QStringLiteral("i"), i);
            m_store->appendEventDetached(event);
        } else {
            m_store->writeDetached(appendEventJob(QStringLiteral("test.job"), i));
        }
    }
    // A waited job gets its result after the commit that contains everything queued before it.
    QVERIFY(writeAndWait(*m_store, appendEventJob(QStringLiteral("test.job"), 12)).ok());

    QList<EventRecord> all;
    QVERIFY(collectCommittedEvents(committed, 13, all));
    const QList<EventRecord> stored = Reader(*m_store).eventsAfter(0, 100);
    QCOMPARE(stored.size(), 13);
    for (int i = 0; i < 13; ++i) {
        QCOMPARE(all.at(i).seq, qint64(i + 1));
        QCOMPARE(all.at(i).data.value(QStringLiteral("i")).toInt(), i);
        QCOMPARE(stored.at(i).seq, qint64(i + 1));
        QCOMPARE(stored.at(i).type, i % 3 == 1 ? QStringLiteral("test.lane") : QStringLiteral("test.job"));
        QCOMPARE(stored.at(i).data, all.at(i).data);
        QCOMPARE(stored.at(i).atMs, kStart);
    }
    QJsonObject expected = nested;
    expected.insert(QStringLiteral("i"), 4);
    QCOMPARE(stored.at(4).data, expected);

    // Text, not a blob: SQLite's JSON functions and the export read the column as text.
    QSqlDatabase raw = rawConnection(databasePath());
    QSqlQuery query(raw);
    QVERIFY(query.exec(QStringLiteral("SELECT typeof(data), json_extract(data, '$.emoji') FROM events WHERE seq = 5")));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toString(), QStringLiteral("text"));
    QCOMPARE(query.value(1).toString(), QStringLiteral("\U0001F600 \u00e9"));
    query.finish();
    raw.close();
}

void StoreTest::auditChainVerifies()
{
    for (int i = 0; i < 5; ++i)
        QVERIFY(writeAndWait(*m_store, appendAuditJob(QStringLiteral("arq_%1").arg(i), {})).ok());
    const AuditVerification verification = Reader(*m_store).verifyAudit();
    QVERIFY2(verification.ok, qPrintable(verification.message));
    QCOMPARE(verification.records, qint64(5));

    const QList<AuditRecord> records = Reader(*m_store).audit(AuditFilter{});
    QCOMPARE(records.size(), 5);
    QVERIFY(records.first().prevHash.isEmpty());
    for (int i = 1; i < records.size(); ++i)
        QCOMPARE(records.at(i).prevHash, records.at(i - 1).hash);
}

// Qt 6.4's parser can misorder a name beyond U+FFFF that carries an escape, so a record read
// back with it lost members and its hash no longer matched.
void StoreTest::auditVerifiesNamesBeyondBmp()
{
    const QJsonObject data{{QStringLiteral("\U0001F600\n"), 1}, {QStringLiteral("\uFB33"), 2},
                           {QStringLiteral("plain"), QJsonObject{{QStringLiteral("\U0001F600"), 3},
                                                                 {QStringLiteral("\uFB33\t"), 4}}}};
    QVERIFY(writeAndWait(*m_store, appendAuditJob(QString(), data)).ok());

    const AuditVerification verification = Reader(*m_store).verifyAudit();
    QVERIFY2(verification.ok, qPrintable(verification.message));
    const QList<AuditRecord> records = Reader(*m_store).audit(AuditFilter{});
    QCOMPARE(records.size(), 1);
    QCOMPARE(records.first().data, data);
    QCOMPARE(records.first().data.value(QStringLiteral("\U0001F600\n")).toInt(), 1);
}

void StoreTest::auditLogIsAppendOnly()
{
    QVERIFY(writeAndWait(*m_store, [](WriteTx &tx) -> Result<QJsonObject> {
        AuditRecord record;
        record.type = QStringLiteral("task.created");
        record.actor = QStringLiteral("pep-a");
        if (auto r = tx.appendAudit(record); !r)
            return r.error();
        return QJsonObject{};
    }).ok());
    QSqlDatabase db = rawConnection(databasePath());
    QSqlQuery query(db);
    QVERIFY(!query.exec(QStringLiteral("UPDATE audit SET actor = 'mallory'")));
    QVERIFY(!query.exec(QStringLiteral("DELETE FROM audit")));
    db.close();
}

void StoreTest::auditTamperingIsFound()
{
    for (int i = 0; i < 4; ++i) {
        QVERIFY(writeAndWait(*m_store, [i](WriteTx &tx) -> Result<QJsonObject> {
            AuditRecord record;
            record.type = QStringLiteral("task.approved");
            record.actor = QStringLiteral("bob");
            record.data = QJsonObject{{QStringLiteral("n"), i}};
            if (auto r = tx.appendAudit(record); !r)
                return r.error();
            return QJsonObject{};
        }).ok());
    }

    // Someone with file access drops the guard and rewrites record 3.
    QSqlDatabase db = rawConnection(databasePath());
    QSqlQuery query(db);
    QVERIFY(query.exec(QStringLiteral("DROP TRIGGER audit_no_update")));
    QVERIFY(query.exec(QStringLiteral("UPDATE audit SET actor = 'mallory' WHERE seq = 3")));
    db.close();

    const AuditVerification verification = Reader(*m_store).verifyAudit();
    QVERIFY(!verification.ok);
    QCOMPARE(verification.firstBrokenSeq, qint64(3));
}

void StoreTest::taskFilterAndCursor()
{
    QVERIFY(writeAndWait(*m_store, [](WriteTx &tx) -> Result<QJsonObject> {
        for (int i = 0; i < 5; ++i) {
            TaskRecord task = makeTask(QStringLiteral("arq_%1").arg(i), i % 2 ? QStringLiteral("approved") : QStringLiteral("pending"));
            task.createdMs = kStart + i * 1000;
            if (auto r = tx.insertTask(task); !r)
                return r.error();
        }
        return QJsonObject{};
    }).ok());

    Reader reader(*m_store);
    TaskFilter pending;
    pending.statuses = {QStringLiteral("pending")};
    QCOMPARE(reader.tasks(pending).size(), 3);

    // Newest first, and a cursor continues strictly after the last row.
    TaskFilter page;
    page.limit = 2;
    const QList<TaskRecord> first = reader.tasks(page);
    QCOMPARE(first.size(), 2);
    QCOMPARE(first.at(0).id, QStringLiteral("arq_4"));
    page.beforeCreatedMs = first.last().createdMs;
    page.beforeId = first.last().id;
    const QList<TaskRecord> second = reader.tasks(page);
    QCOMPARE(second.size(), 2);
    QCOMPARE(second.at(0).id, QStringLiteral("arq_2"));

    TaskFilter text;
    text.text = QStringLiteral("ARQ_3");
    QCOMPARE(reader.tasks(text).size(), 1);
}

QTEST_GUILESS_MAIN(StoreTest)
#include "tst_store.moc"
