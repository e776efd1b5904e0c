// TaskDetailWidget against the fake approver service (client-protocol tests).

#include "tests/ui/taskfixtures.h"
#include "ui/denydialog.h"
#include "ui/evaluationtree.h"
#include "ui/taskdetailwidget.h"

#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTest>
#include <QTreeWidget>

#include <memory>

using namespace Recourse;
using namespace Recourse::Testing;
using Recourse::Ui::EvaluationTree;
using Recourse::Ui::TaskDetailWidget;

namespace {

constexpr qint64 Minute = 60 * 1000;

} // namespace

class tst_TaskDetailWidget : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void showsBoundEvaluation();
    void showsRequestSummary_data();
    void showsRequestSummary();
    void approveSendsComment();
    void denyAsksForReason();
    void cannotDecideShowsReason();
    void refusalShowsError();
    void laterSelectionWins();
    void showsCallbackDeliveries();
    void showsWhenNoCallbackRequested();
    void showsHiddenCharacters();

private:
    QString labelText(const char *name) const;
    void showPendingTask();

    std::unique_ptr<FakeApproverService> m_service;
    std::unique_ptr<FakeTaskBackend> m_backend;
    std::unique_ptr<Client::ApproverClient> m_client;
    std::unique_ptr<TaskDetailWidget> m_widget;
};

void tst_TaskDetailWidget::init()
{
    m_service = std::make_unique<FakeApproverService>();
    QVERIFY(m_service->listen());
    m_backend = std::make_unique<FakeTaskBackend>(*m_service);
    m_backend->put(makeTask(QStringLiteral("arq_T"), QStringLiteral("pending"), FixtureNowMs - 10 * Minute));
    m_client = std::make_unique<Client::ApproverClient>(m_service->baseUrl(), QStringLiteral("bob-secret"));
    m_widget = std::make_unique<TaskDetailWidget>(m_client.get(), std::make_shared<ManualClock>(FixtureNowMs));
    m_widget->resize(700, 800);
    m_widget->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_widget.get()));
}

void tst_TaskDetailWidget::cleanup()
{
    m_widget.reset();
    m_client.reset();
    m_backend.reset();
    m_service.reset();
}

QString tst_TaskDetailWidget::labelText(const char *name) const
{
    const auto *label = m_widget->findChild<QLabel *>(QString::fromLatin1(name));
    return label ? label->text() : QStringLiteral("<no label %1>").arg(QString::fromLatin1(name));
}

void tst_TaskDetailWidget::showPendingTask()
{
    m_widget->showTask(QStringLiteral("arq_T"));
    QTRY_COMPARE(labelText("statusLabel"), QStringLiteral("Pending"));
}

void tst_TaskDetailWidget::showsBoundEvaluation()
{
    showPendingTask();
    auto *tree = m_widget->findChild<EvaluationTree *>(QStringLiteral("evaluationTree"));
    QVERIFY(tree);

    for (const QString &member : {QStringLiteral("tenant"), QStringLiteral("ip"), QStringLiteral("device")}) {
        QTreeWidgetItem *item = tree->contextItem(member);
        QVERIFY2(item, qPrintable(member));
        QCOMPARE(item->text(EvaluationTree::BoundColumn), QStringLiteral("bound"));
        QVERIFY(item->font(EvaluationTree::MemberColumn).bold());
    }
    QTreeWidgetItem *unbound = tree->contextItem(QStringLiteral("business_justification"));
    QVERIFY(unbound);
    QCOMPARE(unbound->text(EvaluationTree::BoundColumn), QString());
    QVERIFY(!unbound->font(EvaluationTree::MemberColumn).bold());
    QCOMPARE(tree->contextItem(QStringLiteral("/device/id"))->text(EvaluationTree::ValueColumn), QStringLiteral("laptop-42"));

    QCOMPARE(tree->topLevelItem(0)->text(EvaluationTree::ValueColumn), QStringLiteral("user alice"));
    QCOMPARE(tree->topLevelItem(1)->text(EvaluationTree::ValueColumn), QStringLiteral("log payments-provider"));
    QCOMPARE(tree->topLevelItem(2)->text(EvaluationTree::ValueColumn), QStringLiteral("can_read"));
}

