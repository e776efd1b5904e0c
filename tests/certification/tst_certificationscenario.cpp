// The AuthZEN Authorization API 1.0 certification scenario, one test function per numbered test.
// The scenario is certification/authorization-api-1_0-scenario.md in the openid/authzen
// repository. The tests run over HTTP against the real service on 127.0.0.1 with the shipped
// `certification` pack and cover Basic, Batch and Search (Core and Properties) and Discovery.
//
// The service listens on plain http on loopback. Where the scenario requires HTTPS URLs, these
// tests expect the scheme the listener serves, because the identifiers follow it.

#include "core/policy/policy.h"
#include "tests/certification/pdptesthelpers.h"

#include <QJsonArray>
#include <QTest>
#include <QUrl>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

const QString kEvaluation = QStringLiteral("/access/v1/evaluation");
const QString kEvaluations = QStringLiteral("/access/v1/evaluations");
const QString kSubjectSearch = QStringLiteral("/access/v1/search/subject");
const QString kResourceSearch = QStringLiteral("/access/v1/search/resource");
const QString kActionSearch = QStringLiteral("/access/v1/search/action");
const QString kMetadata = QStringLiteral("/.well-known/authzen-configuration");
const QByteArray kRequestId = QByteArrayLiteral("bfe9eb29-ab87-4ca3-be83-a1d5d8305716");

// The eight required decisions of the fixture, as evaluation request bodies.
const QByteArray kRule1 = R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}})";
const QByteArray kRule2 = R"({"subject":{"type":"user","id":"alice"},"action":{"name":"write"},"resource":{"type":"record","id":"record-1"}})";
const QByteArray kRule3 = R"({"subject":{"type":"user","id":"bob"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}})";
const QByteArray kRule4 = R"({"subject":{"type":"user","id":"bob"},"action":{"name":"write"},"resource":{"type":"record","id":"record-1"}})";
const QByteArray kRule5 = R"({"subject":{"type":"user","id":"alice"},"action":{"name":"write"},
    "resource":{"type":"record","id":"record-2","properties":{"status":"archived"}}})";
const QByteArray kRule6 = R"({"subject":{"type":"user","id":"bob","properties":{"role":"admin"}},"action":{"name":"write"},
    "resource":{"type":"record","id":"record-2","properties":{"status":"archived"}}})";
const QByteArray kRule7 = R"({"subject":{"type":"user","id":"alice"},"action":{"name":"delete","properties":{"soft":true}},
    "resource":{"type":"record","id":"record-1"}})";
const QByteArray kRule8 = R"({"subject":{"type":"user","id":"alice"},"action":{"name":"delete","properties":{"soft":false}},
    "resource":{"type":"record","id":"record-1"}})";

// The search fixture requests S1 to S6.
const QByteArray kSearchS1 = R"({"subject":{"type":"user"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}})";
const QByteArray kSearchS2 = R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record"}})";
const QByteArray kSearchS3 = R"({"subject":{"type":"user","id":"alice"},"resource":{"type":"record","id":"record-1"}})";
const QByteArray kSearchS4 = R"({"subject":{"type":"user"},"action":{"name":"write"},
    "resource":{"type":"record","id":"record-2","properties":{"status":"archived"}}})";
const QByteArray kSearchS5 = R"({"subject":{"type":"user","id":"bob","properties":{"role":"admin"}},"action":{"name":"write"},
    "resource":{"type":"record"}})";
const QByteArray kSearchS6 = R"({"subject":{"type":"user","id":"bob","properties":{"role":"admin"}},
    "resource":{"type":"record","id":"record-2","properties":{"status":"archived"}}})";

void addFixtureRuleRows()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("expected");

    QTest::newRow("rule 1: alice reads record-1") << kRule1 << true;
    QTest::newRow("rule 2: alice writes record-1") << kRule2 << true;
    QTest::newRow("rule 3: bob reads record-1") << kRule3 << true;
    QTest::newRow("rule 4: bob writes record-1") << kRule4 << false;
    QTest::newRow("rule 5: alice writes an archived record") << kRule5 << false;
    QTest::newRow("rule 6: an admin writes an archived record") << kRule6 << true;
    QTest::newRow("rule 7: alice soft-deletes record-1") << kRule7 << true;
    QTest::newRow("rule 8: alice hard-deletes record-1") << kRule8 << false;
}

QJsonObject decisionBody(bool decision)
{
    return QJsonObject{{QStringLiteral("decision"), decision}};
}

bool isAbsoluteUrlOfScheme(const QJsonValue &value, const QString &scheme)
{
    const QUrl url(value.toString(), QUrl::StrictMode);
    return value.isString() && url.isValid() && url.scheme() == scheme && !url.host().isEmpty() && !url.hasQuery()
        && !url.hasFragment();
}

} // namespace

class tst_CertificationScenario : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    // Required fixture
    void c_1_1_subjects();
    void c_1_2_resources();
    void c_1_3_actions();
    void c_1_4_requiredPolicyBehaviour_data();
    void c_1_4_requiredPolicyBehaviour();
    void c_1_5_searchFixture_data();
    void c_1_5_searchFixture();
    void c_1_6_contextDoesNotChangeDecisions_data();
    void c_1_6_contextDoesNotChangeDecisions();

    // Basic: Access Evaluation API
    void c_2_1_evaluationEndpoint();
    void c_2_2_1_fixturePermit();
    void c_2_2_2_fixtureDeny();
    void c_2_2_3_optionalContext();
    void c_2_2_4_denyOnResourceProperties();
    void c_2_2_5_permitOnSubjectProperties();
    void c_2_2_6_permitOnActionProperties();
    void c_2_2_7_denyOnActionProperties();
    void c_2_2_8_additionalProperties();
    void c_2_2_9_unknownFields();
    void c_2_3_1_decisionIsBoolean_data();
    void c_2_3_1_decisionIsBoolean();
    void c_2_3_2_responseContextIsObject();
    void c_2_4_1_missingRequiredFields_data();
    void c_2_4_1_missingRequiredFields();
    void c_2_4_2_missingRequiredSubFields_data();
    void c_2_4_2_missingRequiredSubFields();
    void c_2_4_3_invalidContentType_data();
    void c_2_4_3_invalidContentType();
    void c_2_4_4_malformedJson_data();
    void c_2_4_4_malformedJson();
    void c_2_4_5_emptyBody();
    void c_2_4_6_invalidFieldTypes_data();
    void c_2_4_6_invalidFieldTypes();
    void c_2_5_1_requestIdEchoed_data();
    void c_2_5_1_requestIdEchoed();
    void c_2_5_2_requestIdAbsent();
    void c_2_6_idempotency_data();
    void c_2_6_idempotency();

    // Batch: Access Evaluations API
    void c_3_1_evaluationsEndpoint();
    void c_3_2_1_evaluationsArray();
    void c_3_2_2_fixtureDecisionsInOrder();
    void c_3_2_3_resourceProperties();
    void c_3_2_4_subjectProperties();
    void c_3_2_5_fullySpecifiedEvaluations();
    void c_3_2_6_contextInheritance();
    void c_3_2_7_defaultValueMerging();
    void c_3_3_1_lengthMatchesRequest_data();
    void c_3_3_1_lengthMatchesRequest();
    void c_3_3_2_orderMatchesRequest();
    void c_3_3_3_eachEvaluationHasDecision();
    void c_3_3_4_topLevelDecisionOmitted();
    void c_3_4_1_evaluationLevelErrors();
    void c_3_4_2_missingEvaluationsArray();
    void c_3_4_3_emptyEvaluationsArray();

    // Search
    void c_4_1_searchEndpoints_data();
    void c_4_1_searchEndpoints();
    void c_4_2_1_subjectSearch();
    void c_4_2_2_subjectSearchWithContext();
    void c_4_2_3_subjectIdIgnored();
    void c_4_2_4_subjectSearchResourceProperties();
    void c_4_3_1_resourceSearch();
    void c_4_3_2_resourceIdIgnored();
    void c_4_3_3_resourceSearchSubjectProperties();
    void c_4_4_1_actionSearch();
    void c_4_4_2_actionSearchWithContext();
    void c_4_4_3_actionSearchProperties();
    void c_4_5_1_pageLimit();
    void c_4_5_2_pageToken();
    void c_4_5_3_paginationResponseFormat();
    void c_4_5_4_pageObjectWithoutLimit();
    void c_4_6_1_unknownEntityIdentifier_data();
    void c_4_6_1_unknownEntityIdentifier();
    void c_4_6_2_unknownEntityType_data();
    void c_4_6_2_unknownEntityType();
    void c_4_7_1_searchMissingRequiredFields_data();
    void c_4_7_1_searchMissingRequiredFields();
    void c_4_7_2_searchMissingRequiredSubFields_data();
    void c_4_7_2_searchMissingRequiredSubFields();

    // Transport
    void c_5_1_acceptsJsonRequests_data();
    void c_5_1_acceptsJsonRequests();
    void c_5_2_successIsJson_data();
    void c_5_2_successIsJson();
    void c_5_3_missingFieldsAre400_data();
    void c_5_3_missingFieldsAre400();
    void c_5_4_requestIdEchoed_data();
    void c_5_4_requestIdEchoed();
    void c_5_5_unknownFieldsIgnored_data();
    void c_5_5_unknownFieldsIgnored();

    // Discovery
    void c_6_1_metadataEndpoint();
    void c_6_2_metadataResponseFormat();
    void c_6_3_requiredMetadataFields();
    void c_6_4_optionalMetadataFields();
    void c_6_5_metadataValidation();
    void c_6_6_metadataAvailable_data();
    void c_6_6_metadataAvailable();

