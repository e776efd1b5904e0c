// How the real service rejects bad requests over HTTP: status, problem+json body, the offending
// value, authentication and authorization failures, and request-id echo.

#include "tests/integration/servicefixture.h"

#include <QJsonArray>
#include <QHostAddress>
#include <QJsonDocument>
#include <QTcpSocket>
#include <QUrl>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

const QByteArray validEvaluation = R"({"subject":{"type":"user","id":"alice"},"resource":{"type":"document","id":"q4-summary"},"action":{"name":"can_read"}})";

QJsonObject q4SummaryRead()
{
    return QJsonObject{{QStringLiteral("subject"), entity(QStringLiteral("user"), QStringLiteral("alice"))},
                       {QStringLiteral("resource"), entity(QStringLiteral("document"), QStringLiteral("q4-summary"))},
                       {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_read")}}}};
}

QJsonObject q4PlanRead()
{
    QJsonObject request = q4SummaryRead();
    request.insert(QStringLiteral("resource"), entity(QStringLiteral("document"), QStringLiteral("q4-plan")));
    request.insert(QStringLiteral("context"), QJsonObject{{QStringLiteral("tenant"), QStringLiteral("acme")}});
    return request;
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

class tst_HttpErrors : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void invalidEvaluationBody_data();
    void invalidEvaluationBody();
    void bodyOverOneMebibyte();
    void deeplyNestedBody();
    void unknownRoute_data();
    void unknownRoute();
    void malformedTaskIdIsUnknown_data();
    void malformedTaskIdIsUnknown();
    void eventStreamNeedsUpgrade();
    void wrongMethod_data();
    void wrongMethod();
    void bearerSchemeIgnoresCase_data();
    void bearerSchemeIgnoresCase();
    void otherSchemesRejected_data();
    void otherSchemesRejected();
    void unauthenticatedBodyIsNotRead_data();
    void unauthenticatedBodyIsNotRead();
    void authenticatedBodyIsRead();
    void missingOrUnknownToken_data();
    void missingOrUnknownToken();
    void wrongRoleForRoute_data();
    void wrongRoleForRoute();
    void auditorCannotDecide();
    void requestIdEchoed_data();
    void requestIdEchoed();
    void requestIdMintedWhenAbsent();
    void unknownMembersIgnored();
    void duplicateMembersRejected_data();
    void duplicateMembersRejected();

private:
    void checkProblem(const HttpResponse &response, int status);
    std::unique_ptr<ServiceFixture> m_service;
};

void tst_HttpErrors::init()
{
    m_service = std::make_unique<ServiceFixture>();
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
}

void tst_HttpErrors::cleanup()
{
    m_service.reset();
}

void tst_HttpErrors::checkProblem(const HttpResponse &response, int status)
{
    QVERIFY2(response.status == status, response.describe().constData());
    QVERIFY2(response.isProblem(), response.contentType().constData());
    QCOMPARE(response.json.value(u"status").toInt(), status);
    QVERIFY(!response.json.value(u"title").toString().isEmpty());
    QVERIFY(!response.json.value(u"detail").toString().isEmpty());
    QVERIFY(!response.problemType().isEmpty());
}

void tst_HttpErrors::invalidEvaluationBody_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QString>("invalidValue"); // empty: not checked

    const QByteArray json = QByteArrayLiteral("application/json");
    const QString unchecked;
    QTest::newRow("malformed JSON") << QByteArrayLiteral(R"({"subject":)") << json << unchecked;
    QTest::newRow("empty body") << QByteArray() << json << unchecked;
    QTest::newRow("top-level array") << QByteArrayLiteral("[]") << json << unchecked;
    QTest::newRow("top-level string") << QByteArrayLiteral(R"("alice")") << json << unchecked;
    QTest::newRow("trailing garbage") << validEvaluation + "x" << json << unchecked;

    const auto without = [](const char *member) {
        QJsonObject body = q4SummaryRead();
        body.remove(QLatin1String(member));
        return compact(body);
    };
    QTest::newRow("missing subject") << without("subject") << json << QStringLiteral("subject");
    QTest::newRow("missing resource") << without("resource") << json << QStringLiteral("resource");
    QTest::newRow("missing action") << without("action") << json << QStringLiteral("action");

    const auto withMember = [](const char *member, const QJsonValue &value) {
        QJsonObject body = q4SummaryRead();
        body.insert(QLatin1String(member), value);
        return compact(body);
    };
    QTest::newRow("missing subject.id") << withMember("subject", QJsonObject{{QStringLiteral("type"), QStringLiteral("user")}})
                                        << json << QStringLiteral("subject.id");
    QTest::newRow("missing subject.type") << withMember("subject", QJsonObject{{QStringLiteral("id"), QStringLiteral("alice")}})
                                          << json << QStringLiteral("subject.type");
    QTest::newRow("missing resource.id")
        << withMember("resource", QJsonObject{{QStringLiteral("type"), QStringLiteral("document")}}) << json
        << QStringLiteral("resource.id");
    QTest::newRow("missing action.name") << withMember("action", QJsonObject{}) << json << QStringLiteral("action.name");
    QTest::newRow("subject as string") << withMember("subject", QStringLiteral("alice")) << json << QStringLiteral("subject");
    QTest::newRow("action.name a number") << withMember("action", QJsonObject{{QStringLiteral("name"), 123}}) << json
                                          << QStringLiteral("action.name");
    QTest::newRow("subject.id a number")
        << withMember("subject", QJsonObject{{QStringLiteral("type"), QStringLiteral("user")}, {QStringLiteral("id"), 7}})
        << json << QStringLiteral("subject.id");
    QTest::newRow("context an array") << withMember("context", QJsonArray{}) << json << QStringLiteral("context");
    QTest::newRow("resource properties a string")
        << withMember("resource", QJsonObject{{QStringLiteral("type"), QStringLiteral("document")},
                                              {QStringLiteral("id"), QStringLiteral("q4-summary")},
                                              {QStringLiteral("properties"), QStringLiteral("x")}})
        << json << QStringLiteral("resource.properties");
    QTest::newRow("content type text/plain") << validEvaluation << QByteArrayLiteral("text/plain") << QStringLiteral("text/plain");
    QTest::newRow("invalid UTF-8") << QByteArrayLiteral("{\"subject\":{\"type\":\"user\",\"id\":\"al\xff\"}}") << json
                                   << unchecked;
    QTest::newRow("lone surrogate escape") << QByteArrayLiteral(R"({"subject":{"type":"user","id":"\ud800"}})") << json
                                           << unchecked;
    // As a double it would equal 9007199254740992, so a binding for one tenant would cover both.
    QTest::newRow("integer beyond 2^53")
        << QByteArrayLiteral(R"({"subject":{"type":"user","id":"alice"},"context":{"tenant":9007199254740993}})") << json
        << QStringLiteral("9007199254740993");
}

void tst_HttpErrors::invalidEvaluationBody()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, contentType);
    QFETCH(QString, invalidValue);

    const HttpResponse response = m_service->send(QByteArrayLiteral("POST"), QStringLiteral("/access/v1/evaluation"), body,
                                                  Tokens::pepA, {{QByteArrayLiteral("Content-Type"), contentType}});

    checkProblem(response, 400);
    if (!invalidValue.isEmpty())
        QCOMPARE(response.json.value(u"invalid_value").toString(), invalidValue);
}

