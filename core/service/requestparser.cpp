#include "core/service/requestparser.h"

#include "core/service/httpgrammar.h"
#include "core/service/requesttarget.h"

#include <cstring>

namespace Recourse::Http {

namespace {

// Methods in use are short words, so a longer token is rejected before its line ends.
constexpr qsizetype kMaxMethodBytes = 32;
// Bytes of empty lines accepted before a request line. RFC 9112 section 2.2 says a server
// SHOULD ignore at least one empty line there.
constexpr qsizetype kMaxLeadingEmptyLineBytes = 8;
// A chunk-size line: the size in hex plus extensions, which are ignored.
constexpr qsizetype kMaxChunkLineBytes = 1024;
// More hex digits than this cannot be a size below any body limit.
constexpr int kMaxChunkSizeDigits = 15;
// Content-Length values saturate here, far above any body limit, so a long digit string cannot
// overflow.
constexpr qint64 kSaturatedSize = qint64(1) << 52;
// Bytes reserved up front for a declared body: a client that declares a large body and
// sends nothing must not make the server allocate it.
constexpr qsizetype kMaxBodyReserve = 64 * 1024;

} // namespace

RequestParser::RequestParser(const Limits &limits) : m_limits(limits) { }

bool RequestParser::isValidRequestId(QByteArrayView value)
{
    if (value.isEmpty() || value.size() > 256)
        return false;
    for (const char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f)
            return false;
    }
    // The log shows an id as text, and two ids that are not UTF-8 could read the same there.
    return value.isValidUtf8();
}

RequestParser::Status RequestParser::fail(int status, QString detail)
{
    m_phase = Phase::Failed;
    m_error = ParseError{status, std::move(detail)};
    return Status::Failed;
}

Request RequestParser::takeRequest()
{
    Request request = std::move(m_request);
    m_request = Request();
    m_info = MessageInfo();
    m_phase = Phase::RequestLine;
    m_linePart = LinePart::Method;
    m_lineBytes = 0;
    m_methodEnd = 0;
    m_targetEnd = 0;
    m_leadingBytes = 0;
    m_scanned = 0;
    m_headerBytes = 0;
    m_headerCount = 0;
    m_remaining = 0;
    m_bodyBytes = 0;
    return request;
}

