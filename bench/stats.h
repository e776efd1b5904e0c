#pragma once

#include <QString>

#include <algorithm>
#include <cmath>
#include <vector>

namespace Recourse::Bench {

// Percentiles of a sample of nanosecond latencies, reported in milliseconds.
class LatencySample
{
public:
    void add(qint64 ns) { m_values.push_back(ns); }
    void append(const LatencySample &other) { m_values.insert(m_values.end(), other.m_values.begin(), other.m_values.end()); }
    size_t size() const { return m_values.size(); }

    // Nearest-rank percentile for p in [0, 100], or 0 for an empty sample.
    double percentileMs(double p)
    {
        if (m_values.empty())
            return 0;
        std::sort(m_values.begin(), m_values.end());
        const size_t rank = size_t(std::ceil(p / 100.0 * double(m_values.size())));
        const size_t index = std::clamp<size_t>(rank, 1, m_values.size()) - 1;
        return double(m_values[index]) / 1e6;
    }

    double maxMs() { return percentileMs(100); }

    // "p50_ms=0.41 p99_ms=2.10 max_ms=9.30" with a prefix on each key.
    QString summary(const QString &prefix)
    {
        return QStringLiteral("%1p50_ms=%2 %1p90_ms=%3 %1p99_ms=%4 %1max_ms=%5")
            .arg(prefix)
            .arg(percentileMs(50), 0, 'f', 3)
            .arg(percentileMs(90), 0, 'f', 3)
            .arg(percentileMs(99), 0, 'f', 3)
            .arg(maxMs(), 0, 'f', 3);
    }

private:
    std::vector<qint64> m_values;
};

} // namespace Recourse::Bench