private:
    HttpResponse post(const QString &path, const QByteArray &body, const Headers &headers = {});
    std::shared_ptr<const Policy::PolicySet> loadPack();
    // "http" for the loopback listener these tests start, "https" once it serves TLS.
    QString servedScheme() const { return QUrl(m_service.baseUrl()).scheme(); }

    ServiceFixture m_service{QStringLiteral("certification")};
};

void tst_CertificationScenario::initTestCase()
{
    QVERIFY2(m_service.start(), qPrintable(m_service.errorString()));
}

void tst_CertificationScenario::cleanupTestCase()
{
    m_service.stop();
}

HttpResponse tst_CertificationScenario::post(const QString &path, const QByteArray &body, const Headers &headers)
{
    return m_service.send(QByteArrayLiteral("POST"), path, body, Tokens::pepA, headers);
}

std::shared_ptr<const Policy::PolicySet> tst_CertificationScenario::loadPack()
{
    auto loaded = Policy::PolicySet::loadFolder(QStringLiteral(RECOURSE_SOURCE_DIR "/resources/policies/certification"));
    if (auto *set = std::get_if<std::shared_ptr<const Policy::PolicySet>>(&loaded))
        return *set;
    return {};
}

// ---- c-1: the required fixture ----

void tst_CertificationScenario::c_1_1_subjects()
{
    const auto pack = loadPack();
    QVERIFY(pack);

    const QList<QJsonObject> expected{
        jsonObject(R"({"type":"user","id":"alice"})"),
        jsonObject(R"({"type":"user","id":"bob","properties":{"role":"admin"}})"),
    };
    QCOMPARE(pack->subjects(), expected);
}

void tst_CertificationScenario::c_1_2_resources()
{
    const auto pack = loadPack();
    QVERIFY(pack);

    const QList<QJsonObject> expected{
        jsonObject(R"({"type":"record","id":"record-1","properties":{"status":"active"}})"),
        jsonObject(R"({"type":"record","id":"record-2","properties":{"status":"archived"}})"),
    };
    QCOMPARE(pack->resources(), expected);
}

void tst_CertificationScenario::c_1_3_actions()
{
    const auto pack = loadPack();
    QVERIFY(pack);

    // delete carries its soft property in each request, so the declaration has none.
    const QList<QJsonObject> expected{actionRef("read"), actionRef("write"), actionRef("delete")};
    QCOMPARE(pack->actions(), expected);
}

void tst_CertificationScenario::c_1_4_requiredPolicyBehaviour_data()
{
    addFixtureRuleRows();
}

void tst_CertificationScenario::c_1_4_requiredPolicyBehaviour()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, expected);

    const HttpResponse response = post(kEvaluation, body);
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.json, decisionBody(expected));
}

void tst_CertificationScenario::c_1_5_searchFixture_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QList<QJsonObject>>("required");

    QTest::newRow("S1: users who read record-1") << kSubjectSearch << kSearchS1
                                                 << QList<QJsonObject>{subjectRef("alice"), subjectRef("bob")};
    QTest::newRow("S2: records alice reads") << kResourceSearch << kSearchS2 << QList<QJsonObject>{recordRef("record-1")};
    QTest::newRow("S3: actions of alice on record-1") << kActionSearch << kSearchS3
                                                      << QList<QJsonObject>{actionRef("read"), actionRef("write")};
    QTest::newRow("S4: users who write an archived record-2") << kSubjectSearch << kSearchS4
                                                              << QList<QJsonObject>{subjectRef("bob")};
    QTest::newRow("S5: records an admin bob writes") << kResourceSearch << kSearchS5
                                                     << QList<QJsonObject>{recordRef("record-2")};
    QTest::newRow("S6: actions of an admin bob on an archived record-2") << kActionSearch << kSearchS6
                                                                          << QList<QJsonObject>{actionRef("write")};
}

void tst_CertificationScenario::c_1_5_searchFixture()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(QList<QJsonObject>, required);

    const HttpResponse response = post(path, body);
    QVERIFY2(response.status == 200, response.describe().constData());
    const QList<QJsonObject> results = resultsOf(response);
    QVERIFY(!results.isEmpty());
    for (const QJsonObject &wanted : required)
        QVERIFY2(containsEntity(results, wanted), describeResults(results).constData());
}

void tst_CertificationScenario::c_1_6_contextDoesNotChangeDecisions_data()
{
    addFixtureRuleRows();
}

void tst_CertificationScenario::c_1_6_contextDoesNotChangeDecisions()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, expected);

    QJsonObject request = jsonObject(body);
    request.insert(QStringLiteral("context"), jsonObject(R"({"time":"2025-06-27T18:03-07:00","ip":"192.168.1.1"})"));
    const HttpResponse response = post(kEvaluation, compactJson(request));
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.json, decisionBody(expected));
}

// ---- c-2: Basic, the Access Evaluation API ----

