#pragma once

#include "core/escalation/escalationservice.h"
#include "core/escalation/identities.h"
#include "core/service/httptypes.h"
#include "core/service/upstreamevaluations.h"

#include <QObject>

#include <memory>

namespace Recourse::Policy {
class PolicyStore;
}

namespace Recourse::Service {

class Metrics;
class RateLimiter;
class SigningKeys;

class AdminPolicyApi;
class SearchApi;

// Routes every HTTP endpoint of the service: the AuthZEN PDP, the Access Request Service and the
// approver API. Authenticates each call, parses JSON strictly, and maps errors to problem+json in
// one place. Runs on the server's event-loop thread.
class Api final : public QObject, public Http::Handler
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Api)

public:
    Api(Escalation::IdentityRegistry *identities, QObject *parent = nullptr);
    ~Api() override;

    // Set once the listener knows its address, before the first request is served.
    void setEscalation(Escalation::EscalationService *escalation);
    // The keys behind /access/v1/jwks and /admin/v1/keys. Set before the first request.
    void setSigningKeys(SigningKeys *keys);
    // Enables the search endpoints and the approver API's policy views. Set before the first
    // request; without it the search endpoints are neither served nor advertised.
    void setPolicies(Policy::PolicyStore *policies);
    // Optional: request metrics for /metrics, and per-identity rate limiting (429).
    void setMetrics(Metrics *metrics, RateLimiter *rateLimiter);
    // Upstream mode: evaluations are decided by `upstream` under the local forbid and
    // requestable rules. Set before the first request; null keeps the local policy alone.
    void setUpstream(Escalation::UpstreamPdp *upstream);

    void handle(const Http::Request &request, Http::Responder respond) override;
    // The evaluation endpoints, which decide what they can on the serving thread (see decide()).
    bool isConcurrent(const Http::Request &request) const override;
    std::optional<Http::Response> screen(const Http::Request &head) override;
    void rejected(const Http::Request &head, const Http::Response &response) override;

    // Authenticates a request by its bearer token.
    Result<Escalation::Identity> authenticate(const Http::Request &request) const;

private:
    struct Route;
    void metadata(const Http::Request &request, Http::Responder respond);
    void evaluation(const Http::Request &request, const Escalation::Identity &caller, Http::Responder respond);
    void evaluations(const Http::Request &request, const Escalation::Identity &caller, Http::Responder respond);
    // Decides items in order, through the upstream when one is set, up to where `stop` ends the batch.
    // Fails with StorageUnavailable when a requestable denial among them could not be recorded.
    // Decides the items in order and calls `done` with the decisions, on any thread. Called on
    // a serving thread, it decides there what evaluates on any thread and hands the rest to this
    // object's thread.
    void decide(const Escalation::Identity &caller, std::vector<BatchItem> items, BatchStop stop,
                std::function<void(Result<QJsonArray>)> done);
    // Decides items[first...] after `decided`, which contains the decisions of the items before
    // `first`, and passes all of them to `answer`.
    void decideFrom(const Escalation::Identity &caller, std::vector<BatchItem> items, size_t first, QJsonArray decided,
                    BatchStop stop, std::shared_ptr<DenialRecords> records, std::function<void(QJsonArray)> answer);
    void search(const Http::Request &request, Http::Responder respond);
    void policyAdmin(const Http::Request &request, Http::Responder respond);
    void keysAdmin(const Http::Request &request, const Escalation::Identity &caller, Http::Responder respond);

    Escalation::IdentityRegistry *m_identities;
    Escalation::EscalationService *m_escalation = nullptr;
    Escalation::UpstreamPdp *m_upstream = nullptr;
    SigningKeys *m_signingKeys = nullptr;
    Metrics *m_metrics = nullptr;
    RateLimiter *m_rateLimiter = nullptr;
    std::unique_ptr<SearchApi> m_search;
    std::unique_ptr<AdminPolicyApi> m_policyAdmin;
};

} // namespace Recourse::Service
