#pragma once

#include "core/base/result.h"

#include <QByteArray>

namespace Recourse::Client {

// Maps an HTTP status to the error code the service would have used for it. Used when a problem
// body carries no type that names the code more precisely.
ErrorCode errorCodeForStatus(int httpStatus);

// Builds the Error for a failed call from its status and RFC 9457 problem+json body. The message
// is the problem's detail (its title when detail is missing), the value its invalid_value.
// A body that is not a problem object still yields an error that names the status.
Error errorFromProblem(int httpStatus, const QByteArray &body);

} // namespace Recourse::Client
