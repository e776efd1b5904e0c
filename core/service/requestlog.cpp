#include "core/service/requestlog.h"

#include "core/base/logfields.h"
#include "core/base/requestline.h"
#include "core/service/httplogging.h"
#include "core/service/metrics.h"

#include <QElapsedTimer>

namespace Recourse::Service {

namespace {

// `methodAndRoute` is Metrics::routeOf()'s label, "METHOD pattern". The pattern replaces ids in the path,
// so task and approval ids stay out of the log.
void write(const QByteArray &method, const QString &methodAndRoute, const QByteArray &requestId, int status,
           std::optional<qint64> durationTenthsMs, const QString &callerId)
{
    const qsizetype space = methodAndRoute.indexOf(u' ');
    const QStringView route = space < 0 ? QStringView() : QStringView(methodAndRoute).sliced(space + 1);
    // A request rejected before its request line was parsed has no method.
    const QByteArrayView methodBytes =
        method.isEmpty() ? QByteArrayView("-") : QByteArrayView(method).first(std::min<qsizetype>(method.size(), 16));

    if (const Log::RequestLineWriter writer = Log::requestLineWriter()) {
        const Log::RequestLine line{lcHttp().categoryName(), methodBytes, route, status, requestId, durationTenthsMs,
                                    callerId};
        if (writer(line))
            return;
    }

    const QString methodText = QString::fromLatin1(methodBytes);
    Log::Fields fields;
    fields.add(QStringLiteral("method"), methodText)
        .add(QStringLiteral("route"), route.toString())
        .add(QStringLiteral("status"), status);
    // Clients send UTF-8 ids, so they are decoded as such, and a long one is cut between characters.
    if (!requestId.isEmpty()) {
        QString id = QString::fromUtf8(requestId);
        if (id.size() > 128)
            id.truncate(id.at(127).isHighSurrogate() ? 127 : 128);
        fields.add(QStringLiteral("request_id"), id);
    }
    if (durationTenthsMs)
        fields.add(QStringLiteral("duration_ms"), double(*durationTenthsMs) / 10.0);
    if (!callerId.isEmpty())
        fields.add(QStringLiteral("caller"), callerId);

    // Straight to the message handler: a QDebug stream costs more than the rest of the line.
    const Log::ScopedFields scoped(fields);
    const QMessageLogContext context(nullptr, 0, nullptr, lcHttp().categoryName());
    qt_message_output(QtInfoMsg, context, methodText + u' ' + route + u' ' + QString::number(status));
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
        write(method, route, requestId, response.status, started.nsecsElapsed() / 100000, callerId ? *callerId : QString());
        respond(std::move(response));
    };
}

void RequestLog::logRejected(const Http::Request &head, const Http::Response &response)
{
    if (enabled())
        write(head.method, Metrics::routeOf(head.method, head.path), head.requestId, response.status, std::nullopt, {});
}

} // namespace Recourse::Service
