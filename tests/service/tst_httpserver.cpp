#include "core/service/httpserver.h"
#include "core/service/problem.h"
#include "core/service/responsewriter.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMultiHash>
#include <QMutex>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <memory>
#include <thread>
#include <vector>

using namespace Recourse::Http;

namespace {

struct ParsedResponse
{
    int status = 0;
    HeaderList headers; // names lower-cased
    QByteArray body;

    QByteArray header(QByteArrayView name) const
    {
        for (const auto &field : headers) {
            if (field.first == name)
                return field.second;
        }
        return {};
    }
    bool hasHeader(QByteArrayView name) const
    {
        for (const auto &field : headers) {
            if (field.first == name)
                return true;
        }
        return false;
    }
};

// Splits raw bytes into the complete responses at their start and leaves out an incomplete tail.
QList<ParsedResponse> parseResponses(QByteArray raw)
{
    QList<ParsedResponse> responses;
    for (;;) {
        const qsizetype headEnd = raw.indexOf("\r\n\r\n");
        if (headEnd < 0)
            return responses;

        const QList<QByteArray> lines = raw.left(headEnd).split('\n');
        ParsedResponse response;
        response.status = lines.first().mid(9, 3).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            const qsizetype colon = line.indexOf(':');
            response.headers.append({line.left(colon).toLower(), line.mid(colon + 1).trimmed()});
        }

        const qsizetype length = response.header("content-length").toLongLong();
        if (raw.size() < headEnd + 4 + length)
            return responses;
        response.body = raw.mid(headEnd + 4, length);
        raw.remove(0, headEnd + 4 + length);
        responses.append(response);
    }
}

// A handler that records requests and echoes them unless a test installs its own behaviour.
class TestHandler final : public Handler
{
public:
    void handle(const Request &request, Responder respond) override
    {
        requests.append(request);
        if (onRequest) {
            onRequest(request, std::move(respond));
            return;
        }
        respond(echo(request));
    }

    std::optional<Response> screen(const Request &head) override
    {
        screenedIds.append(head.requestId);
        return onScreen ? onScreen(head) : std::nullopt;
    }

    static Response echo(const Request &request)
    {
        Response response;
        response.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/octet-stream")});
        response.headers.append({QByteArrayLiteral("X-Method"), request.method});
        response.headers.append({QByteArrayLiteral("X-Path"), request.path});
        response.body = request.body;
        return response;
    }

    QList<Request> requests;
    std::function<void(const Request &, Responder)> onRequest;
    QList<QByteArray> screenedIds;
    std::function<std::optional<Response>(const Request &)> onScreen;
};

// A handler for serving threads: requests under /concurrent are handled on the thread that read
// them, the others on the server's thread. It responds with the path and notes the thread, or,
// once `hold` is set, keeps the responders without calling them.
class ThreadNotingHandler final : public Handler
{
public:
    bool isConcurrent(const Request &request) const override { return request.path.startsWith("/concurrent"); }

    void handle(const Request &request, Responder respond) override
    {
        QMutexLocker lock(&mutex);
        threads.insert(request.path, QThread::currentThread());
        if (hold) {
            heldResponders.push_back(std::move(respond));
            return;
        }
        lock.unlock();
        Response response;
        response.body = request.path;
        respond(response);
    }

    int heldCount() const
    {
        QMutexLocker lock(&mutex);
        return int(heldResponders.size());
    }

    mutable QMutex mutex;
    QMultiHash<QByteArray, QThread *> threads;
    bool hold = false;
    std::vector<Responder> heldResponders;
};

// A raw TCP client that collects every byte the server sends.
class RawClient
{
public:
    explicit RawClient(quint16 port)
    {
        QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [this] { received += socket.readAll(); });
        socket.connectToHost(QHostAddress::LocalHost, port);
    }

    QList<ParsedResponse> responses() const { return parseResponses(received); }
    bool closed() const { return socket.state() == QAbstractSocket::UnconnectedState; }

    QTcpSocket socket;
    QByteArray received;
};

Limits testLimits()
{
    Limits limits;
    limits.headerTimeoutMs = 3000;
    limits.bodyTimeoutMs = 3000;
    limits.idleTimeoutMs = 10000;
    limits.closeLingerMs = 500;
    return limits;
}

bool isMintedId(const QByteArray &id)
{
    static const QRegularExpression pattern(QStringLiteral("^[0-9a-f]{32}$"));
    return pattern.match(QString::fromLatin1(id)).hasMatch();
}

} // namespace

class TestHttpServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void getAndPostEcho();
    void headResponseHasNoBody();
    void serializedResponseText_data();
    void serializedResponseText();
    void keepAliveTwoRequests();
    void pipelinedAnsweredInOrder();
    void pipelineLimitPausesParsing();
    void chunkedSplitInsideJsonString();
    void chunkedWithExtensionAndTrailer();
    void malformedChunkedBody_data();
    void malformedChunkedBody();
    void declaredHugeBodyRejectedEarly();
    void trickledChunkedBodyRejected();
    void expectContinue();
    void expectContinueTooLarge();
    void rejectedFraming_data();
    void rejectedFraming();
    void surplusAfterBodyRejected();
    void closingResponseStopsParsing_data();
    void closingResponseStopsParsing();
    void slowHeadersDropped();
    void slowBodyDropped();
    void idleConnectionClosed();
    void idleTimeoutCountsFromLastRequest();
    void connectionCloseHonoured();
    void http10ClosesByDefault();
    void http10KeepAlive();
    void requestIdEchoed_data();
    void requestIdEchoed();
    void requestIdMinted_data();
    void requestIdMinted();
    void screenedRequestKeepsMintedId();
    void responderFromOtherThread();
    void responderAfterDisconnect();
    void responderCalledTwice();
    void droppedResponderAnswers500();
    void perClientLimitRejects_data();
    void perClientLimitRejects();
    void servingThreadsShareTheWork();
    void closeStopsServingThreads();
    void webSocketAccepted_data();
    void webSocketAccepted();
    void webSocketRejected();
    void webSocketRejectedRaw();
    void webSocketHandshakeChecked_data();
    void webSocketHandshakeChecked();
    void webSocketBehindPipelinedRequest();
    void problemBody();

