#pragma once

#include "core/base/clock.h"
#include "core/base/logfields.h"
#include "core/base/requestline.h"
#include "core/base/result.h"

#include <QByteArray>
#include <QMutex>
#include <QString>
#include <QWaitCondition>

#include <cstdio>
#include <memory>
#include <optional>
#include <thread>

namespace Recourse::App {

// The format of log lines on standard error: readable text, or one JSON object per line with
// "time", "level", "category", "message" and the structured members the code attached
// (request_id, route, status, task_id, ...).
enum class LogFormat { Text, Json };

// The lowest level logged for the recourse.* categories. Qt's own categories log warnings and
// above whatever is chosen here. QT_LOGGING_RULES still overrides both.
enum class LogLevel { Debug, Info, Warning };

Result<LogFormat> parseLogFormat(const QString &text);
Result<LogLevel> parseLogLevel(const QString &text);

// Installs the message handler for the whole process and the category rules for `level`. The
// time of each line comes from `clock`.
void installLogSink(LogFormat format, LogLevel level, std::shared_ptr<const Clock> clock);

// Writes the log lines that the installed handler has not written yet. Code that writes to
// stderr directly calls this first, so that its text follows every line logged before it. Does
// nothing before installLogSink().
void flushLogSink();

// Formats one log line, without its newline, as the installed handler writes it. `fields` never
// replace the time, level, category or message members.
QByteArray formatLogLine(LogFormat format, QtMsgType type, const char *category, const QString &message,
                         const Log::Fields &fields, qint64 nowMs);

// Formats a request line as formatLogLine() formats the message and fields that the generic path
// builds for it, in one buffer: an info line whose message is "METHOD route status".
// Returns nullopt when the line needs quotes or escapes, or its time is outside years 1 to 9999,
// so that the generic path writes it.
std::optional<QByteArray> formatRequestLine(LogFormat format, const Log::RequestLine &line, qint64 nowMs);

// A log line writer that makes no system call per line. Under load the service logs one info
// line per HTTP request, and writing and flushing each one took about 12% of the event loop
// thread at 13,000 requests/s.
//
// Routine lines gather in memory, and a background thread writes them `flushDelayMs` after the
// first one arrived. An urgent line (a warning or worse) is written at once together with every
// line before it, so lines stay in order. The destructor writes what is pending. A crash loses
// at most the routine lines of one delay.
class LogWriter
{
    Q_DISABLE_COPY_MOVE(LogWriter)

public:
    explicit LogWriter(std::FILE *out, int flushDelayMs = 50);
    ~LogWriter();

    // `line` includes its newline.
    void append(QByteArrayView line, bool urgent);
    // Writes every pending line now.
    void flush();

private:
    void run();
    void writeLocked();

    std::FILE *m_out;
    int m_flushDelayMs;
    QMutex m_mutex;
    QWaitCondition m_wake;
    QByteArray m_pending;
    bool m_stopping = false;
    std::thread m_flusher;
};

} // namespace Recourse::App
