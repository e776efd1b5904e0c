// RFC 3339 formatting and parsing of the timestamps every response and log line carries: the
// direct formatter against QDateTime over the whole four-digit range, and round trips.

#include "core/base/rfc3339.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QTest>

using namespace Recourse;

namespace {

constexpr qint64 kYear1Ms = -62135596800000;   // 0001-01-01T00:00:00Z
constexpr qint64 kYear10000Ms = 253402300800000; // 10000-01-01T00:00:00Z

QString referenceWithMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QString referenceSeconds(qint64 ms)
{
    const qint64 whole = ms - (ms % 1000 + 1000) % 1000;
    return QDateTime::fromMSecsSinceEpoch(whole, Qt::UTC).toString(QStringLiteral("yyyy-MM-ddTHH:mm:ssZ"));
}

} // namespace

class tst_Rfc3339 : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void formatsKnownInstants_data();
    void formatsKnownInstants();
    void matchesQDateTimeEverywhere();
    void formatOutsideFastRange();
    void parseRoundTrips();
};

void tst_Rfc3339::formatsKnownInstants_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("withMs");
    QTest::addColumn<QString>("seconds");

    QTest::newRow("epoch") << qint64(0) << QStringLiteral("1970-01-01T00:00:00.000Z") << QStringLiteral("1970-01-01T00:00:00Z");
    QTest::newRow("before epoch") << qint64(-1) << QStringLiteral("1969-12-31T23:59:59.999Z") << QStringLiteral("1969-12-31T23:59:59Z");
    QTest::newRow("leap day") << qint64(951782400123) << QStringLiteral("2000-02-29T00:00:00.123Z") << QStringLiteral("2000-02-29T00:00:00Z");
    QTest::newRow("day after 1900-02-28") << qint64(-2203891200000) << QStringLiteral("1900-03-01T00:00:00.000Z") << QStringLiteral("1900-03-01T00:00:00Z");
    QTest::newRow("log example") << qint64(1796378400123) << QStringLiteral("2026-12-04T10:00:00.123Z") << QStringLiteral("2026-12-04T10:00:00Z");
    QTest::newRow("first year") << kYear1Ms << QStringLiteral("0001-01-01T00:00:00.000Z") << QStringLiteral("0001-01-01T00:00:00Z");
    QTest::newRow("last instant") << kYear10000Ms - 1 << QStringLiteral("9999-12-31T23:59:59.999Z") << QStringLiteral("9999-12-31T23:59:59Z");
}

void tst_Rfc3339::formatsKnownInstants()
{
    QFETCH(qint64, ms);
    QFETCH(QString, withMs);
    QFETCH(QString, seconds);

    QCOMPARE(Rfc3339::formatWithMs(ms), withMs);
    QCOMPARE(Rfc3339::format(ms), seconds);
}

void tst_Rfc3339::matchesQDateTimeEverywhere()
{
    // Fixed generator input keeps a failure reproducible. The instants spread over the whole range.
    QRandomGenerator random(20261204);
    for (int i = 0; i < 200000; ++i) {
        const qint64 ms = kYear1Ms + qint64(random.bounded(quint64(kYear10000Ms - kYear1Ms)));
        QCOMPARE(Rfc3339::formatWithMs(ms), referenceWithMs(ms));
        QCOMPARE(Rfc3339::format(ms), referenceSeconds(ms));
    }

    // Every day boundary of four centuries around the epoch, where the era arithmetic turns.
    for (qint64 day = -73048; day <= 73048; ++day) {
        const qint64 ms = day * 86400000;
        QCOMPARE(Rfc3339::formatWithMs(ms), referenceWithMs(ms));
        QCOMPARE(Rfc3339::formatWithMs(ms - 1), referenceWithMs(ms - 1));
    }
}

void tst_Rfc3339::formatOutsideFastRange()
{
    for (const qint64 ms : {kYear1Ms - 1, kYear10000Ms, kYear10000Ms + 86400000}) {
        QCOMPARE(Rfc3339::formatWithMs(ms), referenceWithMs(ms));
        QCOMPARE(Rfc3339::format(ms), referenceSeconds(ms));
    }
}

void tst_Rfc3339::parseRoundTrips()
{
    QRandomGenerator random(4);
    for (int i = 0; i < 10000; ++i) {
        const qint64 ms = kYear1Ms + qint64(random.bounded(quint64(kYear10000Ms - kYear1Ms)));
        const Result<qint64> parsed = Rfc3339::parse(Rfc3339::formatWithMs(ms));
        QVERIFY(parsed.ok());
        QCOMPARE(parsed.value(), ms);
    }
}

QTEST_GUILESS_MAIN(tst_Rfc3339)
#include "tst_rfc3339.moc"
