#include "core/json/json.h"

#include <QJsonDocument>

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

void appendUtf8(QByteArray &out, char32_t codePoint)
{
    if (codePoint < 0x80) {
        out += char(codePoint);
    } else if (codePoint < 0x800) {
        out += char(0xC0 | (codePoint >> 6));
        out += char(0x80 | (codePoint & 0x3F));
    } else if (codePoint < 0x10000) {
        out += char(0xE0 | (codePoint >> 12));
        out += char(0x80 | ((codePoint >> 6) & 0x3F));
        out += char(0x80 | (codePoint & 0x3F));
    } else {
        out += char(0xF0 | (codePoint >> 18));
        out += char(0x80 | ((codePoint >> 12) & 0x3F));
        out += char(0x80 | ((codePoint >> 6) & 0x3F));
        out += char(0x80 | (codePoint & 0x3F));
    }
}

void appendHexEscape(QByteArray &out, char16_t unit)
{
    static constexpr char hexDigits[] = "0123456789abcdef";
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4)
        out += hexDigits[(unit >> shift) & 0xF];
}

// JSON.stringify escaping as RFC 8785 section 3.2.2.2 requires: short forms where they exist,
// \u00xx with lower-case hex for other control characters, everything else as raw UTF-8.
void appendString(QByteArray &out, const QString &text)
{
    out += '"';
    const char16_t *units = reinterpret_cast<const char16_t *>(text.utf16());
    const qsizetype size = text.size();
    for (qsizetype i = 0; i < size; ++i) {
        const char16_t unit = units[i];
        switch (unit) {
        case u'"':
            out += "\\\"";
            continue;
        case u'\\':
            out += "\\\\";
            continue;
        case u'\b':
            out += "\\b";
            continue;
        case u'\f':
            out += "\\f";
            continue;
        case u'\n':
            out += "\\n";
            continue;
        case u'\r':
            out += "\\r";
            continue;
        case u'\t':
            out += "\\t";
            continue;
        default:
            break;
        }
        if (unit < 0x20) {
            appendHexEscape(out, unit);
        } else if (QChar::isHighSurrogate(unit) && i + 1 < size && QChar::isLowSurrogate(units[i + 1])) {
            appendUtf8(out, QChar::surrogateToUcs4(unit, units[i + 1]));
            ++i;
        } else if (QChar::isSurrogate(unit)) {
            // Only a QString built in code can hold a lone surrogate; parse() rejects them. The
            // escape keeps the output valid UTF-8, as ES2019 JSON.stringify does.
            appendHexEscape(out, unit);
        } else {
            appendUtf8(out, unit);
        }
    }
    out += '"';
}

// One open container while writing; `next` is the index of the member or element to write next.
struct CanonicalFrame
{
    QJsonArray array;
    QJsonObject object;
    QStringList names;
    qsizetype next = 0;
    bool isObject = false;

    qsizetype size() const { return isObject ? names.size() : array.size(); }
};

// Writes a scalar, or the opening bracket of a container and pushes its frame.
void beginValue(QByteArray &out, std::vector<CanonicalFrame> &stack, const QJsonValue &value)
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
        CanonicalFrame frame;
        frame.array = value.toArray();
        stack.push_back(std::move(frame));
        return;
    }
    case QJsonValue::Object: {
        out += '{';
        CanonicalFrame frame;
        frame.isObject = true;
        frame.object = value.toObject();
        frame.names = frame.object.keys();
        std::sort(frame.names.begin(), frame.names.end(), precedesInUtf16);
        stack.push_back(std::move(frame));
        return;
    }
    }
}

} // namespace

QByteArray canonicalize(const QJsonValue &value)
{
    QByteArray out;
    std::vector<CanonicalFrame> stack;
    beginValue(out, stack, value);

    // Iterative, so a deeply nested value built in code cannot exhaust the native stack.
    while (!stack.empty()) {
        CanonicalFrame &top = stack.back();
        if (top.next == top.size()) {
            out += top.isObject ? '}' : ']';
            stack.pop_back();
            continue;
        }

        if (top.next > 0)
            out += ',';
        QJsonValue child;
        if (top.isObject) {
            const QString &name = top.names.at(top.next);
            appendString(out, name);
            out += ':';
            child = top.object.value(name);
        } else {
            child = top.array.at(top.next);
        }
        ++top.next;
        beginValue(out, stack, child); // may reallocate the stack, so `top` is not used after this
    }
    return out;
}

QByteArray serialize(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace Recourse::Json
