// A subscriber far behind receives the stored history at the pace it reads, instead of being
// disconnected as a slow client because the whole history was queued for it at once.

#include "core/service/eventhub.h"
#include "tests/integration/araprequests.h"
#include "tests/integration/servicefixture.h"

#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>
#include <QWebSocketProtocol>

#include <memory>
#include <vector>

using namespace Recourse;
using namespace Recourse::Testing;

class tst_EventCatchUp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void historyLargerThanBufferArrives();
    void streamsPerIdentityLimited();
    void decisionEventsMatchTheStore();
    void decisionEventsFollowTheMode_data();
    void decisionEventsFollowTheMode();
    void permittedReevaluationRecorded();
    void oldEventsPruned();
};

void tst_EventCatchUp::historyLargerThanBufferArrives()
{
    ServiceFixture service;
    QVERIFY2(service.start(), qPrintable(service.errorString()));
    for (int i = 0; i < 120; ++i) {
        const Testing::Escalation flow = service.requestAccess(Arap::q4PlanRead());
        QVERIFY2(flow.ok(), qPrintable(flow.failure));
    }
    // A first reader, under the default limits, learns how far the history reaches.
    EventRecorder probe;
    probe.open(service.baseUrl(), Tokens::bob, 0);
    QTRY_VERIFY_WITH_TIMEOUT(probe.types().count(QStringLiteral("task.created")) >= 120, 60000);
    const qint64 last = probe.lastSeq();
    probe.close();

    // Far less than the history takes: queued at once, it would exceed the slow-client limit.
    service.host()->events()->setBufferLimits(32 * 1024, 4 * 1024);
    EventRecorder history;
    history.open(service.baseUrl(), Tokens::bob, 0);

    QTRY_VERIFY2_WITH_TIMEOUT(history.lastSeq() >= last, "the catch-up stopped before the newest event", 60000);
    QVERIFY2(history.isConnected(), "the service dropped the subscriber during its catch-up");
    QList<qint64> expected;
    for (qint64 seq = 1; seq <= history.lastSeq(); ++seq)
        expected.append(seq);
    QCOMPARE(history.seqs(), expected);
    QVERIFY(history.lastSeq() >= 240);
}

void tst_EventCatchUp::streamsPerIdentityLimited()
{
    ServiceFixture service;
    QVERIFY2(service.start(), qPrintable(service.errorString()));
    std::vector<std::unique_ptr<EventRecorder>> streams;
    for (int i = 0; i < 32; ++i) {
        streams.push_back(std::make_unique<EventRecorder>());
        streams.back()->open(service.baseUrl(), Tokens::bob, 0);
    }
    QTRY_COMPARE_WITH_TIMEOUT(service.host()->events()->subscriberCount(), 32, 20000);

    // A 33rd stream of the same identity is closed after its handshake.
    EventRecorder extra;
    extra.open(service.baseUrl(), Tokens::bob, 0);
    QTRY_COMPARE_WITH_TIMEOUT(extra.closeCode(), int(QWebSocketProtocol::CloseCodePolicyViolated), 20000);
    QCOMPARE(service.host()->events()->subscriberCount(), 32);

    // Another identity is not affected, and a closed stream makes room again.
    EventRecorder auditor;
    auditor.open(service.baseUrl(), Tokens::auditor, 0);
    QTRY_COMPARE_WITH_TIMEOUT(service.host()->events()->subscriberCount(), 33, 20000);
    streams.back()->close();
    QTRY_COMPARE_WITH_TIMEOUT(service.host()->events()->subscriberCount(), 32, 20000);
    EventRecorder again;
    again.open(service.baseUrl(), Tokens::bob, 0);
    QTRY_COMPARE_WITH_TIMEOUT(service.host()->events()->subscriberCount(), 33, 20000);
    QVERIFY(again.isConnected());
}

