#include "policytesthelpers.h"

#include <QTest>

using namespace Recourse::Policy;
using namespace PolicyTest;

class TestPolicyPacks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void packsLoad_data();
    void packsLoad();
    void packExampleRequests_data();
    void packExampleRequests();
    void certificationDecisions_data();
    void certificationDecisions();
    void certificationEntities();
    void certificationSearchFixture_data();
    void certificationSearchFixture();
    void arapDecisions_data();
    void arapDecisions();
    void arapTemplates();
    void arapAutoApproval();
    void demoDecisions_data();
    void demoDecisions();
    void demoTemplates();
};

void TestPolicyPacks::packsLoad_data()
{
    QTest::addColumn<QString>("pack");
    QTest::newRow("certification") << QStringLiteral("certification");
    QTest::newRow("arap-conformance") << QStringLiteral("arap-conformance");
    QTest::newRow("demo") << QStringLiteral("demo");
}

void TestPolicyPacks::packsLoad()
{
    QFETCH(QString, pack);
    const auto set = loadPack(pack);
    QVERIFY(set);
    QVERIFY(set->ruleCount() > 0);
    QVERIFY(!set->subjects().isEmpty());
    QVERIFY(!set->resources().isEmpty());
    QVERIFY(!set->actions().isEmpty());
}

void TestPolicyPacks::packExampleRequests_data()
{
    QTest::addColumn<QString>("pack");
    QTest::addColumn<Effect>("effect");
    QTest::addColumn<QString>("rule");
    QTest::newRow("certification") << QStringLiteral("certification") << Effect::Permit << QString();
    QTest::newRow("arap-conformance") << QStringLiteral("arap-conformance") << Effect::Requestable
                                      << QStringLiteral("q4-documents-need-manager-approval");
    QTest::newRow("demo") << QStringLiteral("demo") << Effect::Requestable << QStringLiteral("payment-logs-need-approval");
}

void TestPolicyPacks::packExampleRequests()
{
    QFETCH(QString, pack);
    QFETCH(Effect, effect);
    QFETCH(QString, rule);
    const auto set = loadPack(pack);
    QVERIFY(set);

    // Each pack's example is decided as the console's "test a request" view will show it.
    const QJsonObject example = set->exampleRequest();
    QVERIFY(!example.isEmpty());
    const Decision decision = set->evaluate(request(QJsonDocument(example).toJson()));
    QCOMPARE(decision.effect, effect);
    if (!rule.isEmpty())
        QCOMPARE(decision.ruleId, rule);
    QVERIFY(!example.value(u"subject").toObject().value(u"id").toString().isEmpty());
    QVERIFY(!example.value(u"action").toObject().value(u"name").toString().isEmpty());
}

