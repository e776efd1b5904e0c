// Approvals over HTTP: an approval unlocks only its bound request, revocation and expiry end it,
// policy still decides, nobody approves their own request, and the audit chain records it all.

#include "core/base/rfc3339.h"
#include "core/jose/jose.h"
#include "tests/integration/araprequests.h"
#include "tests/integration/servicefixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

const QString kNotEligible = QStringLiteral("urn:recourse:error:not_eligible");

QJsonObject contextOf(const HttpResponse &response)
{
    return response.json.value(u"context").toObject();
}

QString statusOf(const HttpResponse &response)
{
    return response.json.value(u"task").toObject().value(u"status").toString();
}

QString jtiOf(const QString &compactToken)
{
    const QByteArray payload = compactToken.toLatin1().split('.').value(1);
    return QJsonDocument::fromJson(Jose::base64UrlDecode(payload).value()).object().value(u"jti").toString();
}

QStringList auditTypes(const HttpResponse &response)
{
    QStringList types;
    for (const QJsonValue &record : response.json.value(u"records").toArray())
        types.append(record.toObject().value(u"type").toString());
    return types;
}

} // namespace

class tst_Approvals : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void approvalUnlocksOnlyItsRequest_data();
    void approvalUnlocksOnlyItsRequest();
    void presentedApprovalIsVerified_data();
    void presentedApprovalIsVerified();
    void editedApprovedUntilIgnored();
    void revocationEndsApproval();
    void revocationNeedsTemplateApprover();
    void expiredApproval();
    void approvalEndsAtApprovedUntil_data();
    void approvalEndsAtApprovedUntil();
    void highRiskOverridesApproval();
    void approvedTaskCannotBeCancelled();
    void selfApprovalRefused_data();
    void selfApprovalRefused();
    void selfApprovalRefusedInBatch();
    void batchErrorsUseProblemTypes_data();
    void batchErrorsUseProblemTypes();
    void approvalBoundedByTemplate_data();
    void approvalBoundedByTemplate();
    void approvedUntilInThePast();
    void invalidDecisionBodyRejected_data();
    void invalidDecisionBodyRejected();
    void attributionFollowsToken();
    void secondVoteRefused();
    void auditChainCoversTask();

private:
    void checkDenied(const HttpResponse &response, const QString &reason, const QString &nextAction);
    std::unique_ptr<ServiceFixture> m_service;
};

void tst_Approvals::init()
{
    m_service = std::make_unique<ServiceFixture>();
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
}

void tst_Approvals::cleanup()
{
    m_service.reset();
}

void tst_Approvals::checkDenied(const HttpResponse &response, const QString &reason, const QString &nextAction)
{
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.json.value(u"decision"), QJsonValue(false));
    const QJsonObject context = contextOf(response);
    QCOMPARE(context.value(u"reason").toString(), reason);
    QCOMPARE(context.value(u"next_action").toString(), nextAction);
    // A fresh access request comes exactly with next_action request.
    QCOMPARE(context.value(u"access_request").isObject(), nextAction == QLatin1String("request"));
    QVERIFY(!context.contains(u"approval"));
}

void tst_Approvals::approvalUnlocksOnlyItsRequest_data()
{
    QTest::addColumn<QString>("member");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("reason"); // empty: permitted
    QTest::addColumn<QString>("nextAction");

    const QString outOfScope = QStringLiteral("out_of_scope");
    const QString request = QStringLiteral("request");
    QTest::newRow("the approved request (control)") << QString() << QJsonValue() << QString() << QString();
    QTest::newRow("alice with other properties")
        << QStringLiteral("subject")
        << QJsonValue(entity(QStringLiteral("user"), QStringLiteral("alice"),
                             QJsonObject{{QStringLiteral("department"), QStringLiteral("finance")}}))
        << outOfScope << request;
    // Policy does not even make bob's read requestable, so the approval is beside the point.
    QTest::newRow("another subject") << QStringLiteral("subject")
                                     << QJsonValue(entity(QStringLiteral("user"), QStringLiteral("bob")))
                                     << QStringLiteral("policy_denied") << QStringLiteral("none");
    QTest::newRow("another resource") << QStringLiteral("resource") << QJsonValue(Arap::document(QStringLiteral("q4-budget")))
                                      << outOfScope << request;
    QTest::newRow("another action") << QStringLiteral("action")
                                    << QJsonValue(QJsonObject{{QStringLiteral("name"), QStringLiteral("can_write")}})
                                    << outOfScope << request;
    QTest::newRow("another tenant") << QStringLiteral("context.tenant") << QJsonValue(QStringLiteral("globex")) << outOfScope
                                    << request;
}

