#pragma once

// Task and event objects shaped like the approver API's, and an in-memory task list behind the
// fake approver service, for the client-protocol side of the console tests.

#include "tests/client/fakeapproverservice.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QRegularExpression>
#include <QUrlQuery>

namespace Recourse::Testing {

// 2026-12-04T10:00:00Z, the reference "now" of the fixtures.
constexpr qint64 FixtureNowMs = 1796378400000;

inline QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate);
}

// A task in the service's full (detail) form: alice's agent asking to read a restricted log.
inline QJsonObject makeTask(const QString &id, const QString &status, qint64 createdMs,
                            const QString &resourceId = QStringLiteral("payments-provider"))
{
    const QJsonObject subject{{QStringLiteral("type"), QStringLiteral("user")},
                              {QStringLiteral("id"), QStringLiteral("alice")},
                              {QStringLiteral("properties"),
                               QJsonObject{{QStringLiteral("act"), QJsonObject{{QStringLiteral("sub"), QStringLiteral("agent-7")},
                                                                                {QStringLiteral("sub_profile"), QStringLiteral("ai_agent")}}}}}};
    const QJsonObject resource{{QStringLiteral("type"), QStringLiteral("log")}, {QStringLiteral("id"), resourceId},
                               {QStringLiteral("properties"), QJsonObject{{QStringLiteral("tenant"), QStringLiteral("acme")}}}};
    const QJsonObject action{{QStringLiteral("name"), QStringLiteral("can_read")}};
    const QJsonObject context{{QStringLiteral("tenant"), QStringLiteral("acme")},
                              {QStringLiteral("ip"), QStringLiteral("10.1.2.3")},
                              {QStringLiteral("device"), QJsonObject{{QStringLiteral("id"), QStringLiteral("laptop-42")},
                                                                     {QStringLiteral("managed"), true}}},
                              {QStringLiteral("business_justification"), QStringLiteral("Chargeback dispute #881")}};
    const QJsonObject workflow{
        {QStringLiteral("steps"),
         QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("manager")},
                                {QStringLiteral("groups"), QJsonArray{QStringLiteral("managers")}},
                                {QStringLiteral("quorum"), 1},
                                {QStringLiteral("approvals"), QJsonArray{}},
                                {QStringLiteral("complete"), false}},
                    QJsonObject{{QStringLiteral("name"), QStringLiteral("security")},
                                {QStringLiteral("groups"), QJsonArray{QStringLiteral("security")}},
                                {QStringLiteral("quorum"), 1},
                                {QStringLiteral("approvals"), QJsonArray{}},
                                {QStringLiteral("complete"), false}}}},
        {QStringLiteral("current_step"), 1},
        {QStringLiteral("total_steps"), 2},
        {QStringLiteral("awaiting_groups"), QJsonArray{QStringLiteral("managers"), QStringLiteral("security")}}};

    QJsonObject task{
        {QStringLiteral("id"), id},
        {QStringLiteral("status"), status},
        {QStringLiteral("created_at"), isoTime(createdMs)},
        {QStringLiteral("updated_at"), isoTime(createdMs)},
        {QStringLiteral("expires_at"), isoTime(createdMs + 3600 * 1000)},
        {QStringLiteral("template"), QStringLiteral("security_review")},
        {QStringLiteral("template_title"), QStringLiteral("Security review")},
        {QStringLiteral("subject"), subject},
        {QStringLiteral("resource"), resource},
        {QStringLiteral("action"), action},
        {QStringLiteral("context"), context},
        {QStringLiteral("binding_context_members"), QJsonArray{QStringLiteral("tenant"), QStringLiteral("ip"), QStringLiteral("device")}},
        {QStringLiteral("evaluation"), QJsonObject{{QStringLiteral("evaluation_id"), QString(QStringLiteral("evl_") + id.mid(4))},
                                                   {QStringLiteral("evaluated_at"), isoTime(createdMs - 2000)},
                                                   {QStringLiteral("expires_at"), isoTime(createdMs + 600 * 1000)},
                                                   {QStringLiteral("reason"), QStringLiteral("approval_required")}}},
        {QStringLiteral("requester"), QJsonObject{{QStringLiteral("id"), QStringLiteral("pep-a")},
                                                  {QStringLiteral("client"), QJsonObject{{QStringLiteral("name"), QStringLiteral("support-gateway")}}}}},
        {QStringLiteral("actor_chain"), QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("agent-7")},
                                                               {QStringLiteral("type"), QStringLiteral("ai_agent")},
                                                               {QStringLiteral("verified"), true}}}},
        {QStringLiteral("justification"), QStringLiteral("Chargeback dispute #881")},
        {QStringLiteral("requested_access"), QJsonObject{{QStringLiteral("requested_until"), isoTime(createdMs + 2 * 3600 * 1000)}}},
        {QStringLiteral("emergency"), false},
        {QStringLiteral("workflow"), workflow},
        {QStringLiteral("decisions"), QJsonArray{}},
        {QStringLiteral("approvals"), QJsonArray{}},
        {QStringLiteral("reevaluations"), QJsonArray{}},
        {QStringLiteral("can_decide"), status == u"pending"},
    };
    if (status != u"pending") {
        task.insert(QStringLiteral("decided_by"), QStringLiteral("bob"));
        task.insert(QStringLiteral("cannot_decide_reason"), QStringLiteral("The task is no longer pending."));
    }
    return task;
}

