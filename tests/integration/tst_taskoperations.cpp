// Per-operation authorization of PEP identities: the config's "operations" member grants submit,
// read and cancel one by one, and "subjects" names the subjects a PEP may submit for. A missing
// grant gives 403 only on the caller's own tasks; another PEP's task stays 404 unknown_task.

#include "tests/integration/araprequests.h"
#include "tests/integration/servicefixture.h"

#include <QJsonArray>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

const QString kAliceOnlyToken = QStringLiteral("pep-alice-only-secret");
const QString kBobOnlyToken = QStringLiteral("pep-bob-only-secret");
const QString kReaderToken = QStringLiteral("pep-reader-secret");
const QString kNoReadToken = QStringLiteral("pep-no-read-secret");
const QString kNoSubmitToken = QStringLiteral("pep-no-submit-secret");

QJsonObject pepIdentity(const QString &id, const QString &token, const QString &member, const QJsonArray &value)
{
    return QJsonObject{{QStringLiteral("id"), id},
                       {QStringLiteral("role"), QStringLiteral("pep")},
                       {QStringLiteral("token"), token},
                       {member, value}};
}

// The fixture's identities plus PEPs whose credentials grant less than the default.
QJsonObject narrowedConfig()
{
    QJsonObject config = ServiceFixture::identityConfig();
    QJsonArray identities = config.value(u"identities").toArray();
    identities.append(pepIdentity(QStringLiteral("pep-alice-only"), kAliceOnlyToken, QStringLiteral("subjects"),
                                  QJsonArray{QStringLiteral("alice")}));
    identities.append(pepIdentity(QStringLiteral("pep-bob-only"), kBobOnlyToken, QStringLiteral("subjects"),
                                  QJsonArray{QStringLiteral("bob")}));
    identities.append(pepIdentity(QStringLiteral("pep-reader"), kReaderToken, QStringLiteral("operations"),
                                  QJsonArray{QStringLiteral("submit"), QStringLiteral("read")}));
    identities.append(pepIdentity(QStringLiteral("pep-no-read"), kNoReadToken, QStringLiteral("operations"),
                                  QJsonArray{QStringLiteral("submit"), QStringLiteral("cancel")}));
    identities.append(pepIdentity(QStringLiteral("pep-no-submit"), kNoSubmitToken, QStringLiteral("operations"),
                                  QJsonArray{QStringLiteral("read"), QStringLiteral("cancel")}));
    config.insert(QStringLiteral("identities"), identities);
    return config;
}

} // namespace

class tst_TaskOperations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void subjectNotGrantedRejected();
    void otherSubjectRejected();
    void submitNotGrantedRejected();
    void readOnlyCannotCancel_data();
    void readOnlyCannotCancel();
    void statusWithoutReadRejected();
    void defaultsGrantEveryOperation();
    void invalidMembersRejected_data();
    void invalidMembersRejected();

private:
    void checkForbidden(const HttpResponse &response, const QString &named);
    int taskCount();
    std::unique_ptr<ServiceFixture> m_service;
};

void tst_TaskOperations::init()
{
    m_service = std::make_unique<ServiceFixture>();
    m_service->setConfigure([](Service::ServiceOptions &options) { options.config = narrowedConfig(); });
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
}

void tst_TaskOperations::cleanup()
{
    m_service.reset();
}

// A 403 with the project's forbidden problem (the profile defines no type for it) whose
// detail names the refused operation or subject.
void tst_TaskOperations::checkForbidden(const HttpResponse &response, const QString &named)
{
    QVERIFY2(response.status == 403, response.describe().constData());
    QVERIFY2(response.isProblem(), response.contentType().constData());
    QCOMPARE(response.problemType(), QStringLiteral("about:blank"));
    QCOMPARE(response.json.value(u"invalid_value").toString(), named);
    const QString detail = response.json.value(u"detail").toString();
    QVERIFY2(detail.contains(named), qPrintable(detail));
}

// The number of tasks the approver API lists to the auditor, whatever their status.
int tst_TaskOperations::taskCount()
{
    const HttpResponse listed = m_service->get(QStringLiteral("/admin/v1/tasks"), Tokens::auditor);
    if (listed.status != 200)
        return -1;
    return int(listed.json.value(u"tasks").toArray().size());
}

