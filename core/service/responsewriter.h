#pragma once

#include "core/service/httptypes.h"

namespace Recourse::Http {

// Serializes a response head, and the body unless `headRequest`: status line, Date,
// Content-Length (except for 1xx, 204 and 304), the handler's headers, X-Request-ID and the
// Connection header. Headers the server owns or that could split the response are dropped.
QByteArray serializeResponse(const Response &response, const QByteArray &requestId, bool close,
    bool keepAliveHeader, bool headRequest);

// Returns a new X-Request-ID: 128 random bits as 32 lower-case hex digits.
QByteArray mintRequestId();

} // namespace Recourse::Http