RequestParser::Status RequestParser::parse(const char *data, qsizetype size, qsizetype *consumed)
{
    qsizetype pos = 0;
    const auto stop = [&](Status status) {
        *consumed = pos;
        return status;
    };

    for (;;) {
        switch (m_phase) {
        case Phase::RequestLine: {
            const Status status = parseRequestLine(data, size, &pos);
            if (m_phase == Phase::RequestLine || status == Status::Failed)
                return stop(status);
            break;
        }
        case Phase::Headers: {
            QByteArrayView line;
            bool failed = false;
            if (!takeLine(data, size, &pos, &line, &failed)) {
                if (failed)
                    return stop(fail(400, QStringLiteral("Header lines must end with CRLF.")));
                if (pendingFieldLineTooLong(data + pos))
                    return stop(fail(431, QStringLiteral("The header fields exceed %1 bytes.").arg(m_limits.maxHeaderBytes)));
                return stop(Status::NeedMore);
            }
            const Status status = parseHeaderLine(line);
            if (status != Status::NeedMore)
                return stop(status);
            break;
        }
        case Phase::FixedBody:
        case Phase::ChunkData: {
            const qint64 available = size - pos;
            if (available == 0)
                return stop(Status::NeedMore);
            const qsizetype take = qsizetype(std::min(available, m_remaining));
            m_request.body.append(data + pos, take);
            pos += take;
            m_remaining -= take;
            if (m_remaining > 0)
                return stop(Status::NeedMore);
            m_phase = m_phase == Phase::FixedBody ? Phase::Complete : Phase::ChunkDataEnd;
            break;
        }
        case Phase::ChunkDataEnd: {
            const qsizetype available = size - pos;
            if (available >= 1 && data[pos] != '\r')
                return stop(fail(400, QStringLiteral("Chunk data must be followed by CRLF.")));
            if (available < 2)
                return stop(Status::NeedMore);
            if (data[pos + 1] != '\n')
                return stop(fail(400, QStringLiteral("Chunk data must be followed by CRLF.")));
            pos += 2;
            m_phase = Phase::ChunkSize;
            break;
        }
        case Phase::ChunkSize: {
            QByteArrayView line;
            bool failed = false;
            if (!takeLine(data, size, &pos, &line, &failed)) {
                if (failed || m_scanned > kMaxChunkLineBytes)
                    return stop(fail(400, QStringLiteral("The chunk-size line is malformed or too long.")));
                return stop(Status::NeedMore);
            }
            if (line.size() > kMaxChunkLineBytes)
                return stop(fail(400, QStringLiteral("The chunk-size line is malformed or too long.")));
            if (parseChunkSize(line) == Status::Failed)
                return stop(Status::Failed);
            break;
        }
        case Phase::Trailers: {
            QByteArrayView line;
            bool failed = false;
            if (!takeLine(data, size, &pos, &line, &failed)) {
                if (failed)
                    return stop(fail(400, QStringLiteral("Trailer lines must end with CRLF.")));
                if (pendingFieldLineTooLong(data + pos))
                    return stop(fail(431, QStringLiteral("The trailer fields exceed %1 bytes.").arg(m_limits.maxHeaderBytes)));
                return stop(Status::NeedMore);
            }
            if (parseTrailerLine(line) == Status::Failed)
                return stop(Status::Failed);
            break;
        }
        case Phase::Complete:
            return stop(Status::MessageComplete);
        case Phase::Failed:
            return stop(Status::Failed);
        }
    }
}

bool RequestParser::takeLine(const char *data, qsizetype size, qsizetype *pos, QByteArrayView *line, bool *failed)
{
    const char *start = data + *pos;
    const qsizetype available = size - *pos;
    const void *found = available > m_scanned
        ? std::memchr(start + m_scanned, '\n', size_t(available - m_scanned))
        : nullptr;
    if (!found) {
        m_scanned = available;
        return false;
    }

    const qsizetype lineFeed = static_cast<const char *>(found) - start;
    if (lineFeed == 0 || start[lineFeed - 1] != '\r') {
        *failed = true;
        return false;
    }
    *line = QByteArrayView(start, lineFeed - 1);
    *pos += lineFeed + 1;
    m_scanned = 0;
    return true;
}

// The empty line that ends the fields is not counted, so a lone CR may be that line waiting for
// its LF. Any other pending bytes start a field line that will count at least as many bytes, so
// where the stream was split never changes whether the fields fit.
bool RequestParser::pendingFieldLineTooLong(const char *pending) const
{
    const bool mayBeEmptyLine = m_scanned == 1 && pending[0] == '\r';
    return !mayBeEmptyLine && m_headerBytes + m_scanned > m_limits.maxHeaderBytes;
}

