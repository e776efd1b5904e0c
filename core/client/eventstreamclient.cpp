#include "core/client/eventstreamclient.h"

#include "core/client/logging.h"
#include "core/json/json.h"

#include <QJsonDocument>
#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QTimer>
#include <QUrlQuery>
#include <QWebSocket>

#include <algorithm>

namespace Recourse::Client {

namespace {

// A connection that closes sooner than this after opening did not prove the service healthy, so
// the delay keeps growing instead of starting over (a server that accepts and drops at once
// would otherwise be hammered every 250 ms).
constexpr qint64 StableConnectionMs = 2000;

} // namespace

EventStreamClient::EventStreamClient(QUrl baseUrl, QString token, QObject *parent)
    : QObject(parent)
    , m_baseUrl(std::move(baseUrl))
    , m_token(std::move(token))
    , m_reconnectTimer(new QTimer(this))
    , m_keepAliveTimer(new QTimer(this))
    , m_sliceTimer(new QTimer(this))
{
    m_reconnectTimer->setSingleShot(true);
    m_sliceTimer->setSingleShot(true);
    m_sliceTimer->setInterval(0);
    connect(m_sliceTimer, &QTimer::timeout, this, &EventStreamClient::deliverSlice);
    connect(m_reconnectTimer, &QTimer::timeout, this, &EventStreamClient::openSocket);
    connect(m_keepAliveTimer, &QTimer::timeout, this, &EventStreamClient::onKeepAliveTick);
}

EventStreamClient::~EventStreamClient()
{
    m_running = false;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

QUrl EventStreamClient::eventsUrl(const QUrl &baseUrl, qint64 afterSeq)
{
    QUrl url = baseUrl;
    if (url.scheme() == u"http")
        url.setScheme(QStringLiteral("ws"));
    else if (url.scheme() == u"https")
        url.setScheme(QStringLiteral("wss"));

    QString basePath = url.path();
    while (basePath.endsWith(u'/'))
        basePath.chop(1);
    url.setPath(basePath + QStringLiteral("/admin/v1/events"));

    QUrlQuery query;
    query.addQueryItem(QStringLiteral("after"), QString::number(afterSeq));
    url.setQuery(query);
    return url;
}

void EventStreamClient::setBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds maximum)
{
    m_initialDelay = std::max(initial, std::chrono::milliseconds(1));
    m_maximumDelay = std::max(maximum, m_initialDelay);
    m_retryDelay = m_initialDelay;
}

void EventStreamClient::setKeepAliveInterval(std::chrono::milliseconds interval)
{
    m_keepAliveInterval = interval;
    if (m_keepAliveInterval.count() <= 0)
        m_keepAliveTimer->stop();
    else if (m_state == State::Online)
        m_keepAliveTimer->start(m_keepAliveInterval);
}

void EventStreamClient::start(qint64 afterSeq)
{
    if (m_running)
        return;

    m_running = true;
    m_lastSeq = std::max(m_lastSeq, afterSeq);
    m_deliveredSeq = std::max(m_deliveredSeq, afterSeq);
    m_retryDelay = m_initialDelay;
    openSocket();
}

void EventStreamClient::stop()
{
    m_running = false;
    m_reconnectTimer->stop();
    m_keepAliveTimer->stop();

    // Undelivered events are dropped, so a later start() requests them from the service again.
    m_sliceTimer->stop();
    m_pending.clear();
    m_lastSeq = m_deliveredSeq;

    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
    }
    setState(State::Offline);
}

void EventStreamClient::openSocket()
{
    if (!m_running)
        return;

    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
    }

    m_pinError.clear();
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    if (!m_pin.isNull()) {
        connect(m_socket, &QWebSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
            const QSslCertificate peer = m_socket ? m_socket->sslConfiguration().peerCertificate() : QSslCertificate();
            if (m_socket && m_pin.acceptsErrors(peer, errors))
                m_socket->ignoreSslErrors(errors);
            else if (!m_pin.matches(peer))
                m_pinError = pinMismatchMessage(peer);
        });
    }
    connect(m_socket, &QWebSocket::connected, this, &EventStreamClient::onConnected);
    connect(m_socket, &QWebSocket::disconnected, this, &EventStreamClient::onDisconnected);
    connect(m_socket, &QWebSocket::textMessageReceived, this, &EventStreamClient::onTextMessage);
    connect(m_socket, &QWebSocket::pong, this, [this] { m_awaitingPong = false; });
    // Qt 6.4 names the signal error(); errorOccurred() arrives in 6.5.
    // A pin mismatch is the cause that matters; the socket only reports a failed handshake.
    connect(m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this, [this](QAbstractSocket::SocketError) {
        m_lastError = !m_pinError.isEmpty() ? m_pinError : m_socket ? m_socket->errorString() : QString();
    });

    QNetworkRequest request(eventsUrl(m_baseUrl, m_lastSeq));
    request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    qCDebug(lcClient) << "event stream connecting, after seq" << m_lastSeq;
    setState(State::Connecting);
    m_socket->open(request);
}

