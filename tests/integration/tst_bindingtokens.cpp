// Binding-token verification at the Access Request Endpoint over HTTP: tampered and re-signed
// tokens, audience and key selection, request substitution and jti replay. Forged tokens that
// need a valid signature are signed with the service's own key, read from its data folder.

#include "core/base/rfc3339.h"
#include "core/jose/jose.h"
#include "tests/integration/araprequests.h"
#include "tests/integration/servicefixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

enum class Forgery {
    ResignedUnchanged, // control: the harness's own re-signing produces a valid token
    PayloadEdited,
    AlgNone,
    AlgNoneCapitalized,
    AlgNoneUpperCase,
    AlgMissing,
    Hs256WithPublicKey,
    SignatureZero,
    SignatureDer,
    SignatureROrder,
    OtherKeyUnderServiceKid,
    KidUnknown,
    KidMissing,
    KidPathLike,
    KidTenKilobytes,
    TypApprovalState,
    AudOther,
    AudArrayWithout,
    AudArrayWith, // accepted: aud is a membership check
    AudTrailingSlash,
    AudNestedArray,
    AudEmpty,
    AudMissing,
    IssOther,
    JtiMissing,
    ClientOther,
    ClientMissing,
    ExpiryUnprotectedLater,
    ExpiryUnprotectedEqual, // accepted: exp does not outlive the echoed expiry
};

struct Token
{
    QJsonObject header;
    QJsonObject claims;
    QByteArray signature;
};

Token split(const QString &compact)
{
    const QList<QByteArray> parts = compact.toLatin1().split('.');
    Token token;
    token.header = QJsonDocument::fromJson(Jose::base64UrlDecode(parts.value(0)).value()).object();
    token.claims = QJsonDocument::fromJson(Jose::base64UrlDecode(parts.value(1)).value()).object();
    token.signature = Jose::base64UrlDecode(parts.value(2)).value();
    return token;
}

