#pragma once

#include "core/base/clock.h"
#include "core/base/result.h"

#include <QJsonObject>
#include <QString>

#include <memory>

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

// Formats one log line, without its newline, as the installed handler writes it. `fields` never
// replace the time, level, category or message members.
QByteArray formatLogLine(LogFormat format, QtMsgType type, const char *category, const QString &message,
                         const QJsonObject &fields, qint64 nowMs);

} // namespace Recourse::App
