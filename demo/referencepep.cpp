#include "demo/referencepep.h"

#include "core/base/ids.h"
#include "core/base/rfc3339.h"
#include "core/json/json.h"

#include <QDateTime>
#include <QEventLoop>
#include <QJsonArray>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QTimer>

#include <algorithm>
#include <limits>
#include <optional>

namespace Recourse::Pep {

namespace {

const QStringList kTerminalStatuses = {QStringLiteral("approved"), QStringLiteral("denied"),
                                       QStringLiteral("expired"), QStringLiteral("cancelled"),
                                       QStringLiteral("failed"), QStringLiteral("partial")};

Error failure(const QString &message, const QString &value = {})
{
    return Error::make(ErrorCode::InvalidRequest, message, value);
}

// Without task.expires_at or approval.approved_until the PEP stops after a day.
constexpr qint64 kDefaultDeadlineMs = 24LL * 3600 * 1000;
// The maximum single wait, about 24.8 days, because a wait is an int of milliseconds. A
// Retry-After or retry_after beyond it ends the polling or retrying.
constexpr qint64 kMaxDelayMs = std::numeric_limits<int>::max();

// The default of each reason code the profile registers; unknown reasons have none.
std::optional<ReferencePep::NextAction> defaultActionFor(const QString &reason)
{
    using NextAction = ReferencePep::NextAction;
    if (reason == QLatin1String("approval_expired") || reason == QLatin1String("out_of_scope"))
        return NextAction::Request;
    if (reason == QLatin1String("grant_pending"))
        return NextAction::Retry;
    if (reason == QLatin1String("policy_denied") || reason == QLatin1String("approval_unverifiable"))
        return NextAction::None;
    return std::nullopt;
}

// Submission-time additions go into members of their own; original members stay untouched.
QJsonObject withAdditions(QJsonObject context, const QJsonObject &additions)
{
    for (auto it = additions.begin(); it != additions.end(); ++it) {
        if (!context.contains(it.key()))
            context.insert(it.key(), it.value());
    }
    return context;
}

} // namespace

ReferencePep::ReferencePep(Config config) : m_config(std::move(config)) { }

qint64 ReferencePep::nowMs() const
{
    return m_config.clock ? m_config.clock->nowMs() : QDateTime::currentMSecsSinceEpoch();
}

void ReferencePep::wait(int delayMs) const
{
    if (m_config.wait) {
        m_config.wait(delayMs);
        return;
    }
    QEventLoop loop;
    QTimer::singleShot(delayMs, &loop, &QEventLoop::quit);
    loop.exec();
}

int ReferencePep::jittered(int intervalMs)
{
    return intervalMs / 2 + int(QRandomGenerator::global()->bounded(intervalMs / 2 + 1));
}

int ReferencePep::retryAfterSeconds(const QByteArray &value) const
{
    bool isNumber = false;
    const int seconds = value.trimmed().toInt(&isNumber);
    if (isNumber)
        return seconds;

    // The other form is an HTTP-date such as "Sun, 06 Nov 1994 08:49:37 GMT". Qt 6.4 parses it as
    // an RFC 2822 date once "GMT" is written as "+0000". The wait is rounded up, so the PEP never
    // polls before that instant.
    // NOTE: the obsolete RFC 850 and asctime date forms are not recognized and count as absent.
    QString date = QString::fromLatin1(value.trimmed());
    if (date.endsWith(QLatin1String(" GMT")))
        date.replace(date.size() - 3, 3, QStringLiteral("+0000"));
    const QDateTime at = QDateTime::fromString(date, Qt::RFC2822Date);
    if (!at.isValid())
        return -1;
    const qint64 aheadMs = at.toMSecsSinceEpoch() - nowMs();
    return int(std::clamp<qint64>((aheadMs + 999) / 1000, 0, std::numeric_limits<int>::max()));
}

bool ReferencePep::trusted(const QUrl &url) const
{
    // Same origin as the service the PEP was configured for: scheme, host and port.
    const QUrl &base = m_config.serviceUrl;
    return url.scheme() == base.scheme() && url.host() == base.host() && url.port() == base.port();
}

Result<Exchange> ReferencePep::call(const QByteArray &method, const QUrl &url, const QJsonObject &body,
                                    const QByteArray &idempotencyKey)
{
    if (!trusted(url))
        return failure(QStringLiteral("Refusing to call %1: it is not on the service's origin.").arg(url.toString()));

    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_config.token.toUtf8());
    request.setRawHeader("Accept", "application/json");
    request.setRawHeader("X-Request-ID", Ids::random(u"req_").toLatin1());
    request.setTransferTimeout(m_config.callTimeoutMs);
    if (!idempotencyKey.isEmpty())
        request.setRawHeader("Idempotency-Key", idempotencyKey);

