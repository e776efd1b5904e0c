#include "core/escalation/escalationservice.h"

#include "core/base/logfields.h"
#include "core/base/rfc3339.h"
#include "core/escalation/bulktask.h"
#include "core/escalation/escalationlogging.h"
#include "core/escalation/internal.h"
#include "core/escalation/scope.h"
#include "core/escalation/taskview.h"
#include "core/json/json.h"

#include <QJsonArray>

Q_LOGGING_CATEGORY(lcEscalation, "recourse.escalation", QtWarningMsg)

namespace Recourse::Escalation {

namespace {

using Internal::BodyMember;
using Internal::BodyRule;

// The members each approver call takes (checkApproverBody()).
constexpr BodyRule kApproveBody[] = {{QLatin1StringView("comment"), BodyMember::String},
                                     {QLatin1StringView("approved_until"), BodyMember::StringOrNull},
                                     {QLatin1StringView("scope"), BodyMember::ObjectOrNull},
                                     {QLatin1StringView("items"), BodyMember::Array}};
constexpr BodyRule kDenyBody[] = {{QLatin1StringView("reason"), BodyMember::String},
                                  {QLatin1StringView("comment"), BodyMember::String},
                                  {QLatin1StringView("items"), BodyMember::Array}};
// A batch entry takes what the single call of its decision takes, so a deny entry with a scope
// or an approve entry with a reason is rejected as it would be there.
constexpr BodyRule kBatchApproveEntry[] = {{QLatin1StringView("task_id"), BodyMember::String},
                                           {QLatin1StringView("decision"), BodyMember::String},
                                           {QLatin1StringView("comment"), BodyMember::String},
                                           {QLatin1StringView("approved_until"), BodyMember::StringOrNull},
                                           {QLatin1StringView("scope"), BodyMember::ObjectOrNull},
                                           {QLatin1StringView("items"), BodyMember::Array}};
constexpr BodyRule kBatchDenyEntry[] = {{QLatin1StringView("task_id"), BodyMember::String},
                                        {QLatin1StringView("decision"), BodyMember::String},
                                        {QLatin1StringView("reason"), BodyMember::String},
                                        {QLatin1StringView("comment"), BodyMember::String},
                                        {QLatin1StringView("items"), BodyMember::Array}};
constexpr BodyRule kBatchBody[] = {{QLatin1StringView("decisions"), BodyMember::Array}};
constexpr BodyRule kRevokeBody[] = {{QLatin1StringView("comment"), BodyMember::String}};
constexpr BodyRule kPreviewBody[] = {{QLatin1StringView("task_id"), BodyMember::String},
                                     {QLatin1StringView("approved_until"), BodyMember::StringOrNull},
                                     {QLatin1StringView("scope"), BodyMember::ObjectOrNull},
                                     {QLatin1StringView("items"), BodyMember::Array}};

// Terminal tasks stay readable this long after their expiry, then the status endpoint answers
// task_expired.
constexpr qint64 kTerminalRetentionMs = 24LL * 3600 * 1000;

Error unknownTask(const QString &taskId)
{
    return Error::make(ErrorCode::UnknownTask, QStringLiteral("No task with this id is available to the caller."),
                       taskId.left(64));
}

Error notPending(const Store::TaskRecord &task)
{
    return Error::make(ErrorCode::InvalidTaskState,
                       QStringLiteral("The task is %1, so it cannot change any more.").arg(task.status), task.id);
}

// Ends a pending task with `status`. A bulk task moves only its pending items there and ends
// with the aggregate of all its items, so items decided earlier keep their outcome.
Result<void> close(Store::WriteTx &tx, Store::TaskRecord task, const QString &status, const QString &actor,
                   QJsonObject data)
{
    if (!BulkTask::isBulk(task))
        return Internal::finish(tx, task, status, actor, data);

    QJsonArray closed;
    for (const int position : BulkTask::closePending(task.doc, status))
        closed.append(position);
    data.insert(QStringLiteral("items"), closed);
    auto settled = BulkTask::settle(tx, task, actor, data);
    if (!settled)
        return settled.error();
    return {};
}

Result<void> expireIfDue(Store::WriteTx &tx, const QString &taskId)
{
    std::optional<Store::TaskRecord> task = tx.task(taskId);
    if (!task || task->status != QLatin1String("pending") || tx.nowMs() < task->expiresMs)
        return {};
    return close(tx, *task, QStringLiteral("expired"), {}, {});
}

} // namespace

EscalationService::EscalationService(EscalationConfig config, Policy::PolicyStore *policies, Store::Store *store,
                                     const Jose::KeyRing *signingKeys, const Jose::KeySet *trustedKeys,
                                     std::shared_ptr<const Clock> clock, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_policies(policies)
    , m_store(store)
    , m_signingKeys(signingKeys)
    , m_trustedKeys(trustedKeys)
    , m_clock(std::move(clock))
{
    // The profile advises against tolerating more than 60 seconds of clock skew.
    m_config.clockSkewSeconds = std::clamp<qint64>(m_config.clockSkewSeconds, 0, 60);

    m_sweepTimer.setInterval(1000);
    connect(&m_sweepTimer, &QTimer::timeout, this, [this] { sweep(); });
    m_sweepTimer.start();

    // Logged from the committed events, so a job that rolled back never shows up as a transition.
    connect(m_store, &Store::Store::eventsCommitted, this, &EscalationService::logTaskTransitions);
}

void EscalationService::logTaskTransitions(const QList<Store::EventRecord> &events)
{
    if (!lcEscalation().isInfoEnabled())
        return;
    for (const Store::EventRecord &event : events) {
        if (!event.type.startsWith(QLatin1String("task.")) || event.type == QLatin1String("task.progressed"))
            continue;

        // A task is created pending, and only a pending task changes its status.
        const bool created = event.type == QLatin1String("task.created");
        const QString from = created ? QString() : QStringLiteral("pending");
        const QString to = created ? QStringLiteral("pending") : event.type.mid(5);
        QString actor = event.data.value(created ? QStringLiteral("requester") : QStringLiteral("approver")).toString();
        if (actor.isEmpty())
            actor = QStringLiteral("system");

        const Log::ScopedFields fields(QJsonObject{{QStringLiteral("task_id"), event.taskId},
                                                   {QStringLiteral("from"), from.isEmpty() ? QJsonValue() : QJsonValue(from)},
                                                   {QStringLiteral("to"), to},
                                                   {QStringLiteral("actor_id"), actor}});
        if (created)
            qCInfo(lcEscalation).noquote() << "Task" << event.taskId << "created as pending by" << actor;
        else
            qCInfo(lcEscalation).noquote() << "Task" << event.taskId << "moved from pending to" << to << "by" << actor;
    }
}

EscalationService::~EscalationService() = default;

void EscalationService::taskStatus(const Identity &caller, const QString &taskId, ReplyCallback done)
{
    Store::Reader reader(*m_store);
    const std::optional<Store::TaskRecord> task = reader.task(taskId);
    // A leaked handle is useless: another caller learns nothing, not even that the task exists.
    // So the ownership check comes first, and only the requester can learn that its credential
    // lacks the read operation.
    if (!task || task->requester != caller.id) {
        done(unknownTask(taskId));
        return;
    }
    if (!caller.mayPerform(TaskOperation::Read)) {
        done(Internal::forbidTaskOperation(caller, TaskOperation::Read, taskId));
        return;
    }
    replyWithStatus(*task, std::move(done));
}

void EscalationService::replyWithStatus(const Store::TaskRecord &task, ReplyCallback done)
{
    const QString taskId = task.id;
    const qint64 now = m_clock->nowMs();
    if (task.status != QLatin1String("pending") && now > task.expiresMs + kTerminalRetentionMs) {
        done(Error::make(ErrorCode::TaskExpired, QStringLiteral("The task has passed its retention period."), taskId));
        return;
    }

    // `known` is the task as read above; after an expiry write the task is read again.
    auto respond = [this, taskId, done](std::optional<Store::TaskRecord> known) {
        Store::Reader fresh(*m_store);
        const std::optional<Store::TaskRecord> current = known ? std::move(known) : fresh.task(taskId);
        if (!current) {
            done(unknownTask(taskId));
            return;
        }
        const auto policy = m_policies->current();
        Reply reply;
        reply.body = TaskView::statusBody(*current, m_config, policy->findTemplate(current->templateName),
                                          fresh.decisions(taskId), fresh.approvalsForTask(taskId));
        if (current->status == QLatin1String("pending"))
            reply.retryAfter = m_config.pollRetryAfterSeconds;
        done(reply);
    };

    if (task.status == QLatin1String("pending") && now >= task.expiresMs) {
        m_store->write([taskId](Store::WriteTx &tx) -> Result<QJsonObject> {
            if (auto r = expireIfDue(tx, taskId); !r)
                return r.error();
            return QJsonObject{};
        }, this, [respond, done](Result<QJsonObject> result) {
            if (!result) {
                done(result.error());
                return;
            }
            respond(std::nullopt);
        });
        return;
    }
    respond(task);
}

void EscalationService::cancel(const Identity &caller, const QString &taskId, const QJsonObject &body,
                               ReplyCallback done)
{
    // Unknown members are ignored, as on every PEP-facing endpoint, but a reason or comment that
    // would be cut or dropped is rejected, so what the PEP sent is what the audit trail keeps.
    for (const QLatin1StringView member : {QLatin1StringView("reason"), QLatin1StringView("comment")}) {
        const QJsonValue value = body.value(member);
        if (value.isUndefined() || (value.isString() && value.toString().size() <= 4000))
            continue;
        done(Error::make(ErrorCode::InvalidRequest,
                         QStringLiteral("The member %1 must be a string of at most 4,000 characters.").arg(member),
                         QString(member)));
        return;
    }
    const QString callerId = caller.id;
    const QString reason = body.value(QStringLiteral("reason")).toString();
    const QString comment = body.value(QStringLiteral("comment")).toString();
    const bool mayCancel = caller.mayPerform(TaskOperation::Cancel);
    m_store->write([=](Store::WriteTx &tx) -> Result<QJsonObject> {
        std::optional<Store::TaskRecord> task = tx.task(taskId);
        // As for reads: another caller's task is unknown, and only the requester learns that
        // its credential lacks the cancel operation. POST and DELETE both arrive here.
        if (!task || task->requester != callerId)
            return unknownTask(taskId);
        if (!mayCancel)
            return Internal::forbidTaskOperation(caller, TaskOperation::Cancel, taskId);
        if (auto r = expireIfDue(tx, taskId); !r)
            return r.error();
        task = tx.task(taskId);
        // A bulk task is pending while any item is, so this also refuses one whose items are all terminal.
        if (task->status != QLatin1String("pending"))
            return notPending(*task);
        const QJsonObject data{{QStringLiteral("reason"), reason}, {QStringLiteral("comment"), comment}};
        if (auto r = close(tx, *task, QStringLiteral("cancelled"), callerId, data); !r)
            return r.error();
        return QJsonObject{};
    }, this, [this, taskId, done](Result<QJsonObject> result) {
        if (!result) {
            done(result.error());
            return;
        }
        // The status body is the cancel operation's own response, so it needs no read right.
        Store::Reader reader(*m_store);
        const std::optional<Store::TaskRecord> task = reader.task(taskId);
        if (!task) {
            done(unknownTask(taskId));
            return;
        }
        replyWithStatus(*task, done);
    });
}

Result<Reply> EscalationService::listTasks(const Identity &caller, const Store::TaskFilter &filter)
{
    Store::Reader reader(*m_store);
    const auto policy = m_policies->current();
    const QList<Store::TaskRecord> tasks = reader.tasks(filter);

    QJsonArray list;
    for (const Store::TaskRecord &task : tasks) {
        // The list shows workflow progress, so decisions are read per task; approvals and
        // re-evaluations are detail-only.
        list.append(TaskView::adminTask(task, policy->findTemplate(task.templateName), reader.decisions(task.id), {}, {},
                                        caller, false));
    }
    Reply reply;
    reply.body.insert(QStringLiteral("tasks"), list);
    if (tasks.size() == qBound(1, filter.limit, 1000) && !tasks.isEmpty()) {
        const Store::TaskRecord &last = tasks.constLast();
        reply.body.insert(QStringLiteral("next_cursor"), QString(QString::number(last.createdMs) + u'.' + last.id));
    }
    return reply;
}

Result<Reply> EscalationService::taskDetail(const Identity &caller, const QString &taskId)
{
    Store::Reader reader(*m_store);
    const std::optional<Store::TaskRecord> task = reader.task(taskId);
    if (!task)
        return unknownTask(taskId);
    const auto policy = m_policies->current();
    Reply reply;
    reply.body = TaskView::adminTask(*task, policy->findTemplate(task->templateName), reader.decisions(taskId),
                                     reader.approvalsForTask(taskId), reader.reevaluationsForTask(taskId), caller, true);
    if (task->doc.contains(QStringLiteral("callback"))) {
        reply.body.insert(QStringLiteral("callback"), Callbacks::adminSummary(*task, reader.callbackDeliveries(taskId),
                                                                              reader.callbackAttempts(taskId)));
    }
    return reply;
}

void EscalationService::approve(const Identity &approver, const QString &taskId, const QJsonObject &body,
                                ReplyCallback done)
{
    if (auto checked = Internal::checkApproverBody(body, kApproveBody); !checked) {
        done(checked.error());
        return;
    }
    decide(approver, taskId, body, true, std::move(done));
}

void EscalationService::deny(const Identity &approver, const QString &taskId, const QJsonObject &body,
                             ReplyCallback done)
{
    if (auto checked = Internal::checkApproverBody(body, kDenyBody); !checked) {
        done(checked.error());
        return;
    }
    decide(approver, taskId, body, false, std::move(done));
}

void EscalationService::decide(const Identity &approver, const QString &taskId, const QJsonObject &body, bool approve,
                               ReplyCallback done)
{
    // Validate the body before anything is queued.
    const QString comment = body.value(QStringLiteral("comment")).toString();
    const QString reason = body.value(QStringLiteral("reason")).toString();
    if (comment.size() > 4000 || reason.size() > 4000) {
        done(Error::make(ErrorCode::InvalidRequest, QStringLiteral("comment and reason are limited to 4,000 characters."),
                         comment.size() > 4000 ? QStringLiteral("comment") : QStringLiteral("reason")));
        return;
    }
    qint64 requestedUntilMs = 0;
    const QJsonValue until = body.value(QStringLiteral("approved_until"));
    if (until.isString()) {
        auto parsed = Rfc3339::parse(until.toString());
        if (!parsed) {
            done(Error::make(ErrorCode::InvalidRequest, QStringLiteral("approved_until: ") + parsed.error().message,
                             until.toString()));
            return;
        }
        requestedUntilMs = parsed.value();
        // grant() treats an end that already passed as "none named" and gives the template's
        // default, which is more than this approver meant to grant.
        if (requestedUntilMs <= m_clock->nowMs()) {
            done(Error::make(ErrorCode::InvalidRequest, QStringLiteral("approved_until must be in the future."),
                             until.toString()));
            return;
        }
    } else if (!until.isUndefined() && !until.isNull()) {
        done(Error::make(ErrorCode::InvalidRequest, QStringLiteral("approved_until must be an RFC 3339 string."),
                         QStringLiteral("approved_until")));
        return;
    }
    const QJsonValue requestedScope = body.value(QStringLiteral("scope"));
    const QJsonValue requestedItems = body.value(QStringLiteral("items"));

    const auto policy = m_policies->current();
    const EscalationConfig config = m_config;
    // The job keeps the key it was queued with alive, even when a rotation replaces it meanwhile.
    const std::shared_ptr<const Jose::SigningKey> key = m_signingKeys->activeKey();
    const Identity who = approver;
    m_store->write([=](Store::WriteTx &tx) -> Result<QJsonObject> {
        if (auto r = expireIfDue(tx, taskId); !r)
            return r.error();
        auto bundle = Internal::loadBundle(tx, taskId);
        if (!bundle)
            return unknownTask(taskId);
        Store::TaskRecord &task = bundle->task;
        if (task.status != QLatin1String("pending"))
            return notPending(task);
        const Policy::Template *tmpl = policy->findTemplate(task.templateName);
        if (!tmpl) {
            return Error::make(ErrorCode::InvalidTaskState,
                               QStringLiteral("The template %1 is no longer in the policy.").arg(task.templateName));
        }

        // Items of a bulk task are decided one by one, each with its own workflow and approval.
        if (BulkTask::isBulk(task)) {
            BulkTask::DecisionInput input;
            input.approve = approve;
            input.items = requestedItems;
            input.scope = requestedScope;
            input.approvedUntilMs = requestedUntilMs;
            input.comment = comment;
            input.reason = reason;
            if (auto r = BulkTask::decide(tx, *bundle, *tmpl, who, input, config, *key); !r)
                return r.error();
            return QJsonObject{};
        }
        if (!requestedItems.isUndefined() && !requestedItems.isNull()) {
            return Error::make(ErrorCode::InvalidRequest,
                               QStringLiteral("items selects items of a bulk task; this task has a single resource and "
                                              "action, so leave items out."),
                               QStringLiteral("items"));
        }

        // Every path to a decision goes through this one check.
        auto step = checkEligibility(who, task, *tmpl, bundle->decisions);
        // The scope is judged against the template only when approving; a deny has none.
        QJsonObject scope{{QStringLiteral("mode"), QStringLiteral("exact")}};
        if (approve && step) {
            auto normalized = Scope::normalize(requestedScope, task, *tmpl);
            if (!normalized)
                return normalized.error();
            scope = normalized.value();
        }
        // A refusal is audited by a separate job after this one rolls back.
        if (!step)
            return step.error();

        Store::DecisionRecord decision;
        decision.taskId = taskId;
        decision.step = step.value();
        decision.approver = who.id;
        decision.decision = approve ? QStringLiteral("approve") : QStringLiteral("deny");
        decision.comment = comment;
        decision.reason = reason;
        decision.atMs = tx.nowMs();
        if (auto r = tx.insertDecision(decision); !r)
            return r.error();
        bundle->decisions.append(decision);

        const QJsonObject data{{QStringLiteral("decision"), decision.decision},
                               {QStringLiteral("step"), decision.step + 1},
                               {QStringLiteral("comment"), comment},
                               {QStringLiteral("reason"), reason}};
        if (!approve) {
            if (auto r = Internal::finish(tx, task, QStringLiteral("denied"), who.id, data); !r)
                return r.error();
            return QJsonObject{};
        }

        const WorkflowProgress progress = progressOf(*tmpl, bundle->decisions);
        if (!progress.complete) {
            if (auto r = Internal::audit(tx, QStringLiteral("task.progressed"), who.id, task, data); !r)
                return r.error();
            QJsonObject eventData = data;
            eventData.insert(QStringLiteral("status"), task.status);
            eventData.insert(QStringLiteral("approver"), who.id);
            if (auto r = Internal::event(tx, QStringLiteral("task.progressed"), task, eventData); !r)
                return r.error();
            if (auto r = tx.updateTaskDoc(task.id, task.doc); !r)
                return r.error();
            return QJsonObject{};
        }

        // Without an explicit end from the approver, the PEP's requested_until is granted (still
        // bounded by the template).
        const qint64 requested = requestedUntilMs > 0 ? requestedUntilMs : Internal::requestedUntilOf(task.doc);
        auto granted = Internal::grant(tx, task, *tmpl, who.id, requested, scope, config, *key);
        if (!granted)
            return granted.error();
        return QJsonObject{};
    }, this, [this, who, taskId, done, approve](Result<QJsonObject> result) {
        if (!result) {
            if (result.error().code == ErrorCode::NotEligible)
                auditRefusal(who, taskId, approve, result.error().message);
            done(result.error());
            return;
        }
        done(taskDetail(who, taskId));
    });
}

void EscalationService::auditRefusal(const Identity &who, const QString &taskId, bool approve, const QString &why)
{
    m_store->writeDetached([who, taskId, approve, why](Store::WriteTx &tx) -> Result<QJsonObject> {
        std::optional<Store::TaskRecord> task = tx.task(taskId);
        if (!task)
            return QJsonObject{};
        const QJsonObject data{{QStringLiteral("decision"), approve ? QStringLiteral("approve") : QStringLiteral("deny")},
                               {QStringLiteral("reason"), why}};
        if (auto r = Internal::audit(tx, QStringLiteral("decision.refused"), who.id, *task, data); !r)
            return r.error();
        return QJsonObject{};
    });
}

void EscalationService::revoke(const Identity &approver, const QString &approvalId, const QJsonObject &body,
                               ReplyCallback done)
{
    if (auto checked = Internal::checkApproverBody(body, kRevokeBody); !checked) {
        done(checked.error());
        return;
    }
    const QString comment = body.value(QStringLiteral("comment")).toString().left(4000);
    const Identity who = approver;
    const auto policy = m_policies->current();
    auto taskIdHolder = std::make_shared<QString>();
    m_store->write([=](Store::WriteTx &tx) -> Result<QJsonObject> {
        const std::optional<Store::ApprovalRecord> approval = tx.approval(approvalId);
        if (!approval)
            return Error::make(ErrorCode::NotFound, QStringLiteral("No approval with this id exists."), approvalId.left(64));
        std::optional<Store::TaskRecord> task = tx.task(approval->taskId);
        if (!task)
            return unknownTask(approval->taskId);
        *taskIdHolder = task->id;
        if (!who.canDecide())
            return Error::make(ErrorCode::Forbidden, QStringLiteral("Only approvers and admins can revoke approvals."));
        // Revoking narrows access, so any approver of the template's groups may do it, including
        // the one who granted it; admins always may.
        const Policy::Template *tmpl = policy->findTemplate(task->templateName);
        bool inGroup = who.role == Role::Admin;
        for (const Policy::WorkflowStep &step : tmpl ? tmpl->steps : QList<Policy::WorkflowStep>{}) {
            for (const QString &group : step.groups)
                inGroup = inGroup || who.groups.contains(group);
        }
        if (!inGroup && approval->requester != who.id)
            return Error::make(ErrorCode::NotEligible, QStringLiteral("%1 is not an approver of this template.").arg(who.id));
        if (auto r = tx.revokeApproval(approvalId, who.id); !r)
            return r.error();
        const QJsonObject data{{QStringLiteral("approval_id"), approvalId},
                               {QStringLiteral("approver"), who.id},
                               {QStringLiteral("comment"), comment}};
        if (auto r = Internal::audit(tx, QStringLiteral("approval.revoked"), who.id, *task, data, approvalId); !r)
            return r.error();
        if (auto r = Internal::event(tx, QStringLiteral("approval.revoked"), *task, data); !r)
            return r.error();
        return QJsonObject{};
    }, this, [this, who, taskIdHolder, done](Result<QJsonObject> result) {
        if (!result) {
            done(result.error());
            return;
        }
        done(taskDetail(who, *taskIdHolder));
    });
}

Result<Reply> EscalationService::listDenials(const Identity &, qint64 beforeMs, qint64 beforeRowId, int limit)
{
    Store::Reader reader(*m_store);
    QJsonArray list;
    // One more than the page, so the last page is known to be the last and carries no cursor.
    QList<Store::EvaluationRecord> denials = reader.recentDenials(beforeMs, beforeRowId, limit + 1);
    const bool more = denials.size() > limit;
    if (more)
        denials.removeLast();
    for (const Store::EvaluationRecord &r : denials) {
        QJsonObject entry{{QStringLiteral("evaluation_id"), r.id},
                          {QStringLiteral("evaluated_at"), Rfc3339::format(r.createdMs)},
                          {QStringLiteral("expires_at"), Rfc3339::format(r.expiresMs)},
                          {QStringLiteral("subject"), r.subject},
                          {QStringLiteral("resource"), r.resource},
                          {QStringLiteral("action"), r.action},
                          {QStringLiteral("context"), r.context},
                          {QStringLiteral("template"), r.templateName},
                          {QStringLiteral("reason"), r.reason},
                          {QStringLiteral("caller"), r.caller}};
        if (!r.taskId.isEmpty())
            entry.insert(QStringLiteral("task_id"), r.taskId);
        list.append(entry);
    }
    Reply reply;
    reply.body.insert(QStringLiteral("denials"), list);
    if (more) {
        const Store::EvaluationRecord &last = denials.constLast();
        reply.body.insert(QStringLiteral("next_cursor"), QString(QString::number(last.createdMs) + u'.' + QString::number(last.rowId)));
    }
    return reply;
}

void EscalationService::sweep(std::function<void()> done)
{
    const qint64 retentionMs = m_config.eventRetentionSeconds * 1000;
    m_store->write([retentionMs](Store::WriteTx &tx) -> Result<QJsonObject> {
        const qint64 now = tx.nowMs();
        for (const QString &taskId : tx.expiredPendingTasks(now, 500)) {
            if (auto r = expireIfDue(tx, taskId); !r)
                return r.error();
        }
        if (auto r = tx.purgeExpired(now); !r)
            return r.error();
        // NOTE: 5,000 deletions a second exceed the 1,200 events/s of the live-events benchmark, but
        // not the 19,000 to 56,000 permits/s recorded with --decision-events all under full load.
        if (retentionMs > 0) {
            if (auto r = tx.purgeEventsBefore(now - retentionMs, 5000); !r)
                return r.error();
        }
        return QJsonObject{};
    }, this, [done](Result<QJsonObject> result) {
        if (!result)
            qCWarning(lcEscalation) << "The expiry sweep failed:" << result.error().message;
        if (done)
            done();
    });
}

} // namespace Recourse::Escalation

namespace Recourse::Escalation {

Result<Reply> EscalationService::audit(const QUrlQuery &query)
{
    Store::AuditFilter filter;
    filter.taskId = query.queryItemValue(QStringLiteral("task_id"), QUrl::FullyDecoded);
    filter.evaluationId = query.queryItemValue(QStringLiteral("evaluation_id"), QUrl::FullyDecoded);
    filter.subjectId = query.queryItemValue(QStringLiteral("subject"), QUrl::FullyDecoded);
    filter.actor = query.queryItemValue(QStringLiteral("approver"), QUrl::FullyDecoded);
    for (const auto &[name, target] : {std::pair{"since", &filter.sinceMs}, std::pair{"until", &filter.untilMs}}) {
        const QString text = query.queryItemValue(QLatin1String(name), QUrl::FullyDecoded);
        if (text.isEmpty())
            continue;
        auto parsed = Rfc3339::parse(text);
        if (!parsed)
            return Error::make(ErrorCode::InvalidRequest, QLatin1String(name) + QStringLiteral(": ") + parsed.error().message, text);
        *target = parsed.value();
    }
    const QString after = query.queryItemValue(QStringLiteral("after"));
    if (!after.isEmpty()) {
        bool ok = false;
        filter.afterSeq = after.toLongLong(&ok);
        if (!ok || filter.afterSeq < 0)
            return Error::make(ErrorCode::InvalidRequest, QStringLiteral("after must be a non-negative integer."), after);
    }

    QJsonArray records;
    for (const Store::AuditRecord &record : Store::Reader(*m_store).audit(filter))
        records.append(record.toJson());
    Reply reply;
    reply.body.insert(QStringLiteral("records"), records);
    return reply;
}

QJsonObject EscalationService::verifyAudit()
{
    const Store::AuditVerification result = Store::Reader(*m_store).verifyAudit();
    QJsonObject object{{QStringLiteral("ok"), result.ok},
                       {QStringLiteral("records"), double(result.records)},
                       {QStringLiteral("message"), result.message}};
    if (!result.ok)
        object.insert(QStringLiteral("first_broken_seq"), double(result.firstBrokenSeq));
    return object;
}

} // namespace Recourse::Escalation

namespace Recourse::Escalation {

void EscalationService::decideBatch(const Identity &approver, const QJsonObject &body, BatchCallback done)
{
    const QJsonValue list = body.value(QStringLiteral("decisions"));
    if (!list.isArray() || list.toArray().isEmpty()) {
        done(Error::make(ErrorCode::InvalidRequest, QStringLiteral("decisions must be a non-empty array."),
                         QStringLiteral("decisions")));
        return;
    }
    if (list.toArray().size() > 500) {
        done(Error::make(ErrorCode::InvalidRequest, QStringLiteral("A batch decides at most 500 tasks."),
                         QStringLiteral("decisions")));
        return;
    }
    // A member such as "dry_run" must not be ignored while every entry is decided for real.
    if (auto checked = Internal::checkApproverBody(body, kBatchBody); !checked) {
        done(checked.error());
        return;
    }

    // Entries run one after another so their outcomes come back in request order.
    struct Batch
    {
        QJsonArray entries;
        std::vector<BatchOutcome> outcomes;
        qsizetype next = 0;
    };
    auto batch = std::make_shared<Batch>();
    batch->entries = list.toArray();
    auto step = std::make_shared<std::function<void()>>();
    *step = [this, approver, batch, step, done] {
        if (batch->next == batch->entries.size()) {
            done(std::move(batch->outcomes));
            *step = nullptr; // breaks the self-reference
            return;
        }
        const QJsonObject entry = batch->entries.at(batch->next++).toObject();
        const QString taskId = entry.value(QStringLiteral("task_id")).toString();
        const QString decision = entry.value(QStringLiteral("decision")).toString();
        auto record = [batch, step, taskId](Result<Reply> result) {
            if (result)
                batch->outcomes.push_back({taskId, result->body.value(QStringLiteral("status")).toString()});
            else
                batch->outcomes.push_back({taskId, result.error()});
            (*step)();
        };
        if (taskId.isEmpty() || (decision != QLatin1String("approve") && decision != QLatin1String("deny"))) {
            record(Error::make(ErrorCode::InvalidRequest,
                               QStringLiteral("Each entry needs task_id and decision \"approve\" or \"deny\"."),
                               Json::displayText(batch->entries.at(batch->next - 1)).left(200)));
            return;
        }
        const bool approve = decision == QLatin1String("approve");
        if (auto checked = Internal::checkApproverBody(entry, approve ? std::span<const BodyRule>(kBatchApproveEntry)
                                                                      : std::span<const BodyRule>(kBatchDenyEntry));
            !checked) {
            record(checked.error());
            return;
        }
        decide(approver, taskId, entry, approve, record);
    };
    (*step)();
}

Result<Reply> EscalationService::preview(const Identity &caller, const QJsonObject &body)
{
    if (auto checked = Internal::checkApproverBody(body, kPreviewBody); !checked)
        return checked.error();
    const QString taskId = body.value(QStringLiteral("task_id")).toString();
    Store::Reader reader(*m_store);
    const std::optional<Store::TaskRecord> task = reader.task(taskId);
    if (!task)
        return unknownTask(taskId);
    const auto policy = m_policies->current();
    const Policy::Template *tmpl = policy->findTemplate(task->templateName);
    if (!tmpl)
        return Error::make(ErrorCode::InvalidTaskState, QStringLiteral("The template %1 is no longer in the policy.")
                                                              .arg(task->templateName));

    // A bulk task previews the chosen items, each approved exactly as requested.
    const bool bulk = BulkTask::isBulk(*task);
    Result<QJsonObject> scope = QJsonObject{{QStringLiteral("mode"), QStringLiteral("exact")}};
    QList<QPair<QJsonObject, QJsonObject>> covered;
    if (bulk) {
        auto itemPairs = BulkTask::coveredPairs(body.value(QStringLiteral("items")), body.value(QStringLiteral("scope")),
                                                *task, *tmpl);
        if (!itemPairs)
            return itemPairs.error();
        covered = itemPairs.value();
    } else {
        scope = Scope::normalize(body.value(QStringLiteral("scope")), *task, *tmpl);
        if (!scope)
            return scope.error();
        covered = Scope::coveredPairs(scope.value(), *task);
    }

    // The end the approval itself would get, rejected where approving would be: the approver's
    // approved_until, else the requested_until of the task or of each chosen item.
    const qint64 now = m_clock->nowMs();
    QList<qint64> requestedEnds;
    const QJsonValue until = body.value(QStringLiteral("approved_until"));
    if (until.isString()) {
        auto parsed = Rfc3339::parse(until.toString());
        if (!parsed)
            return Error::make(ErrorCode::InvalidRequest, QStringLiteral("approved_until: ") + parsed.error().message,
                               until.toString());
        if (parsed.value() <= now)
            return Error::make(ErrorCode::InvalidRequest, QStringLiteral("approved_until must be in the future."),
                               until.toString());
        requestedEnds.append(parsed.value());
    } else if (bulk) {
        const QJsonArray items = task->doc.value(QStringLiteral("items")).toArray();
        auto positions = BulkTask::selectPending(body.value(QStringLiteral("items")), items);
        if (!positions)
            return positions.error();
        for (const int position : positions.value())
            requestedEnds.append(Internal::requestedUntilOf(items.at(position).toObject()));
    } else {
        requestedEnds.append(Internal::requestedUntilOf(task->doc));
    }
    // Items may end at different times; the preview names the latest.
    qint64 untilMs = 0;
    for (const qint64 requested : std::as_const(requestedEnds)) {
        const Result<qint64> end = Internal::approvalEnd(*tmpl, now, requested);
        if (!end)
            return end.error();
        untilMs = qMax(untilMs, end.value());
    }

    const QJsonObject subject = task->doc.value(QStringLiteral("subject")).toObject();
    const QJsonObject context = task->doc.value(QStringLiteral("context")).toObject();
    QJsonArray pairs;
    for (const auto &[resource, action] : covered) {
        const Policy::Decision decision = policy->explain(Policy::Request{subject, resource, action, context});
        QString outcome;
        if (decision.effect == Policy::Effect::Permit)
            outcome = QStringLiteral("already_permitted");
        else if (decision.effect == Policy::Effect::Requestable && decision.tmpl && decision.tmpl->name == tmpl->name)
            outcome = QStringLiteral("unlocked");
        else
            outcome = QStringLiteral("still_denied");
        pairs.append(QJsonObject{{QStringLiteral("resource"), resource},
                                 {QStringLiteral("action"), action},
                                 {QStringLiteral("outcome"), outcome},
                                 {QStringLiteral("effect"), Policy::effectName(decision.effect)},
                                 {QStringLiteral("rule"), decision.ruleId},
                                 {QStringLiteral("explanation"), decision.explanation}});
    }

    const QString untilText = Rfc3339::format(untilMs);
    Reply reply;
    reply.body = QJsonObject{{QStringLiteral("task_id"), taskId},
                             {QStringLiteral("scope"), scope.value()},
                             {QStringLiteral("approved_until"), untilText},
                             {QStringLiteral("summary"), bulk ? BulkTask::describe(*task, covered, untilText)
                                                              : Scope::describe(scope.value(), *task, untilText)},
                             {QStringLiteral("pairs"), pairs},
                             {QStringLiteral("viewer"), caller.id}};
    return reply;
}

} // namespace Recourse::Escalation
