// PDP requirements of the AuthZEN Authorization API 1.0 that its certification scenario leaves
// out. They cover member order, null-free responses, the evaluations_semantic options, search
// results that re-evaluate to the same decision, strict page parameters, tamper-evident page
// tokens and the metadata members the Access Request profile adds. The suite runs over HTTP
// against the real service on 127.0.0.1 with the shipped `certification` pack.

#include "core/json/flatdocument.h"
#include "core/json/json.h"
#include "core/policy/policy.h"
#include "tests/certification/pdptesthelpers.h"

#include <QJsonArray>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

const QString kEvaluation = QStringLiteral("/access/v1/evaluation");
const QString kEvaluations = QStringLiteral("/access/v1/evaluations");
const QString kSubjectSearch = QStringLiteral("/access/v1/search/subject");
const QString kResourceSearch = QStringLiteral("/access/v1/search/resource");
const QString kActionSearch = QStringLiteral("/access/v1/search/action");
const QString kMetadata = QStringLiteral("/.well-known/authzen-configuration");

// Two records that alice may read, so a page limit of 1 gives two pages.
const QByteArray kRecordsAliceReads = R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record"}})";
const QByteArray kActionsOfAlice = R"({"subject":{"type":"user","id":"alice"},"resource":{"type":"record","id":"record-1"}})";

// Batch items for bob on record-1: read permits and write denies.
QJsonObject bobBatch(const QStringList &actions, const QJsonValue &options = QJsonValue::Undefined)
{
    QJsonArray items;
    for (const QString &name : actions)
        items.append(QJsonObject{{QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), name}}}});
    QJsonObject body{{QStringLiteral("subject"), subjectRef("bob")},
                     {QStringLiteral("resource"), recordRef("record-1")},
                     {QStringLiteral("evaluations"), items}};
    if (!options.isUndefined())
        body.insert(QStringLiteral("options"), options);
    return body;
}

QJsonObject semantic(const char *name)
{
    return QJsonObject{{QStringLiteral("evaluations_semantic"), QLatin1String(name)}};
}

QJsonObject withPage(QJsonObject request, const QJsonObject &page)
{
    request.insert(QStringLiteral("page"), page);
    return request;
}

} // namespace

class tst_PdpRequirements : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void memberOrderIrrelevant_data();
    void memberOrderIrrelevant();
    void responsesOmitNulls_data();
    void responsesOmitNulls();
    void plainDecisionBytes();
    void flatAndFullReadingsAgree_data();
    void flatAndFullReadingsAgree();
    void searchNeedsPepToken_data();
    void searchNeedsPepToken();

    void executeAllIsDefault();
    void denyOnFirstDeny_data();
    void denyOnFirstDeny();
    void permitOnFirstPermit_data();
    void permitOnFirstPermit();
    void itemErrorStopsDenyOnFirstDeny();
    void invalidOptions_data();
    void invalidOptions();
    void unknownOptionIgnored();
    void nonObjectItemDenied();
    void invalidDefaultDeniesInheritors();
    void evaluationsNotAnArray();
    void requestableDenialPerItem();

    void searchResultsReevaluate_data();
    void searchResultsReevaluate();
    void resultsCarryIdentityOnly_data();
    void resultsCarryIdentityOnly();
    void strayActionIgnored_data();
    void strayActionIgnored();
    void invalidPage_data();
    void invalidPage();
    void zeroLimitCountsOnly();
    void pagesCoverResultsOnce();
    void limitCoveringAllResults();
    void tokenBoundToRequest_data();
    void tokenBoundToRequest();
    void tokenBoundToEndpoint();
    void forgedTokenRejected_data();
    void forgedTokenRejected();
    void tokenRejectedAfterRestart();
    void unknownPageMembersIgnored();

    void metadataCacheable();
    void metadataAdvertisesAccessRequests();
    void jwksPublished();

private:
    HttpResponse post(const QString &path, const QByteArray &body, const QString &token = Tokens::pepA);
    HttpResponse post(const QString &path, const QJsonObject &body) { return post(path, compactJson(body)); }
    QString firstPageToken(const QString &path, const QJsonObject &request);

    ServiceFixture m_service{QStringLiteral("certification")};
    std::shared_ptr<const Policy::PolicySet> m_pack;
};

void tst_PdpRequirements::initTestCase()
{
    QVERIFY2(m_service.start(), qPrintable(m_service.errorString()));

    auto loaded = Policy::PolicySet::loadFolder(QStringLiteral(RECOURSE_SOURCE_DIR "/resources/policies/certification"));
    QVERIFY(std::holds_alternative<std::shared_ptr<const Policy::PolicySet>>(loaded));
    m_pack = std::get<std::shared_ptr<const Policy::PolicySet>>(loaded);
}

void tst_PdpRequirements::cleanupTestCase()
{
    m_service.stop();
}

HttpResponse tst_PdpRequirements::post(const QString &path, const QByteArray &body, const QString &token)
{
    return m_service.send(QByteArrayLiteral("POST"), path, body, token);
}

QString tst_PdpRequirements::firstPageToken(const QString &path, const QJsonObject &request)
{
    const HttpResponse response = post(path, request);
    return response.json.value(u"page").toObject().value(u"next_token").toString();
}

