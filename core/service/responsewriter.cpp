#include "core/service/responsewriter.h"

#include "core/service/httpgrammar.h"
#include "core/service/httplogging.h"

#include <QRandomGenerator>

#include <array>
#include <cstdio>
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

    QByteArray out;
    out.reserve(192 + requestId.size() + 64 * response.headers.size() + response.body.size());
    out.append("HTTP/1.1 ").append(QByteArray::number(status)).append(' ').append(reasonPhrase(status));
    out.append("\r\nDate: ").append(httpDate());
    if (bodyAllowed)
        out.append("\r\nContent-Length: ").append(QByteArray::number(response.body.size()));
    for (const auto &[name, value] : response.headers) {
        if (isServerOwnedHeader(name))
            continue;
        if (!isToken(name) || !isValidFieldValue(value)) {
            qCWarning(lcHttp) << "dropping an invalid response header" << name << "of request" << requestId;
            continue;
        }
        out.append("\r\n").append(name).append(": ").append(value);
    }
    out.append("\r\nX-Request-ID: ").append(requestId);
    if (close)
        out.append("\r\nConnection: close");
    else if (keepAliveHeader)
        out.append("\r\nConnection: keep-alive");
    out.append("\r\n\r\n");

    if (bodyAllowed && !headRequest)
        out.append(response.body);
    return out;
}

} // namespace Recourse::Http
