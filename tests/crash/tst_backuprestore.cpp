// Backup and restore of the data folder with the real executable. `recourse --backup` runs while
// the service keeps accepting submissions, and `recourse --restore` copies the backup into a fresh
// folder. A service started there must have the backup's tasks, decisions, approvals, audit chain
// and signing keys. Restore must reject damaged backups and folders that are in use or not empty.

#include "tests/crash/servicehttp.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

constexpr int kTasksBeforeBackup = 6;
constexpr int kMaxSubmissionsDuringBackup = 200;

enum class Damage { ChangedKeyFile, ForgedAuditRecord, MissingManifest };

struct CommandResult
{
    int exitCode = -1;
    QString output;
};

QString sha256Of(const QString &path)
{
    QFile file(path);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!file.open(QIODevice::ReadOnly) || !hash.addData(&file))
        return {};
    return QString::fromLatin1(hash.result().toHex());
}

bool copyFolder(const QString &from, const QString &to)
{
    if (!QDir().mkpath(to))
        return false;
    const QDir source(from);
    for (const QFileInfo &entry : source.entryInfoList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden)) {
        const QString target = QDir(to).filePath(entry.fileName());
        if (entry.isDir() ? !copyFolder(entry.filePath(), target) : !QFile::copy(entry.filePath(), target))
            return false;
    }
    return true;
}

mode_t modeOf(const QString &path)
{
    struct stat status{};
    if (::stat(QFile::encodeName(path).constData(), &status) != 0)
        return 0;
    return status.st_mode & 0777;
}

} // namespace

class BackupRestoreTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void commandLineRejectsMisuse_data();
    void commandLineRejectsMisuse();
    void backupWhileServiceRuns();
    void restoreRejectsUsedTarget();
    void restoreRejectsDamagedBackup_data();
    void restoreRejectsDamagedBackup();
    void restoredServiceHasBackup();

private:
    bool startService(QProcess &service, const QString &dataDir, ServiceHttp &http, quint16 port = 0);
    bool stopService(QProcess &service);
    CommandResult runRecourse(const QStringList &arguments);
    QString createTask(ServiceHttp &http);
    QString path(const QString &name) const { return m_dir.filePath(name); }

    QTemporaryDir m_dir;
    quint16 m_port = 0;
    int m_tenant = 0;
    QJsonObject m_lastRequest; // the evaluation request createTask() sent last
    QHash<QString, QJsonObject> m_requestByTask;

    // The service's state when the backup started, and what it acknowledged later.
    QHash<QString, QString> m_statusBefore; // task id -> status
    QStringList m_inFlight;                 // acknowledged while the backup ran, in order
    QStringList m_after;                    // created after the backup finished: never in it
    QHash<QString, QString> m_approvalByTask; // approved task id -> approval id
    QJsonObject m_approvedRequest;           // the request of one approved task
    QJsonObject m_approval;                  // its approval object {id, state, ...} from the task status
    QStringList m_kids;
};

void BackupRestoreTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QFile config(path(QStringLiteral("config.json")));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(kProcessTestConfig);
}

void BackupRestoreTest::commandLineRejectsMisuse_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expected");
    QTest::newRow("backup without folder") << QStringList{QStringLiteral("--backup")}
                                           << QStringLiteral("--backup needs a folder");
    QTest::newRow("backup and restore")
        << QStringList{QStringLiteral("--backup"), QStringLiteral("a"), QStringLiteral("--restore"), QStringLiteral("b")}
        << QStringLiteral("cannot be combined");
    QTest::newRow("backup with headless")
        << QStringList{QStringLiteral("--headless"), QStringLiteral("--backup"), QStringLiteral("a")}
        << QStringLiteral("leave out --headless");
    QTest::newRow("backup without store") << QStringList{QStringLiteral("--backup"), path(QStringLiteral("unused")),
                                                         QStringLiteral("--data-dir"), path(QStringLiteral("no-store"))}
                                          << QStringLiteral("holds no Recourse store");
}

