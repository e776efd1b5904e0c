// Denying, revoking and batch decisions in the real console against the real service
// (arap-conformance pack), each followed by what the PEP then sees.

#include "tests/ui/consolefixture.h"
#include "ui/approvedialog.h"
#include "ui/batchdecisiondialog.h"
#include "ui/denydialog.h"
#include "ui/inboxpage.h"
#include "ui/taskdetailwidget.h"
#include "ui/taskhistorytabs.h"
#include "ui/tasktext.h"

#include <QAction>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QJsonArray>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTreeWidget>

using namespace Recourse;
using namespace Recourse::Testing;
using Recourse::Ui::BatchDecisionDialog;

class tst_Decisions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void approveNamesWhatItGrants();
    void approveDisabledAfterRequestedEnd();
    void bundleNamesItsEnds();
    void denyWithReason();
    void revokeLiveApproval();
    void bulkApprovalsNameTheirItem();
    void bundleApprovalAsksFirst();
    void batchApproveReportsEachTask();
    void batchDenyNeedsReason();

private:
    void selectTasks(const QStringList &taskIds);
    // Submits alice's request for the document, with `requested_until` when it is not empty,
    // and returns the task id.
    QString requestDocument(const QString &documentId, const QString &requestedUntil = {});
    QString grantText() const;

    QTemporaryDir m_dir;
    std::unique_ptr<ServiceFixture> m_service;
    std::unique_ptr<Console> m_bob;
};

void tst_Decisions::init()
{
    QVERIFY(m_dir.isValid());
    m_service = std::make_unique<ServiceFixture>(QStringLiteral("arap-conformance"));
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
    m_bob = openConsole(*m_service, Tokens::bob, m_dir.filePath(QStringLiteral("bob.ini")));
    QVERIFY(m_bob);
}

void tst_Decisions::cleanup()
{
    for (QWidget *widget : QApplication::topLevelWidgets()) {
        if (auto *dialog = qobject_cast<QDialog *>(widget); dialog && dialog->isVisible())
            dialog->reject();
    }
    m_bob.reset();
    m_service.reset();
}

void tst_Decisions::selectTasks(const QStringList &taskIds)
{
    QTableView *view = m_bob->window->inboxView();
    auto *proxy = qobject_cast<QSortFilterProxyModel *>(view->model());
    QVERIFY(proxy);
    view->selectionModel()->clearSelection();
    for (const QString &id : taskIds) {
        const QModelIndex row = proxy->mapFromSource(m_bob->window->inboxModel()->indexOfTask(id));
        QVERIFY2(row.isValid(), qPrintable(id));
        view->selectionModel()->select(row, QItemSelectionModel::Select | QItemSelectionModel::Rows);
    }
    QCOMPARE(m_bob->window->inboxPage()->selectedTasks().size(), taskIds.size());
}

QString tst_Decisions::requestDocument(const QString &documentId, const QString &requestedUntil)
{
    const HttpResponse submitted = requestedUntil.isEmpty()
        ? m_service->submit(m_service->freshSubmission(documentRequest(documentId)))
        : m_service->submitUntil(documentRequest(documentId), requestedUntil);
    if (submitted.status != 202)
        qWarning("submission failed: %s", submitted.describe().constData());
    return submitted.json.value(u"task").toObject().value(u"id").toString();
}

QString tst_Decisions::grantText() const
{
    const auto *label = m_bob->window->findChild<QLabel *>(QStringLiteral("approveGrantLabel"));
    return label && !label->isHidden() ? label->text() : QString();
}