void tst_Approvals::approvalUnlocksOnlyItsRequest()
{
    QFETCH(QString, member);
    QFETCH(QJsonValue, value);
    QFETCH(QString, reason);
    QFETCH(QString, nextAction);

    const Escalation flow = m_service->grantAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    QJsonObject request = flow.request;
    if (member == QLatin1String("context.tenant")) {
        QJsonObject context = request.value(u"context").toObject();
        context.insert(QStringLiteral("tenant"), value);
        request.insert(QStringLiteral("context"), context);
    } else if (!member.isEmpty()) {
        request.insert(member, value);
    }

    const HttpResponse response = m_service->evaluate(withApproval(request, flow.approval));

    if (reason.isEmpty()) {
        QCOMPARE(response.json.value(u"decision"), QJsonValue(true));
        return;
    }
    checkDenied(response, reason, nextAction);
}

void tst_Approvals::presentedApprovalIsVerified_data()
{
    QTest::addColumn<QString>("variant");

    QTest::newRow("state of another approval under this id") << QStringLiteral("foreign state");
    QTest::newRow("no state") << QStringLiteral("no state");
    QTest::newRow("state as an object") << QStringLiteral("object state");
    QTest::newRow("unknown id with this state") << QStringLiteral("unknown id");
    QTest::newRow("binding token as state") << QStringLiteral("binding token");
    QTest::newRow("state with alg none") << QStringLiteral("alg none");
    QTest::newRow("presented by another PEP") << QStringLiteral("other pep");
}

void tst_Approvals::presentedApprovalIsVerified()
{
    QFETCH(QString, variant);

    const Escalation flow = m_service->grantAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    const Escalation other = m_service->grantAccess(Arap::evaluation(Arap::alice(), Arap::document(QStringLiteral("q4-budget")),
                                                                     QStringLiteral("can_read"), Arap::tenant()));
    QVERIFY2(other.ok(), qPrintable(other.failure));

    QJsonObject approval = flow.approval;
    QString pepToken = Tokens::pepA;
    if (variant == QLatin1String("foreign state")) {
        approval.insert(QStringLiteral("state"), other.approval.value(u"state"));
    } else if (variant == QLatin1String("no state")) {
        approval.remove(QStringLiteral("state"));
    } else if (variant == QLatin1String("object state")) {
        approval.insert(QStringLiteral("state"), QJsonObject{{QStringLiteral("approval_id"), approval.value(u"id")}});
    } else if (variant == QLatin1String("unknown id")) {
        approval.insert(QStringLiteral("id"), QStringLiteral("apr_AAAAAAAAAAAAAAAAAAAAAAAAAA"));
    } else if (variant == QLatin1String("binding token")) {
        const QJsonObject accessRequest = flow.decision.value(u"context").toObject().value(u"access_request").toObject();
        approval.insert(QStringLiteral("state"), accessRequest.value(u"binding_token"));
    } else if (variant == QLatin1String("alg none")) {
        QList<QByteArray> parts = approval.value(u"state").toString().toLatin1().split('.');
        parts[0] = Jose::base64UrlEncode(R"({"alg":"none","typ":"recourse-approval+jwt"})");
        parts[2].clear();
        approval.insert(QStringLiteral("state"), QString::fromLatin1(parts.join('.')));
    } else if (variant == QLatin1String("other pep")) {
        pepToken = Tokens::pepB;
    }

    const HttpResponse response = m_service->evaluate(withApproval(flow.request, approval), pepToken);

    checkDenied(response, QStringLiteral("approval_unverifiable"), QStringLiteral("none"));
}

void tst_Approvals::editedApprovedUntilIgnored()
{
    // Members outside the signed state are not trusted, so the PDP returns the recorded end.
    const Escalation flow = m_service->grantAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    QJsonObject approval = flow.approval;
    approval.insert(QStringLiteral("approved_until"), QStringLiteral("2027-12-04T10:00:00Z"));

    const HttpResponse permitted = m_service->evaluate(withApproval(flow.request, approval));
    QCOMPARE(permitted.json.value(u"decision"), QJsonValue(true));
    QCOMPARE(contextOf(permitted).value(u"approval").toObject().value(u"approved_until").toString(),
             flow.approval.value(u"approved_until").toString());

    const qint64 untilMs = Rfc3339::parse(flow.approval.value(u"approved_until").toString()).value();
    m_service->clock().setNowMs(untilMs + 61 * 1000);
    checkDenied(m_service->evaluate(withApproval(flow.request, approval)), QStringLiteral("approval_expired"),
                QStringLiteral("request"));
}

