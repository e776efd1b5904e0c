// Client-protocol tests: EventStreamClient against a fake event stream on 127.0.0.1.

#include "core/client/eventstreamclient.h"
#include "tests/client/fakeapproverservice.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace std::chrono_literals;
using Recourse::Client::EventStreamClient;
using Recourse::Testing::FakeApproverService;

namespace {

QJsonObject makeEvent(qint64 seq, const QString &type = QStringLiteral("task.created"))
{
    return QJsonObject{{QStringLiteral("seq"), seq},
                       {QStringLiteral("type"), type},
                       {QStringLiteral("time"), QStringLiteral("2026-12-04T10:00:00Z")},
                       {QStringLiteral("task_id"), QStringLiteral("arq_%1").arg(seq)}};
}

QList<qint64> seqs(const QSignalSpy &spy)
{
    QList<qint64> values;
    for (const QList<QVariant> &arguments : spy)
        values.append(arguments.first().toJsonObject().value(u"seq").toInteger());
    return values;
}

} // namespace

class tst_EventStreamClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void eventsUrl_data();
    void eventsUrl();
    void sendsAuthorizationOnUpgrade();
    void deliversEventsOnceInOrder();
    void dropsMessagesWithoutSeq();
    void readsNamesBeyondBmp();
    void reconnectsAndResumesAfterLastSeq();
    void startsAfterGivenSeq();
    void backoffGrowsToMaximum();
    void rejectedUpgradeStaysOffline();
    void stopGoesOffline();
    void replayArrivesInSlices();
    void stopDropsUndeliveredEvents();

private:
    std::unique_ptr<FakeApproverService> m_service;
    std::unique_ptr<EventStreamClient> m_stream;
};

void tst_EventStreamClient::init()
{
    m_service = std::make_unique<FakeApproverService>();
    QVERIFY(m_service->listen());
    m_stream = std::make_unique<EventStreamClient>(m_service->baseUrl(), QStringLiteral("bob-secret"));
    m_stream->setBackoff(20ms, 200ms);
}

void tst_EventStreamClient::cleanup()
{
    m_stream.reset();
    m_service.reset();
}

void tst_EventStreamClient::eventsUrl_data()
{
    QTest::addColumn<QUrl>("base");
    QTest::addColumn<qint64>("after");
    QTest::addColumn<QUrl>("expected");

    QTest::newRow("http becomes ws") << QUrl(QStringLiteral("http://127.0.0.1:8080")) << qint64(0)
                                     << QUrl(QStringLiteral("ws://127.0.0.1:8080/admin/v1/events?after=0"));
    QTest::newRow("https becomes wss") << QUrl(QStringLiteral("https://approvals.example.test")) << qint64(42)
                                       << QUrl(QStringLiteral("wss://approvals.example.test/admin/v1/events?after=42"));
    QTest::newRow("base path kept") << QUrl(QStringLiteral("http://host:1/recourse/")) << qint64(7)
                                    << QUrl(QStringLiteral("ws://host:1/recourse/admin/v1/events?after=7"));
}

void tst_EventStreamClient::eventsUrl()
{
    QFETCH(QUrl, base);
    QFETCH(qint64, after);
    QFETCH(QUrl, expected);

    QCOMPARE(EventStreamClient::eventsUrl(base, after), expected);
}

void tst_EventStreamClient::sendsAuthorizationOnUpgrade()
{
    m_stream->start();

    QTRY_COMPARE(m_stream->state(), EventStreamClient::State::Online);
    QCOMPARE(m_service->streamRequests.size(), 1);
    QCOMPARE(m_service->streamRequests.first().rawHeader("Authorization"), QByteArray("Bearer bob-secret"));
    QCOMPARE(m_service->streamRequests.first().url().query(), QStringLiteral("after=0"));
}

void tst_EventStreamClient::deliversEventsOnceInOrder()
{
    QSignalSpy received(m_stream.get(), &EventStreamClient::eventReceived);
    m_stream->start();
    QTRY_COMPARE(m_service->connectedStreams(), 1);

    m_service->publish(makeEvent(1));
    m_service->publish(makeEvent(2));
    m_service->sendRaw(QStringLiteral(R"({"seq":2,"type":"task.created"})"));
    m_service->sendRaw(QStringLiteral(R"({"seq":1,"type":"task.created"})"));
    m_service->publish(makeEvent(5));

    QTRY_COMPARE(received.size(), 3);
    QCOMPARE(seqs(received), (QList<qint64>{1, 2, 5}));
    QCOMPARE(m_stream->lastSeq(), 5);
}