    QNetworkReply *reply = nullptr;
    if (method == "GET") {
        reply = m_network.get(request);
    } else {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        reply = m_network.sendCustomRequest(request, method, Json::serialize(body));
    }
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    reply->deleteLater();

    Exchange exchange;
    exchange.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (exchange.status == 0)
        return Error::make(ErrorCode::StorageUnavailable, QStringLiteral("%1 failed: %2").arg(url.toString(), reply->errorString()));
    const QByteArray payload = reply->readAll();
    if (!payload.isEmpty()) {
        auto parsed = Json::parseObject(payload);
        if (!parsed)
            return failure(QStringLiteral("%1 answered with invalid JSON.").arg(url.toString()));
        exchange.body = parsed.value();
    }
    if (reply->hasRawHeader("Retry-After"))
        exchange.retryAfterSeconds = retryAfterSeconds(reply->rawHeader("Retry-After"));
    return exchange;
}

Result<QJsonObject> ReferencePep::discover()
{
    QUrl url = m_config.serviceUrl;
    url.setPath(QStringLiteral("/.well-known/authzen-configuration"));
    auto exchange = call("GET", url, {});
    if (!exchange)
        return exchange.error();
    if (exchange->status != 200)
        return failure(QStringLiteral("The metadata request answered %1.").arg(exchange->status));
    const QString identifier = exchange->body.value(QStringLiteral("policy_decision_point")).toString();
    if (identifier != m_config.serviceUrl.toString(QUrl::StripTrailingSlash))
        return failure(QStringLiteral("The metadata names another PDP (%1); refusing to use it.").arg(identifier));
    m_metadata = exchange->body;
    return m_metadata;
}

Result<QJsonObject> ReferencePep::evaluate(const QJsonObject &request)
{
    const QUrl url(m_metadata.value(QStringLiteral("access_evaluation_endpoint")).toString());
    auto exchange = call("POST", url, request);
    if (m_config.trace && exchange)
        m_config.trace(QStringLiteral("evaluation"), request, exchange.value());
    if (!exchange)
        return exchange.error();
    if (exchange->status != 200)
        return failure(QStringLiteral("The evaluation answered %1: %2").arg(exchange->status)
                           .arg(exchange->body.value(QStringLiteral("detail")).toString()));
    return exchange->body;
}

bool ReferencePep::isRequestable(const QJsonObject &decision)
{
    return decision.value(QStringLiteral("decision")) == QJsonValue(false)
        && decision.value(QStringLiteral("context")).toObject().value(QStringLiteral("access_request")).isObject();
}

QJsonObject ReferencePep::denialFor(const QJsonObject &decision)
{
    const QJsonObject context = decision.value(QStringLiteral("context")).toObject();
    const QJsonObject accessRequest = context.value(QStringLiteral("access_request")).toObject();
    QJsonObject denial{{QStringLiteral("expires_at"), accessRequest.value(QStringLiteral("expires_at"))}};
    for (const char *member : {"evaluation_id", "evaluated_at", "reason"}) {
        if (context.contains(QLatin1String(member)))
            denial.insert(QLatin1String(member), context.value(QLatin1String(member)));
    }
    for (const char *member : {"binding_token", "template"}) {
        if (accessRequest.contains(QLatin1String(member)))
            denial.insert(QLatin1String(member), accessRequest.value(QLatin1String(member)));
    }
    return denial;
}

