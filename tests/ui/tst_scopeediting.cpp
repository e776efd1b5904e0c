// Approving with an edited scope in the real console against the real service (arap-conformance
// pack): the live preview, the confirmation of a broad scope, and what the approval then unlocks.

#include "tests/ui/consolefixture.h"
#include "ui/approvedialog.h"
#include "ui/scopepreviewmodel.h"
#include "ui/taskdetailwidget.h"

#include <QComboBox>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTableView>

using namespace Recourse;
using namespace Recourse::Testing;
using Recourse::Ui::ApproveDialog;
using Recourse::Ui::ScopePreviewModel;

class tst_ScopeEditing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void broadenedScopeNeedsConfirmation();
    void templateWithoutBroadeningOffersNoAdditions();
    void previewShowsServiceRejection();
    void shorterDurationNeedsNoConfirmation();
    void passedEndOffersNewEnds();
    void bulkPreviewFollowsCheckedItems();

private:
    ApproveDialog *openScopeEditor(const QString &taskId);
    void addResource(ApproveDialog *dialog, const QString &id);
    QString labelText(QWidget *parent, const char *name) const;

    QTemporaryDir m_dir;
    std::unique_ptr<ServiceFixture> m_service;
    std::unique_ptr<Console> m_bob;
};

void tst_ScopeEditing::init()
{
    QVERIFY(m_dir.isValid());
    m_service = std::make_unique<ServiceFixture>(QStringLiteral("arap-conformance"));
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
    m_bob = openConsole(*m_service, Tokens::bob, m_dir.filePath(QStringLiteral("bob.ini")));
    QVERIFY(m_bob);
}

void tst_ScopeEditing::cleanup()
{
    if (auto *dialog = openDialog<ApproveDialog>())
        dialog->reject();
    m_bob.reset();
    m_service.reset();
}

QString tst_ScopeEditing::labelText(QWidget *parent, const char *name) const
{
    const auto *label = parent->findChild<QLabel *>(QString::fromLatin1(name));
    return label ? label->text() : QString();
}

ApproveDialog *tst_ScopeEditing::openScopeEditor(const QString &taskId)
{
    Ui::MainWindow *window = m_bob->window.get();
    if (!QTest::qWaitFor([&] { return window->inboxModel()->indexOfTask(taskId).isValid(); }, 10000))
        return nullptr;
    window->openTask(taskId);
    auto *editScope = window->findChild<QPushButton *>(QStringLiteral("editScopeButton"));
    if (!editScope || !QTest::qWaitFor([&] { return editScope->isEnabled(); }, 10000))
        return nullptr;

    QTest::mouseClick(editScope, Qt::LeftButton);
    ApproveDialog *dialog = nullptr;
    if (!QTest::qWaitFor([&] { return (dialog = openDialog<ApproveDialog>()) != nullptr; }, 5000))
        return nullptr;
    return dialog;
}

void tst_ScopeEditing::addResource(ApproveDialog *dialog, const QString &id)
{
    auto *input = dialog->findChild<QLineEdit *>(QStringLiteral("scopeResource"));
    QVERIFY(input);
    input->setFocus();
    QTest::keyClicks(input, id);
    QTest::keyClick(input, Qt::Key_Return);
}

