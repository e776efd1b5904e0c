#include "core/service/httpserver.h"

#include "core/service/httpconnection.h"
#include "core/service/httplogging.h"
#include "core/service/problem.h"
#include "core/service/responsewriter.h"

#include <QHash>

#include <optional>

#include <QSet>
#include <QTcpSocket>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTimer>
#include <QWebSocketServer>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

namespace Recourse::Http {

namespace {

// How long a rejected socket may take to send its 503 before it is dropped.
constexpr int kRejectionFlushMs = 1000;

// Accepts sockets itself instead of queueing them as pending connections, so every limit is
// checked before a connection object exists.
class Listener final : public QTcpServer
{
public:
    explicit Listener(QObject *parent) : QTcpServer(parent) { }

    std::function<void(qintptr)> onIncoming;

protected:
    void incomingConnection(qintptr descriptor) override { onIncoming(descriptor); }
};

// IPv4 clients reaching a dual-stack socket appear as ::ffff:a.b.c.d; both spellings count as
// the same client.
QHostAddress clientKey(const QHostAddress &address)
{
    bool isIPv4 = false;
    const quint32 ipv4 = address.toIPv4Address(&isIPv4);
    return isIPv4 ? QHostAddress(ipv4) : address;
}

} // namespace

struct Server::Private
{
    Private(Server *server, Handler *requestHandler, Limits serverLimits)
        : q(server), handler(requestHandler), limits(serverLimits), listener(server)
    {
    }

    void accept(qintptr descriptor);
    void rejectConnection(QTcpSocket *socket, const char *reason);
    void remove(Connection *connection, const QHostAddress &client);

    Server *q;
    Handler *handler;
    Limits limits;
    Listener listener;
    WebSocketRoute route;
    std::optional<QSslConfiguration> ssl;
    QSet<Connection *> connections;
    QHash<QHostAddress, int> connectionsPerClient;
};

void Server::Private::accept(qintptr descriptor)
{
    QTcpSocket *socket = ssl ? new QSslSocket(q) : new QTcpSocket(q);
    if (!socket->setSocketDescriptor(descriptor)) {
        qCDebug(lcHttp) << "could not take over an accepted socket:" << socket->errorString();
        delete socket;
#ifdef Q_OS_UNIX
        ::close(int(descriptor));
#endif
        return;
    }

    const QHostAddress client = clientKey(socket->peerAddress());
    if (connections.size() >= limits.maxConnections) {
        rejectConnection(socket, "the server has reached its connection limit");
        return;
    }
    if (connectionsPerClient.value(client) >= limits.maxConnectionsPerClient) {
        rejectConnection(socket, "the client has reached its connection limit");
        return;
    }

    // Nagle's algorithm delays a small write until earlier data is acknowledged, which adds
    // latency to responses.
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    if (ssl) {
        // The connection reads only decrypted bytes; a failed handshake closes the socket, which
        // the connection treats like any other disconnect.
        auto *secure = static_cast<QSslSocket *>(socket);
        secure->setSslConfiguration(*ssl);
        QObject::connect(secure, &QSslSocket::sslErrors, secure, [secure](const QList<QSslError> &errors) {
            qCDebug(lcHttp) << "TLS handshake failed from" << secure->peerAddress() << errors;
        });
        secure->startServerEncryption();
    }
    auto *connection = new Connection(socket, handler, limits, &route, q);
    connections.insert(connection);
    ++connectionsPerClient[client];
    QObject::connect(connection, &Connection::finished, q, [this, connection, client] { remove(connection, client); });
    Q_EMIT q->connectionCountChanged(int(connections.size()));
}

void Server::Private::rejectConnection(QTcpSocket *socket, const char *reason)
{
    qCDebug(lcHttp) << "rejecting a connection from" << socket->peerAddress() << "because" << reason;

    const Response response = problem(503, QStringLiteral("Service Unavailable"),
        QStringLiteral("The server has too many open connections; retry later."));
    socket->write(serializeResponse(response, mintRequestId(), true, false, false));
    QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    QTimer::singleShot(kRejectionFlushMs, socket, [socket] {
        socket->abort();
        socket->deleteLater();
    });
    socket->disconnectFromHost();
}

void Server::Private::remove(Connection *connection, const QHostAddress &client)
{
    if (!connections.remove(connection))
        return;
    auto count = connectionsPerClient.find(client);
    if (count != connectionsPerClient.end() && --*count <= 0)
        connectionsPerClient.erase(count);
    connection->deleteLater();
    Q_EMIT q->connectionCountChanged(int(connections.size()));
}

Server::Server(Handler *handler, Limits limits, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>(this, handler, limits))
{
    d->listener.onIncoming = [this](qintptr descriptor) { d->accept(descriptor); };
}

Server::~Server()
{
    d->listener.close();
    const QSet<Connection *> connections = std::exchange(d->connections, {});
    for (Connection *connection : connections) {
        connection->disconnect(this);
        delete connection;
    }
}

void Server::setWebSocketRoute(const QByteArray &path, QWebSocketServer *webSockets, UpgradeFilter filter)
{
    d->route = WebSocketRoute{path, webSockets, std::move(filter)};
}

void Server::setSslConfiguration(const QSslConfiguration &configuration)
{
    d->ssl = configuration;
}

bool Server::isEncrypted() const
{
    return d->ssl.has_value();
}

bool Server::listen(const QHostAddress &address, quint16 port)
{
    if (!d->listener.listen(address, port)) {
        qCDebug(lcHttp) << "could not listen on" << address << port << d->listener.errorString();
        return false;
    }
    qCDebug(lcHttp) << "listening on" << d->listener.serverAddress() << d->listener.serverPort();
    return true;
}

quint16 Server::serverPort() const
{
    return d->listener.serverPort();
}

QHostAddress Server::serverAddress() const
{
    return d->listener.serverAddress();
}

QString Server::errorString() const
{
    return d->listener.errorString();
}

void Server::close()
{
    if (d->listener.isListening())
        qCDebug(lcHttp) << "stopped listening on" << d->listener.serverAddress() << d->listener.serverPort();
    d->listener.close();
    const QSet<Connection *> connections = d->connections;
    for (Connection *connection : connections)
        connection->abort();
}

int Server::connectionCount() const
{
    return int(d->connections.size());
}

} // namespace Recourse::Http
