#pragma once

#include "core/service/httptypes.h"

#include <QMutex>

#include <memory>

namespace Recourse::Http {

class Connection;

// Shared between a connection and the responders it handed out: responders on other threads
// reach the connection only through it, and the connection clears it when it is destroyed.
struct ConnectionHandle
{
    QMutex mutex;
    Connection *connection = nullptr;
};

// Returns the responder for the request numbered `sequence`. The first call completes the
// request on the connection's thread. Later calls are ignored with a warning, and a responder
// dropped without a call completes the request with a 500.
Responder makeResponder(std::shared_ptr<ConnectionHandle> handle, quint64 sequence, QByteArray requestId);

} // namespace Recourse::Http
