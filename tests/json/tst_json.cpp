#include "core/json/json.h"

#include <QTest>

#include <clocale>
#include <cstring>

using namespace Recourse;
using namespace Recourse::Json;

namespace {

QString failureMessage(const std::variant<QJsonValue, ParseFailure> &result)
{
    return std::holds_alternative<ParseFailure>(result) ? std::get<ParseFailure>(result).message : QString();
}

QJsonValue parseOrNull(const QByteArray &text)
{
    const Result<QJsonValue> result = parse(text);
    return result.ok() ? result.value() : QJsonValue(QJsonValue::Undefined);
}

double doubleFromBits(quint64 bits)
{
    double value = 0;
    static_assert(sizeof value == sizeof bits);
    std::memcpy(&value, &bits, sizeof value);
    return value;
}

QByteArray nested(const QByteArray &open, const QByteArray &inner, const QByteArray &close, int levels)
{
    return open.repeated(levels) + inner + close.repeated(levels);
}

// An object with `count` members named k0, k1, ...; `extra` is appended as the last member.
QByteArray manyMembers(int count, const QByteArray &extra = {})
{
    QByteArray text = "{";
    for (int i = 0; i < count; ++i)
        text += (i ? "," : "") + QByteArray("\"k") + QByteArray::number(i) + "\":" + QByteArray::number(i);
    if (!extra.isEmpty())
        text += "," + extra;
    return text + "}";
}

} // namespace

class TestJson : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseRejects_data();
    void parseRejects();
    void parseErrorNamesLineAndColumn();
    void parseErrorExcerptIsShort();
    void parseAccepts_data();
    void parseAccepts();
    void parseAcceptsManyMembers();
    void parseNumbersIgnoreLocale();
    void parseSizeLimit();
    void parseDepthLimit_data();
    void parseDepthLimit();
    void parseHostileNesting_data();
    void parseHostileNesting();
    void parseObjectRejectsOtherTypes();
    void parseLocatedRecordsLines();
    void parseBuildsWhatTheCheckRead_data();
    void parseBuildsWhatTheCheckRead();
    void parseKeepsWholeNumbersExact();
    void storedObjectsFindEveryMember();

    void canonicalNumbers_data();
    void canonicalNumbers();
    void canonicalSortsByUtf16();
    void canonicalMainExample();
    void canonicalStringEscapes();
    void canonicalIgnoresFormatting();
    void canonicalLoneSurrogate();

    void serializeCompact();
    void serializeEscapesStrings();

    void structuralEquality_data();
    void structuralEquality();
    void depthOfValues_data();
    void depthOfValues();
    void deepValuesStayIterative();

    void pointerResolution_data();
    void pointerResolution();
    void pointerTokenEscaping_data();
    void pointerTokenEscaping();
};