// ---- transport and response form ----

void tst_PdpRequirements::memberOrderIrrelevant_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("ordered");
    QTest::addColumn<QByteArray>("permuted");

    QTest::newRow("evaluation") << kEvaluation
                                << QByteArray(R"({"subject":{"type":"user","id":"bob","properties":{"role":"admin"}},"action":{"name":"write"},
        "resource":{"type":"record","id":"record-2","properties":{"status":"archived"}}})")
                                << QByteArray(R"({"resource":{"properties":{"status":"archived"},"id":"record-2","type":"record"},
        "action":{"name":"write"},"subject":{"properties":{"role":"admin"},"id":"bob","type":"user"}})");
    QTest::newRow("evaluations") << kEvaluations
                                 << QByteArray(R"({"subject":{"type":"user","id":"bob"},"resource":{"type":"record","id":"record-1"},
        "evaluations":[{"action":{"name":"read"}},{"action":{"name":"write"}}]})")
                                 << QByteArray(R"({"evaluations":[{"action":{"name":"read"}},{"action":{"name":"write"}}],
        "resource":{"id":"record-1","type":"record"},"subject":{"id":"bob","type":"user"}})");
    QTest::newRow("action search") << kActionSearch << kActionsOfAlice
                                   << QByteArray(R"({"resource":{"id":"record-1","type":"record"},"subject":{"id":"alice","type":"user"}})");
}

void tst_PdpRequirements::memberOrderIrrelevant()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, ordered);
    QFETCH(QByteArray, permuted);

    const HttpResponse first = post(path, ordered);
    const HttpResponse second = post(path, permuted);
    QVERIFY2(first.status == 200, first.describe().constData());
    QVERIFY2(second.status == 200, second.describe().constData());
    QCOMPARE(second.json, first.json);
}

void tst_PdpRequirements::responsesOmitNulls_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("permit") << kEvaluation << QByteArray(R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},
        "resource":{"type":"record","id":"record-1"}})");
    QTest::newRow("batch with an invalid item") << kEvaluations << QByteArray(R"({"subject":{"type":"user","id":"alice"},
        "action":{"name":"read"},"evaluations":[{"resource":{"type":"record","id":"record-1"}},{}]})");
    QTest::newRow("paged search") << kResourceSearch
                                  << compactJson(withPage(jsonObject(kRecordsAliceReads), QJsonObject{{QStringLiteral("limit"), 1}}));
    QTest::newRow("empty search") << kSubjectSearch << QByteArray(R"({"subject":{"type":"spaceship"},"action":{"name":"read"},
        "resource":{"type":"record","id":"record-1"}})");
    QTest::newRow("rejected request") << kEvaluation << QByteArray(R"({"subject":{"type":"user"}})");
}

// A plain decision is written from fixed text; it must read exactly as the serializer writes it.
void tst_PdpRequirements::plainDecisionBytes()
{
    const HttpResponse permit = post(kEvaluation, QByteArray(R"({"subject":{"type":"user","id":"alice"},
        "action":{"name":"read"},"resource":{"type":"record","id":"record-1"}})"));
    const HttpResponse deny = post(kEvaluation, QByteArray(R"({"subject":{"type":"user","id":"mallory"},
        "action":{"name":"read"},"resource":{"type":"record","id":"record-1"}})"));

    QCOMPARE(permit.status, 200);
    QCOMPARE(permit.body, QByteArray(R"({"decision":true})"));
    QCOMPARE(deny.status, 200);
    QCOMPARE(deny.body, QByteArray(R"({"decision":false})"));
    QCOMPARE(Json::serialize(QJsonObject{{QStringLiteral("decision"), false}}), deny.body);
}

// Small plain bodies are decided from a flat reading (Json::FlatDocument), everything else by the
// full parser. Each row sends one body the flat reader takes and one that an escape of the same
// text leaves to the parser. Both must get the same response.
void tst_PdpRequirements::flatAndFullReadingsAgree_data()
{
    QTest::addColumn<QByteArray>("flat");
    QTest::addColumn<QByteArray>("full");
    QTest::addColumn<int>("status");

    QTest::newRow("permit") << QByteArray(R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}})")
                            << QByteArray(R"({"subject":{"type":"user","id":"\u0061lice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}})")
                            << 200;
    QTest::newRow("deny") << QByteArray(R"({"subject":{"type":"user","id":"bob"},"action":{"name":"write"},"resource":{"type":"record","id":"record-1"}})")
                          << QByteArray(R"({"subject":{"type":"user","id":"bob"},"action":{"name":"writ\u0065"},"resource":{"type":"record","id":"record-1"}})")
                          << 200;
    QTest::newRow("permit by property") << QByteArray(R"({"subject":{"type":"user","id":"bob","properties":{"role":"admin"}},"action":{"name":"write"},
        "resource":{"type":"record","id":"record-2","properties":{"status":"archived"}}})")
                                        << QByteArray(R"({"subject":{"type":"user","id":"bob","properties":{"role":"\u0061dmin"}},"action":{"name":"write"},
        "resource":{"type":"record","id":"record-2","properties":{"status":"archived"}}})")
                                        << 200;
    QTest::newRow("deny by boolean property") << QByteArray(R"({"subject":{"type":"user","id":"alice"},"action":{"name":"delete","properties":{"soft":false}},"resource":{"type":"record","id":"record-1"}})")
                                              << QByteArray(R"({"subject":{"type":"user","id":"alice"},"action":{"name":"delete","properties":{"soft":false, "n": 1.5}},"resource":{"type":"record","id":"record-1"}})")
                                              << 200;
    QTest::newRow("id not a string") << QByteArray(R"({"subject":{"type":"user","id":5},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}})")
                                     << QByteArray(R"({"subject":{"type":"user","id":5},"action":{"name":"r\u0065ad"},"resource":{"type":"record","id":"record-1"}})")
                                     << 400;
    QTest::newRow("properties not an object") << QByteArray(R"({"subject":{"type":"user","id":"alice","properties":[]},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}})")
                                              << QByteArray(R"({"subject":{"type":"user","id":"alice","properties":[]},"action":{"name":"r\u0065ad"},"resource":{"type":"record","id":"record-1"}})")
                                              << 400;
    QTest::newRow("context null") << QByteArray(R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"},"context":null})")
                                  << QByteArray(R"({"subject":{"type":"user","id":"alice"},"action":{"name":"r\u0065ad"},"resource":{"type":"record","id":"record-1"},"context":null})")
                                  << 400;
}