void BackupRestoreTest::commandLineRejectsMisuse()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);
    const CommandResult result = runRecourse(arguments);
    QCOMPARE(result.exitCode, 2);
    QVERIFY2(result.output.contains(expected), qPrintable(result.output));
    QVERIFY(!QFileInfo::exists(path(QStringLiteral("unused"))));
}

bool BackupRestoreTest::startService(QProcess &service, const QString &dataDir, ServiceHttp &http, quint16 port)
{
    service.setProgram(QStringLiteral(RECOURSE_BINARY_DIR "/app/recourse"));
    service.setArguments({QStringLiteral("--headless"), QStringLiteral("--listen"),
                          QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--data-dir"), dataDir,
                          QStringLiteral("--policy"), QStringLiteral("demo"), QStringLiteral("--config"),
                          path(QStringLiteral("config.json"))});
    service.start();
    const QString url = readListeningUrl(service);
    if (url.isEmpty()) {
        qWarning("the service did not start: %s", service.readAllStandardError().constData());
        return false;
    }
    http.setBaseUrl(url);
    return true;
}

bool BackupRestoreTest::stopService(QProcess &service)
{
    service.terminate(); // SIGTERM: the service drains its writes and exits cleanly
    if (!QTest::qWaitFor([&service] { return service.state() == QProcess::NotRunning; }, 15000))
        return false;
    return service.exitStatus() == QProcess::NormalExit && service.exitCode() == 0;
}

CommandResult BackupRestoreTest::runRecourse(const QStringList &arguments)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral(RECOURSE_BINARY_DIR "/app/recourse"), arguments);
    CommandResult result;
    if (!QTest::qWaitFor([&process] { return process.state() == QProcess::NotRunning; }, 60000))
        return result;
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.output = QString::fromUtf8(process.readAll());
    return result;
}

// Evaluates a requestable read and submits its denial. Returns the task id, or an empty string.
QString BackupRestoreTest::createTask(ServiceHttp &http)
{
    const QJsonObject request = paymentsLogRequest(QStringLiteral("tenant-%1").arg(++m_tenant));
    m_lastRequest = request;
    const HttpAnswer denial = http.call("POST", QStringLiteral("/access/v1/evaluation"), "pep-a-secret", request);
    const QJsonObject body = submissionFor(request, denial.body);
    if (body.isEmpty())
        return {};
    const HttpAnswer submitted = http.call("POST", QStringLiteral("/access/v1/requests"), "pep-a-secret", body);
    return submitted.status == 202 ? taskIdOf(submitted) : QString();
}

