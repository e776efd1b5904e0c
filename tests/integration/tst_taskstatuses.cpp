// Every task status the service returns is a canonical one: pending, approved, denied, expired,
// cancelled or failed, plus partial on tasks with items. One flow drives tasks to each status it
// can reach over HTTP and checks every status in every response it gets: submissions, status
// reads, approver decisions, cancellation and the admin task views.

#include "tests/integration/araprequests.h"
#include "tests/integration/servicefixture.h"

#include <QJsonArray>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

const QStringList kCanonical{QStringLiteral("pending"), QStringLiteral("approved"), QStringLiteral("denied"),
                             QStringLiteral("expired"), QStringLiteral("cancelled"), QStringLiteral("failed")};

// Collects the task statuses of responses and the violations among them.
class StatusCheck
{
public:
    // Checks every task status in `response`, which `label` names in messages.
    void check(const QString &label, const HttpResponse &response)
    {
        if (response.isProblem()) {
            violations.append(QStringLiteral("%1: unexpected problem response %2").arg(label).arg(response.status));
            return;
        }
        const QJsonObject body = response.json;
        checkTask(label + QStringLiteral(" task"), body.value(u"task").toObject());
        // Approver decisions and the admin task detail carry the status at the top level.
        if (body.value(u"status").isString())
            checkTask(label, body);
        for (const QJsonValue &task : body.value(u"tasks").toArray())
            checkTask(label + QStringLiteral(" tasks[]"), task.toObject());
    }

    QStringList violations;
    QSet<QString> seen;

private:
    void checkTask(const QString &label, const QJsonObject &task)
    {
        if (task.isEmpty())
            return;
        const QJsonArray items = task.value(u"items").toArray();
        checkStatus(label, task.value(u"status"), !items.isEmpty());
        for (const QJsonValue &item : items)
            checkStatus(label + QStringLiteral(" item"), item.toObject().value(u"status"), false);
    }

    void checkStatus(const QString &label, const QJsonValue &status, bool hasItems)
    {
        const QString text = status.toString();
        seen.insert(text);
        if (!status.isString())
            violations.append(QStringLiteral("%1: status is not a string").arg(label));
        else if (text == QLatin1String("partial") && !hasItems)
            violations.append(QStringLiteral("%1: partial on a task without items").arg(label));
        else if (text != QLatin1String("partial") && !kCanonical.contains(text))
            violations.append(QStringLiteral("%1: status \"%2\" is not canonical").arg(label, text));
    }
};

QJsonObject readRequest(const QString &documentId)
{
    return Arap::evaluation(Arap::alice(), Arap::document(documentId), QStringLiteral("can_read"), Arap::tenant());
}

} // namespace

class tst_TaskStatuses : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void statusesAreCanonical();
    void unknownStatusFilterRejected();

private:
    // Evaluates `request` and submits its requestable denial, checking the submission response.
    HttpResponse submitChecked(const QString &label, const QJsonObject &request, const QString &token = Tokens::pepA);

    ServiceFixture *m_service = nullptr;
    StatusCheck m_check;
};

HttpResponse tst_TaskStatuses::submitChecked(const QString &label, const QJsonObject &request, const QString &token)
{
    const HttpResponse decision = m_service->evaluate(request, token);
    const HttpResponse submitted = m_service->submit(submissionFor(request, decision.json), token);
    m_check.check(label + QStringLiteral(" submission"), submitted);
    return submitted;
}

