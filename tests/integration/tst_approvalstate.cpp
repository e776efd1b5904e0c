// approval.state over HTTP: the claims the service signs into it, and states signed by a key the
// PDP trusts that still must not permit because they name another audience, issuer or token
// type, or have expired. Forged states are signed with the service's own key, read from its data
// folder, so only the checked claim differs from a genuine state.

#include "core/base/rfc3339.h"
#include "core/jose/jose.h"
#include "core/json/json.h"
#include "tests/integration/araprequests.h"
#include "tests/integration/servicefixture.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

enum class StateForgery {
    ResignedUnchanged, // control: the test's own re-signing produces a state the PDP accepts
    AudOtherPdp,
    AudArrayWithoutPdp,
    AudMissing,
    IssOther,
    KidUnknown,
    TypBindingToken,
    Expired,
};

struct CompactParts
{
    QJsonObject header;
    QJsonObject claims;
};

CompactParts decode(const QString &compact)
{
    const QList<QByteArray> parts = compact.toLatin1().split('.');
    CompactParts decoded;
    decoded.header = QJsonDocument::fromJson(Jose::base64UrlDecode(parts.value(0)).value()).object();
    decoded.claims = QJsonDocument::fromJson(Jose::base64UrlDecode(parts.value(1)).value()).object();
    return decoded;
}

QString signedWith(const Jose::SigningKey &key, const QJsonObject &header, const QJsonObject &claims)
{
    const QByteArray input = Jose::base64UrlEncode(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.'
        + Jose::base64UrlEncode(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    return QString::fromLatin1(input + '.' + Jose::base64UrlEncode(key.sign(input).value()));
}

QString forge(StateForgery forgery, const QString &genuine, const Jose::SigningKey &serviceKey, qint64 nowSeconds)
{
    CompactParts state = decode(genuine);
    QJsonObject &header = state.header;
    QJsonObject &claims = state.claims;

    switch (forgery) {
    case StateForgery::ResignedUnchanged:
        break;
    case StateForgery::AudOtherPdp:
        claims.insert(QStringLiteral("aud"), QStringLiteral("https://other-pdp.example"));
        break;
    case StateForgery::AudArrayWithoutPdp:
        claims.insert(QStringLiteral("aud"), QJsonArray{QStringLiteral("https://other-pdp.example")});
        break;
    case StateForgery::AudMissing:
        claims.remove(QStringLiteral("aud"));
        break;
    case StateForgery::IssOther:
        claims.insert(QStringLiteral("iss"), QStringLiteral("https://other-ars.example"));
        break;
    case StateForgery::KidUnknown:
        header.insert(QStringLiteral("kid"), QStringLiteral("unknown-key"));
        break;
    case StateForgery::TypBindingToken:
        header.insert(QStringLiteral("typ"), QStringLiteral("recourse-binding+jwt"));
        break;
    case StateForgery::Expired:
        // Well past the fixture's 30 seconds of clock-skew tolerance.
        claims.insert(QStringLiteral("exp"), double(nowSeconds - 120));
        break;
    }
    return signedWith(serviceKey, header, claims);
}

// base64url(SHA-256(JCS({subject, resource, action, context}))) with context reduced to `members`,
// computed here independently of the service.
QString expectedBindingHash(const QJsonObject &request, const QStringList &members)
{
    const QJsonObject requestContext = request.value(u"context").toObject();
    QJsonObject context;
    for (const QString &member : members) {
        if (requestContext.contains(member))
            context.insert(member, requestContext.value(member));
    }
    const QJsonObject tuple{{QStringLiteral("subject"), request.value(u"subject")},
                            {QStringLiteral("resource"), request.value(u"resource")},
                            {QStringLiteral("action"), request.value(u"action")},
                            {QStringLiteral("context"), context}};
    const QByteArray digest = QCryptographicHash::hash(Json::canonicalize(tuple), QCryptographicHash::Sha256);
    return QString::fromLatin1(Jose::base64UrlEncode(digest));
}

} // namespace

Q_DECLARE_METATYPE(StateForgery)

class tst_ApprovalState : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void stateClaims();
    void forgedState_data();
    void forgedState();

private:
    std::unique_ptr<ServiceFixture> m_service;
};

void tst_ApprovalState::init()
{
    m_service = std::make_unique<ServiceFixture>();
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
}

void tst_ApprovalState::cleanup()
{
    m_service.reset();
}