void tst_TaskDetailWidget::showsRequestSummary_data()
{
    QTest::addColumn<QString>("label");
    QTest::addColumn<QString>("text");

    QTest::newRow("title") << QStringLiteral("titleLabel") << QStringLiteral("user alice  →  can_read  →  log payments-provider");
    QTest::newRow("actor chain") << QStringLiteral("actorChainLabel") << QStringLiteral("agent-7 (ai_agent) for alice via pep-a");
    QTest::newRow("justification") << QStringLiteral("justificationLabel") << QStringLiteral("Chargeback dispute #881");
    QTest::newRow("denial reason") << QStringLiteral("reasonLabel") << QStringLiteral("approval_required");
    QTest::newRow("template") << QStringLiteral("templateLabel") << QStringLiteral("Security review (security_review)");
    QTest::newRow("evaluation id") << QStringLiteral("evaluationIdLabel") << QStringLiteral("evl_T");
    QTest::newRow("requester") << QStringLiteral("requesterLabel") << QStringLiteral("pep-a");
    QTest::newRow("PEP client") << QStringLiteral("pepClientLabel") << QStringLiteral(R"({"name":"support-gateway"})");
    QTest::newRow("workflow progress") << QStringLiteral("workflowLabel") << QStringLiteral("step 1 of 2, awaiting managers, security");
}

void tst_TaskDetailWidget::showsRequestSummary()
{
    QFETCH(QString, label);
    QFETCH(QString, text);
    showPendingTask();

    QCOMPARE(labelText(label.toLatin1().constData()), text);
    QVERIFY2(labelText("requestedDurationLabel").endsWith(QStringLiteral("(2 h)")), qPrintable(labelText("requestedDurationLabel")));
    QVERIFY2(labelText("countdownLabel").startsWith(QStringLiteral("Expires in 50 min")), qPrintable(labelText("countdownLabel")));
}

void tst_TaskDetailWidget::approveSendsComment()
{
    showPendingTask();
    QSignalSpy changed(m_widget.get(), &TaskDetailWidget::taskChanged);
    auto *approve = m_widget->findChild<QPushButton *>(QStringLiteral("approveButton"));
    QVERIFY(approve->isEnabled());

    QTest::keyClicks(m_widget->findChild<QLineEdit *>(QStringLiteral("commentEdit")), QStringLiteral("dispute #881 only"));
    QTest::mouseClick(approve, Qt::LeftButton);

    QTRY_COMPARE(labelText("statusLabel"), QStringLiteral("Approved"));
    QCOMPARE(m_service->requests.last().path(), QStringLiteral("/admin/v1/tasks/arq_T/approve"));
    QCOMPARE(QJsonDocument::fromJson(m_service->requests.last().body).object().value(u"comment").toString(),
             QStringLiteral("dispute #881 only"));
    QVERIFY(!approve->isEnabled());
    QVERIFY(!m_widget->findChild<QPushButton *>(QStringLiteral("denyButton"))->isEnabled());
    QCOMPARE(labelText("cannotDecideLabel"), QStringLiteral("Decided by bob"));
    QCOMPARE(changed.last().first().toJsonObject().value(u"status").toString(), QStringLiteral("approved"));
}

void tst_TaskDetailWidget::denyAsksForReason()
{
    showPendingTask();

    QTest::mouseClick(m_widget->findChild<QPushButton *>(QStringLiteral("denyButton")), Qt::LeftButton);
    Ui::DenyDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = m_widget->findChild<Ui::DenyDialog *>()) && dialog->isVisible());
    auto *confirm = dialog->findChild<QPushButton *>(QStringLiteral("denyConfirmButton"));
    QVERIFY(!confirm->isEnabled());
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("denyReasonEdit")), QStringLiteral("Not part of the dispute"));
    QVERIFY(confirm->isEnabled());
    QTest::mouseClick(confirm, Qt::LeftButton);

    QTRY_COMPARE(labelText("statusLabel"), QStringLiteral("Denied"));
    QCOMPARE(m_service->requests.last().path(), QStringLiteral("/admin/v1/tasks/arq_T/deny"));
    QCOMPARE(QJsonDocument::fromJson(m_service->requests.last().body).object().value(u"reason").toString(),
             QStringLiteral("Not part of the dispute"));
}

