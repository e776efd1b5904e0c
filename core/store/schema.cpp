#include "core/store/schema.h"

#include "core/store/storelogging.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

namespace Recourse::Store::Schema {

namespace {

// Each entry moves the schema from version N to N + 1. Never edit a released entry: add one.
const QList<QStringList> &migrations()
{
    static const QList<QStringList> list = {
        // Version 1: the escalation store.
        {
            QStringLiteral("CREATE TABLE evaluations ("
                           " id TEXT PRIMARY KEY, created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL,"
                           " subject TEXT NOT NULL, resource TEXT NOT NULL, action TEXT NOT NULL,"
                           " context TEXT NOT NULL, members TEXT NOT NULL, template TEXT NOT NULL,"
                           " reason TEXT NOT NULL, binding_hash TEXT NOT NULL, jti TEXT NOT NULL,"
                           " caller TEXT NOT NULL, subject_id TEXT NOT NULL, task_id TEXT)"),
            QStringLiteral("CREATE INDEX evaluations_created ON evaluations(created_ms)"),
            QStringLiteral("CREATE TABLE tasks ("
                           " id TEXT PRIMARY KEY, status TEXT NOT NULL, created_ms INTEGER NOT NULL,"
                           " updated_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL, template TEXT NOT NULL,"
                           " requester TEXT NOT NULL, evaluation_id TEXT, subject_id TEXT NOT NULL,"
                           " search TEXT NOT NULL, decided_by TEXT, doc TEXT NOT NULL)"),
            QStringLiteral("CREATE INDEX tasks_created ON tasks(created_ms DESC, id DESC)"),
            QStringLiteral("CREATE INDEX tasks_status ON tasks(status, expires_ms)"),
            // Exactly one transition out of pending; terminal statuses never change, whatever the code does.
            QStringLiteral("CREATE TRIGGER tasks_terminal_status BEFORE UPDATE OF status ON tasks"
                           " WHEN OLD.status <> 'pending' AND NEW.status <> OLD.status"
                           " BEGIN SELECT RAISE(ABORT, 'invalid_task_state'); END"),
            QStringLiteral("CREATE TABLE decisions ("
                           " id INTEGER PRIMARY KEY AUTOINCREMENT, task_id TEXT NOT NULL, step INTEGER NOT NULL,"
                           " approver TEXT NOT NULL, decision TEXT NOT NULL, comment TEXT, reason TEXT,"
                           " at_ms INTEGER NOT NULL, extra TEXT NOT NULL,"
                           " UNIQUE(task_id, step, approver))"),
            QStringLiteral("CREATE TABLE approvals ("
                           " id TEXT PRIMARY KEY, task_id TEXT NOT NULL, item INTEGER NOT NULL,"
                           " evaluation_id TEXT, approved_ms INTEGER NOT NULL, until_ms INTEGER NOT NULL,"
                           " scope TEXT NOT NULL, subject TEXT NOT NULL, resource TEXT NOT NULL,"
                           " action TEXT NOT NULL, context TEXT NOT NULL, members TEXT NOT NULL,"
                           " requester TEXT NOT NULL, template TEXT NOT NULL, state TEXT NOT NULL,"
                           " revoked_ms INTEGER, revoked_by TEXT)"),
            QStringLiteral("CREATE INDEX approvals_task ON approvals(task_id)"),
            QStringLiteral("CREATE TABLE reevaluations ("
                           " id INTEGER PRIMARY KEY AUTOINCREMENT, approval_id TEXT NOT NULL, task_id TEXT NOT NULL,"
                           " at_ms INTEGER NOT NULL, decision INTEGER NOT NULL, reason TEXT, next_action TEXT,"
                           " resource TEXT NOT NULL, action TEXT NOT NULL)"),
            QStringLiteral("CREATE INDEX reevaluations_task ON reevaluations(task_id)"),
            QStringLiteral("CREATE TABLE idempotency ("
                           " caller TEXT NOT NULL, key TEXT NOT NULL, body_hash TEXT NOT NULL, task_id TEXT NOT NULL,"
                           " status_code INTEGER NOT NULL, response BLOB NOT NULL, created_ms INTEGER NOT NULL,"
                           " expires_ms INTEGER NOT NULL, PRIMARY KEY(caller, key))"),
            QStringLiteral("CREATE TABLE jti_seen (jti TEXT PRIMARY KEY, expires_ms INTEGER NOT NULL, task_id TEXT)"),
            QStringLiteral("CREATE TABLE events ("
                           " seq INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, at_ms INTEGER NOT NULL,"
                           " task_id TEXT, evaluation_id TEXT, data TEXT NOT NULL)"),
            QStringLiteral("CREATE TABLE audit ("
                           " seq INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, type TEXT NOT NULL,"
                           " actor TEXT NOT NULL, task_id TEXT, evaluation_id TEXT, approval_id TEXT,"
                           " subject_id TEXT, data TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)"),
            QStringLiteral("CREATE INDEX audit_task ON audit(task_id)"),
            QStringLiteral("CREATE INDEX audit_evaluation ON audit(evaluation_id)"),
            // The audit log is append-only: rows can be added, never changed or removed.
            QStringLiteral("CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
                           " BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"),
            QStringLiteral("CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
                           " BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"),
        },
        // Version 2: decisions per item of a bulk task. SQLite cannot change a table's UNIQUE
        // constraint, so the table is rebuilt; rows of version 1 belong to single-item tasks (-1).
        {
            QStringLiteral("CREATE TABLE decisions_v2 ("
                           " id INTEGER PRIMARY KEY AUTOINCREMENT, task_id TEXT NOT NULL,"
                           " item INTEGER NOT NULL DEFAULT -1, step INTEGER NOT NULL,"
                           " approver TEXT NOT NULL, decision TEXT NOT NULL, comment TEXT, reason TEXT,"
                           " at_ms INTEGER NOT NULL, extra TEXT NOT NULL,"
                           " UNIQUE(task_id, item, step, approver))"),
            QStringLiteral("INSERT INTO decisions_v2 (id, task_id, item, step, approver, decision, comment, reason,"
                           " at_ms, extra)"
                           " SELECT id, task_id, -1, step, approver, decision, comment, reason, at_ms, extra"
                           " FROM decisions"),
            QStringLiteral("DROP TABLE decisions"),
            QStringLiteral("ALTER TABLE decisions_v2 RENAME TO decisions"),
        },
        // Version 3: per-task callbacks. A delivery is queued in the transaction that moves its
        // task to a terminal status, so a restart loses none; every attempt is logged.
        {
            QStringLiteral("CREATE TABLE callback_deliveries ("
                           " id INTEGER PRIMARY KEY AUTOINCREMENT, task_id TEXT NOT NULL, event TEXT NOT NULL,"
                           " state TEXT NOT NULL, attempts INTEGER NOT NULL, created_ms INTEGER NOT NULL,"
                           " next_attempt_ms INTEGER NOT NULL, UNIQUE(task_id, event))"),
            QStringLiteral("CREATE INDEX callback_deliveries_due ON callback_deliveries(state, next_attempt_ms)"),
            QStringLiteral("CREATE TABLE callback_attempts ("
                           " id INTEGER PRIMARY KEY AUTOINCREMENT, delivery_id INTEGER NOT NULL,"
                           " task_id TEXT NOT NULL, event TEXT NOT NULL, attempt INTEGER NOT NULL,"
                           " at_ms INTEGER NOT NULL, address TEXT, http_status INTEGER, error TEXT,"
                           " duration_ms INTEGER NOT NULL)"),
            QStringLiteral("CREATE INDEX callback_attempts_task ON callback_attempts(task_id)"),
        },
        // Version 4: the sweep that runs every second deletes expired idempotency keys and jti
        // entries by expires_ms, and without these indexes each run read both tables in full.
        {
            QStringLiteral("CREATE INDEX idempotency_expires ON idempotency(expires_ms)"),
            QStringLiteral("CREATE INDEX jti_seen_expires ON jti_seen(expires_ms)"),
        },
    };
    return list;
}

int currentVersion(QSqlDatabase &db)
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("SELECT version FROM schema_version")) || !query.next())
        return 0;
    return query.value(0).toInt();
}

