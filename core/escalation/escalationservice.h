#pragma once

#include "core/authzen/authzen.h"
#include "core/base/clock.h"
#include "core/base/result.h"
#include "core/escalation/callbacks.h"
#include "core/escalation/decisionevents.h"
#include "core/escalation/identities.h"
#include "core/escalation/upstream.h"
#include "core/jose/jose.h"
#include "core/jose/keyring.h"
#include "core/policy/policy.h"
#include "core/store/store.h"

#include <QJsonObject>
#include <QObject>
#include <QTimer>
#include <QUrlQuery>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace Recourse::Escalation {

// What an operation answers: a status for the HTTP layer plus a JSON body and optional headers.
struct Reply
{
    int status = 200;
    QJsonObject body;
    QString location;    // Location header
    int retryAfter = -1; // Retry-After seconds, when >= 0
};

using ReplyCallback = std::function<void(Result<Reply>)>;

// One entry of a batch decision: the task's status after the decision, or the error that rejected it.
struct BatchOutcome
{
    QString taskId;
    Result<QString> status;
};
using BatchCallback = std::function<void(Result<std::vector<BatchOutcome>>)>;

// Runs once the record an evaluation's decision depends on is durable, with `stored` false when
// its commit failed. Only a requestable denial has such a record, because a PEP may cite it by
// evaluation_id alone. For any other decision the callback runs before evaluate() returns.
using RecordedCallback = std::function<void(bool stored)>;

struct EscalationConfig
{
    QString pdpIdentifier;         // policy_decision_point: iss of binding tokens, aud of approval state
    QString accessRequestEndpoint; // aud of binding tokens; where PEPs submit
    QString arsIdentifier;         // iss of approval state
    qint64 clockSkewSeconds = 30;  // capped at 60
    int pollRetryAfterSeconds = 2;
    qint64 idempotencyRetentionSeconds = 24 * 3600;
    // A permit event is a row in the store and a frame to every subscriber. A PDP that permits tens
    // of thousands of requests a second would write gigabytes an hour, so recording them is a choice.
    DecisionEvents decisionEvents = DecisionEvents::Denials;
    // Events older than this are deleted by the sweep; 0 keeps them all. Only the events table
    // (the activity feed and its replay) is pruned, never the audit log or tasks.
    qint64 eventRetentionSeconds = 0;
};

// The token types: distinct so a binding token can never stand for approval state, or back.
inline constexpr char kBindingTokenType[] = "recourse-binding+jwt";
inline constexpr char kApprovalStateType[] = "recourse-approval+jwt";

// The Access Request Service and the approval-aware side of the PDP: issues requestable denials,
// processes submissions, runs the approval workflow, issues and verifies approvals, and records
// every step in the audit log and the event stream. Lives on the service's event-loop thread;
// durable work goes through the Store's writer and answers on this object's thread.
class EscalationService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EscalationService)

public:
    EscalationService(EscalationConfig config, Policy::PolicyStore *policies, Store::Store *store,
                      const Jose::KeyRing *signingKeys, const Jose::KeySet *trustedKeys,
                      std::shared_ptr<const Clock> clock, QObject *parent = nullptr);
    ~EscalationService() override;

    const EscalationConfig &config() const { return m_config; }

    // PDP: one access evaluation, including requestable denials and re-evaluations that carry
    // context.approval. Returns the AuthZEN decision object, which must not reach the PEP before
    // `recorded` reports it stored.
    //
    // A request without context.approval may be evaluated on any thread (see
    // evaluatesOnAnyThread()), and `recorded` still runs on this object's thread. A re-evaluation
    // reads the approval's records, so it must be evaluated on this object's thread.
    QJsonObject evaluate(const Identity &caller, const AuthZen::EvaluationRequest &request,
                         RecordedCallback recorded);
    static bool evaluatesOnAnyThread(const AuthZen::EvaluationRequest &request);
    // PDP: whether current policy permits an evaluation request read into a flat document with
    // nothing to record, so that {"decision": true} is the whole response. False does not mean deny:
    // a denial, a request that carries an approval, or a permit that --decision-events records
    // goes through evaluate(). The caller has checked the body with
    // AuthZen::isValidEvaluationRequest(). Any thread.
    bool permitsWithoutRecord(const Json::FlatDocument &body) const;
    // Upstream mode: whether local policy forbids the request, so it is denied without asking the
    // upstream PDP.
    bool forbidsLocally(const AuthZen::EvaluationRequest &request) const;
    // Upstream mode: the decision once the upstream has decided or failed. Local forbid rules win.
    // Otherwise the upstream decides permit or deny, local requestable rules make its deny
    // requestable, and a valid approval turns that into a permit. A failed upstream gives a plain deny.
    // `recorded` works as for evaluate().
    QJsonObject evaluateOverUpstream(const Identity &caller, const AuthZen::EvaluationRequest &request,
                                     UpstreamVerdict upstream, RecordedCallback recorded);

    // ARS: the profile's endpoints.
    void submit(const Identity &caller, const QJsonObject &body, const QString &idempotencyKey, ReplyCallback done);
    void taskStatus(const Identity &caller, const QString &taskId, ReplyCallback done);
    void cancel(const Identity &caller, const QString &taskId, const QJsonObject &body, ReplyCallback done);

    // ARS: request schemas and catalogs of templates (catalogendpoints.cpp). Any authenticated
    // identity may read a schema or a Catalogs Document. A PEP lists catalog items only for its own
    // denials; approver, auditor and admin identities list them for any denial and also receive
    // each item's `owner`.
    Result<Reply> requestSchema(const Identity &caller, const QString &templateName);
    Result<Reply> catalogsDocument(const Identity &caller, const QString &templateName);
    Result<Reply> listCatalog(const Identity &caller, const QString &templateName, const QString &fieldPointer,
                              const QUrlQuery &query);

    // Approver API.
    Result<Reply> listTasks(const Identity &caller, const Store::TaskFilter &filter);
    Result<Reply> taskDetail(const Identity &caller, const QString &taskId);
    void approve(const Identity &approver, const QString &taskId, const QJsonObject &body, ReplyCallback done);
    void deny(const Identity &approver, const QString &taskId, const QJsonObject &body, ReplyCallback done);
    void revoke(const Identity &approver, const QString &approvalId, const QJsonObject &body, ReplyCallback done);
    // Decides several tasks in order; one refused entry does not stop the others. The outcomes
    // are in request order.
    void decideBatch(const Identity &approver, const QJsonObject &body, BatchCallback done);
    // What approving a task with a scope and end time would unlock, and what policy would still deny.
    Result<Reply> preview(const Identity &caller, const QJsonObject &body);
    // Lists requestable denials, newest first, after the page position (beforeMs, beforeRowId);
    // next_cursor is present while more follow.
    Result<Reply> listDenials(const Identity &caller, qint64 beforeMs, qint64 beforeRowId, int limit);
    // Audit records filtered by task_id, evaluation_id, subject, approver, since, until, after.
    Result<Reply> audit(const QUrlQuery &query);
    // {"ok", "records", "first_broken_seq", "message"}
    QJsonObject verifyAudit();

    // Moves expired pending tasks to `expired` and purges retention-expired keys. Runs every
    // second on a timer; tests call it after advancing their clock.
    void sweep(std::function<void()> done = {});

    // The destinations a submission's callback may name and the resolver that checks their
    // addresses. Without a call, every callback is rejected because the allowlist is empty.
    void setCallbackDestinations(Callbacks::Allowlist allowlist,
                                 std::shared_ptr<const Callbacks::HostResolver> resolver);

