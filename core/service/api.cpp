#include "core/service/api.h"

#include "core/base/rfc3339.h"
#include "core/json/flatdocument.h"
#include "core/json/json.h"
#include "core/service/adminpolicyapi.h"
#include "core/service/errors.h"
#include "core/service/httpgrammar.h"
#include "core/service/metrics.h"
#include "core/service/problem.h"
#include "core/service/requestlog.h"
#include "core/service/searchapi.h"
#include "core/service/signingkeys.h"
#include "core/service/servicelogging.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QThread>

#include <optional>

namespace Recourse::Service {

using Escalation::Identity;
using Escalation::Reply;
using Escalation::Role;

namespace {

// Who may call a route.
enum class Access { Public, Pep, AdminRead, AdminWrite };

Http::Response jsonResponse(int status, const QJsonObject &body)
{
    // A plain decision is by far the most common body, and its text never changes. Serializing it
    // took about 2% of the instructions of a single evaluation.
    if (body.size() == 1) {
        const auto decision = body.constFind(QLatin1StringView("decision"));
        if (decision != body.constEnd() && (*decision).type() == QJsonValue::Bool) {
            return Http::Response::json(status, (*decision).toBool() ? QByteArrayLiteral("{\"decision\":true}")
                                                                     : QByteArrayLiteral("{\"decision\":false}"));
        }
    }
    return Http::Response::json(status, Json::serialize(body));
}

Http::Response replyResponse(const Reply &reply)
{
    Http::Response response = jsonResponse(reply.status, reply.body);
    if (!reply.location.isEmpty())
        response.setHeader(QByteArrayLiteral("Location"), reply.location.toUtf8());
    if (reply.retryAfter >= 0)
        response.setHeader(QByteArrayLiteral("Retry-After"), QByteArray::number(reply.retryAfter));
    return response;
}

Escalation::ReplyCallback replyTo(Http::Responder respond)
{
    return [respond = std::move(respond)](Result<Reply> result) {
        respond(result ? replyResponse(result.value()) : problemFor(result.error()));
    };
}

// The outcomes of a batch decision. A refused entry carries the problem object that the
// single-task endpoint returns, so a client reads one error shape.
QJsonObject batchOutcomes(const std::vector<Escalation::BatchOutcome> &outcomes)
{
    QJsonArray list;
    for (const Escalation::BatchOutcome &outcome : outcomes) {
        QJsonObject entry{{QStringLiteral("task_id"), outcome.taskId}};
        if (outcome.status)
            entry.insert(QStringLiteral("status"), outcome.status.value());
        else
            entry.insert(QStringLiteral("error"), QJsonDocument::fromJson(problemFor(outcome.status.error()).body).object());
        list.append(entry);
    }
    return QJsonObject{{QStringLiteral("outcomes"), list}};
}

Error error(ErrorCode code, const QString &message, const QString &value = {})
{
    return Error::make(code, message, value);
}

// A 405 names the methods the endpoint does accept in Allow (RFC 9110 section 15.5.6), so a
// client can correct itself without reading the documentation.
Http::Response methodNotAllowed(const Http::Request &request, QByteArrayView allowed)
{
    Http::Response response = problemFor(error(ErrorCode::MethodNotAllowed,
                                               QStringLiteral("This endpoint accepts %1.").arg(QLatin1StringView(allowed)),
                                               QString::fromLatin1(request.method.left(32))));
    response.setHeader(QByteArrayLiteral("Allow"), allowed.toByteArray());
    return response;
}

// Returns whether a Content-Type names application/json, whatever its parameters (charset, say).
bool isJsonMediaType(QByteArrayView contentType)
{
    const qsizetype semicolon = contentType.indexOf(';');
    const QByteArrayView mediaType = (semicolon < 0 ? contentType : contentType.first(semicolon)).trimmed();
    return mediaType.compare("application/json", Qt::CaseInsensitive) == 0;
}

// The AuthZEN API requires a JSON object body with Content-Type application/json.
Result<QJsonObject> jsonBody(const Http::Request &request)
{
    const QByteArray contentType = request.header("content-type");
    if (!isJsonMediaType(contentType)) {
        return error(ErrorCode::UnsupportedMediaType,
                     QStringLiteral("The request body must be sent with Content-Type: application/json."),
                     QString::fromLatin1(contentType.left(100)));
    }
    if (request.body.isEmpty())
        return error(ErrorCode::InvalidJson, QStringLiteral("The request body is empty; send a JSON object."));
    return Json::parseObject(request.body);
}

// Path segments after a prefix: "/admin/v1/tasks/abc/approve" with prefix "/admin/v1/tasks/"
// gives ["abc", "approve"].
QList<QByteArray> segmentsAfter(const QByteArray &path, QByteArrayView prefix)
{
    if (!path.startsWith(prefix))
        return {};
    return path.mid(prefix.size()).split('/');
}

bool isOpaqueId(const QByteArray &id)
{
    if (id.isEmpty() || id.size() > 128)
        return false;
    for (char c : id) {
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
            || c == '-';
        if (!allowed)
            return false;
    }
    return true;
}

// The top-level subject, action, resource and context of a batch, applied to each item. An item's
// subject, action, resource or context replaces the default as a whole (properties are never
// merged), except that identifying members the item's entity lacks (type, id, name) come from the
// default entity, as the certification's default-merging test requires. A default is validated
// once for all the items that inherit it, because validating it per item was a fifth of a batch.
class BatchDefaults
{
public:
    explicit BatchDefaults(const QJsonObject &body)
        : m_subject{AuthZen::EntityKind::Subject, QStringLiteral("subject"), body.value(QStringLiteral("subject")), {}}
        , m_resource{AuthZen::EntityKind::Resource, QStringLiteral("resource"), body.value(QStringLiteral("resource")), {}}
        , m_action{AuthZen::EntityKind::Action, QStringLiteral("action"), body.value(QStringLiteral("action")), {}}
        , m_context(body.value(QStringLiteral("context")))
    {
    }

