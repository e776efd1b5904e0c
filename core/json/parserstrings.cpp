#include "core/json/parser.h"

// String scanning for Parser: escapes, surrogate pairs and UTF-8 validation.

namespace Recourse::Json {

namespace {

// Noncharacters are valid scalar values, but I-JSON (RFC 7493, section 2.1) forbids them in strings.
bool isNoncharacter(char32_t codePoint)
{
    return (codePoint >= 0xFDD0 && codePoint <= 0xFDEF) || (codePoint & 0xFFFE) == 0xFFFE;
}

} // namespace

bool Parser::parseString(QString *text)
{
    const char *stringStart = m_pos;
    ++m_pos;
    m_scratch.clear();
    // Qt 6.4's parser drops a raw U+FEFF at the start of a string, so "\uFEFFadmin" would
    // arrive as "admin". Such text is built by this parser instead, as fuzz_json showed.
    if (m_end - m_pos >= 3 && std::memcmp(m_pos, "\xEF\xBB\xBF", 3) == 0)
        m_qtChangesText = true;

    for (;;) {
        if (atEnd())
            return fail(stringStart, QStringLiteral("string is not terminated before the end of input"));

        const uchar c = uchar(*m_pos);
        if (c == '"') {
            ++m_pos;
            if (text)
                *text = QStringView(m_scratch).toString();
            return true;
        }
        if (c == '\\') {
            if (!parseEscape(stringStart))
                return false;
            continue;
        }
        if (c < 0x20) {
            return fail(m_pos,
                        QStringLiteral("unescaped control character %1 in string").arg(codePointName(c)),
                        stringStart);
        }
        if (c < 0x80) {
            // A string that is only checked is never read back, so its ASCII is not copied.
            if (text)
                m_scratch.push_back(char16_t(c));
            ++m_pos;
            continue;
        }
        if (!parseUtf8Sequence(stringStart))
            return false;
    }
}

bool Parser::parseEscape(const char *stringStart)
{
    const char *escapeStart = m_pos;
    ++m_pos;
    if (atEnd())
        return fail(stringStart, QStringLiteral("string is not terminated before the end of input"));

    const char kind = *m_pos++;
    switch (kind) {
    case '"':
    case '\\':
    case '/':
        m_scratch.push_back(char16_t(kind));
        return true;
    case 'b':
        m_scratch.push_back(u'\b');
        return true;
    case 'f':
        m_scratch.push_back(u'\f');
        return true;
    case 'n':
        m_scratch.push_back(u'\n');
        return true;
    case 'r':
        m_scratch.push_back(u'\r');
        return true;
    case 't':
        m_scratch.push_back(u'\t');
        return true;
    case 'u':
        break;
    default:
        return fail(escapeStart,
                    QStringLiteral("invalid escape sequence '\\%1' in string")
                            .arg(printableText(QString::fromUtf8(m_pos - 1, 1), 1)),
                    stringStart);
    }

    char16_t unit = 0;
    if (!readHex4(m_pos, unit))
        return fail(escapeStart, QStringLiteral("invalid \\u escape, expected four hexadecimal digits"), stringStart);
    m_pos += 4;
    const QString written = QString::fromLatin1(escapeStart, 6);
    if (QChar::isLowSurrogate(unit)) {
        return fail(escapeStart, QStringLiteral("lone low surrogate %1 in string").arg(written), stringStart);
    }
    if (!QChar::isHighSurrogate(unit))
        return appendCodePoint(unit, stringStart, escapeStart);

    // A high surrogate counts only as the first half of a \uD8xx\uDCxx pair.
    char16_t low = 0;
    if (m_end - m_pos < 6 || m_pos[0] != '\\' || m_pos[1] != 'u' || !readHex4(m_pos + 2, low)
        || !QChar::isLowSurrogate(low)) {
        return fail(escapeStart,
                    QStringLiteral("lone high surrogate %1 in string, a \\uDC00 to \\uDFFF escape must follow")
                            .arg(written),
                    stringStart);
    }
    m_pos += 6;
    return appendCodePoint(QChar::surrogateToUcs4(unit, low), stringStart, escapeStart);
}

bool Parser::readHex4(const char *at, char16_t &unit) const
{
    if (m_end - at < 4)
        return false;

    unit = 0;
    for (int i = 0; i < 4; ++i) {
        const char c = at[i];
        int digit = 0;
        if (isDigit(c))
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        else
            return false;
        unit = char16_t(unit * 16 + digit);
    }
    return true;
}

// Validates one multi-byte UTF-8 sequence with the well-formed ranges of Unicode table 3-7, which
// exclude overlong forms, encoded surrogates and code points above U+10FFFF.
bool Parser::parseUtf8Sequence(const char *stringStart)
{
    const char *sequenceStart = m_pos;
    const uchar lead = uchar(*m_pos);
    const auto invalid = [&](const QString &why) {
        return fail(sequenceStart, QStringLiteral("invalid UTF-8 in string: %1").arg(why), stringStart);
    };

    int length = 0;
    char32_t codePoint = 0;
    uchar secondMin = 0x80;
    uchar secondMax = 0xBF;
    if (lead < 0xC0)
        return invalid(QStringLiteral("unexpected continuation byte %1").arg(hexByte(lead)));
    if (lead < 0xC2)
        return invalid(QStringLiteral("overlong encoding"));
    if (lead < 0xE0) {
        length = 2;
        codePoint = lead & 0x1F;
    } else if (lead < 0xF0) {
        length = 3;
        codePoint = lead & 0x0F;
        secondMin = lead == 0xE0 ? 0xA0 : 0x80;
        secondMax = lead == 0xED ? 0x9F : 0xBF;
    } else if (lead < 0xF5) {
        length = 4;
        codePoint = lead & 0x07;
        secondMin = lead == 0xF0 ? 0x90 : 0x80;
        secondMax = lead == 0xF4 ? 0x8F : 0xBF;
    } else if (lead < 0xF8) {
        return invalid(QStringLiteral("code point above U+10FFFF"));
    } else {
        return invalid(QStringLiteral("byte %1 never occurs in UTF-8").arg(hexByte(lead)));
    }

    for (int i = 1; i < length; ++i) {
        if (m_end - m_pos <= i || (uchar(m_pos[i]) & 0xC0) != 0x80)
            return invalid(QStringLiteral("truncated sequence"));
        const uchar byte = uchar(m_pos[i]);
        if (i == 1 && byte < secondMin)
            return invalid(QStringLiteral("overlong encoding"));
        if (i == 1 && byte > secondMax) {
            return invalid(lead == 0xED ? QStringLiteral("encoded surrogate")
                                        : QStringLiteral("code point above U+10FFFF"));
        }
        codePoint = (codePoint << 6) | (byte & 0x3F);
    }
    m_pos += length;
    return appendCodePoint(codePoint, stringStart, sequenceStart);
}

bool Parser::appendCodePoint(char32_t codePoint, const char *stringStart, const char *position)
{
    if (isNoncharacter(codePoint)) {
        return fail(position,
                    QStringLiteral("noncharacter %1 is not allowed in I-JSON strings").arg(codePointName(codePoint)),
                    stringStart);
    }

    if (QChar::requiresSurrogates(codePoint)) {
        m_scratch.push_back(QChar::highSurrogate(codePoint));
        m_scratch.push_back(QChar::lowSurrogate(codePoint));
    } else {
        m_scratch.push_back(char16_t(codePoint));
    }
    return true;
}

} // namespace Recourse::Json
