#pragma once

// Verification of a submission's `denial` object against the request it claims to bind; shared
// by single-item and bulk submissions. Not a public API.

#include "core/escalation/escalationservice.h"

#include <QJsonArray>

#include <optional>

namespace Recourse::Escalation::Internal {

// The facts a verified denial establishes about the denied evaluation.
struct BoundDenial
{
    QString evaluationId;
    QString templateName;
    QStringList members; // authorization-relevant context members
    QString jti;
    qint64 deadlineMs = 0; // freshness deadline before skew tolerance
    qint64 tokenExpMs = 0;
    // From the service's record of the evaluation, never from the PEP's echo, because approvers
    // read them. Empty and -1 when the service has no record of it.
    QString reason;
    qint64 evaluatedMs = -1;
};

// The task's summary of the evaluation a denial is bound by: its id, time, expiry and reason.
QJsonObject evaluationSummary(const BoundDenial &bound);

// The request a denial must bind: the submitting client, the submission's subject and context,
// and its resource and action pairs. A single-item denial binds one pair; a bundle denial binds
// every item in order.
struct BindingTarget
{
    QString client; // the authenticated caller, which must be the PEP client the denial was issued to
    QJsonObject subject;
    QJsonObject context;
    QJsonArray pairs; // [{"resource", "action"}]
    bool bundle = false;
};

// A denial whose binding_token signature was checked before the writer job runs, because
// signature checks need no store and are the expensive part.
struct PresentedDenial
{
    QJsonObject denial;
    std::optional<Result<Jose::VerifiedToken>> token; // set when the denial carries a binding_token
};

PresentedDenial presentDenial(const QJsonObject &denial, const EscalationConfig &config, const Jose::KeySet &keys,
                              qint64 nowSeconds);

// Verifies a presented denial inside the writer job, in the profile's order: the token claims or
// the recorded evaluation, jti replay, the binding to `target` (client, then structure), then
// freshness.
// Records the jti in `tx`, so a second denial with the same jti in one submission is refused.
// Fails with InvalidDenialBinding or ExpiredDenial.
Result<BoundDenial> bindDenial(Store::WriteTx &tx, const PresentedDenial &presented, const BindingTarget &target,
                               qint64 skewMs);

} // namespace Recourse::Escalation::Internal
