#include "ui/tasktext.h"

#include <QJsonArray>
#include <QTest>

using Recourse::Ui::TaskText;

class tst_TaskText : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void duration_data();
    void duration();
    void actorChain_data();
    void actorChain();
    void bulkTaskSummary();
    void invalidTimeIsMinusOne();
    void hiddenCharactersShown_data();
    void hiddenCharactersShown();
    void overrideInIdStaysInside();
};

void tst_TaskText::duration_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("text");

    QTest::newRow("seconds") << qint64(45'000) << QStringLiteral("45 s");
    QTest::newRow("minutes") << qint64(9 * 60'000 + 59'000) << QStringLiteral("9 min");
    QTest::newRow("whole hours") << qint64(2 * 3'600'000) << QStringLiteral("2 h");
    QTest::newRow("hours and minutes") << qint64(2 * 3'600'000 + 5 * 60'000) << QStringLiteral("2 h 5 min");
    QTest::newRow("days and hours") << qint64(76 * 3'600'000) << QStringLiteral("3 d 4 h");
    QTest::newRow("almost two years") << qint64(729 * 86'400'000LL + 3'600'000) << QStringLiteral("729 d 1 h");
    QTest::newRow("until the year 9999") << qint64(2'912'103LL * 86'400'000LL) << QStringLiteral("7978 years");
    QTest::newRow("negative by magnitude") << qint64(-120'000) << QStringLiteral("2 min");
}

void tst_TaskText::duration()
{
    QFETCH(qint64, ms);
    QFETCH(QString, text);

    QCOMPARE(TaskText::duration(ms), text);
}

void tst_TaskText::actorChain_data()
{
    QTest::addColumn<QJsonObject>("task");
    QTest::addColumn<QString>("text");

    const QJsonObject alice{{QStringLiteral("type"), QStringLiteral("user")}, {QStringLiteral("id"), QStringLiteral("alice")}};
    const QJsonObject pep{{QStringLiteral("id"), QStringLiteral("pep-a")}};
    const QJsonObject agent{{QStringLiteral("id"), QStringLiteral("agent-7")}, {QStringLiteral("type"), QStringLiteral("ai_agent")},
                            {QStringLiteral("verified"), true}};
    const QJsonObject orchestrator{{QStringLiteral("id"), QStringLiteral("planner")}, {QStringLiteral("type"), QStringLiteral("service")},
                                   {QStringLiteral("verified"), false}};

    QTest::newRow("agent for user via pep")
        << QJsonObject{{QStringLiteral("subject"), alice}, {QStringLiteral("requester"), pep}, {QStringLiteral("actor_chain"), QJsonArray{agent}}}
        << QStringLiteral("agent-7 (ai_agent) for alice via pep-a");
    QTest::newRow("two actors outermost first, one unverified")
        << QJsonObject{{QStringLiteral("subject"), alice}, {QStringLiteral("requester"), pep},
                       {QStringLiteral("actor_chain"), QJsonArray{orchestrator, agent}}}
        << QStringLiteral("planner (service) [unverified] for agent-7 (ai_agent) for alice via pep-a");
    QTest::newRow("right-to-left override in the requester")
        << QJsonObject{{QStringLiteral("subject"), alice},
                       {QStringLiteral("requester"), QJsonObject{{QStringLiteral("id"), QStringLiteral("\u202Etnega")}}}}
        << QStringLiteral("alice via [U+202E]tnega");
    QTest::newRow("no actors") << QJsonObject{{QStringLiteral("subject"), alice}, {QStringLiteral("requester"), pep}}
                               << QStringLiteral("alice via pep-a");
}

void tst_TaskText::actorChain()
{
    QFETCH(QJsonObject, task);
    QFETCH(QString, text);

    QCOMPARE(TaskText::actorChain(task), text);
}

void tst_TaskText::bulkTaskSummary()
{
    QJsonArray items;
    for (const auto id : {u"q4-plan", u"q4-budget", u"q4-roadmap"})
        items.append(QJsonObject{{QStringLiteral("resource"), QJsonObject{{QStringLiteral("type"), QStringLiteral("document")},
                                                                          {QStringLiteral("id"), QString::fromUtf16(id)}}},
                                 {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_read")}}},
                                 {QStringLiteral("status"), QStringLiteral("pending")}});
    const QJsonObject task{{QStringLiteral("items"), items}};

    QCOMPARE(TaskText::taskResource(task), QStringLiteral("3 items"));
    QCOMPARE(TaskText::taskAction(task), QStringLiteral("can_read"));
}

void tst_TaskText::invalidTimeIsMinusOne()
{
    QCOMPARE(TaskText::timeMs(QStringLiteral("2026-12-04T10:00:00Z")), qint64(1796378400000));
    QCOMPARE(TaskText::timeMs(QStringLiteral("yesterday")), qint64(-1));
    QCOMPARE(TaskText::timeMs(QJsonValue()), qint64(-1));
}

void tst_TaskText::hiddenCharactersShown_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("multiLine");
    QTest::addColumn<QString>("shown");

    QTest::newRow("plain") << QStringLiteral("payments-provider") << false << QStringLiteral("payments-provider");
    QTest::newRow("accents and emoji") << QStringLiteral("caf\u00e9 \U0001F600") << false << QStringLiteral("caf\u00e9 \U0001F600");
    QTest::newRow("right-to-left override") << QStringLiteral("log-\u202Etxt.exe") << false
                                            << QStringLiteral("log-[U+202E]txt.exe");
    QTest::newRow("isolates") << QStringLiteral("\u2066a\u2069") << false << QStringLiteral("[U+2066]a[U+2069]");
    QTest::newRow("zero width space") << QStringLiteral("ali\u200Bce") << false << QStringLiteral("ali[U+200B]ce");
    QTest::newRow("byte order mark") << QStringLiteral("\uFEFFadmin") << false << QStringLiteral("[U+FEFF]admin");
    QTest::newRow("tag character beyond U+FFFF") << QStringLiteral("a\U000E0041") << false << QStringLiteral("a[U+E0041]");
    QTest::newRow("newline in one line") << QStringLiteral("a\nb") << false << QStringLiteral("a[U+000A]b");
    QTest::newRow("newline in several lines") << QStringLiteral("a\nb") << true << QStringLiteral("a\nb");
    QTest::newRow("carriage return") << QStringLiteral("a\rb") << true << QStringLiteral("a[U+000D]b");
    QTest::newRow("C1 control") << QStringLiteral("a\u0085b") << false << QStringLiteral("a[U+0085]b");
    QTest::newRow("line separator") << QStringLiteral("a\u2028b") << true << QStringLiteral("a[U+2028]b");
}

// An approver must see the exact text a PEP sent: nothing that reorders, hides or breaks it.
void tst_TaskText::hiddenCharactersShown()
{
    QFETCH(QString, text);
    QFETCH(bool, multiLine);
    QFETCH(QString, shown);

    QCOMPARE(TaskText::shown(text, multiLine), shown);
}

// The summary of a request with an override in its resource id keeps its order.
void tst_TaskText::overrideInIdStaysInside()
{
    const QJsonObject resource{{QStringLiteral("type"), QStringLiteral("log")}, {QStringLiteral("id"), QStringLiteral("\u202Eredivorp")}};

    QCOMPARE(TaskText::entity(resource), QStringLiteral("log [U+202E]redivorp"));
    QCOMPARE(TaskText::scalar(QJsonObject{{QStringLiteral("id"), QStringLiteral("\u202Ex")}}), QStringLiteral("{\"id\":\"[U+202E]x\"}"));
}

QTEST_GUILESS_MAIN(tst_TaskText)
#include "tst_tasktext.moc"