// Scans the request line byte by byte, so garbage fails on its first invalid byte instead of
// waiting for a line end or a timeout. The length limit is checked on every byte up to the CR, so
// where the stream was split never changes whether a line fits.
RequestParser::Status RequestParser::parseRequestLine(const char *data, qsizetype size, qsizetype *pos)
{
    static constexpr char kVersionPattern[] = "HTTP/#.#";
    const auto lineTooLong = [this] {
        return fail(414, QStringLiteral("The request line exceeds %1 bytes.").arg(m_limits.maxRequestLineBytes));
    };

    while (*pos + m_lineBytes < size) {
        const char *line = data + *pos;
        const char c = line[m_lineBytes];

        switch (m_linePart) {
        case LinePart::Method:
            if (m_lineBytes == 0 && c == '\r') {
                if (*pos + 1 >= size)
                    return Status::NeedMore;
                if (line[1] != '\n')
                    return fail(400, QStringLiteral("The request line is malformed."));
                m_leadingBytes += 2;
                *pos += 2;
                if (m_leadingBytes > kMaxLeadingEmptyLineBytes)
                    return fail(400, QStringLiteral("Too many empty lines before the request line."));
                continue;
            }
            if (isTokenChar(c)) {
                if (++m_lineBytes > kMaxMethodBytes)
                    return fail(400, QStringLiteral("The request method is longer than %1 bytes.").arg(kMaxMethodBytes));
                continue;
            }
            if (c == ' ' && m_lineBytes > 0) {
                m_methodEnd = m_lineBytes++;
                m_linePart = LinePart::Target;
                continue;
            }
            return fail(400, QStringLiteral("The request method is not a token."));

        case LinePart::Target:
            if (c > 0x20 && c < 0x7f) {
                if (++m_lineBytes > m_limits.maxRequestLineBytes)
                    return lineTooLong();
                continue;
            }
            if (c == ' ' && m_lineBytes > m_methodEnd + 1) {
                m_targetEnd = m_lineBytes++;
                m_linePart = LinePart::Version;
                continue;
            }
            return fail(400, QStringLiteral("The request target contains an invalid byte."));

        case LinePart::Version: {
            const qsizetype index = m_lineBytes - m_targetEnd - 1;
            if (index < 8) {
                const char expected = kVersionPattern[index];
                if (expected == '#' ? !isDigit(c) : c != expected)
                    return fail(400, QStringLiteral("The HTTP version is malformed."));
                if (++m_lineBytes > m_limits.maxRequestLineBytes)
                    return lineTooLong();
                continue;
            }
            if (c != '\r')
                return fail(400, QStringLiteral("The HTTP version is malformed."));
            ++m_lineBytes;
            m_linePart = LinePart::LineFeed;
            continue;
        }

        case LinePart::LineFeed: {
            if (c != '\n')
                return fail(400, QStringLiteral("The request line must end with CRLF."));
            const qsizetype length = m_lineBytes - 1;
            *pos += m_lineBytes + 1;
            m_lineBytes = 0;
            return finishRequestLine(line, length);
        }
        }
    }

    return Status::NeedMore;
}

RequestParser::Status RequestParser::finishRequestLine(const char *line, qsizetype length)
{
    const QByteArrayView view(line, length);
    const char major = view[m_targetEnd + 6];
    const char minor = view[m_targetEnd + 8];
    if (major != '1' || (minor != '0' && minor != '1'))
        return fail(505, QStringLiteral("Only HTTP/1.1 and HTTP/1.0 are supported."));

    m_info.minorVersion = minor - '0';
    m_request.method = view.first(m_methodEnd).toByteArray();
    const Result<void> target =
        parseRequestTarget(m_request.method, view.sliced(m_methodEnd + 1, m_targetEnd - m_methodEnd - 1), &m_request);
    if (!target)
        return fail(400, target.error().message);

    m_phase = Phase::Headers;
    m_linePart = LinePart::Method;
    return Status::NeedMore;
}

