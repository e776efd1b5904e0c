#include "policytesthelpers.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace Recourse::Policy;
using namespace PolicyTest;

class TestPolicySet : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void operators_data();
    void operators();
    void conditionTypeErrors_data();
    void conditionTypeErrors();
    void precedence_data();
    void precedence();
    void firstRequestableNamesTemplate();
    void defaultDeny();
    void exampleRequestSatisfiesConditions();
    void exampleRequestSkipsDefeatedRules();
    void exampleRequestTriesFirstRules();
    void matchShortcuts_data();
    void matchShortcuts();
    void unpinnedRulesApplyToEveryAction();
    void explainListsMatchedRules();
    void explainDefaultDeny();
    void syntaxErrorLine();
    void unknownOperatorLine();
    void loadErrors_data();
    void loadErrors();
    void catalogItemsOffered();
    void duplicateRuleIdsAcrossFiles();
    void duplicateTemplateAcrossFiles();
    void unknownTemplate();
    void templateFields();
    void timeContextWarns();
    void autoApproval();
    void entities();
    void loadFolderReadsJsonFilesInOrder();
    void loadFolderErrors();
    void resolveFolder();
    void resolvePackName();
    void resolveRejectsUnknownNames();
};

static const QByteArray kTemplate = R"({
  "title": "Test",
  "steps": [{"name": "manager", "groups": ["managers"]}]
})";

namespace {

// Drops every member whose name is not ASCII, at any depth.
QJsonValue asciiNamesOnly(const QJsonValue &value)
{
    if (value.isArray()) {
        QJsonArray copy;
        for (const QJsonValue &element : value.toArray())
            copy.append(asciiNamesOnly(element));
        return copy;
    }
    if (!value.isObject())
        return value;
    QJsonObject copy;
    const QJsonObject object = value.toObject();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QString name = it.key();
        if (std::all_of(name.cbegin(), name.cend(), [](QChar c) { return c.unicode() < 0x80; }))
            copy.insert(name, asciiNamesOnly(it.value()));
    }
    return copy;
}

QByteArray withAsciiNamesOnly(const QByteArray &json)
{
    return QJsonDocument(asciiNamesOnly(QJsonDocument::fromJson(json).object()).toObject()).toJson(QJsonDocument::Compact);
}

} // namespace

