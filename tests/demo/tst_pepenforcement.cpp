// The reference PEP's enforcement and timing. It runs a tool only on "decision": true, whatever
// else a denial or a task status carries. It polls and retries with the delays the profile sets:
// backoff capped at the maximum poll interval, Retry-After and retry_after honoured, and no poll
// past task.expires_at nor retry past approval.approved_until. Every wait goes through the PEP's
// wait hook, which records the delay and moves a manual clock, so no test sleeps.

#include "demo/referencepep.h"
#include "core/base/rfc3339.h"
#include "tests/integration/araprequests.h"
#include "tests/integration/servicefixture.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

constexpr qint64 kStartMs = 1796378400000; // 2026-12-04T10:00:00Z
constexpr int kMaxIntervalMs = 60 * 1000;

// One scripted response: status, JSON body and extra header lines.
struct ScriptedResponse
{
    int status = 200;
    QJsonObject body;
    QByteArray headers; // "Name: value\r\n" lines
};

// An HTTP/1.1 server on 127.0.0.1 that returns a scripted response per path: each request takes
// the next response queued for its path, and the last one repeats. It records the request paths,
// the JSON bodies and, when a clock is set, the time of each request, so a test can show what the
// PEP sent and when.
class ScriptedServer
{
public:
    bool listen()
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection())
                serve(socket);
        });
        return m_server.listen(QHostAddress::LocalHost, 0);
    }

    QString baseUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()); }

    void script(const QString &path, const QList<ScriptedResponse> &responses) { m_scripts.insert(path, responses); }

    // Serves the discovery document that names this server as the PDP.
    void scriptMetadata()
    {
        const QString base = baseUrl();
        script(QStringLiteral("/.well-known/authzen-configuration"),
               {{200,
                 QJsonObject{{QStringLiteral("policy_decision_point"), base},
                             {QStringLiteral("access_evaluation_endpoint"), QString(base + QStringLiteral("/access/v1/evaluation"))},
                             {QStringLiteral("access_request_endpoint"), QString(base + QStringLiteral("/access/v1/requests"))}},
                 {}}});
    }

    int requestsTo(const QString &path) const { return int(paths.count(path)); }

    const Clock *clock = nullptr;
    QStringList paths;
    QList<QJsonObject> bodies;
    QList<qint64> timesMs;

private:
    void serve(QTcpSocket *socket)
    {
        auto received = std::make_shared<QByteArray>();
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, received] {
            received->append(socket->readAll());
            const qsizetype headEnd = received->indexOf("\r\n\r\n");
            if (headEnd < 0)
                return;
            const QByteArray head = received->left(headEnd);
            qsizetype contentLength = 0;
            for (const QByteArray &line : head.split('\n')) {
                if (line.trimmed().toLower().startsWith("content-length:"))
                    contentLength = line.mid(line.indexOf(':') + 1).trimmed().toLongLong();
            }
            if (received->size() < headEnd + 4 + contentLength)
                return;

            const QByteArray target = head.left(head.indexOf("\r\n")).split(' ').value(1);
            const QString path = QString::fromLatin1(target.left(target.indexOf('?') < 0 ? target.size() : target.indexOf('?')));
            paths.append(path);
            bodies.append(QJsonDocument::fromJson(received->mid(headEnd + 4, contentLength)).object());
            timesMs.append(clock ? clock->nowMs() : 0);

            socket->write(responseFor(path));
            socket->disconnectFromHost();
        });
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }

    QByteArray responseFor(const QString &path)
    {
        QList<ScriptedResponse> &queue = m_scripts[path];
        if (queue.isEmpty())
            return "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        const ScriptedResponse response = queue.size() > 1 ? queue.takeFirst() : queue.first();
        const QByteArray payload = QJsonDocument(response.body).toJson(QJsonDocument::Compact);
        return "HTTP/1.1 " + QByteArray::number(response.status) + " Scripted\r\nContent-Type: application/json\r\n"
            + response.headers + "Content-Length: " + QByteArray::number(payload.size())
            + "\r\nConnection: close\r\n\r\n" + payload;
    }

    QTcpServer m_server;
    QHash<QString, QList<ScriptedResponse>> m_scripts;
};