void tst_PdpRequirements::flatAndFullReadingsAgree()
{
    QFETCH(QByteArray, flat);
    QFETCH(QByteArray, full);
    QFETCH(int, status);

    QVERIFY(Json::FlatDocument::read(flat));
    QVERIFY(!Json::FlatDocument::read(full));
    const HttpResponse flatAnswer = post(kEvaluation, flat);
    const HttpResponse fullAnswer = post(kEvaluation, full);
    QVERIFY2(flatAnswer.status == status, flatAnswer.describe().constData());
    QCOMPARE(fullAnswer.status, flatAnswer.status);
    QCOMPARE(fullAnswer.json, flatAnswer.json);
    if (status == 200) {
        const QJsonObject body = jsonObject(flat);
        const Policy::Request request{body.value(u"subject").toObject(), body.value(u"resource").toObject(),
                                      body.value(u"action").toObject(), body.value(u"context").toObject()};
        QCOMPARE(flatAnswer.json.value(u"decision").toBool(), m_pack->evaluate(request).effect == Policy::Effect::Permit);
    }
}

void tst_PdpRequirements::responsesOmitNulls()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, body);

    const HttpResponse response = post(path, body);
    QVERIFY2(response.status == 200 || response.status == 400, response.describe().constData());
    QVERIFY(!response.json.isEmpty());
    QVERIFY2(!containsNull(response.json), response.body.constData());

    const HttpResponse metadata = m_service.get(kMetadata, QString());
    QVERIFY2(!containsNull(metadata.json), metadata.body.constData());
}

void tst_PdpRequirements::searchNeedsPepToken_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("token");
    QTest::addColumn<int>("status");

    QTest::newRow("subject search without token") << kSubjectSearch << QString() << 401;
    QTest::newRow("resource search with unknown token") << kResourceSearch << QStringLiteral("not-a-token") << 401;
    QTest::newRow("action search as an approver") << kActionSearch << Tokens::bob << 403;
    QTest::newRow("subject search as an auditor") << kSubjectSearch << Tokens::auditor << 403;
}

void tst_PdpRequirements::searchNeedsPepToken()
{
    QFETCH(QString, path);
    QFETCH(QString, token);
    QFETCH(int, status);

    const HttpResponse response = post(path, kActionsOfAlice, token);
    QVERIFY2(response.status == status, response.describe().constData());
    if (status == 401)
        QVERIFY(response.header("www-authenticate").startsWith("Bearer"));
    else
        QVERIFY(!response.hasHeader("www-authenticate"));
}

// ---- evaluations options and item errors ----

void tst_PdpRequirements::executeAllIsDefault()
{
    const HttpResponse implicit = post(kEvaluations, bobBatch({"read", "write", "read"}));
    const HttpResponse explicitOption = post(kEvaluations, bobBatch({"read", "write", "read"}, semantic("execute_all")));
    QVERIFY2(implicit.status == 200, implicit.describe().constData());
    QVERIFY2(explicitOption.status == 200, explicitOption.describe().constData());
    QCOMPARE(decisionsOf(implicit), (QList<bool>{true, false, true}));
    QCOMPARE(decisionsOf(explicitOption), (QList<bool>{true, false, true}));
}

void tst_PdpRequirements::denyOnFirstDeny_data()
{
    QTest::addColumn<QStringList>("actions");
    QTest::addColumn<QList<bool>>("expected");

    QTest::newRow("stops at the deny") << QStringList{"read", "write", "read"} << QList<bool>{true, false};
    QTest::newRow("first item denies") << QStringList{"write", "read"} << QList<bool>{false};
    QTest::newRow("all permit") << QStringList{"read", "read", "read"} << QList<bool>{true, true, true};
}