void TestPolicySet::operators_data()
{
    QTest::addColumn<QByteArray>("condition");
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<bool>("expected");

    const QByteArray alice = R"({"subject": {"type": "user", "id": "alice", "properties": {"level": 3, "groups": ["a", "b"], "nested": {"team": "red"}, "none": null, "größe": 180}},
        "resource": {"type": "doc", "id": "reports/2025/q4.pdf", "properties": {"owner": "alice", "expires": "2025-06-01T12:00:00+02:00"}},
        "action": {"name": "read", "properties": {"soft": true}},
        "context": {"tenant": "acme", "time": "2025-06-01T09:30:00Z", "region": {"name": "eu-west"}, "empty": null, "région": {"zone": "eu"}}})";

    QTest::newRow("equals string") << QByteArray(R"({"attr": "subject.id", "equals": "alice"})") << alice << true;
    QTest::newRow("equals string differs") << QByteArray(R"({"attr": "subject.id", "equals": "bob"})") << alice << false;
    QTest::newRow("equals number as double") << QByteArray(R"({"attr": "subject.properties.level", "equals": 3.0})") << alice << true;
    QTest::newRow("equals does not convert types") << QByteArray(R"({"attr": "subject.properties.level", "equals": "3"})") << alice << false;
    QTest::newRow("equals boolean") << QByteArray(R"({"attr": "action.properties.soft", "equals": true})") << alice << true;
    QTest::newRow("equals null member") << QByteArray(R"({"attr": "subject.properties.none", "equals": null})") << alice << true;
    QTest::newRow("equals missing attribute") << QByteArray(R"({"attr": "subject.properties.missing", "equals": "x"})") << alice << false;
    QTest::newRow("not_equals differs") << QByteArray(R"({"attr": "subject.id", "not_equals": "bob"})") << alice << true;
    QTest::newRow("not_equals same") << QByteArray(R"({"attr": "subject.id", "not_equals": "alice"})") << alice << false;
    QTest::newRow("not_equals missing attribute") << QByteArray(R"({"attr": "subject.properties.missing", "not_equals": "x"})") << alice << true;
    QTest::newRow("in member") << QByteArray(R"({"attr": "subject.id", "in": ["bob", "alice"]})") << alice << true;
    QTest::newRow("in not a member") << QByteArray(R"({"attr": "subject.id", "in": ["bob", "carol"]})") << alice << false;
    QTest::newRow("in long list") << QByteArray(R"({"attr": "subject.id", "in": ["a1","a2","a3","a4","a5","a6","a7","a8","a9","alice"]})") << alice << true;
    QTest::newRow("in long list miss") << QByteArray(R"({"attr": "subject.id", "in": ["a1","a2","a3","a4","a5","a6","a7","a8","a9","a10"]})") << alice << false;
    QTest::newRow("in mixed types") << QByteArray(R"({"attr": "subject.properties.level", "in": ["x", 3]})") << alice << true;
    QTest::newRow("prefix match") << QByteArray(R"({"attr": "resource.id", "prefix": "reports/"})") << alice << true;
    QTest::newRow("prefix miss") << QByteArray(R"({"attr": "resource.id", "prefix": "secret/"})") << alice << false;
    QTest::newRow("prefix on number") << QByteArray(R"({"attr": "subject.properties.level", "prefix": "3"})") << alice << false;
    QTest::newRow("glob star") << QByteArray(R"({"attr": "resource.id", "glob": "reports/*.pdf"})") << alice << true;
    QTest::newRow("glob star spans slashes") << QByteArray(R"({"attr": "resource.id", "glob": "*q4*"})") << alice << true;
    QTest::newRow("glob question mark") << QByteArray(R"({"attr": "resource.id", "glob": "reports/20?5/q?.pdf"})") << alice << true;
    QTest::newRow("glob miss") << QByteArray(R"({"attr": "resource.id", "glob": "reports/*.docx"})") << alice << false;
    QTest::newRow("glob needs whole string") << QByteArray(R"({"attr": "resource.id", "glob": "reports"})") << alice << false;
    QTest::newRow("glob bracket is literal") << QByteArray(R"({"attr": "resource.id", "glob": "[r]eports*"})") << alice << false;
    QTest::newRow("gt true") << QByteArray(R"({"attr": "subject.properties.level", "gt": 2})") << alice << true;
    QTest::newRow("gt equal") << QByteArray(R"({"attr": "subject.properties.level", "gt": 3})") << alice << false;
    QTest::newRow("gte equal") << QByteArray(R"({"attr": "subject.properties.level", "gte": 3})") << alice << true;
    QTest::newRow("lt true") << QByteArray(R"({"attr": "subject.properties.level", "lt": 3.5})") << alice << true;
    QTest::newRow("lt equal") << QByteArray(R"({"attr": "subject.properties.level", "lt": 3})") << alice << false;
    QTest::newRow("lte equal") << QByteArray(R"({"attr": "subject.properties.level", "lte": 3})") << alice << true;
    QTest::newRow("gt on string") << QByteArray(R"({"attr": "subject.id", "gt": 0})") << alice << false;
    QTest::newRow("before literal") << QByteArray(R"({"attr": "context.time", "before": "2025-06-01T10:00:00Z"})") << alice << true;
    QTest::newRow("before across offsets") << QByteArray(R"({"attr": "context.time", "before": "2025-06-01T11:31:00+02:00"})") << alice << true;
    QTest::newRow("not before across offsets") << QByteArray(R"({"attr": "context.time", "before": "2025-06-01T11:29:00+02:00"})") << alice << false;
    QTest::newRow("after negative offset") << QByteArray(R"({"attr": "context.time", "after": "2025-06-01T05:29:00-04:00"})") << alice << true;
    QTest::newRow("same instant is not after") << QByteArray(R"({"attr": "context.time", "after": "2025-06-01T11:30:00+02:00"})") << alice << false;
    QTest::newRow("before attribute reference") << QByteArray(R"({"attr": "context.time", "before": {"attr": "resource.properties.expires"}})") << alice << true;
    QTest::newRow("after attribute reference") << QByteArray(R"({"attr": "resource.properties.expires", "after": {"attr": "context.time"}})") << alice << true;
    QTest::newRow("before missing reference") << QByteArray(R"({"attr": "context.time", "before": {"attr": "context.deadline"}})") << alice << false;
    QTest::newRow("before on non-time string") << QByteArray(R"({"attr": "subject.id", "before": "2030-01-01T00:00:00Z"})") << alice << false;
    QTest::newRow("exists true") << QByteArray(R"({"attr": "context.tenant", "exists": true})") << alice << true;
    QTest::newRow("exists true on missing") << QByteArray(R"({"attr": "context.ip", "exists": true})") << alice << false;
    QTest::newRow("exists false on missing") << QByteArray(R"({"attr": "context.ip", "exists": false})") << alice << true;
    QTest::newRow("exists null counts as absent") << QByteArray(R"({"attr": "context.empty", "exists": true})") << alice << false;
    QTest::newRow("exists through missing parent") << QByteArray(R"({"attr": "context.tenant.name", "exists": true})") << alice << false;
    QTest::newRow("contains") << QByteArray(R"({"attr": "subject.properties.groups", "contains": "b"})") << alice << true;
    QTest::newRow("contains miss") << QByteArray(R"({"attr": "subject.properties.groups", "contains": "c"})") << alice << false;
    QTest::newRow("contains on string") << QByteArray(R"({"attr": "subject.id", "contains": "a"})") << alice << false;
    QTest::newRow("equals_attr") << QByteArray(R"({"attr": "resource.properties.owner", "equals_attr": "subject.id"})") << alice << true;
    QTest::newRow("equals_attr differs") << QByteArray(R"({"attr": "resource.type", "equals_attr": "subject.type"})") << alice << false;
    QTest::newRow("equals_attr missing both") << QByteArray(R"({"attr": "context.a", "equals_attr": "context.b"})") << alice << false;
    QTest::newRow("nested subject property") << QByteArray(R"({"attr": "subject.properties.nested.team", "equals": "red"})") << alice << true;
    QTest::newRow("nested context member") << QByteArray(R"({"attr": "context.region.name", "glob": "eu-*"})") << alice << true;
    // Paths with only ASCII names are looked up as Latin-1, the others as UTF-16.
    QTest::newRow("non-ASCII member name") << QByteArray(R"({"attr": "subject.properties.größe", "equals": 180})") << alice << true;
    QTest::newRow("non-ASCII nested member") << QByteArray(R"({"attr": "context.région.zone", "equals": "eu"})") << alice << true;
    QTest::newRow("ASCII name is not its accented twin") << QByteArray(R"({"attr": "context.region.zone", "equals": "eu"})") << alice << false;
    QTest::newRow("all true") << QByteArray(R"({"all": [{"attr": "subject.id", "equals": "alice"}, {"attr": "context.tenant", "equals": "acme"}]})") << alice << true;
    QTest::newRow("all one false") << QByteArray(R"({"all": [{"attr": "subject.id", "equals": "alice"}, {"attr": "context.tenant", "equals": "other"}]})") << alice << false;
    QTest::newRow("all empty") << QByteArray(R"({"all": []})") << alice << true;
    QTest::newRow("any one true") << QByteArray(R"({"any": [{"attr": "subject.id", "equals": "bob"}, {"attr": "context.tenant", "equals": "acme"}]})") << alice << true;
    QTest::newRow("any none true") << QByteArray(R"({"any": [{"attr": "subject.id", "equals": "bob"}]})") << alice << false;
    QTest::newRow("any empty") << QByteArray(R"({"any": []})") << alice << false;
    QTest::newRow("not") << QByteArray(R"({"not": {"attr": "subject.id", "equals": "bob"}})") << alice << true;
    QTest::newRow("not of true") << QByteArray(R"({"not": {"attr": "subject.id", "equals": "alice"}})") << alice << false;
    QTest::newRow("nested groups") << QByteArray(R"({"all": [{"not": {"any": [{"attr": "context.tenant", "equals": "x"}]}}, {"attr": "action.name", "equals": "read"}]})") << alice << true;
}

void TestPolicySet::operators()
{
    QFETCH(QByteArray, condition);
    QFETCH(QByteArray, request);
    QFETCH(bool, expected);

    const auto set = load(R"({"rules": [{"id": "r", "effect": "permit", "when": )" + condition + "}]}");
    QVERIFY(set);
    QCOMPARE(set->evaluate(PolicyTest::request(request)).effect, expected ? Effect::Permit : Effect::Deny);

    const auto direct = evaluateCondition(QJsonDocument::fromJson(condition).object(), PolicyTest::request(request));
    QVERIFY(direct.ok());
    QCOMPARE(*direct, expected);

    // The flat reader takes only ASCII names, so it reads the request without the accented ones.
    PolicyTest::compareFlatDecision(*set, withAsciiNamesOnly(request));
}

void TestPolicySet::conditionTypeErrors_data()
{
    QTest::addColumn<QByteArray>("condition");
    QTest::addColumn<QString>("message");

    QTest::newRow("in needs array") << QByteArray(R"({"attr": "subject.id", "in": "alice"})") << QStringLiteral("operator \"in\" expects an array");
    QTest::newRow("in needs scalars") << QByteArray(R"({"attr": "subject.id", "in": [{"a": 1}]})") << QStringLiteral("accepts only strings, numbers, booleans and nulls");
    QTest::newRow("equals needs scalar") << QByteArray(R"({"attr": "subject.id", "equals": ["a"]})") << QStringLiteral("operator \"equals\" expects a string, number, boolean or null (use \"in\" for a list), got an array");
    QTest::newRow("gt needs number") << QByteArray(R"({"attr": "subject.id", "gt": "3"})") << QStringLiteral("operator \"gt\" expects a number, got a string");
    QTest::newRow("prefix needs string") << QByteArray(R"({"attr": "subject.id", "prefix": 1})") << QStringLiteral("operator \"prefix\" expects a string, got a number");
    QTest::newRow("exists needs boolean") << QByteArray(R"({"attr": "subject.id", "exists": "yes"})") << QStringLiteral("operator \"exists\" expects true or false");
    QTest::newRow("before needs offset") << QByteArray(R"({"attr": "context.time", "before": "2025-06-01T10:00:00"})") << QStringLiteral("is not one");
    QTest::newRow("before bad reference") << QByteArray(R"({"attr": "context.time", "before": {"attr": "when.now"}})") << QStringLiteral("unknown attribute path \"when.now\"");
    QTest::newRow("equals_attr needs path") << QByteArray(R"({"attr": "subject.id", "equals_attr": "subject.name"})") << QStringLiteral("unknown attribute path \"subject.name\"");
    QTest::newRow("unknown root") << QByteArray(R"({"attr": "user.id", "equals": "a"})") << QStringLiteral("unknown attribute path \"user.id\"");
    QTest::newRow("empty segment") << QByteArray(R"({"attr": "context..x", "equals": "a"})") << QStringLiteral("empty segment");
    QTest::newRow("no operator") << QByteArray(R"({"attr": "subject.id"})") << QStringLiteral("condition on \"subject.id\" has no operator");
    QTest::newRow("two operators") << QByteArray(R"({"attr": "subject.id", "equals": "a", "prefix": "a"})") << QStringLiteral("more than one operator");
    QTest::newRow("group with extra member") << QByteArray(R"({"all": [], "attr": "subject.id"})") << QStringLiteral("a condition with \"all\" must have no other members");
    QTest::newRow("any needs array") << QByteArray(R"({"any": {}})") << QStringLiteral("\"any\" expects an array of conditions");
    QTest::newRow("empty condition") << QByteArray(R"({})") << QStringLiteral("empty condition");
    QTest::newRow("unknown member") << QByteArray(R"({"attribute": "subject.id"})") << QStringLiteral("unknown member \"attribute\" in condition");
}

void TestPolicySet::conditionTypeErrors()
{
    QFETCH(QByteArray, condition);
    QFETCH(QString, message);

    const QList<LoadError> errors = collectLoadErrors(R"({"rules": [{"id": "r", "effect": "permit",
        "when": )" + condition + "}]}");
    QVERIFY(!errors.isEmpty());
    QVERIFY2(errors.first().message.contains(message), qPrintable(errors.first().toString()));
    QCOMPARE(errors.first().file, QStringLiteral("policy.json"));
    QCOMPARE(errors.first().line, 2);
}

void TestPolicySet::precedence_data()
{
    QTest::addColumn<QStringList>("effects");
    QTest::addColumn<Effect>("expected");

    QTest::newRow("forbid beats permit") << QStringList{"permit", "forbid"} << Effect::Forbid;
    QTest::newRow("forbid beats requestable") << QStringList{"requestable", "forbid"} << Effect::Forbid;
    QTest::newRow("forbid beats both") << QStringList{"permit", "requestable", "forbid"} << Effect::Forbid;
    QTest::newRow("requestable beats permit") << QStringList{"permit", "requestable"} << Effect::Requestable;
    QTest::newRow("permit alone") << QStringList{"permit"} << Effect::Permit;
    QTest::newRow("requestable alone") << QStringList{"requestable"} << Effect::Requestable;
    QTest::newRow("no rules") << QStringList{} << Effect::Deny;
}

void TestPolicySet::precedence()
{
    QFETCH(QStringList, effects);
    QFETCH(Effect, expected);

    QByteArray rules;
    for (qsizetype i = 0; i < effects.size(); ++i) {
        const QByteArray effect = effects.at(i).toUtf8();
        const QByteArray tmpl = effect == "requestable" ? R"(, "template": "t")" : "";
        rules += (i ? "," : "") + QByteArray(R"({"id": "rule-)") + QByteArray::number(i) + R"(", "effect": ")" + effect + '"' + tmpl
            + R"(, "match": {"action.name": "read"}})";
        // A rule that matches a different action must never take part.
        rules += R"(, {"id": "other-)" + QByteArray::number(i) + R"(", "effect": "forbid", "match": {"action.name": "write"}})";
    }
    const auto set = load(R"({"templates": {"t": )" + kTemplate + R"(}, "rules": [)" + rules + "]}");
    QVERIFY(set);

    const Decision decision = set->evaluate(request(R"({"subject": {"type": "user", "id": "a"}, "action": {"name": "read"}, "resource": {"type": "doc", "id": "1"}})"));
    QCOMPARE(decision.effect, expected);
    QCOMPARE(decision.tmpl != nullptr, expected == Effect::Requestable);
    QCOMPARE(decision.ruleId.isEmpty(), expected == Effect::Deny);
}

void TestPolicySet::firstRequestableNamesTemplate()
{
    // Files load in name order, so b.json's rule comes after a.json's even though it is listed first.
    const auto set = load({
        {QStringLiteral("b.json"), R"({"rules": [{"id": "late", "effect": "requestable", "template": "second"}]})"},
        {QStringLiteral("a.json"), R"({"templates": {"first": )" + kTemplate + R"(, "second": )" + kTemplate + R"(},
            "rules": [{"id": "early", "effect": "requestable", "template": "first", "match": {"action.name": "read"}}]})"},
    });
    QVERIFY(set);

    const Decision read = set->evaluate(request(R"({"action": {"name": "read"}})"));
    QCOMPARE(read.effect, Effect::Requestable);
    QCOMPARE(read.ruleId, QStringLiteral("early"));
    QVERIFY(read.tmpl);
    QCOMPARE(read.tmpl->name, QStringLiteral("first"));

    const Decision write = set->evaluate(request(R"({"action": {"name": "write"}})"));
    QCOMPARE(write.ruleId, QStringLiteral("late"));
    QCOMPARE(write.tmpl->name, QStringLiteral("second"));
}

void TestPolicySet::defaultDeny()
{
    const auto set = load(R"({"rules": [{"id": "alice", "effect": "permit", "match": {"subject.id": "alice"}}]})");
    QVERIFY(set);

    const Decision decision = set->evaluate(request(R"({"subject": {"type": "user", "id": "bob"}, "action": {"name": "read"}})"));
    QCOMPARE(decision.effect, Effect::Deny);
    QVERIFY(decision.ruleId.isEmpty());
    QVERIFY(!decision.tmpl);
    QCOMPARE(set->evaluate(request("{}")).effect, Effect::Deny);
}

void TestPolicySet::exampleRequestSatisfiesConditions()
{
    // The first requestable rule needs a match value, an `any` branch and a number above 3.
    const auto set = load(R"({
        "templates": {"t": {"steps": [{"name": "s", "groups": ["g"]}]}},
        "rules": [
            {"id": "reader", "effect": "permit", "match": {"action.name": "read"}},
            {"id": "needs-review", "effect": "requestable", "template": "t",
             "match": {"action.name": "export", "resource.type": ["report", "sheet"]},
             "when": {"all": [
                 {"any": [{"attr": "context.ticket", "exists": true}, {"attr": "context.emergency", "equals": true}]},
                 {"attr": "subject.properties.clearance", "gt": 3}]}}]})");
    QVERIFY(set);

    const QJsonObject example = set->exampleRequest();
    QCOMPARE(example.value(u"action").toObject().value(u"name").toString(), QStringLiteral("export"));
    QCOMPARE(example.value(u"resource").toObject().value(u"type").toString(), QStringLiteral("report"));
    QVERIFY(example.value(u"context").toObject().contains(u"ticket"));
    QCOMPARE(example.value(u"subject").toObject().value(u"properties").toObject().value(u"clearance").toDouble(), 4.0);
    const Decision decision = set->evaluate(request(QJsonDocument(example).toJson()));
    QCOMPARE(decision.effect, Effect::Requestable);
    QCOMPARE(decision.ruleId, QStringLiteral("needs-review"));
}

void TestPolicySet::exampleRequestSkipsDefeatedRules()
{
    // The first requestable rule is always forbidden for its own request, and the second has a
    // `not` that its suggested values do not satisfy, so the third one gives the example.
    const auto set = load(R"({
        "templates": {"t": {"steps": [{"name": "s", "groups": ["g"]}]}},
        "rules": [
            {"id": "no-deletes", "effect": "forbid", "match": {"action.name": "delete"}},
            {"id": "delete-needs-review", "effect": "requestable", "template": "t", "match": {"action.name": "delete"}},
            {"id": "unless-example", "effect": "requestable", "template": "t", "match": {"action.name": "share"},
             "when": {"not": {"attr": "subject.id", "equals": "example-user"}}},
            {"id": "export-needs-review", "effect": "requestable", "template": "t", "match": {"action.name": "export"}}]})");
    QVERIFY(set);

    const QJsonObject example = set->exampleRequest();
    QCOMPARE(example.value(u"action").toObject().value(u"name").toString(), QStringLiteral("export"));
    QCOMPARE(set->evaluate(request(QJsonDocument(example).toJson())).ruleId, QStringLiteral("export-needs-review"));

    // Ids that AuthZEN requires as strings, or an approval in the context, disqualify a rule.
    const auto invalid = load(R"({
        "templates": {"t": {"steps": [{"name": "s", "groups": ["g"]}]}},
        "rules": [
            {"id": "numeric-id", "effect": "requestable", "template": "t", "match": {"subject.id": 42}},
            {"id": "null-resource", "effect": "requestable", "template": "t", "match": {"resource.id": [null, "x"]}},
            {"id": "listed-subject", "effect": "requestable", "template": "t",
             "when": {"attr": "subject.id", "contains": "alice"}},
            {"id": "cites-approval", "effect": "requestable", "template": "t",
             "when": {"attr": "context.approval.id", "exists": true}},
            {"id": "plain", "effect": "requestable", "template": "t", "match": {"action.name": "share"}}]})");
    QVERIFY(invalid);
    QCOMPARE(invalid->exampleRequest().value(u"action").toObject().value(u"name").toString(), QStringLiteral("share"));

    // A policy of forbids alone has no example.
    const auto forbids = load(R"({"rules": [{"id": "f", "effect": "forbid", "match": {"action.name": "read"}}]})");
    QVERIFY(forbids);
    QVERIFY(forbids->exampleRequest().isEmpty());
}

void TestPolicySet::exampleRequestTriesFirstRules()
{
    // 250 requestable rules that their own example defeats, then one that would work, then a
    // permit: the search gives up on requestable rules after the first 200 and offers the permit.
    QByteArray rules;
    for (int i = 0; i < 250; ++i) {
        rules += QByteArrayLiteral(R"({"id": "r%1", "effect": "requestable", "template": "t", "match": {"action.name": "a%1"},
             "when": {"not": {"attr": "subject.id", "equals": "example-user"}}},)").replace("%1", QByteArray::number(i));
    }
    rules += R"({"id": "works", "effect": "requestable", "template": "t", "match": {"action.name": "export"}},
                {"id": "reads", "effect": "permit", "match": {"action.name": "read"}})";
    const auto set = load(R"({"templates": {"t": {"steps": [{"name": "s", "groups": ["g"]}]}}, "rules": [)" + rules + "]}");
    QVERIFY(set);

    const QJsonObject example = set->exampleRequest();
    QCOMPARE(example.value(u"action").toObject().value(u"name").toString(), QStringLiteral("read"));
    QCOMPARE(set->exampleRequest(), example);
}

void TestPolicySet::matchShortcuts_data()
{
    QTest::addColumn<QByteArray>("match");
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<bool>("expected");

    const QByteArray doc = R"({"subject": {"type": "user", "id": "alice", "properties": {"clearance": 2, "on_call": true}},
        "action": {"name": "read", "properties": {"method": "GET"}}, "resource": {"type": "doc", "id": "d1", "properties": {"tags": {"level": "internal"}}},
        "context": {"tenant": "acme"}})";

    QTest::newRow("scalar equality") << QByteArray(R"({"subject.id": "alice"})") << doc << true;
    QTest::newRow("scalar mismatch") << QByteArray(R"({"subject.id": "bob"})") << doc << false;
    QTest::newRow("array membership") << QByteArray(R"({"subject.id": ["bob", "alice"]})") << doc << true;
    QTest::newRow("array miss") << QByteArray(R"({"subject.id": ["bob", "carol"]})") << doc << false;
    QTest::newRow("all terms must hold") << QByteArray(R"({"subject.id": "alice", "resource.type": "folder"})") << doc << false;
    QTest::newRow("pinned action") << QByteArray(R"({"action.name": "read", "resource.type": "doc"})") << doc << true;
    QTest::newRow("pinned other action") << QByteArray(R"({"action.name": "write"})") << doc << false;
    QTest::newRow("several actions") << QByteArray(R"({"action.name": ["write", "read"]})") << doc << true;
    QTest::newRow("number property") << QByteArray(R"({"subject.properties.clearance": 2})") << doc << true;
    QTest::newRow("boolean property") << QByteArray(R"({"subject.properties.on_call": true})") << doc << true;
    QTest::newRow("action property") << QByteArray(R"({"action.properties.method": ["GET", "HEAD"]})") << doc << true;
    QTest::newRow("nested resource property") << QByteArray(R"({"resource.properties.tags.level": "internal"})") << doc << true;
    QTest::newRow("context member") << QByteArray(R"({"context.tenant": "acme"})") << doc << true;
    QTest::newRow("missing attribute") << QByteArray(R"({"context.region": "eu"})") << doc << false;
    QTest::newRow("empty match") << QByteArray(R"({})") << doc << true;
}

void TestPolicySet::matchShortcuts()
{
    QFETCH(QByteArray, match);
    QFETCH(QByteArray, request);
    QFETCH(bool, expected);

    const auto set = load(R"({"rules": [{"id": "r", "effect": "permit", "match": )" + match + "}]}");
    QVERIFY(set);
    QCOMPARE(set->evaluate(PolicyTest::request(request)).effect, expected ? Effect::Permit : Effect::Deny);
    PolicyTest::compareFlatDecision(*set, request);
}

void TestPolicySet::unpinnedRulesApplyToEveryAction()
{
    const auto set = load(R"({"rules": [
        {"id": "pinned-read", "effect": "permit", "match": {"action.name": "read"}},
        {"id": "all-actions", "effect": "forbid", "when": {"attr": "context.risk", "equals": "high"}}
    ]})");
    QVERIFY(set);

    QCOMPARE(set->evaluate(request(R"({"action": {"name": "read"}})")).effect, Effect::Permit);
    QCOMPARE(set->evaluate(request(R"({"action": {"name": "read"}, "context": {"risk": "high"}})")).effect, Effect::Forbid);
    QCOMPARE(set->evaluate(request(R"({"action": {"name": "never-pinned"}, "context": {"risk": "high"}})")).effect, Effect::Forbid);
    QCOMPARE(set->evaluate(request(R"({"action": {"name": 7}, "context": {"risk": "high"}})")).effect, Effect::Forbid);
}

void TestPolicySet::explainListsMatchedRules()
{
    const auto set = load({{QStringLiteral("rules.json"), R"({
  "templates": {"t": {"steps": [{"name": "s", "groups": ["g"]}]}},
  "rules": [
    {
      "id": "readers",
      "description": "Everyone reads",
      "effect": "permit",
      "match": {"action.name": "read"}
    },
    {
      "id": "ask-first",
      "effect": "requestable",
      "template": "t"
    },
    {"id": "unrelated", "effect": "forbid", "match": {"action.name": "write"}}
  ]
})"}});
    QVERIFY(set);

    const Decision decision = set->explain(request(R"({"action": {"name": "read"}})"));
    QCOMPARE(decision.effect, Effect::Requestable);
    QCOMPARE(decision.ruleId, QStringLiteral("ask-first"));
    QCOMPARE(decision.matched.size(), 2);
    QCOMPARE(decision.matched.at(0).ruleId, QStringLiteral("ask-first"));
    QCOMPARE(decision.matched.at(0).effect, Effect::Requestable);
    QCOMPARE(decision.matched.at(0).file, QStringLiteral("rules.json"));
    QCOMPARE(decision.matched.at(0).line, 10);
    QCOMPARE(decision.matched.at(1).ruleId, QStringLiteral("readers"));
    QCOMPARE(decision.matched.at(1).line, 4);
    QCOMPARE(decision.matched.at(1).description, QStringLiteral("Everyone reads"));
    QVERIFY2(decision.explanation.contains(QStringLiteral("requestable rule \"ask-first\" (rules.json:10)")), qPrintable(decision.explanation));
    QVERIFY2(decision.explanation.contains(QStringLiteral("permit rule \"readers\" (rules.json:4)")), qPrintable(decision.explanation));
    QVERIFY(decision.explanation.contains(QStringLiteral("template \"t\"")));

    const Decision fast = set->evaluate(request(R"({"action": {"name": "read"}})"));
    QCOMPARE(fast.effect, decision.effect);
    QCOMPARE(fast.ruleId, decision.ruleId);
    QVERIFY(fast.matched.isEmpty());
}

void TestPolicySet::explainDefaultDeny()
{
    const auto set = load(R"({"rules": [{"id": "r", "effect": "permit", "match": {"subject.id": "alice"}}]})");
    QVERIFY(set);

    const Decision decision = set->explain(request(R"({"subject": {"id": "bob"}, "action": {"name": "read"}})"));
    QCOMPARE(decision.effect, Effect::Deny);
    QVERIFY(decision.matched.isEmpty());
    QVERIFY2(decision.explanation.startsWith(QStringLiteral("Denied by default")), qPrintable(decision.explanation));
    QVERIFY(decision.explanation.contains(QStringLiteral("action \"read\"")));

    const Decision noAction = set->explain(request(R"({"subject": {"id": "bob"}})"));
    QVERIFY2(noAction.explanation.contains(QStringLiteral("apply to this request")), qPrintable(noAction.explanation));
}

void TestPolicySet::syntaxErrorLine()
{
    const QList<LoadError> errors = collectLoadErrors({{QStringLiteral("broken.json"), R"({
  "rules": [
    {"id": "a", "effect": "permit"},
    {"id": "b", "effect": "permit",}
  ]
})"}});
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().file, QStringLiteral("broken.json"));
    QCOMPARE(errors.first().line, 4);
    QVERIFY2(errors.first().toString().startsWith(QStringLiteral("broken.json:4: invalid JSON")), qPrintable(errors.first().toString()));
}

void TestPolicySet::unknownOperatorLine()
{
    const QList<LoadError> errors = collectLoadErrors({{QStringLiteral("rules.json"), R"({
  "rules": [
    {
      "id": "typo",
      "effect": "permit",
      "when": {
        "all": [
          {"attr": "subject.id", "equals": "alice"},
          {
            "attr": "context.tenant",
            "equalz": "acme"
          }
        ]
      }
    }
  ]
})"}});
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().file, QStringLiteral("rules.json"));
    QCOMPARE(errors.first().line, 11);
    QVERIFY2(errors.first().message.startsWith(QStringLiteral("unknown operator \"equalz\"; expected one of equals, not_equals, in,")),
             qPrintable(errors.first().message));
    QCOMPARE(errors.first().toString().left(14), QStringLiteral("rules.json:11:"));
}

void TestPolicySet::loadErrors_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("message");

    QTest::newRow("unknown top-level member") << QByteArray("{\n\"rule\": []\n}") << 2 << QStringLiteral("unknown member \"rule\" in a policy file");
    QTest::newRow("top level not an object") << QByteArray("[]") << 1 << QStringLiteral("must contain a JSON object");
    QTest::newRow("attribute path too deep")
        << QByteArray("{\"rules\": [\n{\"id\": \"a\", \"effect\": \"permit\",\n \"match\": {\"context") + QByteArray(40 * 2, 'x').replace("xx", ".x")
               + QByteArray("\": 1}}]}")
        << 3 << QStringLiteral("attribute path of 41 segments starting \"context.x.x");
    QTest::newRow("rules not an array") << QByteArray("{\n\"rules\": {}\n}") << 2 << QStringLiteral("\"rules\" must be an array");
    QTest::newRow("unknown rule member") << QByteArray("{\"rules\": [\n{\"id\": \"a\", \"effect\": \"permit\",\n \"matches\": {}}]}") << 3 << QStringLiteral("unknown member \"matches\" in rule");
    QTest::newRow("missing id") << QByteArray("{\"rules\": [\n{\"effect\": \"permit\"}]}") << 2 << QStringLiteral("needs an \"id\"");
    QTest::newRow("unknown effect") << QByteArray("{\"rules\": [{\"id\": \"a\",\n\"effect\": \"allow\"}]}") << 2 << QStringLiteral("unknown effect \"allow\"");
    QTest::newRow("missing effect") << QByteArray("{\"rules\": [\n{\"id\": \"a\"}]}") << 2 << QStringLiteral("needs an \"effect\"");
    QTest::newRow("requestable without template") << QByteArray("{\"rules\": [\n{\"id\": \"a\", \"effect\": \"requestable\"}]}") << 2 << QStringLiteral("needs a \"template\"");
    QTest::newRow("template on permit") << QByteArray("{\"rules\": [{\"id\": \"a\", \"effect\": \"permit\",\n\"template\": \"t\"}]}") << 2 << QStringLiteral("only requestable rules use one");
    QTest::newRow("bad match path") << QByteArray("{\"rules\": [{\"id\": \"a\", \"effect\": \"permit\", \"match\": {\n\"subject.name\": \"x\"}}]}") << 2 << QStringLiteral("unknown attribute path \"subject.name\"");
    QTest::newRow("match object value") << QByteArray("{\"rules\": [{\"id\": \"a\", \"effect\": \"permit\", \"match\": {\n\"subject.id\": {\"x\": 1}}}]}") << 2 << QStringLiteral("must be matched against a string");
    QTest::newRow("match empty list") << QByteArray("{\"rules\": [{\"id\": \"a\", \"effect\": \"permit\", \"match\": {\n\"subject.id\": []}}]}") << 2 << QStringLiteral("is empty");
    QTest::newRow("template without steps") << QByteArray("{\"templates\": {\n\"t\": {\"title\": \"x\"}}}") << 2 << QStringLiteral("needs at least one entry in \"steps\"");
    QTest::newRow("unknown template member") << QByteArray("{\"templates\": {\"t\": {\"steps\": [{\"name\": \"s\", \"groups\": [\"g\"]}],\n\"max_time\": \"1h\"}}}") << 2 << QStringLiteral("unknown member \"max_time\" in template \"t\"");
    QTest::newRow("bad duration") << QByteArray("{\"templates\": {\"t\": {\"steps\": [{\"name\": \"s\", \"groups\": [\"g\"]}],\n\"max_duration\": \"8 hours\"}}}") << 2 << QStringLiteral("\"max_duration\" must be a positive duration");
    QTest::newRow("zero duration") << QByteArray("{\"templates\": {\"t\": {\"steps\": [{\"name\": \"s\", \"groups\": [\"g\"]}],\n\"hint_lifetime\": \"0m\"}}}") << 2 << QStringLiteral("positive duration");
    QTest::newRow("reserved context member") << QByteArray("{\"templates\": {\"t\": {\"steps\": [{\"name\": \"s\", \"groups\": [\"g\"]}],\n\"relevant_context\": [\"tenant\",\n\"approval\"]}}}") << 3 << QStringLiteral("\"approval\" cannot be an authorization-relevant context member");
    QTest::newRow("step without groups") << QByteArray("{\"templates\": {\"t\": {\"steps\": [\n{\"name\": \"s\", \"groups\": []}]}}}") << 2 << QStringLiteral("needs at least one approver group");
    QTest::newRow("bad quorum") << QByteArray("{\"templates\": {\"t\": {\"steps\": [{\"name\": \"s\", \"groups\": [\"g\"],\n\"quorum\": 0}]}}}") << 2 << QStringLiteral("\"quorum\" must be a whole number");
    QTest::newRow("same_context not bound") << QByteArray("{\"templates\": {\"t\": {\"steps\": [{\"name\": \"s\", \"groups\": [\"g\"]}],\n\"broaden\": {\"resources\": true, \"same_context\": [\"tenant\"]}}}}") << 2 << QStringLiteral("must also be listed in \"relevant_context\"");
    QTest::newRow("default above max") << QByteArray("{\"templates\": {\"t\": {\"steps\": [{\"name\": \"s\", \"groups\": [\"g\"]}], \"max_duration\": \"1h\",\n\"default_duration\": \"2h\"}}}") << 2 << QStringLiteral("longer than \"max_duration\"");
    QTest::newRow("auto approval without duration") << QByteArray("{\"templates\": {\"t\": {\n\"auto_approve\": {}}}}") << 2 << QStringLiteral("needs a \"duration\"");
    QTest::newRow("auto approval bad condition") << QByteArray("{\"templates\": {\"t\": {\"auto_approve\": {\"duration\": \"5m\", \"when\":\n{\"attr\": \"subject.id\", \"like\": \"a\"}}}}}") << 2 << QStringLiteral("unknown operator \"like\"");
    QTest::newRow("display not object") << QByteArray("{\"templates\": {\"t\": {\"steps\": [{\"name\": \"s\", \"groups\": [\"g\"]}],\n\"display\": \"x\"}}}") << 2 << QStringLiteral("\"display\" must be an object");
    // Catalogs: every row has the steps and a request schema that describes /context/e, so only the catalog is wrong.
    const QByteArray catalogTemplate = "{\"templates\": {\"t\": {\"steps\": [{\"name\": \"s\", \"groups\": [\"g\"]}], \"relevant_context\": [\"tenant\"], "
                                       "\"request_schema\": {\"properties\": {\"context\": {\"properties\": {\"e\": {\"type\": \"string\"}}}}},\n";
    QTest::newRow("catalogs without schema") << QByteArray("{\"templates\": {\"t\": {\"steps\": [{\"name\": \"s\", \"groups\": [\"g\"]}],\n\"catalogs\": {\"/context/e\": {\"items\": [{\"value\": \"a\", \"label\": \"A\"}]}}}}}") << 2 << QStringLiteral("declares \"catalogs\" but no \"request_schema\"");
    QTest::newRow("catalogs not object") << catalogTemplate + "\"catalogs\": []}}}" << 2 << QStringLiteral("\"catalogs\" must be a non-empty object");
    QTest::newRow("catalog field outside context") << catalogTemplate + "\"catalogs\": {\"/subject/id\": {\"items\": [{\"value\": \"a\", \"label\": \"A\"}]}}}}}" << 2 << QStringLiteral("invalid catalog field \"/subject/id\"");
    QTest::newRow("catalog field not in schema") << catalogTemplate + "\"catalogs\": {\"/context/other\": {\"items\": [{\"value\": \"a\", \"label\": \"A\"}]}}}}}" << 2 << QStringLiteral("does not describe the catalog field \"/context/other\"");
    QTest::newRow("catalog without items") << catalogTemplate + "\"catalogs\": {\"/context/e\": {\"items\": []}}}}}" << 2 << QStringLiteral("needs \"items\": a non-empty array");
    QTest::newRow("catalog unknown member") << catalogTemplate + "\"catalogs\": {\"/context/e\": {\"entries\": []}}}}}" << 2 << QStringLiteral("unknown member \"entries\" in the catalog of \"/context/e\"");
    QTest::newRow("catalog item without label") << catalogTemplate + "\"catalogs\": {\"/context/e\": {\"items\": [\n{\"value\": \"a\"}]}}}}}" << 3 << QStringLiteral("needs \"label\" as a non-empty string");
    QTest::newRow("catalog item value not string") << catalogTemplate + "\"catalogs\": {\"/context/e\": {\"items\": [{\"label\": \"A\",\n\"value\": 7}]}}}}}" << 3 << QStringLiteral("\"value\" of a catalog item must be a non-empty string, got a number");
    QTest::newRow("catalog item unknown member") << catalogTemplate + "\"catalogs\": {\"/context/e\": {\"items\": [\n{\"value\": \"a\", \"label\": \"A\", \"risk\": \"low\"}]}}}}}" << 3 << QStringLiteral("unknown member \"risk\" in catalog item");
    QTest::newRow("catalog item retired not bool") << catalogTemplate + "\"catalogs\": {\"/context/e\": {\"items\": [{\"value\": \"a\", \"label\": \"A\",\n\"retired\": \"yes\"}]}}}}}" << 3 << QStringLiteral("\"retired\" must be true or false");
    QTest::newRow("catalog item bad owner") << catalogTemplate + "\"catalogs\": {\"/context/e\": {\"items\": [{\"value\": \"a\", \"label\": \"A\",\n\"owner\": 3}]}}}}}" << 3 << QStringLiteral("\"owner\" must be a non-empty string or an object");
    QTest::newRow("catalog duplicate value") << catalogTemplate + "\"catalogs\": {\"/context/e\": {\"items\": [{\"value\": \"a\", \"label\": \"A\"},\n{\"value\": \"a\", \"label\": \"B\"}]}}}}}" << 3 << QStringLiteral("lists the value \"a\" twice");
    QTest::newRow("catalog item bad condition") << catalogTemplate + "\"catalogs\": {\"/context/e\": {\"items\": [{\"value\": \"a\", \"label\": \"A\", \"when\":\n{\"attr\": \"subject.id\", \"like\": \"x\"}}]}}}}}" << 3 << QStringLiteral("unknown operator \"like\"");
    QTest::newRow("catalog item unbound context") << catalogTemplate + "\"catalogs\": {\"/context/e\": {\"items\": [{\"value\": \"a\", \"label\": \"A\", \"when\":\n{\"attr\": \"context.region\", \"equals\": \"eu\"}}]}}}}}" << 3 << QStringLiteral("reads context.region, but a catalog sees only the context members listed in \"relevant_context\"");
    QTest::newRow("entity without id") << QByteArray("{\"entities\": {\"subjects\": [\n{\"type\": \"user\"}]}}") << 2 << QStringLiteral("needs \"type\" and \"id\"");
    QTest::newRow("duplicate entity") << QByteArray("{\"entities\": {\"actions\": [{\"name\": \"read\"},\n{\"name\": \"read\"}]}}") << 2 << QStringLiteral("declared twice");
}

void TestPolicySet::loadErrors()
{
    QFETCH(QByteArray, document);
    QFETCH(int, line);
    QFETCH(QString, message);

    const QList<LoadError> errors = collectLoadErrors(document);
    QVERIFY(!errors.isEmpty());
    QVERIFY2(errors.first().message.contains(message), qPrintable(errors.first().toString()));
    QCOMPARE(errors.first().line, line);
}

void TestPolicySet::catalogItemsOffered()
{
    const auto set = load(R"({"templates": {"t": {
        "steps": [{"name": "s", "groups": ["g"]}],
        "relevant_context": ["tenant"],
        "request_schema": {"properties": {"context": {"properties": {"e": {"type": "string"}}}}},
        "catalogs": {"/context/e": {"items": [
            {"value": "open", "label": "Open", "description": "D", "risk_level": "low", "owner": {"team": "x"}},
            {"value": "acme-only", "label": "Acme", "when": {"attr": "context.tenant", "equals": "acme"}},
            {"value": "old", "label": "Old", "retired": true}
        ]}}
    }}})");
    QVERIFY(set);
    const Template *tmpl = set->findTemplate(QStringLiteral("t"));
    QVERIFY(tmpl);
    QCOMPARE(tmpl->catalogs.size(), 1);
    const Catalog &catalog = tmpl->catalogs.first();
    QCOMPARE(catalog.pointer, QStringLiteral("/context/e"));
    QCOMPARE(catalog.items.size(), 3);
    QCOMPARE(catalog.items.at(0).description, QStringLiteral("D"));
    QCOMPARE(catalog.items.at(0).riskLevel, QStringLiteral("low"));
    QVERIFY(catalog.items.at(0).owner.isObject());

    const Request acme = request(R"({"subject": {"type": "user", "id": "u"}, "context": {"tenant": "acme"}})");
    const Request globex = request(R"({"subject": {"type": "user", "id": "u"}, "context": {"tenant": "globex"}})");
    QVERIFY(catalogItemOffered(catalog.items.at(0), globex));
    QVERIFY(catalogItemOffered(catalog.items.at(1), acme));
    QVERIFY(!catalogItemOffered(catalog.items.at(1), globex));
    QVERIFY(!catalogItemOffered(catalog.items.at(2), acme));
}

void TestPolicySet::duplicateRuleIdsAcrossFiles()
{
    const QList<LoadError> errors = collectLoadErrors({
        {QStringLiteral("a.json"), "{\"rules\": [\n{\"id\": \"same\", \"effect\": \"permit\"}]}"},
        {QStringLiteral("b.json"), "{\"rules\": [\n\n{\"id\": \"same\", \"effect\": \"forbid\"}]}"},
    });
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().file, QStringLiteral("b.json"));
    QCOMPARE(errors.first().line, 3);
    QCOMPARE(errors.first().message, QStringLiteral("duplicate rule id \"same\"; it is already defined at a.json:2"));
}

void TestPolicySet::duplicateTemplateAcrossFiles()
{
    const QList<LoadError> errors = collectLoadErrors({
        {QStringLiteral("a.json"), "{\"templates\": {\"t\": " + kTemplate + "}}"},
        {QStringLiteral("b.json"), "{\"templates\": {\"t\": " + kTemplate + "}}"},
    });
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().file, QStringLiteral("b.json"));
    QVERIFY2(errors.first().message.startsWith(QStringLiteral("duplicate template \"t\"; it is already defined at a.json:1")), qPrintable(errors.first().message));
}

void TestPolicySet::unknownTemplate()
{
    const QList<LoadError> errors = collectLoadErrors({
        {QStringLiteral("templates.json"), "{\"templates\": {\"known\": " + kTemplate + "}}"},
        {QStringLiteral("rules.json"), "{\"rules\": [{\"id\": \"r\", \"effect\": \"requestable\",\n\"template\": \"missing\"}]}"},
    });
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().file, QStringLiteral("rules.json"));
    QCOMPARE(errors.first().line, 2);
    QCOMPARE(errors.first().message, QStringLiteral("rule \"r\" names template \"missing\", which is not defined; defined templates: \"known\""));
}

void TestPolicySet::templateFields()
{
    const auto set = load(R"({"templates": {"full": {
        "title": "Full template",
        "reason": "approval_required",
        "hint_lifetime": "15m",
        "relevant_context": ["tenant", "ip"],
        "steps": [{"name": "manager", "groups": ["managers", "leads"], "quorum": 2}, {"name": "security", "groups": ["security"]}],
        "max_duration": "2d",
        "default_duration": "90s",
        "task_lifetime": "12h",
        "broaden": {"resources": true, "actions": true, "same_context": ["tenant"]},
        "auto_approve": {"duration": "30m"},
        "provisioning_delay": "0s",
        "display": {"title": "Shown"},
        "request_schema": {"type": "object"}
    }, "minimal": {"steps": [{"name": "only", "groups": ["g"]}]}}})");
    QVERIFY(set);
    QCOMPARE(set->templateNames().size(), 2);

    const Template *full = set->findTemplate(QStringLiteral("full"));
    QVERIFY(full);
    QCOMPARE(full->title, QStringLiteral("Full template"));
    QCOMPARE(full->hintLifetimeSeconds, 900);
    QCOMPARE(full->relevantContext, (QStringList{"tenant", "ip"}));
    QCOMPARE(full->steps.size(), 2);
    QCOMPARE(full->steps.at(0).groups, (QStringList{"managers", "leads"}));
    QCOMPARE(full->steps.at(0).quorum, 2);
    QCOMPARE(full->steps.at(1).quorum, 1);
    QCOMPARE(full->maxDurationSeconds, 2 * 86400);
    QCOMPARE(full->defaultDurationSeconds, 90);
    QCOMPARE(full->taskLifetimeSeconds, 12 * 3600);
    QVERIFY(full->broaden.resources);
    QVERIFY(full->broaden.actions);
    QCOMPARE(full->broaden.sameContextMembers, QStringList{"tenant"});
    QVERIFY(full->autoApproval);
    QCOMPARE(full->autoApproval->durationSeconds, 1800);
    QVERIFY(full->autoApproval->condition.isEmpty());
    QCOMPARE(full->provisioningDelaySeconds, 0);
    QCOMPARE(full->display.value(QStringLiteral("title")).toString(), QStringLiteral("Shown"));
    QCOMPARE(full->requestSchema.value(QStringLiteral("type")).toString(), QStringLiteral("object"));

    const Template *minimal = set->findTemplate(QStringLiteral("minimal"));
    QVERIFY(minimal);
    QCOMPARE(minimal->title, QStringLiteral("minimal"));
    QCOMPARE(minimal->reason, QStringLiteral("approval_required"));
    QCOMPARE(minimal->hintLifetimeSeconds, 600);
    QCOMPARE(minimal->maxDurationSeconds, 8 * 3600);
    QCOMPARE(minimal->taskLifetimeSeconds, 24 * 3600);
    QVERIFY(!minimal->broaden.resources);
    QVERIFY(!minimal->autoApproval);
    QVERIFY(!set->findTemplate(QStringLiteral("absent")));
}

void TestPolicySet::timeContextWarns()
{
    // "time" differs on every request, so binding it loads but is logged as a likely mistake.
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("^policy\\.json:2: template \"t\" binds \"time\"")));
    const auto set = load("{\"templates\": {\"t\": {\"steps\": [{\"name\": \"s\", \"groups\": [\"g\"]}],\n\"relevant_context\": [\"tenant\", \"time\"]}}}");
    QVERIFY(set);
    QCOMPARE(set->findTemplate(QStringLiteral("t"))->relevantContext, (QStringList{"tenant", "time"}));
}

void TestPolicySet::autoApproval()
{
    const auto set = load(R"({"templates": {
        "conditional": {"auto_approve": {"duration": "30m", "when": {"attr": "resource.properties.risk", "in": ["low", "none"]}}},
        "always": {"auto_approve": {"duration": "5m"}},
        "never": {"steps": [{"name": "s", "groups": ["g"]}]}
    }})");
    QVERIFY(set);

    const Request low = request(R"({"resource": {"type": "tool", "id": "t", "properties": {"risk": "low"}}})");
    const Request high = request(R"({"resource": {"type": "tool", "id": "t", "properties": {"risk": "high"}}})");
    const Template *conditional = set->findTemplate(QStringLiteral("conditional"));
    QCOMPARE(conditional->autoApproval->condition.value(QStringLiteral("attr")).toString(), QStringLiteral("resource.properties.risk"));
    QVERIFY(set->autoApproves(*conditional, low));
    QVERIFY(!set->autoApproves(*conditional, high));
    QVERIFY(set->autoApproves(*set->findTemplate(QStringLiteral("always")), high));
    QVERIFY(!set->autoApproves(*set->findTemplate(QStringLiteral("never")), low));
}

void TestPolicySet::entities()
{
    const auto set = load({
        {QStringLiteral("a.json"), R"({"entities": {"subjects": [{"type": "user", "id": "alice"}], "actions": [{"name": "read"}]}})"},
        {QStringLiteral("b.json"), R"({"entities": {"subjects": [{"type": "user", "id": "bob", "properties": {"role": "admin"}}],
            "resources": [{"type": "doc", "id": "d1"}]}})"},
    });
    QVERIFY(set);
    QCOMPARE(set->subjects().size(), 2);
    QCOMPARE(set->subjects().at(1).value(QStringLiteral("properties")).toObject().value(QStringLiteral("role")).toString(), QStringLiteral("admin"));
    QCOMPARE(set->resources().size(), 1);
    QCOMPARE(set->actions().size(), 1);
    QCOMPARE(set->files(), (QStringList{"a.json", "b.json"}));
    QCOMPARE(set->ruleCount(), 0);

    // The same id under another type is a different entity.
    QVERIFY(load(R"({"entities": {"subjects": [{"type": "user", "id": "x"}, {"type": "agent", "id": "x"}]}})"));
}

void TestPolicySet::loadFolderReadsJsonFilesInOrder()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto write = [&](const QString &name, const QByteArray &content) {
        QFile file(dir.filePath(name));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
    };
    write(QStringLiteral("20-rules.json"), R"({"rules": [{"id": "second", "effect": "permit"}]})");
    write(QStringLiteral("10-rules.json"), R"({"rules": [{"id": "first", "effect": "permit"}]})");
    write(QStringLiteral("notes.txt"), "not a policy");
    QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("sub.json")));

    auto result = PolicySet::loadFolder(dir.path());
    QVERIFY(std::holds_alternative<std::shared_ptr<const PolicySet>>(result));
    const auto set = std::get<std::shared_ptr<const PolicySet>>(result);
    QCOMPARE(set->files(), (QStringList{"10-rules.json", "20-rules.json"}));
    QCOMPARE(set->explain(request("{}")).ruleId, QStringLiteral("first"));
}

void TestPolicySet::loadFolderErrors()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    auto empty = PolicySet::loadFolder(dir.path());
    QVERIFY(std::holds_alternative<QList<LoadError>>(empty));
    QVERIFY(std::get<QList<LoadError>>(empty).first().message.contains(QStringLiteral("no *.json files")));

    auto missing = PolicySet::loadFolder(dir.filePath(QStringLiteral("absent")));
    QVERIFY(std::holds_alternative<QList<LoadError>>(missing));
    QVERIFY(std::get<QList<LoadError>>(missing).first().message.contains(QStringLiteral("not found")));

    QVERIFY(collectLoadErrors(QList<QPair<QString, QByteArray>>{}).first().message.contains(QStringLiteral("no policy files")));
}

void TestPolicySet::resolveFolder()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    const auto resolved = resolvePolicyFolder(dir.path());
    QVERIFY(resolved.ok());
    QCOMPARE(*resolved, QDir::cleanPath(dir.path()));

    // A plain name selects the shipped pack even beside a folder of that name; "./demo" selects
    // the folder.
    QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("demo")));
    const QString previous = QDir::currentPath();
    QVERIFY(QDir::setCurrent(dir.path()));
    const auto pack = resolvePolicyFolder(QStringLiteral("demo"));
    const auto local = resolvePolicyFolder(QStringLiteral("./demo"));
    QVERIFY(QDir::setCurrent(previous));
    QVERIFY(pack.ok());
    QCOMPARE(*pack, QDir::cleanPath(packFolder(QStringLiteral("demo"))));
    QVERIFY(local.ok());
    QCOMPARE(*local, QDir::cleanPath(dir.filePath(QStringLiteral("demo"))));
}

void TestPolicySet::resolvePackName()
{
    const auto fromSource = resolvePolicyFolder(QStringLiteral("certification"));
    QVERIFY2(fromSource.ok(), qPrintable(fromSource.ok() ? QString() : fromSource.error().message));
    QCOMPARE(*fromSource, QDir::cleanPath(packFolder(QStringLiteral("certification"))));

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("certification")));
    qputenv("RECOURSE_POLICY_DIR", dir.path().toUtf8());
    const auto fromEnvironment = resolvePolicyFolder(QStringLiteral("certification"));
    qunsetenv("RECOURSE_POLICY_DIR");
    QVERIFY(fromEnvironment.ok());
    QCOMPARE(*fromEnvironment, QDir::cleanPath(dir.filePath(QStringLiteral("certification"))));
}

void TestPolicySet::resolveRejectsUnknownNames()
{
    const auto unknown = resolvePolicyFolder(QStringLiteral("no-such-pack"));
    QVERIFY(!unknown.ok());
    QCOMPARE(unknown.error().code, Recourse::ErrorCode::NotFound);
    QVERIFY(unknown.error().message.contains(QStringLiteral("no-such-pack")));

    QVERIFY(!resolvePolicyFolder(QStringLiteral("../policies/demo/../../x")).ok());
    QVERIFY(!resolvePolicyFolder(QString()).ok());
}

QTEST_GUILESS_MAIN(TestPolicySet)
#include "tst_policyset.moc"