void TestPolicyPacks::certificationDecisions_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<bool>("decision");

    // The eight decisions of the AuthZEN Authorization API 1.0 certification fixture.
    QTest::newRow("1 alice read record-1") << QByteArray(R"({"subject": {"type": "user", "id": "alice"}, "action": {"name": "read"}, "resource": {"type": "record", "id": "record-1"}})") << true;
    QTest::newRow("2 alice write record-1") << QByteArray(R"({"subject": {"type": "user", "id": "alice"}, "action": {"name": "write"}, "resource": {"type": "record", "id": "record-1"}})") << true;
    QTest::newRow("3 bob read record-1") << QByteArray(R"({"subject": {"type": "user", "id": "bob"}, "action": {"name": "read"}, "resource": {"type": "record", "id": "record-1"}})") << true;
    QTest::newRow("4 bob write record-1") << QByteArray(R"({"subject": {"type": "user", "id": "bob"}, "action": {"name": "write"}, "resource": {"type": "record", "id": "record-1"}})") << false;
    QTest::newRow("5 alice write archived") << QByteArray(R"({"subject": {"type": "user", "id": "alice"}, "action": {"name": "write"}, "resource": {"type": "record", "id": "record-2", "properties": {"status": "archived"}}})") << false;
    QTest::newRow("6 admin write archived") << QByteArray(R"({"subject": {"type": "user", "id": "bob", "properties": {"role": "admin"}}, "action": {"name": "write"}, "resource": {"type": "record", "id": "record-2", "properties": {"status": "archived"}}})") << true;
    QTest::newRow("7 alice soft delete") << QByteArray(R"({"subject": {"type": "user", "id": "alice"}, "action": {"name": "delete", "properties": {"soft": true}}, "resource": {"type": "record", "id": "record-1"}})") << true;
    QTest::newRow("8 alice hard delete") << QByteArray(R"({"subject": {"type": "user", "id": "alice"}, "action": {"name": "delete", "properties": {"soft": false}}, "resource": {"type": "record", "id": "record-1"}})") << false;
    // The scenario's structural requests must keep the fixture decision.
    QTest::newRow("context does not change 1") << QByteArray(R"({"subject": {"type": "user", "id": "alice"}, "action": {"name": "read"}, "resource": {"type": "record", "id": "record-1"}, "context": {"time": "2025-06-27T18:03-07:00", "ip": "192.168.1.1"}})") << true;
    QTest::newRow("extra properties keep 1") << QByteArray(R"({"subject": {"type": "user", "id": "alice", "properties": {"department": "Sales", "role": "manager"}}, "action": {"name": "read", "properties": {"method": "GET"}}, "resource": {"type": "record", "id": "record-1", "properties": {"status": "active", "owner": "bob"}}})") << true;
    QTest::newRow("context does not change 4") << QByteArray(R"({"subject": {"type": "user", "id": "bob"}, "action": {"name": "write"}, "resource": {"type": "record", "id": "record-1"}, "context": {"ip": "10.0.0.1"}})") << false;
}

void TestPolicyPacks::certificationDecisions()
{
    QFETCH(QByteArray, request);
    QFETCH(bool, decision);

    const auto set = loadPack(QStringLiteral("certification"));
    QVERIFY(set);
    const Decision result = set->explain(PolicyTest::request(request));
    QVERIFY2((result.effect == Effect::Permit) == decision, qPrintable(result.explanation));
    PolicyTest::compareFlatDecision(*set, request);
}

void TestPolicyPacks::certificationEntities()
{
    const auto set = loadPack(QStringLiteral("certification"));
    QVERIFY(set);

    QCOMPARE(set->subjects().size(), 2);
    QCOMPARE(set->subjects().at(0).value(QStringLiteral("id")).toString(), QStringLiteral("alice"));
    QCOMPARE(set->subjects().at(1).value(QStringLiteral("id")).toString(), QStringLiteral("bob"));
    QCOMPARE(set->subjects().at(1).value(QStringLiteral("properties")).toObject().value(QStringLiteral("role")).toString(), QStringLiteral("admin"));
    QCOMPARE(set->resources().size(), 2);
    QCOMPARE(set->resources().at(0).value(QStringLiteral("properties")).toObject().value(QStringLiteral("status")).toString(), QStringLiteral("active"));
    QCOMPARE(set->resources().at(1).value(QStringLiteral("properties")).toObject().value(QStringLiteral("status")).toString(), QStringLiteral("archived"));
    QStringList actions;
    for (const QJsonObject &action : set->actions())
        actions.append(action.value(QStringLiteral("name")).toString());
    QCOMPARE(actions, (QStringList{"read", "write", "delete"}));
}