// A PEP whose waits are recorded and move `clock` forward by the delay instead of passing.
struct TimedPep
{
    std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStartMs);
    QList<int> delaysMs;
    std::unique_ptr<Pep::ReferencePep> pep;

    explicit TimedPep(const QString &serviceUrl, ManualClock *serviceClock = nullptr)
    {
        // Against the real service the PEP shares the service's clock, so a wait lets time pass
        // for both.
        if (serviceClock)
            clock = std::shared_ptr<ManualClock>(std::shared_ptr<void>(), serviceClock);
        Pep::ReferencePep::Config config;
        config.serviceUrl = QUrl(serviceUrl);
        config.token = Tokens::pepA;
        config.callTimeoutMs = 5000;
        config.maxPollIntervalMs = kMaxIntervalMs;
        config.clock = clock;
        config.wait = [this](int delayMs) {
            delaysMs.append(delayMs);
            clock->advanceMs(delayMs);
        };
        pep = std::make_unique<Pep::ReferencePep>(config);
    }
};

QJsonObject pendingStatus()
{
    return QJsonObject{{QStringLiteral("task"), QJsonObject{{QStringLiteral("id"), QStringLiteral("arq_0000000000000000000000000")},
                                                            {QStringLiteral("status"), QStringLiteral("pending")}}}};
}

QJsonObject taskHandle(const ScriptedServer &server, const QString &expiresAt)
{
    QJsonObject handle{{QStringLiteral("id"), QStringLiteral("arq_0000000000000000000000000")},
                       {QStringLiteral("status"), QStringLiteral("pending")},
                       {QStringLiteral("status_endpoint"), QString(server.baseUrl() + QStringLiteral("/access/v1/requests/arq"))}};
    if (!expiresAt.isEmpty())
        handle.insert(QStringLiteral("expires_at"), expiresAt);
    return handle;
}

QJsonObject accessRequestHint()
{
    return QJsonObject{{QStringLiteral("endpoint"), QStringLiteral("http://127.0.0.1:1/access/v1/requests")},
                       {QStringLiteral("expires_at"), QStringLiteral("2026-12-04T10:10:00Z")},
                       {QStringLiteral("binding_token"), QStringLiteral("a.b.c")}};
}

QJsonObject denial(const QJsonObject &context)
{
    return QJsonObject{{QStringLiteral("decision"), false}, {QStringLiteral("context"), context}};
}

QJsonObject grantPending(const QJsonValue &retryAfter = {})
{
    QJsonObject context{{QStringLiteral("reason"), QStringLiteral("grant_pending")},
                        {QStringLiteral("next_action"), QStringLiteral("retry")}};
    if (!retryAfter.isUndefined())
        context.insert(QStringLiteral("retry_after"), retryAfter);
    return denial(context);
}

QJsonObject scriptedApproval(qint64 untilMs)
{
    return QJsonObject{{QStringLiteral("id"), QStringLiteral("apr_0000000000000000000000000")},
                       {QStringLiteral("approved_until"), Rfc3339::format(untilMs)},
                       {QStringLiteral("state"), QStringLiteral("opaque")}};
}

// A member value for a row name: its JSON text, or "absent".
QByteArray describe(const QJsonValue &value)
{
    if (value.isUndefined())
        return "absent";
    const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

} // namespace

Q_DECLARE_METATYPE(Recourse::Pep::ReferencePep::NextAction)

class tst_PepEnforcement : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requestableDenialRunsNoTool();
    void onlyLiteralTrueRunsTool_data();
    void onlyLiteralTrueRunsTool();
    void approvedTaskAloneRunsNoTool();

    void pollBacksOffToMaximum();
    void pollHonoursRetryAfter_data();
    void pollHonoursRetryAfter();
    void pollHonoursRetryAfterDate();
    void pollStopsAtTaskExpiry();
    void pollStopsAfterDayWithoutExpiry();

    void nextActionTable_data();
    void nextActionTable();

    void retryWaitsRetryAfter();
    void retryBacksOffUntilApprovalExpiry();
    void retryAfterPastExpiryStops();
};

