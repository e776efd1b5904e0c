// Per-task callbacks: every spelling of an internal destination is rejected at submission without a
// connection, allow-listed destinations are re-checked at every delivery attempt, and a real HTTPS
// receiver on 127.0.0.1 gets signed notifications, retries after failures and after a restart.
// Every attempt leaves an audit record in the task's trail, without the secret or the signature.

#include "app/ctl/output.h"
#include "core/base/rfc3339.h"
#include "core/escalation/callbackdispatcher.h"
#include "core/escalation/callbacks.h"
#include "core/service/tls.h"
#include "tests/integration/araprequests.h"
#include "tests/integration/callbackreceiver.h"
#include "tests/integration/servicefixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QSslServer>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

const QByteArray kSecret = QByteArrayLiteral("callback-secret-of-pep-a-0123456789abcdef");
const QString kInternalHost = QStringLiteral("pep.internal.test");

QString verifiedSignature(const Receiver::Request &request)
{
    // "t=<seconds>,v1=<hex>"
    const QList<QByteArray> parts = request.header("Recourse-Signature").split(',');
    if (parts.size() != 2 || !parts.at(0).startsWith("t=") || !parts.at(1).startsWith("v1="))
        return QStringLiteral("malformed header");
    const QByteArray timestamp = parts.at(0).mid(2);
    QMessageAuthenticationCode mac(QCryptographicHash::Sha256, kSecret);
    mac.addData(timestamp + '.' + request.body);
    if (mac.result().toHex() != parts.at(1).mid(3))
        return QStringLiteral("signature mismatch");
    if (qAbs(timestamp.toLongLong() - kFixtureStartMs / 1000) > 24 * 3600)
        return QStringLiteral("timestamp far from the fixture clock");
    return {};
}

QJsonObject withCallback(QJsonObject submission, const QJsonObject &callback)
{
    submission.insert(QStringLiteral("callback"), callback);
    return submission;
}

// The callback records of a task's audit trail, oldest first.
QList<QJsonObject> callbackRecords(const QJsonArray &trail)
{
    QList<QJsonObject> records;
    for (const QJsonValue &record : trail) {
        if (record.toObject().value(u"type").toString().startsWith(QLatin1String("callback.")))
            records.append(record.toObject());
    }
    return records;
}

// Names each secret of a callback that occurs in `exported`: the HMAC key, every signature the
// receiver got (whole header and digest), the PEP's state and the bearer tokens.
QStringList leakedSecrets(const QByteArray &exported, const QList<Receiver::Request> &requests, const QString &state)
{
    QStringList leaked;
    if (exported.contains(kSecret))
        leaked.append(QStringLiteral("callback_secret"));
    for (const Receiver::Request &request : requests) {
        const QByteArray signature = request.header("Recourse-Signature");
        if (exported.contains(signature) || exported.contains(signature.mid(signature.indexOf("v1=") + 3)))
            leaked.append(QStringLiteral("signature ") + QString::fromLatin1(signature));
    }
    if (exported.contains(state.toUtf8()))
        leaked.append(QStringLiteral("state"));
    for (const QString &token : {Tokens::pepA, Tokens::bob, Tokens::auditor}) {
        if (exported.contains(token.toUtf8()))
            leaked.append(QStringLiteral("bearer token ") + token);
    }
    return leaked;
}

} // namespace

class tst_Callbacks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void hostileEndpointRejected_data();
    void hostileEndpointRejected();
    void malformedCallbackRejected_data();
    void malformedCallbackRejected();
    void bulkCallbackRejected();
    void secretRequired();
    void metadataAddressRejected();
    void approvedNotifiesReceiver();
    void deniedNotifiesReceiver();
    void eventsFilterRespected();
    void failedAttemptRetried();
    void redirectNotFollowed();
    void rebindingRefusedAtDelivery();
    void certificateNameVerified();
    void deliverySurvivesRestart();
    void deliveredCallbackAudited();
    void givenUpCallbackAudited();
    void invalidConfigRejected_data();
    void invalidConfigRejected();

private:
    QString internalEndpoint() const
    {
        return QStringLiteral("https://%1:%2/hooks/access").arg(kInternalHost).arg(m_receiver->port());
    }
    // The allowlist: public-only entries for every hostile spelling, so that the address check
    // and not the allowlist has to reject them, plus the receiver as an internal exception.
    QJsonObject callbackConfig() const;
    int taskCount();
    QJsonObject taskDetail(const QString &taskId);
    // Submits q4-plan's requestable denial with `callback` as pep-a.
    HttpResponse submitWithCallback(const QJsonObject &callback, const QString &token = Tokens::pepA);
    bool deliverNow();
    QJsonArray auditTrail(const QString &taskId);
    // The whole audit log as recoursectl's audit export writes it: JSON Lines, then CSV rows.
    QByteArray auditExport();
    QJsonObject verifyAudit();

    std::unique_ptr<ServiceFixture> m_service;
    std::unique_ptr<Receiver> m_receiver;
    std::shared_ptr<FakeResolver> m_resolver;
    std::unique_ptr<QTemporaryDir> m_certificateDir;
};

