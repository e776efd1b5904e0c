// What a PEP learns from task handles and approvals over HTTP. Task and approval ids are random
// 128-bit values with no embedded time. The bodies a PEP reads never name approvers, the groups
// a task awaits, or a review link. A terminal task stays readable until its retention ends.

#include "core/base/rfc3339.h"
#include "tests/integration/araprequests.h"
#include "tests/integration/servicefixture.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

// The members that would tell a requester who decides or decided, and where approvers review.
const QStringList kApproverOnlyMembers{QStringLiteral("approver"),  QStringLiteral("approvers"),
                                       QStringLiteral("decided_by"), QStringLiteral("decisions"),
                                       QStringLiteral("awaiting"),   QStringLiteral("awaiting_groups"),
                                       QStringLiteral("review"),     QStringLiteral("can_decide")};

// Appends "path: problem" for every approver-only member name in `value` and for every string
// value that equals one of `approverIds`.
void findApproverDetails(const QJsonValue &value, const QString &path, const QStringList &approverIds,
                         QStringList &found)
{
    if (value.isString() && approverIds.contains(value.toString())) {
        found.append(path + QStringLiteral(": names approver ") + value.toString());
        return;
    }
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i)
            findApproverDetails(array.at(i), QStringLiteral("%1[%2]").arg(path).arg(i), approverIds, found);
        return;
    }
    if (!value.isObject())
        return;
    const QJsonObject object = value.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString memberPath = path + u'.' + it.key();
        if (kApproverOnlyMembers.contains(it.key()))
            found.append(memberPath + QStringLiteral(": approver-only member"));
        findApproverDetails(it.value(), memberPath, approverIds, found);
    }
}

QStringList approverDetails(const HttpResponse &response)
{
    QStringList found;
    findApproverDetails(response.json, QStringLiteral("body"), {QStringLiteral("bob"), QStringLiteral("carol")}, found);
    return found;
}

} // namespace

class tst_TaskHandles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void identifiersAreRandom();
    void pepBodiesHideApprovers();
    void terminalTaskReadableUntilRetention();

private:
    std::unique_ptr<ServiceFixture> m_service;
};

void tst_TaskHandles::init()
{
    m_service = std::make_unique<ServiceFixture>();
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
}

void tst_TaskHandles::cleanup()
{
    m_service.reset();
}

void tst_TaskHandles::identifiersAreRandom()
{
    // Twelve tasks and approvals created at the same instant of the manual clock. Ids that embed
    // a timestamp (ULID-like) would share their leading digits, but random ones share none.
    constexpr int kCount = 12;
    constexpr int kPrefixDigits = 8; // 40 bits: a chance collision among 12 ids is about 6e-11
    const QRegularExpression format(QStringLiteral("^(arq|apr)_[0-9a-hjkmnp-tv-z]{26}$"));

    QSet<QString> taskIds;
    QSet<QString> approvalIds;
    QSet<QString> taskPrefixes;
    QSet<QString> approvalPrefixes;
    for (int i = 0; i < kCount; ++i) {
        const Escalation flow = m_service->grantAccess(Arap::q4PlanRead());
        QVERIFY2(flow.ok(), qPrintable(flow.failure));
        const QString taskId = flow.taskId();
        const QString approvalId = flow.approval.value(u"id").toString();

        QVERIFY2(format.match(taskId).hasMatch(), qPrintable(taskId));
        QVERIFY2(taskId.startsWith(u"arq_"), qPrintable(taskId));
        QVERIFY2(format.match(approvalId).hasMatch(), qPrintable(approvalId));
        QVERIFY2(approvalId.startsWith(u"apr_"), qPrintable(approvalId));
        taskIds.insert(taskId);
        approvalIds.insert(approvalId);
        taskPrefixes.insert(taskId.mid(4, kPrefixDigits));
        approvalPrefixes.insert(approvalId.mid(4, kPrefixDigits));
    }

    QCOMPARE(m_service->clock().nowMs(), kFixtureStartMs);
    QCOMPARE(taskIds.size(), kCount);
    QCOMPARE(approvalIds.size(), kCount);
    QCOMPARE(taskPrefixes.size(), kCount);
    QCOMPARE(approvalPrefixes.size(), kCount);
}