void tst_PdpRequirements::denyOnFirstDeny()
{
    QFETCH(QStringList, actions);
    QFETCH(QList<bool>, expected);

    // The response is truncated after the deciding item, as the API's example shows.
    const HttpResponse response = post(kEvaluations, bobBatch(actions, semantic("deny_on_first_deny")));
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(decisionsOf(response), expected);
}

void tst_PdpRequirements::permitOnFirstPermit_data()
{
    QTest::addColumn<QStringList>("actions");
    QTest::addColumn<QList<bool>>("expected");

    QTest::newRow("stops at the permit") << QStringList{"read", "write", "read"} << QList<bool>{true};
    QTest::newRow("permit comes last") << QStringList{"write", "write", "read"} << QList<bool>{false, false, true};
    QTest::newRow("none permits") << QStringList{"write", "write"} << QList<bool>{false, false};
}

void tst_PdpRequirements::permitOnFirstPermit()
{
    QFETCH(QStringList, actions);
    QFETCH(QList<bool>, expected);

    const HttpResponse response = post(kEvaluations, bobBatch(actions, semantic("permit_on_first_permit")));
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(decisionsOf(response), expected);
}

void tst_PdpRequirements::itemErrorStopsDenyOnFirstDeny()
{
    QJsonObject body = bobBatch({"read", "read"}, semantic("deny_on_first_deny"));
    QJsonArray items = body.value(u"evaluations").toArray();
    items.insert(1, QJsonObject{{QStringLiteral("action"), QJsonObject{}}});
    body.insert(QStringLiteral("evaluations"), items);

    const HttpResponse response = post(kEvaluations, body);
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(decisionsOf(response), (QList<bool>{true, false}));
    QVERIFY(response.json.value(u"evaluations").toArray().at(1).toObject().value(u"context").toObject().contains(u"error"));
}

void tst_PdpRequirements::invalidOptions_data()
{
    QTest::addColumn<QJsonValue>("options");
    QTest::addColumn<QString>("invalidValue"); // the problem's invalid_value
    const auto withSemantic = [](const QJsonValue &value) {
        return QJsonValue(QJsonObject{{QStringLiteral("evaluations_semantic"), value}});
    };

    QTest::newRow("unknown semantic") << QJsonValue(semantic("first")) << QStringLiteral("first");
    QTest::newRow("semantic a number") << withSemantic(1) << QStringLiteral("1");
    QTest::newRow("semantic null") << withSemantic(QJsonValue::Null) << QStringLiteral("null");
    QTest::newRow("semantic an object") << withSemantic(QJsonObject{{QStringLiteral("a"), true}})
                                        << QStringLiteral(R"({"a":true})");
    QTest::newRow("options an array") << QJsonValue(QJsonArray{QStringLiteral("execute_all")}) << QStringLiteral("options");
    QTest::newRow("options a string") << QJsonValue(QStringLiteral("execute_all")) << QStringLiteral("options");
}

void tst_PdpRequirements::invalidOptions()
{
    QFETCH(QJsonValue, options);
    QFETCH(QString, invalidValue);

    const HttpResponse response = post(kEvaluations, bobBatch({"read"}, options));
    QVERIFY2(response.status == 400, response.describe().constData());
    QCOMPARE(response.json.value(u"invalid_value").toString(), invalidValue);
}

void tst_PdpRequirements::unknownOptionIgnored()
{
    const HttpResponse response = post(kEvaluations, bobBatch({"read", "write"}, QJsonObject{{QStringLiteral("another_option"), QStringLiteral("x")}}));
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(decisionsOf(response), (QList<bool>{true, false}));
}

void tst_PdpRequirements::nonObjectItemDenied()
{
    QJsonObject body = bobBatch({"read"});
    QJsonArray items = body.value(u"evaluations").toArray();
    items.prepend(QStringLiteral("read"));
    body.insert(QStringLiteral("evaluations"), items);

    const HttpResponse response = post(kEvaluations, body);
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(decisionsOf(response), (QList<bool>{false, true}));
}

// A default is checked once per batch: every item that inherits an invalid one is an error, each
// with the message, while an item whose own member completes the default is decided.
void tst_PdpRequirements::invalidDefaultDeniesInheritors()
{
    const HttpResponse response = post(kEvaluations, QByteArray(R"({"subject":{"type":"user"},
        "resource":{"type":"record","id":"record-1"},"action":{"name":"read"},
        "evaluations":[{}, {"subject":{"id":"bob"}}, {}, {"subject":{"type":"user","id":"bob"},"context":5}]})"));

    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(decisionsOf(response), (QList<bool>{false, true, false, false}));
    const QJsonArray evaluations = response.json.value(u"evaluations").toArray();
    for (const int inheritor : {0, 2}) {
        const QJsonObject error = evaluations.at(inheritor).toObject().value(u"context").toObject().value(u"error").toObject();
        QCOMPARE(error.value(u"status").toInt(), 400);
        const QString message = error.value(u"message").toString();
        QVERIFY2(message.startsWith(QLatin1String("This item inherits the top-level subject, which is invalid.")), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("subject.id")), qPrintable(message));
    }
    QVERIFY(!evaluations.at(1).toObject().contains(u"context"));
    const QJsonObject contextError = evaluations.at(3).toObject().value(u"context").toObject().value(u"error").toObject();
    QVERIFY2(contextError.value(u"message").toString().contains(QLatin1String("context")),
             qPrintable(contextError.value(u"message").toString()));
}

