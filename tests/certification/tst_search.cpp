// Policy::search over an in-memory policy set: which declared entities a search returns, with
// which properties candidates are evaluated, and when the result is empty.

#include "core/policy/search.h"

#include <QJsonDocument>
#include <QTest>

using namespace Recourse::Policy;

namespace {

// Staff may read documents, only admins may edit them, contractors may request edits, and no one
// reads a document classified "secret".
const QByteArray kPack = R"({
  "entities": {
    "subjects": [
      {"type": "user", "id": "ann", "properties": {"role": "admin"}},
      {"type": "user", "id": "ben", "properties": {"role": "staff"}},
      {"type": "user", "id": "cy", "properties": {"role": "contractor"}},
      {"type": "service", "id": "indexer", "properties": {"role": "admin"}}
    ],
    "resources": [
      {"type": "document", "id": "handbook", "properties": {"classification": "public"}},
      {"type": "document", "id": "payroll", "properties": {"classification": "secret"}},
      {"type": "folder", "id": "archive"}
    ],
    "actions": [
      {"name": "read"},
      {"name": "edit"},
      {"name": "purge", "properties": {"irreversible": true}}
    ]
  },
  "templates": {
    "edit_review": {"steps": [{"name": "owner", "groups": ["owners"]}]}
  },
  "rules": [
    {"id": "secret-documents-sealed", "effect": "forbid",
     "match": {"action.name": "read", "resource.properties.classification": "secret"}},
    {"id": "staff-and-admins-read", "effect": "permit",
     "match": {"action.name": "read", "resource.type": "document", "subject.properties.role": ["staff", "admin"]}},
    {"id": "admins-edit", "effect": "permit",
     "match": {"action.name": "edit", "subject.properties.role": "admin"}},
    {"id": "contractors-request-edits", "effect": "requestable", "template": "edit_review",
     "match": {"action.name": "edit", "subject.properties.role": "contractor"}},
    {"id": "admins-purge-reversibly", "effect": "permit",
     "match": {"action.name": "purge", "subject.properties.role": "admin"},
     "when": {"not": {"attr": "action.properties.irreversible", "equals": true}}}
  ]
})";

Request requestFrom(const QByteArray &json)
{
    const QJsonObject object = QJsonDocument::fromJson(json).object();
    return Request{object.value(QStringLiteral("subject")).toObject(), object.value(QStringLiteral("resource")).toObject(),
                   object.value(QStringLiteral("action")).toObject(), object.value(QStringLiteral("context")).toObject()};
}

QJsonObject user(const char *id)
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("user")}, {QStringLiteral("id"), QLatin1String(id)}};
}

QJsonObject document(const char *id)
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("document")}, {QStringLiteral("id"), QLatin1String(id)}};
}

QJsonObject action(const char *name)
{
    return QJsonObject{{QStringLiteral("name"), QLatin1String(name)}};
}

} // namespace

class tst_Search : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void searches_data();
    void searches();
    void searchedEntityPropertiesIgnored();
    void fixedEntitiesEvaluatedAsSent();
    void packWithoutActionsFindsNothing();

private:
    std::shared_ptr<const PolicySet> m_policy;
};

void tst_Search::initTestCase()
{
    auto loaded = PolicySet::loadDocuments({{QStringLiteral("pack.json"), kPack}});
    if (auto *errors = std::get_if<QList<LoadError>>(&loaded))
        QFAIL(qPrintable(errors->value(0).toString()));
    m_policy = std::get<std::shared_ptr<const PolicySet>>(loaded);
}