void TestJson::parseRejects_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("messagePart");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");

    const QString unexpected = QStringLiteral("expected a value, found ");

    // Grammar.
    QTest::newRow("empty input") << QByteArray() << unexpected + QStringLiteral("end of input") << 1 << 1;
    QTest::newRow("whitespace only") << QByteArray("  \n ") << QStringLiteral("found end of input") << 2 << 2;
    QTest::newRow("line comment") << QByteArray("// note\n1") << QStringLiteral("comments are not allowed") << 1 << 1;
    QTest::newRow("block comment") << QByteArray("[1 /* c */]") << QStringLiteral("comments are not allowed") << 1
                                   << 4;
    QTest::newRow("trailing comma in array") << QByteArray("[1,2,]") << QStringLiteral("trailing comma before ']'")
                                             << 1 << 6;
    QTest::newRow("trailing comma in object")
            << QByteArray(R"({"a":1,})") << QStringLiteral("trailing comma before '}'") << 1 << 8;
    QTest::newRow("leading zero") << QByteArray("01") << QStringLiteral("leading zeros") << 1 << 1;
    QTest::newRow("negative leading zero") << QByteArray("-012") << QStringLiteral("leading zeros") << 1 << 1;
    QTest::newRow("double zero in array") << QByteArray("[1, 00]") << QStringLiteral("leading zeros") << 1 << 5;
    QTest::newRow("NaN") << QByteArray("NaN") << QStringLiteral("NaN and Infinity") << 1 << 1;
    QTest::newRow("Infinity") << QByteArray("[Infinity]") << QStringLiteral("NaN and Infinity") << 1 << 2;
    QTest::newRow("negative Infinity") << QByteArray("-Infinity") << QStringLiteral("expected a digit after '-'")
                                       << 1 << 2;
    QTest::newRow("single-quoted string") << QByteArray("'a'") << QStringLiteral("double quotes") << 1 << 1;
    QTest::newRow("single-quoted member name") << QByteArray("{'a':1}") << QStringLiteral("double quotes") << 1 << 2;
    QTest::newRow("unquoted member name")
            << QByteArray("{a:1}") << QStringLiteral("expected a member name in double quotes, found 'a'") << 1 << 2;
    QTest::newRow("plus sign") << QByteArray("+1") << QStringLiteral("must not start with '+'") << 1 << 1;
    QTest::newRow("leading decimal point") << QByteArray(".5") << QStringLiteral("digit before the decimal point")
                                           << 1 << 1;
    QTest::newRow("trailing decimal point") << QByteArray("1.") << QStringLiteral("digit after the decimal point")
                                            << 1 << 3;
    QTest::newRow("empty exponent") << QByteArray("1e") << QStringLiteral("digit in the exponent") << 1 << 3;
    QTest::newRow("exponent sign only") << QByteArray("1E+") << QStringLiteral("digit in the exponent") << 1 << 4;
    QTest::newRow("hexadecimal number") << QByteArray("0x10")
                                        << QStringLiteral("expected end of input after the JSON value, found 'x'")
                                        << 1 << 2;
    QTest::newRow("vertical tab as whitespace") << QByteArray("\v1") << unexpected + QStringLiteral("byte 0x0B") << 1
                                                << 1;
    QTest::newRow("form feed as whitespace") << QByteArray("[\f1]") << unexpected + QStringLiteral("byte 0x0C") << 1
                                             << 2;
    QTest::newRow("no-break space as whitespace") << QByteArray("\xC2\xA0" "1")
                                                  << unexpected + QStringLiteral("byte 0xC2") << 1 << 1;
    QTest::newRow("byte order mark") << QByteArray("\xEF\xBB\xBF{}") << QStringLiteral("byte order mark") << 1 << 1;
    QTest::newRow("unterminated string") << QByteArray("[\"abc") << QStringLiteral("string is not terminated") << 1
                                         << 2;
    QTest::newRow("unterminated array") << QByteArray("[1,2")
                                        << QStringLiteral("expected ',' or ']' after an array element, found end of input")
                                        << 1 << 5;
    QTest::newRow("unterminated object") << QByteArray(R"({"a":1)")
                                         << QStringLiteral("expected ',' or '}' after an object member, found end of input")
                                         << 1 << 7;
    QTest::newRow("missing colon") << QByteArray(R"({"a" 1})") << QStringLiteral("expected ':' after the member name")
                                   << 1 << 6;
    QTest::newRow("missing member value") << QByteArray(R"({"a":})") << unexpected + QStringLiteral("'}'") << 1 << 6;
    QTest::newRow("missing comma") << QByteArray("[1 2]") << QStringLiteral("expected ',' or ']'") << 1 << 4;
    QTest::newRow("content after value") << QByteArray("{} x") << QStringLiteral("end of input after the JSON value")
                                         << 1 << 4;
    QTest::newRow("two top-level values") << QByteArray("1 2") << QStringLiteral("end of input after the JSON value")
                                          << 1 << 3;
    QTest::newRow("truncated literal") << QByteArray("tru") << QStringLiteral("invalid literal") << 1 << 1;
    QTest::newRow("capitalized literal") << QByteArray("True") << unexpected + QStringLiteral("'T'") << 1 << 1;
    QTest::newRow("literal with suffix") << QByteArray("nulls") << QStringLiteral("found 's'") << 1 << 5;
    QTest::newRow("error on third line") << QByteArray("{\n  \"a\": 1,\n  \"b\": tru\n}")
                                         << QStringLiteral("invalid literal") << 3 << 8;

    // Strings and escapes.
    QTest::newRow("raw line feed in string") << QByteArray("\"a\nb\"")
                                             << QStringLiteral("unescaped control character U+000A") << 1 << 3;
    QTest::newRow("raw tab in string") << QByteArray("\"a\tb\"") << QStringLiteral("unescaped control character U+0009")
                                       << 1 << 3;
    QTest::newRow("raw NUL in string") << QByteArray("\"a\0b\"", 5)
                                       << QStringLiteral("unescaped control character U+0000") << 1 << 3;
    QTest::newRow("invalid escape") << QByteArray(R"("\x")") << QStringLiteral("invalid escape sequence '\\x'") << 1
                                    << 2;
    QTest::newRow("escaped single quote") << QByteArray(R"("\'")") << QStringLiteral("invalid escape sequence") << 1
                                          << 2;
    QTest::newRow("upper-case U escape") << QByteArray(R"("\U0041")") << QStringLiteral("invalid escape sequence")
                                         << 1 << 2;
    QTest::newRow("short unicode escape") << QByteArray(R"("\u12")") << QStringLiteral("four hexadecimal digits") << 1
                                          << 2;
    QTest::newRow("non-hex unicode escape") << QByteArray(R"("\u12G4")") << QStringLiteral("four hexadecimal digits")
                                            << 1 << 2;

    // Surrogates written as \u escapes must form a high-then-low pair.
    QTest::newRow("lone high surrogate") << QByteArray(R"("\uD83D")") << QStringLiteral("lone high surrogate \\uD83D")
                                         << 1 << 2;
    QTest::newRow("high surrogate before text") << QByteArray(R"(["ok", "\ud83dx"])")
                                                << QStringLiteral("lone high surrogate \\ud83d") << 1 << 9;
    QTest::newRow("two high surrogates") << QByteArray(R"("\uD83D\uD83D")") << QStringLiteral("lone high surrogate")
                                         << 1 << 2;
    QTest::newRow("high surrogate before raw emoji") << QByteArray("\"\\uD83D\xF0\x9F\x98\x80\"")
                                                     << QStringLiteral("lone high surrogate") << 1 << 2;
    QTest::newRow("lone low surrogate") << QByteArray(R"("\uDE00")") << QStringLiteral("lone low surrogate \\uDE00")
                                        << 1 << 2;
    QTest::newRow("reversed surrogate pair") << QByteArray(R"("\uDE00\uD83D")") << QStringLiteral("lone low surrogate")
                                             << 1 << 2;

    // UTF-8 outside the well-formed ranges.
    QTest::newRow("overlong slash C0") << QByteArray("\"\xC0\xAF\"") << QStringLiteral("overlong encoding") << 1 << 2;
    QTest::newRow("overlong C1") << QByteArray("\"\xC1\xBF\"") << QStringLiteral("overlong encoding") << 1 << 2;
    QTest::newRow("overlong three bytes") << QByteArray("\"\xE0\x80\xAF\"") << QStringLiteral("overlong encoding")
                                          << 1 << 2;
    QTest::newRow("overlong four bytes") << QByteArray("\"\xF0\x80\x80\xAF\"") << QStringLiteral("overlong encoding")
                                         << 1 << 2;
    QTest::newRow("encoded high surrogate") << QByteArray("\"\xED\xA0\x80\"") << QStringLiteral("encoded surrogate")
                                            << 1 << 2;
    QTest::newRow("encoded low surrogate") << QByteArray("\"\xED\xBF\xBF\"") << QStringLiteral("encoded surrogate")
                                           << 1 << 2;
    QTest::newRow("above U+10FFFF") << QByteArray("\"\xF4\x90\x80\x80\"") << QStringLiteral("above U+10FFFF") << 1
                                    << 2;
    QTest::newRow("lead byte F5") << QByteArray("\"\xF5\x80\x80\x80\"") << QStringLiteral("above U+10FFFF") << 1 << 2;
    QTest::newRow("byte FF in string") << QByteArray("\"\xFF\"") << QStringLiteral("byte 0xFF never occurs") << 1
                                       << 2;
    QTest::newRow("lone continuation byte") << QByteArray("\"a\x80\"")
                                            << QStringLiteral("unexpected continuation byte 0x80") << 1 << 3;
    QTest::newRow("truncated two-byte sequence") << QByteArray("\"\xC3\"") << QStringLiteral("truncated sequence") << 1
                                                 << 2;
    QTest::newRow("truncated three-byte sequence") << QByteArray("\"\xE2\x82\"") << QStringLiteral("truncated sequence")
                                                   << 1 << 2;
    QTest::newRow("truncated at end of input") << QByteArray("\"\xE2\x82") << QStringLiteral("truncated sequence") << 1
                                               << 2;
    QTest::newRow("invalid UTF-8 in member name") << QByteArray("{\"\xFF\":1}") << QStringLiteral("invalid UTF-8") << 1
                                                  << 3;
    QTest::newRow("invalid byte outside string") << QByteArray("\xFF") << unexpected + QStringLiteral("byte 0xFF") << 1
                                                 << 1;

    // I-JSON (RFC 7493) forbids noncharacters, raw or escaped.
    QTest::newRow("raw noncharacter U+FFFF") << QByteArray("\"\xEF\xBF\xBF\"") << QStringLiteral("noncharacter U+FFFF")
                                             << 1 << 2;
    QTest::newRow("escaped noncharacter U+FDD0") << QByteArray(R"("\uFDD0")") << QStringLiteral("noncharacter U+FDD0")
                                                 << 1 << 2;
    QTest::newRow("escaped noncharacter U+10FFFF") << QByteArray(R"("\uDBFF\uDFFF")")
                                                   << QStringLiteral("noncharacter U+10FFFF") << 1 << 2;

    // Duplicate member names, compared after unescaping.
    QTest::newRow("duplicate member") << QByteArray(R"({"id":1,"id":2})") << QStringLiteral("duplicate member name \"id\"")
                                      << 1 << 9;
    QTest::newRow("duplicate after unescaping") << QByteArray(R"({"id":1,"\u0069d":2})")
                                                << QStringLiteral("duplicate member name \"id\"") << 1 << 9;
    QTest::newRow("duplicate of an escaped name") << QByteArray(R"({"\u0069d":1,"id":2})")
                                                  << QStringLiteral("duplicate member name \"id\"") << 1 << 14;
    QTest::newRow("duplicate non-ASCII name") << QByteArray("{\"caf\xC3\xA9\":1,\"caf\\u00e9\":2}")
                                              << QStringLiteral("duplicate member name \"caf\u00e9\"") << 1 << 12;
    QTest::newRow("duplicate with escaped slash") << QByteArray(R"({"a/b":1,"a\/b":2})")
                                                  << QStringLiteral("duplicate member name \"a/b\"") << 1 << 10;
    QTest::newRow("duplicate surrogate pair escape") << QByteArray("{\"\xF0\x9F\x98\x80\":1,\"\\ud83d\\ude00\":2}")
                                                     << QStringLiteral("duplicate member name \"\U0001F600\"") << 1 << 11;
    QTest::newRow("duplicate in nested object") << QByteArray(R"([{"a":{"b":1,"b":2}}])")
                                                << QStringLiteral("duplicate member name \"b\"") << 1 << 14;
    const QByteArray many = manyMembers(40, "\"k\\u0037\":0");
    QTest::newRow("duplicate among many members") << many << QStringLiteral("duplicate member name \"k7\"") << 1
                                                  << int(many.lastIndexOf("\"k\\u0037\"") + 1);

    // Numbers must fit an IEEE 754 double.
    QTest::newRow("number overflows") << QByteArray("1e400") << QStringLiteral("outside the range") << 1 << 1;
    QTest::newRow("negative number overflows") << QByteArray("[-1e400]") << QStringLiteral("outside the range") << 1
                                               << 2;
    QTest::newRow("just above the largest double") << QByteArray("1.7976931348623159e308")
                                                   << QStringLiteral("outside the range") << 1 << 1;
    QTest::newRow("long integer overflows") << QByteArray("1" + QByteArray(309, '0')) << QStringLiteral("outside the range") << 1
                                            << 1;
    QTest::newRow("integer beyond 2^53") << QByteArray("[9007199254740993]") << QStringLiteral("more precision") << 1 << 2;
    QTest::newRow("negative integer beyond 2^53") << QByteArray("-9007199254740993") << QStringLiteral("more precision") << 1
                                                  << 1;
    QTest::newRow("twenty-digit integer") << QByteArray("{\"n\": 12345678901234567890}") << QStringLiteral("more precision")
                                          << 1 << 7;
    // Exact, but 1152921504606847000 is the accepted form of the same double.
    QTest::newRow("2^60 in all its digits") << QByteArray("1152921504606846976") << QStringLiteral("more precision") << 1 << 1;
    QTest::newRow("fraction overflows by exponent") << QByteArray("0.001e312") << QStringLiteral("outside the range")
                                                    << 1 << 1;
}

