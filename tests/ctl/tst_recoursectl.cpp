// recoursectl as a separate process against the real service, in process on 127.0.0.1 with the
// arap-conformance pack: output, exit codes and the calls' effects on the service.

#include "core/base/rfc3339.h"
#include "tests/ctl/ctlprocess.h"
#include "tests/integration/araprequests.h"
#include "tests/integration/servicefixture.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

constexpr int kExitServiceError = 1;
constexpr int kExitUsage = 2;

// Records of an RFC 4180 text: quoted fields may hold commas, CRLF and doubled quotes.
QList<QStringList> parseCsv(const QString &text)
{
    QList<QStringList> records;
    QStringList record;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == u'"' && i + 1 < text.size() && text.at(i + 1) == u'"') {
                field += u'"';
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == u'"') {
            quoted = true;
        } else if (c == u',') {
            record.append(field);
            field.clear();
        } else if (c == u'\r' && i + 1 < text.size() && text.at(i + 1) == u'\n') {
            record.append(field);
            records.append(record);
            record.clear();
            field.clear();
            ++i;
        } else {
            field += c;
        }
    }
    return records;
}

QList<QJsonObject> parseJsonLines(const QString &text)
{
    QList<QJsonObject> objects;
    for (const QString &line : text.split(u'\n', Qt::SkipEmptyParts))
        objects.append(QJsonDocument::fromJson(line.toUtf8()).object());
    return objects;
}

QJsonObject jsonObject(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

QJsonArray jsonArray(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).array();
}

} // namespace

class tst_Recoursectl : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void listShowsTasksAsTable();
    void listFiltersByStatusAsJson();
    void showPrintsTaskDetail();
    void showUnknownTaskFails();
    void approveDecidesTask();
    void approveRejectsSelfApproval();
    void approveRejectsAuditor();
    void denyNeedsReason();
    void denyDecidesTask();
    void revokeEndsApproval();
    void auditVerifyReportsIntactChain();
    void keysRotateAndList();
    void auditVerifyReportsBrokenChain();
    void auditExportWritesJsonLines();
    void auditExportWritesCsvFile();
    void whoamiUsesConsoleDataFolder_data();
    void whoamiUsesConsoleDataFolder();
    void consoleTokenStaysWithConsoleUrl();
    void tokenNeverPrinted_data();
    void tokenNeverPrinted();
    void missingServiceIsUsageError();
    void plainHttpBeyondLoopbackRejected();
    void unknownCommandIsUsageError();

private:
    QStringList as(const QString &token) const;
    QJsonObject taskById(const QString &taskId);

    std::unique_ptr<ServiceFixture> m_service;
};

void tst_Recoursectl::init()
{
    m_service = std::make_unique<ServiceFixture>();
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
}

void tst_Recoursectl::cleanup()
{
    m_service.reset();
}

QStringList tst_Recoursectl::as(const QString &token) const
{
    return {QStringLiteral("--url"), m_service->baseUrl(), QStringLiteral("--token"), token};
}

QJsonObject tst_Recoursectl::taskById(const QString &taskId)
{
    return m_service->get(QStringLiteral("/admin/v1/tasks/") + taskId, Tokens::auditor).json;
}