void tst_TaskOperations::subjectNotGrantedRejected()
{
    // pep-bob-only has a valid requestable denial for alice, but may submit only for bob.
    const QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead(), kBobOnlyToken);
    QVERIFY(!submission.isEmpty());

    checkForbidden(m_service->submit(submission, kBobOnlyToken, QStringLiteral("key-1")), QStringLiteral("alice"));
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(taskCount(), 0);

    // The same request from a PEP entitled for alice creates the task, so the listing counts it.
    const Escalation allowed = m_service->requestAccess(Arap::q4PlanRead(), kAliceOnlyToken);
    QVERIFY2(allowed.ok(), qPrintable(allowed.failure));
    QCOMPARE(taskCount(), 1);
}

void tst_TaskOperations::otherSubjectRejected()
{
    // Naming bob in place of alice would break the denial's binding (400), but the subject check
    // comes first and returns 403 without looking at the denial.
    QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead(), kAliceOnlyToken);
    QVERIFY(!submission.isEmpty());
    QJsonObject subject = submission.value(u"subject").toObject();
    subject.insert(QStringLiteral("id"), QStringLiteral("bob"));
    submission.insert(QStringLiteral("subject"), subject);

    checkForbidden(m_service->submit(submission, kAliceOnlyToken), QStringLiteral("bob"));
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(taskCount(), 0);
}

void tst_TaskOperations::submitNotGrantedRejected()
{
    const QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead(), kNoSubmitToken);
    QVERIFY(!submission.isEmpty());

    checkForbidden(m_service->submit(submission, kNoSubmitToken), QStringLiteral("submit"));
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(taskCount(), 0);
}

void tst_TaskOperations::readOnlyCannotCancel_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::newRow("POST") << QByteArrayLiteral("POST");
    QTest::newRow("DELETE") << QByteArrayLiteral("DELETE");
}

void tst_TaskOperations::readOnlyCannotCancel()
{
    QFETCH(QByteArray, method);

    const Escalation own = m_service->requestAccess(Arap::q4PlanRead(), kReaderToken);
    QVERIFY2(own.ok(), qPrintable(own.failure));
    const QString cancelLink = own.task.value(u"links").toObject().value(u"cancel").toString();
    QVERIFY(!cancelLink.isEmpty());

    const HttpResponse before = m_service->taskStatus(own.statusEndpoint(), kReaderToken);
    QVERIFY2(before.status == 200, before.describe().constData());

    checkForbidden(m_service->send(method, cancelLink, {}, kReaderToken), QStringLiteral("cancel"));
    if (QTest::currentTestFailed())
        return;
    const HttpResponse after = m_service->taskStatus(own.statusEndpoint(), kReaderToken);
    QVERIFY2(after.status == 200, after.describe().constData());
    QCOMPARE(after.json.value(u"task").toObject().value(u"status").toString(), QStringLiteral("pending"));

    // Another PEP's task stays unknown: the missing cancel right must not reveal that it exists.
    const Escalation foreign = m_service->requestAccess(Arap::paymentLogRead(), Tokens::pepA);
    QVERIFY2(foreign.ok(), qPrintable(foreign.failure));
    const QString foreignCancel = foreign.task.value(u"links").toObject().value(u"cancel").toString();
    const HttpResponse refused = m_service->send(method, foreignCancel, {}, kReaderToken);
    QVERIFY2(refused.status == 404, refused.describe().constData());
    QCOMPARE(refused.problemType(), QStringLiteral("urn:openid:authzen:access-request:error:unknown_task"));
}

void tst_TaskOperations::statusWithoutReadRejected()
{
    const Escalation own = m_service->requestAccess(Arap::q4PlanRead(), kNoReadToken);
    QVERIFY2(own.ok(), qPrintable(own.failure));

    checkForbidden(m_service->taskStatus(own.statusEndpoint(), kNoReadToken), QStringLiteral("read"));
    if (QTest::currentTestFailed())
        return;

    const Escalation foreign = m_service->requestAccess(Arap::paymentLogRead(), Tokens::pepA);
    QVERIFY2(foreign.ok(), qPrintable(foreign.failure));
    const HttpResponse refused = m_service->taskStatus(foreign.statusEndpoint(), kNoReadToken);
    QVERIFY2(refused.status == 404, refused.describe().constData());
    QCOMPARE(refused.problemType(), QStringLiteral("urn:openid:authzen:access-request:error:unknown_task"));

    // A callback would deliver the status and result without polling, so it needs read as well.
    QJsonObject withCallback = m_service->freshSubmission(Arap::paymentLogRead(), kNoReadToken);
    QVERIFY(!withCallback.isEmpty());
    withCallback.insert(QStringLiteral("callback"),
                        QJsonObject{{QStringLiteral("endpoint"), QStringLiteral("https://cb.example.test/hook")}});
    checkForbidden(m_service->submit(withCallback, kNoReadToken), QStringLiteral("read"));
    if (QTest::currentTestFailed())
        return;

    // The cancel response contains the status body as part of the cancel operation, which this PEP has.
    const QString cancelLink = own.task.value(u"links").toObject().value(u"cancel").toString();
    const HttpResponse cancelled = m_service->post(cancelLink, {}, kNoReadToken);
    QVERIFY2(cancelled.status == 200, cancelled.describe().constData());
    QCOMPARE(cancelled.json.value(u"task").toObject().value(u"status").toString(), QStringLiteral("cancelled"));
}