void tst_Decisions::approveNamesWhatItGrants()
{
    using Ui::TaskText;
    constexpr qint64 Hour = 3600 * 1000;
    const qint64 now = kFixtureStartMs;

    // Given requests under manager_approval (default and maximum 8 h): one without an end, one
    // asking for 1 h and one asking for 12 h,
    const QString noEnd = requestDocument(QStringLiteral("q4-plan"));
    const QString oneHour = requestDocument(QStringLiteral("q4-budget"), QStringLiteral("2026-12-04T11:00:00Z"));
    const QString twelveHours = requestDocument(QStringLiteral("q4-roadmap"), QStringLiteral("2026-12-04T22:00:00Z"));
    QVERIFY(!noEnd.isEmpty() && !oneHour.isEmpty() && !twelveHours.isEmpty());

    // the detail view names the end before bob clicks Approve,
    const QList<std::pair<QString, QString>> expected{
        {noEnd, QStringLiteral("Approve grants access until %1, the template's default of 8\u00a0h.").arg(TaskText::localTime(now + 8 * Hour))},
        {oneHour, QStringLiteral("Approve grants access until %1, as requested.").arg(TaskText::localTime(now + Hour))},
        {twelveHours, QStringLiteral("Approve grants access until %1, the template's maximum of 8\u00a0h. The request asked until %2.")
                          .arg(TaskText::localTime(now + 8 * Hour), TaskText::localTime(now + 12 * Hour))},
    };
    for (const auto &[taskId, text] : expected) {
        QVERIFY(showTask(*m_bob, taskId));
        QTRY_COMPARE(grantText(), text);
    }

    // and the approval the click issues ends exactly there.
    const QList<std::pair<QString, qint64>> ends{{noEnd, now + 8 * Hour}, {oneHour, now + Hour}, {twelveHours, now + 8 * Hour}};
    auto *approve = m_bob->window->findChild<QPushButton *>(QStringLiteral("approveButton"));
    Ui::TaskDetailWidget *detail = m_bob->window->detailWidget();
    for (const auto &[taskId, untilMs] : ends) {
        QVERIFY(showTask(*m_bob, taskId));
        QTRY_VERIFY(approve->isEnabled());
        QTest::mouseClick(approve, Qt::LeftButton);
        QTRY_COMPARE(detail->task().value(u"status").toString(), QStringLiteral("approved"));
        const QJsonObject approval = detail->task().value(u"approvals").toArray().first().toObject();
        QCOMPARE(TaskText::timeMs(approval.value(u"approved_until")), untilMs);
        QCOMPARE(grantText(), QString());
    }

    // Under security_review's two steps, bob's approval alone grants nothing yet, and the sentence
    // states that.
    QJsonObject logRequest = documentRequest(QStringLiteral("payments-provider"));
    logRequest.insert(QStringLiteral("resource"), entity(QStringLiteral("log"), QStringLiteral("payments-provider")));
    const Escalation review = m_service->requestAccess(logRequest);
    QVERIFY2(review.ok(), qPrintable(review.failure));
    QVERIFY(showTask(*m_bob, review.taskId()));
    QTRY_COMPARE(grantText(), QStringLiteral("Approve adds your approval to this step. Access is granted when the last "
                                             "step approves."));
}

void tst_Decisions::approveDisabledAfterRequestedEnd()
{
    // Given a request for 30 minutes that stayed undecided for 31,
    const QString taskId = requestDocument(QStringLiteral("q4-plan"), QStringLiteral("2026-12-04T10:30:00Z"));
    QVERIFY(!taskId.isEmpty());
    QVERIFY(showTask(*m_bob, taskId));
    auto *approve = m_bob->window->findChild<QPushButton *>(QStringLiteral("approveButton"));
    auto *editScope = m_bob->window->findChild<QPushButton *>(QStringLiteral("editScopeButton"));
    QTRY_VERIFY(approve->isEnabled());
    m_service->clock().advanceMs(31 * 60 * 1000);

    // the next tick of the countdown states that the requested end has passed and disables Approve,
    // which the service would reject, while Edit scope (a new end) and Deny stay available.
    QTRY_VERIFY_WITH_TIMEOUT(grantText().startsWith(QStringLiteral("The access was requested until")), 3000);
    QVERIFY2(grantText().endsWith(QStringLiteral("which has passed. Choose a new end with Edit scope, or deny.")),
             qPrintable(grantText()));
    QVERIFY(!approve->isEnabled());
    QCOMPARE(approve->toolTip(), grantText());
    QVERIFY(editScope->isEnabled());
}

void tst_Decisions::bundleNamesItsEnds()
{
    using Ui::TaskText;
    // Given a bundle whose two items ask for different ends,
    QJsonObject bundle;
    QJsonArray items;
    const QList<std::pair<QString, QString>> asked{{QStringLiteral("q4-plan"), QStringLiteral("2026-12-04T10:45:00Z")},
                                                   {QStringLiteral("q4-budget"), QStringLiteral("2026-12-04T11:15:00Z")}};
    for (const auto &[document, until] : asked) {
        const QJsonObject single = m_service->freshSubmission(documentRequest(document));
        QVERIFY(!single.isEmpty());
        bundle.insert(QStringLiteral("subject"), single.value(u"subject"));
        bundle.insert(QStringLiteral("context"), single.value(u"context"));
        items.append(QJsonObject{{QStringLiteral("resource"), single.value(u"resource")},
                                 {QStringLiteral("action"), single.value(u"action")},
                                 {QStringLiteral("denial"), single.value(u"denial")},
                                 {QStringLiteral("requested_access"), QJsonObject{{QStringLiteral("requested_until"), until}}}});
    }
    bundle.insert(QStringLiteral("items"), items);
    const HttpResponse created = m_service->submit(bundle);
    QVERIFY2(created.status == 202, created.describe().constData());
    const QString taskId = created.json.value(u"task").toObject().value(u"id").toString();

    // the detail names both ends, and the limits offer no broadening, which bulk tasks refuse.
    QVERIFY(showTask(*m_bob, taskId));
    QTRY_COMPARE(grantText(), QStringLiteral("Approve grants each pending item access until the end it asked for, from %1 "
                                             "to %2.")
                                  .arg(TaskText::localTime(QJsonValue(asked.at(0).second)),
                                       TaskText::localTime(QJsonValue(asked.at(1).second))));
    const QJsonObject limits = m_bob->window->detailWidget()->task().value(u"approval_limits").toObject();
    QCOMPARE(limits.value(u"broaden_resources").toBool(true), false);
    QCOMPARE(limits.value(u"broaden_actions").toBool(true), false);
}

