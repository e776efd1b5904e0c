// InboxModel filled from the approver API. The service side here is the fake approver service,
// so these are client-protocol tests; tst_console runs the model against the real service.

#include "tests/ui/taskfixtures.h"
#include "ui/inboxfilterproxy.h"
#include "ui/inboxmodel.h"

#include <QAbstractItemModelTester>
#include <QMetaEnum>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Recourse;
using namespace Recourse::Testing;
using Recourse::Ui::InboxModel;

namespace {

constexpr qint64 Minute = 60 * 1000;

} // namespace

class tst_InboxModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void loadsPagesNewestFirst();
    void displaysColumns_data();
    void displaysColumns();
    void sortRoleGivesRawValues_data();
    void sortRoleGivesRawValues();
    void proxySortsByRawAge();
    void proxySortAgreesWithSortRole_data();
    void proxySortAgreesWithSortRole();
    void proxyFiltersStatusAndSearch();
    void createdEventInsertsAtTop();
    void statusEventRefreshesRow();
    void replayedOldEventIsIgnored();
    void eventsBeforeFirstPageWait();
    void burstOfEventsFetchesOnce();
    void mergeInsertsInOneBatch();
    void serverFilterDropsDecidedTask();
    void reloadIgnoresStaleAnswers();

private:
    void loadThreeTasks();

    std::unique_ptr<FakeApproverService> m_service;
    std::unique_ptr<FakeTaskBackend> m_backend;
    std::unique_ptr<Client::ApproverClient> m_client;
    std::shared_ptr<ManualClock> m_clock;
    std::unique_ptr<InboxModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void tst_InboxModel::init()
{
    m_service = std::make_unique<FakeApproverService>();
    QVERIFY(m_service->listen());
    m_backend = std::make_unique<FakeTaskBackend>(*m_service);
    m_client = std::make_unique<Client::ApproverClient>(m_service->baseUrl(), QStringLiteral("bob-secret"));
    m_clock = std::make_shared<ManualClock>(FixtureNowMs);
    m_model = std::make_unique<InboxModel>(m_client.get(), m_clock);
    m_tester = std::make_unique<QAbstractItemModelTester>(m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void tst_InboxModel::cleanup()
{
    m_tester.reset();
    m_model.reset();
    m_client.reset();
    m_backend.reset();
    m_service.reset();
}

void tst_InboxModel::loadThreeTasks()
{
    m_backend->pageSize = 10;
    m_backend->put(makeTask(QStringLiteral("arq_OLD"), QStringLiteral("approved"), FixtureNowMs - 30 * Minute));
    m_backend->put(makeTask(QStringLiteral("arq_MID"), QStringLiteral("pending"), FixtureNowMs - 20 * Minute));
    m_backend->put(makeTask(QStringLiteral("arq_NEW"), QStringLiteral("pending"), FixtureNowMs - 10 * Minute));
    m_model->reload();
    QTRY_COMPARE(m_model->rowCount(), 3);
    QTRY_VERIFY(!m_model->isLoading());
}

void tst_InboxModel::loadsPagesNewestFirst()
{
    for (int i = 0; i < 5; ++i)
        m_backend->put(makeTask(QStringLiteral("arq_%1").arg(i), QStringLiteral("pending"), FixtureNowMs - (10 - i) * Minute));
    m_backend->pageSize = 2;
    QSignalSpy pending(m_model.get(), &InboxModel::pendingCountChanged);

    // QAbstractItemModelTester calls fetchMore() after every change, as a scrolling view would,
    // so the pages follow one another until the last one.
    m_model->reload();
    QTRY_COMPARE(m_model->rowCount(), 5);

    QTRY_VERIFY(!m_model->isLoading());
    QVERIFY(!m_model->canFetchMore({}));
    QStringList cursors;
    for (const FakeHttpRequest &request : std::as_const(m_service->requests))
        cursors.append(QUrlQuery(request.query()).queryItemValue(QStringLiteral("cursor")));
    QCOMPARE(cursors, (QStringList{QString(), QStringLiteral("2"), QStringLiteral("4")}));
    QCOMPARE(QUrlQuery(m_service->requests.first().query()).queryItemValue(QStringLiteral("limit")), QStringLiteral("100"));
    const QStringList expected{QStringLiteral("arq_4"), QStringLiteral("arq_3"), QStringLiteral("arq_2"),
                               QStringLiteral("arq_1"), QStringLiteral("arq_0")};
    for (int row = 0; row < expected.size(); ++row)
        QCOMPARE(m_model->index(row, 0).data(InboxModel::TaskIdRole).toString(), expected.at(row));
    QCOMPARE(m_model->pendingCount(), 5);
    QCOMPARE(pending.last().first().toInt(), 5);
    const QJsonObject firstRow = m_model->taskAt(0);
    QVERIFY(!firstRow.contains(u"context"));
}

void tst_InboxModel::displaysColumns_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("text");

    QTest::newRow("status") << int(InboxModel::StatusColumn) << QStringLiteral("Pending");
    QTest::newRow("subject") << int(InboxModel::SubjectColumn) << QStringLiteral("user alice");
    QTest::newRow("action") << int(InboxModel::ActionColumn) << QStringLiteral("can_read");
    QTest::newRow("resource") << int(InboxModel::ResourceColumn) << QStringLiteral("log payments-provider");
    QTest::newRow("template title") << int(InboxModel::TemplateColumn) << QStringLiteral("Security review");
    QTest::newRow("requester") << int(InboxModel::RequesterColumn) << QStringLiteral("pep-a");
    QTest::newRow("age") << int(InboxModel::AgeColumn) << QStringLiteral("10 min");
    QTest::newRow("expires in") << int(InboxModel::ExpiresInColumn) << QStringLiteral("in 50 min");
}

void tst_InboxModel::displaysColumns()
{
    QFETCH(int, column);
    QFETCH(QString, text);
    loadThreeTasks();

    QCOMPARE(m_model->index(0, column).data().toString(), text);
    QCOMPARE(m_model->headerData(column, Qt::Horizontal).toString().isEmpty(), false);
}

void tst_InboxModel::sortRoleGivesRawValues_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<QVariant>("value");

    QTest::newRow("status") << int(InboxModel::StatusColumn) << QVariant(QStringLiteral("pending"));
    QTest::newRow("subject id") << int(InboxModel::SubjectColumn) << QVariant(QStringLiteral("alice"));
    QTest::newRow("template name") << int(InboxModel::TemplateColumn) << QVariant(QStringLiteral("security_review"));
    QTest::newRow("age in ms") << int(InboxModel::AgeColumn) << QVariant(qint64(10 * Minute));
    QTest::newRow("time left in ms") << int(InboxModel::ExpiresInColumn) << QVariant(qint64(50 * Minute));
}

