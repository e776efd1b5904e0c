// The console's Callbacks tab against the real service. A PEP requests a callback, and the
// receiver on 127.0.0.1 rejects the first notification and accepts the retry. The open task
// detail and the live activity show each attempt as it ends, without a manual refresh.

#include "tests/integration/callbackreceiver.h"
#include "tests/ui/consolefixture.h"
#include "ui/taskdetailwidget.h"

#include <QDir>
#include <QJsonArray>
#include <QLabel>
#include <QTreeWidget>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

const QString kReceiverHost = QStringLiteral("pep.internal.test");

// Returns the activity row of `type` for `taskId`, or -1 when there is none.
int activityRow(const Ui::ActivityModel *activity, const QString &type, const QString &taskId)
{
    for (int row = 0; row < activity->rowCount(); ++row) {
        const QModelIndex index = activity->index(row, 0);
        if (index.data(Ui::ActivityModel::TypeRole).toString() == type
            && index.data(Ui::ActivityModel::TaskIdRole).toString() == taskId)
            return row;
    }
    return -1;
}

} // namespace

class tst_CallbackDeliveries : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void deliveryLogFollowsAttempts();

private:
    QString endpoint() const { return QStringLiteral("https://%1:%2/hooks/access").arg(kReceiverHost).arg(m_receiver->port()); }
    bool deliverNow();
    QTreeWidget *callbacksTree() const;

    QTemporaryDir m_dir;
    std::unique_ptr<Receiver> m_receiver;
    std::shared_ptr<FakeResolver> m_resolver;
    std::unique_ptr<ServiceFixture> m_service;
    std::unique_ptr<Console> m_bob;
};

void tst_CallbackDeliveries::init()
{
    QVERIFY(m_dir.isValid());
    m_receiver = std::make_unique<Receiver>();
    QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("receiver")));
    QVERIFY(m_receiver->listen(m_dir.filePath(QStringLiteral("receiver")), kReceiverHost));
    m_resolver = std::make_shared<FakeResolver>();
    m_resolver->answers.insert(kReceiverHost, {QHostAddress(QHostAddress::LocalHost)});

    // pep-a signs its notifications; the receiver on 127.0.0.1 is allowed as an internal origin.
    QJsonObject config = ServiceFixture::identityConfig();
    QJsonArray identities = config.value(u"identities").toArray();
    for (qsizetype i = 0; i < identities.size(); ++i) {
        QJsonObject identity = identities.at(i).toObject();
        if (identity.value(u"id").toString() != QLatin1String("pep-a"))
            continue;
        identity.insert(QStringLiteral("callback_secret"), QStringLiteral("callback-secret-of-pep-a-for-the-console"));
        identities.replace(i, identity);
    }
    config.insert(QStringLiteral("identities"), identities);
    config.insert(QStringLiteral("callback_allowlist"),
                  QJsonArray{QJsonObject{{QStringLiteral("origin"), QStringLiteral("https://%1:%2").arg(kReceiverHost).arg(m_receiver->port())},
                                         {QStringLiteral("internal"), true}}});
    config.insert(QStringLiteral("callback_ca_file"), m_receiver->certificatePath());

    m_service = std::make_unique<ServiceFixture>(QStringLiteral("arap-conformance"));
    m_service->setConfigure([config, resolver = m_resolver](Service::ServiceOptions &options) {
        options.config = config;
        options.callbackResolver = resolver;
    });
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
    m_bob = openConsole(*m_service, Tokens::bob, m_dir.filePath(QStringLiteral("bob.ini")));
    QVERIFY(m_bob);
}

void tst_CallbackDeliveries::cleanup()
{
    m_bob.reset();
    m_service.reset();
    m_resolver.reset();
    m_receiver.reset();
}

bool tst_CallbackDeliveries::deliverNow()
{
    bool done = false;
    m_service->host()->deliverDueCallbacks([&done] { done = true; });
    return QTest::qWaitFor([&done] { return done; }, 15000);
}

QTreeWidget *tst_CallbackDeliveries::callbacksTree() const
{
    return m_bob->window->detailWidget()->findChild<QTreeWidget *>(QStringLiteral("callbacksTree"));
}

