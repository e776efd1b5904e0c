#include "app/logsink.h"

#include "core/base/logfields.h"
#include "core/base/rfc3339.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QMutex>
#include <QVarLengthArray>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

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

// Characters a terminal or log viewer may act on: the C0 and C1 controls, DEL, the Unicode line
// and paragraph separators, and format characters (category Cf). Those include U+202E
// RIGHT-TO-LEFT OVERRIDE and U+200B ZERO WIDTH SPACE, which can reorder or hide what a line shows.
bool isControl(char16_t c)
{
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029)
        return true;
    return c >= 0xad && QChar::category(char32_t(c)) == QChar::Other_Format;
}

bool isPrintableAscii(QStringView text)
{
    return std::all_of(text.begin(), text.end(), [](QChar c) { return c.unicode() >= 0x20 && c.unicode() < 0x7f; });
}

// Most of a line is printable ASCII. Copied unit by unit it skips the UTF-8 conversion of a
// temporary per run, which took a third of the time to format a request line.
void appendAscii(QByteArray &line, QStringView text)
{
    const qsizetype start = line.size();
    line.resize(start + text.size());
    char *out = line.data() + start;
    for (const QChar c : text)
        *out++ = char(c.unicode());
}

// Text lines stay one line each: control characters in a message (a client-sent header, say)
// could otherwise forge a line of their own.
void appendEscapedText(QByteArray &line, QStringView text)
{
    if (isPrintableAscii(text)) {
        appendAscii(line, text);
        return;
    }

    qsizetype runStart = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        if (!isControl(c))
            continue;

        line += text.sliced(runStart, i - runStart).toUtf8();
        runStart = i + 1;
        if (c == u'\n')
            line += "\\n";
        else if (c == u'\r')
            line += "\\r";
        else if (c == u'\t')
            line += "\\t";
        else if (c < 0x100)
            line += "\\x" + QByteArray::number(c, 16).rightJustified(2, '0');
        else
            line += "\\u" + QByteArray::number(c, 16).rightJustified(4, '0');
    }
    line += text.sliced(runStart).toUtf8();
}

// A field value of a text line. A value with a space, quote, equals sign or backslash, or an empty
// one, is quoted, so a client-sent value such as "x status=200" cannot pass for fields of its own.
void appendTextValue(QByteArray &line, QStringView value)
{
    const auto needsQuotes = [](QChar c) { return c == u' ' || c == u'"' || c == u'=' || c == u'\\'; };
    if (!value.isEmpty() && std::none_of(value.begin(), value.end(), needsQuotes)) {
        appendEscapedText(line, value);
        return;
    }
    QString escaped = value.toString();
    escaped.replace(u'\\', QLatin1StringView("\\\\")).replace(u'"', QLatin1StringView("\\\""));
    line += '"';
    appendEscapedText(line, escaped);
    line += '"';
}

// A JSON string literal, quotes included. Controls that JSON allows raw (DEL, C1, U+2028 and
// U+2029) are escaped as well, for viewers that act on them.
void appendJsonString(QByteArray &line, QStringView text)
{
    line += '"';
    if (isPrintableAscii(text) && !text.contains(u'"') && !text.contains(u'\\')) {
        appendAscii(line, text);
        line += '"';
        return;
    }

    qsizetype runStart = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        if (c != u'"' && c != u'\\' && !isControl(c))
            continue;

        line += text.sliced(runStart, i - runStart).toUtf8();
        runStart = i + 1;
        if (c == u'"' || c == u'\\') {
            line += '\\';
            line += char(c);
        } else if (c == u'\n') {
            line += "\\n";
        } else if (c == u'\r') {
            line += "\\r";
        } else if (c == u'\t') {
            line += "\\t";
        } else {
            line += "\\u" + QByteArray::number(c, 16).rightJustified(4, '0');
        }
    }
    line += text.sliced(runStart).toUtf8();
    line += '"';
}

// Copies printable ASCII text to `out`, one byte per character, and returns the end.
char *copyAscii(char *out, QStringView text)
{
    for (const QChar c : text)
        *out++ = char(c.unicode());
    return out;
}

