// The console connected to a "remote" service over HTTPS: the real service on 127.0.0.1 with a
// self-signed certificate, the connect dialog reading and pinning that certificate, and the
// console working, or refusing to, depending on the pin. Also the connection settings' storage.

#include "core/service/servicehost.h"
#include "tests/integration/servicefixture.h"
#include "ui/connectdialog.h"
#include "ui/connectionsettings.h"
#include "ui/mainwindow.h"

#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Recourse;
using namespace Recourse::Testing;
using Recourse::Ui::ConnectDialog;
using Recourse::Ui::ConnectionSettings;

class tst_RemoteConsole : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void dialogFetchesAndPinsCertificate();
    void pinnedConsoleSignsIn();
    void wrongPinStaysOffline();
    void tokenStoredOnlyOnRequest();
    void dialogExplainsProblems_data();
    void dialogExplainsProblems();

private:
    QString labelText(QWidget *parent, const char *name) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Service::ServiceHost> m_service;
    QUrl m_url;
};

void tst_RemoteConsole::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    Service::ServiceOptions options;
    options.dataDir = m_dir->filePath(QStringLiteral("data"));
    options.policy = QStringLiteral("demo");
    options.config = ServiceFixture::identityConfig();
    options.tlsSelfSigned = true;
    auto started = Service::ServiceHost::start(options);
    QVERIFY2(started.ok(), started.ok() ? "" : qPrintable(started.error().message));
    m_service = std::move(started).value();
    m_url = m_service->baseUrl();
    QCOMPARE(m_url.scheme(), QStringLiteral("https"));
}

void tst_RemoteConsole::cleanup()
{
    m_service.reset();
    m_dir.reset();
}

QString tst_RemoteConsole::labelText(QWidget *parent, const char *name) const
{
    const auto *label = parent->findChild<QLabel *>(QString::fromLatin1(name));
    return label ? label->text() : QString();
}

void tst_RemoteConsole::dialogFetchesAndPinsCertificate()
{
    // Given the dialog with the service's URL and a token,
    ConnectDialog dialog(ConnectionSettings{});
    dialog.show();
    dialog.findChild<QRadioButton *>(QStringLiteral("remoteRadio"))->setChecked(true);
    QTest::keyClicks(dialog.findChild<QLineEdit *>(QStringLiteral("urlEdit")), m_url.toString());
    QTest::keyClicks(dialog.findChild<QLineEdit *>(QStringLiteral("tokenEdit")), Tokens::bob);
    QCOMPARE(dialog.problemText(), QString());

    // when the user fetches the certificate,
    QSignalSpy fetched(&dialog, &ConnectDialog::certificateFetched);
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("fetchCertificateButton")), Qt::LeftButton);
    QTRY_COMPARE(fetched.size(), 1);

    // then the pin is the fingerprint the service printed at start.
    const QString expected = Client::CertificatePin::parse(m_service->tlsFingerprint())->toString();
    QCOMPARE(dialog.findChild<QLineEdit *>(QStringLiteral("pinEdit"))->text(), expected);
    QVERIFY2(labelText(&dialog, "certificateLabel").startsWith(QStringLiteral("The server presented a certificate")),
             qPrintable(labelText(&dialog, "certificateLabel")));
    const ConnectionSettings chosen = dialog.settings();
    QVERIFY(chosen.remote);
    QCOMPARE(chosen.url, m_url);
    QCOMPARE(chosen.certificatePin()->toString(), expected);
}

void tst_RemoteConsole::pinnedConsoleSignsIn()
{
    const auto pin = Client::CertificatePin::parse(m_service->tlsFingerprint());
    QVERIFY(pin.ok());
    Client::ApproverClient client(m_url, Tokens::bob);
    client.setCertificatePin(pin.value());
    Client::EventStreamClient events(m_url, Tokens::bob);
    events.setCertificatePin(pin.value());
    QSettings settings(m_dir->filePath(QStringLiteral("console.ini")), QSettings::IniFormat);
    Ui::MainWindow window(&client, &events, {&settings, {}});
    window.show();

    QTRY_COMPARE(labelText(&window, "identityLabel"), QStringLiteral("Signed in as bob (approver: managers)"));
    QTRY_COMPARE(labelText(&window, "connectionLabel"), QStringLiteral("● Live"));
    events.stop();
}