void tst_TaskDetailWidget::cannotDecideShowsReason()
{
    QJsonObject own = makeTask(QStringLiteral("arq_OWN"), QStringLiteral("pending"), FixtureNowMs - Minute);
    own.insert(QStringLiteral("can_decide"), false);
    own.insert(QStringLiteral("cannot_decide_reason"), QStringLiteral("alice may not approve access requested for herself."));

    m_widget->setTask(own);

    QVERIFY(!m_widget->findChild<QPushButton *>(QStringLiteral("approveButton"))->isEnabled());
    QVERIFY(!m_widget->findChild<QPushButton *>(QStringLiteral("denyButton"))->isEnabled());
    QCOMPARE(labelText("cannotDecideLabel"), QStringLiteral("alice may not approve access requested for herself."));
    QVERIFY(m_widget->findChild<QLabel *>(QStringLiteral("cannotDecideLabel"))->isVisible());
}

void tst_TaskDetailWidget::refusalShowsError()
{
    // Given a pending task on screen that another approver has meanwhile approved,
    const QJsonObject stale = m_backend->get(QStringLiteral("arq_T"));
    QJsonObject decided = stale;
    decided.insert(QStringLiteral("status"), QStringLiteral("approved"));
    decided.insert(QStringLiteral("decided_by"), QStringLiteral("carol"));
    decided.insert(QStringLiteral("can_decide"), false);
    m_backend->put(decided);
    m_widget->setTask(stale);

    // when bob approves, the refusal is shown and the task is fetched again.
    QTest::mouseClick(m_widget->findChild<QPushButton *>(QStringLiteral("approveButton")), Qt::LeftButton);

    QTRY_COMPARE(labelText("errorLabel"), QStringLiteral("The task is no longer pending."));
    QTRY_COMPARE(labelText("cannotDecideLabel"), QStringLiteral("Decided by carol"));
    QVERIFY(m_widget->findChild<QLabel *>(QStringLiteral("errorLabel"))->isVisible());
}

void tst_TaskDetailWidget::laterSelectionWins()
{
    m_backend->put(makeTask(QStringLiteral("arq_U"), QStringLiteral("denied"), FixtureNowMs - Minute));
    QSignalSpy finished(m_client->findChild<QNetworkAccessManager *>(), &QNetworkAccessManager::finished);

    m_widget->showTask(QStringLiteral("arq_T"));
    m_widget->showTask(QStringLiteral("arq_U"));

    QTRY_COMPARE(finished.size(), 2);
    QCoreApplication::processEvents();
    QCOMPARE(m_widget->taskId(), QStringLiteral("arq_U"));
    QCOMPARE(labelText("statusLabel"), QStringLiteral("Denied"));
}

// A PEP controls the ids, the justification and the context member names of a request. A
// right-to-left override in them would reorder what the approver reads, so it is shown instead.
void tst_TaskDetailWidget::showsHiddenCharacters()
{
    QJsonObject task = makeTask(QStringLiteral("arq_R"), QStringLiteral("pending"), FixtureNowMs - 10 * Minute);
    task.insert(QStringLiteral("resource"), QJsonObject{{QStringLiteral("type"), QStringLiteral("log")},
                                                         {QStringLiteral("id"), QStringLiteral("\u202Eredivorp")}});
    task.insert(QStringLiteral("justification"), QStringLiteral("Line one\nLine \u202Eowt"));
    QJsonObject context = task.value(u"context").toObject();
    context.insert(QStringLiteral("\u2066note"), QStringLiteral("x"));
    task.insert(QStringLiteral("context"), context);
    task.insert(QStringLiteral("binding_context_members"), QJsonArray{QStringLiteral("\u2066note")});
    m_backend->put(task);

    m_widget->showTask(QStringLiteral("arq_R"));

    QTRY_COMPARE(labelText("titleLabel"), QStringLiteral("user alice  →  can_read  →  log [U+202E]redivorp"));
    QCOMPARE(labelText("justificationLabel"), QStringLiteral("Line one\nLine [U+202E]owt"));
    auto *tree = m_widget->findChild<EvaluationTree *>(QStringLiteral("evaluationTree"));
    QVERIFY(tree);
    QTreeWidgetItem *note = tree->contextItem(QStringLiteral("\u2066note"));
    QVERIFY(note);
    QCOMPARE(note->text(EvaluationTree::MemberColumn), QStringLiteral("[U+2066]note"));
    QCOMPARE(note->text(EvaluationTree::BoundColumn), QStringLiteral("bound"));
}

