// Upstream mode end to end: the real service on 127.0.0.1 forwards evaluations to a fake AuthZEN
// PDP and lays the local layer (tests/upstream/layer) over its answers. Reports are requestable
// locally, vaults are forbidden locally, notes have a local permit, anything else has no local
// rule.

#include "core/service/upstreamevaluations.h"
#include "tests/upstream/fakepdp.h"
#include "tests/upstream/messagecapture.h"
#include "tests/upstream/upstreamservice.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QTest>

#include <memory>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

const QString kUpstreamToken = QStringLiteral("upstream-secret");
const QString kLayer = QStringLiteral(RECOURSE_SOURCE_DIR "/tests/upstream/layer");
const QRegularExpression kFailureWarning(
    QStringLiteral(R"(^Upstream PDP http://127\.0\.0\.1:\d+/access/v1/evaluation gave no usable decision)"));

QJsonObject readOf(const char *type, const char *id)
{
    return QJsonObject{{QStringLiteral("subject"), entity(QStringLiteral("user"), QStringLiteral("alice"))},
                       {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("read")}}},
                       {QStringLiteral("resource"), entity(QLatin1String(type), QLatin1String(id))},
                       {QStringLiteral("context"), QJsonObject{{QStringLiteral("tenant"), QStringLiteral("acme")}}}};
}

QJsonObject decisionOnly(bool decision)
{
    return QJsonObject{{QStringLiteral("decision"), decision}};
}

QJsonObject accessRequestOf(const QJsonObject &decision)
{
    return decision.value(QStringLiteral("context")).toObject().value(QStringLiteral("access_request")).toObject();
}

QList<QJsonObject> decisionsOf(const HttpResponse &response)
{
    QList<QJsonObject> decisions;
    for (const QJsonValue &item : response.json.value(QStringLiteral("evaluations")).toArray())
        decisions.append(item.toObject());
    return decisions;
}

} // namespace

Q_DECLARE_METATYPE(Recourse::Testing::FakeAnswer)

class tst_UpstreamMode : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void upstreamPermitPassesThrough();
    void upstreamDenyWithoutRequestableRuleIsPlain_data();
    void upstreamDenyWithoutRequestableRuleIsPlain();
    void upstreamDenyWithRequestableRuleIsRequestable();
    void localForbidWinsWithoutAskingTheUpstream();
    void upstreamFailureFailsClosed_data();
    void upstreamFailureFailsClosed();
    void unreachableUpstreamFailsClosed();
    void escalationLoopWhileUpstreamDenies();
    void batchKeepsItemOrder();
    void batchStopsWhereItsSemanticSays_data();
    void batchStopsWhereItsSemanticSays();
    void batchAsksFewItemsPastTheStop();
    void batchSizeIsBounded();

private:
    bool startService(int upstreamTimeoutMs = 2000);

    std::unique_ptr<FakePdp> m_fake;
    std::unique_ptr<UpstreamService> m_service;
};

void tst_UpstreamMode::init()
{
    m_fake = std::make_unique<FakePdp>();
    QVERIFY(m_fake->listen());
}

void tst_UpstreamMode::cleanup()
{
    m_service.reset();
    m_fake.reset();
}

bool tst_UpstreamMode::startService(int upstreamTimeoutMs)
{
    m_service = std::make_unique<UpstreamService>(kLayer, m_fake->url(), kUpstreamToken, upstreamTimeoutMs);
    if (!m_service->start()) {
        qWarning() << "The service did not start:" << m_service->errorString();
        return false;
    }
    return true;
}