void tst_Recoursectl::listShowsTasksAsTable()
{
    const Escalation planRead = m_service->requestAccess(Arap::q4PlanRead());
    QVERIFY2(planRead.ok(), qPrintable(planRead.failure));
    // Tasks created in the same millisecond are ordered by id, so the second one comes later.
    m_service->clock().advanceSeconds(1);
    const Escalation logRead = m_service->requestAccess(Arap::paymentLogRead());
    QVERIFY2(logRead.ok(), qPrintable(logRead.failure));

    CtlProcess ctl;
    RUN_CTL(ctl, as(Tokens::bob) + QStringList{QStringLiteral("list")});

    QCOMPARE(ctl.exitCode(), 0);
    const QStringList lines = ctl.out().split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QVERIFY2(lines.at(0).startsWith(QLatin1String("ID ")), qPrintable(lines.at(0)));
    QVERIFY(lines.at(0).contains(QLatin1String("STATUS")));
    // Newest first.
    QVERIFY2(lines.at(1).startsWith(logRead.taskId()), qPrintable(ctl.out()));
    QVERIFY2(lines.at(2).startsWith(planRead.taskId()), qPrintable(ctl.out()));
    QVERIFY(lines.at(2).contains(QLatin1String("pending")));
    QVERIFY(lines.at(2).contains(QLatin1String("manager_approval")));
    QVERIFY(lines.at(2).contains(QLatin1String("user:alice")));
    QVERIFY(lines.at(2).contains(QLatin1String("document:q4-plan")));
    QVERIFY(lines.at(2).contains(QLatin1String("can_read")));
    QCOMPARE(ctl.err(), QString());
}

void tst_Recoursectl::listFiltersByStatusAsJson()
{
    const Escalation approved = m_service->grantAccess(Arap::q4PlanRead());
    QVERIFY2(approved.ok(), qPrintable(approved.failure));
    m_service->clock().advanceSeconds(1);
    const Escalation pending = m_service->requestAccess(Arap::paymentLogRead());
    QVERIFY2(pending.ok(), qPrintable(pending.failure));

    CtlProcess approvedOnly;
    RUN_CTL(approvedOnly, as(Tokens::bob) + QStringList{QStringLiteral("list"), QStringLiteral("--status"),
                                                        QStringLiteral("approved"), QStringLiteral("--json")});
    QCOMPARE(approvedOnly.exitCode(), 0);
    const QJsonArray approvedTasks = jsonArray(approvedOnly.out());
    QCOMPARE(approvedTasks.size(), 1);
    QCOMPARE(approvedTasks.at(0).toObject().value(u"id").toString(), approved.taskId());

    CtlProcess bySubjectAndLimit;
    RUN_CTL(bySubjectAndLimit, as(Tokens::bob) + QStringList{QStringLiteral("list"), QStringLiteral("--subject=alice"),
                                                             QStringLiteral("--limit"), QStringLiteral("1"),
                                                             QStringLiteral("--json")});
    QCOMPARE(bySubjectAndLimit.exitCode(), 0);
    const QJsonArray limited = jsonArray(bySubjectAndLimit.out());
    QCOMPARE(limited.size(), 1);
    QCOMPARE(limited.at(0).toObject().value(u"id").toString(), pending.taskId());

    CtlProcess nothing;
    RUN_CTL(nothing, as(Tokens::bob) + QStringList{QStringLiteral("list"), QStringLiteral("-q"), QStringLiteral("no-such-thing")});
    QCOMPARE(nothing.exitCode(), 0);
    QCOMPARE(nothing.out(), QStringLiteral("No tasks match.\n"));
}

void tst_Recoursectl::showPrintsTaskDetail()
{
    const Escalation escalation = m_service->requestAccess(Arap::q4PlanRead());
    QVERIFY2(escalation.ok(), qPrintable(escalation.failure));

    CtlProcess text;
    RUN_CTL(text, as(Tokens::bob) + QStringList{QStringLiteral("show"), escalation.taskId()});
    QCOMPARE(text.exitCode(), 0);
    const QString out = text.out();
    QVERIFY2(out.contains(QLatin1String("Task           ") + escalation.taskId()), qPrintable(out));
    QVERIFY2(out.contains(QLatin1String("Status         pending\n")), qPrintable(out));
    QVERIFY2(out.contains(QLatin1String("Template       Manager approval for a tenant document (manager_approval)\n")),
             qPrintable(out));
    QVERIFY2(out.contains(QLatin1String("Subject        user:alice\n")), qPrintable(out));
    QVERIFY2(out.contains(QLatin1String("Resource       document:q4-plan\n")), qPrintable(out));
    QVERIFY2(out.contains(QLatin1String("Requester      pep-a\n")), qPrintable(out));
    QVERIFY2(out.contains(QLatin1String("Workflow       step 1 of 1, awaiting managers\n")), qPrintable(out));
    QVERIFY2(out.contains(QLatin1String("Decidable      yes, by you\n")), qPrintable(out));

    CtlProcess json;
    RUN_CTL(json, as(Tokens::bob) + QStringList{QStringLiteral("show"), escalation.taskId(), QStringLiteral("--json")});
    QCOMPARE(json.exitCode(), 0);
    const QJsonObject task = jsonObject(json.out());
    QCOMPARE(task.value(u"id").toString(), escalation.taskId());
    QCOMPARE(task.value(u"status").toString(), QStringLiteral("pending"));
    QVERIFY(task.value(u"evaluation").toObject().contains(QLatin1String("evaluation_id")));
}