void tst_Approvals::revocationEndsApproval()
{
    const QString fourHours = Rfc3339::format(m_service->clock().nowMs() + 4 * 3600 * 1000);
    const Escalation flow = m_service->grantAccess(Arap::q4PlanRead(), Tokens::bob,
                                                   QJsonObject{{QStringLiteral("approved_until"), fourHours}});
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    QCOMPARE(flow.approval.value(u"approved_until").toString(), fourHours);
    const QJsonObject reevaluation = withApproval(flow.request, flow.approval);
    QCOMPARE(m_service->evaluate(reevaluation).json.value(u"decision"), QJsonValue(true));

    const QString revokePath = QStringLiteral("/admin/v1/approvals/%1/revoke").arg(flow.approval.value(u"id").toString());
    const HttpResponse revoked = m_service->post(revokePath, QJsonObject{{QStringLiteral("comment"), QStringLiteral("mission over")}},
                                                 Tokens::bob);
    QVERIFY2(revoked.status == 200, revoked.describe().constData());
    QVERIFY(revoked.json.value(u"approvals").toArray().first().toObject().contains(u"revoked_at"));

    // Long before approved_until, the unchanged approval no longer permits.
    const HttpResponse denied = m_service->evaluate(reevaluation);
    checkDenied(denied, QStringLiteral("approval_expired"), QStringLiteral("request"));
    const QString freshToken = contextOf(denied).value(u"access_request").toObject().value(u"binding_token").toString();
    const QString originalToken =
        flow.decision.value(u"context").toObject().value(u"access_request").toObject().value(u"binding_token").toString();
    QVERIFY(!jtiOf(freshToken).isEmpty());
    QVERIFY(jtiOf(freshToken) != jtiOf(originalToken));

    // The fresh access request can be submitted as a new task.
    const HttpResponse again = m_service->submit(submissionFor(flow.request, denied.json));
    QVERIFY2(again.status == 202, again.describe().constData());
    QVERIFY(again.json.value(u"task").toObject().value(u"id").toString() != flow.taskId());
}

void tst_Approvals::revocationNeedsTemplateApprover()
{
    const Escalation flow = m_service->grantAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    const QString revokePath = QStringLiteral("/admin/v1/approvals/%1/revoke").arg(flow.approval.value(u"id").toString());

    QCOMPARE(m_service->post(revokePath, {}, Tokens::auditor).status, 403);
    // carol approves for security, not for manager_approval.
    const HttpResponse outsider = m_service->post(revokePath, {}, Tokens::carol);
    QCOMPARE(outsider.status, 403);
    QCOMPARE(outsider.problemType(), kNotEligible);
    QCOMPARE(m_service->post(QStringLiteral("/admin/v1/approvals/apr_AAAAAAAAAAAAAAAAAAAAAAAAAA/revoke"), {}, Tokens::bob).status,
             404);

    QCOMPARE(m_service->evaluate(withApproval(flow.request, flow.approval)).json.value(u"decision"), QJsonValue(true));
}

void tst_Approvals::expiredApproval()
{
    const Escalation flow = m_service->grantAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    const QJsonObject reevaluation = withApproval(flow.request, flow.approval);
    const qint64 untilMs = Rfc3339::parse(flow.approval.value(u"approved_until").toString()).value();

    m_service->clock().setNowMs(untilMs - 1000);
    QCOMPARE(m_service->evaluate(reevaluation).json.value(u"decision"), QJsonValue(true));

    m_service->clock().setNowMs(untilMs + 61 * 1000);
    checkDenied(m_service->evaluate(reevaluation), QStringLiteral("approval_expired"), QStringLiteral("request"));
}