void tst_CallbackDeliveries::deliveryLogFollowsAttempts()
{
    // Given a pending task whose PEP asked to be notified, open in bob's console;
    QJsonObject submission = m_service->freshSubmission(documentRequest(QStringLiteral("q4-plan")));
    submission.insert(QStringLiteral("callback"), QJsonObject{{QStringLiteral("endpoint"), endpoint()}});
    const HttpResponse submitted = m_service->submit(submission);
    QCOMPARE(submitted.status, 202);
    const QString taskId = submitted.json.value(u"task").toObject().value(u"id").toString();
    QVERIFY(showTask(*m_bob, taskId));
    auto *summary = m_bob->window->detailWidget()->findChild<QLabel *>(QStringLiteral("callbackSummaryLabel"));
    QVERIFY(summary);
    QTRY_VERIFY2(summary->text().contains(endpoint()), qPrintable(summary->text()));
    QTreeWidget *tree = callbacksTree();
    QVERIFY(tree);
    QCOMPARE(tree->topLevelItemCount(), 0);
    QVERIFY2(summary->text().contains(u"Nothing has been sent yet"), qPrintable(summary->text()));
    QVERIFY(tree->isHidden());

    // when the task is approved and the receiver rejects the first notification,
    m_receiver->script = {503};
    QCOMPARE(m_service->approve(taskId, Tokens::bob).status, 200);
    QTRY_COMPARE(m_bob->window->detailWidget()->task().value(u"status").toString(), QStringLiteral("approved"));
    QTRY_COMPARE(tree->topLevelItemCount(), 1);
    QVERIFY(!tree->isHidden());
    QVERIFY(!summary->text().contains(u"Nothing has been sent yet"));
    QCOMPARE(tree->topLevelItem(0)->text(1), QStringLiteral("queued"));
    QCOMPARE(tree->topLevelItem(0)->childCount(), 0);
    QVERIFY(deliverNow());
    QCOMPARE(m_receiver->requests.size(), 1);

    // then the open detail shows the retry and the rejected attempt, updated by the attempt's event;
    QTRY_COMPARE(tree->topLevelItem(0)->childCount(), 1);
    QTreeWidgetItem *delivery = tree->topLevelItem(0);
    QCOMPARE(delivery->text(1), QStringLiteral("retrying"));
    QCOMPARE(delivery->text(0), QStringLiteral("approved"));
    QCOMPARE(delivery->child(0)->text(0), QStringLiteral("attempt 1"));
    QCOMPARE(delivery->child(0)->text(4), QStringLiteral("127.0.0.1"));
    QVERIFY2(delivery->child(0)->text(5).startsWith(u"HTTP 503"), qPrintable(delivery->child(0)->text(5)));
    Ui::ActivityModel *activity = m_bob->window->activityModel();
    QTRY_VERIFY(activityRow(activity, QStringLiteral("callback.attempt_failed"), taskId) >= 0);
    const int failedRow = activityRow(activity, QStringLiteral("callback.attempt_failed"), taskId);
    QCOMPARE(activity->index(failedRow, Ui::ActivityModel::OutcomeColumn).data().toString(),
             QStringLiteral("callback attempt 1 failed"));

    // and once the retry is due and accepted, the delivery turns delivered with both attempts.
    m_service->clock().advanceSeconds(10);
    QVERIFY(deliverNow());
    QCOMPARE(m_receiver->requests.size(), 2);
    QTRY_COMPARE(tree->topLevelItem(0)->text(1), QStringLiteral("delivered"));
    delivery = tree->topLevelItem(0);
    QCOMPARE(delivery->text(2), QStringLiteral("2"));
    QCOMPARE(delivery->childCount(), 2);
    QVERIFY2(delivery->child(1)->text(5).startsWith(u"HTTP 200"), qPrintable(delivery->child(1)->text(5)));
    QTRY_VERIFY(activityRow(activity, QStringLiteral("callback.delivered"), taskId) >= 0);
    const int deliveredRow = activityRow(activity, QStringLiteral("callback.delivered"), taskId);
    QCOMPARE(activity->index(deliveredRow, Ui::ActivityModel::OutcomeColumn).data().toString(),
             QStringLiteral("callback delivered (HTTP 200)"));
}

QTEST_MAIN(tst_CallbackDeliveries)
#include "tst_callbackdeliveries.moc"
