#include "core/service/httpgrammar.h"
#include "core/service/requestparser.h"

#include <QTest>

using namespace Recourse::Http;

namespace {

struct Outcome
{
    int status = 0; // 0: incomplete, 200: a complete request, else the error status
    Request request;
    MessageInfo info;
};

Limits smallLimits()
{
    Limits limits;
    limits.maxRequestLineBytes = 64;
    limits.maxHeaderBytes = 256;
    limits.maxHeaderCount = 8;
    limits.maxBodyBytes = 32;
    return limits;
}

// Feeds `input` in pieces of `step` bytes, as a socket would deliver it, until the parser
// completes a request or fails.
Outcome parseInSteps(const QByteArray &input, qsizetype step)
{
    RequestParser parser(smallLimits());
    QByteArray unconsumed;
    qsizetype offset = 0;
    Outcome outcome;
    for (;;) {
        qsizetype consumed = 0;
        const RequestParser::Status status = parser.parse(unconsumed.constData(), unconsumed.size(), &consumed);
        unconsumed.remove(0, consumed);
        switch (status) {
        case RequestParser::Status::HeadersComplete:
            outcome.info = parser.info();
            continue;
        case RequestParser::Status::MessageComplete:
            outcome.status = 200;
            outcome.request = parser.takeRequest();
            return outcome;
        case RequestParser::Status::Failed:
            outcome.status = parser.error().status;
            return outcome;
        case RequestParser::Status::NeedMore:
            break;
        }
        if (offset >= input.size())
            return outcome;
        unconsumed.append(input.mid(offset, step));
        offset += step;
    }
}

} // namespace

class TestRequestParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void outcome_data();
    void outcome();
    void requestFields();
    void chunkedBody();
    void messageInfo_data();
    void messageInfo();
    void requestId_data();
    void requestId();
    void garbageFailsBeforeLineEnd();
    void secondRequestAfterFirst();
    void headerNamesLowerCased_data();
    void headerNamesLowerCased();
};

