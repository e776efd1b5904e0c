// The policy page of the real console against the real service on a policy folder of its own:
// the loaded files, a live reload that fails and recovers, and "test a request".

#include "tests/ui/consolefixture.h"
#include "ui/policyview.h"

#include <QDir>
#include <QFile>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTreeWidget>

using namespace Recourse;
using namespace Recourse::Testing;
using Recourse::Ui::PolicyView;

class tst_PolicyView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void showsLoadedFiles();
    void startsFromPolicyExample();
    void explainsDecisions_data();
    void explainsDecisions();
    void rejectsInvalidRequest();
    void requestTextErrorsNamePosition_data();
    void requestTextErrorsNamePosition();
    void reportsReloadErrors();

private:
    bool writePolicyFile(const QString &name, const QByteArray &content);
    void explain(const QJsonObject &request);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_policyDir;
    std::unique_ptr<ServiceFixture> m_service;
    std::unique_ptr<Console> m_bob;
    PolicyView *m_view = nullptr;
};

void tst_PolicyView::init()
{
    // A folder per test, because reportsReloadErrors rewrites the files.
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_policyDir = m_dir->filePath(QStringLiteral("policy"));
    QVERIFY(QDir().mkpath(m_policyDir));
    const QDir shipped(QStringLiteral(RECOURSE_SOURCE_DIR "/resources/policies/arap-conformance"));
    for (const QString &name : shipped.entryList({QStringLiteral("*.json")}, QDir::Files))
        QVERIFY(QFile::copy(shipped.filePath(name), QDir(m_policyDir).filePath(name)));

    m_service = std::make_unique<ServiceFixture>(m_policyDir);
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
    m_bob = openConsole(*m_service, Tokens::bob, m_dir->filePath(QStringLiteral("bob.ini")));
    QVERIFY(m_bob);
    m_view = m_bob->window->policyView();
    m_bob->window->showPage(Ui::MainWindow::PolicyTab);
    QTRY_COMPARE(m_view->fileList()->count(), 3);
}

void tst_PolicyView::cleanup()
{
    m_view = nullptr;
    m_bob.reset();
    m_service.reset();
    m_dir.reset();
}

bool tst_PolicyView::writePolicyFile(const QString &name, const QByteArray &content)
{
    QFile file(QDir(m_policyDir).filePath(name));
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(content) == content.size();
}

void tst_PolicyView::explain(const QJsonObject &request)
{
    m_view->setRequest(request);
    QTest::mouseClick(m_view->findChild<QPushButton *>(QStringLiteral("policyExplainButton")), Qt::LeftButton);
}

void tst_PolicyView::showsLoadedFiles()
{
    QStringList files;
    for (int i = 0; i < m_view->fileList()->count(); ++i)
        files.append(m_view->fileList()->item(i)->text());
    files.sort();
    QCOMPARE(files, (QStringList{QStringLiteral("entities.json"), QStringLiteral("rules.json"), QStringLiteral("templates.json")}));
    QVERIFY2(m_view->statusText().contains(QStringLiteral("Folder: ") + QDir(m_policyDir).absolutePath()),
             qPrintable(m_view->statusText()));
    QVERIFY2(m_view->statusText().contains(QStringLiteral("7 rules and 4 templates in 3 files")), qPrintable(m_view->statusText()));
    QVERIFY2(m_view->statusText().contains(QStringLiteral("The last reload succeeded")), qPrintable(m_view->statusText()));
    QCOMPARE(m_view->errorList()->topLevelItemCount(), 0);
}

void tst_PolicyView::startsFromPolicyExample()
{
    // Given the page opened on the arap-conformance pack, the request editor contains the policy's
    // example, and explaining it shows a requestable denial rather than a default deny;
    auto *editor = m_view->findChild<QPlainTextEdit *>(QStringLiteral("policyRequestEdit"));
    QVERIFY(editor);
    QTRY_VERIFY(!editor->toPlainText().isEmpty());
    QTest::mouseClick(m_view->findChild<QPushButton *>(QStringLiteral("policyExplainButton")), Qt::LeftButton);
    QTRY_COMPARE(m_view->decisionText(), QStringLiteral("Deny, requestable through template manager_approval"));

    // a request the user typed stays when the status refreshes.
    const QString typed = QStringLiteral(R"({"subject": {"type": "user", "id": "dave"}})");
    editor->setPlainText(typed);
    QSignalSpy loaded(m_view, &PolicyView::statusLoaded);
    QTest::mouseClick(m_view->findChild<QPushButton *>(QStringLiteral("policyRefreshButton")), Qt::LeftButton);
    QTRY_VERIFY(loaded.count() >= 1);
    QCOMPARE(editor->toPlainText(), typed);
}