void TestPolicyPacks::certificationSearchFixture_data()
{
    QTest::addColumn<QByteArray>("request");

    // The permits behind search expectations S1 to S6 of the certification scenario. Each request
    // carries the declared entities' properties, as a search over the declared entities would.
    QTest::newRow("S1 alice reads record-1") << QByteArray(R"({"subject": {"type": "user", "id": "alice"}, "action": {"name": "read"}, "resource": {"type": "record", "id": "record-1", "properties": {"status": "active"}}})");
    QTest::newRow("S1 bob reads record-1") << QByteArray(R"({"subject": {"type": "user", "id": "bob", "properties": {"role": "admin"}}, "action": {"name": "read"}, "resource": {"type": "record", "id": "record-1", "properties": {"status": "active"}}})");
    QTest::newRow("S2 alice reads a record") << QByteArray(R"({"subject": {"type": "user", "id": "alice"}, "action": {"name": "read"}, "resource": {"type": "record", "id": "record-1", "properties": {"status": "active"}}})");
    QTest::newRow("S3 alice writes record-1") << QByteArray(R"({"subject": {"type": "user", "id": "alice"}, "action": {"name": "write"}, "resource": {"type": "record", "id": "record-1", "properties": {"status": "active"}}})");
    QTest::newRow("S3 alice reads record-1") << QByteArray(R"({"subject": {"type": "user", "id": "alice"}, "action": {"name": "read"}, "resource": {"type": "record", "id": "record-1", "properties": {"status": "active"}}})");
    QTest::newRow("S4 bob writes record-2") << QByteArray(R"({"subject": {"type": "user", "id": "bob", "properties": {"role": "admin"}}, "action": {"name": "write"}, "resource": {"type": "record", "id": "record-2", "properties": {"status": "archived"}}})");
    QTest::newRow("S5 admin writes a record") << QByteArray(R"({"subject": {"type": "user", "id": "bob", "properties": {"role": "admin"}}, "action": {"name": "write"}, "resource": {"type": "record", "id": "record-2", "properties": {"status": "archived"}}})");
    QTest::newRow("S6 admin action on record-2") << QByteArray(R"({"subject": {"type": "user", "id": "bob", "properties": {"role": "admin"}}, "action": {"name": "write"}, "resource": {"type": "record", "id": "record-2", "properties": {"status": "archived"}}})");
}

void TestPolicyPacks::certificationSearchFixture()
{
    QFETCH(QByteArray, request);
    const auto set = loadPack(QStringLiteral("certification"));
    QVERIFY(set);
    QCOMPARE(set->evaluate(PolicyTest::request(request)).effect, Effect::Permit);
}

