#pragma once

#include <QByteArrayView>
#include <QStringView>

#include <optional>

namespace Recourse::Log {

// The parts of the info line that the service writes for every HTTP request (see
// Service::RequestLog). The views are valid only during the call to the writer.
struct RequestLine
{
    const char *category = nullptr;
    QByteArrayView method; // "-" for a request rejected before its method was read
    QStringView route;     // the route pattern, without the method
    int status = 0;
    QByteArrayView requestId; // as sent or minted, or empty
    std::optional<qint64> durationTenthsMs;
    QStringView caller; // the authenticated identity, or empty
};

// Writes a request line straight into the log, without the message and field strings that a line
// through qt_message_output() needs. Returns false for a line it leaves to that generic path,
// which then writes it. Without a writer, which the log sink installs, every line takes the
// generic path.
using RequestLineWriter = bool (*)(const RequestLine &line);

void setRequestLineWriter(RequestLineWriter writer);
RequestLineWriter requestLineWriter();

} // namespace Recourse::Log
