// MainWindow against the fake approver service and event stream (client-protocol tests);
// tst_console covers the same window against the real service.

#include "tests/ui/taskfixtures.h"
#include "ui/activitymodel.h"
#include "ui/inboxmodel.h"
#include "ui/mainwindow.h"
#include "ui/taskdetailwidget.h"

#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QSplitter>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Recourse;
using namespace Recourse::Testing;
using Recourse::Ui::MainWindow;

namespace {

constexpr qint64 Minute = 60 * 1000;

} // namespace

class tst_MainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void titleCountsPending();
    void statusBarShowsIdentityAndConnection();
    void restoresGeometryAndSplitter();
    void keyboardTriage();
    void statusFilterAndSearch();
    void liveEventAddsTask();
    void activitySelectionOpensTask();

private:
    void createWindow();
    QString labelText(const char *name) const;
    QString currentTaskId() const;

    QTemporaryDir m_dir;
    std::unique_ptr<FakeApproverService> m_service;
    std::unique_ptr<FakeTaskBackend> m_backend;
    std::unique_ptr<Client::ApproverClient> m_client;
    std::unique_ptr<Client::EventStreamClient> m_events;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<MainWindow> m_window;
};

void tst_MainWindow::init()
{
    QVERIFY(m_dir.isValid());
    m_service = std::make_unique<FakeApproverService>();
    QVERIFY(m_service->listen());
    m_backend = std::make_unique<FakeTaskBackend>(*m_service);
    m_backend->pageSize = 50;
    m_backend->put(makeTask(QStringLiteral("arq_C"), QStringLiteral("approved"), FixtureNowMs - 30 * Minute));
    m_backend->put(makeTask(QStringLiteral("arq_B"), QStringLiteral("pending"), FixtureNowMs - 20 * Minute, QStringLiteral("q4-plan")));
    m_backend->put(makeTask(QStringLiteral("arq_A"), QStringLiteral("pending"), FixtureNowMs - 10 * Minute));
    m_client = std::make_unique<Client::ApproverClient>(m_service->baseUrl(), QStringLiteral("bob-secret"));
    m_events = std::make_unique<Client::EventStreamClient>(m_service->baseUrl(), QStringLiteral("bob-secret"));
    m_settings = std::make_unique<QSettings>(m_dir.filePath(QStringLiteral("console.ini")), QSettings::IniFormat);
    createWindow();
}

void tst_MainWindow::createWindow()
{
    m_window = std::make_unique<MainWindow>(m_client.get(), m_events.get(),
                                            Ui::MainWindowOptions{m_settings.get(), std::make_shared<ManualClock>(FixtureNowMs)});
    m_window->show();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTRY_COMPARE(m_window->inboxModel()->rowCount(), 3);
}

void tst_MainWindow::cleanup()
{
    m_window.reset();
    m_events.reset();
    m_client.reset();
    m_backend.reset();
    m_service.reset();
    m_settings.reset();
}

QString tst_MainWindow::labelText(const char *name) const
{
    const auto *label = m_window->findChild<QLabel *>(QString::fromLatin1(name));
    return label ? label->text() : QString();
}

QString tst_MainWindow::currentTaskId() const
{
    return m_window->inboxView()->currentIndex().data(Ui::InboxModel::TaskIdRole).toString();
}

void tst_MainWindow::titleCountsPending()
{
    QCOMPARE(m_window->windowTitle(), QStringLiteral("Recourse — 2 pending"));
}

void tst_MainWindow::statusBarShowsIdentityAndConnection()
{
    QTRY_COMPARE(labelText("identityLabel"), QStringLiteral("Signed in as bob (approver: managers)"));
    QTRY_COMPARE(labelText("connectionLabel"), QStringLiteral("● Live"));

    m_events->setBackoff(std::chrono::milliseconds(20), std::chrono::milliseconds(50));
    m_service->rejectStreams = true;
    m_service->dropStreams();

    QTRY_VERIFY(labelText("connectionLabel").contains(QStringLiteral("Offline")));
    m_service->rejectStreams = false;
    QTRY_COMPARE(labelText("connectionLabel"), QStringLiteral("● Live"));
}

void tst_MainWindow::restoresGeometryAndSplitter()
{
    m_window->resize(1000, 640);
    auto *splitter = m_window->findChild<QSplitter *>(QStringLiteral("mainSplitter"));
    splitter->setSizes({600, 380});
    QTRY_COMPARE(m_window->size(), QSize(1000, 640));
    const QList<int> sizes = splitter->sizes();
    m_window->close();
    m_window.reset();

    createWindow();

    // The offscreen platform may round the restored frame by a pixel.
    QVERIFY2(qAbs(m_window->width() - 1000) <= 2 && qAbs(m_window->height() - 640) <= 2,
             qPrintable(QStringLiteral("%1x%2").arg(m_window->width()).arg(m_window->height())));
    QCOMPARE(m_window->findChild<QSplitter *>(QStringLiteral("mainSplitter"))->sizes(), sizes);
    QVERIFY(m_settings->contains(QStringLiteral("MainWindow/geometry")));
}

