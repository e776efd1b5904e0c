// Two approvers' consoles on one real service (demo pack). A decision in one shows in the other
// within a second, new tasks raise a notification and count in the tray, and the inbox filters.

#include "tests/ui/consolefixture.h"
#include "ui/inboxfilterbar.h"
#include "ui/inboxfilterproxy.h"
#include "ui/inboxpage.h"
#include "ui/taskdetailwidget.h"
#include "ui/traynotifier.h"

#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

// The demo pack's support agent: sam's AI agent asking to read the payment-provider log.
QJsonObject logRequest()
{
    const QJsonObject subject = entity(
        QStringLiteral("user"), QStringLiteral("sam"),
        QJsonObject{{QStringLiteral("department"), QStringLiteral("support")},
                    {QStringLiteral("act"), QJsonObject{{QStringLiteral("sub"), QStringLiteral("support-agent-7")},
                                                        {QStringLiteral("sub_profile"), QStringLiteral("ai_agent")}}}});
    return {{QStringLiteral("subject"), subject},
            {QStringLiteral("resource"), entity(QStringLiteral("log"), QStringLiteral("payments-provider"))},
            {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("read")}}},
            {QStringLiteral("context"), QJsonObject{{QStringLiteral("tenant"), QStringLiteral("acme")}}}};
}

// An agent of its own calling a high-risk tool, which the demo pack routes to a manager.
QJsonObject toolRequest()
{
    return {{QStringLiteral("subject"), entity(QStringLiteral("agent"), QStringLiteral("crawler-2"))},
            {QStringLiteral("resource"), entity(QStringLiteral("tool"), QStringLiteral("shell.exec"),
                                                QJsonObject{{QStringLiteral("risk"), QStringLiteral("high")}})},
            {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("call")}}},
            {QStringLiteral("context"), QJsonObject{}}};
}

} // namespace

class tst_TwoConsoles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void otherApproverDecisionShowsWithinSecond();
    void newTaskNotifiesAndCountsInTray();
    void inboxFilters();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<ServiceFixture> m_service;
    std::unique_ptr<Console> m_bob;
    std::unique_ptr<Console> m_alice;
};

void tst_TwoConsoles::init()
{
    QVERIFY(m_dir.isValid());
    m_service = std::make_unique<ServiceFixture>(QStringLiteral("demo"));
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
    m_bob = openConsole(*m_service, Tokens::bob, m_dir.filePath(QStringLiteral("bob.ini")));
    QVERIFY(m_bob);
    m_alice = openConsole(*m_service, Tokens::alice, m_dir.filePath(QStringLiteral("alice.ini")));
    QVERIFY(m_alice);
}

void tst_TwoConsoles::cleanup()
{
    m_alice.reset();
    m_bob.reset();
    m_service.reset();
}

void tst_TwoConsoles::otherApproverDecisionShowsWithinSecond()
{
    // Given both managers see the same pending request, and alice has it open,
    const Escalation flow = m_service->requestAccess(logRequest());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    const QString id = flow.taskId();
    QTRY_VERIFY(m_bob->window->inboxModel()->indexOfTask(id).isValid());
    QTRY_VERIFY(m_alice->window->inboxModel()->indexOfTask(id).isValid());
    m_alice->window->openTask(id);
    auto *aliceApprove = m_alice->window->findChild<QPushButton *>(QStringLiteral("approveButton"));
    QTRY_VERIFY(aliceApprove->isEnabled());

    // when bob approves it in his console,
    m_bob->window->openTask(id);
    auto *bobApprove = m_bob->window->findChild<QPushButton *>(QStringLiteral("approveButton"));
    QTRY_VERIFY(bobApprove->isEnabled());
    QTest::mouseClick(bobApprove, Qt::LeftButton);
    QTRY_COMPARE(m_bob->window->detailWidget()->task().value(u"status").toString(), QStringLiteral("approved"));

    // then alice's row changes within a second, and her actions are disabled naming bob.
    QElapsedTimer elapsed;
    elapsed.start();
    QTRY_COMPARE_WITH_TIMEOUT(m_alice->window->inboxModel()->indexOfTask(id).data(Ui::InboxModel::StatusRole).toString(),
                              QStringLiteral("approved"), 1000);
    qInfo("alice's row changed %lld ms after bob's approval returned", elapsed.elapsed());
    QTRY_VERIFY_WITH_TIMEOUT(!aliceApprove->isEnabled(), 1000);
    QVERIFY(!m_alice->window->findChild<QPushButton *>(QStringLiteral("denyButton"))->isEnabled());
    QVERIFY(!m_alice->window->findChild<QPushButton *>(QStringLiteral("editScopeButton"))->isEnabled());
    QCOMPARE(m_alice->window->findChild<QLabel *>(QStringLiteral("cannotDecideLabel"))->text(), QStringLiteral("Decided by bob"));
    QCOMPARE(m_alice->window->windowTitle(), QStringLiteral("Recourse — 0 pending"));
}

