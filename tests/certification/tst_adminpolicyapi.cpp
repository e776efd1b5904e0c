// The approver API's policy views over HTTP: POST /admin/v1/explain ("test this request") and
// GET /admin/v1/policy (the loaded folder and the errors of the last reload), against the real
// service on 127.0.0.1.

#include "core/service/servicehost.h"
#include "tests/certification/pdptesthelpers.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

const QString kExplain = QStringLiteral("/admin/v1/explain");
const QString kPolicy = QStringLiteral("/admin/v1/policy");
const QString kAdminToken = QStringLiteral("root-secret");

const QByteArray kAliceReadsRecord1 = R"({"subject":{"type":"user","id":"alice"},"action":{"name":"read"},
    "resource":{"type":"record","id":"record-1"}})";

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(content) == content.size();
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The 1-based line of the first occurrence of `needle`, or 0.
int lineOf(const QByteArray &text, const QByteArray &needle)
{
    const qsizetype at = text.indexOf(needle);
    return at < 0 ? 0 : int(text.left(at).count('\n')) + 1;
}

} // namespace

class tst_AdminPolicyApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void explainPermit();
    void explainForbidOutranksPermit();
    void explainDefaultDeny();
    void explainRequestable();
    void explainInvalidRequest_data();
    void explainInvalidRequest();
    void explainCallers_data();
    void explainCallers();
    void wrongMethods_data();
    void wrongMethods();
    void policyStatus();
    void policyStatusReportsReloadErrors();

private:
    HttpResponse explain(const QByteArray &body, const QString &token = Tokens::bob);

    ServiceFixture m_service{QStringLiteral("certification")};
};

void tst_AdminPolicyApi::initTestCase()
{
    QVERIFY2(m_service.start(), qPrintable(m_service.errorString()));
    m_service.host()->addIdentity(QStringLiteral("root"), QStringLiteral("admin"), {}, kAdminToken);
}

void tst_AdminPolicyApi::cleanupTestCase()
{
    m_service.stop();
}

HttpResponse tst_AdminPolicyApi::explain(const QByteArray &body, const QString &token)
{
    return m_service.send(QByteArrayLiteral("POST"), kExplain, body, token);
}

void tst_AdminPolicyApi::explainPermit()
{
    const HttpResponse response = explain(kAliceReadsRecord1);
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(mediaType(response), QByteArrayLiteral("application/json"));
    QCOMPARE(response.json.value(u"decision"), QJsonValue(true));
    QCOMPARE(response.json.value(u"effect").toString(), QStringLiteral("permit"));
    QVERIFY(!response.json.contains(u"template"));

    const QJsonArray matched = response.json.value(u"matched").toArray();
    QCOMPARE(matched.size(), 1);
    const QJsonObject rule = matched.at(0).toObject();
    QCOMPARE(rule.value(u"rule").toString(), QStringLiteral("alice-and-bob-read-records"));
    QCOMPARE(rule.value(u"file").toString(), QStringLiteral("rules.json"));
    const QByteArray rules = readFile(QStringLiteral(RECOURSE_SOURCE_DIR "/resources/policies/certification/rules.json"));
    // A rule's line is where its object opens, the line above its id in the shipped file.
    QCOMPARE(rule.value(u"line").toInt(), lineOf(rules, "\"alice-and-bob-read-records\"") - 1);
    QCOMPARE(rule.value(u"effect").toString(), QStringLiteral("permit"));
    QCOMPARE(rule.value(u"description").toString(), QStringLiteral("Alice and Bob may read records."));
    QVERIFY2(response.json.value(u"explanation").toString().contains(QLatin1String("alice-and-bob-read-records")),
             response.body.constData());
}

void tst_AdminPolicyApi::explainForbidOutranksPermit()
{
    // Alice may write records, but archived ones are for admins only.
    const HttpResponse response = explain(R"({"subject":{"type":"user","id":"alice"},"action":{"name":"write"},
        "resource":{"type":"record","id":"record-2","properties":{"status":"archived"}}})");
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.json.value(u"decision"), QJsonValue(false));
    QCOMPARE(response.json.value(u"effect").toString(), QStringLiteral("forbid"));

    const QJsonArray matched = response.json.value(u"matched").toArray();
    QCOMPARE(matched.size(), 2);
    QCOMPARE(matched.at(0).toObject().value(u"rule").toString(), QStringLiteral("archived-records-admin-only"));
    QCOMPARE(matched.at(0).toObject().value(u"effect").toString(), QStringLiteral("forbid"));
    QCOMPARE(matched.at(1).toObject().value(u"rule").toString(), QStringLiteral("alice-writes-records"));
    QCOMPARE(matched.at(1).toObject().value(u"effect").toString(), QStringLiteral("permit"));
    QVERIFY2(response.json.value(u"explanation").toString().contains(QLatin1String("outranked")), response.body.constData());
}

