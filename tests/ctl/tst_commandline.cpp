// The recoursectl command line: what each command accepts and how usage errors read.

#include "app/ctl/commandline.h"
#include "app/ctl/connection.h"

#include <QTest>

using namespace Recourse;
using namespace Recourse::Ctl;

Q_DECLARE_METATYPE(Recourse::Ctl::Command)

class tst_CommandLine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesCommands_data();
    void parsesCommands();
    void parsesListFilters();
    void parsesAuditExport();
    void rejectsInvalidLines_data();
    void rejectsInvalidLines();
    void helpNeedsNoCommand();
    void connectionPrecedence_data();
    void connectionPrecedence();
    void connectionRejectsBadUrls_data();
    void connectionRejectsBadUrls();
};

void tst_CommandLine::parsesCommands_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<Command>("command");
    QTest::addColumn<QString>("id");

    QTest::newRow("list") << QStringList{QStringLiteral("list")} << Command::List << QString();
    QTest::newRow("show") << QStringList{QStringLiteral("show"), QStringLiteral("arq_1")} << Command::Show
                          << QStringLiteral("arq_1");
    QTest::newRow("approve with options first")
        << QStringList{QStringLiteral("--comment"), QStringLiteral("ok"), QStringLiteral("approve"), QStringLiteral("arq_2")}
        << Command::Approve << QStringLiteral("arq_2");
    QTest::newRow("deny") << QStringList{QStringLiteral("deny"), QStringLiteral("arq_3"), QStringLiteral("--reason=no")}
                          << Command::Deny << QStringLiteral("arq_3");
    QTest::newRow("revoke") << QStringList{QStringLiteral("revoke"), QStringLiteral("apv_4")} << Command::Revoke
                            << QStringLiteral("apv_4");
    QTest::newRow("id after --") << QStringList{QStringLiteral("show"), QStringLiteral("--"), QStringLiteral("-odd-id")}
                                 << Command::Show << QStringLiteral("-odd-id");
    QTest::newRow("audit export") << QStringList{QStringLiteral("audit"), QStringLiteral("export")} << Command::AuditExport
                                  << QString();
    QTest::newRow("audit verify") << QStringList{QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--json")}
                                  << Command::AuditVerify << QString();
    QTest::newRow("whoami") << QStringList{QStringLiteral("whoami")} << Command::Whoami << QString();
}

void tst_CommandLine::parsesCommands()
{
    QFETCH(QStringList, arguments);
    QFETCH(Command, command);
    QFETCH(QString, id);

    const auto line = parseCommandLine(arguments);

    QVERIFY2(line.ok(), line.ok() ? "" : qPrintable(line.error().message));
    QCOMPARE(line->command, command);
    QCOMPARE(line->id, id);
}

void tst_CommandLine::parsesListFilters()
{
    const auto line = parseCommandLine({QStringLiteral("list"), QStringLiteral("--status"), QStringLiteral("pending,partial"),
                                        QStringLiteral("--status"), QStringLiteral("denied"), QStringLiteral("--template"),
                                        QStringLiteral("manager_approval"), QStringLiteral("--subject"), QStringLiteral("alice"),
                                        QStringLiteral("-q"), QStringLiteral("q4"), QStringLiteral("--limit"),
                                        QStringLiteral("20"), QStringLiteral("--json")});

    QVERIFY2(line.ok(), line.ok() ? "" : qPrintable(line.error().message));
    QCOMPARE(line->statuses, (QStringList{QStringLiteral("pending"), QStringLiteral("partial"), QStringLiteral("denied")}));
    QCOMPARE(line->templateName, QStringLiteral("manager_approval"));
    QCOMPARE(line->subject, QStringLiteral("alice"));
    QCOMPARE(line->query, QStringLiteral("q4"));
    QCOMPARE(line->limit, 20);
    QVERIFY(line->json);
}

void tst_CommandLine::parsesAuditExport()
{
    const auto line = parseCommandLine({QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--format"),
                                        QStringLiteral("csv"), QStringLiteral("--task"), QStringLiteral("arq_1"),
                                        QStringLiteral("--approver"), QStringLiteral("bob"), QStringLiteral("--since"),
                                        QStringLiteral("2026-12-04T10:00:00Z"), QStringLiteral("--until"),
                                        QStringLiteral("2026-12-05T10:00:00+02:00"), QStringLiteral("-o"),
                                        QStringLiteral("out.csv")});

    QVERIFY2(line.ok(), line.ok() ? "" : qPrintable(line.error().message));
    QCOMPARE(line->format, ExportFormat::Csv);
    QCOMPARE(line->taskId, QStringLiteral("arq_1"));
    QCOMPARE(line->approver, QStringLiteral("bob"));
    QCOMPARE(line->since, QStringLiteral("2026-12-04T10:00:00Z"));
    QCOMPARE(line->until, QStringLiteral("2026-12-05T10:00:00+02:00"));
    QCOMPARE(line->outputPath, QStringLiteral("out.csv"));
}

