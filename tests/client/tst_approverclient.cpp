// Client-protocol tests: ApproverClient against a fake approver service that records requests.

#include "core/client/approverclient.h"
#include "tests/client/fakeapproverservice.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>
#include <QUrlQuery>

#include <memory>
#include <optional>

using namespace Recourse;
using Recourse::Client::ApproverClient;
using Recourse::Testing::FakeApproverService;
using Recourse::Testing::FakeHttpRequest;
using Recourse::Testing::FakeHttpResponse;

namespace {

enum class Call { Whoami, ListTasks, Task, Approve, Deny, Batch, Revoke, Preview, Denials, Audit, VerifyAudit };

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

class tst_ApproverClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void sendsRequest_data();
    void sendsRequest();
    void deliversJsonObject();
    void wrapsTopLevelArray();
    void readsNamesBeyondBmp();
    void problemBecomesError();
    void invalidJsonBecomesError();
    void unreachableServiceBecomesError();
    void redirectIsNotFollowed();
    void destroyedContextDropsCallback();

private:
    std::optional<Result<QJsonObject>> callAndWait(const std::function<void(ApproverClient &, QObject *, ApproverClient::Callback)> &call);

    std::unique_ptr<FakeApproverService> m_service;
    std::unique_ptr<ApproverClient> m_client;
};

void tst_ApproverClient::init()
{
    m_service = std::make_unique<FakeApproverService>();
    QVERIFY(m_service->listen());
    m_client = std::make_unique<ApproverClient>(m_service->baseUrl(), QStringLiteral("bob-secret"));
}

void tst_ApproverClient::cleanup()
{
    m_client.reset();
    m_service.reset();
}

std::optional<Result<QJsonObject>> tst_ApproverClient::callAndWait(
    const std::function<void(ApproverClient &, QObject *, ApproverClient::Callback)> &call)
{
    std::optional<Result<QJsonObject>> result;
    call(*m_client, this, [&result](Result<QJsonObject> reply) { result = std::move(reply); });
    // The QTRY_* macros return void, so wait with the function they are built on.
    [[maybe_unused]] const bool arrived = QTest::qWaitFor([&result] { return result.has_value(); }, 5000);
    return result;
}

void tst_ApproverClient::sendsRequest_data()
{
    QTest::addColumn<int>("call");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("query");
    QTest::addColumn<QJsonObject>("body");

    QTest::newRow("whoami") << int(Call::Whoami) << QByteArray("GET") << QStringLiteral("/admin/v1/whoami") << QString()
                            << QJsonObject();
    QTest::newRow("list tasks with filter")
        << int(Call::ListTasks) << QByteArray("GET") << QStringLiteral("/admin/v1/tasks")
        << QStringLiteral("cursor=c2&limit=50&status=pending,approved&template=manager_approval&subject=alice&q=q4 plan")
        << QJsonObject();
    QTest::newRow("task id is percent-encoded") << int(Call::Task) << QByteArray("GET")
                                                << QStringLiteral("/admin/v1/tasks/arq_A%2FB") << QString() << QJsonObject();
    QTest::newRow("approve") << int(Call::Approve) << QByteArray("POST")
                             << QStringLiteral("/admin/v1/tasks/arq_1/approve") << QString()
                             << QJsonObject{{QStringLiteral("comment"), QStringLiteral("ok for the audit")}};
    QTest::newRow("deny") << int(Call::Deny) << QByteArray("POST") << QStringLiteral("/admin/v1/tasks/arq_1/deny")
                          << QString() << QJsonObject{{QStringLiteral("reason"), QStringLiteral("not needed")}};
    QTest::newRow("batch") << int(Call::Batch) << QByteArray("POST") << QStringLiteral("/admin/v1/tasks:batch") << QString()
                           << QJsonObject{{QStringLiteral("decisions"),
                                           QJsonArray{QJsonObject{{QStringLiteral("task_id"), QStringLiteral("arq_1")},
                                                                  {QStringLiteral("decision"), QStringLiteral("approve")}}}}};
    QTest::newRow("revoke") << int(Call::Revoke) << QByteArray("POST") << QStringLiteral("/admin/v1/approvals/apv_9/revoke")
                            << QString() << QJsonObject{{QStringLiteral("comment"), QStringLiteral("mission over")}};
    QTest::newRow("preview") << int(Call::Preview) << QByteArray("POST") << QStringLiteral("/admin/v1/preview") << QString()
                             << QJsonObject{{QStringLiteral("task_id"), QStringLiteral("arq_1")}};
    QTest::newRow("denials page") << int(Call::Denials) << QByteArray("GET") << QStringLiteral("/admin/v1/denials")
                                  << QStringLiteral("cursor=abc&limit=20") << QJsonObject();
    QTest::newRow("audit query") << int(Call::Audit) << QByteArray("GET") << QStringLiteral("/admin/v1/audit")
                                 << QStringLiteral("task_id=arq_1&since=2026-12-04T10:00:00Z") << QJsonObject();
    QTest::newRow("verify audit") << int(Call::VerifyAudit) << QByteArray("GET") << QStringLiteral("/admin/v1/audit/verify")
                                  << QString() << QJsonObject();
}