void tst_HttpErrors::bodyOverOneMebibyte()
{
    // A syntactically valid evaluation whose context carries 1 MiB of padding.
    QJsonObject body = q4SummaryRead();
    body.insert(QStringLiteral("context"),
                QJsonObject{{QStringLiteral("padding"), QString(1024 * 1024, u'a')}});

    const HttpResponse response = m_service->send(QByteArrayLiteral("POST"), QStringLiteral("/access/v1/evaluation"),
                                                  compact(body), Tokens::pepA);

    checkProblem(response, 413);
    // The service stays up and serves the next request.
    QCOMPARE(m_service->evaluate(q4SummaryRead()).status, 200);
}

void tst_HttpErrors::deeplyNestedBody()
{
    // 100,000 unterminated arrays inside an evaluation's context.
    const QByteArray body = R"({"subject":{"type":"user","id":"alice"},"context":{"x":)" + QByteArray(100000, '[');

    const HttpResponse response = m_service->send(QByteArrayLiteral("POST"), QStringLiteral("/access/v1/evaluation"),
                                                  body, Tokens::pepA);

    checkProblem(response, 400);
    QCOMPARE(m_service->evaluate(q4SummaryRead()).status, 200);
}

void tst_HttpErrors::unknownRoute_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("token");

    QTest::newRow("outside every prefix") << QStringLiteral("/nope") << QString();
    QTest::newRow("under /access/v1") << QStringLiteral("/access/v1/nope") << Tokens::pepA;
    QTest::newRow("under /admin/v1") << QStringLiteral("/admin/v1/nope") << Tokens::bob;
    QTest::newRow("tenant metadata path") << QStringLiteral("/.well-known/authzen-configuration/tenant1") << QString();
}

