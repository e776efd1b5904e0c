// The audit page of the real console against the real service (arap-conformance pack): one chain
// per escalation, search, export, and the hash-chain check after a record is changed on disk.

#include "tests/ui/consolefixture.h"
#include "ui/auditmodel.h"
#include "ui/auditview.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPushButton>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTreeView>

using namespace Recourse;
using namespace Recourse::Testing;
using Recourse::Ui::AuditModel;
using Recourse::Ui::AuditView;

class tst_AuditView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void showsChainPerEscalation();
    void searchesByApproverResourceSubject();
    void exportsJsonLinesAndCsv();
    void verifyFindsFirstBrokenLink();

private:
    QStringList childTypes(const QModelIndex &escalation) const;
    bool search(const QString &subject, const QString &approver, const QString &resource);

    QTemporaryDir m_dir;
    std::unique_ptr<ServiceFixture> m_service;
    std::unique_ptr<Console> m_bob;
    AuditView *m_audit = nullptr;
    QString m_approvedEvaluation;
    QString m_deniedEvaluation;
};

void tst_AuditView::init()
{
    QVERIFY(m_dir.isValid());
    m_service = std::make_unique<ServiceFixture>(QStringLiteral("arap-conformance"));
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));

    // Given one escalation approved and used, and one denied,
    const Escalation approved = m_service->grantAccess(documentRequest(QStringLiteral("q4-plan")));
    QVERIFY2(approved.ok(), qPrintable(approved.failure));
    const QJsonObject request = withApproval(documentRequest(QStringLiteral("q4-plan")), approved.approval);
    QCOMPARE(m_service->evaluate(request).json.value(u"decision").toBool(), true);
    const Escalation denied = m_service->requestAccess(documentRequest(QStringLiteral("q4-budget")));
    QVERIFY2(denied.ok(), qPrintable(denied.failure));
    // carol is not a manager, so her attempt is rejected and audited as such.
    QCOMPARE(m_service->deny(denied.taskId(), Tokens::carol, QJsonObject{{QStringLiteral("reason"), QStringLiteral("not now")}})
                 .status,
             403);
    QCOMPARE(m_service->deny(denied.taskId(), Tokens::bob, QJsonObject{{QStringLiteral("reason"), QStringLiteral("not now")}})
                 .status,
             200);
    m_approvedEvaluation = approved.decision.value(u"context").toObject().value(u"evaluation_id").toString();
    m_deniedEvaluation = denied.decision.value(u"context").toObject().value(u"evaluation_id").toString();
    QVERIFY(!m_approvedEvaluation.isEmpty());

    // when bob opens the audit page,
    m_bob = openConsole(*m_service, Tokens::bob, m_dir.filePath(QStringLiteral("bob.ini")));
    QVERIFY(m_bob);
    m_audit = m_bob->window->auditView();
    m_bob->window->showPage(Ui::MainWindow::AuditTab);
    QVERIFY(m_audit->isVisible());
    QTRY_VERIFY(!m_audit->isLoading());
}

void tst_AuditView::cleanup()
{
    m_audit = nullptr;
    m_bob.reset();
    m_service.reset();
}

QStringList tst_AuditView::childTypes(const QModelIndex &escalation) const
{
    QStringList types;
    const AuditModel *model = m_audit->model();
    for (int row = 0; row < model->rowCount(escalation); ++row)
        types.append(model->index(row, AuditModel::TypeColumn, escalation).data().toString());
    return types;
}

bool tst_AuditView::search(const QString &subject, const QString &approver, const QString &resource)
{
    m_audit->setSubjectFilter(subject);
    m_audit->setApproverFilter(approver);
    m_audit->setResourceFilter(resource);
    QTest::mouseClick(m_audit->findChild<QPushButton *>(QStringLiteral("auditSearchButton")), Qt::LeftButton);
    return QTest::qWaitFor([this] { return !m_audit->isLoading(); }, 10000);
}

void tst_AuditView::showsChainPerEscalation()
{
    // then each escalation is one chain, from the denial to the last use of its approval.
    AuditModel *model = m_audit->model();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model->escalationCount(), 2);
    const QModelIndex approved = model->indexOfEscalation(m_approvedEvaluation);
    QVERIFY(approved.isValid());
    const QStringList types = childTypes(approved);
    QCOMPARE(types.first(), QStringLiteral("denial.issued"));
    QCOMPARE(types.at(1), QStringLiteral("task.created"));
    QVERIFY2(types.contains(QStringLiteral("task.approved")), qPrintable(types.join(u',')));
    QCOMPARE(types.last(), QStringLiteral("reevaluation"));
    QCOMPARE(model->index(approved.row(), AuditModel::ResourceColumn).data().toString(), QStringLiteral("document q4-plan"));

    const QStringList deniedTypes = childTypes(model->indexOfEscalation(m_deniedEvaluation));
    QVERIFY2(deniedTypes.contains(QStringLiteral("task.denied")), qPrintable(deniedTypes.join(u',')));
    QVERIFY2(m_audit->statusText().startsWith(QStringLiteral("2 escalations, ")), qPrintable(m_audit->statusText()));
}

