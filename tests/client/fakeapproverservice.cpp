#include "tests/client/fakeapproverservice.h"

#include <QJsonDocument>
#include <QTcpSocket>
#include <QUrlQuery>
#include <QWebSocket>

namespace Recourse::Testing {

QString FakeHttpRequest::path() const
{
    const qsizetype question = target.indexOf('?');
    return QString::fromLatin1(question < 0 ? target : target.left(question));
}

QString FakeHttpRequest::query() const
{
    const qsizetype question = target.indexOf('?');
    return question < 0 ? QString() : QString::fromLatin1(target.mid(question + 1));
}

FakeApproverService::FakeApproverService(QObject *parent)
    : QObject(parent)
    , m_streams(QStringLiteral("fake-approver-service"), QWebSocketServer::NonSecureMode)
{
    connect(&m_http, &QTcpServer::newConnection, this, &FakeApproverService::onNewConnection);
    connect(&m_streams, &QWebSocketServer::newConnection, this, &FakeApproverService::onStreamConnected);
}

FakeApproverService::~FakeApproverService()
{
    // Sockets closing during destruction would call back into members already destroyed.
    QList<QTcpSocket *> sockets = findChildren<QTcpSocket *>();
    sockets += m_http.findChildren<QTcpSocket *>();
    for (QTcpSocket *socket : std::as_const(sockets)) {
        socket->disconnect(this);
        socket->abort();
    }
    for (const QPointer<QWebSocket> &socket : std::as_const(m_streamSockets)) {
        if (socket)
            socket->abort();
    }
}

bool FakeApproverService::listen()
{
    return m_http.listen(QHostAddress::LocalHost, 0);
}

QUrl FakeApproverService::baseUrl() const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(m_http.serverPort());
    return url;
}

void FakeApproverService::publish(const QJsonObject &event)
{
    m_events.append(event);
    const QString text = QString::fromUtf8(QJsonDocument(event).toJson(QJsonDocument::Compact));
    sendRaw(text);
}

void FakeApproverService::sendRaw(const QString &message)
{
    for (const QPointer<QWebSocket> &socket : std::as_const(m_streamSockets)) {
        if (socket && socket->isValid())
            socket->sendTextMessage(message);
    }
}

void FakeApproverService::dropStreams()
{
    for (const QPointer<QWebSocket> &socket : std::as_const(m_streamSockets)) {
        if (socket)
            socket->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("restarting"));
    }
    m_streamSockets.clear();
}

int FakeApproverService::connectedStreams() const
{
    int count = 0;
    for (const QPointer<QWebSocket> &socket : m_streamSockets)
        count += socket && socket->isValid() ? 1 : 0;
    return count;
}

void FakeApproverService::onNewConnection()
{
    while (QTcpSocket *socket = m_http.nextPendingConnection()) {
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_buffers.remove(socket);
            socket->deleteLater();
        });
    }
}

void FakeApproverService::onReadyRead(QTcpSocket *socket)
{
    // The event stream shares the port, so peek at the request line before consuming anything
    // and hand an upgrade to QWebSocketServer untouched.
    if (!m_buffers.contains(socket)) {
        static const QByteArray upgradePrefix = "GET /admin/v1/events";
        const QByteArray head = socket->peek(upgradePrefix.size());
        if (head.size() < upgradePrefix.size() && !head.contains('\n'))
            return;
        if (head == upgradePrefix) {
            socket->disconnect(this);
            if (rejectStreams) {
                socket->write("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                socket->disconnectFromHost();
                return;
            }
            m_streams.handleConnection(socket);
            return;
        }
    }

    QByteArray &buffer = m_buffers[socket];
    buffer += socket->readAll();
    for (;;) {
        const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;

        FakeHttpRequest request;
        const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
        const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
        request.method = requestLine.value(0);
        request.target = requestLine.value(1);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0)
                request.headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
        }
        const qsizetype length = request.headers.value("content-length", "0").toLongLong();
        if (buffer.size() < headerEnd + 4 + length)
            return;
        request.body = buffer.mid(headerEnd + 4, length);
        buffer.remove(0, headerEnd + 4 + length);

        requests.append(request);
        const FakeHttpResponse response = handler ? handler(request) : FakeHttpResponse{};
        QByteArray out = "HTTP/1.1 " + QByteArray::number(response.status) + " X\r\n";
        out += "Content-Type: " + response.contentType + "\r\n";
        out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
        for (const auto &[name, value] : response.extraHeaders)
            out += name + ": " + value + "\r\n";
        out += "\r\n" + response.body;
        socket->write(out);
    }
}

void FakeApproverService::onStreamConnected()
{
    while (QWebSocket *socket = m_streams.nextPendingConnection()) {
        socket->setParent(this);
        streamRequests.append(socket->request());
        m_streamSockets.append(socket);
        connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);

        const qint64 after = QUrlQuery(socket->requestUrl()).queryItemValue(QStringLiteral("after")).toLongLong();
        for (const QJsonObject &event : std::as_const(m_events)) {
            if (event.value(u"seq").toInteger() > after)
                socket->sendTextMessage(QString::fromUtf8(QJsonDocument(event).toJson(QJsonDocument::Compact)));
        }
    }
}

} // namespace Recourse::Testing
