#include "core/service/httpconnection.h"

#include "core/service/httplogging.h"
#include "core/service/problem.h"
#include "core/service/responsewriter.h"

#include <QTcpSocket>

#include <array>
#include <string_view>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace Recourse::Http {

namespace {

// Response bytes the client has not read yet above which no further request is parsed, so a
// client that pipelines without reading cannot grow the write buffer without bound.
constexpr qint64 kMaxUnsentBytes = 1024 * 1024;
// Qt's socket read buffer. It must hold a whole header block, because WebSocket handshakes
// are inspected with peek() before anything is consumed.
constexpr qint64 kMinReadBufferBytes = 64 * 1024;

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

} // namespace

Connection::Connection(QTcpSocket *socket, Handler *handler, const Limits &limits, const WebSocketRoute *route,
    QObject *handlerThread, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_handler(handler)
    , m_handlerThread(handlerThread)
    , m_limits(limits)
    , m_route(route)
    , m_peer(socket->peerAddress())
    , m_handle(std::make_shared<ConnectionHandle>())
    , m_parser(limits)
    , m_timer(this)
{
    m_handle->connection = this;
    m_limits.maxPipelinedRequests = std::max(1, m_limits.maxPipelinedRequests);

    m_socket->setParent(this);
    const qint64 headerBlockBytes = qint64(m_limits.maxRequestLineBytes) + m_limits.maxHeaderBytes + 4;
    m_socket->setReadBufferSize(std::max(kMinReadBufferBytes, headerBlockBytes + 1));

    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &Connection::onTimeout);
    connect(m_socket, &QTcpSocket::readyRead, this, &Connection::onReadyRead);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &Connection::onBytesWritten);
    // NOTE: QAbstractSocket treats a client's half-close (shutdown of its write side) as a
    // disconnect, so such a client never receives a response its handler completes later.
    connect(m_socket, &QTcpSocket::disconnected, this, &Connection::finish);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (error != QAbstractSocket::RemoteHostClosedError)
            qCDebug(lcHttp) << "socket error from" << m_peer << m_socket->errorString();
        if (m_socket->state() == QAbstractSocket::UnconnectedState)
            finish();
    });

    updateTimer();
}

Connection::~Connection()
{
    {
        QMutexLocker lock(&m_handle->mutex);
        m_handle->connection = nullptr;
    }
    if (m_socket)
        m_socket->disconnect(this);
}

void Connection::abort()
{
    if (m_finished)
        return;
    m_socket->abort();
    finish();
}

void Connection::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_timer.stop();
    m_pending.clear();
    Q_EMIT finished();
}

void Connection::onReadyRead()
{
    if (m_lingering) {
        discardInput();
        return;
    }
    process();
}

void Connection::onBytesWritten()
{
    if (m_processing || m_finished)
        return;
    if (m_closing || (m_pausedForWrite && m_socket->bytesToWrite() < kMaxUnsentBytes))
        process();
}

void Connection::onTimeout()
{
    if (m_finished)
        return;

    // A phase that started over since the timer was armed has time left: updateTimer() only
    // notes the restart, so the timer is extended here instead.
    if (m_timerPhase != TimerPhase::None) {
        const qint64 remaining = qint64(intervalOf(m_timerPhase)) - m_phaseStarted.elapsed();
        if (remaining > 0) {
            m_timer.start(int(remaining));
            return;
        }
    }

    const TimerPhase phase = std::exchange(m_timerPhase, TimerPhase::None);
    switch (phase) {
    case TimerPhase::None:
        return;
    case TimerPhase::Idle:
        qCDebug(lcHttp) << "closing idle connection from" << m_peer;
        m_inputClosed = true;
        m_closing = true;
        break;
    case TimerPhase::Headers:
        queueError(m_parser.request(), 408,
            QStringLiteral("The request headers were not received within %1 ms.").arg(m_limits.headerTimeoutMs));
        break;
    case TimerPhase::Body:
        queueError(m_parser.request(), 408,
            QStringLiteral("The request body was not received within %1 ms.").arg(m_limits.bodyTimeoutMs));
        break;
    case TimerPhase::Drain:
    case TimerPhase::Linger:
        qCDebug(lcHttp) << "dropping connection from" << m_peer << "that did not close in time";
        abort();
        return;
    }
    process();
}

void Connection::process()
{
    if (m_processing || m_finished)
        return;

    m_processing = true;
    parseInput();
    if (!m_finished && m_needsFlush) {
        m_needsFlush = false;
        m_socket->flush();
    }
    m_processing = false;
    if (m_finished)
        return;

    if (m_closing && !m_lingering && m_socket->bytesToWrite() == 0)
        halfCloseAndLinger();
    updateTimer();
}

