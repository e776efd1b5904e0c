#include "tests/ui/taskfixtures.h"
#include "ui/activityfilterproxy.h"
#include "ui/activitymodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Recourse::Testing;
using Recourse::Ui::ActivityFilterProxy;
using Recourse::Ui::ActivityModel;

namespace {

QJsonObject entity(const QString &type, const QString &id)
{
    return {{QStringLiteral("type"), type}, {QStringLiteral("id"), id}};
}

QJsonObject bound()
{
    return {{QStringLiteral("subject"), entity(QStringLiteral("user"), QStringLiteral("alice"))},
            {QStringLiteral("resource"), entity(QStringLiteral("log"), QStringLiteral("payments-provider"))},
            {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_read")}}}};
}

QJsonObject with(QJsonObject object, const QJsonObject &more)
{
    for (auto it = more.begin(); it != more.end(); ++it)
        object.insert(it.key(), it.value());
    return object;
}

} // namespace

class tst_ActivityModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void newestEventOnTop();
    void keepsOnlyCapacity();
    void burstIsOneInsertion();
    void columns_data();
    void columns();
    void proxyFiltersByKind_data();
    void proxyFiltersByKind();
    void proxyFollowsEviction();

private:
    std::unique_ptr<ActivityModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void tst_ActivityModel::init()
{
    m_model = std::make_unique<ActivityModel>(nullptr, 10);
    m_tester = std::make_unique<QAbstractItemModelTester>(m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void tst_ActivityModel::cleanup()
{
    m_tester.reset();
    m_model.reset();
}

void tst_ActivityModel::newestEventOnTop()
{
    m_model->addEvent(makeEvent(1, QStringLiteral("evaluation.denied.requestable"), {}, FixtureNowMs, bound()));
    QTRY_COMPARE(m_model->rowCount(), 1);
    m_model->addEvent(makeEvent(2, QStringLiteral("task.created"), QStringLiteral("arq_1"), FixtureNowMs + 1000, bound()));
    m_model->addEvent(makeEvent(3, QStringLiteral("task.approved"), QStringLiteral("arq_1"), FixtureNowMs + 2000,
                                {{QStringLiteral("status"), QStringLiteral("approved")}, {QStringLiteral("approver"), QStringLiteral("bob")}}));

    QTRY_COMPARE(m_model->rowCount(), 3);
    QCOMPARE(m_model->index(0, 0).data(ActivityModel::SeqRole).toLongLong(), 3);
    QCOMPARE(m_model->index(1, 0).data(ActivityModel::SeqRole).toLongLong(), 2);
    QCOMPARE(m_model->index(2, 0).data(ActivityModel::SeqRole).toLongLong(), 1);
    QCOMPARE(m_model->index(0, ActivityModel::TaskColumn).data(ActivityModel::TaskIdRole).toString(), QStringLiteral("arq_1"));
}

void tst_ActivityModel::keepsOnlyCapacity()
{
    for (int seq = 1; seq <= 7; ++seq)
        m_model->addEvent(makeEvent(seq, QStringLiteral("evaluation.permitted"), {}, FixtureNowMs, bound()));
    m_model->flush();
    for (int seq = 8; seq <= 25; ++seq)
        m_model->addEvent(makeEvent(seq, QStringLiteral("evaluation.permitted"), {}, FixtureNowMs, bound()));

    QTRY_COMPARE(m_model->index(0, 0).data(ActivityModel::SeqRole).toLongLong(), 25);
    QCOMPARE(m_model->rowCount(), 10);
    QCOMPARE(m_model->index(9, 0).data(ActivityModel::SeqRole).toLongLong(), 16);
}

void tst_ActivityModel::burstIsOneInsertion()
{
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);

    for (int seq = 1; seq <= 8; ++seq)
        m_model->addEvent(makeEvent(seq, QStringLiteral("evaluation.denied"), {}, FixtureNowMs, bound()));

    QTRY_COMPARE(m_model->rowCount(), 8);
    QCOMPARE(inserted.size(), 1);
}

void tst_ActivityModel::columns_data()
{
    QTest::addColumn<QJsonObject>("event");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("text");

    const QJsonObject reevaluationDenied = makeEvent(
        5, QStringLiteral("reevaluation.denied"), QStringLiteral("arq_9"), FixtureNowMs,
        with(bound(), {{QStringLiteral("decision"), false}, {QStringLiteral("reason"), QStringLiteral("approval_revoked")},
                       {QStringLiteral("next_action"), QStringLiteral("request")}, {QStringLiteral("approval_id"), QStringLiteral("apv_1")}}));
    const QJsonObject reevaluationAllowed = makeEvent(
        6, QStringLiteral("reevaluation.allowed"), QStringLiteral("arq_9"), FixtureNowMs,
        with(bound(), {{QStringLiteral("decision"), true}, {QStringLiteral("approval_id"), QStringLiteral("apv_1")}}));
    const QJsonObject requestable = makeEvent(
        1, QStringLiteral("evaluation.denied.requestable"), {}, FixtureNowMs,
        with(bound(), {{QStringLiteral("reason"), QStringLiteral("approval_required")},
                       {QStringLiteral("template"), QStringLiteral("security_review")}}));
    const QJsonObject progressed = makeEvent(
        3, QStringLiteral("task.progressed"), QStringLiteral("arq_9"), FixtureNowMs,
        {{QStringLiteral("status"), QStringLiteral("pending")}, {QStringLiteral("approver"), QStringLiteral("bob")},
         {QStringLiteral("decision"), QStringLiteral("approve")}, {QStringLiteral("step"), 1}});
    const QJsonObject itemDenied = makeEvent(
        5, QStringLiteral("task.progressed"), QStringLiteral("arq_9"), FixtureNowMs,
        {{QStringLiteral("status"), QStringLiteral("denied")}, {QStringLiteral("approver"), QStringLiteral("bob")},
         {QStringLiteral("decision"), QStringLiteral("deny")}, {QStringLiteral("item"), 2}, {QStringLiteral("step"), 1}});
    const QJsonObject denied = makeEvent(
        4, QStringLiteral("task.denied"), QStringLiteral("arq_9"), FixtureNowMs,
        {{QStringLiteral("status"), QStringLiteral("denied")}, {QStringLiteral("approver"), QStringLiteral("carol")}});

    const QJsonObject delivered = makeEvent(
        7, QStringLiteral("callback.delivered"), QStringLiteral("arq_9"), FixtureNowMs,
        with(bound(), {{QStringLiteral("event"), QStringLiteral("approved")}, {QStringLiteral("attempt"), 2},
                       {QStringLiteral("http_status"), 204}}));
    const QJsonObject attemptFailed = makeEvent(
        8, QStringLiteral("callback.attempt_failed"), QStringLiteral("arq_9"), FixtureNowMs,
        with(bound(), {{QStringLiteral("event"), QStringLiteral("approved")}, {QStringLiteral("attempt"), 1},
                       {QStringLiteral("http_status"), 503}}));
    const QJsonObject givenUp = makeEvent(
        9, QStringLiteral("callback.failed"), QStringLiteral("arq_9"), FixtureNowMs,
        with(bound(), {{QStringLiteral("event"), QStringLiteral("approved")}, {QStringLiteral("attempt"), 8},
                       {QStringLiteral("error"), QStringLiteral("Connection refused")}}));

    QTest::newRow("callback delivered") << delivered << int(ActivityModel::OutcomeColumn) << QStringLiteral("callback delivered (HTTP 204)");
    QTest::newRow("callback attempt failed") << attemptFailed << int(ActivityModel::OutcomeColumn) << QStringLiteral("callback attempt 1 failed");
    QTest::newRow("callback given up") << givenUp << int(ActivityModel::OutcomeColumn) << QStringLiteral("callback given up after attempt 8");
    QTest::newRow("callback task") << givenUp << int(ActivityModel::TaskColumn) << QStringLiteral("arq_9");
    QTest::newRow("re-evaluation denied outcome") << reevaluationDenied << int(ActivityModel::OutcomeColumn) << QStringLiteral("denied");
    QTest::newRow("re-evaluation denied reason") << reevaluationDenied << int(ActivityModel::ReasonColumn) << QStringLiteral("approval_revoked");
    QTest::newRow("re-evaluation denied next action") << reevaluationDenied << int(ActivityModel::NextActionColumn) << QStringLiteral("request");
    QTest::newRow("re-evaluation allowed outcome") << reevaluationAllowed << int(ActivityModel::OutcomeColumn) << QStringLiteral("allowed");
    QTest::newRow("re-evaluation type") << reevaluationAllowed << int(ActivityModel::TypeColumn) << QStringLiteral("reevaluation.allowed");
    QTest::newRow("task id") << reevaluationAllowed << int(ActivityModel::TaskColumn) << QStringLiteral("arq_9");
    QTest::newRow("requestable outcome") << requestable << int(ActivityModel::OutcomeColumn) << QStringLiteral("requestable");
    QTest::newRow("subject") << requestable << int(ActivityModel::SubjectColumn) << QStringLiteral("user alice");
    QTest::newRow("resource") << requestable << int(ActivityModel::ResourceColumn) << QStringLiteral("log payments-provider");
    QTest::newRow("action") << requestable << int(ActivityModel::ActionColumn) << QStringLiteral("can_read");
    QTest::newRow("progressed names the approver") << progressed << int(ActivityModel::OutcomeColumn) << QStringLiteral("step 1 approved by bob");
    const QJsonObject bulkCreated = makeEvent(
        6, QStringLiteral("task.created"), QStringLiteral("arq_10"), FixtureNowMs,
        {{QStringLiteral("status"), QStringLiteral("pending")},
         {QStringLiteral("pairs"),
          QJsonArray{QJsonObject{{QStringLiteral("resource"), QJsonObject{{QStringLiteral("type"), QStringLiteral("tool")}, {QStringLiteral("id"), QStringLiteral("refunds")}}},
                                 {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_call")}}}},
                     QJsonObject{{QStringLiteral("resource"), QJsonObject{{QStringLiteral("type"), QStringLiteral("tool")}, {QStringLiteral("id"), QStringLiteral("payouts")}}},
                                 {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_call")}}}}}}});
    QTest::newRow("bulk created resources") << bulkCreated << int(ActivityModel::ResourceColumn) << QStringLiteral("tool refunds, tool payouts");
    QTest::newRow("bulk created action") << bulkCreated << int(ActivityModel::ActionColumn) << QStringLiteral("can_call");
    QTest::newRow("bulk item denied") << itemDenied << int(ActivityModel::OutcomeColumn) << QStringLiteral("item 3 denied by bob");
    QTest::newRow("task denied by approver") << denied << int(ActivityModel::OutcomeColumn) << QStringLiteral("Denied by carol");
}

void tst_ActivityModel::columns()
{
    QFETCH(QJsonObject, event);
    QFETCH(int, column);
    QFETCH(QString, text);

    m_model->addEvent(event);
    m_model->flush();

    QCOMPARE(m_model->rowCount(), 1);
    QCOMPARE(m_model->index(0, column).data().toString(), text);
}

void tst_ActivityModel::proxyFiltersByKind_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QStringList>("types");

    QTest::newRow("all") << int(ActivityFilterProxy::Kind::All)
                         << QStringList{u"callback.delivered"_qs, u"approval.revoked"_qs, u"reevaluation.allowed"_qs,
                                        u"task.approved"_qs, u"evaluation.denied.requestable"_qs, u"evaluation.permitted"_qs};
    QTest::newRow("evaluations") << int(ActivityFilterProxy::Kind::Evaluations) << QStringList{u"evaluation.permitted"_qs};
    QTest::newRow("requestable") << int(ActivityFilterProxy::Kind::RequestableDenials)
                                 << QStringList{u"evaluation.denied.requestable"_qs};
    QTest::newRow("tasks") << int(ActivityFilterProxy::Kind::Tasks) << QStringList{u"task.approved"_qs};
    QTest::newRow("re-evaluations") << int(ActivityFilterProxy::Kind::Reevaluations) << QStringList{u"reevaluation.allowed"_qs};
    QTest::newRow("revocations") << int(ActivityFilterProxy::Kind::Revocations) << QStringList{u"approval.revoked"_qs};
    QTest::newRow("callbacks") << int(ActivityFilterProxy::Kind::Callbacks) << QStringList{u"callback.delivered"_qs};
}

void tst_ActivityModel::proxyFiltersByKind()
{
    QFETCH(int, kind);
    QFETCH(QStringList, types);

    ActivityFilterProxy proxy;
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.setSourceModel(m_model.get());
    const QStringList sent{u"evaluation.permitted"_qs, u"evaluation.denied.requestable"_qs, u"task.approved"_qs,
                           u"reevaluation.allowed"_qs, u"approval.revoked"_qs, u"callback.delivered"_qs};
    for (qsizetype i = 0; i < sent.size(); ++i)
        m_model->addEvent(makeEvent(i + 1, sent.at(i), QStringLiteral("arq_1"), FixtureNowMs + i, bound()));
    m_model->flush();

    proxy.setKind(ActivityFilterProxy::Kind(kind));

    QStringList shown;
    for (int row = 0; row < proxy.rowCount(); ++row)
        shown.append(proxy.index(row, 0).data(ActivityModel::TypeRole).toString());
    QCOMPARE(shown, types);
}

void tst_ActivityModel::proxyFollowsEviction()
{
    // The model keeps 10 rows, so older rows leave it while the proxy filters and sorts.
    ActivityFilterProxy proxy;
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.setSourceModel(m_model.get());
    proxy.setKind(ActivityFilterProxy::Kind::Tasks);
    proxy.setFilterFixedString(QStringLiteral("ARQ_7"));

    for (int i = 1; i <= 14; ++i) {
        const QString type = i % 2 ? QStringLiteral("task.created") : QStringLiteral("evaluation.permitted");
        m_model->addEvent(makeEvent(i, type, QStringLiteral("arq_%1").arg(i), FixtureNowMs + i, bound()));
        m_model->flush();
    }

    QCOMPARE(m_model->rowCount(), 10);
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(proxy.index(0, 0).data(ActivityModel::TaskIdRole).toString(), QStringLiteral("arq_7"));

    for (int i = 15; i <= 18; ++i) {
        m_model->addEvent(makeEvent(i, QStringLiteral("task.created"), QStringLiteral("arq_%1").arg(i), FixtureNowMs + i, bound()));
        m_model->flush();
    }
    QCOMPARE(proxy.rowCount(), 0);
}

QTEST_MAIN(tst_ActivityModel)
#include "tst_activitymodel.moc"