QByteArray signingInput(const QJsonObject &header, const QJsonObject &claims)
{
    return Jose::base64UrlEncode(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.'
        + Jose::base64UrlEncode(QJsonDocument(claims).toJson(QJsonDocument::Compact));
}

QString assemble(const QJsonObject &header, const QJsonObject &claims, const QByteArray &signature)
{
    return QString::fromLatin1(signingInput(header, claims) + '.' + Jose::base64UrlEncode(signature));
}

QString signedWith(const Jose::SigningKey &key, const QJsonObject &header, const QJsonObject &claims)
{
    return assemble(header, claims, key.sign(signingInput(header, claims)).value());
}

QByteArray derInteger(QByteArray bytes)
{
    while (bytes.size() > 1 && bytes.at(0) == 0 && (static_cast<unsigned char>(bytes.at(1)) & 0x80) == 0)
        bytes.remove(0, 1);
    if (static_cast<unsigned char>(bytes.at(0)) & 0x80)
        bytes.prepend('\0');
    return QByteArray(1, 0x02) + QByteArray(1, char(bytes.size())) + bytes;
}

// The raw R||S signature as an ASN.1 DER SEQUENCE of two INTEGERs, the form OpenSSL produces.
QByteArray toDer(const QByteArray &raw)
{
    const QByteArray body = derInteger(raw.left(32)) + derInteger(raw.mid(32));
    return QByteArray(1, 0x30) + QByteArray(1, char(body.size())) + body;
}

QString forge(Forgery forgery, const QString &genuine, const Jose::SigningKey &serviceKey)
{
    Token token = split(genuine);
    QJsonObject &header = token.header;
    QJsonObject &claims = token.claims;
    const QString audience = claims.value(u"aud").toString();

    switch (forgery) {
    case Forgery::ResignedUnchanged:
        return signedWith(serviceKey, header, claims);
    case Forgery::PayloadEdited:
        claims.insert(QStringLiteral("binding_context_members"), QJsonArray{});
        return assemble(header, claims, token.signature);
    case Forgery::AlgNone:
        header.insert(QStringLiteral("alg"), QStringLiteral("none"));
        return assemble(header, claims, {});
    case Forgery::AlgNoneCapitalized:
        header.insert(QStringLiteral("alg"), QStringLiteral("None"));
        return assemble(header, claims, {});
    case Forgery::AlgNoneUpperCase:
        header.insert(QStringLiteral("alg"), QStringLiteral("NONE"));
        return assemble(header, claims, {});
    case Forgery::AlgMissing:
        header.remove(QStringLiteral("alg"));
        return assemble(header, claims, token.signature);
    case Forgery::Hs256WithPublicKey: {
        header.insert(QStringLiteral("alg"), QStringLiteral("HS256"));
        const QByteArray secret = QJsonDocument(serviceKey.publicJwk()).toJson(QJsonDocument::Compact);
        return assemble(header, claims,
                        QMessageAuthenticationCode::hash(signingInput(header, claims), secret, QCryptographicHash::Sha256));
    }
    case Forgery::SignatureZero:
        return assemble(header, claims, QByteArray(64, '\0'));
    case Forgery::SignatureDer:
        return assemble(header, claims, toDer(token.signature));
    case Forgery::SignatureROrder:
        return assemble(header, claims,
                        QByteArray::fromHex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551")
                            + token.signature.mid(32));
    case Forgery::OtherKeyUnderServiceKid:
        return signedWith(Jose::SigningKey::generate(serviceKey.kid()).value(), header, claims);
    case Forgery::KidUnknown:
        header.insert(QStringLiteral("kid"), QStringLiteral("unknown-key"));
        return signedWith(serviceKey, header, claims);
    case Forgery::KidMissing:
        header.remove(QStringLiteral("kid"));
        return signedWith(serviceKey, header, claims);
    case Forgery::KidPathLike:
        header.insert(QStringLiteral("kid"), QStringLiteral("../../signing-key.pem' OR '1'='1"));
        return signedWith(serviceKey, header, claims);
    case Forgery::KidTenKilobytes:
        header.insert(QStringLiteral("kid"), QString(10 * 1024, u'k'));
        return signedWith(serviceKey, header, claims);
    case Forgery::TypApprovalState:
        header.insert(QStringLiteral("typ"), QStringLiteral("recourse-approval+jwt"));
        return signedWith(serviceKey, header, claims);
    case Forgery::AudOther:
        claims.insert(QStringLiteral("aud"), QStringLiteral("https://other-ars.example/access/v1/requests"));
        return signedWith(serviceKey, header, claims);
    case Forgery::AudArrayWithout:
        claims.insert(QStringLiteral("aud"), QJsonArray{QStringLiteral("https://other-ars.example")});
        return signedWith(serviceKey, header, claims);
    case Forgery::AudArrayWith:
        claims.insert(QStringLiteral("aud"), QJsonArray{QStringLiteral("https://other-ars.example"), audience});
        return signedWith(serviceKey, header, claims);
    case Forgery::AudTrailingSlash:
        claims.insert(QStringLiteral("aud"), QString(audience + u'/'));
        return signedWith(serviceKey, header, claims);
    case Forgery::AudNestedArray:
        claims.insert(QStringLiteral("aud"), QJsonArray{QJsonArray{audience}});
        return signedWith(serviceKey, header, claims);
    case Forgery::AudEmpty:
        claims.insert(QStringLiteral("aud"), QString());
        return signedWith(serviceKey, header, claims);
    case Forgery::AudMissing:
        claims.remove(QStringLiteral("aud"));
        return signedWith(serviceKey, header, claims);
    case Forgery::IssOther:
        claims.insert(QStringLiteral("iss"), QStringLiteral("https://other-pdp.example"));
        return signedWith(serviceKey, header, claims);
    case Forgery::JtiMissing:
        claims.remove(QStringLiteral("jti"));
        return signedWith(serviceKey, header, claims);
    case Forgery::ClientOther:
        claims.insert(QStringLiteral("client_id"), QStringLiteral("pep-b"));
        return signedWith(serviceKey, header, claims);
    case Forgery::ClientMissing:
        claims.remove(QStringLiteral("client_id"));
        return signedWith(serviceKey, header, claims);
    case Forgery::ExpiryUnprotectedLater:
    case Forgery::ExpiryUnprotectedEqual: {
        const qint64 echoedSeconds = Rfc3339::parse(claims.value(u"denial_expires_at").toString()).value() / 1000;
        claims.remove(QStringLiteral("denial_expires_at"));
        const qint64 exp = forgery == Forgery::ExpiryUnprotectedLater ? echoedSeconds + 600 : echoedSeconds;
        claims.insert(QStringLiteral("exp"), double(exp));
        return signedWith(serviceKey, header, claims);
    }
    }
    return genuine;
}

} // namespace