void tst_RemoteConsole::wrongPinStaysOffline()
{
    // A pin of some other certificate: nothing is sent, and the window shows why.
    const auto pin = Client::CertificatePin::parse(QString(64, u'a'));
    QVERIFY(pin.ok());
    Client::ApproverClient client(m_url, Tokens::bob);
    client.setCertificatePin(pin.value());
    Client::EventStreamClient events(m_url, Tokens::bob);
    events.setBackoff(std::chrono::milliseconds(50), std::chrono::milliseconds(200));
    events.setCertificatePin(pin.value());
    QSettings settings(m_dir->filePath(QStringLiteral("console.ini")), QSettings::IniFormat);
    Ui::MainWindow window(&client, &events, {&settings, {}});
    window.show();

    QTRY_VERIFY2(labelText(&window, "identityLabel").contains(QStringLiteral("not the pinned")),
                 qPrintable(labelText(&window, "identityLabel")));
    QTRY_VERIFY2(events.lastError().contains(QStringLiteral("not the pinned")), qPrintable(events.lastError()));
    QVERIFY(labelText(&window, "connectionLabel") != QStringLiteral("● Live"));
    events.stop();
}

void tst_RemoteConsole::tokenStoredOnlyOnRequest()
{
    QSettings settings(m_dir->filePath(QStringLiteral("connection.ini")), QSettings::IniFormat);
    ConnectionSettings connection;
    connection.remote = true;
    connection.url = m_url;
    connection.token = Tokens::bob;
    connection.pin = m_service->tlsFingerprint();

    connection.save(settings);
    ConnectionSettings loaded = ConnectionSettings::load(settings);
    QVERIFY(loaded.remote);
    QCOMPARE(loaded.url, m_url);
    QCOMPARE(loaded.pin, m_service->tlsFingerprint());
    QCOMPARE(loaded.token, QString());
    QVERIFY(!settings.contains(QStringLiteral("Connection/token")));

    connection.storeToken = true;
    connection.save(settings);
    QCOMPARE(ConnectionSettings::load(settings).token, Tokens::bob);

    // Unticking the box later deletes the stored token.
    connection.storeToken = false;
    connection.save(settings);
    QVERIFY(!settings.contains(QStringLiteral("Connection/token")));
}

void tst_RemoteConsole::dialogExplainsProblems_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("pin");
    QTest::addColumn<QString>("problem");

    QTest::newRow("no url") << QString() << QStringLiteral("t") << QString()
                            << QStringLiteral("Enter the service's URL, for example https://recourse.example.com:8443.");
    QTest::newRow("http to another host")
        << QStringLiteral("http://recourse.example.com") << QStringLiteral("t") << QString()
        << QStringLiteral("Use https for a service on another computer: over http the approver token would travel in clear text.");
    QTest::newRow("no token") << QStringLiteral("https://recourse.example.com") << QString() << QString()
                              << QStringLiteral("Enter an approver token for the service.");
    QTest::newRow("bad pin") << QStringLiteral("https://recourse.example.com") << QStringLiteral("t") << QStringLiteral("abc")
                             << QStringLiteral("A certificate pin is the SHA-256 fingerprint: 64 hex digits, colons allowed.");
    QTest::newRow("http on loopback") << QStringLiteral("http://127.0.0.1:8080") << QStringLiteral("t") << QString() << QString();
}

void tst_RemoteConsole::dialogExplainsProblems()
{
    QFETCH(QString, url);
    QFETCH(QString, token);
    QFETCH(QString, pin);
    QFETCH(QString, problem);

    ConnectionSettings settings;
    settings.remote = true;
    settings.url = QUrl(url);
    settings.token = token;
    settings.pin = pin;
    ConnectDialog dialog(settings);
    QCOMPARE(dialog.problemText(), problem);
    QCOMPARE(dialog.findChild<QPushButton *>(QStringLiteral("connectButton"))->isEnabled(), problem.isEmpty());
}

QTEST_MAIN(tst_RemoteConsole)
#include "tst_remoteconsole.moc"