void Connection::parseInput()
{
    while (!m_finished && !m_inputClosed) {
        // Backpressure: leaving bytes in the socket lets TCP flow control slow the client down.
        if (m_pending.size() >= size_t(m_limits.maxPipelinedRequests))
            return;
        if (!m_pending.empty() && m_pending.back().barrier && !m_pending.back().ready)
            return;
        m_pausedForWrite = m_socket->bytesToWrite() >= kMaxUnsentBytes;
        if (m_pausedForWrite)
            return;

        if (m_route && unparsedBytes() == 0 && m_parser.atMessageStart()) {
            const UpgradeCheck check = checkWebSocketUpgrade();
            if (check == UpgradeCheck::Waiting || check == UpgradeCheck::HandedOver)
                return;
            if (check == UpgradeCheck::Rejected)
                continue;
        }

        qsizetype consumed = 0;
        const RequestParser::Status status = m_parser.parse(m_buffer.constData() + m_readPos, unparsedBytes(), &consumed);
        m_readPos += consumed;

        switch (status) {
        case RequestParser::Status::NeedMore:
            if (!readFromSocket())
                return;
            break;
        case RequestParser::Status::HeadersComplete:
            onHeadersComplete();
            break;
        case RequestParser::Status::MessageComplete:
            dispatch();
            break;
        case RequestParser::Status::Failed:
            queueError(m_parser.request(), m_parser.error().status, m_parser.error().detail);
            break;
        }
    }
}

bool Connection::readFromSocket()
{
    const qint64 available = m_socket->bytesAvailable();
    if (available <= 0)
        return false;

    if (m_readPos == m_buffer.size()) {
        m_buffer.resize(0);
        m_readPos = 0;
    } else if (m_readPos > 0) {
        m_buffer.remove(0, m_readPos);
        m_readPos = 0;
    }

    // Asking for one byte more than is buffered makes QAbstractSocket re-enable its read
    // notifier, which it turns off while its bounded read buffer is full.
    const qsizetype oldSize = m_buffer.size();
    m_buffer.resize(oldSize + qsizetype(available) + 1);
    const qint64 received = m_socket->read(m_buffer.data() + oldSize, available + 1);
    m_buffer.resize(oldSize + qsizetype(std::max<qint64>(received, 0)));
    return received > 0;
}

void Connection::onHeadersComplete()
{
    if (m_parser.info().hasBody) {
        // The id is minted now, so the log line of a rejection names the id its response carries.
        if (m_parser.requestId().isEmpty())
            m_parser.setMintedRequestId(mintRequestId());
        if (std::optional<Response> rejection = m_handler->screen(m_parser.request())) {
            qCDebug(lcHttp) << "rejected a request before its body from" << m_peer << "with status" << rejection->status;
            queueResponse(m_parser.request(), std::move(*rejection));
            return;
        }
    }

    // A client that already sent body bytes is not waiting for 100 Continue.
    if (!m_parser.info().expectsContinue || unparsedBytes() > 0 || m_socket->bytesAvailable() > 0)
        return;
    if (m_pending.empty())
        writeContinue();
    else
        m_continuePending = true;
}

void Connection::writeContinue()
{
    m_socket->write(kContinue.data(), qint64(kContinue.size()));
    m_needsFlush = true;
}

void Connection::dispatch()
{
    const MessageInfo info = m_parser.info();
    Request request = m_parser.takeRequest();
    request.peer = m_peer;
    if (request.requestId.isEmpty())
        request.requestId = mintRequestId();
    m_continuePending = false;
    m_restartTimer = true;

    // checkWebSocketUpgrade() hands over GET upgrades that start with nothing read ahead. An
    // upgrade that reaches the parser arrived behind other requests, carries a body or is no
    // GET, and its socket can no longer be handed over intact.
    if (m_route && info.webSocketUpgrade && request.path == m_route->path) {
        queueError(request, 400,
            QStringLiteral("A WebSocket upgrade must be a GET request without a body, sent on its own."));
        return;
    }

    Pending pending;
    pending.requestId = request.requestId;
    pending.closeAfter = !info.keepAlive;
    pending.headRequest = request.method == "HEAD";
    pending.http10KeepAlive = info.minorVersion == 0 && info.keepAlive;
    // A request that may carry a body gets its response before the next one is parsed. Should the
    // handler find the body malformed or missing, which may mean the client framed it wrongly, its
    // response closes the connection, and the bytes after it are never run as a request.
    pending.barrier = !request.body.isEmpty() || (request.method != "GET" && request.method != "HEAD");
    const quint64 sequence = m_nextSequence++;
    m_pending.push_back(std::move(pending));
    if (!info.keepAlive)
        m_inputClosed = true;

    Responder respond = makeResponder(m_handle, sequence, request.requestId);
    if (!m_handlerThread || m_handler->isConcurrent(request)) {
        m_handler->handle(request, std::move(respond));
        return;
    }
    // The responder brings the response back to this thread. Should the server be gone before
    // the call runs, the call is dropped, and the responder sends its 500 to a connection that is
    // gone as well.
    QMetaObject::invokeMethod(
        m_handlerThread,
        [handler = m_handler, request = std::move(request), respond = std::move(respond)]() mutable {
            handler->handle(request, std::move(respond));
        },
        Qt::QueuedConnection);
}

