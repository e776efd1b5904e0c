#include "core/service/eventhub.h"

#include "core/json/json.h"
#include "core/service/errors.h"
#include "core/service/httpgrammar.h"
#include "core/service/servicelogging.h"

#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketServer>

#include <algorithm>

namespace Recourse::Service {

namespace {

// A subscriber that falls this far behind is disconnected; it reconnects with ?after= and loses
// nothing, while the service's memory stays bounded.
constexpr qint64 kMaxBufferedBytes = 16 * 1024 * 1024;
// A catch-up from the store stops while this much is unsent and resumes as the client reads, so
// a client far behind neither trips the limit above nor blocks the event loop for the whole history.
constexpr qint64 kCatchUpBufferedBytes = 1024 * 1024;
constexpr int kCatchUpBatch = 500;
// Open event streams per identity. A stream leaves the HTTP server's connection limits once it is
// upgraded, so without this one token could hold any number of sockets and send buffers.
constexpr int kMaxSubscribersPerIdentity = 32;

std::optional<qint64> parseAfter(const QUrlQuery &query)
{
    if (!query.hasQueryItem(QStringLiteral("after")))
        return -1;
    bool ok = false;
    const qint64 after = query.queryItemValue(QStringLiteral("after")).toLongLong(&ok);
    if (!ok || after < 0)
        return std::nullopt;
    return after;
}

std::optional<Escalation::Identity> authenticateHeader(const Escalation::IdentityRegistry &identities,
                                                       const QByteArray &authorization)
{
    const QByteArrayView token = Http::bearerCredentials(authorization);
    if (token.isEmpty())
        return std::nullopt;
    return identities.authenticate(token);
}

} // namespace

struct EventHub::Subscriber
{
    QPointer<QWebSocket> socket;
    QString identity;
    qint64 lastSent = 0;
    // Set while events after lastSent are still in the store only; publish() leaves them to
    // catchUp(), which bytesWritten resumes.
    bool catchingUp = false;
};

EventHub::EventHub(Store::Store *store, Escalation::IdentityRegistry *identities, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_identities(identities)
    , m_server(new QWebSocketServer(QStringLiteral("recourse"), QWebSocketServer::NonSecureMode, this))
    , m_maxBufferedBytes(kMaxBufferedBytes)
    , m_catchUpBufferedBytes(kCatchUpBufferedBytes)
{
    connect(m_server, &QWebSocketServer::newConnection, this, &EventHub::accept);
    connect(m_store, &Store::Store::eventsCommitted, this, &EventHub::publish);
}

EventHub::~EventHub()
{
    for (auto &subscriber : m_subscribers) {
        if (subscriber->socket)
            subscriber->socket->abort();
    }
}

QWebSocketServer *EventHub::server() const
{
    return m_server;
}

int EventHub::subscriberCount() const
{
    return int(m_subscribers.size());
}

std::optional<Http::Response> EventHub::filterUpgrade(const Http::Request &request) const
{
    const auto identity = authenticateHeader(*m_identities, request.header("authorization"));
    if (!identity) {
        return problemFor(Error::make(ErrorCode::Unauthenticated,
                                      QStringLiteral("Send a bearer token in the Authorization header.")));
    }
    if (!identity->canReadAdmin()) {
        return problemFor(Error::make(ErrorCode::Forbidden,
                                      QStringLiteral("The event stream needs an approver, auditor or admin identity."),
                                      identity->id));
    }
    if (!parseAfter(request.query)) {
        return problemFor(Error::make(ErrorCode::InvalidRequest, QStringLiteral("after must be a non-negative integer."),
                                      request.query.queryItemValue(QStringLiteral("after")).left(64)));
    }
    return std::nullopt;
}

void EventHub::accept()
{
    while (QWebSocket *socket = m_server->nextPendingConnection()) {
        socket->setParent(this);
        // The upgrade filter already checked the token; it is checked again here because the
        // socket may have been handed over by a different path in the future.
        const auto identity = authenticateHeader(*m_identities, socket->request().rawHeader("Authorization"));
        const auto after = parseAfter(QUrlQuery(socket->requestUrl()));
        if (!identity || !identity->canReadAdmin() || !after) {
            socket->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("not authorized"));
            socket->deleteLater();
            continue;
        }

        const auto open = std::count_if(m_subscribers.cbegin(), m_subscribers.cend(),
                                        [&identity](const auto &s) { return s->identity == identity->id; });
        if (open >= kMaxSubscribersPerIdentity) {
            qCDebug(lcService) << "Rejected an event subscriber of" << identity->id << "with" << open << "streams open";
            socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                          QStringLiteral("too many event streams for this identity; close one first"));
            socket->deleteLater();
            continue;
        }

        auto subscriber = std::make_unique<Subscriber>();
        subscriber->socket = socket;
        subscriber->identity = identity->id;
        subscriber->lastSent = *after >= 0 ? *after : Store::Reader(*m_store).lastEventSeq();
        Subscriber *raw = subscriber.get();
        m_subscribers.push_back(std::move(subscriber));
        qCDebug(lcService) << "Event subscriber" << raw->identity << "connected after seq" << raw->lastSent;

        // Queued, because abort() inside send() emits disconnected while publish() iterates.
        connect(socket, &QWebSocket::disconnected, this, [this, socket] {
            std::erase_if(m_subscribers, [socket](const auto &s) { return s->socket == socket; });
            socket->deleteLater();
        }, Qt::QueuedConnection);
        connect(socket, &QWebSocket::bytesWritten, this, [this, socket] {
            for (const auto &candidate : m_subscribers) {
                if (candidate->socket == socket && candidate->catchingUp)
                    return catchUp(*candidate);
            }
        });
        catchUp(*raw);
    }
}

