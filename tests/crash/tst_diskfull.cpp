// Disk full: the service's data folder sits on a small tmpfs that a user and mount namespace of
// its own mounts, so the test needs no privileges on the host. While the tmpfs is full, every write
// must answer 2xx only when committed and otherwise 503 application/problem+json with Retry-After;
// once space is freed the same process accepts writes again; and a copy of the folder taken after
// a clean stop holds every acknowledged task and decision exactly once, with an intact audit chain.

#include "tests/crash/servicehttp.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

// Big enough for the store, its WAL up to the automatic checkpoint (1000 pages of 4 KiB) and the
// signing key, so start-up and the writes before the filler fit with room to spare.
constexpr auto kTmpfsSize = "16m";
constexpr int kTasksBeforeFull = 16;
constexpr int kRoundsWhileFull = 6;
constexpr int kSubmissionsPerRound = 8;
// "fill" leaves room for a few commits, so the first writes while full succeed and later ones fail.
constexpr auto kLeftFree = "256K";

// Runs inside the namespaces: $1 tmpfs size, $2 mount point, $3 recourse, $4 config, $5 where
// "copy" puts the data folder, $6 the bytes "fill" leaves free. Commands arrive one per line on
// standard input, and each is acknowledged with a "wrapper:" line on standard output, so the test
// waits on output, never on time.
const char *const kWrapperScript = R"sh(
mount -t tmpfs -o "size=$1" tmpfs "$2" || { echo "wrapper: mount failed"; exit 90; }
"$3" --headless --listen 127.0.0.1:0 --data-dir "$2/data" --policy demo --config "$4" </dev/null &
service=$!
while read -r command; do
    case "$command" in
    fill) dd if=/dev/zero of="$2/filler" bs=65536 2>/dev/null
          truncate -s "-$6" "$2/filler"
          echo "wrapper: filled, $(df -k --output=avail "$2" | tail -n 1 | tr -d ' ') KiB free";;
    free) rm -f "$2/filler" && echo "wrapper: freed";;
    stop) kill -TERM "$service"; wait "$service"; echo "wrapper: stopped with $?";;
    copy) cp -a "$2/data" "$5" && echo "wrapper: copied" || echo "wrapper: copy failed";;
    esac
done
kill -TERM "$service" 2>/dev/null
wait
)sh";

// Why a write's answer breaks the contract, or an empty string when it keeps it.
QString contractViolation(const HttpAnswer &answer)
{
    if (!answer.finished)
        return QStringLiteral("no answer within 15 s");
    if (answer.status >= 200 && answer.status < 300)
        return {};
    if (answer.status != 503)
        return QStringLiteral("neither 2xx nor 503: ") + answer.describe();
    if (!answer.contentType.startsWith("application/problem+json"))
        return QStringLiteral("503 with content type %1").arg(QString::fromLatin1(answer.contentType));
    if (answer.body.value(QStringLiteral("detail")).toString().isEmpty())
        return QStringLiteral("503 without a detail: ") + answer.describe();
    if (answer.retryAfter.toInt() <= 0)
        return QStringLiteral("503 without a positive Retry-After: ") + answer.describe();
    return {};
}

} // namespace

class DiskFullTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void writesSucceedBeforeDiskFull();
    void fullDiskAnswers503();
    void freedSpaceRecoversWithoutRestart();
    void copyHoldsAcknowledgedWrites();
    void cleanupTestCase();

private:
    QByteArray command(const QByteArray &line);
    using Submission = QPair<QString, QJsonObject>; // Idempotency-Key and body
    void evaluateDenials(int count, const QString &prefix, QList<Submission> *submissions);
    void submitAll(const QList<Submission> &submissions);

    QTemporaryDir m_dir;
    QProcess m_wrapper;
    ServiceHttp m_http;
    int m_tenant = 0;

    // What the service acknowledged, and what it answered 503 to and must accept after recovery.
    QHash<QString, QString> m_taskByKey; // Idempotency-Key -> task id
    QHash<QString, QString> m_decisionByTask; // task id -> "approved" or "denied"
    QHash<QString, QJsonObject> m_failedSubmissions; // Idempotency-Key -> body
    QHash<QString, QString> m_failedDecisions; // task id -> "approve" or "deny"
    QStringList m_pending;
    QList<Submission> m_heldDenials; // evaluated before the disk fills, submitted while it is full
    int m_rejectedSubmissions = 0;
    int m_rejectedDecisions = 0;
};

void DiskFullTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString unshare = QStandardPaths::findExecutable(QStringLiteral("unshare"));
    if (unshare.isEmpty())
        QFAIL("unshare (util-linux) is not installed: this test needs it to mount a small tmpfs in a user namespace.");
    QFile config(m_dir.filePath(QStringLiteral("config.json")));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(kProcessTestConfig);
    config.close();
    QVERIFY(QDir(m_dir.path()).mkdir(QStringLiteral("tmpfs")));

    // --pid with --kill-child: if this test dies, the namespace's processes die with it.
    m_wrapper.setProgram(unshare);
    m_wrapper.setArguments({QStringLiteral("--user"), QStringLiteral("--map-root-user"), QStringLiteral("--mount"),
                            QStringLiteral("--pid"), QStringLiteral("--fork"), QStringLiteral("--kill-child"),
                            QStringLiteral("sh"), QStringLiteral("-c"), QString::fromLatin1(kWrapperScript),
                            QStringLiteral("sh"), QString::fromLatin1(kTmpfsSize), m_dir.filePath(QStringLiteral("tmpfs")),
                            QStringLiteral(RECOURSE_BINARY_DIR "/app/recourse"), config.fileName(),
                            m_dir.filePath(QStringLiteral("copy")), QString::fromLatin1(kLeftFree)});
    m_wrapper.start();
    QVERIFY2(m_wrapper.waitForStarted(10000), qPrintable(m_wrapper.errorString()));

    const QString url = readListeningUrl(m_wrapper);
    QVERIFY2(!url.isEmpty(),
             qPrintable(QStringLiteral("The service in the namespace did not start. unshare needs unprivileged user "
                                       "namespaces or root. Its output: ")
                        + QString::fromUtf8(m_wrapper.readAllStandardOutput() + m_wrapper.readAllStandardError())));
    m_http.setBaseUrl(url);
}

QByteArray DiskFullTest::command(const QByteArray &line)
{
    m_wrapper.write(line + '\n');
    QByteArray reply;
    (void)QTest::qWaitFor([&] {
        while (m_wrapper.canReadLine()) {
            const QByteArray output = m_wrapper.readLine().trimmed();
            if (output.startsWith("wrapper: ")) {
                reply = output.mid(9);
                return true;
            }
        }
        return m_wrapper.state() == QProcess::NotRunning;
    }, 30000);
    return reply;
}

// Evaluates `count` requestable reads in parallel and appends a submission for each requestable
// denial to `submissions`, keyed by its Idempotency-Key ("<prefix>-<tenant>"). An evaluation is
// held to the same contract as a write, because it stores the denial it issues.
void DiskFullTest::evaluateDenials(int count, const QString &prefix, QList<Submission> *submissions)
{
    QList<QPair<QJsonObject, QNetworkReply *>> evaluations;
    for (int i = 0; i < count; ++i) {
        const QJsonObject request = paymentsLogRequest(QStringLiteral("tenant-%1").arg(++m_tenant));
        evaluations.append({request, m_http.send("POST", QStringLiteral("/access/v1/evaluation"), "pep-a-secret", request)});
    }
    for (const auto &[request, reply] : std::as_const(evaluations)) {
        const HttpAnswer answer = ServiceHttp::answer(reply);
        const QString violation = contractViolation(answer);
        QVERIFY2(violation.isEmpty(), qPrintable(QStringLiteral("evaluation: ") + violation));
        if (answer.status == 503)
            continue;
        QCOMPARE(answer.status, 200);
        const QJsonObject body = submissionFor(request, answer.body);
        QVERIFY2(!body.isEmpty(), qPrintable(QStringLiteral("not a requestable denial: ") + answer.describe()));
        const QString tenant = request.value(QStringLiteral("context")).toObject().value(QStringLiteral("tenant")).toString();
        submissions->append({prefix + u'-' + tenant, body});
    }
}

// Sends the submissions in parallel and records each answer as acknowledged or failed.
void DiskFullTest::submitAll(const QList<Submission> &submissions)
{
    QList<QPair<QString, QNetworkReply *>> replies;
    for (const auto &[key, body] : submissions)
        replies.append({key, m_http.send("POST", QStringLiteral("/access/v1/requests"), "pep-a-secret", body, key.toUtf8())});
    for (qsizetype i = 0; i < replies.size(); ++i) {
        const QString &key = replies.at(i).first;
        const HttpAnswer answer = ServiceHttp::answer(replies.at(i).second);
        const QString violation = contractViolation(answer);
        QVERIFY2(violation.isEmpty(), qPrintable(QStringLiteral("submission %1: %2").arg(key, violation)));
        if (answer.status == 503) {
            m_failedSubmissions.insert(key, submissions.at(i).second);
            ++m_rejectedSubmissions;
            continue;
        }
        QVERIFY2(answer.status == 202, qPrintable(answer.describe()));
        const QString taskId = taskIdOf(answer);
        QVERIFY2(!taskId.isEmpty(), qPrintable(answer.describe()));
        m_taskByKey.insert(key, taskId);
        m_failedSubmissions.remove(key);
        m_pending.append(taskId);
    }
}

