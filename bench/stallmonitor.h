#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <algorithm>
#include <ctime>
#include <vector>

namespace Recourse::Bench {

// Event-loop stalls of one phase. A 5 ms timer on the GUI thread fires late by as long as the
// thread was busy, or not scheduled at all on a machine shared with other work. The thread's own
// CPU time over the same interval separates the two.
struct StallStats
{
    qint64 ticks = 0;
    double maxLateMs = 0;     // maximum lateness of a tick
    double maxBusyMs = 0;     // maximum CPU time the GUI thread used between two ticks
    int lateOver50 = 0;       // ticks more than 50 ms late
    int busyOver50 = 0;       // intervals in which the GUI thread itself ran more than 50 ms
    double p99LateMs = 0;
};

class StallMonitor final : public QObject
{
public:
    static constexpr int kIntervalMs = 5;
    static constexpr double kStallMs = 50;

    StallMonitor()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(kIntervalMs);
        connect(&m_timer, &QTimer::timeout, this, [this] { onTick(); });
        m_clock.start();
    }

    // Starts a new phase; the timer keeps running across phases.
    void begin()
    {
        m_stats = {};
        m_lateness.clear();
        m_lastNs = m_clock.nsecsElapsed();
        m_lastCpuNs = threadCpuNs();
        if (!m_timer.isActive())
            m_timer.start();
    }

    StallStats end()
    {
        StallStats stats = m_stats;
        if (!m_lateness.empty()) {
            std::sort(m_lateness.begin(), m_lateness.end());
            stats.p99LateMs = m_lateness[std::min(m_lateness.size() - 1, size_t(double(m_lateness.size()) * 0.99))];
        }
        return stats;
    }

private:
    static qint64 threadCpuNs()
    {
        timespec now{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
        return qint64(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
    }

    void onTick()
    {
        const qint64 nowNs = m_clock.nsecsElapsed();
        const qint64 cpuNs = threadCpuNs();
        const double lateMs = std::max(0.0, double(nowNs - m_lastNs) / 1e6 - kIntervalMs);
        const double busyMs = double(cpuNs - m_lastCpuNs) / 1e6;
        m_lastNs = nowNs;
        m_lastCpuNs = cpuNs;

        ++m_stats.ticks;
        m_lateness.push_back(lateMs);
        m_stats.maxLateMs = std::max(m_stats.maxLateMs, lateMs);
        m_stats.maxBusyMs = std::max(m_stats.maxBusyMs, busyMs);
        m_stats.lateOver50 += lateMs > kStallMs ? 1 : 0;
        m_stats.busyOver50 += busyMs > kStallMs ? 1 : 0;
    }

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = 0;
    qint64 m_lastCpuNs = 0;
    StallStats m_stats;
    std::vector<double> m_lateness;
};

} // namespace Recourse::Bench