void tst_Recoursectl::showUnknownTaskFails()
{
    const QString unknown = QStringLiteral("arq_aaaaaaaaaaaaaaaaaaaaaaaaaa");
    const QString detail = m_service->get(QStringLiteral("/admin/v1/tasks/") + unknown, Tokens::bob)
                               .json.value(u"detail")
                               .toString();
    QVERIFY(!detail.isEmpty());

    CtlProcess ctl;
    RUN_CTL(ctl, as(Tokens::bob) + QStringList{QStringLiteral("show"), unknown});

    QCOMPARE(ctl.exitCode(), kExitServiceError);
    QCOMPARE(ctl.err(), QStringLiteral("recoursectl: %1\n").arg(detail));
    QCOMPARE(ctl.out(), QString());
}

void tst_Recoursectl::approveDecidesTask()
{
    const Escalation escalation = m_service->requestAccess(Arap::q4PlanRead());
    QVERIFY2(escalation.ok(), qPrintable(escalation.failure));

    CtlProcess ctl;
    RUN_CTL(ctl, as(Tokens::bob) + QStringList{QStringLiteral("approve"), escalation.taskId(), QStringLiteral("--comment"),
                                               QStringLiteral("for the Q4 review"), QStringLiteral("--until"),
                                               QStringLiteral("2026-12-04T12:00:00Z")});

    QCOMPARE(ctl.exitCode(), 0);
    QCOMPARE(ctl.out(), QStringLiteral("Approved %1: the task is now approved, approved until 2026-12-04T12:00:00Z.\n")
                            .arg(escalation.taskId()));
    const QJsonObject task = taskById(escalation.taskId());
    QCOMPARE(task.value(u"status").toString(), QStringLiteral("approved"));
    QCOMPARE(task.value(u"decided_by").toString(), QStringLiteral("bob"));
    const QJsonObject decision = task.value(u"decisions").toArray().at(0).toObject();
    QCOMPARE(decision.value(u"comment").toString(), QStringLiteral("for the Q4 review"));
    const QJsonObject approval = task.value(u"approvals").toArray().at(0).toObject();
    QCOMPARE(approval.value(u"approved_until").toString(), QStringLiteral("2026-12-04T12:00:00Z"));
}

void tst_Recoursectl::approveRejectsSelfApproval()
{
    // alice is an approver in group managers and the subject of this request.
    const Escalation escalation = m_service->requestAccess(Arap::q4PlanRead());
    QVERIFY2(escalation.ok(), qPrintable(escalation.failure));

    CtlProcess ctl;
    RUN_CTL(ctl, as(Tokens::alice) + QStringList{QStringLiteral("approve"), escalation.taskId()});

    QCOMPARE(ctl.exitCode(), kExitServiceError);
    QCOMPARE(ctl.out(), QString());
    const HttpResponse direct = m_service->approve(escalation.taskId(), Tokens::alice);
    QCOMPARE(direct.status, 403);
    QCOMPARE(direct.problemType(), QStringLiteral("urn:recourse:error:not_eligible"));
    QCOMPARE(ctl.err(), QStringLiteral("recoursectl: %1\n").arg(direct.json.value(u"detail").toString()));
    QCOMPARE(taskById(escalation.taskId()).value(u"status").toString(), QStringLiteral("pending"));
}

