#pragma once

#include "core/service/httptypes.h"

#include <QByteArray>
#include <QString>

namespace Recourse::Http {

// Why a request was rejected: the response status and a plain sentence for the problem detail. Every failure closes the connection, because the framing can no longer be trusted.
struct ParseError
{
    int status = 400;
    QString detail;
};

// Facts from a request's header block that the Request fields do not carry.
struct MessageInfo
{
    int minorVersion = 1;         // HTTP/1.<minorVersion>
    bool keepAlive = true;        // false when the connection closes after the response
    bool expectsContinue = false; // Expect: 100-continue on a request with a body
    bool webSocketUpgrade = false; // Upgrade lists the websocket protocol
    bool hasBody = false;          // Content-Length above zero or chunked
};

// An incremental, strict HTTP/1.1 request parser. It keeps no copy of the input: the caller
// passes its unconsumed bytes, removes the consumed prefix and calls again when more arrive.
// Limits are enforced while bytes arrive, so an oversized line or body fails before it is
// buffered whole.
class RequestParser
{
public:
    enum class Status {
        NeedMore,        // every byte passed in was consumed or is part of an incomplete line
        HeadersComplete, // once per request; info() is valid from here on
        MessageComplete, // takeRequest() returns the request
        Failed,          // error() describes the failure, and the parser stays failed
    };

    explicit RequestParser(const Limits &limits);

    // Parses from `data` and stores in `consumed` how many leading bytes were used. The caller
    // must pass the unconsumed bytes again, followed by new ones.
    Status parse(const char *data, qsizetype size, qsizetype *consumed);

    // Returns the complete request and resets the parser for the next one.
    Request takeRequest();

    // True until the first byte of the next request has been consumed.
    bool atMessageStart() const { return m_phase == Phase::RequestLine && m_lineBytes == 0 && m_leadingBytes == 0; }
    bool inHeaders() const { return m_phase == Phase::RequestLine || m_phase == Phase::Headers; }
    bool headersDone() const { return !inHeaders() && m_phase != Phase::Failed; }

    const MessageInfo &info() const { return m_info; }
    const Request &request() const { return m_request; }
    const ParseError &error() const { return m_error; }

    // The X-Request-ID of the request being parsed when it was present and valid, else empty.
    const QByteArray &requestId() const { return m_request.requestId; }
    // Gives the request being parsed the id the server minted for it, because it sent none.
    void setMintedRequestId(QByteArray id) { m_request.requestId = std::move(id); }

    // Whether `value` may be echoed as X-Request-ID: 1 to 256 bytes of UTF-8 without control characters.
    static bool isValidRequestId(QByteArrayView value);

private:
    enum class Phase {
        RequestLine,
        Headers,
        FixedBody,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        Complete,
        Failed,
    };
    enum class LinePart { Method, Target, Version, LineFeed };

    Status parseRequestLine(const char *data, qsizetype size, qsizetype *pos);
    Status finishRequestLine(const char *line, qsizetype length);
    Status parseHeaderLine(QByteArrayView line);
    Status finishHeaders();
    Status parseChunkSize(QByteArrayView line);
    Status parseTrailerLine(QByteArrayView line);

    // Finds the next complete line (without CRLF) from data[pos] and returns false when it is
    // incomplete. A bare LF sets `failed`.
    bool takeLine(const char *data, qsizetype size, qsizetype *pos, QByteArrayView *line, bool *failed);
    // Returns true when the incomplete field line starting at `pending` can no longer fit in
    // maxHeaderBytes.
    bool pendingFieldLineTooLong(const char *pending) const;

    Status fail(int status, QString detail);

    Limits m_limits;
    Phase m_phase = Phase::RequestLine;
    Request m_request;
    MessageInfo m_info;
    ParseError m_error;

    // Request line scanning state, relative to the first byte of the line.
    LinePart m_linePart = LinePart::Method;
    qsizetype m_lineBytes = 0;
    qsizetype m_methodEnd = 0;
    qsizetype m_targetEnd = 0;
    qsizetype m_leadingBytes = 0; // empty lines before the request line

    qsizetype m_scanned = 0; // bytes of the current incomplete line already searched for LF
    qsizetype m_headerBytes = 0;
    int m_headerCount = 0;

    qint64 m_remaining = 0; // bytes left in the fixed body or the current chunk
    qint64 m_bodyBytes = 0;
};

} // namespace Recourse::Http
