// The callback destination rules without a service: numeric host spellings, the internal address
// ranges, allowlist matching and the notification signature.

#include "core/escalation/callbacks.h"

#include <QJsonArray>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Escalation;

class tst_CallbackDestinations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void numericHost_data();
    void numericHost();
    void internalAddress_data();
    void internalAddress();
    void allowlistMatch_data();
    void allowlistMatch();
    void signatureHeader();
};

void tst_CallbackDestinations::numericHost_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("address"); // empty for a name
    QTest::addColumn<bool>("malformed");

    QTest::newRow("dotted quad") << QStringLiteral("127.0.0.1") << QStringLiteral("127.0.0.1") << false;
    QTest::newRow("two parts") << QStringLiteral("127.1") << QStringLiteral("127.0.0.1") << false;
    QTest::newRow("three parts") << QStringLiteral("10.1.257") << QStringLiteral("10.1.1.1") << false;
    QTest::newRow("decimal") << QStringLiteral("2130706433") << QStringLiteral("127.0.0.1") << false;
    QTest::newRow("hex part") << QStringLiteral("0x7f.0.0.1") << QStringLiteral("127.0.0.1") << false;
    QTest::newRow("hex whole") << QStringLiteral("0xa9fea9fe") << QStringLiteral("169.254.169.254") << false;
    QTest::newRow("octal part") << QStringLiteral("0177.0.0.01") << QStringLiteral("127.0.0.1") << false;
    QTest::newRow("trailing dot") << QStringLiteral("127.0.0.1.") << QStringLiteral("127.0.0.1") << false;
    QTest::newRow("mapped IPv6") << QStringLiteral("::ffff:7f00:1") << QStringLiteral("::ffff:127.0.0.1") << false;
    QTest::newRow("name") << QStringLiteral("cb.example.test") << QString() << false;
    QTest::newRow("name with trailing dot") << QStringLiteral("localhost.") << QString() << false;
    QTest::newRow("name with numeric label") << QStringLiteral("1.example.test") << QString() << false;
    QTest::newRow("part above 255") << QStringLiteral("256.0.0.1") << QString() << true;
    QTest::newRow("five parts") << QStringLiteral("1.2.3.4.5") << QString() << true;
    QTest::newRow("above 32 bits") << QStringLiteral("4294967296") << QString() << true;
    QTest::newRow("bad octal") << QStringLiteral("09.0.0.1") << QString() << true;
    QTest::newRow("empty part") << QStringLiteral("127..1") << QString() << true;
}

void tst_CallbackDestinations::numericHost()
{
    QFETCH(QString, host);
    QFETCH(QString, address);
    QFETCH(bool, malformed);

    bool isMalformed = false;
    const std::optional<QHostAddress> parsed = Callbacks::numericHost(host, &isMalformed);

    QCOMPARE(isMalformed, malformed);
    QCOMPARE(parsed.has_value(), !address.isEmpty());
    if (parsed)
        QCOMPARE(*parsed, QHostAddress(address));
}

void tst_CallbackDestinations::internalAddress_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<bool>("internal");

    for (const char *address :
         {"0.0.0.0", "10.2.3.4", "100.64.0.1", "100.127.255.255", "127.0.0.1", "169.254.169.254", "172.16.0.1",
          "172.31.255.255", "192.0.0.8", "192.168.1.1", "198.18.0.1", "198.19.255.255", "224.0.0.1",
          "255.255.255.255", "::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::127.0.0.1", "64:ff9b::a9fe:a9fe",
          "64:ff9b:1::1", "2002:7f00:1::", "fd00::1", "fc00::1", "fe80::1", "fec0::1", "ff02::1", "100::1"}) {
        QTest::newRow(address) << QString::fromLatin1(address) << true;
    }
    // Teredo (2001::/32) is internal whatever IPv4 addresses it carries: server 65.54.227.120 with
    // the public client 192.0.2.45 or the client 10.0.0.1, server 10.0.0.1 with the client
    // 127.0.0.1, and both ends of the prefix.
    for (const char *address : {"2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001:0:4136:e378:8000:63bf:f5ff:fffe",
                                "2001:0:a00:1:8000:63bf:80ff:fffe", "2001::", "2001:0:ffff:ffff:ffff:ffff:ffff:ffff"}) {
        QTest::newRow(address) << QString::fromLatin1(address) << true;
    }
    for (const char *address : {"203.0.113.7", "8.8.8.8", "100.63.255.255", "100.128.0.0", "172.32.0.1",
                                "198.20.0.1", "223.255.255.255", "::ffff:203.0.113.7", "64:ff9b::808:808",
                                "2002:cb00:7107::", "2001:db8::1", "2001:1::1", "2001:4860:4860::8888",
                                "2606:4700::1111"}) {
        QTest::newRow(address) << QString::fromLatin1(address) << false;
    }
}