void BackupRestoreTest::backupWhileServiceRuns()
{
    // Given a service with pending, approved and denied tasks.
    QProcess service;
    ServiceHttp http;
    QVERIFY(startService(service, path(QStringLiteral("data")), http));
    m_port = quint16(QUrl(http.baseUrl()).port());

    QStringList tasks;
    for (int i = 0; i < kTasksBeforeBackup; ++i) {
        const QString taskId = createTask(http);
        QVERIFY2(!taskId.isEmpty(), "a submission before the backup failed");
        tasks.append(taskId);
        m_requestByTask.insert(taskId, m_lastRequest);
        m_statusBefore.insert(taskId, QStringLiteral("pending"));
    }
    for (const QString &taskId : {tasks.at(0), tasks.at(1)}) {
        const HttpAnswer approved = http.call("POST", QStringLiteral("/admin/v1/tasks/%1/approve").arg(taskId), "bob-secret");
        QVERIFY2(approved.status == 200, qPrintable(approved.describe()));
        m_statusBefore.insert(taskId, QStringLiteral("approved"));
        const HttpAnswer status = http.call("GET", QStringLiteral("/access/v1/requests/") + taskId, "pep-a-secret");
        const QJsonObject result = status.body.value(QStringLiteral("result")).toObject();
        const QJsonObject approval = result.value(QStringLiteral("approval")).toObject();
        QVERIFY2(!approval.value(QStringLiteral("state")).toString().isEmpty(), qPrintable(status.describe()));
        m_approvalByTask.insert(taskId, approval.value(QStringLiteral("id")).toString());
        m_approval = approval;
        m_approvedRequest = m_requestByTask.value(taskId);
    }
    const HttpAnswer denied = http.call("POST", QStringLiteral("/admin/v1/tasks/%1/deny").arg(tasks.at(2)), "bob-secret");
    QVERIFY2(denied.status == 200, qPrintable(denied.describe()));
    m_statusBefore.insert(tasks.at(2), QStringLiteral("denied"));

    const HttpAnswer jwks = http.call("GET", QStringLiteral("/access/v1/jwks"), {});
    QCOMPARE(jwks.status, 200);
    for (const QJsonValue &key : jwks.body.value(QStringLiteral("keys")).toArray())
        m_kids.append(key.toObject().value(QStringLiteral("kid")).toString());
    m_kids.sort();
    QVERIFY(!m_kids.isEmpty());

    // When a backup runs while a PEP keeps submitting denials it received before, one after the other.
    QList<QJsonObject> submissions;
    for (int i = 0; i < kMaxSubmissionsDuringBackup; ++i) {
        const QJsonObject request = paymentsLogRequest(QStringLiteral("tenant-%1").arg(++m_tenant));
        const HttpAnswer denial = http.call("POST", QStringLiteral("/access/v1/evaluation"), "pep-a-secret", request);
        submissions.append(submissionFor(request, denial.body));
        QVERIFY2(!submissions.constLast().isEmpty(), qPrintable(denial.describe()));
    }
    QProcess backup;
    backup.setProcessChannelMode(QProcess::MergedChannels);
    backup.start(QStringLiteral(RECOURSE_BINARY_DIR "/app/recourse"),
                 {QStringLiteral("--backup"), path(QStringLiteral("backup")), QStringLiteral("--data-dir"),
                  path(QStringLiteral("data"))});
    QVERIFY(backup.waitForStarted(10000));
    while (backup.state() != QProcess::NotRunning && m_inFlight.size() < submissions.size()) {
        const HttpAnswer submitted = http.call("POST", QStringLiteral("/access/v1/requests"), "pep-a-secret",
                                               submissions.at(m_inFlight.size()));
        QVERIFY2(submitted.status == 202, qPrintable(QStringLiteral("a submission during the backup: ") + submitted.describe()));
        m_inFlight.append(taskIdOf(submitted));
    }
    QTRY_COMPARE_WITH_TIMEOUT(backup.state(), QProcess::NotRunning, 60000);
    const QString backupOutput = QString::fromUtf8(backup.readAll());
    QVERIFY2(backup.exitStatus() == QProcess::NormalExit && backup.exitCode() == 0, qPrintable(backupOutput));
    QVERIFY2(backupOutput.contains(QLatin1String("backed up")), qPrintable(backupOutput));
    qInfo("%d submissions were acknowledged while the backup ran", int(m_inFlight.size()));
    const QString after = createTask(http);
    QVERIFY(!after.isEmpty());
    m_after.append(after);

    // Then the backup holds the store, the signing key and a manifest, all private.
    for (const char *name : {"recourse.db", "signing-key.pem", "manifest.json"}) {
        const QString file = path(QStringLiteral("backup/") + QLatin1String(name));
        QVERIFY2(QFileInfo::exists(file), name);
        QCOMPARE(modeOf(file), mode_t(0600));
    }
    QVERIFY(!QFileInfo::exists(path(QStringLiteral("backup/recourse.db-wal"))));
    QVERIFY(stopService(service));
}