void EventHub::setBufferLimits(qint64 maxBuffered, qint64 catchUpBuffered)
{
    m_maxBufferedBytes = maxBuffered;
    m_catchUpBufferedBytes = catchUpBuffered;
}

void EventHub::catchUp(Subscriber &subscriber)
{
    Store::Reader reader(*m_store);
    subscriber.catchingUp = true;
    for (;;) {
        const QList<Store::EventRecord> events = reader.eventsAfter(subscriber.lastSent, kCatchUpBatch);
        for (const Store::EventRecord &event : events) {
            if (!subscriber.socket || subscriber.socket->bytesToWrite() >= m_catchUpBufferedBytes)
                return;
            send(subscriber, event);
        }
        if (events.size() < kCatchUpBatch) {
            subscriber.catchingUp = false;
            return;
        }
    }
}

void EventHub::publish(const QList<Store::EventRecord> &events)
{
    if (events.isEmpty())
        return;
    for (auto &subscriber : m_subscribers) {
        if (!subscriber->socket || subscriber->catchingUp)
            continue;
        // A gap means this subscriber missed a batch (it was catching up): read the store.
        if (events.first().seq > subscriber->lastSent + 1) {
            catchUp(*subscriber);
            continue;
        }
        for (const Store::EventRecord &event : events) {
            if (event.seq > subscriber->lastSent)
                send(*subscriber, event);
        }
    }
}

void EventHub::send(Subscriber &subscriber, const Store::EventRecord &event)
{
    QWebSocket *socket = subscriber.socket;
    if (!socket)
        return;
    if (socket->bytesToWrite() > m_maxBufferedBytes) {
        qCWarning(lcService) << "Event subscriber" << subscriber.identity << "is too slow; disconnecting it at seq"
                             << subscriber.lastSent;
        socket->abort();
        return;
    }
    socket->sendTextMessage(QString::fromUtf8(event.toJsonText()));
    subscriber.lastSent = event.seq;
}

} // namespace Recourse::Service
