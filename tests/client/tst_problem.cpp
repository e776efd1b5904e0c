#include "core/client/problem.h"

#include <QTest>

using namespace Recourse;

class tst_Problem : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void mapsProblemToError_data();
    void mapsProblemToError();
};

void tst_Problem::mapsProblemToError_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("value");

    QTest::newRow("not eligible keeps detail")
        << 403
        << QByteArray(R"({"type":"urn:recourse:error:not_eligible","title":"Not eligible","status":403,)"
                      R"("detail":"alice may not approve her own request.","invalid_value":"alice"})")
        << int(ErrorCode::NotEligible) << QStringLiteral("alice may not approve her own request.")
        << QStringLiteral("alice");
    QTest::newRow("ARAP invalid_task_state")
        << 409
        << QByteArray(R"({"type":"urn:openid:authzen:access-request:error:invalid_task_state","title":"Invalid task state",)"
                      R"("status":409,"detail":"The task is already approved."})")
        << int(ErrorCode::InvalidTaskState) << QStringLiteral("The task is already approved.") << QString();
    QTest::newRow("ARAP unknown_task") << 404
                                       << QByteArray(R"({"type":"urn:openid:authzen:access-request:error:unknown_task",)"
                                                     R"("title":"Unknown task","status":404})")
                                       << int(ErrorCode::UnknownTask) << QStringLiteral("Unknown task") << QString();
    QTest::newRow("about:blank 400 falls back to status")
        << 400 << QByteArray(R"({"type":"about:blank","title":"Bad Request","detail":"limit must be 1 to 500.","invalid_value":900})")
        << int(ErrorCode::InvalidRequest) << QStringLiteral("limit must be 1 to 500.") << QStringLiteral("900");
    QTest::newRow("401 without body") << 401 << QByteArray() << int(ErrorCode::Unauthenticated)
                                      << QStringLiteral("The service answered HTTP 401.") << QString();
    QTest::newRow("403 forbidden for a PEP token")
        << 403 << QByteArray(R"({"type":"about:blank","title":"Forbidden","detail":"PEP identities cannot use the approver API."})")
        << int(ErrorCode::Forbidden) << QStringLiteral("PEP identities cannot use the approver API.") << QString();
    QTest::newRow("503 html body") << 503 << QByteArray("<html>busy</html>") << int(ErrorCode::StorageUnavailable)
                                   << QStringLiteral("The service answered HTTP 503.") << QString();
    QTest::newRow("502 maps to internal") << 502 << QByteArray() << int(ErrorCode::Internal)
                                          << QStringLiteral("The service answered HTTP 502.") << QString();
    QTest::newRow("unlisted 4xx is invalid request") << 422 << QByteArray() << int(ErrorCode::InvalidRequest)
                                                     << QStringLiteral("The service answered HTTP 422.") << QString();
    QTest::newRow("429 rate limited") << 429 << QByteArray(R"({"title":"Too Many Requests"})") << int(ErrorCode::RateLimited)
                                      << QStringLiteral("Too Many Requests") << QString();
    QTest::newRow("object invalid_value becomes compact JSON")
        << 400 << QByteArray(R"({"detail":"scope is invalid.","invalid_value":{"mode":"wide"}})") << int(ErrorCode::InvalidRequest)
        << QStringLiteral("scope is invalid.") << QStringLiteral(R"({"mode":"wide"})");
}

void tst_Problem::mapsProblemToError()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(int, code);
    QFETCH(QString, message);
    QFETCH(QString, value);

    const Error error = Client::errorFromProblem(status, body);

    QCOMPARE(int(error.code), code);
    QCOMPARE(error.message, message);
    QCOMPARE(error.value, value);
}

QTEST_GUILESS_MAIN(tst_Problem)
#include "tst_problem.moc"