void tst_PolicyView::explainsDecisions_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("document");
    QTest::addColumn<QString>("decision");
    QTest::addColumn<QString>("firstRule");

    QTest::newRow("forbidden deletion") << QStringLiteral("can_delete") << QStringLiteral("q4-plan")
                                        << QStringLiteral("Deny: forbidden (no approval can override it)")
                                        << QStringLiteral("q4-plan-never-deleted");
    QTest::newRow("requestable read") << QStringLiteral("can_read") << QStringLiteral("q4-plan")
                                      << QStringLiteral("Deny, requestable through template manager_approval")
                                      << QStringLiteral("q4-documents-need-manager-approval");
    QTest::newRow("permitted summary") << QStringLiteral("can_read") << QStringLiteral("q4-summary")
                                       << QStringLiteral("Permit") << QStringLiteral("alice-reads-q4-summary");
    QTest::newRow("default deny") << QStringLiteral("can_read") << QStringLiteral("board-minutes")
                                  << QStringLiteral("Deny: no rule matched, so the default deny applies") << QString();
}

void tst_PolicyView::explainsDecisions()
{
    QFETCH(QString, action);
    QFETCH(QString, document);
    QFETCH(QString, decision);
    QFETCH(QString, firstRule);

    QJsonObject request = documentRequest(document);
    request.insert(QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), action}});
    explain(request);

    QTRY_COMPARE(m_view->decisionText(), decision);
    QVERIFY(!m_view->explanationText().isEmpty());
    QTreeWidget *matches = m_view->matchList();
    if (firstRule.isEmpty()) {
        QCOMPARE(matches->topLevelItemCount(), 0);
        return;
    }
    QVERIFY(matches->topLevelItemCount() >= 1);
    QCOMPARE(matches->topLevelItem(0)->text(0), firstRule);
    QVERIFY2(matches->topLevelItem(0)->text(2).startsWith(QStringLiteral("rules.json:")),
             qPrintable(matches->topLevelItem(0)->text(2)));
}

void tst_PolicyView::rejectsInvalidRequest()
{
    m_view->setRequest({});
    QTest::mouseClick(m_view->findChild<QPushButton *>(QStringLiteral("policyExplainButton")), Qt::LeftButton);
    QTRY_VERIFY2(m_view->decisionText().startsWith(QStringLiteral("The service rejected the request: ")),
                 qPrintable(m_view->decisionText()));
}

void tst_PolicyView::requestTextErrorsNamePosition_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("decision");

    QTest::newRow("duplicate member")
        << QStringLiteral("{\"subject\": {\"type\": \"user\", \"id\": \"alice\", \"id\": \"bob\"}}")
        << QStringLiteral("The request is not a valid JSON object: line 1, column 45: duplicate member name \"id\".");
    QTest::newRow("unclosed object on line 2") << QStringLiteral("{\n  \"subject\": {")
                                               << QStringLiteral("The request is not a valid JSON object: line 2, column 15: ");
    QTest::newRow("array") << QStringLiteral("[]")
                           << QStringLiteral("The request is not a valid JSON object: line 1, column 1: expected an object "
                                             "at the top level, found an array.");
}

// Text the service would reject is reported on the page with its position, and nothing is sent.
void tst_PolicyView::requestTextErrorsNamePosition()
{
    QFETCH(QString, text);
    QFETCH(QString, decision);

    m_view->findChild<QPlainTextEdit *>(QStringLiteral("policyRequestEdit"))->setPlainText(text);
    QTest::mouseClick(m_view->findChild<QPushButton *>(QStringLiteral("policyExplainButton")), Qt::LeftButton);

    QVERIFY2(m_view->decisionText().startsWith(decision), qPrintable(m_view->decisionText()));
    QVERIFY(m_view->explanationText().isEmpty());
}

void tst_PolicyView::reportsReloadErrors()
{
    QFile rules(QDir(m_policyDir).filePath(QStringLiteral("rules.json")));
    QVERIFY(rules.open(QIODevice::ReadOnly));
    const QByteArray original = rules.readAll();
    rules.close();

    // Given rules.json is broken while the service runs,
    QVERIFY(writePolicyFile(QStringLiteral("rules.json"), "{\"rules\": [\n  {\"id\": \"x\", \"effect\": \"allow\"}\n]}\n"));

    // then the page lists the error with its file and says the previous policy stays in force,
    QTRY_VERIFY_WITH_TIMEOUT(m_view->errorList()->topLevelItemCount() > 0, 20000);
    QCOMPARE(m_view->errorList()->topLevelItem(0)->text(0), QStringLiteral("rules.json"));
    QVERIFY(!m_view->errorList()->topLevelItem(0)->text(2).isEmpty());
    QVERIFY2(m_view->statusText().contains(QStringLiteral("the previous policy stays in force")), qPrintable(m_view->statusText()));
    QVERIFY2(m_view->statusText().contains(QStringLiteral("7 rules")), qPrintable(m_view->statusText()));

    // and once the file is fixed, the errors are gone.
    QVERIFY(writePolicyFile(QStringLiteral("rules.json"), original));
    QTRY_VERIFY_WITH_TIMEOUT(m_view->errorList()->topLevelItemCount() == 0, 20000);
    QVERIFY2(m_view->statusText().contains(QStringLiteral("The last reload succeeded")), qPrintable(m_view->statusText()));
}

QTEST_MAIN(tst_PolicyView)
#include "tst_policyview.moc"
