// Separation of duties over HTTP: a template's "conflicting_groups" rejects approvers in a
// conflicting group and stops the automatic approval of a request whose subject is in one, so that
// request waits for a person. Each test runs on a policy folder that it writes itself.

#include "core/policy/policy.h"
#include "tests/integration/araprequests.h"
#include "tests/integration/servicefixture.h"

#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

const QString kNotEligible = QStringLiteral("urn:recourse:error:not_eligible");
const QString kErinToken = QStringLiteral("erin-secret"); // approver in managers and payments-operators

// Payment logs need a manager, and payment operators may not approve them. The refund tool is
// approved automatically, except for a subject in payments-operators.
const QByteArray kPolicy = R"({
  "rules": [
    {
      "id": "payment-logs-need-review",
      "effect": "requestable",
      "template": "payment_logs",
      "match": {"subject.type": "user", "action.name": "can_read", "resource.type": "log", "resource.id": "payments-provider"}
    },
    {
      "id": "refunds-approved-automatically",
      "effect": "requestable",
      "template": "refund_tool",
      "match": {"subject.type": "user", "action.name": "can_call", "resource.type": "tool", "resource.id": "refunds.issue"}
    }
  ],
  "templates": {
    "payment_logs": {
      "steps": [{"name": "manager", "groups": ["managers"]}],
      "conflicting_groups": ["payments-operators"]
    },
    "refund_tool": {
      "steps": [{"name": "manager", "groups": ["managers"]}],
      "auto_approve": {"duration": "30m"},
      "conflicting_groups": ["payments-operators"]
    }
  }
}
)";

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
}

QJsonObject subjectInGroups(const QString &id, const QStringList &groups)
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("user")},
                       {QStringLiteral("id"), id},
                       {QStringLiteral("properties"), QJsonObject{{QStringLiteral("groups"), QJsonArray::fromStringList(groups)}}}};
}

QJsonObject paymentLogRead()
{
    return QJsonObject{{QStringLiteral("subject"), subjectInGroups(QStringLiteral("alice"), {})},
                       {QStringLiteral("resource"), QJsonObject{{QStringLiteral("type"), QStringLiteral("log")},
                                                                {QStringLiteral("id"), QStringLiteral("payments-provider")}}},
                       {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_read")}}}};
}

QJsonObject refundCall(const QStringList &subjectGroups)
{
    return QJsonObject{{QStringLiteral("subject"), subjectInGroups(QStringLiteral("alice"), subjectGroups)},
                       {QStringLiteral("resource"), QJsonObject{{QStringLiteral("type"), QStringLiteral("tool")},
                                                                {QStringLiteral("id"), QStringLiteral("refunds.issue")}}},
                       {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_call")}}}};
}

QString statusOf(const HttpResponse &response)
{
    return response.json.value(u"task").toObject().value(u"status").toString();
}

// The audit records of `type` for one task.
QList<QJsonObject> auditRecords(ServiceFixture &service, const QString &taskId, const QString &type)
{
    QList<QJsonObject> records;
    const HttpResponse audit = service.get(QStringLiteral("/admin/v1/audit?task_id=") + taskId, Tokens::auditor);
    for (const QJsonValue &record : audit.json.value(u"records").toArray()) {
        if (record.toObject().value(u"type").toString() == type)
            records.append(record.toObject());
    }
    return records;
}

} // namespace

class tst_SeparationOfDuties : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void conflictingApproverRefused();
    void conflictingApproverRefusedInBatch();
    void autoApprovalOfConflictWaits();
    void autoApprovalWithoutConflict();
    void autoApprovalWithoutGroupsWaits();
    void bulkAutoApprovalOfConflictWaits();
    void malformedConflictRejected_data();
    void malformedConflictRejected();

private:
    QTemporaryDir m_policyDir;
    std::unique_ptr<ServiceFixture> m_service;
};

void tst_SeparationOfDuties::init()
{
    QVERIFY(m_policyDir.isValid());
    QVERIFY(writeFile(m_policyDir.filePath(QStringLiteral("policy.json")), kPolicy));
    m_service = std::make_unique<ServiceFixture>(m_policyDir.path());
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
    m_service->host()->addIdentity(QStringLiteral("erin"), QStringLiteral("approver"),
                                   {QStringLiteral("managers"), QStringLiteral("payments-operators")}, kErinToken);
}

void tst_SeparationOfDuties::cleanup()
{
    m_service.reset();
}

void tst_SeparationOfDuties::conflictingApproverRefused()
{
    const Escalation flow = m_service->requestAccess(paymentLogRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));

    // erin is a manager, but also a payment operator, so she may not approve access to payment logs.
    const HttpResponse refused = m_service->approve(flow.taskId(), kErinToken);
    QCOMPARE(refused.status, 403);
    QVERIFY(refused.isProblem());
    QCOMPARE(refused.problemType(), kNotEligible);
    QCOMPARE(refused.json.value(u"invalid_value").toString(), QStringLiteral("erin"));
    QVERIFY2(refused.json.value(u"detail").toString().contains(u"payments-operators"), refused.describe().constData());
    QCOMPARE(statusOf(m_service->taskStatus(flow.statusEndpoint())), QStringLiteral("pending"));

    const HttpResponse detail = m_service->get(QStringLiteral("/admin/v1/tasks/") + flow.taskId(), kErinToken);
    QCOMPARE(detail.json.value(u"decisions").toArray().size(), 0);
    QCOMPARE(detail.json.value(u"can_decide").toBool(), false);

    // bob, a manager without the conflicting role, still approves.
    const HttpResponse approved = m_service->approve(flow.taskId(), Tokens::bob);
    QVERIFY2(approved.status == 200, approved.describe().constData());
    QCOMPARE(statusOf(m_service->taskStatus(flow.statusEndpoint())), QStringLiteral("approved"));
}

void tst_SeparationOfDuties::conflictingApproverRefusedInBatch()
{
    const Escalation flow = m_service->requestAccess(paymentLogRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));

    const QJsonObject entry{{QStringLiteral("task_id"), flow.taskId()}, {QStringLiteral("decision"), QStringLiteral("approve")}};

    const HttpResponse batch = m_service->post(QStringLiteral("/admin/v1/tasks:batch"),
                                               QJsonObject{{QStringLiteral("decisions"), QJsonArray{entry}}}, kErinToken);

    QVERIFY2(batch.status == 200, batch.describe().constData());
    const QJsonArray outcomes = batch.json.value(u"outcomes").toArray();
    QCOMPARE(outcomes.size(), 1);
    const QJsonObject error = outcomes.first().toObject().value(u"error").toObject();
    QCOMPARE(error.value(u"type").toString(), kNotEligible);
    QCOMPARE(error.value(u"status").toInt(), 403);
    QCOMPARE(statusOf(m_service->taskStatus(flow.statusEndpoint())), QStringLiteral("pending"));
}