void tst_InboxModel::sortRoleGivesRawValues()
{
    QFETCH(int, column);
    QFETCH(QVariant, value);
    loadThreeTasks();

    QCOMPARE(m_model->index(0, column).data(InboxModel::SortRole), value);
}

void tst_InboxModel::proxySortsByRawAge()
{
    // Given ages of 90 s, 10 min and 2 h, text order would put "10 min" before "2 h" before "90 s".
    m_backend->pageSize = 10;
    m_backend->put(makeTask(QStringLiteral("arq_2H"), QStringLiteral("pending"), FixtureNowMs - 120 * Minute));
    m_backend->put(makeTask(QStringLiteral("arq_90S"), QStringLiteral("pending"), FixtureNowMs - 90 * 1000));
    m_backend->put(makeTask(QStringLiteral("arq_10M"), QStringLiteral("pending"), FixtureNowMs - 10 * Minute));
    Ui::InboxFilterProxy proxy;
    proxy.setSourceModel(m_model.get());
    m_model->reload();
    QTRY_COMPARE(proxy.rowCount(), 3);

    proxy.sort(InboxModel::AgeColumn, Qt::DescendingOrder);

    QCOMPARE(proxy.index(0, 0).data(InboxModel::TaskIdRole).toString(), QStringLiteral("arq_2H"));
    QCOMPARE(proxy.index(1, 0).data(InboxModel::TaskIdRole).toString(), QStringLiteral("arq_10M"));
    QCOMPARE(proxy.index(2, 0).data(InboxModel::TaskIdRole).toString(), QStringLiteral("arq_90S"));
}

void tst_InboxModel::proxySortAgreesWithSortRole_data()
{
    QTest::addColumn<int>("column");

    for (int column = 0; column < InboxModel::ColumnCount; ++column)
        QTest::newRow(QMetaEnum::fromType<InboxModel::Column>().valueToKey(column)) << column;
}

