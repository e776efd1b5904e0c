#include "core/service/metrics.h"

#include <QMutexLocker>

#include <cmath>

namespace Recourse::Service {

namespace {

// A path segment that is an id of ours (arq_, apr_, evl_ and the like) or any long opaque token.
bool looksLikeId(const QByteArray &segment)
{
    return segment.size() > 12 || segment.contains('_');
}

QByteArray escapeLabel(const QString &value)
{
    QByteArray escaped = value.toUtf8();
    escaped.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return escaped;
}

QByteArray number(double value)
{
    if (std::isinf(value))
        return QByteArrayLiteral("+Inf");
    return QByteArray::number(value, 'g', 12);
}

} // namespace

QString Metrics::routeOf(const QByteArray &method, const QByteArray &path)
{
    QList<QByteArray> segments = path.split('/');
    for (QByteArray &segment : segments) {
        if (looksLikeId(segment) && !segment.startsWith("authzen-") && !segment.startsWith("tasks:"))
            segment = "{id}";
    }
    // Unknown paths all share one label so a scanner cannot grow the series without bound.
    QByteArray joined = segments.join('/');
    const bool known = joined.startsWith("/access/v1/") || joined.startsWith("/admin/v1/")
        || joined.startsWith("/.well-known/") || joined == "/healthz" || joined == "/metrics";
    if (!known)
        joined = "other";
    return QString::fromLatin1(method.left(10) + ' ' + joined.left(120));
}

void Metrics::record(const QString &route, int status, double seconds)
{
    QMutexLocker locker(&m_mutex);
    Series &series = m_series[route];
    ++series.countByStatus[status];
    ++series.count;
    series.sum += seconds;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
        if (seconds <= kBuckets[i])
            ++series.buckets[i];
    }
}

void Metrics::setGaugeSource(GaugeSource source)
{
    QMutexLocker locker(&m_mutex);
    m_gauges = std::move(source);
}

QByteArray Metrics::render() const
{
    GaugeSource gauges;
    QByteArray out;
    {
        QMutexLocker locker(&m_mutex);
        gauges = m_gauges;
        out += "# HELP recourse_http_requests_total HTTP requests answered, by route and status.\n"
               "# TYPE recourse_http_requests_total counter\n";
        for (auto it = m_series.cbegin(); it != m_series.cend(); ++it) {
            for (auto status = it->countByStatus.cbegin(); status != it->countByStatus.cend(); ++status) {
                out += "recourse_http_requests_total{route=\"" + escapeLabel(it.key()) + "\",code=\""
                    + QByteArray::number(status.key()) + "\"} " + QByteArray::number(status.value()) + '\n';
            }
        }
        out += "# HELP recourse_http_request_duration_seconds Time from a complete request to its response.\n"
               "# TYPE recourse_http_request_duration_seconds histogram\n";
        for (auto it = m_series.cbegin(); it != m_series.cend(); ++it) {
            const QByteArray label = "route=\"" + escapeLabel(it.key()) + '"';
            for (size_t i = 0; i < kBuckets.size(); ++i) {
                out += "recourse_http_request_duration_seconds_bucket{" + label + ",le=\"" + number(kBuckets[i]) + "\"} "
                    + QByteArray::number(it->buckets[i]) + '\n';
            }
            out += "recourse_http_request_duration_seconds_bucket{" + label + ",le=\"+Inf\"} "
                + QByteArray::number(it->count) + '\n';
            out += "recourse_http_request_duration_seconds_sum{" + label + "} " + number(it->sum) + '\n';
            out += "recourse_http_request_duration_seconds_count{" + label + "} " + QByteArray::number(it->count) + '\n';
        }
    }
    if (gauges) {
        for (const auto &[name, value] : gauges())
            out += name + ' ' + number(value) + '\n';
    }
    return out;
}

RateLimiter::RateLimiter(double ratePerSecond, double burst) : m_rate(ratePerSecond), m_burst(qMax(burst, 1.0)) { }

int RateLimiter::acquire(const QString &identity, qint64 nowMs)
{
    if (m_rate <= 0)
        return 0;
    QMutexLocker locker(&m_mutex);
    auto it = m_buckets.find(identity);
    if (it == m_buckets.end())
        it = m_buckets.insert(identity, Bucket{m_burst, nowMs});
    Bucket &bucket = *it;
    bucket.tokens = qMin(m_burst, bucket.tokens + double(nowMs - bucket.updatedMs) / 1000.0 * m_rate);
    bucket.updatedMs = nowMs;
    if (bucket.tokens >= 1.0) {
        bucket.tokens -= 1.0;
        return 0;
    }
    return qMax(1, int(std::ceil((1.0 - bucket.tokens) / m_rate)));
}

} // namespace Recourse::Service