void tst_SeparationOfDuties::autoApprovalOfConflictWaits()
{
    const QJsonObject submission = m_service->freshSubmission(refundCall({QStringLiteral("payments-operators")}));
    QVERIFY(!submission.isEmpty());

    // The rule would approve at once, but the subject is in a conflicting group, so 202 and pending.
    const HttpResponse response = m_service->submit(submission);
    QVERIFY2(response.status == 202, response.describe().constData());
    QCOMPARE(statusOf(response), QStringLiteral("pending"));
    QVERIFY(!response.json.contains(u"result"));
    const QString taskId = response.json.value(u"task").toObject().value(u"id").toString();

    // The audit log records why the automatic approval did not decide.
    const QList<QJsonObject> refusals = auditRecords(*m_service, taskId, QStringLiteral("auto_approval.refused"));
    QCOMPARE(refusals.size(), 1);
    QCOMPARE(refusals.first().value(u"actor").toString(), QStringLiteral("policy:auto-approval"));
    const QString reason = refusals.first().value(u"data").toObject().value(u"reason").toString();
    QVERIFY2(reason.contains(u"payments-operators"), qPrintable(reason));
    QVERIFY(auditRecords(*m_service, taskId, QStringLiteral("task.approved")).isEmpty());

    // A manager decides it instead.
    const HttpResponse approved = m_service->approve(taskId, Tokens::bob);
    QVERIFY2(approved.status == 200, approved.describe().constData());
    QCOMPARE(statusOf(m_service->taskStatus(response.json.value(u"task").toObject().value(u"status_endpoint").toString())),
             QStringLiteral("approved"));
}

void tst_SeparationOfDuties::autoApprovalWithoutConflict()
{
    const QJsonObject submission = m_service->freshSubmission(refundCall({QStringLiteral("support")}));
    QVERIFY(!submission.isEmpty());

    const HttpResponse response = m_service->submit(submission);
    QVERIFY2(response.status == 201, response.describe().constData());
    QCOMPARE(statusOf(response), QStringLiteral("approved"));
    const QString taskId = response.json.value(u"task").toObject().value(u"id").toString();
    QVERIFY(auditRecords(*m_service, taskId, QStringLiteral("auto_approval.refused")).isEmpty());
}