void tst_PepEnforcement::requestableDenialRunsNoTool()
{
    ServiceFixture service;
    QVERIFY2(service.start(), qPrintable(service.errorString()));
    TimedPep timed(service.baseUrl(), &service.clock());
    QVERIFY(timed.pep->discover());
    int toolRuns = 0;

    const auto decision = timed.pep->runIfPermitted(Arap::q4PlanRead(), [&toolRuns] { ++toolRuns; });

    QVERIFY2(decision, decision ? "" : qPrintable(decision.error().message));
    QVERIFY(Pep::ReferencePep::isRequestable(decision.value()));
    QCOMPARE(toolRuns, 0);
}

void tst_PepEnforcement::onlyLiteralTrueRunsTool_data()
{
    QTest::addColumn<QJsonObject>("decision");
    QTest::addColumn<int>("toolRuns");

    const QJsonObject approvedTask{{QStringLiteral("id"), QStringLiteral("arq_0000000000000000000000000")},
                                   {QStringLiteral("status"), QStringLiteral("approved")}};
    QTest::newRow("decision true (control)") << QJsonObject{{QStringLiteral("decision"), true}} << 1;
    QTest::newRow("decision false with access_request")
        << denial(QJsonObject{{QStringLiteral("reason"), QStringLiteral("approval_required")},
                              {QStringLiteral("access_request"), accessRequestHint()}})
        << 0;
    QTest::newRow("decision false with an approved task and an approval")
        << denial(QJsonObject{{QStringLiteral("task"), approvedTask},
                              {QStringLiteral("approval"), scriptedApproval(kStartMs + 3600 * 1000)}})
        << 0;
    QTest::newRow("decision the string \"true\"") << QJsonObject{{QStringLiteral("decision"), QStringLiteral("true")}} << 0;
    QTest::newRow("decision 1") << QJsonObject{{QStringLiteral("decision"), 1}} << 0;
    QTest::newRow("no decision, status approved") << QJsonObject{{QStringLiteral("status"), QStringLiteral("approved")}} << 0;
}

void tst_PepEnforcement::onlyLiteralTrueRunsTool()
{
    QFETCH(QJsonObject, decision);
    QFETCH(int, toolRuns);

    ScriptedServer server;
    QVERIFY(server.listen());
    server.scriptMetadata();
    server.script(QStringLiteral("/access/v1/evaluation"), {{200, decision, {}}});
    TimedPep timed(server.baseUrl());
    QVERIFY(timed.pep->discover());
    int runs = 0;

    const auto returned = timed.pep->runIfPermitted(Arap::q4PlanRead(), [&runs] { ++runs; });

    QVERIFY2(returned, returned ? "" : qPrintable(returned.error().message));
    QCOMPARE(server.requestsTo(QStringLiteral("/access/v1/evaluation")), 1);
    QCOMPARE(runs, toolRuns);
}