void tst_CertificationScenario::c_2_1_evaluationEndpoint()
{
    const HttpResponse response = post(kEvaluation, kRule1);
    QVERIFY2(response.status == 200, response.describe().constData());
    QVERIFY(response.json.value(u"decision").isBool());
}

void tst_CertificationScenario::c_2_2_1_fixturePermit()
{
    const HttpResponse response = post(kEvaluation, kRule1);
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.json, decisionBody(true));
}

void tst_CertificationScenario::c_2_2_2_fixtureDeny()
{
    const HttpResponse response = post(kEvaluation, kRule4);
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.json, decisionBody(false));
}

void tst_CertificationScenario::c_2_2_3_optionalContext()
{
    const HttpResponse response = post(kEvaluation, R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},
        "resource":{"type":"record","id":"record-1"},"context":{"time":"2025-06-27T18:03-07:00","ip":"192.168.1.1"}})");
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.json.value(u"decision"), QJsonValue(true));
}

void tst_CertificationScenario::c_2_2_4_denyOnResourceProperties()
{
    const HttpResponse response = post(kEvaluation, kRule5);
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.json, decisionBody(false));
}

void tst_CertificationScenario::c_2_2_5_permitOnSubjectProperties()
{
    const HttpResponse response = post(kEvaluation, kRule6);
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.json, decisionBody(true));
}

void tst_CertificationScenario::c_2_2_6_permitOnActionProperties()
{
    const HttpResponse response = post(kEvaluation, kRule7);
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.json, decisionBody(true));
}

void tst_CertificationScenario::c_2_2_7_denyOnActionProperties()
{
    const HttpResponse response = post(kEvaluation, kRule8);
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.json, decisionBody(false));
}

void tst_CertificationScenario::c_2_2_8_additionalProperties()
{
    const HttpResponse response = post(kEvaluation, R"({
        "subject":{"type":"user","id":"alice","properties":{"department":"Sales","role":"manager"}},
        "action":{"name":"read","properties":{"method":"GET"}},
        "resource":{"type":"record","id":"record-1","properties":{"status":"active","owner":"bob"}}})");
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.json.value(u"decision"), QJsonValue(true));
}

void tst_CertificationScenario::c_2_2_9_unknownFields()
{
    const HttpResponse response = post(kEvaluation, R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},
        "resource":{"type":"record","id":"record-1"},"foo":"bar","futureField":{"nested":true}})");
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.json.value(u"decision"), QJsonValue(true));
}

void tst_CertificationScenario::c_2_3_1_decisionIsBoolean_data()
{
    addFixtureRuleRows();
}

void tst_CertificationScenario::c_2_3_1_decisionIsBoolean()
{
    QFETCH(QByteArray, body);

    const HttpResponse response = post(kEvaluation, body);
    QVERIFY2(response.status == 200, response.describe().constData());
    QVERIFY2(!QJsonDocument::fromJson(response.body).isNull(), response.body.constData());
    QVERIFY(response.json.contains(u"decision"));
    QVERIFY(response.json.value(u"decision").isBool());
}

void tst_CertificationScenario::c_2_3_2_responseContextIsObject()
{
    // Certification pack responses carry no context, so a requestable denial of another pack
    // provides a response context to check.
    ServiceFixture arap(QStringLiteral("arap-conformance"));
    QVERIFY2(arap.start(), qPrintable(arap.errorString()));

    const HttpResponse requestable = arap.send(QByteArrayLiteral("POST"), kEvaluation,
                                               R"({"subject":{"type":"user","id":"alice"},"action":{"name":"can_read"},
            "resource":{"type":"document","id":"q4-plan"},"context":{"tenant":"acme"}})",
                                               Tokens::pepA);
    QVERIFY2(requestable.status == 200, requestable.describe().constData());
    QCOMPARE(requestable.json.value(u"decision"), QJsonValue(false));
    QVERIFY(requestable.json.value(u"context").isObject());

    const HttpResponse plain = post(kEvaluation, kRule1);
    QVERIFY2(plain.status == 200, plain.describe().constData());
    QVERIFY(!plain.json.contains(u"context") || plain.json.value(u"context").isObject());
}

void tst_CertificationScenario::c_2_4_1_missingRequiredFields_data()
{
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("missing subject") << QByteArray(R"({"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}})");
    QTest::newRow("missing action") << QByteArray(R"({"subject":{"type":"user","id":"alice"},"resource":{"type":"record","id":"record-1"}})");
    QTest::newRow("missing resource") << QByteArray(R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"}})");
}

void tst_CertificationScenario::c_2_4_1_missingRequiredFields()
{
    QFETCH(QByteArray, body);

    const HttpResponse response = post(kEvaluation, body);
    QVERIFY2(response.status == 400, response.describe().constData());
}

void tst_CertificationScenario::c_2_4_2_missingRequiredSubFields_data()
{
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("subject missing type") << QByteArray(R"({"subject":{"id":"alice"},"action":{"name":"read"},
        "resource":{"type":"record","id":"record-1"}})");
    QTest::newRow("subject missing id") << QByteArray(R"({"subject":{"type":"user"},"action":{"name":"read"},
        "resource":{"type":"record","id":"record-1"}})");
    QTest::newRow("action missing name") << QByteArray(R"({"subject":{"type":"user","id":"alice"},"action":{},
        "resource":{"type":"record","id":"record-1"}})");
    QTest::newRow("resource missing type") << QByteArray(R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},
        "resource":{"id":"record-1"}})");
    QTest::newRow("resource missing id") << QByteArray(R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},
        "resource":{"type":"record"}})");
}

void tst_CertificationScenario::c_2_4_2_missingRequiredSubFields()
{
    QFETCH(QByteArray, body);

    const HttpResponse response = post(kEvaluation, body);
    QVERIFY2(response.status == 400, response.describe().constData());
}

void tst_CertificationScenario::c_2_4_3_invalidContentType_data()
{
    QTest::addColumn<QByteArray>("contentType");

    QTest::newRow("text/plain") << QByteArrayLiteral("text/plain");
    QTest::newRow("form encoded") << QByteArrayLiteral("application/x-www-form-urlencoded");
    QTest::newRow("application/xml") << QByteArrayLiteral("application/xml");
    QTest::newRow("json prefix of another type") << QByteArrayLiteral("application/jsonl");
}

void tst_CertificationScenario::c_2_4_3_invalidContentType()
{
    QFETCH(QByteArray, contentType);

    const HttpResponse response = post(kEvaluation, kRule1, {{QByteArrayLiteral("Content-Type"), contentType}});
    // 400 as the certification requires, not 415.
    QVERIFY2(response.status == 400, response.describe().constData());
}

void tst_CertificationScenario::c_2_4_4_malformedJson_data()
{
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("truncated object") << QByteArrayLiteral(R"({"subject":)");
    QTest::newRow("lone brace") << QByteArrayLiteral("{");
    QTest::newRow("bare words") << QByteArrayLiteral("not json");
    QTest::newRow("trailing comma") << QByteArrayLiteral(R"({"subject":{"type":"user","id":"alice"},})");
    QTest::newRow("single quotes") << QByteArrayLiteral("{'subject':{}}");
}