void BackupRestoreTest::restoreRejectsUsedTarget()
{
    // A stopped service's folder is not empty.
    const CommandResult intoOld = runRecourse({QStringLiteral("--restore"), path(QStringLiteral("backup")),
                                               QStringLiteral("--data-dir"), path(QStringLiteral("data"))});
    QCOMPARE(intoOld.exitCode, 2);
    QVERIFY2(intoOld.output.contains(QLatin1String("is not empty")), qPrintable(intoOld.output));

    // A running service holds its folder.
    QProcess busy;
    ServiceHttp http;
    QVERIFY(startService(busy, path(QStringLiteral("busy")), http));
    const CommandResult intoBusy = runRecourse({QStringLiteral("--restore"), path(QStringLiteral("backup")),
                                                QStringLiteral("--data-dir"), path(QStringLiteral("busy"))});
    QVERIFY(stopService(busy));
    QCOMPARE(intoBusy.exitCode, 2);
    QVERIFY2(intoBusy.output.contains(QLatin1String("in use by a running service")), qPrintable(intoBusy.output));

    // A second backup into the same folder would mix two backups.
    const CommandResult again = runRecourse({QStringLiteral("--backup"), path(QStringLiteral("backup")),
                                             QStringLiteral("--data-dir"), path(QStringLiteral("data"))});
    QCOMPARE(again.exitCode, 2);
    QVERIFY2(again.output.contains(QLatin1String("not empty")), qPrintable(again.output));
}

void BackupRestoreTest::restoreRejectsDamagedBackup_data()
{
    QTest::addColumn<Damage>("damage");
    QTest::addColumn<QString>("expected");
    QTest::newRow("changed key file") << Damage::ChangedKeyFile << QStringLiteral("does not match its SHA-256");
    QTest::newRow("forged audit record") << Damage::ForgedAuditRecord << QStringLiteral("audit chain is broken");
    QTest::newRow("missing manifest") << Damage::MissingManifest << QStringLiteral("not a complete Recourse backup");
}

void BackupRestoreTest::restoreRejectsDamagedBackup()
{
    QFETCH(Damage, damage);
    QFETCH(QString, expected);
    const QString damaged = path(QStringLiteral("damaged-") + QString::fromLatin1(QTest::currentDataTag()).replace(u' ', u'-'));
    QVERIFY(copyFolder(path(QStringLiteral("backup")), damaged));

    if (damage == Damage::ChangedKeyFile) {
        QFile key(damaged + QStringLiteral("/signing-key.pem"));
        QVERIFY(key.open(QIODevice::Append));
        key.write("\n");
    } else if (damage == Damage::ForgedAuditRecord) {
        // Rewrite an audit record past its append-only trigger, and give the manifest the new
        // checksum, so only the audit chain can tell.
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("forge"));
            db.setDatabaseName(damaged + QStringLiteral("/recourse.db"));
            QVERIFY(db.open());
            QSqlQuery query(db);
            QVERIFY(query.exec(QStringLiteral("DROP TRIGGER audit_no_update")));
            QVERIFY(query.exec(QStringLiteral("UPDATE audit SET actor = 'mallory' WHERE seq = 1")));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("forge"));
        QFile manifestFile(damaged + QStringLiteral("/manifest.json"));
        QVERIFY(manifestFile.open(QIODevice::ReadWrite));
        QJsonObject manifest = QJsonDocument::fromJson(manifestFile.readAll()).object();
        QJsonObject store = manifest.value(QStringLiteral("store")).toObject();
        store.insert(QStringLiteral("sha256"), sha256Of(damaged + QStringLiteral("/recourse.db")));
        manifest.insert(QStringLiteral("store"), store);
        QVERIFY(manifestFile.resize(0));
        manifestFile.write(QJsonDocument(manifest).toJson());
    } else {
        QVERIFY(QFile::remove(damaged + QStringLiteral("/manifest.json")));
    }

    const QString target = damaged + QStringLiteral("-restored");
    const CommandResult restore = runRecourse({QStringLiteral("--restore"), damaged, QStringLiteral("--data-dir"), target});
    QCOMPARE(restore.exitCode, 2);
    QVERIFY2(restore.output.contains(expected), qPrintable(restore.output));
    // Nothing was put in place.
    QVERIFY(QDir(target).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden) || !QFileInfo::exists(target));
}