void Connection::complete(quint64 sequence, Response response)
{
    if (m_finished || sequence < m_firstSequence)
        return;
    const quint64 index = sequence - m_firstSequence;
    if (index >= m_pending.size() || m_pending[index].ready)
        return;

    Pending &pending = m_pending[index];
    if (response.closeConnection) {
        pending.closeAfter = true;
        m_inputClosed = true;
    }
    if (response.status < 200 || response.status > 599) {
        qCWarning(lcHttp) << "the handler returned status" << response.status << "for request"
                          << pending.requestId << "; answering 500";
        response = problem(500, QStringLiteral("Internal Server Error"),
            QStringLiteral("The server produced an invalid response."));
    }
    pending.response = std::move(response);
    pending.ready = true;

    writeReadyResponses();
    process();
}

void Connection::queueResponse(const Request &head, Response response)
{
    // A copy, so the handler gets the id that the response carries and the peer, which a partly
    // parsed request does not have yet.
    Request named = head;
    named.peer = m_peer;
    if (named.requestId.isEmpty())
        named.requestId = mintRequestId();
    m_handler->rejected(named, response);

    Pending pending;
    pending.requestId = named.requestId;
    pending.response = std::move(response);
    pending.ready = true;
    pending.closeAfter = true;
    m_pending.push_back(std::move(pending));
    ++m_nextSequence;
    m_inputClosed = true;
    m_continuePending = false;
    m_waitingForUpgrade = false;
    writeReadyResponses();
}

void Connection::queueError(const Request &head, int status, const QString &detail)
{
    qCDebug(lcHttp) << "rejecting a request from" << m_peer << "with status" << status << detail;
    queueResponse(head, problem(status, QString::fromLatin1(reasonPhrase(status)), detail));
}

void Connection::writeReadyResponses()
{
    while (!m_pending.empty() && m_pending.front().ready && !m_finished) {
        const Pending pending = std::move(m_pending.front());
        m_pending.pop_front();
        ++m_firstSequence;

        m_socket->write(serializeResponse(pending.response, pending.requestId, pending.closeAfter,
            pending.http10KeepAlive, pending.headRequest));
        m_needsFlush = true;

        if (pending.closeAfter) {
            m_closing = true;
            m_inputClosed = true;
            m_pending.clear();
            return;
        }
    }

    if (m_continuePending && m_pending.empty()) {
        m_continuePending = false;
        writeContinue();
    }
}

// Closing outright while the client still sends would make the kernel send a reset,
// which can destroy the response before the client reads it. Shutting down only the write side
// and discarding input for a while lets the response arrive first.
void Connection::halfCloseAndLinger()
{
    m_lingering = true;
#ifdef Q_OS_UNIX
    const qintptr descriptor = m_socket->socketDescriptor();
    if (descriptor < 0 || ::shutdown(int(descriptor), SHUT_WR) != 0) {
        abort();
        return;
    }
    discardInput();
#else
    m_socket->disconnectFromHost();
#endif
}

void Connection::discardInput()
{
    std::array<char, 16 * 1024> scratch;
    while (!m_finished && m_socket->read(scratch.data(), qint64(scratch.size())) > 0) {
    }
}

Connection::TimerPhase Connection::requiredTimerPhase() const
{
    if (m_finished)
        return TimerPhase::None;
    if (m_lingering)
        return TimerPhase::Linger;
    if (m_closing)
        return TimerPhase::Drain;
    // While the handler works on a request, its time is not the client's fault.
    if (!m_pending.empty() || m_inputClosed)
        return TimerPhase::None;
    if (m_waitingForUpgrade)
        return TimerPhase::Headers;
    if (m_parser.atMessageStart() && unparsedBytes() == 0)
        return TimerPhase::Idle;
    return m_parser.inHeaders() ? TimerPhase::Headers : TimerPhase::Body;
}

int Connection::intervalOf(TimerPhase phase) const
{
    switch (phase) {
    case TimerPhase::None:
        return 0;
    case TimerPhase::Idle:
    case TimerPhase::Drain:
        return m_limits.idleTimeoutMs;
    case TimerPhase::Headers:
        return m_limits.headerTimeoutMs;
    case TimerPhase::Body:
        return m_limits.bodyTimeoutMs;
    case TimerPhase::Linger:
        return m_limits.closeLingerMs;
    }
    return 0;
}

void Connection::updateTimer()
{
    const TimerPhase required = requiredTimerPhase();
    const bool restart = std::exchange(m_restartTimer, false);
    if (required == m_timerPhase) {
        // Restarting the QTimer on every request registered it with the event dispatcher anew,
        // which cost about 1% of an evaluation. So onTimeout() extends the running timer instead.
        if (restart && required != TimerPhase::None)
            m_phaseStarted.start();
        return;
    }

    m_timerPhase = required;
    if (required == TimerPhase::None) {
        m_timer.stop();
        return;
    }
    m_phaseStarted.start();
    m_timer.start(intervalOf(required));
}

} // namespace Recourse::Http
