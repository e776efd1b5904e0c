#pragma once

#include "core/policy/policy.h"

#include <QJsonObject>
#include <QList>

namespace Recourse::Policy {

// The entity a search enumerates; the other two entities of the request stay fixed.
enum class SearchKind { Subject, Resource, Action };

// Enumerates the entities of `kind` that the policy pack declares and that the policy permits
// together with the fixed entities of `request`, in declaration order.
//
// Each candidate is evaluated with the type, id (or name) and properties the pack declares for it,
// so a result is exactly the entity the pack describes. The searched member of `request` only
// contributes its `type` (for subjects and resources); its id and properties are ignored. The fixed
// entities and the context are evaluated as sent, because that is what an evaluation of the same
// request would see. A fixed entity the pack does not declare (matched by type and id, or by name
// for actions) yields no results.
//
// Results carry only the identifying members ({"type", "id"} or {"name"}), because that is the form
// PEPs compare and feed back into evaluations.
QList<QJsonObject> search(const PolicySet &policy, SearchKind kind, const Request &request);

} // namespace Recourse::Policy