void TestPolicyPacks::arapDecisions_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<Effect>("effect");
    QTest::addColumn<QString>("templateName");

    const QByteArray alice = R"("subject": {"type": "user", "id": "alice"})";
    QTest::newRow("A1 q4-summary permitted") << "{" + alice + R"(, "action": {"name": "can_read"}, "resource": {"type": "document", "id": "q4-summary"}})" << Effect::Permit << QString();
    QTest::newRow("A1 with tenant") << "{" + alice + R"(, "action": {"name": "can_read"}, "resource": {"type": "document", "id": "q4-summary"}, "context": {"tenant": "acme"}})" << Effect::Permit << QString();
    QTest::newRow("A2 q4-plan requestable") << "{" + alice + R"(, "action": {"name": "can_read"}, "resource": {"type": "document", "id": "q4-plan"}, "context": {"tenant": "acme"}})" << Effect::Requestable << QStringLiteral("manager_approval");
    QTest::newRow("A2 without tenant") << "{" + alice + R"(, "action": {"name": "can_read"}, "resource": {"type": "document", "id": "q4-plan"}})" << Effect::Deny << QString();
    QTest::newRow("A2 null tenant") << "{" + alice + R"(, "action": {"name": "can_read"}, "resource": {"type": "document", "id": "q4-plan"}, "context": {"tenant": null}})" << Effect::Deny << QString();
    QTest::newRow("A3 delete forbidden") << "{" + alice + R"(, "action": {"name": "can_delete"}, "resource": {"type": "document", "id": "q4-plan"}, "context": {"tenant": "acme"}})" << Effect::Forbid << QString();
    QTest::newRow("A4 payment logs") << "{" + alice + R"(, "action": {"name": "can_read"}, "resource": {"type": "log", "id": "payments-provider"}, "context": {"tenant": "acme", "ip": "10.1.2.3", "device": "laptop-42"}})" << Effect::Requestable << QStringLiteral("security_review");
    QTest::newRow("A5 agent calls crm.export") << QByteArray(R"({"subject": {"type": "user", "id": "alice", "properties": {"act": {"sub": "agent-7", "sub_profile": "ai_agent"}}}, "action": {"name": "can_call"}, "resource": {"type": "tool", "id": "crm.export"}})") << Effect::Requestable << QStringLiteral("auto_low_risk");
    QTest::newRow("A6 high risk read") << "{" + alice + R"(, "action": {"name": "can_read"}, "resource": {"type": "document", "id": "q4-summary"}, "context": {"risk": "high"}})" << Effect::Forbid << QString();
    QTest::newRow("A6 high risk requestable") << "{" + alice + R"(, "action": {"name": "can_read"}, "resource": {"type": "document", "id": "q4-plan"}, "context": {"tenant": "acme", "risk": "high"}})" << Effect::Forbid << QString();
    QTest::newRow("A6 high risk any action") << QByteArray(R"({"subject": {"type": "user", "id": "carol"}, "action": {"name": "anything"}, "resource": {"type": "x", "id": "y"}, "context": {"risk": "high"}})") << Effect::Forbid << QString();
    QTest::newRow("A6 low risk unaffected") << "{" + alice + R"(, "action": {"name": "can_read"}, "resource": {"type": "document", "id": "q4-summary"}, "context": {"risk": "low"}})" << Effect::Permit << QString();
    QTest::newRow("A7 q4-budget") << "{" + alice + R"(, "action": {"name": "can_read"}, "resource": {"type": "document", "id": "q4-budget"}, "context": {"tenant": "acme"}})" << Effect::Requestable << QStringLiteral("manager_approval");
    QTest::newRow("A7 q4-roadmap") << "{" + alice + R"(, "action": {"name": "can_read"}, "resource": {"type": "document", "id": "q4-roadmap"}, "context": {"tenant": "acme"}})" << Effect::Requestable << QStringLiteral("manager_approval");
    QTest::newRow("A8 dave reads summary") << QByteArray(R"({"subject": {"type": "user", "id": "dave"}, "action": {"name": "can_read"}, "resource": {"type": "document", "id": "q4-summary"}})") << Effect::Deny << QString();
    QTest::newRow("A8 dave reads plan") << QByteArray(R"({"subject": {"type": "user", "id": "dave"}, "action": {"name": "can_read"}, "resource": {"type": "document", "id": "q4-plan"}, "context": {"tenant": "acme"}})") << Effect::Deny << QString();
    QTest::newRow("A8 dave payment logs") << QByteArray(R"({"subject": {"type": "user", "id": "dave"}, "action": {"name": "can_read"}, "resource": {"type": "log", "id": "payments-provider"}})") << Effect::Deny << QString();
    QTest::newRow("A8 dave calls tool") << QByteArray(R"({"subject": {"type": "user", "id": "dave"}, "action": {"name": "can_call"}, "resource": {"type": "tool", "id": "crm.export"}})") << Effect::Deny << QString();
    QTest::newRow("A9 q4-plan write") << "{" + alice + R"(, "action": {"name": "can_write"}, "resource": {"type": "document", "id": "q4-plan"}})" << Effect::Requestable << QStringLiteral("slow_provisioning");
}

void TestPolicyPacks::arapDecisions()
{
    QFETCH(QByteArray, request);
    QFETCH(Effect, effect);
    QFETCH(QString, templateName);

    const auto set = loadPack(QStringLiteral("arap-conformance"));
    QVERIFY(set);
    const Decision decision = set->explain(PolicyTest::request(request));
    QVERIFY2(decision.effect == effect, qPrintable(decision.explanation));
    QCOMPARE(decision.tmpl ? decision.tmpl->name : QString(), templateName);
    PolicyTest::compareFlatDecision(*set, request);
}