private:
    void startServer(Limits limits = testLimits(), int servingThreads = 0);

    std::unique_ptr<TestHandler> m_handler;
    std::unique_ptr<Server> m_server;
    std::vector<std::thread> m_threads;
};

void TestHttpServer::init()
{
    m_handler = std::make_unique<TestHandler>();
}

void TestHttpServer::cleanup()
{
    for (std::thread &thread : m_threads)
        thread.join();
    m_threads.clear();
    m_server.reset();
    m_handler.reset();
}

void TestHttpServer::startServer(Limits limits, int servingThreads)
{
    m_server = std::make_unique<Server>(m_handler.get(), limits);
    m_server->setServingThreads(servingThreads);
    QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
}

void TestHttpServer::getAndPostEcho()
{
    startServer();
    RawClient client(m_server->serverPort());

    client.socket.write("GET /hello?x=1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QTRY_COMPARE(client.responses().size(), 1);
    client.socket.write("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc");
    QTRY_COMPARE(client.responses().size(), 2);

    const ParsedResponse get = client.responses().at(0);
    QCOMPARE(get.status, 200);
    QCOMPARE(get.header("x-method"), QByteArray("GET"));
    QCOMPARE(get.header("x-path"), QByteArray("/hello"));
    QCOMPARE(get.header("content-length"), QByteArray("0"));
    QCOMPARE(get.header("content-type"), QByteArray("application/octet-stream"));
    QVERIFY(get.header("date").endsWith(" GMT"));
    QVERIFY(client.received.startsWith("HTTP/1.1 200 OK\r\n"));
    const ParsedResponse post = client.responses().at(1);
    QCOMPARE(post.header("x-method"), QByteArray("POST"));
    QCOMPARE(post.body, QByteArray("abc"));
    QCOMPARE(m_handler->requests.at(0).query.queryItemValue(QStringLiteral("x")), QStringLiteral("1"));
    QCOMPARE(m_handler->requests.at(1).peer, QHostAddress(QHostAddress::LocalHost));
}

void TestHttpServer::headResponseHasNoBody()
{
    startServer();
    m_handler->onRequest = [](const Request &, Responder respond) {
        respond(Response::json(200, QByteArrayLiteral("{\"decision\":true}")));
    };
    RawClient client(m_server->serverPort());

    client.socket.write("HEAD / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n");

    // The HEAD response ends with its head, and the GET response follows at once.
    QTRY_VERIFY(client.received.endsWith("{\"decision\":true}"));
    QVERIFY(client.received.startsWith("HTTP/1.1 200 OK\r\n"));
    QVERIFY(client.received.indexOf("\r\n\r\nHTTP/1.1 200 OK\r\n") > 0);
    QCOMPARE(client.received.count("{\"decision\":true}"), 1);
    QCOMPARE(client.received.count("Content-Length: 17\r\n"), 2);
}

void TestHttpServer::keepAliveTwoRequests()
{
    startServer();
    RawClient client(m_server->serverPort());

    client.socket.write("GET /one HTTP/1.1\r\nHost: x\r\n\r\n");
    QTRY_COMPARE(client.responses().size(), 1);
    client.socket.write("GET /two HTTP/1.1\r\nHost: x\r\n\r\n");
    QTRY_COMPARE(client.responses().size(), 2);

    QCOMPARE(client.responses().at(1).header("x-path"), QByteArray("/two"));
    QVERIFY(!client.responses().at(0).hasHeader("connection"));
    QCOMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
    QCOMPARE(m_server->connectionCount(), 1);
}

void TestHttpServer::pipelinedAnsweredInOrder()
{
    startServer();
    QStringList answered;
    m_handler->onRequest = [&answered](const Request &request, Responder respond) {
        if (request.path == "/slow") {
            QTimer::singleShot(50, [&answered, request, respond] {
                answered.append(QStringLiteral("slow"));
                respond(TestHandler::echo(request));
            });
            return;
        }
        answered.append(QStringLiteral("fast"));
        respond(TestHandler::echo(request));
    };
    RawClient client(m_server->serverPort());

    client.socket.write("GET /slow HTTP/1.1\r\nHost: t\r\nX-Request-ID: first\r\n\r\n"
                        "GET /fast HTTP/1.1\r\nHost: t\r\nX-Request-ID: second\r\n\r\n");

    QTRY_COMPARE(client.responses().size(), 2);
    QCOMPARE(answered, QStringList({QStringLiteral("fast"), QStringLiteral("slow")}));
    const QList<ParsedResponse> responses = client.responses();
    QCOMPARE(responses.at(0).header("x-path"), QByteArray("/slow"));
    QCOMPARE(responses.at(0).header("x-request-id"), QByteArray("first"));
    QCOMPARE(responses.at(1).header("x-path"), QByteArray("/fast"));
    QCOMPARE(responses.at(1).header("x-request-id"), QByteArray("second"));
}

void TestHttpServer::pipelineLimitPausesParsing()
{
    Limits limits = testLimits();
    limits.maxPipelinedRequests = 2;
    startServer(limits);
    QList<Responder> heldResponders;
    m_handler->onRequest = [&heldResponders](const Request &, Responder respond) {
        heldResponders.append(std::move(respond));
    };
    RawClient client(m_server->serverPort());
    QByteArray requests;
    for (int i = 0; i < 5; ++i)
        requests += "GET /" + QByteArray::number(i) + " HTTP/1.1\r\nHost: t\r\n\r\n";

    client.socket.write(requests);

    // Without the pause all five would be parsed at once and the count would never be 2.
    QTRY_COMPARE(m_handler->requests.size(), 2);
    for (int i = 0; i < 5; ++i) {
        heldResponders[i](Response::json(200, QByteArray::number(i)));
        // Completing a request resumes parsing at once, from bytes already buffered.
        QCOMPARE(m_handler->requests.size(), std::min(i + 3, 5));
    }
    QTRY_COMPARE(client.responses().size(), 5);
    for (int i = 0; i < 5; ++i)
        QCOMPARE(client.responses().at(i).body, QByteArray::number(i));
}

void TestHttpServer::chunkedSplitInsideJsonString()
{
    startServer();
    const QByteArray json = R"({"subject":{"type":"user","id":"alice@example.test"},"action":{"name":"read"}})";
    RawClient plain(m_server->serverPort());
    RawClient chunked(m_server->serverPort());
    QTRY_COMPARE(chunked.socket.state(), QAbstractSocket::ConnectedState);

    plain.socket.write("POST /access/v1/evaluation HTTP/1.1\r\nHost: t\r\nContent-Length: " + QByteArray::number(json.size())
        + "\r\n\r\n" + json);
    // Chunk boundaries fall inside "alice@example.test" and inside "read".
    const qsizetype cut1 = json.indexOf("alice") + 3;
    const qsizetype cut2 = json.indexOf("read") + 2;
    const QByteArray part1 = json.left(cut1);
    const QByteArray part2 = json.mid(cut1, cut2 - cut1);
    const QByteArray part3 = json.mid(cut2);
    chunked.socket.write("POST /access/v1/evaluation HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
    chunked.socket.write(QByteArray::number(part1.size(), 16) + "\r\n" + part1 + "\r\n");
    chunked.socket.flush();
    chunked.socket.write(QByteArray::number(part2.size(), 16) + "\r\n" + part2.left(5));
    chunked.socket.flush();
    chunked.socket.write(part2.mid(5) + "\r\n" + QByteArray::number(part3.size(), 16) + "\r\n" + part3 + "\r\n0\r\n\r\n");

    QTRY_COMPARE(plain.responses().size(), 1);
    QTRY_COMPARE(chunked.responses().size(), 1);
    QCOMPARE(chunked.responses().at(0).status, 200);
    QCOMPARE(chunked.responses().at(0).body, json);
    QCOMPARE(chunked.responses().at(0).body, plain.responses().at(0).body);
}

void TestHttpServer::chunkedWithExtensionAndTrailer()
{
    startServer();
    RawClient client(m_server->serverPort());

    client.socket.write("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "5;name=value\r\nhello\r\n6 ; ext\r\n world\r\n0\r\nX-Checksum: abc\r\n\r\n");

    QTRY_COMPARE(client.responses().size(), 1);
    QCOMPARE(client.responses().at(0).status, 200);
    QCOMPARE(client.responses().at(0).body, QByteArray("hello world"));
    QVERIFY(!m_handler->requests.at(0).hasHeader("x-checksum"));
    QCOMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
}

void TestHttpServer::malformedChunkedBody_data()
{
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("size not hex") << QByteArray("zz\r\nhello\r\n0\r\n\r\n");
    QTest::newRow("size missing") << QByteArray("\r\nhello\r\n0\r\n\r\n");
    QTest::newRow("negative size") << QByteArray("-5\r\nhello\r\n0\r\n\r\n");
    QTest::newRow("data longer than size") << QByteArray("3\r\nhello\r\n0\r\n\r\n");
    QTest::newRow("size with bare LF") << QByteArray("5\nhello\r\n0\r\n\r\n");
}

void TestHttpServer::malformedChunkedBody()
{
    QFETCH(QByteArray, body);
    startServer();
    RawClient client(m_server->serverPort());

    client.socket.write("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + body);

    QTRY_COMPARE(client.responses().size(), 1);
    QCOMPARE(client.responses().at(0).status, 400);
    QCOMPARE(client.responses().at(0).header("content-type"), QByteArray("application/problem+json"));
    QCOMPARE(client.responses().at(0).header("connection"), QByteArray("close"));
    QTRY_VERIFY(client.closed());
    QVERIFY(m_handler->requests.isEmpty());
}

void TestHttpServer::declaredHugeBodyRejectedEarly()
{
    startServer();
    RawClient client(m_server->serverPort());

    client.socket.write("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 209715200\r\n\r\n");

    QTRY_COMPARE(client.responses().size(), 1);
    QCOMPARE(client.responses().at(0).status, 413);
    QTRY_VERIFY(client.closed());
    QVERIFY(m_handler->requests.isEmpty());
    QTRY_COMPARE(m_server->connectionCount(), 0);
}

void TestHttpServer::trickledChunkedBodyRejected()
{
    startServer(); // maxBodyBytes is 1 MiB
    RawClient client(m_server->serverPort());
    const QByteArray chunk(64 * 1024, 'a');
    const qint64 total = 2 * 1024 * 1024;
    qint64 sent = 0;
    qint64 sentWhenAnswered = -1;
    QTimer trickle;
    QObject::connect(&trickle, &QTimer::timeout, &client.socket, [&] {
        if (client.closed() || sent >= total) {
            trickle.stop();
            return;
        }
        if (sentWhenAnswered < 0 && !client.responses().isEmpty())
            sentWhenAnswered = sent;
        client.socket.write(QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n");
        sent += chunk.size();
    });
    QTRY_COMPARE(client.socket.state(), QAbstractSocket::ConnectedState);

    client.socket.write("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
    trickle.start(5);

    QTRY_COMPARE(client.responses().size(), 1);
    QCOMPARE(client.responses().at(0).status, 413);
    QTRY_VERIFY_WITH_TIMEOUT(client.closed(), 10000);
    QVERIFY(sentWhenAnswered < 0 || sentWhenAnswered < total);
    QVERIFY(sent < total);
    QVERIFY(m_handler->requests.isEmpty());
    QTRY_COMPARE(m_server->connectionCount(), 0);
}

void TestHttpServer::expectContinue()
{
    startServer();
    RawClient client(m_server->serverPort());

    client.socket.write("POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    QTRY_COMPARE(client.received, QByteArray("HTTP/1.1 100 Continue\r\n\r\n"));
    QVERIFY(m_handler->requests.isEmpty());
    client.socket.write("hello");

    QTRY_COMPARE(client.responses().size(), 2);
    QCOMPARE(client.responses().at(1).status, 200);
    QCOMPARE(client.responses().at(1).body, QByteArray("hello"));
}

void TestHttpServer::expectContinueTooLarge()
{
    startServer();
    RawClient client(m_server->serverPort());

    client.socket.write("POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2097152\r\n\r\n");

    QTRY_COMPARE(client.responses().size(), 1);
    QCOMPARE(client.responses().at(0).status, 413);
    QVERIFY(!client.received.contains("100 Continue"));
    QTRY_VERIFY(client.closed());
}

void TestHttpServer::rejectedFraming_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");

    QTest::newRow("Content-Length with Transfer-Encoding")
        << QByteArray("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        << 400;
    QTest::newRow("two different Content-Length")
        << QByteArray("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!") << 400;
    QTest::newRow("Content-Length not digits") << QByteArray("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5x\r\n\r\nhello") << 400;
    QTest::newRow("Transfer-Encoding gzip")
        << QByteArray("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n") << 501;
    QTest::newRow("too many header fields")
        << "GET / HTTP/1.1\r\nHost: t\r\n" + QByteArray("X-A: 1\r\n").repeated(101) + "\r\n" << 431;
    QTest::newRow("header bytes over limit")
        << "GET / HTTP/1.1\r\nHost: t\r\nX-A: " + QByteArray(33 * 1024, 'a') + "\r\n\r\n" << 431;
    QTest::newRow("request line too long") << "GET /" + QByteArray(9 * 1024, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n" << 414;
    QTest::newRow("obs-fold") << QByteArray("GET / HTTP/1.1\r\nHost: t\r\nX-A: one\r\n two\r\n\r\n") << 400;
    QTest::newRow("HTTP/2.0") << QByteArray("GET / HTTP/2.0\r\n\r\n") << 505;
    QTest::newRow("garbage") << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) << 400;
}

void TestHttpServer::rejectedFraming()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    startServer();
    RawClient client(m_server->serverPort());

    client.socket.write(request);

    QTRY_COMPARE(client.responses().size(), 1);
    QCOMPARE(client.responses().at(0).status, status);
    QCOMPARE(client.responses().at(0).header("connection"), QByteArray("close"));
    QCOMPARE(client.responses().at(0).header("content-type"), QByteArray("application/problem+json"));
    QTRY_VERIFY(client.closed());
    QVERIFY(m_handler->requests.isEmpty());
}

void TestHttpServer::surplusAfterBodyRejected()
{
    startServer();
    RawClient client(m_server->serverPort());
    QByteArray garbage;
    for (int i = 0; i < 200; ++i)
        garbage.append(char('a' + (i * 7) % 26));
    garbage[17] = '{';

    client.socket.write("POST /access/v1/evaluation HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0123456789" + garbage);

    QTRY_COMPARE(client.responses().size(), 2);
    QTRY_VERIFY(client.closed());
    QCOMPARE(client.responses().at(0).status, 200);
    QCOMPARE(client.responses().at(0).body, QByteArray("0123456789"));
    QCOMPARE(client.responses().at(1).status, 400);
    QCOMPARE(client.responses().at(1).header("connection"), QByteArray("close"));
    QCOMPARE(m_handler->requests.size(), 1);
}

// A handler that finds a body malformed closes the connection with its response. The request after
// it in the same write may be the rest of a body the client framed wrongly, so it is never handled,
// even when the response comes from another turn of the event loop.
void TestHttpServer::closingResponseStopsParsing_data()
{
    QTest::addColumn<QByteArray>("first");

    QTest::newRow("body of the declared length") << QByteArray("POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0123456789");
    QTest::newRow("POST without a body") << QByteArray("POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
}

void TestHttpServer::closingResponseStopsParsing()
{
    QFETCH(QByteArray, first);

    startServer();
    m_handler->onRequest = [](const Request &, Responder respond) {
        QTimer::singleShot(0, [respond = std::move(respond)] {
            Response response = problem(400, QStringLiteral("Bad Request"), QStringLiteral("The body is not JSON."));
            response.closeConnection = true;
            respond(std::move(response));
        });
    };
    RawClient client(m_server->serverPort());

    client.socket.write(first + "GET /admin/v1/whoami HTTP/1.1\r\nHost: t\r\n\r\n");

    QTRY_VERIFY(client.closed());
    QCOMPARE(client.responses().size(), 1);
    QCOMPARE(client.responses().at(0).status, 400);
    QCOMPARE(client.responses().at(0).header("connection"), QByteArray("close"));
    QCOMPARE(m_handler->requests.size(), 1);
}

void TestHttpServer::slowHeadersDropped()
{
    Limits limits = testLimits();
    limits.headerTimeoutMs = 300;
    startServer(limits);
    RawClient client(m_server->serverPort());
    const QByteArray request = "GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slow\r\nAccept: */*\r\n\r\n";
    qsizetype sent = 0;
    QTimer trickle;
    QObject::connect(&trickle, &QTimer::timeout, &client.socket, [&] {
        if (client.closed() || sent >= request.size()) {
            trickle.stop();
            return;
        }
        client.socket.write(request.mid(sent++, 1));
    });
    QTRY_COMPARE(client.socket.state(), QAbstractSocket::ConnectedState);

    trickle.start(50);

    QTRY_VERIFY(client.closed());
    QVERIFY(sent < request.size());
    QCOMPARE(client.responses().size(), 1);
    QCOMPARE(client.responses().at(0).status, 408);
    QVERIFY(m_handler->requests.isEmpty());
}

void TestHttpServer::slowBodyDropped()
{
    Limits limits = testLimits();
    limits.bodyTimeoutMs = 200;
    startServer(limits);
    RawClient client(m_server->serverPort());

    client.socket.write("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n012");

    QTRY_VERIFY(client.closed());
    QCOMPARE(client.responses().size(), 1);
    QCOMPARE(client.responses().at(0).status, 408);
    QVERIFY(m_handler->requests.isEmpty());
}

void TestHttpServer::idleConnectionClosed()
{
    Limits limits = testLimits();
    limits.idleTimeoutMs = 200;
    startServer(limits);
    RawClient client(m_server->serverPort());
    QElapsedTimer elapsed;

    client.socket.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    QTRY_COMPARE(client.responses().size(), 1);
    elapsed.start();

    QTRY_VERIFY(client.closed());
    QVERIFY(elapsed.elapsed() >= 150);
    QCOMPARE(client.responses().size(), 1);
    QTRY_COMPARE(m_server->connectionCount(), 0);
}

// The idle timer is extended, not restarted, after each request, so a connection in use must stay
// open for the whole idle timeout after its last request.
void TestHttpServer::idleTimeoutCountsFromLastRequest()
{
    Limits limits = testLimits();
    limits.idleTimeoutMs = 400;
    startServer(limits);
    RawClient client(m_server->serverPort());
    QElapsedTimer sinceFirst;
    QElapsedTimer sinceLast;

    client.socket.write("GET /1 HTTP/1.1\r\nHost: t\r\n\r\n");
    QTRY_COMPARE(client.responses().size(), 1);
    sinceFirst.start();
    QTRY_VERIFY(sinceFirst.elapsed() >= 250);
    client.socket.write("GET /2 HTTP/1.1\r\nHost: t\r\n\r\n");
    QTRY_COMPARE(client.responses().size(), 2);
    sinceLast.start();

    QTRY_VERIFY(client.closed());
    QVERIFY2(sinceLast.elapsed() >= 350, qPrintable(QString::number(sinceLast.elapsed())));
    QCOMPARE(client.responses().size(), 2);
}

void TestHttpServer::connectionCloseHonoured()
{
    startServer();
    RawClient client(m_server->serverPort());

    client.socket.write("GET /a HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\n");

    QTRY_VERIFY(client.closed());
    QCOMPARE(client.responses().size(), 1);
    QCOMPARE(client.responses().at(0).header("connection"), QByteArray("close"));
    QCOMPARE(m_handler->requests.size(), 1);
}

void TestHttpServer::http10ClosesByDefault()
{
    startServer();
    RawClient client(m_server->serverPort());

    client.socket.write("GET / HTTP/1.0\r\n\r\n");

    QTRY_VERIFY(client.closed());
    QCOMPARE(client.responses().size(), 1);
    QCOMPARE(client.responses().at(0).status, 200);
    QCOMPARE(client.responses().at(0).header("connection"), QByteArray("close"));
}

void TestHttpServer::http10KeepAlive()
{
    startServer();
    RawClient client(m_server->serverPort());

    client.socket.write("GET /one HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    QTRY_COMPARE(client.responses().size(), 1);
    client.socket.write("GET /two HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    QTRY_COMPARE(client.responses().size(), 2);

    QCOMPARE(client.responses().at(0).header("connection"), QByteArray("keep-alive"));
    QCOMPARE(client.responses().at(1).header("x-path"), QByteArray("/two"));
    QCOMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
}

void TestHttpServer::requestIdEchoed_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");

    QTest::newRow("on 200") << QByteArray("GET / HTTP/1.1\r\nHost: t\r\nX-Request-ID: req-7f3a 42\r\n\r\n") << 200;
    QTest::newRow("on 400 from the server")
        << QByteArray("POST / HTTP/1.1\r\nHost: t\r\nX-Request-ID: req-7f3a 42\r\nContent-Length: x\r\n\r\n") << 400;
    QTest::newRow("on 413 from the server")
        << QByteArray("POST / HTTP/1.1\r\nHost: t\r\nX-Request-ID: req-7f3a 42\r\nContent-Length: 9999999\r\n\r\n") << 413;
    QTest::newRow("on 404 from the handler")
        << QByteArray("GET /missing HTTP/1.1\r\nHost: t\r\nX-Request-ID: req-7f3a 42\r\n\r\n") << 404;
}

void TestHttpServer::requestIdEchoed()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    startServer();
    m_handler->onRequest = [](const Request &received, Responder respond) {
        if (received.path == "/missing") {
            respond(problem(404, QStringLiteral("Not Found"), QStringLiteral("No such route.")));
            return;
        }
        respond(TestHandler::echo(received));
    };
    RawClient client(m_server->serverPort());

    client.socket.write(request);

    QTRY_COMPARE(client.responses().size(), 1);
    QCOMPARE(client.responses().at(0).status, status);
    QCOMPARE(client.responses().at(0).header("x-request-id"), QByteArray("req-7f3a 42"));
}

void TestHttpServer::requestIdMinted_data()
{
    QTest::addColumn<QByteArray>("headers");

    QTest::newRow("absent") << QByteArray();
    QTest::newRow("over 256 bytes") << "X-Request-ID: " + QByteArray(257, 'r') + "\r\n";
    QTest::newRow("control character") << QByteArray("X-Request-ID: a\tb\r\n");
    QTest::newRow("empty") << QByteArray("X-Request-ID:\r\n");
}

void TestHttpServer::requestIdMinted()
{
    QFETCH(QByteArray, headers);
    startServer();
    RawClient client(m_server->serverPort());

    client.socket.write("GET / HTTP/1.1\r\nHost: t\r\n" + headers + "\r\nGET / HTTP/1.1\r\nHost: t\r\n" + headers + "\r\n");

    QTRY_COMPARE(client.responses().size(), 2);
    const QByteArray first = client.responses().at(0).header("x-request-id");
    QVERIFY2(isMintedId(first), first.constData());
    QVERIFY(first != client.responses().at(1).header("x-request-id"));
    QCOMPARE(m_handler->requests.at(0).requestId, first);
}

void TestHttpServer::screenedRequestKeepsMintedId()
{
    startServer();
    m_handler->onScreen = [](const Request &) -> std::optional<Response> {
        return problem(401, QStringLiteral("Unauthorized"), QStringLiteral("A valid bearer token is required."));
    };
    RawClient client(m_server->serverPort());

    client.socket.write("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc");

    // screen() receives the id the rejection carries, so its log line names that id.
    QTRY_COMPARE(client.responses().size(), 1);
    QCOMPARE(client.responses().at(0).status, 401);
    QCOMPARE(m_handler->screenedIds.size(), 1);
    QVERIFY(isMintedId(m_handler->screenedIds.at(0)));
    QCOMPARE(client.responses().at(0).header("x-request-id"), m_handler->screenedIds.at(0));
}

void TestHttpServer::responderFromOtherThread()
{
    startServer();
    m_handler->onRequest = [this](const Request &request, Responder respond) {
        const QByteArray body = "thread:" + request.path;
        m_threads.emplace_back([respond, body] { respond(Response::json(200, body)); });
    };
    RawClient client(m_server->serverPort());

    client.socket.write("GET /a HTTP/1.1\r\nHost: t\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\nGET /c HTTP/1.1\r\nHost: t\r\n\r\n");

    QTRY_COMPARE(client.responses().size(), 3);
    QCOMPARE(client.responses().at(0).body, QByteArray("thread:/a"));
    QCOMPARE(client.responses().at(1).body, QByteArray("thread:/b"));
    QCOMPARE(client.responses().at(2).body, QByteArray("thread:/c"));
}

void TestHttpServer::responderAfterDisconnect()
{
    startServer();
    Responder heldResponder;
    m_handler->onRequest = [&heldResponder](const Request &, Responder respond) { heldResponder = std::move(respond); };
    {
        RawClient client(m_server->serverPort());
        client.socket.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        QTRY_VERIFY(bool(heldResponder));
        client.socket.abort();
    }
    QTRY_COMPARE(m_server->connectionCount(), 0);

    heldResponder(Response::json(200, QByteArrayLiteral("{}")));
    Responder fromThread;
    m_handler->onRequest = [&fromThread](const Request &, Responder respond) { fromThread = std::move(respond); };
    {
        RawClient client(m_server->serverPort());
        client.socket.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        QTRY_VERIFY(bool(fromThread));
    }
    QTRY_COMPARE(m_server->connectionCount(), 0);
    m_threads.emplace_back([fromThread] { fromThread(Response::json(200, QByteArrayLiteral("{}"))); });
    m_server.reset();
    QCOMPARE(m_handler->requests.size(), 2);
}

void TestHttpServer::responderCalledTwice()
{
    startServer();
    m_handler->onRequest = [](const Request &, Responder respond) {
        respond(Response::json(200, QByteArrayLiteral("first")));
        respond(Response::json(500, QByteArrayLiteral("second")));
    };
    RawClient client(m_server->serverPort());
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("called more than once")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("called more than once")));

    client.socket.write("GET / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n");

    QTRY_COMPARE(client.responses().size(), 2);
    QCOMPARE(client.responses().at(0).body, QByteArray("first"));
    QCOMPARE(client.responses().at(1).body, QByteArray("first"));
}

void TestHttpServer::droppedResponderAnswers500()
{
    startServer();
    m_handler->onRequest = [](const Request &, Responder) { };
    RawClient client(m_server->serverPort());
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("without calling it")));

    client.socket.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n");

    QTRY_COMPARE(client.responses().size(), 1);
    QCOMPARE(client.responses().at(0).status, 500);
    QCOMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
}

void TestHttpServer::perClientLimitRejects_data()
{
    QTest::addColumn<int>("servingThreads");
    QTest::newRow("server thread") << 0;
    QTest::newRow("serving threads") << 2;
}

void TestHttpServer::perClientLimitRejects()
{
    QFETCH(int, servingThreads);
    Limits limits = testLimits();
    limits.maxConnectionsPerClient = 1;
    startServer(limits, servingThreads);
    RawClient first(m_server->serverPort());
    QTRY_COMPARE(m_server->connectionCount(), 1);

    RawClient second(m_server->serverPort());

    QTRY_VERIFY(second.closed());
    QCOMPARE(second.responses().size(), 1);
    QCOMPARE(second.responses().at(0).status, 503);
    QCOMPARE(m_server->connectionCount(), 1);
    first.socket.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    QTRY_COMPARE(first.responses().size(), 1);
}

void TestHttpServer::servingThreadsShareTheWork()
{
    ThreadNotingHandler handler;
    Server server(&handler, testLimits());
    server.setServingThreads(2);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    std::vector<std::unique_ptr<RawClient>> clients;

    // Each connection pipelines a request for the server's thread between two concurrent ones.
    for (int i = 0; i < 4; ++i) {
        clients.push_back(std::make_unique<RawClient>(server.serverPort()));
        clients.back()->socket.write(QByteArrayLiteral("GET /concurrent/%1/a HTTP/1.1\r\nHost: t\r\n\r\n"
                                                       "GET /main/%1 HTTP/1.1\r\nHost: t\r\n\r\n"
                                                       "GET /concurrent/%1/b HTTP/1.1\r\nHost: t\r\n\r\n")
                                         .replace("%1", QByteArray::number(i)));
    }

    for (int i = 0; i < 4; ++i) {
        const RawClient &client = *clients[size_t(i)];
        QTRY_COMPARE(client.responses().size(), 3);
        const QByteArray n = QByteArray::number(i);
        QCOMPARE(client.responses().at(0).body, "/concurrent/" + n + "/a");
        QCOMPARE(client.responses().at(1).body, "/main/" + n);
        QCOMPARE(client.responses().at(2).body, "/concurrent/" + n + "/b");
    }
    QCOMPARE(server.connectionCount(), 4);
    QMutexLocker lock(&handler.mutex);
    QSet<QThread *> serving;
    for (auto it = handler.threads.cbegin(); it != handler.threads.cend(); ++it) {
        if (it.key().startsWith("/main/")) {
            QCOMPARE(it.value(), QThread::currentThread());
            continue;
        }
        QVERIFY(it.value() != QThread::currentThread());
        serving.insert(it.value());
    }
    // The connections take turns over the serving threads.
    QCOMPARE(serving.size(), 2);
}

void TestHttpServer::closeStopsServingThreads()
{
    ThreadNotingHandler handler;
    handler.hold = true;
    auto server = std::make_unique<Server>(&handler, testLimits());
    server->setServingThreads(2);
    QVERIFY(server->listen(QHostAddress::LocalHost, 0));
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_unique<RawClient>(server->serverPort()));
        clients.back()->socket.write("GET /concurrent HTTP/1.1\r\nHost: t\r\n\r\n");
    }
    QTRY_COMPARE(handler.heldCount(), 3);

    server->close();

    QCOMPARE(server->connectionCount(), 0);
    for (const auto &client : clients)
        QTRY_VERIFY(client->closed());
    // The connections are gone, so a response now changes nothing, from this thread or another.
    std::vector<Responder> held = std::exchange(handler.heldResponders, {});
    std::thread other([respond = held.back()] { respond(Response::json(200, "{}")); });
    other.join();
    held.pop_back();
    for (Responder &respond : held)
        respond(Response::json(200, "{}"));
    server.reset();
    for (const auto &client : clients)
        QVERIFY(client->responses().isEmpty());
}

void TestHttpServer::webSocketAccepted_data()
{
    QTest::addColumn<int>("servingThreads");
    QTest::newRow("server thread") << 0;
    // The handshake is read on a serving thread, and the socket moves to the WebSocket server's.
    QTest::newRow("serving threads") << 2;
}

void TestHttpServer::webSocketAccepted()
{
    QFETCH(int, servingThreads);
    startServer(testLimits(), servingThreads);
    QWebSocketServer webSockets(QStringLiteral("test"), QWebSocketServer::NonSecureMode);
    QList<QByteArray> seenAuthorization;
    m_server->setWebSocketRoute("/admin/v1/events", &webSockets, [&](const Request &request) -> std::optional<Response> {
        seenAuthorization.append(request.header("authorization"));
        if (request.header("authorization") != "Bearer good")
            return problem(401, QStringLiteral("Unauthorized"), QStringLiteral("A valid bearer token is required."));
        return std::nullopt;
    });
    std::vector<std::unique_ptr<QWebSocket>> serverSides;
    QObject::connect(&webSockets, &QWebSocketServer::newConnection, &webSockets, [&] {
        serverSides.emplace_back(webSockets.nextPendingConnection());
        QWebSocket *socket = serverSides.back().get();
        QObject::connect(socket, &QWebSocket::textMessageReceived, socket,
            [socket](const QString &message) { socket->sendTextMessage(QStringLiteral("echo:") + message); });
    });
    QWebSocket client;
    QSignalSpy received(&client, &QWebSocket::textMessageReceived);
    QNetworkRequest request(QUrl(QStringLiteral("ws://127.0.0.1:%1/admin/v1/events?after=5").arg(m_server->serverPort())));
    request.setRawHeader("Authorization", "Bearer good");

    client.open(request);

    QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
    client.sendTextMessage(QStringLiteral("hello"));
    QTRY_COMPARE(received.size(), 1);
    QCOMPARE(received.at(0).at(0).toString(), QStringLiteral("echo:hello"));
    QCOMPARE(seenAuthorization, QList<QByteArray>({QByteArrayLiteral("Bearer good")}));
    QTRY_COMPARE(m_server->connectionCount(), 0);
    client.close();
    QTRY_COMPARE(serverSides.front()->state(), QAbstractSocket::UnconnectedState);
}

void TestHttpServer::webSocketRejected()
{
    startServer();
    QWebSocketServer webSockets(QStringLiteral("test"), QWebSocketServer::NonSecureMode);
    m_server->setWebSocketRoute("/admin/v1/events", &webSockets, [](const Request &request) -> std::optional<Response> {
        if (request.header("authorization") != "Bearer good")
            return problem(401, QStringLiteral("Unauthorized"), QStringLiteral("A valid bearer token is required."));
        return std::nullopt;
    });
    QSignalSpy newConnections(&webSockets, &QWebSocketServer::newConnection);
    QWebSocket client;
    QSignalSpy disconnected(&client, &QWebSocket::disconnected);
    QNetworkRequest request(QUrl(QStringLiteral("ws://127.0.0.1:%1/admin/v1/events").arg(m_server->serverPort())));
    request.setRawHeader("Authorization", "Bearer wrong");

    client.open(request);

    QTRY_COMPARE(disconnected.size(), 1);
    QVERIFY(client.state() != QAbstractSocket::ConnectedState);
    QCOMPARE(newConnections.size(), 0);
}

void TestHttpServer::webSocketRejectedRaw()
{
    startServer();
    QWebSocketServer webSockets(QStringLiteral("test"), QWebSocketServer::NonSecureMode);
    m_server->setWebSocketRoute("/admin/v1/events", &webSockets, [](const Request &) -> std::optional<Response> {
        return problem(401, QStringLiteral("Unauthorized"), QStringLiteral("A valid bearer token is required."));
    });
    RawClient client(m_server->serverPort());
    // Sent in parts, so the server has to wait for the whole header block before deciding.
    const QList<QByteArray> parts = {"GET /admin/v1", "/events HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n",
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\nX-Request-ID: ws-1\r\n\r\n"};
    qsizetype sent = 0;
    QTimer writer;
    QObject::connect(&writer, &QTimer::timeout, &client.socket, [&] {
        if (sent == parts.size()) {
            writer.stop();
            return;
        }
        client.socket.write(parts.at(sent++));
    });
    QTRY_COMPARE(client.socket.state(), QAbstractSocket::ConnectedState);

    writer.start(20);

    QTRY_COMPARE(client.responses().size(), 1);
    QCOMPARE(client.responses().at(0).status, 401);
    QCOMPARE(client.responses().at(0).header("x-request-id"), QByteArray("ws-1"));
    QCOMPARE(client.responses().at(0).header("content-type"), QByteArray("application/problem+json"));
    QTRY_VERIFY(client.closed());
    QVERIFY(m_handler->requests.isEmpty());
}

// QWebSocketServer drops a handshake it cannot complete without a response, so the server responds first.
void TestHttpServer::webSocketHandshakeChecked_data()
{
    QTest::addColumn<QByteArray>("fields");
    QTest::addColumn<int>("status");

    QTest::newRow("no key") << QByteArray("Sec-WebSocket-Version: 13\r\n") << 400;
    QTest::newRow("short key") << QByteArray("Sec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n") << 400;
    QTest::newRow("key not base64") << QByteArray("Sec-WebSocket-Key: !!!!!!!!!!!!!!!!!!!!!!==\r\nSec-WebSocket-Version: 13\r\n") << 400;
    QTest::newRow("version 8") << QByteArray("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n") << 426;
    QTest::newRow("no version") << QByteArray("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n") << 426;
}

void TestHttpServer::webSocketHandshakeChecked()
{
    QFETCH(QByteArray, fields);
    QFETCH(int, status);

    startServer();
    QWebSocketServer webSockets(QStringLiteral("test"), QWebSocketServer::NonSecureMode);
    m_server->setWebSocketRoute("/admin/v1/events", &webSockets, [](const Request &) { return std::optional<Response>(); });
    QSignalSpy newConnections(&webSockets, &QWebSocketServer::newConnection);
    RawClient client(m_server->serverPort());

    client.socket.write("GET /admin/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\n" + fields + "\r\n");

    QTRY_COMPARE(client.responses().size(), 1);
    QCOMPARE(client.responses().at(0).status, status);
    QCOMPARE(client.responses().at(0).header("content-type"), QByteArray("application/problem+json"));
    if (status == 426)
        QCOMPARE(client.responses().at(0).header("sec-websocket-version"), QByteArray("13"));
    QTRY_VERIFY(client.closed());
    QCOMPARE(newConnections.size(), 0);
}

void TestHttpServer::webSocketBehindPipelinedRequest()
{
    startServer();
    QWebSocketServer webSockets(QStringLiteral("test"), QWebSocketServer::NonSecureMode);
    int filterCalls = 0;
    m_server->setWebSocketRoute("/admin/v1/events", &webSockets, [&filterCalls](const Request &) {
        ++filterCalls;
        return std::optional<Response>();
    });
    RawClient client(m_server->serverPort());

    client.socket.write("GET /first HTTP/1.1\r\nHost: t\r\n\r\n"
                        "GET /admin/v1/events HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");

    QTRY_COMPARE(client.responses().size(), 2);
    QCOMPARE(client.responses().at(0).status, 200);
    QCOMPARE(client.responses().at(1).status, 400);
    QTRY_VERIFY(client.closed());
    QCOMPARE(filterCalls, 0);
    QCOMPARE(m_handler->requests.size(), 1);
}

void TestHttpServer::problemBody()
{
    const Response response = problem(409, QStringLiteral("Conflict"), QStringLiteral("Task already decided."),
        QStringLiteral("urn:example:conflict"), QJsonObject{{QStringLiteral("task_id"), QStringLiteral("t1")},
                                                    {QStringLiteral("status"), 200}});

    QCOMPARE(response.status, 409);
    QCOMPARE(response.headers.size(), 1);
    QCOMPARE(response.headers.at(0).second, QByteArray("application/problem+json"));
    const QJsonObject body = QJsonDocument::fromJson(response.body).object();
    QCOMPARE(body.value(QStringLiteral("type")).toString(), QStringLiteral("urn:example:conflict"));
    QCOMPARE(body.value(QStringLiteral("title")).toString(), QStringLiteral("Conflict"));
    QCOMPARE(body.value(QStringLiteral("status")).toInt(), 409);
    QCOMPARE(body.value(QStringLiteral("detail")).toString(), QStringLiteral("Task already decided."));
    QCOMPARE(body.value(QStringLiteral("task_id")).toString(), QStringLiteral("t1"));
}

void TestHttpServer::serializedResponseText_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArrayList>("headers"); // name, value, name, value...
    QTest::addColumn<bool>("close");
    QTest::addColumn<bool>("keepAlive");
    QTest::addColumn<bool>("head");
    QTest::addColumn<QByteArray>("expected"); // after the Date line

    QTest::newRow("json") << 200 << QByteArrayList{"Content-Type", "application/json"} << false << false << false
                          << QByteArray("Content-Length: 2\r\nContent-Type: application/json\r\nX-Request-ID: r1\r\n\r\n{}");
    QTest::newRow("close") << 404 << QByteArrayList{} << true << false << false
                           << QByteArray("Content-Length: 2\r\nX-Request-ID: r1\r\nConnection: close\r\n\r\n{}");
    QTest::newRow("HTTP/1.0 keep-alive") << 200 << QByteArrayList{} << false << true << false
                                         << QByteArray("Content-Length: 2\r\nX-Request-ID: r1\r\nConnection: keep-alive\r\n\r\n{}");
    QTest::newRow("HEAD keeps the length") << 200 << QByteArrayList{} << false << false << true
                                           << QByteArray("Content-Length: 2\r\nX-Request-ID: r1\r\n\r\n");
    QTest::newRow("204 has no length or body") << 204 << QByteArrayList{} << false << false << false
                                               << QByteArray("X-Request-ID: r1\r\n\r\n");
    QTest::newRow("server-owned and invalid headers dropped")
        << 200 << QByteArrayList{"content-length", "99", "Date", "x", "X-Request-ID", "forged", "Bad Name", "v",
                                 "X-Split", "a\r\nSet-Cookie: b", "Cache-Control", "no-store"}
        << false << false << false
        << QByteArray("Content-Length: 2\r\nCache-Control: no-store\r\nX-Request-ID: r1\r\n\r\n{}");
}

// Checks the exact bytes of the response, because every client parses them.
void TestHttpServer::serializedResponseText()
{
    QFETCH(int, status);
    QFETCH(QByteArrayList, headers);
    QFETCH(bool, close);
    QFETCH(bool, keepAlive);
    QFETCH(bool, head);
    QFETCH(QByteArray, expected);
    Response response;
    response.status = status;
    response.body = status == 204 ? QByteArray() : QByteArray("{}");
    for (qsizetype i = 0; i + 1 < headers.size(); i += 2)
        response.headers.append({headers.at(i), headers.at(i + 1)});

    const QByteArray text = serializeResponse(response, "r1", close, keepAlive, head);

    const QByteArray statusLine = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status).toByteArray() + "\r\n";
    QVERIFY2(text.startsWith(statusLine), text.constData());
    const QRegularExpression date(QStringLiteral("^Date: [A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT\r\n"));
    const QString afterStatus = QString::fromLatin1(text.mid(statusLine.size()));
    const QRegularExpressionMatch dateLine = date.match(afterStatus);
    QVERIFY2(dateLine.hasMatch(), text.constData());
    QCOMPARE(text.mid(statusLine.size() + dateLine.capturedLength()), expected);
}

QTEST_GUILESS_MAIN(TestHttpServer)
#include "tst_httpserver.moc"
