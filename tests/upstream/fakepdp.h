#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QTcpServer>
#include <QUrl>

namespace Recourse::Testing {

// What the fake PDP does with one evaluation.
enum class FakeAnswer {
    Permit,           // 200 {"decision":true}
    Deny,             // 200 {"decision":false,"context":{"reason_admin":...}}
    Silent,           // reads the request and never answers
    ServerError,      // 500 with a JSON error body
    Garbage,          // 200 application/json whose body is not JSON
    NotBoolean,       // 200 {"decision":"true"}
    ContextNotObject, // 200 {"decision":true,"context":"yes"}
    WrongMediaType,   // 200 text/plain {"decision":true}
    Oversized,        // 200 {"decision":true,...} padded past 256 KiB, with Content-Length
    OversizedUnsized, // the same without Content-Length, ended by closing the connection
    Redirect,         // 302 to a path that would permit
};

// A small AuthZEN PDP on 127.0.0.1 that answers evaluations with canned decisions chosen by
// resource id, and records what it was sent. HTTP/1.1 with one exchange per connection.
class FakePdp final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FakePdp)

public:
    explicit FakePdp(QObject *parent = nullptr);
    ~FakePdp() override;

    bool listen();
    QUrl url() const; // http://127.0.0.1:PORT, the policy_decision_point

    // The answer for evaluations of resource `resourceId`, optionally after `delayMs`; others get
    // the fallback (Deny unless set).
    void answer(const QString &resourceId, FakeAnswer answer, int delayMs = 0);
    void setFallback(FakeAnswer answer) { m_fallback = answer; }

    // Every request received, in arrival order.
    int requestCount() const { return int(m_bodies.size()); }
    const QList<QJsonObject> &bodies() const { return m_bodies; }
    const QList<QByteArray> &paths() const { return m_paths; }
    const QList<QByteArray> &authorizations() const { return m_authorizations; }
    void clearRecords();

private:
    struct Rule
    {
        FakeAnswer answer = FakeAnswer::Deny;
        int delayMs = 0;
    };
    void onConnection();
    void serve(class QTcpSocket *socket, const QByteArray &head, const QByteArray &body);

    QTcpServer m_server;
    QHash<QString, Rule> m_rules;
    FakeAnswer m_fallback = FakeAnswer::Deny;
    QList<QJsonObject> m_bodies;
    QList<QByteArray> m_paths;
    QList<QByteArray> m_authorizations;
};

} // namespace Recourse::Testing
