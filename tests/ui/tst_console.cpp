// The console against the real service: ServiceHost on 127.0.0.1 with the demo policy pack, a PEP
// speaking plain HTTP, and bob approving in the real MainWindow.

#include "core/service/servicehost.h"
#include "ui/activitymodel.h"
#include "ui/inboxmodel.h"
#include "ui/mainwindow.h"
#include "ui/taskdetailwidget.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

using namespace Recourse;

namespace {

// The identity file shape every harness uses. With a multi-line raw string above the class,
// moc (Qt 6.4) generated no meta-object for it, so the document is built from joined lines.
QJsonObject serviceConfig()
{
    const QByteArray text = "{\"identities\": ["
                            "{\"id\": \"pep-a\", \"role\": \"pep\", \"token\": \"pep-a-secret\"},"
                            "{\"id\": \"bob\", \"role\": \"approver\", \"groups\": [\"managers\"], \"token\": \"bob-secret\"},"
                            "{\"id\": \"carol\", \"role\": \"approver\", \"groups\": [\"security\"], \"token\": \"carol-secret\"},"
                            "{\"id\": \"alice\", \"role\": \"approver\", \"groups\": [\"managers\"], \"token\": \"alice-secret\"},"
                            "{\"id\": \"audit-1\", \"role\": \"auditor\", \"token\": \"audit-secret\"}],"
                            "\"callback_allowlist\": [\"https://cb.example.test\"],"
                            "\"clock_skew_seconds\": 30}";
    return QJsonDocument::fromJson(text).object();
}

struct Exchange
{
    int status = 0;
    QJsonObject body;
};

// The demo pack's support agent: sam's AI agent asking to read the payment-provider log.
QJsonObject logRequest()
{
    const QJsonObject subject{
        {QStringLiteral("type"), QStringLiteral("user")},
        {QStringLiteral("id"), QStringLiteral("sam")},
        {QStringLiteral("properties"),
         QJsonObject{{QStringLiteral("department"), QStringLiteral("support")},
                     {QStringLiteral("act"), QJsonObject{{QStringLiteral("sub"), QStringLiteral("support-agent-7")},
                                                         {QStringLiteral("sub_profile"), QStringLiteral("ai_agent")}}}}}};
    return {{QStringLiteral("subject"), subject},
            {QStringLiteral("resource"), QJsonObject{{QStringLiteral("type"), QStringLiteral("log")},
                                                      {QStringLiteral("id"), QStringLiteral("payments-provider")}}},
            {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("read")}}},
            {QStringLiteral("context"), QJsonObject{{QStringLiteral("tenant"), QStringLiteral("acme")}}}};
}

} // namespace

class tst_Console : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void approveRequestableDenial();

private:
    // Sends one PEP call with pep-a's token and waits for the reply (std::nullopt on time-out).
    std::optional<Exchange> pepCall(const QByteArray &method, const QString &pathOrUrl, const QJsonObject &body = {});
    QString labelText(const char *name) const;

    QTemporaryDir m_dir;
    QNetworkAccessManager m_pepNetwork;
    std::unique_ptr<Service::ServiceHost> m_service;
    std::unique_ptr<Client::ApproverClient> m_client;
    std::unique_ptr<Client::EventStreamClient> m_events;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<Ui::MainWindow> m_window;
    std::unique_ptr<QAbstractItemModelTester> m_inboxTester;
    std::unique_ptr<QAbstractItemModelTester> m_activityTester;
};