Result<Exchange> ReferencePep::submit(const QJsonObject &request, const QJsonObject &decision,
                                      const QJsonObject &additions, const QJsonObject &requestedAccess,
                                      QString idempotencyKey)
{
    if (!isRequestable(decision))
        return failure(QStringLiteral("The decision is not a requestable denial, so there is nothing to submit."));

    QJsonObject body{{QStringLiteral("subject"), request.value(QStringLiteral("subject"))},
                     {QStringLiteral("resource"), request.value(QStringLiteral("resource"))},
                     {QStringLiteral("action"), request.value(QStringLiteral("action"))},
                     {QStringLiteral("context"), withAdditions(request.value(QStringLiteral("context")).toObject(), additions)},
                     {QStringLiteral("denial"), denialFor(decision)}};
    if (!requestedAccess.isEmpty())
        body.insert(QStringLiteral("requested_access"), requestedAccess);

    if (idempotencyKey.isEmpty())
        idempotencyKey = Ids::random(u"idem_");
    auto exchange = call("POST", endpointFor(decision), body, idempotencyKey.toUtf8());
    if (m_config.trace && exchange)
        m_config.trace(QStringLiteral("submission"), body, exchange.value());
    return exchange;
}

Result<Exchange> ReferencePep::submitBundle(const QList<BundleItem> &items, const QJsonObject &additions,
                                            QString idempotencyKey)
{
    if (items.isEmpty())
        return failure(QStringLiteral("A bundle needs at least one item."));

    // The bundle binds one subject and context, so every item must come from the same ones.
    const QJsonObject first = items.first().request;
    QJsonArray bodyItems;
    for (const BundleItem &item : items) {
        if (!isRequestable(item.decision))
            return failure(QStringLiteral("An item's decision is not a requestable denial, so the bundle cannot include it."));
        if (item.request.value(QStringLiteral("subject")) != first.value(QStringLiteral("subject"))
            || item.request.value(QStringLiteral("context")) != first.value(QStringLiteral("context")))
            return failure(QStringLiteral("The items of a bundle must share their subject and context."));
        if (endpointFor(item.decision) != endpointFor(items.first().decision))
            return failure(QStringLiteral("The items of a bundle must name the same access request endpoint."));
        bodyItems.append(QJsonObject{{QStringLiteral("resource"), item.request.value(QStringLiteral("resource"))},
                                     {QStringLiteral("action"), item.request.value(QStringLiteral("action"))},
                                     {QStringLiteral("denial"), denialFor(item.decision)}});
    }

    const QJsonObject body{{QStringLiteral("subject"), first.value(QStringLiteral("subject"))},
                           {QStringLiteral("context"), withAdditions(first.value(QStringLiteral("context")).toObject(), additions)},
                           {QStringLiteral("items"), bodyItems}};
    if (idempotencyKey.isEmpty())
        idempotencyKey = Ids::random(u"idem_");
    auto exchange = call("POST", endpointFor(items.first().decision), body, idempotencyKey.toUtf8());
    if (m_config.trace && exchange)
        m_config.trace(QStringLiteral("submission"), body, exchange.value());
    return exchange;
}

QUrl ReferencePep::endpointFor(const QJsonObject &decision) const
{
    // The denial's endpoint wins over metadata; call() still refuses any other origin.
    const QJsonObject accessRequest =
        decision.value(QStringLiteral("context")).toObject().value(QStringLiteral("access_request")).toObject();
    const QUrl endpoint(accessRequest.value(QStringLiteral("endpoint")).toString());
    if (!endpoint.isEmpty())
        return endpoint;
    return QUrl(m_metadata.value(QStringLiteral("access_request_endpoint")).toString());
}