// Formats the text line of a message whose parts are all printable ASCII and whose field values
// need no quotes, as nearly every line is, in one buffer with room for the newline. Returns nullopt
// for any other message. Appending part by part cost about half of a request line's instructions.
std::optional<QByteArray> plainTextLine(QByteArrayView time, QtMsgType type, const char *category,
                                        const QString &message, const Log::Fields &fields)
{
    const auto plainValue = [](QStringView value) {
        return !value.isEmpty() && std::all_of(value.begin(), value.end(), [](QChar c) {
            return c.unicode() > 0x20 && c.unicode() < 0x7f && c != u'"' && c != u'=' && c != u'\\';
        });
    };
    if (!isPrintableAscii(message))
        return std::nullopt;

    const QLatin1StringView level = levelName(type);
    const qsizetype categorySize = qsizetype(std::strlen(category));
    qsizetype size = time.size() + 1 + level.size() + 1 + categorySize + 2 + message.size();
    QVarLengthArray<const Log::Field *, 16> written; // the fields not overridden
    for (qsizetype i = 0; i < fields.size(); ++i) {
        if (fields.overridden(i))
            continue;
        const Log::Field &field = *(fields.begin() + i);
        if (!isPrintableAscii(field.key) || !plainValue(field.value))
            return std::nullopt;
        written.append(&field);
        size += 1 + field.key.size() + 1 + field.value.size();
    }

    QByteArray line;
    line.reserve(size + 1);
    line.resize(size);
    char *out = line.data();
    out = std::copy(time.begin(), time.end(), out);
    *out++ = ' ';
    out = std::copy(level.begin(), level.end(), out);
    *out++ = ' ';
    out = std::copy(category, category + categorySize, out);
    *out++ = ':';
    *out++ = ' ';
    out = copyAscii(out, message);
    for (const Log::Field *field : written) {
        *out++ = ' ';
        out = copyAscii(out, field->key);
        *out++ = '=';
        out = copyAscii(out, field->value);
    }
    Q_ASSERT(out == line.constData() + size);
    return line;
}

// A value that a text line writes without quotes and a JSON string without escapes.
bool isPlainUnit(char32_t unit)
{
    return unit > 0x20 && unit < 0x7f && unit != u'"' && unit != u'=' && unit != u'\\';
}

bool isPlainValue(QStringView value)
{
    return !value.isEmpty() && std::all_of(value.begin(), value.end(), [](QChar c) { return isPlainUnit(c.unicode()); });
}

bool isPlainValue(QByteArrayView value)
{
    return !value.isEmpty() && std::all_of(value.begin(), value.end(), [](char c) { return isPlainUnit(uchar(c)); });
}

// A duration in whole tenths of a millisecond, as Log::Fields writes the double it stands for.
QByteArrayView tenthsText(qint64 tenths, std::array<char, 24> &buffer)
{
    char *out = std::to_chars(buffer.data(), buffer.data() + buffer.size() - 2, tenths / 10).ptr;
    if (tenths % 10 != 0) {
        *out++ = '.';
        *out++ = char('0' + tenths % 10);
    }
    return QByteArrayView(buffer.data(), out - buffer.data());
}

bool isCoreMember(QStringView key)
{
    return key == u"time" || key == u"level" || key == u"category" || key == u"message";
}

// Request lines skip the generic message path, which took about 9% of an evaluation's
// instructions to build and format the line. Lines inside scoped fields take the generic path,
// which merges those fields.
bool writeRequestLine(const Log::RequestLine &request)
{
    if (!Log::ScopedFields::current().isEmpty())
        return false;
    Sink &target = sink();
    const qint64 now = target.clock ? target.clock->nowMs() : QDateTime::currentMSecsSinceEpoch();
    std::optional<QByteArray> line = formatRequestLine(target.format, request, now);
    if (!line)
        return false;
    *line += '\n';
    target.writer->append(*line, false);
    return true;
}

void handleMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    Sink &target = sink();
    const qint64 now = target.clock ? target.clock->nowMs() : QDateTime::currentMSecsSinceEpoch();
    QByteArray line = formatLogLine(target.format, type, context.category ? context.category : "default", message,
                                    Log::ScopedFields::current(), now);
    line += '\n';

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
                         const Log::Fields &fields, qint64 nowMs)
{
    const QByteArray time = Rfc3339::formatWithMs(nowMs).toLatin1();
    if (format == LogFormat::Text) {
        if (std::optional<QByteArray> plain = plainTextLine(time, type, category, message, fields))
            return *std::move(plain);
    }

    QByteArray line;
    line.reserve(160 + message.size());

    if (format == LogFormat::Json) {
        line += "{\"time\":\"" + time + "\",\"level\":\"" + levelName(type).latin1() + "\",\"category\":";
        appendJsonString(line, QString::fromLatin1(category));
        line += ",\"message\":";
        appendJsonString(line, message);
        for (qsizetype i = 0; i < fields.size(); ++i) {
            const Log::Field &field = *(fields.begin() + i);
            if (isCoreMember(field.key) || fields.overridden(i))
                continue;
            line += ',';
            appendJsonString(line, field.key);
            line += ':';
            if (field.literal)
                line += field.value.toUtf8();
            else
                appendJsonString(line, field.value);
        }
        line += '}';
        return line;
    }

    line += time + ' ' + levelName(type).latin1() + ' ' + category + ": ";
    appendEscapedText(line, message);
    for (qsizetype i = 0; i < fields.size(); ++i) {
        const Log::Field &field = *(fields.begin() + i);
        if (fields.overridden(i))
            continue;
        line += ' ';
        appendEscapedText(line, field.key);
        line += '=';
        appendTextValue(line, field.value);
    }
    return line;
}