void tst_ApproverClient::sendsRequest()
{
    QFETCH(int, call);
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QString, query);
    QFETCH(QJsonObject, body);

    const auto result = callAndWait([&](ApproverClient &client, QObject *context, ApproverClient::Callback done) {
        switch (Call(call)) {
        case Call::Whoami:
            return client.whoami(context, std::move(done));
        case Call::ListTasks: {
            Client::TaskFilter filter;
            filter.statuses = {QStringLiteral("pending"), QStringLiteral("approved")};
            filter.templateName = QStringLiteral("manager_approval");
            filter.subject = QStringLiteral("alice");
            filter.query = QStringLiteral("q4 plan");
            return client.listTasks(filter, QStringLiteral("c2"), 50, context, std::move(done));
        }
        case Call::Task:
            return client.task(QStringLiteral("arq_A/B"), context, std::move(done));
        case Call::Approve:
        case Call::Deny:
            return Call(call) == Call::Approve ? client.approve(QStringLiteral("arq_1"), body, context, std::move(done))
                                               : client.deny(QStringLiteral("arq_1"), body, context, std::move(done));
        case Call::Batch:
            return client.decideBatch(body.value(u"decisions").toArray(), context, std::move(done));
        case Call::Revoke:
            return client.revoke(QStringLiteral("apv_9"), QStringLiteral("mission over"), context, std::move(done));
        case Call::Preview:
            return client.preview(body, context, std::move(done));
        case Call::Denials:
            return client.listDenials(QStringLiteral("abc"), 20, context, std::move(done));
        case Call::Audit: {
            Client::AuditQuery audit;
            audit.taskId = QStringLiteral("arq_1");
            audit.since = QStringLiteral("2026-12-04T10:00:00Z");
            return client.audit(audit, context, std::move(done));
        }
        case Call::VerifyAudit:
            return client.verifyAudit(context, std::move(done));
        }
    });
    QVERIFY(result.has_value());
    QVERIFY(result->ok());

    QCOMPARE(m_service->requests.size(), 1);
    const FakeHttpRequest &sent = m_service->requests.first();
    QCOMPARE(sent.method, method);
    QCOMPARE(sent.path(), path);
    QCOMPARE(QUrlQuery(sent.query()).toString(QUrl::FullyDecoded), QUrlQuery(query).toString(QUrl::FullyDecoded));
    QCOMPARE(sent.headers.value("authorization"), QByteArray("Bearer bob-secret"));
    if (method == "POST") {
        QCOMPARE(sent.headers.value("content-type"), QByteArray("application/json"));
        QCOMPARE(QJsonDocument::fromJson(sent.body).object(), body);
    }
}

void tst_ApproverClient::deliversJsonObject()
{
    const QJsonObject whoami{{QStringLiteral("id"), QStringLiteral("bob")},
                             {QStringLiteral("role"), QStringLiteral("approver")},
                             {QStringLiteral("groups"), QJsonArray{QStringLiteral("managers")}}};
    m_service->handler = [&](const FakeHttpRequest &) { return FakeHttpResponse{200, "application/json", json(whoami), {}}; };

    const auto result = callAndWait([](ApproverClient &client, QObject *context, ApproverClient::Callback done) {
        client.whoami(context, std::move(done));
    });

    QVERIFY(result.has_value());
    QVERIFY(result->ok());
    QCOMPARE(result->value(), whoami);
}

void tst_ApproverClient::wrapsTopLevelArray()
{
    m_service->handler = [](const FakeHttpRequest &) {
        return FakeHttpResponse{200, "application/json", R"([{"seq":1},{"seq":2}])", {}};
    };

    const auto result = callAndWait([](ApproverClient &client, QObject *context, ApproverClient::Callback done) {
        client.audit({}, context, std::move(done));
    });

    QVERIFY(result.has_value());
    QVERIFY(result->ok());
    QCOMPARE(result->value().value(u"items").toArray().size(), 2);
}