Q_DECLARE_METATYPE(Forgery)

class tst_BindingTokens : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void forgedToken_data();
    void forgedToken();
    void substitutedRequest_data();
    void substitutedRequest();
    void replayedToken_data();
    void replayedToken();
    void retryAfterTokenExpiry();
    void anotherClientSubmits_data();
    void anotherClientSubmits();

private:
    std::unique_ptr<ServiceFixture> m_service;
};

void tst_BindingTokens::init()
{
    m_service = std::make_unique<ServiceFixture>();
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
}

void tst_BindingTokens::cleanup()
{
    m_service.reset();
}

void tst_BindingTokens::forgedToken_data()
{
    QTest::addColumn<Forgery>("forgery");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("re-signed unchanged (control)") << Forgery::ResignedUnchanged << true;
    QTest::newRow("payload edited") << Forgery::PayloadEdited << false;
    QTest::newRow("alg none, empty signature") << Forgery::AlgNone << false;
    QTest::newRow("alg None") << Forgery::AlgNoneCapitalized << false;
    QTest::newRow("alg NONE") << Forgery::AlgNoneUpperCase << false;
    QTest::newRow("no alg") << Forgery::AlgMissing << false;
    QTest::newRow("HS256 keyed with the public key") << Forgery::Hs256WithPublicKey << false;
    QTest::newRow("64 zero bytes as signature") << Forgery::SignatureZero << false;
    QTest::newRow("real signature as DER") << Forgery::SignatureDer << false;
    QTest::newRow("r equal to the curve order") << Forgery::SignatureROrder << false;
    QTest::newRow("another key under the service's kid") << Forgery::OtherKeyUnderServiceKid << false;
    QTest::newRow("unknown kid") << Forgery::KidUnknown << false;
    QTest::newRow("no kid") << Forgery::KidMissing << false;
    QTest::newRow("kid like a path and SQL") << Forgery::KidPathLike << false;
    QTest::newRow("kid of 10 kB") << Forgery::KidTenKilobytes << false;
    QTest::newRow("approval-state typ") << Forgery::TypApprovalState << false;
    QTest::newRow("aud of another service") << Forgery::AudOther << false;
    QTest::newRow("aud array without this service") << Forgery::AudArrayWithout << false;
    QTest::newRow("aud array with this service") << Forgery::AudArrayWith << true;
    QTest::newRow("aud with trailing slash") << Forgery::AudTrailingSlash << false;
    QTest::newRow("aud nested array") << Forgery::AudNestedArray << false;
    QTest::newRow("aud empty") << Forgery::AudEmpty << false;
    QTest::newRow("no aud") << Forgery::AudMissing << false;
    QTest::newRow("iss of another PDP") << Forgery::IssOther << false;
    QTest::newRow("no jti") << Forgery::JtiMissing << false;
    QTest::newRow("client_id of another PEP") << Forgery::ClientOther << false;
    QTest::newRow("no client_id") << Forgery::ClientMissing << false;
    QTest::newRow("unprotected expiry, exp later than echoed") << Forgery::ExpiryUnprotectedLater << false;
    QTest::newRow("unprotected expiry, exp equal to echoed") << Forgery::ExpiryUnprotectedEqual << true;
}

void tst_BindingTokens::forgedToken()
{
    QFETCH(Forgery, forgery);
    QFETCH(bool, accepted);

    const auto key = Jose::loadOrCreateSigningKey(m_service->dataDir());
    QVERIFY(key.ok());
    const QJsonObject genuine = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!genuine.isEmpty());
    QJsonObject denial = genuine.value(u"denial").toObject();
    denial.insert(QStringLiteral("binding_token"), forge(forgery, denial.value(u"binding_token").toString(), key.value()));
    QJsonObject forged = genuine;
    forged.insert(QStringLiteral("denial"), denial);

    const HttpResponse response = m_service->submit(forged);

    if (accepted) {
        QVERIFY2(response.status == 202, response.describe().constData());
        return;
    }
    QVERIFY2(response.status == 400, response.describe().constData());
    QVERIFY(response.isProblem());
    QCOMPARE(response.problemType(), QStringLiteral("urn:openid:authzen:access-request:error:invalid_denial_binding"));

    // The rejection had no side effect: the genuine token, same jti, still creates the task.
    const HttpResponse retry = m_service->submit(genuine);
    QVERIFY2(retry.status == 202, retry.describe().constData());
}

