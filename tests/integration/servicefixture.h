#pragma once

#include "core/base/clock.h"
#include "core/service/servicehost.h"

#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPair>
#include <QTemporaryDir>
#include <QWebSocket>

#include <functional>
#include <memory>

namespace Recourse::Testing {

// Bearer tokens of the identities the fixture configures (the harness identity file shape).
namespace Tokens {
inline const QString pepA = QStringLiteral("pep-a-secret");
inline const QString pepB = QStringLiteral("pep-b-secret");
inline const QString bob = QStringLiteral("bob-secret");     // approver, group managers
inline const QString carol = QStringLiteral("carol-secret"); // approver, group security
inline const QString alice = QStringLiteral("alice-secret"); // approver, group managers
inline const QString auditor = QStringLiteral("audit-secret");
inline const QString gateway = QStringLiteral("gateway-secret"); // PEP vouching for actor agent-7
} // namespace Tokens

// 2026-12-04T10:00:00Z, the instant every fixture clock starts at.
inline constexpr qint64 kFixtureStartMs = 1796378400000;

using Headers = QList<QPair<QByteArray, QByteArray>>;

// One HTTP exchange as the client saw it.
struct HttpResponse
{
    int status = 0;       // 0 when no response arrived
    QString transportError; // set when no response arrived
    Headers headers;      // names lower-cased
    QByteArray body;
    QJsonObject json; // the body when it parses as a JSON object

    QByteArray header(QByteArrayView lowerCaseName) const;
    bool hasHeader(QByteArrayView lowerCaseName) const;
    QByteArray contentType() const { return header("content-type"); }
    bool isProblem() const { return contentType().startsWith("application/problem+json"); }
    QString problemType() const { return json.value(QStringLiteral("type")).toString(); }
    // "status 400, body {...}" for failure messages.
    QByteArray describe() const;
};

// What one escalation step produced; `failure` names the first step that went wrong.
struct Escalation
{
    QJsonObject request;  // the evaluation request
    QJsonObject decision; // the requestable denial
    QJsonObject task;     // the task handle of the submission
    QJsonObject approval; // result.approval once approved
    QString failure;

    bool ok() const { return failure.isEmpty(); }
    QString taskId() const { return task.value(QStringLiteral("id")).toString(); }
    QString statusEndpoint() const { return task.value(QStringLiteral("status_endpoint")).toString(); }
};

// The real service in-process on 127.0.0.1 with a temporary data folder, the harness identities
// and a ManualClock, plus a synchronous HTTP client. restart() keeps the data folder and the port,
// so identifiers (and the signatures over them) stay valid across a restart.
class ServiceFixture
{
public:
    // `policy` names a shipped pack: demo, certification or arap-conformance.
    explicit ServiceFixture(QString policy = QStringLiteral("arap-conformance"));
    ~ServiceFixture();
    Q_DISABLE_COPY_MOVE(ServiceFixture)

    // Runs on the options of every start() and restart(), after the fixture's defaults, so a test
    // can change the config or inject a resolver.
    void setConfigure(std::function<void(Service::ServiceOptions &)> configure) { m_configure = std::move(configure); }
    bool start();
    bool restart();
    void stop();
    QString errorString() const { return m_error; }

    Service::ServiceHost *host() const { return m_host.get(); }
    ManualClock &clock() const { return *m_clock; }
    QString baseUrl() const;
    QString dataDir() const { return m_dataDir.path(); }
    static QJsonObject identityConfig();

    // Sends one request and waits for its response. `target` is a path ("/access/v1/evaluation")
    // or an absolute URL. POST bodies default to Content-Type application/json.
    HttpResponse send(const QByteArray &method, const QString &target, const QByteArray &body = {},
                      const QString &token = {}, const Headers &headers = {});
    HttpResponse get(const QString &target, const QString &token, const Headers &headers = {});
    HttpResponse post(const QString &target, const QJsonObject &body, const QString &token, const Headers &headers = {});
    // Sends the same POST `count` times at once, each on its own connection, and waits for all.
    QList<HttpResponse> postConcurrently(const QString &target, const QByteArray &body, const QString &token,
                                         const Headers &headers, int count);