void tst_EventStreamClient::dropsMessagesWithoutSeq()
{
    QSignalSpy received(m_stream.get(), &EventStreamClient::eventReceived);
    m_stream->start();
    QTRY_COMPARE(m_service->connectedStreams(), 1);

    m_service->sendRaw(QStringLiteral("not json"));
    m_service->sendRaw(QStringLiteral(R"({"type":"task.created"})"));
    m_service->sendRaw(QStringLiteral(R"({"seq":"3","type":"task.created"})"));
    m_service->publish(makeEvent(4));

    QTRY_COMPARE(received.size(), 1);
    QCOMPARE(seqs(received), QList<qint64>{4});
}

// See tst_ApproverClient::readsNamesBeyondBmp(): Qt's parser alone misses the nested member.
void tst_EventStreamClient::readsNamesBeyondBmp()
{
    QSignalSpy received(m_stream.get(), &EventStreamClient::eventReceived);
    m_stream->start();
    QTRY_COMPARE(m_service->connectedStreams(), 1);

    m_service->sendRaw(QString::fromUtf8("{\"seq\":1,\"type\":\"task.created\",\"data\":{\"\xF0\x9F\x98\x80\\n\":1,"
                                         "\"plain\":{\"\xF0\x9F\x98\x80\":3,\"\xEF\xAC\xB3\\t\":4}}}"));

    QTRY_COMPARE(received.size(), 1);
    const QJsonObject data = received.first().first().toJsonObject().value(u"data").toObject();
    QCOMPARE(data.value(QStringLiteral("\U0001F600\n")).toInt(), 1);
    QCOMPARE(data.value(u"plain").toObject().value(QStringLiteral("\U0001F600")).toInt(), 3);
}

void tst_EventStreamClient::reconnectsAndResumesAfterLastSeq()
{
    QSignalSpy received(m_stream.get(), &EventStreamClient::eventReceived);
    QSignalSpy states(m_stream.get(), &EventStreamClient::connectionStateChanged);
    m_stream->start();
    QTRY_COMPARE(m_service->connectedStreams(), 1);
    m_service->publish(makeEvent(1));
    m_service->publish(makeEvent(2));
    m_service->publish(makeEvent(3));
    QTRY_COMPARE(received.size(), 3);

    // Given a dropped connection, when events happen while the client is away,
    m_service->dropStreams();
    QTRY_COMPARE(m_stream->state(), EventStreamClient::State::Offline);
    m_service->publish(makeEvent(4));
    m_service->publish(makeEvent(5));

    // then the reconnection requests what came after seq 3 and delivers each event once.
    QTRY_COMPARE(received.size(), 5);
    QCOMPARE(seqs(received), (QList<qint64>{1, 2, 3, 4, 5}));
    QCOMPARE(m_service->streamRequests.size(), 2);
    QCOMPARE(m_service->streamRequests.last().url().query(), QStringLiteral("after=3"));
    QCOMPARE(m_stream->state(), EventStreamClient::State::Online);

    QList<EventStreamClient::State> sequence;
    for (const QList<QVariant> &arguments : std::as_const(states))
        sequence.append(arguments.first().value<EventStreamClient::State>());
    QCOMPARE(sequence, (QList<EventStreamClient::State>{EventStreamClient::State::Connecting, EventStreamClient::State::Online,
                                                        EventStreamClient::State::Offline, EventStreamClient::State::Connecting,
                                                        EventStreamClient::State::Online}));
}

void tst_EventStreamClient::startsAfterGivenSeq()
{
    QSignalSpy received(m_stream.get(), &EventStreamClient::eventReceived);
    m_service->publish(makeEvent(1));
    m_service->publish(makeEvent(2));
    m_service->publish(makeEvent(3));

    m_stream->start(2);

    QTRY_COMPARE(received.size(), 1);
    QCOMPARE(seqs(received), QList<qint64>{3});
    QCOMPARE(m_service->streamRequests.first().url().query(), QStringLiteral("after=2"));
}