void tst_BindingTokens::substitutedRequest_data()
{
    QTest::addColumn<QJsonObject>("evaluatedSubject");
    QTest::addColumn<QString>("member");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<bool>("accepted");

    const QJsonObject alice = Arap::alice();
    const auto actingFor = [](const QString &agent) {
        const QJsonObject act{{QStringLiteral("sub"), agent}, {QStringLiteral("sub_profile"), QStringLiteral("ai_agent")}};
        return entity(QStringLiteral("user"), QStringLiteral("alice"), QJsonObject{{QStringLiteral("act"), act}});
    };
    QTest::newRow("subject of another user") << alice << QStringLiteral("subject")
                                             << QJsonValue(entity(QStringLiteral("user"), QStringLiteral("bob"))) << false;
    QTest::newRow("subject with added properties")
        << alice << QStringLiteral("subject")
        << QJsonValue(entity(QStringLiteral("user"), QStringLiteral("alice"),
                             QJsonObject{{QStringLiteral("department"), QStringLiteral("finance")}}))
        << false;
    QTest::newRow("another resource") << alice << QStringLiteral("resource")
                                      << QJsonValue(Arap::document(QStringLiteral("q4-budget"))) << false;
    QTest::newRow("resource with added properties")
        << alice << QStringLiteral("resource")
        << QJsonValue(entity(QStringLiteral("document"), QStringLiteral("q4-plan"),
                             QJsonObject{{QStringLiteral("classification"), QStringLiteral("public")}}))
        << false;
    QTest::newRow("another action") << alice << QStringLiteral("action")
                                    << QJsonValue(QJsonObject{{QStringLiteral("name"), QStringLiteral("can_write")}}) << false;
    QTest::newRow("another tenant") << alice << QStringLiteral("context")
                                    << QJsonValue(Arap::tenant(QStringLiteral("globex"))) << false;
    QTest::newRow("tenant removed") << alice << QStringLiteral("context") << QJsonValue(QJsonObject{}) << false;
    QTest::newRow("tenant as a number") << alice << QStringLiteral("context")
                                        << QJsonValue(QJsonObject{{QStringLiteral("tenant"), 1}}) << false;
    QTest::newRow("justification added (not bound)")
        << alice << QStringLiteral("context")
        << QJsonValue(QJsonObject{{QStringLiteral("tenant"), QStringLiteral("acme")},
                                  {QStringLiteral("business_justification"), QStringLiteral("quarter close")}})
        << true;
    // The actor never takes part in the binding, and properties that held only the actor count as
    // none, so a PEP may add or drop the actor and its properties object.
    QTest::newRow("another actor in the subject (not bound)")
        << actingFor(QStringLiteral("agent-7")) << QStringLiteral("subject") << QJsonValue(actingFor(QStringLiteral("agent-9")))
        << true;
    const QJsonObject emptiedProperties{{QStringLiteral("type"), QStringLiteral("user")},
                                        {QStringLiteral("id"), QStringLiteral("alice")},
                                        {QStringLiteral("properties"), QJsonObject{}}};
    QTest::newRow("actor moved out of the subject") << actingFor(QStringLiteral("agent-7")) << QStringLiteral("subject")
                                                    << QJsonValue(emptiedProperties) << true;
    QTest::newRow("actor moved out with its properties object") << actingFor(QStringLiteral("agent-7")) << QStringLiteral("subject")
                                                                << QJsonValue(alice) << true;
    QTest::newRow("actor added where the evaluation had no properties")
        << alice << QStringLiteral("subject") << QJsonValue(actingFor(QStringLiteral("agent-7"))) << true;
    QTest::newRow("actor added to empty properties")
        << emptiedProperties << QStringLiteral("subject") << QJsonValue(actingFor(QStringLiteral("agent-7"))) << true;
}

