#include "core/store/rowmapping.h"
#include "core/store/sqlutil.h"
#include "core/store/statementcache.h"
#include "core/store/store.h"
#include "core/store/storelogging.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>

namespace Recourse::Store {

namespace {

bool execOrLog(QSqlQuery &query)
{
    if (query.exec())
        return true;
    qCWarning(lcStore) << "Read failed:" << query.lastError().text();
    return false;
}

bool execOrLog(DirectQuery &query)
{
    if (query.exec())
        return true;
    qCWarning(lcStore) << "Read failed:" << query.lastError();
    return false;
}

} // namespace

Reader::Reader(Store &store) : m_statements(&store.readerStatements()) { }

Reader::Reader(QSqlDatabase db)
    : m_ownStatements(std::make_unique<StatementCache>(std::move(db))), m_statements(m_ownStatements.get())
{
}

Reader::~Reader()
{
    m_statements->resetUsed();
}

QSqlQuery &Reader::statement(const QString &sql)
{
    return m_statements->statement(sql);
}

std::optional<TaskRecord> Reader::task(const QString &id)
{
    DirectQuery &q = m_statements->direct(QStringLiteral("SELECT %1 FROM tasks WHERE id = ?").arg(QLatin1String(Rows::kTaskColumns)));
    q.addBindValue(id);
    if (!execOrLog(q) || !q.next())
        return std::nullopt;
    return Rows::task(q);
}

QList<TaskRecord> Reader::tasks(const TaskFilter &filter)
{
    QStringList where;
    QVariantList binds;
    if (!filter.statuses.isEmpty()) {
        QStringList marks;
        for (const QString &status : filter.statuses) {
            marks.append(QStringLiteral("?"));
            binds.append(status);
        }
        where.append(QStringLiteral("status IN (%1)").arg(marks.join(u',')));
    }
    if (!filter.templateName.isEmpty()) {
        where.append(QStringLiteral("template = ?"));
        binds.append(filter.templateName);
    }
    if (!filter.subjectId.isEmpty()) {
        where.append(QStringLiteral("subject_id = ?"));
        binds.append(filter.subjectId);
    }
    if (!filter.text.isEmpty()) {
        where.append(QStringLiteral("instr(search, ?) > 0"));
        binds.append(filter.text.toLower());
    }
    if (filter.beforeCreatedMs > 0) {
        where.append(QStringLiteral("(created_ms < ? OR (created_ms = ? AND id < ?))"));
        binds << filter.beforeCreatedMs << filter.beforeCreatedMs << filter.beforeId;
    }

    QString sql = QStringLiteral("SELECT %1 FROM tasks").arg(QLatin1String(Rows::kTaskColumns));
    if (!where.isEmpty())
        sql += QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND "));
    sql += QStringLiteral(" ORDER BY created_ms DESC, id DESC LIMIT ?");
    binds.append(qBound(1, filter.limit, 1000));

    QSqlQuery &q = statement(sql);
    for (const QVariant &value : binds)
        q.addBindValue(value);
    QList<TaskRecord> list;
    if (execOrLog(q)) {
        while (q.next())
            list.append(Rows::task(q));
    }
    return list;
}

qint64 Reader::countTasks(const QString &status)
{
    QSqlQuery &q = statement(QStringLiteral("SELECT COUNT(*) FROM tasks WHERE status = ?"));
    q.addBindValue(status);
    if (!execOrLog(q) || !q.next())
        return 0;
    return q.value(0).toLongLong();
}

std::optional<EvaluationRecord> Reader::evaluation(const QString &id)
{
    QSqlQuery &q = statement(QStringLiteral("SELECT %1 FROM evaluations WHERE id = ?").arg(QLatin1String(Rows::kEvaluationColumns)));
    q.addBindValue(id);
    if (!execOrLog(q) || !q.next())
        return std::nullopt;
    return Rows::evaluation(q);
}

QList<EvaluationRecord> Reader::recentDenials(qint64 beforeCreatedMs, qint64 beforeRowId, int limit)
{
    // The row number breaks ties, so denials issued in the same millisecond are neither skipped nor
    // repeated at a page boundary. The index on created_ms ends with the row number, so SQLite
    // reads the page straight from the index without sorting.
    QSqlQuery &q = statement(QStringLiteral("SELECT %1, rowid FROM evaluations WHERE (created_ms, rowid) < (?, ?)"
                                            " ORDER BY created_ms DESC, rowid DESC LIMIT ?")
                                 .arg(QLatin1String(Rows::kEvaluationColumns)));
    const bool first = beforeCreatedMs <= 0;
    q.addBindValue(first ? std::numeric_limits<qint64>::max() : beforeCreatedMs);
    q.addBindValue(first ? std::numeric_limits<qint64>::max() : beforeRowId);
    q.addBindValue(qBound(1, limit, 1000));
    QList<EvaluationRecord> list;
    if (!execOrLog(q))
        return list;

    const int rowIdColumn = q.record().count() - 1;
    while (q.next()) {
        EvaluationRecord record = Rows::evaluation(q);
        record.rowId = q.value(rowIdColumn).toLongLong();
        list.append(record);
    }
    return list;
}

std::optional<ApprovalRecord> Reader::approval(const QString &id)
{
    DirectQuery &q = m_statements->direct(QStringLiteral("SELECT %1 FROM approvals WHERE id = ?").arg(QLatin1String(Rows::kApprovalColumns)));
    q.addBindValue(id);
    if (!execOrLog(q) || !q.next())
        return std::nullopt;
    return Rows::approval(q);
}

QList<DecisionRecord> Reader::decisions(const QString &taskId)
{
    DirectQuery &q = m_statements->direct(QStringLiteral("SELECT %1 FROM decisions WHERE task_id = ? ORDER BY id")
                  .arg(QLatin1String(Rows::kDecisionColumns)));
    q.addBindValue(taskId);
    QList<DecisionRecord> list;
    if (execOrLog(q)) {
        while (q.next())
            list.append(Rows::decision(q));
    }
    return list;
}

QList<ApprovalRecord> Reader::approvalsForTask(const QString &taskId)
{
    DirectQuery &q = m_statements->direct(QStringLiteral("SELECT %1 FROM approvals WHERE task_id = ? ORDER BY approved_ms, item")
                  .arg(QLatin1String(Rows::kApprovalColumns)));
    q.addBindValue(taskId);
    QList<ApprovalRecord> list;
    if (execOrLog(q)) {
        while (q.next())
            list.append(Rows::approval(q));
    }
    return list;
}

QList<ReevaluationRecord> Reader::reevaluationsForTask(const QString &taskId)
{
    QSqlQuery &q = statement(QStringLiteral("SELECT approval_id, task_id, at_ms, decision, reason, next_action, resource, action"
                             " FROM reevaluations WHERE task_id = ? ORDER BY id"));
    q.addBindValue(taskId);
    QList<ReevaluationRecord> list;
    if (execOrLog(q)) {
        while (q.next()) {
            ReevaluationRecord r;
            r.approvalId = q.value(0).toString();
            r.taskId = q.value(1).toString();
            r.atMs = q.value(2).toLongLong();
            r.decision = q.value(3).toInt() != 0;
            r.reason = q.value(4).toString();
            r.nextAction = q.value(5).toString();
            r.resource = Sql::objectFrom(q.value(6));
            r.action = Sql::objectFrom(q.value(7));
            list.append(r);
        }
    }
    return list;
}

namespace {

QList<CallbackDeliveryRecord> deliveriesFrom(QSqlQuery &q)
{
    QList<CallbackDeliveryRecord> list;
    if (execOrLog(q)) {
        while (q.next()) {
            CallbackDeliveryRecord r;
            r.id = q.value(0).toLongLong();
            r.taskId = q.value(1).toString();
            r.event = q.value(2).toString();
            r.state = q.value(3).toString();
            r.attempts = q.value(4).toInt();
            r.createdMs = q.value(5).toLongLong();
            r.nextAttemptMs = q.value(6).toLongLong();
            list.append(r);
        }
    }
    return list;
}

} // namespace

QList<CallbackDeliveryRecord> Reader::callbackDeliveries(const QString &taskId)
{
    QSqlQuery &q = statement(QStringLiteral("SELECT id, task_id, event, state, attempts, created_ms, next_attempt_ms"
                             " FROM callback_deliveries WHERE task_id = ? ORDER BY id"));
    q.addBindValue(taskId);
    return deliveriesFrom(q);
}

QList<CallbackDeliveryRecord> Reader::dueCallbackDeliveries(qint64 nowMs, int limit)
{
    QSqlQuery &q = statement(QStringLiteral("SELECT id, task_id, event, state, attempts, created_ms, next_attempt_ms"
                             " FROM callback_deliveries WHERE state = 'pending' AND next_attempt_ms <= ?"
                             " ORDER BY next_attempt_ms, id LIMIT ?"));
    q.addBindValue(nowMs);
    q.addBindValue(limit);
    return deliveriesFrom(q);
}

QList<CallbackAttemptRecord> Reader::callbackAttempts(const QString &taskId)
{
    QSqlQuery &q = statement(QStringLiteral("SELECT delivery_id, task_id, event, attempt, at_ms, address, http_status, error,"
                             " duration_ms FROM callback_attempts WHERE task_id = ? ORDER BY id"));
    q.addBindValue(taskId);
    QList<CallbackAttemptRecord> list;
    if (execOrLog(q)) {
        while (q.next()) {
            CallbackAttemptRecord r;
            r.deliveryId = q.value(0).toLongLong();
            r.taskId = q.value(1).toString();
            r.event = q.value(2).toString();
            r.attempt = q.value(3).toInt();
            r.atMs = q.value(4).toLongLong();
            r.address = q.value(5).toString();
            r.httpStatus = q.value(6).toInt();
            r.error = q.value(7).toString();
            r.durationMs = q.value(8).toLongLong();
            list.append(r);
        }
    }
    return list;
}

QList<EventRecord> Reader::eventsAfter(qint64 seq, int limit)
{
    QSqlQuery &q = statement(QStringLiteral("SELECT seq, type, at_ms, task_id, evaluation_id, data FROM events"
                             " WHERE seq > ? ORDER BY seq LIMIT ?"));
    q.addBindValue(seq);
    q.addBindValue(limit);
    QList<EventRecord> list;
    if (execOrLog(q)) {
        while (q.next())
            list.append(Rows::event(q));
    }
    return list;
}

qint64 Reader::lastEventSeq()
{
    QSqlQuery &q = statement(QStringLiteral("SELECT COALESCE(MAX(seq), 0) FROM events"));
    if (!execOrLog(q) || !q.next())
        return 0;
    return q.value(0).toLongLong();
}

std::optional<qint64> Reader::latestTokenExpiryMs()
{
    QSqlQuery &q = statement(QStringLiteral("SELECT MAX(COALESCE((SELECT MAX(expires_ms) FROM evaluations), 0),"
                             " COALESCE((SELECT MAX(until_ms) FROM approvals), 0))"));
    if (!execOrLog(q) || !q.next())
        return std::nullopt;
    return q.value(0).toLongLong();
}

QList<AuditRecord> Reader::audit(const AuditFilter &filter)
{
    QStringList where{QStringLiteral("seq > ?")};
    QVariantList binds{filter.afterSeq};
    const auto addEquals = [&](const char *column, const QString &value) {
        if (value.isEmpty())
            return;
        where.append(QStringLiteral("%1 = ?").arg(QLatin1String(column)));
        binds.append(value);
    };
    if (!filter.taskId.isEmpty()) {
        // The requestable denial is recorded before its task exists, so it carries only the
        // evaluation id. The task's trail still starts with it.
        where.append(QStringLiteral("(task_id = ? OR (task_id IS NULL AND evaluation_id ="
                                    " (SELECT evaluation_id FROM tasks WHERE id = ?)))"));
        binds.append(filter.taskId);
        binds.append(filter.taskId);
    }
    addEquals("evaluation_id", filter.evaluationId);
    addEquals("subject_id", filter.subjectId);
    addEquals("actor", filter.actor);
    if (filter.sinceMs > 0) {
        where.append(QStringLiteral("at_ms >= ?"));
        binds.append(filter.sinceMs);
    }
    if (filter.untilMs > 0) {
        where.append(QStringLiteral("at_ms <= ?"));
        binds.append(filter.untilMs);
    }

    QSqlQuery &q = statement(QStringLiteral("SELECT seq, at_ms, type, actor, task_id, evaluation_id, approval_id, subject_id, data,"
                             " prev_hash, hash FROM audit WHERE %1 ORDER BY seq LIMIT ?")
                  .arg(where.join(QStringLiteral(" AND "))));
    for (const QVariant &value : binds)
        q.addBindValue(value);
    q.addBindValue(qBound(1, filter.limit, 10000));
    QList<AuditRecord> list;
    if (execOrLog(q)) {
        while (q.next())
            list.append(Rows::audit(q));
    }
    return list;
}

AuditVerification Reader::verifyAudit()
{
    AuditVerification result;
    QSqlQuery &q = statement(QStringLiteral("SELECT seq, at_ms, type, actor, task_id, evaluation_id, approval_id,"
                                            " subject_id, data, prev_hash, hash FROM audit ORDER BY seq"));
    if (!execOrLog(q)) {
        result.ok = false;
        result.message = QStringLiteral("The audit log could not be read.");
        return result;
    }

    QString previous;
    qint64 expectedSeq = 1;
    while (q.next()) {
        const AuditRecord record = Rows::audit(q);
        ++result.records;
        QString problem;
        if (record.seq != expectedSeq)
            problem = QStringLiteral("record %1 follows record %2: records are missing").arg(record.seq).arg(expectedSeq - 1);
        else if (record.prevHash != previous)
            problem = QStringLiteral("record %1 does not link to the hash of the record before it").arg(record.seq);
        else if (record.computeHash() != record.hash)
            problem = QStringLiteral("record %1 was changed after it was written").arg(record.seq);
        if (!problem.isEmpty()) {
            result.ok = false;
            result.firstBrokenSeq = record.seq;
            result.message = QStringLiteral("The audit chain is broken: %1.").arg(problem);
            return result;
        }
        previous = record.hash;
        expectedSeq = record.seq + 1;
    }
    result.message = QStringLiteral("The audit chain of %1 records verifies.").arg(result.records);
    return result;
}

} // namespace Recourse::Store
