// How the Access Request Endpoint compares a submission with its denial over HTTP. The binding
// token outranks an echoed evaluation_id. Bound context is compared structurally (RFC 8785
// numbers, code points, array order, null versus absent). Extension members the service does not
// know are ignored. Token forms other than compact JWS are rejected. A policy that binds a member
// the approval protocol sets is rejected at start.

#include "core/jose/jose.h"
#include "tests/integration/araprequests.h"
#include "tests/integration/servicefixture.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

const QString kInvalidBinding = QStringLiteral("urn:openid:authzen:access-request:error:invalid_denial_binding");

// manager_approval binds the tenant member, and any tenant value keeps q4-plan requestable, so a
// structured tenant puts every JSON type under the binding.
QJsonObject structuredTenant()
{
    return QJsonObject{{QStringLiteral("name"), QStringLiteral("acm\u00e9")}, // é as one code point (NFC)
                       {QStringLiteral("count"), 1},
                       {QStringLiteral("regions"), QJsonArray{QStringLiteral("eu"), QStringLiteral("us")}},
                       {QStringLiteral("parent"), QJsonValue(QJsonValue::Null)}};
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

class tst_SubmissionBinding : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void tokenOutranksEvaluationId_data();
    void tokenOutranksEvaluationId();
    void contextComparedStructurally_data();
    void contextComparedStructurally();
    void extensionMembersIgnored();
    void denialWithoutExpiry();
    void nonJwsTokenRejected_data();
    void nonJwsTokenRejected();
    void reservedContextMemberRejected_data();
    void reservedContextMemberRejected();

private:
    std::unique_ptr<ServiceFixture> m_service;
};

void tst_SubmissionBinding::init()
{
    m_service = std::make_unique<ServiceFixture>();
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
}

void tst_SubmissionBinding::cleanup()
{
    m_service.reset();
}

void tst_SubmissionBinding::tokenOutranksEvaluationId_data()
{
    QTest::addColumn<QString>("echoedId"); // empty: the evaluation_id of another genuine denial

    QTest::newRow("evaluation_id never issued") << QStringLiteral("evl_NOTISSUEDBYTHISSERVICE0");
    QTest::newRow("evaluation_id of another denial") << QString();
}

void tst_SubmissionBinding::tokenOutranksEvaluationId()
{
    QFETCH(QString, echoedId);

    // With a valid token the token is the binding and the echoed evaluation_id only correlates.
    // A wrong one neither rejects the submission nor attaches the task to another evaluation.
    QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    QJsonObject denial = submission.value(u"denial").toObject();
    const QString genuineId = denial.value(u"evaluation_id").toString();
    QVERIFY(!genuineId.isEmpty());
    if (echoedId.isEmpty()) {
        const QJsonObject other = m_service->freshSubmission(
            Arap::evaluation(Arap::alice(), Arap::document(QStringLiteral("q4-budget")), QStringLiteral("can_read"),
                             Arap::tenant()));
        echoedId = other.value(u"denial").toObject().value(u"evaluation_id").toString();
        QVERIFY(!echoedId.isEmpty());
        QVERIFY(echoedId != genuineId);
    }
    denial.insert(QStringLiteral("evaluation_id"), echoedId);
    submission.insert(QStringLiteral("denial"), denial);

    const HttpResponse response = m_service->submit(submission);

    QVERIFY2(response.status == 202, response.describe().constData());
    const QString taskId = response.json.value(u"task").toObject().value(u"id").toString();
    const HttpResponse detail = m_service->get(QStringLiteral("/admin/v1/tasks/") + taskId, Tokens::auditor);
    QCOMPARE(detail.status, 200);
    QCOMPARE(detail.json.value(u"evaluation").toObject().value(u"evaluation_id").toString(), genuineId);
    QCOMPARE(detail.json.value(u"resource").toObject().value(u"id").toString(), QStringLiteral("q4-plan"));
}

void tst_SubmissionBinding::contextComparedStructurally_data()
{
    QTest::addColumn<QString>("change");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("unchanged (control)") << QString() << true;
    QTest::newRow("1 written as 1.0") << QStringLiteral("count 1.0") << true;
    QTest::newRow("1 written as 1e0") << QStringLiteral("count 1e0") << true;
    QTest::newRow("members in another order") << QStringLiteral("member order") << true;
    QTest::newRow("1 as the string \"1\"") << QStringLiteral("count string") << false;
    QTest::newRow("NFD spelling of the same name") << QStringLiteral("name nfd") << false;
    QTest::newRow("array in another order") << QStringLiteral("regions reversed") << false;
    QTest::newRow("null member removed") << QStringLiteral("parent removed") << false;
    QTest::newRow("null member set to false") << QStringLiteral("parent false") << false;
}