void rollback(QSqlDatabase &db)
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("ROLLBACK")))
        qCWarning(lcStore) << "Rolling back a failed migration failed:" << query.lastError().text();
}

} // namespace

int latestVersion()
{
    return int(migrations().size());
}

Result<void> exec(QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    if (query.exec(sql))
        return {};
    qCWarning(lcStore) << "SQL statement failed:" << query.lastError().text();
    return Error::make(ErrorCode::StorageUnavailable, QStringLiteral("The store could not complete the operation."));
}

Result<int> migrate(QSqlDatabase &db)
{
    if (auto created = exec(db, QStringLiteral("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
        !created)
        return created.error();

    int version = currentVersion(db);
    if (version > latestVersion()) {
        return Error::make(ErrorCode::StorageUnavailable,
                           QStringLiteral("The store was written by a newer Recourse (schema version %1; this build "
                                          "knows up to %2). Upgrade Recourse or use another data folder.")
                               .arg(version)
                               .arg(latestVersion()));
    }

    while (version < latestVersion()) {
        if (auto begin = exec(db, QStringLiteral("BEGIN IMMEDIATE")); !begin)
            return begin.error();
        for (const QString &statement : migrations().at(version)) {
            if (auto step = exec(db, statement); !step) {
                rollback(db);
                return step.error();
            }
        }
        const QString record = version == 0 ? QStringLiteral("INSERT INTO schema_version(version) VALUES (%1)")
                                            : QStringLiteral("UPDATE schema_version SET version = %1");
        if (auto stored = exec(db, record.arg(version + 1)); !stored) {
            rollback(db);
            return stored.error();
        }
        if (auto commit = exec(db, QStringLiteral("COMMIT")); !commit)
            return commit.error();
        ++version;
        qCInfo(lcStore) << "Migrated the store to schema version" << version;
    }
    return version;
}

} // namespace Recourse::Store::Schema
