// The recourse command line: options that change what the service records.

#include "app/options.h"

#include <QTest>

using namespace Recourse;
using namespace Recourse::App;

class tst_Options : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decisionEventsNamesAMode_data();
    void decisionEventsNamesAMode();
    void decisionEventsRejectsOtherNames_data();
    void decisionEventsRejectsOtherNames();
};

void tst_Options::decisionEventsNamesAMode_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("expected"); // -1: not given, so main() picks by mode

    QTest::newRow("not given") << QStringList{QStringLiteral("--headless")} << -1;
    QTest::newRow("all") << QStringList{QStringLiteral("--decision-events"), QStringLiteral("all")} << int(DecisionEvents::All);
    QTest::newRow("denials") << QStringList{QStringLiteral("--headless"), QStringLiteral("--decision-events"), QStringLiteral("denials")}
                             << int(DecisionEvents::Denials);
    QTest::newRow("none") << QStringList{QStringLiteral("--decision-events"), QStringLiteral("none")} << int(DecisionEvents::None);
}

void tst_Options::decisionEventsNamesAMode()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, expected);

    const Result<Options> options = parseOptions(arguments);

    QVERIFY2(options, qPrintable(options ? QString() : options.error().message));
    QCOMPARE(options.value().decisionEvents.has_value(), expected >= 0);
    if (expected >= 0)
        QCOMPARE(int(*options.value().decisionEvents), expected);
}

void tst_Options::decisionEventsRejectsOtherNames_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("offending");

    QTest::newRow("unknown mode") << QStringList{QStringLiteral("--decision-events"), QStringLiteral("permits")}
                                  << QStringLiteral("permits");
    QTest::newRow("wrong case") << QStringList{QStringLiteral("--decision-events"), QStringLiteral("All")} << QStringLiteral("All");
    QTest::newRow("empty") << QStringList{QStringLiteral("--decision-events"), QString()} << QString();
    QTest::newRow("missing") << QStringList{QStringLiteral("--decision-events")} << QStringLiteral("--decision-events");
}

void tst_Options::decisionEventsRejectsOtherNames()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, offending);

    const Result<Options> options = parseOptions(arguments);

    QVERIFY(!options);
    QVERIFY2(options.error().message.contains(QLatin1String("--decision-events")), qPrintable(options.error().message));
    QCOMPARE(options.error().value, offending);
}

QTEST_GUILESS_MAIN(tst_Options)
#include "tst_options.moc"
