// DenialsModel lists requestable denials with their request link and the denials that could not be requested beside them.

#include "ui/denialsmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Recourse;
using Recourse::Ui::DenialsModel;

namespace {

constexpr qint64 NowMs = 1796378400000; // 2026-12-04T10:00:00Z

QJsonObject entity(const QString &type, const QString &id)
{
    return {{QStringLiteral("type"), type}, {QStringLiteral("id"), id}};
}

QJsonObject denial(const QString &evaluationId, const QString &resourceId, const QString &expiresAt, const QString &taskId = {})
{
    QJsonObject object{{QStringLiteral("evaluation_id"), evaluationId},
                       {QStringLiteral("evaluated_at"), QStringLiteral("2026-12-04T09:55:00Z")},
                       {QStringLiteral("expires_at"), expiresAt},
                       {QStringLiteral("subject"), entity(QStringLiteral("user"), QStringLiteral("alice"))},
                       {QStringLiteral("resource"), entity(QStringLiteral("document"), resourceId)},
                       {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_read")}}},
                       {QStringLiteral("template"), QStringLiteral("manager_approval")},
                       {QStringLiteral("caller"), QStringLiteral("pep-a")}};
    if (!taskId.isEmpty())
        object.insert(QStringLiteral("task_id"), taskId);
    return object;
}

QJsonObject hardDenial(const QString &resourceId)
{
    return {{QStringLiteral("type"), QStringLiteral("evaluation.denied")},
            {QStringLiteral("data"), QJsonObject{{QStringLiteral("subject"), entity(QStringLiteral("user"), QStringLiteral("alice"))},
                                                 {QStringLiteral("resource"), entity(QStringLiteral("document"), resourceId)}}}};
}

} // namespace

class tst_DenialsModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void showsDenialAndRequest();
    void countsHardDenialsPerSubjectAndResource();
    void hintExpiresWithClock();
    void sortRoleGivesRawValues();

private:
    std::shared_ptr<ManualClock> m_clock;
    std::unique_ptr<DenialsModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void tst_DenialsModel::init()
{
    m_clock = std::make_shared<ManualClock>(NowMs);
    m_model = std::make_unique<DenialsModel>(m_clock);
    m_tester = std::make_unique<QAbstractItemModelTester>(m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_model->setDenials({denial(QStringLiteral("evl_1"), QStringLiteral("q4-plan"), QStringLiteral("2026-12-04T10:05:00Z"),
                                QStringLiteral("arq_1")),
                         denial(QStringLiteral("evl_2"), QStringLiteral("q4-budget"), QStringLiteral("2026-12-04T09:59:00Z"))});
}

void tst_DenialsModel::cleanup()
{
    m_tester.reset();
    m_model.reset();
}

void tst_DenialsModel::showsDenialAndRequest()
{
    QCOMPARE(m_model->rowCount(), 2);
    QCOMPARE(m_model->index(0, DenialsModel::SubjectColumn).data().toString(), QStringLiteral("user alice"));
    QCOMPARE(m_model->index(0, DenialsModel::ResourceColumn).data().toString(), QStringLiteral("document q4-plan"));
    QCOMPARE(m_model->index(0, DenialsModel::RequestColumn).data().toString(), QStringLiteral("arq_1"));
    QCOMPARE(m_model->index(0, 0).data(DenialsModel::TaskIdRole).toString(), QStringLiteral("arq_1"));
    QCOMPARE(m_model->index(1, DenialsModel::RequestColumn).data().toString(), QStringLiteral("none"));
    QCOMPARE(m_model->index(1, 0).data(DenialsModel::TaskIdRole).toString(), QString());
    QCOMPARE(m_model->index(1, 0).data(DenialsModel::EvaluationIdRole).toString(), QStringLiteral("evl_2"));
    QCOMPARE(m_model->withRequest(), 1);
}

void tst_DenialsModel::countsHardDenialsPerSubjectAndResource()
{
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    m_model->addHardDenial(hardDenial(QStringLiteral("q4-plan")));
    m_model->addHardDenial(hardDenial(QStringLiteral("q4-plan")));
    m_model->addHardDenial(hardDenial(QStringLiteral("elsewhere")));
    QJsonObject permitted = hardDenial(QStringLiteral("q4-plan"));
    permitted.insert(QStringLiteral("type"), QStringLiteral("evaluation.permitted"));
    m_model->addHardDenial(permitted);

    QCOMPARE(m_model->index(0, DenialsModel::HardDenialsColumn).data().toInt(), 2);
    QCOMPARE(m_model->index(1, DenialsModel::HardDenialsColumn).data().toInt(), 0);
    QCOMPARE(m_model->hardDenials(), 3);
    QCOMPARE(changed.size(), 2);
}

void tst_DenialsModel::hintExpiresWithClock()
{
    // A denial that a request followed is used up; one without stays open until it expires.
    m_model->setDenials({denial(QStringLiteral("evl_1"), QStringLiteral("q4-plan"), QStringLiteral("2026-12-04T10:05:00Z"),
                                QStringLiteral("arq_1")),
                         denial(QStringLiteral("evl_2"), QStringLiteral("q4-budget"), QStringLiteral("2026-12-04T09:59:00Z")),
                         denial(QStringLiteral("evl_3"), QStringLiteral("q4-roadmap"), QStringLiteral("2026-12-04T10:05:00Z"))});
    QCOMPARE(m_model->index(0, DenialsModel::HintColumn).data().toString(), QStringLiteral("used by a request"));
    QCOMPARE(m_model->index(1, DenialsModel::HintColumn).data().toString(), QStringLiteral("closed"));
    QCOMPARE(m_model->index(2, DenialsModel::HintColumn).data().toString(), QStringLiteral("open, 5 min left"));
    QCOMPARE(m_model->hintsValid(), 1);

    m_clock->advanceSeconds(6 * 60);
    m_model->refreshTimes();
    QCOMPARE(m_model->index(2, DenialsModel::HintColumn).data().toString(), QStringLiteral("closed"));
    QCOMPARE(m_model->index(0, DenialsModel::HintColumn).data().toString(), QStringLiteral("used by a request"));
    QCOMPARE(m_model->hintsValid(), 0);
}

void tst_DenialsModel::sortRoleGivesRawValues()
{
    QCOMPARE(m_model->index(0, DenialsModel::TimeColumn).data(DenialsModel::SortRole).toLongLong(), NowMs - 5 * 60 * 1000);
    QCOMPARE(m_model->index(0, DenialsModel::HintColumn).data(DenialsModel::SortRole).toLongLong(), NowMs + 5 * 60 * 1000);
    m_model->addHardDenial(hardDenial(QStringLiteral("q4-budget")));
    QCOMPARE(m_model->index(1, DenialsModel::HardDenialsColumn).data(DenialsModel::SortRole).toInt(), 1);
}

QTEST_MAIN(tst_DenialsModel)
#include "tst_denialsmodel.moc"
