// The decisions table of schema version 2: rows written by version 1 survive the migration as
// single-item decisions, and one approver may decide each item of a bulk task at the same step,
// but never the same item twice.

#include "core/store/store.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Recourse;
using SqliteStore = Recourse::Store::Store;

namespace {

constexpr qint64 kStart = 1'796'400'000'000; // 2026-12-04T16:00:00Z, a fixed instant

// Runs one write job and waits for its result.
Result<QJsonObject> writeAndWait(SqliteStore &store, Recourse::Store::WriteJob job)
{
    std::optional<Result<QJsonObject>> answer;
    QObject context;
    store.write(std::move(job), &context, [&answer](Result<QJsonObject> result) { answer = std::move(result); });
    if (!QTest::qWaitFor([&answer] { return answer.has_value(); }, 10000))
        return Error::make(ErrorCode::Internal, QStringLiteral("the write job did not answer"));
    return *answer;
}

Result<QJsonObject> insertDecision(SqliteStore &store, int item, int step, const QString &approver)
{
    return writeAndWait(store, [=](Recourse::Store::WriteTx &tx) -> Result<QJsonObject> {
        Recourse::Store::DecisionRecord decision;
        decision.taskId = QStringLiteral("arq_bulk");
        decision.item = item;
        decision.step = step;
        decision.approver = approver;
        decision.decision = QStringLiteral("approve");
        decision.atMs = tx.nowMs();
        if (auto r = tx.insertDecision(decision); !r)
            return r.error();
        return QJsonObject{};
    });
}

// A file as schema version 1 left it, reduced to the table version 2 changes and the two tables
// that version 4 indexes.
bool writeVersionOneFile(const QString &path)
{
    bool ok = true;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("version-one"));
        db.setDatabaseName(path);
        ok = db.open();
        QSqlQuery query(db);
        for (const char *statement : {
                 "CREATE TABLE schema_version (version INTEGER NOT NULL)",
                 "INSERT INTO schema_version(version) VALUES (1)",
                 "CREATE TABLE decisions ("
                 " id INTEGER PRIMARY KEY AUTOINCREMENT, task_id TEXT NOT NULL, step INTEGER NOT NULL,"
                 " approver TEXT NOT NULL, decision TEXT NOT NULL, comment TEXT, reason TEXT,"
                 " at_ms INTEGER NOT NULL, extra TEXT NOT NULL,"
                 " UNIQUE(task_id, step, approver))",
                 "INSERT INTO decisions (task_id, step, approver, decision, comment, reason, at_ms, extra)"
                 " VALUES ('arq_single', 0, 'bob', 'approve', 'looks fine', NULL, 1796400000000, '{}')",
                 "CREATE TABLE idempotency ("
                 " caller TEXT NOT NULL, key TEXT NOT NULL, body_hash TEXT NOT NULL, task_id TEXT NOT NULL,"
                 " status_code INTEGER NOT NULL, response BLOB NOT NULL, created_ms INTEGER NOT NULL,"
                 " expires_ms INTEGER NOT NULL, PRIMARY KEY(caller, key))",
                 "CREATE TABLE jti_seen (jti TEXT PRIMARY KEY, expires_ms INTEGER NOT NULL, task_id TEXT)",
             }) {
            ok = ok && query.exec(QString::fromLatin1(statement));
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("version-one"));
    return ok;
}

} // namespace

class tst_DecisionsMigration : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void versionOneRowsSurvive();
    void approverDecidesEachItem();
    void sameItemTwiceRejected();

private:
    QString databasePath() const { return m_dir->filePath(QStringLiteral("recourse.db")); }
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<SqliteStore> m_store;
};

void tst_DecisionsMigration::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QVERIFY(writeVersionOneFile(databasePath()));
    m_store = std::make_unique<SqliteStore>(databasePath(), std::make_shared<ManualClock>(kStart));
    const Result<void> opened = m_store->open();
    QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().message));
}

void tst_DecisionsMigration::cleanup()
{
    m_store.reset();
}

void tst_DecisionsMigration::versionOneRowsSurvive()
{
    QVERIFY(m_store->schemaVersion() >= 2);

    const QList<Recourse::Store::DecisionRecord> decisions = Recourse::Store::Reader(*m_store).decisions(QStringLiteral("arq_single"));

    QCOMPARE(decisions.size(), 1);
    QCOMPARE(decisions.first().item, -1);
    QCOMPARE(decisions.first().step, 0);
    QCOMPARE(decisions.first().approver, QStringLiteral("bob"));
    QCOMPARE(decisions.first().comment, QStringLiteral("looks fine"));
}

void tst_DecisionsMigration::approverDecidesEachItem()
{
    QVERIFY(insertDecision(*m_store, 0, 0, QStringLiteral("bob")).ok());
    QVERIFY(insertDecision(*m_store, 1, 0, QStringLiteral("bob")).ok());

    const QList<Recourse::Store::DecisionRecord> decisions = Recourse::Store::Reader(*m_store).decisions(QStringLiteral("arq_bulk"));
    QCOMPARE(decisions.size(), 2);
    QCOMPARE(decisions.at(0).item, 0);
    QCOMPARE(decisions.at(1).item, 1);
}

void tst_DecisionsMigration::sameItemTwiceRejected()
{
    QVERIFY(insertDecision(*m_store, 0, 0, QStringLiteral("bob")).ok());

    const Result<QJsonObject> second = insertDecision(*m_store, 0, 0, QStringLiteral("bob"));

    QVERIFY(!second.ok());
    QCOMPARE(second.error().code, ErrorCode::StorageUnavailable);
}

QTEST_GUILESS_MAIN(tst_DecisionsMigration)
#include "tst_decisionsmigration.moc"