void DiskFullTest::writesSucceedBeforeDiskFull()
{
    QList<Submission> submissions;
    evaluateDenials(kTasksBeforeFull, QStringLiteral("before"), &submissions);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(submissions.size(), kTasksBeforeFull);
    submitAll(submissions);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(m_taskByKey.size(), kTasksBeforeFull);
    QCOMPARE(m_rejectedSubmissions, 0);

    for (int i = 0; i < 2; ++i) {
        const QString taskId = m_pending.takeFirst();
        const HttpAnswer approved = m_http.call("POST", QStringLiteral("/admin/v1/tasks/%1/approve").arg(taskId), "bob-secret");
        QVERIFY2(approved.status == 200, qPrintable(approved.describe()));
        m_decisionByTask.insert(taskId, QStringLiteral("approved"));
    }

    // Denials for the submissions while the disk is full, whatever evaluations answer then.
    evaluateDenials(kRoundsWhileFull * kSubmissionsPerRound, QStringLiteral("full"), &m_heldDenials);
    QCOMPARE(m_heldDenials.size(), kRoundsWhileFull * kSubmissionsPerRound);
}

void DiskFullTest::fullDiskAnswers503()
{
    const QByteArray filled = command("fill");
    QVERIFY2(filled.startsWith("filled, "), filled.constData());

    for (int round = 0; round < kRoundsWhileFull; ++round) {
        // Given the PEP submits denials, and evaluates more requests, while the disk is full.
        QList<Submission> submissions = m_heldDenials.mid(round * kSubmissionsPerRound, kSubmissionsPerRound);
        evaluateDenials(2, QStringLiteral("full"), &submissions);
        if (QTest::currentTestFailed())
            return;
        submitAll(submissions);
        if (QTest::currentTestFailed())
            return;

        // When an approver approves one pending task and denies another while a PEP polls a third.
        QVERIFY2(m_pending.size() >= 3, "too few pending tasks left for the decisions");
        const QString approveId = m_pending.takeFirst();
        const QString denyId = m_pending.takeFirst();
        QNetworkReply *approve = m_http.send("POST", QStringLiteral("/admin/v1/tasks/%1/approve").arg(approveId), "bob-secret");
        QNetworkReply *deny = m_http.send("POST", QStringLiteral("/admin/v1/tasks/%1/deny").arg(denyId), "bob-secret",
                                          QJsonObject{{QStringLiteral("reason"), QStringLiteral("not_needed")}});
        QNetworkReply *poll = m_http.send("GET", QStringLiteral("/access/v1/requests/") + m_pending.first(), "pep-a-secret");

        // Then each answer is a committed 2xx or a 503 the client can retry.
        for (const auto &[taskId, reply, decision] : {std::tuple{approveId, approve, QStringLiteral("approve")},
                                                      std::tuple{denyId, deny, QStringLiteral("deny")}}) {
            const HttpAnswer answer = ServiceHttp::answer(reply);
            const QString violation = contractViolation(answer);
            QVERIFY2(violation.isEmpty(), qPrintable(decision + QStringLiteral(": ") + violation));
            if (answer.status == 503) {
                m_failedDecisions.insert(taskId, decision);
                ++m_rejectedDecisions;
                continue;
            }
            QCOMPARE(answer.status, 200);
            m_decisionByTask.insert(taskId, decision == QLatin1String("approve") ? QStringLiteral("approved")
                                                                                 : QStringLiteral("denied"));
        }
        const HttpAnswer polled = ServiceHttp::answer(poll);
        QVERIFY2(polled.status == 200, qPrintable(QStringLiteral("a read while the disk is full: ") + polled.describe()));
    }

    QVERIFY2(m_rejectedSubmissions > 0, "no submission answered 503 while the tmpfs was full");
    QVERIFY2(m_rejectedDecisions > 0, "no decision answered 503 while the tmpfs was full");
    qInfo("%s: %d submissions and %d decisions answered 503, %d submissions and %d decisions succeeded",
          filled.constData(), m_rejectedSubmissions, m_rejectedDecisions, int(m_taskByKey.size()) - kTasksBeforeFull,
          int(m_decisionByTask.size()) - 2);
}