void tst_Recoursectl::approveRejectsAuditor()
{
    const Escalation escalation = m_service->requestAccess(Arap::q4PlanRead());
    QVERIFY2(escalation.ok(), qPrintable(escalation.failure));

    CtlProcess ctl;
    RUN_CTL(ctl, as(Tokens::auditor) + QStringList{QStringLiteral("approve"), escalation.taskId()});

    QCOMPARE(ctl.exitCode(), kExitServiceError);
    QCOMPARE(ctl.err(), QStringLiteral("recoursectl: Auditors cannot decide tasks.\n"));
    QCOMPARE(taskById(escalation.taskId()).value(u"status").toString(), QStringLiteral("pending"));
}

void tst_Recoursectl::denyNeedsReason()
{
    const Escalation escalation = m_service->requestAccess(Arap::q4PlanRead());
    QVERIFY2(escalation.ok(), qPrintable(escalation.failure));

    CtlProcess ctl;
    RUN_CTL(ctl, as(Tokens::bob) + QStringList{QStringLiteral("deny"), escalation.taskId()});

    QCOMPARE(ctl.exitCode(), kExitUsage);
    QCOMPARE(ctl.err(), QStringLiteral("recoursectl: deny needs --reason: it is recorded with the decision in the task and the audit trail.\n"));
    QCOMPARE(taskById(escalation.taskId()).value(u"status").toString(), QStringLiteral("pending"));
}

void tst_Recoursectl::denyDecidesTask()
{
    const Escalation escalation = m_service->requestAccess(Arap::q4PlanRead());
    QVERIFY2(escalation.ok(), qPrintable(escalation.failure));

    CtlProcess ctl;
    RUN_CTL(ctl, as(Tokens::bob) + QStringList{QStringLiteral("deny"), escalation.taskId(), QStringLiteral("--reason"),
                                               QStringLiteral("not during the freeze"), QStringLiteral("--json")});

    QCOMPARE(ctl.exitCode(), 0);
    QCOMPARE(jsonObject(ctl.out()).value(u"status").toString(), QStringLiteral("denied"));
    const QJsonObject task = taskById(escalation.taskId());
    QCOMPARE(task.value(u"status").toString(), QStringLiteral("denied"));
    QCOMPARE(task.value(u"decisions").toArray().at(0).toObject().value(u"reason").toString(),
             QStringLiteral("not during the freeze"));
}

void tst_Recoursectl::revokeEndsApproval()
{
    const Escalation escalation = m_service->grantAccess(Arap::q4PlanRead());
    QVERIFY2(escalation.ok(), qPrintable(escalation.failure));
    const QString approvalId = escalation.approval.value(u"id").toString();
    QVERIFY(!approvalId.isEmpty());

    CtlProcess ctl;
    RUN_CTL(ctl, as(Tokens::bob) + QStringList{QStringLiteral("revoke"), approvalId, QStringLiteral("--comment"),
                                               QStringLiteral("review finished")});

    QCOMPARE(ctl.exitCode(), 0);
    QCOMPARE(ctl.out(), QStringLiteral("Revoked approval %1 of task %2.\n").arg(approvalId, escalation.taskId()));
    const QJsonObject approval = taskById(escalation.taskId()).value(u"approvals").toArray().at(0).toObject();
    QVERIFY2(!approval.value(u"revoked_at").toString().isEmpty(), QJsonDocument(approval).toJson().constData());
    QCOMPARE(approval.value(u"revoked_by").toString(), QStringLiteral("bob"));
}

