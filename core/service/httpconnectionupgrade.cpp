// The WebSocket part of Connection: recognising an upgrade request at a request boundary
// without consuming it, and handing the socket to QWebSocketServer.

#include "core/service/httpconnection.h"

#include "core/service/httplogging.h"
#include "core/service/problem.h"
#include "core/service/responsewriter.h"

#include <QJsonObject>
#include <QTcpSocket>
#include <QVarLengthArray>
#include <QWebSocketServer>

namespace Recourse::Http {

namespace {

// QWebSocketServer closes the socket without a response, or sends a bare 400, when a handshake
// lacks what it needs. Checking first gives the client an error that names the problem, and logs
// the request.
std::optional<Response> checkHandshake(const Request &request)
{
    if (request.header("sec-websocket-version") != "13") {
        // RFC 6455 section 4.4: the rejection names the versions the server supports.
        Response response = problem(426, QStringLiteral("Upgrade Required"),
            QStringLiteral("The WebSocket handshake must use Sec-WebSocket-Version 13."), QStringLiteral("about:blank"),
            QJsonObject{{QStringLiteral("invalid_value"), QString::fromLatin1(request.header("sec-websocket-version").left(32))}});
        response.setHeader(QByteArrayLiteral("Sec-WebSocket-Version"), QByteArrayLiteral("13"));
        return response;
    }

    // The key is 16 random bytes in base64 (RFC 6455 section 4.1).
    const QByteArray key = request.header("sec-websocket-key");
    const QByteArray::FromBase64Result decoded =
        QByteArray::fromBase64Encoding(key, QByteArray::AbortOnBase64DecodingErrors);
    if (key.size() != 24 || !decoded || decoded.decoded.size() != 16) {
        return problem(400, QStringLiteral("Bad Request"),
            QStringLiteral("The WebSocket handshake needs a Sec-WebSocket-Key of 16 bytes in base64."),
            QStringLiteral("about:blank"),
            QJsonObject{{QStringLiteral("invalid_value"), QString::fromLatin1(key.left(64))}});
    }
    return std::nullopt;
}

} // namespace

Connection::UpgradeCheck Connection::checkWebSocketUpgrade()
{
    const QByteArray &path = m_route->path;
    const qint64 available = m_socket->bytesAvailable();
    if (path.isEmpty() || available == 0)
        return UpgradeCheck::NotUpgrade;

    // Cheap test first: does the request line start with "GET <path>" followed by SP or "?"?
    static constexpr QByteArrayView kGet = "GET ";
    const qsizetype prefixSize = kGet.size() + path.size() + 1;
    QVarLengthArray<char, 256> prefix(prefixSize);
    const qint64 peeked = m_socket->peek(prefix.data(), prefixSize);
    for (qsizetype i = 0; i < peeked; ++i) {
        const char c = prefix[i];
        const bool matches = i < kGet.size() ? c == kGet[i]
            : i < kGet.size() + path.size()  ? c == path[i - kGet.size()]
                                             : c == ' ' || c == '?';
        if (!matches) {
            m_waitingForUpgrade = false;
            return UpgradeCheck::NotUpgrade;
        }
    }
    m_waitingForUpgrade = true;
    if (peeked < prefixSize || !m_pending.empty())
        return UpgradeCheck::Waiting;

    // The whole header block must be in the socket's buffer; the parser's limits bound it.
    const qint64 limit = qint64(m_limits.maxRequestLineBytes) + 2 + m_limits.maxHeaderBytes + 2;
    const QByteArray block = m_socket->peek(std::min(available, limit));
    const qsizetype end = block.indexOf("\r\n\r\n");
    if (end < 0) {
        if (block.size() < limit)
            return UpgradeCheck::Waiting;
        m_waitingForUpgrade = false;
        return UpgradeCheck::NotUpgrade;
    }
    m_waitingForUpgrade = false;

    // Requests that fail to parse, carry a body or are no upgrade take the normal path, which
    // reports their errors or passes them to the handler.
    RequestParser probe(m_limits);
    const qsizetype blockSize = end + 4;
    qsizetype consumed = 0;
    if (probe.parse(block.constData(), blockSize, &consumed) != RequestParser::Status::HeadersComplete
        || consumed != blockSize || !probe.info().webSocketUpgrade || probe.info().hasBody
        || probe.request().path != path) {
        return UpgradeCheck::NotUpgrade;
    }
    Request request = probe.takeRequest();
    request.peer = m_peer;
    if (request.requestId.isEmpty())
        request.requestId = mintRequestId();

    std::optional<Response> rejection = m_route->filter ? m_route->filter(request) : std::nullopt;
    if (!rejection)
        rejection = checkHandshake(request);
    if (!rejection && !m_route->server) {
        rejection = problem(503, QStringLiteral("Service Unavailable"),
            QStringLiteral("The WebSocket endpoint is not available."));
    }
    if (rejection) {
        qCDebug(lcHttp) << "rejected a WebSocket upgrade from" << m_peer << "with status" << rejection->status;
        m_socket->skip(blockSize);
        queueResponse(request, std::move(*rejection));
        return UpgradeCheck::Rejected;
    }

    handOverToWebSockets();
    return UpgradeCheck::HandedOver;
}

void Connection::handOverToWebSockets()
{
    qCDebug(lcHttp) << "handing a WebSocket upgrade from" << m_peer << "to the WebSocket server";

    QTcpSocket *socket = std::exchange(m_socket, nullptr);
    m_timer.stop();
    m_timerPhase = TimerPhase::None;
    socket->disconnect(this);
    // Back to Qt's default, unbounded read buffer, because QWebSocket applies its own limits
    // (maxAllowedIncomingFrameSize, maxAllowedIncomingMessageSize).
    socket->setReadBufferSize(0);
    // QWebSocketServer deletes the socket when the handshake fails and QWebSocket owns it
    // after an upgrade, so it must not die with this connection.
    socket->setParent(nullptr);
    QWebSocketServer *webSockets = m_route->server;
    if (webSockets->thread() == thread()) {
        webSockets->handleConnection(socket);
    } else {
        // A serving thread read the handshake. The socket moves to the WebSocket server's thread
        // with its buffered bytes once its own signal has returned: moved from inside readyRead(),
        // QAbstractSocket went on to use its notifiers from this thread.
        QMetaObject::invokeMethod(
            socket,
            [socket, webSockets = QPointer<QWebSocketServer>(webSockets)] {
                if (!webSockets) {
                    socket->deleteLater();
                    return;
                }
                socket->moveToThread(webSockets->thread());
                QMetaObject::invokeMethod(
                    webSockets, [socket, webSockets] { webSockets->handleConnection(socket); }, Qt::QueuedConnection);
            },
            Qt::QueuedConnection);
    }
    finish();
}

} // namespace Recourse::Http
