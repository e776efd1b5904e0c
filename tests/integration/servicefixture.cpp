#include "tests/integration/servicefixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QUrl>

namespace Recourse::Testing {

namespace {

// Generous, so a machine busy with other suites does not fail a test. A healthy exchange takes
// milliseconds.
constexpr int kResponseTimeoutMs = 20 * 1000;

QJsonObject identity(const char *id, const char *role, const char *token, const QStringList &groups = {})
{
    QJsonObject object{{QStringLiteral("id"), QLatin1String(id)},
                       {QStringLiteral("role"), QLatin1String(role)},
                       {QStringLiteral("token"), QLatin1String(token)}};
    if (!groups.isEmpty())
        object.insert(QStringLiteral("groups"), QJsonArray::fromStringList(groups));
    return object;
}

HttpResponse collect(QNetworkReply *reply)
{
    HttpResponse response;
    if (!reply->isFinished()) {
        QSignalSpy finished(reply, &QNetworkReply::finished);
        if (!finished.wait(kResponseTimeoutMs)) {
            response.transportError = QStringLiteral("no response within %1 ms").arg(kResponseTimeoutMs);
            reply->abort();
            reply->deleteLater();
            return response;
        }
    }

    response.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (response.status == 0)
        response.transportError = reply->errorString();
    for (const auto &[name, value] : reply->rawHeaderPairs())
        response.headers.append({name.toLower(), value});
    response.body = reply->readAll();
    const QJsonDocument document = QJsonDocument::fromJson(response.body);
    if (document.isObject())
        response.json = document.object();
    reply->deleteLater();
    return response;
}

} // namespace

QByteArray HttpResponse::header(QByteArrayView lowerCaseName) const
{
    for (const auto &[name, value] : headers) {
        if (name == lowerCaseName)
            return value;
    }
    return {};
}

bool HttpResponse::hasHeader(QByteArrayView lowerCaseName) const
{
    for (const auto &field : headers) {
        if (field.first == lowerCaseName)
            return true;
    }
    return false;
}

QByteArray HttpResponse::describe() const
{
    if (status == 0)
        return "no response: " + transportError.toUtf8();
    return "status " + QByteArray::number(status) + ", body " + body.left(600);
}

ServiceFixture::ServiceFixture(QString policy)
    : m_policy(std::move(policy))
    , m_clock(std::make_shared<ManualClock>(kFixtureStartMs))
{
}

ServiceFixture::~ServiceFixture()
{
    stop();
}

QJsonObject ServiceFixture::identityConfig()
{
    QJsonArray identities{
        identity("pep-a", "pep", "pep-a-secret"),
        identity("pep-b", "pep", "pep-b-secret"),
        identity("bob", "approver", "bob-secret", {QStringLiteral("managers")}),
        identity("carol", "approver", "carol-secret", {QStringLiteral("security")}),
        identity("alice", "approver", "alice-secret", {QStringLiteral("managers")}),
        identity("audit-1", "auditor", "audit-secret"),
    };
    // A gateway PEP whose credential vouches for agent-7, for the actor delegation tests.
    QJsonObject gateway = identity("gateway", "pep", "gateway-secret");
    gateway.insert(QStringLiteral("actors"), QJsonArray{QStringLiteral("agent-7")});
    identities.append(gateway);
    return QJsonObject{{QStringLiteral("identities"), identities},
                       {QStringLiteral("callback_allowlist"), QJsonArray{QStringLiteral("https://cb.example.test")}},
                       {QStringLiteral("clock_skew_seconds"), 30}};
}

bool ServiceFixture::start()
{
    if (!m_dataDir.isValid()) {
        m_error = QStringLiteral("Cannot create a temporary data folder: ") + m_dataDir.errorString();
        return false;
    }

    Service::ServiceOptions options;
    options.address = QHostAddress::LocalHost;
    options.port = m_port;
    options.dataDir = m_dataDir.path();
    options.policy = m_policy;
    options.config = identityConfig();
    options.clock = m_clock;
    if (m_configure)
        m_configure(options);
    auto started = Service::ServiceHost::start(std::move(options));
    if (!started) {
        m_error = started.error().message;
        return false;
    }
    m_host = std::move(started.value());
    m_port = quint16(m_host->baseUrl().port());
    m_network = std::make_unique<QNetworkAccessManager>();
    return true;
}

bool ServiceFixture::restart()
{
    stop();
    return start();
}

void ServiceFixture::stop()
{
    // Pooled keep-alive connections point at the old listener, so the client goes too.
    m_network.reset();
    m_host.reset();
}

QString ServiceFixture::baseUrl() const
{
    return m_host ? m_host->baseUrl().toString(QUrl::StripTrailingSlash) : QString();
}

QNetworkReply *ServiceFixture::dispatch(QNetworkAccessManager &network, const QByteArray &method, const QString &target,
                                        const QByteArray &body, const QString &token, const Headers &headers)
{
    const QUrl url(target.startsWith(QLatin1String("http")) ? target : baseUrl() + target);
    QNetworkRequest request(url);
    request.setTransferTimeout(kResponseTimeoutMs);
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    bool contentTypeGiven = false;
    for (const auto &[name, value] : headers) {
        request.setRawHeader(name, value);
        contentTypeGiven = contentTypeGiven || name.compare("content-type", Qt::CaseInsensitive) == 0;
    }
    if (method == "POST" && !contentTypeGiven)
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));

    if (method == "GET")
        return network.get(request);
    if (method == "DELETE" && body.isEmpty())
        return network.deleteResource(request);
    return network.sendCustomRequest(request, method, body);
}

