// Actor delegation: which actor chains a PEP credential may claim, and how unverified chains are
// kept. Real service over HTTP with the arap-conformance pack.

#include "tests/integration/servicefixture.h"

#include <QJsonArray>
#include <QTest>

using namespace Recourse::Testing;

namespace {

QJsonObject readPlan()
{
    return QJsonObject{{QStringLiteral("subject"), entity(QStringLiteral("user"), QStringLiteral("alice"))},
                       {QStringLiteral("resource"), entity(QStringLiteral("document"), QStringLiteral("q4-plan"))},
                       {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_read")}}},
                       {QStringLiteral("context"), QJsonObject{{QStringLiteral("tenant"), QStringLiteral("acme")}}}};
}

QJsonObject clientWithActor(const QString &id, const QJsonObject &nested = {})
{
    QJsonObject actor{{QStringLiteral("id"), id}, {QStringLiteral("type"), QStringLiteral("ai_agent")}};
    if (!nested.isEmpty())
        actor.insert(QStringLiteral("act"), nested);
    return QJsonObject{{QStringLiteral("id"), QStringLiteral("assistant-gateway")}, {QStringLiteral("actor"), actor}};
}

} // namespace

class ActorTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void unverifiedChainIsKeptForAudit();
    void vouchedActorIsVerified();
    void actorOutsideCredentialRejected();
    void nestedActorOutsideCredentialRejected();
    void chainActorCannotApprove();

private:
    HttpResponse submitWithClient(const QJsonObject &client, const QString &token);
    std::unique_ptr<ServiceFixture> m_service;
};

void ActorTest::init()
{
    m_service = std::make_unique<ServiceFixture>(QStringLiteral("arap-conformance"));
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
}

void ActorTest::cleanup()
{
    m_service.reset();
}

HttpResponse ActorTest::submitWithClient(const QJsonObject &client, const QString &token)
{
    QJsonObject body = m_service->freshSubmission(readPlan(), token);
    body.insert(QStringLiteral("client"), client);
    return m_service->submit(body, token);
}

void ActorTest::unverifiedChainIsKeptForAudit()
{
    // pep-a's credential vouches for no actor, so the claimed agent is recorded, unverified.
    const HttpResponse submitted = submitWithClient(clientWithActor(QStringLiteral("agent-7")), Tokens::pepA);
    QCOMPARE(submitted.status, 202);

    const QString taskId = submitted.json.value(QStringLiteral("task")).toObject().value(QStringLiteral("id")).toString();
    const HttpResponse detail = m_service->get(QStringLiteral("/admin/v1/tasks/") + taskId, Tokens::auditor);
    const QJsonArray chain = detail.json.value(QStringLiteral("actor_chain")).toArray();
    QCOMPARE(chain.size(), 1);
    QCOMPARE(chain.first().toObject().value(QStringLiteral("id")).toString(), QStringLiteral("agent-7"));
    QCOMPARE(chain.first().toObject().value(QStringLiteral("verified")), QJsonValue(false));
}

void ActorTest::vouchedActorIsVerified()
{
    const HttpResponse submitted = submitWithClient(clientWithActor(QStringLiteral("agent-7")), Tokens::gateway);
    QCOMPARE(submitted.status, 202);

    const QString taskId = submitted.json.value(QStringLiteral("task")).toObject().value(QStringLiteral("id")).toString();
    const HttpResponse detail = m_service->get(QStringLiteral("/admin/v1/tasks/") + taskId, Tokens::auditor);
    const QJsonObject actor = detail.json.value(QStringLiteral("actor_chain")).toArray().first().toObject();
    QCOMPARE(actor.value(QStringLiteral("verified")), QJsonValue(true));
}

void ActorTest::actorOutsideCredentialRejected()
{
    const HttpResponse refused = submitWithClient(clientWithActor(QStringLiteral("agent-9")), Tokens::gateway);
    QCOMPARE(refused.status, 403);
    QVERIFY(refused.isProblem());
    QCOMPARE(refused.json.value(QStringLiteral("invalid_value")).toString(), QStringLiteral("agent-9"));
    // Nothing was created.
    const HttpResponse list = m_service->get(QStringLiteral("/admin/v1/tasks"), Tokens::auditor);
    QCOMPARE(list.json.value(QStringLiteral("tasks")).toArray().size(), 0);
}

void ActorTest::nestedActorOutsideCredentialRejected()
{
    // The whole chain must be vouched for, not only the immediate actor.
    const QJsonObject nested{{QStringLiteral("id"), QStringLiteral("agent-9")}, {QStringLiteral("type"), QStringLiteral("ai_agent")}};
    const HttpResponse refused = submitWithClient(clientWithActor(QStringLiteral("agent-7"), nested), Tokens::gateway);
    QCOMPARE(refused.status, 403);
    QCOMPARE(refused.json.value(QStringLiteral("invalid_value")).toString(), QStringLiteral("agent-9"));
}

void ActorTest::chainActorCannotApprove()
{
    // bob appears in the chain (even unverified), so bob may not decide the request.
    const HttpResponse submitted = submitWithClient(clientWithActor(QStringLiteral("bob")), Tokens::pepA);
    QCOMPARE(submitted.status, 202);
    const QString taskId = submitted.json.value(QStringLiteral("task")).toObject().value(QStringLiteral("id")).toString();

    const HttpResponse refused = m_service->approve(taskId, Tokens::bob);
    QCOMPARE(refused.status, 403);
    QCOMPARE(refused.problemType(), QStringLiteral("urn:recourse:error:not_eligible"));

    // The other manager, alice, is the subject, so no configured approver may decide it.
    const HttpResponse detail = m_service->get(QStringLiteral("/admin/v1/tasks/") + taskId, Tokens::bob);
    QCOMPARE(detail.json.value(QStringLiteral("status")).toString(), QStringLiteral("pending"));
    QCOMPARE(detail.json.value(QStringLiteral("can_decide")), QJsonValue(false));
}

QTEST_GUILESS_MAIN(ActorTest)
#include "tst_actors.moc"
