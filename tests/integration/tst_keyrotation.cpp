// Signing key rotation on the real service. Tokens signed before a rotation keep working, and new
// tokens carry the new kid. The JWKS publishes both keys until every token of the old key has
// expired, the keys survive a restart, and only an admin may rotate.

#include "tests/integration/araprequests.h"
#include "tests/integration/servicefixture.h"

#include "core/base/rfc3339.h"
#include "core/jose/jose.h"
#include "core/service/signingkeys.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

const QString kAdminToken = QStringLiteral("admin-secret");

QStringList jwksKids(const HttpResponse &jwks)
{
    QStringList kids;
    for (const QJsonValue &key : jwks.json.value(u"keys").toArray())
        kids.append(key.toObject().value(u"kid").toString());
    return kids;
}

// The kid in the protected header of a compact JWS.
QString kidOf(const QString &token)
{
    const auto header = Jose::base64UrlDecode(token.section(u'.', 0, 0).toLatin1());
    if (!header)
        return {};
    return QJsonDocument::fromJson(header.value()).object().value(u"kid").toString();
}

QString bindingTokenOf(const QJsonObject &submission)
{
    return submission.value(u"denial").toObject().value(u"binding_token").toString();
}

QJsonObject keyEntry(const HttpResponse &list, const QString &kid)
{
    for (const QJsonValue &key : list.json.value(u"keys").toArray()) {
        if (key.toObject().value(u"kid").toString() == kid)
            return key.toObject();
    }
    return {};
}

} // namespace

class tst_KeyRotation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void tokensSignedBeforeRotationStayValid();
    void retiredKeyLeavesAfterLastTokenExpires();
    void rotationSurvivesRestart();
    void stoppedServiceRotates();
    void rotationNeedsAdmin_data();
    void rotationNeedsAdmin();

private:
    QString currentKid();
    HttpResponse rotate();
    bool startWithAdmin();
    std::unique_ptr<ServiceFixture> m_service;
};

void tst_KeyRotation::init()
{
    m_service = std::make_unique<ServiceFixture>();
    QVERIFY(startWithAdmin());
}

void tst_KeyRotation::cleanup()
{
    m_service.reset();
}

bool tst_KeyRotation::startWithAdmin()
{
    if (!m_service->start()) {
        qWarning("%s", qPrintable(m_service->errorString()));
        return false;
    }
    m_service->host()->addIdentity(QStringLiteral("admin-1"), QStringLiteral("admin"), {}, kAdminToken);
    return true;
}

QString tst_KeyRotation::currentKid()
{
    const QStringList kids = jwksKids(m_service->get(QStringLiteral("/access/v1/jwks"), {}));
    return kids.size() == 1 ? kids.first() : QString();
}

HttpResponse tst_KeyRotation::rotate()
{
    return m_service->post(QStringLiteral("/admin/v1/keys/rotate"), {}, kAdminToken);
}

void tst_KeyRotation::tokensSignedBeforeRotationStayValid()
{
    const QString oldKid = currentKid();
    QVERIFY(!oldKid.isEmpty());
    const Escalation granted = m_service->grantAccess(Arap::q4PlanRead());
    QVERIFY2(granted.ok(), qPrintable(granted.failure));
    QCOMPARE(kidOf(granted.approval.value(u"state").toString()), oldKid);
    const QJsonObject submission = m_service->freshSubmission(Arap::paymentLogRead());
    QCOMPARE(kidOf(bindingTokenOf(submission)), oldKid);

    const HttpResponse rotated = rotate();

    QVERIFY2(rotated.status == 200, rotated.describe().constData());
    const QString newKid = rotated.json.value(u"active_kid").toString();
    QVERIFY(!newKid.isEmpty());
    QVERIFY(newKid != oldKid);
    QCOMPARE(rotated.json.value(u"retired_kid").toString(), oldKid);
    QCOMPARE(keyEntry(rotated, oldKid).value(u"state").toString(), QStringLiteral("retired"));
    QCOMPARE(keyEntry(rotated, newKid).value(u"state").toString(), QStringLiteral("active"));

    // The JWKS publishes both keys.
    const QStringList kids = jwksKids(m_service->get(QStringLiteral("/access/v1/jwks"), {}));
    QCOMPARE(kids.size(), 2);
    QVERIFY(kids.contains(oldKid));
    QVERIFY(kids.contains(newKid));

    // approval.state signed by the retired key still re-evaluates to a permit.
    const HttpResponse permitted = m_service->evaluate(withApproval(granted.request, granted.approval));
    QCOMPARE(permitted.json.value(u"decision"), QJsonValue(true));

    // A binding token signed by the retired key is still accepted, and leads to a permit.
    const HttpResponse submitted = m_service->submit(submission);
    QVERIFY2(submitted.status == 202, submitted.describe().constData());
    const QString taskId = submitted.json.value(u"task").toObject().value(u"id").toString();
    QCOMPARE(m_service->approve(taskId, Tokens::bob).status, 200);
    QCOMPARE(m_service->approve(taskId, Tokens::carol).status, 200);
    const QJsonObject approval = m_service->taskStatus(submitted.json.value(u"task").toObject().value(u"status_endpoint").toString())
                                     .json.value(u"result").toObject().value(u"approval").toObject();
    QCOMPARE(kidOf(approval.value(u"state").toString()), newKid);
    QCOMPARE(m_service->evaluate(withApproval(Arap::paymentLogRead(), approval)).json.value(u"decision"), QJsonValue(true));

    // New tokens carry the new kid.
    const QJsonObject fresh = m_service->freshSubmission(Arap::q4PlanRead());
    QCOMPARE(kidOf(bindingTokenOf(fresh)), newKid);
}