void TestPolicyPacks::arapTemplates()
{
    const auto set = loadPack(QStringLiteral("arap-conformance"));
    QVERIFY(set);

    const Template *manager = set->findTemplate(QStringLiteral("manager_approval"));
    QVERIFY(manager);
    QCOMPARE(manager->reason, QStringLiteral("approval_required"));
    QCOMPARE(manager->hintLifetimeSeconds, 600);
    QCOMPARE(manager->relevantContext, QStringList{QStringLiteral("tenant")});
    QCOMPARE(manager->steps.size(), 1);
    QCOMPARE(manager->steps.first().groups, QStringList{QStringLiteral("managers")});
    QCOMPARE(manager->steps.first().quorum, 1);
    QCOMPARE(manager->maxDurationSeconds, 8 * 3600);
    QVERIFY(manager->broaden.resources);
    QVERIFY(!manager->broaden.actions);
    QCOMPARE(manager->broaden.sameContextMembers, QStringList{QStringLiteral("tenant")});
    QVERIFY(!manager->autoApproval);

    const Template *security = set->findTemplate(QStringLiteral("security_review"));
    QVERIFY(security);
    QCOMPARE(security->reason, QStringLiteral("approval_required"));
    QCOMPARE(security->relevantContext, (QStringList{"tenant", "ip", "device"}));
    QCOMPARE(security->steps.size(), 2);
    QCOMPARE(security->steps.at(0).groups, QStringList{QStringLiteral("managers")});
    QCOMPARE(security->steps.at(1).groups, QStringList{QStringLiteral("security")});
    QCOMPARE(security->maxDurationSeconds, 2 * 3600);
    QVERIFY(!security->broaden.resources);
    QVERIFY(!security->broaden.actions);

    const Template *autoLowRisk = set->findTemplate(QStringLiteral("auto_low_risk"));
    QVERIFY(autoLowRisk);
    QVERIFY(autoLowRisk->autoApproval);
    QCOMPARE(autoLowRisk->autoApproval->durationSeconds, 30 * 60);

    const Template *slow = set->findTemplate(QStringLiteral("slow_provisioning"));
    QVERIFY(slow);
    QCOMPARE(slow->provisioningDelaySeconds, 5);
    QVERIFY(!slow->steps.isEmpty());

    for (const QString &name : set->templateNames())
        QCOMPARE(set->findTemplate(name)->hintLifetimeSeconds, 600);
}

void TestPolicyPacks::arapAutoApproval()
{
    const auto set = loadPack(QStringLiteral("arap-conformance"));
    QVERIFY(set);
    const Template *autoLowRisk = set->findTemplate(QStringLiteral("auto_low_risk"));
    QVERIFY(autoLowRisk);

    const Request submission = request(R"({"subject": {"type": "user", "id": "alice", "properties": {"act": {"sub": "agent-7", "sub_profile": "ai_agent"}}},
        "action": {"name": "can_call"}, "resource": {"type": "tool", "id": "crm.export"}})");
    QVERIFY(set->autoApproves(*autoLowRisk, submission));
    const Request risky = request(R"({"subject": {"type": "user", "id": "alice"}, "action": {"name": "can_call"},
        "resource": {"type": "tool", "id": "crm.export", "properties": {"risk": "high"}}})");
    QVERIFY(!set->autoApproves(*autoLowRisk, risky));
    QVERIFY(!set->autoApproves(*set->findTemplate(QStringLiteral("manager_approval")), submission));
}