void tst_PepEnforcement::approvedTaskAloneRunsNoTool()
{
    ServiceFixture service;
    QVERIFY2(service.start(), qPrintable(service.errorString()));
    const QJsonObject request = Arap::q4PlanRead();
    const Escalation granted = service.grantAccess(request);
    QVERIFY2(granted.ok(), qPrintable(granted.failure));
    TimedPep timed(service.baseUrl(), &service.clock());
    QVERIFY(timed.pep->discover());
    int toolRuns = 0;
    const auto tool = [&toolRuns] { ++toolRuns; };

    // The approval is revoked, yet the task still reports approved with its approval.
    const HttpResponse revoked = service.post(
        QStringLiteral("/admin/v1/approvals/%1/revoke").arg(granted.approval.value(u"id").toString()), QJsonObject{},
        Tokens::bob);
    QVERIFY2(revoked.status == 200, revoked.describe().constData());
    const auto status = timed.pep->status(granted.task);
    QVERIFY(status);
    QVERIFY(Pep::ReferencePep::approvalFrom(status->body));

    // Neither the task nor its approval is access: without a fresh permit nothing runs.
    const auto plain = timed.pep->runIfPermitted(request, tool);
    QVERIFY(plain);
    QCOMPARE(toolRuns, 0);
    const auto withRevoked = timed.pep->runIfPermitted(request, tool, granted.approval);
    QVERIFY(withRevoked);
    QCOMPARE(withRevoked->value(u"decision"), QJsonValue(false));
    QCOMPARE(toolRuns, 0);
    const auto otherResource = timed.pep->runIfPermitted(Arap::evaluation(Arap::alice(), Arap::document(QStringLiteral("q4-budget")),
                                                                          QStringLiteral("can_read"), Arap::tenant()),
                                                         tool, granted.approval);
    QVERIFY(otherResource);
    QCOMPARE(toolRuns, 0);

    // Control: a fresh approval for the same request runs the tool.
    const Escalation again = service.grantAccess(request);
    QVERIFY2(again.ok(), qPrintable(again.failure));
    const auto permitted = timed.pep->runIfPermitted(request, tool, again.approval);
    QVERIFY(permitted);
    QCOMPARE(toolRuns, 1);
}

void tst_PepEnforcement::pollBacksOffToMaximum()
{
    ScriptedServer server;
    QVERIFY(server.listen());
    TimedPep timed(server.baseUrl());
    server.clock = timed.clock.get();
    constexpr int kPolls = 12; // enough for a 1 s start to reach the 60 s cap
    QList<ScriptedResponse> responses(kPolls - 1, ScriptedResponse{200, pendingStatus(), {}});
    responses.append(ScriptedResponse{200, QJsonObject{{QStringLiteral("task"),
                                                        QJsonObject{{QStringLiteral("status"), QStringLiteral("denied")}}}},
                                      {}});
    server.script(QStringLiteral("/access/v1/requests/arq"), responses);

    const auto completed = timed.pep->waitForCompletion(taskHandle(server, QStringLiteral("2026-12-05T10:00:00Z")));

    QVERIFY2(completed, completed ? "" : qPrintable(completed.error().message));
    QCOMPARE(server.requestsTo(QStringLiteral("/access/v1/requests/arq")), kPolls);
    QCOMPARE(timed.delaysMs.size(), kPolls - 1);
    // Each delay is between half and all of an interval that doubles from 1 s up to the cap.
    int intervalMs = 1000;
    for (int i = 0; i < timed.delaysMs.size(); ++i) {
        const int delayMs = timed.delaysMs.at(i);
        QVERIFY2(delayMs >= intervalMs / 2 && delayMs <= intervalMs,
                 qPrintable(QStringLiteral("wait %1 was %2 ms for an interval of %3 ms").arg(i).arg(delayMs).arg(intervalMs)));
        QVERIFY(delayMs <= kMaxIntervalMs);
        intervalMs = qMin(intervalMs * 2, kMaxIntervalMs);
    }
    QCOMPARE(intervalMs, kMaxIntervalMs);
    // The polls reached the server one delay apart on the PEP's clock.
    for (int i = 1; i < server.timesMs.size(); ++i)
        QCOMPARE(server.timesMs.at(i) - server.timesMs.at(i - 1), qint64(timed.delaysMs.at(i - 1)));
}

void tst_PepEnforcement::pollHonoursRetryAfter_data()
{
    QTest::addColumn<int>("retryAfterSeconds");

    QTest::newRow("Retry-After 20") << 20;
    QTest::newRow("Retry-After 90, above the backoff cap") << 90;
}

