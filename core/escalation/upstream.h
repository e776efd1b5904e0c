#pragma once

#include "core/authzen/authzen.h"
#include "core/base/result.h"

#include <QObject>
#include <QUrl>

#include <functional>
#include <memory>

namespace Recourse::Escalation {

// The upstream PDP's decision on one evaluation, as the local layer sees it.
enum class UpstreamVerdict {
    Permit,
    Deny,
    Failed,   // no valid answer: unreachable, timed out, an error status or an invalid body
    NotAsked, // local policy forbids the request, so it was never forwarded
};

struct UpstreamOptions
{
    QUrl url;      // the upstream's policy_decision_point; evaluations go to URL/access/v1/evaluation
    QString token; // sent as a bearer token when not empty; never logged
    int timeoutMs = 3000;                  // whole exchange, from the call to the last byte
    qsizetype maxResponseBytes = 64 * 1024; // a decision is a few bytes; more is an invalid answer
};

// Checks an upstream URL: http or https, a host, and no user info, query or fragment (user info
// would end up in logs, and a query or fragment cannot be extended with the endpoint path).
Result<void> validateUpstreamUrl(const QUrl &url);

// An AuthZEN Access Evaluation API client of one existing PDP, for upstream mode. It forwards
// subject, resource, action and context with context.approval removed, follows no redirects,
// bounds the time and size of every answer, and parses the answer strictly. Every failure is a
// Failed verdict and a warning naming the URL (repeats within 10 seconds are only counted); the
// token is never logged. Lives on the service's event-loop thread.
class UpstreamPdp final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamPdp)

public:
    explicit UpstreamPdp(UpstreamOptions options, QObject *parent = nullptr);
    // Pending evaluations are abandoned: their callbacks never run.
    ~UpstreamPdp() override;

    QUrl evaluationEndpoint() const;

    // Asks the upstream about one evaluation. `done` runs exactly once, always later from the
    // event loop (never inside this call), unless this object is destroyed first.
    void evaluate(const AuthZen::EvaluationRequest &request, std::function<void(UpstreamVerdict)> done);

    // Builds the JSON body forwarded for `request`, without context.approval. The approval is a
    // credential this service issued for itself: the upstream cannot verify it and must not hold
    // it, and without it the upstream decides exactly as it did for the original denial.
    static QJsonObject forwardedBody(const AuthZen::EvaluationRequest &request);

private:
    struct Pending;
    void finish(quint64 id, UpstreamVerdict verdict, const QString &failure);
    // Logs a failure, at most once per interval, with the count of failures left unlogged.
    void warn(const QString &failure);

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Recourse::Escalation
