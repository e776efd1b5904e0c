#include "core/client/approverclient.h"

#include "core/client/logging.h"
#include "core/client/problem.h"
#include "core/json/json.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QSslConfiguration>

namespace Recourse::Client {

namespace {

// No approver API answer comes near this; a larger one is a fault or an attack and is cut off
// instead of being buffered.
constexpr qint64 MaxReplyBytes = 64 * 1024 * 1024;

QString encodedSegment(const QString &id)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(id));
}

QUrlQuery pageQuery(const QString &cursor, int limit)
{
    QUrlQuery query;
    if (!cursor.isEmpty())
        query.addQueryItem(QStringLiteral("cursor"), cursor);
    if (limit > 0)
        query.addQueryItem(QStringLiteral("limit"), QString::number(limit));
    return query;
}

void addIfSet(QUrlQuery &query, const QString &key, const QString &value)
{
    if (!value.isEmpty())
        query.addQueryItem(key, value);
}

} // namespace

ApproverClient::ApproverClient(QUrl baseUrl, QString token, QObject *parent)
    : QObject(parent)
    , m_baseUrl(std::move(baseUrl))
    , m_token(std::move(token))
    , m_network(new QNetworkAccessManager(this))
{
}

ApproverClient::~ApproverClient() = default;

void ApproverClient::whoami(QObject *context, Callback done)
{
    send(Method::Get, QStringLiteral("/admin/v1/whoami"), {}, {}, context, std::move(done));
}

void ApproverClient::listTasks(const TaskFilter &filter, const QString &cursor, int limit, QObject *context,
                               Callback done)
{
    QUrlQuery query = pageQuery(cursor, limit);
    addIfSet(query, QStringLiteral("status"), filter.statuses.join(u','));
    addIfSet(query, QStringLiteral("template"), filter.templateName);
    addIfSet(query, QStringLiteral("subject"), filter.subject);
    addIfSet(query, QStringLiteral("q"), filter.query);
    send(Method::Get, QStringLiteral("/admin/v1/tasks"), query, {}, context, std::move(done));
}

void ApproverClient::task(const QString &taskId, QObject *context, Callback done)
{
    send(Method::Get, QStringLiteral("/admin/v1/tasks/") + encodedSegment(taskId), {}, {}, context, std::move(done));
}

void ApproverClient::approve(const QString &taskId, const QJsonObject &body, QObject *context, Callback done)
{
    send(Method::Post, QStringLiteral("/admin/v1/tasks/") + encodedSegment(taskId) + QStringLiteral("/approve"), {},
         body, context, std::move(done));
}

void ApproverClient::deny(const QString &taskId, const QJsonObject &body, QObject *context, Callback done)
{
    send(Method::Post, QStringLiteral("/admin/v1/tasks/") + encodedSegment(taskId) + QStringLiteral("/deny"), {},
         body, context, std::move(done));
}

void ApproverClient::decideBatch(const QJsonArray &decisions, QObject *context, Callback done)
{
    send(Method::Post, QStringLiteral("/admin/v1/tasks:batch"), {}, QJsonObject{{QStringLiteral("decisions"), decisions}},
         context, std::move(done));
}

void ApproverClient::revoke(const QString &approvalId, const QString &comment, QObject *context, Callback done)
{
    QJsonObject body;
    if (!comment.isEmpty())
        body.insert(QStringLiteral("comment"), comment);
    send(Method::Post, QStringLiteral("/admin/v1/approvals/") + encodedSegment(approvalId) + QStringLiteral("/revoke"),
         {}, body, context, std::move(done));
}

void ApproverClient::preview(const QJsonObject &body, QObject *context, Callback done)
{
    send(Method::Post, QStringLiteral("/admin/v1/preview"), {}, body, context, std::move(done));
}

void ApproverClient::listDenials(const QString &cursor, int limit, QObject *context, Callback done)
{
    send(Method::Get, QStringLiteral("/admin/v1/denials"), pageQuery(cursor, limit), {}, context, std::move(done));
}

void ApproverClient::audit(const AuditQuery &filter, QObject *context, Callback done)
{
    QUrlQuery query;
    addIfSet(query, QStringLiteral("task_id"), filter.taskId);
    addIfSet(query, QStringLiteral("evaluation_id"), filter.evaluationId);
    addIfSet(query, QStringLiteral("subject"), filter.subject);
    addIfSet(query, QStringLiteral("approver"), filter.approver);
    addIfSet(query, QStringLiteral("since"), filter.since);
    addIfSet(query, QStringLiteral("until"), filter.until);
    if (filter.afterSeq > 0)
        query.addQueryItem(QStringLiteral("after"), QString::number(filter.afterSeq));
    send(Method::Get, QStringLiteral("/admin/v1/audit"), query, {}, context, std::move(done));
}

void ApproverClient::verifyAudit(QObject *context, Callback done)
{
    send(Method::Get, QStringLiteral("/admin/v1/audit/verify"), {}, {}, context, std::move(done));
}

void ApproverClient::explain(const QJsonObject &request, QObject *context, Callback done)
{
    send(Method::Post, QStringLiteral("/admin/v1/explain"), {}, request, context, std::move(done));
}

void ApproverClient::policy(QObject *context, Callback done)
{
    send(Method::Get, QStringLiteral("/admin/v1/policy"), {}, {}, context, std::move(done));
}

void ApproverClient::signingKeys(QObject *context, Callback done)
{
    send(Method::Get, QStringLiteral("/admin/v1/keys"), {}, {}, context, std::move(done));
}

