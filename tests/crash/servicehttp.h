#pragma once

// HTTP helpers for the tests that run the recourse executable as a separate process: requests in
// parallel, the answer with the headers a failure check needs, and the demo pack's escalation.

#include "core/json/json.h"

#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

namespace Recourse::Testing {

// The identities every process test starts the service with.
inline const QByteArray kProcessTestConfig = R"({"identities": [
    {"id": "pep-a", "role": "pep", "token": "pep-a-secret"},
    {"id": "bob", "role": "approver", "groups": ["managers"], "token": "bob-secret"},
    {"id": "audit-1", "role": "auditor", "token": "audit-secret"}]})";

struct HttpAnswer
{
    bool finished = false;
    int status = 0; // 0 when the connection failed
    QByteArray contentType;
    QByteArray retryAfter;
    QJsonObject body;
    QString networkError;

    QString describe() const
    {
        return QStringLiteral("HTTP %1 %2 %3").arg(status).arg(QString::fromUtf8(Json::serialize(body)), networkError);
    }
};

// An HTTP client for one service base URL. Every request is sent at once; answer() waits for it.
class ServiceHttp
{
public:
    void setBaseUrl(const QString &baseUrl) { m_baseUrl = baseUrl; }
    QString baseUrl() const { return m_baseUrl; }

    QNetworkReply *send(const QByteArray &method, const QString &path, const QByteArray &token,
                        const QJsonObject &body = {}, const QByteArray &idempotencyKey = {})
    {
        QNetworkRequest request(QUrl(m_baseUrl + path));
        if (!token.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + token);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        if (!idempotencyKey.isEmpty())
            request.setRawHeader("Idempotency-Key", idempotencyKey);
        if (method == "GET")
            return m_network.get(request);
        return m_network.sendCustomRequest(request, method, Json::serialize(body));
    }

    // Waits up to `timeoutMs` for the reply; an unfinished reply is aborted and reported as such.
    static HttpAnswer answer(QNetworkReply *reply, int timeoutMs = 15000)
    {
        HttpAnswer result;
        // An event loop that ends with the reply, rather than QTest::qWaitFor's 10 ms polling.
        if (!reply->isFinished()) {
            QSignalSpy finished(reply, &QNetworkReply::finished);
            finished.wait(timeoutMs);
        }
        result.finished = reply->isFinished();
        if (!result.finished)
            reply->abort();
        reply->deleteLater();
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.contentType = reply->rawHeader("Content-Type");
        result.retryAfter = reply->rawHeader("Retry-After");
        if (reply->error() != QNetworkReply::NoError)
            result.networkError = reply->errorString();
        auto parsed = Json::parseObject(reply->readAll());
        if (parsed)
            result.body = parsed.value();
        return result;
    }

    HttpAnswer call(const QByteArray &method, const QString &path, const QByteArray &token, const QJsonObject &body = {},
                    const QByteArray &idempotencyKey = {})
    {
        return answer(send(method, path, token, body, idempotencyKey));
    }

private:
    QString m_baseUrl;
    QNetworkAccessManager m_network;
};

// The demo pack's requestable read of the payment provider's logs, one tenant per request.
inline QJsonObject paymentsLogRequest(const QString &tenant)
{
    return QJsonObject{
        {QStringLiteral("subject"), QJsonObject{{QStringLiteral("type"), QStringLiteral("user")},
                                                {QStringLiteral("id"), QStringLiteral("sam")},
                                                {QStringLiteral("properties"),
                                                 QJsonObject{{QStringLiteral("department"), QStringLiteral("support")}}}}},
        {QStringLiteral("resource"), QJsonObject{{QStringLiteral("type"), QStringLiteral("log")},
                                                 {QStringLiteral("id"), QStringLiteral("payments-provider")}}},
        {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("read")}}},
        {QStringLiteral("context"), QJsonObject{{QStringLiteral("tenant"), tenant}}}};
}

// The submission body for a requestable denial: the evaluated request plus the denial it cites.
// Empty when `decision` is not a requestable denial.
inline QJsonObject submissionFor(const QJsonObject &request, const QJsonObject &decision)
{
    const QJsonObject context = decision.value(QStringLiteral("context")).toObject();
    const QJsonObject accessRequest = context.value(QStringLiteral("access_request")).toObject();
    if (decision.value(QStringLiteral("decision")).toBool() || accessRequest.isEmpty())
        return {};
    QJsonObject body = request;
    body.insert(QStringLiteral("denial"),
                QJsonObject{{QStringLiteral("expires_at"), accessRequest.value(QStringLiteral("expires_at"))},
                            {QStringLiteral("evaluation_id"), context.value(QStringLiteral("evaluation_id"))},
                            {QStringLiteral("binding_token"), accessRequest.value(QStringLiteral("binding_token"))}});
    return body;
}

inline QString taskIdOf(const HttpAnswer &answer)
{
    const QJsonValue task = answer.body.value(QStringLiteral("task"));
    if (task.isObject())
        return task.toObject().value(QStringLiteral("id")).toString();
    return answer.body.value(QStringLiteral("id")).toString();
}

inline QString taskStatusOf(const HttpAnswer &answer)
{
    const QJsonValue task = answer.body.value(QStringLiteral("task"));
    if (task.isObject())
        return task.toObject().value(QStringLiteral("status")).toString();
    return answer.body.value(QStringLiteral("status")).toString();
}

// Reads the "listening on URL" line the service prints first; empty when it exits or stays silent.
inline QString readListeningUrl(QProcess &process, int timeoutMs = 20000)
{
    const QByteArray prefix = QByteArrayLiteral("listening on ");
    QString url;
    (void)QTest::qWaitFor([&] {
        while (process.canReadLine()) {
            const QByteArray line = process.readLine().trimmed();
            if (line.startsWith(prefix)) {
                url = QString::fromUtf8(line.mid(prefix.size()));
                return true;
            }
        }
        return process.state() == QProcess::NotRunning;
    }, timeoutMs);
    return url;
}

} // namespace Recourse::Testing
