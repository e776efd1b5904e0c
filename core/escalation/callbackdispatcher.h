#pragma once

#include "core/base/clock.h"
#include "core/escalation/callbacks.h"
#include "core/escalation/identities.h"
#include "core/store/store.h"

#include <QObject>
#include <QSet>
#include <QSslCertificate>
#include <QTimer>

#include <functional>
#include <memory>

namespace Recourse::Escalation {

// Delivers the callback notifications that terminal task transitions queued in the store. Each
// attempt re-resolves and re-checks the destination (a name may have been rebound to an internal
// address since the submission), connects to the checked address, verifies the receiver's
// certificate for the endpoint's host, and POSTs the signed notification. Each attempt is stored
// in the delivery log together with its audit record (callback.delivered, callback.attempt_failed
// or callback.failed) in one transaction. Lives on the service's event-loop thread.
class CallbackDispatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CallbackDispatcher)

public:
    struct Options
    {
        Callbacks::Allowlist allowlist;
        std::shared_ptr<const Callbacks::HostResolver> resolver;
        QList<QSslCertificate> extraCaCertificates; // trusted besides the system CAs
        QString accessRequestEndpoint;              // the base of every status_endpoint
    };

    static constexpr int kMaxAttempts = 8;
    static constexpr int kTimeoutMs = 10000;

    CallbackDispatcher(Options options, Store::Store *store, const IdentityRegistry *identities,
                       std::shared_ptr<const Clock> clock, QObject *parent = nullptr);
    ~CallbackDispatcher() override;

    // Starts an attempt for every due delivery that is not in flight already; `done` runs once
    // all of them are recorded. Runs every second on a timer; tests call it after advancing their clock.
    void deliverDue(std::function<void()> done = {});
    // Stops the timer and records no further attempts (the store is about to close).
    void stop();

    // The wait after failed attempt number `attempt` (1-based): 10 s, 30 s, 2 min, 10 min,
    // 30 min, then 2 h.
    static qint64 retryDelayMs(int attempt);

private:
    void attempt(const Store::CallbackDeliveryRecord &delivery, std::function<void()> finished);
    void record(Store::CallbackAttemptRecord attempt, bool delivered, std::function<void()> finished);

    Options m_options;
    Store::Store *m_store;
    const IdentityRegistry *m_identities;
    std::shared_ptr<const Clock> m_clock;
    QSet<qint64> m_inFlight;
    QTimer m_timer;
    bool m_stopped = false;
};

} // namespace Recourse::Escalation
