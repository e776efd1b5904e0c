// The bulk task helpers on their own: the aggregate status, choosing the items a decision
// applies to, closing pending items, and narrowing a task to one item.

#include "core/escalation/bulktask.h"

#include <QJsonArray>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Escalation;

namespace {

QJsonArray itemsWith(const QStringList &statuses)
{
    QJsonArray items;
    for (qsizetype i = 0; i < statuses.size(); ++i) {
        items.append(QJsonObject{
            {QStringLiteral("resource"),
             QJsonObject{{QStringLiteral("type"), QStringLiteral("document")}, {QStringLiteral("id"), QStringLiteral("doc-%1").arg(i)}}},
            {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_read")}}},
            {QStringLiteral("status"), statuses.at(i)},
            {QStringLiteral("evaluation"), QJsonObject{{QStringLiteral("evaluation_id"), QStringLiteral("evl_item%1").arg(i)}}},
            {QStringLiteral("binding_context_members"), QJsonArray{QStringLiteral("tenant")}},
        });
    }
    return items;
}

QStringList statusesOf(const QJsonArray &items)
{
    QStringList statuses;
    for (const QJsonValue &item : items)
        statuses.append(item.toObject().value(u"status").toString());
    return statuses;
}

} // namespace

class tst_BulkTask : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aggregateStatus_data();
    void aggregateStatus();
    void selectPending_data();
    void selectPending();
    void closePendingKeepsTerminalItems();
    void itemViewNarrowsToOneItem();
    void decisionsForOneItem();
};

void tst_BulkTask::aggregateStatus_data()
{
    QTest::addColumn<QStringList>("statuses");
    QTest::addColumn<QString>("aggregate");

    const QString approved = QStringLiteral("approved");
    const QString denied = QStringLiteral("denied");
    const QString pending = QStringLiteral("pending");
    const QString cancelled = QStringLiteral("cancelled");
    const QString expired = QStringLiteral("expired");
    QTest::newRow("approved and pending") << QStringList{approved, pending} << pending;
    QTest::newRow("every item pending") << QStringList{pending, pending, pending} << pending;
    QTest::newRow("approved and denied") << QStringList{approved, denied} << QStringLiteral("partial");
    QTest::newRow("approved twice") << QStringList{approved, approved} << approved;
    QTest::newRow("denied twice") << QStringList{denied, denied} << denied;
    QTest::newRow("approved and cancelled") << QStringList{approved, cancelled} << QStringLiteral("partial");
    QTest::newRow("cancelled twice") << QStringList{cancelled, cancelled} << cancelled;
    QTest::newRow("expired and approved") << QStringList{expired, approved} << QStringLiteral("partial");
    QTest::newRow("one approved item") << QStringList{approved} << approved;
    // A status this service does not define is not terminal, so the task waits for it.
    QTest::newRow("unknown status counts as pending") << QStringList{approved, QStringLiteral("provisioning")} << pending;
}

void tst_BulkTask::aggregateStatus()
{
    QFETCH(QStringList, statuses);
    QFETCH(QString, aggregate);

    QCOMPARE(BulkTask::aggregateStatus(itemsWith(statuses)), aggregate);
}

void tst_BulkTask::selectPending_data()
{
    QTest::addColumn<QStringList>("statuses");
    QTest::addColumn<QJsonValue>("requested");
    QTest::addColumn<QList<int>>("positions"); // expected when the selection succeeds
    QTest::addColumn<int>("errorCode");        // -1 when the selection succeeds

    const QString pending = QStringLiteral("pending");
    const QString approved = QStringLiteral("approved");
    const int invalidRequest = int(ErrorCode::InvalidRequest);
    const int invalidState = int(ErrorCode::InvalidTaskState);
    QTest::newRow("absent selects every pending item")
        << QStringList{pending, approved, pending} << QJsonValue(QJsonValue::Undefined) << QList<int>{0, 2} << -1;
    QTest::newRow("null selects every pending item")
        << QStringList{pending, pending} << QJsonValue() << QList<int>{0, 1} << -1;
    QTest::newRow("listed positions come back sorted")
        << QStringList{pending, pending, pending} << QJsonValue(QJsonArray{2, 0}) << QList<int>{0, 2} << -1;
    QTest::newRow("empty list") << QStringList{pending} << QJsonValue(QJsonArray{}) << QList<int>{} << invalidRequest;
    QTest::newRow("not an array") << QStringList{pending} << QJsonValue(0) << QList<int>{} << invalidRequest;
    QTest::newRow("position past the end") << QStringList{pending, pending} << QJsonValue(QJsonArray{2}) << QList<int>{}
                                           << invalidRequest;
    QTest::newRow("negative position") << QStringList{pending} << QJsonValue(QJsonArray{-1}) << QList<int>{} << invalidRequest;
    QTest::newRow("fractional position") << QStringList{pending, pending} << QJsonValue(QJsonArray{0.5}) << QList<int>{}
                                         << invalidRequest;
    QTest::newRow("position as a string") << QStringList{pending} << QJsonValue(QJsonArray{QStringLiteral("0")})
                                          << QList<int>{} << invalidRequest;
    QTest::newRow("position listed twice") << QStringList{pending, pending} << QJsonValue(QJsonArray{1, 1}) << QList<int>{}
                                           << invalidRequest;
    QTest::newRow("decided item") << QStringList{approved, pending} << QJsonValue(QJsonArray{0}) << QList<int>{}
                                  << invalidState;
    QTest::newRow("nothing pending") << QStringList{approved} << QJsonValue(QJsonValue::Undefined) << QList<int>{}
                                     << invalidState;
}