void TestJson::parseRejects()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, messagePart);
    QFETCH(int, line);
    QFETCH(int, column);

    const std::variant<QJsonValue, ParseFailure> detailed = parseDetailed(text);
    QVERIFY(std::holds_alternative<ParseFailure>(detailed));
    const ParseFailure &failure = std::get<ParseFailure>(detailed);
    QVERIFY2(failure.message.contains(messagePart), qPrintable(failure.message));
    QCOMPARE(failure.line, line);
    QCOMPARE(failure.column, column);
    QCOMPARE(failure.code, ErrorCode::InvalidJson);
    QVERIFY(failure.excerpt.size() <= 64);

    const Result<QJsonValue> result = parse(text);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, ErrorCode::InvalidJson);
    const QString prefix = QStringLiteral("line %1, column %2: ").arg(line).arg(column);
    QCOMPARE(result.error().message, QString(prefix + failure.message));
    QCOMPARE(result.error().value, failure.excerpt);
}

void TestJson::parseErrorNamesLineAndColumn()
{
    const QByteArray text = "{\n  \"x\": 0,\n  \"id\": 100, \"\\u0069d\": 2\n}";

    const Result<QJsonValue> result = parse(text);

    QVERIFY(!result.ok());
    QCOMPARE(result.error().message, QStringLiteral("line 3, column 14: duplicate member name \"id\""));
    QCOMPARE(result.error().value, QStringLiteral("\"\\u0069d\""));
}

void TestJson::parseErrorExcerptIsShort()
{
    const QByteArray longString = "[\"" + QByteArray(1000, 'a') + "\\x\"]";
    const QByteArray longNumber = "[" + QByteArray(2000, '9') + "e999]";

    const Result<QJsonValue> badEscape = parse(longString);
    const Result<QJsonValue> overflow = parse(longNumber);

    QVERIFY(!badEscape.ok());
    QCOMPARE(badEscape.error().value, QString(QLatin1Char('"') + QString(63, u'a')));
    QVERIFY(!overflow.ok());
    QCOMPARE(overflow.error().value, QString(64, u'9'));
}

