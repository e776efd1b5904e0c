#include "core/service/responder.h"

#include "core/service/httpconnection.h"
#include "core/service/httplogging.h"
#include "core/service/problem.h"

#include <QThread>

#include <atomic>

namespace Recourse::Http {

namespace {

// Holds one request's completion. The responder may run on any thread, so it reaches the
// connection only through the shared handle, under its mutex.
struct ResponderState
{
    ResponderState(std::shared_ptr<ConnectionHandle> connectionHandle, quint64 requestSequence, QByteArray id)
        : handle(std::move(connectionHandle)), sequence(requestSequence), requestId(std::move(id))
    {
    }

    // A handler that drops the responder without calling it would stall every later response
    // on the connection, so the request gets a 500 instead.
    ~ResponderState()
    {
        if (called.load())
            return;
        {
            QMutexLocker lock(&handle->mutex);
            if (!handle->connection)
                return;
        }
        qCWarning(lcHttp) << "the handler released the responder of request" << requestId
                          << "without calling it; answering 500";
        deliver(problem(500, QStringLiteral("Internal Server Error"),
            QStringLiteral("The server did not produce a response.")));
    }

    void deliver(Response response)
    {
        QMutexLocker lock(&handle->mutex);
        Connection *connection = handle->connection;
        if (!connection)
            return;

        if (connection->thread() == QThread::currentThread()) {
            lock.unlock();
            connection->complete(sequence, std::move(response));
            return;
        }
        // The connection cannot be destroyed while the mutex is held, and a queued call is
        // dropped with its receiver, so the raw pointer is safe inside the lambda.
        QMetaObject::invokeMethod(
            connection, [connection, requestSequence = sequence, response]() {
                connection->complete(requestSequence, response);
            },
            Qt::QueuedConnection);
    }

    std::shared_ptr<ConnectionHandle> handle;
    quint64 sequence;
    QByteArray requestId;
    std::atomic<bool> called{false};
};

} // namespace

Responder makeResponder(std::shared_ptr<ConnectionHandle> handle, quint64 sequence, QByteArray requestId)
{
    auto state = std::make_shared<ResponderState>(std::move(handle), sequence, std::move(requestId));
    return [state](Response response) {
        if (state->called.exchange(true)) {
            qCWarning(lcHttp) << "the responder of request" << state->requestId
                              << "was called more than once; ignoring the later response";
            return;
        }
        state->deliver(std::move(response));
    };
}

} // namespace Recourse::Http
