// The upstream AuthZEN client on its own, against a fake PDP on 127.0.0.1: what it forwards, how
// it reads each kind of answer, and that every bad answer becomes a Failed verdict with a warning
// that names the URL and never the token.

#include "core/escalation/upstream.h"
#include "tests/upstream/fakepdp.h"
#include "tests/upstream/messagecapture.h"

#include <QRegularExpression>
#include <QTest>

#include <memory>
#include <optional>

using namespace Recourse;
using namespace Recourse::Escalation;
using namespace Recourse::Testing;

namespace {

const QString kToken = QStringLiteral("upstream-secret");

// The warning every failed exchange logs, for an upstream on 127.0.0.1.
const QRegularExpression kFailureWarning(
    QStringLiteral(R"(^Upstream PDP http://127\.0\.0\.1:\d+/access/v1/evaluation gave no usable decision)"));

AuthZen::EvaluationRequest reportRead(const QString &resourceId, const QJsonObject &context = {})
{
    return AuthZen::EvaluationRequest{
        QJsonObject{{QStringLiteral("type"), QStringLiteral("user")}, {QStringLiteral("id"), QStringLiteral("alice")}},
        QJsonObject{{QStringLiteral("type"), QStringLiteral("report")}, {QStringLiteral("id"), resourceId}},
        QJsonObject{{QStringLiteral("name"), QStringLiteral("read")}}, context};
}

std::unique_ptr<UpstreamPdp> clientFor(const FakePdp &fake, const QString &token = kToken, int timeoutMs = 2000)
{
    UpstreamOptions options;
    options.url = fake.url();
    options.token = token;
    options.timeoutMs = timeoutMs;
    return std::make_unique<UpstreamPdp>(options);
}

} // namespace

Q_DECLARE_METATYPE(Recourse::Testing::FakeAnswer)
Q_DECLARE_METATYPE(Recourse::Escalation::UpstreamVerdict)

class tst_UpstreamPdp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validatesUrls_data();
    void validatesUrls();
    void extendsTheUrlWithTheEvaluationPath_data();
    void extendsTheUrlWithTheEvaluationPath();
    void forwardsTheRequestWithoutApproval();
    void sendsTheBearerTokenOnlyWhenConfigured();
    void readsEachKindOfAnswer_data();
    void readsEachKindOfAnswer();
    void failsClosedWhenNothingListens();
    void repeatedFailuresLogOnce();
    void matchesConcurrentAnswersToTheirRequests();
    void neverCallsBackAfterDestruction();
};

void tst_UpstreamPdp::validatesUrls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("valid");

    QTest::newRow("http with a port") << "http://127.0.0.1:3592" << true;
    QTest::newRow("https with a path") << "https://pdp.example.test/authzen" << true;
    QTest::newRow("another scheme") << "ftp://pdp.example.test" << false;
    QTest::newRow("no host") << "http:///access" << false;
    QTest::newRow("credentials in the URL") << "https://svc:secret@pdp.example.test" << false;
    QTest::newRow("a query") << "https://pdp.example.test/?tenant=a" << false;
    QTest::newRow("a fragment") << "https://pdp.example.test/#x" << false;
}

void tst_UpstreamPdp::validatesUrls()
{
    QFETCH(QString, url);
    QFETCH(bool, valid);

    const Result<void> result = validateUpstreamUrl(QUrl(url, QUrl::StrictMode));

    QCOMPARE(result.ok(), valid);
    if (!valid)
        QVERIFY2(!result.error().value.contains(QLatin1String("secret")), qPrintable(result.error().value));
}

void tst_UpstreamPdp::extendsTheUrlWithTheEvaluationPath_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("endpoint");

    QTest::newRow("bare host") << "http://127.0.0.1:3592" << "http://127.0.0.1:3592/access/v1/evaluation";
    QTest::newRow("host with a slash") << "http://127.0.0.1:3592/" << "http://127.0.0.1:3592/access/v1/evaluation";
    QTest::newRow("path prefix") << "https://gw.example.test/pdp" << "https://gw.example.test/pdp/access/v1/evaluation";
    QTest::newRow("path prefix with a slash") << "https://gw.example.test/pdp/"
                                              << "https://gw.example.test/pdp/access/v1/evaluation";
}

void tst_UpstreamPdp::extendsTheUrlWithTheEvaluationPath()
{
    QFETCH(QString, url);
    QFETCH(QString, endpoint);

    UpstreamPdp client(UpstreamOptions{QUrl(url), {}, 1000, 1024});

    QCOMPARE(client.evaluationEndpoint().toString(), endpoint);
}

