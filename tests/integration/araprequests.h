#pragma once

#include "tests/integration/servicefixture.h"

#include <QJsonObject>

// Evaluation requests of the arap-conformance pack, named after what the pack decides for them.
namespace Recourse::Testing::Arap {

inline QJsonObject evaluation(const QJsonObject &subject, const QJsonObject &resource, const QString &action,
                              const QJsonObject &context = {})
{
    QJsonObject request{{QStringLiteral("subject"), subject},
                        {QStringLiteral("resource"), resource},
                        {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), action}}}};
    if (!context.isEmpty())
        request.insert(QStringLiteral("context"), context);
    return request;
}

inline QJsonObject alice()
{
    return entity(QStringLiteral("user"), QStringLiteral("alice"));
}

inline QJsonObject document(const QString &id)
{
    return entity(QStringLiteral("document"), id);
}

inline QJsonObject tenant(const QString &name = QStringLiteral("acme"))
{
    return QJsonObject{{QStringLiteral("tenant"), name}};
}

// Requestable under manager_approval: one manager approves.
inline QJsonObject q4PlanRead()
{
    return evaluation(alice(), document(QStringLiteral("q4-plan")), QStringLiteral("can_read"), tenant());
}

// Requestable under security_review: a manager and a security engineer approve, in either order.
inline QJsonObject paymentLogRead()
{
    const QJsonObject context{{QStringLiteral("tenant"), QStringLiteral("acme")},
                              {QStringLiteral("ip"), QStringLiteral("192.0.2.10")},
                              {QStringLiteral("device"), QStringLiteral("laptop-17")}};
    return evaluation(alice(), entity(QStringLiteral("log"), QStringLiteral("payments-provider")),
                      QStringLiteral("can_read"), context);
}

// Requestable under auto_low_risk: agent-7 acting for alice; approved automatically at submission.
inline QJsonObject crmExportCall()
{
    const QJsonObject act{{QStringLiteral("sub"), QStringLiteral("agent-7")},
                          {QStringLiteral("sub_profile"), QStringLiteral("ai_agent")}};
    return evaluation(entity(QStringLiteral("user"), QStringLiteral("alice"), QJsonObject{{QStringLiteral("act"), act}}),
                      entity(QStringLiteral("tool"), QStringLiteral("crm.export")), QStringLiteral("can_call"));
}

// Requestable under slow_provisioning: re-evaluations permit only from 5 s after the approval.
inline QJsonObject q4PlanWrite()
{
    return evaluation(alice(), document(QStringLiteral("q4-plan")), QStringLiteral("can_write"));
}

} // namespace Recourse::Testing::Arap