void tst_CommandLine::rejectsInvalidLines_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");

    QTest::newRow("no command") << QStringList{} << QStringLiteral("Missing command. Run recoursectl --help for the list.");
    QTest::newRow("unknown command") << QStringList{QStringLiteral("grant")}
                                     << QStringLiteral("Unknown command grant. Run recoursectl --help for the list.");
    QTest::newRow("unknown option") << QStringList{QStringLiteral("list"), QStringLiteral("--colour")}
                                    << QStringLiteral("Unknown option --colour. Run recoursectl --help for the list.");
    QTest::newRow("missing value") << QStringList{QStringLiteral("list"), QStringLiteral("--status")}
                                   << QStringLiteral("--status needs a value.");
    QTest::newRow("value on a flag") << QStringList{QStringLiteral("list"), QStringLiteral("--json=yes")}
                                     << QStringLiteral("--json takes no value.");
    QTest::newRow("unknown status") << QStringList{QStringLiteral("list"), QStringLiteral("--status"), QStringLiteral("open")}
                                    << QStringLiteral("Unknown status open; --status takes pending, approved, denied, "
                                                      "expired, cancelled, failed, partial, or a comma list of them.");
    QTest::newRow("limit zero") << QStringList{QStringLiteral("list"), QStringLiteral("--limit"), QStringLiteral("0")}
                                << QStringLiteral("--limit takes a number of tasks from 1 to 100000.");
    QTest::newRow("limit not a number") << QStringList{QStringLiteral("list"), QStringLiteral("--limit"), QStringLiteral("ten")}
                                        << QStringLiteral("--limit takes a number of tasks from 1 to 100000.");
    QTest::newRow("show without id") << QStringList{QStringLiteral("show")} << QStringLiteral("show needs the id of a task: recoursectl show TASK_ID.");
    QTest::newRow("revoke without id") << QStringList{QStringLiteral("revoke")} << QStringLiteral("revoke needs the id of an approval: recoursectl revoke APPROVAL_ID.");
    QTest::newRow("two ids") << QStringList{QStringLiteral("show"), QStringLiteral("arq_1"), QStringLiteral("arq_2")}
                             << QStringLiteral("Unexpected argument arq_2 for show.");
    QTest::newRow("deny without reason") << QStringList{QStringLiteral("deny"), QStringLiteral("arq_1")}
                                         << QStringLiteral("deny needs --reason: it is recorded with the decision in the task and the audit trail.");
    QTest::newRow("deny with blank reason")
        << QStringList{QStringLiteral("deny"), QStringLiteral("arq_1"), QStringLiteral("--reason"), QStringLiteral("  ")}
        << QStringLiteral("deny needs --reason: it is recorded with the decision in the task and the audit trail.");
    QTest::newRow("option of another command")
        << QStringList{QStringLiteral("deny"), QStringLiteral("arq_1"), QStringLiteral("--reason"), QStringLiteral("no"),
                       QStringLiteral("--until"), QStringLiteral("2026-12-04T10:00:00Z")}
        << QStringLiteral("--until does not apply to deny.");
    QTest::newRow("until without offset")
        << QStringList{QStringLiteral("approve"), QStringLiteral("arq_1"), QStringLiteral("--until"),
                       QStringLiteral("2026-12-04T10:00:00")}
        << QString();
    QTest::newRow("json on export") << QStringList{QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--json")}
                                    << QStringLiteral("--json does not apply to audit export.");
    QTest::newRow("unknown format")
        << QStringList{QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--format"), QStringLiteral("xml")}
        << QStringLiteral("--format takes jsonl or csv.");
    QTest::newRow("audit without subcommand") << QStringList{QStringLiteral("audit")}
                                              << QStringLiteral("audit takes export or verify.");
}

void tst_CommandLine::rejectsInvalidLines()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);

    const auto line = parseCommandLine(arguments);

    QVERIFY(!line.ok());
    if (message.isEmpty()) {
        // The RFC 3339 parser's own wording follows the option's.
        QVERIFY2(line.error().message.startsWith(QLatin1String("--until takes an RFC 3339 date-time")),
                 qPrintable(line.error().message));
    } else {
        QCOMPARE(line.error().message, message);
    }
}