void tst_SubmissionBinding::contextComparedStructurally()
{
    QFETCH(QString, change);
    QFETCH(bool, accepted);

    const QJsonObject request = Arap::evaluation(Arap::alice(), Arap::document(QStringLiteral("q4-plan")),
                                                 QStringLiteral("can_read"),
                                                 QJsonObject{{QStringLiteral("tenant"), structuredTenant()}});
    QJsonObject submission = m_service->freshSubmission(request);
    QVERIFY(!submission.isEmpty());

    QJsonObject tenant = structuredTenant();
    if (change == QLatin1String("count string"))
        tenant.insert(QStringLiteral("count"), QStringLiteral("1"));
    else if (change == QLatin1String("name nfd"))
        tenant.insert(QStringLiteral("name"), QStringLiteral("acme\u0301"));
    else if (change == QLatin1String("regions reversed"))
        tenant.insert(QStringLiteral("regions"), QJsonArray{QStringLiteral("us"), QStringLiteral("eu")});
    else if (change == QLatin1String("parent removed"))
        tenant.remove(QStringLiteral("parent"));
    else if (change == QLatin1String("parent false"))
        tenant.insert(QStringLiteral("parent"), false);
    submission.insert(QStringLiteral("context"), QJsonObject{{QStringLiteral("tenant"), tenant}});

    // QJsonDocument writes 1 as "1" and sorts members, so the spellings that must compare equal
    // are produced by editing the text.
    QByteArray body = compact(submission);
    const QByteArray countMember = QByteArrayLiteral("\"count\":1,");
    QCOMPARE(body.count(countMember), change.startsWith(u"count string") ? 0 : 1);
    if (change == QLatin1String("count 1.0"))
        body.replace(countMember, QByteArrayLiteral("\"count\":1.0,"));
    else if (change == QLatin1String("count 1e0"))
        body.replace(countMember, QByteArrayLiteral("\"count\":1e0,"));
    else if (change == QLatin1String("member order"))
        body.replace(countMember, QByteArray()).replace(QByteArrayLiteral("\"regions\":"),
                                                        QByteArrayLiteral("\"count\":1,\"regions\":"));

    const HttpResponse response = m_service->send(QByteArrayLiteral("POST"), QStringLiteral("/access/v1/requests"), body,
                                                  Tokens::pepA);

    if (accepted) {
        QVERIFY2(response.status == 202, response.describe().constData());
        return;
    }
    QVERIFY2(response.status == 400, response.describe().constData());
    QVERIFY(response.isProblem());
    QCOMPARE(response.problemType(), kInvalidBinding);
}

void tst_SubmissionBinding::extensionMembersIgnored()
{
    // Members the service does not know, at each extension point, named as absolute URIs or in
    // reverse-DNS form. None is bound by the denial, so the submission is accepted.
    QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    submission.insert(QStringLiteral("com.example.trace"), QJsonObject{{QStringLiteral("span"), QStringLiteral("a1")}});
    QJsonObject context = submission.value(u"context").toObject();
    context.insert(QStringLiteral("https://vendor.example.com/risk-score"), 12);
    submission.insert(QStringLiteral("context"), context);
    QJsonObject denial = submission.value(u"denial").toObject();
    denial.insert(QStringLiteral("com.example.pdp-build"), QStringLiteral("7.1"));
    submission.insert(QStringLiteral("denial"), denial);
    submission.insert(QStringLiteral("requested_access"),
                      QJsonObject{{QStringLiteral("com.example.priority"), QStringLiteral("high")}});
    submission.insert(QStringLiteral("client"), QJsonObject{{QStringLiteral("com.example.runtime"), QStringLiteral("agent-sdk")}});

    const HttpResponse response = m_service->submit(submission);

    QVERIFY2(response.status == 202, response.describe().constData());
    QCOMPARE(response.json.value(u"task").toObject().value(u"status").toString(), QStringLiteral("pending"));
}