void tst_PdpRequirements::evaluationsNotAnArray()
{
    const HttpResponse response = post(kEvaluations, QByteArray(R"({"subject":{"type":"user","id":"bob"},
        "resource":{"type":"record","id":"record-1"},"action":{"name":"read"},"evaluations":{"action":{"name":"read"}}})"));
    QVERIFY2(response.status == 400, response.describe().constData());
}

void tst_PdpRequirements::requestableDenialPerItem()
{
    ServiceFixture arap(QStringLiteral("arap-conformance"));
    QVERIFY2(arap.start(), qPrintable(arap.errorString()));

    const HttpResponse response = arap.send(QByteArrayLiteral("POST"), kEvaluations, R"({"subject":{"type":"user","id":"alice"},
        "action":{"name":"can_read"},"context":{"tenant":"acme"},
        "evaluations":[{"resource":{"type":"document","id":"q4-summary"}},{"resource":{"type":"document","id":"q4-plan"}}]})",
                                            Tokens::pepA);
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(decisionsOf(response), (QList<bool>{true, false}));

    const QJsonArray evaluations = response.json.value(u"evaluations").toArray();
    QVERIFY(!evaluations.at(0).toObject().contains(u"context"));
    QVERIFY(evaluations.at(1).toObject().value(u"context").toObject().value(u"access_request").isObject());
    QVERIFY(!response.json.contains(u"context"));
}

// ---- search ----

void tst_PdpRequirements::searchResultsReevaluate_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("users who read record-1") << kSubjectSearch << QByteArray(R"({"subject":{"type":"user"},"action":{"name":"read"},
        "resource":{"type":"record","id":"record-1"}})");
    QTest::newRow("users who write an archived record-2") << kSubjectSearch << QByteArray(R"({"subject":{"type":"user"},
        "action":{"name":"write"},"resource":{"type":"record","id":"record-2","properties":{"status":"archived"}}})");
    QTest::newRow("users who write record-1") << kSubjectSearch << QByteArray(R"({"subject":{"type":"user"},
        "action":{"name":"write"},"resource":{"type":"record","id":"record-1"}})");
    QTest::newRow("records alice writes") << kResourceSearch << QByteArray(R"({"subject":{"type":"user","id":"alice"},
        "action":{"name":"write"},"resource":{"type":"record"}})");
    QTest::newRow("records an admin bob writes") << kResourceSearch << QByteArray(R"({"subject":{"type":"user","id":"bob",
        "properties":{"role":"admin"}},"action":{"name":"write"},"resource":{"type":"record"}})");
    QTest::newRow("actions of alice on record-1") << kActionSearch << kActionsOfAlice;
    QTest::newRow("actions of an admin bob on an archived record-2") << kActionSearch << QByteArray(R"({"subject":{"type":"user",
        "id":"bob","properties":{"role":"admin"}},"resource":{"type":"record","id":"record-2","properties":{"status":"archived"}}})");
}

void tst_PdpRequirements::searchResultsReevaluate()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, body);

    const HttpResponse response = post(path, body);
    QVERIFY2(response.status == 200, response.describe().constData());
    const QList<QJsonObject> results = resultsOf(response);

    // Every declared candidate, evaluated with its declared properties, permits exactly when the
    // search returned it.
    const QString member = path == kSubjectSearch ? QStringLiteral("subject")
        : path == kResourceSearch                 ? QStringLiteral("resource")
                                                  : QStringLiteral("action");
    const QList<QJsonObject> &candidates = path == kSubjectSearch ? m_pack->subjects()
        : path == kResourceSearch                                  ? m_pack->resources()
                                                                   : m_pack->actions();
    const QJsonObject search = jsonObject(body);
    int permitted = 0;
    for (const QJsonObject &candidate : candidates) {
        if (member != QLatin1String("action")
            && candidate.value(u"type") != search.value(member).toObject().value(u"type"))
            continue;

        QJsonObject evaluation = search;
        evaluation.insert(member, candidate);
        const HttpResponse decision = post(kEvaluation, evaluation);
        QVERIFY2(decision.status == 200, decision.describe().constData());

        QJsonObject identity = candidate;
        identity.remove(QStringLiteral("properties"));
        const bool returned = containsEntity(results, identity);
        QVERIFY2(decision.json.value(u"decision").toBool() == returned, compactJson(candidate).constData());
        permitted += returned ? 1 : 0;
    }
    QCOMPARE(permitted, results.size());
}

void tst_PdpRequirements::resultsCarryIdentityOnly_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QStringList>("members");

    const QStringList typeAndId{QStringLiteral("id"), QStringLiteral("type")};
    QTest::newRow("subjects") << kSubjectSearch << QByteArray(R"({"subject":{"type":"user"},"action":{"name":"read"},
        "resource":{"type":"record","id":"record-1"}})") << typeAndId;
    QTest::newRow("resources") << kResourceSearch << kRecordsAliceReads << typeAndId;
    QTest::newRow("actions") << kActionSearch << kActionsOfAlice << QStringList{QStringLiteral("name")};
}