void tst_KeyRotation::retiredKeyLeavesAfterLastTokenExpires()
{
    const QString oldKid = currentKid();
    const Escalation granted = m_service->grantAccess(Arap::q4PlanRead());
    QVERIFY2(granted.ok(), qPrintable(granted.failure));
    const QJsonObject unsubmitted = m_service->freshSubmission(Arap::paymentLogRead());
    QVERIFY(!bindingTokenOf(unsubmitted).isEmpty());
    QVERIFY2(rotate().status == 200, "rotation failed");

    const HttpResponse listed = m_service->get(QStringLiteral("/admin/v1/keys"), Tokens::auditor);

    QVERIFY2(listed.status == 200, listed.describe().constData());
    const QJsonObject retired = keyEntry(listed, oldKid);
    QCOMPARE(retired.value(u"state").toString(), QStringLiteral("retired"));
    // The approval is the latest token the old key signed, and its exp is approved_until.
    QCOMPARE(retired.value(u"last_token_exp"), granted.approval.value(u"approved_until"));
    const auto retireAfter = Rfc3339::parse(retired.value(u"retire_after").toString());
    QVERIFY(retireAfter.ok());
    QCOMPARE(retireAfter.value(), Rfc3339::parse(granted.approval.value(u"approved_until").toString()).value() + 30 * 1000);
    const QString retiredFile = QDir(m_service->dataDir()).filePath(QStringLiteral("signing-keys/%1.pem").arg(oldKid));
    QVERIFY(QFile::exists(retiredFile));

    // Up to retire_after the key is still published.
    m_service->clock().setNowMs(retireAfter.value());
    QVERIFY(jwksKids(m_service->get(QStringLiteral("/access/v1/jwks"), {})).contains(oldKid));

    m_service->clock().setNowMs(retireAfter.value() + 1000);

    const QStringList kids = jwksKids(m_service->get(QStringLiteral("/access/v1/jwks"), {}));
    QCOMPARE(kids.size(), 1);
    QVERIFY(!kids.contains(oldKid));
    QVERIFY(!QFile::exists(retiredFile));
    QVERIFY(keyEntry(m_service->get(QStringLiteral("/admin/v1/keys"), Tokens::auditor), oldKid).isEmpty());
    // A token of the removed key fails on its kid, before its expiry is even looked at.
    const HttpResponse rejected = m_service->submit(unsubmitted);
    QCOMPARE(rejected.status, 400);
    QCOMPARE(rejected.problemType(), QStringLiteral("urn:openid:authzen:access-request:error:invalid_denial_binding"));
    QVERIFY2(rejected.json.value(u"detail").toString().contains(QStringLiteral("kid")), rejected.describe().constData());
}

