#include "core/service/requestlog.h"

#include "core/base/logfields.h"
#include "core/service/httplogging.h"
#include "core/service/metrics.h"

#include <QElapsedTimer>
#include <QJsonObject>

namespace Recourse::Service {

namespace {

// `methodAndRoute` is Metrics::routeOf()'s label, "METHOD pattern". The pattern replaces ids in the path,
// so task and approval ids stay out of the log.
void write(const QByteArray &method, const QString &methodAndRoute, const QByteArray &requestId, int status,
           std::optional<double> durationMs, const QString &callerId)
{
    const QString route = methodAndRoute.section(u' ', 1);
    QJsonObject fields{{QStringLiteral("method"), QString::fromLatin1(method.left(16))},
                       {QStringLiteral("route"), route},
                       {QStringLiteral("status"), status}};
    if (!requestId.isEmpty())
        fields.insert(QStringLiteral("request_id"), QString::fromLatin1(requestId.left(128)));
    if (durationMs)
        fields.insert(QStringLiteral("duration_ms"), *durationMs);
    if (!callerId.isEmpty())
        fields.insert(QStringLiteral("caller"), callerId);

    const Log::ScopedFields scoped(fields);
    qCInfo(lcHttp).noquote() << QString::fromLatin1(method.left(16)) << route << status;
}

} // namespace

bool RequestLog::enabled()
{
    return lcHttp().isInfoEnabled();
}

Http::Responder RequestLog::wrap(const Http::Request &request, const QString &route, Http::Responder respond,
                                 std::shared_ptr<const QString> callerId)
{
    if (!enabled())
        return respond;

    QElapsedTimer started;
    started.start();
    return [respond = std::move(respond), method = request.method, route, requestId = request.requestId,
            callerId = std::move(callerId), started](Http::Response response) {
        // Tenths of a millisecond are enough to compare requests and keep the lines short.
        const double durationMs = double(started.nsecsElapsed() / 100000) / 10.0;
        write(method, route, requestId, response.status, durationMs, callerId ? *callerId : QString());
        respond(std::move(response));
    };
}

void RequestLog::logRejected(const Http::Request &head, const Http::Response &response)
{
    if (enabled())
        write(head.method, Metrics::routeOf(head.method, head.path), head.requestId, response.status, std::nullopt, {});
}

} // namespace Recourse::Service