void tst_MainWindow::keyboardTriage()
{
    // Focusing an item view makes its first row current: the newest task.
    m_window->inboxView()->setFocus();
    QCOMPARE(currentTaskId(), QStringLiteral("arq_A"));

    QTest::keyClick(m_window->inboxView(), Qt::Key_J);
    QCOMPARE(currentTaskId(), QStringLiteral("arq_B"));
    QTest::keyClick(m_window->inboxView(), Qt::Key_J);
    QCOMPARE(currentTaskId(), QStringLiteral("arq_C"));
    QTest::keyClick(m_window->inboxView(), Qt::Key_K);
    QCOMPARE(currentTaskId(), QStringLiteral("arq_B"));
    QTest::keyClick(m_window->inboxView(), Qt::Key_Up);
    QCOMPARE(currentTaskId(), QStringLiteral("arq_A"));
    QTest::keyClick(m_window->inboxView(), Qt::Key_Down);
    QCOMPARE(currentTaskId(), QStringLiteral("arq_B"));
    QTRY_COMPARE(m_window->detailWidget()->task().value(u"id").toString(), QStringLiteral("arq_B"));

    // Enter opens the task: focus moves to the comment field of the detail view.
    QTRY_VERIFY(m_window->findChild<QLineEdit *>(QStringLiteral("commentEdit"))->isEnabled());
    QSignalSpy activated(m_window->inboxView(), &QAbstractItemView::activated);
    QTest::keyClick(m_window->inboxView(), Qt::Key_Return);
    QCOMPARE(activated.size(), 1);
    QCOMPARE(QApplication::focusWidget(), m_window->findChild<QLineEdit *>(QStringLiteral("commentEdit")));
    m_window->inboxView()->setFocus();

    QTest::keyClick(m_window->inboxView(), Qt::Key_A);

    QTRY_COMPARE(m_backend->get(QStringLiteral("arq_B")).value(u"status").toString(), QStringLiteral("approved"));
    QTRY_COMPARE(m_window->windowTitle(), QStringLiteral("Recourse — 1 pending"));
    QCOMPARE(m_window->inboxModel()->indexOfTask(QStringLiteral("arq_B")).data(Ui::InboxModel::StatusRole).toString(),
             QStringLiteral("approved"));
}

void tst_MainWindow::statusFilterAndSearch()
{
    auto *filter = m_window->findChild<QComboBox *>(QStringLiteral("statusFilter"));
    auto *search = m_window->findChild<QLineEdit *>(QStringLiteral("searchEdit"));
    QAbstractItemModel *view = m_window->inboxView()->model();

    filter->setCurrentIndex(filter->findData(QStringLiteral("pending")));
    QCOMPARE(view->rowCount(), 2);
    QTest::keyClicks(search, QStringLiteral("q4-plan"));
    QCOMPARE(view->rowCount(), 1);
    // Typing letters in the search box must not trigger the single-key triage shortcuts.
    QCOMPARE(m_backend->get(QStringLiteral("arq_A")).value(u"status").toString(), QStringLiteral("pending"));
    QCOMPARE(search->text(), QStringLiteral("q4-plan"));

    filter->setCurrentIndex(0);
    search->clear();
    QCOMPARE(view->rowCount(), 3);
}

void tst_MainWindow::liveEventAddsTask()
{
    QTRY_COMPARE(labelText("connectionLabel"), QStringLiteral("● Live"));
    m_backend->put(makeTask(QStringLiteral("arq_D"), QStringLiteral("pending"), FixtureNowMs));

    m_service->publish(makeEvent(1, QStringLiteral("task.created"), QStringLiteral("arq_D"), FixtureNowMs,
                                 {{QStringLiteral("status"), QStringLiteral("pending")}}));

    QTRY_COMPARE(m_window->inboxModel()->rowCount(), 4);
    QCOMPARE(m_window->inboxModel()->index(0, 0).data(Ui::InboxModel::TaskIdRole).toString(), QStringLiteral("arq_D"));
    QTRY_COMPARE(m_window->windowTitle(), QStringLiteral("Recourse — 3 pending"));
    QTRY_COMPARE(m_window->activityModel()->rowCount(), 1);
}

void tst_MainWindow::activitySelectionOpensTask()
{
    QTRY_COMPARE(labelText("connectionLabel"), QStringLiteral("● Live"));
    m_service->publish(makeEvent(1, QStringLiteral("task.progressed"), QStringLiteral("arq_C"), FixtureNowMs - Minute,
                                 {{QStringLiteral("status"), QStringLiteral("pending")}}));
    QTRY_COMPARE(m_window->activityModel()->rowCount(), 1);

    QTableView *activity = m_window->activityView();
    activity->setCurrentIndex(activity->model()->index(0, 0));

    QTRY_COMPARE(currentTaskId(), QStringLiteral("arq_C"));
    QTRY_COMPARE(m_window->detailWidget()->task().value(u"id").toString(), QStringLiteral("arq_C"));
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
