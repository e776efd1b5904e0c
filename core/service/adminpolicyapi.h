#pragma once

#include "core/base/result.h"

#include <QJsonObject>

namespace Recourse::Policy {
class PolicyStore;
}

namespace Recourse::Service {

// The approver API's policy views: "test this request" explanations and the state of the loaded
// policy folder. Both only read the current PolicySet and the store's last reload errors.
class AdminPolicyApi final
{
    Q_DISABLE_COPY_MOVE(AdminPolicyApi)

public:
    explicit AdminPolicyApi(Policy::PolicyStore *policies);

    // Explains an AuthZEN evaluation request against the current policy:
    // {"decision", "effect", "template", "matched": [{"rule", "file", "line", "effect",
    // "description"}], "explanation"}. Only the policy's rules decide here. An approval in
    // context.approval is not verified, so a requestable effect stays a denial.
    // Fails with InvalidRequest when the body is not a valid evaluation request.
    Result<QJsonObject> explain(const QJsonObject &body) const;

    // {"folder", "files", "rule_count", "template_count", "templates", "entities", "errors"}, where
    // errors lists the problems of the last reload ({"file", "line", "message"}) and is empty
    // when the last reload succeeded.
    QJsonObject status() const;

private:
    Policy::PolicyStore *m_policies;
};

} // namespace Recourse::Service
