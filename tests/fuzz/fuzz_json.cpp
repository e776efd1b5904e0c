// Fuzzes the strict JSON parser and what runs on its output: canonicalization (RFC 8785),
// structural comparison, depth and JSON Pointer lookup.
//
// On every input the three parse entry points must agree, and tighter limits must never accept
// what the default limits reject. A parsed value must compare equal to itself and stay within the
// depth limit. Its canonical form must parse back to an equal value with the same canonical
// bytes. parseLocated() must record a line for the root, and each recorded pointer must resolve.
// The flat reader of the evaluation fast path must take only text parse() takes, and find every
// member with the value parse() gives it.

#include "core/json/flatdocument.h"
#include "core/json/json.h"

#include "fuzzsupport.h"

#include <cstddef>
#include <cstdint>
#include <variant>

using namespace Recourse;

namespace {

// Canonical text can be longer than its source ("1e20" becomes 21 digits), so it is read back
// with room to spare. The depth limit stays because canonicalization keeps the nesting.
const Json::ParseLimits kReparseLimits{64 * 1024 * 1024, Json::ParseLimits().maxDepth};
const Json::ParseLimits kTightLimits{256, 4};

void checkCanonicalForm(const QJsonValue &value)
{
    const QByteArray canonical = Json::canonicalize(value);
    const Result<QJsonValue> reparsed = Json::parse(canonical, kReparseLimits);
    FUZZ_CHECK(reparsed.ok());
    FUZZ_CHECK(Json::structurallyEqual(value, *reparsed));
    FUZZ_CHECK(Json::structurallyEqual(*reparsed, value));
    FUZZ_CHECK(Json::canonicalize(*reparsed) == canonical);
}

void checkLocated(QByteArrayView text, const QJsonValue &value)
{
    auto located = Json::parseLocated(text);
    FUZZ_CHECK(std::holds_alternative<Json::LocatedDocument>(located));
    const Json::LocatedDocument &document = std::get<Json::LocatedDocument>(located);
    FUZZ_CHECK(Json::structurallyEqual(document.value, value));
    FUZZ_CHECK(document.lineOfPointer.contains(QString()));

    const int lineCount = int(text.count('\n')) + 1;
    for (auto it = document.lineOfPointer.cbegin(); it != document.lineOfPointer.cend(); ++it) {
        FUZZ_CHECK(it.value() >= 1 && it.value() <= lineCount);
        FUZZ_CHECK(!Json::valueAt(value, it.key()).isUndefined());
    }
}

// Walks `expected` through the flat document's own look-ups, member by member.
void checkFlatMembers(const Json::FlatDocument &flat, int node, const QJsonValue &expected)
{
    FUZZ_CHECK(Json::structurallyEqual(flat.value(node), expected));
    if (!expected.isObject())
        return;
    const QJsonObject object = expected.toObject();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const int member = flat.member(node, it.key().toLatin1());
        FUZZ_CHECK(member > node);
        checkFlatMembers(flat, member, it.value());
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    Fuzz::silenceLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView text(reinterpret_cast<const char *>(data), qsizetype(size));

    const Result<QJsonValue> parsed = Json::parse(text);
    const auto detailed = Json::parseDetailed(text);
    FUZZ_CHECK(parsed.ok() == std::holds_alternative<QJsonValue>(detailed));

    const Result<QJsonValue> tight = Json::parse(text, kTightLimits);
    if (tight)
        FUZZ_CHECK(parsed.ok() && Json::structurallyEqual(*tight, *parsed));

    const Result<QJsonObject> object = Json::parseObject(text);
    FUZZ_CHECK(object.ok() == (parsed.ok() && parsed->isObject()));
    if (!object)
        FUZZ_CHECK(!object.error().message.isEmpty());

    const std::optional<Json::FlatDocument> flat = Json::FlatDocument::read(text);
    if (flat) {
        FUZZ_CHECK(object.ok());
        checkFlatMembers(*flat, Json::FlatDocument::kRoot, *object);
    }

    if (!parsed) {
        FUZZ_CHECK(!parsed.error().message.isEmpty());
        FUZZ_CHECK(std::holds_alternative<Json::LocatedDocument>(Json::parseLocated(text)) == false);
        return 0;
    }

    const QJsonValue &value = *parsed;
    FUZZ_CHECK(Json::structurallyEqual(value, std::get<QJsonValue>(detailed)));
    FUZZ_CHECK(Json::structurallyEqual(value, value));
    FUZZ_CHECK(Json::depth(value) <= Json::ParseLimits().maxDepth);
    checkCanonicalForm(value);
    checkLocated(text, value);

    if (object)
        FUZZ_CHECK(Json::structurallyEqual(*Json::parse(Json::serialize(*object), kReparseLimits), value));
    return 0;
}