// The list form drops the members the API marks detail only.
inline QJsonObject listForm(QJsonObject task)
{
    for (const auto member : {u"context", u"evaluation", u"decisions", u"approvals", u"reevaluations"})
        task.remove(QString::fromUtf16(member));
    return task;
}

inline QJsonObject makeEvent(qint64 seq, const QString &type, const QString &taskId, qint64 timeMs,
                             const QJsonObject &data = {})
{
    QJsonObject event{{QStringLiteral("seq"), seq},
                      {QStringLiteral("type"), type},
                      {QStringLiteral("time"), isoTime(timeMs)},
                      {QStringLiteral("data"), data}};
    if (!taskId.isEmpty())
        event.insert(QStringLiteral("task_id"), taskId);
    return event;
}

// The task list and task calls of the approver API over an in-memory map, newest first, with
// cursor paging. Decisions change the stored task as the service would for a one-step workflow.
class FakeTaskBackend
{
public:
    explicit FakeTaskBackend(FakeApproverService &service) : m_service(service)
    {
        m_service.handler = [this](const FakeHttpRequest &request) { return handle(request); };
    }

    void put(const QJsonObject &task) { m_tasks.insert(task.value(u"id").toString(), task); }
    QJsonObject get(const QString &id) const { return m_tasks.value(id); }
    int pageSize = 2;
    int taskGets = 0;

private:
    FakeHttpResponse json(const QJsonObject &object, int status = 200) const
    {
        return FakeHttpResponse{status, "application/json", QJsonDocument(object).toJson(QJsonDocument::Compact), {}};
    }

    FakeHttpResponse handle(const FakeHttpRequest &request)
    {
        static const QRegularExpression taskPath(QStringLiteral("^/admin/v1/tasks/([^/]+)(/approve|/deny)?$"));
        const QString path = request.path();
        if (path == u"/admin/v1/whoami")
            return json({{QStringLiteral("id"), QStringLiteral("bob")},
                         {QStringLiteral("role"), QStringLiteral("approver")},
                         {QStringLiteral("groups"), QJsonArray{QStringLiteral("managers")}}});
        if (path == u"/admin/v1/tasks")
            return listPage(QUrlQuery(request.query()));

        const QRegularExpressionMatch match = taskPath.match(path);
        if (!match.hasMatch() || !m_tasks.contains(match.captured(1)))
            return FakeHttpResponse{404, "application/problem+json",
                                    R"({"type":"urn:openid:authzen:access-request:error:unknown_task","title":"Unknown task","status":404})",
                                    {}};

        const QString id = match.captured(1);
        if (match.captured(2).isEmpty()) {
            ++taskGets;
            return json(m_tasks.value(id));
        }

        QJsonObject task = m_tasks.value(id);
        if (task.value(u"status").toString() != u"pending")
            return FakeHttpResponse{409, "application/problem+json",
                                    R"({"type":"urn:openid:authzen:access-request:error:invalid_task_state","status":409,"detail":"The task is no longer pending."})",
                                    {}};
        const QJsonObject body = QJsonDocument::fromJson(request.body).object();
        const bool approve = match.captured(2) == u"/approve";
        task.insert(QStringLiteral("status"), approve ? QStringLiteral("approved") : QStringLiteral("denied"));
        task.insert(QStringLiteral("decided_by"), QStringLiteral("bob"));
        task.insert(QStringLiteral("can_decide"), false);
        task.insert(QStringLiteral("cannot_decide_reason"), QStringLiteral("The task is no longer pending."));
        task.insert(QStringLiteral("decisions"),
                    QJsonArray{QJsonObject{{QStringLiteral("approver"), QStringLiteral("bob")},
                                           {QStringLiteral("decision"), approve ? QStringLiteral("approve") : QStringLiteral("deny")},
                                           {QStringLiteral("comment"), body.value(u"comment")},
                                           {QStringLiteral("reason"), body.value(u"reason")},
                                           {QStringLiteral("at"), isoTime(FixtureNowMs)}}});
        m_tasks.insert(id, task);
        return json(task);
    }

    FakeHttpResponse listPage(const QUrlQuery &query) const
    {
        QList<QJsonObject> tasks = m_tasks.values();
        std::sort(tasks.begin(), tasks.end(), [](const QJsonObject &a, const QJsonObject &b) {
            return a.value(u"created_at").toString() > b.value(u"created_at").toString();
        });
        const int start = query.queryItemValue(QStringLiteral("cursor")).toInt();
        QJsonArray page;
        for (int i = start; i < tasks.size() && page.size() < pageSize; ++i)
            page.append(listForm(tasks.at(i)));
        QJsonObject result{{QStringLiteral("tasks"), page}};
        if (start + pageSize < tasks.size())
            result.insert(QStringLiteral("next_cursor"), QString::number(start + pageSize));
        return json(result);
    }

    FakeApproverService &m_service;
    QMap<QString, QJsonObject> m_tasks;
};

} // namespace Recourse::Testing
