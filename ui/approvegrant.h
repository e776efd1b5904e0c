#pragma once

#include <QCoreApplication>
#include <QJsonObject>
#include <QString>

namespace Recourse::Ui {

// The access one click on Approve grants for a task, computed as the service will: the end the
// PEP requested, capped by the template's maximum, or the template's default when it requested none.
// The detail view shows it beside the button, so the end is visible before the decision.
class ApproveGrant
{
    Q_DECLARE_TR_FUNCTIONS(ApproveGrant)

public:
    // Reads `approval_limits`, `requested_access`, `items` and `workflow` of a task in detail.
    // Returns an empty text for a task that is not pending or carries no limits (an older service).
    static ApproveGrant of(const QJsonObject &task, qint64 nowMs);

    // One sentence for the approver.
    QString text;
    // False when approving as requested would be rejected, because a requested end has passed.
    bool possible = true;
};

} // namespace Recourse::Ui
