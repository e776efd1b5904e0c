#pragma once

#include "core/base/clock.h"
#include "core/base/result.h"
#include "core/store/records.h"

#include <QJsonObject>
#include <QObject>
#include <QSqlDatabase>
#include <QSqlQuery>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace Recourse::Store {

class StatementCache;
class Store;

// The write side of one job inside a group-committed transaction. Every method runs on the
// writer thread; a job that returns an error is rolled back to its savepoint, leaving the other
// jobs of the same group untouched.
class WriteTx
{
public:
    qint64 nowMs() const;

    Result<void> insertEvaluation(const EvaluationRecord &record);
    Result<void> linkEvaluationToTask(const QString &evaluationId, const QString &taskId);
    Result<void> insertTask(const TaskRecord &task);
    // Moves a pending task to `status`; fails with InvalidTaskState when it is not pending.
    // The store enforces this with a trigger too, so no code path can change a terminal status.
    Result<void> updateTaskStatus(const QString &taskId, const QString &status, const QString &decidedBy,
                                  const QJsonObject &doc);
    Result<void> updateTaskDoc(const QString &taskId, const QJsonObject &doc);
    Result<void> insertDecision(const DecisionRecord &decision);
    Result<void> insertApproval(const ApprovalRecord &approval);
    Result<void> revokeApproval(const QString &approvalId, const QString &by);
    Result<void> insertReevaluation(const ReevaluationRecord &record);
    Result<void> insertIdempotency(const IdempotencyRecord &record);
    // Records a binding token's jti; fails with InvalidDenialBinding when it was seen before.
    Result<void> rememberJti(const QString &jti, qint64 expiresMs, const QString &taskId);

    // Queues a callback notification of `event` for `taskId`, due at once. A second one for the
    // same task and event is ignored.
    Result<void> queueCallbackDelivery(const QString &taskId, const QString &event);
    // Logs an attempt and moves its delivery to `state` with the attempt count and next due time.
    Result<void> recordCallbackAttempt(const CallbackAttemptRecord &attempt, const QString &state,
                                       qint64 nextAttemptMs);

    // Appends to the hash-chained audit log in this transaction.
    Result<void> appendAudit(AuditRecord record);
    // Appends a stream event in this transaction; it is published after the commit. The data
    // is event.serializedData when set, else event.data.
    Result<void> appendEvent(EventRecord event);

    // Reads inside the transaction (they see this job's own writes).
    std::optional<EvaluationRecord> evaluation(const QString &id);
    std::optional<TaskRecord> task(const QString &id);
    std::optional<IdempotencyRecord> idempotency(const QString &caller, const QString &key);
    std::optional<ApprovalRecord> approval(const QString &id);
    QList<DecisionRecord> decisions(const QString &taskId);
    QList<ApprovalRecord> approvalsForTask(const QString &taskId);
    // Ids of pending tasks whose expiry is at or before `nowMs`.
    QStringList expiredPendingTasks(qint64 nowMs, int limit);
    // Removes idempotency keys and jti entries whose retention ended.
    Result<void> purgeExpired(qint64 nowMs);
    // Deletes at most `limit` of the oldest events recorded before `cutoffMs`, so one call bounds
    // the writer's time however large the backlog. The audit log is never pruned.
    Result<void> purgeEventsBefore(qint64 cutoffMs, int limit);

private:
    friend class Store;
    friend class StoreWriter;
    WriteTx(QSqlDatabase db, StatementCache &statements, Store &store);
    QSqlQuery &statement(const QString &sql);

    QSqlDatabase m_db;
    StatementCache &m_statements;
    Store &m_store;
    QList<EventRecord> m_events;
    QString m_auditHead; // hash of the newest audit record written by this transaction
    qint64 m_auditSeq = 0; // its seq
    bool m_auditTouched = false;
};

// Filters of the approver API's task list.
struct TaskFilter
{
    QStringList statuses;
    QString templateName;
    QString subjectId;
    QString text; // matches id, subject, resource, action, requester
    qint64 beforeCreatedMs = 0; // cursor: created strictly before
    QString beforeId;           // cursor tie-breaker
    int limit = 100;
};

struct AuditFilter
{
    QString taskId; // also matches the requestable denial the task was submitted from
    QString evaluationId;
    QString subjectId;
    QString actor;
    qint64 sinceMs = 0;
    qint64 untilMs = 0;
    qint64 afterSeq = 0;
    int limit = 1000;
};

struct AuditVerification
{
    bool ok = true;
    qint64 records = 0;
    qint64 firstBrokenSeq = 0;
    QString message;
};

// Read access on the calling thread's own connection (QSqlDatabase connections cannot move
// between threads in Qt 6.4). Reads see committed data only.
class Reader
{
public:
    explicit Reader(Store &store);
    ~Reader();
    Q_DISABLE_COPY_MOVE(Reader)