void tst_CertificationScenario::c_2_4_4_malformedJson()
{
    QFETCH(QByteArray, body);

    const HttpResponse response = post(kEvaluation, body);
    QVERIFY2(response.status == 400, response.describe().constData());
}

void tst_CertificationScenario::c_2_4_5_emptyBody()
{
    const HttpResponse response = post(kEvaluation, QByteArray());
    QVERIFY2(response.status == 400, response.describe().constData());
}

void tst_CertificationScenario::c_2_4_6_invalidFieldTypes_data()
{
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("subject a string") << QByteArray(R"({"subject":"alice","action":{"name":"read"},
        "resource":{"type":"record","id":"record-1"}})");
    QTest::newRow("action.name a number") << QByteArray(R"({"subject":{"type":"user","id":"alice"},"action":{"name":123},
        "resource":{"type":"record","id":"record-1"}})");
    QTest::newRow("resource.id a number") << QByteArray(R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},
        "resource":{"type":"record","id":1}})");
    QTest::newRow("subject.properties an array") << QByteArray(R"({"subject":{"type":"user","id":"alice","properties":[]},
        "action":{"name":"read"},"resource":{"type":"record","id":"record-1"}})");
    QTest::newRow("context an array") << QByteArray(R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},
        "resource":{"type":"record","id":"record-1"},"context":[]})");
}

void tst_CertificationScenario::c_2_4_6_invalidFieldTypes()
{
    QFETCH(QByteArray, body);

    const HttpResponse response = post(kEvaluation, body);
    QVERIFY2(response.status == 400, response.describe().constData());
}

void tst_CertificationScenario::c_2_5_1_requestIdEchoed_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");

    QTest::newRow("permit") << kEvaluation << kRule1 << 200;
    QTest::newRow("deny") << kEvaluation << kRule4 << 200;
    QTest::newRow("rejected request") << kEvaluation << QByteArrayLiteral("{") << 400;
}

void tst_CertificationScenario::c_2_5_1_requestIdEchoed()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(int, status);

    const HttpResponse response = post(path, body, {{QByteArrayLiteral("X-Request-ID"), kRequestId}});
    QVERIFY2(response.status == status, response.describe().constData());
    QCOMPARE(response.header("x-request-id"), kRequestId);
}

void tst_CertificationScenario::c_2_5_2_requestIdAbsent()
{
    const HttpResponse response = post(kEvaluation, kRule1);
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.json, decisionBody(true));
    // This service mints one, which the API allows.
    QVERIFY(!response.header("x-request-id").isEmpty());
}

void tst_CertificationScenario::c_2_6_idempotency_data()
{
    addFixtureRuleRows();
}

void tst_CertificationScenario::c_2_6_idempotency()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, expected);

    for (int attempt = 1; attempt <= 5; ++attempt) {
        const HttpResponse response = post(kEvaluation, body);
        QVERIFY2(response.status == 200, response.describe().constData());
        QCOMPARE(response.json.value(u"decision"), QJsonValue(expected));
    }
}

// ---- c-3: Batch, the Access Evaluations API ----

void tst_CertificationScenario::c_3_1_evaluationsEndpoint()
{
    const HttpResponse response = post(kEvaluations, R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},
        "evaluations":[{"resource":{"type":"record","id":"record-1"}}]})");
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(decisionsOf(response), QList<bool>{true});
}

void tst_CertificationScenario::c_3_2_1_evaluationsArray()
{
    const HttpResponse response = post(kEvaluations, R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},
        "evaluations":[{"resource":{"type":"record","id":"record-1"}},{"resource":{"type":"record","id":"record-2"}}]})");
    QVERIFY2(response.status == 200, response.describe().constData());
    const QJsonArray evaluations = response.json.value(u"evaluations").toArray();
    QCOMPARE(evaluations.size(), 2);
    for (const QJsonValue &evaluation : evaluations)
        QVERIFY(evaluation.toObject().value(u"decision").isBool());
}

void tst_CertificationScenario::c_3_2_2_fixtureDecisionsInOrder()
{
    const HttpResponse response = post(kEvaluations, R"({"subject":{"type":"user","id":"bob"},
        "resource":{"type":"record","id":"record-1"},
        "evaluations":[{"action":{"name":"read"}},{"action":{"name":"write"}}]})");
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(decisionsOf(response), (QList<bool>{true, false}));
}

void tst_CertificationScenario::c_3_2_3_resourceProperties()
{
    const HttpResponse response = post(kEvaluations, R"({"subject":{"type":"user","id":"alice"},"action":{"name":"write"},
        "evaluations":[
            {"resource":{"type":"record","id":"record-1","properties":{"status":"active"}}},
            {"resource":{"type":"record","id":"record-2","properties":{"status":"archived"}}}]})");
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(decisionsOf(response), (QList<bool>{true, false}));
}

void tst_CertificationScenario::c_3_2_4_subjectProperties()
{
    const HttpResponse response = post(kEvaluations, R"({"action":{"name":"write"},
        "resource":{"type":"record","id":"record-2","properties":{"status":"archived"}},
        "evaluations":[
            {"subject":{"type":"user","id":"alice"}},
            {"subject":{"type":"user","id":"bob","properties":{"role":"admin"}}}]})");
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(decisionsOf(response), (QList<bool>{false, true}));
}

void tst_CertificationScenario::c_3_2_5_fullySpecifiedEvaluations()
{
    const HttpResponse response = post(kEvaluations, R"({"evaluations":[
        {"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}},
        {"subject":{"type":"user","id":"bob"},"action":{"name":"write"},"resource":{"type":"record","id":"record-1"}}]})");
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(decisionsOf(response), (QList<bool>{true, false}));
}

void tst_CertificationScenario::c_3_2_6_contextInheritance()
{
    const HttpResponse response = post(kEvaluations, R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},
        "context":{"time":"2025-06-27T18:03-07:00"},
        "evaluations":[
            {"resource":{"type":"record","id":"record-1"}},
            {"resource":{"type":"record","id":"record-2"},"context":{"time":"2025-06-27T19:00-07:00","source":"batch-override"}}]})");
    QVERIFY2(response.status == 200, response.describe().constData());
    const QJsonArray evaluations = response.json.value(u"evaluations").toArray();
    QCOMPARE(evaluations.size(), 2);
    QVERIFY(evaluations.at(0).toObject().value(u"decision").isBool());
    QVERIFY(evaluations.at(1).toObject().value(u"decision").isBool());
}

void tst_CertificationScenario::c_3_2_7_defaultValueMerging()
{
    // The first item names only the id: its type comes from the top-level resource, while its
    // properties replace the default's as a whole.
    const HttpResponse response = post(kEvaluations, R"({"subject":{"type":"user","id":"alice"},"action":{"name":"write"},
        "resource":{"type":"record"},
        "evaluations":[
            {"resource":{"id":"record-1","properties":{"status":"active"}}},
            {"resource":{"type":"record","id":"record-2","properties":{"status":"archived"}}}]})");
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(decisionsOf(response), (QList<bool>{true, false}));
}

void tst_CertificationScenario::c_3_3_1_lengthMatchesRequest_data()
{
    QTest::addColumn<int>("items");

    QTest::newRow("one item") << 1;
    QTest::newRow("two items") << 2;
    QTest::newRow("seven items") << 7;
}