void tst_PdpRequirements::resultsCarryIdentityOnly()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(QStringList, members);

    const HttpResponse response = post(path, body);
    QVERIFY2(response.status == 200, response.describe().constData());
    const QList<QJsonObject> results = resultsOf(response);
    QCOMPARE(results.size(), 2);
    for (const QJsonObject &result : results)
        QCOMPARE(result.keys(), members);
}

void tst_PdpRequirements::strayActionIgnored_data()
{
    QTest::addColumn<QJsonValue>("action");

    QTest::newRow("a named action") << QJsonValue(actionRef("delete"));
    QTest::newRow("an action that is not an object") << QJsonValue(5);
}

void tst_PdpRequirements::strayActionIgnored()
{
    QFETCH(QJsonValue, action);

    QJsonObject request = jsonObject(kActionsOfAlice);
    request.insert(QStringLiteral("action"), action);
    const HttpResponse plain = post(kActionSearch, kActionsOfAlice);
    const HttpResponse stray = post(kActionSearch, request);
    QVERIFY2(plain.status == 200, plain.describe().constData());
    QVERIFY2(stray.status == 200, stray.describe().constData());
    QCOMPARE(resultsOf(stray), resultsOf(plain));
}

void tst_PdpRequirements::invalidPage_data()
{
    QTest::addColumn<QJsonValue>("page");

    QTest::newRow("negative limit") << QJsonValue(QJsonObject{{QStringLiteral("limit"), -1}});
    QTest::newRow("fractional limit") << QJsonValue(QJsonObject{{QStringLiteral("limit"), 1.5}});
    QTest::newRow("limit a string") << QJsonValue(QJsonObject{{QStringLiteral("limit"), QStringLiteral("2")}});
    QTest::newRow("limit a boolean") << QJsonValue(QJsonObject{{QStringLiteral("limit"), true}});
    QTest::newRow("limit null") << QJsonValue(QJsonObject{{QStringLiteral("limit"), QJsonValue::Null}});
    QTest::newRow("limit beyond exact integers") << QJsonValue(QJsonObject{{QStringLiteral("limit"), 1e300}});
    QTest::newRow("token a number") << QJsonValue(QJsonObject{{QStringLiteral("token"), 7}});
    QTest::newRow("properties a string") << QJsonValue(QJsonObject{{QStringLiteral("properties"), QStringLiteral("x")}});
    QTest::newRow("page a number") << QJsonValue(1);
    QTest::newRow("page an array") << QJsonValue(QJsonArray{});
}

void tst_PdpRequirements::invalidPage()
{
    QFETCH(QJsonValue, page);

    QJsonObject request = jsonObject(kRecordsAliceReads);
    request.insert(QStringLiteral("page"), page);
    const HttpResponse response = post(kResourceSearch, request);
    QVERIFY2(response.status == 400, response.describe().constData());
    QVERIFY(response.json.value(u"invalid_value").toString().startsWith(QLatin1String("page")));
}

void tst_PdpRequirements::zeroLimitCountsOnly()
{
    const HttpResponse response = post(kResourceSearch, withPage(jsonObject(kRecordsAliceReads), QJsonObject{{QStringLiteral("limit"), 0}}));
    QVERIFY2(response.status == 200, response.describe().constData());
    QVERIFY(resultsOf(response).isEmpty());
    const QJsonObject page = response.json.value(u"page").toObject();
    QCOMPARE(page.value(u"count").toInt(-1), 0);
    QCOMPARE(page.value(u"total").toInt(-1), 2);
    QVERIFY(!page.value(u"next_token").toString().isEmpty());
}

void tst_PdpRequirements::pagesCoverResultsOnce()
{
    const QJsonObject request = withPage(jsonObject(kRecordsAliceReads), QJsonObject{{QStringLiteral("limit"), 1}});

    const HttpResponse first = post(kResourceSearch, request);
    QVERIFY2(first.status == 200, first.describe().constData());
    QCOMPARE(resultsOf(first), QList<QJsonObject>{recordRef("record-1")});
    const QJsonObject firstPage = first.json.value(u"page").toObject();
    QCOMPARE(firstPage.value(u"count").toInt(), 1);
    QCOMPARE(firstPage.value(u"total").toInt(), 2);
    const QString token = firstPage.value(u"next_token").toString();
    QVERIFY(!token.isEmpty());

    const HttpResponse second = post(kResourceSearch, withPage(request, QJsonObject{{QStringLiteral("limit"), 1},
                                                                                      {QStringLiteral("token"), token}}));
    QVERIFY2(second.status == 200, second.describe().constData());
    QCOMPARE(resultsOf(second), QList<QJsonObject>{recordRef("record-2")});
    const QJsonObject secondPage = second.json.value(u"page").toObject();
    QCOMPARE(secondPage.value(u"count").toInt(), 1);
    QCOMPARE(secondPage.value(u"total").toInt(), 2);
    QCOMPARE(secondPage.value(u"next_token"), QJsonValue(QString()));

    // The same token gives the same page again: tokens are not single-use.
    const HttpResponse repeated = post(kResourceSearch, withPage(request, QJsonObject{{QStringLiteral("limit"), 1},
                                                                                        {QStringLiteral("token"), token}}));
    QCOMPARE(resultsOf(repeated), resultsOf(second));
}

