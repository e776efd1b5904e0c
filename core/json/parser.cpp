#include "core/json/parser.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <string_view>

namespace Recourse::Json {

namespace {

constexpr qsizetype ExcerptLimit = 64;

// Below this many members a linear scan finds duplicates faster than hashing every name.
constexpr size_t LinearScanLimit = 16;

// Bounds the bytes inspected when guessing where an offending token ends.
constexpr qsizetype TokenScanLimit = 256;

bool isTokenCharacter(char c)
{
    return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '+' || c == '.';
}

// Returns the probable end of an offending token: after the closing quote of a string, or after a
// run of number or literal characters.
const char *guessTokenEnd(const char *start, const char *end)
{
    if (start == end)
        return end;

    const char *limit = start + std::min<qsizetype>(end - start, TokenScanLimit);
    const char *pos = start + 1;
    if (*start == '"') {
        while (pos < limit && uchar(*pos) >= 0x20) {
            if (*pos == '"')
                return pos + 1;
            pos += (*pos == '\\' && pos + 1 < limit) ? 2 : 1;
        }
        return pos;
    }
    if (isTokenCharacter(*start)) {
        while (pos < limit && isTokenCharacter(*pos))
            ++pos;
        return pos;
    }

    // Otherwise one character, which may be a multi-byte UTF-8 sequence.
    const uchar lead = uchar(*start);
    qsizetype length = 1;
    if (lead >= 0xF0)
        length = 4;
    else if (lead >= 0xE0)
        length = 3;
    else if (lead >= 0xC0)
        length = 2;
    return start + std::min<qsizetype>(length, end - start);
}

// Decodes the excerpt leniently, since it may be the invalid UTF-8 that caused the failure.
QString excerptOf(const char *start, const char *end)
{
    return printableText(QString::fromUtf8(start, end - start), ExcerptLimit);
}

} // namespace

QString hexByte(uchar byte)
{
    return QStringLiteral("0x") + QString::number(byte, 16).toUpper().rightJustified(2, QLatin1Char('0'));
}

QString codePointName(char32_t codePoint)
{
    return QStringLiteral("U+%1").arg(uint(codePoint), 4, 16, QLatin1Char('0')).toUpper();
}

QString printableText(QStringView text, qsizetype maxCharacters)
{
    QString result;
    for (qsizetype i = 0; i < text.size() && result.size() < maxCharacters; ++i) {
        const QChar c = text.at(i);
        if (c.unicode() < 0x20 || c.unicode() == 0x7F)
            result += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
        else
            result += c;
    }
    if (result.size() > maxCharacters)
        result.truncate(maxCharacters);
    if (!result.isEmpty() && result.back().isHighSurrogate())
        result.chop(1);
    return result;
}

Parser::Parser(QByteArrayView text, const ParseLimits &limits, QHash<QString, int> *lines, Output output)
    : m_begin(text.data()), m_pos(text.data()), m_end(text.data() + text.size()), m_limits(limits),
      m_lines(lines), m_output(output)
{
    // Requests nest a few levels, so the stack is allocated once.
    m_stack.reserve(8);
}

std::optional<QJsonValue> Parser::run()
{
    const qsizetype size = m_end - m_begin;
    if (size > m_limits.maxBytes) {
        fail(m_begin + std::max<qsizetype>(m_limits.maxBytes, 0),
             QStringLiteral("JSON text of %1 bytes exceeds the limit of %2 bytes").arg(size).arg(m_limits.maxBytes),
             m_begin, m_begin);
        m_failure.code = ErrorCode::PayloadTooLarge;
        return std::nullopt;
    }
    if (size >= 3 && std::memcmp(m_begin, "\xEF\xBB\xBF", 3) == 0) {
        fail(m_begin, QStringLiteral("a byte order mark is not allowed before JSON text"), m_begin, m_begin + 3);
        return std::nullopt;
    }

    QJsonValue value;
    skipWhitespace();
    for (;;) {
        // A value starts here: a scalar, or a container whose first member or element follows.
        recordLine();
        if (!atEnd() && (*m_pos == '[' || *m_pos == '{')) {
            const char bracket = *m_pos;
            m_foundContainer = m_foundContainer || m_stack.empty();
            if (!openContainer(bracket))
                return std::nullopt;
            skipWhitespace();
            const char closing = bracket == '[' ? ']' : '}';
            if (atEnd() || *m_pos != closing) {
                if (bracket == '{' && !parseMemberName())
                    return std::nullopt;
                continue;
            }
            ++m_pos;
            value = closeContainer();
        } else if (!parseScalar(value)) {
            return std::nullopt;
        }

        // The value is complete: attach it, and close every container that ends right after it.
        for (;;) {
            if (m_stack.empty()) {
                skipWhitespace();
                if (!atEnd()) {
                    failUnexpected(m_pos, QStringLiteral("end of input after the JSON value"));
                    return std::nullopt;
                }
                return value;
            }
            appendToContainer(value);

            skipWhitespace();
            const bool isObject = m_stack.back().isObject;
            const char closing = isObject ? '}' : ']';
            if (!atEnd() && *m_pos == ',') {
                ++m_pos;
                skipWhitespace();
                if (!atEnd() && *m_pos == closing) {
                    fail(m_pos, QStringLiteral("trailing comma before '%1'").arg(QLatin1Char(closing)));
                    return std::nullopt;
                }
                if (isObject && !parseMemberName())
                    return std::nullopt;
                break;
            }
            if (atEnd() || *m_pos != closing) {
                failUnexpected(m_pos, isObject ? QStringLiteral("',' or '}' after an object member")
                                               : QStringLiteral("',' or ']' after an array element"));
                return std::nullopt;
            }
            ++m_pos;
            value = closeContainer();
        }
    }
}

// Only space, tab, line feed and carriage return are JSON whitespace; lines end at line feed.
void Parser::skipWhitespace()
{
    while (m_pos != m_end) {
        switch (*m_pos) {
        case '\n':
            ++m_line;
            [[fallthrough]];
        case ' ':
        case '\t':
        case '\r':
            ++m_pos;
            break;
        default:
            return;
        }
    }
}

void Parser::recordLine()
{
    if (!m_lines)
        return;

    QString pointer;
    if (!m_stack.empty()) {
        const Frame &parent = m_stack.back();
        const QString token = parent.isObject ? escapePointerToken(parent.pendingName)
                                              : QString::number(parent.array.size());
        pointer = parent.pointer + QLatin1Char('/') + token;
    }
    m_lines->insert(pointer, m_line);
    m_valuePointer = pointer;
}

bool Parser::openContainer(char bracket)
{
    if (qsizetype(m_stack.size()) >= m_limits.maxDepth)
        return fail(m_pos, QStringLiteral("nesting exceeds the limit of %1 levels").arg(m_limits.maxDepth));

    Frame &frame = m_stack.emplace_back();
    frame.isObject = bracket == '{';
    frame.pointer = m_valuePointer;
    // Most objects have a few members, which then need one allocation.
    if (frame.isObject && m_output == Output::CheckOnly)
        frame.checkedNames.reserve(8);
    ++m_pos;
    return true;
}

QJsonValue Parser::closeContainer()
{
    if (m_output == Output::CheckOnly) {
        m_stack.pop_back();
        return QJsonValue();
    }

    Frame frame = std::move(m_stack.back());
    m_stack.pop_back();
    if (!frame.isObject)
        return frame.array;

    // QJsonObject keeps members sorted by UTF-16 code units and shifts the tail on every insert,
    // so inserting in that order appends, where text order could cost quadratic time.
    std::sort(frame.members.begin(), frame.members.end(),
              [](const Member &a, const Member &b) { return a.name < b.name; });
    QJsonObject object;
    for (const Member &member : frame.members)
        object.insert(member.name, member.value);
    return object;
}

void Parser::appendToContainer(const QJsonValue &value)
{
    Frame &frame = m_stack.back();
    // A check keeps neither elements nor members: parseMemberName() has recorded the name.
    if (m_output == Output::CheckOnly)
        return;
    if (!frame.isObject) {
        frame.array.append(value);
        return;
    }

    if (!frame.names.isEmpty())
        frame.names.insert(frame.pendingName);
    frame.members.push_back(Member{std::move(frame.pendingName), value});
    frame.pendingName.clear();
}

bool Parser::parseMemberName()
{
    if (atEnd() || *m_pos != '"')
        return failUnexpected(m_pos, QStringLiteral("a member name in double quotes"));

    const char *nameStart = m_pos;
    const bool checkOnly = m_output == Output::CheckOnly;
    QString name; // stays null for a plain name read by a check, which needs no QString
    QByteArray checkedName; // the name as UTF-8, kept instead of `name` by a check
    // Printable ASCII without escapes: the raw bytes are the name, and no surrogate is possible.
    if (!checkOnly || !takePlainName(&checkedName)) {
        if (!parseString(&name))
            return false;
        // Qt 6.4's parser can misorder names beyond U+FFFF when some names carry escapes and others
        // do not, and QJsonObject::value() then misses members of the object it built. Such objects
        // are built by this parser, as fuzz_json showed.
        if (std::any_of(name.cbegin(), name.cend(), [](QChar c) { return c.isSurrogate(); }))
            m_qtChangesText = true;
        if (checkOnly)
            checkedName = name.toUtf8();
    }

    Frame &frame = m_stack.back();
    if (checkOnly ? hasCheckedName(frame, checkedName) : hasMember(frame, name)) {
        const QString duplicateName = name.isNull() ? QString::fromLatin1(checkedName) : name;
        return fail(nameStart,
                    QStringLiteral("duplicate member name \"%1\"").arg(printableText(duplicateName, ExcerptLimit)),
                    nameStart, m_pos);
    }
    if (checkOnly)
        recordCheckedName(frame, std::move(checkedName));
    else
        frame.pendingName = std::move(name);

    skipWhitespace();
    if (atEnd() || *m_pos != ':')
        return failUnexpected(m_pos, QStringLiteral("':' after the member name"));
    ++m_pos;
    skipWhitespace();
    return true;
}

bool Parser::hasMember(Frame &frame, const QString &name)
{
    if (frame.names.isEmpty()) {
        if (frame.members.size() < LinearScanLimit) {
            return std::any_of(frame.members.cbegin(), frame.members.cend(),
                               [&name](const Member &member) { return member.name == name; });
        }
        for (const Member &member : frame.members)
            frame.names.insert(member.name);
    }
    return frame.names.contains(name);
}

bool Parser::hasCheckedName(Frame &frame, const QByteArray &name)
{
    if (frame.checkedNameSet.isEmpty()) {
        if (frame.checkedNames.size() < LinearScanLimit)
            return std::find(frame.checkedNames.cbegin(), frame.checkedNames.cend(), name) != frame.checkedNames.cend();
        for (const QByteArray &known : frame.checkedNames)
            frame.checkedNameSet.insert(known);
    }
    return frame.checkedNameSet.contains(name);
}

void Parser::recordCheckedName(Frame &frame, QByteArray name)
{
    if (!frame.checkedNameSet.isEmpty())
        frame.checkedNameSet.insert(name);
    frame.checkedNames.push_back(std::move(name));
}

bool Parser::takePlainName(QByteArray *name)
{
    const char *start = m_pos + 1;
    for (const char *at = start; at != m_end; ++at) {
        const auto c = uchar(*at);
        if (c == '"') {
            // The input outlives the parse, so the name needs no copy.
            *name = QByteArray::fromRawData(start, at - start);
            m_pos = at + 1;
            return true;
        }
        if (c == '\\' || c < 0x20 || c >= 0x80)
            return false;
    }
    return false;
}

bool Parser::parseScalar(QJsonValue &value)
{
    if (atEnd())
        return failUnexpected(m_pos, QStringLiteral("a value"));

    const char c = *m_pos;
    if (c == '"') {
        // A checked string inside a container is not kept, but one at the top level is the result.
        if (m_output == Output::CheckOnly && !m_stack.empty())
            return parseString(nullptr);
        QString text;
        if (!parseString(&text))
            return false;
        value = QJsonValue(text);
        return true;
    }
    if (c == 't' || c == 'f' || c == 'n')
        return parseLiteral(value);
    if (c == '-' || isDigit(c))
        return parseNumber(value);

    const std::string_view rest(m_pos, size_t(m_end - m_pos));
    if (rest.substr(0, 3) == "NaN" || rest.substr(0, 8) == "Infinity")
        return fail(m_pos, QStringLiteral("NaN and Infinity are not valid JSON numbers"));
    if (c == '+')
        return fail(m_pos, QStringLiteral("a number must not start with '+'"));
    if (c == '.')
        return fail(m_pos, QStringLiteral("a number must have a digit before the decimal point"));
    return failUnexpected(m_pos, QStringLiteral("a value"));
}

bool Parser::parseLiteral(QJsonValue &value)
{
    const std::string_view rest(m_pos, size_t(m_end - m_pos));
    if (rest.substr(0, 4) == "true") {
        value = QJsonValue(true);
        m_pos += 4;
        return true;
    }
    if (rest.substr(0, 5) == "false") {
        value = QJsonValue(false);
        m_pos += 5;
        return true;
    }
    if (rest.substr(0, 4) == "null") {
        value = QJsonValue(QJsonValue::Null);
        m_pos += 4;
        return true;
    }
    return fail(m_pos, QStringLiteral("invalid literal, expected true, false or null"));
}

bool Parser::parseNumber(QJsonValue &value)
{
    const char *start = m_pos;
    if (*m_pos == '-')
        ++m_pos;
    if (atEnd() || !isDigit(*m_pos))
        return fail(m_pos, QStringLiteral("expected a digit after '-'"), start);
    if (*m_pos == '0') {
        ++m_pos;
        if (!atEnd() && isDigit(*m_pos))
            return fail(start, QStringLiteral("leading zeros are not allowed in numbers"));
    }
    while (!atEnd() && isDigit(*m_pos))
        ++m_pos;
    const char *integerStart = *start == '-' ? start + 1 : start;
    const std::string_view integerDigits(integerStart, size_t(m_pos - integerStart));
    const bool wholeNumber = atEnd() || (*m_pos != '.' && *m_pos != 'e' && *m_pos != 'E');

    if (!atEnd() && *m_pos == '.') {
        ++m_pos;
        if (atEnd() || !isDigit(*m_pos))
            return fail(m_pos, QStringLiteral("expected a digit after the decimal point"), start);
        while (!atEnd() && isDigit(*m_pos))
            ++m_pos;
    }

    if (!atEnd() && (*m_pos == 'e' || *m_pos == 'E')) {
        ++m_pos;
        if (!atEnd() && (*m_pos == '+' || *m_pos == '-'))
            ++m_pos;
        if (atEnd() || !isDigit(*m_pos))
            return fail(m_pos, QStringLiteral("expected a digit in the exponent"), start);
        while (!atEnd() && isDigit(*m_pos))
            ++m_pos;
    }

    // The grammar is checked above, so from_chars receives only what RFC 8259 allows. It rounds
    // correctly and never consults the locale.
    double number = 0;
    const auto [end, error] = std::from_chars(start, m_pos, number);
    if (error == std::errc::result_out_of_range) {
        if (overflowsDouble(start, m_pos))
            return fail(start, QStringLiteral("number is outside the range of an IEEE 754 double"), start, m_pos);
        number = *start == '-' ? -0.0 : 0.0;
    } else if (error != std::errc() || end != m_pos) {
        return fail(start, QStringLiteral("invalid number"), start, m_pos);
    }

    if (wholeNumber && losesPrecision(integerDigits, number)) {
        return fail(start, QStringLiteral("integer has more precision than an IEEE 754 double keeps, "
                                          "so send it as a string"), start, m_pos);
    }
    value = QJsonValue(number);
    return true;
}

// RFC 7493 section 2.2. Past 2^53 whole numbers can round to the same double, so a binding or a
// policy rule for tenant 9007199254740993 would also cover 9007199254740992. A whole number is
// kept only when its digits, without trailing zeros, are the shortest digits of its double. So
// each double has one accepted form, and every number this project writes is accepted again:
// 100000000000000000000 is, 9007199254740993 and 1152921504606846976 (2^60, exact but written
// with more digits than its double's shortest form 1152921504606847000) are not.
bool Parser::losesPrecision(std::string_view digits, double number)
{
    // A whole number of up to 15 digits is an exact double, so its digits are its double's.
    if (digits.size() <= 15)
        return false;

    char buffer[32];
    const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, std::abs(number), std::chars_format::scientific);
    if (error != std::errc())
        return true;
    std::string shortest;
    for (const char *p = buffer; p != end && *p != 'e'; ++p) {
        if (*p != '.')
            shortest.push_back(*p);
    }