void TestPolicyPacks::demoDecisions_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<Effect>("effect");
    QTest::addColumn<QString>("templateName");

    const QByteArray sam = R"("subject": {"type": "user", "id": "sam", "properties": {"department": "support"}})";
    const QByteArray samWithAgent = R"("subject": {"type": "user", "id": "sam", "properties": {"department": "support", "act": {"sub": "support-agent-7"}}})";
    QTest::newRow("billing record with tenant") << "{" + sam + R"(, "action": {"name": "read"}, "resource": {"type": "billing_record", "id": "inv-2024-0117"}, "context": {"tenant": "acme"}})" << Effect::Permit << QString();
    QTest::newRow("billing record through agent") << "{" + samWithAgent + R"(, "action": {"name": "read"}, "resource": {"type": "billing_record", "id": "inv-2024-0117"}, "context": {"tenant": "acme"}})" << Effect::Permit << QString();
    QTest::newRow("billing record without tenant") << "{" + sam + R"(, "action": {"name": "read"}, "resource": {"type": "billing_record", "id": "inv-2024-0117"}})" << Effect::Deny << QString();
    QTest::newRow("billing record outside support") << QByteArray(R"({"subject": {"type": "user", "id": "lee", "properties": {"department": "sales"}}, "action": {"name": "read"}, "resource": {"type": "billing_record", "id": "inv-2024-0117"}, "context": {"tenant": "acme"}})") << Effect::Deny << QString();
    QTest::newRow("payment logs") << "{" + sam + R"(, "action": {"name": "read"}, "resource": {"type": "log", "id": "payments-provider"}, "context": {"tenant": "acme"}})" << Effect::Requestable << QStringLiteral("payments_log_access");
    QTest::newRow("payment logs through agent") << "{" + samWithAgent + R"(, "action": {"name": "read"}, "resource": {"type": "log", "id": "payments-provider"}, "context": {"tenant": "acme"}})" << Effect::Requestable << QStringLiteral("payments_log_access");
    QTest::newRow("delete billing record") << "{" + sam + R"(, "action": {"name": "delete"}, "resource": {"type": "billing_record", "id": "inv-2024-0117"}, "context": {"tenant": "acme"}})" << Effect::Forbid << QString();
    QTest::newRow("delete log") << "{" + sam + R"(, "action": {"name": "delete"}, "resource": {"type": "log", "id": "payments-provider"}})" << Effect::Forbid << QString();
    QTest::newRow("agent calls new tool") << "{" + samWithAgent + R"(, "action": {"name": "call"}, "resource": {"type": "tool", "id": "refund-calculator", "properties": {"risk": "low"}}})" << Effect::Requestable << QStringLiteral("tool_discovery");
    QTest::newRow("agent as subject calls tool") << QByteArray(R"({"subject": {"type": "agent", "id": "support-agent-7"}, "action": {"name": "call"}, "resource": {"type": "tool", "id": "refund-calculator"}})") << Effect::Requestable << QStringLiteral("tool_discovery");
    QTest::newRow("person calls tool directly") << "{" + sam + R"(, "action": {"name": "call"}, "resource": {"type": "tool", "id": "refund-calculator"}})" << Effect::Deny << QString();
    QTest::newRow("support reads ticket") << "{" + sam + R"(, "action": {"name": "read"}, "resource": {"type": "ticket", "id": "SUP-4812"}})" << Effect::Permit << QString();
    QTest::newRow("crm entitlement") << "{" + sam + R"(, "action": {"name": "use"}, "resource": {"type": "application", "id": "crm"}, "context": {"tenant": "acme"}})" << Effect::Requestable << QStringLiteral("crm_entitlement_access");
    QTest::newRow("crm entitlement without tenant") << "{" + sam + R"(, "action": {"name": "use"}, "resource": {"type": "application", "id": "crm"}})" << Effect::Deny << QString();
    QTest::newRow("delete crm") << "{" + sam + R"(, "action": {"name": "delete"}, "resource": {"type": "application", "id": "crm"}, "context": {"tenant": "acme"}})" << Effect::Forbid << QString();
}

void TestPolicyPacks::demoDecisions()
{
    QFETCH(QByteArray, request);
    QFETCH(Effect, effect);
    QFETCH(QString, templateName);

    const auto set = loadPack(QStringLiteral("demo"));
    QVERIFY(set);
    const Decision decision = set->explain(PolicyTest::request(request));
    QVERIFY2(decision.effect == effect, qPrintable(decision.explanation));
    QCOMPARE(decision.tmpl ? decision.tmpl->name : QString(), templateName);
    PolicyTest::compareFlatDecision(*set, request);
}