void tst_HttpErrors::unknownRoute()
{
    QFETCH(QString, path);
    QFETCH(QString, token);

    checkProblem(m_service->get(path, token), 404);
}

// The approver API treats a task id that no task can have as an unknown task, as the PEP's
// status endpoint does, not as a missing endpoint.
void tst_HttpErrors::malformedTaskIdIsUnknown_data()
{
    QTest::addColumn<QString>("id");

    QTest::newRow("quote") << QStringLiteral("arq_'x");
    QTest::newRow("emoji") << QStringLiteral("%F0%9F%98%80");
    QTest::newRow("invalid UTF-8") << QStringLiteral("%ff%fe");
    QTest::newRow("too long") << QString(129, u'a');
}

void tst_HttpErrors::malformedTaskIdIsUnknown()
{
    QFETCH(QString, id);

    const HttpResponse response = m_service->get(QStringLiteral("/admin/v1/tasks/") + id, Tokens::bob);
    checkProblem(response, 404);
    QCOMPARE(response.problemType(), QStringLiteral("urn:openid:authzen:access-request:error:unknown_task"));
}

void tst_HttpErrors::eventStreamNeedsUpgrade()
{
    const HttpResponse response = m_service->get(QStringLiteral("/admin/v1/events"), Tokens::bob);
    checkProblem(response, 426);
    QCOMPARE(response.header("upgrade"), QByteArray("websocket"));
}

void tst_HttpErrors::wrongMethod_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("token");
    QTest::addColumn<QByteArray>("allowed");

    QTest::newRow("GET evaluation") << QByteArrayLiteral("GET") << QStringLiteral("/access/v1/evaluation") << Tokens::pepA
                                    << QByteArrayLiteral("POST");
    QTest::newRow("GET evaluations") << QByteArrayLiteral("GET") << QStringLiteral("/access/v1/evaluations") << Tokens::pepA
                                     << QByteArrayLiteral("POST");
    QTest::newRow("GET access request endpoint") << QByteArrayLiteral("GET") << QStringLiteral("/access/v1/requests")
                                                 << Tokens::pepA << QByteArrayLiteral("POST");
    QTest::newRow("PUT task status") << QByteArrayLiteral("PUT") << QStringLiteral("/access/v1/requests/arq_x")
                                     << Tokens::pepA << QByteArrayLiteral("GET");
    QTest::newRow("GET cancel") << QByteArrayLiteral("GET") << QStringLiteral("/access/v1/requests/arq_x/cancel")
                                << Tokens::pepA << QByteArrayLiteral("POST, DELETE");
    QTest::newRow("POST jwks") << QByteArrayLiteral("POST") << QStringLiteral("/access/v1/jwks") << QString()
                               << QByteArrayLiteral("GET");
    QTest::newRow("POST metadata") << QByteArrayLiteral("POST") << QStringLiteral("/.well-known/authzen-configuration")
                                   << QString() << QByteArrayLiteral("GET");
    QTest::newRow("GET approve") << QByteArrayLiteral("GET") << QStringLiteral("/admin/v1/tasks/arq_x/approve") << Tokens::bob
                                 << QByteArrayLiteral("POST");
    QTest::newRow("GET revoke") << QByteArrayLiteral("GET") << QStringLiteral("/admin/v1/approvals/apr_x/revoke")
                                << Tokens::bob << QByteArrayLiteral("POST");
    QTest::newRow("DELETE task") << QByteArrayLiteral("DELETE") << QStringLiteral("/admin/v1/tasks/arq_x") << Tokens::bob
                                 << QByteArrayLiteral("GET");
    QTest::newRow("PUT task") << QByteArrayLiteral("PUT") << QStringLiteral("/admin/v1/tasks/arq_x") << Tokens::bob
                              << QByteArrayLiteral("GET");
}

