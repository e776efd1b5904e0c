#pragma once

#include "core/service/httptypes.h"

#include <QString>

#include <memory>

namespace Recourse::Service {

// One info line in recourse.http per HTTP request, written when its response is handed to the
// connection: method, route pattern, status, duration, request id and the caller's identity id.
// Headers, tokens and bodies are never logged.
class RequestLog final
{
public:
    // Whether request lines are written; check before building anything for them.
    static bool enabled();

    // Returns a responder that logs the response, then passes it on. `route` is the request's
    // Metrics::routeOf() label. `callerId` may be set later (once the request is authenticated),
    // and is read when the response goes out.
    static Http::Responder wrap(const Http::Request &request, const QString &route, Http::Responder respond,
                                std::shared_ptr<const QString> callerId);

    // Logs a request rejected from its headers alone, before its body was read.
    static void logRejected(const Http::Request &head, const Http::Response &response);
};

} // namespace Recourse::Service
