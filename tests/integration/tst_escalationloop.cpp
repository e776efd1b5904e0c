// The whole escalation loop over HTTP against the real service: requestable denial, signed
// binding token, submission, approval, re-evaluation and the event stream that reports each step.

#include "core/base/rfc3339.h"
#include "core/jose/jose.h"
#include "core/json/json.h"
#include "tests/integration/servicefixture.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

// Event delivery crosses a WebSocket and the store's writer thread, which under the sanitizers
// on a loaded machine can take longer than QTRY's default five seconds.
constexpr int kEventWaitMs = 30 * 1000;

QJsonObject evaluationRequest(const QJsonObject &subject, const QJsonObject &resource, const QString &action,
                              const QJsonObject &context = {})
{
    QJsonObject request{{QStringLiteral("subject"), subject},
                        {QStringLiteral("resource"), resource},
                        {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), action}}}};
    if (!context.isEmpty())
        request.insert(QStringLiteral("context"), context);
    return request;
}

const QJsonObject acmeContext{{QStringLiteral("tenant"), QStringLiteral("acme")}};

// The binding hash as the profile defines it, computed here independently of the service:
// base64url(SHA-256(JCS({subject, resource, action, context}))), context reduced to `members`.
QString expectedBindingHash(const QJsonObject &request, const QStringList &members)
{
    QJsonObject context;
    for (const QString &member : members) {
        if (request.value(QStringLiteral("context")).toObject().contains(member))
            context.insert(member, request.value(QStringLiteral("context")).toObject().value(member));
    }
    const QJsonObject tuple{{QStringLiteral("subject"), request.value(QStringLiteral("subject"))},
                            {QStringLiteral("resource"), request.value(QStringLiteral("resource"))},
                            {QStringLiteral("action"), request.value(QStringLiteral("action"))},
                            {QStringLiteral("context"), context}};
    const QByteArray digest = QCryptographicHash::hash(Json::canonicalize(tuple), QCryptographicHash::Sha256);
    return QString::fromLatin1(Jose::base64UrlEncode(digest));
}

bool strictlyIncreasing(const QList<qint64> &values)
{
    for (qsizetype i = 1; i < values.size(); ++i) {
        if (values.at(i) <= values.at(i - 1))
            return false;
    }
    return true;
}

} // namespace

class tst_EscalationLoop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void wholeLoop_data();
    void wholeLoop();
    void plainDecisionsCarryNoAccessRequest_data();
    void plainDecisionsCarryNoAccessRequest();
    void batchWithApprovalKeepsOrder();
    void metadataNamesTheEndpoints();
    void eventStreamNeedsReaderToken_data();
    void eventStreamNeedsReaderToken();

private:
    void checkRequestableDenial(ServiceFixture &service, const QJsonObject &decision, const QString &templateName);
    void checkBindingToken(ServiceFixture &service, const QJsonObject &request, const QJsonObject &decision);
};

void tst_EscalationLoop::wholeLoop_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<QJsonObject>("request");
    QTest::addColumn<QString>("templateName");
    QTest::addColumn<QJsonObject>("otherResource");

    QTest::newRow("demo pack, payment-provider log")
        << QStringLiteral("demo")
        << evaluationRequest(entity(QStringLiteral("user"), QStringLiteral("sam")),
                             entity(QStringLiteral("log"), QStringLiteral("payments-provider")), QStringLiteral("read"),
                             acmeContext)
        << QStringLiteral("payments_log_access") << entity(QStringLiteral("log"), QStringLiteral("audit-trail"));
    QTest::newRow("arap-conformance pack, q4-plan")
        << QStringLiteral("arap-conformance")
        << evaluationRequest(entity(QStringLiteral("user"), QStringLiteral("alice")),
                             entity(QStringLiteral("document"), QStringLiteral("q4-plan")), QStringLiteral("can_read"),
                             acmeContext)
        << QStringLiteral("manager_approval") << entity(QStringLiteral("document"), QStringLiteral("q4-budget"));
}