void tst_BindingTokens::substitutedRequest()
{
    QFETCH(QJsonObject, evaluatedSubject);
    QFETCH(QString, member);
    QFETCH(QJsonValue, value);
    QFETCH(bool, accepted);

    QJsonObject request = Arap::q4PlanRead();
    request.insert(QStringLiteral("subject"), evaluatedSubject);
    QJsonObject submission = m_service->freshSubmission(request);
    QVERIFY(!submission.isEmpty());
    submission.insert(member, value);

    const HttpResponse response = m_service->submit(submission);

    if (accepted) {
        QVERIFY2(response.status == 202, response.describe().constData());
        return;
    }
    QVERIFY2(response.status == 400, response.describe().constData());
    QCOMPARE(response.problemType(), QStringLiteral("urn:openid:authzen:access-request:error:invalid_denial_binding"));
}

void tst_BindingTokens::replayedToken_data()
{
    QTest::addColumn<QString>("replayToken");
    QTest::addColumn<QString>("replayKey");

    QTest::newRow("same caller, new Idempotency-Key") << Tokens::pepA << QStringLiteral("key-2");
    QTest::newRow("same caller, no Idempotency-Key") << Tokens::pepA << QString();
    QTest::newRow("another caller, same Idempotency-Key") << Tokens::pepB << QStringLiteral("key-1");
}

void tst_BindingTokens::replayedToken()
{
    QFETCH(QString, replayToken);
    QFETCH(QString, replayKey);

    const QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    const HttpResponse first = m_service->submit(submission, Tokens::pepA, QStringLiteral("key-1"));
    QVERIFY2(first.status == 202, first.describe().constData());

    const HttpResponse replay = m_service->submit(submission, replayToken, replayKey);

    QVERIFY2(replay.status == 400, replay.describe().constData());
    QCOMPARE(replay.problemType(), QStringLiteral("urn:openid:authzen:access-request:error:invalid_denial_binding"));
    const HttpResponse tasks = m_service->get(QStringLiteral("/admin/v1/tasks"), Tokens::auditor);
    QCOMPARE(tasks.json.value(u"tasks").toArray().size(), 1);
}

void tst_BindingTokens::retryAfterTokenExpiry()
{
    // The idempotency lookup runs before replay and freshness checks, so a genuine retry after
    // the token expired still finds its task.
    const QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    const HttpResponse first = m_service->submit(submission, Tokens::pepA, QStringLiteral("retry-key"));
    QVERIFY2(first.status == 202, first.describe().constData());

    m_service->clock().advanceSeconds(60 * 60);

    const HttpResponse retry = m_service->submit(submission, Tokens::pepA, QStringLiteral("retry-key"));
    QVERIFY2(retry.status == 202, retry.describe().constData());
    QCOMPARE(retry.json.value(u"task").toObject().value(u"id").toString(),
             first.json.value(u"task").toObject().value(u"id").toString());
    QCOMPARE(retry.header("location"), first.header("location"));
}

void tst_BindingTokens::anotherClientSubmits_data()
{
    QTest::addColumn<bool>("byEvaluationId");

    QTest::newRow("binding token") << false;
    QTest::newRow("evaluation id only") << true;
}

void tst_BindingTokens::anotherClientSubmits()
{
    QFETCH(bool, byEvaluationId);

    // The denial was issued to PEP A; PEP B authenticates as itself and submits it unchanged.
    QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead(), Tokens::pepA);
    QVERIFY(!submission.isEmpty());
    if (byEvaluationId) {
        QJsonObject denial = submission.value(u"denial").toObject();
        denial.remove(QStringLiteral("binding_token"));
        submission.insert(QStringLiteral("denial"), denial);
    }

    const HttpResponse stolen = m_service->submit(submission, Tokens::pepB);

    QVERIFY2(stolen.status == 400, stolen.describe().constData());
    QVERIFY(stolen.isProblem());
    QCOMPARE(stolen.problemType(), QStringLiteral("urn:openid:authzen:access-request:error:invalid_denial_binding"));
    const HttpResponse tasks = m_service->get(QStringLiteral("/admin/v1/tasks"), Tokens::auditor);
    QCOMPARE(tasks.json.value(u"tasks").toArray().size(), 0);

    // The refusal consumed nothing: the PEP the denial was issued to still submits it.
    const HttpResponse own = m_service->submit(submission, Tokens::pepA);
    QVERIFY2(own.status == 202, own.describe().constData());
}

QTEST_GUILESS_MAIN(tst_BindingTokens)
#include "tst_bindingtokens.moc"