void tst_PepEnforcement::pollHonoursRetryAfter()
{
    QFETCH(int, retryAfterSeconds);

    ScriptedServer server;
    QVERIFY(server.listen());
    TimedPep timed(server.baseUrl());
    server.clock = timed.clock.get();
    const QByteArray retryAfter = "Retry-After: " + QByteArray::number(retryAfterSeconds) + "\r\n";
    QList<ScriptedResponse> responses(6, ScriptedResponse{200, pendingStatus(), retryAfter});
    responses.append(ScriptedResponse{200, QJsonObject{{QStringLiteral("task"),
                                                        QJsonObject{{QStringLiteral("status"), QStringLiteral("cancelled")}}}},
                                      {}});
    server.script(QStringLiteral("/access/v1/requests/arq"), responses);

    const auto completed = timed.pep->waitForCompletion(taskHandle(server, QStringLiteral("2026-12-05T10:00:00Z")));

    QVERIFY2(completed, completed ? "" : qPrintable(completed.error().message));
    QCOMPARE(timed.delaysMs.size(), 6);
    for (int i = 0; i < timed.delaysMs.size(); ++i) {
        QVERIFY2(timed.delaysMs.at(i) >= retryAfterSeconds * 1000,
                 qPrintable(QStringLiteral("wait %1 was %2 ms").arg(i).arg(timed.delaysMs.at(i))));
        QVERIFY(server.timesMs.at(i + 1) - server.timesMs.at(i) >= retryAfterSeconds * 1000);
    }
}

void tst_PepEnforcement::pollHonoursRetryAfterDate()
{
    // Retry-After may be an HTTP-date: here 45 s after the first poll, on the PEP's clock.
    ScriptedServer server;
    QVERIFY(server.listen());
    TimedPep timed(server.baseUrl());
    server.clock = timed.clock.get();
    const qint64 retryAtMs = kStartMs + 45 * 1000;
    const QByteArray retryAfter = "Retry-After: "
        + QDateTime::fromMSecsSinceEpoch(retryAtMs, Qt::UTC).toString(u"ddd, dd MMM yyyy hh:mm:ss 'GMT'").toLatin1() + "\r\n";
    QCOMPARE(retryAfter, QByteArray("Retry-After: Fri, 04 Dec 2026 10:00:45 GMT\r\n"));
    server.script(QStringLiteral("/access/v1/requests/arq"),
                  {{200, pendingStatus(), retryAfter},
                   {200, QJsonObject{{QStringLiteral("task"), QJsonObject{{QStringLiteral("status"), QStringLiteral("denied")}}}}, {}}});

    const auto completed = timed.pep->waitForCompletion(taskHandle(server, QStringLiteral("2026-12-05T10:00:00Z")));

    QVERIFY2(completed, completed ? "" : qPrintable(completed.error().message));
    QCOMPARE(timed.delaysMs, QList<int>{45000});
    QCOMPARE(server.timesMs.size(), 2);
    QCOMPARE(server.timesMs.at(1), retryAtMs);
}

void tst_PepEnforcement::pollStopsAtTaskExpiry()
{
    ScriptedServer server;
    QVERIFY(server.listen());
    server.script(QStringLiteral("/access/v1/requests/arq"), {{200, pendingStatus(), {}}});
    TimedPep timed(server.baseUrl());
    server.clock = timed.clock.get();
    const qint64 expiresMs = kStartMs + 10 * 60 * 1000;

    const auto completed = timed.pep->waitForCompletion(taskHandle(server, Rfc3339::format(expiresMs)));

    QVERIFY(!completed);
    QVERIFY2(completed.error().message.contains(QLatin1String("expires")), qPrintable(completed.error().message));
    QVERIFY(!server.timesMs.isEmpty());
    // No poll after expiry, and the PEP kept polling until the next wait would have passed it.
    QVERIFY(server.timesMs.last() <= expiresMs);
    QVERIFY(server.timesMs.last() + kMaxIntervalMs > expiresMs);
    QCOMPARE(timed.clock->nowMs(), server.timesMs.last());
}

