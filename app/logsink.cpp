#include "app/logsink.h"

#include "core/base/logfields.h"
#include "core/base/rfc3339.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMutex>

#include <cstdio>
#include <cstdlib>

namespace Recourse::App {

namespace {

// Pending routine lines are written once this many bytes gather, whatever the delay.
constexpr qsizetype kMaxPendingBytes = 64 * 1024;

struct Sink
{
    LogFormat format = LogFormat::Text;
    std::shared_ptr<const Clock> clock;
    LogWriter *writer = nullptr; // created by installLogSink()
};

// Never destroyed: Qt and static destructors may still log while the process exits, and the
// writer must outlive them. An exit handler writes what is pending.
Sink &sink()
{
    static Sink *instance = new Sink;
    return *instance;
}

QLatin1StringView levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg: return QLatin1StringView("debug");
    case QtInfoMsg: return QLatin1StringView("info");
    case QtWarningMsg: return QLatin1StringView("warning");
    case QtCriticalMsg: return QLatin1StringView("critical");
    case QtFatalMsg: return QLatin1StringView("fatal");
    }
    return QLatin1StringView("warning");
}

// Text lines stay one line each: control characters in a message (a client-sent header, say)
// could otherwise forge a line of their own.
QString escapeControls(const QString &text)
{
    QString escaped;
    escaped.reserve(text.size());
    for (QChar c : text) {
        if (c == u'\n')
            escaped += QLatin1StringView("\\n");
        else if (c == u'\r')
            escaped += QLatin1StringView("\\r");
        else if (c == u'\t')
            escaped += QLatin1StringView("\\t");
        else if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            escaped += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
        else
            escaped += c;
    }
    return escaped;
}

QString textValue(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isDouble())
        return QString::number(value.toDouble(), 'g', 15);
    if (value.isBool())
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (value.isNull())
        return QStringLiteral("null");
    return QString::fromUtf8(QJsonDocument::fromVariant(value.toVariant()).toJson(QJsonDocument::Compact));
}

void handleMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    Sink &target = sink();
    const qint64 now = target.clock ? target.clock->nowMs() : QDateTime::currentMSecsSinceEpoch();
    const QByteArray line = formatLogLine(target.format, type, context.category ? context.category : "default", message,
                                          Log::ScopedFields::current(), now)
        + '\n';

    target.writer->append(line, type != QtDebugMsg && type != QtInfoMsg);
}

} // namespace

Result<LogFormat> parseLogFormat(const QString &text)
{
    if (text == QLatin1String("text"))
        return LogFormat::Text;
    if (text == QLatin1String("json"))
        return LogFormat::Json;
    return Error::make(ErrorCode::InvalidRequest, QStringLiteral("--log-format takes text or json."), text);
}

Result<LogLevel> parseLogLevel(const QString &text)
{
    if (text == QLatin1String("debug"))
        return LogLevel::Debug;
    if (text == QLatin1String("info"))
        return LogLevel::Info;
    if (text == QLatin1String("warning"))
        return LogLevel::Warning;
    return Error::make(ErrorCode::InvalidRequest, QStringLiteral("--log-level takes debug, info or warning."), text);
}

QByteArray formatLogLine(LogFormat format, QtMsgType type, const char *category, const QString &message,
                         const QJsonObject &fields, qint64 nowMs)
{
    const QString time = Rfc3339::formatWithMs(nowMs);
    if (format == LogFormat::Json) {
        QJsonObject object = fields;
        object.insert(QStringLiteral("time"), time);
        object.insert(QStringLiteral("level"), QString(levelName(type)));
        object.insert(QStringLiteral("category"), QString::fromLatin1(category));
        object.insert(QStringLiteral("message"), message);
        return QJsonDocument(object).toJson(QJsonDocument::Compact);
    }

    QString line = time + u' ' + levelName(type) + u' ' + QLatin1StringView(category) + QStringLiteral(": ")
        + escapeControls(message);
    for (auto it = fields.begin(); it != fields.end(); ++it)
        line += u' ' + it.key() + u'=' + escapeControls(textValue(it.value()));
    return line.toUtf8();
}

void flushLogSink()
{
    if (LogWriter *writer = sink().writer)
        writer->flush();
}

void installLogSink(LogFormat format, LogLevel level, std::shared_ptr<const Clock> clock)
{
    Sink &target = sink();
    target.format = format;
    target.clock = std::move(clock);
    if (!target.writer) {
        target.writer = new LogWriter(stderr);
        std::atexit(flushLogSink);
    }

    // Later rules win: Qt's own categories (and "default") log warnings and above, recourse.* down
    // to the chosen level.
    QString rules = QStringLiteral("*.debug=false\n*.info=false\n");
    if (level != LogLevel::Warning)
        rules += QStringLiteral("recourse.*.info=true\n");
    if (level == LogLevel::Debug)
        rules += QStringLiteral("recourse.*.debug=true\n");
    QLoggingCategory::setFilterRules(rules);
    qInstallMessageHandler(handleMessage);
}

LogWriter::LogWriter(std::FILE *out, int flushDelayMs)
    : m_out(out), m_flushDelayMs(flushDelayMs), m_flusher([this] { run(); })
{
}

LogWriter::~LogWriter()
{
    {
        QMutexLocker locker(&m_mutex);
        m_stopping = true;
        m_wake.wakeAll();
    }
    m_flusher.join();
    flush();
}

void LogWriter::append(const QByteArray &line, bool urgent)
{
    QMutexLocker locker(&m_mutex);
    const bool wasEmpty = m_pending.isEmpty();
    m_pending += line;
    if (urgent || m_pending.size() >= kMaxPendingBytes) {
        writeLocked();
        return;
    }

    // The flusher sleeps while nothing is pending, so only the first line of a gathering wakes it.
    if (wasEmpty)
        m_wake.wakeAll();
}

void LogWriter::flush()
{
    QMutexLocker locker(&m_mutex);
    writeLocked();
}

void LogWriter::run()
{
    QMutexLocker locker(&m_mutex);
    while (!m_stopping) {
        if (m_pending.isEmpty()) {
            m_wake.wait(&m_mutex);
            continue;
        }

        // Gathers for the delay; a stop request ends the wait early and the destructor writes.
        m_wake.wait(&m_mutex, QDeadlineTimer(m_flushDelayMs));
        if (!m_stopping)
            writeLocked();
    }
}

void LogWriter::writeLocked()
{
    if (m_pending.isEmpty())
        return;
    std::fwrite(m_pending.constData(), 1, size_t(m_pending.size()), m_out);
    std::fflush(m_out);
    m_pending.clear();
}

} // namespace Recourse::App