    const auto withoutTrailingZeros = [](std::string_view text) {
        const size_t last = text.find_last_not_of('0');
        return last == std::string_view::npos ? std::string_view() : text.substr(0, last + 1);
    };
    return withoutTrailingZeros(digits) != withoutTrailingZeros(shortest);
}

// Called only when from_chars reports a value out of range: a number whose first significant
// digit sits left of the decimal point overflows, any other underflows toward zero.
bool Parser::overflowsDouble(const char *start, const char *end)
{
    const char *pos = start;
    if (*pos == '-')
        ++pos;

    qint64 magnitude = 0; // the leading significant digit is worth 10^(magnitude - 1)
    bool seenSignificant = false;
    bool afterPoint = false;
    for (; pos < end && *pos != 'e' && *pos != 'E'; ++pos) {
        if (*pos == '.') {
            afterPoint = true;
            continue;
        }
        if (!seenSignificant && *pos == '0') {
            if (afterPoint)
                --magnitude;
            continue;
        }
        seenSignificant = true;
        if (!afterPoint)
            ++magnitude;
    }

    // Saturate the exponent: a billion is past any double either way.
    qint64 exponent = 0;
    bool negative = false;
    if (pos < end) {
        ++pos;
        if (*pos == '+' || *pos == '-')
            negative = *pos++ == '-';
        for (; pos < end; ++pos)
            exponent = std::min<qint64>(exponent * 10 + (*pos - '0'), 1'000'000'000);
    }
    return magnitude + (negative ? -exponent : exponent) > 0;
}

bool Parser::failUnexpected(const char *position, const QString &expected)
{
    QString found;
    if (position == m_end)
        found = QStringLiteral("end of input");
    else if (uchar(*position) > 0x20 && uchar(*position) < 0x7F)
        found = QStringLiteral("'%1'").arg(QLatin1Char(*position));
    else
        found = QStringLiteral("byte %1").arg(hexByte(uchar(*position)));

    QString message = QStringLiteral("expected %1, found %2").arg(expected, found);
    if (position != m_end && *position == '/')
        message += QStringLiteral(" (comments are not allowed in JSON)");
    if (position != m_end && *position == '\'')
        message += QStringLiteral(" (JSON strings use double quotes)");
    return fail(position, message);
}

bool Parser::fail(const char *position, const QString &message, const char *tokenStart, const char *tokenEnd)
{
    if (!tokenStart)
        tokenStart = position;
    if (!tokenEnd)
        tokenEnd = guessTokenEnd(tokenStart, m_end);

    const QByteArrayView before(m_begin, position - m_begin);
    const qsizetype lineStart = before.lastIndexOf('\n') + 1;
    m_failure.message = message;
    m_failure.offset = position - m_begin;
    m_failure.line = 1 + int(std::count(before.begin(), before.end(), '\n'));
    m_failure.column = int(m_failure.offset - lineStart + 1);
    m_failure.excerpt = excerptOf(tokenStart, tokenEnd);
    m_failure.code = ErrorCode::InvalidJson;
    return false;
}

} // namespace Recourse::Json
