#pragma once

#include "core/base/result.h"
#include "core/service/httptypes.h"

namespace Recourse::Http {

// Fills request->target, path (percent-decoded) and query from a request target in origin,
// absolute or asterisk form (RFC 9112 section 3.2). A failure carries the detail for a 400.
Result<void> parseRequestTarget(QByteArrayView method, QByteArrayView target, Request *request);

} // namespace Recourse::Http
