// The event stream informs and never enforces. An approval seen on /admin/v1/events leaves the
// PDP's decision unchanged until the PEP presents the approval from the status endpoint, and
// nothing built from an event, real or forged, is accepted as context.approval.

#include "demo/referencepep.h"
#include "tests/integration/araprequests.h"
#include "tests/integration/servicefixture.h"

#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

// WebSocket delivery is asynchronous, so an event may still be on its way when a check starts.
constexpr int kEventWaitMs = 30 * 1000;

} // namespace

class tst_EventsGrantNothing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void approvedEventAloneDenies();
    void eventAsApprovalDenied_data();
    void eventAsApprovalDenied();
};

void tst_EventsGrantNothing::approvedEventAloneDenies()
{
    ServiceFixture service;
    QVERIFY2(service.start(), qPrintable(service.errorString()));
    EventRecorder live;
    live.open(service.baseUrl(), Tokens::bob, 0);
    QTRY_VERIFY_WITH_TIMEOUT(live.isConnected(), kEventWaitMs);
    const QJsonObject request = Arap::q4PlanRead();

    // Given a task a manager approved, as the event stream reports it.
    const Escalation pending = service.requestAccess(request);
    QVERIFY2(pending.ok(), qPrintable(pending.failure));
    const HttpResponse approved = service.approve(pending.taskId(), Tokens::bob);
    QVERIFY2(approved.status == 200, approved.describe().constData());
    QTRY_VERIFY_WITH_TIMEOUT(live.indexOfType(QStringLiteral("task.approved")) >= 0, kEventWaitMs);
    QCOMPARE(live.events().at(live.indexOfType(QStringLiteral("task.approved"))).value(u"task_id").toString(),
             pending.taskId());

    // When the PEP evaluates again without presenting the approval, it is still denied.
    const HttpResponse again = service.evaluate(request);
    QCOMPARE(again.status, 200);
    QCOMPARE(again.json.value(u"decision"), QJsonValue(false));
    QCOMPARE(again.json.value(u"context").toObject().value(u"reason").toString(), QStringLiteral("approval_required"));

    // Then only the approval from the status endpoint permits (control).
    const HttpResponse status = service.taskStatus(pending.statusEndpoint());
    QCOMPARE(status.status, 200);
    const auto approval = Pep::ReferencePep::approvalFrom(status.json);
    QVERIFY2(approval, approval ? "" : qPrintable(approval.error().message));
    const HttpResponse permitted = service.evaluate(withApproval(request, approval.value()));
    QCOMPARE(permitted.json.value(u"decision"), QJsonValue(true));
}

void tst_EventsGrantNothing::eventAsApprovalDenied_data()
{
    QTest::addColumn<QString>("shape");

    QTest::newRow("the task.approved event itself") << QStringLiteral("event");
    QTest::newRow("the event's data") << QStringLiteral("data");
    QTest::newRow("the real approval id, copied into an event-shaped object") << QStringLiteral("forged id");
    QTest::newRow("a forged task.approved event with a made-up approval") << QStringLiteral("forged");
}

void tst_EventsGrantNothing::eventAsApprovalDenied()
{
    QFETCH(QString, shape);

    ServiceFixture service;
    QVERIFY2(service.start(), qPrintable(service.errorString()));
    EventRecorder live;
    live.open(service.baseUrl(), Tokens::bob, 0);
    QTRY_VERIFY_WITH_TIMEOUT(live.isConnected(), kEventWaitMs);
    const QJsonObject request = Arap::q4PlanRead();
    const Escalation granted = service.grantAccess(request);
    QVERIFY2(granted.ok(), qPrintable(granted.failure));
    QTRY_VERIFY_WITH_TIMEOUT(live.indexOfType(QStringLiteral("task.approved")) >= 0, kEventWaitMs);
    const QJsonObject event = live.events().at(live.indexOfType(QStringLiteral("task.approved")));

    QJsonObject presented;
    if (shape == QLatin1String("event")) {
        presented = event;
    } else if (shape == QLatin1String("data")) {
        presented = event.value(u"data").toObject();
    } else {
        // What a forger familiar with the event format writes: an approval object with a task,
        // a status and an end, but no state signed by the PDP.
        const QString approvalId = shape == QLatin1String("forged id") ? granted.approval.value(u"id").toString()
                                                                        : QStringLiteral("apr_0000000000000000000000000");
        presented = QJsonObject{{QStringLiteral("type"), QStringLiteral("task.approved")},
                                {QStringLiteral("id"), approvalId},
                                {QStringLiteral("task_id"), granted.taskId()},
                                {QStringLiteral("status"), QStringLiteral("approved")},
                                {QStringLiteral("approved_until"), granted.approval.value(u"approved_until")}};
    }

    // The PEP library does not read an event as a status response with an approval.
    QVERIFY(!Pep::ReferencePep::approvalFrom(presented));
    // And the PDP denies the event presented as the approval.
    const HttpResponse decision = service.evaluate(withApproval(request, presented));
    QCOMPARE(decision.status, 200);
    QCOMPARE(decision.json.value(u"decision"), QJsonValue(false));

    // Control: the approval from the status endpoint permits on the same service.
    const HttpResponse permitted = service.evaluate(withApproval(request, granted.approval));
    QCOMPARE(permitted.json.value(u"decision"), QJsonValue(true));
}

QTEST_GUILESS_MAIN(tst_EventsGrantNothing)
#include "tst_eventsgrantnothing.moc"