void tst_Console::init()
{
    QVERIFY(m_dir.isValid());
    Service::ServiceOptions options;
    options.address = QHostAddress::LocalHost;
    options.port = 0;
    options.dataDir = m_dir.filePath(QStringLiteral("data"));
    options.policy = QStringLiteral("demo");
    options.config = serviceConfig();
    QVERIFY(!options.config.isEmpty());
    auto started = Service::ServiceHost::start(options);
    QVERIFY2(started.ok(), started.ok() ? "" : qPrintable(started.error().message));
    m_service = std::move(started).value();

    m_client = std::make_unique<Client::ApproverClient>(m_service->baseUrl(), QStringLiteral("bob-secret"));
    m_events = std::make_unique<Client::EventStreamClient>(m_service->baseUrl(), QStringLiteral("bob-secret"));
    m_settings = std::make_unique<QSettings>(m_dir.filePath(QStringLiteral("console.ini")), QSettings::IniFormat);
    m_window = std::make_unique<Ui::MainWindow>(m_client.get(), m_events.get(), Ui::MainWindowOptions{m_settings.get(), {}});
    // Attached before the first page and the first event arrive.
    m_inboxTester = std::make_unique<QAbstractItemModelTester>(m_window->inboxModel(),
                                                               QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_activityTester = std::make_unique<QAbstractItemModelTester>(m_window->activityModel(),
                                                                  QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void tst_Console::cleanup()
{
    m_activityTester.reset();
    m_inboxTester.reset();
    m_window.reset();
    m_events.reset();
    m_client.reset();
    m_settings.reset();
    m_service.reset();
}

std::optional<Exchange> tst_Console::pepCall(const QByteArray &method, const QString &pathOrUrl, const QJsonObject &body)
{
    const QUrl url = pathOrUrl.startsWith(u'/') ? m_service->baseUrl().resolved(QUrl(pathOrUrl)) : QUrl(pathOrUrl);
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer pep-a-secret");
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (method == "POST" && url.path() == u"/access/v1/requests")
        request.setRawHeader("Idempotency-Key", "idem-console-test-1");
    QNetworkReply *reply = method == "POST" ? m_pepNetwork.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact))
                                            : m_pepNetwork.get(request);
    reply->setParent(this);

    // QTRY_* returns from the calling function, so a helper waits with the primitive it uses.
    if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, 10000))
        return std::nullopt;
    Exchange exchange{reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                      QJsonDocument::fromJson(reply->readAll()).object()};
    reply->deleteLater();
    return exchange;
}

QString tst_Console::labelText(const char *name) const
{
    const auto *label = m_window->findChild<QLabel *>(QString::fromLatin1(name));
    return label ? label->text() : QString();
}