HttpResponse ServiceFixture::send(const QByteArray &method, const QString &target, const QByteArray &body,
                                  const QString &token, const Headers &headers)
{
    if (!m_network) {
        HttpResponse none;
        none.transportError = QStringLiteral("the service is not running");
        return none;
    }
    return collect(dispatch(*m_network, method, target, body, token, headers));
}

HttpResponse ServiceFixture::get(const QString &target, const QString &token, const Headers &headers)
{
    return send(QByteArrayLiteral("GET"), target, {}, token, headers);
}

HttpResponse ServiceFixture::post(const QString &target, const QJsonObject &body, const QString &token,
                                  const Headers &headers)
{
    return send(QByteArrayLiteral("POST"), target, QJsonDocument(body).toJson(QJsonDocument::Compact), token, headers);
}

QList<HttpResponse> ServiceFixture::postConcurrently(const QString &target, const QByteArray &body, const QString &token,
                                                     const Headers &headers, int count)
{
    // One manager per request: a manager shares at most six connections per host, and the point
    // is to have every request in flight at the same time.
    std::vector<std::unique_ptr<QNetworkAccessManager>> networks;
    QList<QNetworkReply *> replies;
    for (int i = 0; i < count; ++i) {
        networks.push_back(std::make_unique<QNetworkAccessManager>());
        replies.append(dispatch(*networks.back(), QByteArrayLiteral("POST"), target, body, token, headers));
    }

    QList<HttpResponse> responses;
    for (QNetworkReply *reply : std::as_const(replies))
        responses.append(collect(reply));
    return responses;
}

HttpResponse ServiceFixture::evaluate(const QJsonObject &request, const QString &token)
{
    return post(QStringLiteral("/access/v1/evaluation"), request, token);
}

HttpResponse ServiceFixture::submit(const QJsonObject &body, const QString &token, const QString &idempotencyKey)
{
    Headers headers;
    if (!idempotencyKey.isEmpty())
        headers.append({QByteArrayLiteral("Idempotency-Key"), idempotencyKey.toUtf8()});
    return post(QStringLiteral("/access/v1/requests"), body, token, headers);
}

HttpResponse ServiceFixture::approve(const QString &taskId, const QString &approverToken, const QJsonObject &body)
{
    return post(QStringLiteral("/admin/v1/tasks/%1/approve").arg(taskId), body, approverToken);
}

HttpResponse ServiceFixture::deny(const QString &taskId, const QString &approverToken, const QJsonObject &body)
{
    return post(QStringLiteral("/admin/v1/tasks/%1/deny").arg(taskId), body, approverToken);
}

HttpResponse ServiceFixture::taskStatus(const QString &statusEndpoint, const QString &token)
{
    return get(statusEndpoint, token);
}

QJsonObject ServiceFixture::freshSubmission(const QJsonObject &request, const QString &pepToken)
{
    const HttpResponse evaluated = evaluate(request, pepToken);
    const QJsonObject context = evaluated.json.value(QStringLiteral("context")).toObject();
    if (evaluated.status != 200 || !context.value(QStringLiteral("access_request")).isObject())
        return {};
    return submissionFor(request, evaluated.json);
}

HttpResponse ServiceFixture::submitUntil(const QJsonObject &request, const QString &requestedUntil)
{
    QJsonObject body = freshSubmission(request);
    body.insert(QStringLiteral("requested_access"), QJsonObject{{QStringLiteral("requested_until"), requestedUntil}});
    return submit(body);
}

Escalation ServiceFixture::requestAccess(const QJsonObject &request, const QString &pepToken)
{
    Escalation flow;
    flow.request = request;

    const HttpResponse evaluated = evaluate(request, pepToken);
    flow.decision = evaluated.json;
    const QJsonObject context = flow.decision.value(QStringLiteral("context")).toObject();
    if (evaluated.status != 200 || flow.decision.value(QStringLiteral("decision")) != QJsonValue(false)
        || !context.value(QStringLiteral("access_request")).isObject()) {
        flow.failure = QStringLiteral("expected a requestable denial, got ") + QString::fromUtf8(evaluated.describe());
        return flow;
    }

    const HttpResponse submitted = submit(submissionFor(request, flow.decision), pepToken);
    flow.task = submitted.json.value(QStringLiteral("task")).toObject();
    if (submitted.status != 202 || flow.task.isEmpty())
        flow.failure = QStringLiteral("expected 202 with a task, got ") + QString::fromUtf8(submitted.describe());
    return flow;
}

