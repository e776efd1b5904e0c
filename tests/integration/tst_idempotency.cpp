// Idempotent submissions over HTTP: concurrent retries with one Idempotency-Key make one task,
// keys are scoped to the authenticated caller and compared on the canonical body.

#include "core/json/json.h"
#include "tests/integration/araprequests.h"
#include "tests/integration/servicefixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

QString duplicateRequestType()
{
    return QStringLiteral("urn:openid:authzen:access-request:error:duplicate_request");
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray quoted(const QString &text)
{
    const QByteArray array = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

// The same JSON value as different text: members in reverse order, whitespace everywhere, and
// whole numbers written with a fraction ("1.0" for 1).
QByteArray reformatted(const QJsonValue &value)
{
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        QByteArrayList members;
        for (auto it = object.end(); it != object.begin();) {
            --it;
            members.append("\n  " + quoted(it.key()) + " :\t" + reformatted(it.value()));
        }
        return "{ " + members.join(" ,") + "\n}";
    }
    if (value.isArray()) {
        QByteArrayList items;
        for (const QJsonValue &item : value.toArray())
            items.append(reformatted(item));
        return "[ " + items.join(" , ") + " ]";
    }
    if (value.isDouble() && value.toDouble() == double(value.toInteger()))
        return QByteArray::number(value.toInteger()) + ".0";
    if (value.isString())
        return quoted(value.toString());
    return QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
}

QString taskIdOf(const HttpResponse &response)
{
    return response.json.value(u"task").toObject().value(u"id").toString();
}

} // namespace

class tst_Idempotency : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void concurrentRetriesMakeOneTask();
    void keyScopedToCaller();
    void equivalentBodyReturnsSameTask();
    void changedBodyIsDuplicateRequest_data();
    void changedBodyIsDuplicateRequest();
    void keyWithoutCredentials();
    void invalidUtf8KeyRejected();
    void keyLimitCountsCharacters();

private:
    int taskCount();
    std::unique_ptr<ServiceFixture> m_service;
};

void tst_Idempotency::init()
{
    m_service = std::make_unique<ServiceFixture>();
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
}

void tst_Idempotency::cleanup()
{
    m_service.reset();
}

int tst_Idempotency::taskCount()
{
    const HttpResponse tasks = m_service->get(QStringLiteral("/admin/v1/tasks?limit=500"), Tokens::auditor);
    return tasks.status == 200 ? int(tasks.json.value(u"tasks").toArray().size()) : -1;
}

void tst_Idempotency::concurrentRetriesMakeOneTask()
{
    constexpr int kRounds = 10;
    constexpr int kParallel = 10;

    for (int round = 0; round < kRounds; ++round) {
        const QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
        QVERIFY(!submission.isEmpty());
        const Headers headers{{QByteArrayLiteral("Idempotency-Key"), QByteArray("round-" + QByteArray::number(round))}};

        const QList<HttpResponse> responses = m_service->postConcurrently(
            QStringLiteral("/access/v1/requests"), compact(submission), Tokens::pepA, headers, kParallel);

        // Each response carries the one task, or is 409 while the first is in flight, and none is a 5xx.
        QSet<QString> taskIds;
        int created = 0;
        for (const HttpResponse &response : responses) {
            QVERIFY2(response.status == 202 || response.status == 409, response.describe().constData());
            QVERIFY2(!response.body.contains("database") && !response.body.contains("SQL"), response.body.constData());
            if (response.status == 202) {
                ++created;
                taskIds.insert(taskIdOf(response));
            }
        }
        QVERIFY(created >= 1);
        QCOMPARE(taskIds.size(), 1);
        QCOMPARE(taskCount(), round + 1);
    }
}

void tst_Idempotency::keyScopedToCaller()
{
    const QString key = QStringLiteral("shared-key");
    const HttpResponse fromA = m_service->submit(m_service->freshSubmission(Arap::q4PlanRead(), Tokens::pepA), Tokens::pepA, key);
    QVERIFY2(fromA.status == 202, fromA.describe().constData());

    // PEP-B's own denial under PEP-A's key: a task of its own, not a conflict and not PEP-A's task.
    const HttpResponse fromB = m_service->submit(m_service->freshSubmission(Arap::q4PlanRead(), Tokens::pepB), Tokens::pepB, key);
    QVERIFY2(fromB.status == 202, fromB.describe().constData());
    QVERIFY(taskIdOf(fromB) != taskIdOf(fromA));
    QCOMPARE(taskCount(), 2);

    QCOMPARE(m_service->taskStatus(fromB.json.value(u"task").toObject().value(u"status_endpoint").toString(), Tokens::pepB)
                 .status,
             200);
}

