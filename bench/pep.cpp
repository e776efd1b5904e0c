// The simulated PEP's requests and helpers, shared by recourse-loadgen and the console benchmark.
#include "bench/loadruns.h"
#include "demo/referencepep.h"

#include <QJsonDocument>
#include <QUrl>

namespace Recourse::Bench::Pep {

QJsonObject requestableRequest()
{
    return QJsonObject{
        {QStringLiteral("subject"), QJsonObject{{QStringLiteral("type"), QStringLiteral("user")}, {QStringLiteral("id"), QStringLiteral("alice")}}},
        {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_read")}}},
        {QStringLiteral("resource"), QJsonObject{{QStringLiteral("type"), QStringLiteral("document")}, {QStringLiteral("id"), QStringLiteral("q4-plan")}}},
        {QStringLiteral("context"), QJsonObject{{QStringLiteral("tenant"), QStringLiteral("acme")}}},
    };
}

QJsonObject autoApprovedRequest()
{
    const QJsonObject act{{QStringLiteral("sub"), QStringLiteral("agent-7")}, {QStringLiteral("sub_profile"), QStringLiteral("ai_agent")}};
    return QJsonObject{
        {QStringLiteral("subject"), QJsonObject{{QStringLiteral("type"), QStringLiteral("user")},
                                                {QStringLiteral("id"), QStringLiteral("alice")},
                                                {QStringLiteral("properties"), QJsonObject{{QStringLiteral("act"), act}}}}},
        {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_call")}}},
        {QStringLiteral("resource"), QJsonObject{{QStringLiteral("type"), QStringLiteral("tool")}, {QStringLiteral("id"), QStringLiteral("crm.export")}}},
    };
}

QJsonObject stampedPermitRequest(qint64 sentMicros)
{
    return QJsonObject{
        {QStringLiteral("subject"), QJsonObject{{QStringLiteral("type"), QStringLiteral("user")}, {QStringLiteral("id"), QStringLiteral("alice")}}},
        {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("read")}}},
        {QStringLiteral("resource"), QJsonObject{{QStringLiteral("type"), QStringLiteral("record")},
                                                 {QStringLiteral("id"), QStringLiteral("record-1")},
                                                 {QStringLiteral("properties"), QJsonObject{{QStringLiteral("bench_sent_us"), double(sentMicros)}}}}},
    };
}

bool isRequestable(const QJsonObject &decision)
{
    return decision.value(QStringLiteral("decision")) == QJsonValue(false)
        && decision.value(QStringLiteral("context")).toObject().value(QStringLiteral("access_request")).isObject();
}

QJsonObject submissionFor(const QJsonObject &request, const QJsonObject &decision)
{
    QJsonObject body = request;
    body.insert(QStringLiteral("denial"), ::Recourse::Pep::ReferencePep::denialFor(decision));
    return body;
}

QJsonObject parseObject(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object();
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray bearer(const QByteArray &token)
{
    return QByteArrayLiteral("Bearer ") + token;
}

QByteArray pathOf(const QString &url)
{
    return QUrl(url).path(QUrl::FullyEncoded).toLatin1();
}

} // namespace Recourse::Bench::Pep
