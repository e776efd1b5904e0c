// The approver API's list of requestable denials, paged with limit and cursor against the real
// service: every denial exactly once, newest first, also when several share a millisecond.

#include "tests/integration/servicefixture.h"

#include <QJsonArray>
#include <QTest>
#include <QUrl>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

// arap-conformance A2: alice reading document q4-plan of tenant acme is requestable.
QJsonObject requestableRead(const QString &tenant)
{
    return QJsonObject{
        {QStringLiteral("subject"), QJsonObject{{QStringLiteral("type"), QStringLiteral("user")}, {QStringLiteral("id"), QStringLiteral("alice")}}},
        {QStringLiteral("resource"), QJsonObject{{QStringLiteral("type"), QStringLiteral("document")}, {QStringLiteral("id"), QStringLiteral("q4-plan")}}},
        {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_read")}}},
        {QStringLiteral("context"), QJsonObject{{QStringLiteral("tenant"), tenant}}}};
}

} // namespace

class tst_DenialsList : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pagesVisitEveryDenialOnce();
    void invalidPageParameters_data();
    void invalidPageParameters();
    void otherMethodsAreNotAllowed();
};

void tst_DenialsList::pagesVisitEveryDenialOnce()
{
    ServiceFixture service;
    QVERIFY2(service.start(), qPrintable(service.errorString()));

    // Seven denials: three pairs share a millisecond, so ties sit on page boundaries.
    QStringList issued;
    for (int i = 0; i < 7; ++i) {
        if (i % 2 == 0)
            service.clock().advanceMs(1000);
        const HttpResponse evaluated = service.evaluate(requestableRead(QStringLiteral("tenant-%1").arg(i)));
        QCOMPARE(evaluated.status, 200);
        const QString evaluationId = evaluated.json.value(u"context").toObject().value(u"evaluation_id").toString();
        QVERIFY(!evaluationId.isEmpty());
        issued.prepend(evaluationId);
    }

    QStringList listed;
    QList<qsizetype> pageSizes;
    QString cursor;
    for (int page = 0; page < 10; ++page) {
        QString target = QStringLiteral("/admin/v1/denials?limit=3");
        if (!cursor.isEmpty())
            target += QStringLiteral("&cursor=") + QString::fromLatin1(QUrl::toPercentEncoding(cursor));
        const HttpResponse response = service.get(target, Tokens::auditor);
        QVERIFY2(response.status == 200, response.describe().constData());

        const QJsonArray denials = response.json.value(u"denials").toArray();
        pageSizes.append(denials.size());
        for (const QJsonValue &denial : denials)
            listed.append(denial.toObject().value(u"evaluation_id").toString());
        cursor = response.json.value(u"next_cursor").toString();
        if (cursor.isEmpty())
            break;
    }

    // Newest first, and within a millisecond the later denial first.
    QCOMPARE(listed, issued);
    QCOMPARE(pageSizes, (QList<qsizetype>{3, 3, 1}));

    // A page that ends exactly at the oldest denial is the last one: no cursor to an empty page.
    const HttpResponse exact = service.get(QStringLiteral("/admin/v1/denials?limit=7"), Tokens::auditor);
    QCOMPARE(exact.json.value(u"denials").toArray().size(), 7);
    QVERIFY(!exact.json.contains(u"next_cursor"));
}

void tst_DenialsList::invalidPageParameters_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("invalidValue");

    QTest::newRow("limit zero") << QStringLiteral("limit=0") << QStringLiteral("0");
    QTest::newRow("limit too large") << QStringLiteral("limit=501") << QStringLiteral("501");
    QTest::newRow("limit not a number") << QStringLiteral("limit=ten") << QStringLiteral("ten");
    QTest::newRow("cursor without a dot") << QStringLiteral("cursor=12345") << QStringLiteral("12345");
    QTest::newRow("cursor row not a number") << QStringLiteral("cursor=1796378400000.arq_x") << QStringLiteral("1796378400000.arq_x");
    QTest::newRow("cursor time negative") << QStringLiteral("cursor=-5.3") << QStringLiteral("-5.3");
}

void tst_DenialsList::invalidPageParameters()
{
    QFETCH(QString, query);
    QFETCH(QString, invalidValue);

    ServiceFixture service;
    QVERIFY2(service.start(), qPrintable(service.errorString()));
    const HttpResponse response = service.get(QStringLiteral("/admin/v1/denials?") + query, Tokens::auditor);
    QVERIFY2(response.status == 400, response.describe().constData());
    QVERIFY(response.isProblem());
    QCOMPARE(response.json.value(u"invalid_value").toString(), invalidValue);
}

void tst_DenialsList::otherMethodsAreNotAllowed()
{
    ServiceFixture service;
    QVERIFY2(service.start(), qPrintable(service.errorString()));
    const HttpResponse response = service.send("DELETE", QStringLiteral("/admin/v1/denials"), {}, Tokens::auditor);
    QCOMPARE(response.status, 405);
    QCOMPARE(response.header("allow"), QByteArray("GET"));
}

QTEST_GUILESS_MAIN(tst_DenialsList)
#include "tst_denialslist.moc"