    // Builds the item's request, or returns the error of its first invalid member in the order
    // subject, resource, action, context.
    Result<AuthZen::EvaluationRequest> apply(const QJsonObject &item)
    {
        auto subject = entity(m_subject, item);
        if (!subject)
            return subject.error();
        auto resource = entity(m_resource, item);
        if (!resource)
            return resource.error();
        auto action = entity(m_action, item);
        if (!action)
            return action.error();

        const auto ownContext = item.constFind(QStringLiteral("context"));
        const QJsonValue context = ownContext == item.constEnd() ? m_context : ownContext.value();
        if (auto valid = AuthZen::validateContext(context); !valid)
            return valid.error();
        return AuthZen::EvaluationRequest{subject.value(), resource.value(), action.value(), context.toObject()};
    }

private:
    struct Default
    {
        AuthZen::EntityKind kind;
        QString name;
        QJsonValue value;
        std::optional<Result<void>> check; // validateEntity() of value, run when an item first inherits it
    };

    static Result<QJsonObject> entity(Default &fallback, const QJsonObject &item)
    {
        const auto own = item.constFind(fallback.name);
        if (own == item.constEnd()) {
            if (!fallback.check) {
                fallback.check = AuthZen::validateEntity(fallback.kind, fallback.value, fallback.name);
                // Worded once per batch, so each inheriting item shows that the fault is in the
                // shared default. Without a default, the item's own member is simply missing.
                if (!*fallback.check && !fallback.value.isUndefined()) {
                    Error error = fallback.check->error();
                    error.message = QStringLiteral("This item inherits the top-level %1, which is invalid. %2")
                                        .arg(fallback.name, error.message);
                    fallback.check = Result<void>(error);
                }
            }
            if (!*fallback.check)
                return fallback.check->error();
            return fallback.value.toObject();
        }

        QJsonValue value = own.value();
        if (value.isObject() && fallback.value.isObject()) {
            QJsonObject merged = value.toObject();
            const QJsonObject defaults = fallback.value.toObject();
            const QStringList identity = fallback.kind == AuthZen::EntityKind::Action
                ? QStringList{QStringLiteral("name")}
                : QStringList{QStringLiteral("type"), QStringLiteral("id")};
            for (const QString &member : identity) {
                if (!merged.contains(member) && defaults.contains(member))
                    merged.insert(member, defaults.value(member));
            }
            value = merged;
        }
        if (auto valid = AuthZen::validateEntity(fallback.kind, value, fallback.name); !valid)
            return valid.error();
        return value.toObject();
    }

