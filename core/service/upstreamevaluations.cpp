#include "core/service/upstreamevaluations.h"

#include <memory>

namespace Recourse::Service {

namespace {

// Upstream calls in flight for one batch: enough to hide a round trip, few enough that one PEP
// cannot occupy every connection to the upstream.
constexpr size_t kWindow = 4;

using Escalation::UpstreamVerdict;

// One batch in upstream mode. Kept alive by the callbacks of its upstream calls.
class UpstreamBatch final : public std::enable_shared_from_this<UpstreamBatch>
{
public:
    UpstreamBatch(Escalation::EscalationService *escalation, Escalation::UpstreamPdp *upstream,
                  Escalation::Identity caller, std::vector<BatchItem> items, BatchStop stop,
                  std::shared_ptr<DenialRecords> records, std::function<void(QJsonArray)> done)
        : m_escalation(escalation)
        , m_upstream(upstream)
        , m_caller(std::move(caller))
        , m_items(std::move(items))
        , m_verdicts(m_items.size(), UpstreamVerdict::Failed)
        , m_ready(m_items.size(), false)
        , m_stop(stop)
        , m_records(std::move(records))
        , m_done(std::move(done))
    {
    }

    void start()
    {
        for (size_t i = 0; i < m_items.size(); ++i) {
            if (!m_items[i].request) {
                m_ready[i] = true;
            } else if (m_escalation->forbidsLocally(*m_items[i].request)) {
                m_verdicts[i] = UpstreamVerdict::NotAsked;
                m_ready[i] = true;
            } else {
                m_forwarded.push_back(i);
            }
        }

        advance();
        dispatch();
    }

private:
    // Keeps at most kWindow forwarded items asked but not yet combined, so a slow item holds
    // back the calls after it and a stopping batch leaves at most kWindow - 1 extra calls.
    void dispatch()
    {
        while (!m_finished && m_next < m_forwarded.size() && m_next - m_forwardedCombined < kWindow) {
            const size_t index = m_forwarded[m_next++];
            m_upstream->evaluate(*m_items[index].request, [self = shared_from_this(), index](UpstreamVerdict verdict) {
                self->m_verdicts[index] = verdict;
                self->m_ready[index] = true;
                self->advance();
                self->dispatch();
            });
        }
    }

    // Combining issues requestable denials and records events, so it runs in item order and
    // ends where the batch stops.
    void advance()
    {
        while (!m_finished && m_combined < m_items.size() && m_ready[m_combined]) {
            const BatchItem &item = m_items[m_combined];
            const QJsonObject decision = item.request
                ? m_escalation->evaluateOverUpstream(m_caller, *item.request, m_verdicts[m_combined],
                                                     m_records->expect())
                : item.invalidDecision;
            m_decisions.append(decision);
            if (m_forwardedCombined < m_next && m_forwarded[m_forwardedCombined] == m_combined)
                ++m_forwardedCombined;
            ++m_combined;
            m_finished = stopsBatch(m_stop, decision);
        }
        m_finished = m_finished || m_combined == m_items.size();
        if (m_finished && m_done) {
            const auto done = std::move(m_done);
            m_done = nullptr;
            done(m_decisions);
        }
    }

    Escalation::EscalationService *m_escalation;
    Escalation::UpstreamPdp *m_upstream;
    Escalation::Identity m_caller;
    std::vector<BatchItem> m_items;
    std::vector<UpstreamVerdict> m_verdicts;
    std::vector<bool> m_ready; // the item's verdict is known, or it needs none
    std::vector<size_t> m_forwarded;
    size_t m_next = 0;     // into m_forwarded: the next item to ask about
    size_t m_forwardedCombined = 0; // forwarded items already combined
    size_t m_combined = 0; // into m_items
    bool m_finished = false;
    QJsonArray m_decisions;
    BatchStop m_stop;
    std::shared_ptr<DenialRecords> m_records;
    std::function<void(QJsonArray)> m_done;
};

} // namespace

bool stopsBatch(BatchStop stop, const QJsonObject &decision)
{
    const bool allowed = decision.value(QStringLiteral("decision")).toBool();
    return (stop == BatchStop::AtFirstDeny && !allowed) || (stop == BatchStop::AtFirstPermit && allowed);
}

Escalation::RecordedCallback DenialRecords::expect()
{
    {
        std::lock_guard lock(m_mutex);
        ++m_pending;
    }
    return [self = shared_from_this()](bool stored) {
        std::function<void(bool)> done;
        bool allStored = false;
        {
            std::lock_guard lock(self->m_mutex);
            self->m_stored = self->m_stored && stored;
            --self->m_pending;
            done = self->takeDoneIfSettled();
            allStored = self->m_stored;
        }
        if (done)
            done(allStored);
    };
}

void DenialRecords::whenSettled(std::function<void(bool stored)> done)
{
    std::function<void(bool)> settled;
    bool allStored = false;
    {
        std::lock_guard lock(m_mutex);
        m_done = std::move(done);
        settled = takeDoneIfSettled();
        allStored = m_stored;
    }
    if (settled)
        settled(allStored);
}

std::function<void(bool)> DenialRecords::takeDoneIfSettled()
{
    if (m_pending > 0 || !m_done)
        return nullptr;
    return std::exchange(m_done, nullptr);
}

void evaluateOverUpstream(Escalation::EscalationService *escalation, Escalation::UpstreamPdp *upstream,
                          const Escalation::Identity &caller, std::vector<BatchItem> items, BatchStop stop,
                          std::shared_ptr<DenialRecords> records, std::function<void(QJsonArray)> done)
{
    auto batch = std::make_shared<UpstreamBatch>(escalation, upstream, caller, std::move(items), stop,
                                                 std::move(records), std::move(done));
    batch->start();
}

} // namespace Recourse::Service
