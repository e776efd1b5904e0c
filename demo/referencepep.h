#pragma once

#include "core/base/clock.h"
#include "core/base/result.h"

#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QUrl>

#include <functional>
#include <memory>

namespace Recourse::Pep {

// One HTTP exchange as the PEP saw it.
struct Exchange
{
    int status = 0;
    QJsonObject body;
    // Retry-After in seconds from now, when sent as seconds or as an HTTP-date.
    int retryAfterSeconds = -1;
};

// A reference Policy Enforcement Point for the AuthZEN Access Request and Approval Profile.
// It follows the profile's PEP rules: decision:false is a denial even with access_request;
// binding material is echoed unchanged; submissions carry an Idempotency-Key; polling backs off
// exponentially with jitter, honours Retry-After and stops at task.expires_at; an unknown status
// or result.mode means "not approved"; the approval object goes unchanged into
// context.approval; next_action is followed. Calls are synchronous (a local event loop runs while
// a call is in flight), which suits agents and command-line tools.
class ReferencePep
{
public:
    struct Config
    {
        QUrl serviceUrl;   // the PDP's base URL (policy_decision_point)
        QString token;     // the PEP's bearer token; sent only to trusted origins
        int callTimeoutMs = 15000;
        int maxPollIntervalMs = 60000;
        std::function<void(const QString &step, const QJsonObject &sent, const Exchange &received)> trace;
        // The source of "now" for task and approval expiry. Default: the system clock.
        std::shared_ptr<const Clock> clock;
        // Waits `delayMs` milliseconds before the next poll or retry. Default: a local event loop
        // runs for that long. A test records the delay and moves its manual clock instead.
        std::function<void(int delayMs)> wait;
    };

    // The action a PEP takes after a denial, derived from next_action and reason.
    enum class NextAction { None, Request, Retry };

    explicit ReferencePep(Config config);

    // Fetches the metadata and checks that policy_decision_point equals the configured URL.
    Result<QJsonObject> discover();

    // POST /access/v1/evaluation. Returns the decision object.
    Result<QJsonObject> evaluate(const QJsonObject &request);

    // Whether a decision is a requestable denial: decision false and context.access_request present.
    static bool isRequestable(const QJsonObject &decision);

    // Returns the `denial` member of a submission for a requestable denial: every binding member
    // exactly as the PDP sent it. The token is never decoded or changed.
    static QJsonObject denialFor(const QJsonObject &decision);

    // Submits an access request for a requestable denial of `request`. Adds `additions` to the
    // context without touching the original members, echoes the binding material unchanged, and
    // sends `idempotencyKey` (generated when empty). Refuses endpoints on untrusted origins.
    Result<Exchange> submit(const QJsonObject &request, const QJsonObject &decision, const QJsonObject &additions,
                            const QJsonObject &requestedAccess, QString idempotencyKey = {});

    // One item of a bundle: the evaluation request the PDP denied and its requestable denial.
    struct BundleItem
    {
        QJsonObject request;
        QJsonObject decision;
    };

    // Submits one access request for several requestable denials of the same subject and context
    // (the Bulk profile's `items`), each item echoing its own denial unchanged. The task lists
    // its items in the same order.
    Result<Exchange> submitBundle(const QList<BundleItem> &items, const QJsonObject &additions,
                                  QString idempotencyKey = {});

    // Polls a task until it is terminal or expires. `onWait` runs before each wait with the
    // delay in milliseconds.
    Result<QJsonObject> waitForCompletion(const QJsonObject &taskHandle,
                                          const std::function<void(int delayMs)> &onWait = {});

    // Fetches a task's status once.
    Result<Exchange> status(const QJsonObject &taskHandle);

    // The approval to present, or an error when the response does not approve: status must be
    // exactly "approved" and result.mode exactly "reevaluate" with an approval object.
    static Result<QJsonObject> approvalFrom(const QJsonObject &statusBody);

    // Returns the approval of item `position` of a bundle task, or an error when that item is not
    // approved: the task must have ended approved or partial, and the item itself must be
    // approved with result.mode "reevaluate" and an approval object.
    static Result<QJsonObject> itemApprovalFrom(const QJsonObject &statusBody, int position);

    // Re-evaluates `request` with `approval` unchanged at context.approval.
    Result<QJsonObject> reevaluate(const QJsonObject &request, const QJsonObject &approval);

    // Returns what to do after `decision`. A recognized next_action wins, except that "request"
    // without an access_request means None. Otherwise the default of a recognized reason applies
    // (approval_expired and out_of_scope: Request, grant_pending: Retry, policy_denied and
    // approval_unverifiable: None), and otherwise Request when an access_request is present.
    // An unknown reason is only informational. Returns None for a permit.
    static NextAction nextActionFor(const QJsonObject &decision);

    // Re-evaluates `request` with `approval` and repeats while the PDP returns the Retry action.
    // Between attempts it waits context.retry_after seconds when sent, else a jittered backoff
    // of up to maxPollIntervalMs. Returns the first decision that does not ask for a retry, or
    // an error when the next retry would come at or after the approval's approved_until (24
    // hours when the approval has none). `onWait` runs before each wait with the delay in
    // milliseconds.
    Result<QJsonObject> reevaluateWithRetries(const QJsonObject &request, const QJsonObject &approval,
                                              const std::function<void(int delayMs)> &onWait = {});

    // Evaluates `request`, with `approval` at context.approval unless it is empty, and runs
    // `action` only when the decision is exactly `"decision": true`. A requestable denial, a
    // task status or anything else in the body does not run it. Returns the decision.
    Result<QJsonObject> runIfPermitted(const QJsonObject &request, const std::function<void()> &action,
                                       const QJsonObject &approval = {});

    const QJsonObject &metadata() const { return m_metadata; }

private:
    // Returns the endpoint a requestable denial names, or the metadata's when it names none.
    QUrl endpointFor(const QJsonObject &decision) const;
    Result<Exchange> call(const QByteArray &method, const QUrl &url, const QJsonObject &body,
                          const QByteArray &idempotencyKey = {});
    bool trusted(const QUrl &url) const;
    qint64 nowMs() const;
    // Converts a Retry-After value to seconds from now; -1 when it is neither seconds nor a date.
    int retryAfterSeconds(const QByteArray &value) const;
    void wait(int delayMs) const;
    // The next backoff delay for `intervalMs`: between half of it and all of it.
    static int jittered(int intervalMs);

    Config m_config;
    QNetworkAccessManager m_network;
    QJsonObject m_metadata;
};

} // namespace Recourse::Pep