void tst_Approvals::approvalEndsAtApprovedUntil_data()
{
    QTest::addColumn<qint64>("offsetMs"); // the clock relative to approved_until
    QTest::addColumn<bool>("permitted");

    // The service checks its own approvals against its own clock, so no skew tolerance applies.
    QTest::newRow("one second before") << qint64(-1000) << true;
    QTest::newRow("one millisecond before") << qint64(-1) << true;
    QTest::newRow("at approved_until") << qint64(0) << false;
    QTest::newRow("one second after") << qint64(1000) << false;
    QTest::newRow("30 seconds after") << qint64(30 * 1000) << false;
}

void tst_Approvals::approvalEndsAtApprovedUntil()
{
    QFETCH(qint64, offsetMs);
    QFETCH(bool, permitted);

    const Escalation flow = m_service->grantAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    const qint64 untilMs = Rfc3339::parse(flow.approval.value(u"approved_until").toString()).value();

    m_service->clock().setNowMs(untilMs + offsetMs);
    const HttpResponse reevaluated = m_service->evaluate(withApproval(flow.request, flow.approval));

    if (permitted) {
        QVERIFY2(reevaluated.json.value(u"decision") == QJsonValue(true), reevaluated.describe().constData());
        return;
    }
    checkDenied(reevaluated, QStringLiteral("approval_expired"), QStringLiteral("request"));
}

void tst_Approvals::highRiskOverridesApproval()
{
    const Escalation flow = m_service->grantAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    QJsonObject request = flow.request;
    QJsonObject context = request.value(u"context").toObject();
    context.insert(QStringLiteral("risk"), QStringLiteral("high"));
    request.insert(QStringLiteral("context"), context);

    checkDenied(m_service->evaluate(withApproval(request, flow.approval)), QStringLiteral("policy_denied"),
                QStringLiteral("none"));
}

void tst_Approvals::approvedTaskCannotBeCancelled()
{
    const Escalation flow = m_service->grantAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));

    const HttpResponse cancel = m_service->post(flow.statusEndpoint() + QStringLiteral("/cancel"), {}, Tokens::pepA);
    QCOMPARE(cancel.status, 409);
    QCOMPARE(cancel.problemType(), QStringLiteral("urn:openid:authzen:access-request:error:invalid_task_state"));

    const HttpResponse status = m_service->taskStatus(flow.statusEndpoint());
    QCOMPARE(statusOf(status), QStringLiteral("approved"));
    QCOMPARE(status.json.value(u"result").toObject().value(u"approval").toObject().value(u"id"), flow.approval.value(u"id"));
}

void tst_Approvals::selfApprovalRefused_data()
{
    QTest::addColumn<QJsonObject>("subject");
    QTest::addColumn<QJsonObject>("client");
    QTest::addColumn<QString>("requesterToken");
    QTest::addColumn<QString>("approverToken");
    QTest::addColumn<QString>("approverId");
    QTest::addColumn<QString>("decision");

    const QJsonObject noClient;
    const auto actingFor = [](const QString &actor) {
        return entity(QStringLiteral("user"), QStringLiteral("alice"),
                      QJsonObject{{QStringLiteral("act"), QJsonObject{{QStringLiteral("sub"), actor}}}});
    };
    QTest::newRow("subject approves") << Arap::alice() << noClient << Tokens::pepA << Tokens::alice << QStringLiteral("alice")
                                      << QStringLiteral("approve");
    QTest::newRow("subject denies") << Arap::alice() << noClient << Tokens::pepA << Tokens::alice << QStringLiteral("alice")
                                    << QStringLiteral("deny");
    QTest::newRow("requester approves") << Arap::alice() << noClient << QStringLiteral("dana-secret")
                                        << QStringLiteral("dana-secret") << QStringLiteral("dana") << QStringLiteral("approve");
    QTest::newRow("actor in subject.properties.act") << actingFor(QStringLiteral("bob")) << noClient << Tokens::pepA
                                                     << Tokens::bob << QStringLiteral("bob") << QStringLiteral("approve");
    QTest::newRow("actor in client.actor")
        << Arap::alice()
        << QJsonObject{{QStringLiteral("actor"), QJsonObject{{QStringLiteral("id"), QStringLiteral("bob")},
                                                             {QStringLiteral("type"), QStringLiteral("ai_agent")}}}}
        << Tokens::pepA << Tokens::bob << QStringLiteral("bob") << QStringLiteral("approve");
    QTest::newRow("nested actor in client.actor")
        << Arap::alice()
        << QJsonObject{{QStringLiteral("actor"),
                        QJsonObject{{QStringLiteral("id"), QStringLiteral("agent-7")},
                                    {QStringLiteral("act"), QJsonObject{{QStringLiteral("id"), QStringLiteral("bob")}}}}}}
        << Tokens::pepA << Tokens::bob << QStringLiteral("bob") << QStringLiteral("approve");
}

