#include "core/service/httpgrammar.h"

#include <array>
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

    QByteArray lower(text.size(), Qt::Uninitialized);
    char *out = lower.data();
    for (const char c : text) {
        if (!kTokenChars[static_cast<unsigned char>(c)])
            return {};
        *out++ = (c >= 'A' && c <= 'Z') ? char(c + ('a' - 'A')) : c;
    }
    return lower;
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
