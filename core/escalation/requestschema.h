#pragma once

// A template's request_schema: what a submission may add to `context` and `requested_access`,
// checked at the Access Request Endpoint. Not a public API.

#include "core/base/result.h"
#include "core/policy/policy.h"

#include <QJsonObject>

namespace Recourse::Escalation::RequestSchema {

// The maximum length of context.business_justification in characters (Unicode code points),
// whatever the template's request_schema allows.
inline constexpr qsizetype kMaxJustificationLength = 4096;

// Checks `instance` against the subset of JSON Schema that templates use: type (one name or a
// list), enum, required, properties, additionalProperties (false or a schema), items, minItems,
// maxItems, minLength and maxLength (in code points), minimum and maximum. Other keywords are
// ignored. Fails with InvalidRequest whose value is the JSON Pointer of the first member that
// does not match, for example "/context/business_justification".
Result<void> validate(const QJsonObject &schema, const QJsonValue &instance);

// Checks a submission body against the template's request_schema, whose root is the whole body,
// and against the justification cap.
Result<void> checkSubmission(const QJsonObject &body, const Policy::Template &tmpl);

} // namespace Recourse::Escalation::RequestSchema