void tst_AdminPolicyApi::explainDefaultDeny()
{
    const HttpResponse response = explain(R"({"subject":{"type":"user","id":"bob"},"action":{"name":"write"},
        "resource":{"type":"record","id":"record-1"}})");
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.json.value(u"decision"), QJsonValue(false));
    QCOMPARE(response.json.value(u"effect").toString(), QStringLiteral("deny"));
    QCOMPARE(response.json.value(u"matched").toArray(), QJsonArray{});
    QVERIFY2(response.json.value(u"explanation").toString().startsWith(QLatin1String("Denied by default")),
             response.body.constData());
}

void tst_AdminPolicyApi::explainRequestable()
{
    ServiceFixture arap(QStringLiteral("arap-conformance"));
    QVERIFY2(arap.start(), qPrintable(arap.errorString()));

    const HttpResponse response = arap.send(QByteArrayLiteral("POST"), kExplain, R"({"subject":{"type":"user","id":"alice"},
        "action":{"name":"can_read"},"resource":{"type":"document","id":"q4-plan"},"context":{"tenant":"acme"}})",
                                            Tokens::carol);
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(response.json.value(u"decision"), QJsonValue(false));
    QCOMPARE(response.json.value(u"effect").toString(), QStringLiteral("requestable"));
    QCOMPARE(response.json.value(u"template").toString(), QStringLiteral("manager_approval"));
    QCOMPARE(response.json.value(u"matched").toArray().at(0).toObject().value(u"rule").toString(),
             QStringLiteral("q4-documents-need-manager-approval"));

    // Explaining issues nothing: no requestable denial reaches the denial list.
    const HttpResponse denials = arap.get(QStringLiteral("/admin/v1/denials"), Tokens::carol);
    QVERIFY2(denials.status == 200, denials.describe().constData());
    QVERIFY2(!denials.body.contains("q4-plan"), denials.body.constData());
}

void tst_AdminPolicyApi::explainInvalidRequest_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("invalidValue");

    QTest::newRow("missing subject") << QByteArray(R"({"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}})")
                                     << QStringLiteral("subject");
    QTest::newRow("action name a number") << QByteArray(R"({"subject":{"type":"user","id":"alice"},"action":{"name":1},
        "resource":{"type":"record","id":"record-1"}})") << QStringLiteral("action.name");
    QTest::newRow("malformed JSON") << QByteArrayLiteral("{") << QString();
}

void tst_AdminPolicyApi::explainInvalidRequest()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, invalidValue);

    const HttpResponse response = explain(body);
    QVERIFY2(response.status == 400, response.describe().constData());
    QVERIFY(response.isProblem());
    if (!invalidValue.isEmpty())
        QCOMPARE(response.json.value(u"invalid_value").toString(), invalidValue);
}

void tst_AdminPolicyApi::explainCallers_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<int>("status");

    QTest::newRow("approver") << Tokens::bob << 200;
    QTest::newRow("auditor") << Tokens::auditor << 200;
    QTest::newRow("admin") << kAdminToken << 200;
    QTest::newRow("PEP") << Tokens::pepA << 403;
    QTest::newRow("no token") << QString() << 401;
}

void tst_AdminPolicyApi::explainCallers()
{
    QFETCH(QString, token);
    QFETCH(int, status);

    const HttpResponse explained = explain(kAliceReadsRecord1, token);
    QVERIFY2(explained.status == status, explained.describe().constData());
    const HttpResponse policy = m_service.get(kPolicy, token);
    QVERIFY2(policy.status == status, policy.describe().constData());
}

void tst_AdminPolicyApi::wrongMethods_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");

    QTest::newRow("GET explain") << QByteArrayLiteral("GET") << kExplain;
    QTest::newRow("PUT explain") << QByteArrayLiteral("PUT") << kExplain;
    QTest::newRow("POST policy") << QByteArrayLiteral("POST") << kPolicy;
    QTest::newRow("DELETE policy") << QByteArrayLiteral("DELETE") << kPolicy;
}

void tst_AdminPolicyApi::wrongMethods()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);

    const HttpResponse response = m_service.send(method, path, method == "GET" || method == "DELETE" ? QByteArray() : kAliceReadsRecord1,
                                                 Tokens::bob);
    QVERIFY2(response.status == 405, response.describe().constData());
}