// Plain decisions are written to the store as JSON text made on the serving thread and published
// from that text. A live subscriber and one that replays the store must read the same events,
// each naming the evaluated subject, resource and action.
void tst_EventCatchUp::decisionEventsMatchTheStore()
{
    ServiceFixture service;
    service.setConfigure([](Service::ServiceOptions &options) { options.decisionEvents = DecisionEvents::All; });
    QVERIFY2(service.start(), qPrintable(service.errorString()));
    EventRecorder live;
    live.open(service.baseUrl(), Tokens::bob, 0);
    QTRY_VERIFY_WITH_TIMEOUT(live.isConnected(), 20000);

    const QJsonObject subject = entity(QStringLiteral("user"), QStringLiteral("alice"),
                                       QJsonObject{{QStringLiteral("note"), QStringLiteral("quote \" and \u00e9")}});
    const QJsonObject permitted = Arap::evaluation(subject, Arap::document(QStringLiteral("q4-summary")),
                                                   QStringLiteral("can_read"));
    const QJsonObject denied = Arap::evaluation(subject, Arap::document(QStringLiteral("q4-summary")),
                                                QStringLiteral("can_delete"));
    QCOMPARE(service.evaluate(permitted).json.value(QStringLiteral("decision")), QJsonValue(true));
    QCOMPARE(service.evaluate(denied).json.value(QStringLiteral("decision")), QJsonValue(false));

    QTRY_VERIFY_WITH_TIMEOUT(live.indexOfType(QStringLiteral("evaluation.denied")) >= 0, 20000);
    const QJsonObject livePermit = live.events().at(live.indexOfType(QStringLiteral("evaluation.permitted")));
    const QJsonObject liveDenial = live.events().at(live.indexOfType(QStringLiteral("evaluation.denied")));
    const QJsonObject permitData = livePermit.value(QStringLiteral("data")).toObject();
    QCOMPARE(permitData.value(QStringLiteral("subject")), QJsonValue(subject));
    QCOMPARE(permitData.value(QStringLiteral("resource")), permitted.value(QStringLiteral("resource")));
    QCOMPARE(permitData.value(QStringLiteral("action")), permitted.value(QStringLiteral("action")));
    QCOMPARE(liveDenial.value(QStringLiteral("data")).toObject().value(QStringLiteral("effect")),
             QJsonValue(QStringLiteral("deny")));
    QVERIFY(livePermit.value(QStringLiteral("seq")).toInteger() > 0);
    QVERIFY(!livePermit.value(QStringLiteral("time")).toString().isEmpty());

    EventRecorder replay;
    replay.open(service.baseUrl(), Tokens::bob, 0);
    QTRY_VERIFY_WITH_TIMEOUT(replay.lastSeq() >= live.lastSeq(), 20000);
    QCOMPARE(replay.events().at(replay.indexOfType(QStringLiteral("evaluation.permitted"))), livePermit);
    QCOMPARE(replay.events().at(replay.indexOfType(QStringLiteral("evaluation.denied"))), liveDenial);
    // The same bytes too, for a client that hashes or compares the frames.
    for (const QString &type : {QStringLiteral("evaluation.permitted"), QStringLiteral("evaluation.denied")})
        QCOMPARE(replay.messages().at(replay.indexOfType(type)), live.messages().at(live.indexOfType(type)));
}

// Plain permits and denials are recorded as the mode sets. A requestable denial is a step of an
// escalation and is recorded in every mode. It is evaluated last, and events arrive in the order
// they were queued, so once it has arrived every recorded plain decision has too.
void tst_EventCatchUp::decisionEventsFollowTheMode_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<bool>("permits");
    QTest::addColumn<bool>("denials");

    QTest::newRow("all") << int(DecisionEvents::All) << true << true;
    QTest::newRow("denials") << int(DecisionEvents::Denials) << false << true;
    QTest::newRow("none") << int(DecisionEvents::None) << false << false;
}

void tst_EventCatchUp::decisionEventsFollowTheMode()
{
    QFETCH(int, mode);
    QFETCH(bool, permits);
    QFETCH(bool, denials);
    ServiceFixture service;
    service.setConfigure([mode](Service::ServiceOptions &options) { options.decisionEvents = DecisionEvents(mode); });
    QVERIFY2(service.start(), qPrintable(service.errorString()));
    EventRecorder live;
    live.open(service.baseUrl(), Tokens::bob, 0);
    QTRY_VERIFY_WITH_TIMEOUT(live.isConnected(), 20000);

    const QJsonObject subject = entity(QStringLiteral("user"), QStringLiteral("alice"));
    const QJsonObject document = Arap::document(QStringLiteral("q4-summary"));
    QCOMPARE(service.evaluate(Arap::evaluation(subject, document, QStringLiteral("can_read"))).json.value(QStringLiteral("decision")),
             QJsonValue(true));
    QCOMPARE(service.evaluate(Arap::evaluation(subject, document, QStringLiteral("can_delete"))).json.value(QStringLiteral("decision")),
             QJsonValue(false));
    const QJsonObject requestable = service.evaluate(Arap::q4PlanRead()).json;
    QVERIFY2(requestable.value(QStringLiteral("context")).toObject().contains(QStringLiteral("access_request")),
             QJsonDocument(requestable).toJson().constData());

    QTRY_VERIFY_WITH_TIMEOUT(live.indexOfType(QStringLiteral("evaluation.denied.requestable")) >= 0, 20000);
    QCOMPARE(live.types().contains(QStringLiteral("evaluation.permitted")), permits);
    QCOMPARE(live.types().contains(QStringLiteral("evaluation.denied")), denials);
}