void tst_PepEnforcement::pollStopsAfterDayWithoutExpiry()
{
    ScriptedServer server;
    QVERIFY(server.listen());
    server.script(QStringLiteral("/access/v1/requests/arq"), {{200, pendingStatus(), {}}});
    TimedPep timed(server.baseUrl());
    server.clock = timed.clock.get();
    const qint64 dayMs = 24LL * 3600 * 1000;

    const auto completed = timed.pep->waitForCompletion(taskHandle(server, {}));

    QVERIFY(!completed);
    QVERIFY(server.timesMs.last() <= kStartMs + dayMs);
    QVERIFY(server.timesMs.last() + kMaxIntervalMs > kStartMs + dayMs);
    for (const int delayMs : std::as_const(timed.delaysMs))
        QVERIFY(delayMs <= kMaxIntervalMs);
}

void tst_PepEnforcement::nextActionTable_data()
{
    using NextAction = Pep::ReferencePep::NextAction;
    QTest::addColumn<QJsonValue>("nextAction"); // undefined when absent
    QTest::addColumn<QJsonValue>("reason");     // undefined when absent
    QTest::addColumn<bool>("accessRequest");
    QTest::addColumn<NextAction>("expected");

    const QJsonValue absent(QJsonValue::Undefined);
    const QList<QJsonValue> reasons{absent,
                                    QStringLiteral("approval_expired"),
                                    QStringLiteral("out_of_scope"),
                                    QStringLiteral("grant_pending"),
                                    QStringLiteral("policy_denied"),
                                    QStringLiteral("approval_unverifiable"),
                                    QStringLiteral("com.example.unknown")};
    const QList<QJsonValue> nextActions{absent, QStringLiteral("request"), QStringLiteral("retry"), QStringLiteral("none"),
                                        QStringLiteral("escalate"), QStringLiteral("Retry"), 1};

    // Every combination of next_action, reason and the presence of access_request.
    for (const QJsonValue &nextAction : nextActions) {
        for (const QJsonValue &reason : reasons) {
            for (const bool accessRequest : {false, true}) {
                NextAction expected = accessRequest ? NextAction::Request : NextAction::None;
                if (nextAction == QJsonValue(QStringLiteral("request"))) {
                    expected = accessRequest ? NextAction::Request : NextAction::None;
                } else if (nextAction == QJsonValue(QStringLiteral("retry"))) {
                    expected = NextAction::Retry;
                } else if (nextAction == QJsonValue(QStringLiteral("none"))) {
                    expected = NextAction::None;
                } else if (reason == QJsonValue(QStringLiteral("approval_expired"))
                           || reason == QJsonValue(QStringLiteral("out_of_scope"))) {
                    expected = accessRequest ? NextAction::Request : NextAction::None;
                } else if (reason == QJsonValue(QStringLiteral("grant_pending"))) {
                    expected = NextAction::Retry;
                } else if (reason == QJsonValue(QStringLiteral("policy_denied"))
                           || reason == QJsonValue(QStringLiteral("approval_unverifiable"))) {
                    expected = NextAction::None;
                }
                const QByteArray name = "next_action " + describe(nextAction) + ", reason " + describe(reason)
                    + (accessRequest ? ", access_request" : ", no access_request");
                QTest::newRow(name.constData()) << nextAction << reason << accessRequest << expected;
            }
        }
    }

    // A permit has no next action, whatever its context carries.
    QTest::newRow("permit with next_action request and access_request")
        << QJsonValue(QStringLiteral("request")) << QJsonValue(QStringLiteral("approval_expired")) << true
        << NextAction::None;
}

void tst_PepEnforcement::nextActionTable()
{
    QFETCH(QJsonValue, nextAction);
    QFETCH(QJsonValue, reason);
    QFETCH(bool, accessRequest);
    QFETCH(Pep::ReferencePep::NextAction, expected);

    QJsonObject context;
    if (!nextAction.isUndefined())
        context.insert(QStringLiteral("next_action"), nextAction);
    if (!reason.isUndefined())
        context.insert(QStringLiteral("reason"), reason);
    if (accessRequest)
        context.insert(QStringLiteral("access_request"), accessRequestHint());
    const bool permit = QByteArray(QTest::currentDataTag()).startsWith("permit");
    const QJsonObject decision{{QStringLiteral("decision"), permit}, {QStringLiteral("context"), context}};

    QCOMPARE(int(Pep::ReferencePep::nextActionFor(decision)), int(expected));
}