void tst_HttpErrors::wrongMethod()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QString, token);
    QFETCH(QByteArray, allowed);

    const QByteArray body = method == "GET" ? QByteArray() : QByteArrayLiteral("{}");
    const HttpResponse response = m_service->send(method, path, body, token);

    checkProblem(response, 405);
    QCOMPARE(response.header("allow"), allowed);
    QCOMPARE(response.json.value(QStringLiteral("invalid_value")).toString(), QString::fromLatin1(method));
}

void tst_HttpErrors::bearerSchemeIgnoresCase_data()
{
    QTest::addColumn<QByteArray>("scheme");

    QTest::newRow("Bearer") << QByteArrayLiteral("Bearer");
    QTest::newRow("bearer") << QByteArrayLiteral("bearer");
    QTest::newRow("BEARER") << QByteArrayLiteral("BEARER");
    QTest::newRow("bEaReR with two spaces") << QByteArrayLiteral("bEaReR ");
}

void tst_HttpErrors::bearerSchemeIgnoresCase()
{
    QFETCH(QByteArray, scheme);

    const Headers headers{{QByteArrayLiteral("Authorization"), scheme + ' ' + Tokens::pepA.toUtf8()}};
    const HttpResponse response = m_service->send(QByteArrayLiteral("POST"), QStringLiteral("/access/v1/evaluation"),
                                                  validEvaluation, QString(), headers);

    QVERIFY2(response.status == 200, response.describe().constData());
}

void tst_HttpErrors::otherSchemesRejected_data()
{
    QTest::addColumn<QByteArray>("authorization");

    QTest::newRow("Basic") << QByteArrayLiteral("Basic cGVwLWE6eA==");
    QTest::newRow("scheme glued to the token") << "Bearer" + Tokens::pepA.toUtf8();
    QTest::newRow("scheme only") << QByteArrayLiteral("Bearer ");
    QTest::newRow("Bearerx prefix") << "Bearerx " + Tokens::pepA.toUtf8();
}

void tst_HttpErrors::otherSchemesRejected()
{
    QFETCH(QByteArray, authorization);

    const Headers headers{{QByteArrayLiteral("Authorization"), authorization}};
    const HttpResponse response = m_service->send(QByteArrayLiteral("POST"), QStringLiteral("/access/v1/evaluation"),
                                                  validEvaluation, QString(), headers);

    checkProblem(response, 401);
}

void tst_HttpErrors::unauthenticatedBodyIsNotRead_data()
{
    QTest::addColumn<QByteArray>("authorization");
    QTest::addColumn<QByteArray>("framing");

    QTest::newRow("no token, Content-Length") << QByteArray() << QByteArrayLiteral("Content-Length: 900000\r\n");
    QTest::newRow("unknown token, Content-Length") << QByteArrayLiteral("Authorization: Bearer nobody\r\n")
                                                   << QByteArrayLiteral("Content-Length: 900000\r\n");
    QTest::newRow("no token, chunked") << QByteArray() << QByteArrayLiteral("Transfer-Encoding: chunked\r\n");
}