Result<Exchange> ReferencePep::status(const QJsonObject &taskHandle)
{
    const QUrl url(taskHandle.value(QStringLiteral("status_endpoint")).toString());
    auto exchange = call("GET", url, {});
    if (m_config.trace && exchange)
        m_config.trace(QStringLiteral("status"), {}, exchange.value());
    return exchange;
}

Result<QJsonObject> ReferencePep::waitForCompletion(const QJsonObject &taskHandle,
                                                    const std::function<void(int delayMs)> &onWait)
{
    const auto expires = Rfc3339::parse(taskHandle.value(QStringLiteral("expires_at")).toString());
    const qint64 deadline = expires ? expires.value() : nowMs() + kDefaultDeadlineMs;
    int intervalMs = 1000;

    for (;;) {
        auto exchange = status(taskHandle);
        if (!exchange)
            return exchange.error();
        if (exchange->status != 200) {
            return failure(QStringLiteral("The status endpoint answered %1: %2").arg(exchange->status)
                               .arg(exchange->body.value(QStringLiteral("detail")).toString()));
        }
        const QString status = exchange->body.value(QStringLiteral("task")).toObject().value(QStringLiteral("status")).toString();
        if (kTerminalStatuses.contains(status))
            return exchange->body;
        if (status != QLatin1String("pending"))
            return failure(QStringLiteral("The task reports the unknown status \"%1\"; treating it as not approved.").arg(status));

        // Exponential backoff with jitter, never shorter than Retry-After, never past expiry.
        qint64 delayMs = jittered(intervalMs);
        if (exchange->retryAfterSeconds > 0)
            delayMs = qMax<qint64>(delayMs, exchange->retryAfterSeconds * 1000LL);
        if (nowMs() + delayMs > deadline || delayMs > kMaxDelayMs)
            return failure(QStringLiteral("The task expires before the next poll, so the PEP stops polling."));
        if (onWait)
            onWait(int(delayMs));
        wait(int(delayMs));
        intervalMs = qMin(intervalMs * 2, m_config.maxPollIntervalMs);
    }
}

Result<QJsonObject> ReferencePep::approvalFrom(const QJsonObject &statusBody)
{
    const QString status = statusBody.value(QStringLiteral("task")).toObject().value(QStringLiteral("status")).toString();
    if (status != QLatin1String("approved"))
        return failure(QStringLiteral("The task ended %1, not approved.").arg(status), status);
    const QJsonObject result = statusBody.value(QStringLiteral("result")).toObject();
    if (result.value(QStringLiteral("mode")).toString() != QLatin1String("reevaluate"))
        return failure(QStringLiteral("The result uses an unknown completion mode; treating it as not approved."));
    const QJsonValue approval = result.value(QStringLiteral("approval"));
    if (!approval.isObject())
        return failure(QStringLiteral("The result carries no approval."));
    return approval.toObject();
}

Result<QJsonObject> ReferencePep::itemApprovalFrom(const QJsonObject &statusBody, int position)
{
    const QJsonObject task = statusBody.value(QStringLiteral("task")).toObject();
    const QString status = task.value(QStringLiteral("status")).toString();
    if (status != QLatin1String("approved") && status != QLatin1String("partial"))
        return failure(QStringLiteral("The task ended %1, so no item is approved.").arg(status), status);
    const QJsonArray items = task.value(QStringLiteral("items")).toArray();
    if (position < 0 || position >= items.size())
        return failure(QStringLiteral("The task has no item %1.").arg(position));

    const QJsonObject item = items.at(position).toObject();
    const QString itemStatus = item.value(QStringLiteral("status")).toString();
    if (itemStatus != QLatin1String("approved"))
        return failure(QStringLiteral("Item %1 ended %2, not approved.").arg(position).arg(itemStatus), itemStatus);
    const QJsonObject result = item.value(QStringLiteral("result")).toObject();
    if (result.value(QStringLiteral("mode")).toString() != QLatin1String("reevaluate"))
        return failure(QStringLiteral("Item %1 uses an unknown completion mode; treating it as not approved.").arg(position));
    const QJsonValue approval = result.value(QStringLiteral("approval"));
    if (!approval.isObject())
        return failure(QStringLiteral("Item %1 carries no approval.").arg(position));
    return approval.toObject();
}

