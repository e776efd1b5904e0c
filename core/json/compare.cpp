#include "core/json/json.h"

#include <utility>
#include <vector>

namespace Recourse::Json {

namespace {

// Reads one RFC 6901 array index: "0" or digits without a leading zero. "-" (the position after
// the last element) and anything else resolve to nothing.
std::optional<qsizetype> arrayIndex(QStringView token)
{
    if (token.isEmpty() || token.size() > 18)
        return std::nullopt;
    if (token.size() > 1 && token.front() == u'0')
        return std::nullopt;

    qsizetype index = 0;
    for (const QChar c : token) {
        if (c < u'0' || c > u'9')
            return std::nullopt;
        index = index * 10 + (c.unicode() - u'0');
    }
    return index;
}

// Undoes "~1" -> "/" and "~0" -> "~"; any other use of "~" makes the pointer malformed.
std::optional<QString> unescapePointerToken(QStringView token)
{
    QString result;
    result.reserve(token.size());
    for (qsizetype i = 0; i < token.size(); ++i) {
        if (token.at(i) != u'~') {
            result += token.at(i);
            continue;
        }
        if (i + 1 == token.size())
            return std::nullopt;
        const QChar next = token.at(++i);
        if (next == u'0')
            result += u'~';
        else if (next == u'1')
            result += u'/';
        else
            return std::nullopt;
    }
    return result;
}

} // namespace

bool structurallyEqual(const QJsonValue &a, const QJsonValue &b)
{
    // Pairs still to compare; a work list instead of recursion keeps hostile depth off the stack.
    std::vector<std::pair<QJsonValue, QJsonValue>> pending;
    pending.emplace_back(a, b);

    while (!pending.empty()) {
        const auto [left, right] = std::move(pending.back());
        pending.pop_back();
        if (left.type() != right.type())
            return false;

        switch (left.type()) {
        case QJsonValue::Null:
        case QJsonValue::Undefined:
            break;
        case QJsonValue::Bool:
            if (left.toBool() != right.toBool())
                return false;
            break;
        case QJsonValue::Double:
            if (left.toDouble() != right.toDouble())
                return false;
            break;
        case QJsonValue::String:
            // QString equality compares UTF-16 code units, so "é" and "e" + U+0301 differ.
            if (left.toString() != right.toString())
                return false;
            break;
        case QJsonValue::Array: {
            const QJsonArray leftArray = left.toArray();
            const QJsonArray rightArray = right.toArray();
            if (leftArray.size() != rightArray.size())
                return false;
            for (qsizetype i = 0; i < leftArray.size(); ++i)
                pending.emplace_back(leftArray.at(i), rightArray.at(i));
            break;
        }
        case QJsonValue::Object: {
            const QJsonObject leftObject = left.toObject();
            const QJsonObject rightObject = right.toObject();
            if (leftObject.size() != rightObject.size())
                return false;
            for (auto it = leftObject.constBegin(); it != leftObject.constEnd(); ++it) {
                const auto match = rightObject.constFind(it.key());
                if (match == rightObject.constEnd())
                    return false;
                pending.emplace_back(it.value(), match.value());
            }
            break;
        }
        }
    }
    return true;
}

int depth(const QJsonValue &value)
{
    std::vector<std::pair<QJsonValue, int>> pending;
    pending.emplace_back(value, 0);
    int deepest = 0;

    while (!pending.empty()) {
        const auto [current, level] = std::move(pending.back());
        pending.pop_back();
        if (current.isArray()) {
            deepest = std::max(deepest, level + 1);
            const QJsonArray array = current.toArray();
            for (const QJsonValue &element : array)
                pending.emplace_back(element, level + 1);
        } else if (current.isObject()) {
            deepest = std::max(deepest, level + 1);
            const QJsonObject object = current.toObject();
            for (auto it = object.constBegin(); it != object.constEnd(); ++it)
                pending.emplace_back(it.value(), level + 1);
        }
    }
    return deepest;
}

QJsonValue valueAt(const QJsonValue &root, QStringView pointer)
{
    if (pointer.isEmpty())
        return root;
    if (pointer.front() != u'/')
        return QJsonValue(QJsonValue::Undefined);

    QJsonValue current = root;
    qsizetype tokenStart = 1;
    for (;;) {
        qsizetype tokenEnd = pointer.indexOf(u'/', tokenStart);
        if (tokenEnd < 0)
            tokenEnd = pointer.size();
        const std::optional<QString> token = unescapePointerToken(pointer.sliced(tokenStart, tokenEnd - tokenStart));
        if (!token)
            return QJsonValue(QJsonValue::Undefined);

        if (current.isObject()) {
            const QJsonObject object = current.toObject();
            const auto member = object.constFind(*token);
            if (member == object.constEnd())
                return QJsonValue(QJsonValue::Undefined);
            current = member.value();
        } else if (current.isArray()) {
            const QJsonArray array = current.toArray();
            const std::optional<qsizetype> index = arrayIndex(*token);
            if (!index || *index >= array.size())
                return QJsonValue(QJsonValue::Undefined);
            current = array.at(*index);
        } else {
            return QJsonValue(QJsonValue::Undefined);
        }

        if (tokenEnd == pointer.size())
            return current;
        tokenStart = tokenEnd + 1;
    }
}

QString escapePointerToken(QStringView token)
{
    QString result;
    result.reserve(token.size());
    for (const QChar c : token) {
        if (c == u'~')
            result += QLatin1String("~0");
        else if (c == u'/')
            result += QLatin1String("~1");
        else
            result += c;
    }
    return result;
}

} // namespace Recourse::Json