void tst_PdpRequirements::limitCoveringAllResults()
{
    for (int limit : {2, 3, 1000}) {
        const HttpResponse response = post(kResourceSearch, withPage(jsonObject(kRecordsAliceReads), QJsonObject{{QStringLiteral("limit"), limit}}));
        QVERIFY2(response.status == 200, response.describe().constData());
        QCOMPARE(resultsOf(response).size(), 2);
        QCOMPARE(response.json.value(u"page").toObject().value(u"next_token"), QJsonValue(QString()));
    }
}

void tst_PdpRequirements::tokenBoundToRequest_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("changed");

    // Each row is the first request with one change, sent with the first page's token.
    QTest::newRow("other resource type") << kResourceSearch << QByteArray(R"({"subject":{"type":"user","id":"alice"},
        "action":{"name":"read"},"resource":{"type":"document"},"page":{"limit":1}})");
    QTest::newRow("other action") << kResourceSearch << QByteArray(R"({"subject":{"type":"user","id":"alice"},
        "action":{"name":"write"},"resource":{"type":"record"},"page":{"limit":1}})");
    QTest::newRow("other subject") << kResourceSearch << QByteArray(R"({"subject":{"type":"user","id":"bob"},
        "action":{"name":"read"},"resource":{"type":"record"},"page":{"limit":1}})");
    QTest::newRow("other limit") << kResourceSearch << QByteArray(R"({"subject":{"type":"user","id":"alice"},
        "action":{"name":"read"},"resource":{"type":"record"},"page":{"limit":2}})");
    QTest::newRow("limit dropped") << kResourceSearch << QByteArray(R"({"subject":{"type":"user","id":"alice"},
        "action":{"name":"read"},"resource":{"type":"record"},"page":{}})");
    QTest::newRow("context added") << kResourceSearch << QByteArray(R"({"subject":{"type":"user","id":"alice"},
        "action":{"name":"read"},"resource":{"type":"record"},"context":{"ip":"10.0.0.1"},"page":{"limit":1}})");
    QTest::newRow("ignored resource id added") << kResourceSearch << QByteArray(R"({"subject":{"type":"user","id":"alice"},
        "action":{"name":"read"},"resource":{"type":"record","id":"record-1"},"page":{"limit":1}})");
    QTest::newRow("page properties added") << kResourceSearch << QByteArray(R"({"subject":{"type":"user","id":"alice"},
        "action":{"name":"read"},"resource":{"type":"record"},"page":{"limit":1,"properties":{"sort":"id"}}})");
}

void tst_PdpRequirements::tokenBoundToRequest()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, changed);

    const QJsonObject original = withPage(jsonObject(kRecordsAliceReads), QJsonObject{{QStringLiteral("limit"), 1}});
    const QString token = firstPageToken(kResourceSearch, original);
    QVERIFY(!token.isEmpty());

    // The unchanged request accepts the token; the changed one rejects it.
    QJsonObject page = original.value(u"page").toObject();
    page.insert(QStringLiteral("token"), token);
    const HttpResponse unchanged = post(kResourceSearch, withPage(original, page));
    QVERIFY2(unchanged.status == 200, unchanged.describe().constData());

    QJsonObject request = jsonObject(changed);
    page = request.value(u"page").toObject();
    page.insert(QStringLiteral("token"), token);
    const HttpResponse response = post(path, withPage(request, page));
    QVERIFY2(response.status == 400, response.describe().constData());
    QCOMPARE(response.json.value(u"invalid_value").toString(), QStringLiteral("page.token"));
}

void tst_PdpRequirements::tokenBoundToEndpoint()
{
    // Valid at both endpoints, because each search ignores the id of the entity it searches.
    const QJsonObject request = jsonObject(R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},
        "resource":{"type":"record","id":"record-1"},"page":{"limit":1}})");
    const QString token = firstPageToken(kResourceSearch, request);
    QVERIFY(!token.isEmpty());

    const QJsonObject page{{QStringLiteral("limit"), 1}, {QStringLiteral("token"), token}};
    const HttpResponse sameEndpoint = post(kResourceSearch, withPage(request, page));
    QVERIFY2(sameEndpoint.status == 200, sameEndpoint.describe().constData());
    const HttpResponse otherEndpoint = post(kSubjectSearch, withPage(request, page));
    QVERIFY2(otherEndpoint.status == 400, otherEndpoint.describe().constData());
    QCOMPARE(otherEndpoint.json.value(u"invalid_value").toString(), QStringLiteral("page.token"));
}

void tst_PdpRequirements::forgedTokenRejected_data()
{
    QTest::addColumn<QString>("forgery");

    QTest::newRow("made up") << QStringLiteral("abc");
    QTest::newRow("made up with a dot") << QStringLiteral("MQ.c2lnbmF0dXJl");
    QTest::newRow("offset changed") << QStringLiteral("{offset:MA}");
    QTest::newRow("signature changed") << QStringLiteral("{flip}");
    QTest::newRow("signature dropped") << QStringLiteral("{offset-only}");
    QTest::newRow("extra segment") << QStringLiteral("{token}.x");
    QTest::newRow("not base64url") << QStringLiteral("M*.{mac}");
    QTest::newRow("over-long") << QString(300, u'A');
}

