#pragma once

#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace Recourse::Testing {

// Long enough for a machine busy with other suites; a healthy command ends in milliseconds.
inline constexpr int kCtlTimeoutMs = 30 * 1000;

// One recoursectl run as a separate process. The test waits for it with
// QTRY_VERIFY_WITH_TIMEOUT(ctl.isFinished(), kCtlTimeoutMs), which keeps the test's event loop
// (and so an in-process service) running meanwhile.
class CtlProcess
{
public:
    CtlProcess()
    {
        // Nothing of the user running the tests may leak in: no RECOURSE_* variables, and a data
        // folder of our own instead of the user's console data.
        m_environment = QProcessEnvironment::systemEnvironment();
        m_environment.remove(QStringLiteral("RECOURSE_URL"));
        m_environment.remove(QStringLiteral("RECOURSE_TOKEN"));
        m_environment.insert(QStringLiteral("XDG_DATA_HOME"), m_home.path());
    }

    // The XDG_DATA_HOME of the process; the console's default data folder is under it.
    QString dataHome() const { return m_home.path(); }
    void setEnv(const QString &name, const QString &value) { m_environment.insert(name, value); }

    void start(const QStringList &arguments)
    {
        m_process.setProcessEnvironment(m_environment);
        m_process.start(QStringLiteral(RECOURSECTL_PATH), arguments);
    }

    bool isFinished() const { return m_process.state() == QProcess::NotRunning; }
    bool crashed() const { return m_process.exitStatus() != QProcess::NormalExit || m_process.error() == QProcess::FailedToStart; }
    int exitCode() const { return m_process.exitCode(); }

    QString out()
    {
        m_out += QString::fromUtf8(m_process.readAllStandardOutput());
        return m_out;
    }

    QString err()
    {
        m_err += QString::fromUtf8(m_process.readAllStandardError());
        return m_err;
    }

private:
    QTemporaryDir m_home;
    QProcessEnvironment m_environment;
    QProcess m_process;
    QString m_out;
    QString m_err;
};

} // namespace Recourse::Testing

// Runs recoursectl with `arguments` and waits for it to end; `ctl` must be a CtlProcess.
#define RUN_CTL(ctl, ...)                                                                                             \
    do {                                                                                                              \
        (ctl).start(QStringList{__VA_ARGS__});                                                                        \
        QTRY_VERIFY_WITH_TIMEOUT((ctl).isFinished(), Recourse::Testing::kCtlTimeoutMs);                               \
        QVERIFY2(!(ctl).crashed(), qPrintable((ctl).err()));                                                          \
    } while (false)
