#pragma once

#include "core/base/result.h"

#include <QJsonObject>

namespace Recourse::Escalation {

// Checks the structure of a single-item submission body before any signature, store or policy
// work: the AuthZEN entities, the types of the optional members, RFC 3339 times, and that the
// denial names a binding_token or an evaluation_id. Fails with InvalidRequest, InvalidCallback
// or InvalidDenialBinding and the offending member as the error value.
Result<void> validateSubmission(const QJsonObject &body);

} // namespace Recourse::Escalation