void tst_CallbackDestinations::internalAddress()
{
    QFETCH(QString, address);
    QFETCH(bool, internal);

    QCOMPARE(Callbacks::isInternal(QHostAddress(address)), internal);
}

void tst_CallbackDestinations::allowlistMatch_data()
{
    QTest::addColumn<QString>("endpoint");
    QTest::addColumn<bool>("matches");
    QTest::addColumn<bool>("internal");

    QTest::newRow("origin") << QStringLiteral("https://cb.example.test/any/path") << true << false;
    QTest::newRow("explicit default port") << QStringLiteral("https://cb.example.test:443/x") << true << false;
    QTest::newRow("host case") << QStringLiteral("https://CB.Example.Test/x") << true << false;
    QTest::newRow("other port") << QStringLiteral("https://cb.example.test:8443/x") << false << false;
    QTest::newRow("trailing dot") << QStringLiteral("https://cb.example.test./x") << false << false;
    QTest::newRow("subdomain") << QStringLiteral("https://a.cb.example.test/x") << false << false;
    QTest::newRow("path prefix") << QStringLiteral("https://hooks.example.test:8443/recourse/x") << true << false;
    QTest::newRow("path prefix itself") << QStringLiteral("https://hooks.example.test:8443/recourse") << true << false;
    QTest::newRow("path prefix longer segment") << QStringLiteral("https://hooks.example.test:8443/recourse-admin")
                                                << false << false;
    QTest::newRow("internal entry") << QStringLiteral("https://pep.internal:9443/cb") << true << true;
    QTest::newRow("internal entry other port") << QStringLiteral("https://pep.internal/cb") << false << false;
}

void tst_CallbackDestinations::allowlistMatch()
{
    QFETCH(QString, endpoint);
    QFETCH(bool, matches);
    QFETCH(bool, internal);
    const QJsonArray entries{QStringLiteral("https://cb.example.test"), QStringLiteral("https://hooks.example.test:8443/recourse"),
                             QJsonObject{{QStringLiteral("origin"), QStringLiteral("https://pep.internal:9443")},
                                         {QStringLiteral("internal"), true}}};
    const Result<Callbacks::Allowlist> allowlist = Callbacks::Allowlist::fromConfig(entries);
    QVERIFY(allowlist);

    const std::optional<Callbacks::AllowEntry> entry = allowlist->match(QUrl(endpoint));

    QCOMPARE(entry.has_value(), matches);
    if (entry)
        QCOMPARE(entry->internal, internal);
}

void tst_CallbackDestinations::signatureHeader()
{
    // HMAC-SHA256("key", "1700000000.{}"), computed independently with Python's hmac module.
    const QByteArray header = Callbacks::signatureHeader(QByteArrayLiteral("key"), 1700000000, QByteArrayLiteral("{}"));

    QVERIFY(header.startsWith("t=1700000000,v1="));
    QCOMPARE(header.mid(16).size(), 64);
    QCOMPARE(header.mid(16), QByteArrayLiteral("9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae"));
}

QTEST_GUILESS_MAIN(tst_CallbackDestinations)
#include "tst_callbackdestinations.moc"
