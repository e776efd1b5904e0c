// recoursectl's text output: CSV escaping per RFC 4180, terminal-safe text and tables.

#include "app/ctl/output.h"

#include <QJsonDocument>
#include <QTest>

using namespace Recourse::Ctl;

class tst_Output : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void csvField_data();
    void csvField();
    void csvRecordEndsWithCrLf();
    void auditCsvRowKeepsData();
    void displayTextEscapesControls_data();
    void displayTextEscapesControls();
    void tableAlignsColumns();
    void tableCutsLongCells();
    void taskDetailShowsWorkflowAndDecisions();
    void decisionSummaryNamesAwaitingGroups();
    void reevaluationsReadAsDecisions();
};

void tst_Output::csvField_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("field");

    QTest::newRow("plain") << QStringLiteral("task.created") << QStringLiteral("task.created");
    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("spaces stay unquoted") << QStringLiteral(" a b ") << QStringLiteral(" a b ");
    QTest::newRow("comma") << QStringLiteral("a,b") << QStringLiteral("\"a,b\"");
    QTest::newRow("double quote doubled") << QStringLiteral("say \"hi\"") << QStringLiteral("\"say \"\"hi\"\"\"");
    QTest::newRow("line feed") << QStringLiteral("a\nb") << QStringLiteral("\"a\nb\"");
    QTest::newRow("carriage return") << QStringLiteral("a\rb") << QStringLiteral("\"a\rb\"");
    QTest::newRow("only a quote") << QStringLiteral("\"") << QStringLiteral("\"\"\"\"");
}

void tst_Output::csvField()
{
    QFETCH(QString, value);
    QFETCH(QString, field);

    QCOMPARE(Recourse::Ctl::csvField(value), field);
}

void tst_Output::csvRecordEndsWithCrLf()
{
    QCOMPARE(csvRecord({QStringLiteral("1"), QStringLiteral("a,b"), QString()}), QStringLiteral("1,\"a,b\",\r\n"));
}

void tst_Output::auditCsvRowKeepsData()
{
    const QJsonObject data{{QStringLiteral("comment"), QStringLiteral("yes, \"now\"")}};
    const QJsonObject record{{QStringLiteral("seq"), 7},
                             {QStringLiteral("time"), QStringLiteral("2026-12-04T10:00:00Z")},
                             {QStringLiteral("type"), QStringLiteral("task.approved")},
                             {QStringLiteral("actor"), QStringLiteral("bob")},
                             {QStringLiteral("task_id"), QStringLiteral("arq_1")},
                             {QStringLiteral("data"), data},
                             {QStringLiteral("prev_hash"), QStringLiteral("p")},
                             {QStringLiteral("hash"), QStringLiteral("h")}};

    const QString row = auditCsvRow(record);

    QCOMPARE(row, QStringLiteral("7,2026-12-04T10:00:00Z,task.approved,bob,arq_1,,,,"
                                 "\"{\"\"comment\"\":\"\"yes, \\\"\"now\\\"\"\"\"}\",p,h\r\n"));
    QCOMPARE(auditCsvColumns().size(), 11);
}

void tst_Output::displayTextEscapesControls_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("shown");

    QTest::newRow("plain") << QStringLiteral("user:alice") << QStringLiteral("user:alice");
    QTest::newRow("non-ASCII letters kept") << QStringLiteral("Jürgen 日本") << QStringLiteral("Jürgen 日本");
    QTest::newRow("escape sequence") << QStringLiteral("\x1b[31mred") << QStringLiteral("\\u{001b}[31mred");
    QTest::newRow("newline") << QStringLiteral("a\nb") << QStringLiteral("a\\u{000a}b");
    QTest::newRow("C1 control") << QString(QChar(0x9b)) << QStringLiteral("\\u{009b}");
    QTest::newRow("delete") << QString(QChar(0x7f)) << QStringLiteral("\\u{007f}");
    QTest::newRow("right-to-left override") << (QStringLiteral("file") + QChar(0x202e) + QStringLiteral("fdp.exe"))
                                            << QStringLiteral("file\\u{202e}fdp.exe");
    QTest::newRow("isolate") << QString(QChar(0x2066)) << QStringLiteral("\\u{2066}");
}

void tst_Output::displayTextEscapesControls()
{
    QFETCH(QString, text);
    QFETCH(QString, shown);

    QCOMPARE(displayText(text), shown);
}

void tst_Output::tableAlignsColumns()
{
    TextTable table({QStringLiteral("ID"), QStringLiteral("STATUS")});
    table.addRow({QStringLiteral("arq_long_identifier"), QStringLiteral("pending")});
    table.addRow({QStringLiteral("arq_2"), QStringLiteral("approved")});

    QCOMPARE(table.render(), QStringLiteral("ID                   STATUS\n"
                                           "arq_long_identifier  pending\n"
                                           "arq_2                approved\n"));
}

void tst_Output::tableCutsLongCells()
{
    TextTable table({QStringLiteral("RESOURCE")});
    table.addRow({QString(100, u'x')});
    table.addRow({QStringLiteral("a\x1b")});

    const QStringList lines = table.render().split(u'\n', Qt::SkipEmptyParts);

    QCOMPARE(lines.at(1).size(), TextTable::kMaxCellWidth);
    QVERIFY(lines.at(1).endsWith(QLatin1String("...")));
    QCOMPARE(lines.at(2), QStringLiteral("a\\u{001b}"));
}