void tst_Recoursectl::keysRotateAndList()
{
    const QString adminToken = QStringLiteral("admin-secret");
    m_service->host()->addIdentity(QStringLiteral("admin-1"), QStringLiteral("admin"), {}, adminToken);
    const Escalation escalation = m_service->grantAccess(Arap::q4PlanRead());
    QVERIFY2(escalation.ok(), qPrintable(escalation.failure));
    const QString oldKid = m_service->get(QStringLiteral("/access/v1/jwks"), {}).json.value(u"keys").toArray()
                               .first().toObject().value(u"kid").toString();

    CtlProcess refused;
    RUN_CTL(refused, as(Tokens::auditor) + QStringList{QStringLiteral("keys"), QStringLiteral("rotate")});
    QCOMPARE(refused.exitCode(), 1);

    CtlProcess rotated;
    RUN_CTL(rotated, as(adminToken) + QStringList{QStringLiteral("keys"), QStringLiteral("rotate"), QStringLiteral("--json")});
    QCOMPARE(rotated.exitCode(), 0);
    const QString newKid = jsonObject(rotated.out()).value(u"active_kid").toString();
    QVERIFY(!newKid.isEmpty());
    QCOMPARE(jsonObject(rotated.out()).value(u"retired_kid").toString(), oldKid);

    CtlProcess listed;
    RUN_CTL(listed, as(Tokens::auditor) + QStringList{QStringLiteral("keys"), QStringLiteral("list")});
    QCOMPARE(listed.exitCode(), 0);
    const QStringList lines = listed.out().split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QVERIFY2(lines.at(1).startsWith(newKid) && lines.at(1).contains(QLatin1String("active")), qPrintable(listed.out()));
    QVERIFY2(lines.at(2).startsWith(oldKid) && lines.at(2).contains(QLatin1String("retired")), qPrintable(listed.out()));
    // The old key leaves once the approval it signed and the clock-skew tolerance have passed.
    const qint64 until = Rfc3339::parse(escalation.approval.value(u"approved_until").toString()).value();
    QVERIFY2(lines.at(2).contains(Rfc3339::format(until + 30 * 1000)), qPrintable(listed.out()));
}

