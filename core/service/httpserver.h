#pragma once

#include "core/service/httptypes.h"

#include <QObject>
#include <QPointer>
#include <QTcpServer>

class QSslConfiguration;
class QWebSocketServer;

namespace Recourse::Http {

class Connection;

// A strict HTTP/1.1 server on QTcpServer: keep-alive, pipelining answered in order,
// Connection: close, Expect: 100-continue, chunked request bodies, limits enforced early
// (413 for bodies, 431 for headers, 400 for malformed or ambiguous framing such as conflicting
// Content-Length and Transfer-Encoding), header, body and idle timeouts, TCP_NODELAY on every
// socket, X-Request-ID echoed on every response (minted when absent), and errors as
// application/problem+json.
class Server final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Server)

public:
    Server(Handler *handler, Limits limits, QObject *parent = nullptr);
    ~Server() override;

    // Accepts WebSocket upgrades for request paths equal to `path`. The filter runs on the
    // complete handshake request, and when it accepts, the socket goes to `webSockets`, which
    // performs the handshake and emits newConnection(). `webSockets` must be in NonSecureMode,
    // must not listen itself and must live on this server's thread.
    void setWebSocketRoute(const QByteArray &path, QWebSocketServer *webSockets, UpgradeFilter filter);

    // Serves HTTPS on every connection accepted from now on: each socket completes a TLS
    // handshake before its first request is read.
    void setSslConfiguration(const QSslConfiguration &configuration);
    bool isEncrypted() const;

    // Serves connections on `count` threads of the server's own, so several cores parse and
    // handle requests and write their responses. The server's thread then only accepts and runs what the
    // handler declines to handle concurrently (Handler::isConcurrent()). 0, the default, serves
    // every connection on the server's thread. Call before listen().
    void setServingThreads(int count);
    int servingThreads() const;

    bool listen(const QHostAddress &address, quint16 port);
    quint16 serverPort() const;
    QHostAddress serverAddress() const;
    QString errorString() const;
    // Stops listening and drops every open connection. The serving threads are stopped before
    // it returns, so no handler call runs on them afterwards. Responders still held by handlers
    // become no-ops.
    void close();

    int connectionCount() const;

Q_SIGNALS:
    void connectionCountChanged(int count);

private:
    // ... implementation details are the implementer's choice
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Recourse::Http