QJsonObject tst_Callbacks::callbackConfig() const
{
    QJsonObject config = ServiceFixture::identityConfig();
    QJsonArray identities = config.value(u"identities").toArray();
    for (qsizetype i = 0; i < identities.size(); ++i) {
        QJsonObject identity = identities.at(i).toObject();
        if (identity.value(u"id").toString() == QLatin1String("pep-a")) {
            identity.insert(QStringLiteral("callback_secret"), QString::fromLatin1(kSecret));
            identities.replace(i, identity);
        }
    }
    config.insert(QStringLiteral("identities"), identities);
    config.insert(QStringLiteral("callback_allowlist"),
                  QJsonArray{QStringLiteral("https://cb.example.test"), QStringLiteral("https://rebind.example.test/hooks/"),
                             QStringLiteral("https://[::ffff:127.0.0.1]"), QStringLiteral("https://[::ffff:7f00:1]"),
                             QStringLiteral("https://[::ffff:169.254.169.254]"), QStringLiteral("https://2130706433"),
                             QStringLiteral("https://0x7f.0.0.1"), QStringLiteral("https://127.1"),
                             QStringLiteral("https://[::]"), QStringLiteral("https://[fd00::1]"),
                             QStringLiteral("https://[64:ff9b::a9fe:a9fe]"),
                             QStringLiteral("https://[2001:0:a00:1:8000:63bf:80ff:fffe]"), QStringLiteral("https://localhost."),
                             QStringLiteral("https://unresolvable.invalid"),
                             QJsonObject{{QStringLiteral("origin"),
                                          QStringLiteral("https://%1:%2").arg(kInternalHost).arg(m_receiver->port())},
                                         {QStringLiteral("internal"), true}},
                             QJsonObject{{QStringLiteral("origin"),
                                          QStringLiteral("https://wrong-name.test:%1").arg(m_receiver->port())},
                                         {QStringLiteral("internal"), true}}});
    config.insert(QStringLiteral("callback_ca_file"), m_receiver->certificatePath());
    return config;
}

void tst_Callbacks::init()
{
    m_certificateDir = std::make_unique<QTemporaryDir>();
    m_receiver = std::make_unique<Receiver>();
    QVERIFY(m_receiver->listen(m_certificateDir->path(), kInternalHost));
    m_resolver = std::make_shared<FakeResolver>();
    m_resolver->answers.insert(kInternalHost, {QHostAddress(QHostAddress::LocalHost)});
    m_resolver->answers.insert(QStringLiteral("localhost."), {QHostAddress(QHostAddress::LocalHost)});
    m_resolver->answers.insert(QStringLiteral("wrong-name.test"), {QHostAddress(QHostAddress::LocalHost)});

    m_service = std::make_unique<ServiceFixture>();
    const QJsonObject config = callbackConfig();
    m_service->setConfigure([config, resolver = m_resolver](Service::ServiceOptions &options) {
        options.config = config;
        options.callbackResolver = resolver;
    });
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
}

void tst_Callbacks::cleanup()
{
    m_service.reset();
    m_receiver.reset();
    m_resolver.reset();
    m_certificateDir.reset();
}

int tst_Callbacks::taskCount()
{
    const HttpResponse list = m_service->get(QStringLiteral("/admin/v1/tasks"), Tokens::bob);
    if (list.status != 200)
        return -1;
    return int(list.json.value(u"tasks").toArray().size());
}

QJsonObject tst_Callbacks::taskDetail(const QString &taskId)
{
    return m_service->get(QStringLiteral("/admin/v1/tasks/") + taskId, Tokens::bob).json;
}

HttpResponse tst_Callbacks::submitWithCallback(const QJsonObject &callback, const QString &token)
{
    const QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead(), token);
    return m_service->submit(withCallback(submission, callback), token);
}

bool tst_Callbacks::deliverNow()
{
    bool done = false;
    m_service->host()->deliverDueCallbacks([&done] { done = true; });
    return QTest::qWaitFor([&done] { return done; }, 15000);
}

QJsonArray tst_Callbacks::auditTrail(const QString &taskId)
{
    return m_service->get(QStringLiteral("/admin/v1/audit?task_id=") + taskId, Tokens::auditor)
        .json.value(u"records").toArray();
}

