// The requestable-denials page of the real console against the real service (arap-conformance
// pack): which denials were followed by a request, the denials that could not be requested beside them, and the link to
// the task.

#include "tests/ui/consolefixture.h"
#include "ui/denialsmodel.h"
#include "ui/denialsview.h"
#include "ui/taskdetailwidget.h"

#include <QItemSelectionModel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTableView>

using namespace Recourse;
using namespace Recourse::Testing;
using Recourse::Ui::DenialsModel;

class tst_DenialsView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void countsDenialsAndRequests();
    void openTaskFollowsLink();

private:
    int rowOfResource(const QString &resource) const;

    QTemporaryDir m_dir;
    std::unique_ptr<ServiceFixture> m_service;
    std::unique_ptr<Console> m_bob;
    QString m_taskId;
};

void tst_DenialsView::init()
{
    QVERIFY(m_dir.isValid());
    m_service = std::make_unique<ServiceFixture>(QStringLiteral("arap-conformance"));
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));

    // Given a requestable denial followed by a request, one that nobody requested, and two hard
    // denials of alice on q4-plan,
    const Escalation requested = m_service->requestAccess(documentRequest(QStringLiteral("q4-plan")));
    QVERIFY2(requested.ok(), qPrintable(requested.failure));
    m_taskId = requested.taskId();
    const HttpResponse unrequested = m_service->evaluate(documentRequest(QStringLiteral("q4-budget")));
    QVERIFY(unrequested.json.value(u"context").toObject().contains(u"access_request"));
    QJsonObject deletion = documentRequest(QStringLiteral("q4-plan"));
    deletion.insert(QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_delete")}});
    for (int i = 0; i < 2; ++i)
        QCOMPARE(m_service->evaluate(deletion).json.value(u"decision").toBool(true), false);

    m_bob = openConsole(*m_service, Tokens::bob, m_dir.filePath(QStringLiteral("bob.ini")));
    QVERIFY(m_bob);
    m_bob->window->showPage(Ui::MainWindow::DenialsTab);
}

void tst_DenialsView::cleanup()
{
    m_bob.reset();
    m_service.reset();
}

int tst_DenialsView::rowOfResource(const QString &resource) const
{
    const DenialsModel *model = m_bob->window->denialsView()->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, DenialsModel::ResourceColumn).data().toString() == resource)
            return row;
    }
    return -1;
}

void tst_DenialsView::countsDenialsAndRequests()
{
    Ui::DenialsView *view = m_bob->window->denialsView();
    DenialsModel *model = view->model();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);

    // then both denials are listed, with the request that followed one of them,
    QTRY_COMPARE(model->rowCount(), 2);
    const int planRow = rowOfResource(QStringLiteral("document q4-plan"));
    const int budgetRow = rowOfResource(QStringLiteral("document q4-budget"));
    QVERIFY(planRow >= 0 && budgetRow >= 0);
    QCOMPARE(model->index(planRow, DenialsModel::RequestColumn).data().toString(), m_taskId);
    QCOMPARE(model->index(budgetRow, DenialsModel::RequestColumn).data().toString(), QStringLiteral("none"));
    QCOMPARE(model->index(planRow, DenialsModel::TemplateColumn).data().toString(), QStringLiteral("manager_approval"));
    // The denial a request followed was used up by it, as a binding token is accepted once.
    QCOMPARE(model->index(planRow, DenialsModel::HintColumn).data().toString(), QStringLiteral("used by a request"));
    QCOMPARE(model->index(budgetRow, DenialsModel::HintColumn).data().toString(), QStringLiteral("open, 10 min left"));

    // beside them the denials of the same subject and resource that could not be requested, and
    // the counts above.
    QTRY_COMPARE(model->index(planRow, DenialsModel::HardDenialsColumn).data().toInt(), 2);
    QCOMPARE(model->index(budgetRow, DenialsModel::HardDenialsColumn).data().toInt(), 0);
    QCOMPARE(view->countsText(), QStringLiteral("2 requestable denials: 1 followed by a request, 1 without one, 1 still open "
                                                "for a request · 2 denials in the event history that could not be "
                                                "requested"));

    // Once the hints run out, the list says so.
    m_service->clock().advanceSeconds(11 * 60);
    model->refreshTimes();
    QCOMPARE(model->index(budgetRow, DenialsModel::HintColumn).data().toString(), QStringLiteral("closed"));
    QCOMPARE(model->index(planRow, DenialsModel::HintColumn).data().toString(), QStringLiteral("used by a request"));
    QCOMPARE(model->hintsValid(), 0);
}

void tst_DenialsView::openTaskFollowsLink()
{
    Ui::DenialsView *view = m_bob->window->denialsView();
    QTRY_COMPARE(view->model()->rowCount(), 2);
    auto *open = view->findChild<QPushButton *>(QStringLiteral("openDenialTaskButton"));
    QVERIFY(open);

    // Given the unrequested denial is selected, there is no task to open;
    QTableView *table = view->view();
    auto *proxy = qobject_cast<QSortFilterProxyModel *>(table->model());
    table->setCurrentIndex(proxy->mapFromSource(view->model()->index(rowOfResource(QStringLiteral("document q4-budget")), 0)));
    QVERIFY(!open->isEnabled());

    // on the requested one, Open task shows that task on the inbox page.
    table->setCurrentIndex(proxy->mapFromSource(view->model()->index(rowOfResource(QStringLiteral("document q4-plan")), 0)));
    QVERIFY(open->isEnabled());
    QTest::mouseClick(open, Qt::LeftButton);
    QCOMPARE(m_bob->window->pages()->currentIndex(), int(Ui::MainWindow::InboxTab));
    QTRY_COMPARE(m_bob->window->detailWidget()->task().value(u"id").toString(), m_taskId);
}

QTEST_MAIN(tst_DenialsView)
#include "tst_denialsview.moc"