void tst_PdpRequirements::forgedTokenRejected()
{
    QFETCH(QString, forgery);

    const QJsonObject request = withPage(jsonObject(kRecordsAliceReads), QJsonObject{{QStringLiteral("limit"), 1}});
    const QString token = firstPageToken(kResourceSearch, request);
    const QStringList parts = token.split(u'.');
    QCOMPARE(parts.size(), 2);

    // Placeholders build a forgery from the real token: "MA" is the base64url form of offset 0.
    QString mac = parts.at(1);
    QString flipped = mac;
    flipped[0] = flipped.at(0) == u'A' ? u'B' : u'A';
    forgery.replace(QStringLiteral("{offset:MA}"), QStringLiteral("MA.") + mac)
        .replace(QStringLiteral("{flip}"), parts.at(0) + u'.' + flipped)
        .replace(QStringLiteral("{offset-only}"), parts.at(0))
        .replace(QStringLiteral("{token}"), token)
        .replace(QStringLiteral("{mac}"), mac);
    QVERIFY(forgery != token);

    const HttpResponse response = post(kResourceSearch, withPage(request, QJsonObject{{QStringLiteral("limit"), 1},
                                                                                     {QStringLiteral("token"), forgery}}));
    QVERIFY2(response.status == 400, response.describe().constData());
    QCOMPARE(response.json.value(u"invalid_value").toString(), QStringLiteral("page.token"));
}

void tst_PdpRequirements::tokenRejectedAfterRestart()
{
    ServiceFixture service(QStringLiteral("certification"));
    QVERIFY2(service.start(), qPrintable(service.errorString()));
    const QJsonObject request = withPage(jsonObject(kRecordsAliceReads), QJsonObject{{QStringLiteral("limit"), 1}});
    const HttpResponse first = service.post(kResourceSearch, request, Tokens::pepA);
    const QString token = first.json.value(u"page").toObject().value(u"next_token").toString();
    QVERIFY(!token.isEmpty());

    // The key behind tokens lives only as long as the process state that issued them.
    QVERIFY2(service.restart(), qPrintable(service.errorString()));
    const HttpResponse response = service.post(kResourceSearch, withPage(request, QJsonObject{{QStringLiteral("limit"), 1},
                                                                                            {QStringLiteral("token"), token}}),
                                               Tokens::pepA);
    QVERIFY2(response.status == 400, response.describe().constData());
}

void tst_PdpRequirements::unknownPageMembersIgnored()
{
    const HttpResponse plain = post(kResourceSearch, withPage(jsonObject(kRecordsAliceReads), QJsonObject{{QStringLiteral("limit"), 10}}));
    const HttpResponse extra = post(kResourceSearch, withPage(jsonObject(kRecordsAliceReads),
                                                              QJsonObject{{QStringLiteral("limit"), 10},
                                                                          {QStringLiteral("customAttr"), QStringLiteral("ignored")}}));
    QVERIFY2(plain.status == 200, plain.describe().constData());
    QVERIFY2(extra.status == 200, extra.describe().constData());
    QCOMPARE(resultsOf(extra), resultsOf(plain));
}

// ---- metadata ----

void tst_PdpRequirements::metadataCacheable()
{
    const HttpResponse response = m_service.get(kMetadata, QString());
    QVERIFY2(response.status == 200, response.describe().constData());
    QVERIFY2(response.header("cache-control").contains("max-age="), response.header("cache-control").constData());
}

void tst_PdpRequirements::metadataAdvertisesAccessRequests()
{
    const HttpResponse response = m_service.get(kMetadata, QString());
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.json.value(u"access_request_endpoint").toString(), m_service.baseUrl() + QStringLiteral("/access/v1/requests"));
    QVERIFY(response.json.value(u"capabilities").toArray().contains(QStringLiteral("urn:openid:authzen:capability:access-request")));

    // The advertised endpoint is served: an empty submission is rejected as invalid, not unknown.
    const HttpResponse submission = post(response.json.value(u"access_request_endpoint").toString(), QByteArrayLiteral("{}"));
    QVERIFY2(submission.status == 400, submission.describe().constData());
}

void tst_PdpRequirements::jwksPublished()
{
    const HttpResponse metadata = m_service.get(kMetadata, QString());
    QCOMPARE(metadata.json.value(u"jwks_uri").toString(), m_service.baseUrl() + QStringLiteral("/access/v1/jwks"));

    const HttpResponse jwks = m_service.get(metadata.json.value(u"jwks_uri").toString(), QString());
    QVERIFY2(jwks.status == 200, jwks.describe().constData());
    const QJsonArray keys = jwks.json.value(u"keys").toArray();
    QVERIFY(!keys.isEmpty());
    for (const QJsonValue &key : keys) {
        QVERIFY(!key.toObject().value(u"kid").toString().isEmpty());
        QCOMPARE(key.toObject().value(u"use").toString(), QStringLiteral("sig"));
    }
}

QTEST_GUILESS_MAIN(tst_PdpRequirements)
#include "tst_pdprequirements.moc"