void tst_Approvals::selfApprovalRefused()
{
    QFETCH(QJsonObject, subject);
    QFETCH(QJsonObject, client);
    QFETCH(QString, requesterToken);
    QFETCH(QString, approverToken);
    QFETCH(QString, approverId);
    QFETCH(QString, decision);

    // dana is an admin in the managers group, so she can both submit and decide.
    m_service->host()->addIdentity(QStringLiteral("dana"), QStringLiteral("admin"), {QStringLiteral("managers")},
                                   QStringLiteral("dana-secret"));
    QJsonObject request = Arap::q4PlanRead();
    request.insert(QStringLiteral("subject"), subject);
    QJsonObject submission = m_service->freshSubmission(request, requesterToken);
    QVERIFY(!submission.isEmpty());
    if (!client.isEmpty())
        submission.insert(QStringLiteral("client"), client);
    const HttpResponse submitted = m_service->submit(submission, requesterToken);
    QVERIFY2(submitted.status == 202, submitted.describe().constData());
    const QJsonObject task = submitted.json.value(u"task").toObject();
    const QString taskId = task.value(u"id").toString();

    // A header naming someone else changes nothing: the token decides who acts. A body member
    // naming someone else is rejected (attributionFollowsToken).
    const HttpResponse refused = m_service->post(QStringLiteral("/admin/v1/tasks/%1/%2").arg(taskId, decision),
                                                 QJsonObject{{QStringLiteral("comment"), QStringLiteral("for carol")}},
                                                 approverToken, {{QByteArrayLiteral("X-Approver"), QByteArrayLiteral("carol")}});

    QCOMPARE(refused.status, 403);
    QVERIFY(refused.isProblem());
    QCOMPARE(refused.problemType(), kNotEligible);
    QCOMPARE(refused.json.value(u"invalid_value").toString(), approverId);
    QCOMPARE(statusOf(m_service->taskStatus(task.value(u"status_endpoint").toString(), requesterToken)),
             QStringLiteral("pending"));
    const HttpResponse detail = m_service->get(QStringLiteral("/admin/v1/tasks/") + taskId, approverToken);
    QCOMPARE(detail.json.value(u"decisions").toArray().size(), 0);
    QCOMPARE(detail.json.value(u"can_decide").toBool(), false);

    // The refusal is audited under the authenticated identity.
    QTRY_VERIFY(auditTypes(m_service->get(QStringLiteral("/admin/v1/audit?task_id=") + taskId, Tokens::auditor))
                    .contains(QStringLiteral("decision.refused")));
    const HttpResponse audit = m_service->get(QStringLiteral("/admin/v1/audit?task_id=") + taskId, Tokens::auditor);
    QStringList refusedBy;
    for (const QJsonValue &record : audit.json.value(u"records").toArray()) {
        if (record.toObject().value(u"type") == QLatin1String("decision.refused"))
            refusedBy.append(record.toObject().value(u"actor").toString());
    }
    QCOMPARE(refusedBy, QStringList{approverId});
}

void tst_Approvals::selfApprovalRefusedInBatch()
{
    const Escalation flow = m_service->requestAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    const QJsonObject entry{{QStringLiteral("task_id"), flow.taskId()}, {QStringLiteral("decision"), QStringLiteral("approve")}};

    const HttpResponse batch = m_service->post(QStringLiteral("/admin/v1/tasks:batch"),
                                               QJsonObject{{QStringLiteral("decisions"), QJsonArray{entry}}}, Tokens::alice);

    QVERIFY2(batch.status == 200, batch.describe().constData());
    const QJsonArray outcomes = batch.json.value(u"outcomes").toArray();
    QCOMPARE(outcomes.size(), 1);
    QCOMPARE(outcomes.first().toObject().value(u"task_id").toString(), flow.taskId());
    QVERIFY(outcomes.first().toObject().value(u"error").isObject());
    QVERIFY(!outcomes.first().toObject().contains(u"status"));
    QCOMPARE(statusOf(m_service->taskStatus(flow.statusEndpoint())), QStringLiteral("pending"));
}

