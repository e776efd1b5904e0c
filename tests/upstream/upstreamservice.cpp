#include "tests/upstream/upstreamservice.h"

#include <QJsonDocument>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSignalSpy>

namespace Recourse::Testing {

namespace {

// Longer than any upstream timeout a test configures, so a fail-closed answer always arrives
// before the client gives up.
constexpr int kResponseTimeoutMs = 30 * 1000;

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

UpstreamService::UpstreamService(QString policyFolder, QUrl upstream, QString upstreamToken, int upstreamTimeoutMs)
    : m_policyFolder(std::move(policyFolder))
    , m_upstream(std::move(upstream))
    , m_upstreamToken(std::move(upstreamToken))
    , m_upstreamTimeoutMs(upstreamTimeoutMs)
    , m_clock(std::make_shared<ManualClock>(kFixtureStartMs))
{
}

UpstreamService::~UpstreamService()
{
    m_network.reset();
    m_host.reset();
}

bool UpstreamService::start()
{
    if (!m_dataDir.isValid()) {
        m_error = QStringLiteral("Cannot create a temporary data folder: ") + m_dataDir.errorString();
        return false;
    }
    Service::ServiceOptions options;
    options.dataDir = m_dataDir.path();
    options.policy = m_policyFolder;
    options.config = ServiceFixture::identityConfig();
    options.clock = m_clock;
    options.upstreamUrl = m_upstream;
    options.upstreamToken = m_upstreamToken;
    options.upstreamTimeoutMs = m_upstreamTimeoutMs;
    auto started = Service::ServiceHost::start(std::move(options));
    if (!started) {
        m_error = started.error().message;
        return false;
    }
    m_host = std::move(started.value());
    m_network = std::make_unique<QNetworkAccessManager>();
    return true;
}

QString UpstreamService::baseUrl() const
{
    return m_host ? m_host->baseUrl().toString(QUrl::StripTrailingSlash) : QString();
}

HttpResponse UpstreamService::get(const QString &path, const QString &token)
{
    QNetworkRequest request(QUrl(path.startsWith(QLatin1String("http")) ? path : baseUrl() + path));
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    return collect(m_network->get(request));
}

HttpResponse UpstreamService::post(const QString &path, const QJsonObject &body, const QString &token)
{
    QNetworkRequest request(QUrl(path.startsWith(QLatin1String("http")) ? path : baseUrl() + path));
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    return collect(m_network->post(request, QJsonDocument(body).toJson(QJsonDocument::Compact)));
}

HttpResponse UpstreamService::evaluate(const QJsonObject &request, const QString &token)
{
    return post(QStringLiteral("/access/v1/evaluation"), request, token);
}

HttpResponse UpstreamService::evaluations(const QJsonObject &body, const QString &token)
{
    return post(QStringLiteral("/access/v1/evaluations"), body, token);
}

Escalation UpstreamService::grantAccess(const QJsonObject &request, const QString &approverToken)
{
    Escalation flow;
    flow.request = request;

    const HttpResponse evaluated = evaluate(request);
    flow.decision = evaluated.json;
    const QJsonObject context = flow.decision.value(QStringLiteral("context")).toObject();
    if (evaluated.status != 200 || !context.value(QStringLiteral("access_request")).isObject()) {
        flow.failure = QStringLiteral("expected a requestable denial, got ") + QString::fromUtf8(evaluated.describe());
        return flow;
    }

    const HttpResponse submitted = post(QStringLiteral("/access/v1/requests"), submissionFor(request, flow.decision),
                                        Tokens::pepA);
    flow.task = submitted.json.value(QStringLiteral("task")).toObject();
    if (submitted.status != 202 || flow.task.isEmpty()) {
        flow.failure = QStringLiteral("expected 202 with a task, got ") + QString::fromUtf8(submitted.describe());
        return flow;
    }

    const HttpResponse approved = post(QStringLiteral("/admin/v1/tasks/%1/approve").arg(flow.taskId()), {}, approverToken);
    if (approved.status != 200) {
        flow.failure = QStringLiteral("expected the task approved, got ") + QString::fromUtf8(approved.describe());
        return flow;
    }

    const HttpResponse status = get(flow.statusEndpoint(), Tokens::pepA);
    flow.approval = status.json.value(QStringLiteral("result")).toObject().value(QStringLiteral("approval")).toObject();
    if (status.status != 200 || flow.approval.isEmpty())
        flow.failure = QStringLiteral("expected an approval at the status endpoint, got ") + QString::fromUtf8(status.describe());
    return flow;
}

} // namespace Recourse::Testing