// An evaluation that carries an approval is a re-evaluation even when policy permits it without
// one, so it is recorded under the default mode, which drops plain permits.
void tst_EventCatchUp::permittedReevaluationRecorded()
{
    ServiceFixture service;
    QVERIFY2(service.start(), qPrintable(service.errorString()));
    const Testing::Escalation granted = service.grantAccess(Arap::q4PlanRead());
    QVERIFY2(granted.ok(), qPrintable(granted.failure));
    EventRecorder live;
    live.open(service.baseUrl(), Tokens::bob, 0);
    QTRY_VERIFY_WITH_TIMEOUT(live.isConnected(), 20000);

    const QJsonObject permitted = Arap::evaluation(Arap::alice(), Arap::document(QStringLiteral("q4-summary")),
                                                   QStringLiteral("can_read"));
    const HttpResponse response = service.evaluate(withApproval(permitted, granted.approval));
    QCOMPARE(response.json.value(QStringLiteral("decision")), QJsonValue(true));

    QTRY_VERIFY_WITH_TIMEOUT(live.indexOfType(QStringLiteral("reevaluation.allowed")) >= 0, 20000);
    const QJsonObject data = live.events().at(live.indexOfType(QStringLiteral("reevaluation.allowed")))
                                 .value(QStringLiteral("data")).toObject();
    QCOMPARE(data.value(QStringLiteral("approval_id")), granted.approval.value(QStringLiteral("id")));
    QCOMPARE(data.value(QStringLiteral("resource")), permitted.value(QStringLiteral("resource")));
    QVERIFY(!live.types().contains(QStringLiteral("evaluation.permitted")));
}

namespace {

// MIN(seq), MAX(seq) and COUNT(*) of a table, read from the store file as another process would.
struct SeqRange
{
    qint64 first = 0;
    qint64 last = 0;
    qint64 count = 0;
};

SeqRange seqRange(const QString &dataDir, const QString &table)
{
    SeqRange range;
    const QString name = QStringLiteral("range-") + table;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(dataDir + QStringLiteral("/recourse.db"));
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(QStringLiteral("SELECT MIN(seq), MAX(seq), COUNT(*) FROM ") + table) && q.next())
                range = {q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toLongLong()};
        }
    }
    QSqlDatabase::removeDatabase(name);
    return range;
}

} // namespace

void tst_EventCatchUp::oldEventsPruned()
{
    // Given a service that keeps events for one day, with a request recorded now,
    ServiceFixture service;
    service.setConfigure([](Service::ServiceOptions &options) {
        options.config.insert(QStringLiteral("event_retention_days"), 1);
    });
    QVERIFY2(service.start(), qPrintable(service.errorString()));
    QVERIFY(service.requestAccess(Arap::q4PlanRead()).ok());
    QTRY_VERIFY(seqRange(service.dataDir(), QStringLiteral("events")).count >= 2);
    const SeqRange early = seqRange(service.dataDir(), QStringLiteral("events"));
    const SeqRange earlyAudit = seqRange(service.dataDir(), QStringLiteral("audit"));

    // when two days pass and another request is recorded,
    service.clock().advanceSeconds(2 * 24 * 3600);
    QVERIFY(service.requestAccess(Arap::q4PlanRead()).ok());

    // the sweep deletes the day-old events and keeps the new ones,
    QTRY_VERIFY_WITH_TIMEOUT(seqRange(service.dataDir(), QStringLiteral("events")).first > early.last, 5000);
    const SeqRange late = seqRange(service.dataDir(), QStringLiteral("events"));
    QVERIFY(late.count >= 2);
    QCOMPARE(late.count, late.last - late.first + 1);

    // the audit log keeps every record,
    const SeqRange audit = seqRange(service.dataDir(), QStringLiteral("audit"));
    QCOMPARE(audit.first, earlyAudit.first);
    QVERIFY(audit.count > earlyAudit.count);

    // and a subscriber replaying from the start receives only what is left.
    EventRecorder replay;
    replay.open(service.baseUrl(), Tokens::bob, 0);
    QTRY_VERIFY(replay.lastSeq() >= late.last);
    QCOMPARE(replay.seqs().first(), late.first);
}

QTEST_GUILESS_MAIN(tst_EventCatchUp)
#include "tst_eventcatchup.moc"