QTEST_MAIN(tst_TaskDetailWidget)
void tst_TaskDetailWidget::showsCallbackDeliveries()
{
    QJsonObject task = makeTask(QStringLiteral("arq_C"), QStringLiteral("approved"), FixtureNowMs - 10 * Minute);
    const QJsonObject failedAttempt{{QStringLiteral("attempt"), 1}, {QStringLiteral("time"), isoTime(FixtureNowMs - 5 * Minute)},
                                    {QStringLiteral("duration_ms"), 41}, {QStringLiteral("address"), QStringLiteral("203.0.113.7")},
                                    {QStringLiteral("http_status"), 503}};
    const QJsonObject deliveredAttempt{{QStringLiteral("attempt"), 2}, {QStringLiteral("time"), isoTime(FixtureNowMs - 4 * Minute)},
                                       {QStringLiteral("duration_ms"), 12}, {QStringLiteral("address"), QStringLiteral("203.0.113.7")},
                                       {QStringLiteral("http_status"), 204}};
    const QJsonObject refusedAttempt{{QStringLiteral("attempt"), 1}, {QStringLiteral("time"), isoTime(FixtureNowMs - 1 * Minute)},
                                     {QStringLiteral("duration_ms"), 3},
                                     {QStringLiteral("error"), QStringLiteral("the host now resolves to an internal address")}};
    task.insert(QStringLiteral("callback"), QJsonObject{
        {QStringLiteral("endpoint"), QStringLiteral("https://pep.example.com/hooks")},
        {QStringLiteral("events"), QJsonArray{QStringLiteral("approved"), QStringLiteral("denied")}},
        {QStringLiteral("deliveries"), QJsonArray{
            QJsonObject{{QStringLiteral("event"), QStringLiteral("approved")}, {QStringLiteral("status"), QStringLiteral("delivered")},
                        {QStringLiteral("attempts"), 2}, {QStringLiteral("log"), QJsonArray{failedAttempt, deliveredAttempt}}},
            QJsonObject{{QStringLiteral("event"), QStringLiteral("denied")}, {QStringLiteral("status"), QStringLiteral("pending")},
                        {QStringLiteral("attempts"), 1}, {QStringLiteral("next_attempt_at"), isoTime(FixtureNowMs + 2 * Minute)},
                        {QStringLiteral("log"), QJsonArray{refusedAttempt}}}}}});
    m_backend->put(task);

    m_widget->showTask(QStringLiteral("arq_C"));
    QTRY_COMPARE(labelText("statusLabel"), QStringLiteral("Approved"));

    auto *tabs = m_widget->findChild<QTabWidget *>(QStringLiteral("detailTabs"));
    QVERIFY(tabs);
    auto *tree = m_widget->findChild<QTreeWidget *>(QStringLiteral("callbacksTree"));
    QVERIFY(tree);
    tabs->setCurrentWidget(tree->parentWidget());
    QVERIFY(tree->isVisible());
    QVERIFY(labelText("callbackSummaryLabel").contains(u"https://pep.example.com/hooks"));
    QVERIFY(labelText("callbackSummaryLabel").contains(u"approved, denied"));

    QCOMPARE(tree->topLevelItemCount(), 2);
    const QTreeWidgetItem *delivered = tree->topLevelItem(0);
    QCOMPARE(delivered->text(0), QStringLiteral("approved"));
    QCOMPARE(delivered->text(1), QStringLiteral("delivered"));
    QCOMPARE(delivered->text(2), QStringLiteral("2"));
    QCOMPARE(delivered->childCount(), 2);
    QCOMPARE(delivered->child(0)->text(4), QStringLiteral("203.0.113.7"));
    QCOMPARE(delivered->child(0)->text(5), QStringLiteral("HTTP 503 (41 ms)"));
    QCOMPARE(delivered->child(1)->text(5), QStringLiteral("HTTP 204 (12 ms)"));

    const QTreeWidgetItem *retrying = tree->topLevelItem(1);
    QCOMPARE(retrying->text(1), QStringLiteral("retrying"));
    QVERIFY(retrying->text(3).startsWith(u"next at "));
    QVERIFY(retrying->isExpanded());
    QCOMPARE(retrying->child(0)->text(4), QStringLiteral("not connected"));
    QCOMPARE(retrying->child(0)->text(5), QStringLiteral("the host now resolves to an internal address (3 ms)"));
}

void tst_TaskDetailWidget::showsWhenNoCallbackRequested()
{
    showPendingTask();
    QVERIFY(labelText("callbackSummaryLabel").contains(u"did not request a callback"));
    auto *tree = m_widget->findChild<QTreeWidget *>(QStringLiteral("callbacksTree"));
    QVERIFY(tree);
    QCOMPARE(tree->topLevelItemCount(), 0);
    QVERIFY(tree->isHidden());
}

#include "tst_taskdetailwidget.moc"