void tst_TwoConsoles::newTaskNotifiesAndCountsInTray()
{
    Ui::TrayNotifier *notifier = m_alice->window->notifier();
    QSignalSpy notified(notifier, &Ui::TrayNotifier::notified);

    // A new request raises one notification that names who asks for what,
    const Escalation flow = m_service->requestAccess(logRequest());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    QTRY_COMPARE(notified.size(), 1);
    QCOMPARE(notified.first().at(0).toString(), QStringLiteral("New access request"));
    QCOMPARE(notified.first().at(1).toString(),
             QStringLiteral("support-agent-7 (ai_agent) [unverified] for sam via pep-a asks to read log payments-provider"));
    QCOMPARE(notified.first().at(2).toStringList(), QStringList{flow.taskId()});
    QTRY_COMPARE(notifier->pendingCount(), 1);

    // and deciding it brings the tray count back to zero without another notification.
    QCOMPARE(m_service->approve(flow.taskId(), Tokens::bob).status, 200);
    QTRY_COMPARE(notifier->pendingCount(), 0);
    QCOMPARE(notified.size(), 1);

    // A console opened later does not announce tasks that were already waiting.
    const Escalation waiting = m_service->requestAccess(logRequest());
    QVERIFY2(waiting.ok(), qPrintable(waiting.failure));
    m_bob.reset();
    m_bob = openConsole(*m_service, Tokens::bob, m_dir.filePath(QStringLiteral("bob.ini")));
    QVERIFY(m_bob);
    QSignalSpy bobNotified(m_bob->window->notifier(), &Ui::TrayNotifier::notified);
    QTRY_COMPARE(m_bob->window->notifier()->pendingCount(), 1);
    QCOMPARE(bobNotified.size(), 0);
}

void tst_TwoConsoles::inboxFilters()
{
    const Escalation log = m_service->requestAccess(logRequest());
    QVERIFY2(log.ok(), qPrintable(log.failure));
    const Escalation tool = m_service->requestAccess(toolRequest());
    QVERIFY2(tool.ok(), qPrintable(tool.failure));
    Ui::InboxPage *page = m_bob->window->inboxPage();
    QTRY_COMPARE(page->proxy()->rowCount(), 2);
    Ui::InboxFilterBar *filters = page->filters();
    const auto shownIds = [page] {
        QStringList ids;
        for (int row = 0; row < page->proxy()->rowCount(); ++row)
            ids.append(page->proxy()->index(row, 0).data(Ui::InboxModel::TaskIdRole).toString());
        return ids;
    };

    // By template, with the names the policy declares,
    QComboBox *templates = filters->templateCombo();
    QTRY_VERIFY(templates->findData(QStringLiteral("tool_discovery")) > 0);
    templates->setCurrentIndex(templates->findData(QStringLiteral("tool_discovery")));
    QCOMPARE(shownIds(), QStringList{tool.taskId()});
    templates->setCurrentIndex(0);

    // by subject and by agent in the actor chain,
    QTest::keyClicks(filters->subjectEdit(), QStringLiteral("crawl"));
    QCOMPARE(shownIds(), QStringList{tool.taskId()});
    filters->subjectEdit()->clear();
    QTest::keyClicks(filters->agentEdit(), QStringLiteral("support-agent"));
    QCOMPARE(shownIds(), QStringList{log.taskId()});
    filters->agentEdit()->clear();

    // by emergency (neither request is one),
    filters->emergencyCheck()->setChecked(true);
    QCOMPARE(page->proxy()->rowCount(), 0);
    filters->emergencyCheck()->setChecked(false);

    // and by age as the clock moves on.
    QComboBox *age = filters->ageCombo();
    age->setCurrentIndex(1); // Last hour
    QCOMPARE(page->proxy()->rowCount(), 2);
    m_service->clock().advanceSeconds(2 * 60 * 60);
    page->proxy()->refreshAgeFilter();
    QCOMPARE(page->proxy()->rowCount(), 0);
    age->setCurrentIndex(2); // Last 24 hours
    QCOMPARE(page->proxy()->rowCount(), 2);
}

QTEST_MAIN(tst_TwoConsoles)
#include "tst_twoconsoles.moc"