private:
    // Sends the status body of `task` after its retention and expiry checks. taskStatus() and
    // cancel() call it once they have authorized the caller.
    void replyWithStatus(const Store::TaskRecord &task, ReplyCallback done);
    // submit() after the structure and the callback destination are checked.
    void submitChecked(const Identity &caller, const QJsonObject &body, const QString &idempotencyKey,
                       ReplyCallback done);
    struct ApprovalCheck;
    // A decision and, for a requestable denial, the job that writes the record it depends on.
    struct PendingDecision
    {
        QJsonObject decision;
        Store::WriteJob record; // empty when the decision depends on no record
    };
    // The decision for a settled effect: permit, plain deny, requestable denial, or the outcome
    // of a re-evaluation with context.approval. `eventData` is added to the evaluation event.
    PendingDecision answer(const Identity &caller, const AuthZen::EvaluationRequest &request,
                           Policy::Effect effect, const Policy::Template *matchedTemplate,
                           const QJsonObject &eventData);
    // Queues the decision's record, if any, and reports its commit to `recorded`.
    QJsonObject settle(PendingDecision pending, RecordedCallback recorded);
    ApprovalCheck verifyApproval(const Identity &caller, const QJsonObject &approval,
                                 const AuthZen::EvaluationRequest &request);
    PendingDecision issueRequestableDenial(const Identity &caller, const AuthZen::EvaluationRequest &request,
                                           const Policy::Template &tmpl, QJsonObject extraContext = {});
    // Records an evaluation.permitted or evaluation.denied event if config().decisionEvents includes its kind.
    void recordEvaluationEvent(const QString &type, const AuthZen::EvaluationRequest &request, const QJsonObject &data);
    void recordReevaluation(const QString &callerId, const QString &approvalId, const AuthZen::EvaluationRequest &request,
                            const QJsonObject &decision);
    void auditRefusal(const Identity &who, const QString &taskId, bool approve, const QString &why);
    void decide(const Identity &approver, const QString &taskId, const QJsonObject &body, bool approve,
                ReplyCallback done);
    void logTaskTransitions(const QList<Store::EventRecord> &events);

    EscalationConfig m_config;
    Callbacks::Allowlist m_callbackAllowlist;
    std::shared_ptr<const Callbacks::HostResolver> m_callbackResolver = std::make_shared<Callbacks::SystemResolver>();
    Policy::PolicyStore *m_policies;
    Store::Store *m_store;
    const Jose::KeyRing *m_signingKeys; // the active key signs; read it anew for every token
    const Jose::KeySet *m_trustedKeys;
    std::shared_ptr<const Clock> m_clock;
    QTimer m_sweepTimer;
    // Signs catalog cursors. A new key per process, so a restart invalidates earlier cursors.
    const QByteArray m_catalogCursorKey = newCatalogCursorKey();

    static QByteArray newCatalogCursorKey();
};

} // namespace Recourse::Escalation