void TestJson::parseAccepts_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QJsonValue>("expected");

    QTest::newRow("empty object") << QByteArray("{}") << QJsonValue(QJsonObject());
    QTest::newRow("empty array") << QByteArray("[]") << QJsonValue(QJsonArray());
    QTest::newRow("empty containers with whitespace") << QByteArray(" {\"a\" : [ \t\r\n ] } ")
                                                      << QJsonValue(QJsonObject{{QStringLiteral("a"), QJsonArray()}});
    QTest::newRow("all whitespace kinds") << QByteArray(" \t\r\n[ 1 ,\t2 ]\r\n") << QJsonValue(QJsonArray{1, 2});
    QTest::newRow("top-level string") << QByteArray("\"x\"") << QJsonValue(QStringLiteral("x"));
    QTest::newRow("literals") << QByteArray("[true,false,null]")
                                        << QJsonValue(QJsonArray{true, false, QJsonValue::Null});
    QTest::newRow("escaped slash") << QByteArray(R"("a\/b")") << QJsonValue(QStringLiteral("a/b"));
    QTest::newRow("all short escapes") << QByteArray(R"("\"\\\/\b\f\n\r\t")")
                                       << QJsonValue(QStringLiteral("\"\\/\b\f\n\r\t"));
    QTest::newRow("unicode escapes in both cases") << QByteArray(R"("\u00e9\u00E9\u20AC\u0041")")
                                                   << QJsonValue(QStringLiteral("\u00e9\u00e9\u20ac" "A"));
    QTest::newRow("surrogate pair escape") << QByteArray(R"("\ud83d\ude00")")
                                           << QJsonValue(QStringLiteral("\U0001F600"));
    QTest::newRow("escaped NUL") << QByteArray(R"("a\u0000b")") << QJsonValue(QString::fromUtf16(u"a\0b", 3));
    QTest::newRow("raw multi-byte UTF-8") << QByteArray("\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"")
                                          << QJsonValue(QStringLiteral("\u00e9\u20ac\U0001F600"));
    QTest::newRow("highest non-noncharacter U+10FFFD") << QByteArray("\"\xF4\x8F\xBF\xBD\"")
                                                       << QJsonValue(QStringLiteral("\U0010FFFD"));
    QTest::newRow("raw DEL") << QByteArray("\"\x7F\"") << QJsonValue(QStringLiteral("\x7F"));
    QTest::newRow("member names differing in case") << QByteArray(R"({"id":1,"ID":2})")
                                                    << QJsonValue(QJsonObject{{QStringLiteral("id"), 1},
                                                                              {QStringLiteral("ID"), 2}});
    QTest::newRow("same name in sibling objects") << QByteArray(R"([{"a":1},{"a":2}])")
                                                  << QJsonValue(QJsonArray{QJsonObject{{QStringLiteral("a"), 1}},
                                                                           QJsonObject{{QStringLiteral("a"), 2}}});
    QTest::newRow("negative zero") << QByteArray("-0") << QJsonValue(0.0);
    QTest::newRow("exponent forms") << QByteArray("[1E2,1e+2,1e-2,2.5E+3,-1.5e0]")
                                    << QJsonValue(QJsonArray{100, 100, 0.01, 2500, -1.5});
    QTest::newRow("underflow to zero") << QByteArray("[1e-400,-1e-400]") << QJsonValue(QJsonArray{0, 0});
    QTest::newRow("smallest subnormal") << QByteArray("5e-324") << QJsonValue(doubleFromBits(1));
    QTest::newRow("subnormal rounding up") << QByteArray("3e-324") << QJsonValue(doubleFromBits(1));
    QTest::newRow("largest double") << QByteArray("1.7976931348623157e308")
                                    << QJsonValue(doubleFromBits(0x7fefffffffffffffULL));
    QTest::newRow("long mantissa") << QByteArray("0.1000000000000000055511151231257827") << QJsonValue(0.1);
    QTest::newRow("integer at 2^53") << QByteArray("-9007199254740992") << QJsonValue(-9007199254740992.0);
    QTest::newRow("beyond 2^53 with a fraction") << QByteArray("9007199254740993.0") << QJsonValue(9007199254740992.0);
    QTest::newRow("beyond 2^53 with an exponent") << QByteArray("1e20") << QJsonValue(1e20);
    QTest::newRow("beyond 2^53 in shortest digits") << QByteArray("100000000000000000000") << QJsonValue(1e20);
    QTest::newRow("2^60 as its shortest digits") << QByteArray("-1152921504606847000") << QJsonValue(-1152921504606846976.0);
}

void TestJson::parseAccepts()
{
    QFETCH(QByteArray, text);
    QFETCH(QJsonValue, expected);

    const std::variant<QJsonValue, ParseFailure> result = parseDetailed(text);

    QVERIFY2(std::holds_alternative<QJsonValue>(result), qPrintable(failureMessage(result)));
    QCOMPARE(std::get<QJsonValue>(result), expected);
}

void TestJson::parseAcceptsManyMembers()
{
    const QByteArray text = manyMembers(5000);

    const Result<QJsonObject> result = parseObject(text);

    QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
    QCOMPARE(result->size(), 5000);
    QCOMPARE(result->value(QStringLiteral("k4321")).toDouble(), 4321.0);
}

// strtod would read "1.5" as 1 under a decimal-comma C locale; from_chars must not.
void TestJson::parseBuildsWhatTheCheckRead_data()
{
    QTest::addColumn<QByteArray>("text");

    QTest::newRow("nested") << QByteArray(R"({"b": {"y": [1, {"z": null}], "x": true}, "a": [[], {}, [[]]]})");
    QTest::newRow("escapes") << QByteArray(R"({"\u0061\n": "\ud83d\ude00 \" \\ \/ \b\f\r\t", "é": "\u00e9"})");
    QTest::newRow("numbers") << QByteArray(R"([0, -0, 1.5, -2.5e-7, 1e21, 9007199254740992, 4.9e-324, 1.7976931348623157e308])");
    QTest::newRow("array at top") << QByteArray(R"([{"k": "v"}, "s", false])");
    QTest::newRow("many members") << manyMembers(40);
    QTest::newRow("whitespace") << QByteArray(" \r\n\t{ \"a\" :\n[ 1 , 2 ] }\n");
    // Qt's parser drops a raw U+FEFF that starts a string, so "\uFEFFadmin" would become "admin".
    QTest::newRow("string starting with U+FEFF") << QByteArray("[\"\xEF\xBB\xBF\xEF\xBE\xBF\"]");
    // Qt's parser can misorder names beyond U+FFFF when some carry escapes, and value() then misses them.
    QTest::newRow("names beyond U+FFFF") << QByteArray(R"({"\ufb33":1,"\ud83d\ude00":2,"a":3,"\u0080":4})");
    QTest::newRow("raw name beyond U+FFFF") << QByteArray("{\"\xEF\xAC\xB3\":1,\"\xF0\x9F\x98\x80\":2}");
    QTest::newRow("name starting with U+FEFF") << QByteArray("{\"\xEF\xBB\xBF" "admin\": \"\xEF\xBB\xBF" "admin\"}");
}

// parse() checks the text with our parser and lets Qt's build the value. parseLocated() still
// builds with ours. Both must give the same value for every text that passes the check.
void TestJson::parseBuildsWhatTheCheckRead()
{
    QFETCH(QByteArray, text);

    const Result<QJsonValue> built = parse(text);
    const std::variant<LocatedDocument, ParseFailure> own = parseLocated(text);

    QVERIFY2(built.ok(), qPrintable(built.ok() ? QString() : built.error().message));
    QVERIFY(std::holds_alternative<LocatedDocument>(own));
    const QJsonValue ownValue = std::get<LocatedDocument>(own).value;
    QVERIFY(structurallyEqual(*built, ownValue));
    QCOMPARE(canonicalize(*built), canonicalize(ownValue));
    QCOMPARE(*built, ownValue);

    // Every member can be found by name.
    const QJsonObject object = built->toObject();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it)
        QCOMPARE(object.value(it.key()), it.value());
}