void tst_Output::taskDetailShowsWorkflowAndDecisions()
{
    const QJsonObject task = QJsonDocument::fromJson(R"({
        "id": "arq_1", "status": "pending", "template": "security_review",
        "template_title": "Security review for production logs",
        "subject": {"type": "user", "id": "alice"}, "resource": {"type": "log", "id": "payments"},
        "action": {"name": "can_read"}, "requester": {"id": "pep-a"},
        "actor_chain": [{"id": "agent-7", "type": "ai_agent", "verified": true}],
        "workflow": {"current_step": 2, "total_steps": 2, "awaiting_groups": ["security"],
                     "steps": [{"name": "manager", "groups": ["managers"], "quorum": 1,
                                "approvals": [{"approver": "bob", "at": "2026-12-04T10:01:00Z"}], "complete": true},
                               {"name": "security", "groups": ["security"], "quorum": 1, "approvals": [], "complete": false}]},
        "decisions": [{"approver": "bob", "decision": "approve", "comment": "fine", "at": "2026-12-04T10:01:00Z"}],
        "can_decide": false, "cannot_decide_reason": "You already approved this step.",
        "approval_limits": {"default_duration_seconds": 1800, "max_duration_seconds": 7200,
                            "broaden_resources": true, "broaden_actions": false}
    })").object();

    const QString text = taskDetail(task);

    QVERIFY2(text.contains(QLatin1String("Template       Security review for production logs (security_review)\n")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("Actor chain    agent-7 (ai_agent, verified)\n")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("Workflow       step 2 of 2, awaiting security\n")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("  1. manager: groups managers, quorum 1, approved by bob (complete)\n")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("  2. security: groups security, quorum 1, approved by nobody yet\n")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("Decisions\n  2026-12-04T10:01:00Z  bob approve, comment: fine\n")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("Decidable      no: You already approved this step.\n")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("Limits         default 30 min, at most 2 h; other resources allowed, no other "
                                         "actions\n")), qPrintable(text));
    QVERIFY2(!text.contains(QLatin1String("Approvals")), qPrintable(text));
}

void tst_Output::decisionSummaryNamesAwaitingGroups()
{
    const QJsonObject pending{{QStringLiteral("id"), QStringLiteral("arq_1")},
                              {QStringLiteral("status"), QStringLiteral("pending")},
                              {QStringLiteral("workflow"),
                               QJsonObject{{QStringLiteral("awaiting_groups"), QJsonArray{QStringLiteral("security")}}}}};
    QCOMPARE(decisionSummary(QStringLiteral("Approved"), pending),
             QStringLiteral("Approved arq_1: the task is now pending, awaiting security.\n"));

    const QJsonObject denied{{QStringLiteral("id"), QStringLiteral("arq_2")}, {QStringLiteral("status"), QStringLiteral("denied")}};
    QCOMPARE(decisionSummary(QStringLiteral("Denied"), denied), QStringLiteral("Denied arq_2: the task is now denied.\n"));

    // An approval names the end the service granted, which may be earlier than the one asked for.
    const QJsonObject approved{{QStringLiteral("id"), QStringLiteral("arq_3")},
                               {QStringLiteral("status"), QStringLiteral("approved")},
                               {QStringLiteral("approvals"),
                                QJsonArray{QJsonObject{{QStringLiteral("approved_until"), QStringLiteral("2026-12-04T12:00:00Z")}}}}};
    QCOMPARE(decisionSummary(QStringLiteral("Approved"), approved),
             QStringLiteral("Approved arq_3: the task is now approved, approved until 2026-12-04T12:00:00Z.\n"));
}

void tst_Output::reevaluationsReadAsDecisions()
{
    const QJsonObject task{
        {QStringLiteral("id"), QStringLiteral("arq_4")},
        {QStringLiteral("status"), QStringLiteral("approved")},
        {QStringLiteral("reevaluations"),
         QJsonArray{QJsonObject{{QStringLiteral("at"), QStringLiteral("2026-12-04T10:05:00Z")}, {QStringLiteral("decision"), true},
                                {QStringLiteral("approval_id"), QStringLiteral("apr_1")}},
                    QJsonObject{{QStringLiteral("at"), QStringLiteral("2026-12-04T12:05:00Z")}, {QStringLiteral("decision"), false},
                                {QStringLiteral("approval_id"), QStringLiteral("apr_1")},
                                {QStringLiteral("reason"), QStringLiteral("approval_expired")},
                                {QStringLiteral("next_action"), QStringLiteral("request")}}}}};

    const QString text = taskDetail(task);

    QVERIFY2(text.contains(QLatin1String("  2026-12-04T10:05:00Z  permit with apr_1\n")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("  2026-12-04T12:05:00Z  deny with apr_1, reason approval_expired, next action request\n")),
             qPrintable(text));
}

QTEST_GUILESS_MAIN(tst_Output)
#include "tst_output.moc"