void tst_HttpErrors::unauthenticatedBodyIsNotRead()
{
    QFETCH(QByteArray, authorization);
    QFETCH(QByteArray, framing);

    // Only the head is sent: the 401 must arrive while the body is still owed, which shows the
    // service responded without waiting for (or buffering) it.
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, quint16(QUrl(m_service->baseUrl()).port()));
    QVERIFY(socket.waitForConnected(5000));
    socket.write("POST /access/v1/requests HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 + authorization + framing + "\r\n");

    QByteArray received;
    QTRY_VERIFY_WITH_TIMEOUT((received += socket.readAll()).contains("\r\n\r\n"), 5000);
    QVERIFY2(received.startsWith("HTTP/1.1 401 "), received.constData());
    QVERIFY(received.contains("WWW-Authenticate: Bearer"));
    QVERIFY(received.contains("Connection: close"));
}

void tst_HttpErrors::authenticatedBodyIsRead()
{
    // The same head with a valid token waits for the body and evaluates it.
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, quint16(QUrl(m_service->baseUrl()).port()));
    QVERIFY(socket.waitForConnected(5000));
    socket.write("POST /access/v1/evaluation HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 "Authorization: Bearer " + Tokens::pepA.toUtf8() + "\r\nContent-Length: "
                 + QByteArray::number(validEvaluation.size()) + "\r\n\r\n");
    socket.write(validEvaluation);
    QByteArray received;
    QTRY_VERIFY_WITH_TIMEOUT((received += socket.readAll()).contains("\"decision\""), 5000);
    QVERIFY2(received.startsWith("HTTP/1.1 200 "), received.constData());
}

void tst_HttpErrors::missingOrUnknownToken_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("token");

    QTest::newRow("evaluation without token") << QByteArrayLiteral("POST") << QStringLiteral("/access/v1/evaluation") << QString();
    QTest::newRow("submission without token") << QByteArrayLiteral("POST") << QStringLiteral("/access/v1/requests") << QString();
    QTest::newRow("task status without token") << QByteArrayLiteral("GET") << QStringLiteral("/access/v1/requests/arq_x")
                                               << QString();
    QTest::newRow("task list without token") << QByteArrayLiteral("GET") << QStringLiteral("/admin/v1/tasks") << QString();
    QTest::newRow("evaluation with unknown token") << QByteArrayLiteral("POST") << QStringLiteral("/access/v1/evaluation")
                                                   << QStringLiteral("not-a-token");
    QTest::newRow("task list with unknown token") << QByteArrayLiteral("GET") << QStringLiteral("/admin/v1/tasks")
                                                  << QStringLiteral("bob-secret-2");
}

void tst_HttpErrors::missingOrUnknownToken()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QString, token);

    const QByteArray body = method == "GET" ? QByteArray() : validEvaluation;
    const HttpResponse response = m_service->send(method, path, body, token);

    checkProblem(response, 401);
    QVERIFY2(response.header("www-authenticate").startsWith("Bearer"), response.header("www-authenticate").constData());
}

void tst_HttpErrors::wrongRoleForRoute_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("identity");

    QTest::newRow("PEP lists tasks") << QByteArrayLiteral("GET") << QStringLiteral("/admin/v1/tasks") << Tokens::pepA
                                     << QStringLiteral("pep-a");
    QTest::newRow("PEP reads the audit log") << QByteArrayLiteral("GET") << QStringLiteral("/admin/v1/audit") << Tokens::pepB
                                             << QStringLiteral("pep-b");
    QTest::newRow("PEP approves") << QByteArrayLiteral("POST") << QStringLiteral("/admin/v1/tasks/arq_x/approve")
                                  << Tokens::pepA << QStringLiteral("pep-a");
    QTest::newRow("approver evaluates") << QByteArrayLiteral("POST") << QStringLiteral("/access/v1/evaluation") << Tokens::bob
                                        << QStringLiteral("bob");
    QTest::newRow("auditor submits") << QByteArrayLiteral("POST") << QStringLiteral("/access/v1/requests")
                                     << Tokens::auditor << QStringLiteral("audit-1");
}