void tst_BulkTask::selectPending()
{
    QFETCH(QStringList, statuses);
    QFETCH(QJsonValue, requested);
    QFETCH(QList<int>, positions);
    QFETCH(int, errorCode);

    const Result<QList<int>> selected = BulkTask::selectPending(requested, itemsWith(statuses));

    if (errorCode >= 0) {
        QVERIFY(!selected.ok());
        QCOMPARE(int(selected.error().code), errorCode);
        QVERIFY(!selected.error().message.isEmpty());
        return;
    }
    QVERIFY2(selected.ok(), qPrintable(selected.ok() ? QString() : selected.error().message));
    QCOMPARE(selected.value(), positions);
}

void tst_BulkTask::closePendingKeepsTerminalItems()
{
    QJsonObject doc{{QStringLiteral("items"), itemsWith({QStringLiteral("approved"), QStringLiteral("pending"),
                                                         QStringLiteral("denied"), QStringLiteral("pending")})}};

    const QList<int> closed = BulkTask::closePending(doc, QStringLiteral("cancelled"));

    QCOMPARE(closed, (QList<int>{1, 3}));
    const QJsonArray items = doc.value(u"items").toArray();
    QCOMPARE(statusesOf(items), (QStringList{QStringLiteral("approved"), QStringLiteral("cancelled"),
                                             QStringLiteral("denied"), QStringLiteral("cancelled")}));
    QCOMPARE(BulkTask::aggregateStatus(items), QStringLiteral("partial"));
}

void tst_BulkTask::itemViewNarrowsToOneItem()
{
    Store::TaskRecord task;
    task.id = QStringLiteral("arq_test");
    task.evaluationId = QStringLiteral("evl_bundle");
    const QJsonObject alice{{QStringLiteral("type"), QStringLiteral("user")}, {QStringLiteral("id"), QStringLiteral("alice")}};
    task.doc = QJsonObject{{QStringLiteral("subject"), alice},
                           {QStringLiteral("items"), itemsWith({QStringLiteral("pending"), QStringLiteral("pending")})}};

    const Store::TaskRecord view = BulkTask::itemView(task, 1);

    QVERIFY(BulkTask::isBulk(task));
    QVERIFY(!BulkTask::isBulk(view));
    QCOMPARE(view.id, task.id);
    QCOMPARE(view.evaluationId, QStringLiteral("evl_item1"));
    QCOMPARE(view.doc.value(u"subject").toObject(), alice);
    QCOMPARE(view.doc.value(u"resource").toObject().value(u"id").toString(), QStringLiteral("doc-1"));
    QCOMPARE(view.doc.value(u"action").toObject().value(u"name").toString(), QStringLiteral("can_read"));
    QCOMPARE(view.doc.value(u"binding_context_members").toArray(), QJsonArray{QStringLiteral("tenant")});
}

void tst_BulkTask::decisionsForOneItem()
{
    QList<Store::DecisionRecord> decisions;
    for (const int item : {0, 1, 0, -1}) {
        Store::DecisionRecord decision;
        decision.item = item;
        decision.approver = QStringLiteral("approver-%1").arg(decisions.size());
        decisions.append(decision);
    }

    const QList<Store::DecisionRecord> first = BulkTask::decisionsFor(decisions, 0);

    QCOMPARE(first.size(), 2);
    QCOMPARE(first.at(0).approver, QStringLiteral("approver-0"));
    QCOMPARE(first.at(1).approver, QStringLiteral("approver-2"));
    QCOMPARE(BulkTask::decisionsFor(decisions, 1).size(), 1);
}

QTEST_GUILESS_MAIN(tst_BulkTask)
#include "tst_bulktask.moc"