void DiskFullTest::freedSpaceRecoversWithoutRestart()
{
    QCOMPARE(command("free"), QByteArray("freed"));

    // The very next write succeeds: no restart, no retry loop.
    QList<QPair<QString, QJsonObject>> retries;
    for (auto it = m_failedSubmissions.cbegin(); it != m_failedSubmissions.cend(); ++it)
        retries.append({it.key(), it.value()});
    submitAll(retries);
    if (QTest::currentTestFailed())
        return;
    QVERIFY2(m_failedSubmissions.isEmpty(), qPrintable(m_failedSubmissions.keys().join(u' ')));

    // A decision that answered 503 was not applied, so the same decision now succeeds.
    for (auto it = m_failedDecisions.cbegin(); it != m_failedDecisions.cend(); ++it) {
        const HttpAnswer answer = m_http.call("POST", QStringLiteral("/admin/v1/tasks/%1/%2").arg(it.key(), it.value()),
                                              "bob-secret");
        QVERIFY2(answer.status == 200, qPrintable(it.value() + QStringLiteral(" after recovery: ") + answer.describe()));
        m_decisionByTask.insert(it.key(), it.value() == QLatin1String("approve") ? QStringLiteral("approved")
                                                                                 : QStringLiteral("denied"));
    }
    m_failedDecisions.clear();

    QList<Submission> fresh;
    evaluateDenials(kSubmissionsPerRound, QStringLiteral("after"), &fresh);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(fresh.size(), kSubmissionsPerRound);
    submitAll(fresh);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(m_failedSubmissions.isEmpty());

    const HttpAnswer verification = m_http.call("GET", QStringLiteral("/admin/v1/audit/verify"), "audit-secret");
    QCOMPARE(verification.status, 200);
    QVERIFY2(verification.body.value(QStringLiteral("ok")).toBool(), qPrintable(verification.describe()));
}

void DiskFullTest::copyHoldsAcknowledgedWrites()
{
    // Given the data folder of a cleanly stopped service, copied out of the tmpfs.
    QCOMPARE(command("stop"), QByteArray("stopped with 0"));
    QCOMPARE(command("copy"), QByteArray("copied"));
    m_wrapper.closeWriteChannel();
    QTRY_COMPARE_WITH_TIMEOUT(m_wrapper.state(), QProcess::NotRunning, 15000);

    // When a fresh service opens the copy.
    QProcess inspector;
    inspector.setProgram(QStringLiteral(RECOURSE_BINARY_DIR "/app/recourse"));
    inspector.setArguments({QStringLiteral("--headless"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                            QStringLiteral("--data-dir"), m_dir.filePath(QStringLiteral("copy")),
                            QStringLiteral("--policy"), QStringLiteral("demo"),
                            QStringLiteral("--config"), m_dir.filePath(QStringLiteral("config.json"))});
    inspector.start();
    const QString url = readListeningUrl(inspector);
    QVERIFY2(!url.isEmpty(), inspector.readAllStandardError().constData());
    ServiceHttp http;
    http.setBaseUrl(url);

    // Then the store holds exactly the acknowledged tasks, each once.
    QStringList stored;
    QString cursor;
    for (;;) {
        const HttpAnswer page = http.call("GET", QStringLiteral("/admin/v1/tasks?limit=500")
                                                     + (cursor.isEmpty() ? QString() : QStringLiteral("&cursor=") + cursor),
                                          "audit-secret");
        QVERIFY2(page.status == 200, qPrintable(page.describe()));
        for (const QJsonValue &task : page.body.value(QStringLiteral("tasks")).toArray())
            stored.append(task.toObject().value(QStringLiteral("id")).toString());
        cursor = page.body.value(QStringLiteral("next_cursor")).toString();
        if (cursor.isEmpty())
            break;
    }
    QStringList acknowledged = m_taskByKey.values();
    acknowledged.sort();
    stored.sort();
    QCOMPARE(stored, acknowledged);

    // And each task has exactly the decision that was acknowledged, or none.
    for (const QString &taskId : std::as_const(acknowledged)) {
        const HttpAnswer detail = http.call("GET", QStringLiteral("/admin/v1/tasks/") + taskId, "audit-secret");
        QVERIFY2(detail.status == 200, qPrintable(detail.describe()));
        const QJsonArray decisions = detail.body.value(QStringLiteral("decisions")).toArray();
        const QString expected = m_decisionByTask.value(taskId, QStringLiteral("pending"));
        QCOMPARE(detail.body.value(QStringLiteral("status")).toString(), expected);
        QCOMPARE(decisions.size(), expected == QLatin1String("pending") ? 0 : 1);
    }

    const HttpAnswer verification = http.call("GET", QStringLiteral("/admin/v1/audit/verify"), "audit-secret");
    QCOMPARE(verification.status, 200);
    QVERIFY2(verification.body.value(QStringLiteral("ok")).toBool(), qPrintable(verification.describe()));

    inspector.terminate();
    QTRY_COMPARE_WITH_TIMEOUT(inspector.state(), QProcess::NotRunning, 15000);
    QCOMPARE(inspector.exitCode(), 0);
}

void DiskFullTest::cleanupTestCase()
{
    if (m_wrapper.state() == QProcess::NotRunning)
        return;
    // Closing standard input ends the wrapper's loop, which stops the service.
    m_wrapper.closeWriteChannel();
    if (!m_wrapper.waitForFinished(15000))
        m_wrapper.kill();
}

QTEST_GUILESS_MAIN(DiskFullTest)
#include "tst_diskfull.moc"