void tst_Decisions::denyWithReason()
{
    const Escalation flow = m_service->requestAccess(documentRequest(QStringLiteral("q4-plan")));
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    QVERIFY(showTask(*m_bob, flow.taskId()));

    // Given bob presses Deny, the dialog refuses to deny without a reason;
    auto *deny = m_bob->window->findChild<QPushButton *>(QStringLiteral("denyButton"));
    QTRY_VERIFY(deny->isEnabled());
    QTest::mouseClick(deny, Qt::LeftButton);
    Ui::DenyDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = openDialog<Ui::DenyDialog>()) != nullptr);
    auto *confirm = dialog->findChild<QPushButton *>(QStringLiteral("denyConfirmButton"));
    QVERIFY(!confirm->isEnabled());

    // with one, the task is denied and the reason is recorded with the decision.
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("denyReasonEdit")), QStringLiteral("No open ticket"));
    QVERIFY(confirm->isEnabled());
    QTest::mouseClick(confirm, Qt::LeftButton);
    Ui::TaskDetailWidget *detail = m_bob->window->detailWidget();
    QTRY_COMPARE(detail->task().value(u"status").toString(), QStringLiteral("denied"));
    const QJsonObject decision = detail->task().value(u"decisions").toArray().first().toObject();
    QCOMPARE(decision.value(u"reason").toString(), QStringLiteral("No open ticket"));
    QTRY_COMPARE(m_bob->window->inboxModel()->indexOfTask(flow.taskId()).data(Ui::InboxModel::StatusRole).toString(),
                 QStringLiteral("denied"));
}

void tst_Decisions::revokeLiveApproval()
{
    // Given a live approval the PEP already holds,
    const Escalation flow = m_service->grantAccess(documentRequest(QStringLiteral("q4-plan")));
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    const QJsonObject request = withApproval(documentRequest(QStringLiteral("q4-plan")), flow.approval);
    QCOMPARE(m_service->evaluate(request).json.value(u"decision").toBool(), true);
    QVERIFY(showTask(*m_bob, flow.taskId()));

    // when bob opens the Approvals tab in a 1360 by 860 window, Revoke shows without scrolling,
    m_bob->window->resize(1360, 860);
    auto *approvals = m_bob->window->findChild<QTreeWidget *>(QStringLiteral("approvalsTree"));
    QVERIFY(approvals);
    auto *tabs = m_bob->window->findChild<Ui::TaskHistoryTabs *>();
    QVERIFY(tabs);
    tabs->setCurrentIndex(tabs->indexOf(approvals->parentWidget()));
    auto *revoke = m_bob->window->findChild<QPushButton *>(QStringLiteral("revokeButton"));
    QTRY_VERIFY(!revoke->visibleRegion().isEmpty());

    // and once he selects the approval and revokes it with a comment,
    QTRY_COMPARE(approvals->topLevelItemCount(), 1);
    approvals->setCurrentItem(approvals->topLevelItem(0));
    QVERIFY(revoke->isEnabled());
    QTest::mouseClick(revoke, Qt::LeftButton);
    QInputDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = openDialog<QInputDialog>(QStringLiteral("revokeDialog"))) != nullptr);
    QVERIFY2(dialog->labelText().contains(QStringLiteral("It grants: alice may can_read document q4-plan until")),
             qPrintable(dialog->labelText()));
    dialog->setTextValue(QStringLiteral("Incident closed"));
    dialog->accept();

    // then the approval shows as revoked, the button is disabled,
    Ui::TaskDetailWidget *detail = m_bob->window->detailWidget();
    QTRY_VERIFY(detail->task().value(u"approvals").toArray().first().toObject().contains(u"revoked_at"));
    QTRY_VERIFY(!revoke->isEnabled() || approvals->currentItem() == nullptr);

    // and the PEP's next re-evaluation with it is denied, listed under the task.
    QCOMPARE(m_service->evaluate(request).json.value(u"decision").toBool(true), false);
    QTRY_COMPARE(detail->task().value(u"reevaluations").toArray().size(), 2);
}