void tst_HttpErrors::wrongRoleForRoute()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QString, token);
    QFETCH(QString, identity);

    const QByteArray body = method == "GET" ? QByteArray() : validEvaluation;
    const HttpResponse response = m_service->send(method, path, body, token);

    checkProblem(response, 403);
    QCOMPARE(response.json.value(u"invalid_value").toString(), identity);
}

void tst_HttpErrors::auditorCannotDecide()
{
    const Escalation flow = m_service->requestAccess(q4PlanRead());
    QVERIFY2(flow.ok(), qPrintable(flow.failure));

    checkProblem(m_service->approve(flow.taskId(), Tokens::auditor), 403);
    checkProblem(m_service->deny(flow.taskId(), Tokens::auditor), 403);

    // The auditor still reads the task, which is unchanged.
    const HttpResponse task = m_service->get(QStringLiteral("/admin/v1/tasks/") + flow.taskId(), Tokens::auditor);
    QCOMPARE(task.status, 200);
    QCOMPARE(task.json.value(u"status").toString(), QStringLiteral("pending"));
    QCOMPARE(task.json.value(u"decisions").toArray().size(), 0);
    QCOMPARE(task.json.value(u"can_decide").toBool(), false);
}

void tst_HttpErrors::requestIdEchoed_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("token");
    QTest::addColumn<int>("status");

    QTest::newRow("200 evaluation") << QByteArrayLiteral("POST") << QStringLiteral("/access/v1/evaluation") << validEvaluation
                                    << Tokens::pepA << 200;
    QTest::newRow("200 metadata") << QByteArrayLiteral("GET") << QStringLiteral("/.well-known/authzen-configuration")
                                  << QByteArray() << QString() << 200;
    QTest::newRow("400 invalid body") << QByteArrayLiteral("POST") << QStringLiteral("/access/v1/evaluation")
                                      << QByteArrayLiteral("[]") << Tokens::pepA << 400;
    QTest::newRow("401 no token") << QByteArrayLiteral("POST") << QStringLiteral("/access/v1/evaluation") << validEvaluation
                                  << QString() << 401;
    QTest::newRow("403 wrong role") << QByteArrayLiteral("GET") << QStringLiteral("/admin/v1/tasks") << QByteArray()
                                    << Tokens::pepA << 403;
    QTest::newRow("404 unknown task") << QByteArrayLiteral("GET") << QStringLiteral("/access/v1/requests/arq_unknown")
                                      << QByteArray() << Tokens::pepA << 404;
}

void tst_HttpErrors::requestIdEchoed()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(QString, token);
    QFETCH(int, status);

    const QByteArray requestId = QByteArrayLiteral("bfe9eb29-ab87-4ca3-be83-a1d5d8305716");
    const HttpResponse response = m_service->send(method, path, body, token, {{QByteArrayLiteral("X-Request-ID"), requestId}});

    QVERIFY2(response.status == status, response.describe().constData());
    QCOMPARE(response.header("x-request-id"), requestId);
}

void tst_HttpErrors::requestIdMintedWhenAbsent()
{
    const HttpResponse response = m_service->evaluate(q4SummaryRead());

    QCOMPARE(response.status, 200);
    QVERIFY(!response.header("x-request-id").isEmpty());
}