void tst_Approvals::batchErrorsUseProblemTypes_data()
{
    QTest::addColumn<QString>("refusal");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("type");

    QTest::newRow("self-approval") << QStringLiteral("self-approval") << 403 << kNotEligible;
    QTest::newRow("unknown task") << QStringLiteral("unknown task") << 404
                                  << QStringLiteral("urn:openid:authzen:access-request:error:unknown_task");
    QTest::newRow("task already approved") << QStringLiteral("task already approved") << 409
                                           << QStringLiteral("urn:openid:authzen:access-request:error:invalid_task_state");
    QTest::newRow("entry without a decision") << QStringLiteral("entry without a decision") << 400
                                              << QStringLiteral("about:blank");
}

void tst_Approvals::batchErrorsUseProblemTypes()
{
    QFETCH(QString, refusal);
    QFETCH(int, status);
    QFETCH(QString, type);

    QString taskId = QStringLiteral("arq_unknown");
    QString approverToken = Tokens::bob;
    QString decision = QStringLiteral("approve");
    if (refusal == QLatin1String("self-approval")) {
        const Escalation flow = m_service->requestAccess(Arap::q4PlanRead());
        QVERIFY2(flow.ok(), qPrintable(flow.failure));
        taskId = flow.taskId();
        approverToken = Tokens::alice;
    } else if (refusal == QLatin1String("task already approved")) {
        const Escalation flow = m_service->grantAccess(Arap::q4PlanRead());
        QVERIFY2(flow.ok(), qPrintable(flow.failure));
        taskId = flow.taskId();
    } else if (refusal == QLatin1String("entry without a decision")) {
        decision.clear();
    }
    QJsonObject entry{{QStringLiteral("task_id"), taskId}};
    if (!decision.isEmpty())
        entry.insert(QStringLiteral("decision"), decision);

    const HttpResponse batch = m_service->post(QStringLiteral("/admin/v1/tasks:batch"),
                                               QJsonObject{{QStringLiteral("decisions"), QJsonArray{entry}}}, approverToken);

    QVERIFY2(batch.status == 200, batch.describe().constData());
    const QJsonObject error = batch.json.value(u"outcomes").toArray().first().toObject().value(u"error").toObject();
    QCOMPARE(error.value(u"type").toString(), type);
    QCOMPARE(error.value(u"status").toInt(), status);
    QVERIFY(!error.value(u"detail").toString().isEmpty());
    QVERIFY2(!error.contains(u"code"), batch.describe().constData());
    if (decision.isEmpty())
        return;

    // The single-task endpoint refuses the same call with the same problem.
    const HttpResponse single = m_service->approve(taskId, approverToken);
    QCOMPARE(single.status, status);
    QCOMPARE(single.problemType(), type);
    QCOMPARE(single.json.value(u"title"), error.value(u"title"));
}

void tst_Approvals::approvalBoundedByTemplate_data()
{
    QTest::addColumn<qint64>("approverAsksSeconds"); // 0: the approver names no end
    QTest::addColumn<qint64>("pepAsksSeconds");      // 0: the PEP names no end
    QTest::addColumn<qint64>("grantedSeconds");

    constexpr qint64 hour = 3600;
    // manager_approval has no default duration, so its 8-hour maximum is the default.
    QTest::newRow("nobody names an end") << qint64(0) << qint64(0) << 8 * hour;
    QTest::newRow("PEP asks for 2 hours") << qint64(0) << 2 * hour << 2 * hour;
    QTest::newRow("PEP asks for a year") << qint64(0) << 365 * 24 * hour << 8 * hour;
    QTest::newRow("approver grants 1 hour over the PEP's 2") << hour << 2 * hour << hour;
    QTest::newRow("approver grants 2 days") << 48 * hour << qint64(0) << 8 * hour;
}

void tst_Approvals::approvalBoundedByTemplate()
{
    QFETCH(qint64, approverAsksSeconds);
    QFETCH(qint64, pepAsksSeconds);
    QFETCH(qint64, grantedSeconds);

    const qint64 now = m_service->clock().nowMs();
    QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    if (pepAsksSeconds > 0) {
        submission.insert(QStringLiteral("requested_access"),
                          QJsonObject{{QStringLiteral("requested_until"), Rfc3339::format(now + pepAsksSeconds * 1000)}});
    }
    const HttpResponse submitted = m_service->submit(submission);
    QVERIFY2(submitted.status == 202, submitted.describe().constData());
    const QJsonObject task = submitted.json.value(u"task").toObject();
    QJsonObject body;
    if (approverAsksSeconds > 0)
        body.insert(QStringLiteral("approved_until"), Rfc3339::format(now + approverAsksSeconds * 1000));

    const HttpResponse approved = m_service->approve(task.value(u"id").toString(), Tokens::bob, body);

    QVERIFY2(approved.status == 200, approved.describe().constData());
    const QJsonObject approval =
        m_service->taskStatus(task.value(u"status_endpoint").toString()).json.value(u"result").toObject().value(u"approval").toObject();
    QCOMPARE(approval.value(u"approved_until").toString(), Rfc3339::format(now + grantedSeconds * 1000));
}