void tst_KeyRotation::rotationSurvivesRestart()
{
    const QString oldKid = currentKid();
    const Escalation granted = m_service->grantAccess(Arap::q4PlanRead());
    QVERIFY2(granted.ok(), qPrintable(granted.failure));
    const HttpResponse rotated = rotate();
    QVERIFY2(rotated.status == 200, rotated.describe().constData());
    const QString newKid = rotated.json.value(u"active_kid").toString();

    m_service->stop();
    QVERIFY(startWithAdmin());

    const QStringList kids = jwksKids(m_service->get(QStringLiteral("/access/v1/jwks"), {}));
    QCOMPARE(kids.size(), 2);
    QVERIFY(kids.contains(oldKid));
    QVERIFY(kids.contains(newKid));
    const HttpResponse listed = m_service->get(QStringLiteral("/admin/v1/keys"), kAdminToken);
    QCOMPARE(keyEntry(listed, newKid).value(u"state").toString(), QStringLiteral("active"));
    QCOMPARE(keyEntry(listed, oldKid).value(u"last_token_exp"), granted.approval.value(u"approved_until"));
    QCOMPARE(Jose::loadOrCreateSigningKey(m_service->dataDir()).value().kid(), newKid);
    QCOMPARE(kidOf(bindingTokenOf(m_service->freshSubmission(Arap::q4PlanRead()))), newKid);
    QCOMPARE(m_service->evaluate(withApproval(granted.request, granted.approval)).json.value(u"decision"), QJsonValue(true));
}

void tst_KeyRotation::stoppedServiceRotates()
{
    const QString oldKid = currentKid();
    const Escalation granted = m_service->grantAccess(Arap::q4PlanRead());
    QVERIFY2(granted.ok(), qPrintable(granted.failure));

    // A running service keeps the data folder locked.
    const auto clock = std::make_shared<ManualClock>(m_service->clock().nowMs());
    const auto refused = Service::SigningKeys::rotateStopped(m_service->dataDir(), clock, 30);
    QVERIFY(!refused.ok());
    QVERIFY2(refused.error().message.contains(QStringLiteral("in use")), qPrintable(refused.error().message));

    m_service->stop();
    const auto rotated = Service::SigningKeys::rotateStopped(m_service->dataDir(), clock, 30);
    QVERIFY2(rotated.ok(), rotated.ok() ? "" : qPrintable(rotated.error().message));
    const QString newKid = rotated->value(u"active_kid").toString();
    QCOMPARE(rotated->value(u"retired_kid").toString(), oldKid);
    QVERIFY(startWithAdmin());

    const QStringList kids = jwksKids(m_service->get(QStringLiteral("/access/v1/jwks"), {}));
    QCOMPARE(kids.size(), 2);
    QVERIFY(kids.contains(newKid));
    QCOMPARE(kidOf(bindingTokenOf(m_service->freshSubmission(Arap::q4PlanRead()))), newKid);
    QCOMPARE(m_service->evaluate(withApproval(granted.request, granted.approval)).json.value(u"decision"), QJsonValue(true));
    const HttpResponse audit = m_service->get(QStringLiteral("/admin/v1/audit"), Tokens::auditor);
    bool recorded = false;
    for (const QJsonValue &record : audit.json.value(u"records").toArray())
        recorded = recorded || record.toObject().value(u"type").toString() == QStringLiteral("signing_key.rotated");
    QVERIFY(recorded);
}

void tst_KeyRotation::rotationNeedsAdmin_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("token");
    QTest::addColumn<int>("status");

    const QString rotatePath = QStringLiteral("/admin/v1/keys/rotate");
    const QString listPath = QStringLiteral("/admin/v1/keys");
    QTest::newRow("approver rotates") << QByteArray("POST") << rotatePath << Tokens::bob << 403;
    QTest::newRow("auditor rotates") << QByteArray("POST") << rotatePath << Tokens::auditor << 403;
    QTest::newRow("pep rotates") << QByteArray("POST") << rotatePath << Tokens::pepA << 403;
    QTest::newRow("no token rotates") << QByteArray("POST") << rotatePath << QString() << 401;
    QTest::newRow("approver lists") << QByteArray("GET") << listPath << Tokens::bob << 403;
    QTest::newRow("pep lists") << QByteArray("GET") << listPath << Tokens::pepA << 403;
    QTest::newRow("auditor lists") << QByteArray("GET") << listPath << Tokens::auditor << 200;
    QTest::newRow("admin lists") << QByteArray("GET") << listPath << kAdminToken << 200;
    QTest::newRow("admin rotates with GET") << QByteArray("GET") << rotatePath << kAdminToken << 405;
}

void tst_KeyRotation::rotationNeedsAdmin()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QString, token);
    QFETCH(int, status);
    const QString kid = currentKid();

    const HttpResponse response = m_service->send(method, path, method == "POST" ? QByteArray("{}") : QByteArray(), token);

    QVERIFY2(response.status == status, response.describe().constData());
    QCOMPARE(currentKid(), kid);
}

QTEST_GUILESS_MAIN(tst_KeyRotation)
#include "tst_keyrotation.moc"