void tst_ScopeEditing::broadenedScopeNeedsConfirmation()
{
    // Given alice's pending request to read q4-plan of tenant acme,
    const Escalation flow = m_service->requestAccess(documentRequest(QStringLiteral("q4-plan")));
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    ApproveDialog *dialog = openScopeEditor(flow.taskId());
    QVERIFY(dialog);
    QTRY_COMPARE(dialog->previewModel()->rowCount(), 1);
    QCOMPARE(dialog->previewModel()->count(QStringLiteral("unlocked")), 1);

    // when bob adds three documents of the same type and picks two hours,
    addResource(dialog, QStringLiteral("q4-budget"));
    addResource(dialog, QStringLiteral("q4-summary"));
    addResource(dialog, QStringLiteral("board-minutes"));
    auto *duration = dialog->findChild<QComboBox *>(QStringLiteral("durationCombo"));
    QVERIFY(duration);
    duration->setCurrentIndex(duration->findData(120));

    // then the live preview shows what the approval would unlock and what policy still denies,
    ScopePreviewModel *preview = dialog->previewModel();
    QTRY_COMPARE(preview->rowCount(), 4);
    QTRY_VERIFY(!dialog->preview().isEmpty());
    QCOMPARE(preview->count(QStringLiteral("unlocked")), 2);
    QCOMPARE(preview->count(QStringLiteral("already_permitted")), 1);
    QCOMPARE(preview->count(QStringLiteral("still_denied")), 1);
    QCOMPARE(dialog->preview().value(u"approved_until").toString(), QStringLiteral("2026-12-04T12:00:00Z"));
    QCOMPARE(labelText(dialog, "previewCountsLabel"),
             QStringLiteral("2 unlocked · 1 already permitted · 1 still denied by policy — the approval does not change what "
                            "policy still denies."));
    QVERIFY2(labelText(dialog, "grantLabel")
                 .startsWith(QStringLiteral("If approved: alice may can_read document q4-plan, document q4-budget, "
                                            "document q4-summary and document board-minutes until")),
             qPrintable(labelText(dialog, "grantLabel")));

    // and approving asks for confirmation that names the added scope in plain words.
    auto *approve = dialog->findChild<QPushButton *>(QStringLiteral("approveScopeButton"));
    QVERIFY(approve);
    QVERIFY(approve->isEnabled());
    QTest::mouseClick(approve, Qt::LeftButton);
    QTRY_VERIFY(dialog->confirmation());
    QVERIFY2(dialog->confirmation()->text().contains(
                 QStringLiteral("Added beyond the request: document q4-budget, document q4-summary and document board-minutes.")),
             qPrintable(dialog->confirmation()->text()));
    QCOMPARE(m_service->host() != nullptr, true);
    auto *grant = dialog->confirmation()->findChild<QPushButton *>(QStringLiteral("confirmGrantButton"));
    QVERIFY(grant);
    QTest::mouseClick(grant, Qt::LeftButton);

    // When it is granted, the task is approved with the broadened scope,
    Ui::TaskDetailWidget *detail = m_bob->window->detailWidget();
    QTRY_COMPARE(detail->task().value(u"status").toString(), QStringLiteral("approved"));
    const QJsonObject approval = detail->task().value(u"approvals").toArray().first().toObject();
    QCOMPARE(approval.value(u"scope").toObject().value(u"mode").toString(), QStringLiteral("broadened"));
    QCOMPARE(approval.value(u"approved_until").toString(), QStringLiteral("2026-12-04T12:00:00Z"));

    // and the PEP's re-evaluation of q4-budget with it is permitted while board-minutes stays denied.
    const HttpResponse status = m_service->taskStatus(flow.statusEndpoint());
    const QJsonObject granted = status.json.value(u"result").toObject().value(u"approval").toObject();
    QVERIFY2(!granted.isEmpty(), status.describe().constData());
    const HttpResponse budget = m_service->evaluate(withApproval(documentRequest(QStringLiteral("q4-budget")), granted));
    QCOMPARE(budget.json.value(u"decision").toBool(), true);
    const HttpResponse minutes = m_service->evaluate(withApproval(documentRequest(QStringLiteral("board-minutes")), granted));
    QCOMPARE(minutes.json.value(u"decision").toBool(true), false);
}

