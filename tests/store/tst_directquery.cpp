// DirectQuery against QSqlQuery on a real SQLite file: the same values for every column type,
// errors reported from exec(), and finish() releasing the read snapshot.

#include "core/store/statementcache.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Recourse::Store;

class tst_DirectQuery : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void valuesMatchQSqlQuery();
    void bindsEachType();
    void badStatementFailsExec();
    void finishReleasesSnapshot();

private:
    QSqlDatabase open(const QString &name);

    QTemporaryDir m_dir;
    QString m_path; // a new file for each test
    int m_tests = 0;
    QStringList m_connections;
};

QSqlDatabase tst_DirectQuery::open(const QString &name)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(m_path);
    m_connections.append(name);
    return db.open() ? db : QSqlDatabase();
}

void tst_DirectQuery::init()
{
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath(QStringLiteral("direct-%1.db").arg(++m_tests));
    QSqlDatabase db = open(QStringLiteral("setup"));
    QVERIFY(db.isOpen());
    QSqlQuery q(db);
    QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode=WAL")));
    QVERIFY(q.exec(QStringLiteral("CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER, r REAL, s TEXT, b BLOB, z TEXT)")));
    QVERIFY(q.prepare(QStringLiteral("INSERT INTO t VALUES (?,?,?,?,?,?)")));
    q.addBindValue(QStringLiteral("row-1"));
    q.addBindValue(qint64(1) << 40);
    q.addBindValue(2.5);
    q.addBindValue(QStringLiteral("caf\u00e9 \U0001F600 \"quoted\""));
    q.addBindValue(QByteArray("\x00\x01\xff", 3));
    q.addBindValue(QVariant());
    QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
}

void tst_DirectQuery::cleanup()
{
    for (const QString &name : std::exchange(m_connections, {})) {
        QSqlDatabase::database(name, false).close();
        QSqlDatabase::removeDatabase(name);
    }
}

void tst_DirectQuery::valuesMatchQSqlQuery()
{
    QSqlDatabase db = open(QStringLiteral("read"));
    StatementCache statements(db);
    const QString sql = QStringLiteral("SELECT id, n, r, s, b, z FROM t WHERE id = ?");

    QSqlQuery &qt = statements.statement(sql);
    qt.addBindValue(QStringLiteral("row-1"));
    QVERIFY(qt.exec());
    QVERIFY(qt.next());
    DirectQuery &direct = statements.direct(sql);
    direct.addBindValue(QStringLiteral("row-1"));
    QVERIFY2(direct.exec(), qPrintable(direct.lastError()));
    QVERIFY(direct.next());

    for (int column = 0; column < 6; ++column) {
        QCOMPARE(direct.value(column).toString(), qt.value(column).toString());
        QCOMPARE(direct.value(column).toLongLong(), qt.value(column).toLongLong());
        QCOMPARE(direct.value(column).toByteArray(), qt.value(column).toByteArray());
        QCOMPARE(direct.value(column).isNull(), qt.value(column).isNull());
    }
    QVERIFY(!direct.next());
    statements.resetUsed();
}

void tst_DirectQuery::bindsEachType()
{
    QSqlDatabase db = open(QStringLiteral("read"));
    StatementCache statements(db);
    DirectQuery &q = statements.direct(QStringLiteral("SELECT count(*) FROM t WHERE n = ? AND r = ? AND s LIKE ? AND z IS ?"));
    q.addBindValue(qint64(1) << 40);
    q.addBindValue(2.5);
    q.addBindValue(QStringLiteral("caf%"));
    q.addBindValue(QVariant());
    QVERIFY2(q.exec(), qPrintable(q.lastError()));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toLongLong(), 1);

    // The values of one run are not carried into the next.
    q.finish();
    q.addBindValue(qint64(7));
    q.addBindValue(2.5);
    q.addBindValue(QStringLiteral("caf%"));
    q.addBindValue(QVariant());
    QVERIFY(q.exec());
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toLongLong(), 0);
    statements.resetUsed();
}

void tst_DirectQuery::badStatementFailsExec()
{
    QSqlDatabase db = open(QStringLiteral("read"));
    StatementCache statements(db);
    DirectQuery &q = statements.direct(QStringLiteral("SELECT missing_column FROM t"));
    QVERIFY(!q.exec());
    QVERIFY2(q.lastError().contains(u"missing_column"), qPrintable(q.lastError()));
    QVERIFY(!q.next());
    statements.resetUsed();
}

void tst_DirectQuery::finishReleasesSnapshot()
{
    QSqlDatabase reader = open(QStringLiteral("read"));
    QSqlDatabase writer = open(QStringLiteral("write"));
    StatementCache statements(reader);
    DirectQuery &rows = statements.direct(QStringLiteral("SELECT id FROM t"));
    QVERIFY(rows.exec());
    QVERIFY(rows.next()); // one row read, so the statement keeps its snapshot

    QSqlQuery write(writer);
    QVERIFY2(write.exec(QStringLiteral("INSERT INTO t (id) VALUES ('row-2')")), qPrintable(write.lastError().text()));

    // A checkpoint cannot copy the new frames while the reader's snapshot predates them...
    const auto uncopiedFrames = [&write] {
        if (!write.exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)")) || !write.next())
            return -1;
        const int frames = write.value(1).toInt() - write.value(2).toInt();
        write.finish();
        return frames;
    };
    QVERIFY(uncopiedFrames() > 0);

    // ...and can once resetUsed() has finished the statement.
    statements.resetUsed();
    QCOMPARE(uncopiedFrames(), 0);
}

QTEST_GUILESS_MAIN(tst_DirectQuery)
#include "tst_directquery.moc"
