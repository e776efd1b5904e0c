#include "core/json/json.h"

#include <QJsonArray>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

namespace Recourse::Json {

namespace {

// RFC 8785 orders member names by their UTF-16 code units, as ECMAScript compares strings. That is
// neither locale order nor code point order, because U+1F600 (D83D DE00) sorts before U+FB33.
bool precedesInUtf16(const QString &a, const QString &b)
{
    return std::lexicographical_compare(a.utf16(), a.utf16() + a.size(), b.utf16(), b.utf16() + b.size());
}

void appendZeros(QByteArray &out, int count)
{
    out.append(qsizetype(count), '0');
}

// ECMAScript Number::toString(10), which RFC 8785 section 3.2.2.3 requires: the shortest digits
// that round-trip, laid out as an integer up to 21 digits, a plain fraction down to 1e-6,
// otherwise in exponent form such as 1e+21 or 1.5e-7.
void appendNumber(QByteArray &out, double value)
{
    // RFC 8785 has no form for these; null is what JSON.stringify writes, and parse() never
    // produces them.
    if (!std::isfinite(value)) {
        out += "null";
        return;
    }
    if (value == 0) {
        out += '0'; // includes -0
        return;
    }
    if (value < 0) {
        out += '-';
        value = -value;
    }

    // Scientific form without a precision yields the shortest round-trip digits, "d.ddde+XX".
    char buffer[32];
    const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    Q_ASSERT(error == std::errc());
    const char *exponentMark = std::find(buffer, end, 'e');
    QByteArray digits(buffer, 1);
    if (exponentMark - buffer > 2)
        digits.append(buffer + 2, exponentMark - buffer - 2);
    const char *exponentStart = exponentMark + 1;
    if (*exponentStart == '+')
        ++exponentStart;
    int exponent = 0;
    std::from_chars(exponentStart, end, exponent);

    // In the specification's terms: k digits, and the decimal point sits after n of them.
    const int k = int(digits.size());
    const int n = exponent + 1;
    if (k <= n && n <= 21) {
        out += digits;
        appendZeros(out, n - k);
    } else if (0 < n && n <= 21) {
        out += digits.first(n);
        out += '.';
        out += digits.sliced(n);
    } else if (-6 < n && n <= 0) {
        out += "0.";
        appendZeros(out, -n);
        out += digits;
    } else {
        out += digits.front();
        if (k > 1) {
            out += '.';
            out += digits.sliced(1);
        }
        out += n - 1 >= 0 ? "e+" : "e-";
        out += QByteArray::number(std::abs(n - 1));
    }
}

char *writeUtf8(char *out, char32_t codePoint)
{
    if (codePoint < 0x80) {
        *out++ = char(codePoint);
    } else if (codePoint < 0x800) {
        *out++ = char(0xC0 | (codePoint >> 6));
        *out++ = char(0x80 | (codePoint & 0x3F));
    } else if (codePoint < 0x10000) {
        *out++ = char(0xE0 | (codePoint >> 12));
        *out++ = char(0x80 | ((codePoint >> 6) & 0x3F));
        *out++ = char(0x80 | (codePoint & 0x3F));
    } else {
        *out++ = char(0xF0 | (codePoint >> 18));
        *out++ = char(0x80 | ((codePoint >> 12) & 0x3F));
        *out++ = char(0x80 | ((codePoint >> 6) & 0x3F));
        *out++ = char(0x80 | (codePoint & 0x3F));
    }
    return out;
}

char *writeHexEscape(char *out, char16_t unit)
{
    static constexpr char hexDigits[] = "0123456789abcdef";
    *out++ = '\\';
    *out++ = 'u';
    for (int shift = 12; shift >= 0; shift -= 4)
        *out++ = hexDigits[(unit >> shift) & 0xF];
    return out;
}

// The two-character escapes of JSON.stringify, or 0 where a character has none.
char shortEscape(char16_t unit)
{
    switch (unit) {
    case u'"':
        return '"';
    case u'\\':
        return '\\';
    case u'\b':
        return 'b';
    case u'\f':
        return 'f';
    case u'\n':
        return 'n';
    case u'\r':
        return 'r';
    case u'\t':
        return 't';
    default:
        return 0;
    }
}

// JSON.stringify escaping as RFC 8785 section 3.2.2.2 requires: short forms where they exist,
// \u00xx with lower-case hex for other control characters, everything else as raw UTF-8.
void appendString(QByteArray &out, QStringView text)
{
    // Written through a pointer into room for the worst case, six bytes per UTF-16 unit (\u001f),
    // because appending byte by byte took most of the time of serializing a response.
    const qsizetype start = out.size();
    out.resize(start + text.size() * 6 + 2);
    char *const begin = out.data() + start;
    char *p = begin;

    *p++ = '"';
    const char16_t *units = text.utf16();
    const qsizetype size = text.size();
    for (qsizetype i = 0; i < size; ++i) {
        const char16_t unit = units[i];
        if (unit >= 0x20 && unit < 0x80 && unit != u'"' && unit != u'\\') {
            *p++ = char(unit);
        } else if (const char escape = shortEscape(unit)) {
            *p++ = '\\';
            *p++ = escape;
        } else if (unit < 0x20) {
            p = writeHexEscape(p, unit);
        } else if (QChar::isHighSurrogate(unit) && i + 1 < size && QChar::isLowSurrogate(units[i + 1])) {
            p = writeUtf8(p, QChar::surrogateToUcs4(unit, units[i + 1]));
            ++i;
        } else if (QChar::isSurrogate(unit)) {
            // Only a QString built in code can hold a lone surrogate; parse() rejects them. The
            // escape keeps the output valid UTF-8, as ES2019 JSON.stringify does.
            p = writeHexEscape(p, unit);
        } else {
            p = writeUtf8(p, unit);
        }
    }
    *p++ = '"';
    out.truncate(start + (p - begin));
}

// The order in which a writer lays out object members: sorted by UTF-16 code units as RFC 8785
// requires, or the order QJsonObject stores them in.
enum class MemberOrder { Canonical, Stored };

// One open container while writing; `next` is the index of the member or element to write next.
// `names` contains the sorted member names when the canonical order differs from the stored one,
// and stays empty otherwise.
struct WriterFrame
{
    QJsonArray array;
    QJsonObject object;
    QStringList names;
    qsizetype next = 0;
    bool isObject = false;

