#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QNetworkRequest>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QUrl>
#include <QWebSocketServer>

#include <functional>

class QTcpSocket;
class QWebSocket;

namespace Recourse::Testing {

struct FakeHttpRequest
{
    QByteArray method;
    QByteArray target; // path and query as sent
    QHash<QByteArray, QByteArray> headers; // names in lower case
    QByteArray body;

    QString path() const;
    QString query() const;
};

struct FakeHttpResponse
{
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body = "{}";
    QList<std::pair<QByteArray, QByteArray>> extraHeaders;
};

// A test double of the approver API and event stream on 127.0.0.1, for client-protocol tests
// only: it checks what the client sends and replays canned answers, and implements no policy.
// HTTP requests go to `handler`; GET /admin/v1/events upgrades to a WebSocket that replays the
// published events after ?after=SEQ and then sends new ones, as the real service does.
class FakeApproverService final : public QObject
{
    Q_OBJECT

public:
    explicit FakeApproverService(QObject *parent = nullptr);
    ~FakeApproverService() override;

    bool listen();
    QUrl baseUrl() const;

    std::function<FakeHttpResponse(const FakeHttpRequest &)> handler;
    QList<FakeHttpRequest> requests;

    // Appends the event to the history and sends it to every connected stream.
    void publish(const QJsonObject &event);
    // Sends a raw text message to every connected stream without recording it.
    void sendRaw(const QString &message);
    // Closes every stream connection, as a crashing or restarting service would.
    void dropStreams();
    // While set, upgrade requests are answered 401 instead of being accepted.
    bool rejectStreams = false;

    int connectedStreams() const;
    QList<QNetworkRequest> streamRequests; // upgrade requests accepted, in order

private:
    void onNewConnection();
    void onReadyRead(QTcpSocket *socket);
    void onStreamConnected();

    QTcpServer m_http;
    QWebSocketServer m_streams;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QList<QPointer<QWebSocket>> m_streamSockets;
    QList<QJsonObject> m_events;
};

} // namespace Recourse::Testing