// A whole number is accepted only in a form its double keeps, so toDouble() reads the same value
// whichever parser built it, and so does toInteger() where the value fits in qint64.
void TestJson::parseKeepsWholeNumbersExact()
{
    const QJsonArray numbers = parseOrNull("[9007199254740992, -0, 1e20, 12.5]").toArray();

    QCOMPARE(numbers.at(0).toInteger(), Q_INT64_C(9007199254740992));
    QCOMPARE(numbers.at(0).toDouble(), 9007199254740992.0);
    QCOMPARE(numbers.at(1).toDouble(), 0.0);
    QCOMPARE(numbers.at(2).toDouble(), 1e20);
    QCOMPARE(numbers.at(3).toDouble(), 12.5);
    QCOMPARE(canonicalize(numbers), QByteArray("[9007199254740992,0,100000000000000000000,12.5]"));
}

// Stored JSON with names beyond U+FFFF is read by parse(), because Qt's parser can misorder them
// so that value() misses members. Other stored JSON, including numbers written before the 2^53 rule,
// is still read by Qt's parser.
void TestJson::storedObjectsFindEveryMember()
{
    // Qt's parser misplaces a name with an escape among raw names beyond U+FFFF.
    const QJsonObject names = objectFromStored(
        "{\"\xEF\xAC\xB3\":1,\"\xF0\x9F\x98\x80\\n\":2,\"a\":{\"\xF0\x9F\x98\x80\":3,\"\xEF\xAC\xB3\\t\":4}}");
    QCOMPARE(names.value(QStringLiteral("\uFB33")).toInt(), 1);
    QCOMPARE(names.value(QStringLiteral("\U0001F600\n")).toInt(), 2);
    QCOMPARE(names.value(u"a").toObject().value(QStringLiteral("\U0001F600")).toInt(), 3);
    QCOMPARE(names.value(u"a").toObject().value(QStringLiteral("\uFB33\t")).toInt(), 4);

    const QJsonObject old = objectFromStored(R"({"tenant": 9007199254740993, "emoji": "\ud83d\ude00"})");
    QCOMPARE(old.value(u"tenant").toInteger(), Q_INT64_C(9007199254740993));
    QCOMPARE(old.value(u"emoji").toString(), QStringLiteral("\U0001F600"));

    QVERIFY(objectFromStored("[1]").isEmpty());
    QVERIFY(objectFromStored("not json").isEmpty());
}

void TestJson::parseNumbersIgnoreLocale()
{
    const QByteArray previous = std::setlocale(LC_NUMERIC, nullptr);
    const char *commaLocale = nullptr;
    for (const char *name : {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"}) {
        if (std::setlocale(LC_NUMERIC, name)) {
            commaLocale = name;
            break;
        }
    }
    if (!commaLocale)
        QSKIP("No C locale with a decimal comma is installed.");

    const QJsonValue value = parseOrNull("[1.5,2.25e1]");

    std::setlocale(LC_NUMERIC, previous.constData());
    QCOMPARE(value, QJsonValue(QJsonArray{1.5, 22.5}));
}

void TestJson::parseSizeLimit()
{
    const ParseLimits limits{16, 64};
    const QByteArray atLimit = R"({"a":"12345678"})";
    QCOMPARE(atLimit.size(), 16);

    const Result<QJsonValue> fits = parse(atLimit, limits);
    const QByteArray overLimit = atLimit + ' ';
    const Result<QJsonValue> tooLarge = parse(overLimit, limits);

    QVERIFY(fits.ok());
    QVERIFY(!tooLarge.ok());
    QCOMPARE(tooLarge.error().code, ErrorCode::PayloadTooLarge);
    QCOMPARE(tooLarge.error().message, QStringLiteral("JSON text of 17 bytes exceeds the limit of 16 bytes"));
    const std::variant<QJsonValue, ParseFailure> detailed = parseDetailed(overLimit, limits);
    QVERIFY(std::holds_alternative<ParseFailure>(detailed));
    QCOMPARE(std::get<ParseFailure>(detailed).code, ErrorCode::PayloadTooLarge);
}

void TestJson::parseDepthLimit_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("maxDepth");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("arrays at default limit") << nested("[", "", "]", 64) << 64 << true;
    QTest::newRow("arrays over default limit") << nested("[", "", "]", 65) << 64 << false;
    QTest::newRow("objects at default limit") << nested("{\"a\":", "1", "}", 64) << 64 << true;
    QTest::newRow("objects over default limit") << nested("{\"a\":", "1", "}", 65) << 64 << false;
    QTest::newRow("mixed at limit") << nested("[{\"a\":", "[]", "}]", 2) << 5 << true;
    QTest::newRow("mixed over limit") << nested("[{\"a\":", "[[]]", "}]", 2) << 5 << false;
    QTest::newRow("scalar under zero limit") << QByteArray("1") << 0 << true;
    QTest::newRow("array under zero limit") << QByteArray("[]") << 0 << false;
}

void TestJson::parseDepthLimit()
{
    QFETCH(QByteArray, text);
    QFETCH(int, maxDepth);
    QFETCH(bool, accepted);
    ParseLimits limits;
    limits.maxDepth = maxDepth;

    const Result<QJsonValue> result = parse(text, limits);

    QCOMPARE(result.ok(), accepted);
    if (accepted) {
        QCOMPARE(depth(result.value()), maxDepth);
    } else {
        QCOMPARE(result.error().code, ErrorCode::InvalidJson);
        QVERIFY2(result.error().message.contains(QStringLiteral("nesting exceeds the limit of %1 levels").arg(maxDepth)),
                 qPrintable(result.error().message));
    }
}

void TestJson::parseHostileNesting_data()
{
    QTest::addColumn<QByteArray>("text");

    QTest::newRow("100000 unterminated brackets") << QByteArray(100000, '[');
    QTest::newRow("100000 closed brackets") << nested("[", "", "]", 100000);
    QTest::newRow("100000 nested objects") << nested("{\"a\":", "null", "}", 100000);
}

// Fails by the depth limit at the 65th level, long before the rest of the text is read.
void TestJson::parseHostileNesting()
{
    QFETCH(QByteArray, text);

    const std::variant<QJsonValue, ParseFailure> result = parseDetailed(text);

    QVERIFY(std::holds_alternative<ParseFailure>(result));
    const ParseFailure &failure = std::get<ParseFailure>(result);
    QVERIFY2(failure.message.contains(QStringLiteral("nesting exceeds")), qPrintable(failure.message));
    QVERIFY(failure.offset < 400);
}