void tst_EventStreamClient::backoffGrowsToMaximum()
{
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    QUrl url = m_service->baseUrl();
    url.setPort(probe.serverPort());
    probe.close();
    m_stream = std::make_unique<EventStreamClient>(url, QStringLiteral("bob-secret"));
    m_stream->setBackoff(10ms, 80ms);
    QSignalSpy states(m_stream.get(), &EventStreamClient::connectionStateChanged);

    m_stream->start();

    // 10, 20, 40, 80 ms, then it stays at 80 ms.
    QTRY_COMPARE(m_stream->retryDelay(), 80ms);
    QTRY_VERIFY(states.count(QList<QVariant>{QVariant::fromValue(EventStreamClient::State::Connecting)}) >= 6);
    QCOMPARE(m_stream->retryDelay(), 80ms);
    QVERIFY(!m_stream->lastError().isEmpty());
}

void tst_EventStreamClient::rejectedUpgradeStaysOffline()
{
    m_service->rejectStreams = true;
    QSignalSpy states(m_stream.get(), &EventStreamClient::connectionStateChanged);

    m_stream->start();

    QTRY_VERIFY(states.count(QList<QVariant>{QVariant::fromValue(EventStreamClient::State::Offline)}) >= 2);
    QVERIFY(!states.contains(QList<QVariant>{QVariant::fromValue(EventStreamClient::State::Online)}));

    m_service->rejectStreams = false;
    QTRY_COMPARE(m_stream->state(), EventStreamClient::State::Online);
}

void tst_EventStreamClient::stopGoesOffline()
{
    m_stream->start();
    QTRY_COMPARE(m_stream->state(), EventStreamClient::State::Online);

    m_stream->stop();

    QCOMPARE(m_stream->state(), EventStreamClient::State::Offline);
    QTRY_COMPARE(m_service->connectedStreams(), 0);
    m_service->publish(makeEvent(1));
    QCOMPARE(m_service->streamRequests.size(), 1);
}

void tst_EventStreamClient::replayArrivesInSlices()
{
    constexpr int kHistory = 1000;
    for (int seq = 1; seq <= kHistory; ++seq)
        m_service->publish(makeEvent(seq));

    // A zero timer started at the first event fires at the next turn of the event loop, so the
    // number of events delivered by then is what one turn delivered.
    qsizetype deliveredInFirstTurn = -1;
    QList<qint64> delivered;
    connect(m_stream.get(), &EventStreamClient::eventReceived, this, [&](const QJsonObject &event) {
        if (delivered.isEmpty())
            QTimer::singleShot(0, this, [&] { deliveredInFirstTurn = delivered.size(); });
        delivered.append(event.value(u"seq").toInteger());
    });
    m_stream->start();

    QTRY_COMPARE(delivered.size(), kHistory);
    QVERIFY(deliveredInFirstTurn > 0);
    QVERIFY2(deliveredInFirstTurn <= EventStreamClient::kSliceEvents, qPrintable(QString::number(deliveredInFirstTurn)));
    QList<qint64> expected;
    for (int seq = 1; seq <= kHistory; ++seq)
        expected.append(seq);
    QCOMPARE(delivered, expected);
    QCOMPARE(m_stream->lastSeq(), kHistory);
    QCOMPARE(m_stream->pendingEvents(), 0);
}

void tst_EventStreamClient::stopDropsUndeliveredEvents()
{
    constexpr int kHistory = 1000;
    for (int seq = 1; seq <= kHistory; ++seq)
        m_service->publish(makeEvent(seq));

    // Stop from inside the first delivery, while the rest of the replay waits in the queue.
    QList<qint64> delivered;
    auto stopAtFirst = connect(m_stream.get(), &EventStreamClient::eventReceived, this, [&](const QJsonObject &event) {
        delivered.append(event.value(u"seq").toInteger());
        if (delivered.size() == 1)
            m_stream->stop();
    });
    m_stream->start();
    QTRY_COMPARE(delivered.size(), 1);
    QCOMPARE(m_stream->lastSeq(), 1);
    QCOMPARE(m_stream->pendingEvents(), 0);
    disconnect(stopAtFirst);

    // Starting again requests everything after the last event delivered, not the last received.
    connect(m_stream.get(), &EventStreamClient::eventReceived, this,
            [&](const QJsonObject &event) { delivered.append(event.value(u"seq").toInteger()); });
    m_stream->start(m_stream->lastSeq());
    QTRY_COMPARE(delivered.size(), kHistory);
    QCOMPARE(m_service->streamRequests.last().url().query(), QStringLiteral("after=1"));
    QCOMPARE(delivered.last(), kHistory);
}

QTEST_GUILESS_MAIN(tst_EventStreamClient)
#include "tst_eventstreamclient.moc"
