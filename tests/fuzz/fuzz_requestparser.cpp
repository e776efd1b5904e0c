// Fuzzes the HTTP/1.1 request parser with the bytes a client sends on one connection.
//
// The input is parsed twice, the way HttpConnection drives the parser: once delivered whole and
// once in small pieces of varying size. Both deliveries must produce the same requests and end
// the same way (failed or waiting for more), because TCP may split a stream anywhere. Limits are
// small so that every limit check is within the fuzzer's reach.

#include "core/service/requestparser.h"

#include "fuzzsupport.h"

#include <QList>

#include <cstddef>
#include <cstdint>

using namespace Recourse::Http;

namespace {

Limits fuzzLimits()
{
    Limits limits;
    limits.maxRequestLineBytes = 128;
    limits.maxHeaderBytes = 512;
    limits.maxHeaderCount = 12;
    limits.maxBodyBytes = 256;
    return limits;
}

// What a delivery produced: every completed request, then how the stream ended.
struct Transcript
{
    QList<QByteArray> requests; // one description per complete request
    bool failed = false;
    int errorStatus = 0;

    bool sameOutcome(const Transcript &other) const
    {
        // The error status may differ: a line that breaks two rules can hit either check first,
        // depending on where the stream was split. Accepting or rejecting must not.
        return requests == other.requests && failed == other.failed;
    }
};

QByteArray describe(const Request &request, const MessageInfo &info)
{
    QByteArray text = request.method + ' ' + request.target + " path=" + request.path.toHex()
        + " query=" + request.query.toString(QUrl::FullyEncoded).toUtf8() + " id=" + request.requestId.toHex();
    text += " v=" + QByteArray::number(info.minorVersion) + " ka=" + QByteArray::number(info.keepAlive)
        + " continue=" + QByteArray::number(info.expectsContinue) + " ws=" + QByteArray::number(info.webSocketUpgrade)
        + " body=" + QByteArray::number(info.hasBody);
    for (const auto &[name, value] : request.headers)
        text += '\n' + name + ": " + value.toHex();
    text += "\n\n" + request.body.toHex();
    return text;
}

void checkRequest(const Request &request, const Limits &limits)
{
    FUZZ_CHECK(!request.method.isEmpty());
    FUZZ_CHECK(request.target.size() <= limits.maxRequestLineBytes);
    FUZZ_CHECK(request.headers.size() <= limits.maxHeaderCount);
    FUZZ_CHECK(request.body.size() <= limits.maxBodyBytes);
    FUZZ_CHECK(!request.path.contains('\0'));
    for (const auto &header : request.headers)
        FUZZ_CHECK(header.first == header.first.toLower());
}

// Piece sizes for the split delivery: a fixed sequence shifted by the input's length, so one
// input always splits the same way and different inputs split differently.
qsizetype pieceSize(qsizetype index, qsizetype inputSize)
{
    static constexpr qsizetype kSizes[] = {1, 2, 3, 1, 5, 8, 1, 13, 4, 64};
    constexpr qsizetype count = qsizetype(sizeof(kSizes) / sizeof(kSizes[0]));
    return kSizes[(index + inputSize) % count];
}

// Drives the parser like HttpConnection: one buffer with a read position, compacted before new
// bytes are appended. `split` delivers the stream in pieces instead of all at once.
Transcript deliver(const QByteArray &stream, bool split)
{
    const Limits limits = fuzzLimits();
    RequestParser parser(limits);
    Transcript transcript;
    QByteArray buffer;
    qsizetype readPos = 0;
    qsizetype delivered = 0;
    qsizetype pieces = 0;
    MessageInfo info;

    // Every iteration consumes bytes, completes a step of a request or receives bytes, so this
    // bound is only reached when the parser stops making progress.
    const qsizetype maxIterations = 4 * stream.size() + 16;
    for (qsizetype iteration = 0;; ++iteration) {
        FUZZ_CHECK(iteration < maxIterations);

        const qsizetype available = buffer.size() - readPos;
        qsizetype consumed = -1;
        const RequestParser::Status status = parser.parse(buffer.constData() + readPos, available, &consumed);
        FUZZ_CHECK(consumed >= 0 && consumed <= available);
        readPos += consumed;

        switch (status) {
        case RequestParser::Status::HeadersComplete:
            FUZZ_CHECK(parser.headersDone());
            info = parser.info();
            continue;
        case RequestParser::Status::MessageComplete: {
            const Request request = parser.takeRequest();
            checkRequest(request, limits);
            transcript.requests.append(describe(request, info));
            FUZZ_CHECK(parser.atMessageStart());
            continue;
        }
        case RequestParser::Status::Failed:
            FUZZ_CHECK(parser.error().status >= 400 && parser.error().status <= 599);
            FUZZ_CHECK(!parser.error().detail.isEmpty());
            transcript.failed = true;
            transcript.errorStatus = parser.error().status;
            return transcript;
        case RequestParser::Status::NeedMore:
            break;
        }

        if (delivered == stream.size())
            return transcript;
        const qsizetype take = split ? std::min(pieceSize(pieces++, stream.size()), stream.size() - delivered)
                                     : stream.size();
        buffer.remove(0, readPos);
        readPos = 0;
        buffer.append(stream.constData() + delivered, take);
        delivered += take;
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    Recourse::Fuzz::silenceLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray stream(reinterpret_cast<const char *>(data), qsizetype(size));

    const Transcript whole = deliver(stream, false);
    const Transcript pieces = deliver(stream, true);
    FUZZ_CHECK(whole.sameOutcome(pieces));
    return 0;
}