void tst_Approvals::approvedUntilInThePast()
{
    const Escalation flow = m_service->requestAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    const QString past = Rfc3339::format(m_service->clock().nowMs() - 60 * 1000);

    const HttpResponse refused =
        m_service->approve(flow.taskId(), Tokens::bob, QJsonObject{{QStringLiteral("approved_until"), past}});

    QCOMPARE(refused.status, 400);
    QVERIFY(refused.isProblem());
    QCOMPARE(refused.json.value(u"invalid_value").toString(), past);
    QCOMPARE(statusOf(m_service->taskStatus(flow.statusEndpoint())), QStringLiteral("pending"));
}

void tst_Approvals::invalidDecisionBodyRejected_data()
{
    QTest::addColumn<QString>("operation"); // approve, deny or batch
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("invalidValue");

    QTest::newRow("misspelt approved_until") << QStringLiteral("approve") << QByteArray(R"({"approve_until":"2030-01-01T00:00:00Z"})")
                                             << QStringLiteral("approve_until");
    QTest::newRow("comment a number") << QStringLiteral("approve") << QByteArray(R"({"comment":12})") << QStringLiteral("comment");
    QTest::newRow("comment null") << QStringLiteral("approve") << QByteArray(R"({"comment":null})") << QStringLiteral("comment");
    QTest::newRow("items an object") << QStringLiteral("approve") << QByteArray(R"({"items":{"0":true}})") << QStringLiteral("items");
    QTest::newRow("reason a number") << QStringLiteral("deny") << QByteArray(R"({"reason":5})") << QStringLiteral("reason");
    QTest::newRow("approved_until on a deny") << QStringLiteral("deny")
                                              << QByteArray(R"({"reason":"no","approved_until":"2030-01-01T00:00:00Z"})")
                                              << QStringLiteral("approved_until");
    QTest::newRow("batch entry with a typo") << QStringLiteral("batch") << QByteArray(R"({"decison":"approve"})")
                                             << QStringLiteral("decison");
}

// The approver API is strict: an unknown member, or one of the wrong type, gets a 400 that names it,
// and the task stays pending. A misspelt approve_until used to be dropped, so the approval got the
// template's default duration instead of the one the approver chose.
void tst_Approvals::invalidDecisionBodyRejected()
{
    QFETCH(QString, operation);
    QFETCH(QByteArray, body);
    QFETCH(QString, invalidValue);
    const Escalation flow = m_service->requestAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    QJsonObject fields = QJsonDocument::fromJson(body).object();

    HttpResponse rejected;
    if (operation == QLatin1String("batch")) {
        fields.insert(QStringLiteral("task_id"), flow.taskId());
        fields.insert(QStringLiteral("decision"), QStringLiteral("approve"));
        const HttpResponse batch = m_service->post(QStringLiteral("/admin/v1/tasks:batch"),
                                                   QJsonObject{{QStringLiteral("decisions"), QJsonArray{fields}}}, Tokens::bob);
        QVERIFY2(batch.status == 200, batch.describe().constData());
        const QJsonObject error = batch.json.value(u"outcomes").toArray().first().toObject().value(u"error").toObject();
        QCOMPARE(error.value(u"status").toInt(), 400);
        QCOMPARE(error.value(u"invalid_value").toString(), invalidValue);
    } else {
        rejected = operation == QLatin1String("approve") ? m_service->approve(flow.taskId(), Tokens::bob, fields)
                                                        : m_service->deny(flow.taskId(), Tokens::bob, fields);
        QVERIFY2(rejected.status == 400, rejected.describe().constData());
        QVERIFY(rejected.isProblem());
        QCOMPARE(rejected.json.value(u"invalid_value").toString(), invalidValue);
    }

    QCOMPARE(statusOf(m_service->taskStatus(flow.statusEndpoint())), QStringLiteral("pending"));
}

