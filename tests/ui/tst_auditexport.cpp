// AuditExport writes audit records as JSON Lines and RFC 4180 CSV.

#include "ui/auditexport.h"

#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace Recourse;

namespace {

QJsonObject tricky()
{
    return {{QStringLiteral("seq"), 7},
            {QStringLiteral("time"), QStringLiteral("2026-12-04T10:00:00Z")},
            {QStringLiteral("type"), QStringLiteral("task.denied")},
            {QStringLiteral("actor"), QStringLiteral("bob")},
            {QStringLiteral("task_id"), QStringLiteral("arq_1")},
            {QStringLiteral("data"), QJsonObject{{QStringLiteral("reason"), QStringLiteral("no, \"never\"\nagain")}}},
            {QStringLiteral("prev_hash"), QStringLiteral("aa")},
            {QStringLiteral("hash"), QStringLiteral("bb")}};
}

} // namespace

class tst_AuditExport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void jsonLinesKeepRecords();
    void csvQuotesFields();
    void writeReplacesFile();
    void writeReportsUnwritablePath();
};

void tst_AuditExport::jsonLinesKeepRecords()
{
    const QByteArray out = Ui::AuditExport::toJsonLines({tricky(), tricky()});
    const QList<QByteArray> lines = out.split('\n');
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines.last().isEmpty());
    QCOMPARE(QJsonDocument::fromJson(lines.first()).object(), tricky());
}

void tst_AuditExport::csvQuotesFields()
{
    const QByteArray out = Ui::AuditExport::toCsv({tricky()});
    const QByteArray expected = "seq,time,type,actor,task_id,evaluation_id,approval_id,subject_id,data,prev_hash,hash\r\n"
                                "7,2026-12-04T10:00:00Z,task.denied,bob,arq_1,,,,"
                                "\"{\"\"reason\"\":\"\"no, \\\"\"never\\\"\"\\nagain\"\"}\",aa,bb\r\n";
    QCOMPARE(out, expected);
    QCOMPARE(Ui::AuditExport::toCsv({}), QByteArray("seq,time,type,actor,task_id,evaluation_id,approval_id,subject_id,data,prev_hash,hash\r\n"));
}

void tst_AuditExport::writeReplacesFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
    QVERIFY(Ui::AuditExport::write(path, {tricky()}, Ui::AuditExport::Format::JsonLines).ok());
    QVERIFY(Ui::AuditExport::write(path, {}, Ui::AuditExport::Format::JsonLines).ok());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.size(), 0);
}

void tst_AuditExport::writeReportsUnwritablePath()
{
    const Result<void> written = Ui::AuditExport::write(QStringLiteral("/nonexistent-folder/audit.csv"), {tricky()},
                                                        Ui::AuditExport::Format::Csv);
    QVERIFY(!written.ok());
    QVERIFY2(written.error().message.startsWith(QStringLiteral("Could not open /nonexistent-folder/audit.csv")),
             qPrintable(written.error().message));
}

QTEST_MAIN(tst_AuditExport)
#include "tst_auditexport.moc"