void tst_PepEnforcement::retryWaitsRetryAfter()
{
    // The slow_provisioning template returns grant_pending with retry_after until 5 s after the
    // approval, so the PEP retries on the service's clock and then gets its permit.
    ServiceFixture service;
    QVERIFY2(service.start(), qPrintable(service.errorString()));
    const QJsonObject request = Arap::q4PlanWrite();
    const Escalation granted = service.grantAccess(request);
    QVERIFY2(granted.ok(), qPrintable(granted.failure));
    TimedPep timed(service.baseUrl(), &service.clock());
    QVERIFY(timed.pep->discover());
    const qint64 startedMs = service.clock().nowMs();

    const auto decision = timed.pep->reevaluateWithRetries(request, granted.approval);

    QVERIFY2(decision, decision ? "" : qPrintable(decision.error().message));
    QCOMPARE(decision->value(u"decision"), QJsonValue(true));
    QVERIFY(!timed.delaysMs.isEmpty());
    // The first retry_after covers the whole provisioning delay, so one wait of 5 s is enough.
    QCOMPARE(timed.delaysMs, QList<int>{5000});
    QCOMPARE(service.clock().nowMs() - startedMs, qint64(5000));
}

void tst_PepEnforcement::retryBacksOffUntilApprovalExpiry()
{
    ScriptedServer server;
    QVERIFY(server.listen());
    server.scriptMetadata();
    server.script(QStringLiteral("/access/v1/evaluation"), {{200, grantPending(), {}}});
    TimedPep timed(server.baseUrl());
    server.clock = timed.clock.get();
    QVERIFY(timed.pep->discover());
    const qint64 untilMs = kStartMs + 10 * 60 * 1000;
    const QJsonObject approval = scriptedApproval(untilMs);

    const auto decision = timed.pep->reevaluateWithRetries(Arap::q4PlanWrite(), approval);

    QVERIFY(!decision);
    QVERIFY2(decision.error().message.contains(QLatin1String("expires")), qPrintable(decision.error().message));
    const int retries = server.requestsTo(QStringLiteral("/access/v1/evaluation"));
    QVERIFY(retries > 5);
    QCOMPARE(timed.delaysMs.size(), retries - 1);
    int intervalMs = 1000;
    for (const int delayMs : std::as_const(timed.delaysMs)) {
        QVERIFY(delayMs >= intervalMs / 2 && delayMs <= intervalMs);
        intervalMs = qMin(intervalMs * 2, kMaxIntervalMs);
    }
    // Every retry presented the approval unchanged and came before approved_until.
    for (int i = 0; i < server.paths.size(); ++i) {
        if (server.paths.at(i) != QLatin1String("/access/v1/evaluation"))
            continue;
        QCOMPARE(server.bodies.at(i).value(u"context").toObject().value(u"approval").toObject(), approval);
        QVERIFY(server.timesMs.at(i) < untilMs);
    }
    QVERIFY(server.timesMs.last() + kMaxIntervalMs >= untilMs);
}

void tst_PepEnforcement::retryAfterPastExpiryStops()
{
    ScriptedServer server;
    QVERIFY(server.listen());
    server.scriptMetadata();
    server.script(QStringLiteral("/access/v1/evaluation"), {{200, grantPending(120), {}}});
    TimedPep timed(server.baseUrl());
    server.clock = timed.clock.get();
    QVERIFY(timed.pep->discover());

    // retry_after 120 s against five minutes of approval: retries at 0, 120 and 240 s only.
    const auto decision = timed.pep->reevaluateWithRetries(Arap::q4PlanWrite(), scriptedApproval(kStartMs + 5 * 60 * 1000));

    QVERIFY(!decision);
    QCOMPARE(timed.delaysMs, (QList<int>{120000, 120000}));
    QCOMPARE(server.requestsTo(QStringLiteral("/access/v1/evaluation")), 3);
}

QTEST_GUILESS_MAIN(tst_PepEnforcement)
#include "tst_pepenforcement.moc"