void TestJson::parseObjectRejectsOtherTypes()
{
    const Result<QJsonObject> array = parseObject("\n  [1, 2]");
    const Result<QJsonObject> object = parseObject(R"({"a":1})");
    const Result<QJsonObject> broken = parseObject("{");

    QVERIFY(!array.ok());
    QCOMPARE(array.error().code, ErrorCode::InvalidJson);
    QCOMPARE(array.error().message, QStringLiteral("line 2, column 3: expected an object at the top level, found an array"));
    QCOMPARE(array.error().value, QStringLiteral("[1, 2]"));
    QVERIFY(object.ok());
    QCOMPARE(object->value(QStringLiteral("a")).toDouble(), 1.0);
    QVERIFY(!broken.ok());
    QVERIFY(broken.error().message.startsWith(QStringLiteral("line 1, column 2: ")));
}

void TestJson::parseLocatedRecordsLines()
{
    const QByteArray text = "{\n"
                            "  \"subject\": {\n"
                            "    \"type\": \"user\",\n"
                            "    \"id\": \"a/b~c\"\n"
                            "  },\n"
                            "  \"items\": [\n"
                            "    1,\n"
                            "    {\"x/y\": null}\n"
                            "  ],\n"
                            "  \"m~n\": true\n"
                            "}\n";

    const std::variant<LocatedDocument, ParseFailure> result = parseLocated(text);

    QVERIFY(std::holds_alternative<LocatedDocument>(result));
    const LocatedDocument &document = std::get<LocatedDocument>(result);
    QCOMPARE(document.value, parseOrNull(text));
    const QHash<QString, int> expected{
        {QString(), 1},
        {QStringLiteral("/subject"), 2},
        {QStringLiteral("/subject/type"), 3},
        {QStringLiteral("/subject/id"), 4},
        {QStringLiteral("/items"), 6},
        {QStringLiteral("/items/0"), 7},
        {QStringLiteral("/items/1"), 8},
        {QStringLiteral("/items/1/x~1y"), 8},
        {QStringLiteral("/m~0n"), 10},
    };
    QCOMPARE(document.lineOfPointer, expected);
    for (auto it = expected.cbegin(); it != expected.cend(); ++it)
        QVERIFY2(!valueAt(document.value, it.key()).isUndefined(), qPrintable(it.key()));

    const std::variant<LocatedDocument, ParseFailure> broken = parseLocated("{\n\"a\": [1,\n2,]}");
    QVERIFY(std::holds_alternative<ParseFailure>(broken));
    QCOMPARE(std::get<ParseFailure>(broken).line, 3);
    QCOMPARE(std::get<ParseFailure>(broken).column, 3);
}

void TestJson::canonicalNumbers_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QByteArray>("expected");

    // RFC 8785 appendix B: IEEE 754 bit patterns and their canonical text.
    const struct
    {
        quint64 bits;
        const char *text;
    } appendixB[] = {
        {0x0000000000000000ULL, "0"},
        {0x8000000000000000ULL, "0"},
        {0x0000000000000001ULL, "5e-324"},
        {0x8000000000000001ULL, "-5e-324"},
        {0x7fefffffffffffffULL, "1.7976931348623157e+308"},
        {0xffefffffffffffffULL, "-1.7976931348623157e+308"},
        {0x4340000000000000ULL, "9007199254740992"},
        {0xc340000000000000ULL, "-9007199254740992"},
        {0x4430000000000000ULL, "295147905179352830000"},
        {0x44b52d02c7e14af5ULL, "9.999999999999997e+22"},
        {0x44b52d02c7e14af6ULL, "1e+23"},
        {0x44b52d02c7e14af7ULL, "1.0000000000000001e+23"},
        {0x444b1ae4d6e2ef4eULL, "999999999999999700000"},
        {0x444b1ae4d6e2ef4fULL, "999999999999999900000"},
        {0x444b1ae4d6e2ef50ULL, "1e+21"},
        {0x3eb0c6f7a0b5ed8cULL, "9.999999999999997e-7"},
        {0x3eb0c6f7a0b5ed8dULL, "0.000001"},
        {0x41b3de4355555553ULL, "333333333.3333332"},
        {0x41b3de4355555554ULL, "333333333.33333325"},
        {0x41b3de4355555555ULL, "333333333.3333333"},
        {0x41b3de4355555556ULL, "333333333.3333334"},
        {0x41b3de4355555557ULL, "333333333.33333343"},
        {0xbecbf647612f3696ULL, "-0.0000033333333333333333"},
        {0x43143ff3c1cb0959ULL, "1424953923781206.2"},
    };
    for (const auto &row : appendixB) {
        QTest::addRow("appendix B %016llx", row.bits) << doubleFromBits(row.bits) << QByteArray(row.text);
    }

    // The ECMAScript layout boundaries on either side.
    QTest::newRow("one") << 1.0 << QByteArray("1");
    QTest::newRow("one tenth") << 0.1 << QByteArray("0.1");
    QTest::newRow("negative fraction") << -1.5 << QByteArray("-1.5");
    QTest::newRow("1e20 written out") << 1e20 << QByteArray("100000000000000000000");
    QTest::newRow("1e22 in exponent form") << 1e22 << QByteArray("1e+22");
    QTest::newRow("1e-7 in exponent form") << 1e-7 << QByteArray("1e-7");
    QTest::newRow("1.5e-7 in exponent form") << 1.5e-7 << QByteArray("1.5e-7");
    QTest::newRow("1.5e-6 as fraction") << 1.5e-6 << QByteArray("0.0000015");
    QTest::newRow("123.456") << 123.456 << QByteArray("123.456");
    QTest::newRow("NaN has no form") << std::numeric_limits<double>::quiet_NaN() << QByteArray("null");
    QTest::newRow("infinity has no form") << std::numeric_limits<double>::infinity() << QByteArray("null");
}

void TestJson::canonicalNumbers()
{
    QFETCH(double, value);
    QFETCH(QByteArray, expected);

    QCOMPARE(canonicalize(QJsonValue(value)), expected);
    QCOMPARE(canonicalize(QJsonArray{value}), QByteArray("[" + expected + "]"));
}

// RFC 8785 section 3.2.3: names sort by UTF-16 code units, so the emoji's high surrogate (D83D)
// sorts before U+FB33.
void TestJson::canonicalSortsByUtf16()
{
    const QByteArray input = R"({
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\ud83d\ude00": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis"
    })";
    const QByteArray expected = "{\"\\r\":\"Carriage Return\","
                                "\"1\":\"One\","
                                "\"\xC2\x80\":\"Control\","
                                "\"\xC3\xB6\":\"Latin Small Letter O With Diaeresis\","
                                "\"\xE2\x82\xAC\":\"Euro Sign\","
                                "\"\xF0\x9F\x98\x80\":\"Emoji: Grinning Face\","
                                "\"\xEF\xAC\xB3\":\"Hebrew Letter Dalet With Dagesh\"}";

    const QJsonValue value = parseOrNull(input);

    QVERIFY(value.isObject());
    QCOMPARE(canonicalize(value), expected);
}

