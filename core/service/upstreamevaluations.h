#pragma once

#include "core/authzen/authzen.h"
#include "core/escalation/escalationservice.h"
#include "core/escalation/upstream.h"

#include <QJsonArray>
#include <QJsonObject>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace Recourse::Service {

// The early end of a batch of evaluations, as options.evaluations_semantic names it.
enum class BatchStop { Never, AtFirstDeny, AtFirstPermit };

// One item of a batch: a valid request, or the decision that stands for an invalid item.
struct BatchItem
{
    std::optional<AuthZen::EvaluationRequest> request;
    QJsonObject invalidDecision;
};

// Maximum number of items in one batch in upstream mode, so that a single call cannot turn into an
// unbounded stream of calls to the upstream PDP.
inline constexpr qsizetype kMaxUpstreamBatchItems = 1000;

// Whether `decision` ends a batch under `stop`.
bool stopsBatch(BatchStop stop, const QJsonObject &decision);

// The records that the decisions of one batch depend on. The batch response is sent only once
// each of them is committed, because a PEP may cite any requestable denial by evaluation_id alone.
// Thread-safe: the items of one batch may be decided on a serving thread while their records are
// reported on the service's thread.
class DenialRecords final : public std::enable_shared_from_this<DenialRecords>
{
public:
    // The callback to pass to one evaluation of the batch.
    Escalation::RecordedCallback expect();
    // Runs `done` once every expected record is settled, with true when all of them were stored.
    // It runs on the thread that settles the last record, or on this one when none is pending.
    void whenSettled(std::function<void(bool stored)> done);

private:
    // Returns the callback to run once nothing is pending; the caller runs it without the lock.
    std::function<void(bool)> takeDoneIfSettled();

    std::mutex m_mutex;
    int m_pending = 0;
    bool m_stored = true;
    std::function<void(bool)> m_done;
};

// Decides items over an upstream PDP. Items that local forbid rules cover are never forwarded;
// the others go to the upstream a few at a time, and its decisions are combined with the local
// layer in item order, up to the stop. Each combined item reports its record to `records`. `done`
// runs once on the caller's thread, unless `upstream` is destroyed first.
void evaluateOverUpstream(Escalation::EscalationService *escalation, Escalation::UpstreamPdp *upstream,
                          const Escalation::Identity &caller, std::vector<BatchItem> items, BatchStop stop,
                          std::shared_ptr<DenialRecords> records, std::function<void(QJsonArray)> done);

} // namespace Recourse::Service