void tst_Decisions::bulkApprovalsNameTheirItem()
{
    // A bundle of two documents with only the first approved.
    const HttpResponse created =
        submitDocumentBundle(*m_service, {QStringLiteral("q4-plan"), QStringLiteral("q4-budget")});
    QVERIFY2(created.status == 202, created.describe().constData());
    const QString taskId = created.json.value(u"task").toObject().value(u"id").toString();
    const HttpResponse approved = m_service->approve(taskId, Tokens::bob, QJsonObject{{QStringLiteral("items"), QJsonArray{0}}});
    QVERIFY2(approved.status == 200, approved.describe().constData());

    // The Approvals tab names the item the approval covers.
    QVERIFY(showTask(*m_bob, taskId));
    auto *approvals = m_bob->window->findChild<QTreeWidget *>(QStringLiteral("approvalsTree"));
    QVERIFY(approvals);
    QTRY_COMPARE(approvals->topLevelItemCount(), 1);
    const QString scope = approvals->topLevelItem(0)->text(Ui::TaskHistoryTabs::ScopeColumn);
    QVERIFY2(scope.contains(u"q4-plan"), qPrintable(scope));
    QVERIFY2(!scope.contains(u"q4-budget"), qPrintable(scope));

    // The deny dialog states that it decides only the item still pending.
    auto *deny = m_bob->window->findChild<QPushButton *>(QStringLiteral("denyButton"));
    QTRY_VERIFY(deny->isEnabled());
    QTest::mouseClick(deny, Qt::LeftButton);
    Ui::DenyDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = openDialog<Ui::DenyDialog>()) != nullptr);
    bool explained = false;
    for (const QLabel *label : dialog->findChildren<QLabel *>())
        explained = explained || label->text().contains(u"Denies the one item still pending");
    QVERIFY(explained);
    dialog->reject();
}

void tst_Decisions::bundleApprovalAsksFirst()
{
    const HttpResponse created =
        submitDocumentBundle(*m_service, {QStringLiteral("q4-plan"), QStringLiteral("q4-budget")});
    QVERIFY2(created.status == 202, created.describe().constData());
    const QString taskId = created.json.value(u"task").toObject().value(u"id").toString();
    QVERIFY(showTask(*m_bob, taskId));

    // Given bob presses Approve on a bundle, he is asked to confirm the items or to choose;
    auto *approve = m_bob->window->findChild<QPushButton *>(QStringLiteral("approveButton"));
    QTRY_VERIFY(approve->isEnabled());
    QTest::mouseClick(approve, Qt::LeftButton);
    QMessageBox *question = nullptr;
    QTRY_VERIFY((question = openDialog<QMessageBox>(QStringLiteral("approveAllDialog"))) != nullptr);
    QVERIFY2(question->informativeText().contains(u"q4-plan"), qPrintable(question->informativeText()));
    QVERIFY2(question->informativeText().contains(u"q4-budget"), qPrintable(question->informativeText()));
    Ui::TaskDetailWidget *detail = m_bob->window->detailWidget();
    QCOMPARE(detail->task().value(u"status").toString(), QStringLiteral("pending"));

    // choosing opens the scope editor, and nothing is approved yet;
    QTest::mouseClick(question->findChild<QPushButton *>(QStringLiteral("chooseItemsButton")), Qt::LeftButton);
    Ui::ApproveDialog *editor = nullptr;
    QTRY_VERIFY((editor = openDialog<Ui::ApproveDialog>()) != nullptr);
    editor->reject();
    QCOMPARE(m_service->get(QStringLiteral("/admin/v1/tasks/") + taskId, Tokens::bob).json.value(u"status").toString(),
             QStringLiteral("pending"));

    // approving all grants both items.
    QTest::mouseClick(approve, Qt::LeftButton);
    QTRY_VERIFY((question = openDialog<QMessageBox>(QStringLiteral("approveAllDialog"))) != nullptr);
    QTest::mouseClick(question->findChild<QPushButton *>(QStringLiteral("approveAllButton")), Qt::LeftButton);
    QTRY_COMPARE(detail->task().value(u"status").toString(), QStringLiteral("approved"));
}

