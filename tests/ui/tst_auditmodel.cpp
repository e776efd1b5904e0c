// AuditModel groups audit records into one chain per escalation; the model tester is attached
// before every change.

#include "ui/auditmodel.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace Recourse;
using Recourse::Ui::AuditModel;

namespace {

QJsonObject record(qint64 seq, const QString &type, const QString &evaluationId, const QString &taskId = {},
                   const QString &actor = QStringLiteral("pep-a"))
{
    QJsonObject object{{QStringLiteral("seq"), seq},
                       {QStringLiteral("time"), QStringLiteral("2026-12-04T10:00:%1Z").arg(seq, 2, 10, QLatin1Char('0'))},
                       {QStringLiteral("type"), type},
                       {QStringLiteral("actor"), actor},
                       {QStringLiteral("subject_id"), QStringLiteral("alice")},
                       {QStringLiteral("data"), QJsonObject{{QStringLiteral("resource"),
                                                             QJsonObject{{QStringLiteral("type"), QStringLiteral("document")},
                                                                         {QStringLiteral("id"), QStringLiteral("q4-plan")}}}}},
                       {QStringLiteral("prev_hash"), QStringLiteral("p%1").arg(seq)},
                       {QStringLiteral("hash"), QStringLiteral("h%1").arg(seq)}};
    if (!evaluationId.isEmpty())
        object.insert(QStringLiteral("evaluation_id"), evaluationId);
    if (!taskId.isEmpty())
        object.insert(QStringLiteral("task_id"), taskId);
    return object;
}

} // namespace

class tst_AuditModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void groupsRecordsByEscalation();
    void escalationRowSummarizesChain();
    void findsRecordsBySeq();
    void marksBrokenRecord();
    void recordsComeBackInSeqOrder();
    void callbackRecordDetailed();
    void hiddenCharactersShown();

