#pragma once

#include "core/base/result.h"
#include "core/store/store.h"

#include <QList>
#include <QString>

#include <unordered_map>
#include <vector>

namespace Recourse::Bench {

// What recourse-seed writes: how many tasks, over how many days, and what else comes with them.
struct SeedOptions
{
    int tasks = 100000;
    int days = 30;
    // Re-evaluations recorded per approval (each adds a row, an audit record and an event), to grow
    // the audit log beyond the three or four records each task gets anyway.
    int reevaluationsPerApproval = 0;
    // Whether to write the event stream the service would have written along with the records.
    bool events = true;
    quint64 seed = 1;
    qint64 nowMs = 0;
};

// One step of the seeded history, at the time it happened. The history is written in time order,
// so audit and event seq grow with their time as they would in a service that did the work.
struct Happening
{
    enum class Kind { DenialIssued, TaskCreated, Decision, Closed, Reevaluation };
    qint64 atMs = 0;
    int task = 0;
    Kind kind = Kind::TaskCreated;
    int index = 0; // the decision or re-evaluation of the task this is
};

// The lifecycle of one seeded task: when its requestable denial was issued, when the task was
// created, the decisions on it and how it ended. The content (subject, resource, ids, ...) is
// derived from the seed and the task's number when it is written, so 100,000 plans stay small.
struct TaskPlan
{
    struct Decision
    {
        qint64 atMs = 0;
        int step = 0;
        bool approve = true;
        QString approver;
        QString reason;
        QString comment;
    };

    int templateIndex = 0;
    qint64 deniedMs = 0;
    qint64 createdMs = 0;
    QString finalStatus; // pending, approved, denied, expired or cancelled
    qint64 closedMs = 0; // expiry or cancellation
    bool autoApproved = false;
    QList<Decision> decisions;
    QList<qint64> reevaluationsMs;
};

// A plausible history of an approval service that received `tasks` access requests over `days`
// days: four templates (the arap-conformance pack's), 2,000 subjects across 20 tenants, agents
// and gateways acting for a third of them, and every status. Tasks created in the last 12 hours
// are mostly still pending and expire 24 hours after creation, so a seeded folder serves pending
// tasks for at least 12 hours after seeding.
class SeedHistory
{
public:
    explicit SeedHistory(const SeedOptions &options);

    const std::vector<TaskPlan> &plans() const { return m_plans; }
    // Every happening of every task, oldest first.
    const std::vector<Happening> &happenings() const { return m_happenings; }

    // Writes one happening with the store's public write API. The caller sets the store's clock
    // to happening.atMs first, because the store stamps updates with its own clock. Call it for
    // the happenings in order, from one thread: it caches the content of tasks in progress.
    Result<void> write(Store::WriteTx &tx, const Happening &happening) const;

private:
    // Everything about a task that does not depend on time, derived from the seed and its number.
    struct Content
    {
        Store::EvaluationRecord evaluation;
        Store::TaskRecord task; // as created: pending
        QJsonObject denialEventData;
        QString approvalId;
    };

    const Content &content(int task) const;
    Content makeContent(int task) const;
    void release(int task) const;
    Result<void> writeHappening(Store::WriteTx &tx, const Happening &happening) const;
    Result<void> writeDenial(Store::WriteTx &tx, int task) const;
    Result<void> writeCreated(Store::WriteTx &tx, int task) const;
    Result<void> writeDecision(Store::WriteTx &tx, int task, int index) const;
    Result<void> writeClosed(Store::WriteTx &tx, int task) const;
    Result<void> writeReevaluation(Store::WriteTx &tx, int task, int index) const;
    Result<void> grant(Store::WriteTx &tx, const Content &content, Store::TaskRecord task, const QString &approver,
                       qint64 atMs) const;
    void plan();

    SeedOptions m_options;
    std::vector<TaskPlan> m_plans;
    std::vector<Happening> m_happenings;
    // Happenings not yet written per task, and the content of tasks with some left.
    mutable std::vector<int> m_remaining;
    mutable std::unordered_map<int, Content> m_contents;
};

} // namespace Recourse::Bench