void ApproverClient::rotateSigningKey(QObject *context, Callback done)
{
    send(Method::Post, QStringLiteral("/admin/v1/keys/rotate"), {}, {}, context, std::move(done));
}

QNetworkRequest ApproverClient::buildRequest(const QString &path, const QUrlQuery &query) const
{
    QUrl url = m_baseUrl;
    QString basePath = url.path(QUrl::FullyEncoded);
    while (basePath.endsWith(u'/'))
        basePath.chop(1);
    url.setPath(basePath + path, QUrl::TolerantMode);
    url.setQuery(query);

    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    request.setRawHeader("Accept", "application/json, application/problem+json");
    request.setTransferTimeout(int(m_transferTimeout.count()));
    // A followed redirect would carry the bearer token to whatever host the redirect names.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    return request;
}

void ApproverClient::send(Method method, const QString &path, const QUrlQuery &query, const QJsonObject &body,
                          QObject *context, Callback done)
{
    QPointer<QObject> receiver = context ? context : this;
    QNetworkRequest request = buildRequest(path, query);

    QNetworkReply *reply = nullptr;
    if (method == Method::Get) {
        reply = m_network->get(request);
    } else {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        reply = m_network->post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
    }

    if (!m_pin.isNull())
        enforcePin(reply);

    QElapsedTimer elapsed;
    elapsed.start();
    connect(reply, &QNetworkReply::downloadProgress, reply, [reply](qint64 received, qint64) {
        if (received > MaxReplyBytes) {
            qCWarning(lcClient) << "reply from" << reply->url().path() << "exceeds" << MaxReplyBytes << "bytes; aborted";
            reply->abort();
        }
    });
    connect(reply, &QNetworkReply::finished, this, [this, reply, receiver, elapsed, done = std::move(done)]() mutable {
        reply->deleteLater();
        Result<QJsonObject> result = readReply(reply);
        qCDebug(lcClient) << reply->operation() << reply->url().path()
                          << reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() << "in"
                          << elapsed.elapsed() << "ms";
        if (!receiver)
            return;
        QMetaObject::invokeMethod(receiver.data(), [done = std::move(done), result = std::move(result)]() mutable {
            done(std::move(result));
        });
    });
}

void ApproverClient::enforcePin(QNetworkReply *reply) const
{
    const CertificatePin pin = m_pin;
    connect(reply, &QNetworkReply::sslErrors, reply, [reply, pin](const QList<QSslError> &errors) {
        const QSslCertificate peer = reply->sslConfiguration().peerCertificate();
        if (pin.acceptsErrors(peer, errors))
            reply->ignoreSslErrors(errors);
        else if (!pin.matches(peer))
            reply->setProperty("recoursePinMismatch", CertificatePin::of(peer).toString());
    });
    // A certificate that a public authority signed passes the handshake without sslErrors, so the
    // pin is checked again once the connection is encrypted.
    connect(reply, &QNetworkReply::encrypted, reply, [reply, pin] {
        const QSslCertificate peer = reply->sslConfiguration().peerCertificate();
        if (pin.matches(peer))
            return;
        qCWarning(lcClient) << "certificate of" << reply->url().host() << "does not match the pinned fingerprint";
        reply->setProperty("recoursePinMismatch", CertificatePin::of(peer).toString());
        reply->abort();
    });
}

Result<QJsonObject> ApproverClient::readReply(QNetworkReply *reply) const
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString path = reply->url().path();
    const QByteArray body = reply->readAll();

    const QString mismatch = reply->property("recoursePinMismatch").toString();
    if (!mismatch.isEmpty()) {
        return Error::make(ErrorCode::Forbidden,
                           QStringLiteral("The service at %1 presented a certificate with SHA-256 fingerprint %2, "
                                          "not the pinned %3; nothing was sent.")
                               .arg(m_baseUrl.host(), mismatch, m_pin.toString()),
                           mismatch);
    }

    if (status == 0 || (status < 400 && reply->error() != QNetworkReply::NoError)) {
        qCWarning(lcClient) << "request" << path << "failed:" << reply->errorString();
        return Error::make(ErrorCode::Internal,
                           QStringLiteral("Could not reach the service at %1: %2")
                               .arg(m_baseUrl.toDisplayString(QUrl::RemoveUserInfo), reply->errorString()),
                           m_baseUrl.toDisplayString(QUrl::RemoveUserInfo));
    }

    if (status >= 300 && status < 400) {
        qCWarning(lcClient) << "request" << path << "was redirected with" << status << "; not followed";
        return Error::make(ErrorCode::Internal,
                           QStringLiteral("The service redirected %1 (HTTP %2); redirects are not followed so the "
                                          "token is only sent to the configured URL.")
                               .arg(path)
                               .arg(status),
                           reply->header(QNetworkRequest::LocationHeader).toUrl().toDisplayString());
    }

    if (status >= 400) {
        Error error = errorFromProblem(status, body);
        qCWarning(lcClient) << "request" << path << "answered" << status << "-" << error.message;
        return error;
    }

    if (body.trimmed().isEmpty())
        return QJsonObject{};

    const Result<QJsonValue> document = Json::parseWritten(body);
    if (!document) {
        qCWarning(lcClient) << "request" << path << "returned invalid JSON:" << document.error().message;
        return Error::make(ErrorCode::InvalidJson,
                           QStringLiteral("The service returned invalid JSON for %1: %2").arg(path, document.error().message),
                           path);
    }
    if (document->isArray())
        return QJsonObject{{QStringLiteral("items"), document->toArray()}};
    return document->toObject();
}

} // namespace Recourse::Client
