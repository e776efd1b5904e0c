#include "core/service/httpserver.h"

#include "core/service/httpconnection.h"
#include "core/service/httplogging.h"
#include "core/service/problem.h"
#include "core/service/responsewriter.h"

#include <QHash>

#include <optional>

#include <QSet>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>
#include <QWebSocketServer>

#include <vector>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
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

// The peer address of an accepted socket that no QTcpSocket has taken over yet.
QHostAddress peerOf(qintptr descriptor)
{
#ifdef Q_OS_UNIX
    sockaddr_storage address{};
    socklen_t length = sizeof(address);
    if (::getpeername(int(descriptor), reinterpret_cast<sockaddr *>(&address), &length) == 0)
        return QHostAddress(reinterpret_cast<const sockaddr *>(&address));
#else
    Q_UNUSED(descriptor);
#endif
    return QHostAddress();
}

void closeDescriptor(qintptr descriptor)
{
#ifdef Q_OS_UNIX
    ::close(int(descriptor));
#else
    Q_UNUSED(descriptor);
#endif
}

// A thread that serves connections, with the object its connections are created through. The
// connections on it are touched only on it.
struct ServingThread
{
    QThread thread;
    QObject *context = nullptr; // lives on `thread`, deleted when it finishes
    QSet<Connection *> connections;
};

} // namespace

struct Server::Private
{
    Private(Server *server, Handler *requestHandler, Limits serverLimits)
        : q(server), handler(requestHandler), limits(serverLimits), listener(server)
    {
    }

    void accept(qintptr descriptor);
    QTcpSocket *takeOver(qintptr descriptor, QObject *parent) const;
    Connection *open(QTcpSocket *socket, QObject *handlerThread, QObject *parent);
    void serveOn(ServingThread &serving, qintptr descriptor, const QHostAddress &client);
    void rejectConnection(QTcpSocket *socket, const char *reason);
    void remove(Connection *connection, const QHostAddress &client);
    void release(const QHostAddress &client);
    void startServingThreads();
    void stopServingThreads();

    Server *q;
    Handler *handler;
    Limits limits;
    Listener listener;
    WebSocketRoute route;
    std::optional<QSslConfiguration> ssl;
    // Connections on this thread. Those on serving threads are counted only: openCount covers
    // both, and connectionsPerClient counts every connection by client.
    QSet<Connection *> connections;
    int openCount = 0;
    QHash<QHostAddress, int> connectionsPerClient;
    int servingThreadCount = 0;
    std::vector<std::unique_ptr<ServingThread>> servingThreads;
    size_t nextServingThread = 0;
};

QTcpSocket *Server::Private::takeOver(qintptr descriptor, QObject *parent) const
{
    QTcpSocket *socket = ssl ? new QSslSocket(parent) : new QTcpSocket(parent);
    if (!socket->setSocketDescriptor(descriptor)) {
        qCDebug(lcHttp) << "could not take over an accepted socket:" << socket->errorString();
        delete socket;
        closeDescriptor(descriptor);
        return nullptr;
    }
    return socket;
}

void Server::Private::accept(qintptr descriptor)
{
    // A socket for a serving thread is created on that thread, so the limits are checked with
    // the address the kernel reports.
    const bool served = !servingThreads.empty();
    QTcpSocket *socket = served ? nullptr : takeOver(descriptor, q);
    if (!served && !socket)
        return;
    const QHostAddress client = clientKey(socket ? socket->peerAddress() : peerOf(descriptor));

    const char *rejection = nullptr;
    if (openCount >= limits.maxConnections)
        rejection = "the server has reached its connection limit";
    else if (connectionsPerClient.value(client) >= limits.maxConnectionsPerClient)
        rejection = "the client has reached its connection limit";
    if (rejection) {
        if (!socket)
            socket = takeOver(descriptor, q);
        if (socket)
            rejectConnection(socket, rejection);
        return;
    }

    ++openCount;
    ++connectionsPerClient[client];
    Q_EMIT q->connectionCountChanged(openCount);
    if (served) {
        ServingThread &serving = *servingThreads[nextServingThread++ % servingThreads.size()];
        serveOn(serving, descriptor, client);
        return;
    }

    Connection *connection = open(socket, nullptr, q);
    connections.insert(connection);
    QObject::connect(connection, &Connection::finished, q, [this, connection, client] { remove(connection, client); });
}

Connection *Server::Private::open(QTcpSocket *socket, QObject *handlerThread, QObject *parent)
{
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
    return new Connection(socket, handler, limits, &route, handlerThread, parent);
}

