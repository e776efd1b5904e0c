#include "core/json/flatdocument.h"
#include "core/json/json.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Json;

namespace {

// Rebuilds a node through the document's own look-ups: member() for every name that the
// expected object has, value() for everything else. Comparing the result with parse() checks
// navigation and values together.
QJsonValue rebuild(const FlatDocument &document, int node, const QJsonValue &expected)
{
    if (document.type(node) != FlatDocument::Type::Object || !expected.isObject())
        return document.value(node);

    QJsonObject copy;
    const QJsonObject object = expected.toObject();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const int member = document.member(node, it.key().toLatin1());
        if (member < 0)
            return QJsonValue(QJsonValue::Undefined);
        copy.insert(it.key(), rebuild(document, member, it.value()));
    }
    return copy;
}

} // namespace

class TestFlatDocument : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsAsParseDoes_data();
    void readsAsParseDoes();
    void leavesTheRestToParse_data();
    void leavesTheRestToParse();
    void memberLookUps();
};

void TestFlatDocument::readsAsParseDoes_data()
{
    QTest::addColumn<QByteArray>("text");

    QTest::newRow("evaluation") << QByteArray(R"({"subject": {"type": "user", "id": "alice"}, "action": {"name": "read"}, "resource": {"type": "record", "id": "record-1"}})");
    QTest::newRow("properties and context") << QByteArray(R"({"subject": {"type": "user", "id": "bob", "properties": {"role": "admin", "level": 3, "on_call": true, "manager": null}},
        "action": {"name": "delete", "properties": {"soft": false}}, "resource": {"type": "record", "id": "record-2", "properties": {"status": "archived"}},
        "context": {"ip": "10.0.0.1", "time": "2025-06-27T18:03-07:00"}})");
    QTest::newRow("arrays and nesting") << QByteArray(R"({"a": [1, -2, [], {}, ["x", {"y": [true]}]], "b": {"c": {"d": {"e": "deep"}}}})");
    QTest::newRow("whitespace everywhere") << QByteArray(" \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" : { } }\n ");
    QTest::newRow("empty object") << QByteArray("{}");
    QTest::newRow("empty name and string") << QByteArray(R"({"": ""})");
    QTest::newRow("zero and fifteen digits") << QByteArray(R"({"zero": 0, "big": 999999999999999, "negative": -999999999999999})");
    QTest::newRow("printable punctuation") << QByteArray(R"({"p": "a/b:c;d{e}[f],g h~i'j"})");
}

void TestFlatDocument::readsAsParseDoes()
{
    QFETCH(QByteArray, text);

    const Result<QJsonValue> parsed = parse(text);
    QVERIFY(parsed.ok());
    const std::optional<FlatDocument> document = FlatDocument::read(text);
    QVERIFY(document);
    QCOMPARE(document->type(FlatDocument::kRoot), FlatDocument::Type::Object);
    QCOMPARE(rebuild(*document, FlatDocument::kRoot, parsed.value()), parsed.value());
    QCOMPARE(document->value(FlatDocument::kRoot), parsed.value());
}

void TestFlatDocument::leavesTheRestToParse_data()
{
    QTest::addColumn<QByteArray>("text");

    // Valid JSON outside the subset: parse() reads these, with its own rules.
    QTest::newRow("escape in a string") << QByteArray(R"({"a": "line\nbreak"})");
    QTest::newRow("escaped quote in a name") << QByteArray(R"({"a\"b": 1})");
    QTest::newRow("unicode escape") << QByteArray(R"({"a": "\u0041"})");
    QTest::newRow("non-ASCII string") << QByteArray("{\"a\": \"gr\xc3\xb6\xc3\x9f" "e\"}");
    QTest::newRow("non-ASCII name") << QByteArray("{\"r\xc3\xa9gion\": 1}");
    QTest::newRow("fraction") << QByteArray(R"({"a": 1.5})");
    QTest::newRow("exponent") << QByteArray(R"({"a": 1e3})");
    QTest::newRow("negative zero") << QByteArray(R"({"a": -0})");
    QTest::newRow("sixteen digits") << QByteArray(R"({"a": 1234567890123456})");
    QTest::newRow("top-level array") << QByteArray(R"([{"a": 1}])");
    QTest::newRow("top-level string") << QByteArray(R"("a")");
    QTest::newRow("nine levels") << QByteArray(R"({"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": 1}}}}}}}}})");
    QByteArrayList members;
    for (int i = 0; i < 33; ++i)
        members.append("\"m" + QByteArray::number(i) + "\": 1");
    QTest::newRow("33 members") << "{" + members.join(',') + "}";
    QTest::newRow("over 8 KiB") << QByteArray(R"({"a": ")") + QByteArray(8200, 'x') + QByteArray(R"("})");

    // Text parse() rejects, which must not pass here either.
    QTest::newRow("duplicate name") << QByteArray(R"({"a": 1, "a": 2})");
    QTest::newRow("nested duplicate") << QByteArray(R"({"s": {"id": "alice", "x": [], "id": "bob"}})");
    QTest::newRow("leading zero") << QByteArray(R"({"a": 01})");
    QTest::newRow("trailing comma in object") << QByteArray(R"({"a": 1,})");
    QTest::newRow("trailing comma in array") << QByteArray(R"({"a": [1,]})");
    QTest::newRow("missing colon") << QByteArray(R"({"a" 1})");
    QTest::newRow("misspelt literal") << QByteArray(R"({"a": tru})");
    QTest::newRow("control character") << QByteArray("{\"a\": \"x\ty\"}");
    QTest::newRow("unterminated string") << QByteArray(R"({"a": "x)");
    QTest::newRow("unclosed object") << QByteArray(R"({"a": 1)");
    QTest::newRow("text after the object") << QByteArray(R"({"a": 1} {})");
    QTest::newRow("byte order mark") << QByteArray("\xef\xbb\xbf{}");
    QTest::newRow("lone minus") << QByteArray(R"({"a": -})");
    QTest::newRow("empty") << QByteArray();
}

void TestFlatDocument::leavesTheRestToParse()
{
    QFETCH(QByteArray, text);

    QVERIFY(!FlatDocument::read(text));
}

void TestFlatDocument::memberLookUps()
{
    const QByteArray text = R"({"subject": {"type": "user", "id": "alice"}, "list": [{"id": "inner"}], "n": 7})";
    const std::optional<FlatDocument> document = FlatDocument::read(text);
    QVERIFY(document);

    const int subject = document->member(FlatDocument::kRoot, "subject");
    QVERIFY(subject > 0);
    QCOMPARE(document->value(document->member(subject, "id")), QJsonValue(QStringLiteral("alice")));
    // A member of a nested object is not a member of its parent, and an array has no members.
    QCOMPARE(document->member(FlatDocument::kRoot, "id"), -1);
    QCOMPARE(document->member(document->member(FlatDocument::kRoot, "list"), "id"), -1);
    QCOMPARE(document->member(document->member(FlatDocument::kRoot, "n"), "id"), -1);
    // Look-ups chain through a missing member.
    QCOMPARE(document->member(document->member(FlatDocument::kRoot, "missing"), "id"), -1);
    QCOMPARE(document->value(document->member(FlatDocument::kRoot, "n")).toInteger(), 7);
    QCOMPARE(document->type(document->member(FlatDocument::kRoot, "list")), FlatDocument::Type::Array);
}

QTEST_GUILESS_MAIN(TestFlatDocument)
#include "tst_flatdocument.moc"
