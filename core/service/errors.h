#pragma once

#include "core/base/result.h"
#include "core/service/httptypes.h"

namespace Recourse::Service {

// The one table that turns an Error into an HTTP status and problem type.
Http::Response problemFor(const Error &error);

// The profile's problem type URN for an error code, or "about:blank".
QString problemType(ErrorCode code);
int httpStatus(ErrorCode code);

} // namespace Recourse::Service