RequestParser::Status RequestParser::parseHeaderLine(QByteArrayView line)
{
    if (line.isEmpty())
        return finishHeaders();

    m_headerBytes += line.size() + 2;
    if (m_headerBytes > m_limits.maxHeaderBytes)
        return fail(431, QStringLiteral("The header fields exceed %1 bytes.").arg(m_limits.maxHeaderBytes));
    if (++m_headerCount > m_limits.maxHeaderCount)
        return fail(431, QStringLiteral("The request has more than %1 header fields.").arg(m_limits.maxHeaderCount));

    if (isWhitespace(line.front()))
        return fail(400, QStringLiteral("Obsolete line folding in header fields is not accepted."));
    const qsizetype colon = line.indexOf(':');
    QByteArray name = colon > 0 ? lowerCaseToken(line.first(colon)) : QByteArray();
    if (name.isNull())
        return fail(400, QStringLiteral("A header field name is not a token."));
    const QByteArrayView value = trimmedWhitespace(line.sliced(colon + 1));
    if (!isValidFieldValue(value))
        return fail(400, QStringLiteral("A header field value contains a control character."));

    // Only the first X-Request-ID counts; an invalid one is replaced by a minted id later.
    if (name == "x-request-id" && !m_request.hasHeader("x-request-id") && isValidRequestId(value))
        m_request.requestId = value.toByteArray();
    // Typical requests carry a handful of fields, so one allocation fits them all.
    if (m_request.headers.isEmpty())
        m_request.headers.reserve(8);
    m_request.headers.append({std::move(name), value.toByteArray()});
    return Status::NeedMore;
}

RequestParser::Status RequestParser::finishHeaders()
{
    bool hasLength = false;
    qint64 length = 0;
    QByteArray transferEncoding;
    QByteArray expect;
    bool closeRequested = false;
    bool keepAliveRequested = false;
    int hostCount = 0;
    int authorizationCount = 0;

    for (const auto &[name, value] : std::as_const(m_request.headers)) {
        if (name == "host") {
            ++hostCount;
        } else if (name == "authorization") {
            ++authorizationCount;
        } else if (name == "content-length") {
            if (value.isEmpty())
                return fail(400, QStringLiteral("Content-Length must be a decimal number."));
            qint64 parsed = 0;
            for (const char c : value) {
                if (!isDigit(c))
                    return fail(400, QStringLiteral("Content-Length must be a decimal number."));
                parsed = std::min(parsed * 10 + (c - '0'), kSaturatedSize);
            }
            if (hasLength && parsed != length)
                return fail(400, QStringLiteral("The request has conflicting Content-Length values."));
            hasLength = true;
            length = parsed;
        } else if (name == "transfer-encoding") {
            if (!transferEncoding.isNull())
                transferEncoding.append(',');
            transferEncoding.append(value);
        } else if (name == "connection") {
            forEachListElement(value, [&](QByteArrayView option) {
                closeRequested = closeRequested || equalsIgnoringCase(option, "close");
                keepAliveRequested = keepAliveRequested || equalsIgnoringCase(option, "keep-alive");
            });
        } else if (name == "expect") {
            expect = value;
        } else if (name == "upgrade") {
            forEachListElement(value, [&](QByteArrayView protocol) {
                m_info.webSocketUpgrade = m_info.webSocketUpgrade || equalsIgnoringCase(protocol, "websocket");
            });
        }
    }

    // RFC 9112 section 3.2: an HTTP/1.1 request names exactly one Host. Two Host or two
    // Authorization fields let a proxy and this server disagree about where a request goes and
    // who sent it, so neither is ever accepted.
    if (hostCount == 0 && m_info.minorVersion == 1)
        return fail(400, QStringLiteral("An HTTP/1.1 request must carry a Host header field."));
    if (hostCount > 1)
        return fail(400, QStringLiteral("The request has %1 Host header fields; send exactly one.").arg(hostCount));
    if (authorizationCount > 1) {
        return fail(400, QStringLiteral("The request has %1 Authorization header fields; send exactly one.")
                             .arg(authorizationCount));
    }

    // Two framings in one request is how request smuggling starts (RFC 9112 section 6.3).
    if (hasLength && !transferEncoding.isNull())
        return fail(400, QStringLiteral("Content-Length together with Transfer-Encoding is not accepted."));
    const bool chunked = !transferEncoding.isNull();
    if (chunked && m_info.minorVersion == 0)
        return fail(400, QStringLiteral("Transfer-Encoding is not accepted in an HTTP/1.0 request."));
    if (chunked && !equalsIgnoringCase(trimmedWhitespace(transferEncoding), "chunked"))
        return fail(501, QStringLiteral("Only the chunked transfer coding is supported."));
    if (hasLength && length > m_limits.maxBodyBytes)
        return fail(413, QStringLiteral("The request body exceeds %1 bytes.").arg(m_limits.maxBodyBytes));

    m_info.keepAlive = m_info.minorVersion == 1 ? !closeRequested : keepAliveRequested && !closeRequested;
    m_info.hasBody = chunked || length > 0;

    // HTTP/1.0 clients cannot send expectations (RFC 9110 section 10.1.1), so theirs are ignored.
    if (!expect.isNull() && m_info.minorVersion == 1) {
        if (!equalsIgnoringCase(expect, "100-continue"))
            return fail(417, QStringLiteral("Only the 100-continue expectation is supported."));
        m_info.expectsContinue = m_info.hasBody;
    }

    if (chunked) {
        m_phase = Phase::ChunkSize;
    } else if (length > 0) {
        m_phase = Phase::FixedBody;
        m_remaining = length;
        m_request.body.reserve(qsizetype(std::min<qint64>(length, kMaxBodyReserve)));
    } else {
        m_phase = Phase::Complete;
    }
    return Status::HeadersComplete;
}