private:
    std::unique_ptr<AuditModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void tst_AuditModel::init()
{
    m_model = std::make_unique<AuditModel>();
    m_tester = std::make_unique<QAbstractItemModelTester>(m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    // Out of order on purpose: the model sorts by seq.
    m_model->setRecords({record(4, QStringLiteral("task.approved"), QStringLiteral("evl_A"), QStringLiteral("arq_A"),
                                QStringLiteral("bob")),
                         record(1, QStringLiteral("denial.issued"), QStringLiteral("evl_A")),
                         record(3, QStringLiteral("denial.issued"), QStringLiteral("evl_B")),
                         record(2, QStringLiteral("task.created"), QStringLiteral("evl_A"), QStringLiteral("arq_A")),
                         record(5, QStringLiteral("reevaluation"), QStringLiteral("evl_A"), QStringLiteral("arq_A"))});
}

void tst_AuditModel::cleanup()
{
    m_tester.reset();
    m_model.reset();
}

void tst_AuditModel::groupsRecordsByEscalation()
{
    QCOMPARE(m_model->rowCount(), 2);
    QCOMPARE(m_model->escalationCount(), 2);
    // The escalation whose first record is newest comes first.
    QCOMPARE(m_model->index(0, 0).data().toString(), QStringLiteral("evl_B"));
    const QModelIndex chain = m_model->indexOfEscalation(QStringLiteral("evl_A"));
    QCOMPARE(chain.row(), 1);
    QCOMPARE(m_model->rowCount(chain), 4);
    QStringList types;
    for (int row = 0; row < 4; ++row)
        types.append(m_model->index(row, AuditModel::TypeColumn, chain).data().toString());
    QCOMPARE(types, (QStringList{QStringLiteral("denial.issued"), QStringLiteral("task.created"), QStringLiteral("task.approved"),
                                 QStringLiteral("reevaluation")}));
    QCOMPARE(m_model->rowCount(m_model->index(0, 0, chain)), 0);
    QCOMPARE(m_model->parent(m_model->index(2, 0, chain)), chain);
}

void tst_AuditModel::escalationRowSummarizesChain()
{
    const QModelIndex chain = m_model->indexOfEscalation(QStringLiteral("evl_A"));
    QCOMPARE(chain.siblingAtColumn(AuditModel::TypeColumn).data().toString(), QStringLiteral("reevaluation"));
    QCOMPARE(chain.siblingAtColumn(AuditModel::SubjectColumn).data().toString(), QStringLiteral("alice"));
    QCOMPARE(chain.siblingAtColumn(AuditModel::ResourceColumn).data().toString(), QStringLiteral("document q4-plan"));
    QCOMPARE(chain.siblingAtColumn(AuditModel::DetailColumn).data().toString(), QStringLiteral("4 records, task arq_A"));
    QCOMPARE(chain.data(AuditModel::TaskIdRole).toString(), QStringLiteral("arq_A"));
    QCOMPARE(m_model->indexOfEscalation(QStringLiteral("evl_B")).siblingAtColumn(AuditModel::DetailColumn).data().toString(),
             QStringLiteral("1 record, no request"));
}

void tst_AuditModel::findsRecordsBySeq()
{
    const QModelIndex approved = m_model->indexOfSeq(4);
    QVERIFY(approved.isValid());
    QCOMPARE(approved.siblingAtColumn(AuditModel::ActorColumn).data().toString(), QStringLiteral("bob"));
    QCOMPARE(approved.data(AuditModel::RecordRole).toJsonObject().value(u"hash").toString(), QStringLiteral("h4"));
    QVERIFY(!m_model->indexOfSeq(99).isValid());
}

void tst_AuditModel::marksBrokenRecord()
{
    m_model->setBrokenSeq(2);
    QVERIFY(m_model->indexOfSeq(2).data(AuditModel::BrokenRole).toBool());
    QVERIFY(!m_model->indexOfSeq(1).data(AuditModel::BrokenRole).toBool());
    QVERIFY(m_model->indexOfSeq(2).siblingAtColumn(AuditModel::DetailColumn).data().toString().startsWith(
        QStringLiteral("Chain broken here")));

    m_model->setBrokenSeq(0);
    QVERIFY(!m_model->indexOfSeq(2).data(AuditModel::BrokenRole).toBool());
}

void tst_AuditModel::recordsComeBackInSeqOrder()
{
    QList<qint64> seqs;
    for (const QJsonObject &record : m_model->records())
        seqs.append(record.value(u"seq").toInteger());
    QCOMPARE(seqs, (QList<qint64>{1, 2, 3, 4, 5}));

    m_model->setRecords({});
    QCOMPARE(m_model->rowCount(), 0);
}

void tst_AuditModel::callbackRecordDetailed()
{
    QJsonObject failed = record(6, QStringLiteral("callback.attempt_failed"), QStringLiteral("evl_A"),
                                QStringLiteral("arq_A"), QStringLiteral("system"));
    failed.insert(QStringLiteral("data"),
                  QJsonObject{{QStringLiteral("event"), QStringLiteral("approved")},
                              {QStringLiteral("attempt"), 2},
                              {QStringLiteral("address"), QStringLiteral("203.0.113.7")},
                              {QStringLiteral("http_status"), 503},
                              {QStringLiteral("error"), QStringLiteral("The receiver answered with status 503.")},
                              {QStringLiteral("next_attempt_at"), QStringLiteral("2026-12-04T10:00:40Z")}});
    QList<QJsonObject> records = m_model->records();
    records.append(failed);
    m_model->setRecords(records);

    const QModelIndex detail = m_model->indexOfSeq(6).siblingAtColumn(AuditModel::DetailColumn);

    QCOMPARE(detail.data().toString(),
             QStringLiteral("event approved · attempt 2 · http_status 503 · address 203.0.113.7 · error The receiver "
                            "answered with status 503. · next_attempt_at 2026-12-04T10:00:40Z"));
    QCOMPARE(m_model->indexOfSeq(6).siblingAtColumn(AuditModel::TypeColumn).data().toString(),
             QStringLiteral("callback.attempt_failed"));
}

// A subject id comes from a PEP; an override in it must not reorder the row.
void tst_AuditModel::hiddenCharactersShown()
{
    QJsonObject created = record(6, QStringLiteral("task.created"), QStringLiteral("evl_C"), QStringLiteral("arq_C"));
    created.insert(QStringLiteral("subject_id"), QStringLiteral("\u202Eecila"));
    QList<QJsonObject> records = m_model->records();
    records.append(created);
    m_model->setRecords(records);

    const QModelIndex subject = m_model->indexOfSeq(6).siblingAtColumn(AuditModel::SubjectColumn);

    QCOMPARE(subject.data().toString(), QStringLiteral("[U+202E]ecila"));
}

QTEST_MAIN(tst_AuditModel)
#include "tst_auditmodel.moc"