void tst_CertificationScenario::c_3_3_1_lengthMatchesRequest()
{
    QFETCH(int, items);

    // Alternating permits and denies, so no short cut could produce the right length by accident.
    QJsonArray evaluations;
    for (int i = 0; i < items; ++i)
        evaluations.append(QJsonObject{{QStringLiteral("action"), actionRef(i % 2 ? "write" : "read")}});
    const QJsonObject body{{QStringLiteral("subject"), subjectRef("bob")},
                           {QStringLiteral("resource"), recordRef("record-1")},
                           {QStringLiteral("evaluations"), evaluations}};

    const HttpResponse response = post(kEvaluations, compactJson(body));
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.json.value(u"evaluations").toArray().size(), items);
}

void tst_CertificationScenario::c_3_3_2_orderMatchesRequest()
{
    const HttpResponse response = post(kEvaluations, R"({"subject":{"type":"user","id":"bob"},
        "resource":{"type":"record","id":"record-1"},
        "evaluations":[{"action":{"name":"write"}},{"action":{"name":"read"}},{"action":{"name":"write"}},
                       {"action":{"name":"read"}},{"action":{"name":"read"}}]})");
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(decisionsOf(response), (QList<bool>{false, true, false, true, true}));
}

void tst_CertificationScenario::c_3_3_3_eachEvaluationHasDecision()
{
    // The third item is incomplete, so its decision carries an error context.
    const HttpResponse response = post(kEvaluations, R"({"subject":{"type":"user","id":"alice"},
        "evaluations":[
            {"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}},
            {"action":{"name":"delete","properties":{"soft":false}},"resource":{"type":"record","id":"record-1"}},
            {"action":{"name":"read"}}]})");
    QVERIFY2(response.status == 200, response.describe().constData());
    const QJsonArray evaluations = response.json.value(u"evaluations").toArray();
    QCOMPARE(evaluations.size(), 3);
    for (const QJsonValue &evaluation : evaluations) {
        QVERIFY(evaluation.isObject());
        QVERIFY(evaluation.toObject().value(u"decision").isBool());
        QVERIFY(!evaluation.toObject().contains(u"context") || evaluation.toObject().value(u"context").isObject());
    }
    QVERIFY(evaluations.at(2).toObject().value(u"context").isObject());
}

void tst_CertificationScenario::c_3_3_4_topLevelDecisionOmitted()
{
    const HttpResponse response = post(kEvaluations, R"({"subject":{"type":"user","id":"bob"},
        "resource":{"type":"record","id":"record-1"},"evaluations":[{"action":{"name":"read"}},{"action":{"name":"write"}}]})");
    QVERIFY2(response.status == 200, response.describe().constData());
    QVERIFY(response.json.contains(u"evaluations"));
    QVERIFY(!response.json.contains(u"decision"));
}

void tst_CertificationScenario::c_3_4_1_evaluationLevelErrors()
{
    const HttpResponse response = post(kEvaluations, R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},
        "evaluations":[{"resource":{"type":"record","id":"record-1"}},{}]})");
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(decisionsOf(response), (QList<bool>{true, false}));

    const QJsonObject error = response.json.value(u"evaluations").toArray().at(1).toObject().value(u"context").toObject().value(u"error").toObject();
    QCOMPARE(error.value(u"status").toInt(), 400);
    QVERIFY(error.value(u"message").toString().contains(QLatin1String("resource")));
}

void tst_CertificationScenario::c_3_4_2_missingEvaluationsArray()
{
    const HttpResponse response = post(kEvaluations, kRule1);
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.json, decisionBody(true));
}

void tst_CertificationScenario::c_3_4_3_emptyEvaluationsArray()
{
    const HttpResponse response = post(kEvaluations, R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},
        "resource":{"type":"record","id":"record-1"},"evaluations":[]})");
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.json, decisionBody(true));
}

// ---- c-4: Search ----

void tst_CertificationScenario::c_4_1_searchEndpoints_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("subject search") << kSubjectSearch << kSearchS1;
    QTest::newRow("resource search") << kResourceSearch << kSearchS2;
    QTest::newRow("action search") << kActionSearch << kSearchS3;
}

void tst_CertificationScenario::c_4_1_searchEndpoints()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, body);

    const HttpResponse response = post(path, body);
    QVERIFY2(response.status == 200, response.describe().constData());
    QVERIFY(response.json.value(u"results").isArray());

    const HttpResponse wrongMethod = m_service.get(path, Tokens::pepA);
    QVERIFY2(wrongMethod.status == 405, wrongMethod.describe().constData());
}

void tst_CertificationScenario::c_4_2_1_subjectSearch()
{
    const HttpResponse response = post(kSubjectSearch, kSearchS1);
    QVERIFY2(response.status == 200, response.describe().constData());
    QVERIFY(response.json.value(u"results").isArray());

    const QList<QJsonObject> results = resultsOf(response);
    for (const QJsonObject &result : results) {
        QVERIFY(result.value(u"id").isString());
        QCOMPARE(result.value(u"type").toString(), QStringLiteral("user"));
    }
    QVERIFY2(containsEntity(results, subjectRef("alice")), describeResults(results).constData());
    QVERIFY2(containsEntity(results, subjectRef("bob")), describeResults(results).constData());
}

void tst_CertificationScenario::c_4_2_2_subjectSearchWithContext()
{
    const HttpResponse response = post(kSubjectSearch, R"({"subject":{"type":"user"},"action":{"name":"read"},
        "resource":{"type":"record","id":"record-1"},"context":{"time":"2024-10-26T01:22-07:00"}})");
    QVERIFY2(response.status == 200, response.describe().constData());
    const QList<QJsonObject> results = resultsOf(response);
    QVERIFY2(containsEntity(results, subjectRef("alice")), describeResults(results).constData());
    QVERIFY2(containsEntity(results, subjectRef("bob")), describeResults(results).constData());
}

void tst_CertificationScenario::c_4_2_3_subjectIdIgnored()
{
    const HttpResponse without = post(kSubjectSearch, kSearchS1);
    const HttpResponse with = post(kSubjectSearch, R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},
        "resource":{"type":"record","id":"record-1"}})");
    QVERIFY2(without.status == 200, without.describe().constData());
    QVERIFY2(with.status == 200, with.describe().constData());
    QCOMPARE(resultsOf(with), resultsOf(without));
    QVERIFY(containsEntity(resultsOf(with), subjectRef("bob")));
}

void tst_CertificationScenario::c_4_2_4_subjectSearchResourceProperties()
{
    const HttpResponse response = post(kSubjectSearch, kSearchS4);
    QVERIFY2(response.status == 200, response.describe().constData());
    const QList<QJsonObject> results = resultsOf(response);
    QVERIFY2(containsEntity(results, subjectRef("bob")), describeResults(results).constData());
}

void tst_CertificationScenario::c_4_3_1_resourceSearch()
{
    const HttpResponse response = post(kResourceSearch, kSearchS2);
    QVERIFY2(response.status == 200, response.describe().constData());
    QVERIFY(response.json.value(u"results").isArray());

    const QList<QJsonObject> results = resultsOf(response);
    for (const QJsonObject &result : results) {
        QVERIFY(result.value(u"id").isString());
        QCOMPARE(result.value(u"type").toString(), QStringLiteral("record"));
    }
    QVERIFY2(containsEntity(results, recordRef("record-1")), describeResults(results).constData());
}

