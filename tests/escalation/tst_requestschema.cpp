// The JSON Schema subset of a template's request_schema. Each supported keyword accepts and
// rejects, and a rejection names the JSON Pointer of the member that does not match.

#include "core/escalation/requestschema.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Escalation;

namespace {

QJsonObject object(const char *json)
{
    return QJsonDocument::fromJson(json).object();
}

} // namespace

class tst_RequestSchema : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validate_data();
    void validate();
    void justificationCapApplies_data();
    void justificationCapApplies();
};

void tst_RequestSchema::validate_data()
{
    QTest::addColumn<QJsonObject>("schema");
    QTest::addColumn<QJsonObject>("instance");
    QTest::addColumn<QString>("pointer"); // empty when the instance matches

    const QJsonObject context = object(R"({"properties": {"context": {"type": "object",
        "required": ["ticket"],
        "properties": {"ticket": {"type": "string", "minLength": 3, "maxLength": 8},
                       "priority": {"enum": ["low", "high"]},
                       "hours": {"type": "integer", "minimum": 1, "maximum": 8},
                       "tags": {"type": "array", "maxItems": 2, "items": {"type": "string"}},
                       "a/b": {"type": "boolean"}},
        "additionalProperties": false}}})");
    const auto withContext = [](const char *json) {
        return QJsonObject{{QStringLiteral("context"), object(json)}};
    };

    QTest::newRow("empty schema") << QJsonObject{} << withContext(R"({"anything": 1})") << QString();
    QTest::newRow("all members valid") << context
                                       << withContext(R"({"ticket": "T-1", "priority": "high", "hours": 8,
                                                          "tags": ["x", "y"], "a/b": true})")
                                       << QString();
    QTest::newRow("required member missing") << context << withContext(R"({"hours": 2})") << QStringLiteral("/context/ticket");
    QTest::newRow("wrong type") << context << withContext(R"({"ticket": 12})") << QStringLiteral("/context/ticket");
    QTest::newRow("string too long") << context << withContext(R"({"ticket": "T-123456789"})")
                                     << QStringLiteral("/context/ticket");
    QTest::newRow("string too short") << context << withContext(R"({"ticket": "T"})") << QStringLiteral("/context/ticket");
    QTest::newRow("value not in enum") << context << withContext(R"({"ticket": "T-1", "priority": "urgent"})")
                                       << QStringLiteral("/context/priority");
    QTest::newRow("integer with a fraction") << context << withContext(R"({"ticket": "T-1", "hours": 1.5})")
                                             << QStringLiteral("/context/hours");
    QTest::newRow("number above maximum") << context << withContext(R"({"ticket": "T-1", "hours": 9})")
                                          << QStringLiteral("/context/hours");
    QTest::newRow("number below minimum") << context << withContext(R"({"ticket": "T-1", "hours": 0})")
                                          << QStringLiteral("/context/hours");
    QTest::newRow("too many items") << context << withContext(R"({"ticket": "T-1", "tags": ["x", "y", "z"]})")
                                    << QStringLiteral("/context/tags");
    QTest::newRow("item of the wrong type") << context << withContext(R"({"ticket": "T-1", "tags": ["x", 2]})")
                                            << QStringLiteral("/context/tags/1");
    QTest::newRow("member not allowed") << context << withContext(R"({"ticket": "T-1", "extra": 1})")
                                        << QStringLiteral("/context/extra");
    QTest::newRow("pointer escapes a slash") << context << withContext(R"({"ticket": "T-1", "a/b": "yes"})")
                                             << QStringLiteral("/context/a~1b");
    QTest::newRow("context not an object") << context << QJsonObject{{QStringLiteral("context"), 1}}
                                           << QStringLiteral("/context");
    // maxLength counts code points, so eight emoji are eight characters, not sixteen UTF-16 units.
    QTest::newRow("astral characters within maxLength")
        << context
        << QJsonObject{{QStringLiteral("context"),
                        QJsonObject{{QStringLiteral("ticket"), QString(QStringLiteral("\U0001F600")).repeated(8)}}}}
        << QString();
}

void tst_RequestSchema::validate()
{
    QFETCH(QJsonObject, schema);
    QFETCH(QJsonObject, instance);
    QFETCH(QString, pointer);

    const Result<void> result = RequestSchema::validate(schema, instance);

    QCOMPARE(result.ok(), pointer.isEmpty());
    if (result.ok())
        return;
    QCOMPARE(result.error().code, ErrorCode::InvalidRequest);
    QCOMPARE(result.error().value, pointer);
    QVERIFY2(result.error().message.contains(pointer), qPrintable(result.error().message));
}

void tst_RequestSchema::justificationCapApplies_data()
{
    QTest::addColumn<QJsonObject>("requestSchema");
    QTest::addColumn<int>("length");
    QTest::addColumn<bool>("accepted");

    const QJsonObject generous = object(R"({"properties": {"context": {"properties":
        {"business_justification": {"type": "string", "maxLength": 100000}}}}})");
    QTest::newRow("no schema, at the cap") << QJsonObject{} << int(RequestSchema::kMaxJustificationLength) << true;
    QTest::newRow("no schema, over the cap") << QJsonObject{} << int(RequestSchema::kMaxJustificationLength) + 1 << false;
    QTest::newRow("generous schema, over the cap") << generous << int(RequestSchema::kMaxJustificationLength) + 1 << false;
}

void tst_RequestSchema::justificationCapApplies()
{
    QFETCH(QJsonObject, requestSchema);
    QFETCH(int, length);
    QFETCH(bool, accepted);

    Policy::Template tmpl;
    tmpl.requestSchema = requestSchema;
    const QJsonObject body{{QStringLiteral("context"),
                            QJsonObject{{QStringLiteral("business_justification"), QString(length, u'j')}}}};

    const Result<void> result = RequestSchema::checkSubmission(body, tmpl);

    QCOMPARE(result.ok(), accepted);
    if (!accepted)
        QCOMPARE(result.error().value, QStringLiteral("/context/business_justification"));
}

QTEST_GUILESS_MAIN(tst_RequestSchema)
#include "tst_requestschema.moc"