void tst_UpstreamPdp::forwardsTheRequestWithoutApproval()
{
    FakePdp fake;
    QVERIFY(fake.listen());
    fake.setFallback(FakeAnswer::Deny);
    auto client = clientFor(fake);
    const QJsonObject approval{{QStringLiteral("id"), QStringLiteral("apr_1")}, {QStringLiteral("state"), QStringLiteral("e30.e30.sig")}};

    // Given a re-evaluation that carries an approval next to another context member
    std::optional<UpstreamVerdict> verdict;
    client->evaluate(reportRead(QStringLiteral("r-1"), QJsonObject{{QStringLiteral("tenant"), QStringLiteral("acme")},
                                                                    {QStringLiteral("approval"), approval}}),
                     [&](UpstreamVerdict answer) { verdict = answer; });
    QTRY_VERIFY(verdict.has_value());

    // Then the upstream received the request with every member but the approval
    QCOMPARE(fake.requestCount(), 1);
    QCOMPARE(fake.paths().first(), QByteArrayLiteral("/access/v1/evaluation"));
    const QJsonObject received = fake.bodies().first();
    QCOMPARE(received.value(QStringLiteral("context")).toObject(), (QJsonObject{{QStringLiteral("tenant"), QStringLiteral("acme")}}));
    QCOMPARE(received.value(QStringLiteral("resource")).toObject().value(QStringLiteral("id")).toString(), QStringLiteral("r-1"));
    QCOMPARE(*verdict, UpstreamVerdict::Deny);

    // And a context that held only the approval is left out entirely
    const QJsonObject onlyApproval = UpstreamPdp::forwardedBody(
        reportRead(QStringLiteral("r-1"), QJsonObject{{QStringLiteral("approval"), approval}}));
    QVERIFY(!onlyApproval.contains(QStringLiteral("context")));
}

void tst_UpstreamPdp::sendsTheBearerTokenOnlyWhenConfigured()
{
    FakePdp fake;
    QVERIFY(fake.listen());
    fake.setFallback(FakeAnswer::Permit);
    int answers = 0;

    auto withToken = clientFor(fake, kToken);
    withToken->evaluate(reportRead(QStringLiteral("r-1")), [&](UpstreamVerdict) { ++answers; });
    QTRY_COMPARE(answers, 1);
    auto withoutToken = clientFor(fake, QString());
    withoutToken->evaluate(reportRead(QStringLiteral("r-1")), [&](UpstreamVerdict) { ++answers; });
    QTRY_COMPARE(answers, 2);

    QCOMPARE(fake.authorizations(), (QList<QByteArray>{"Bearer upstream-secret", QByteArray()}));
}

void tst_UpstreamPdp::readsEachKindOfAnswer_data()
{
    QTest::addColumn<FakeAnswer>("answer");
    QTest::addColumn<UpstreamVerdict>("expected");

    QTest::newRow("permit") << FakeAnswer::Permit << UpstreamVerdict::Permit;
    QTest::newRow("deny with a context") << FakeAnswer::Deny << UpstreamVerdict::Deny;
    QTest::newRow("no answer before the timeout") << FakeAnswer::Silent << UpstreamVerdict::Failed;
    QTest::newRow("HTTP 500") << FakeAnswer::ServerError << UpstreamVerdict::Failed;
    QTest::newRow("a body that is not JSON") << FakeAnswer::Garbage << UpstreamVerdict::Failed;
    QTest::newRow("decision is a string") << FakeAnswer::NotBoolean << UpstreamVerdict::Failed;
    QTest::newRow("context is not an object") << FakeAnswer::ContextNotObject << UpstreamVerdict::Failed;
    QTest::newRow("text/plain") << FakeAnswer::WrongMediaType << UpstreamVerdict::Failed;
    QTest::newRow("256 KiB with Content-Length") << FakeAnswer::Oversized << UpstreamVerdict::Failed;
    QTest::newRow("256 KiB without Content-Length") << FakeAnswer::OversizedUnsized << UpstreamVerdict::Failed;
    QTest::newRow("a redirect to a permitting path") << FakeAnswer::Redirect << UpstreamVerdict::Failed;
}