void tst_CertificationScenario::c_4_3_2_resourceIdIgnored()
{
    const HttpResponse without = post(kResourceSearch, kSearchS2);
    const HttpResponse with = post(kResourceSearch, R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},
        "resource":{"type":"record","id":"record-1"}})");
    QVERIFY2(without.status == 200, without.describe().constData());
    QVERIFY2(with.status == 200, with.describe().constData());
    QCOMPARE(resultsOf(with), resultsOf(without));
    QVERIFY(containsEntity(resultsOf(with), recordRef("record-2")));
}

void tst_CertificationScenario::c_4_3_3_resourceSearchSubjectProperties()
{
    const HttpResponse response = post(kResourceSearch, kSearchS5);
    QVERIFY2(response.status == 200, response.describe().constData());
    const QList<QJsonObject> results = resultsOf(response);
    QVERIFY2(containsEntity(results, recordRef("record-2")), describeResults(results).constData());
}

void tst_CertificationScenario::c_4_4_1_actionSearch()
{
    const HttpResponse response = post(kActionSearch, kSearchS3);
    QVERIFY2(response.status == 200, response.describe().constData());
    QVERIFY(response.json.value(u"results").isArray());

    const QList<QJsonObject> results = resultsOf(response);
    for (const QJsonObject &result : results)
        QVERIFY(result.value(u"name").isString());
    QVERIFY2(containsEntity(results, actionRef("read")), describeResults(results).constData());
    QVERIFY2(containsEntity(results, actionRef("write")), describeResults(results).constData());
}

void tst_CertificationScenario::c_4_4_2_actionSearchWithContext()
{
    const HttpResponse response = post(kActionSearch, R"({"subject":{"type":"user","id":"alice"},
        "resource":{"type":"record","id":"record-1"},"context":{"time":"2024-10-26T01:22-07:00"}})");
    QVERIFY2(response.status == 200, response.describe().constData());
    const QList<QJsonObject> results = resultsOf(response);
    QVERIFY2(containsEntity(results, actionRef("read")), describeResults(results).constData());
    QVERIFY2(containsEntity(results, actionRef("write")), describeResults(results).constData());
}

void tst_CertificationScenario::c_4_4_3_actionSearchProperties()
{
    const HttpResponse response = post(kActionSearch, kSearchS6);
    QVERIFY2(response.status == 200, response.describe().constData());
    const QList<QJsonObject> results = resultsOf(response);
    QVERIFY2(containsEntity(results, actionRef("write")), describeResults(results).constData());
}

void tst_CertificationScenario::c_4_5_1_pageLimit()
{
    const HttpResponse response = post(kSubjectSearch, R"({"subject":{"type":"user"},"action":{"name":"read"},
        "resource":{"type":"record","id":"record-1"},"page":{"limit":1}})");
    QVERIFY2(response.status == 200, response.describe().constData());
    QVERIFY(response.json.value(u"results").isArray());
    QCOMPARE(resultsOf(response).size(), 1);
    QVERIFY(response.json.value(u"page").isObject());
    QVERIFY(response.json.value(u"page").toObject().value(u"next_token").isString());
}

void tst_CertificationScenario::c_4_5_2_pageToken()
{
    QJsonObject request = jsonObject(kSearchS1);
    request.insert(QStringLiteral("page"), QJsonObject{{QStringLiteral("limit"), 1}});

    QList<QJsonObject> collected;
    QString token;
    int pages = 0;
    do {
        QJsonObject page{{QStringLiteral("limit"), 1}};
        if (!token.isEmpty())
            page.insert(QStringLiteral("token"), token);
        request.insert(QStringLiteral("page"), page);

        const HttpResponse response = post(kSubjectSearch, compactJson(request));
        QVERIFY2(response.status == 200, response.describe().constData());
        QVERIFY(response.json.value(u"results").isArray());
        QVERIFY(response.json.value(u"page").isObject());
        const QJsonValue next = response.json.value(u"page").toObject().value(u"next_token");
        QVERIFY(next.isString());

        collected += resultsOf(response);
        token = next.toString();
        ++pages;
    } while (!token.isEmpty() && pages < 10);

    // Two users read record-1, one per page, and the last page ends with an empty token.
    QCOMPARE(pages, 2);
    QVERIFY(token.isEmpty());
    QCOMPARE(collected, (QList<QJsonObject>{subjectRef("alice"), subjectRef("bob")}));
}

void tst_CertificationScenario::c_4_5_3_paginationResponseFormat()
{
    const HttpResponse response = post(kActionSearch, R"({"subject":{"type":"user","id":"alice"},
        "resource":{"type":"record","id":"record-1"},"page":{"limit":1}})");
    QVERIFY2(response.status == 200, response.describe().constData());
    const QJsonObject page = response.json.value(u"page").toObject();

    QVERIFY(page.value(u"next_token").isString());
    QVERIFY(!page.value(u"next_token").toString().isEmpty());
    QVERIFY(page.value(u"count").isDouble());
    QCOMPARE(page.value(u"count").toInt(), resultsOf(response).size());
    QVERIFY(page.value(u"total").isDouble());
    QCOMPARE(page.value(u"total").toInt(), 2);
    QVERIFY(!page.contains(u"properties") || page.value(u"properties").isObject());
    // The page object comes first, so a PEP reading a stream gets count before the results.
    QVERIFY2(response.body.startsWith(R"({"page":)"), response.body.constData());
}

void tst_CertificationScenario::c_4_5_4_pageObjectWithoutLimit()
{
    // A page object without a limit is accepted and returns the whole result set at once.
    const HttpResponse response = post(kResourceSearch, R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},
        "resource":{"type":"record"},"page":{}})");
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(resultsOf(response), (QList<QJsonObject>{recordRef("record-1"), recordRef("record-2")}));
    QCOMPARE(response.json.value(u"page").toObject().value(u"next_token"), QJsonValue(QString()));
}

void tst_CertificationScenario::c_4_6_1_unknownEntityIdentifier_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("action search, unknown subject") << kActionSearch << QByteArray(
        R"({"subject":{"type":"user","id":"nonexistent-user"},"resource":{"type":"record","id":"record-1"}})");
    QTest::newRow("action search, unknown resource") << kActionSearch << QByteArray(
        R"({"subject":{"type":"user","id":"alice"},"resource":{"type":"record","id":"record-404"}})");
    QTest::newRow("resource search, unknown subject") << kResourceSearch << QByteArray(
        R"({"subject":{"type":"user","id":"nonexistent-user"},"action":{"name":"read"},"resource":{"type":"record"}})");
    QTest::newRow("resource search, unknown action") << kResourceSearch << QByteArray(
        R"({"subject":{"type":"user","id":"alice"},"action":{"name":"teleport"},"resource":{"type":"record"}})");
    QTest::newRow("subject search, unknown resource") << kSubjectSearch << QByteArray(
        R"({"subject":{"type":"user"},"action":{"name":"read"},"resource":{"type":"record","id":"record-404"}})");
}

void tst_CertificationScenario::c_4_6_1_unknownEntityIdentifier()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, body);

    const HttpResponse response = post(path, body);
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.json, jsonObject(R"({"results":[]})"));
}