void tst_AuditView::searchesByApproverResourceSubject()
{
    AuditModel *model = m_audit->model();

    QVERIFY(search({}, QStringLiteral("bob"), {}));
    QCOMPARE(model->escalationCount(), 2);

    QVERIFY(search({}, QStringLiteral("bob"), QStringLiteral("q4-budget")));
    QCOMPARE(model->escalationCount(), 1);
    QVERIFY(model->indexOfEscalation(m_deniedEvaluation).isValid());
    // The matching escalation is shown whole, not just the records that name bob.
    QCOMPARE(childTypes(model->indexOfEscalation(m_deniedEvaluation)).first(), QStringLiteral("denial.issued"));

    QVERIFY(search(QStringLiteral("alice"), {}, {}));
    QCOMPARE(model->escalationCount(), 2);

    QVERIFY(search(QStringLiteral("mallory"), {}, {}));
    QCOMPARE(model->escalationCount(), 0);

    QVERIFY(search({}, QStringLiteral("carol"), {}));
    QCOMPARE(model->escalationCount(), 1);
}

void tst_AuditView::exportsJsonLinesAndCsv()
{
    const QList<QJsonObject> records = m_audit->model()->records();
    QVERIFY(records.size() >= 8);

    const QString jsonPath = m_dir.filePath(QStringLiteral("audit.jsonl"));
    QVERIFY(m_audit->exportTo(jsonPath, Ui::AuditExport::Format::JsonLines));
    QFile json(jsonPath);
    QVERIFY(json.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = json.readAll().split('\n');
    QCOMPARE(lines.size(), records.size() + 1); // the last line ends with a newline
    QCOMPARE(QJsonDocument::fromJson(lines.first()).object().value(u"type").toString(), QStringLiteral("denial.issued"));
    QCOMPARE(QJsonDocument::fromJson(lines.first()).object().value(u"hash").toString(),
             records.first().value(u"hash").toString());

    const QString csvPath = m_dir.filePath(QStringLiteral("audit.csv"));
    QVERIFY(m_audit->exportTo(csvPath, Ui::AuditExport::Format::Csv));
    QFile csv(csvPath);
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QList<QByteArray> rows = csv.readAll().split('\n');
    QCOMPARE(rows.size(), records.size() + 2); // header, records, and the empty piece after the last CRLF
    QCOMPARE(rows.first(), QByteArray("seq,time,type,actor,task_id,evaluation_id,approval_id,subject_id,data,prev_hash,hash\r"));
    QVERIFY(rows.at(1).contains(",denial.issued,"));
    QCOMPARE(m_audit->statusText(), QStringLiteral("Exported %1 records to %2.").arg(records.size()).arg(csvPath));
}

void tst_AuditView::verifyFindsFirstBrokenLink()
{
    auto *verify = m_audit->findChild<QPushButton *>(QStringLiteral("auditVerifyButton"));
    QVERIFY(verify);
    QTest::mouseClick(verify, Qt::LeftButton);
    QTRY_VERIFY(m_audit->verificationText().startsWith(QStringLiteral("The hash chain is intact: ")));

    // Given a record changed behind the service's back (the append-only trigger dropped first),
    const QModelIndex approved = m_audit->model()->indexOfEscalation(m_approvedEvaluation);
    const qint64 seq = m_audit->model()->index(2, 0, approved).data(AuditModel::SeqRole).toLongLong();
    QVERIFY(seq > 0);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tamper"));
        db.setDatabaseName(QDir(m_service->dataDir()).filePath(QStringLiteral("recourse.db")));
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY2(query.exec(QStringLiteral("DROP TRIGGER audit_no_update")), qPrintable(query.lastError().text()));
        QVERIFY2(query.exec(QStringLiteral("UPDATE audit SET actor = 'mallory' WHERE seq = %1").arg(seq)),
                 qPrintable(query.lastError().text()));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("tamper"));

    // when bob verifies again, the first broken link is named and selected.
    QTest::mouseClick(verify, Qt::LeftButton);
    QTRY_VERIFY2(m_audit->verificationText().startsWith(QStringLiteral("The hash chain is broken.")),
                 qPrintable(m_audit->verificationText()));
    QVERIFY2(m_audit->verificationText().contains(QStringLiteral("First broken link: record %1").arg(seq)),
             qPrintable(m_audit->verificationText()));
    const QModelIndex broken = m_audit->model()->indexOfSeq(seq);
    QVERIFY(broken.data(AuditModel::BrokenRole).toBool());
    QCOMPARE(m_audit->tree()->currentIndex().data(AuditModel::SeqRole).toLongLong(), seq);
    QCOMPARE(m_audit->model()->indexOfSeq(seq - 1).data(AuditModel::BrokenRole).toBool(), false);
}

QTEST_MAIN(tst_AuditView)
#include "tst_auditview.moc"