void tst_SubmissionBinding::denialWithoutExpiry()
{
    // denial.expires_at is required even when the binding token protects the same instant.
    QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    QJsonObject denial = submission.value(u"denial").toObject();
    denial.remove(QStringLiteral("expires_at"));
    submission.insert(QStringLiteral("denial"), denial);

    const HttpResponse response = m_service->submit(submission);

    QVERIFY2(response.status == 400, response.describe().constData());
    QVERIFY(response.isProblem());
    QCOMPARE(response.json.value(u"invalid_value").toString(), QStringLiteral("denial.expires_at"));
    const HttpResponse tasks = m_service->get(QStringLiteral("/admin/v1/tasks"), Tokens::auditor);
    QCOMPARE(tasks.json.value(u"tasks").toArray().size(), 0);
}

void tst_SubmissionBinding::nonJwsTokenRejected_data()
{
    QTest::addColumn<QString>("token");

    // The service verifies compact JWS only, so any other token form must fail as a binding
    // instead of being accepted unchecked.
    const QString jweHeader = QString::fromLatin1(
        Jose::base64UrlEncode(QByteArrayLiteral(R"({"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"k1"})")));
    QTest::newRow("five-part JWE") << QString(jweHeader + QStringLiteral(".a2V5.aXY.Y2lwaGVy.dGFn"));
    QTest::newRow("opaque reference") << QStringLiteral("ref_5f2c9a0e7b1d4c3a");
    QTest::newRow("two parts") << QStringLiteral("eyJhbGciOiJFUzI1NiJ9.e30");
    QTest::newRow("four parts") << QStringLiteral("eyJhbGciOiJFUzI1NiJ9.e30.c2ln.eHg");
}

void tst_SubmissionBinding::nonJwsTokenRejected()
{
    QFETCH(QString, token);

    QJsonObject submission = m_service->freshSubmission(Arap::q4PlanRead());
    QVERIFY(!submission.isEmpty());
    QJsonObject denial = submission.value(u"denial").toObject();
    denial.insert(QStringLiteral("binding_token"), token);
    submission.insert(QStringLiteral("denial"), denial);

    const HttpResponse response = m_service->submit(submission);

    QVERIFY2(response.status == 400, response.describe().constData());
    QVERIFY(response.isProblem());
    QCOMPARE(response.problemType(), kInvalidBinding);
    const HttpResponse tasks = m_service->get(QStringLiteral("/admin/v1/tasks"), Tokens::auditor);
    QCOMPARE(tasks.json.value(u"tasks").toArray().size(), 0);
}

void tst_SubmissionBinding::reservedContextMemberRejected_data()
{
    QTest::addColumn<QString>("member");

    // The PDP and the PEP set these members during the escalation itself, so binding one would
    // make every submission or re-evaluation differ from its denial.
    for (const char *member : {"approval", "access_request", "evaluation_id", "evaluated_at", "reason"})
        QTest::newRow(member) << QString::fromLatin1(member);
}

void tst_SubmissionBinding::reservedContextMemberRejected()
{
    QFETCH(QString, member);

    // The shipped arap-conformance pack, with manager_approval also binding `member`.
    QTemporaryDir pack;
    QVERIFY(pack.isValid());
    const QDir source(QStringLiteral(RECOURSE_SOURCE_DIR "/resources/policies/arap-conformance"));
    for (const QString &name : source.entryList({QStringLiteral("*.json")}, QDir::Files))
        QVERIFY(QFile::copy(source.filePath(name), QDir(pack.path()).filePath(name)));
    QFile templatesFile(QDir(pack.path()).filePath(QStringLiteral("templates.json")));
    QVERIFY(templatesFile.open(QIODevice::ReadOnly));
    QJsonObject document = QJsonDocument::fromJson(templatesFile.readAll()).object();
    templatesFile.close();
    QJsonObject templates = document.value(u"templates").toObject();
    QJsonObject managerApproval = templates.value(u"manager_approval").toObject();
    QJsonArray relevant = managerApproval.value(u"relevant_context").toArray();
    QVERIFY(!relevant.isEmpty());
    relevant.append(member);
    managerApproval.insert(QStringLiteral("relevant_context"), relevant);
    templates.insert(QStringLiteral("manager_approval"), managerApproval);
    document.insert(QStringLiteral("templates"), templates);
    QVERIFY(templatesFile.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QVERIFY(templatesFile.write(QJsonDocument(document).toJson()) > 0);
    templatesFile.close();

    ServiceFixture service(pack.path());

    QVERIFY(!service.start());
    QVERIFY2(service.errorString().contains(QStringLiteral("\"%1\" cannot be an authorization-relevant context member").arg(member)),
             qPrintable(service.errorString()));
}

QTEST_GUILESS_MAIN(tst_SubmissionBinding)
#include "tst_submissionbinding.moc"