void tst_Recoursectl::auditVerifyReportsIntactChain()
{
    const Escalation escalation = m_service->grantAccess(Arap::q4PlanRead());
    QVERIFY2(escalation.ok(), qPrintable(escalation.failure));
    const qint64 records = m_service->get(QStringLiteral("/admin/v1/audit/verify"), Tokens::auditor).json.value(u"records").toInteger();
    QVERIFY(records > 0);

    CtlProcess text;
    RUN_CTL(text, as(Tokens::auditor) + QStringList{QStringLiteral("audit"), QStringLiteral("verify")});
    QCOMPARE(text.exitCode(), 0);
    QCOMPARE(text.out(), QStringLiteral("The audit chain is intact: %1 records verified.\n").arg(records));

    CtlProcess json;
    RUN_CTL(json, as(Tokens::auditor) + QStringList{QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--json")});
    QCOMPARE(json.exitCode(), 0);
    QCOMPARE(jsonObject(json.out()).value(u"ok").toBool(), true);
}

void tst_Recoursectl::auditVerifyReportsBrokenChain()
{
    const Escalation escalation = m_service->grantAccess(Arap::q4PlanRead());
    QVERIFY2(escalation.ok(), qPrintable(escalation.failure));

    // An attacker with write access to the database file drops the append-only trigger and
    // rewrites who acted in the second record.
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tamper"));
        db.setDatabaseName(QDir(m_service->dataDir()).filePath(QStringLiteral("recourse.db")));
        QVERIFY2(db.open(), qPrintable(db.lastError().text()));
        QSqlQuery query(db);
        QVERIFY2(query.exec(QStringLiteral("DROP TRIGGER audit_no_update")), qPrintable(query.lastError().text()));
        QVERIFY2(query.exec(QStringLiteral("UPDATE audit SET actor = 'mallory' WHERE seq = 2")),
                 qPrintable(query.lastError().text()));
        QCOMPARE(query.numRowsAffected(), 1);
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("tamper"));

    CtlProcess ctl;
    RUN_CTL(ctl, as(Tokens::auditor) + QStringList{QStringLiteral("audit"), QStringLiteral("verify")});

    QCOMPARE(ctl.exitCode(), kExitServiceError);
    QVERIFY2(ctl.out().startsWith(QLatin1String("The audit chain is broken at record 2: ")), qPrintable(ctl.out()));
}

void tst_Recoursectl::auditExportWritesJsonLines()
{
    const Escalation first = m_service->grantAccess(Arap::q4PlanRead());
    QVERIFY2(first.ok(), qPrintable(first.failure));
    const Escalation second = m_service->requestAccess(Arap::paymentLogRead());
    QVERIFY2(second.ok(), qPrintable(second.failure));
    const qint64 total = m_service->get(QStringLiteral("/admin/v1/audit/verify"), Tokens::auditor).json.value(u"records").toInteger();

    CtlProcess everything;
    RUN_CTL(everything, as(Tokens::auditor) + QStringList{QStringLiteral("audit"), QStringLiteral("export")});
    QCOMPARE(everything.exitCode(), 0);
    const QList<QJsonObject> records = parseJsonLines(everything.out());
    QCOMPARE(records.size(), total);
    for (qsizetype i = 0; i < records.size(); ++i) {
        QCOMPARE(records.at(i).value(u"seq").toInteger(), i + 1);
        QVERIFY(!records.at(i).value(u"hash").toString().isEmpty());
        if (i > 0)
            QCOMPARE(records.at(i).value(u"prev_hash").toString(), records.at(i - 1).value(u"hash").toString());
    }

    CtlProcess oneTask;
    RUN_CTL(oneTask, as(Tokens::auditor) + QStringList{QStringLiteral("audit"), QStringLiteral("export"),
                                                       QStringLiteral("--task"), second.taskId()});
    QCOMPARE(oneTask.exitCode(), 0);
    const QList<QJsonObject> taskRecords = parseJsonLines(oneTask.out());
    QVERIFY(!taskRecords.isEmpty());
    QVERIFY(taskRecords.size() < records.size());
    // The trail of a task starts with its requestable denial, which has no task id yet.
    const QString evaluationId =
        taskById(second.taskId()).value(u"evaluation").toObject().value(u"evaluation_id").toString();
    for (const QJsonObject &record : taskRecords) {
        if (record.contains(QLatin1String("task_id")))
            QCOMPARE(record.value(u"task_id").toString(), second.taskId());
        else
            QCOMPARE(record.value(u"evaluation_id").toString(), evaluationId);
    }
}

void tst_Recoursectl::auditExportWritesCsvFile()
{
    // The revocation's comment is kept in its audit record, so the data field carries commas and
    // double quotes from the user as well as from the JSON around them.
    const Escalation escalation = m_service->grantAccess(Arap::q4PlanRead());
    QVERIFY2(escalation.ok(), qPrintable(escalation.failure));
    const QString comment = QStringLiteral("She said \"yes, go\",\r\nthen left");
    const HttpResponse revoked = m_service->post(
        QStringLiteral("/admin/v1/approvals/%1/revoke").arg(escalation.approval.value(u"id").toString()),
        QJsonObject{{QStringLiteral("comment"), comment}}, Tokens::bob);
    QCOMPARE(revoked.status, 200);

    CtlProcess jsonLines;
    RUN_CTL(jsonLines, as(Tokens::auditor) + QStringList{QStringLiteral("audit"), QStringLiteral("export")});
    QCOMPARE(jsonLines.exitCode(), 0);
    const QList<QJsonObject> expected = parseJsonLines(jsonLines.out());
    QVERIFY(!expected.isEmpty());

    QTemporaryDir folder;
    const QString path = folder.filePath(QStringLiteral("audit.csv"));
    CtlProcess csv;
    RUN_CTL(csv, as(Tokens::auditor) + QStringList{QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--format"),
                                                   QStringLiteral("csv"), QStringLiteral("-o"), path});
    QCOMPARE(csv.exitCode(), 0);
    QCOMPARE(csv.out(), QString());
    QCOMPARE(csv.err(), QStringLiteral("Exported %1 audit records to %2.\n").arg(expected.size()).arg(path));

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(file.readAll());
    QVERIFY(text.startsWith(QLatin1String(
        "seq,time,type,actor,task_id,evaluation_id,approval_id,subject_id,data,prev_hash,hash\r\n")));
    QVERIFY(text.endsWith(QLatin1String("\r\n")));
    const QList<QStringList> rows = parseCsv(text);
    QCOMPARE(rows.size(), expected.size() + 1);
    bool commentSeen = false;
    for (qsizetype i = 0; i < expected.size(); ++i) {
        const QStringList &row = rows.at(i + 1);
        const QJsonObject &record = expected.at(i);
        QCOMPARE(row.size(), 11);
        QCOMPARE(row.at(0), QString::number(record.value(u"seq").toInteger()));
        QCOMPARE(row.at(2), record.value(u"type").toString());
        QCOMPARE(row.at(4), record.value(u"task_id").toString());
        QCOMPARE(jsonObject(row.at(8)), record.value(u"data").toObject());
        QCOMPARE(row.at(10), record.value(u"hash").toString());
        commentSeen = commentSeen || jsonObject(row.at(8)).value(u"comment").toString() == comment;
    }
    QVERIFY2(commentSeen, "the revocation's comment is in no audit record");
}

void tst_Recoursectl::whoamiUsesConsoleDataFolder_data()
{
    QTest::addColumn<bool>("defaultFolder");
    QTest::newRow("default folder under XDG_DATA_HOME") << true;
    QTest::newRow("folder named by --data-dir") << false;
}

void tst_Recoursectl::whoamiUsesConsoleDataFolder()
{
    QFETCH(bool, defaultFolder);
    const QString consoleToken = QStringLiteral("console-token-for-ctl");
    m_service->host()->addIdentity(QStringLiteral("console"), QStringLiteral("approver"), {QStringLiteral("managers")},
                                   consoleToken);

    CtlProcess ctl;
    QTemporaryDir otherFolder;
    const QString folder = defaultFolder ? QDir(ctl.dataHome()).filePath(QStringLiteral("Recourse/recourse")) : otherFolder.path();
    QVERIFY(QDir().mkpath(folder));
    QFile file(QDir(folder).filePath(QStringLiteral("local-identities.json")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(QJsonObject{{QStringLiteral("service_url"), m_service->baseUrl()},
                                         {QStringLiteral("console_token"), consoleToken},
                                         {QStringLiteral("demo_pep_token"), QStringLiteral("unused")}})
                   .toJson());
    file.close();

    QStringList arguments{QStringLiteral("whoami")};
    if (!defaultFolder)
        arguments << QStringLiteral("--data-dir") << folder;
    RUN_CTL(ctl, arguments);

    QCOMPARE(ctl.exitCode(), 0);
    QCOMPARE(ctl.out(), QStringLiteral("console (approver), groups managers\nService: %1\n").arg(m_service->baseUrl()));
}

void tst_Recoursectl::consoleTokenStaysWithConsoleUrl()
{
    CtlProcess ctl;
    const QString folder = QDir(ctl.dataHome()).filePath(QStringLiteral("Recourse/recourse"));
    QVERIFY(QDir().mkpath(folder));
    QFile file(QDir(folder).filePath(QStringLiteral("local-identities.json")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(QJsonObject{{QStringLiteral("service_url"), QStringLiteral("http://127.0.0.1:1")},
                                         {QStringLiteral("console_token"), QStringLiteral("console-secret")}})
                   .toJson());
    file.close();

    ctl.setEnv(QStringLiteral("RECOURSE_URL"), m_service->baseUrl());
    RUN_CTL(ctl, QStringList{QStringLiteral("whoami")});

    QCOMPARE(ctl.exitCode(), kExitUsage);
    QCOMPARE(ctl.err(), QStringLiteral("recoursectl: No token for %1: pass --token or set RECOURSE_TOKEN.\n")
                            .arg(m_service->baseUrl()));
}

void tst_Recoursectl::tokenNeverPrinted_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");

    const QString unknown = QStringLiteral("no-such-identity-token-4711");
    QTest::newRow("whoami") << Tokens::bob << QStringList{QStringLiteral("whoami")} << 0;
    QTest::newRow("list as json") << Tokens::bob << QStringList{QStringLiteral("list"), QStringLiteral("--json")} << 0;
    QTest::newRow("unknown token") << unknown << QStringList{QStringLiteral("whoami")} << kExitServiceError;
    QTest::newRow("PEP token") << Tokens::pepA << QStringList{QStringLiteral("list")} << kExitServiceError;
    QTest::newRow("unreachable service") << Tokens::bob
                                         << QStringList{QStringLiteral("--url"), QStringLiteral("http://127.0.0.1:1"),
                                                        QStringLiteral("whoami")}
                                         << kExitServiceError;
}

void tst_Recoursectl::tokenNeverPrinted()
{
    QFETCH(QString, token);
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);

    CtlProcess ctl;
    ctl.setEnv(QStringLiteral("RECOURSE_URL"), m_service->baseUrl());
    ctl.setEnv(QStringLiteral("RECOURSE_TOKEN"), token);
    RUN_CTL(ctl, arguments);

    QCOMPARE(ctl.exitCode(), exitCode);
    if (exitCode != 0)
        QVERIFY2(ctl.err().startsWith(QLatin1String("recoursectl: ")), qPrintable(ctl.err()));
    QVERIFY2(!ctl.out().contains(token), qPrintable(ctl.out()));
    QVERIFY2(!ctl.err().contains(token), qPrintable(ctl.err()));
}

void tst_Recoursectl::missingServiceIsUsageError()
{
    CtlProcess ctl;
    RUN_CTL(ctl, QStringList{QStringLiteral("list")});

    QCOMPARE(ctl.exitCode(), kExitUsage);
    QVERIFY2(ctl.err().startsWith(QLatin1String("recoursectl: No service URL: pass --url, set RECOURSE_URL")),
             qPrintable(ctl.err()));
    QVERIFY2(ctl.err().contains(QDir(ctl.dataHome()).filePath(QStringLiteral("Recourse/recourse/local-identities.json"))),
             qPrintable(ctl.err()));
}

void tst_Recoursectl::plainHttpBeyondLoopbackRejected()
{
    // 192.0.2.0/24 is reserved for documentation; the check happens before any connection.
    CtlProcess ctl;
    RUN_CTL(ctl, QStringList{QStringLiteral("--url"), QStringLiteral("http://192.0.2.1:8080"), QStringLiteral("--token"),
                             QStringLiteral("bob-secret"), QStringLiteral("whoami")});

    QCOMPARE(ctl.exitCode(), kExitUsage);
    QVERIFY2(ctl.err().startsWith(QLatin1String("recoursectl: Refusing to send the token over plain HTTP to 192.0.2.1.")),
             qPrintable(ctl.err()));
}

void tst_Recoursectl::unknownCommandIsUsageError()
{
    CtlProcess ctl;
    RUN_CTL(ctl, as(Tokens::bob) + QStringList{QStringLiteral("aprove"), QStringLiteral("arq_x")});

    QCOMPARE(ctl.exitCode(), kExitUsage);
    QCOMPARE(ctl.err(), QStringLiteral("recoursectl: Unknown command aprove. Run recoursectl --help for the list.\n"));
}

QTEST_GUILESS_MAIN(tst_Recoursectl)
#include "tst_recoursectl.moc"
