#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace Recourse::Http {

// Character classes and list syntax from RFC 9110 section 5, shared by the request parser and
// the response writer.

// tchar: the characters of a token such as a method or a field name.
bool isTokenChar(char c);
bool isToken(QByteArrayView text);
// `text` in lower case when it is a token, or a null QByteArray when it is not. One pass, for
// field names, which are compared case-insensitively.
QByteArray lowerCaseToken(QByteArrayView text);

// Whether a field value contains only HTAB, SP, visible ASCII and obs-text, so no CR, LF, NUL
// or other control character.
bool isValidFieldValue(QByteArrayView value);

// Returns `text` without leading and trailing SP and HTAB (optional whitespace).
QByteArrayView trimmedWhitespace(QByteArrayView text);

inline bool isWhitespace(char c)
{
    return c == ' ' || c == '\t';
}

inline bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// The value of a hex digit, or -1.
int hexValue(char c);

inline bool equalsIgnoringCase(QByteArrayView a, QByteArrayView b)
{
    return a.size() == b.size() && a.compare(b, Qt::CaseInsensitive) == 0;
}

// The credentials of an `Authorization: Bearer <token>` value (RFC 6750 section 2.1), or an
// empty view. The scheme is case-insensitive (RFC 9110 section 11.1), so "BEARER" counts too.
QByteArrayView bearerCredentials(QByteArrayView authorization);

// Calls `visit` for each non-empty, trimmed element of a comma-separated field value.
template<typename Visit>
void forEachListElement(QByteArrayView value, Visit visit)
{
    while (!value.isEmpty()) {
        const qsizetype comma = value.indexOf(',');
        const QByteArrayView element = trimmedWhitespace(comma < 0 ? value : value.first(comma));
        if (!element.isEmpty())
            visit(element);
        value = comma < 0 ? QByteArrayView() : value.sliced(comma + 1);
    }
}

} // namespace Recourse::Http
