// Event-stream delivery: subscribers on /admin/v1/events while paced evaluations produce events.
#include "bench/loadclient.h"
#include "bench/loadruns.h"
#include "bench/stats.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QNetworkRequest>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

namespace Recourse::Bench {

namespace {

// How long subscribers may take to receive the tail of the stream once production stops.
constexpr int kDrainTimeoutMs = 10000;

struct Subscriber
{
    std::unique_ptr<QWebSocket> socket;
    bool connected = false;
    qint64 lastSeq = -1;
    qint64 gaps = 0;       // seq values skipped
    qint64 outOfOrder = 0; // seq at or below one already seen
    qint64 received = 0;   // every event
    qint64 stamped = 0;    // events of this run's evaluations
    LatencySample latency;
};

class EventRun
{
public:
    explicit EventRun(const RunOptions &options) : m_options(options) { }

    int run()
    {
        for (int i = 0; i < m_options.subscribers; ++i)
            subscribe();
        for (int i = 0; i < m_options.producers; ++i)
            m_producers.push_back(std::make_unique<LoadClient>(m_options.target.host, m_options.target.port));

        // The run gives up when the subscribers cannot connect at all.
        QTimer::singleShot(10000, [this] {
            if (m_startNs == 0) {
                std::fprintf(stderr, "subscribers did not connect\n");
                QCoreApplication::exit(1);
            }
        });
        if (QCoreApplication::exec() != 0)
            return 1;
        return report();
    }

private:
    void subscribe()
    {
        auto subscriber = std::make_unique<Subscriber>();
        Subscriber *raw = subscriber.get();
        raw->socket = std::make_unique<QWebSocket>();
        QWebSocket *socket = raw->socket.get();
        QObject::connect(socket, &QWebSocket::connected, socket, [this, raw] {
            raw->connected = true;
            if (std::all_of(m_subscribers.begin(), m_subscribers.end(), [](const auto &s) { return s->connected; }))
                QTimer::singleShot(300, [this] { startProducing(); });
        });
        QObject::connect(socket, &QWebSocket::textMessageReceived, socket,
                         [raw](const QString &message) { onEvent(*raw, message); });
        QObject::connect(socket, &QWebSocket::disconnected, socket, [this, raw] {
            if (!m_finished)
                std::fprintf(stderr, "a subscriber was disconnected: %s\n", qPrintable(raw->socket->errorString()));
        });

        QUrl url;
        url.setScheme(QStringLiteral("ws"));
        url.setHost(m_options.target.host);
        url.setPort(m_options.target.port);
        url.setPath(QStringLiteral("/admin/v1/events"));
        QNetworkRequest request(url);
        request.setRawHeader("Authorization", Pep::bearer(m_options.target.auditorToken));
        m_subscribers.push_back(std::move(subscriber));
        socket->open(request);
    }

    static void onEvent(Subscriber &subscriber, const QString &message)
    {
        const qint64 nowMicros = wallMicros();
        const QJsonObject event = QJsonDocument::fromJson(message.toUtf8()).object();
        const qint64 seq = event.value(QStringLiteral("seq")).toInteger();
        ++subscriber.received;
        if (subscriber.lastSeq >= 0 && seq > subscriber.lastSeq + 1)
            subscriber.gaps += seq - subscriber.lastSeq - 1;
        if (subscriber.lastSeq >= 0 && seq <= subscriber.lastSeq)
            ++subscriber.outOfOrder;
        subscriber.lastSeq = qMax(subscriber.lastSeq, seq);

        const QJsonValue sent = event.value(QStringLiteral("data")).toObject().value(QStringLiteral("resource")).toObject()
                                    .value(QStringLiteral("properties")).toObject().value(QStringLiteral("bench_sent_us"));
        if (!sent.isDouble())
            return;
        ++subscriber.stamped;
        subscriber.latency.add((nowMicros - qint64(sent.toDouble())) * 1000);
    }

    void startProducing()
    {
        if (m_startNs != 0)
            return;
        m_startNs = monotonicNs();
        m_pacer = std::make_unique<QTimer>();
        m_pacer->setTimerType(Qt::PreciseTimer);
        m_pacer->setInterval(1);
        QObject::connect(m_pacer.get(), &QTimer::timeout, [this] { produce(); });
        m_pacer->start();
    }