void tst_Idempotency::equivalentBodyReturnsSameTask()
{
    QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    QJsonObject context = submission.value(u"context").toObject();
    context.insert(QStringLiteral("attempt"), 1);
    submission.insert(QStringLiteral("context"), context);
    const QString key = QStringLiteral("equivalent-key");
    const HttpResponse first = m_service->submit(submission, Tokens::pepA, key);
    QVERIFY2(first.status == 202, first.describe().constData());

    const QByteArray text = reformatted(submission);
    QVERIFY(text.contains("1.0"));
    QVERIFY(text != compact(submission));
    QVERIFY(Json::structurallyEqual(Json::parse(text).value(), submission));

    const HttpResponse again = m_service->send(QByteArrayLiteral("POST"), QStringLiteral("/access/v1/requests"), text,
                                               Tokens::pepA, {{QByteArrayLiteral("Idempotency-Key"), key.toUtf8()}});
    QVERIFY2(again.status == 202, again.describe().constData());
    QCOMPARE(taskIdOf(again), taskIdOf(first));
    QCOMPARE(again.json, first.json);
    QCOMPARE(taskCount(), 1);
}

void tst_Idempotency::changedBodyIsDuplicateRequest_data()
{
    QTest::addColumn<QString>("member");
    QTest::addColumn<QJsonValue>("value");

    QTest::newRow("different requested_until")
        << QStringLiteral("requested_access")
        << QJsonValue(QJsonObject{{QStringLiteral("requested_until"), QStringLiteral("2026-12-04T13:00:00Z")}});
    QTest::newRow("added justification")
        << QStringLiteral("context")
        << QJsonValue(QJsonObject{{QStringLiteral("tenant"), QStringLiteral("acme")},
                                  {QStringLiteral("business_justification"), QStringLiteral("audit")}});
    QTest::newRow("added client") << QStringLiteral("client")
                                  << QJsonValue(QJsonObject{{QStringLiteral("name"), QStringLiteral("agent runtime")}});
}

void tst_Idempotency::changedBodyIsDuplicateRequest()
{
    QFETCH(QString, member);
    QFETCH(QJsonValue, value);

    QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    submission.insert(QStringLiteral("requested_access"),
                      QJsonObject{{QStringLiteral("requested_until"), QStringLiteral("2026-12-04T12:00:00Z")}});
    const QString key = QStringLiteral("changed-key");
    const HttpResponse first = m_service->submit(submission, Tokens::pepA, key);
    QVERIFY2(first.status == 202, first.describe().constData());

    submission.insert(member, value);
    const HttpResponse changed = m_service->submit(submission, Tokens::pepA, key);

    QVERIFY2(changed.status == 409, changed.describe().constData());
    QVERIFY(changed.isProblem());
    QCOMPARE(changed.problemType(), duplicateRequestType());
    QCOMPARE(taskCount(), 1);
}

void tst_Idempotency::keyWithoutCredentials()
{
    const QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    const QString key = QStringLiteral("anonymous-key");
    QCOMPARE(m_service->submit(submission, Tokens::pepA, key).status, 202);

    // Authentication comes before any idempotency lookup: no task is revealed or replayed.
    const HttpResponse anonymous = m_service->submit(submission, QString(), key);

    QCOMPARE(anonymous.status, 401);
    QVERIFY(anonymous.header("www-authenticate").startsWith("Bearer"));
    QVERIFY(!anonymous.json.contains(u"task"));
}

void tst_Idempotency::invalidUtf8KeyRejected()
{
    // Both keys decode to the same two replacement characters, so a key compared after decoding
    // would send the second submission to the first one's task.
    for (const QByteArray &key : {QByteArray("\xff\xfe"), QByteArray("\xfe\xff")}) {
        const QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
        QVERIFY(!submission.isEmpty());

        const HttpResponse response = m_service->post(QStringLiteral("/access/v1/requests"), submission, Tokens::pepA,
                                                      {{QByteArrayLiteral("Idempotency-Key"), key}});

        QVERIFY2(response.status == 400, response.describe().constData());
        QVERIFY(response.isProblem());
        QVERIFY2(response.json.value(u"detail").toString().contains(u"UTF-8"), response.body.constData());
    }
    QCOMPARE(taskCount(), 0);
}

void tst_Idempotency::keyLimitCountsCharacters()
{
    // Each of these characters is two UTF-16 code units and four UTF-8 bytes.
    const QString smiley = QString::fromUcs4(U"\U0001F600", 1);
    const QString longest = smiley.repeated(255);
    const QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());

    const HttpResponse first = m_service->submit(submission, Tokens::pepA, longest);
    QVERIFY2(first.status == 202, first.describe().constData());
    const HttpResponse replay = m_service->submit(submission, Tokens::pepA, longest);
    QVERIFY2(replay.status == 202, replay.describe().constData());
    QCOMPARE(taskIdOf(replay), taskIdOf(first));

    const QJsonObject secondSubmission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!secondSubmission.isEmpty());
    const HttpResponse tooLong = m_service->submit(secondSubmission, Tokens::pepA, longest + smiley);
    QVERIFY2(tooLong.status == 400, tooLong.describe().constData());
    QCOMPARE(taskCount(), 1);
}

QTEST_GUILESS_MAIN(tst_Idempotency)
#include "tst_idempotency.moc"