void tst_Decisions::batchApproveReportsEachTask()
{
    // Given three pending requests, one of which another session approves first,
    QStringList ids;
    for (const QString &document : {QStringLiteral("q4-plan"), QStringLiteral("q4-budget"), QStringLiteral("q4-roadmap")}) {
        const Escalation flow = m_service->requestAccess(documentRequest(document));
        QVERIFY2(flow.ok(), qPrintable(flow.failure));
        ids.append(flow.taskId());
    }
    Ui::InboxModel *inbox = m_bob->window->inboxModel();
    for (const QString &id : std::as_const(ids))
        QTRY_VERIFY(inbox->indexOfTask(id).isValid());
    QCOMPARE(m_service->approve(ids.at(1), Tokens::bob).status, 200);
    QTRY_COMPARE(inbox->indexOfTask(ids.at(1)).data(Ui::InboxModel::StatusRole).toString(), QStringLiteral("approved"));

    // when bob selects all three and approves the selection,
    selectTasks(ids);
    auto *action = m_bob->window->findChild<QAction *>(QStringLiteral("approveSelectedAction"));
    QVERIFY(action);
    action->trigger();
    BatchDecisionDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = openDialog<BatchDecisionDialog>()) != nullptr);
    auto *list = dialog->findChild<QTreeWidget *>(QStringLiteral("batchList"));
    QCOMPARE(list->topLevelItemCount(), 3);
    QCOMPARE(list->topLevelItem(0)->text(BatchDecisionDialog::RequestColumn),
             QStringLiteral("alice may can_read document q4-plan"));
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("batchDecideButton")), Qt::LeftButton);

    // then each task shows its own outcome: two approved, the decided one rejected with the reason.
    QTRY_VERIFY(dialog->isFinished());
    QCOMPARE(dialog->outcomes().size(), 3);
    QCOMPARE(list->topLevelItem(0)->text(BatchDecisionDialog::OutcomeColumn), QStringLiteral("Approved"));
    QVERIFY2(list->topLevelItem(1)->text(BatchDecisionDialog::OutcomeColumn).startsWith(QStringLiteral("Failed: ")),
             qPrintable(list->topLevelItem(1)->text(BatchDecisionDialog::OutcomeColumn)));
    QCOMPARE(list->topLevelItem(2)->text(BatchDecisionDialog::OutcomeColumn), QStringLiteral("Approved"));
    QCOMPARE(dialog->findChild<QLabel *>(QStringLiteral("batchSummaryLabel"))->text(), QStringLiteral("2 decided, 1 failed."));
    for (const QString &id : std::as_const(ids))
        QTRY_COMPARE(inbox->indexOfTask(id).data(Ui::InboxModel::StatusRole).toString(), QStringLiteral("approved"));
    QTRY_COMPARE(m_bob->window->windowTitle(), QStringLiteral("Recourse — 0 pending"));
}

void tst_Decisions::batchDenyNeedsReason()
{
    QStringList ids;
    for (const QString &document : {QStringLiteral("q4-plan"), QStringLiteral("q4-budget")}) {
        const Escalation flow = m_service->requestAccess(documentRequest(document));
        QVERIFY2(flow.ok(), qPrintable(flow.failure));
        ids.append(flow.taskId());
    }
    for (const QString &id : std::as_const(ids))
        QTRY_VERIFY(m_bob->window->inboxModel()->indexOfTask(id).isValid());
    selectTasks(ids);

    m_bob->window->findChild<QAction *>(QStringLiteral("denySelectedAction"))->trigger();
    BatchDecisionDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = openDialog<BatchDecisionDialog>()) != nullptr);
    auto *decide = dialog->findChild<QPushButton *>(QStringLiteral("batchDecideButton"));
    QVERIFY(!decide->isEnabled());
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("batchReasonEdit")), QStringLiteral("Quarter closed"));
    QVERIFY(decide->isEnabled());
    QTest::mouseClick(decide, Qt::LeftButton);

    QTRY_VERIFY(dialog->isFinished());
    for (const QJsonObject &outcome : dialog->outcomes())
        QCOMPARE(outcome.value(u"status").toString(), QStringLiteral("denied"));
    const HttpResponse task = m_service->get(QStringLiteral("/admin/v1/tasks/") + ids.first(), Tokens::bob);
    QCOMPARE(task.json.value(u"decisions").toArray().first().toObject().value(u"reason").toString(),
             QStringLiteral("Quarter closed"));
}

QTEST_MAIN(tst_Decisions)
#include "tst_decisions.moc"