Escalation ServiceFixture::grantAccess(const QJsonObject &request, const QString &approverToken,
                                       const QJsonObject &approveBody, const QString &pepToken)
{
    Escalation flow = requestAccess(request, pepToken);
    if (!flow.ok())
        return flow;

    const HttpResponse approved = approve(flow.taskId(), approverToken, approveBody);
    if (approved.status != 200 || approved.json.value(QStringLiteral("status")) != QLatin1String("approved")) {
        flow.failure = QStringLiteral("expected the task approved, got ") + QString::fromUtf8(approved.describe());
        return flow;
    }

    const HttpResponse status = taskStatus(flow.statusEndpoint(), pepToken);
    flow.task = status.json.value(QStringLiteral("task")).toObject();
    flow.approval = status.json.value(QStringLiteral("result")).toObject().value(QStringLiteral("approval")).toObject();
    if (status.status != 200 || flow.approval.isEmpty())
        flow.failure = QStringLiteral("expected an approval at the status endpoint, got ") + QString::fromUtf8(status.describe());
    return flow;
}

QJsonObject submissionFor(const QJsonObject &evaluationRequest, const QJsonObject &decision)
{
    const QJsonObject context = decision.value(QStringLiteral("context")).toObject();
    const QJsonObject accessRequest = context.value(QStringLiteral("access_request")).toObject();

    // Every member the denial supplied is echoed, byte for byte for the token.
    QJsonObject denial{{QStringLiteral("expires_at"), accessRequest.value(QStringLiteral("expires_at"))}};
    for (const char *member : {"binding_token", "template"}) {
        if (accessRequest.contains(QLatin1String(member)))
            denial.insert(QLatin1String(member), accessRequest.value(QLatin1String(member)));
    }
    for (const char *member : {"evaluation_id", "evaluated_at", "reason"}) {
        if (context.contains(QLatin1String(member)))
            denial.insert(QLatin1String(member), context.value(QLatin1String(member)));
    }

    QJsonObject body = evaluationRequest;
    QJsonObject submittedContext = evaluationRequest.value(QStringLiteral("context")).toObject();
    submittedContext.remove(QStringLiteral("approval"));
    if (evaluationRequest.contains(QStringLiteral("context")))
        body.insert(QStringLiteral("context"), submittedContext);
    body.insert(QStringLiteral("denial"), denial);
    return body;
}

QJsonObject withApproval(QJsonObject evaluationRequest, const QJsonObject &approval)
{
    QJsonObject context = evaluationRequest.value(QStringLiteral("context")).toObject();
    context.insert(QStringLiteral("approval"), approval);
    evaluationRequest.insert(QStringLiteral("context"), context);
    return evaluationRequest;
}

QJsonObject entity(const QString &type, const QString &id, const QJsonObject &properties)
{
    QJsonObject object{{QStringLiteral("type"), type}, {QStringLiteral("id"), id}};
    if (!properties.isEmpty())
        object.insert(QStringLiteral("properties"), properties);
    return object;
}

EventRecorder::EventRecorder(QObject *parent) : QObject(parent)
{
    connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &message) {
        const QJsonDocument document = QJsonDocument::fromJson(message.toUtf8());
        const QJsonValue seq = document.object().value(QStringLiteral("seq"));
        if (!document.isObject() || !seq.isDouble() || seq.toDouble() != double(seq.toInteger())) {
            ++m_malformed;
            return;
        }
        m_events.append(document.object());
        m_messages.append(message);
    });
}

EventRecorder::~EventRecorder()
{
    m_socket.abort();
}

void EventRecorder::open(const QString &baseUrl, const QString &token, qint64 after)
{
    QUrl url(baseUrl + QStringLiteral("/admin/v1/events?after=%1").arg(after));
    url.setScheme(QStringLiteral("ws"));
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    m_events.clear();
    m_malformed = 0;
    m_socket.open(request);
}

void EventRecorder::close()
{
    m_socket.close();
}

bool EventRecorder::isConnected() const
{
    return m_socket.state() == QAbstractSocket::ConnectedState;
}

QList<qint64> EventRecorder::seqs() const
{
    QList<qint64> values;
    for (const QJsonObject &event : m_events)
        values.append(event.value(QStringLiteral("seq")).toInteger());
    return values;
}

QStringList EventRecorder::types() const
{
    QStringList values;
    for (const QJsonObject &event : m_events)
        values.append(event.value(QStringLiteral("type")).toString());
    return values;
}

qint64 EventRecorder::lastSeq() const
{
    return m_events.isEmpty() ? 0 : m_events.constLast().value(QStringLiteral("seq")).toInteger();
}

} // namespace Recourse::Testing