void tst_EscalationLoop::checkRequestableDenial(ServiceFixture &service, const QJsonObject &decision,
                                                const QString &templateName)
{
    QCOMPARE(decision.value(u"decision"), QJsonValue(false));
    const QJsonObject context = decision.value(u"context").toObject();
    QVERIFY(!context.value(u"evaluation_id").toString().isEmpty());
    QCOMPARE(context.value(u"evaluated_at").toString(), QStringLiteral("2026-12-04T10:00:00Z"));
    QCOMPARE(context.value(u"reason").toString(), QStringLiteral("approval_required"));

    const QJsonObject accessRequest = context.value(u"access_request").toObject();
    QCOMPARE(accessRequest.value(u"endpoint").toString(), service.baseUrl() + QStringLiteral("/access/v1/requests"));
    QCOMPARE(accessRequest.value(u"template").toString(), templateName);
    // Both packs give a ten-minute hint lifetime; the instant is UTC with Z and whole seconds.
    const QString expiresAt = accessRequest.value(u"expires_at").toString();
    QCOMPARE(expiresAt, QStringLiteral("2026-12-04T10:10:00Z"));
    QVERIFY(Rfc3339::parse(expiresAt).ok());
    QCOMPARE(accessRequest.value(u"binding_token").toString().count(u'.'), 2);
}

void tst_EscalationLoop::checkBindingToken(ServiceFixture &service, const QJsonObject &request,
                                           const QJsonObject &decision)
{
    const QJsonObject context = decision.value(u"context").toObject();
    const QJsonObject accessRequest = context.value(u"access_request").toObject();

    const HttpResponse jwks = service.get(QStringLiteral("/access/v1/jwks"), {});
    QCOMPARE(jwks.status, 200);
    const QJsonArray keys = jwks.json.value(u"keys").toArray();
    QVERIFY(!keys.isEmpty());
    Jose::KeySet trusted;
    for (const QJsonValue &key : keys)
        QVERIFY(trusted.tryAdd(service.baseUrl(), key.toObject()).ok());

    Jose::VerifyOptions options;
    options.typ = QStringLiteral("recourse-binding+jwt");
    options.expectedIssuer = service.baseUrl();
    options.audience = service.baseUrl() + QStringLiteral("/access/v1/requests");
    options.nowSeconds = service.clock().nowSeconds();
    const auto verified = Jose::verifyCompact(accessRequest.value(u"binding_token").toString().toUtf8(), trusted, options);
    QVERIFY2(verified.ok(), qPrintable(verified.ok() ? QString() : verified.error().message));

    const QJsonObject claims = verified->claims;
    QCOMPARE(verified->header.value(u"alg").toString(), QStringLiteral("ES256"));
    QCOMPARE(claims.value(u"iss").toString(), service.baseUrl());
    QCOMPARE(claims.value(u"aud").toString(), options.audience);
    QCOMPARE(claims.value(u"iat").toInteger(), service.clock().nowSeconds());
    QCOMPARE(claims.value(u"exp").toInteger(), Rfc3339::parse(accessRequest.value(u"expires_at").toString()).value() / 1000);
    QVERIFY(!claims.value(u"jti").toString().isEmpty());
    QCOMPARE(claims.value(u"denial_expires_at").toString(), accessRequest.value(u"expires_at").toString());
    QCOMPARE(claims.value(u"evaluation_id").toString(), context.value(u"evaluation_id").toString());
    QCOMPARE(claims.value(u"binding_context_members").toArray(), QJsonArray{QStringLiteral("tenant")});
    QCOMPARE(claims.value(u"binding_hash").toString(), expectedBindingHash(request, {QStringLiteral("tenant")}));
}