void BackupRestoreTest::restoredServiceHasBackup()
{
    // Given the backup restored into a fresh folder.
    const QString restored = path(QStringLiteral("restored"));
    const CommandResult restore = runRecourse({QStringLiteral("--restore"), path(QStringLiteral("backup")),
                                               QStringLiteral("--data-dir"), restored});
    QVERIFY2(restore.exitCode == 0, qPrintable(restore.output));
    QCOMPARE(modeOf(restored + QStringLiteral("/signing-key.pem")), mode_t(0600));
    QCOMPARE(modeOf(restored + QStringLiteral("/recourse.db")), mode_t(0600));

    // When a service starts on it at the original address, which is its token issuer.
    QProcess service;
    ServiceHttp http;
    QVERIFY(startService(service, restored, http, m_port));

    // Then every task of the backup is there with its status, and nothing created later.
    for (auto it = m_statusBefore.cbegin(); it != m_statusBefore.cend(); ++it) {
        const HttpAnswer task = http.call("GET", QStringLiteral("/admin/v1/tasks/") + it.key(), "audit-secret");
        QVERIFY2(task.status == 200, qPrintable(it.key() + u' ' + task.describe()));
        QCOMPARE(task.body.value(QStringLiteral("status")).toString(), it.value());
        const QJsonArray decisions = task.body.value(QStringLiteral("decisions")).toArray();
        QCOMPARE(decisions.size(), it.value() == QLatin1String("pending") ? 0 : 1);
        const QJsonArray approvals = task.body.value(QStringLiteral("approvals")).toArray();
        if (m_approvalByTask.contains(it.key())) {
            QCOMPARE(approvals.size(), 1);
            QCOMPARE(approvals.first().toObject().value(QStringLiteral("id")).toString(), m_approvalByTask.value(it.key()));
        } else {
            QVERIFY(approvals.isEmpty());
        }
    }
    // The submissions during the backup were sequential, so a snapshot as of one commit holds a
    // prefix of them: once one is missing, every later one is missing too.
    qsizetype inSnapshot = 0;
    for (qsizetype i = 0; i < m_inFlight.size(); ++i) {
        const HttpAnswer task = http.call("GET", QStringLiteral("/admin/v1/tasks/") + m_inFlight.at(i), "audit-secret");
        QVERIFY2(task.status == 200 || task.status == 404, qPrintable(task.describe()));
        if (task.status == 200) {
            const QString gap = QStringLiteral("submission %1 is in the backup but %2 is not").arg(i).arg(inSnapshot);
            QVERIFY2(inSnapshot == i, qPrintable(gap));
            ++inSnapshot;
        }
    }
    qInfo("the backup holds %lld of the %lld submissions made while it ran", qint64(inSnapshot), qint64(m_inFlight.size()));
    for (const QString &taskId : std::as_const(m_after)) {
        const HttpAnswer task = http.call("GET", QStringLiteral("/admin/v1/tasks/") + taskId, "audit-secret");
        QVERIFY2(task.status == 404, qPrintable(QStringLiteral("a task created after the backup: ") + task.describe()));
    }

    // And the audit chain verifies, the same keys are published.
    const HttpAnswer verification = http.call("GET", QStringLiteral("/admin/v1/audit/verify"), "audit-secret");
    QCOMPARE(verification.status, 200);
    QVERIFY2(verification.body.value(QStringLiteral("ok")).toBool(), qPrintable(verification.describe()));
    const HttpAnswer jwks = http.call("GET", QStringLiteral("/access/v1/jwks"), {});
    QStringList kids;
    for (const QJsonValue &key : jwks.body.value(QStringLiteral("keys")).toArray())
        kids.append(key.toObject().value(QStringLiteral("kid")).toString());
    kids.sort();
    QCOMPARE(kids, m_kids);

    // And an approval.state issued before the backup still permits on re-evaluation.
    QJsonObject reevaluation = m_approvedRequest;
    QJsonObject context = reevaluation.value(QStringLiteral("context")).toObject();
    context.insert(QStringLiteral("approval"), m_approval);
    reevaluation.insert(QStringLiteral("context"), context);
    const HttpAnswer decision = http.call("POST", QStringLiteral("/access/v1/evaluation"), "pep-a-secret", reevaluation);
    QCOMPARE(decision.status, 200);
    QVERIFY2(decision.body.value(QStringLiteral("decision")).toBool(), qPrintable(decision.describe()));

    QVERIFY(stopService(service));
}

QTEST_GUILESS_MAIN(BackupRestoreTest)
#include "tst_backuprestore.moc"