QByteArray tst_Callbacks::auditExport()
{
    const QJsonArray records =
        m_service->get(QStringLiteral("/admin/v1/audit"), Tokens::auditor).json.value(u"records").toArray();
    QByteArray jsonLines;
    QString csv = Ctl::csvRecord(Ctl::auditCsvColumns());
    for (const QJsonValue &record : records) {
        jsonLines += Ctl::jsonLine(record.toObject());
        csv += Ctl::auditCsvRow(record.toObject());
    }
    return jsonLines + csv.toUtf8();
}

QJsonObject tst_Callbacks::verifyAudit()
{
    return m_service->get(QStringLiteral("/admin/v1/audit/verify"), Tokens::auditor).json;
}

void tst_Callbacks::hostileEndpointRejected_data()
{
    QTest::addColumn<QString>("endpoint");
    QTest::addColumn<QString>("reason"); // a phrase of the problem's detail

    // Every host of these rows is on the allowlist as a public destination, so the address
    // check must reject them.
    const QString internal = QStringLiteral("internal address");
    for (const char *endpoint :
         {"https://[::ffff:127.0.0.1]/cb", "https://[::ffff:7f00:1]/cb", "https://[::ffff:169.254.169.254]/x",
          "https://2130706433/cb", "https://0x7f.0.0.1/cb", "https://127.1/cb", "https://[::]/cb",
          "https://[fd00::1]/cb", "https://[64:ff9b::a9fe:a9fe]/cb", "https://[2001:0:a00:1:8000:63bf:80ff:fffe]/cb",
          "https://localhost./cb"}) {
        QTest::newRow(endpoint) << QString::fromLatin1(endpoint) << internal;
    }
    QTest::newRow("https://unresolvable.invalid/cb") << QStringLiteral("https://unresolvable.invalid/cb")
                                                     << QStringLiteral("could not be resolved");
    QTest::newRow("http://cb.example.test/cb") << QStringLiteral("http://cb.example.test/cb")
                                               << QStringLiteral("must use https");
    QTest::newRow("https://user:pass@cb.example.test/cb") << QStringLiteral("https://user:pass@cb.example.test/cb")
                                                          << QStringLiteral("user info");
    QTest::newRow("https://elsewhere.example.test/cb") << QStringLiteral("https://elsewhere.example.test/cb")
                                                       << QStringLiteral("callback_allowlist");
    QTest::newRow("https://cb.example.test:8443/cb") << QStringLiteral("https://cb.example.test:8443/cb")
                                                     << QStringLiteral("callback_allowlist");
    QTest::newRow("https://rebind.example.test/other") << QStringLiteral("https://rebind.example.test/other")
                                                       << QStringLiteral("callback_allowlist");
}

void tst_Callbacks::hostileEndpointRejected()
{
    QFETCH(QString, endpoint);
    QFETCH(QString, reason);
    const int tasksBefore = taskCount();

    const HttpResponse response = submitWithCallback(QJsonObject{{QStringLiteral("endpoint"), endpoint}});

    QCOMPARE(response.status, 400);
    QCOMPARE(response.problemType(), QStringLiteral("urn:openid:authzen:access-request:error:invalid_callback"));
    QVERIFY2(!response.json.value(u"invalid_value").toString().isEmpty(), response.describe().constData());
    QVERIFY2(response.json.value(u"detail").toString().contains(reason), response.describe().constData());
    QCOMPARE(taskCount(), tasksBefore);
    QVERIFY(deliverNow());
    QCOMPARE(m_receiver->connections, 0);
}

void tst_Callbacks::malformedCallbackRejected_data()
{
    QTest::addColumn<QJsonValue>("callback");
    QTest::addColumn<QString>("invalidValue");

    const QString endpoint = QStringLiteral("https://cb.example.test/cb");
    QTest::newRow("not an object") << QJsonValue(endpoint) << QStringLiteral("callback");
    QTest::newRow("no endpoint") << QJsonValue(QJsonObject{}) << QStringLiteral("callback.endpoint");
    QTest::newRow("relative endpoint") << QJsonValue(QJsonObject{{QStringLiteral("endpoint"), QStringLiteral("/cb")}})
                                       << QStringLiteral("/cb");
    QTest::newRow("fragment") << QJsonValue(QJsonObject{{QStringLiteral("endpoint"), QString(endpoint + QStringLiteral("#x"))}})
                              << QString(endpoint + QStringLiteral("#x"));
    QTest::newRow("dot segment")
        << QJsonValue(QJsonObject{{QStringLiteral("endpoint"), QStringLiteral("https://rebind.example.test/hooks/../admin")}})
        << QStringLiteral("https://rebind.example.test/hooks/../admin");
    QTest::newRow("state a number") << QJsonValue(QJsonObject{{QStringLiteral("endpoint"), endpoint},
                                                              {QStringLiteral("state"), 5}})
                                    << QStringLiteral("callback.state");
    QTest::newRow("state too long") << QJsonValue(QJsonObject{{QStringLiteral("endpoint"), endpoint},
                                                              {QStringLiteral("state"), QString(1025, u'x')}})
                                    << QStringLiteral("callback.state");
    QTest::newRow("events empty") << QJsonValue(QJsonObject{{QStringLiteral("endpoint"), endpoint},
                                                            {QStringLiteral("events"), QJsonArray{}}})
                                  << QStringLiteral("callback.events");
    QTest::newRow("unknown event") << QJsonValue(QJsonObject{{QStringLiteral("endpoint"), endpoint},
                                                             {QStringLiteral("events"), QJsonArray{QStringLiteral("pending")}}})
                                   << QStringLiteral("pending");
}