void tst_EscalationLoop::wholeLoop()
{
    QFETCH(QString, policy);
    QFETCH(QJsonObject, request);
    QFETCH(QString, templateName);
    QFETCH(QJsonObject, otherResource);

    ServiceFixture service(policy);
    QVERIFY2(service.start(), qPrintable(service.errorString()));
    EventRecorder live;
    live.open(service.baseUrl(), Tokens::bob, 0);
    QTRY_VERIFY_WITH_TIMEOUT(live.isConnected(), kEventWaitMs);

    // Given a requestable denial with a verifiable binding token.
    const HttpResponse evaluated = service.evaluate(request);
    QCOMPARE(evaluated.status, 200);
    QVERIFY(evaluated.contentType().startsWith("application/json"));
    checkRequestableDenial(service, evaluated.json, templateName);
    if (QTest::currentTestFailed())
        return;
    checkBindingToken(service, request, evaluated.json);
    if (QTest::currentTestFailed())
        return;

    // When the PEP submits it, a pending task handle comes back.
    const HttpResponse submitted = service.submit(submissionFor(request, evaluated.json));
    QVERIFY2(submitted.status == 202, submitted.describe().constData());
    const QJsonObject task = submitted.json.value(u"task").toObject();
    const QString taskId = task.value(u"id").toString();
    QVERIFY(taskId.startsWith(u"arq_"));
    QCOMPARE(task.value(u"status").toString(), QStringLiteral("pending"));
    const QString statusEndpoint = task.value(u"status_endpoint").toString();
    QCOMPARE(statusEndpoint, service.baseUrl() + QStringLiteral("/access/v1/requests/") + taskId);
    QCOMPARE(QString::fromUtf8(submitted.header("location")), statusEndpoint);
    QVERIFY(task.value(u"expires_at").toString().endsWith(u'Z'));
    QVERIFY(Rfc3339::parse(task.value(u"expires_at").toString()).ok());
    QCOMPARE(task.value(u"links").toObject().value(u"cancel").toString(), statusEndpoint + QStringLiteral("/cancel"));

    const HttpResponse pending = service.taskStatus(statusEndpoint);
    QCOMPARE(pending.status, 200);
    QCOMPARE(pending.json.value(u"task").toObject().value(u"status").toString(), QStringLiteral("pending"));
    QVERIFY(pending.header("retry-after").toInt() > 0);
    QVERIFY(!pending.json.contains(u"result"));

    // When a manager approves, the status endpoint returns a re-evaluation result.
    const HttpResponse approved = service.approve(taskId, Tokens::bob);
    QVERIFY2(approved.status == 200, approved.describe().constData());
    QCOMPARE(approved.json.value(u"status").toString(), QStringLiteral("approved"));

    const HttpResponse done = service.taskStatus(statusEndpoint);
    QCOMPARE(done.status, 200);
    QCOMPARE(done.json.value(u"task").toObject().value(u"status").toString(), QStringLiteral("approved"));
    const QJsonObject result = done.json.value(u"result").toObject();
    QCOMPARE(result.value(u"mode").toString(), QStringLiteral("reevaluate"));
    const QJsonObject approval = result.value(u"approval").toObject();
    QVERIFY(approval.value(u"id").toString().startsWith(u"apr_"));
    QVERIFY(Rfc3339::parse(approval.value(u"approved_until").toString()).ok());
    QVERIFY(approval.value(u"state").isString());

    // Then the re-evaluation with the approval permits, and names the approval's end.
    const HttpResponse permitted = service.evaluate(withApproval(request, approval));
    QCOMPARE(permitted.status, 200);
    QCOMPARE(permitted.json.value(u"decision"), QJsonValue(true));
    const QJsonObject echoed = permitted.json.value(u"context").toObject().value(u"approval").toObject();
    QCOMPARE(echoed.value(u"id").toString(), approval.value(u"id").toString());
    QCOMPARE(echoed.value(u"approved_until").toString(), approval.value(u"approved_until").toString());

    // And the same approval does not reach another resource.
    QJsonObject elsewhere = withApproval(request, approval);
    elsewhere.insert(QStringLiteral("resource"), otherResource);
    const HttpResponse refused = service.evaluate(elsewhere);
    QCOMPARE(refused.status, 200);
    QCOMPARE(refused.json.value(u"decision"), QJsonValue(false));

    // The event stream reported every step in seq order.
    QTRY_VERIFY_WITH_TIMEOUT(live.types().contains(QStringLiteral("reevaluation.denied")), kEventWaitMs);
    QCOMPARE(live.malformed(), 0);
    QVERIFY2(strictlyIncreasing(live.seqs()), qPrintable(live.types().join(u',')));
    const int denial = live.indexOfType(QStringLiteral("evaluation.denied.requestable"));
    const int created = live.indexOfType(QStringLiteral("task.created"));
    const int taskApproved = live.indexOfType(QStringLiteral("task.approved"));
    const int reevaluated = live.indexOfType(QStringLiteral("reevaluation.allowed"));
    QVERIFY(denial >= 0);
    QVERIFY(created > denial);
    QVERIFY(taskApproved > created);
    QVERIFY(reevaluated > taskApproved);
    QCOMPARE(live.events().at(created).value(u"task_id").toString(), taskId);
    QCOMPARE(live.events().at(taskApproved).value(u"task_id").toString(), taskId);
    QCOMPARE(live.events().at(reevaluated).value(u"task_id").toString(), taskId);
    QCOMPARE(live.events().at(denial).value(u"evaluation_id").toString(),
             evaluated.json.value(u"context").toObject().value(u"evaluation_id").toString());

    // A client reconnecting after task.created receives exactly the events after it. The live
    // list is read again on every try: when the approval is out of scope for a requestable
    // resource, the fresh requestable denial's event can still be on its way to `live`.
    const qint64 after = live.seqs().at(created);
    EventRecorder resumed;
    resumed.open(service.baseUrl(), Tokens::auditor, after);
    QTRY_COMPARE_WITH_TIMEOUT(resumed.seqs(), live.seqs().mid(created + 1), kEventWaitMs);
    QCOMPARE(resumed.types(), live.types().mid(created + 1));
}

