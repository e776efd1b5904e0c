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

QTEST_GUILESS_MAIN(tst_TaskText)
#include "tst_tasktext.moc"
