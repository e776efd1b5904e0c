#include "core/service/httpgrammar.h"

#include <array>
#include <cstring>
#include <string_view>

namespace Recourse::Http {

namespace {

constexpr std::array<bool, 256> makeTokenTable()
{
    std::array<bool, 256> table{};
    for (int c = '0'; c <= '9'; ++c)
        table[c] = true;
    for (int c = 'a'; c <= 'z'; ++c)
        table[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c)
        table[c] = true;
    for (const char c : std::string_view("!#$%&'*+-.^_`|~"))
        table[static_cast<unsigned char>(c)] = true;
    return table;
}

constexpr std::array<bool, 256> kTokenChars = makeTokenTable();

// Returns the shared copy of a header name that most requests carry, or a null array. Such copies
// need no allocation, so a typical request allocates no header name.
const QByteArray &knownHeaderName(QByteArrayView lower)
{
    static const std::array<QByteArray, 16> names = {
        QByteArrayLiteral("host"), QByteArrayLiteral("accept"), QByteArrayLiteral("origin"),
        QByteArrayLiteral("expect"), QByteArrayLiteral("upgrade"), QByteArrayLiteral("user-agent"),
        QByteArrayLiteral("connection"), QByteArrayLiteral("content-type"), QByteArrayLiteral("x-request-id"),
        QByteArrayLiteral("authorization"), QByteArrayLiteral("content-length"), QByteArrayLiteral("accept-encoding"),
        QByteArrayLiteral("idempotency-key"), QByteArrayLiteral("transfer-encoding"),
        QByteArrayLiteral("sec-websocket-key"), QByteArrayLiteral("sec-websocket-version")};
    static const QByteArray none;

    for (const QByteArray &name : names) {
        if (name.size() == lower.size() && std::memcmp(name.constData(), lower.data(), size_t(lower.size())) == 0)
            return name;
    }
    return none;
}

} // namespace

bool isTokenChar(char c)
{
    return kTokenChars[static_cast<unsigned char>(c)];
}

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

QByteArray lowerCaseToken(QByteArrayView text)
{
    if (text.isEmpty())
        return {};

    // Short names are lower-cased on the stack first, so a known one costs no allocation.
    constexpr qsizetype kStackBytes = 32;
    char stack[kStackBytes];
    QByteArray heap;
    char *lower = stack;
    if (text.size() > kStackBytes) {
        heap = QByteArray(text.size(), Qt::Uninitialized);
        lower = heap.data();
    }

    char *out = lower;
    for (const char c : text) {
        if (!kTokenChars[static_cast<unsigned char>(c)])
            return {};
        *out++ = (c >= 'A' && c <= 'Z') ? char(c + ('a' - 'A')) : c;
    }
    if (!heap.isNull())
        return heap;

    const QByteArrayView name(stack, text.size());
    const QByteArray &known = knownHeaderName(name);
    return known.isNull() ? name.toByteArray() : known;
}

bool isValidFieldValue(QByteArrayView value)
{
    for (const char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte < 0x20 && byte != '\t') || byte == 0x7f)
            return false;
    }
    return true;
}

QByteArrayView trimmedWhitespace(QByteArrayView text)
{
    while (!text.isEmpty() && isWhitespace(text.front()))
        text = text.sliced(1);
    while (!text.isEmpty() && isWhitespace(text.back()))
        text.chop(1);
    return text;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

QByteArrayView bearerCredentials(QByteArrayView authorization)
{
    constexpr QByteArrayView scheme("bearer");
    if (authorization.size() <= scheme.size() || !isWhitespace(authorization[scheme.size()]))
        return {};
    if (!equalsIgnoringCase(authorization.first(scheme.size()), scheme))
        return {};
    return trimmedWhitespace(authorization.sliced(scheme.size()));
}

} // namespace Recourse::Http