void tst_EscalationLoop::plainDecisionsCarryNoAccessRequest_data()
{
    QTest::addColumn<QJsonObject>("request");
    QTest::addColumn<bool>("decision");

    QTest::newRow("permit on q4-summary")
        << evaluationRequest(entity(QStringLiteral("user"), QStringLiteral("alice")),
                             entity(QStringLiteral("document"), QStringLiteral("q4-summary")), QStringLiteral("can_read"))
        << true;
    QTest::newRow("forbid on deleting q4-plan")
        << evaluationRequest(entity(QStringLiteral("user"), QStringLiteral("alice")),
                             entity(QStringLiteral("document"), QStringLiteral("q4-plan")), QStringLiteral("can_delete"),
                             acmeContext)
        << false;
    QTest::newRow("plain deny for dave")
        << evaluationRequest(entity(QStringLiteral("user"), QStringLiteral("dave")),
                             entity(QStringLiteral("document"), QStringLiteral("q4-plan")), QStringLiteral("can_read"),
                             acmeContext)
        << false;
    QTest::newRow("q4-plan without a tenant")
        << evaluationRequest(entity(QStringLiteral("user"), QStringLiteral("alice")),
                             entity(QStringLiteral("document"), QStringLiteral("q4-plan")), QStringLiteral("can_read"))
        << false;
}

void tst_EscalationLoop::plainDecisionsCarryNoAccessRequest()
{
    QFETCH(QJsonObject, request);
    QFETCH(bool, decision);

    ServiceFixture service;
    QVERIFY2(service.start(), qPrintable(service.errorString()));

    const HttpResponse response = service.evaluate(request);
    QCOMPARE(response.status, 200);
    QCOMPARE(response.json.value(u"decision"), QJsonValue(decision));
    QVERIFY(!response.json.value(u"context").toObject().contains(u"access_request"));
}