void tst_TaskStatuses::statusesAreCanonical()
{
    ServiceFixture service;
    QVERIFY2(service.start(), qPrintable(service.errorString()));
    m_service = &service;
    const auto statusOf = [&service](const HttpResponse &submitted) {
        return service.taskStatus(submitted.json.value(u"task").toObject().value(u"status_endpoint").toString());
    };
    const auto idOf = [](const HttpResponse &submitted) {
        return submitted.json.value(u"task").toObject().value(u"id").toString();
    };

    // Approved: a manager approves a pending single task.
    const HttpResponse approvedTask = submitChecked(QStringLiteral("approved"), Arap::q4PlanRead());
    QCOMPARE(approvedTask.status, 202);
    m_check.check(QStringLiteral("pending status"), statusOf(approvedTask));
    m_check.check(QStringLiteral("approve"), service.approve(idOf(approvedTask), Tokens::bob));
    m_check.check(QStringLiteral("approved status"), statusOf(approvedTask));

    // Denied.
    const HttpResponse deniedTask = submitChecked(QStringLiteral("denied"), Arap::q4PlanWrite());
    QCOMPARE(deniedTask.status, 202);
    m_check.check(QStringLiteral("deny"), service.deny(idOf(deniedTask), Tokens::bob));
    m_check.check(QStringLiteral("denied status"), statusOf(deniedTask));

    // Cancelled by the PEP that submitted it.
    const HttpResponse cancelledTask = submitChecked(QStringLiteral("cancelled"), Arap::paymentLogRead());
    QCOMPARE(cancelledTask.status, 202);
    const QString cancelLink = cancelledTask.json.value(u"task").toObject().value(u"links").toObject().value(u"cancel").toString();
    m_check.check(QStringLiteral("cancel"), service.send("POST", cancelLink, {}, Tokens::pepA));
    m_check.check(QStringLiteral("cancelled status"), statusOf(cancelledTask));

    // Approved at once: a low-risk tool call is approved automatically (201).
    const HttpResponse automatic = submitChecked(QStringLiteral("auto-approved"), Arap::crmExportCall(), Tokens::gateway);
    QCOMPARE(automatic.status, 201);
    m_check.check(QStringLiteral("auto-approved status"), service.taskStatus(
        automatic.json.value(u"task").toObject().value(u"status_endpoint").toString(), Tokens::gateway));

    // Partial: a bundle of two items, one approved and one denied.
    QJsonArray items;
    for (const QString &document : {QStringLiteral("q4-budget"), QStringLiteral("q4-roadmap")}) {
        const QJsonObject request = readRequest(document);
        const QJsonObject submission = submissionFor(request, service.evaluate(request).json);
        items.append(QJsonObject{{QStringLiteral("resource"), submission.value(u"resource")},
                                 {QStringLiteral("action"), submission.value(u"action")},
                                 {QStringLiteral("denial"), submission.value(u"denial")}});
    }
    const HttpResponse bundle = service.submit(QJsonObject{{QStringLiteral("subject"), Arap::alice()},
                                                           {QStringLiteral("context"), Arap::tenant()},
                                                           {QStringLiteral("items"), items}});
    QVERIFY2(bundle.status == 202, bundle.describe().constData());
    m_check.check(QStringLiteral("bundle submission"), bundle);
    m_check.check(QStringLiteral("approve item"),
                  service.approve(idOf(bundle), Tokens::bob, QJsonObject{{QStringLiteral("items"), QJsonArray{0}}}));
    m_check.check(QStringLiteral("bundle pending status"), statusOf(bundle));
    m_check.check(QStringLiteral("deny item"),
                  service.deny(idOf(bundle), Tokens::bob, QJsonObject{{QStringLiteral("items"), QJsonArray{1}}}));
    m_check.check(QStringLiteral("partial status"), statusOf(bundle));

    // Expired: an undecided task outlives its 24-hour task lifetime.
    const HttpResponse expiredTask = submitChecked(QStringLiteral("expired"), readRequest(QStringLiteral("q4-plan")),
                                                   Tokens::pepB);
    QCOMPARE(expiredTask.status, 202);
    service.clock().advanceSeconds(25 * 3600);
    const HttpResponse expiredStatus = service.taskStatus(
        expiredTask.json.value(u"task").toObject().value(u"status_endpoint").toString(), Tokens::pepB);
    m_check.check(QStringLiteral("expired status"), expiredStatus);

    // The admin views of every task.
    const HttpResponse list = service.get(QStringLiteral("/admin/v1/tasks"), Tokens::auditor);
    m_check.check(QStringLiteral("admin list"), list);
    for (const QJsonValue &task : list.json.value(u"tasks").toArray()) {
        const QString id = task.toObject().value(u"id").toString();
        m_check.check(QStringLiteral("admin detail ") + id, service.get(QStringLiteral("/admin/v1/tasks/") + id, Tokens::auditor));
    }

    QVERIFY2(m_check.violations.isEmpty(), qPrintable(m_check.violations.join(u'\n')));
    // The flow reached every canonical status except failed, which the service never assigns
    // to a task.
    QStringList seen = m_check.seen.values();
    seen.sort();
    QCOMPARE(seen, (QStringList{QStringLiteral("approved"), QStringLiteral("cancelled"), QStringLiteral("denied"),
                                QStringLiteral("expired"), QStringLiteral("partial"), QStringLiteral("pending")}));
    QCOMPARE(list.json.value(u"tasks").toArray().size(), 6);
}

// A misspelt status in the task list's filter is a 400, not an empty list that reads as "none".
void tst_TaskStatuses::unknownStatusFilterRejected()
{
    ServiceFixture service;
    QVERIFY2(service.start(), qPrintable(service.errorString()));

    const HttpResponse rejected = service.get(QStringLiteral("/admin/v1/tasks?status=pending,aproved"), Tokens::auditor);
    const HttpResponse listed = service.get(QStringLiteral("/admin/v1/tasks?status=pending,approved,partial"), Tokens::auditor);

    QCOMPARE(rejected.status, 400);
    QVERIFY(rejected.isProblem());
    QCOMPARE(rejected.json.value(u"invalid_value").toString(), QStringLiteral("aproved"));
    QCOMPARE(listed.status, 200);
}

QTEST_GUILESS_MAIN(tst_TaskStatuses)
#include "tst_taskstatuses.moc"