void tst_SeparationOfDuties::autoApprovalWithoutGroupsWaits()
{
    // A request without groups for its subject cannot be checked against the conflicting groups.
    // The automatic approval leaves it to a person, so omitting the groups bypasses nothing.
    QJsonObject request = refundCall({});
    request.insert(QStringLiteral("subject"),
                   QJsonObject{{QStringLiteral("type"), QStringLiteral("user")}, {QStringLiteral("id"), QStringLiteral("alice")}});
    const QJsonObject submission = m_service->freshSubmission(request);
    QVERIFY(!submission.isEmpty());

    const HttpResponse response = m_service->submit(submission);
    QVERIFY2(response.status == 202, response.describe().constData());
    QCOMPARE(statusOf(response), QStringLiteral("pending"));
    const QString taskId = response.json.value(u"task").toObject().value(u"id").toString();
    const QList<QJsonObject> refusals = auditRecords(*m_service, taskId, QStringLiteral("auto_approval.refused"));
    QCOMPARE(refusals.size(), 1);
    const QString reason = refusals.first().value(u"data").toObject().value(u"reason").toString();
    QVERIFY2(reason.contains(u"subject.properties.groups"), qPrintable(reason));

    // An empty list states that the subject is in no group, so the rule approves it.
    const QJsonObject stated = m_service->freshSubmission(refundCall({}));
    QVERIFY(!stated.isEmpty());
    const HttpResponse approved = m_service->submit(stated);
    QVERIFY2(approved.status == 201, approved.describe().constData());
}

void tst_SeparationOfDuties::bulkAutoApprovalOfConflictWaits()
{
    const QJsonObject single = m_service->freshSubmission(refundCall({QStringLiteral("payments-operators")}));
    QVERIFY(!single.isEmpty());
    const QJsonObject body{{QStringLiteral("subject"), single.value(u"subject")},
                           {QStringLiteral("items"),
                            QJsonArray{QJsonObject{{QStringLiteral("resource"), single.value(u"resource")},
                                                   {QStringLiteral("action"), single.value(u"action")},
                                                   {QStringLiteral("denial"), single.value(u"denial")}}}}};

    const HttpResponse response = m_service->submit(body);
    QVERIFY2(response.status == 202, response.describe().constData());
    const QJsonObject task = response.json.value(u"task").toObject();
    QCOMPARE(task.value(u"status").toString(), QStringLiteral("pending"));
    QCOMPARE(task.value(u"items").toArray().first().toObject().value(u"status").toString(), QStringLiteral("pending"));

    const QList<QJsonObject> refusals = auditRecords(*m_service, task.value(u"id").toString(),
                                                     QStringLiteral("auto_approval.refused"));
    QCOMPARE(refusals.size(), 1);
    QCOMPARE(refusals.first().value(u"data").toObject().value(u"item").toInt(-1), 0);
}

void tst_SeparationOfDuties::malformedConflictRejected_data()
{
    QTest::addColumn<QByteArray>("conflictMember");
    QTest::addColumn<QString>("expectedMessage");

    QTest::newRow("not an array") << QByteArray(R"("payments-operators")")
                                  << QStringLiteral("\"conflicting_groups\" must be an array of strings, got a string");
    QTest::newRow("empty name") << QByteArray(R"(["payments-operators", ""])")
                                << QStringLiteral("\"conflicting_groups\" must contain only non-empty strings");
    QTest::newRow("approver group") << QByteArray(R"(["managers"])")
                                    << QStringLiteral("\"managers\" is an approver group of step \"manager\" and cannot also be a conflicting group");
}

void tst_SeparationOfDuties::malformedConflictRejected()
{
    QFETCH(QByteArray, conflictMember);
    QFETCH(QString, expectedMessage);

    // The conflicting member sits on line 6, so the error must point there.
    const QByteArray policy = QByteArrayLiteral("{\n"
                                                "  \"templates\": {\n"
                                                "    \"payment_logs\": {\n"
                                                "      \"steps\": [{\"name\": \"manager\", \"groups\": [\"managers\"]}],\n"
                                                "      \"conflicting_groups\":\n"
                                                "        ")
        + conflictMember + QByteArrayLiteral("\n    }\n  }\n}\n");
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    QVERIFY(writeFile(folder.filePath(QStringLiteral("templates.json")), policy));

    const auto loaded = Policy::PolicySet::loadFolder(folder.path());
    QVERIFY(std::holds_alternative<QList<Policy::LoadError>>(loaded));
    const QList<Policy::LoadError> errors = std::get<QList<Policy::LoadError>>(loaded);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().file, QStringLiteral("templates.json"));
    QCOMPARE(errors.first().line, 6);
    QCOMPARE(errors.first().message, expectedMessage);

    // The service refuses to start on it and names the position.
    ServiceFixture service(folder.path());
    QVERIFY(!service.start());
    QVERIFY2(service.errorString().contains(u"templates.json:6"), qPrintable(service.errorString()));
}

QTEST_MAIN(tst_SeparationOfDuties)
#include "tst_separationofduties.moc"