void Server::Private::serveOn(ServingThread &serving, qintptr descriptor, const QHostAddress &client)
{
    // Everything in the call runs on the serving thread, except release(), which goes back to
    // this one.
    QMetaObject::invokeMethod(
        serving.context,
        [this, &serving, descriptor, client] {
            QTcpSocket *socket = takeOver(descriptor, nullptr);
            if (!socket) {
                QMetaObject::invokeMethod(q, [this, client] { release(client); }, Qt::QueuedConnection);
                return;
            }
            Connection *connection = open(socket, q, nullptr);
            serving.connections.insert(connection);
            QObject::connect(connection, &Connection::finished, serving.context, [this, &serving, connection, client] {
                if (!serving.connections.remove(connection))
                    return;
                connection->deleteLater();
                QMetaObject::invokeMethod(q, [this, client] { release(client); }, Qt::QueuedConnection);
            });
        },
        Qt::QueuedConnection);
}

void Server::Private::rejectConnection(QTcpSocket *socket, const char *reason)
{
    qCDebug(lcHttp) << "rejecting a connection from" << socket->peerAddress() << "because" << reason;

    const Response response = problem(503, QStringLiteral("Service Unavailable"),
        QStringLiteral("The server has too many open connections; retry later."));
    Request head;
    head.peer = socket->peerAddress();
    head.requestId = mintRequestId();
    handler->rejected(head, response);
    const QByteArray answer = serializeResponse(response, head.requestId, true, false, false);
    QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    // The bound covers the TLS handshake too, so a client that never finishes it cannot hold
    // the socket.
    QTimer::singleShot(kRejectionFlushMs, socket, [socket] {
        socket->abort();
        socket->deleteLater();
    });

    // An HTTPS client cannot read plain text, so it gets the 503 once the handshake completes.
    if (ssl) {
        auto *secure = static_cast<QSslSocket *>(socket);
        QObject::connect(secure, &QSslSocket::encrypted, secure, [secure, answer] {
            secure->write(answer);
            secure->disconnectFromHost();
        });
        secure->setSslConfiguration(*ssl);
        secure->startServerEncryption();
        return;
    }
    socket->write(answer);
    socket->disconnectFromHost();
}

void Server::Private::remove(Connection *connection, const QHostAddress &client)
{
    if (!connections.remove(connection))
        return;
    connection->deleteLater();
    release(client);
}

void Server::Private::release(const QHostAddress &client)
{
    auto count = connectionsPerClient.find(client);
    if (count == connectionsPerClient.end())
        return; // counted before close() dropped every connection
    if (--*count <= 0)
        connectionsPerClient.erase(count);
    --openCount;
    Q_EMIT q->connectionCountChanged(openCount);
}

void Server::Private::startServingThreads()
{
    for (int i = int(servingThreads.size()); i < servingThreadCount; ++i) {
        auto serving = std::make_unique<ServingThread>();
        serving->thread.setObjectName(QStringLiteral("http-%1").arg(i + 1));
        serving->context = new QObject;
        serving->context->moveToThread(&serving->thread);
        QObject::connect(&serving->thread, &QThread::finished, serving->context, &QObject::deleteLater);
        serving->thread.start();
        servingThreads.push_back(std::move(serving));
    }
}

void Server::Private::stopServingThreads()
{
    for (const std::unique_ptr<ServingThread> &serving : servingThreads) {
        // Blocking is safe because nothing on a serving thread waits for this thread: every call
        // from there to here is queued.
        QMetaObject::invokeMethod(
            serving->context,
            [&serving] {
                const QSet<Connection *> open = std::exchange(serving->connections, {});
                for (Connection *connection : open)
                    delete connection;
            },
            Qt::BlockingQueuedConnection);
        serving->thread.quit();
        serving->thread.wait();
    }
    servingThreads.clear();
}

Server::Server(Handler *handler, Limits limits, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>(this, handler, limits))
{
    d->listener.onIncoming = [this](qintptr descriptor) { d->accept(descriptor); };
}

Server::~Server()
{
    d->listener.close();
    d->stopServingThreads();
    const QSet<Connection *> connections = std::exchange(d->connections, {});
    for (Connection *connection : connections) {
        connection->disconnect(this);
        delete connection;
    }
}

void Server::setServingThreads(int count)
{
    d->servingThreadCount = std::max(0, count);
}

int Server::servingThreads() const
{
    return d->servingThreadCount;
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
    d->startServingThreads();
    qCDebug(lcHttp) << "listening on" << d->listener.serverAddress() << d->listener.serverPort() << "with"
                    << d->servingThreadCount << "serving threads";
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
    d->stopServingThreads();
    const QSet<Connection *> connections = d->connections;
    for (Connection *connection : connections)
        connection->abort();
    // The connections of the serving threads are gone with them. Their releases may still be
    // queued, and find no count to decrement.
    d->connectionsPerClient.clear();
    d->openCount = int(d->connections.size());
    for (Connection *connection : std::as_const(d->connections))
        ++d->connectionsPerClient[clientKey(connection->peer())];
}

int Server::connectionCount() const
{
    return d->openCount;
}

} // namespace Recourse::Http