    std::optional<TaskRecord> task(const QString &id);
    QList<TaskRecord> tasks(const TaskFilter &filter);
    qint64 countTasks(const QString &status);
    std::optional<EvaluationRecord> evaluation(const QString &id);
    // Returns requestable denials, newest first, that follow (beforeCreatedMs, beforeRowId) in that
    // order. A beforeCreatedMs of 0 starts at the newest.
    QList<EvaluationRecord> recentDenials(qint64 beforeCreatedMs, qint64 beforeRowId, int limit);
    std::optional<ApprovalRecord> approval(const QString &id);
    QList<DecisionRecord> decisions(const QString &taskId);
    QList<ApprovalRecord> approvalsForTask(const QString &taskId);
    QList<ReevaluationRecord> reevaluationsForTask(const QString &taskId);
    QList<CallbackDeliveryRecord> callbackDeliveries(const QString &taskId);
    // Pending callback deliveries due at or before `nowMs`, oldest first.
    QList<CallbackDeliveryRecord> dueCallbackDeliveries(qint64 nowMs, int limit);
    QList<CallbackAttemptRecord> callbackAttempts(const QString &taskId);
    QList<EventRecord> eventsAfter(qint64 seq, int limit);
    qint64 lastEventSeq();
    // The latest expiry of any recorded binding token (evaluations) or approval state
    // (approvals), in ms; 0 when there is none, empty when the query failed. Reads every row: for
    // rare calls only.
    std::optional<qint64> latestTokenExpiryMs();
    QList<AuditRecord> audit(const AuditFilter &filter);
    AuditVerification verifyAudit();

private:
    friend class Store;
    explicit Reader(QSqlDatabase db); // a connection to a copy of the store, for Store::inspectCopy()
    QSqlQuery &statement(const QString &sql);

    std::unique_ptr<StatementCache> m_ownStatements; // only for a copy's connection
    StatementCache *m_statements = nullptr;
};

// What a copy of the store holds, as Store::backupTo() and Store::inspectCopy() found it.
struct StoreCopyInfo
{
    int schemaVersion = 0;
    qint64 bytes = 0;
    QString sha256; // of the copy's file, lower-case hex
    AuditVerification audit;
};

using WriteJob = std::function<Result<QJsonObject>(WriteTx &tx)>;
using WriteDone = std::function<void(Result<QJsonObject>)>;

// The SQLite store: WAL journal, synchronous=FULL, schema versioned with forward migrations.
// All writes go through one writer thread that commits waiting jobs together (group commit) and
// answers each job only after the commit that contains it, so a 2xx is always durable.
class Store final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Store)

public:
    Store(QString path, std::shared_ptr<const Clock> clock, QObject *parent = nullptr);
    ~Store() override;

    // Opens or creates the database, runs migrations and starts the writer thread.
    Result<void> open();
    void close();

    // Queues a job. `done` runs on `context`'s thread after the commit (or the failure).
    // When the commit fails every job of the group gets StorageUnavailable.
    void write(WriteJob job, QObject *context, WriteDone done);
    // Queues a job nobody waits for (events and records whose loss is tolerable on a crash).
    void writeDetached(WriteJob job);
    // Queues one stream event without a caller waiting for it, in order with the jobs queued
    // around it. It costs less than a detached job that appends it, because the data is
    // serialized on the calling thread and the writer inserts it without a savepoint of its own.
    void appendEventDetached(EventRecord event);

    QString path() const;
    const Clock &clock() const;
    int schemaVersion() const;

    static int latestSchemaVersion();

    // Writes a consistent snapshot of the store at `storePath` to `targetPath`, which must not
    // exist, with VACUUM INTO on a connection of its own: a service may keep writing meanwhile.
    // The copy is flushed to disk and checked like inspectCopy() before this returns.
    static Result<StoreCopyInfo> backupTo(const QString &storePath, const QString &targetPath);
    // Opens a copy read-only and fails unless SQLite's integrity check passes, this build supports its
    // schema version and its audit chain verifies.
    static Result<StoreCopyInfo> inspectCopy(const QString &path);

Q_SIGNALS:
    // Emitted on the Store's thread after each commit, in seq order.
    void eventsCommitted(const QList<Recourse::Store::EventRecord> &events);

private:
    friend class Reader;
    friend class WriteTx;
    friend class StoreWriter;
    // This thread's read connection and its prepared statements.
    StatementCache &readerStatements();
    struct PendingJob;
    void queueDetached(PendingJob pending);
    void runWriter();
    void runGroup(QSqlDatabase &db, StatementCache &statements, bool opened, std::vector<PendingJob> &group);
    void reportGroupOutcome(bool committed, size_t jobs);
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Recourse::Store
