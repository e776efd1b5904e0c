#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>

#include <chrono>
#include <functional>

class QTcpSocket;
class QTimer;

namespace Recourse::Bench {

using Headers = QList<QPair<QByteArray, QByteArray>>;

// One HTTP exchange as the load program saw it.
struct HttpReply
{
    int status = 0; // 0 when the exchange failed, and then `error` describes the failure
    QByteArray body;
    QByteArray location;
    qint64 latencyNs = 0; // from the first byte written to the last byte read
    QString error;
};

// Nanoseconds on the monotonic clock, for latencies.
inline qint64 monotonicNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// Microseconds since the epoch, for stamps that another process compares on the same machine.
inline qint64 wallMicros()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// A minimal HTTP/1.1 keep-alive client with one request in flight. A simulated PEP owns one, so
// a run has as many connections as PEPs (QNetworkAccessManager opens at most six per host).
// It understands Content-Length bodies only, which is what the service sends.
class LoadClient final : public QObject
{
public:
    LoadClient(const QString &host, quint16 port, QObject *parent = nullptr);
    ~LoadClient() override;
    Q_DISABLE_COPY_MOVE(LoadClient)

    using Callback = std::function<void(const HttpReply &)>;

    // Sends one request; `done` runs once with the reply or the failure. Not reentrant: call
    // again only after `done` ran.
    void send(const QByteArray &method, const QByteArray &path, const Headers &headers, const QByteArray &body,
              Callback done);

    // Sends and waits in a local event loop, for sequential clients.
    HttpReply sendAndWait(const QByteArray &method, const QByteArray &path, const Headers &headers,
                          const QByteArray &body);

    bool busy() const { return bool(m_done); }

private:
    void onConnected();
    void onReadyRead();
    void onClosed();
    bool parseHead();
    void finish(const HttpReply &reply, bool closeSocket);
    void fail(const QString &error);

    QString m_host;
    quint16 m_port = 0;
    QTcpSocket *m_socket = nullptr;
    QTimer *m_timeout = nullptr;

    QByteArray m_request;
    Callback m_done;
    qint64 m_startNs = 0;

    QByteArray m_buffer;
    bool m_headParsed = false;
    int m_status = 0;
    qsizetype m_bodyStart = 0;
    qsizetype m_contentLength = 0;
    bool m_closeAfter = false;
    QByteArray m_location;
};

} // namespace Recourse::Bench