void tst_Search::searches_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QList<QJsonObject>>("expected");

    const int subjects = int(SearchKind::Subject);
    const int resources = int(SearchKind::Resource);
    const int actions = int(SearchKind::Action);

    // Declared roles decide, and the admin of type service is not a user.
    QTest::newRow("users who read the handbook")
        << subjects << QByteArray(R"({"subject":{"type":"user"},"action":{"name":"read"},"resource":{"type":"document","id":"handbook"}})")
        << QList<QJsonObject>{user("ann"), user("ben")};
    QTest::newRow("requestable edits are not results")
        << subjects << QByteArray(R"({"subject":{"type":"user"},"action":{"name":"edit"},"resource":{"type":"document","id":"handbook"}})")
        << QList<QJsonObject>{user("ann")};
    QTest::newRow("services who edit")
        << subjects << QByteArray(R"({"subject":{"type":"service"},"action":{"name":"edit"},"resource":{"type":"document","id":"handbook"}})")
        << QList<QJsonObject>{QJsonObject{{QStringLiteral("type"), QStringLiteral("service")}, {QStringLiteral("id"), QStringLiteral("indexer")}}};
    // The payroll's declared classification seals it for reading.
    QTest::newRow("documents ben reads")
        << resources << QByteArray(R"({"subject":{"type":"user","id":"ben","properties":{"role":"staff"}},"action":{"name":"read"},"resource":{"type":"document"}})")
        << QList<QJsonObject>{document("handbook")};
    QTest::newRow("folders ben reads")
        << resources << QByteArray(R"({"subject":{"type":"user","id":"ben","properties":{"role":"staff"}},"action":{"name":"read"},"resource":{"type":"folder"}})")
        << QList<QJsonObject>{};
    // purge is declared irreversible, so no admin may purge as declared.
    QTest::newRow("actions of an admin on the handbook")
        << actions << QByteArray(R"({"subject":{"type":"user","id":"ann","properties":{"role":"admin"}},"resource":{"type":"document","id":"handbook"}})")
        << QList<QJsonObject>{action("read"), action("edit")};
    QTest::newRow("unknown subject type") << subjects << QByteArray(R"({"subject":{"type":"robot"},"action":{"name":"read"},"resource":{"type":"document","id":"handbook"}})")
                                          << QList<QJsonObject>{};
    QTest::newRow("undeclared fixed resource")
        << subjects << QByteArray(R"({"subject":{"type":"user"},"action":{"name":"read"},"resource":{"type":"document","id":"memo"}})")
        << QList<QJsonObject>{};
    QTest::newRow("fixed resource of another type")
        << subjects << QByteArray(R"({"subject":{"type":"user"},"action":{"name":"read"},"resource":{"type":"folder","id":"handbook"}})")
        << QList<QJsonObject>{};
    QTest::newRow("undeclared fixed action")
        << subjects << QByteArray(R"({"subject":{"type":"user"},"action":{"name":"print"},"resource":{"type":"document","id":"handbook"}})")
        << QList<QJsonObject>{};
    QTest::newRow("undeclared fixed subject")
        << actions << QByteArray(R"({"subject":{"type":"user","id":"dee","properties":{"role":"admin"}},"resource":{"type":"document","id":"handbook"}})")
        << QList<QJsonObject>{};
}

void tst_Search::searches()
{
    QFETCH(int, kind);
    QFETCH(QByteArray, request);
    QFETCH(QList<QJsonObject>, expected);

    QCOMPARE(search(*m_policy, SearchKind(kind), requestFrom(request)), expected);
}

void tst_Search::searchedEntityPropertiesIgnored()
{
    // The searched subject's properties do not filter or replace the candidates' declared ones.
    const auto plain = search(*m_policy, SearchKind::Subject, requestFrom(R"({"subject":{"type":"user"},
        "action":{"name":"edit"},"resource":{"type":"document","id":"handbook"}})"));
    const auto withProperties = search(*m_policy, SearchKind::Subject, requestFrom(R"({"subject":{"type":"user","id":"ben",
        "properties":{"role":"admin"}},"action":{"name":"edit"},"resource":{"type":"document","id":"handbook"}})"));

    QCOMPARE(plain, QList<QJsonObject>{user("ann")});
    QCOMPARE(withProperties, plain);
}

void tst_Search::fixedEntitiesEvaluatedAsSent()
{
    // Without properties ben is no staff member, and with them he is, whatever the pack declares.
    const auto bare = search(*m_policy, SearchKind::Resource, requestFrom(R"({"subject":{"type":"user","id":"ben"},
        "action":{"name":"read"},"resource":{"type":"document"}})"));
    QCOMPARE(bare, QList<QJsonObject>{});

    // The payroll is sealed through its own declared classification, not the request's context.
    const auto asAdmin = search(*m_policy, SearchKind::Resource, requestFrom(R"({"subject":{"type":"user","id":"ben",
        "properties":{"role":"admin"}},"action":{"name":"read"},"resource":{"type":"document"},"context":{"classification":"public"}})"));
    QCOMPARE(asAdmin, QList<QJsonObject>{document("handbook")});

    // Properties sent for a fixed resource replace the declared ones.
    const auto declassified = search(*m_policy, SearchKind::Subject, requestFrom(R"({"subject":{"type":"user"},
        "action":{"name":"read"},"resource":{"type":"document","id":"payroll","properties":{"classification":"public"}}})"));
    QCOMPARE(declassified, (QList<QJsonObject>{user("ann"), user("ben")}));
}

void tst_Search::packWithoutActionsFindsNothing()
{
    auto loaded = PolicySet::loadDocuments({{QStringLiteral("pack.json"), R"({
        "entities": {"subjects": [{"type": "user", "id": "ann"}], "resources": [{"type": "document", "id": "handbook"}]},
        "rules": [{"id": "all-read", "effect": "permit", "match": {"action.name": "read"}}]})"}});
    QVERIFY(std::holds_alternative<std::shared_ptr<const PolicySet>>(loaded));
    const auto policy = std::get<std::shared_ptr<const PolicySet>>(loaded);

    // The action is not declared, so it is unknown and nothing matches, although a plain
    // evaluation of the same request permits.
    const Request request = requestFrom(R"({"subject":{"type":"user"},"action":{"name":"read"},
        "resource":{"type":"document","id":"handbook"}})");
    QCOMPARE(search(*policy, SearchKind::Subject, request), QList<QJsonObject>{});
    Request evaluated = request;
    evaluated.subject = user("ann");
    QCOMPARE(policy->evaluate(evaluated).effect, Effect::Permit);
}

QTEST_GUILESS_MAIN(tst_Search)
#include "tst_search.moc"