void tst_AdminPolicyApi::policyStatus()
{
    const HttpResponse response = m_service.get(kPolicy, Tokens::auditor);
    QVERIFY2(response.status == 200, response.describe().constData());
    QCOMPARE(mediaType(response), QByteArrayLiteral("application/json"));

    QCOMPARE(QDir(response.json.value(u"folder").toString()).canonicalPath(),
             QDir(QStringLiteral(RECOURSE_SOURCE_DIR "/resources/policies/certification")).canonicalPath());
    QCOMPARE(response.json.value(u"files").toArray(), (QJsonArray{QStringLiteral("entities.json"), QStringLiteral("rules.json")}));
    QCOMPARE(response.json.value(u"rule_count").toInt(-1), 6);
    QCOMPARE(response.json.value(u"template_count").toInt(-1), 0);
    QCOMPARE(response.json.value(u"templates").toArray(), QJsonArray{});
    QCOMPARE(response.json.value(u"entities").toObject(), jsonObject(R"({"subjects":2,"resources":2,"actions":3})"));
    QCOMPARE(response.json.value(u"errors").toArray(), QJsonArray{});
}

void tst_AdminPolicyApi::policyStatusReportsReloadErrors()
{
    // A service of its own over a writable copy of the certification pack.
    QTemporaryDir policyDir;
    QTemporaryDir dataDir;
    QVERIFY(policyDir.isValid());
    QVERIFY(dataDir.isValid());
    const QString packDir = QStringLiteral(RECOURSE_SOURCE_DIR "/resources/policies/certification/");
    const QByteArray goodRules = readFile(packDir + QStringLiteral("rules.json"));
    QVERIFY(!goodRules.isEmpty());
    QVERIFY(writeFile(policyDir.filePath(QStringLiteral("entities.json")), readFile(packDir + QStringLiteral("entities.json"))));
    QVERIFY(writeFile(policyDir.filePath(QStringLiteral("rules.json")), goodRules));

    Service::ServiceOptions options;
    options.dataDir = dataDir.path();
    options.policy = policyDir.path();
    options.config = ServiceFixture::identityConfig();
    options.clock = std::make_shared<ManualClock>(kFixtureStartMs);
    auto started = Service::ServiceHost::start(std::move(options));
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    const std::unique_ptr<Service::ServiceHost> host = std::move(started.value());
    const QString statusUrl = host->baseUrl().toString(QUrl::StripTrailingSlash) + kPolicy;
    const QString explainUrl = host->baseUrl().toString(QUrl::StripTrailingSlash) + kExplain;

    // Given a rule file broken on a known line,
    QByteArray brokenRules = goodRules;
    brokenRules.replace(R"("effect": "permit")", R"("effect": "perhaps")");
    QVERIFY(brokenRules != goodRules);
    const int brokenLine = lineOf(brokenRules, R"("perhaps")");
    QVERIFY(writeFile(policyDir.filePath(QStringLiteral("rules.json")), brokenRules));

    // when the service reloads, the status lists the error by file and line,
    QTRY_VERIFY_WITH_TIMEOUT(!m_service.get(statusUrl, Tokens::bob).json.value(u"errors").toArray().isEmpty(), 10000);
    const HttpResponse broken = m_service.get(statusUrl, Tokens::bob);
    const QJsonObject error = broken.json.value(u"errors").toArray().at(0).toObject();
    QCOMPARE(error.value(u"file").toString(), QStringLiteral("rules.json"));
    QCOMPARE(error.value(u"line").toInt(), brokenLine);
    QVERIFY2(error.value(u"message").toString().contains(QLatin1String("perhaps")), broken.body.constData());

    // and the last good policy keeps deciding.
    QCOMPARE(broken.json.value(u"rule_count").toInt(-1), 6);
    const HttpResponse stillPermitted = m_service.send(QByteArrayLiteral("POST"), explainUrl, kAliceReadsRecord1, Tokens::bob);
    QCOMPARE(stillPermitted.json.value(u"effect").toString(), QStringLiteral("permit"));

    // Repairing the file clears the errors.
    QVERIFY(writeFile(policyDir.filePath(QStringLiteral("rules.json")), goodRules));
    QTRY_VERIFY_WITH_TIMEOUT(m_service.get(statusUrl, Tokens::bob).json.value(u"errors").toArray().isEmpty(), 10000);
    QCOMPARE(m_service.get(statusUrl, Tokens::bob).json.value(u"rule_count").toInt(-1), 6);
}

QTEST_GUILESS_MAIN(tst_AdminPolicyApi)
#include "tst_adminpolicyapi.moc"
