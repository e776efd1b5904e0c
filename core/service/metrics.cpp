#include "core/service/metrics.h"

#include <QMutexLocker>

#include <cmath>
#include <iterator>
#include <vector>

namespace Recourse::Service {

namespace {

// Every route the service serves. `*` stands for one segment (an id or a template name) and a
// trailing `**` for the rest of the path. Anything else is labelled "other", so neither a scanner
// nor a caller without a token can add series.
constexpr const char *kRoutePatterns[] = {
    "/.well-known/authzen-configuration",
    "/access/v1/jwks",
    "/access/v1/evaluation",
    "/access/v1/evaluations",
    "/access/v1/requests",
    "/access/v1/requests/*",
    "/access/v1/requests/*/cancel",
    "/access/v1/search/subject",
    "/access/v1/search/resource",
    "/access/v1/search/action",
    "/access/v1/templates/*/request-schema",
    "/access/v1/templates/*/catalogs",
    "/access/v1/templates/*/catalog/**",
    "/admin/v1/whoami",
    "/admin/v1/tasks",
    "/admin/v1/tasks:batch",
    "/admin/v1/tasks/*",
    "/admin/v1/tasks/*/approve",
    "/admin/v1/tasks/*/deny",
    "/admin/v1/approvals/*/revoke",
    "/admin/v1/audit",
    "/admin/v1/audit/verify",
    "/admin/v1/denials",
    "/admin/v1/events",
    "/admin/v1/explain",
    "/admin/v1/policy",
    "/admin/v1/keys",
    "/admin/v1/keys/rotate",
    "/admin/v1/preview",
    "/healthz",
    "/metrics",
};

// The label of a route pattern: `*` becomes {id}, or {template} after /templates/, and `**`
// becomes {field}.
QByteArray labelOf(const QByteArray &pattern)
{
    QByteArray label = pattern;
    label.replace("/templates/*/", "/templates/{template}/");
    label.replace("**", "{field}");
    label.replace('*', "{id}");
    return label;
}

struct RoutePattern
{
    QList<QByteArray> segments;
    QByteArray label;
    bool wildcard = false; // has a `*` or `**` segment
};

// The patterns split into segments once: routeOf() runs for every request, and splitting and
// labelling each pattern there took about 4% of the event loop thread under evaluation load.
const std::vector<RoutePattern> &routePatterns()
{
    static const std::vector<RoutePattern> patterns = [] {
        std::vector<RoutePattern> list;
        for (const char *pattern : kRoutePatterns)
            list.push_back(RoutePattern{QByteArray(pattern).split('/'), labelOf(pattern), QByteArray(pattern).contains('*')});
        return list;
    }();
    return patterns;
}

// The methods a route label names. Any other becomes OTHER, so a client cannot add series.
constexpr const char *kLabelledMethods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
constexpr qsizetype kMethodCount = qsizetype(std::size(kLabelledMethods));

// Every "METHOD pattern" label, made once so routeOf() returns a shared string instead of building
// one per request. The row of a method (kMethodCount for OTHER) contains one label per pattern,
// then "other".
struct RouteLabels
{
    QHash<QByteArray, qsizetype> exactPaths; // patterns without wildcards, by path
    std::vector<QString> labels;

    qsizetype stride() const { return qsizetype(routePatterns().size()) + 1; }
    const QString &label(qsizetype method, qsizetype pattern) const { return labels[size_t(method * stride() + pattern)]; }
};

const RouteLabels &routeLabels()
{
    static const RouteLabels table = [] {
        RouteLabels built;
        const std::vector<RoutePattern> &patterns = routePatterns();
        for (size_t i = 0; i < patterns.size(); ++i) {
            if (!patterns[i].wildcard)
                built.exactPaths.insert(QByteArray(kRoutePatterns[i]), qsizetype(i));
        }
        for (qsizetype method = 0; method <= kMethodCount; ++method) {
            const QByteArray name = method < kMethodCount ? QByteArray(kLabelledMethods[method]) : QByteArrayLiteral("OTHER");
            for (const RoutePattern &pattern : patterns)
                built.labels.push_back(QString::fromLatin1(name + ' ' + pattern.label));
            built.labels.push_back(QString::fromLatin1(name + " other"));
        }
        return built;
    }();
    return table;
}

bool matches(const QList<QByteArray> &pattern, const QList<QByteArray> &segments)
{
    for (qsizetype i = 0; i < pattern.size(); ++i) {
        if (pattern.at(i) == "**")
            return segments.size() > i;
        if (i >= segments.size())
            return false;
        if (pattern.at(i) == "*" ? segments.at(i).isEmpty() : pattern.at(i) != segments.at(i))
            return false;
    }
    return segments.size() == pattern.size();
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
    const RouteLabels &table = routeLabels();
    qsizetype methodIndex = 0;
    while (methodIndex < kMethodCount && method != kLabelledMethods[methodIndex])
        ++methodIndex;

    // The PDP endpoints have fixed paths, so most requests are found without splitting the path.
    if (const auto exact = table.exactPaths.constFind(path); exact != table.exactPaths.cend())
        return table.label(methodIndex, exact.value());

    const std::vector<RoutePattern> &patterns = routePatterns();
    const QList<QByteArray> segments = path.split('/');
    for (size_t i = 0; i < patterns.size(); ++i) {
        if (patterns[i].wildcard && matches(patterns[i].segments, segments))
            return table.label(methodIndex, qsizetype(i));
    }
    return table.label(methodIndex, qsizetype(patterns.size()));
}

void Metrics::record(const QString &route, int status, std::optional<double> seconds)
{
    QMutexLocker locker(&m_mutex);
    Series &series = m_series[route];
    ++series.countByStatus[status];
    if (!seconds)
        return;

    ++series.count;
    series.sum += *seconds;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
        if (*seconds <= kBuckets[i])
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
            if (it->count == 0)
                continue; // only requests rejected before they were complete
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
