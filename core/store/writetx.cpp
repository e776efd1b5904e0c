#include "core/store/rowmapping.h"
#include "core/store/sqlutil.h"
#include "core/store/statementcache.h"
#include "core/store/store.h"
#include "core/store/storelogging.h"

#include <QJsonArray>
#include <QSqlError>
#include <QSqlQuery>

namespace Recourse::Store {

namespace {

Error storageError(const QString &driverText)
{
    // The driver's text stays in the log: it would tell a client about our schema.
    qCWarning(lcStore) << "SQL statement failed:" << driverText;
    return Error::make(ErrorCode::StorageUnavailable, QStringLiteral("The store could not save the change; retry later."));
}

Error storageError(const QSqlQuery &query)
{
    return storageError(query.lastError().text());
}

Result<void> run(QSqlQuery &query)
{
    if (query.exec())
        return {};
    return storageError(query);
}

// Runs an INSERT or UPDATE and ends the run at once.
Result<void> run(DirectQuery &query)
{
    const bool ok = query.exec();
    query.finish();
    if (ok)
        return {};
    return storageError(query.lastError());
}

QString select(const char *columns, const char *table, const char *where)
{
    return QStringLiteral("SELECT %1 FROM %2 WHERE %3")
        .arg(QLatin1String(columns), QLatin1String(table), QLatin1String(where));
}

} // namespace

WriteTx::WriteTx(QSqlDatabase db, StatementCache &statements, Store &store)
    : m_db(std::move(db)), m_statements(statements), m_store(store)
{
}

QSqlQuery &WriteTx::statement(const QString &sql)
{
    return m_statements.statement(sql);
}

qint64 WriteTx::nowMs() const
{
    return m_store.clock().nowMs();
}

Result<void> WriteTx::insertEvaluation(const EvaluationRecord &r)
{
    // One per requestable denial, with fifteen values: QSqlQuery's binding cost more than the insert.
    DirectQuery &q = m_statements.direct(QStringLiteral(
        "INSERT INTO evaluations (id, created_ms, expires_ms, subject, resource, action, context, members,"
        " template, reason, binding_hash, jti, caller, subject_id, task_id)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    q.addBindValue(r.id);
    q.addBindValue(r.createdMs);
    q.addBindValue(r.expiresMs);
    q.addBindValue(Sql::toText(r.subject));
    q.addBindValue(Sql::toText(r.resource));
    q.addBindValue(Sql::toText(r.action));
    q.addBindValue(Sql::toText(r.context));
    q.addBindValue(Sql::toText(r.members));
    q.addBindValue(r.templateName);
    q.addBindValue(Sql::text(r.reason));
    q.addBindValue(r.bindingHash);
    q.addBindValue(r.jti);
    q.addBindValue(Sql::text(r.caller));
    q.addBindValue(Sql::text(r.subject.value(QStringLiteral("id")).toString()));
    q.addBindValue(Sql::nullable(r.taskId));
    return run(q);
}

Result<void> WriteTx::linkEvaluationToTask(const QString &evaluationId, const QString &taskId)
{
    QSqlQuery &q = statement(QStringLiteral("UPDATE evaluations SET task_id = ? WHERE id = ? AND task_id IS NULL"));
    q.addBindValue(taskId);
    q.addBindValue(evaluationId);
    return run(q);
}

Result<void> WriteTx::insertTask(const TaskRecord &t)
{
    QSqlQuery &q = statement(QStringLiteral(
        "INSERT INTO tasks (id, status, created_ms, updated_ms, expires_ms, template, requester, evaluation_id,"
        " subject_id, search, decided_by, doc) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"));
    // Lower-cased text the list filter's free-text search matches against; a bulk task is found
    // by the resource and action of any of its items.
    QStringList words{t.id, t.subjectId};
    QJsonArray pairs = t.doc.value(QStringLiteral("items")).toArray();
    if (pairs.isEmpty()) {
        pairs.append(QJsonObject{{QStringLiteral("resource"), t.doc.value(QStringLiteral("resource"))},
                                 {QStringLiteral("action"), t.doc.value(QStringLiteral("action"))}});
    }
    for (const QJsonValue &pair : pairs) {
        const QJsonObject resource = pair.toObject().value(QStringLiteral("resource")).toObject();
        words.append(resource.value(QStringLiteral("type")).toString());
        words.append(resource.value(QStringLiteral("id")).toString());
        words.append(pair.toObject().value(QStringLiteral("action")).toObject().value(QStringLiteral("name")).toString());
    }
    words.append(t.requester);
    words.append(t.templateName);
    const QString search = words.join(u' ').toLower();
    q.addBindValue(t.id);
    q.addBindValue(t.status);
    q.addBindValue(t.createdMs);
    q.addBindValue(t.updatedMs);
    q.addBindValue(t.expiresMs);
    q.addBindValue(t.templateName);
    q.addBindValue(t.requester);
    q.addBindValue(Sql::nullable(t.evaluationId));
    q.addBindValue(Sql::text(t.subjectId));
    q.addBindValue(search);
    q.addBindValue(Sql::nullable(t.decidedBy));
    q.addBindValue(Sql::toText(t.doc));
    return run(q);
}

Result<void> WriteTx::updateTaskStatus(const QString &taskId, const QString &status, const QString &decidedBy,
                                       const QJsonObject &doc)
{
    QSqlQuery &q = statement(QStringLiteral(
        "UPDATE tasks SET status = ?, decided_by = COALESCE(?, decided_by), updated_ms = ?, doc = ?"
        " WHERE id = ? AND status = 'pending'"));
    q.addBindValue(status);
    q.addBindValue(Sql::nullable(decidedBy));
    q.addBindValue(nowMs());
    q.addBindValue(Sql::toText(doc));
    q.addBindValue(taskId);
    if (auto r = run(q); !r)
        return r;
    if (q.numRowsAffected() != 1) {
        return Error::make(ErrorCode::InvalidTaskState,
                           QStringLiteral("The task is no longer pending, so its status cannot change."), taskId);
    }
    return {};
}

Result<void> WriteTx::updateTaskDoc(const QString &taskId, const QJsonObject &doc)
{
    QSqlQuery &q = statement(QStringLiteral("UPDATE tasks SET doc = ?, updated_ms = ? WHERE id = ?"));
    q.addBindValue(Sql::toText(doc));
    q.addBindValue(nowMs());
    q.addBindValue(taskId);
    return run(q);
}

Result<void> WriteTx::insertDecision(const DecisionRecord &r)
{
    QSqlQuery &q = statement(QStringLiteral(
        "INSERT INTO decisions (task_id, item, step, approver, decision, comment, reason, at_ms, extra)"
        " VALUES (?,?,?,?,?,?,?,?,?)"));
    q.addBindValue(r.taskId);
    q.addBindValue(r.item);
    q.addBindValue(r.step);
    q.addBindValue(r.approver);
    q.addBindValue(r.decision);
    q.addBindValue(Sql::nullable(r.comment));
    q.addBindValue(Sql::nullable(r.reason));
    q.addBindValue(r.atMs);
    q.addBindValue(Sql::toText(r.extra));
    return run(q);
}

Result<void> WriteTx::insertApproval(const ApprovalRecord &r)
{
    QSqlQuery &q = statement(QStringLiteral(
        "INSERT INTO approvals (id, task_id, item, evaluation_id, approved_ms, until_ms, scope, subject, resource,"
        " action, context, members, requester, template, state) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    q.addBindValue(r.id);
    q.addBindValue(r.taskId);
    q.addBindValue(r.item);
    q.addBindValue(Sql::nullable(r.evaluationId));
    q.addBindValue(r.approvedMs);
    q.addBindValue(r.untilMs);
    q.addBindValue(Sql::toText(r.scope));
    q.addBindValue(Sql::toText(r.subject));
    q.addBindValue(Sql::toText(r.resource));
    q.addBindValue(Sql::toText(r.action));
    q.addBindValue(Sql::toText(r.context));
    q.addBindValue(Sql::toText(r.members));
    q.addBindValue(r.requester);
    q.addBindValue(r.templateName);
    q.addBindValue(r.state);
    return run(q);
}

Result<void> WriteTx::revokeApproval(const QString &approvalId, const QString &by)
{
    QSqlQuery &q = statement(QStringLiteral(
        "UPDATE approvals SET revoked_ms = ?, revoked_by = ? WHERE id = ? AND revoked_ms IS NULL"));
    q.addBindValue(nowMs());
    q.addBindValue(by);
    q.addBindValue(approvalId);
    if (auto r = run(q); !r)
        return r;
    if (q.numRowsAffected() != 1)
        return Error::make(ErrorCode::InvalidTaskState, QStringLiteral("The approval is already revoked."), approvalId);
    return {};
}

Result<void> WriteTx::insertReevaluation(const ReevaluationRecord &r)
{
    QSqlQuery &q = statement(QStringLiteral(
        "INSERT INTO reevaluations (approval_id, task_id, at_ms, decision, reason, next_action, resource, action)"
        " VALUES (?,?,?,?,?,?,?,?)"));
    q.addBindValue(r.approvalId);
    q.addBindValue(r.taskId);
    q.addBindValue(r.atMs);
    q.addBindValue(r.decision ? 1 : 0);
    q.addBindValue(Sql::nullable(r.reason));
    q.addBindValue(Sql::nullable(r.nextAction));
    q.addBindValue(Sql::toText(r.resource));
    q.addBindValue(Sql::toText(r.action));
    return run(q);
}

Result<void> WriteTx::insertIdempotency(const IdempotencyRecord &r)
{
    QSqlQuery &q = statement(QStringLiteral(
        "INSERT INTO idempotency (caller, key, body_hash, task_id, status_code, response, created_ms, expires_ms)"
        " VALUES (?,?,?,?,?,?,?,?)"));
    q.addBindValue(Sql::text(r.caller));
    q.addBindValue(r.key);
    q.addBindValue(r.bodyHash);
    q.addBindValue(r.taskId);
    q.addBindValue(r.statusCode);
    q.addBindValue(r.response);
    q.addBindValue(r.createdMs);
    q.addBindValue(r.expiresMs);
    return run(q);
}

Result<void> WriteTx::rememberJti(const QString &jti, qint64 expiresMs, const QString &taskId)
{
    QSqlQuery &q = statement(QStringLiteral("INSERT OR IGNORE INTO jti_seen (jti, expires_ms, task_id) VALUES (?,?,?)"));
    q.addBindValue(jti);
    q.addBindValue(expiresMs);
    q.addBindValue(taskId);
    if (auto r = run(q); !r)
        return r;
    if (q.numRowsAffected() != 1) {
        return Error::make(ErrorCode::InvalidDenialBinding,
                           QStringLiteral("The binding_token was already used for another submission."));
    }
    return {};
}

Result<void> WriteTx::appendAudit(AuditRecord record)
{
    record.atMs = record.atMs ? record.atMs : nowMs();
    record.prevHash = m_auditHead;

    // The writer thread is the only one appending, so the next seq is known without a query.
    record.seq = m_auditSeq + 1;
    record.hash = record.computeHash();

    DirectQuery &q = m_statements.direct(QStringLiteral(
        "INSERT INTO audit (seq, at_ms, type, actor, task_id, evaluation_id, approval_id, subject_id, data,"
        " prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
    q.addBindValue(record.seq);
    q.addBindValue(record.atMs);
    q.addBindValue(record.type);
    q.addBindValue(Sql::text(record.actor));
    q.addBindValue(Sql::nullable(record.taskId));
    q.addBindValue(Sql::nullable(record.evaluationId));
    q.addBindValue(Sql::nullable(record.approvalId));
    q.addBindValue(Sql::nullable(record.subjectId));
    q.addBindValue(Sql::toText(record.data));
    q.addBindValue(Sql::text(record.prevHash));
    q.addBindValue(record.hash);
    if (auto r = run(q); !r)
        return r;
    m_auditHead = record.hash;
    m_auditSeq = record.seq;
    m_auditTouched = true;
    return {};
}

Result<void> WriteTx::appendEvent(EventRecord event)
{
    event.atMs = event.atMs ? event.atMs : nowMs();
    if (event.serializedData.isEmpty())
        event.serializedData = Json::serialize(event.data);
    // Every evaluation appends one, so it skips QSqlQuery's per-run overhead as the hot reads do.
    DirectQuery &q = m_statements.direct(QStringLiteral(
        "INSERT INTO events (type, at_ms, task_id, evaluation_id, data) VALUES (?,?,?,?,?)"));
    q.addBindValue(event.type);
    q.addBindValue(event.atMs);
    q.addBindValue(Sql::nullable(event.taskId));
    q.addBindValue(Sql::nullable(event.evaluationId));
    q.addBindValue(event.serializedData);
    if (auto r = run(q); !r)
        return r;
    event.seq = q.lastInsertId();
    m_events.append(event);
    return {};
}

std::optional<EvaluationRecord> WriteTx::evaluation(const QString &id)
{
    DirectQuery &q = m_statements.direct(select(Rows::kEvaluationColumns, "evaluations", "id = ?"));
    q.addBindValue(id);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return Rows::evaluation(q);
}

std::optional<TaskRecord> WriteTx::task(const QString &id)
{
    DirectQuery &q = m_statements.direct(select(Rows::kTaskColumns, "tasks", "id = ?"));
    q.addBindValue(id);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return Rows::task(q);
}

std::optional<IdempotencyRecord> WriteTx::idempotency(const QString &caller, const QString &key)
{
    DirectQuery &q = m_statements.direct(QStringLiteral(
        "SELECT body_hash, task_id, status_code, response, created_ms, expires_ms FROM idempotency"
        " WHERE caller = ? AND key = ?"));
    q.addBindValue(caller);
    q.addBindValue(key);
    if (!q.exec() || !q.next())
        return std::nullopt;
    IdempotencyRecord r;
    r.caller = caller;
    r.key = key;
    r.bodyHash = q.value(0).toString();
    r.taskId = q.value(1).toString();
    r.statusCode = q.value(2).toInt();
    r.response = q.value(3).toByteArray();
    r.createdMs = q.value(4).toLongLong();
    r.expiresMs = q.value(5).toLongLong();
    return r;
}

std::optional<ApprovalRecord> WriteTx::approval(const QString &id)
{
    DirectQuery &q = m_statements.direct(select(Rows::kApprovalColumns, "approvals", "id = ?"));
    q.addBindValue(id);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return Rows::approval(q);
}

QList<DecisionRecord> WriteTx::decisions(const QString &taskId)
{
    QList<DecisionRecord> list;
    DirectQuery &q = m_statements.direct(select(Rows::kDecisionColumns, "decisions", "task_id = ? ORDER BY id"));
    q.addBindValue(taskId);
    if (q.exec()) {
        while (q.next())
            list.append(Rows::decision(q));
    }
    return list;
}

QList<ApprovalRecord> WriteTx::approvalsForTask(const QString &taskId)
{
    QList<ApprovalRecord> list;
    DirectQuery &q = m_statements.direct(select(Rows::kApprovalColumns, "approvals", "task_id = ? ORDER BY approved_ms, item"));
    q.addBindValue(taskId);
    if (q.exec()) {
        while (q.next())
            list.append(Rows::approval(q));
    }
    return list;
}

Result<void> WriteTx::purgeEventsBefore(qint64 cutoffMs, int limit)
{
    // Events are appended in time order, so the oldest have the lowest seq: the batch reads only
    // its own rows by rowid, where a condition on at_ms alone would need an index that every
    // event insert would pay for.
    QSqlQuery &q = statement(QStringLiteral(
        "DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY seq LIMIT ?) AND at_ms < ?"));
    q.addBindValue(limit);
    q.addBindValue(cutoffMs);
    return run(q);
}

QStringList WriteTx::expiredPendingTasks(qint64 now, int limit)
{
    QStringList ids;
    QSqlQuery &q = statement(QStringLiteral(
        "SELECT id FROM tasks WHERE status = 'pending' AND expires_ms <= ? ORDER BY expires_ms LIMIT ?"));
    q.addBindValue(now);
    q.addBindValue(limit);
    if (q.exec()) {
        while (q.next())
            ids.append(q.value(0).toString());
    }
    return ids;
}

Result<void> WriteTx::queueCallbackDelivery(const QString &taskId, const QString &event)
{
    QSqlQuery &q = statement(QStringLiteral(
        "INSERT OR IGNORE INTO callback_deliveries (task_id, event, state, attempts, created_ms, next_attempt_ms)"
        " VALUES (?, ?, 'pending', 0, ?, ?)"));
    q.addBindValue(taskId);
    q.addBindValue(event);
    q.addBindValue(nowMs());
    q.addBindValue(nowMs());
    return run(q);
}

Result<void> WriteTx::recordCallbackAttempt(const CallbackAttemptRecord &a, const QString &state, qint64 nextAttemptMs)
{
    QSqlQuery &log = statement(QStringLiteral(
        "INSERT INTO callback_attempts (delivery_id, task_id, event, attempt, at_ms, address, http_status, error,"
        " duration_ms) VALUES (?,?,?,?,?,?,?,?,?)"));
    log.addBindValue(a.deliveryId);
    log.addBindValue(a.taskId);
    log.addBindValue(a.event);
    log.addBindValue(a.attempt);
    log.addBindValue(a.atMs);
    log.addBindValue(Sql::nullable(a.address));
    log.addBindValue(a.httpStatus > 0 ? QVariant(a.httpStatus) : QVariant());
    log.addBindValue(Sql::nullable(a.error));
    log.addBindValue(a.durationMs);
    if (auto r = run(log); !r)
        return r;

    QSqlQuery &update = statement(QStringLiteral(
        "UPDATE callback_deliveries SET state = ?, attempts = ?, next_attempt_ms = ? WHERE id = ?"));
    update.addBindValue(state);
    update.addBindValue(a.attempt);
    update.addBindValue(nextAttemptMs);
    update.addBindValue(a.deliveryId);
    return run(update);
}

Result<void> WriteTx::purgeExpired(qint64 now)
{
    QSqlQuery &keys = statement(QStringLiteral("DELETE FROM idempotency WHERE expires_ms < ?"));
    keys.addBindValue(now);
    if (auto r = run(keys); !r)
        return r;
    QSqlQuery &jtis = statement(QStringLiteral("DELETE FROM jti_seen WHERE expires_ms < ?"));
    jtis.addBindValue(now);
    return run(jtis);
}

} // namespace Recourse::Store