void tst_UpstreamMode::upstreamPermitPassesThrough()
{
    // Given an upstream that permits a report, which the local layer would only make requestable
    m_fake->answer(QStringLiteral("r-open"), FakeAnswer::Permit);
    QVERIFY(startService());

    const HttpResponse response = m_service->evaluate(readOf("report", "r-open"));

    // Then the permit passes through, and the upstream saw our token, not the PEP's
    QCOMPARE(response.status, 200);
    QCOMPARE(response.json, decisionOnly(true));
    QCOMPARE(m_fake->requestCount(), 1);
    QCOMPARE(m_fake->authorizations().first(), QByteArrayLiteral("Bearer upstream-secret"));
    QCOMPARE(m_fake->bodies().first(), readOf("report", "r-open"));
}

void tst_UpstreamMode::upstreamDenyWithoutRequestableRuleIsPlain_data()
{
    QTest::addColumn<QByteArray>("type");

    QTest::newRow("no local rule") << QByteArrayLiteral("document");
    QTest::newRow("a local permit rule") << QByteArrayLiteral("note");
}

void tst_UpstreamMode::upstreamDenyWithoutRequestableRuleIsPlain()
{
    QFETCH(QByteArray, type);
    m_fake->setFallback(FakeAnswer::Deny);
    QVERIFY(startService());

    const HttpResponse response = m_service->evaluate(readOf(type.constData(), "x-1"));

    // A local permit never overrides the upstream's deny, and the upstream's own context is not passed on.
    QCOMPARE(response.status, 200);
    QCOMPARE(response.json, decisionOnly(false));
    QCOMPARE(m_fake->requestCount(), 1);
}

void tst_UpstreamMode::upstreamDenyWithRequestableRuleIsRequestable()
{
    m_fake->setFallback(FakeAnswer::Deny);
    QVERIFY(startService());

    const HttpResponse response = m_service->evaluate(readOf("report", "r-1"));

    QCOMPARE(response.status, 200);
    QCOMPARE(response.json.value(QStringLiteral("decision")), QJsonValue(false));
    const QJsonObject context = response.json.value(QStringLiteral("context")).toObject();
    const QJsonObject accessRequest = accessRequestOf(response.json);
    QVERIFY2(!accessRequest.value(QStringLiteral("binding_token")).toString().isEmpty(), response.body.constData());
    QCOMPARE(accessRequest.value(QStringLiteral("template")).toString(), QStringLiteral("report_access"));
    QCOMPARE(accessRequest.value(QStringLiteral("endpoint")).toString(), m_service->baseUrl() + QStringLiteral("/access/v1/requests"));
    QVERIFY(context.value(QStringLiteral("evaluation_id")).toString().startsWith(QLatin1String("evl_")));
    QVERIFY2(!context.contains(QStringLiteral("reason_admin")), "the upstream's context must not leak into ours");
}

void tst_UpstreamMode::localForbidWinsWithoutAskingTheUpstream()
{
    // Given an upstream that would permit opening the vault
    m_fake->answer(QStringLiteral("v-1"), FakeAnswer::Permit);
    QVERIFY(startService());

    const HttpResponse response = m_service->evaluate(readOf("vault", "v-1"));

    QCOMPARE(response.status, 200);
    QCOMPARE(response.json, decisionOnly(false));
    QCOMPARE(m_fake->requestCount(), 0);
}

void tst_UpstreamMode::upstreamFailureFailsClosed_data()
{
    QTest::addColumn<FakeAnswer>("answer");

    QTest::newRow("timeout") << FakeAnswer::Silent;
    QTest::newRow("HTTP 500") << FakeAnswer::ServerError;
    QTest::newRow("garbage body") << FakeAnswer::Garbage;
    QTest::newRow("decision is not a boolean") << FakeAnswer::NotBoolean;
    QTest::newRow("oversized answer") << FakeAnswer::Oversized;
    QTest::newRow("redirect") << FakeAnswer::Redirect;
}