std::optional<QByteArray> formatRequestLine(LogFormat format, const Log::RequestLine &request, qint64 nowMs)
{
    const QByteArrayView category(request.category);
    const bool plain = isPlainValue(category) && isPlainValue(request.method) && isPlainValue(request.route)
        && (request.requestId.isEmpty() || isPlainValue(request.requestId)) && request.requestId.size() <= 128
        && (request.caller.isEmpty() || isPlainValue(request.caller))
        && (!request.durationTenthsMs || *request.durationTenthsMs >= 0);
    char time[Rfc3339::kWithMsLength];
    if (!plain || !Rfc3339::writeWithMs(nowMs, time))
        return std::nullopt;

    std::array<char, 16> statusBuffer;
    const char *statusEnd = std::to_chars(statusBuffer.begin(), statusBuffer.end(), request.status).ptr;
    const QByteArrayView status(statusBuffer.data(), statusEnd - statusBuffer.data());
    std::array<char, 24> durationBuffer;
    const QByteArrayView duration =
        request.durationTenthsMs ? tenthsText(*request.durationTenthsMs, durationBuffer) : QByteArrayView();

    // The pieces are copied into one buffer of an upper bound: appending them to a QByteArray one
    // by one cost more than the rest of the line. The fixed parts of either format stay below 200
    // bytes, and the method, route and status appear twice.
    const qsizetype bound = 200 + category.size() + 2 * (request.method.size() + request.route.size() + status.size())
        + request.requestId.size() + duration.size() + request.caller.size();
    QByteArray line(bound, Qt::Uninitialized);
    char *out = line.data();
    const auto put = [&out](QByteArrayView piece) { out = std::copy(piece.begin(), piece.end(), out); };
    const auto putAscii = [&out](QStringView piece) {
        for (const QChar c : piece)
            *out++ = char(c.unicode());
    };
    const bool json = format == LogFormat::Json;
    // Starts a member: its separator and name, and in JSON the opening quote of a string value.
    const auto member = [&put, json](QByteArrayView name, bool quoted) {
        put(json ? QByteArrayView(",\"") : QByteArrayView(" "));
        put(name);
        put(json ? (quoted ? QByteArrayView("\":\"") : QByteArrayView("\":")) : QByteArrayView("="));
    };
    const auto endString = [&put, json] {
        if (json)
            put("\"");
    };

    if (json) {
        put("{\"time\":\"");
        put(QByteArrayView(time, sizeof(time)));
        put("\",\"level\":\"info\",\"category\":\"");
        put(category);
        put("\",\"message\":\"");
    } else {
        put(QByteArrayView(time, sizeof(time)));
        put(" info ");
        put(category);
        put(": ");
    }
    put(request.method);
    put(" ");
    putAscii(request.route);
    put(" ");
    put(status);
    endString();

    member("method", true);
    put(request.method);
    endString();
    member("route", true);
    putAscii(request.route);
    endString();
    member("status", false);
    put(status);
    if (!request.requestId.isEmpty()) {
        member("request_id", true);
        put(request.requestId);
        endString();
    }
    if (request.durationTenthsMs) {
        member("duration_ms", false);
        put(duration);
    }
    if (!request.caller.isEmpty()) {
        member("caller", true);
        putAscii(request.caller);
        endString();
    }
    if (json)
        put("}");

    Q_ASSERT(out <= line.constData() + bound);
    line.truncate(out - line.constData());
    return line;
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
    Log::setRequestLineWriter(writeRequestLine);
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

void LogWriter::append(QByteArrayView line, bool urgent)
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