    qsizetype size() const { return isObject ? object.size() : array.size(); }
};

// Whether the members QJsonObject stores are already in RFC 8785 order (UTF-16 code units), as
// they were for every object tried. The check costs one comparison per member. Sorting the names
// and looking each one up again was most of the time to canonicalize an audit record.
bool isStoredInCanonicalOrder(const QJsonObject &object)
{
    QString previous;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        QString name = it.key();
        if (it != object.constBegin() && !precedesInUtf16(previous, name))
            return false;
        previous = std::move(name);
    }
    return true;
}

// Writes a scalar, or the opening bracket of a container and pushes its frame.
void beginValue(QByteArray &out, std::vector<WriterFrame> &stack, const QJsonValue &value, MemberOrder order)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out += "null";
        return;
    case QJsonValue::Bool:
        out += value.toBool() ? "true" : "false";
        return;
    case QJsonValue::Double:
        appendNumber(out, value.toDouble());
        return;
    case QJsonValue::String:
        appendString(out, value.toString());
        return;
    case QJsonValue::Array: {
        out += '[';
        WriterFrame frame;
        frame.array = value.toArray();
        stack.push_back(std::move(frame));
        return;
    }
    case QJsonValue::Object: {
        out += '{';
        WriterFrame frame;
        frame.isObject = true;
        frame.object = value.toObject();
        if (order == MemberOrder::Canonical && !isStoredInCanonicalOrder(frame.object)) {
            frame.names = frame.object.keys();
            std::sort(frame.names.begin(), frame.names.end(), precedesInUtf16);
        }
        stack.push_back(std::move(frame));
        return;
    }
    }
}

// Iterative, so a deeply nested value built in code cannot exhaust the native stack.
QByteArray write(const QJsonValue &value, MemberOrder order)
{
    QByteArray out;
    out.reserve(256);
    std::vector<WriterFrame> stack;
    beginValue(out, stack, value, order);

    while (!stack.empty()) {
        WriterFrame &top = stack.back();
        if (top.next == top.size()) {
            out += top.isObject ? '}' : ']';
            stack.pop_back();
            continue;
        }

        if (top.next > 0)
            out += ',';
        QJsonValue child;
        if (top.isObject && !top.names.isEmpty()) {
            const QString &name = top.names.at(top.next);
            appendString(out, name);
            out += ':';
            child = top.object.value(name);
        } else if (top.isObject) {
            const auto member = top.object.constBegin() + top.next;
            appendString(out, member.key());
            out += ':';
            child = member.value();
        } else {
            child = top.array.at(top.next);
        }
        ++top.next;
        beginValue(out, stack, child, order); // may reallocate the stack, so `top` is not used after this
    }
    return out;
}

} // namespace

QByteArray canonicalize(const QJsonValue &value)
{
    return write(value, MemberOrder::Canonical);
}

// Not QJsonDocument::toJson(), because it grows its output from empty and converts every member
// through QCborValue. On the evaluation path it took about a third of the store writer's time.
QByteArray serialize(const QJsonObject &object)
{
    return write(object, MemberOrder::Stored);
}

QByteArray serializeValue(const QJsonValue &value)
{
    return write(value, MemberOrder::Stored);
}

QString displayText(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    return QString::fromUtf8(write(value, MemberOrder::Stored));
}

} // namespace Recourse::Json