void TestRequestParser::outcome_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("status");

    QTest::newRow("simple GET") << QByteArray("GET /a HTTP/1.1\r\nHost: x\r\n\r\n") << 200;
    QTest::newRow("HTTP/1.0 without Host") << QByteArray("GET / HTTP/1.0\r\n\r\n") << 200;
    QTest::newRow("leading empty line") << QByteArray("\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n") << 200;
    QTest::newRow("absolute form") << QByteArray("GET http://h.test/x?y=1 HTTP/1.1\r\nHost: t\r\n\r\n") << 200;
    QTest::newRow("asterisk for OPTIONS") << QByteArray("OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n") << 200;
    QTest::newRow("identical Content-Length twice")
        << QByteArray("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc") << 200;
    QTest::newRow("obs-text in a value") << QByteArray("GET / HTTP/1.1\r\nHost: t\r\nX-A: caf\xc3\xa9\r\n\r\n") << 200;

    QTest::newRow("HTTP/1.1 without Host") << QByteArray("GET / HTTP/1.1\r\nX-A: 1\r\n\r\n") << 400;
    QTest::newRow("two Host fields") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") << 400;
    QTest::newRow("two Host fields in HTTP/1.0") << QByteArray("GET / HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n") << 400;
    QTest::newRow("two Authorization fields")
        << QByteArray("GET / HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer a\r\nauthorization: Bearer b\r\n\r\n") << 400;

    QTest::newRow("incomplete headers") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n") << 0;
    QTest::newRow("incomplete body") << QByteArray("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nab") << 0;

    QTest::newRow("bare LF after request line") << QByteArray("GET / HTTP/1.1\n\r\n") << 400;
    QTest::newRow("bare LF after header") << QByteArray("GET / HTTP/1.1\r\nHost: x\n\r\n") << 400;
    QTest::newRow("lower-case version") << QByteArray("GET / http/1.1\r\n\r\n") << 400;
    QTest::newRow("version without minor") << QByteArray("GET / HTTP/2\r\n\r\n") << 400;
    QTest::newRow("HTTP/2.0") << QByteArray("GET / HTTP/2.0\r\n\r\n") << 505;
    QTest::newRow("HTTP/1.2") << QByteArray("GET / HTTP/1.2\r\n\r\n") << 505;
    QTest::newRow("HTTP/0.9") << QByteArray("GET / HTTP/0.9\r\n\r\n") << 505;
    QTest::newRow("method with a parenthesis") << QByteArray("GE(T / HTTP/1.1\r\nHost: t\r\n\r\n") << 400;
    QTest::newRow("two spaces after method") << QByteArray("GET  / HTTP/1.1\r\nHost: t\r\n\r\n") << 400;
    QTest::newRow("space in target") << QByteArray("GET /a b HTTP/1.1\r\nHost: t\r\n\r\n") << 400;
    QTest::newRow("relative target") << QByteArray("GET a HTTP/1.1\r\nHost: t\r\n\r\n") << 400;
    QTest::newRow("asterisk for GET") << QByteArray("GET * HTTP/1.1\r\nHost: t\r\n\r\n") << 400;
    QTest::newRow("fragment in target") << QByteArray("GET /a#b HTTP/1.1\r\nHost: t\r\n\r\n") << 400;
    QTest::newRow("malformed percent escape") << QByteArray("GET /a%zz HTTP/1.1\r\nHost: t\r\n\r\n") << 400;
    QTest::newRow("truncated percent escape") << QByteArray("GET /a%2 HTTP/1.1\r\nHost: t\r\n\r\n") << 400;
    QTest::newRow("encoded NUL") << QByteArray("GET /a%00 HTTP/1.1\r\nHost: t\r\n\r\n") << 400;
    QTest::newRow("request line too long") << "GET /" + QByteArray(80, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n" << 414;
    // The limit covers the whole line, so a target that fits can still make the line too long.
    QTest::newRow("request line at limit") << "GET /" + QByteArray(50, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n" << 200;
    QTest::newRow("version past limit") << "GET /" + QByteArray(55, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n" << 414;
    QTest::newRow("too many empty lines") << QByteArray("\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n") << 400;

    QTest::newRow("obs-fold") << QByteArray("GET / HTTP/1.1\r\nHost: t\r\nX-A: 1\r\n 2\r\n\r\n") << 400;
    QTest::newRow("space before colon") << QByteArray("GET / HTTP/1.1\r\nHost : x\r\n\r\n") << 400;
    QTest::newRow("empty field name") << QByteArray("GET / HTTP/1.1\r\nHost: t\r\n: x\r\n\r\n") << 400;
    QTest::newRow("no colon") << QByteArray("GET / HTTP/1.1\r\nHost\r\n\r\n") << 400;
    QTest::newRow("separator in field name") << QByteArray("GET / HTTP/1.1\r\nHost: t\r\nX-(Id): x\r\n\r\n") << 400;
    QTest::newRow("non-ASCII in field name") << QByteArray("GET / HTTP/1.1\r\nHost: t\r\nX-\xc3\xa9: x\r\n\r\n") << 400;
    QTest::newRow("NUL in value") << "GET / HTTP/1.1\r\nHost: t\r\nX-A: a" + QByteArray(1, '\0') + "b\r\n\r\n" << 400;
    QTest::newRow("CR in value") << QByteArray("GET / HTTP/1.1\r\nHost: t\r\nX-A: a\rb\r\n\r\n") << 400;
    QTest::newRow("too many header fields") << "GET / HTTP/1.1\r\nHost: t\r\n" + QByteArray("A: 1\r\n").repeated(9) + "\r\n" << 431;
    QTest::newRow("header bytes over limit") << "GET / HTTP/1.1\r\nHost: t\r\nA: " + QByteArray(300, 'a') + "\r\n\r\n" << 431;
    // The field lines take exactly the 256 bytes allowed. The empty line that ends them is not
    // counted, also when a read ends between its CR and LF.
    QTest::newRow("header bytes at limit") << "GET / HTTP/1.1\r\nHost: t\r\nA: " + QByteArray(242, 'a') + "\r\n\r\n" << 200;
    QTest::newRow("header bytes one past limit") << "GET / HTTP/1.1\r\nHost: t\r\nA: " + QByteArray(243, 'a') + "\r\n\r\n" << 431;

    QTest::newRow("Content-Length with plus") << QByteArray("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: +3\r\n\r\nabc") << 400;
    QTest::newRow("Content-Length negative") << QByteArray("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n") << 400;
    QTest::newRow("Content-Length hex") << QByteArray("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 0x3\r\n\r\nabc") << 400;
    QTest::newRow("Content-Length list") << QByteArray("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3, 3\r\n\r\nabc") << 400;
    QTest::newRow("Content-Length empty") << QByteArray("POST / HTTP/1.1\r\nHost: t\r\nContent-Length:\r\n\r\n") << 400;
    QTest::newRow("conflicting Content-Length")
        << QByteArray("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd") << 400;
    QTest::newRow("Content-Length with Transfer-Encoding")
        << QByteArray("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n") << 400;
    QTest::newRow("Content-Length over limit") << QByteArray("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 33\r\n\r\n") << 413;
    QTest::newRow("Content-Length huge")
        << QByteArray("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999999999999999\r\n\r\n") << 413;
    QTest::newRow("Transfer-Encoding gzip") << QByteArray("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n") << 501;
    QTest::newRow("Transfer-Encoding chunked twice")
        << QByteArray("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n") << 501;
    QTest::newRow("Transfer-Encoding in HTTP/1.0")
        << QByteArray("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") << 400;
    QTest::newRow("unknown expectation") << QByteArray("GET / HTTP/1.1\r\nHost: t\r\nExpect: magic\r\n\r\n") << 417;

    const QByteArray chunkedHead = "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    QTest::newRow("chunk size not hex") << chunkedHead + "zz\r\nab\r\n0\r\n\r\n" << 400;
    QTest::newRow("chunk size with space") << chunkedHead + "1 1\r\na\r\n0\r\n\r\n" << 400;
    QTest::newRow("chunk size negative") << chunkedHead + "-1\r\na\r\n0\r\n\r\n" << 400;
    QTest::newRow("chunk size too many digits") << chunkedHead + "0000000000000001\r\na\r\n0\r\n\r\n" << 400;
    QTest::newRow("chunk size past 64 bits") << chunkedHead + "fffffffffffffffff\r\na\r\n0\r\n\r\n" << 400;
    QTest::newRow("chunk data without CRLF") << chunkedHead + "2\r\nabc\r\n0\r\n\r\n" << 400;
    QTest::newRow("chunked body over limit") << chunkedHead + "20\r\n" + QByteArray(32, 'a') + "\r\n1\r\n" << 413;
    QTest::newRow("chunk size line too long") << chunkedHead + "1;" + QByteArray(1100, 'e') + "\r\n" << 400;
    QTest::newRow("trailer with obs-fold") << chunkedHead + "0\r\nX-T: 1\r\n 2\r\n\r\n" << 400;
    QTest::newRow("trailers over limit") << chunkedHead + "0\r\n" + QByteArray("T: 1\r\n").repeated(9) + "\r\n" << 431;
    QTest::newRow("trailer bytes at limit") << chunkedHead + "0\r\nT: " + QByteArray(251, 'a') + "\r\n\r\n" << 200;
}

void TestRequestParser::outcome()
{
    QFETCH(QByteArray, input);
    QFETCH(int, status);

    QCOMPARE(parseInSteps(input, input.size()).status, status);
    QCOMPARE(parseInSteps(input, 1).status, status);
    QCOMPARE(parseInSteps(input, 7).status, status);
}

void TestRequestParser::requestFields()
{
    const Outcome outcome = parseInSteps("PUT /a%20b/c?x=1&y=two HTTP/1.1\r\nHost: h\r\nX-Mixed-Case:  v  \r\n"
                                         "Content-Length: 4\r\n\r\nbody",
        3);

    QCOMPARE(outcome.status, 200);
    QCOMPARE(outcome.request.method, QByteArray("PUT"));
    QCOMPARE(outcome.request.target, QByteArray("/a%20b/c?x=1&y=two"));
    QCOMPARE(outcome.request.path, QByteArray("/a b/c"));
    QCOMPARE(outcome.request.query.queryItemValue(QStringLiteral("y")), QStringLiteral("two"));
    QCOMPARE(outcome.request.header("x-mixed-case"), QByteArray("v"));
    QCOMPARE(outcome.request.body, QByteArray("body"));
    QCOMPARE(outcome.request.headers.size(), 3);

    const Outcome absolute = parseInSteps("GET https://h.test?q=1 HTTP/1.1\r\nHost: t\r\n\r\n", 100);
    QCOMPARE(absolute.request.path, QByteArray("/"));
    QCOMPARE(absolute.request.query.queryItemValue(QStringLiteral("q")), QStringLiteral("1"));
}

void TestRequestParser::chunkedBody()
{
    const QByteArray input = "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: Chunked\r\n\r\n"
                             "3;name=value\r\n{\"a\r\n"
                             "A ; ext\r\n\":\"0123456\r\n"
                             "2\r\n\"}\r\n"
                             "0\r\nX-Trailer: ignored\r\n\r\n";

    for (const qsizetype step : {qsizetype(1), qsizetype(5), input.size()}) {
        const Outcome outcome = parseInSteps(input, step);
        QCOMPARE(outcome.status, 200);
        QCOMPARE(outcome.request.body, QByteArray("{\"a\":\"0123456\"}"));
        QVERIFY(!outcome.request.hasHeader("x-trailer"));
    }
}

void TestRequestParser::messageInfo_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<bool>("keepAlive");
    QTest::addColumn<bool>("expectsContinue");
    QTest::addColumn<bool>("webSocketUpgrade");

    QTest::newRow("HTTP/1.1 default") << QByteArray("GET / HTTP/1.1\r\nHost: t\r\n\r\n") << true << false << false;
    QTest::newRow("HTTP/1.1 close") << QByteArray("GET / HTTP/1.1\r\nHost: t\r\nConnection: Close\r\n\r\n") << false << false << false;
    QTest::newRow("HTTP/1.1 close in a list")
        << QByteArray("GET / HTTP/1.1\r\nHost: t\r\nConnection: upgrade, close\r\n\r\n") << false << false << false;
    QTest::newRow("HTTP/1.0 default") << QByteArray("GET / HTTP/1.0\r\n\r\n") << false << false << false;
    QTest::newRow("HTTP/1.0 keep-alive")
        << QByteArray("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") << true << false << false;
    QTest::newRow("100-continue with body")
        << QByteArray("POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nab") << true << true << false;
    QTest::newRow("100-continue without body")
        << QByteArray("GET / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n\r\n") << true << false << false;
    QTest::newRow("100-continue in HTTP/1.0 ignored")
        << QByteArray("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nab") << false << false
        << false;
    QTest::newRow("websocket upgrade")
        << QByteArray("GET /ws HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: WebSocket\r\n\r\n") << true << false << true;
}

void TestRequestParser::messageInfo()
{
    QFETCH(QByteArray, input);
    QFETCH(bool, keepAlive);
    QFETCH(bool, expectsContinue);
    QFETCH(bool, webSocketUpgrade);

    const Outcome outcome = parseInSteps(input, input.size());

    QCOMPARE(outcome.status, 200);
    QCOMPARE(outcome.info.keepAlive, keepAlive);
    QCOMPARE(outcome.info.expectsContinue, expectsContinue);
    QCOMPARE(outcome.info.webSocketUpgrade, webSocketUpgrade);
}

void TestRequestParser::requestId_data()
{
    QTest::addColumn<QByteArray>("headers");
    QTest::addColumn<QByteArray>("requestId");

    QTest::newRow("absent") << QByteArray() << QByteArray();
    QTest::newRow("valid") << QByteArray("X-Request-ID: abc-123\r\n") << QByteArray("abc-123");
    QTest::newRow("first of two") << QByteArray("X-Request-ID: one\r\nX-Request-ID: two\r\n") << QByteArray("one");
    QTest::newRow("invalid first is not replaced by second")
        << QByteArray("X-Request-ID: a\tb\r\nX-Request-ID: two\r\n") << QByteArray();
    QTest::newRow("256 bytes") << "X-Request-ID: " + QByteArray(256, 'r') + "\r\n" << QByteArray(256, 'r');
    QTest::newRow("257 bytes") << "X-Request-ID: " + QByteArray(257, 'r') + "\r\n" << QByteArray();
    QTest::newRow("tab inside") << QByteArray("X-Request-ID: a\tb\r\n") << QByteArray();
    QTest::newRow("UTF-8") << QByteArray("X-Request-ID: caf\xc3\xa9-\xe2\x98\x83\r\n") << QByteArray("caf\xc3\xa9-\xe2\x98\x83");
    QTest::newRow("not UTF-8") << QByteArray("X-Request-ID: \xff\xfe\xc3(\r\n") << QByteArray();
    QTest::newRow("truncated UTF-8") << QByteArray("X-Request-ID: ab\xe2\x98\r\n") << QByteArray();
}

void TestRequestParser::requestId()
{
    QFETCH(QByteArray, headers);
    QFETCH(QByteArray, requestId);

    Limits limits = smallLimits();
    limits.maxHeaderBytes = 1024;
    RequestParser parser(limits);
    const QByteArray input = "GET / HTTP/1.1\r\nHost: t\r\n" + headers + "\r\n";
    qsizetype consumed = 0;

    QCOMPARE(parser.parse(input.constData(), input.size(), &consumed), RequestParser::Status::HeadersComplete);
    QCOMPARE(parser.requestId(), requestId);
}

void TestRequestParser::garbageFailsBeforeLineEnd()
{
    RequestParser parser(Limits{});
    const QByteArray garbage(200, 'x');
    qsizetype consumed = 0;

    QCOMPARE(parser.parse(garbage.constData(), garbage.size(), &consumed), RequestParser::Status::Failed);
    QCOMPARE(parser.error().status, 400);
}

void TestRequestParser::secondRequestAfterFirst()
{
    RequestParser parser(smallLimits());
    const QByteArray input = "POST /one HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nabGET /two HTTP/1.1\r\nHost: t\r\n\r\n";
    qsizetype offset = 0;
    qsizetype consumed = 0;

    QCOMPARE(parser.parse(input.constData(), input.size(), &consumed), RequestParser::Status::HeadersComplete);
    offset += consumed;
    QCOMPARE(parser.parse(input.constData() + offset, input.size() - offset, &consumed),
        RequestParser::Status::MessageComplete);
    offset += consumed;
    QVERIFY(!parser.atMessageStart());
    QCOMPARE(parser.takeRequest().body, QByteArray("ab"));
    QVERIFY(parser.atMessageStart());

    QCOMPARE(parser.parse(input.constData() + offset, input.size() - offset, &consumed),
        RequestParser::Status::HeadersComplete);
    offset += consumed;
    QCOMPARE(parser.parse(input.constData() + offset, input.size() - offset, &consumed),
        RequestParser::Status::MessageComplete);
    QCOMPARE(parser.takeRequest().path, QByteArray("/two"));
    QCOMPARE(offset + consumed, input.size());
}

void TestRequestParser::headerNamesLowerCased_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("expected"); // null for a name that is not a token

    QTest::newRow("known, mixed case") << QByteArray("Content-TYPE") << QByteArray("content-type");
    QTest::newRow("known, lower case") << QByteArray("authorization") << QByteArray("authorization");
    QTest::newRow("prefix of a known name") << QByteArray("Content") << QByteArray("content");
    QTest::newRow("known name with a suffix") << QByteArray("Host2") << QByteArray("host2");
    QTest::newRow("32 characters") << QByteArray(32, 'A') << QByteArray(32, 'a');
    QTest::newRow("33 characters") << QByteArray(33, 'B') << QByteArray(33, 'b');
    QTest::newRow("space in a short name") << QByteArray("Bad Name") << QByteArray();
    QTest::newRow("control in a long name") << QByteArray(40, 'x') + '\x01' << QByteArray();
    QTest::newRow("empty") << QByteArray("") << QByteArray();
}

void TestRequestParser::headerNamesLowerCased()
{
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, expected);

    const QByteArray lower = lowerCaseToken(name);

    QCOMPARE(lower, expected);
    QCOMPARE(lower.isNull(), expected.isNull());
}

QTEST_GUILESS_MAIN(TestRequestParser)
#include "tst_requestparser.moc"