RequestParser::Status RequestParser::parseChunkSize(QByteArrayView line)
{
    qint64 size = 0;
    qsizetype digits = 0;
    while (digits < line.size() && hexValue(line[digits]) >= 0) {
        // Counting before accumulating keeps the size below 16^15, so it cannot overflow.
        if (digits == kMaxChunkSizeDigits)
            return fail(400, QStringLiteral("The chunk size has too many digits."));
        size = size * 16 + hexValue(line[digits]);
        ++digits;
    }
    if (digits == 0)
        return fail(400, QStringLiteral("The chunk size is not a hexadecimal number."));

    // Chunk extensions are ignored, but they must still be whitespace and ";"-led text.
    QByteArrayView rest = line.sliced(digits);
    while (!rest.isEmpty() && isWhitespace(rest.front()))
        rest = rest.sliced(1);
    if (!rest.isEmpty() && (rest.front() != ';' || !isValidFieldValue(rest)))
        return fail(400, QStringLiteral("The chunk size is followed by invalid bytes."));

    if (size == 0) {
        m_phase = Phase::Trailers;
        m_headerBytes = 0;
        m_headerCount = 0;
        return Status::NeedMore;
    }
    if (m_bodyBytes + size > m_limits.maxBodyBytes)
        return fail(413, QStringLiteral("The request body exceeds %1 bytes.").arg(m_limits.maxBodyBytes));

    m_bodyBytes += size;
    m_remaining = size;
    m_phase = Phase::ChunkData;
    return Status::NeedMore;
}

RequestParser::Status RequestParser::parseTrailerLine(QByteArrayView line)
{
    if (line.isEmpty()) {
        m_phase = Phase::Complete;
        return Status::NeedMore;
    }

    m_headerBytes += line.size() + 2;
    if (m_headerBytes > m_limits.maxHeaderBytes)
        return fail(431, QStringLiteral("The trailer fields exceed %1 bytes.").arg(m_limits.maxHeaderBytes));
    if (++m_headerCount > m_limits.maxHeaderCount)
        return fail(431, QStringLiteral("The request has more than %1 trailer fields.").arg(m_limits.maxHeaderCount));

    // Trailers are discarded, but they are checked like header lines so they cannot smuggle bytes.
    if (isWhitespace(line.front()))
        return fail(400, QStringLiteral("Obsolete line folding in trailer fields is not accepted."));
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0 || !isToken(line.first(colon)) || !isValidFieldValue(line.sliced(colon + 1)))
        return fail(400, QStringLiteral("A trailer field is malformed."));
    return Status::NeedMore;
}

} // namespace Recourse::Http