void tst_Approvals::attributionFollowsToken()
{
    const Escalation flow = m_service->requestAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));

    const QString approvePath = QStringLiteral("/admin/v1/tasks/%1/approve").arg(flow.taskId());

    // A body that names another approver is rejected, not read; a header that does is ignored.
    const HttpResponse claimed = m_service->post(approvePath, QJsonObject{{QStringLiteral("approver"), QStringLiteral("alice")}},
                                                 Tokens::bob);
    QCOMPARE(claimed.status, 400);
    QCOMPARE(claimed.json.value(u"invalid_value").toString(), QStringLiteral("approver"));
    const HttpResponse approved = m_service->post(approvePath, QJsonObject{}, Tokens::bob,
                                                  {{QByteArrayLiteral("X-Approver"), QByteArrayLiteral("alice")}});

    QVERIFY2(approved.status == 200, approved.describe().constData());
    QCOMPARE(approved.json.value(u"decided_by").toString(), QStringLiteral("bob"));
    const QJsonArray decisions = approved.json.value(u"decisions").toArray();
    QCOMPARE(decisions.size(), 1);
    QCOMPARE(decisions.first().toObject().value(u"approver").toString(), QStringLiteral("bob"));
    const HttpResponse audit = m_service->get(QStringLiteral("/admin/v1/audit?task_id=%1&approver=bob").arg(flow.taskId()),
                                              Tokens::auditor);
    QVERIFY(auditTypes(audit).contains(QStringLiteral("task.approved")));
}

void tst_Approvals::secondVoteRefused()
{
    const Escalation flow = m_service->requestAccess(Arap::paymentLogRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    QCOMPARE(m_service->approve(flow.taskId(), Tokens::bob).status, 200);

    // bob already decided; alice is another manager, but the manager step is complete.
    for (const QString &token : {Tokens::bob, Tokens::alice}) {
        const HttpResponse again = m_service->approve(flow.taskId(), token);
        QCOMPARE(again.status, 403);
        QCOMPARE(again.problemType(), kNotEligible);
    }

    const HttpResponse status = m_service->taskStatus(flow.statusEndpoint());
    QCOMPARE(statusOf(status), QStringLiteral("pending"));
    QCOMPARE(status.json.value(u"task").toObject().value(u"progress").toObject().value(u"current_step").toInt(), 2);
    const HttpResponse detail = m_service->get(QStringLiteral("/admin/v1/tasks/") + flow.taskId(), Tokens::bob);
    QCOMPARE(detail.json.value(u"decisions").toArray().size(), 1);
}

void tst_Approvals::auditChainCoversTask()
{
    const Escalation flow = m_service->grantAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    QCOMPARE(m_service->evaluate(withApproval(flow.request, flow.approval)).json.value(u"decision"), QJsonValue(true));
    QCOMPARE(m_service->approve(flow.taskId(), Tokens::alice).status, 409);
    const QString revokePath = QStringLiteral("/admin/v1/approvals/%1/revoke").arg(flow.approval.value(u"id").toString());
    QCOMPARE(m_service->post(revokePath, {}, Tokens::bob).status, 200);
    QCOMPARE(m_service->evaluate(withApproval(flow.request, flow.approval)).json.value(u"decision"), QJsonValue(false));

    // From denial to the last re-evaluation, in order, under the task's id.
    const QStringList expected{QStringLiteral("denial.issued"), QStringLiteral("task.created"),
                               QStringLiteral("task.approved"), QStringLiteral("reevaluation"),
                               QStringLiteral("approval.revoked"), QStringLiteral("reevaluation")};
    QTRY_COMPARE(auditTypes(m_service->get(QStringLiteral("/admin/v1/audit?task_id=") + flow.taskId(), Tokens::auditor)),
                 expected);

    const HttpResponse verify = m_service->get(QStringLiteral("/admin/v1/audit/verify"), Tokens::auditor);
    QCOMPARE(verify.status, 200);
    QCOMPARE(verify.json.value(u"ok").toBool(), true);
    QVERIFY(verify.json.value(u"records").toInt() >= expected.size());
    QVERIFY(!verify.json.contains(u"first_broken_seq"));
}

QTEST_GUILESS_MAIN(tst_Approvals)
#include "tst_approvals.moc"