Result<QJsonObject> ReferencePep::reevaluate(const QJsonObject &request, const QJsonObject &approval)
{
    QJsonObject withApproval = request;
    QJsonObject context = request.value(QStringLiteral("context")).toObject();
    context.insert(QStringLiteral("approval"), approval);
    withApproval.insert(QStringLiteral("context"), context);
    return evaluate(withApproval);
}

ReferencePep::NextAction ReferencePep::nextActionFor(const QJsonObject &decision)
{
    if (decision.value(QStringLiteral("decision")) == QJsonValue(true))
        return NextAction::None;

    const QJsonObject context = decision.value(QStringLiteral("context")).toObject();
    const bool hasAccessRequest = context.value(QStringLiteral("access_request")).isObject();
    const QJsonValue nextAction = context.value(QStringLiteral("next_action"));
    if (nextAction == QJsonValue(QStringLiteral("request")))
        return hasAccessRequest ? NextAction::Request : NextAction::None;
    if (nextAction == QJsonValue(QStringLiteral("retry")))
        return NextAction::Retry;
    if (nextAction == QJsonValue(QStringLiteral("none")))
        return NextAction::None;

    // An absent or unknown next_action falls back to the reason's default. A reason default of
    // Request still needs an access_request to act on.
    if (const auto byReason = defaultActionFor(context.value(QStringLiteral("reason")).toString())) {
        if (*byReason == NextAction::Request && !hasAccessRequest)
            return NextAction::None;
        return *byReason;
    }
    return hasAccessRequest ? NextAction::Request : NextAction::None;
}

Result<QJsonObject> ReferencePep::reevaluateWithRetries(const QJsonObject &request, const QJsonObject &approval,
                                                        const std::function<void(int delayMs)> &onWait)
{
    const auto until = Rfc3339::parse(approval.value(QStringLiteral("approved_until")).toString());
    const qint64 deadline = until ? until.value() : nowMs() + kDefaultDeadlineMs;
    int intervalMs = 1000;

    for (;;) {
        auto decision = reevaluate(request, approval);
        if (!decision)
            return decision.error();
        if (nextActionFor(decision.value()) != NextAction::Retry)
            return decision;

        // retry_after is delta-seconds; without it the PEP backs off as it does when polling.
        const QJsonValue retryAfter =
            decision->value(QStringLiteral("context")).toObject().value(QStringLiteral("retry_after"));
        const qint64 delayMs = retryAfter.isDouble() && retryAfter.toDouble() >= 1
            ? qint64(qMin(retryAfter.toDouble(), double(kMaxDelayMs))) * 1000
            : jittered(intervalMs);
        if (nowMs() + delayMs >= deadline || delayMs > kMaxDelayMs)
            return failure(QStringLiteral("The approval expires before the next retry, so the PEP stops retrying."));
        if (onWait)
            onWait(int(delayMs));
        wait(int(delayMs));
        intervalMs = qMin(intervalMs * 2, m_config.maxPollIntervalMs);
    }
}

Result<QJsonObject> ReferencePep::runIfPermitted(const QJsonObject &request, const std::function<void()> &action,
                                                 const QJsonObject &approval)
{
    auto decision = approval.isEmpty() ? evaluate(request) : reevaluate(request, approval);
    if (!decision)
        return decision.error();
    // Only a literal true permits: a requestable denial is still a denial.
    if (decision->value(QStringLiteral("decision")) == QJsonValue(true))
        action();
    return decision;
}

} // namespace Recourse::Pep