void EventStreamClient::onConnected()
{
    // A certificate that a public authority signed raises no sslErrors, so the pin is checked here.
    const bool secure = m_socket && m_socket->requestUrl().scheme() == u"wss";
    if (secure && !m_pin.isNull() && !m_pin.matches(m_socket->sslConfiguration().peerCertificate())) {
        qCWarning(lcClient) << "event stream certificate does not match the pinned fingerprint; closing";
        m_pinError = pinMismatchMessage(m_socket->sslConfiguration().peerCertificate());
        m_lastError = m_pinError;
        m_socket->abort();
        return;
    }

    qCDebug(lcClient) << "event stream online, after seq" << m_lastSeq;
    m_connectedFor.start();
    m_awaitingPong = false;
    m_lastError.clear();
    if (m_keepAliveInterval.count() > 0)
        m_keepAliveTimer->start(m_keepAliveInterval);
    setState(State::Online);
}

QString EventStreamClient::pinMismatchMessage(const QSslCertificate &peer) const
{
    return QStringLiteral("The service presented a certificate with SHA-256 fingerprint %1, not the pinned %2.")
        .arg(CertificatePin::of(peer).toString(), m_pin.toString());
}

void EventStreamClient::onDisconnected()
{
    m_keepAliveTimer->stop();
    if (m_socket) {
        if (!m_pinError.isEmpty())
            m_lastError = m_pinError;
        // error() may arrive after disconnected(), so read the reason here as well.
        if (m_lastError.isEmpty() && m_socket->error() != QAbstractSocket::UnknownSocketError)
            m_lastError = m_socket->errorString();
        if (m_lastError.isEmpty() && m_socket->closeCode() != QWebSocketProtocol::CloseCodeNormal)
            m_lastError = m_socket->closeReason();
        m_socket->disconnect(this);
        m_socket->deleteLater();
    }

    const bool wasStable = m_connectedFor.isValid() && m_connectedFor.elapsed() >= StableConnectionMs;
    m_connectedFor.invalidate();
    if (wasStable)
        m_retryDelay = m_initialDelay;

    setState(State::Offline);
    if (m_running)
        scheduleReconnect();
}

void EventStreamClient::scheduleReconnect()
{
    qCDebug(lcClient) << "event stream offline:" << m_lastError << "- retrying in" << m_retryDelay.count() << "ms";
    m_reconnectTimer->start(m_retryDelay);
    m_retryDelay = std::min(m_retryDelay * 2, m_maximumDelay);
}

void EventStreamClient::onTextMessage(const QString &message)
{
    m_awaitingPong = false;

    const Result<QJsonValue> document = Json::parseWritten(message.toUtf8());
    const QJsonObject event = document ? document->toObject() : QJsonObject();
    const QJsonValue seqValue = event.value(u"seq");
    if (!seqValue.isDouble()) {
        ++m_droppedMessages;
        qCWarning(lcClient) << "event stream message without a numeric seq dropped;" << m_droppedMessages
                            << "so far";
        return;
    }

    // toInteger() rejects fractions and values beyond qint64, which a plain cast would not.
    const qint64 seq = seqValue.toInteger(-1);
    if (seq <= m_lastSeq)
        return;

    m_lastSeq = seq;
    m_pending.push_back(event);
    if (!m_sliceTimer->isActive())
        m_sliceTimer->start();
}

void EventStreamClient::deliverSlice()
{
    QElapsedTimer slice;
    slice.start();
    int delivered = 0;
    while (!m_pending.empty() && delivered < kSliceEvents && slice.elapsed() < kSliceMs) {
        const QJsonObject event = std::move(m_pending.front());
        m_pending.pop_front();
        m_deliveredSeq = event.value(u"seq").toInteger();
        ++delivered;
        // A receiver may call stop(), which empties the queue, so the loop condition checks the queue again.
        Q_EMIT eventReceived(event);
    }
    if (!m_pending.empty())
        m_sliceTimer->start();
}

void EventStreamClient::onKeepAliveTick()
{
    if (!m_socket)
        return;

    if (m_awaitingPong) {
        qCWarning(lcClient) << "event stream did not answer a ping within" << m_keepAliveInterval.count()
                            << "ms; reconnecting";
        m_lastError = QStringLiteral("The event stream stopped responding to pings.");
        m_socket->abort();
        return;
    }

    m_awaitingPong = true;
    m_socket->ping();
}

void EventStreamClient::setState(State state)
{
    if (m_state == state)
        return;

    m_state = state;
    Q_EMIT connectionStateChanged(state);
}

} // namespace Recourse::Client