void tst_UpstreamMode::upstreamFailureFailsClosed()
{
    QFETCH(FakeAnswer, answer);
    // Reports are requestable locally, so a fail-open bug would show as an access_request.
    m_fake->setFallback(answer);
    QVERIFY(startService(500));
    MessageCapture capture;
    QTest::ignoreMessage(QtWarningMsg, kFailureWarning);

    const HttpResponse response = m_service->evaluate(readOf("report", "r-1"));

    QCOMPARE(response.status, 200);
    QCOMPARE(response.json, decisionOnly(false));
    QCOMPARE(m_fake->requestCount(), 1);
    for (const QString &message : capture.messages())
        QVERIFY2(!message.contains(kUpstreamToken), qPrintable(message));
}

void tst_UpstreamMode::unreachableUpstreamFailsClosed()
{
    // Given an upstream URL whose port nothing listens on
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const QUrl closed(QStringLiteral("http://127.0.0.1:%1").arg(probe.serverPort()));
    probe.close();
    m_service = std::make_unique<UpstreamService>(kLayer, closed, kUpstreamToken, 2000);
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
    QTest::ignoreMessage(QtWarningMsg, kFailureWarning);

    const HttpResponse response = m_service->evaluate(readOf("report", "r-1"));

    QCOMPARE(response.status, 200);
    QCOMPARE(response.json, decisionOnly(false));
}

void tst_UpstreamMode::escalationLoopWhileUpstreamDenies()
{
    m_fake->setFallback(FakeAnswer::Deny);
    QVERIFY(startService());
    const QJsonObject request = readOf("report", "r-1");

    // Given a requestable denial that was submitted, approved by bob and read back
    const Testing::Escalation flow = m_service->grantAccess(request, Tokens::bob);
    QVERIFY2(flow.ok(), qPrintable(flow.failure));

    // When the PEP re-evaluates with the approval while the upstream still denies
    const HttpResponse reevaluated = m_service->evaluate(withApproval(request, flow.approval));

    // Then the approval, verified locally, turns the requestable deny into a permit
    QCOMPARE(reevaluated.status, 200);
    QCOMPARE(reevaluated.json.value(QStringLiteral("decision")), QJsonValue(true));
    QCOMPARE(reevaluated.json.value(QStringLiteral("context")).toObject().value(QStringLiteral("approval")).toObject()
                 .value(QStringLiteral("id")),
             flow.approval.value(QStringLiteral("id")));

    // And the upstream was asked twice, the same question both times, never seeing the approval
    QCOMPARE(m_fake->requestCount(), 2);
    for (const QJsonObject &body : m_fake->bodies())
        QCOMPARE(body, request);

    // And an approval cannot stand in for an upstream that gives no decision
    m_fake->setFallback(FakeAnswer::ServerError);
    QTest::ignoreMessage(QtWarningMsg, kFailureWarning);
    const HttpResponse failed = m_service->evaluate(withApproval(request, flow.approval));
    QCOMPARE(failed.json, decisionOnly(false));
}

void tst_UpstreamMode::batchKeepsItemOrder()
{
    // The first item's answer arrives last.
    m_fake->answer(QStringLiteral("r-slow"), FakeAnswer::Permit, 300);
    m_fake->answer(QStringLiteral("v-1"), FakeAnswer::Permit);
    m_fake->setFallback(FakeAnswer::Deny);
    QVERIFY(startService());
    const QJsonObject body{
        {QStringLiteral("evaluations"),
         QJsonArray{readOf("report", "r-slow"), readOf("report", "r-1"), readOf("vault", "v-1"), readOf("document", "d-1"), 42}}};

    const HttpResponse response = m_service->evaluations(body);

    QCOMPARE(response.status, 200);
    const QList<QJsonObject> decisions = decisionsOf(response);
    QCOMPARE(decisions.size(), 5);
    QCOMPARE(decisions.at(0), decisionOnly(true));
    QVERIFY2(!accessRequestOf(decisions.at(1)).isEmpty(), response.body.constData());
    QCOMPARE(decisions.at(2), decisionOnly(false));
    QCOMPARE(decisions.at(3), decisionOnly(false));
    QCOMPARE(decisions.at(4).value(QStringLiteral("decision")), QJsonValue(false));
    QVERIFY(decisions.at(4).value(QStringLiteral("context")).toObject().contains(QStringLiteral("error")));
    // The locally forbidden vault and the invalid item were never forwarded.
    QCOMPARE(m_fake->requestCount(), 3);
}