void tst_TaskOperations::defaultsGrantEveryOperation()
{
    // pep-a has neither member, so it keeps every operation and any subject.
    const Escalation own = m_service->requestAccess(Arap::q4PlanRead(), Tokens::pepA);
    QVERIFY2(own.ok(), qPrintable(own.failure));

    const HttpResponse status = m_service->taskStatus(own.statusEndpoint(), Tokens::pepA);
    QVERIFY2(status.status == 200, status.describe().constData());

    const QString cancelLink = own.task.value(u"links").toObject().value(u"cancel").toString();
    const HttpResponse cancelled = m_service->send("DELETE", cancelLink, {}, Tokens::pepA);
    QVERIFY2(cancelled.status == 200, cancelled.describe().constData());
    QCOMPARE(cancelled.json.value(u"task").toObject().value(u"status").toString(), QStringLiteral("cancelled"));
}

void tst_TaskOperations::invalidMembersRejected_data()
{
    QTest::addColumn<QString>("role");
    QTest::addColumn<QString>("member");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("expected");

    QTest::newRow("operations a string")
        << QStringLiteral("pep") << QStringLiteral("operations") << QJsonValue(QStringLiteral("read"))
        << QStringLiteral("The operations of identity pep-x must be an array of submit, read and cancel.");
    QTest::newRow("operations unknown name")
        << QStringLiteral("pep") << QStringLiteral("operations")
        << QJsonValue(QJsonArray{QStringLiteral("read"), QStringLiteral("delete")})
        << QStringLiteral("The operations of identity pep-x contain the unknown operation \"delete\"; use submit, "
                          "read or cancel.");
    QTest::newRow("operations a number entry")
        << QStringLiteral("pep") << QStringLiteral("operations") << QJsonValue(QJsonArray{1})
        << QStringLiteral("The operations of identity pep-x contain the unknown operation a non-string entry; use "
                          "submit, read or cancel.");
    QTest::newRow("operations on an approver")
        << QStringLiteral("approver") << QStringLiteral("operations") << QJsonValue(QJsonArray{QStringLiteral("read")})
        << QStringLiteral("The identity pep-x has operations, which only pep identities may carry; remove it or "
                          "change the role.");
    QTest::newRow("subjects a string")
        << QStringLiteral("pep") << QStringLiteral("subjects") << QJsonValue(QStringLiteral("alice"))
        << QStringLiteral("The subjects of identity pep-x must be an array");
    QTest::newRow("subjects empty id")
        << QStringLiteral("pep") << QStringLiteral("subjects") << QJsonValue(QJsonArray{QString()})
        << QStringLiteral("The subjects of identity pep-x must be an array");
}

void tst_TaskOperations::invalidMembersRejected()
{
    QFETCH(QString, role);
    QFETCH(QString, member);
    QFETCH(QJsonValue, value);
    QFETCH(QString, expected);

    QJsonObject config = ServiceFixture::identityConfig();
    QJsonArray identities = config.value(u"identities").toArray();
    identities.append(QJsonObject{{QStringLiteral("id"), QStringLiteral("pep-x")},
                                  {QStringLiteral("role"), role},
                                  {QStringLiteral("token"), QStringLiteral("pep-x-secret")},
                                  {member, value}});
    config.insert(QStringLiteral("identities"), identities);

    ServiceFixture service;
    service.setConfigure([config](Service::ServiceOptions &options) { options.config = config; });

    QVERIFY(!service.start());
    QVERIFY2(service.errorString().startsWith(expected), qPrintable(service.errorString()));
}

QTEST_MAIN(tst_TaskOperations)
#include "tst_taskoperations.moc"