void tst_HttpErrors::unknownMembersIgnored()
{
    const QJsonObject unknown{{QStringLiteral("futureField"), QJsonObject{{QStringLiteral("nested"), true}}}};
    const auto decorate = [&unknown](QJsonObject request) {
        request.insert(QStringLiteral("foo"), QStringLiteral("bar"));
        request.insert(QStringLiteral("futureField"), unknown);
        for (const char *member : {"subject", "resource", "action"}) {
            QJsonObject inner = request.value(QLatin1String(member)).toObject();
            inner.insert(QStringLiteral("futureField"), unknown);
            request.insert(QLatin1String(member), inner);
        }
        return request;
    };

    const HttpResponse permit = m_service->evaluate(decorate(q4SummaryRead()));
    QCOMPARE(permit.status, 200);
    QCOMPARE(permit.json.value(u"decision"), QJsonValue(true));

    QJsonObject requestable = decorate(q4PlanRead());
    QJsonObject context = requestable.value(u"context").toObject();
    context.insert(QStringLiteral("futureField"), unknown);
    requestable.insert(QStringLiteral("context"), context);
    const HttpResponse denial = m_service->evaluate(requestable);
    QCOMPARE(denial.status, 200);
    QCOMPARE(denial.json.value(u"decision"), QJsonValue(false));
    const QJsonObject accessRequest = denial.json.value(u"context").toObject().value(u"access_request").toObject();
    QCOMPARE(accessRequest.value(u"template").toString(), QStringLiteral("manager_approval"));
}

void tst_HttpErrors::duplicateMembersRejected_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");

    // Bodies for which a parser keeping either copy would decide differently.
    QTest::newRow("two subject members in an evaluation")
        << QStringLiteral("/access/v1/evaluation")
        << QByteArrayLiteral(R"({"subject":{"type":"user","id":"dave"},"subject":{"type":"user","id":"alice"},)"
                             R"("resource":{"type":"document","id":"q4-summary"},"action":{"name":"can_read"}})");
    QTest::newRow("id and an escaped id in a subject")
        << QStringLiteral("/access/v1/evaluation")
        << QByteArrayLiteral(R"({"subject":{"type":"user","id":"dave","\u0069d":"alice"},)"
                             R"("resource":{"type":"document","id":"q4-summary"},"action":{"name":"can_read"}})");
    QTest::newRow("two resource members in a submission")
        << QStringLiteral("/access/v1/requests")
        << QByteArrayLiteral(R"({"subject":{"type":"user","id":"alice"},"resource":{"type":"document","id":"q4-plan"},)"
                             R"("resource":{"type":"document","id":"q4-budget"},"action":{"name":"can_read"},)"
                             R"("context":{"tenant":"acme"},"denial":{"expires_at":"2026-12-04T10:10:00Z","evaluation_id":"evl_x"}})");
    QTest::newRow("two id members in context.approval")
        << QStringLiteral("/access/v1/evaluation")
        << QByteArrayLiteral(R"({"subject":{"type":"user","id":"alice"},"resource":{"type":"document","id":"q4-plan"},)"
                             R"("action":{"name":"can_read"},"context":{"tenant":"acme",)"
                             R"("approval":{"id":"apr_a","id":"apr_b","state":"x.y.z"}}})");
    QTest::newRow("escaped duplicate in context.approval")
        << QStringLiteral("/access/v1/evaluation")
        << QByteArrayLiteral(R"({"subject":{"type":"user","id":"alice"},"resource":{"type":"document","id":"q4-plan"},)"
                             R"("action":{"name":"can_read"},"context":{"tenant":"acme",)"
                             R"("approval":{"id":"apr_a","\u0069d":"apr_b","state":"x.y.z"}}})");
}

void tst_HttpErrors::duplicateMembersRejected()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, body);

    const HttpResponse response = m_service->send(QByteArrayLiteral("POST"), path, body, Tokens::pepA);

    checkProblem(response, 400);
    QCOMPARE(response.problemType(), QStringLiteral("about:blank"));
}

QTEST_GUILESS_MAIN(tst_HttpErrors)
#include "tst_httperrors.moc"