// RFC 8785 section 3.2.2 input and its canonical form.
void TestJson::canonicalMainExample()
{
    const QByteArray input = R"({
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
})";
    const QByteArray expected = R"({"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],)"
                                "\"string\":\"\xE2\x82\xAC$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";

    const QJsonValue value = parseOrNull(input);

    QVERIFY(value.isObject());
    QCOMPARE(canonicalize(value), expected);
    QCOMPARE(canonicalize(parseOrNull(expected)), expected);
}

void TestJson::canonicalStringEscapes()
{
    QString text;
    for (char16_t c = 0; c < 0x20; ++c)
        text += QChar(c);
    text += QStringLiteral("\"\\/\x7f\u00e9\u2028");
    const QByteArray expected = "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007"
                                "\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f"
                                "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017"
                                "\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f"
                                "\\\"\\\\/\x7f\xC3\xA9\xE2\x80\xA8\"";

    QCOMPARE(canonicalize(QJsonValue(text)), expected);
}

// The same submission with members reordered, extra whitespace and 1.0 for 1 is one canonical form.
void TestJson::canonicalIgnoresFormatting()
{
    const QByteArray compact = R"({"subject":{"type":"user","id":"user-a"},"context":{"count":1,"tags":["a","b"]}})";
    const QByteArray reformatted = "{\n  \"context\" : { \"tags\" : [ \"a\", \"b\" ], \"count\" : 1.0 },\n"
                                   "  \"subject\" : {\"id\":\"user-a\", \"type\":\"user\"}\n}";
    const QByteArray reordered = R"({"context":{"count":1,"tags":["b","a"]},"subject":{"type":"user","id":"user-a"}})";

    const QByteArray canonical = canonicalize(parseOrNull(compact));

    QCOMPARE(canonical,
             QByteArray(R"({"context":{"count":1,"tags":["a","b"]},"subject":{"id":"user-a","type":"user"}})"));
    QCOMPARE(canonicalize(parseOrNull(reformatted)), canonical);
    QVERIFY(canonicalize(parseOrNull(reordered)) != canonical);
}

// A QString built in code may hold a lone surrogate; the output escapes it instead of emitting
// invalid UTF-8.
void TestJson::canonicalLoneSurrogate()
{
    const QString text = QStringLiteral("a") + QChar(char16_t(0xD800)) + QStringLiteral("b");

    QCOMPARE(canonicalize(QJsonValue(text)), QByteArray("\"a\\ud800b\""));
}

void TestJson::serializeCompact()
{
    const QJsonObject object{
        {QStringLiteral("b"), 1.0},
        {QStringLiteral("a"), 0.1},
        {QStringLiteral("c"), QStringLiteral("\u00e9")},
        {QStringLiteral("d"), QJsonArray{true, QJsonValue::Null, -2.5}},
    };

    const QByteArray text = serialize(object);

    QCOMPARE(text, QByteArray("{\"a\":0.1,\"b\":1,\"c\":\"\xC3\xA9\",\"d\":[true,null,-2.5]}"));
    QVERIFY(structurallyEqual(parseOrNull(text), object));
}

// Every string escape and code point form, written through the pointer-based writer.
void TestJson::serializeEscapesStrings()
{
    const QJsonObject object{
        {QStringLiteral("s"), QStringLiteral("a\"b\\c\n\t\x01\x7f\u00e9\U0001F600")},
        {QStringLiteral("lone"), QString(QChar(0xD800))},
        {QStringLiteral("k\""), QJsonArray{QJsonObject{{QStringLiteral("z"), 1}, {QStringLiteral("a"), QJsonArray{}}}, QJsonObject{}}},
        {QStringLiteral("n"), QJsonArray{1e21, 123456789012.0, 0.1, -2}},
        {QStringLiteral("empty"), QString()},
    };

    const QByteArray text = serialize(object);

    QCOMPARE(text, QByteArray("{\"empty\":\"\",\"k\\\"\":[{\"a\":[],\"z\":1},{}],\"lone\":\"\\ud800\","
                              "\"n\":[1e+21,123456789012,0.1,-2],"
                              "\"s\":\"a\\\"b\\\\c\\n\\t\\u0001\x7f\xC3\xA9\xF0\x9F\x98\x80\"}"));
    // The lone surrogate's escape is valid JSON that parse() rejects, so it stays out of the round trip.
    QJsonObject valid = object;
    valid.remove(QStringLiteral("lone"));
    QCOMPARE(parseOrNull(serialize(valid)), QJsonValue(valid));
}

void TestJson::structuralEquality_data()
{
    QTest::addColumn<QByteArray>("left");
    QTest::addColumn<QByteArray>("right");
    QTest::addColumn<bool>("equal");

    QTest::newRow("integer and decimal forms") << QByteArray("1") << QByteArray("1.0") << true;
    QTest::newRow("exponent form") << QByteArray("100") << QByteArray("1e2") << true;
    QTest::newRow("zero and negative zero") << QByteArray("0") << QByteArray("-0") << true;
    QTest::newRow("different numbers") << QByteArray("1") << QByteArray("1.0000001") << false;
    QTest::newRow("number and string") << QByteArray("1") << QByteArray("\"1\"") << false;
    QTest::newRow("null and false") << QByteArray("null") << QByteArray("false") << false;
    QTest::newRow("same booleans") << QByteArray("true") << QByteArray("true") << true;
    QTest::newRow("different booleans") << QByteArray("true") << QByteArray("false") << false;
    QTest::newRow("escaped and raw string") << QByteArray(R"("\u00e9")") << QByteArray("\"\xC3\xA9\"") << true;
    QTest::newRow("NFC and NFD") << QByteArray(R"("\u00e9")") << QByteArray(R"("e\u0301")") << false;
    QTest::newRow("array order matters") << QByteArray(R"(["a","b"])") << QByteArray(R"(["b","a"])") << false;
    QTest::newRow("array length matters") << QByteArray("[1]") << QByteArray("[1,1]") << false;
    QTest::newRow("empty array and empty object") << QByteArray("[]") << QByteArray("{}") << false;
    QTest::newRow("null member and absent member") << QByteArray(R"({"x":null})") << QByteArray("{}") << false;
    QTest::newRow("member names differ") << QByteArray(R"({"a":1})") << QByteArray(R"({"b":1})") << false;
    QTest::newRow("member order is irrelevant") << QByteArray(R"({"a":1,"b":2})") << QByteArray(R"({"b":2,"a":1})")
                                                << true;
    QTest::newRow("nested equal") << QByteArray(R"({"a":[1,{"b":[true,null,"x"]}]})")
                                  << QByteArray(R"({"a":[1.0,{"b":[true,null,"x"]}]})") << true;
    QTest::newRow("nested difference") << QByteArray(R"({"a":[1,{"b":[true,null,"x"]}]})")
                                       << QByteArray(R"({"a":[1,{"b":[true,false,"x"]}]})") << false;
}

