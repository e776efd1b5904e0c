#pragma once

#include <QDateTime>

#include <atomic>

namespace Recourse {

// The source of "now" for every rule that depends on time (expiry, freshness, retention).
// Production uses SystemClock; tests inject a ManualClock and advance it instead of sleeping.
class Clock
{
public:
    virtual ~Clock() = default;

    // Milliseconds since the Unix epoch, UTC.
    virtual qint64 nowMs() const = 0;

    QDateTime now() const { return QDateTime::fromMSecsSinceEpoch(nowMs(), Qt::UTC); }
    qint64 nowSeconds() const { return nowMs() / 1000; }
};

class SystemClock final : public Clock
{
public:
    qint64 nowMs() const override { return QDateTime::currentMSecsSinceEpoch(); }
};

// Thread-safe: the service reads it from worker threads while a test advances it.
class ManualClock final : public Clock
{
public:
    explicit ManualClock(qint64 startMs) : m_nowMs(startMs) { }

    qint64 nowMs() const override { return m_nowMs.load(); }
    void setNowMs(qint64 ms) { m_nowMs.store(ms); }
    void advanceMs(qint64 ms) { m_nowMs.fetch_add(ms); }
    void advanceSeconds(qint64 seconds) { advanceMs(seconds * 1000); }

private:
    std::atomic<qint64> m_nowMs;
};

} // namespace Recourse
