// The console's embedded service keeps its port across runs: binding tokens and approval states
// name the service URL as issuer, so a new port would orphan every pending approval.

#include <QProcess>
#include <QProcessEnvironment>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

class tst_EmbeddedPort : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void secondRunKeepsPort();
    void busyPortFallsBack();

private:
    // Runs the console on the test's data folder until it prints its URL, then stops it.
    void runConsoleOnce(QString *url, QByteArray *errors = nullptr);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_EmbeddedPort::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_EmbeddedPort::runConsoleOnce(QString *url, QByteArray *errors)
{
    QProcess console;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    // The console keeps window state and the chosen connection in QSettings, so a scratch home
    // keeps the test away from the user's own settings.
    environment.insert(QStringLiteral("HOME"), m_dir->filePath(QStringLiteral("home")));
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir->filePath(QStringLiteral("home/.config")));
    console.setProcessEnvironment(environment);
    console.setProgram(QStringLiteral(RECOURSE_BINARY_DIR "/app/recourse"));
    console.setArguments({QStringLiteral("--data-dir"), m_dir->filePath(QStringLiteral("data")),
                          QStringLiteral("--policy"), QStringLiteral("demo")});
    console.setProcessChannelMode(QProcess::SeparateChannels);
    console.start();
    QVERIFY2(console.waitForStarted(10000), qPrintable(console.errorString()));

    QTRY_VERIFY2_WITH_TIMEOUT(console.canReadLine() || console.state() == QProcess::NotRunning,
                              "the console printed nothing", 20000);
    while (console.canReadLine()) {
        const QString line = QString::fromUtf8(console.readLine()).trimmed();
        if (line.startsWith(QLatin1String("listening on "))) {
            *url = line.mid(QStringLiteral("listening on ").size());
            break;
        }
    }

    console.terminate();
    console.waitForFinished(10000);
    if (errors)
        *errors = console.readAllStandardError();
}

void tst_EmbeddedPort::secondRunKeepsPort()
{
    QString first;
    runConsoleOnce(&first);
    QVERIFY2(first.startsWith(QLatin1String("http://127.0.0.1:")), qPrintable(first));

    QString second;
    runConsoleOnce(&second);

    QCOMPARE(second, first);
}

void tst_EmbeddedPort::busyPortFallsBack()
{
    QString first;
    runConsoleOnce(&first);
    QVERIFY2(first.startsWith(QLatin1String("http://127.0.0.1:")), qPrintable(first));
    QTcpServer occupant;
    QVERIFY(occupant.listen(QHostAddress::LocalHost, quint16(QUrl(first).port())));

    QString second;
    QByteArray errors;
    runConsoleOnce(&second, &errors);

    QVERIFY2(second.startsWith(QLatin1String("http://127.0.0.1:")), qPrintable(second));
    QVERIFY(second != first);
    QVERIFY2(errors.contains("is not available"), errors.constData());
}

QTEST_GUILESS_MAIN(tst_EmbeddedPort)
#include "tst_embeddedport.moc"
