#include "core/json/flatdocument.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <charconv>

namespace Recourse::Json {

namespace {

// Whole numbers of up to 15 digits are exact as doubles, so they need none of the range and
// precision rules that parse() applies to longer ones.
constexpr int kMaxDigits = 15;
// Bounds the work of one read, whatever the nesting.
constexpr size_t kMaxNodes = 512;

bool isWhitespace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Printable ASCII other than the quote and the backslash, which starts an escape.
bool isPlainStringByte(char c)
{
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

bool isDigitByte(char c)
{
    return c >= '0' && c <= '9';
}

} // namespace

// Reads one value at a time, depth first, so a container's node precedes its members' nodes and
// its `end` is known once they are read.
struct FlatReader
{
    const char *pos;
    const char *end;
    std::vector<FlatDocument::Node> &nodes;

    void skipWhitespace()
    {
        while (pos != end && isWhitespace(*pos))
            ++pos;
    }

    bool take(char c)
    {
        skipWhitespace();
        if (pos == end || *pos != c)
            return false;
        ++pos;
        return true;
    }

    // Reads a string without escapes, starting at its opening quote.
    bool readString(QByteArrayView *text)
    {
        if (pos == end || *pos != '"')
            return false;
        const char *start = ++pos;
        while (pos != end && isPlainStringByte(*pos))
            ++pos;
        if (pos == end || *pos != '"')
            return false;
        *text = QByteArrayView(start, pos - start);
        ++pos;
        return true;
    }

    // Reads true, false or null, whichever `literal` is, as a node of `type`.
    bool readLiteral(QByteArrayView literal, FlatDocument::Type type, QByteArrayView name)
    {
        if (end - pos < literal.size() || QByteArrayView(pos, literal.size()) != literal)
            return false;
        pos += literal.size();
        nodes.push_back({type, name, literal, int(nodes.size()) + 1});
        return true;
    }

    // Reads a whole number without a leading zero. A fraction, an exponent, -0 or more digits are
    // left to parse().
    bool readNumber(QByteArrayView *text)
    {
        const char *start = pos;
        if (pos != end && *pos == '-')
            ++pos;
        const char *digits = pos;
        while (pos != end && isDigitByte(*pos))
            ++pos;
        const qsizetype count = pos - digits;
        if (count == 0 || count > kMaxDigits || (*digits == '0' && (count > 1 || digits != start)))
            return false;
        if (pos != end && (*pos == '.' || *pos == 'e' || *pos == 'E'))
            return false;
        *text = QByteArrayView(start, pos - start);
        return true;
    }

    bool readContainer(FlatDocument::Type type, QByteArrayView name, int depth)
    {
        if (depth >= FlatDocument::kMaxDepth)
            return false;
        const bool isObject = type == FlatDocument::Type::Object;
        const char *start = pos++;
        const size_t index = nodes.size();
        nodes.push_back({type, name, {}, 0});

        skipWhitespace();
        const char closing = isObject ? '}' : ']';
        if (pos != end && *pos == closing) {
            ++pos;
        } else {
            int count = 0;
            for (;;) {
                QByteArrayView memberName;
                if (isObject) {
                    skipWhitespace();
                    if (++count > FlatDocument::kMaxMembers || !readString(&memberName))
                        return false;
                    for (size_t sibling = index + 1; sibling < nodes.size(); sibling = size_t(nodes[sibling].end)) {
                        if (nodes[sibling].name == memberName)
                            return false;
                    }
                    if (!take(':'))
                        return false;
                }
                if (!readValue(memberName, depth + 1))
                    return false;
                if (take(','))
                    continue;
                if (!take(closing))
                    return false;
                break;
            }
        }
        nodes[index].text = QByteArrayView(start, pos - start);
        nodes[index].end = int(nodes.size());
        return true;
    }

    bool readValue(QByteArrayView name, int depth)
    {
        skipWhitespace();
        if (pos == end || nodes.size() >= kMaxNodes)
            return false;

        switch (*pos) {
        case '{':
            return readContainer(FlatDocument::Type::Object, name, depth);
        case '[':
            return readContainer(FlatDocument::Type::Array, name, depth);
        case '"': {
            QByteArrayView text;
            if (!readString(&text))
                return false;
            nodes.push_back({FlatDocument::Type::String, name, text, int(nodes.size()) + 1});
            return true;
        }
        case 't':
            return readLiteral("true", FlatDocument::Type::True, name);
        case 'f':
            return readLiteral("false", FlatDocument::Type::False, name);
        case 'n':
            return readLiteral("null", FlatDocument::Type::Null, name);
        default: {
            QByteArrayView text;
            if (!readNumber(&text))
                return false;
            nodes.push_back({FlatDocument::Type::Number, name, text, int(nodes.size()) + 1});
            return true;
        }
        }
    }
};

std::optional<FlatDocument> FlatDocument::read(QByteArrayView text)
{
    if (text.size() > kMaxBytes)
        return std::nullopt;

    FlatDocument document;
    document.m_nodes.reserve(32);
    FlatReader reader{text.data(), text.data() + text.size(), document.m_nodes};
    reader.skipWhitespace();
    if (reader.pos == reader.end || *reader.pos != '{' || !reader.readValue({}, 0))
        return std::nullopt;
    reader.skipWhitespace();
    if (reader.pos != reader.end)
        return std::nullopt;
    return document;
}

int FlatDocument::member(int object, QByteArrayView name) const
{
    if (object < 0)
        return -1;
    const Node &parent = m_nodes[size_t(object)];
    if (parent.type != Type::Object)
        return -1;
    for (int child = object + 1; child < parent.end; child = m_nodes[size_t(child)].end) {
        if (m_nodes[size_t(child)].name == name)
            return child;
    }
    return -1;
}

QJsonValue FlatDocument::value(int node) const
{
    const Node &found = m_nodes[size_t(node)];
    switch (found.type) {
    case Type::String:
        return QJsonValue(QLatin1StringView(found.text));
    case Type::Number: {
        qint64 number = 0;
        std::from_chars(found.text.data(), found.text.data() + found.text.size(), number);
        return QJsonValue(number);
    }
    case Type::True:
        return QJsonValue(true);
    case Type::False:
        return QJsonValue(false);
    case Type::Null:
        return QJsonValue(QJsonValue::Null);
    case Type::Object:
    case Type::Array:
        break;
    }

    // Conditions rarely read a whole container, so Qt's parser reads the text that read() checked.
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray::fromRawData(found.text.data(), found.text.size()));
    return found.type == Type::Object ? QJsonValue(document.object()) : QJsonValue(document.array());
}

} // namespace Recourse::Json