void TestJson::structuralEquality()
{
    QFETCH(QByteArray, left);
    QFETCH(QByteArray, right);
    QFETCH(bool, equal);
    const QJsonValue a = parseOrNull(left);
    const QJsonValue b = parseOrNull(right);
    QVERIFY(!a.isUndefined());
    QVERIFY(!b.isUndefined());

    QCOMPARE(structurallyEqual(a, b), equal);
    QCOMPARE(structurallyEqual(b, a), equal);
    QVERIFY(structurallyEqual(a, a));
}

void TestJson::depthOfValues_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("expected");

    QTest::newRow("scalar") << QByteArray("\"x\"") << 0;
    QTest::newRow("empty array") << QByteArray("[]") << 1;
    QTest::newRow("empty object") << QByteArray("{}") << 1;
    QTest::newRow("array in array") << QByteArray("[[]]") << 2;
    QTest::newRow("object array object") << QByteArray(R"({"a":[{}]})") << 3;
    QTest::newRow("deepest branch counts") << QByteArray("[1,[2,[3]],[]]") << 3;
}

void TestJson::depthOfValues()
{
    QFETCH(QByteArray, text);
    QFETCH(int, expected);

    QCOMPARE(depth(parseOrNull(text)), expected);
}

// Values built in code have no depth limit; canonical form, comparison and depth must not recurse.
void TestJson::deepValuesStayIterative()
{
    constexpr int levels = 2000;
    QJsonArray value;
    for (int i = 1; i < levels; ++i)
        value = QJsonArray{value};
    QJsonArray other;
    for (int i = 1; i < levels; ++i)
        other = QJsonArray{other};

    QCOMPARE(depth(value), levels);
    QCOMPARE(canonicalize(value), nested("[", "", "]", levels));
    QVERIFY(structurallyEqual(value, other));
    QVERIFY(!structurallyEqual(value, QJsonArray{other}));
}

void TestJson::pointerResolution_data()
{
    QTest::addColumn<QString>("pointer");
    QTest::addColumn<QJsonValue>("expected");

    const QJsonValue missing(QJsonValue::Undefined);

    // The document and results of RFC 6901 section 5, then malformed and unresolved pointers.
    QTest::newRow("member") << QStringLiteral("/foo") << QJsonValue(QJsonArray{QStringLiteral("bar"), QStringLiteral("baz")});
    QTest::newRow("array element") << QStringLiteral("/foo/0") << QJsonValue(QStringLiteral("bar"));
    QTest::newRow("empty name") << QStringLiteral("/") << QJsonValue(0);
    QTest::newRow("escaped slash") << QStringLiteral("/a~1b") << QJsonValue(1);
    QTest::newRow("percent sign") << QStringLiteral("/c%d") << QJsonValue(2);
    QTest::newRow("caret") << QStringLiteral("/e^f") << QJsonValue(3);
    QTest::newRow("vertical bar") << QStringLiteral("/g|h") << QJsonValue(4);
    QTest::newRow("backslash") << QStringLiteral("/i\\j") << QJsonValue(5);
    QTest::newRow("double quote") << QStringLiteral("/k\"l") << QJsonValue(6);
    QTest::newRow("space") << QStringLiteral("/ ") << QJsonValue(7);
    QTest::newRow("escaped tilde") << QStringLiteral("/m~0n") << QJsonValue(8);
    QTest::newRow("tilde escapes in order") << QStringLiteral("/~01") << QJsonValue(9);
    QTest::newRow("leading zero index") << QStringLiteral("/foo/01") << missing;
    QTest::newRow("past-the-end index") << QStringLiteral("/foo/-") << missing;
    QTest::newRow("index out of range") << QStringLiteral("/foo/2") << missing;
    QTest::newRow("signed index") << QStringLiteral("/foo/+1") << missing;
    QTest::newRow("exponent index") << QStringLiteral("/foo/1e0") << missing;
    QTest::newRow("huge index") << QStringLiteral("/foo/99999999999999999999999") << missing;
    QTest::newRow("no leading slash") << QStringLiteral("foo") << missing;
    QTest::newRow("invalid tilde escape") << QStringLiteral("/m~2n") << missing;
    QTest::newRow("trailing tilde") << QStringLiteral("/m~") << missing;
    QTest::newRow("unknown member") << QStringLiteral("/missing") << missing;
    QTest::newRow("through a scalar") << QStringLiteral("/foo/0/x") << missing;
    QTest::newRow("unescaped slash splits") << QStringLiteral("/a/b") << missing;
}

void TestJson::pointerResolution()
{
    QFETCH(QString, pointer);
    QFETCH(QJsonValue, expected);
    const QJsonValue document = parseOrNull(R"({
        "foo": ["bar", "baz"],
        "": 0,
        "a/b": 1,
        "c%d": 2,
        "e^f": 3,
        "g|h": 4,
        "i\\j": 5,
        "k\"l": 6,
        " ": 7,
        "m~n": 8,
        "~1": 9
    })");
    QVERIFY(document.isObject());

    const QJsonValue found = valueAt(document, pointer);

    QCOMPARE(found, expected);
    QCOMPARE(valueAt(document, QString()), document);
}

void TestJson::pointerTokenEscaping_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("expected");

    QTest::newRow("plain") << QStringLiteral("subject") << QStringLiteral("subject");
    QTest::newRow("slash") << QStringLiteral("a/b") << QStringLiteral("a~1b");
    QTest::newRow("tilde") << QStringLiteral("m~n") << QStringLiteral("m~0n");
    QTest::newRow("tilde before slash") << QStringLiteral("~/") << QStringLiteral("~0~1");
    QTest::newRow("text that looks escaped") << QStringLiteral("~1") << QStringLiteral("~01");
    QTest::newRow("empty") << QString() << QString();
}

void TestJson::pointerTokenEscaping()
{
    QFETCH(QString, token);
    QFETCH(QString, expected);
    const QJsonObject object{{token, 42}};

    const QString escaped = escapePointerToken(token);

    QCOMPARE(escaped, expected);
    QCOMPARE(valueAt(object, QString(QLatin1Char('/') + escaped)), QJsonValue(42));
}

QTEST_GUILESS_MAIN(TestJson)
#include "tst_json.moc"