void tst_EscalationLoop::batchWithApprovalKeepsOrder()
{
    ServiceFixture service;
    QVERIFY2(service.start(), qPrintable(service.errorString()));
    const QJsonObject q4PlanRead = evaluationRequest(entity(QStringLiteral("user"), QStringLiteral("alice")),
                                                     entity(QStringLiteral("document"), QStringLiteral("q4-plan")),
                                                     QStringLiteral("can_read"), acmeContext);
    const Escalation granted = service.grantAccess(q4PlanRead);
    QVERIFY2(granted.ok(), qPrintable(granted.failure));
    const QJsonObject permit = evaluationRequest(entity(QStringLiteral("user"), QStringLiteral("alice")),
                                                 entity(QStringLiteral("document"), QStringLiteral("q4-summary")),
                                                 QStringLiteral("can_read"));

    // Items without an approval may be decided on the thread that read the request, and the one
    // with an approval on the service's thread, so the batch crosses threads in the middle.
    const QJsonArray items{permit, q4PlanRead, withApproval(q4PlanRead, granted.approval), permit, q4PlanRead};
    const HttpResponse answer = service.post(QStringLiteral("/access/v1/evaluations"),
                                             QJsonObject{{QStringLiteral("evaluations"), items}}, Tokens::pepA);

    QVERIFY2(answer.status == 200, answer.describe().constData());
    const QJsonArray decisions = answer.json.value(u"evaluations").toArray();
    QCOMPARE(decisions.size(), items.size());
    QCOMPARE(decisions.at(0).toObject().value(u"decision"), QJsonValue(true));
    QCOMPARE(decisions.at(1).toObject().value(u"decision"), QJsonValue(false));
    QVERIFY(decisions.at(1).toObject().value(u"context").toObject().contains(u"access_request"));
    QCOMPARE(decisions.at(2).toObject().value(u"decision"), QJsonValue(true));
    QCOMPARE(decisions.at(2).toObject().value(u"context").toObject().value(u"approval").toObject().value(u"id"),
             granted.approval.value(u"id"));
    QCOMPARE(decisions.at(3).toObject().value(u"decision"), QJsonValue(true));
    QVERIFY(decisions.at(4).toObject().value(u"context").toObject().contains(u"access_request"));

    // Both requestable denials were stored before the response, so each one can be submitted.
    for (const int index : {1, 4}) {
        const HttpResponse submitted = service.submit(submissionFor(q4PlanRead, decisions.at(index).toObject()));
        QVERIFY2(submitted.status / 100 == 2, submitted.describe().constData());
    }
}

void tst_EscalationLoop::metadataNamesTheEndpoints()
{
    ServiceFixture service;
    QVERIFY2(service.start(), qPrintable(service.errorString()));

    const HttpResponse metadata = service.get(QStringLiteral("/.well-known/authzen-configuration"), {});
    QCOMPARE(metadata.status, 200);
    QCOMPARE(metadata.json.value(u"policy_decision_point").toString(), service.baseUrl());
    QCOMPARE(metadata.json.value(u"access_request_endpoint").toString(),
             service.baseUrl() + QStringLiteral("/access/v1/requests"));
    QCOMPARE(metadata.json.value(u"jwks_uri").toString(), service.baseUrl() + QStringLiteral("/access/v1/jwks"));
    QVERIFY(metadata.json.value(u"capabilities").toArray().contains(
        QStringLiteral("urn:openid:authzen:capability:access-request")));
}

void tst_EscalationLoop::eventStreamNeedsReaderToken_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("query");
    QTest::addColumn<int>("status");

    QTest::newRow("no token") << QString() << QStringLiteral("?after=0") << 401;
    QTest::newRow("unknown token") << QStringLiteral("nobody-secret") << QStringLiteral("?after=0") << 401;
    QTest::newRow("PEP token") << Tokens::pepA << QStringLiteral("?after=0") << 403;
    QTest::newRow("negative after") << Tokens::bob << QStringLiteral("?after=-1") << 400;
    QTest::newRow("after not a number") << Tokens::bob << QStringLiteral("?after=x") << 400;
}

void tst_EscalationLoop::eventStreamNeedsReaderToken()
{
    QFETCH(QString, token);
    QFETCH(QString, query);
    QFETCH(int, status);

    ServiceFixture service;
    QVERIFY2(service.start(), qPrintable(service.errorString()));

    // The handshake a WebSocket client sends. The service rejects it with a plain HTTP response.
    const Headers upgrade{{QByteArrayLiteral("Connection"), QByteArrayLiteral("Upgrade")},
                          {QByteArrayLiteral("Upgrade"), QByteArrayLiteral("websocket")},
                          {QByteArrayLiteral("Sec-WebSocket-Version"), QByteArrayLiteral("13")},
                          {QByteArrayLiteral("Sec-WebSocket-Key"), QByteArrayLiteral("dGhlIHNhbXBsZSBub25jZQ==")}};
    const HttpResponse rejected = service.get(QStringLiteral("/admin/v1/events") + query, token, upgrade);

    QCOMPARE(rejected.status, status);
    QVERIFY(rejected.isProblem());
}

QTEST_GUILESS_MAIN(tst_EscalationLoop)
#include "tst_escalationloop.moc"