    // Sends the requests the schedule makes due by now on the idle connections. A schedule that
    // runs ahead of the connections shows up as an achieved rate below the requested one.
    void produce()
    {
        const qint64 elapsedNs = monotonicNs() - m_startNs;
        if (elapsedNs > qint64(m_options.durationSeconds) * 1000000000) {
            m_pacer->stop();
            m_productionNs = elapsedNs;
            waitForDelivery();
            return;
        }
        const qint64 due = qint64(double(m_options.rate) * double(elapsedNs) / 1e9);
        for (auto &producer : m_producers) {
            if (m_sent >= due)
                return;
            if (producer->busy())
                continue;
            ++m_sent;
            const QByteArray body = Pep::compact(Pep::stampedPermitRequest(wallMicros()));
            producer->send("POST", "/access/v1/evaluation", {{"Authorization", Pep::bearer(m_options.target.pepToken)}}, body,
                           [this](const HttpReply &reply) {
                               if (reply.status == 200 && reply.body.contains("\"decision\":true"))
                                   ++m_permitted;
                               else
                                   ++m_failed;
                           });
        }
    }

    void waitForDelivery()
    {
        const qint64 deadline = monotonicNs() + qint64(kDrainTimeoutMs) * 1000000;
        auto *poll = new QTimer();
        poll->setInterval(20);
        QObject::connect(poll, &QTimer::timeout, [this, poll, deadline] {
            const bool inFlight = std::any_of(m_producers.begin(), m_producers.end(), [](const auto &p) { return p->busy(); });
            const bool delivered = !inFlight && std::all_of(m_subscribers.begin(), m_subscribers.end(), [this](const auto &s) {
                return s->stamped >= m_permitted;
            });
            if (!delivered && monotonicNs() < deadline)
                return;
            poll->stop();
            poll->deleteLater();
            m_finished = true;
            QCoreApplication::exit(0);
        });
        poll->start();
    }

    int report()
    {
        LatencySample all;
        qint64 lost = 0;
        qint64 gaps = 0;
        qint64 outOfOrder = 0;
        qint64 delivered = 0;
        double worstSubscriberP99 = 0;
        for (auto &subscriber : m_subscribers) {
            lost += qMax<qint64>(0, m_permitted - subscriber->stamped);
            gaps += subscriber->gaps;
            outOfOrder += subscriber->outOfOrder;
            delivered += subscriber->stamped;
            worstSubscriberP99 = qMax(worstSubscriberP99, subscriber->latency.percentileMs(99));
            all.append(subscriber->latency);
        }
        const double seconds = double(m_productionNs) / 1e9;
        std::printf("RESULT mode=events subscribers=%d asked_rate=%d seconds=%.2f events_produced=%lld events_rate_per_s=%.1f "
                    "evaluation_failures=%lld deliveries=%lld lost=%lld seq_gaps=%lld out_of_order=%lld "
                    "worst_subscriber_p99_ms=%.3f %s\n",
                    m_options.subscribers, m_options.rate, seconds, m_permitted,
                    seconds > 0 ? double(m_permitted) / seconds : 0.0, m_failed, delivered, lost, gaps, outOfOrder,
                    worstSubscriberP99, qPrintable(all.summary(QStringLiteral("delivery_"))));
        std::fflush(stdout);
        for (auto &subscriber : m_subscribers)
            subscriber->socket->close();
        return (lost == 0 && gaps == 0 && outOfOrder == 0 && m_failed == 0) ? 0 : 1;
    }

    RunOptions m_options;
    std::vector<std::unique_ptr<Subscriber>> m_subscribers;
    std::vector<std::unique_ptr<LoadClient>> m_producers;
    std::unique_ptr<QTimer> m_pacer;
    qint64 m_startNs = 0;
    qint64 m_productionNs = 0;
    qint64 m_sent = 0;
    qint64 m_permitted = 0;
    qint64 m_failed = 0;
    bool m_finished = false;
};

} // namespace

int runEvents(const RunOptions &options)
{
    EventRun run(options);
    return run.run();
}

} // namespace Recourse::Bench
