#pragma once

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QString>

#include <array>
#include <functional>
#include <optional>

namespace Recourse::Service {

// Request counts and latency histograms per route, rendered in the Prometheus text format.
// Thread-safe: responders may complete on any thread.
class Metrics
{
public:
    // Latency bucket bounds in seconds.
    static constexpr std::array<double, 10> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5};

    // Records one answered request. `route` is a pattern such as "POST /access/v1/requests/{id}".
    // A request rejected before it was complete (malformed, or timed out) has no duration, so it
    // is counted but left out of the latency histogram.
    void record(const QString &route, int status, std::optional<double> seconds);

    // Gauges computed at scrape time (tasks per status, event subscribers), name -> value.
    using GaugeSource = std::function<QList<QPair<QByteArray, double>>()>;
    void setGaugeSource(GaugeSource source);

    QByteArray render() const;

    // The route pattern of a request path: ids become {id} so labels stay few.
    static QString routeOf(const QByteArray &method, const QByteArray &path);

private:
    struct Series
    {
        QHash<int, quint64> countByStatus;
        std::array<quint64, kBuckets.size()> buckets{};
        quint64 count = 0;
        double sum = 0;
    };
    mutable QMutex m_mutex;
    QHash<QString, Series> m_series;
    GaugeSource m_gauges;
};

// A token bucket per identity: `ratePerSecond` requests a second with bursts of `burst`.
// A rate of 0 turns limiting off. Thread-safe.
class RateLimiter
{
public:
    RateLimiter(double ratePerSecond, double burst);

    // Takes one token for `identity` at `nowMs`; returns 0 when the request may proceed, or the
    // whole seconds to wait (for Retry-After) when the bucket is empty.
    int acquire(const QString &identity, qint64 nowMs);
    bool enabled() const { return m_rate > 0; }

private:
    struct Bucket
    {
        double tokens = 0;
        qint64 updatedMs = 0;
    };
    double m_rate;
    double m_burst;
    QMutex m_mutex;
    QHash<QString, Bucket> m_buckets;
};

} // namespace Recourse::Service