void tst_InboxModel::proxySortAgreesWithSortRole()
{
    // The proxy compares the parsed rows directly; its order must be the one SortRole gives.
    QFETCH(int, column);
    m_backend->pageSize = 20;
    const QStringList statuses{QStringLiteral("pending"), QStringLiteral("approved"), QStringLiteral("denied"),
                               QStringLiteral("expired")};
    for (int i = 0; i < 12; ++i) {
        QJsonObject task = makeTask(QStringLiteral("arq_%1").arg(i), statuses.at(i % statuses.size()),
                                    FixtureNowMs - ((i * 7) % 12) * Minute, QStringLiteral("log-%1").arg((i * 5) % 12));
        task.insert(QStringLiteral("expires_at"), isoTime(FixtureNowMs + ((i * 5) % 12) * Minute));
        task.insert(QStringLiteral("template"), i % 3 ? QStringLiteral("security_review") : QStringLiteral("manager_approval"));
        m_backend->put(task);
    }
    Ui::InboxFilterProxy proxy;
    proxy.setSourceModel(m_model.get());
    m_model->reload();
    QTRY_COMPARE(proxy.rowCount(), 12);

    proxy.sort(column, Qt::AscendingOrder);

    for (int row = 1; row < proxy.rowCount(); ++row) {
        const QVariant previous = proxy.index(row - 1, column).data(InboxModel::SortRole);
        const QVariant current = proxy.index(row, column).data(InboxModel::SortRole);
        QVERIFY2(QVariant::compare(previous, current) != QPartialOrdering::Greater,
                 qPrintable(QStringLiteral("row %1: %2 after %3").arg(row).arg(current.toString(), previous.toString())));
    }
}

void tst_InboxModel::proxyFiltersStatusAndSearch()
{
    loadThreeTasks();
    m_backend->put(makeTask(QStringLiteral("arq_DOC"), QStringLiteral("pending"), FixtureNowMs - Minute, QStringLiteral("q4-plan")));
    m_model->mergeTasks({m_backend->get(QStringLiteral("arq_DOC"))});
    Ui::InboxFilterProxy proxy;
    proxy.setSourceModel(m_model.get());
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);

    proxy.setStatusFilter(QStringLiteral("pending"));
    QCOMPARE(proxy.rowCount(), 3);

    proxy.setSearchText(QStringLiteral("Q4-PLAN"));
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(proxy.index(0, 0).data(InboxModel::TaskIdRole).toString(), QStringLiteral("arq_DOC"));

    proxy.setStatusFilter(QStringLiteral("approved"));
    QCOMPARE(proxy.rowCount(), 0);

    proxy.setSearchText({});
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(proxy.index(0, 0).data(InboxModel::TaskIdRole).toString(), QStringLiteral("arq_OLD"));
}

void tst_InboxModel::createdEventInsertsAtTop()
{
    loadThreeTasks();
    const QJsonObject fresh = makeTask(QStringLiteral("arq_FRESH"), QStringLiteral("pending"), FixtureNowMs);
    m_backend->put(fresh);

    m_model->applyEvent(makeEvent(10, QStringLiteral("task.created"), QStringLiteral("arq_FRESH"), FixtureNowMs,
                                  {{QStringLiteral("status"), QStringLiteral("pending")}}));

    QTRY_COMPARE(m_model->rowCount(), 4);
    QCOMPARE(m_model->index(0, 0).data(InboxModel::TaskIdRole).toString(), QStringLiteral("arq_FRESH"));
    QCOMPARE(m_model->pendingCount(), 3);
    QCOMPARE(m_model->indexOfTask(QStringLiteral("arq_FRESH")).row(), 0);
    QCOMPARE(m_model->indexOfTask(QStringLiteral("arq_NEW")).row(), 1);
}

void tst_InboxModel::statusEventRefreshesRow()
{
    loadThreeTasks();
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    QJsonObject decided = m_backend->get(QStringLiteral("arq_MID"));
    decided.insert(QStringLiteral("status"), QStringLiteral("approved"));
    decided.insert(QStringLiteral("updated_at"), isoTime(FixtureNowMs));
    m_backend->put(decided);

    m_model->applyEvent(makeEvent(11, QStringLiteral("task.approved"), QStringLiteral("arq_MID"), FixtureNowMs,
                                  {{QStringLiteral("status"), QStringLiteral("approved")}, {QStringLiteral("approver"), QStringLiteral("carol")}}));

    const QModelIndex row = m_model->indexOfTask(QStringLiteral("arq_MID"));
    QTRY_COMPARE(row.data(InboxModel::StatusRole).toString(), QStringLiteral("approved"));
    QCOMPARE(m_model->pendingCount(), 1);
    QCOMPARE(m_model->rowCount(), 3);
    QVERIFY(!changed.isEmpty());
}

