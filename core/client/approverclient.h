#pragma once

#include "core/base/result.h"
#include "core/client/certificatepin.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QStringList>
#include <QUrl>
#include <QUrlQuery>

#include <chrono>
#include <functional>

class QNetworkAccessManager;
class QNetworkReply;
class QNetworkRequest;

namespace Recourse::Client {

// Filters of GET /admin/v1/tasks; empty members are left out of the query.
struct TaskFilter
{
    QStringList statuses;  // pending, approved, denied, expired, cancelled, failed, partial
    QString templateName;  // template
    QString subject;       // subject id
    QString query;         // q: matches task id, subject id, resource id, action name, requester
};

// Filters of GET /admin/v1/audit; empty members are left out of the query.
struct AuditQuery
{
    QString taskId;
    QString evaluationId;
    QString subject;
    QString approver;
    QString since; // RFC 3339
    QString until; // RFC 3339
    qint64 afterSeq = 0; // only records with a larger seq; the service returns 1,000 per call
};

// Typed client of the approver API (/admin/v1). Every call is asynchronous: the reply arrives
// through `done`, which runs on the thread of `context` and is dropped when `context` is destroyed
// first, so a closed view never receives a stale answer. Calls themselves must be made on the
// thread this object lives in, because QNetworkAccessManager is not thread-safe.
// A failed call yields an Error: problem+json answers keep the problem's detail as the message;
// a transport failure (refused, timed out, TLS) yields ErrorCode::Internal naming the URL.
class ApproverClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApproverClient)

public:
    using Callback = std::function<void(Result<QJsonObject>)>;

    // baseUrl is the service root (http://127.0.0.1:8080 or https://host); the token is the
    // approver's bearer token and is sent on every call, never logged.
    ApproverClient(QUrl baseUrl, QString token, QObject *parent = nullptr);
    ~ApproverClient() override;

    QUrl baseUrl() const { return m_baseUrl; }
    QString token() const { return m_token; }
    void setToken(QString token) { m_token = std::move(token); }

    // A call whose transfer stalls this long fails; 30 s by default.
    void setTransferTimeout(std::chrono::milliseconds timeout) { m_transferTimeout = timeout; }
    // For an https base URL: accept only the server certificate with this fingerprint, even when
    // it is self-signed. A null pin leaves the decision to the system trust store.
    void setCertificatePin(CertificatePin pin) { m_pin = std::move(pin); }
    CertificatePin certificatePin() const { return m_pin; }

    void whoami(QObject *context, Callback done);
    // limit is 1 to 500; 0 leaves it to the service (100). An empty cursor asks for the first page.
    void listTasks(const TaskFilter &filter, const QString &cursor, int limit, QObject *context, Callback done);
    void task(const QString &taskId, QObject *context, Callback done);
    // body: {comment, approved_until, scope, items}, all optional.
    void approve(const QString &taskId, const QJsonObject &body, QObject *context, Callback done);
    // body: {reason, comment, items}.
    void deny(const QString &taskId, const QJsonObject &body, QObject *context, Callback done);
    // decisions: [{task_id, decision, items, comment, reason, approved_until, scope}, ...].
    void decideBatch(const QJsonArray &decisions, QObject *context, Callback done);
    void revoke(const QString &approvalId, const QString &comment, QObject *context, Callback done);
    // body: {task_id, scope, approved_until}.
    void preview(const QJsonObject &body, QObject *context, Callback done);
    void listDenials(const QString &cursor, int limit, QObject *context, Callback done);
    // A top-level JSON array in the answer is delivered as {"items": [...]}.
    void audit(const AuditQuery &query, QObject *context, Callback done);
    void verifyAudit(QObject *context, Callback done);
    // request: an AuthZEN evaluation request; the answer explains the decision and changes nothing.
    void explain(const QJsonObject &request, QObject *context, Callback done);
    // The loaded policy: folder, files, counts and the errors of the last reload.
    void policy(QObject *context, Callback done);
    // The service's signing keys with their state (auditor or admin).
    void signingKeys(QObject *context, Callback done);
    // Makes a new signing key active; the previous one verifies its tokens until they expire (admin).
    void rotateSigningKey(QObject *context, Callback done);

private:
    enum class Method { Get, Post };

    void send(Method method, const QString &path, const QUrlQuery &query, const QJsonObject &body,
              QObject *context, Callback done);
    QNetworkRequest buildRequest(const QString &path, const QUrlQuery &query) const;
    Result<QJsonObject> readReply(QNetworkReply *reply) const;
    void enforcePin(QNetworkReply *reply) const;

    QUrl m_baseUrl;
    QString m_token;
    std::chrono::milliseconds m_transferTimeout{30000};
    CertificatePin m_pin;
    QNetworkAccessManager *m_network = nullptr;
};

} // namespace Recourse::Client