void tst_CertificationScenario::c_4_6_2_unknownEntityType_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("subject search for spaceships") << kSubjectSearch << QByteArray(
        R"({"subject":{"type":"spaceship"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}})");
    QTest::newRow("resource search for spaceships") << kResourceSearch << QByteArray(
        R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"spaceship"}})");
    QTest::newRow("action search on a spaceship") << kActionSearch << QByteArray(
        R"({"subject":{"type":"user","id":"alice"},"resource":{"type":"spaceship","id":"record-1"}})");
}

void tst_CertificationScenario::c_4_6_2_unknownEntityType()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, body);

    const HttpResponse response = post(path, body);
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.json, jsonObject(R"({"results":[]})"));
}

void tst_CertificationScenario::c_4_7_1_searchMissingRequiredFields_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("subject search without action") << kSubjectSearch << QByteArray(
        R"({"subject":{"type":"user"},"resource":{"type":"record","id":"record-1"}})");
    QTest::newRow("subject search without subject") << kSubjectSearch << QByteArray(
        R"({"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}})");
    QTest::newRow("subject search without resource") << kSubjectSearch << QByteArray(
        R"({"subject":{"type":"user"},"action":{"name":"read"}})");
    QTest::newRow("resource search without subject") << kResourceSearch << QByteArray(
        R"({"action":{"name":"read"},"resource":{"type":"record"}})");
    QTest::newRow("resource search without action") << kResourceSearch << QByteArray(
        R"({"subject":{"type":"user","id":"alice"},"resource":{"type":"record"}})");
    QTest::newRow("resource search without resource") << kResourceSearch << QByteArray(
        R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"}})");
    QTest::newRow("action search without resource") << kActionSearch << QByteArray(
        R"({"subject":{"type":"user","id":"alice"}})");
    QTest::newRow("action search without subject") << kActionSearch << QByteArray(
        R"({"resource":{"type":"record","id":"record-1"}})");
}

void tst_CertificationScenario::c_4_7_1_searchMissingRequiredFields()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, body);

    const HttpResponse response = post(path, body);
    QVERIFY2(response.status == 400, response.describe().constData());
}

void tst_CertificationScenario::c_4_7_2_searchMissingRequiredSubFields_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("subject search, resource without id") << kSubjectSearch << QByteArray(
        R"({"subject":{"type":"user"},"action":{"name":"read"},"resource":{"type":"record"}})");
    QTest::newRow("subject search, subject without type") << kSubjectSearch << QByteArray(
        R"({"subject":{},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}})");
    QTest::newRow("subject search, action without name") << kSubjectSearch << QByteArray(
        R"({"subject":{"type":"user"},"action":{},"resource":{"type":"record","id":"record-1"}})");
    QTest::newRow("resource search, subject without id") << kResourceSearch << QByteArray(
        R"({"subject":{"type":"user"},"action":{"name":"read"},"resource":{"type":"record"}})");
    QTest::newRow("resource search, resource without type") << kResourceSearch << QByteArray(
        R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{}})");
    QTest::newRow("action search, subject without id") << kActionSearch << QByteArray(
        R"({"subject":{"type":"user"},"resource":{"type":"record","id":"record-1"}})");
    QTest::newRow("action search, resource without id") << kActionSearch << QByteArray(
        R"({"subject":{"type":"user","id":"alice"},"resource":{"type":"record"}})");
    QTest::newRow("action search, subject a string") << kActionSearch << QByteArray(
        R"({"subject":"alice","resource":{"type":"record","id":"record-1"}})");
}

void tst_CertificationScenario::c_4_7_2_searchMissingRequiredSubFields()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, body);

    const HttpResponse response = post(path, body);
    QVERIFY2(response.status == 400, response.describe().constData());
}

// ---- c-5: transport ----

void tst_CertificationScenario::c_5_1_acceptsJsonRequests_data()
{
    QTest::addColumn<QByteArray>("contentType");

    QTest::newRow("application/json") << QByteArrayLiteral("application/json");
    QTest::newRow("with a charset") << QByteArrayLiteral("application/json; charset=utf-8");
    QTest::newRow("upper case") << QByteArrayLiteral("Application/JSON");
}

void tst_CertificationScenario::c_5_1_acceptsJsonRequests()
{
    QFETCH(QByteArray, contentType);

    // The content-type rules are those of the HTTPS binding, whatever scheme the listener serves,
    // and the metadata advertises the scheme that is actually served.
    const HttpResponse metadata = m_service.get(kMetadata, QString());
    QCOMPARE(QUrl(metadata.json.value(u"policy_decision_point").toString()).scheme(), QUrl(m_service.baseUrl()).scheme());
    const HttpResponse response = post(kEvaluation, kRule1, {{QByteArrayLiteral("Content-Type"), contentType}});
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.json, decisionBody(true));
}

void tst_CertificationScenario::c_5_2_successIsJson_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("evaluation") << kEvaluation << kRule1;
    QTest::newRow("evaluations") << kEvaluations << QByteArray(R"({"subject":{"type":"user","id":"bob"},
        "resource":{"type":"record","id":"record-1"},"evaluations":[{"action":{"name":"read"}}]})");
    QTest::newRow("subject search") << kSubjectSearch << kSearchS1;
    QTest::newRow("resource search") << kResourceSearch << kSearchS2;
    QTest::newRow("action search") << kActionSearch << kSearchS3;
}

void tst_CertificationScenario::c_5_2_successIsJson()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, body);

    const HttpResponse response = post(path, body);
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(mediaType(response), QByteArrayLiteral("application/json"));
    QVERIFY(QJsonDocument::fromJson(response.body).isObject());
}

void tst_CertificationScenario::c_5_3_missingFieldsAre400_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("evaluation") << kEvaluation << QByteArray(R"({"subject":{"type":"user","id":"alice"}})");
    QTest::newRow("evaluations without items or defaults") << kEvaluations << QByteArray(R"({"action":{"name":"read"}})");
    QTest::newRow("subject search") << kSubjectSearch << QByteArray(R"({"subject":{"type":"user"}})");
    QTest::newRow("resource search") << kResourceSearch << QByteArray(R"({"resource":{"type":"record"}})");
    QTest::newRow("action search") << kActionSearch << QByteArray(R"({})");
}

void tst_CertificationScenario::c_5_3_missingFieldsAre400()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, body);

    const HttpResponse response = post(path, body);
    QVERIFY2(response.status == 400, response.describe().constData());
}

void tst_CertificationScenario::c_5_4_requestIdEchoed_data()
{
    c_5_2_successIsJson_data();
}

void tst_CertificationScenario::c_5_4_requestIdEchoed()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, body);

    const HttpResponse response = post(path, body, {{QByteArrayLiteral("X-Request-ID"), kRequestId}});
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.header("x-request-id"), kRequestId);
}

