#pragma once

#include "core/escalation/identities.h"
#include "core/service/httptypes.h"
#include "core/store/store.h"

#include <QList>
#include <QObject>
#include <QPointer>

class QWebSocket;
class QWebSocketServer;

namespace Recourse::Service {

// Serves /admin/v1/events: one JSON event per WebSocket text message in seq order. A client
// that connects with ?after=SEQ first receives every stored event after SEQ, then live events,
// so a dropped connection loses nothing.
class EventHub final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventHub)

public:
    EventHub(Store::Store *store, Escalation::IdentityRegistry *identities, QObject *parent = nullptr);
    ~EventHub() override;

    QWebSocketServer *server() const;
    // Checks the upgrade request: a valid token of an approver, auditor or admin identity and a
    // well-formed `after`. Returns the rejection response, or nullopt to accept.
    std::optional<Http::Response> filterUpgrade(const Http::Request &request) const;

    // Open event streams. An identity may hold 32 at a time, and a further one is closed with
    // the policy-violation code right after its handshake.
    int subscriberCount() const;

    // The send-buffer sizes that govern subscribers: one that has more than `maxBuffered` bytes
    // unsent is disconnected, and a catch-up from the store pauses while `catchUpBuffered`
    // bytes are unsent. Tests lower them to reach both with a small store.
    void setBufferLimits(qint64 maxBuffered, qint64 catchUpBuffered);

private:
    struct Subscriber;
    void accept();
    void publish(const QList<Store::EventRecord> &events);
    void catchUp(Subscriber &subscriber);
    void send(Subscriber &subscriber, const Store::EventRecord &event);

    Store::Store *m_store;
    Escalation::IdentityRegistry *m_identities;
    QWebSocketServer *m_server;
    std::vector<std::unique_ptr<Subscriber>> m_subscribers;
    qint64 m_maxBufferedBytes;
    qint64 m_catchUpBufferedBytes;
};

} // namespace Recourse::Service