void tst_UpstreamMode::batchStopsWhereItsSemanticSays_data()
{
    QTest::addColumn<QString>("semantic");
    QTest::addColumn<QStringList>("ids");
    QTest::addColumn<QList<bool>>("expected");

    QTest::newRow("deny_on_first_deny") << "deny_on_first_deny" << QStringList{"open-1", "d-1", "open-2"} << QList<bool>{true, false};
    QTest::newRow("permit_on_first_permit") << "permit_on_first_permit" << QStringList{"d-1", "open-1", "d-2"}
                                            << QList<bool>{false, true};
    QTest::newRow("execute_all") << "execute_all" << QStringList{"d-1", "open-1", "d-2"} << QList<bool>{false, true, false};
}

void tst_UpstreamMode::batchStopsWhereItsSemanticSays()
{
    QFETCH(QString, semantic);
    QFETCH(QStringList, ids);
    QFETCH(QList<bool>, expected);
    m_fake->answer(QStringLiteral("open-1"), FakeAnswer::Permit);
    m_fake->answer(QStringLiteral("open-2"), FakeAnswer::Permit);
    m_fake->setFallback(FakeAnswer::Deny);
    QVERIFY(startService());
    QJsonArray items;
    for (const QString &id : ids)
        items.append(readOf("document", id.toLatin1().constData()));

    const HttpResponse response = m_service->evaluations(
        QJsonObject{{QStringLiteral("evaluations"), items},
                    {QStringLiteral("options"), QJsonObject{{QStringLiteral("evaluations_semantic"), semantic}}}});

    QCOMPARE(response.status, 200);
    QList<bool> decisions;
    for (const QJsonObject &decision : decisionsOf(response))
        decisions.append(decision.value(QStringLiteral("decision")).toBool());
    QCOMPARE(decisions, expected);
}

void tst_UpstreamMode::batchAsksFewItemsPastTheStop()
{
    // Given a batch whose first item is denied slowly and whose other nine would be permitted
    m_fake->answer(QStringLiteral("d-slow"), FakeAnswer::Deny, 300);
    m_fake->setFallback(FakeAnswer::Permit);
    QVERIFY(startService());
    QJsonArray items{readOf("document", "d-slow")};
    for (int i = 1; i <= 9; ++i)
        items.append(readOf("document", QByteArray("open-" + QByteArray::number(i)).constData()));

    const HttpResponse response = m_service->evaluations(
        QJsonObject{{QStringLiteral("evaluations"), items},
                    {QStringLiteral("options"), QJsonObject{{QStringLiteral("evaluations_semantic"), QStringLiteral("deny_on_first_deny")}}}});

    // Then the batch ends at the first item, and the upstream saw only the first four
    QCOMPARE(response.status, 200);
    QCOMPARE(decisionsOf(response), (QList<QJsonObject>{decisionOnly(false)}));
    QCOMPARE(m_fake->requestCount(), 4);
}

void tst_UpstreamMode::batchSizeIsBounded()
{
    QVERIFY(startService());
    QJsonArray items;
    for (qsizetype i = 0; i <= Service::kMaxUpstreamBatchItems; ++i)
        items.append(readOf("document", "d-1"));

    const HttpResponse response = m_service->evaluations(QJsonObject{{QStringLiteral("evaluations"), items}});

    QCOMPARE(response.status, 400);
    QCOMPARE(m_fake->requestCount(), 0);
}

QTEST_GUILESS_MAIN(tst_UpstreamMode)
#include "tst_upstreammode.moc"
