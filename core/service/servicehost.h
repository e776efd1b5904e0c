#pragma once

#include "core/base/clock.h"
#include "core/base/result.h"
#include "core/base/hostresolver.h"
#include "core/escalation/decisionevents.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QObject>
#include <QUrl>

#include <functional>
#include <memory>

namespace Recourse::Service {

class EventHub;

struct ServiceOptions
{
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 0; // 0 picks a free port
    QString dataDir;  // store, keys and logs; created when missing
    QString policy;   // a folder, or the name of a shipped pack (demo, certification, arap-conformance)
    QJsonObject config; // the --config document: identities, callback_allowlist, clock_skew_seconds
    std::shared_ptr<Clock> clock; // SystemClock when null
    // TLS: a certificate and key (PEM), or a self-signed pair kept in the data folder.
    QString tlsCertificate;
    QString tlsKey;
    bool tlsSelfSigned = false;
    // Upstream mode: an existing AuthZEN PDP decides permit and deny, under the local forbid and
    // requestable rules. Empty: the local policy decides alone.
    QUrl upstreamUrl;
    QString upstreamToken; // bearer token for the upstream; never logged
    int upstreamTimeoutMs = 3000;
    // Threads that serve HTTP connections besides the host's own (Http::Server::setServingThreads());
    // -1 starts one per core.
    int httpThreads = -1;
    // Which plain permits and denials are recorded as events (EscalationConfig::decisionEvents).
    DecisionEvents decisionEvents = DecisionEvents::Denials;
    // Resolves callback hosts at submission and at every delivery attempt; the system resolver
    // (QHostInfo) when null. Tests inject answers such as a name that resolves to 169.254.169.254.
    std::shared_ptr<const HostResolver> callbackResolver;
};

// The composition of PDP, Access Request Service, approver API and event stream behind one HTTP
// listener. The executable, the embedded console and the integration tests all build it this way.
class ServiceHost final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServiceHost)

public:
    ~ServiceHost() override;

    static Result<std::unique_ptr<ServiceHost>> start(ServiceOptions options, QObject *parent = nullptr);

    // http://127.0.0.1:PORT (https:// with TLS), the base of every endpoint and of
    // policy_decision_point.
    QUrl baseUrl() const;
    EventHub *events() const;
    // Attempts every due callback delivery now and calls `done` once all are recorded; the
    // service also does this every second.
    void deliverDueCallbacks(std::function<void()> done);
    // SHA-256 fingerprint of the listener's certificate, empty without TLS.
    QString tlsFingerprint() const;

    // Adds an identity at run time (the embedded console's generated approver uses this).
    void addIdentity(const QString &id, const QString &role, const QStringList &groups, const QString &token);

    // Stops accepting connections, waits until every write queued so far is committed and
    // answered, then calls `done` (on this object's thread). Call shutdown() afterwards.
    void drain(std::function<void()> done);

    // Closes the listener and the store. Writes still queued are committed first.
    void shutdown();

private:
    explicit ServiceHost(QObject *parent);
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Recourse::Service
