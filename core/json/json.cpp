#include "core/json/json.h"

#include "core/json/parser.h"

namespace Recourse::Json {

namespace {

Error toError(const ParseFailure &failure)
{
    // A size failure has no useful position: the whole text is rejected before it is read.
    if (failure.code == ErrorCode::PayloadTooLarge)
        return Error::make(failure.code, failure.message, failure.excerpt);

    const QString message = QStringLiteral("line %1, column %2: %3")
                                    .arg(QString::number(failure.line), QString::number(failure.column),
                                         failure.message);
    return Error::make(failure.code, message, failure.excerpt);
}

QString describeType(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

} // namespace

Result<QJsonValue> parse(QByteArrayView text, const ParseLimits &limits)
{
    Parser parser(text, limits);
    std::optional<QJsonValue> value = parser.run();
    if (!value)
        return toError(parser.failure());
    return *std::move(value);
}

Result<QJsonObject> parseObject(QByteArrayView text, const ParseLimits &limits)
{
    Result<QJsonValue> value = parse(text, limits);
    if (!value)
        return value.error();
    if (value->isObject())
        return value->toObject();

    // The top-level value starts at the first byte that is not whitespace.
    qsizetype offset = 0;
    int line = 1;
    qsizetype lineStart = 0;
    for (; offset < text.size() && QByteArrayView(" \t\r\n").contains(text.at(offset)); ++offset) {
        if (text.at(offset) == '\n') {
            ++line;
            lineStart = offset + 1;
        }
    }
    ParseFailure failure;
    failure.message = QStringLiteral("expected an object at the top level, found %1").arg(describeType(*value));
    failure.offset = offset;
    failure.line = line;
    failure.column = int(offset - lineStart + 1);
    const QByteArrayView rest = text.sliced(offset);
    failure.excerpt = printableText(QString::fromUtf8(rest.first(std::min<qsizetype>(rest.size(), 64))), 64);
    return toError(failure);
}

std::variant<QJsonValue, ParseFailure> parseDetailed(QByteArrayView text, const ParseLimits &limits)
{
    Parser parser(text, limits);
    std::optional<QJsonValue> value = parser.run();
    if (!value)
        return parser.failure();
    return *std::move(value);
}

std::variant<LocatedDocument, ParseFailure> parseLocated(QByteArrayView text, const ParseLimits &limits)
{
    LocatedDocument document;
    Parser parser(text, limits, &document.lineOfPointer);
    std::optional<QJsonValue> value = parser.run();
    if (!value)
        return parser.failure();
    document.value = *std::move(value);
    return document;
}

} // namespace Recourse::Json