void tst_UpstreamPdp::readsEachKindOfAnswer()
{
    QFETCH(FakeAnswer, answer);
    QFETCH(UpstreamVerdict, expected);
    FakePdp fake;
    QVERIFY(fake.listen());
    fake.setFallback(answer);
    auto client = clientFor(fake, kToken, 500);
    MessageCapture capture;
    if (expected == UpstreamVerdict::Failed)
        QTest::ignoreMessage(QtWarningMsg, kFailureWarning);
    else
        QTest::failOnWarning(QRegularExpression(QStringLiteral(".")));

    // When the client asks once
    std::optional<UpstreamVerdict> verdict;
    int calls = 0;
    client->evaluate(reportRead(QStringLiteral("r-1")), [&](UpstreamVerdict v) {
        verdict = v;
        ++calls;
    });
    QVERIFY2(!verdict.has_value(), "the callback must never run inside evaluate()");
    QTRY_VERIFY_WITH_TIMEOUT(verdict.has_value(), 10000);

    // Then it reads the verdict, called back once, and sent exactly one request (no redirect followed)
    QCOMPARE(*verdict, expected);
    QCOMPARE(calls, 1);
    QCOMPARE(fake.requestCount(), 1);
    for (const QString &message : capture.messages())
        QVERIFY2(!message.contains(kToken), qPrintable(message));
}

void tst_UpstreamPdp::failsClosedWhenNothingListens()
{
    // Given a port that was free a moment ago
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();
    UpstreamPdp client(UpstreamOptions{QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)), kToken, 2000, 1024});
    QTest::ignoreMessage(QtWarningMsg, kFailureWarning);

    std::optional<UpstreamVerdict> verdict;
    client.evaluate(reportRead(QStringLiteral("r-1")), [&](UpstreamVerdict v) { verdict = v; });

    QTRY_VERIFY_WITH_TIMEOUT(verdict.has_value(), 10000);
    QCOMPARE(*verdict, UpstreamVerdict::Failed);
}

void tst_UpstreamPdp::repeatedFailuresLogOnce()
{
    FakePdp fake;
    QVERIFY(fake.listen());
    fake.setFallback(FakeAnswer::ServerError);
    auto client = clientFor(fake);
    QTest::ignoreMessage(QtWarningMsg, kFailureWarning);
    QTest::failOnWarning(kFailureWarning);

    // When three evaluations fail one after another
    int failures = 0;
    for (int i = 0; i < 3; ++i) {
        client->evaluate(reportRead(QStringLiteral("r-1")), [&](UpstreamVerdict v) { failures += v == UpstreamVerdict::Failed; });
        QTRY_COMPARE(failures, i + 1);
    }

    // Then only the first was logged (a second warning would fail the test)
    QCOMPARE(fake.requestCount(), 3);
}

void tst_UpstreamPdp::matchesConcurrentAnswersToTheirRequests()
{
    FakePdp fake;
    QVERIFY(fake.listen());
    // Later requests are answered first, so answers arrive out of order.
    for (int i = 0; i < 12; ++i)
        fake.answer(QStringLiteral("r-%1").arg(i), i % 3 == 0 ? FakeAnswer::Permit : FakeAnswer::Deny, (12 - i) * 20);
    auto client = clientFor(fake);

    QList<std::optional<UpstreamVerdict>> verdicts(12);
    for (int i = 0; i < 12; ++i)
        client->evaluate(reportRead(QStringLiteral("r-%1").arg(i)), [&verdicts, i](UpstreamVerdict v) { verdicts[i] = v; });

    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(verdicts.cbegin(), verdicts.cend(), [](const auto &v) { return v.has_value(); }), 10000);
    for (int i = 0; i < 12; ++i)
        QCOMPARE(*verdicts.at(i), i % 3 == 0 ? UpstreamVerdict::Permit : UpstreamVerdict::Deny);
}

void tst_UpstreamPdp::neverCallsBackAfterDestruction()
{
    FakePdp fake;
    QVERIFY(fake.listen());
    fake.answer(QStringLiteral("r-slow"), FakeAnswer::Permit, 200);
    int abandonedCalls = 0;
    int laterCalls = 0;

    // Given a client destroyed while its request waits for a delayed answer
    auto abandoned = clientFor(fake);
    abandoned->evaluate(reportRead(QStringLiteral("r-slow")), [&](UpstreamVerdict) { ++abandonedCalls; });
    QTRY_COMPARE(fake.requestCount(), 1);
    abandoned.reset();

    // When a second request with the same delay, sent later, has been answered
    auto later = clientFor(fake);
    later->evaluate(reportRead(QStringLiteral("r-slow")), [&](UpstreamVerdict) { ++laterCalls; });
    QTRY_COMPARE(laterCalls, 1);

    // Then the destroyed client's callback never ran
    QCOMPARE(abandonedCalls, 0);
}

QTEST_GUILESS_MAIN(tst_UpstreamPdp)
#include "tst_upstreampdp.moc"