void tst_CertificationScenario::c_5_5_unknownFieldsIgnored_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("plain");
    QTest::addColumn<QByteArray>("withUnknownFields");

    QTest::newRow("evaluation") << kEvaluation << kRule4 << QByteArray(R"({"subject":{"type":"user","id":"bob","nickname":"b"},
        "action":{"name":"write","verb":"PUT"},"resource":{"type":"record","id":"record-1","shard":7},"foo":"bar"})");
    QTest::newRow("evaluations") << kEvaluations
                                 << QByteArray(R"({"subject":{"type":"user","id":"bob"},"resource":{"type":"record","id":"record-1"},
        "evaluations":[{"action":{"name":"read"}},{"action":{"name":"write"}}]})")
                                 << QByteArray(R"({"subject":{"type":"user","id":"bob"},"resource":{"type":"record","id":"record-1"},
        "evaluations":[{"action":{"name":"read"},"note":"x"},{"action":{"name":"write"}}],"futureField":{"nested":true}})");
    QTest::newRow("subject search") << kSubjectSearch << kSearchS1 << QByteArray(R"({"subject":{"type":"user"},
        "action":{"name":"read"},"resource":{"type":"record","id":"record-1"},"foo":"bar","page":{"limit":10,"customAttr":"x"}})");
    QTest::newRow("resource search") << kResourceSearch << kSearchS2 << QByteArray(R"({"subject":{"type":"user","id":"alice"},
        "action":{"name":"read"},"resource":{"type":"record"},"futureField":{"nested":true}})");
    QTest::newRow("action search") << kActionSearch << kSearchS3 << QByteArray(R"({"subject":{"type":"user","id":"alice"},
        "resource":{"type":"record","id":"record-1","extra":[1,2]},"foo":null})");
}

void tst_CertificationScenario::c_5_5_unknownFieldsIgnored()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, plain);
    QFETCH(QByteArray, withUnknownFields);

    const HttpResponse expected = post(path, plain);
    const HttpResponse actual = post(path, withUnknownFields);
    QVERIFY2(expected.status == 200, expected.describe().constData());
    QVERIFY2(actual.status == 200, actual.describe().constData());
    QCOMPARE(actual.json.value(u"decision"), expected.json.value(u"decision"));
    QCOMPARE(actual.json.value(u"evaluations"), expected.json.value(u"evaluations"));
    QCOMPARE(actual.json.value(u"results"), expected.json.value(u"results"));
}

// ---- c-6: Discovery ----

void tst_CertificationScenario::c_6_1_metadataEndpoint()
{
    const HttpResponse response = m_service.get(kMetadata, QString());
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.json.value(u"policy_decision_point").toString(), m_service.baseUrl());

    // This PDP's identifier has no path, so no tenant form exists. A document served there would
    // name a policy_decision_point other than the URL it was fetched for.
    QVERIFY(QUrl(m_service.baseUrl()).path().isEmpty());
    const HttpResponse tenant = m_service.get(kMetadata + QStringLiteral("/tenant1"), QString());
    QVERIFY2(tenant.status == 404, tenant.describe().constData());
}

void tst_CertificationScenario::c_6_2_metadataResponseFormat()
{
    const HttpResponse response = m_service.get(kMetadata, QString());
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(mediaType(response), QByteArrayLiteral("application/json"));
    QVERIFY(QJsonDocument::fromJson(response.body).isObject());

    // Parameters without a value are omitted, and multi-valued ones are arrays.
    for (auto it = response.json.begin(); it != response.json.end(); ++it) {
        const QJsonValue value = it.value();
        QVERIFY2(!value.isNull(), qPrintable(it.key()));
        QVERIFY2(!(value.isString() && value.toString().isEmpty()), qPrintable(it.key()));
        QVERIFY2(!(value.isArray() && value.toArray().isEmpty()), qPrintable(it.key()));
    }
    QVERIFY(response.json.value(u"capabilities").isArray());
}

void tst_CertificationScenario::c_6_3_requiredMetadataFields()
{
    const HttpResponse response = m_service.get(kMetadata, QString());
    QVERIFY2(response.status == 200, response.describe().constData());

    const QJsonValue identifier = response.json.value(u"policy_decision_point");
    QVERIFY(isAbsoluteUrlOfScheme(identifier, servedScheme()));
    QCOMPARE(identifier.toString(), m_service.baseUrl());
    QCOMPARE(response.json.value(u"access_evaluation_endpoint").toString(), m_service.baseUrl() + kEvaluation);
}

void tst_CertificationScenario::c_6_4_optionalMetadataFields()
{
    const HttpResponse response = m_service.get(kMetadata, QString());
    QVERIFY2(response.status == 200, response.describe().constData());

    const QString base = m_service.baseUrl();
    QCOMPARE(response.json.value(u"access_evaluations_endpoint").toString(), base + kEvaluations);
    QCOMPARE(response.json.value(u"search_subject_endpoint").toString(), base + kSubjectSearch);
    QCOMPARE(response.json.value(u"search_resource_endpoint").toString(), base + kResourceSearch);
    QCOMPARE(response.json.value(u"search_action_endpoint").toString(), base + kActionSearch);

    const QJsonArray capabilities = response.json.value(u"capabilities").toArray();
    QVERIFY(!capabilities.isEmpty());
    for (const QJsonValue &capability : capabilities)
        QVERIFY(capability.toString().startsWith(QLatin1String("urn:")));
}

void tst_CertificationScenario::c_6_5_metadataValidation()
{
    const HttpResponse response = m_service.get(kMetadata, QString());
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(mediaType(response), QByteArrayLiteral("application/json"));
    QCOMPARE(response.json.value(u"policy_decision_point").toString(), m_service.baseUrl());

    // Every endpoint is an absolute URL of the listener's scheme and accepts a valid request.
    const QList<QPair<QString, QByteArray>> endpoints{
        {QStringLiteral("access_evaluation_endpoint"), kRule1},
        {QStringLiteral("access_evaluations_endpoint"), kRule1},
        {QStringLiteral("search_subject_endpoint"), kSearchS1},
        {QStringLiteral("search_resource_endpoint"), kSearchS2},
        {QStringLiteral("search_action_endpoint"), kSearchS3},
    };
    for (const auto &[name, body] : endpoints) {
        const QJsonValue url = response.json.value(name);
        QVERIFY2(isAbsoluteUrlOfScheme(url, servedScheme()), qPrintable(name));
        const HttpResponse answer = post(url.toString(), body);
        QVERIFY2(answer.status == 200, qPrintable(name + QLatin1Char(' ') + QString::fromUtf8(answer.describe())));
    }

    for (const QJsonValue &capability : response.json.value(u"capabilities").toArray())
        QVERIFY(capability.isString());
    // No signed metadata is published, so there is no JWT to validate.
    QVERIFY(!response.json.contains(u"signed_metadata"));
}

void tst_CertificationScenario::c_6_6_metadataAvailable_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("default evaluation path") << kEvaluation << kRule1;
    QTest::newRow("default evaluations path") << kEvaluations << kRule1;
    QTest::newRow("default subject search path") << kSubjectSearch << kSearchS1;
    QTest::newRow("default resource search path") << kResourceSearch << kSearchS2;
    QTest::newRow("default action search path") << kActionSearch << kSearchS3;
}

void tst_CertificationScenario::c_6_6_metadataAvailable()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, body);

    const HttpResponse metadata = m_service.get(kMetadata, QString());
    QVERIFY2(metadata.status == 200, metadata.describe().constData());

    // Harnesses that skip discovery fall back to the default paths, which must work too.
    const HttpResponse response = post(path, body);
    QVERIFY2(response.status == 200, response.describe().constData());
}

QTEST_GUILESS_MAIN(tst_CertificationScenario)
#include "tst_certificationscenario.moc"
