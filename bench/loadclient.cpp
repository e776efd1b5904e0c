#include "bench/loadclient.h"

#include <QEventLoop>
#include <QTcpSocket>
#include <QTimer>

namespace Recourse::Bench {

namespace {

// A reply slower than this counts as failed, so a stalled server cannot hang a bounded run.
constexpr int kRequestTimeoutMs = 15000;

} // namespace

LoadClient::LoadClient(const QString &host, quint16 port, QObject *parent)
    : QObject(parent), m_host(host), m_port(port), m_socket(new QTcpSocket(this)), m_timeout(new QTimer(this))
{
    m_timeout->setSingleShot(true);
    m_timeout->setInterval(kRequestTimeoutMs);
    connect(m_timeout, &QTimer::timeout, this, [this] { fail(QStringLiteral("timed out")); });
    connect(m_socket, &QTcpSocket::connected, this, &LoadClient::onConnected);
    connect(m_socket, &QTcpSocket::readyRead, this, &LoadClient::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &LoadClient::onClosed);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        // The server closing an idle keep-alive connection is not a failure of any request.
        if (error != QAbstractSocket::RemoteHostClosedError)
            onClosed();
    });
}

LoadClient::~LoadClient() = default;

void LoadClient::send(const QByteArray &method, const QByteArray &path, const Headers &headers,
                      const QByteArray &body, Callback done)
{
    Q_ASSERT(!m_done);
    m_done = std::move(done);

    m_request.clear();
    m_request.reserve(256 + body.size());
    m_request.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ");
    m_request.append(m_host.toLatin1()).append(':').append(QByteArray::number(m_port)).append("\r\n");
    if (!body.isEmpty() || method == "POST") {
        m_request.append("Content-Type: application/json\r\nContent-Length: ")
            .append(QByteArray::number(body.size()))
            .append("\r\n");
    }
    for (const auto &[name, value] : headers)
        m_request.append(name).append(": ").append(value).append("\r\n");
    m_request.append("\r\n").append(body);

    m_buffer.clear();
    m_headParsed = false;
    m_timeout->start();
    m_startNs = monotonicNs();

    if (m_socket->state() == QAbstractSocket::ConnectedState) {
        m_socket->write(m_request);
        return;
    }
    if (m_socket->state() == QAbstractSocket::UnconnectedState)
        m_socket->connectToHost(m_host, m_port);
}

HttpReply LoadClient::sendAndWait(const QByteArray &method, const QByteArray &path, const Headers &headers,
                                  const QByteArray &body)
{
    HttpReply result;
    QEventLoop loop;
    send(method, path, headers, body, [&](const HttpReply &reply) {
        result = reply;
        loop.quit();
    });
    if (busy())
        loop.exec();
    return result;
}

void LoadClient::onConnected()
{
    // Without TCP_NODELAY a small request can wait for the previous segment's ACK.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    if (m_done)
        m_socket->write(m_request);
}

void LoadClient::onReadyRead()
{
    m_buffer.append(m_socket->readAll());
    if (!m_done)
        return;
    if (!m_headParsed && !parseHead())
        return;
    if (m_buffer.size() < m_bodyStart + m_contentLength)
        return;

    HttpReply reply;
    reply.status = m_status;
    reply.body = m_buffer.mid(m_bodyStart, m_contentLength);
    reply.location = m_location;
    reply.latencyNs = monotonicNs() - m_startNs;
    m_buffer.remove(0, m_bodyStart + m_contentLength);
    finish(reply, m_closeAfter);
}

bool LoadClient::parseHead()
{
    const qsizetype end = m_buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return false;

    const QList<QByteArray> lines = m_buffer.left(end).split('\n');
    const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
    m_status = statusLine.value(1).toInt();
    m_contentLength = 0;
    m_closeAfter = false;
    m_location.clear();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length")
            m_contentLength = value.toLongLong();
        else if (name == "connection" && value.toLower() == "close")
            m_closeAfter = true;
        else if (name == "location")
            m_location = value;
    }
    m_bodyStart = end + 4;
    m_headParsed = true;
    return true;
}

void LoadClient::onClosed()
{
    if (m_done)
        fail(QStringLiteral("connection closed: %1").arg(m_socket->errorString()));
}

void LoadClient::finish(const HttpReply &reply, bool closeSocket)
{
    // The callback is taken first: aborting emits disconnected, and the callback may send the
    // next request, which must find the socket already closed and reconnect.
    m_timeout->stop();
    Callback done = std::move(m_done);
    m_done = nullptr;
    if (closeSocket)
        m_socket->abort();
    done(reply);
}

void LoadClient::fail(const QString &error)
{
    if (!m_done)
        return;
    HttpReply reply;
    reply.error = error;
    reply.latencyNs = monotonicNs() - m_startNs;
    finish(reply, true);
}

} // namespace Recourse::Bench
