#pragma once

#include "core/base/result.h"

#include <QByteArrayView>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>

namespace Recourse::Json {

// Limits applied while parsing untrusted input. Defaults: 1 MiB of text, 64 levels of nesting.
struct ParseLimits
{
    qsizetype maxBytes = 1024 * 1024;
    int maxDepth = 64;
};

// Where a parse failed, for precise messages ("line 12, column 7: duplicate member \"id\"").
struct ParseFailure
{
    QString message; // plain sentence, no position
    qsizetype offset = 0;
    int line = 1;   // 1-based
    int column = 1; // 1-based, in bytes
    QString excerpt; // the offending token, at most 64 characters, control characters escaped
    ErrorCode code = ErrorCode::InvalidJson; // PayloadTooLarge when the text exceeds maxBytes
};

// A parsed document plus the line on which each value starts, keyed by RFC 6901 JSON Pointer
// ("" is the root). Used by loaders that must point at the offending line of a file.
struct LocatedDocument
{
    QJsonValue value;
    QHash<QString, int> lineOfPointer;
};

// Strict I-JSON parsing (RFC 7493): rejects duplicate member names (compared after unescaping),
// invalid UTF-8, lone surrogates in \u escapes, numbers outside IEEE-754 double range, trailing
// content, and input past the limits. Every number reads as a double through toDouble(); a whole
// number within qint64 also keeps its exact value for toInteger().
// It also rejects noncharacters such as U+FFFF (RFC 7493 section 2.1) and a leading byte order mark.
// The error is ErrorCode::InvalidJson, or PayloadTooLarge when maxBytes is exceeded. An InvalidJson
// message names line and column. PayloadTooLarge has no position because no byte is read.
Result<QJsonValue> parse(QByteArrayView text, const ParseLimits &limits = {});

// As parse(), but the top-level value must be an object.
Result<QJsonObject> parseObject(QByteArrayView text, const ParseLimits &limits = {});

// Reads an object from JSON this project wrote itself, such as a store column. Qt's parser reads
// it, because it is faster than parse() and accepts whole numbers stored before the 2^53 rule.
// Text with characters beyond U+FFFF goes through parse(), because Qt 6.4 can misorder member
// names with those so that QJsonObject::value() misses members. Returns an empty object when the
// text is not a JSON object.
QJsonObject objectFromStored(QByteArrayView text);

// Parses an object or array that a Recourse service wrote, such as an HTTP response or an event.
// Like objectFromStored(), it uses Qt's parser, or parse() for text with characters beyond U+FFFF.
// Text that is not JSON gives InvalidJson with Qt's message and the byte offset.
Result<QJsonValue> parseWritten(QByteArrayView text);

// As parse(), with the failure position kept apart from the message.
std::variant<QJsonValue, ParseFailure> parseDetailed(QByteArrayView text, const ParseLimits &limits = {});

// As parseDetailed(), recording the line of every value.
std::variant<LocatedDocument, ParseFailure> parseLocated(QByteArrayView text, const ParseLimits &limits = {});

// RFC 8785 JSON Canonicalization Scheme: members sorted by UTF-16 code units, no whitespace,
// ECMAScript number formatting, minimal string escaping, UTF-8 output.
QByteArray canonicalize(const QJsonValue &value);

// Compact JSON in the member order QJsonObject stores (Qt sorts members), with canonicalize()'s
// escaping and number format; for responses, events and stored documents.
QByteArray serialize(const QJsonObject &object);
// As serialize(), for any value.
QByteArray serializeValue(const QJsonValue &value);
// Returns `value` as an error message quotes it: a string as it is, anything else (null, a number,
// an object) as compact JSON, so a problem's invalid_value is never empty for a present value.
QString displayText(const QJsonValue &value);

// Structural comparison of the AuthZEN profiles: same JSON type; numbers equal by value
// (1 equals 1.0); strings equal code point by code point (no Unicode normalization); arrays equal
// element by element in order; objects have the same member names with equal values; an absent
// member differs from null.
bool structurallyEqual(const QJsonValue &a, const QJsonValue &b);

// Nesting depth of a value (a scalar is 0, [] is 1). Iterative, so safe on hostile input.
int depth(const QJsonValue &value);

// RFC 6901 JSON Pointer resolution; returns an undefined QJsonValue when the pointer does not
// resolve or is malformed.
QJsonValue valueAt(const QJsonValue &root, QStringView pointer);

// Escapes one reference token for use inside a JSON Pointer ("~" -> "~0", "/" -> "~1").
QString escapePointerToken(QStringView token);

} // namespace Recourse::Json
