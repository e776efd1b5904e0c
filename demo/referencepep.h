#pragma once

#include "core/base/result.h"

#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QUrl>

#include <functional>

namespace Recourse::Pep {

// One HTTP exchange as the PEP saw it.
struct Exchange
{
    int status = 0;
    QJsonObject body;
    int retryAfterSeconds = -1; // Retry-After, when sent
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
    };

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

    const QJsonObject &metadata() const { return m_metadata; }

private:
    // Returns the endpoint a requestable denial names, or the metadata's when it names none.
    QUrl endpointFor(const QJsonObject &decision) const;
    Result<Exchange> call(const QByteArray &method, const QUrl &url, const QJsonObject &body,
                          const QByteArray &idempotencyKey = {});
    bool trusted(const QUrl &url) const;

    Config m_config;
    QNetworkAccessManager m_network;
    QJsonObject m_metadata;
};

} // namespace Recourse::Pep