void tst_Callbacks::malformedCallbackRejected()
{
    QFETCH(QJsonValue, callback);
    QFETCH(QString, invalidValue);
    QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    submission.insert(QStringLiteral("callback"), callback);

    const HttpResponse response = m_service->submit(submission);

    QCOMPARE(response.status, 400);
    QCOMPARE(response.problemType(), QStringLiteral("urn:openid:authzen:access-request:error:invalid_callback"));
    QCOMPARE(response.json.value(u"invalid_value").toString(), invalidValue);
    QCOMPARE(taskCount(), 0);
}

void tst_Callbacks::bulkCallbackRejected()
{
    const QJsonObject item{{QStringLiteral("resource"), entity(QStringLiteral("document"), QStringLiteral("q4-plan"))},
                           {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_read")}}}};
    const QJsonObject body{{QStringLiteral("subject"), entity(QStringLiteral("user"), QStringLiteral("alice"))},
                           {QStringLiteral("items"), QJsonArray{item}},
                           {QStringLiteral("callback"),
                            QJsonObject{{QStringLiteral("endpoint"), QStringLiteral("http://cb.example.test/cb")}}}};

    const HttpResponse response = m_service->submit(body);

    QCOMPARE(response.status, 400);
    QCOMPARE(response.problemType(), QStringLiteral("urn:openid:authzen:access-request:error:invalid_callback"));
    QCOMPARE(m_receiver->connections, 0);
}

void tst_Callbacks::secretRequired()
{
    const HttpResponse response =
        submitWithCallback(QJsonObject{{QStringLiteral("endpoint"), internalEndpoint()}}, Tokens::pepB);

    QCOMPARE(response.status, 400);
    QCOMPARE(response.problemType(), QStringLiteral("urn:openid:authzen:access-request:error:invalid_callback"));
    QVERIFY2(response.json.value(u"detail").toString().contains(QLatin1String("callback_secret")), response.describe().constData());
}

void tst_Callbacks::metadataAddressRejected()
{
    m_resolver->answers.insert(QStringLiteral("cb.example.test"), {QHostAddress(QStringLiteral("169.254.169.254"))});

    const HttpResponse response =
        submitWithCallback(QJsonObject{{QStringLiteral("endpoint"), QStringLiteral("https://cb.example.test/cb")}});

    QCOMPARE(response.status, 400);
    QVERIFY2(response.json.value(u"detail").toString().contains(QLatin1String("169.254.169.254")), response.describe().constData());
    QCOMPARE(taskCount(), 0);

    // One internal address among public ones is enough to reject.
    m_resolver->answers.insert(QStringLiteral("cb.example.test"),
                               {QHostAddress(QStringLiteral("203.0.113.7")), QHostAddress(QStringLiteral("10.0.0.5"))});
    const HttpResponse mixed =
        submitWithCallback(QJsonObject{{QStringLiteral("endpoint"), QStringLiteral("https://cb.example.test/cb")}});
    QCOMPARE(mixed.status, 400);
    QCOMPARE(m_receiver->connections, 0);
}

void tst_Callbacks::approvedNotifiesReceiver()
{
    const QString state = QStringLiteral("opaque \"state\" with ünïcode / and ? chars");
    const HttpResponse submitted = submitWithCallback(QJsonObject{{QStringLiteral("endpoint"), internalEndpoint()},
                                                                  {QStringLiteral("state"), state}});
    QCOMPARE(submitted.status, 202);
    const QString taskId = submitted.json.value(u"task").toObject().value(u"id").toString();
    const QString statusEndpoint = submitted.json.value(u"task").toObject().value(u"status_endpoint").toString();

    QCOMPARE(m_service->approve(taskId, Tokens::bob).status, 200);
    QVERIFY(deliverNow());
    QTRY_COMPARE(m_receiver->requests.size(), 1);

    const Receiver::Request request = m_receiver->requests.first();
    QVERIFY2(request.head.startsWith("POST /hooks/access HTTP/1.1"), request.head.constData());
    QCOMPARE(request.header("Content-Type"), QByteArrayLiteral("application/json"));
    QCOMPARE(verifiedSignature(request), QString());
    const QJsonObject notification = QJsonDocument::fromJson(request.body).object();
    QCOMPARE(notification.value(u"state").toString(), state);
    QCOMPARE(notification.value(u"task").toObject().value(u"id").toString(), taskId);
    QCOMPARE(notification.value(u"task").toObject().value(u"status").toString(), QStringLiteral("approved"));
    QCOMPARE(notification.value(u"task").toObject().value(u"status_endpoint").toString(), statusEndpoint);
    QVERIFY(!notification.contains(u"result"));

    // The approver API shows the destination and the attempt, never the state.
    QJsonObject callback;
    QTRY_VERIFY((callback = taskDetail(taskId).value(u"callback").toObject())
                    .value(u"deliveries").toArray().first().toObject().value(u"status").toString() == u"delivered");
    QCOMPARE(callback.value(u"endpoint").toString(), internalEndpoint());
    QVERIFY(!callback.contains(u"state"));
    QVERIFY(!QJsonDocument(taskDetail(taskId)).toJson().contains("opaque"));
    const QJsonObject delivery = callback.value(u"deliveries").toArray().first().toObject();
    QCOMPARE(delivery.value(u"event").toString(), QStringLiteral("approved"));
    const QJsonObject attempt = delivery.value(u"log").toArray().first().toObject();
    QCOMPARE(attempt.value(u"attempt").toInt(), 1);
    QCOMPARE(attempt.value(u"address").toString(), QStringLiteral("127.0.0.1"));
    QCOMPARE(attempt.value(u"http_status").toInt(), 200);
    QVERIFY(!attempt.contains(u"error"));
}

void tst_Callbacks::deniedNotifiesReceiver()
{
    const HttpResponse submitted = submitWithCallback(QJsonObject{{QStringLiteral("endpoint"), internalEndpoint()},
                                                                  {QStringLiteral("state"), QStringLiteral("s-1")}});
    QCOMPARE(submitted.status, 202);
    const QString taskId = submitted.json.value(u"task").toObject().value(u"id").toString();

    QCOMPARE(m_service->deny(taskId, Tokens::bob, QJsonObject{{QStringLiteral("reason"), QStringLiteral("no")}}).status,
             200);
    QVERIFY(deliverNow());
    QTRY_COMPARE(m_receiver->requests.size(), 1);

    QCOMPARE(verifiedSignature(m_receiver->requests.first()), QString());
    const QJsonObject notification = QJsonDocument::fromJson(m_receiver->requests.first().body).object();
    QCOMPARE(notification.value(u"task").toObject().value(u"status").toString(), QStringLiteral("denied"));
    QCOMPARE(notification.value(u"state").toString(), QStringLiteral("s-1"));
}

void tst_Callbacks::eventsFilterRespected()
{
    const HttpResponse submitted = submitWithCallback(
        QJsonObject{{QStringLiteral("endpoint"), internalEndpoint()},
                    {QStringLiteral("events"), QJsonArray{QStringLiteral("approved")}}});
    QCOMPARE(submitted.status, 202);
    const QString taskId = submitted.json.value(u"task").toObject().value(u"id").toString();

    QCOMPARE(m_service->deny(taskId, Tokens::bob).status, 200);
    QVERIFY(deliverNow());

    QCOMPARE(m_receiver->connections, 0);
    const QJsonObject callback = taskDetail(taskId).value(u"callback").toObject();
    QCOMPARE(callback.value(u"events").toArray(), QJsonArray{QStringLiteral("approved")});
    QVERIFY(callback.value(u"deliveries").toArray().isEmpty());
}

void tst_Callbacks::failedAttemptRetried()
{
    m_receiver->script = {500};
    const HttpResponse submitted = submitWithCallback(QJsonObject{{QStringLiteral("endpoint"), internalEndpoint()}});
    QCOMPARE(submitted.status, 202);
    const QString taskId = submitted.json.value(u"task").toObject().value(u"id").toString();
    QCOMPARE(m_service->approve(taskId, Tokens::bob).status, 200);
    QVERIFY(deliverNow());
    QTRY_COMPARE(m_receiver->requests.size(), 1);
    QTRY_COMPARE(taskDetail(taskId).value(u"callback").toObject().value(u"deliveries").toArray().first().toObject()
                     .value(u"attempts").toInt(),
                 1);

    // Not due before the backoff has passed.
    QVERIFY(deliverNow());
    QCOMPARE(m_receiver->requests.size(), 1);

    m_service->clock().advanceSeconds(10);
    QVERIFY(deliverNow());
    QTRY_COMPARE(m_receiver->requests.size(), 2);
    QTRY_COMPARE(taskDetail(taskId).value(u"callback").toObject().value(u"deliveries").toArray().first().toObject()
                     .value(u"status").toString(),
                 QStringLiteral("delivered"));
    const QJsonArray log = taskDetail(taskId).value(u"callback").toObject().value(u"deliveries").toArray().first()
                               .toObject().value(u"log").toArray();
    QCOMPARE(log.size(), 2);
    QCOMPARE(log.at(0).toObject().value(u"http_status").toInt(), 500);
    QCOMPARE(log.at(1).toObject().value(u"http_status").toInt(), 200);
}

void tst_Callbacks::redirectNotFollowed()
{
    m_receiver->script = {302};
    const HttpResponse submitted = submitWithCallback(QJsonObject{{QStringLiteral("endpoint"), internalEndpoint()}});
    QCOMPARE(submitted.status, 202);
    const QString taskId = submitted.json.value(u"task").toObject().value(u"id").toString();
    QCOMPARE(m_service->approve(taskId, Tokens::bob).status, 200);
    QVERIFY(deliverNow());

    QTRY_COMPARE(taskDetail(taskId).value(u"callback").toObject().value(u"deliveries").toArray().first().toObject()
                     .value(u"attempts").toInt(),
                 1);
    QCOMPARE(m_receiver->requests.size(), 1);
    const QJsonObject delivery =
        taskDetail(taskId).value(u"callback").toObject().value(u"deliveries").toArray().first().toObject();
    QCOMPARE(delivery.value(u"status").toString(), QStringLiteral("pending"));
    QCOMPARE(delivery.value(u"log").toArray().first().toObject().value(u"http_status").toInt(), 302);
}

void tst_Callbacks::rebindingRefusedAtDelivery()
{
    // Public at submission (a documentation address that nothing ever connects to) ...
    m_resolver->answers.insert(QStringLiteral("rebind.example.test"), {QHostAddress(QStringLiteral("203.0.113.7"))});
    const HttpResponse submitted =
        submitWithCallback(QJsonObject{{QStringLiteral("endpoint"), QStringLiteral("https://rebind.example.test/hooks/x")}});
    QCOMPARE(submitted.status, 202);
    const QString taskId = submitted.json.value(u"task").toObject().value(u"id").toString();

    // ... and the cloud metadata address by the time the task is decided.
    m_resolver->answers.insert(QStringLiteral("rebind.example.test"), {QHostAddress(QStringLiteral("169.254.169.254"))});
    QCOMPARE(m_service->approve(taskId, Tokens::bob).status, 200);
    QVERIFY(deliverNow());

    QTRY_COMPARE(taskDetail(taskId).value(u"callback").toObject().value(u"deliveries").toArray().first().toObject()
                     .value(u"attempts").toInt(),
                 1);
    const QJsonObject attempt = taskDetail(taskId).value(u"callback").toObject().value(u"deliveries").toArray().first()
                                    .toObject().value(u"log").toArray().first().toObject();
    QVERIFY(!attempt.contains(u"address"));
    QVERIFY2(attempt.value(u"error").toString().contains(QLatin1String("169.254.169.254")),
             qPrintable(attempt.value(u"error").toString()));
    QCOMPARE(m_receiver->connections, 0);

    // The audit record of the rejected attempt has the reason and no address, since nothing connected.
    const QList<QJsonObject> audited = callbackRecords(auditTrail(taskId));
    QCOMPARE(audited.size(), 1);
    QCOMPARE(audited.first().value(u"type").toString(), QStringLiteral("callback.attempt_failed"));
    QVERIFY(!audited.first().value(u"data").toObject().contains(u"address"));
    QCOMPARE(audited.first().value(u"data").toObject().value(u"error").toString(), attempt.value(u"error").toString());
}

void tst_Callbacks::certificateNameVerified()
{
    // The receiver's certificate names pep.internal.test, not the host the endpoint names.
    const HttpResponse submitted = submitWithCallback(QJsonObject{
        {QStringLiteral("endpoint"), QStringLiteral("https://wrong-name.test:%1/hooks").arg(m_receiver->port())}});
    QCOMPARE(submitted.status, 202);
    const QString taskId = submitted.json.value(u"task").toObject().value(u"id").toString();
    QCOMPARE(m_service->approve(taskId, Tokens::bob).status, 200);
    QVERIFY(deliverNow());

    QTRY_COMPARE(taskDetail(taskId).value(u"callback").toObject().value(u"deliveries").toArray().first().toObject()
                     .value(u"attempts").toInt(),
                 1);
    const QJsonObject attempt = taskDetail(taskId).value(u"callback").toObject().value(u"deliveries").toArray().first()
                                    .toObject().value(u"log").toArray().first().toObject();
    QVERIFY2(attempt.value(u"error").toString().contains(QLatin1String("TLS")), qPrintable(attempt.value(u"error").toString()));
    QVERIFY(!attempt.contains(u"http_status"));
    QVERIFY(m_receiver->requests.isEmpty());
}

void tst_Callbacks::deliverySurvivesRestart()
{
    m_receiver->script = {503};
    const HttpResponse submitted = submitWithCallback(QJsonObject{{QStringLiteral("endpoint"), internalEndpoint()},
                                                                  {QStringLiteral("state"), QStringLiteral("kept")}});
    QCOMPARE(submitted.status, 202);
    const QString taskId = submitted.json.value(u"task").toObject().value(u"id").toString();
    QCOMPARE(m_service->approve(taskId, Tokens::bob).status, 200);
    QVERIFY(deliverNow());
    QTRY_COMPARE(m_receiver->requests.size(), 1);
    QTRY_COMPARE(taskDetail(taskId).value(u"callback").toObject().value(u"deliveries").toArray().first().toObject()
                     .value(u"attempts").toInt(),
                 1);

    QVERIFY2(m_service->restart(), qPrintable(m_service->errorString()));
    m_service->clock().advanceSeconds(10);
    QVERIFY(deliverNow());

    QTRY_COMPARE(m_receiver->requests.size(), 2);
    QCOMPARE(verifiedSignature(m_receiver->requests.last()), QString());
    QCOMPARE(QJsonDocument::fromJson(m_receiver->requests.last().body).object().value(u"state").toString(),
             QStringLiteral("kept"));
}

void tst_Callbacks::deliveredCallbackAudited()
{
    const QString state = QStringLiteral("pep-session-token-5f3a9c");
    const HttpResponse submitted = submitWithCallback(QJsonObject{{QStringLiteral("endpoint"), internalEndpoint()},
                                                                  {QStringLiteral("state"), state}});
    QCOMPARE(submitted.status, 202);
    const QString taskId = submitted.json.value(u"task").toObject().value(u"id").toString();
    QCOMPARE(m_service->approve(taskId, Tokens::bob).status, 200);
    QVERIFY(deliverNow());
    QTRY_COMPARE(taskDetail(taskId).value(u"callback").toObject().value(u"deliveries").toArray().first().toObject()
                     .value(u"status").toString(),
                 QStringLiteral("delivered"));

    // The delivery follows the transition that queued it in the task's trail.
    const QJsonArray trail = auditTrail(taskId);
    QStringList types;
    for (const QJsonValue &record : trail)
        types.append(record.toObject().value(u"type").toString());
    QCOMPARE(types, (QStringList{QStringLiteral("denial.issued"), QStringLiteral("task.created"),
                                 QStringLiteral("task.approved"), QStringLiteral("callback.delivered")}));

    const QJsonObject record = trail.last().toObject();
    QCOMPARE(record.value(u"actor").toString(), QStringLiteral("system"));
    QCOMPARE(record.value(u"task_id").toString(), taskId);
    QCOMPARE(record.value(u"evaluation_id").toString(), trail.first().toObject().value(u"evaluation_id").toString());
    QCOMPARE(record.value(u"subject_id").toString(), QStringLiteral("alice"));
    const QJsonObject data = record.value(u"data").toObject();
    QCOMPARE(data.value(u"event").toString(), QStringLiteral("approved"));
    QCOMPARE(data.value(u"attempt").toInt(), 1);
    QCOMPARE(data.value(u"address").toString(), QStringLiteral("127.0.0.1"));
    QCOMPARE(data.value(u"http_status").toInt(), 200);
    QVERIFY(!data.contains(u"error"));
    QVERIFY(!data.contains(u"next_attempt_at"));

    const QJsonObject verified = verifyAudit();
    QVERIFY2(verified.value(u"ok").toBool(), qPrintable(verified.value(u"message").toString()));
    QCOMPARE(m_receiver->requests.size(), 1);
    QCOMPARE(leakedSecrets(auditExport(), m_receiver->requests, state), QStringList());
}

void tst_Callbacks::givenUpCallbackAudited()
{
    using Escalation::CallbackDispatcher;
    const QString state = QStringLiteral("pep-session-token-91be04");
    m_receiver->script = QList<int>(CallbackDispatcher::kMaxAttempts, 503);
    const HttpResponse submitted = submitWithCallback(QJsonObject{{QStringLiteral("endpoint"), internalEndpoint()},
                                                                  {QStringLiteral("state"), state}});
    QCOMPARE(submitted.status, 202);
    const QString taskId = submitted.json.value(u"task").toObject().value(u"id").toString();
    QCOMPARE(m_service->deny(taskId, Tokens::bob).status, 200);

    for (int attempt = 1; attempt <= CallbackDispatcher::kMaxAttempts; ++attempt) {
        QVERIFY(deliverNow());
        QTRY_COMPARE(taskDetail(taskId).value(u"callback").toObject().value(u"deliveries").toArray().first().toObject()
                         .value(u"attempts").toInt(),
                     attempt);
        m_service->clock().advanceMs(CallbackDispatcher::retryDelayMs(attempt));
    }
    QCOMPARE(taskDetail(taskId).value(u"callback").toObject().value(u"deliveries").toArray().first().toObject()
                 .value(u"status").toString(),
             QStringLiteral("failed"));
    QCOMPARE(m_receiver->requests.size(), CallbackDispatcher::kMaxAttempts);

    // One record per attempt: each failure that leads to a retry, then the last one.
    const QList<QJsonObject> records = callbackRecords(auditTrail(taskId));
    QCOMPARE(records.size(), CallbackDispatcher::kMaxAttempts);
    for (int i = 0; i < records.size(); ++i) {
        const bool last = i == records.size() - 1;
        const QJsonObject data = records.at(i).value(u"data").toObject();
        QCOMPARE(records.at(i).value(u"type").toString(),
                 last ? QStringLiteral("callback.failed") : QStringLiteral("callback.attempt_failed"));
        QCOMPARE(records.at(i).value(u"task_id").toString(), taskId);
        QCOMPARE(data.value(u"event").toString(), QStringLiteral("denied"));
        QCOMPARE(data.value(u"attempt").toInt(), i + 1);
        QCOMPARE(data.value(u"address").toString(), QStringLiteral("127.0.0.1"));
        QCOMPARE(data.value(u"http_status").toInt(), 503);
        QVERIFY2(data.value(u"error").toString().contains(QLatin1String("status 503")),
                 qPrintable(data.value(u"error").toString()));
        QCOMPARE(data.contains(u"next_attempt_at"), !last);
    }
    // The record of the first failure names when the second attempt was due.
    const QString firstAttemptTime = taskDetail(taskId).value(u"callback").toObject().value(u"deliveries").toArray()
                                         .first().toObject().value(u"log").toArray().first().toObject()
                                         .value(u"time").toString();
    const Result<qint64> firstAttemptMs = Rfc3339::parse(firstAttemptTime);
    QVERIFY(firstAttemptMs);
    QCOMPARE(records.first().value(u"data").toObject().value(u"next_attempt_at").toString(),
             Rfc3339::format(firstAttemptMs.value() + CallbackDispatcher::retryDelayMs(1)));

    const QJsonObject verified = verifyAudit();
    QVERIFY2(verified.value(u"ok").toBool(), qPrintable(verified.value(u"message").toString()));
    QCOMPARE(leakedSecrets(auditExport(), m_receiver->requests, state), QStringList());
}

void tst_Callbacks::invalidConfigRejected_data()
{
    QTest::addColumn<QString>("member");
    QTest::addColumn<QJsonValue>("value");

    QTest::newRow("allowlist http") << QStringLiteral("callback_allowlist")
                                    << QJsonValue(QJsonArray{QStringLiteral("http://cb.example.test")});
    QTest::newRow("allowlist userinfo") << QStringLiteral("callback_allowlist")
                                        << QJsonValue(QJsonArray{QStringLiteral("https://u:p@cb.example.test")});
    QTest::newRow("allowlist unknown member")
        << QStringLiteral("callback_allowlist")
        << QJsonValue(QJsonArray{QJsonObject{{QStringLiteral("origin"), QStringLiteral("https://cb.example.test")},
                                             {QStringLiteral("internl"), true}}});
    QTest::newRow("allowlist internal a string")
        << QStringLiteral("callback_allowlist")
        << QJsonValue(QJsonArray{QJsonObject{{QStringLiteral("origin"), QStringLiteral("https://cb.example.test")},
                                             {QStringLiteral("internal"), QStringLiteral("yes")}}});
    QTest::newRow("ca file missing") << QStringLiteral("callback_ca_file") << QJsonValue(QStringLiteral("/nonexistent.pem"));
    QTest::newRow("short secret") << QStringLiteral("callback_secret") << QJsonValue(QStringLiteral("short"));
}

void tst_Callbacks::invalidConfigRejected()
{
    QFETCH(QString, member);
    QFETCH(QJsonValue, value);
    QJsonObject config = ServiceFixture::identityConfig();
    if (member == QLatin1String("callback_secret")) {
        QJsonArray identities = config.value(u"identities").toArray();
        QJsonObject first = identities.first().toObject();
        first.insert(member, value);
        identities.replace(0, first);
        config.insert(QStringLiteral("identities"), identities);
    } else {
        config.insert(member, value);
    }

    ServiceFixture service;
    service.setConfigure([config](Service::ServiceOptions &options) { options.config = config; });

    QVERIFY(!service.start());
    QVERIFY2(service.errorString().contains(member.section(u'_', 0, 0)), qPrintable(service.errorString()));
}

QTEST_MAIN(tst_Callbacks)
#include "tst_callbacks.moc"
