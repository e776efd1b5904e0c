#pragma once

#include "core/service/httptypes.h"
#include "core/service/requestparser.h"
#include "core/service/responder.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <deque>
#include <memory>

class QTcpSocket;
class QWebSocketServer;

namespace Recourse::Http {

class Connection;

// The path whose upgrade requests go to a QWebSocketServer, and the filter that decides.
struct WebSocketRoute
{
    QByteArray path;
    QPointer<QWebSocketServer> server;
    UpgradeFilter filter;
};

// One accepted socket: parses requests, passes them to the handler, writes the responses in
// request order and enforces the limits and timeouts. It lives on the server's thread or on a
// serving thread, and emits finished() once the socket closed or went to the WebSocket server,
// so the owner deletes it.
class Connection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Connection)

public:
    // `handlerThread` is an object on the thread where handle() runs for the requests the handler
    // does not take concurrently. It is null when that thread is this connection's own.
    Connection(QTcpSocket *socket, Handler *handler, const Limits &limits, const WebSocketRoute *route,
        QObject *handlerThread = nullptr, QObject *parent = nullptr);
    ~Connection() override;

    QHostAddress peer() const { return m_peer; }

    // Drops the connection without a response.
    void abort();

    // Stores the response for the request numbered `sequence` and writes every response that
    // is now next in line. Runs on the connection's thread.
    void complete(quint64 sequence, Response response);

Q_SIGNALS:
    void finished();

private:
    enum class TimerPhase { None, Idle, Headers, Body, Drain, Linger };
    enum class UpgradeCheck { NotUpgrade, Waiting, Rejected, HandedOver };

    struct Pending
    {
        QByteArray requestId;
        Response response;
        bool ready = false;
        bool closeAfter = false;
        bool headRequest = false;
        bool http10KeepAlive = false; // an HTTP/1.0 client asked to keep the connection
        bool barrier = false;         // no request after this one is parsed before its response
    };

    void onReadyRead();
    void onBytesWritten();
    void onTimeout();

    // Parses what can be parsed, writes what is ready, then closes, flushes and re-arms the
    // timer as the new state requires. Every event ends here.
    void process();
    void parseInput();
    bool readFromSocket();
    qsizetype unparsedBytes() const { return m_buffer.size() - m_readPos; }
    void onHeadersComplete();
    void dispatch();
    UpgradeCheck checkWebSocketUpgrade();
    void handOverToWebSockets();

    // Both send the response to `head` and close the connection. The handler receives the response
    // through rejected().
    void queueResponse(const Request &head, Response response);
    void queueError(const Request &head, int status, const QString &detail);
    void writeReadyResponses();
    void writeContinue();
    void halfCloseAndLinger();
    void discardInput();
    void finish();

    TimerPhase requiredTimerPhase() const;
    int intervalOf(TimerPhase phase) const;
    void updateTimer();

    QTcpSocket *m_socket; // null once handed to the WebSocket server
    Handler *m_handler;
    QObject *m_handlerThread;
    Limits m_limits;
    const WebSocketRoute *m_route;
    QHostAddress m_peer;
    std::shared_ptr<ConnectionHandle> m_handle;

    RequestParser m_parser;
    QByteArray m_buffer;
    qsizetype m_readPos = 0; // bytes of m_buffer the parser has consumed

    std::deque<Pending> m_pending;
    quint64 m_firstSequence = 0; // sequence number of m_pending.front()
    quint64 m_nextSequence = 0;

    QTimer m_timer;
    TimerPhase m_timerPhase = TimerPhase::None;
    QElapsedTimer m_phaseStarted; // when the current phase started, or started over
    bool m_restartTimer = false;  // a request was dispatched, so the same phase starts over

    bool m_processing = false;        // inside process(); guards against re-entry
    bool m_inputClosed = false;       // no further request is parsed on this connection
    bool m_closing = false;           // the last response is written; close once it is sent
    bool m_lingering = false;         // write side shut down; discarding input until close
    bool m_continuePending = false;   // a 100 Continue waits for earlier responses
    bool m_waitingForUpgrade = false; // peeking at a WebSocket handshake that is not complete
    bool m_pausedForWrite = false;    // too many response bytes wait for the client to read
    bool m_needsFlush = false;
    bool m_finished = false;
};

} // namespace Recourse::Http