    HttpResponse evaluate(const QJsonObject &request, const QString &token = Tokens::pepA);
    HttpResponse submit(const QJsonObject &body, const QString &token = Tokens::pepA, const QString &idempotencyKey = {});
    HttpResponse approve(const QString &taskId, const QString &approverToken, const QJsonObject &body = {});
    HttpResponse deny(const QString &taskId, const QString &approverToken, const QJsonObject &body = {});
    HttpResponse taskStatus(const QString &statusEndpoint, const QString &token = Tokens::pepA);

    // Evaluates `request` and builds the submission for the requestable denial the service
    // returns, or an empty object when the decision is not a requestable denial.
    QJsonObject freshSubmission(const QJsonObject &request, const QString &pepToken = Tokens::pepA);
    // Evaluates `request` and submits it asking for access until `requestedUntil` (RFC 3339).
    HttpResponse submitUntil(const QJsonObject &request, const QString &requestedUntil);
    // Evaluates `request` (expecting a requestable denial) and submits it (expecting 202).
    Escalation requestAccess(const QJsonObject &request, const QString &pepToken = Tokens::pepA);
    // requestAccess(), then `approverToken` approves and the status endpoint returns the approval.
    Escalation grantAccess(const QJsonObject &request, const QString &approverToken = Tokens::bob,
                           const QJsonObject &approveBody = {}, const QString &pepToken = Tokens::pepA);

private:
    QNetworkReply *dispatch(QNetworkAccessManager &network, const QByteArray &method, const QString &target,
                            const QByteArray &body, const QString &token, const Headers &headers);

    QString m_policy;
    QTemporaryDir m_dataDir;
    std::shared_ptr<ManualClock> m_clock;
    std::unique_ptr<Service::ServiceHost> m_host;
    std::unique_ptr<QNetworkAccessManager> m_network;
    quint16 m_port = 0;
    QString m_error;
    std::function<void(Service::ServiceOptions &)> m_configure;
};

// Builds the submission for a requestable denial: the evaluated subject, resource, action and
// context, and every denial member echoed unchanged.
QJsonObject submissionFor(const QJsonObject &evaluationRequest, const QJsonObject &decision);
// The evaluation request with `approval` placed unchanged at context.approval.
QJsonObject withApproval(QJsonObject evaluationRequest, const QJsonObject &approval);
// An AuthZEN subject or resource: {"type", "id"} plus "properties" when not empty.
QJsonObject entity(const QString &type, const QString &id, const QJsonObject &properties = {});

// A WebSocket client of /admin/v1/events that records every event it receives.
class EventRecorder final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventRecorder)

public:
    explicit EventRecorder(QObject *parent = nullptr);
    ~EventRecorder() override;

    // Connects with ?after=`after` and the token in the Authorization header of the upgrade.
    void open(const QString &baseUrl, const QString &token, qint64 after);
    void close();
    bool isConnected() const;

    const QList<QJsonObject> &events() const { return m_events; }
    // The text of each event in events(), as it arrived.
    const QStringList &messages() const { return m_messages; }
    QList<qint64> seqs() const;
    QStringList types() const;
    qint64 lastSeq() const;
    // The number of messages that were not JSON objects with an integer seq.
    int malformed() const { return m_malformed; }
    // The position of the first event of `type` in events(), or -1.
    int indexOfType(const QString &type) const { return int(types().indexOf(type)); }
    // The close code the service sent, once it closed the stream.
    int closeCode() const { return int(m_socket.closeCode()); }

private:
    QWebSocket m_socket;
    QList<QJsonObject> m_events;
    QStringList m_messages;
    int m_malformed = 0;
};

} // namespace Recourse::Testing