void tst_ScopeEditing::templateWithoutBroadeningOffersNoAdditions()
{
    // Given a request under security_review, whose template allows no broadening,
    QJsonObject request = documentRequest(QStringLiteral("payments-provider"));
    request.insert(QStringLiteral("resource"), entity(QStringLiteral("log"), QStringLiteral("payments-provider")));
    const Escalation flow = m_service->requestAccess(request);
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    ApproveDialog *dialog = openScopeEditor(flow.taskId());
    QVERIFY(dialog);
    QTRY_VERIFY(!dialog->preview().isEmpty());

    // the scope editor offers neither another resource nor another action, and shows the reason;
    for (const char *name : {"scopeResource", "scopeAction"}) {
        auto *input = dialog->findChild<QLineEdit *>(QString::fromLatin1(name));
        auto *add = dialog->findChild<QPushButton *>(QString::fromLatin1(name) + QStringLiteral("AddButton"));
        QVERIFY(input && add);
        QVERIFY2(!input->isEnabled() && !add->isEnabled(), name);
        QCOMPARE(input->placeholderText(), QStringLiteral("Not allowed"));
        QVERIFY2(input->toolTip().startsWith(QStringLiteral("This template allows no other")), qPrintable(input->toolTip()));
    }

    // adding one anyway leaves the scope exact, and Approve stays available.
    dialog->addResource(QStringLiteral("billing-provider"));
    dialog->addAction(QStringLiteral("can_delete"));
    QCOMPARE(dialog->scope().value(u"mode").toString(), QStringLiteral("exact"));
    auto *approve = dialog->findChild<QPushButton *>(QStringLiteral("approveScopeButton"));
    QVERIFY(approve && approve->isEnabled());
    QCOMPARE(dialog->previewModel()->count(QStringLiteral("unlocked")), 1);
}

void tst_ScopeEditing::previewShowsServiceRejection()
{
    // Given the same task as a service without approval_limits sends it, so the editor cannot
    // know the template's limits,
    QJsonObject request = documentRequest(QStringLiteral("payments-provider"));
    request.insert(QStringLiteral("resource"), entity(QStringLiteral("log"), QStringLiteral("payments-provider")));
    const Escalation flow = m_service->requestAccess(request);
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    Ui::MainWindow *window = m_bob->window.get();
    QVERIFY(QTest::qWaitFor([&] { return window->inboxModel()->indexOfTask(flow.taskId()).isValid(); }, 10000));
    window->openTask(flow.taskId());
    QTRY_VERIFY(window->detailWidget()->task().contains(u"approval_limits"));
    QJsonObject task = window->detailWidget()->task();
    task.remove(QStringLiteral("approval_limits"));
    auto dialog = std::make_unique<ApproveDialog>(m_bob->client.get(), task, sharedClock(*m_service), window);
    dialog->show();
    QTRY_VERIFY(!dialog->preview().isEmpty());

    // when bob adds another log,
    dialog->addResource(QStringLiteral("billing-provider"));

    // then the preview shows the service's refusal and Approve is disabled;
    auto *approve = dialog->findChild<QPushButton *>(QStringLiteral("approveScopeButton"));
    QVERIFY(approve);
    QTRY_VERIFY(labelText(dialog.get(), "previewErrorLabel").contains(QStringLiteral("does not allow approving other resources")));
    QVERIFY(!approve->isEnabled());
    QCOMPARE(dialog->previewModel()->rowCount(), 0);

    // removing it again brings the exact scope back.
    auto *list = dialog->findChild<QListWidget *>(QStringLiteral("scopeResourceList"));
    QVERIFY(list);
    list->setCurrentRow(1);
    auto *remove = dialog->findChild<QPushButton *>(QStringLiteral("scopeResourceRemoveButton"));
    QVERIFY(remove && remove->isEnabled());
    QTest::mouseClick(remove, Qt::LeftButton);
    QTRY_VERIFY(approve->isEnabled());
    QCOMPARE(dialog->scope().value(u"mode").toString(), QStringLiteral("exact"));
    QCOMPARE(dialog->previewModel()->count(QStringLiteral("unlocked")), 1);
}