// Qt 6.4's parser misorders member names with characters beyond U+FFFF next to names with
// escapes, so that value() misses the member "\U0001F600" in the nested object below.
void tst_ApproverClient::readsNamesBeyondBmp()
{
    m_service->handler = [](const FakeHttpRequest &) {
        return FakeHttpResponse{200, "application/json",
                                "{\"properties\":{\"\xF0\x9F\x98\x80\\n\":1,\"\xEF\xAC\xB3\":2,"
                                "\"plain\":{\"\xF0\x9F\x98\x80\":3,\"\xEF\xAC\xB3\\t\":4}}}",
                                {}};
    };

    const auto result = callAndWait([](ApproverClient &client, QObject *context, ApproverClient::Callback done) {
        client.task(QStringLiteral("arq_1"), context, std::move(done));
    });

    QVERIFY(result.has_value());
    QVERIFY(result->ok());
    const QJsonObject properties = result->value().value(u"properties").toObject();
    QCOMPARE(properties.value(QStringLiteral("\U0001F600\n")).toInt(), 1);
    QCOMPARE(properties.value(QStringLiteral("\uFB33")).toInt(), 2);
    QCOMPARE(properties.value(u"plain").toObject().value(QStringLiteral("\U0001F600")).toInt(), 3);
    QCOMPARE(properties.value(u"plain").toObject().value(QStringLiteral("\uFB33\t")).toInt(), 4);
}

void tst_ApproverClient::problemBecomesError()
{
    m_service->handler = [](const FakeHttpRequest &) {
        return FakeHttpResponse{409, "application/problem+json",
                                R"({"type":"urn:openid:authzen:access-request:error:invalid_task_state",)"
                                R"("title":"Invalid task state","status":409,"detail":"Task arq_1 is already approved."})",
                                {}};
    };

    const auto result = callAndWait([](ApproverClient &client, QObject *context, ApproverClient::Callback done) {
        client.approve(QStringLiteral("arq_1"), {}, context, std::move(done));
    });

    QVERIFY(result.has_value());
    QVERIFY(!result->ok());
    QCOMPARE(result->error().code, ErrorCode::InvalidTaskState);
    QCOMPARE(result->error().message, QStringLiteral("Task arq_1 is already approved."));
}

void tst_ApproverClient::invalidJsonBecomesError()
{
    m_service->handler = [](const FakeHttpRequest &) { return FakeHttpResponse{200, "application/json", "{\"tasks\": [", {}}; };

    const auto result = callAndWait([](ApproverClient &client, QObject *context, ApproverClient::Callback done) {
        client.listTasks({}, {}, 0, context, std::move(done));
    });

    QVERIFY(result.has_value());
    QVERIFY(!result->ok());
    QCOMPARE(result->error().code, ErrorCode::InvalidJson);
}

void tst_ApproverClient::unreachableServiceBecomesError()
{
    // A port that was just free: listen, note it, close.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    QUrl url = m_service->baseUrl();
    url.setPort(probe.serverPort());
    probe.close();
    m_client = std::make_unique<ApproverClient>(url, QStringLiteral("bob-secret"));

    const auto result = callAndWait([](ApproverClient &client, QObject *context, ApproverClient::Callback done) {
        client.whoami(context, std::move(done));
    });

    QVERIFY(result.has_value());
    QVERIFY(!result->ok());
    QCOMPARE(result->error().code, ErrorCode::Internal);
    QVERIFY2(result->error().message.contains(url.toDisplayString()), qPrintable(result->error().message));
    QVERIFY(!result->error().message.contains(QStringLiteral("bob-secret")));
}

void tst_ApproverClient::redirectIsNotFollowed()
{
    m_service->handler = [](const FakeHttpRequest &request) {
        if (request.path() == u"/elsewhere")
            return FakeHttpResponse{};
        return FakeHttpResponse{302, "text/plain", "", {{"Location", "/elsewhere"}}};
    };

    const auto result = callAndWait([](ApproverClient &client, QObject *context, ApproverClient::Callback done) {
        client.whoami(context, std::move(done));
    });

    QVERIFY(result.has_value());
    QVERIFY(!result->ok());
    QCOMPARE(m_service->requests.size(), 1);
}

void tst_ApproverClient::destroyedContextDropsCallback()
{
    auto *network = m_client->findChild<QNetworkAccessManager *>();
    QVERIFY(network);
    QSignalSpy finished(network, &QNetworkAccessManager::finished);
    int delivered = 0;
    auto context = std::make_unique<QObject>();

    m_client->whoami(context.get(), [&delivered](const Result<QJsonObject> &) { ++delivered; });
    context.reset();

    QTRY_COMPARE(finished.size(), 1);
    QCoreApplication::processEvents();
    QCOMPARE(delivered, 0);
}

QTEST_GUILESS_MAIN(tst_ApproverClient)
#include "tst_approverclient.moc"