void tst_ApprovalState::stateClaims()
{
    const Escalation flow = m_service->grantAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    const QString state = flow.approval.value(u"state").toString();
    QCOMPARE(state.count(u'.'), 2);

    // The state verifies with a key of the published JWK Set, for this PDP as audience.
    const HttpResponse metadata = m_service->get(QStringLiteral("/.well-known/authzen-configuration"), {});
    const QString pdp = metadata.json.value(u"policy_decision_point").toString();
    QVERIFY(!pdp.isEmpty());
    const HttpResponse jwks = m_service->get(QStringLiteral("/access/v1/jwks"), {});
    QCOMPARE(jwks.status, 200);
    Jose::KeySet trusted;
    for (const QJsonValue &key : jwks.json.value(u"keys").toArray())
        QVERIFY(trusted.tryAdd(m_service->baseUrl(), key.toObject()).ok());
    Jose::VerifyOptions options;
    options.typ = QStringLiteral("recourse-approval+jwt");
    options.expectedIssuer = m_service->baseUrl();
    options.audience = pdp;
    options.nowSeconds = m_service->clock().nowSeconds();
    const auto verified = Jose::verifyCompact(state.toUtf8(), trusted, options);
    QVERIFY2(verified.ok(), qPrintable(verified.ok() ? QString() : verified.error().message));

    const QJsonObject header = verified->header;
    QCOMPARE(header.value(u"alg").toString(), QStringLiteral("ES256"));
    QVERIFY(!header.value(u"kid").toString().isEmpty());

    const QJsonObject claims = verified->claims;
    const QJsonObject context = flow.decision.value(u"context").toObject();
    QCOMPARE(claims.value(u"iss").toString(), m_service->baseUrl());
    QCOMPARE(claims.value(u"aud").toString(), pdp);
    QCOMPARE(claims.value(u"approval_id").toString(), flow.approval.value(u"id").toString());
    QCOMPARE(claims.value(u"task_id").toString(), flow.taskId());
    QCOMPARE(claims.value(u"evaluation_id").toString(), context.value(u"evaluation_id").toString());
    QCOMPARE(claims.value(u"iat").toInteger(), m_service->clock().nowSeconds());
    QVERIFY(!claims.value(u"jti").toString().isEmpty());
    // exp equals approved_until, so the state never outlives the approval it carries.
    QCOMPARE(claims.value(u"exp").toInteger() * 1000,
             Rfc3339::parse(flow.approval.value(u"approved_until").toString()).value());
    // The state names the context members it binds, so a PDP that shares no state with the ARS
    // compares on the same list.
    QCOMPARE(claims.value(u"binding_context_members").toArray(), QJsonArray{QStringLiteral("tenant")});
    QCOMPARE(claims.value(u"binding_hash").toString(), expectedBindingHash(flow.request, {QStringLiteral("tenant")}));
}

void tst_ApprovalState::forgedState_data()
{
    QTest::addColumn<StateForgery>("forgery");
    QTest::addColumn<bool>("permitted");

    QTest::newRow("re-signed unchanged (control)") << StateForgery::ResignedUnchanged << true;
    QTest::newRow("aud of another PDP") << StateForgery::AudOtherPdp << false;
    QTest::newRow("aud array without this PDP") << StateForgery::AudArrayWithoutPdp << false;
    QTest::newRow("no aud") << StateForgery::AudMissing << false;
    QTest::newRow("iss of another ARS") << StateForgery::IssOther << false;
    QTest::newRow("unknown kid") << StateForgery::KidUnknown << false;
    QTest::newRow("binding-token typ") << StateForgery::TypBindingToken << false;
    QTest::newRow("exp two minutes ago") << StateForgery::Expired << false;
}

void tst_ApprovalState::forgedState()
{
    QFETCH(StateForgery, forgery);
    QFETCH(bool, permitted);

    const auto key = Jose::loadOrCreateSigningKey(m_service->dataDir());
    QVERIFY(key.ok());
    const Escalation flow = m_service->grantAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    QJsonObject approval = flow.approval;
    approval.insert(QStringLiteral("state"), forge(forgery, approval.value(u"state").toString(), key.value(),
                                                   m_service->clock().nowSeconds()));

    const HttpResponse response = m_service->evaluate(withApproval(flow.request, approval));

    QVERIFY2(response.status == 200, response.describe().constData());
    if (permitted) {
        QVERIFY2(response.json.value(u"decision") == QJsonValue(true), response.describe().constData());
        return;
    }
    QCOMPARE(response.json.value(u"decision"), QJsonValue(false));
    const QJsonObject context = response.json.value(u"context").toObject();
    QCOMPARE(context.value(u"reason").toString(), QStringLiteral("approval_unverifiable"));
    QCOMPARE(context.value(u"next_action").toString(), QStringLiteral("none"));
    QVERIFY(!context.contains(u"access_request"));
    QVERIFY(!context.contains(u"approval"));

    // The rejected state changed nothing: the genuine approval still permits.
    const HttpResponse genuine = m_service->evaluate(withApproval(flow.request, flow.approval));
    QCOMPARE(genuine.json.value(u"decision"), QJsonValue(true));
}

QTEST_GUILESS_MAIN(tst_ApprovalState)
#include "tst_approvalstate.moc"
