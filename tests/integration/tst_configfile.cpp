// How the service treats its --config object at start: misspelt members and invalid values stop
// the start with a message that names them, and nothing is created on disk.

#include "core/service/servicehost.h"
#include "tests/integration/servicefixture.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

class tst_ConfigFile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void harnessShapeStarts();
    void invalidConfigRejected_data();
    void invalidConfigRejected();
    void clockSkewErrorQuotesValue();

private:
    Result<std::unique_ptr<Service::ServiceHost>> startWith(const QJsonObject &config, const QString &dataDir);
};

Result<std::unique_ptr<Service::ServiceHost>> tst_ConfigFile::startWith(const QJsonObject &config, const QString &dataDir)
{
    Service::ServiceOptions options;
    options.address = QHostAddress::LocalHost;
    options.port = 0;
    options.dataDir = dataDir;
    options.policy = QStringLiteral("arap-conformance");
    options.config = config;
    options.clock = std::make_shared<ManualClock>(kFixtureStartMs);
    return Service::ServiceHost::start(std::move(options));
}

void tst_ConfigFile::harnessShapeStarts()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    auto started = startWith(ServiceFixture::identityConfig(), dir.path());

    QVERIFY2(started.ok(), started.ok() ? "" : qPrintable(started.error().message));
}

void tst_ConfigFile::invalidConfigRejected_data()
{
    QTest::addColumn<QByteArray>("change");
    QTest::addColumn<QString>("named");

    QTest::newRow("misspelt top-level member") << QByteArray(R"({"clock_skew": 5})") << QStringLiteral("clock_skew");
    QTest::newRow("rate_limit not an object") << QByteArray(R"({"rate_limit": 5})") << QStringLiteral("rate_limit");
    QTest::newRow("misspelt rate_limit member")
        << QByteArray(R"({"rate_limit": {"requests_per_second": 5, "burst_size": 10}})") << QStringLiteral("burst_size");
    QTest::newRow("negative rate") << QByteArray(R"({"rate_limit": {"requests_per_second": -1}})")
                                   << QStringLiteral("requests_per_second");
    QTest::newRow("callback_allowlist not an array") << QByteArray(R"({"callback_allowlist": "https://x.test"})")
                                                     << QStringLiteral("callback_allowlist");
    QTest::newRow("clock skew beyond qint64") << QByteArray(R"({"clock_skew_seconds": 1e300})")
                                              << QStringLiteral("clock_skew_seconds");
    QTest::newRow("clock skew over a minute") << QByteArray(R"({"clock_skew_seconds": 61})")
                                              << QStringLiteral("clock_skew_seconds");
    QTest::newRow("event retention of zero days") << QByteArray(R"({"event_retention_days": 0})")
                                                  << QStringLiteral("event_retention_days");
    QTest::newRow("event retention of part of a day") << QByteArray(R"({"event_retention_days": 1.5})")
                                                      << QStringLiteral("event_retention_days");
    QTest::newRow("event retention as text") << QByteArray(R"({"event_retention_days": "30"})")
                                             << QStringLiteral("event_retention_days");
    QTest::newRow("misspelt identity member")
        << QByteArray(R"({"identities": [{"id": "carol", "role": "approver", "group": ["security"], "token": "t"}]})")
        << QStringLiteral("group");
}

void tst_ConfigFile::invalidConfigRejected()
{
    QFETCH(QByteArray, change);
    QFETCH(QString, named);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString dataDir = dir.filePath(QStringLiteral("data"));
    QJsonObject config = ServiceFixture::identityConfig();
    const QJsonObject changes = QJsonDocument::fromJson(change).object();
    for (auto it = changes.constBegin(); it != changes.constEnd(); ++it)
        config.insert(it.key(), it.value());

    auto started = startWith(config, dataDir);

    QVERIFY(!started.ok());
    QVERIFY2(started.error().message.contains(named), qPrintable(started.error().message));
    QVERIFY2(!QDir(dataDir).exists(), "a rejected config created the data folder");
}

// The error quotes what the file holds, also for a value that is no string.
void tst_ConfigFile::clockSkewErrorQuotesValue()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QJsonObject config = ServiceFixture::identityConfig();
    config.insert(QStringLiteral("clock_skew_seconds"), QJsonValue::Null);

    auto started = startWith(config, dir.filePath(QStringLiteral("data")));

    QVERIFY(!started.ok());
    QCOMPARE(started.error().value, QStringLiteral("null"));
}

QTEST_GUILESS_MAIN(tst_ConfigFile)
#include "tst_configfile.moc"