void TestPolicyPacks::demoTemplates()
{
    const auto set = loadPack(QStringLiteral("demo"));
    QVERIFY(set);

    const Template *logs = set->findTemplate(QStringLiteral("payments_log_access"));
    QVERIFY(logs);
    QCOMPARE(logs->title, QStringLiteral("Payment-provider log access"));
    QCOMPARE(logs->hintLifetimeSeconds, 600);
    QCOMPARE(logs->relevantContext, QStringList{QStringLiteral("tenant")});
    QCOMPARE(logs->steps.size(), 1);
    QCOMPARE(logs->steps.first().groups, QStringList{QStringLiteral("managers")});
    QCOMPARE(logs->maxDurationSeconds, 2 * 3600);
    QVERIFY(!logs->display.value(QStringLiteral("title")).toString().isEmpty());
    QVERIFY(!logs->display.value(QStringLiteral("description")).toString().isEmpty());

    const Template *tools = set->findTemplate(QStringLiteral("tool_discovery"));
    QVERIFY(tools);
    QVERIFY(tools->autoApproval);
    QCOMPARE(tools->autoApproval->durationSeconds, 30 * 60);
    const Request lowRisk = request(R"({"subject": {"type": "agent", "id": "support-agent-7"}, "action": {"name": "call"}, "resource": {"type": "tool", "id": "refund-calculator", "properties": {"risk": "low"}}})");
    const Request highRisk = request(R"({"subject": {"type": "agent", "id": "support-agent-7"}, "action": {"name": "call"}, "resource": {"type": "tool", "id": "bulk-refund", "properties": {"risk": "high"}}})");
    // A tool whose risk the PEP does not report is not approved automatically.
    const Request unrated = request(R"({"subject": {"type": "agent", "id": "support-agent-7"}, "action": {"name": "call"}, "resource": {"type": "tool", "id": "bulk-refund"}})");
    QVERIFY(set->autoApproves(*tools, lowRisk));
    QVERIFY(!set->autoApproves(*tools, highRisk));
    QVERIFY(!set->autoApproves(*tools, unrated));

    // The CRM catalog offers billing history to support staff and the export to their manager.
    const Template *crm = set->findTemplate(QStringLiteral("crm_entitlement_access"));
    QVERIFY(crm);
    QVERIFY(!crm->requestSchema.isEmpty());
    QCOMPARE(crm->catalogs.size(), 1);
    QCOMPARE(crm->catalogs.first().pointer, QStringLiteral("/context/entitlement"));
    const Request samRequest = request(R"({"subject": {"type": "user", "id": "sam", "properties": {"department": "support"}}, "action": {"name": "use"}, "resource": {"type": "application", "id": "crm"}, "context": {"tenant": "acme"}})");
    const Request priyaRequest = request(R"({"subject": {"type": "user", "id": "priya", "properties": {"department": "support", "title": "support manager"}}, "action": {"name": "use"}, "resource": {"type": "application", "id": "crm"}, "context": {"tenant": "acme"}})");
    const Request leeRequest = request(R"({"subject": {"type": "user", "id": "lee", "properties": {"department": "sales"}}, "action": {"name": "use"}, "resource": {"type": "application", "id": "crm"}, "context": {"tenant": "acme"}})");
    const auto offered = [&](const Request &original) {
        QStringList values;
        for (const CatalogItem &item : crm->catalogs.first().items) {
            if (catalogItemOffered(item, original))
                values.append(item.value);
        }
        return values;
    };
    QCOMPARE(offered(leeRequest), (QStringList{QStringLiteral("crm.accounts.read"), QStringLiteral("crm.accounts.write")}));
    QCOMPARE(offered(samRequest), (QStringList{QStringLiteral("crm.accounts.read"), QStringLiteral("crm.accounts.write"),
                                               QStringLiteral("crm.billing.read")}));
    QCOMPARE(offered(priyaRequest), (QStringList{QStringLiteral("crm.accounts.read"), QStringLiteral("crm.accounts.write"),
                                                 QStringLiteral("crm.billing.read"), QStringLiteral("crm.export")}));
}

QTEST_GUILESS_MAIN(TestPolicyPacks)
#include "tst_policypacks.moc"
