#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QUrlQuery>

#include <functional>
#include <memory>
#include <optional>

namespace Recourse::Http {

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

// One parsed HTTP/1.1 request. Header names are lower-cased; values keep their bytes.
struct Request
{
    QByteArray method;
    QByteArray target; // as sent: path plus optional query
    QByteArray path;   // percent-decoded path, without the query
    QUrlQuery query;
    HeaderList headers;
    QByteArray body; // de-chunked
    QHostAddress peer;
    QByteArray requestId; // X-Request-ID as sent, or one the server minted

    // The first value of a header, or an empty array.
    QByteArray header(QByteArrayView lowerCaseName) const;
    bool hasHeader(QByteArrayView lowerCaseName) const;
};

struct Response
{
    int status = 200;
    HeaderList headers;
    QByteArray body;
    // The connection closes after this response, and no request after it is read.
    bool closeConnection = false;

    void setHeader(const QByteArray &name, const QByteArray &value);
    static Response json(int status, const QByteArray &jsonBody);
};

// The reason phrase for a status code ("Not Found"), or "Unknown" for codes without one.
QByteArrayView reasonPhrase(int status);

// Completes one request. Call it exactly once, from any thread: the connection applies the
// response on its own thread, in pipelining order. Calling it after the client went away is safe.
using Responder = std::function<void(Response)>;

// Routes requests. handle() runs on the server's thread unless isConcurrent() accepts the request,
// and must not block: slow work goes to another thread and calls the responder when done.
class Handler
{
public:
    virtual ~Handler() = default;
    virtual void handle(const Request &request, Responder respond) = 0;

    // Whether handle() may run for this request on the serving thread that read it, concurrently
    // with other calls (see Server::setServingThreads()). A declined request is passed to the
    // server's thread. Runs on a serving thread, so it must be thread-safe.
    virtual bool isConcurrent(const Request &request) const
    {
        Q_UNUSED(request);
        return false;
    }

    // Called when the headers of a request that has a body are complete, before the body is
    // read. A response rejects the request unread and closes the connection, so a client the
    // handler would refuse anyway cannot make the server buffer a body first. Runs on the
    // connection's thread, which may be a serving thread, so it must be thread-safe.
    virtual std::optional<Response> screen(const Request &head)
    {
        Q_UNUSED(head);
        return std::nullopt;
    }

    // Called for every response that the server sends without handle(): a malformed or oversized
    // request, a timeout, or a rejection by screen() or the WebSocket upgrade filter. `head`
    // contains what was parsed before the failure, possibly nothing, so the handler can log and
    // count the request like its own. Runs on the connection's thread, so it must be thread-safe.
    virtual void rejected(const Request &head, const Response &response)
    {
        Q_UNUSED(head);
        Q_UNUSED(response);
    }
};

// Decides whether a WebSocket upgrade request (already fully received, not yet consumed) is
// accepted. Returning a response rejects it with that response; returning nullopt accepts and
// the socket is handed to the QWebSocketServer given to the server. Runs on the connection's
// thread, which may be a serving thread.
using UpgradeFilter = std::function<std::optional<Response>(const Request &request)>;

struct Limits
{
    int maxRequestLineBytes = 8 * 1024;
    int maxHeaderBytes = 32 * 1024; // all header lines together
    int maxHeaderCount = 100;
    qint64 maxBodyBytes = 1024 * 1024;
    int headerTimeoutMs = 10 * 1000; // from first byte of a request to the end of its headers
    int bodyTimeoutMs = 30 * 1000;   // to receive the whole body
    int idleTimeoutMs = 60 * 1000;   // keep-alive connection without a request in progress
    int maxPipelinedRequests = 32;   // queued responses per connection
    int maxConnections = 1024;       // accepted sockets over all clients
    int maxConnectionsPerClient = 256;
    // After the last response of a closing connection, request bytes still arriving are read and
    // discarded this long before the socket closes, so the client reads the response instead of
    // a reset.
    int closeLingerMs = 2 * 1000;
};

} // namespace Recourse::Http