void tst_ScopeEditing::passedEndOffersNewEnds()
{
    // Given a request for 30 minutes that stayed undecided for 31,
    const HttpResponse submitted =
        m_service->submitUntil(documentRequest(QStringLiteral("q4-plan")), QStringLiteral("2026-12-04T10:30:00Z"));
    QCOMPARE(submitted.status, 202);
    m_service->clock().advanceSeconds(31 * 60);
    ApproveDialog *dialog = openScopeEditor(submitted.json.value(u"task").toObject().value(u"id").toString());
    QVERIFY(dialog);

    // the editor no longer offers the passed end, and its first choice is the template's default
    // as an explicit end, which the preview and the approval both accept;
    auto *duration = dialog->findChild<QComboBox *>(QStringLiteral("durationCombo"));
    QVERIFY(duration);
    QCOMPARE(duration->findData(ApproveDialog::AsRequested), -1);
    QCOMPARE(duration->currentData().toInt(), ApproveDialog::TemplateDefault);
    QCOMPARE(duration->currentText(), QStringLiteral("The template's default, 8 h"));
    QTRY_COMPARE(dialog->preview().value(u"approved_until").toString(), QStringLiteral("2026-12-04T18:31:00Z"));
    QCOMPARE(dialog->approveBody().value(u"approved_until").toString(), QStringLiteral("2026-12-04T18:31:00Z"));

    // Approving requires confirmation, because the end lies beyond the requested one, and grants it.
    auto *approve = dialog->findChild<QPushButton *>(QStringLiteral("approveScopeButton"));
    QTRY_VERIFY(approve->isEnabled());
    QTest::mouseClick(approve, Qt::LeftButton);
    QTRY_VERIFY(dialog->confirmation());
    auto *grant = dialog->confirmation()->findChild<QPushButton *>(QStringLiteral("confirmGrantButton"));
    QVERIFY(grant);
    QTest::mouseClick(grant, Qt::LeftButton);
    Ui::TaskDetailWidget *detail = m_bob->window->detailWidget();
    QTRY_COMPARE(detail->task().value(u"status").toString(), QStringLiteral("approved"));
    QCOMPARE(detail->task().value(u"approvals").toArray().first().toObject().value(u"approved_until").toString(),
             QStringLiteral("2026-12-04T18:31:00Z"));
}

void tst_ScopeEditing::shorterDurationNeedsNoConfirmation()
{
    const Escalation flow = m_service->requestAccess(documentRequest(QStringLiteral("q4-roadmap")));
    QVERIFY2(flow.ok(), qPrintable(flow.failure));
    ApproveDialog *dialog = openScopeEditor(flow.taskId());
    QVERIFY(dialog);

    // Given bob picks 30 minutes and leaves the scope as requested,
    QVERIFY(dialog->setDurationMinutes(30));
    QTRY_COMPARE(dialog->preview().value(u"approved_until").toString(), QStringLiteral("2026-12-04T10:30:00Z"));
    QVERIFY(!dialog->isBroaderThanRequest());

    // when he approves, no confirmation is asked and the approval ends after 30 minutes.
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("approveScopeButton")), Qt::LeftButton);
    QVERIFY(!dialog->confirmation());
    Ui::TaskDetailWidget *detail = m_bob->window->detailWidget();
    QTRY_COMPARE(detail->task().value(u"status").toString(), QStringLiteral("approved"));
    const QJsonObject approval = detail->task().value(u"approvals").toArray().first().toObject();
    QCOMPARE(approval.value(u"approved_until").toString(), QStringLiteral("2026-12-04T10:30:00Z"));
    QCOMPARE(approval.value(u"scope").toObject().value(u"mode").toString(), QStringLiteral("exact"));
}

void tst_ScopeEditing::bulkPreviewFollowsCheckedItems()
{
    // A bundle of two documents, each item bound by its own denial.
    const HttpResponse created =
        submitDocumentBundle(*m_service, {QStringLiteral("q4-plan"), QStringLiteral("q4-budget")});
    QVERIFY2(created.status == 202, created.describe().constData());
    ApproveDialog *dialog = openScopeEditor(created.json.value(u"task").toObject().value(u"id").toString());
    QVERIFY(dialog);
    auto *preview = dialog->findChild<QTableView *>(QStringLiteral("previewView"));
    auto *itemList = dialog->findChild<QListWidget *>(QStringLiteral("scopeItemList"));
    QVERIFY(preview);
    QVERIFY(itemList);
    QTRY_COMPARE(preview->model()->rowCount(), 2);

    // Unchecking the budget leaves only the plan in the preview, not just in the headline.
    itemList->item(1)->setCheckState(Qt::Unchecked);
    QTRY_COMPARE(preview->model()->rowCount(), 1);
    QVERIFY(preview->model()->index(0, 0).data().toString().contains(u"q4-plan"));
}

QTEST_MAIN(tst_ScopeEditing)
#include "tst_scopeediting.moc"