void tst_TaskHandles::pepBodiesHideApprovers()
{
    // security_review has two steps, so the task is read while bob's approval of the first step
    // is recorded and a second group is awaited, and again once carol completes it.
    const QJsonObject request = Arap::paymentLogRead();
    const QJsonObject submission = m_service->freshSubmission(request);
    QVERIFY(!submission.isEmpty());
    const HttpResponse submitted = m_service->submit(submission);
    QVERIFY2(submitted.status == 202, submitted.describe().constData());
    QCOMPARE(approverDetails(submitted), QStringList());
    const QJsonObject task = submitted.json.value(u"task").toObject();
    const QString taskId = task.value(u"id").toString();
    const QString statusEndpoint = task.value(u"status_endpoint").toString();

    QCOMPARE(m_service->approve(taskId, Tokens::bob).status, 200);
    const HttpResponse halfway = m_service->taskStatus(statusEndpoint);
    QCOMPARE(halfway.status, 200);
    QCOMPARE(halfway.json.value(u"task").toObject().value(u"status").toString(), QStringLiteral("pending"));
    QCOMPARE(approverDetails(halfway), QStringList());
    const QJsonObject links = halfway.json.value(u"task").toObject().value(u"links").toObject();
    QCOMPARE(links.keys(), QStringList{QStringLiteral("cancel")});

    QCOMPARE(m_service->approve(taskId, Tokens::carol).status, 200);
    const HttpResponse approved = m_service->taskStatus(statusEndpoint);
    QCOMPARE(approved.json.value(u"task").toObject().value(u"status").toString(), QStringLiteral("approved"));
    QVERIFY(approved.json.value(u"result").toObject().value(u"approval").isObject());
    QCOMPARE(approverDetails(approved), QStringList());

    // The permit the approval unlocks names the approval, not who granted it.
    const QJsonObject approval = approved.json.value(u"result").toObject().value(u"approval").toObject();
    const HttpResponse permitted = m_service->evaluate(withApproval(request, approval));
    QCOMPARE(permitted.json.value(u"decision"), QJsonValue(true));
    QCOMPARE(approverDetails(permitted), QStringList());

    // The approver API does name them, so the check above can see them when they leak.
    const HttpResponse detail = m_service->get(QStringLiteral("/admin/v1/tasks/") + taskId, Tokens::auditor);
    QVERIFY(!approverDetails(detail).isEmpty());
}

void tst_TaskHandles::terminalTaskReadableUntilRetention()
{
    // An approved task keeps its status and result past task.expires_at: only pending tasks
    // expire. A day after task.expires_at the status endpoint returns task_expired.
    constexpr qint64 kRetentionMs = 24LL * 3600 * 1000;
    const Escalation flow = m_service->grantAccess(Arap::q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    const qint64 taskExpiresMs = Rfc3339::parse(flow.task.value(u"expires_at").toString()).value();

    m_service->clock().setNowMs(taskExpiresMs + 1000);
    const HttpResponse afterExpiry = m_service->taskStatus(flow.statusEndpoint());
    QVERIFY2(afterExpiry.status == 200, afterExpiry.describe().constData());
    QCOMPARE(afterExpiry.json.value(u"task").toObject().value(u"status").toString(), QStringLiteral("approved"));
    QCOMPARE(afterExpiry.json.value(u"result").toObject().value(u"approval").toObject().value(u"id"),
             flow.approval.value(u"id"));

    m_service->clock().setNowMs(taskExpiresMs + kRetentionMs);
    QCOMPARE(m_service->taskStatus(flow.statusEndpoint()).status, 200);

    m_service->clock().setNowMs(taskExpiresMs + kRetentionMs + 1000);
    const HttpResponse afterRetention = m_service->taskStatus(flow.statusEndpoint());
    QCOMPARE(afterRetention.status, 410);
    QVERIFY(afterRetention.isProblem());
    QCOMPARE(afterRetention.problemType(), QStringLiteral("urn:openid:authzen:access-request:error:task_expired"));
}

QTEST_GUILESS_MAIN(tst_TaskHandles)
#include "tst_taskhandles.moc"
