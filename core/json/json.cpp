#include "core/json/json.h"

#include "core/json/parser.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <limits>

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
    std::variant<QJsonValue, ParseFailure> value = parseDetailed(text, limits);
    if (const auto *failure = std::get_if<ParseFailure>(&value))
        return toError(*failure);
    return std::get<QJsonValue>(std::move(value));
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

// Our parser checks the text against every rule above, and Qt's parser then builds the value.
// Building it member by member took more than half of the time to parse an evaluation request,
// because each QJsonObject::insert() wraps the name in a QCborValue of its own. Qt's parser
// builds the same object in about a third of that time (callgrind, the rule 1 body).
std::variant<QJsonValue, ParseFailure> parseDetailed(QByteArrayView text, const ParseLimits &limits)
{
    Parser checker(text, limits, nullptr, Parser::Output::CheckOnly);
    std::optional<QJsonValue> scalar = checker.run();
    if (!scalar)
        return checker.failure();
    if (!checker.foundContainer())
        return *std::move(scalar);

    if (!checker.qtChangesText()) {
        QJsonParseError error{};
        const QJsonDocument document =
            QJsonDocument::fromJson(QByteArray::fromRawData(text.data(), text.size()), &error);
        if (error.error == QJsonParseError::NoError)
            return document.isObject() ? QJsonValue(document.object()) : QJsonValue(document.array());
    }

    // Text that passed the stricter check is expected to parse. If Qt rejects it, or would change
    // it, build it ourselves.
    Parser builder(text, limits);
    std::optional<QJsonValue> value = builder.run();
    if (!value)
        return builder.failure();
    return *std::move(value);
}

Result<QJsonValue> parseWritten(QByteArrayView text)
{
    // Every character beyond U+FFFF starts with a byte of 0xF0 or more in UTF-8, the only form
    // this project writes them in.
    const bool beyondBmp = std::any_of(text.begin(), text.end(), [](char c) { return uchar(c) >= 0xF0; });
    if (beyondBmp) {
        // The text was checked under the request limits when it arrived, so only a sanity bound stays.
        Result<QJsonValue> value = parse(text, ParseLimits{std::numeric_limits<qsizetype>::max(), 1000});
        if (value && (value->isObject() || value->isArray()))
            return value;
    }

    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray::fromRawData(text.data(), text.size()), &error);
    if (error.error != QJsonParseError::NoError) {
        return Error::make(ErrorCode::InvalidJson,
                           QStringLiteral("%1 at byte %2").arg(error.errorString()).arg(error.offset));
    }
    return document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
}

QJsonObject objectFromStored(QByteArrayView text)
{
    const Result<QJsonValue> value = parseWritten(text);
    return value ? value->toObject() : QJsonObject();
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