void tst_InboxModel::replayedOldEventIsIgnored()
{
    loadThreeTasks();
    QJsonObject task = m_backend->get(QStringLiteral("arq_OLD"));
    task.insert(QStringLiteral("updated_at"), isoTime(FixtureNowMs - 25 * Minute));
    m_model->mergeTasks({task});
    const int getsBefore = m_backend->taskGets;

    // The task.created event of a task already in the list, replayed after a reconnection.
    m_model->applyEvent(makeEvent(1, QStringLiteral("task.created"), QStringLiteral("arq_OLD"), FixtureNowMs - 30 * Minute));
    // A fresh event for another row must be fetched. Once that fetch is seen, a fetch for the
    // replayed event would have been seen as well.
    m_model->applyEvent(makeEvent(2, QStringLiteral("task.progressed"), QStringLiteral("arq_NEW"), FixtureNowMs));

    QTRY_COMPARE(m_backend->taskGets, getsBefore + 1);
    QCOMPARE(m_service->requests.last().path(), QStringLiteral("/admin/v1/tasks/arq_NEW"));
}

void tst_InboxModel::eventsBeforeFirstPageWait()
{
    m_backend->pageSize = 10;
    m_backend->put(makeTask(QStringLiteral("arq_A"), QStringLiteral("pending"), FixtureNowMs - Minute));
    m_model->reload();

    // The page request is in flight, so these events must not start fetches of their own yet.
    m_model->applyEvent(makeEvent(1, QStringLiteral("task.created"), QStringLiteral("arq_A"), FixtureNowMs - Minute));
    QTRY_COMPARE(m_model->rowCount(), 1);
    QTRY_VERIFY(!m_model->isLoading());

    QCOMPARE(m_backend->taskGets, 0);
}

void tst_InboxModel::burstOfEventsFetchesOnce()
{
    loadThreeTasks();
    const int getsBefore = m_backend->taskGets;

    for (int seq = 20; seq < 30; ++seq)
        m_model->applyEvent(makeEvent(seq, QStringLiteral("task.progressed"), QStringLiteral("arq_NEW"), FixtureNowMs));

    // The first event starts a fetch; the nine that arrive while it is in flight share one more.
    QTRY_COMPARE(m_backend->taskGets, getsBefore + 2);
    m_model->applyEvent(makeEvent(40, QStringLiteral("task.progressed"), QStringLiteral("arq_MID"), FixtureNowMs));
    QTRY_COMPARE(m_service->requests.last().path(), QStringLiteral("/admin/v1/tasks/arq_MID"));
    QCOMPARE(m_backend->taskGets, getsBefore + 3);
}

void tst_InboxModel::mergeInsertsInOneBatch()
{
    loadThreeTasks();
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
    QList<QJsonObject> tasks;
    for (int i = 0; i < 50; ++i)
        tasks.append(makeTask(QStringLiteral("arq_B%1").arg(i), QStringLiteral("pending"), FixtureNowMs + i * 1000));

    m_model->mergeTasks(tasks);

    QCOMPARE(inserted.size(), 1);
    QCOMPARE(m_model->rowCount(), 53);
    QCOMPARE(m_model->index(0, 0).data(InboxModel::TaskIdRole).toString(), QStringLiteral("arq_B49"));
    QCOMPARE(m_model->pendingCount(), 52);
}

void tst_InboxModel::serverFilterDropsDecidedTask()
{
    m_backend->pageSize = 10;
    m_backend->put(makeTask(QStringLiteral("arq_P"), QStringLiteral("pending"), FixtureNowMs - Minute));
    m_model->setFilter({{QStringLiteral("pending")}, {}, {}, {}});
    m_model->reload();
    QTRY_COMPARE(m_model->rowCount(), 1);
    QCOMPARE(QUrlQuery(m_service->requests.last().query()).queryItemValue(QStringLiteral("status")), QStringLiteral("pending"));

    QJsonObject denied = m_backend->get(QStringLiteral("arq_P"));
    denied.insert(QStringLiteral("status"), QStringLiteral("denied"));
    m_model->mergeTasks({denied});

    QCOMPARE(m_model->rowCount(), 0);
    QCOMPARE(m_model->pendingCount(), 0);
}

void tst_InboxModel::reloadIgnoresStaleAnswers()
{
    m_backend->pageSize = 10;
    m_backend->put(makeTask(QStringLiteral("arq_A"), QStringLiteral("pending"), FixtureNowMs - Minute));

    auto *network = m_client->findChild<QNetworkAccessManager *>();
    QVERIFY(network);
    QSignalSpy finished(network, &QNetworkAccessManager::finished);

    // Two reloads in a row: only the second one's page may land, exactly once.
    m_model->reload();
    m_model->reload();

    QTRY_COMPARE(finished.size(), 2);
    QCoreApplication::processEvents();
    QVERIFY(!m_model->isLoading());
    QCOMPARE(m_model->rowCount(), 1);
}

QTEST_MAIN(tst_InboxModel)
#include "tst_inboxmodel.moc"
