#pragma once

#include "core/client/certificatepin.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <chrono>
#include <deque>

class QSslCertificate;
class QTimer;
class QWebSocket;

namespace Recourse::Client {

// Client of the approver event stream (GET /admin/v1/events upgraded to a WebSocket).
// Emits eventReceived() once per event in increasing seq order: an event whose seq is not above
// the last one delivered is dropped. When the connection drops it reconnects by itself after a
// growing delay and resumes with ?after=lastSeq, so the server replays everything missed.
//
// A replay can bring thousands of events in one socket read. They are delivered in slices of at
// most kSliceEvents events or kSliceMs milliseconds, with the event loop running in between, so
// a console that starts far behind keeps painting and taking input while it catches up.
class EventStreamClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventStreamClient)

public:
    enum class State { Offline, Connecting, Online };
    Q_ENUM(State)

    // baseUrl is the service root; http maps to ws and https to wss. The token goes in the
    // Authorization header of the upgrade request and is never logged.
    EventStreamClient(QUrl baseUrl, QString token, QObject *parent = nullptr);
    ~EventStreamClient() override;

    // Connects and keeps the stream connected until stop(). afterSeq is the last seq the caller
    // has already processed (0 for the whole history the service keeps).
    void start(qint64 afterSeq = 0);
    void stop();

    static constexpr int kSliceEvents = 200;
    static constexpr int kSliceMs = 8;

    State state() const { return m_state; }
    // The seq of the last event delivered through eventReceived().
    qint64 lastSeq() const { return m_deliveredSeq; }
    // The number of events received but not delivered yet.
    qsizetype pendingEvents() const { return qsizetype(m_pending.size()); }
    // The reason of the last failed or dropped connection, for an offline indicator's tooltip.
    QString lastError() const { return m_lastError; }
    // Delay before the next reconnection attempt.
    std::chrono::milliseconds retryDelay() const { return m_retryDelay; }

    // The reconnection delay starts at `initial` and doubles after each failure up to `maximum`.
    void setBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds maximum);
    // For a wss stream: accept only the server certificate with this fingerprint, even when it is
    // self-signed. Takes effect at the next connection.
    void setCertificatePin(CertificatePin pin) { m_pin = std::move(pin); }

    // A ping goes out this often; a connection that has not answered the previous ping when the
    // next one is due counts as dead and is reconnected. 0 disables pings.
    void setKeepAliveInterval(std::chrono::milliseconds interval);

    // ws://HOST/admin/v1/events?after=SEQ for a service root of http://HOST.
    static QUrl eventsUrl(const QUrl &baseUrl, qint64 afterSeq);

Q_SIGNALS:
    void eventReceived(const QJsonObject &event);
    void connectionStateChanged(Recourse::Client::EventStreamClient::State state);

private:
    void openSocket();
    void onConnected();
    void onDisconnected();
    void onTextMessage(const QString &message);
    void deliverSlice();
    void onKeepAliveTick();
    void scheduleReconnect();
    void setState(State state);
    QString pinMismatchMessage(const QSslCertificate &peer) const;

    QUrl m_baseUrl;
    QString m_token;
    CertificatePin m_pin;
    QPointer<QWebSocket> m_socket;
    QTimer *m_reconnectTimer = nullptr;
    QTimer *m_keepAliveTimer = nullptr;
    QElapsedTimer m_connectedFor;
    State m_state = State::Offline;
    QString m_lastError;
    QString m_pinError; // why the current connection failed the pin check, if it did
    qint64 m_lastSeq = 0;      // the last seq received; the next connection resumes after it
    qint64 m_deliveredSeq = 0; // the last seq emitted
    std::deque<QJsonObject> m_pending;
    QTimer *m_sliceTimer = nullptr;
    qint64 m_droppedMessages = 0;
    bool m_running = false;
    bool m_awaitingPong = false;
    std::chrono::milliseconds m_initialDelay{250};
    std::chrono::milliseconds m_maximumDelay{10000};
    std::chrono::milliseconds m_retryDelay{250};
    std::chrono::milliseconds m_keepAliveInterval{20000};
};

} // namespace Recourse::Client