    Default m_subject;
    Default m_resource;
    Default m_action;
    QJsonValue m_context;
};

// GET /access/v1/templates/{template}/request-schema, .../catalogs and .../catalog{field}, where
// {field} is the JSON Pointer of a catalog-backed request field such as /context/entitlement.
void serveTemplateResource(Escalation::EscalationService *escalation, const Http::Request &request,
                           const Identity &caller, Http::Responder respond)
{
    const QList<QByteArray> parts = segmentsAfter(request.path, "/access/v1/templates/");
    const bool known = parts.size() >= 2
        && (parts.at(1) == "request-schema" || parts.at(1) == "catalogs" || parts.at(1) == "catalog");
    if (!known || parts.first().isEmpty() || parts.first().size() > 128)
        return respond(problemFor(error(ErrorCode::NotFound, QStringLiteral("No such endpoint."), QString::fromUtf8(request.path.left(200)))));
    if (request.method != "GET")
        return respond(methodNotAllowed(request, "GET"));

    const QString templateName = QString::fromUtf8(parts.first());
    Result<Reply> reply = error(ErrorCode::NotFound, QStringLiteral("No such endpoint."), QString::fromUtf8(request.path.left(200)));
    if (parts.at(1) == "request-schema" && parts.size() == 2) {
        reply = escalation->requestSchema(caller, templateName);
    } else if (parts.at(1) == "catalogs" && parts.size() == 2) {
        reply = escalation->catalogsDocument(caller, templateName);
    } else if (parts.at(1) == "catalog" && parts.size() > 2) {
        const QString fieldPointer = u'/' + QString::fromUtf8(parts.mid(2).join('/'));
        reply = escalation->listCatalog(caller, templateName, fieldPointer, request.query);
    }
    if (!reply)
        return respond(problemFor(reply.error()));

    Http::Response response = replyResponse(reply.value());
    // Catalog items are scoped to the caller and its denial, so no cache may keep or share them.
    response.setHeader(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store"));
    respond(response);
}

// A page position: the creation time in ms and a tie-breaker after the first dot.
struct PageCursor
{
    qint64 createdMs = 0; // 0 for the first page
    QString tieBreaker;
};

// Reads `limit` (1 to 500, `fallback` when absent) and `cursor` ("<ms>.<tie-breaker>", as list
// responses return it in next_cursor).
Result<std::pair<int, PageCursor>> pageParameters(const QUrlQuery &query, int fallback)
{
    int limit = fallback;
    const QString limitText = query.queryItemValue(QStringLiteral("limit"));
    if (!limitText.isEmpty()) {
        bool ok = false;
        limit = limitText.toInt(&ok);
        if (!ok || limit < 1 || limit > 500)
            return error(ErrorCode::InvalidRequest, QStringLiteral("limit must be an integer from 1 to 500."), limitText);
    }

    PageCursor cursor;
    const QString cursorText = query.queryItemValue(QStringLiteral("cursor"), QUrl::FullyDecoded);
    if (!cursorText.isEmpty()) {
        const qsizetype dot = cursorText.indexOf(u'.');
        bool ok = false;
        cursor.createdMs = dot > 0 ? cursorText.left(dot).toLongLong(&ok) : 0;
        cursor.tieBreaker = cursorText.mid(dot + 1);
        if (!ok || cursor.createdMs <= 0 || cursor.tieBreaker.isEmpty()) {
            return error(ErrorCode::InvalidRequest, QStringLiteral("The cursor is not one this service issued."),
                         cursorText.left(64));
        }
    }
    return std::pair{limit, cursor};
}

Result<Store::TaskFilter> taskFilter(const QUrlQuery &query)
{
    // A misspelt status would otherwise match nothing and read as "no such tasks".
    static const QStringList kStatuses{QStringLiteral("pending"), QStringLiteral("approved"), QStringLiteral("denied"),
                                       QStringLiteral("expired"), QStringLiteral("cancelled"), QStringLiteral("failed"),
                                       QStringLiteral("partial")};
    Store::TaskFilter filter;
    for (const QString &status : query.allQueryItemValues(QStringLiteral("status"), QUrl::FullyDecoded))
        filter.statuses.append(status.split(u',', Qt::SkipEmptyParts));
    for (const QString &status : std::as_const(filter.statuses)) {
        if (!kStatuses.contains(status)) {
            return Error::make(ErrorCode::InvalidRequest,
                               QStringLiteral("status takes %1.").arg(kStatuses.join(QStringLiteral(", "))), status.left(64));
        }
    }
    filter.templateName = query.queryItemValue(QStringLiteral("template"), QUrl::FullyDecoded);
    filter.subjectId = query.queryItemValue(QStringLiteral("subject"), QUrl::FullyDecoded);
    filter.text = query.queryItemValue(QStringLiteral("q"), QUrl::FullyDecoded).left(200);

    const auto page = pageParameters(query, filter.limit);
    if (!page)
        return page.error();
    filter.limit = page.value().first;
    filter.beforeCreatedMs = page.value().second.createdMs;
    filter.beforeId = page.value().second.tieBreaker;
    return filter;
}

} // namespace

Api::Api(Escalation::IdentityRegistry *identities, QObject *parent) : QObject(parent), m_identities(identities) { }

Api::~Api() = default;

void Api::setEscalation(Escalation::EscalationService *escalation)
{
    m_escalation = escalation;
}

void Api::setSigningKeys(SigningKeys *keys)
{
    m_signingKeys = keys;
}

void Api::setUpstream(Escalation::UpstreamPdp *upstream)
{
    m_upstream = upstream;
}

void Api::setPolicies(Policy::PolicyStore *policies)
{
    m_search = std::make_unique<SearchApi>(policies);
    m_policyAdmin = std::make_unique<AdminPolicyApi>(policies);
}

Result<Identity> Api::authenticate(const Http::Request &request) const
{
    const QByteArray authorization = request.header("authorization");
    const Error missing = error(ErrorCode::Unauthenticated,
                                QStringLiteral("Send a bearer token in the Authorization header."));
    const QByteArrayView token = Http::bearerCredentials(authorization);
    if (token.isEmpty())
        return missing;
    const std::optional<Identity> identity = m_identities->authenticate(token);
    if (!identity)
        return error(ErrorCode::Unauthenticated, QStringLiteral("The bearer token is not valid."));
    return *identity;
}

bool Api::isConcurrent(const Http::Request &request) const
{
    // Everything these requests reach is thread-safe: authentication, rate limits, metrics, the
    // request log, the parsers, decide() and the status read, which opens a reader connection
    // per thread.
    if (request.method == "GET") {
        const QList<QByteArray> parts = segmentsAfter(request.path, "/access/v1/requests/");
        return parts.size() == 1 && isOpaqueId(parts.first());
    }
    // Upstream mode forwards evaluations from this object's thread.
    if (m_upstream || request.method != "POST")
        return false;
    return request.path == "/access/v1/evaluation" || request.path == "/access/v1/evaluations";
}

std::optional<Http::Response> Api::screen(const Http::Request &head)
{
    // Bodies are read only for authenticated callers. The public endpoints take no body and
    // return 405 for a wrong method themselves.
    const bool needsToken = head.path.startsWith("/admin/v1/")
        || (head.path.startsWith("/access/v1/") && head.path != "/access/v1/jwks");
    if (!needsToken)
        return std::nullopt;

    auto caller = authenticate(head);
    if (!caller)
        return problemFor(caller.error());
    return std::nullopt;
}

void Api::rejected(const Http::Request &head, const Http::Response &response)
{
    RequestLog::logRejected(head, response);
    if (m_metrics)
        m_metrics->record(Metrics::routeOf(head.method, head.path), response.status, std::nullopt);
}

void Api::setMetrics(Metrics *metrics, RateLimiter *rateLimiter)
{
    m_metrics = metrics;
    m_rateLimiter = rateLimiter;
}

void Api::handle(const Http::Request &request, Http::Responder respond)
{
    const QByteArray &path = request.path;
    const QByteArray &method = request.method;

    // The caller is known only after authentication, and the request line reads it when the
    // response goes out.
    // The route label names the request in both the log line and the metrics.
    const QString route = Metrics::routeOf(method, path);
    const std::shared_ptr<QString> callerId = RequestLog::enabled() ? std::make_shared<QString>() : nullptr;
    respond = RequestLog::wrap(request, route, std::move(respond), callerId);

    if (m_metrics) {
        // Every answer is timed and counted under its route pattern, whichever branch gives it.
        QElapsedTimer started;
        started.start();
        respond = [respond = std::move(respond), metrics = m_metrics, route, started](Http::Response response) {
            metrics->record(route, response.status, double(started.nsecsElapsed()) / 1e9);
            respond(std::move(response));
        };
    }

    // Metadata and keys are public so PEPs can discover and verify before they authenticate.
    if (path == "/.well-known/authzen-configuration" || path.startsWith("/.well-known/authzen-configuration/")) {
        if (method != "GET")
            return respond(methodNotAllowed(request, "GET"));
        return metadata(request, std::move(respond));
    }
    if (path == "/access/v1/jwks") {
        if (method != "GET")
            return respond(methodNotAllowed(request, "GET"));
        // Built per request, because a rotation adds a key and retired keys drop out over time.
        Http::Response response = jsonResponse(200, m_signingKeys->jwks());
        response.setHeader(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("max-age=300"));
        return respond(response);
    }
    if (path == "/healthz")
        return respond(jsonResponse(200, QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")}}));

    if (path == "/metrics") {
        auto scraper = authenticate(request);
        if (!scraper)
            return respond(problemFor(scraper.error()));
        if (callerId)
            *callerId = scraper->id;
        if (!scraper->canReadAdmin() || !m_metrics)
            return respond(problemFor(error(ErrorCode::Forbidden, QStringLiteral("Metrics need an auditor, approver or admin identity."))));
        Http::Response response;
        response.body = m_metrics->render();
        response.setHeader(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/plain; version=0.0.4"));
        return respond(response);
    }

    const bool pdpPath = path.startsWith("/access/v1/");
    const bool adminPath = path.startsWith("/admin/v1/");
    if (!pdpPath && !adminPath)
        return respond(problemFor(error(ErrorCode::NotFound, QStringLiteral("No such endpoint."), QString::fromUtf8(path.left(200)))));

    auto caller = authenticate(request);
    if (!caller)
        return respond(problemFor(caller.error()));
    if (callerId)
        *callerId = caller->id;
    if (m_rateLimiter) {
        if (const int wait = m_rateLimiter->acquire(caller->id, QDateTime::currentMSecsSinceEpoch()); wait > 0) {
            Http::Response limited = problemFor(error(ErrorCode::RateLimited,
                                                      QStringLiteral("%1 sends more requests than its rate limit allows; "
                                                                     "retry after %2 s.").arg(caller->id).arg(wait),
                                                      caller->id));
            limited.setHeader(QByteArrayLiteral("Retry-After"), QByteArray::number(wait));
            return respond(limited);
        }
    }

    // PEPs, approvers and auditors all read request schemas and catalogs; the listing itself
    // checks who may see which denial's items.
    if (path.startsWith("/access/v1/templates/"))
        return serveTemplateResource(m_escalation, request, *caller, std::move(respond));

    if (pdpPath) {
        if (caller->role != Role::Pep && caller->role != Role::Admin) {
            return respond(problemFor(error(ErrorCode::Forbidden,
                                            QStringLiteral("Only PEP identities call the access endpoints."), caller->id)));
        }
        if (path == "/access/v1/evaluation") {
            if (method != "POST")
                return respond(methodNotAllowed(request, "POST"));
            return evaluation(request, *caller, std::move(respond));
        }
        if (path == "/access/v1/evaluations") {
            if (method != "POST")
                return respond(methodNotAllowed(request, "POST"));
            return evaluations(request, *caller, std::move(respond));
        }
        if (m_search && SearchApi::kindForPath(path)) {
            if (method != "POST")
                return respond(methodNotAllowed(request, "POST"));
            return search(request, std::move(respond));
        }
        if (path == "/access/v1/requests") {
            if (method != "POST")
                return respond(methodNotAllowed(request, "POST"));
            auto body = jsonBody(request);
            if (!body)
                return respond(problemFor(body.error()));
            // Keys are compared as text. Decoding invalid UTF-8 turns distinct byte sequences into
            // the same replacement characters, so two different keys would count as one.
            const QByteArray keyBytes = request.header("idempotency-key");
            if (!QByteArrayView(keyBytes).isValidUtf8()) {
                return respond(problemFor(error(ErrorCode::InvalidRequest,
                                                QStringLiteral("Idempotency-Key is not valid UTF-8."))));
            }
            const QString key = QString::fromUtf8(keyBytes);
            // Counted in Unicode characters: QString::size() counts a character outside the BMP twice.
            if (key.toUcs4().size() > 255) {
                return respond(problemFor(error(ErrorCode::InvalidRequest,
                                                QStringLiteral("Idempotency-Key is limited to 255 characters."))));
            }
            return m_escalation->submit(*caller, body.value(), key, replyTo(std::move(respond)));
        }
        const QList<QByteArray> parts = segmentsAfter(path, "/access/v1/requests/");
        if (!parts.isEmpty() && isOpaqueId(parts.first())) {
            const QString taskId = QString::fromLatin1(parts.first());
            if (parts.size() == 1) {
                if (method != "GET")
                    return respond(methodNotAllowed(request, "GET"));
                return m_escalation->taskStatus(*caller, taskId, replyTo(std::move(respond)));
            }
            if (parts.size() == 2 && parts.at(1) == "cancel") {
                if (method != "POST" && method != "DELETE")
                    return respond(methodNotAllowed(request, "POST, DELETE"));
                QJsonObject body;
                if (!request.body.isEmpty()) {
                    auto parsed = jsonBody(request);
                    if (!parsed)
                        return respond(problemFor(parsed.error()));
                    body = parsed.value();
                }
                return m_escalation->cancel(*caller, taskId, body, replyTo(std::move(respond)));
            }
        }
        if (!parts.isEmpty())
            return respond(problemFor(error(ErrorCode::UnknownTask, QStringLiteral("No task with this id is available to the caller."))));
        return respond(problemFor(error(ErrorCode::NotFound, QStringLiteral("No such endpoint."), QString::fromUtf8(path.left(200)))));
    }

    // The approver API.
    if (!caller->canReadAdmin()) {
        return respond(problemFor(error(ErrorCode::Forbidden,
                                        QStringLiteral("The approver API needs an approver, auditor or admin identity."),
                                        caller->id)));
    }
    if (path == "/admin/v1/whoami") {
        return respond(jsonResponse(200, QJsonObject{{QStringLiteral("id"), caller->id},
                                                     {QStringLiteral("role"), Escalation::roleName(caller->role)},
                                                     {QStringLiteral("groups"), QJsonArray::fromStringList(caller->groups)}}));
    }
    if (path == "/admin/v1/tasks" && method == "GET") {
        auto filter = taskFilter(request.query);
        if (!filter)
            return respond(problemFor(filter.error()));
        auto reply = m_escalation->listTasks(*caller, filter.value());
        return respond(reply ? replyResponse(reply.value()) : problemFor(reply.error()));
    }
    if (m_policyAdmin && (path == "/admin/v1/explain" || path == "/admin/v1/policy"))
        return policyAdmin(request, std::move(respond));
    if (m_signingKeys && (path == "/admin/v1/keys" || path == "/admin/v1/keys/rotate"))
        return keysAdmin(request, *caller, std::move(respond));
    if (path == "/admin/v1/denials" && method != "GET")
        return respond(methodNotAllowed(request, "GET"));
    if (path == "/admin/v1/denials") {
        const auto page = pageParameters(request.query, 100);
        if (!page)
            return respond(problemFor(page.error()));
        const PageCursor &cursor = page.value().second;
        bool ok = cursor.createdMs == 0;
        const qint64 rowId = ok ? 0 : cursor.tieBreaker.toLongLong(&ok);
        if (!ok) {
            return respond(problemFor(error(ErrorCode::InvalidRequest, QStringLiteral("The cursor is not one this service issued."),
                                            request.query.queryItemValue(QStringLiteral("cursor")).left(64))));
        }
        auto reply = m_escalation->listDenials(*caller, cursor.createdMs, rowId, page.value().first);
        return respond(reply ? replyResponse(reply.value()) : problemFor(reply.error()));
    }
    if (path == "/admin/v1/audit/verify" && method == "GET") {
        return respond(jsonResponse(200, m_escalation->verifyAudit()));
    }
    if (path == "/admin/v1/audit" && method == "GET") {
        auto reply = m_escalation->audit(request.query);
        return respond(reply ? replyResponse(reply.value()) : problemFor(reply.error()));
    }

    if ((path == "/admin/v1/tasks:batch" || path == "/admin/v1/preview") && method == "POST") {
        if (path == "/admin/v1/tasks:batch" && !caller->canDecide())
            return respond(problemFor(error(ErrorCode::Forbidden, QStringLiteral("Auditors cannot decide tasks."), caller->id)));
        auto parsed = jsonBody(request);
        if (!parsed)
            return respond(problemFor(parsed.error()));
        if (path == "/admin/v1/preview") {
            auto reply = m_escalation->preview(*caller, parsed.value());
            return respond(reply ? replyResponse(reply.value()) : problemFor(reply.error()));
        }
        return m_escalation->decideBatch(*caller, parsed.value(),
                                         [respond = std::move(respond)](Result<std::vector<Escalation::BatchOutcome>> outcomes) {
            respond(outcomes ? jsonResponse(200, batchOutcomes(outcomes.value())) : problemFor(outcomes.error()));
        });
    }

    const QList<QByteArray> taskParts = segmentsAfter(path, "/admin/v1/tasks/");
    if (taskParts.size() == 1 && !taskParts.first().isEmpty()) {
        // No task has a malformed id, so such an id gets the response for an unknown one.
        if (!isOpaqueId(taskParts.first())) {
            return respond(problemFor(error(ErrorCode::UnknownTask, QStringLiteral("No task with this id is available to the caller."),
                                            QString::fromUtf8(taskParts.first().left(64)))));
        }
        if (method != "GET")
            return respond(methodNotAllowed(request, "GET"));
    }
    if (!taskParts.isEmpty() && isOpaqueId(taskParts.first())) {
        const QString taskId = QString::fromLatin1(taskParts.first());
        if (taskParts.size() == 1 && method == "GET") {
            auto reply = m_escalation->taskDetail(*caller, taskId);
            return respond(reply ? replyResponse(reply.value()) : problemFor(reply.error()));
        }
        if (taskParts.size() == 2 && (taskParts.at(1) == "approve" || taskParts.at(1) == "deny")) {
            if (method != "POST")
                return respond(methodNotAllowed(request, "POST"));
            if (!caller->canDecide())
                return respond(problemFor(error(ErrorCode::Forbidden, QStringLiteral("Auditors cannot decide tasks."), caller->id)));
            QJsonObject body;
            if (!request.body.isEmpty()) {
                auto parsed = jsonBody(request);
                if (!parsed)
                    return respond(problemFor(parsed.error()));
                body = parsed.value();
            }
            if (taskParts.at(1) == "approve")
                return m_escalation->approve(*caller, taskId, body, replyTo(std::move(respond)));
            return m_escalation->deny(*caller, taskId, body, replyTo(std::move(respond)));
        }
    }

    const QList<QByteArray> approvalParts = segmentsAfter(path, "/admin/v1/approvals/");
    if (approvalParts.size() == 2 && isOpaqueId(approvalParts.first()) && approvalParts.at(1) == "revoke") {
        if (method != "POST")
            return respond(methodNotAllowed(request, "POST"));
        QJsonObject body;
        if (!request.body.isEmpty()) {
            auto parsed = jsonBody(request);
            if (!parsed)
                return respond(problemFor(parsed.error()));
            body = parsed.value();
        }
        return m_escalation->revoke(*caller, QString::fromLatin1(approvalParts.first()), body, replyTo(std::move(respond)));
    }

    // The event stream accepts only WebSocket upgrades, which the HTTP server hands over before
    // they get here (RFC 9110 section 15.5.22).
    if (path == "/admin/v1/events") {
        Http::Response upgrade = Http::problem(426, QStringLiteral("Upgrade Required"),
                                               QStringLiteral("The event stream is a WebSocket endpoint. Connect with a WebSocket upgrade."));
        upgrade.setHeader(QByteArrayLiteral("Upgrade"), QByteArrayLiteral("websocket"));
        return respond(upgrade);
    }

    respond(problemFor(error(ErrorCode::NotFound, QStringLiteral("No such endpoint."), QString::fromUtf8(path.left(200)))));
}

void Api::metadata(const Http::Request &request, Http::Responder respond)
{
    const Escalation::EscalationConfig &config = m_escalation->config();
    // The tenant form (/.well-known/authzen-configuration/tenant1) is not served: this PDP has
    // one identifier, so any suffix is unknown.
    if (request.path != "/.well-known/authzen-configuration")
        return respond(problemFor(error(ErrorCode::NotFound, QStringLiteral("No PDP is configured under this path."))));

    // The identifier carries the scheme the listener serves: plain http on loopback, https once
    // TLS is on. Certification harnesses compare it with the base URL they were given.
    const QString base = config.pdpIdentifier;
    QJsonObject document{
        {QStringLiteral("policy_decision_point"), base},
        {QStringLiteral("access_evaluation_endpoint"), QString(base + QStringLiteral("/access/v1/evaluation"))},
        {QStringLiteral("access_evaluations_endpoint"), QString(base + QStringLiteral("/access/v1/evaluations"))},
        {QStringLiteral("access_request_endpoint"), config.accessRequestEndpoint},
        {QStringLiteral("jwks_uri"), QString(base + QStringLiteral("/access/v1/jwks"))},
        {QStringLiteral("capabilities"),
         QJsonArray{QStringLiteral("urn:openid:authzen:capability:access-request")}},
    };
    // Only endpoints this service answers are advertised; an absent one means unsupported.
    if (m_search) {
        document.insert(QStringLiteral("search_subject_endpoint"), QString(base + SearchApi::pathFor(Policy::SearchKind::Subject)));
        document.insert(QStringLiteral("search_resource_endpoint"), QString(base + SearchApi::pathFor(Policy::SearchKind::Resource)));
        document.insert(QStringLiteral("search_action_endpoint"), QString(base + SearchApi::pathFor(Policy::SearchKind::Action)));
    }
    Http::Response response = jsonResponse(200, document);
    response.setHeader(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("max-age=300"));
    respond(response);
}

void Api::search(const Http::Request &request, Http::Responder respond)
{
    auto body = jsonBody(request);
    if (!body)
        return respond(problemFor(body.error()));
    auto answer = m_search->search(*SearchApi::kindForPath(request.path), body.value());
    respond(answer ? jsonResponse(200, answer.value()) : problemFor(answer.error()));
}

void Api::policyAdmin(const Http::Request &request, Http::Responder respond)
{
    if (request.path == "/admin/v1/policy") {
        if (request.method != "GET")
            return respond(methodNotAllowed(request, "GET"));
        return respond(jsonResponse(200, m_policyAdmin->status()));
    }

    if (request.method != "POST")
        return respond(methodNotAllowed(request, "POST"));
    auto body = jsonBody(request);
    if (!body)
        return respond(problemFor(body.error()));
    auto answer = m_policyAdmin->explain(body.value());
    respond(answer ? jsonResponse(200, answer.value()) : problemFor(answer.error()));
}

void Api::keysAdmin(const Http::Request &request, const Identity &caller, Http::Responder respond)
{
    if (request.path == "/admin/v1/keys") {
        if (request.method != "GET")
            return respond(methodNotAllowed(request, "GET"));
        if (caller.role != Role::Admin && caller.role != Role::Auditor) {
            return respond(problemFor(error(ErrorCode::Forbidden,
                                            QStringLiteral("The signing key list needs an auditor or admin identity."),
                                            caller.id)));
        }
        return respond(jsonResponse(200, m_signingKeys->describe()));
    }

    if (request.method != "POST")
        return respond(methodNotAllowed(request, "POST"));
    if (caller.role != Role::Admin) {
        return respond(problemFor(error(ErrorCode::Forbidden,
                                        QStringLiteral("Rotating the signing key needs an admin identity."), caller.id)));
    }
    m_signingKeys->rotate(caller.id, [respond = std::move(respond)](Result<QJsonObject> rotated) {
        respond(rotated ? jsonResponse(200, rotated.value()) : problemFor(rotated.error()));
    });
}

void Api::decide(const Identity &caller, std::vector<BatchItem> items, BatchStop stop,
                 std::function<void(Result<QJsonArray>)> done)
{
    // A denial the service could not record is one it cannot honour, so the whole response fails.
    auto records = std::make_shared<DenialRecords>();
    auto answer = [records, done = std::move(done)](const QJsonArray &decisions) {
        records->whenSettled([done, decisions](bool stored) {
            if (!stored) {
                done(error(ErrorCode::StorageUnavailable, QStringLiteral("The service could not record the "
                                                                         "requestable denial; evaluate again later.")));
                return;
            }
            done(decisions);
        });
    };
    if (m_upstream) {
        Q_ASSERT(QThread::currentThread() == thread());
        return evaluateOverUpstream(m_escalation, m_upstream, caller, std::move(items), stop, records,
                                    std::move(answer));
    }
    decideFrom(caller, std::move(items), 0, {}, stop, std::move(records), std::move(answer));
}

void Api::decideFrom(const Identity &caller, std::vector<BatchItem> items, size_t first, QJsonArray decided,
                     BatchStop stop, std::shared_ptr<DenialRecords> records, std::function<void(QJsonArray)> answer)
{
    const bool onOwnThread = QThread::currentThread() == thread();

    QJsonArray decisions = std::move(decided);
    for (size_t i = first; i < items.size(); ++i) {
        const BatchItem &item = items[i];
        if (item.request && !onOwnThread && !Escalation::EscalationService::evaluatesOnAnyThread(*item.request)) {
            // The rest goes to this object's thread in one piece, so the items stay in order.
            QMetaObject::invokeMethod(
                this,
                [this, caller, items = std::move(items), i, decisions = std::move(decisions), stop,
                 records = std::move(records), answer = std::move(answer)]() mutable {
                    decideFrom(caller, std::move(items), i, std::move(decisions), stop, std::move(records),
                               std::move(answer));
                },
                Qt::QueuedConnection);
            return;
        }
        const QJsonObject decision = item.request
            ? m_escalation->evaluate(caller, *item.request, records->expect())
            : item.invalidDecision;
        decisions.append(decision);
        if (stopsBatch(stop, decision))
            break;
    }
    answer(decisions);
}

void Api::evaluation(const Http::Request &request, const Identity &caller, Http::Responder respond)
{
    // A small, plain evaluation that policy permits is decided from a flat reading of the body,
    // which took about 35% fewer instructions per request than the full path below (callgrind, the
    // certification rule 1 body). Every other request, including every invalid one, takes the full
    // path, which decides it again and gives errors, denials and events.
    if (!m_upstream && isJsonMediaType(request.header("content-type"))) {
        const std::optional<Json::FlatDocument> flat = Json::FlatDocument::read(request.body);
        if (flat && AuthZen::isValidEvaluationRequest(*flat) && m_escalation->permitsWithoutRecord(*flat))
            return respond(Http::Response::json(200, QByteArrayLiteral("{\"decision\":true}")));
    }

    auto body = jsonBody(request);
    if (!body)
        return respond(problemFor(body.error()));
    auto parsed = AuthZen::parseEvaluationRequest(body.value());
    if (!parsed)
        return respond(problemFor(parsed.error()));
    std::vector<BatchItem> items{BatchItem{parsed.value(), {}}};
    decide(caller, std::move(items), BatchStop::Never, [respond = std::move(respond)](Result<QJsonArray> answer) {
        respond(answer ? jsonResponse(200, answer->first().toObject()) : problemFor(answer.error()));
    });
}

void Api::evaluations(const Http::Request &request, const Identity &caller, Http::Responder respond)
{
    auto parsed = jsonBody(request);
    if (!parsed)
        return respond(problemFor(parsed.error()));
    const QJsonObject body = parsed.value();

    const QJsonValue items = body.value(QStringLiteral("evaluations"));
    if (!items.isUndefined() && !items.isArray())
        return respond(problemFor(error(ErrorCode::InvalidRequest, QStringLiteral("evaluations must be an array."), QStringLiteral("evaluations"))));

    // Without items the call behaves exactly like a single evaluation.
    if (items.toArray().isEmpty()) {
        auto single = AuthZen::parseEvaluationRequest(body);
        if (!single)
            return respond(problemFor(single.error()));
        std::vector<BatchItem> one{BatchItem{single.value(), {}}};
        return decide(caller, std::move(one), BatchStop::Never, [respond = std::move(respond)](Result<QJsonArray> answer) {
            respond(answer ? jsonResponse(200, answer->first().toObject()) : problemFor(answer.error()));
        });
    }

    const QJsonValue options = body.value(QStringLiteral("options"));
    if (!options.isUndefined() && !options.isObject())
        return respond(problemFor(error(ErrorCode::InvalidRequest, QStringLiteral("options must be an object."), QStringLiteral("options"))));
    const QJsonValue semanticValue = options.toObject().value(QStringLiteral("evaluations_semantic"));
    const QString semantic = semanticValue.isUndefined() ? QStringLiteral("execute_all") : semanticValue.toString();
    BatchStop stop = BatchStop::Never;
    if (semantic == QLatin1String("deny_on_first_deny")) {
        stop = BatchStop::AtFirstDeny;
    } else if (semantic == QLatin1String("permit_on_first_permit")) {
        stop = BatchStop::AtFirstPermit;
    } else if (semantic != QLatin1String("execute_all")) {
        return respond(problemFor(error(ErrorCode::InvalidRequest,
                                        QStringLiteral("Unknown evaluations_semantic; use execute_all, deny_on_first_deny "
                                                       "or permit_on_first_permit."),
                                        Json::displayText(semanticValue).left(64))));
    }

    const QJsonArray list = items.toArray();
    // Items are evaluated on the thread that serves the connection, and each requestable one is
    // signed and recorded. So an unbounded batch stalls every other client of that thread: 6,000
    // requestable items held a single event loop for about 10 s on a loaded 2-core machine.
    // NOTE: the cap bounds the stall to about 2 s there, on one serving thread, or on the main
    // thread for the items after one with an approval.
    constexpr qsizetype kMaxBatchItems = 1000;
    if (list.size() > kMaxBatchItems) {
        return respond(problemFor(error(ErrorCode::InvalidRequest,
                                        QStringLiteral("A batch evaluates at most %1 items; split it.").arg(kMaxBatchItems),
                                        QString::number(list.size()))));
    }
    if (m_upstream && list.size() > kMaxUpstreamBatchItems) {
        return respond(problemFor(error(ErrorCode::InvalidRequest,
                                        QStringLiteral("This service forwards evaluations to an upstream PDP and takes at "
                                                       "most %1 items per batch.")
                                            .arg(kMaxUpstreamBatchItems),
                                        QString::number(list.size()))));
    }

    BatchDefaults defaults(body);
    std::vector<BatchItem> batch;
    batch.reserve(size_t(list.size()));
    for (const QJsonValue &entry : list) {
        auto single = entry.isObject() ? defaults.apply(entry.toObject())
                                       : Result<AuthZen::EvaluationRequest>(error(ErrorCode::InvalidRequest,
                                             QStringLiteral("Each evaluations item must be an object.")));
        if (single) {
            batch.push_back(BatchItem{single.value(), {}});
            continue;
        }
        // An invalid item is a deny inside an otherwise valid batch.
        batch.push_back(BatchItem{std::nullopt,
                                  QJsonObject{{QStringLiteral("decision"), false},
                                              {QStringLiteral("context"),
                                               QJsonObject{{QStringLiteral("error"),
                                                            QJsonObject{{QStringLiteral("status"), 400},
                                                                        {QStringLiteral("message"), single.error().message}}}}}}});
    }
    decide(caller, std::move(batch), stop, [respond = std::move(respond)](Result<QJsonArray> decisions) {
        respond(decisions ? jsonResponse(200, QJsonObject{{QStringLiteral("evaluations"), decisions.value()}})
                          : problemFor(decisions.error()));
    });
}

} // namespace Recourse::Service