void tst_CommandLine::helpNeedsNoCommand()
{
    const auto help = parseCommandLine({QStringLiteral("--help")});
    QVERIFY(help.ok());
    QVERIFY(help->help);

    const auto version = parseCommandLine({QStringLiteral("--version")});
    QVERIFY(version.ok());
    QVERIFY(version->version);
}

void tst_CommandLine::connectionPrecedence_data()
{
    QTest::addColumn<QString>("flagUrl");
    QTest::addColumn<QString>("flagToken");
    QTest::addColumn<QString>("envUrl");
    QTest::addColumn<QString>("envToken");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("token");

    QTest::newRow("flags win over the environment")
        << QStringLiteral("http://127.0.0.1:1") << QStringLiteral("flag-token") << QStringLiteral("http://127.0.0.1:2")
        << QStringLiteral("env-token") << QStringLiteral("http://127.0.0.1:1") << QStringLiteral("flag-token");
    QTest::newRow("environment alone") << QString() << QString() << QStringLiteral("https://recourse.example.test")
                                       << QStringLiteral("env-token") << QStringLiteral("https://recourse.example.test")
                                       << QStringLiteral("env-token");
    QTest::newRow("flag URL with environment token")
        << QStringLiteral("http://localhost:8080") << QString() << QString() << QStringLiteral("env-token")
        << QStringLiteral("http://localhost:8080") << QStringLiteral("env-token");
}

void tst_CommandLine::connectionPrecedence()
{
    QFETCH(QString, flagUrl);
    QFETCH(QString, flagToken);
    QFETCH(QString, envUrl);
    QFETCH(QString, envToken);
    QFETCH(QString, url);
    QFETCH(QString, token);

    CommandLine line;
    line.url = flagUrl;
    line.token = flagToken;
    QTemporaryDir emptyDataDir;
    line.dataDir = emptyDataDir.path();
    QProcessEnvironment environment;
    if (!envUrl.isEmpty())
        environment.insert(QStringLiteral("RECOURSE_URL"), envUrl);
    if (!envToken.isEmpty())
        environment.insert(QStringLiteral("RECOURSE_TOKEN"), envToken);

    const auto connection = resolveConnection(line, environment);

    QVERIFY2(connection.ok(), connection.ok() ? "" : qPrintable(connection.error().message));
    QCOMPARE(connection->url, QUrl(url));
    QCOMPARE(connection->token, token);
}

void tst_CommandLine::connectionRejectsBadUrls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("allowInsecureHttp");
    QTest::addColumn<QString>("message");

    QTest::newRow("ftp scheme") << QStringLiteral("ftp://127.0.0.1") << false
                                << QStringLiteral("The service URL must be an http:// or https:// URL with a host.");
    QTest::newRow("no host") << QStringLiteral("http://") << false
                             << QStringLiteral("The service URL must be an http:// or https:// URL with a host.");
    QTest::newRow("credentials in URL") << QStringLiteral("https://bob:secret@recourse.example.test") << false
                                        << QStringLiteral("The service URL must not carry a user name or password; pass "
                                                          "the token with --token or RECOURSE_TOKEN.");
    QTest::newRow("plain HTTP to another host") << QStringLiteral("http://recourse.example.test") << false
                                                << QStringLiteral("Refusing to send the token over plain HTTP to "
                                                                  "recourse.example.test. Use https://, or pass "
                                                                  "--allow-insecure-http if the network path is trusted.");
    QTest::newRow("plain HTTP allowed") << QStringLiteral("http://recourse.example.test") << true << QString();
    QTest::newRow("IPv6 loopback") << QStringLiteral("http://[::1]:8080") << false << QString();
}

void tst_CommandLine::connectionRejectsBadUrls()
{
    QFETCH(QString, url);
    QFETCH(bool, allowInsecureHttp);
    QFETCH(QString, message);

    CommandLine line;
    line.url = url;
    line.token = QStringLiteral("token-that-must-not-appear");
    line.allowInsecureHttp = allowInsecureHttp;

    const auto connection = resolveConnection(line, QProcessEnvironment());

    if (message.isEmpty()) {
        QVERIFY2(connection.ok(), connection.ok() ? "" : qPrintable(connection.error().message));
        return;
    }
    QVERIFY(!connection.ok());
    QCOMPARE(connection.error().message, message);
}

QTEST_GUILESS_MAIN(tst_CommandLine)
#include "tst_commandline.moc"
