#include "core/service/responsewriter.h"

#include "core/service/httpgrammar.h"
#include "core/service/httplogging.h"

#include <QRandomGenerator>
#include <QVarLengthArray>

#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string_view>

namespace Recourse::Http {

namespace {

// An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), formatted once per second and thread.
// The names are spelled out because strftime() would follow the process locale.
QByteArray httpDate()
{
    static constexpr std::array<const char *, 7> days = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr std::array<const char *, 12> months = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    thread_local std::time_t cachedSecond = -1;
    thread_local QByteArray cached;

    const std::time_t now = std::time(nullptr);
    if (now == cachedSecond)
        return cached;

    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[40];
    const int length = std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[utc.tm_wday],
        utc.tm_mday, months[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
    cached = QByteArray(text, length);
    cachedSecond = now;
    return cached;
}

bool isServerOwnedHeader(QByteArrayView name)
{
    static constexpr std::array<std::string_view, 5> owned = {
        "content-length", "transfer-encoding", "connection", "date", "x-request-id"};
    for (const std::string_view candidate : owned) {
        if (name.compare(QByteArrayView(candidate.data(), qsizetype(candidate.size())), Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

} // namespace

QByteArray mintRequestId()
{
    std::array<quint32, 4> words{};
    QRandomGenerator::global()->fillRange(words.data(), words.size());
    return QByteArray(reinterpret_cast<const char *>(words.data()), qsizetype(sizeof words)).toHex();
}

QByteArray serializeResponse(const Response &response, const QByteArray &requestId, bool close,
    bool keepAliveHeader, bool headRequest)
{
    const int status = response.status;
    const bool bodyAllowed = status >= 200 && status != 204 && status != 304;
    const bool bodySent = bodyAllowed && !headRequest;

    // The valid headers and their size are collected first, so the text is copied into one buffer
    // of sufficient size. Appending to a QByteArray piece by piece cost about 4,000 instructions
    // per response (callgrind), about as much as deciding a permit.
    QVarLengthArray<const QPair<QByteArray, QByteArray> *, 8> headers;
    qsizetype headerBytes = 0;
    for (const auto &header : response.headers) {
        if (isServerOwnedHeader(header.first))
            continue;
        if (!isToken(header.first) || !isValidFieldValue(header.second)) {
            qCWarning(lcHttp) << "dropping an invalid response header" << header.first << "of request" << requestId;
            continue;
        }
        headers.append(&header);
        headerBytes += 4 + header.first.size() + header.second.size();
    }
    const QByteArray date = httpDate();
    const QByteArrayView reason = reasonPhrase(status);
    // The fixed text takes 80 bytes, and the two numbers at most 20 each.
    const qsizetype bound = 160 + reason.size() + date.size() + headerBytes + requestId.size()
        + (bodySent ? response.body.size() : 0);

    QByteArray out(bound, Qt::Uninitialized);
    char *cursor = out.data();
    const auto put = [&cursor](QByteArrayView text) {
        // An empty QByteArray has no data pointer, and memcpy from a null pointer is undefined
        // even for zero bytes (UBSan stops the run on it).
        if (text.isEmpty())
            return;
        std::memcpy(cursor, text.data(), size_t(text.size()));
        cursor += text.size();
    };
    const auto putNumber = [&cursor](qint64 number) {
        cursor = std::to_chars(cursor, cursor + 20, number).ptr;
    };

    put("HTTP/1.1 ");
    putNumber(status);
    put(" ");
    put(reason);
    put("\r\nDate: ");
    put(date);
    if (bodyAllowed) {
        put("\r\nContent-Length: ");
        putNumber(response.body.size());
    }
    for (const auto *header : headers) {
        put("\r\n");
        put(header->first);
        put(": ");
        put(header->second);
    }
    put("\r\nX-Request-ID: ");
    put(requestId);
    if (close)
        put("\r\nConnection: close");
    else if (keepAliveHeader)
        put("\r\nConnection: keep-alive");
    put("\r\n\r\n");
    if (bodySent)
        put(response.body);

    out.truncate(cursor - out.constData());
    return out;
}

} // namespace Recourse::Http