void tst_Console::approveRequestableDenial()
{
    QTRY_COMPARE(labelText("identityLabel"), QStringLiteral("Signed in as bob (approver: managers)"));
    QTRY_COMPARE(labelText("connectionLabel"), QStringLiteral("● Live"));

    // Given a requestable denial for sam's agent on the payment-provider log,
    const auto denied = pepCall("POST", QStringLiteral("/access/v1/evaluation"), logRequest());
    QVERIFY(denied);
    QCOMPARE(denied->status, 200);
    QCOMPARE(denied->body.value(u"decision").toBool(true), false);
    const QJsonObject context = denied->body.value(u"context").toObject();
    const QJsonObject accessRequest = context.value(u"access_request").toObject();
    QVERIFY2(!accessRequest.isEmpty(), QJsonDocument(denied->body).toJson().constData());

    // when the PEP submits an access request that echoes the denial,
    QJsonObject denial{{QStringLiteral("expires_at"), accessRequest.value(u"expires_at")},
                       {QStringLiteral("binding_token"), accessRequest.value(u"binding_token")},
                       {QStringLiteral("template"), accessRequest.value(u"template")}};
    for (const auto member : {u"evaluation_id", u"evaluated_at", u"reason"}) {
        if (context.contains(member))
            denial.insert(QString::fromUtf16(member), context.value(member));
    }
    QJsonObject submission = logRequest();
    QJsonObject submittedContext = submission.value(u"context").toObject();
    submittedContext.insert(QStringLiteral("business_justification"), QStringLiteral("Failed card charge on invoice-2291"));
    submission.insert(QStringLiteral("context"), submittedContext);
    submission.insert(QStringLiteral("denial"), denial);
    const auto submitted = pepCall("POST", accessRequest.value(u"endpoint").toString(QStringLiteral("/access/v1/requests")),
                                   submission);
    QVERIFY(submitted);
    QVERIFY2(submitted->status == 202, QJsonDocument(submitted->body).toJson().constData());
    const QJsonObject handle = submitted->body.value(u"task").toObject();
    const QString taskId = handle.value(u"id").toString();
    QVERIFY(!taskId.isEmpty());

    // then the task appears in the inbox, live.
    Ui::InboxModel *inbox = m_window->inboxModel();
    QTRY_VERIFY(inbox->indexOfTask(taskId).isValid());
    QCOMPARE(inbox->indexOfTask(taskId).data(Ui::InboxModel::StatusRole).toString(), QStringLiteral("pending"));
    QTRY_COMPARE(m_window->windowTitle(), QStringLiteral("Recourse — 1 pending"));

    // bob selects it and clicks Approve,
    QTableView *view = m_window->inboxView();
    auto *proxy = qobject_cast<QSortFilterProxyModel *>(view->model());
    QVERIFY(proxy);
    const QModelIndex row = proxy->mapFromSource(inbox->indexOfTask(taskId, Ui::InboxModel::SubjectColumn));
    QVERIFY(row.isValid());
    view->scrollTo(row);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(row).center());
    QCOMPARE(view->currentIndex().data(Ui::InboxModel::TaskIdRole).toString(), taskId);
    auto *approve = m_window->findChild<QPushButton *>(QStringLiteral("approveButton"));
    QVERIFY(approve);
    QTRY_VERIFY(approve->isEnabled());
    QTRY_COMPARE(m_window->detailWidget()->task().value(u"id").toString(), taskId);
    QTest::mouseClick(approve, Qt::LeftButton);

    // and the task is approved in the detail view, the inbox and the title.
    QTRY_COMPARE(m_window->detailWidget()->task().value(u"status").toString(), QStringLiteral("approved"));
    QTRY_COMPARE(inbox->indexOfTask(taskId).data(Ui::InboxModel::StatusRole).toString(), QStringLiteral("approved"));
    QTRY_COMPARE(m_window->windowTitle(), QStringLiteral("Recourse — 0 pending"));
    QVERIFY(!approve->isEnabled());

    // When the PEP collects the approval and re-evaluates with context.approval,
    const auto status = pepCall("GET", handle.value(u"status_endpoint").toString());
    QVERIFY(status);
    QCOMPARE(status->status, 200);
    const QJsonObject approval = status->body.value(u"result").toObject().value(u"approval").toObject();
    QVERIFY2(!approval.isEmpty(), QJsonDocument(status->body).toJson().constData());
    QJsonObject reevaluation = logRequest();
    QJsonObject reevaluationContext = reevaluation.value(u"context").toObject();
    reevaluationContext.insert(QStringLiteral("approval"), approval);
    reevaluation.insert(QStringLiteral("context"), reevaluationContext);
    const auto permitted = pepCall("POST", QStringLiteral("/access/v1/evaluation"), reevaluation);
    QVERIFY(permitted);
    QCOMPARE(permitted->status, 200);
    QCOMPARE(permitted->body.value(u"decision").toBool(), true);

    // then the live activity feed shows the allowed re-evaluation, linked to the task.
    Ui::ActivityModel *activity = m_window->activityModel();
    QTRY_COMPARE(activity->index(0, 0).data(Ui::ActivityModel::TypeRole).toString(), QStringLiteral("reevaluation.allowed"));
    QCOMPARE(activity->index(0, 0).data(Ui::ActivityModel::TaskIdRole).toString(), taskId);
    QCOMPARE(activity->index(0, Ui::ActivityModel::OutcomeColumn).data().toString(), QStringLiteral("allowed"));
    QStringList types;
    for (int i = 0; i < activity->rowCount(); ++i)
        types.append(activity->index(i, 0).data(Ui::ActivityModel::TypeRole).toString());
    QVERIFY2(types.contains(QStringLiteral("evaluation.denied.requestable")), qPrintable(types.join(u',')));
    QVERIFY2(types.contains(QStringLiteral("task.created")), qPrintable(types.join(u',')));
    QVERIFY2(types.contains(QStringLiteral("task.approved")), qPrintable(types.join(u',')));

    // and the detail view lists the re-evaluation under the approval.
    QTRY_COMPARE(m_window->detailWidget()->task().value(u"reevaluations").toArray().size(), 1);
}

QTEST_MAIN(tst_Console)
#include "tst_console.moc"
