#include "core/escalation/callbackdispatcher.h"

#include "core/escalation/internal.h"

#include "core/base/logfields.h"
#include "core/base/rfc3339.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkProxy>
#include <QSslConfiguration>
#include <QSslSocket>

Q_LOGGING_CATEGORY(lcCallbacks, "recourse.callbacks", QtWarningMsg)

namespace Recourse::Escalation {

namespace {

struct PostOutcome
{
    int status = 0; // 0 when no status line arrived
    QString error;
};

// The request bytes: HTTP/1.1 with Connection: close, because one notification is all this
// connection carries.
QByteArray buildRequest(const QUrl &endpoint, const QByteArray &body, const QByteArray &signature)
{
    QByteArray target = endpoint.path(QUrl::FullyEncoded).toUtf8();
    if (target.isEmpty())
        target = "/";
    if (endpoint.hasQuery())
        target += '?' + endpoint.query(QUrl::FullyEncoded).toUtf8();
    QByteArray request = "POST " + target + " HTTP/1.1\r\n";
    request += "Host: " + endpoint.authority(QUrl::FullyEncoded).toUtf8() + "\r\n";
    request += "Content-Type: application/json\r\n";
    request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    request += "Recourse-Signature: " + signature + "\r\n";
    request += "User-Agent: Recourse\r\n";
    request += "Connection: close\r\n\r\n";
    return request + body;
}

// Sends `request` over TLS to the checked address and reports the response's status code. The
// certificate must be valid for `destination.host`. Only the status line is read, so a redirect
// is never followed: the dispatcher counts any status outside 2xx as a failed attempt.
void post(QObject *parent, const Callbacks::Destination &destination, const QByteArray &request,
          const QList<QSslCertificate> &extraCaCertificates, std::function<void(PostOutcome)> done)
{
    auto *socket = new QSslSocket(parent);
    auto *timeout = new QTimer(socket);
    timeout->setSingleShot(true);
    auto received = std::make_shared<QByteArray>();
    auto finished = std::make_shared<bool>(false);
    auto finish = [socket, finished, done](PostOutcome outcome) {
        if (*finished)
            return;
        *finished = true;
        socket->disconnect();
        socket->abort();
        socket->deleteLater();
        done(outcome);
    };

    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.addCaCertificates(extraCaCertificates);
    configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    socket->setSslConfiguration(configuration);
    // A proxy would resolve the name again and defeat the address check.
    socket->setProxy(QNetworkProxy::NoProxy);

    QObject::connect(socket, &QSslSocket::encrypted, socket, [socket, request] { socket->write(request); });
    QObject::connect(socket, &QSslSocket::readyRead, socket, [socket, received, finish] {
        received->append(socket->readAll());
        const qsizetype end = received->indexOf("\r\n");
        if (end < 0) {
            if (received->size() > 8192)
                finish({0, QStringLiteral("The response has no status line.")});
            return;
        }
        // "HTTP/1.1 204 No Content"
        const QList<QByteArray> parts = received->left(end).split(' ');
        bool ok = false;
        const int status = parts.size() >= 2 && parts.first().startsWith("HTTP/1.") ? parts.at(1).toInt(&ok) : 0;
        if (!ok || status < 100 || status > 599) {
            finish({0, QStringLiteral("The response has a malformed status line.")});
            return;
        }
        finish({status, {}});
    });
    QObject::connect(socket, &QSslSocket::sslErrors, socket, [finish](const QList<QSslError> &errors) {
        finish({0, QStringLiteral("TLS verification failed: ") + errors.first().errorString()});
    });
    QObject::connect(socket, &QAbstractSocket::errorOccurred, socket, [socket, finish](QAbstractSocket::SocketError) {
        finish({0, socket->errorString()});
    });
    QObject::connect(timeout, &QTimer::timeout, socket, [finish] {
        finish({0, QStringLiteral("No response within %1 s.").arg(CallbackDispatcher::kTimeoutMs / 1000)});
    });

    timeout->start(CallbackDispatcher::kTimeoutMs);
    // The host name argument is the checked address, so no second lookup happens. The peer name
    // keeps certificate verification on the endpoint's host.
    socket->connectToHostEncrypted(destination.address.toString(), destination.port, destination.host);
}

// Returns the audit record type for the state an attempt moves its delivery to.
QString auditType(const QString &deliveryState)
{
    if (deliveryState == QLatin1String("delivered"))
        return QStringLiteral("callback.delivered");
    if (deliveryState == QLatin1String("failed"))
        return QStringLiteral("callback.failed");
    return QStringLiteral("callback.attempt_failed");
}

// Appends the audit record and the event of one attempt to the task's trail. The data names the
// event, the attempt, the address connected to and the receiver's status or the failure. It never
// contains the secret, the signature, the PEP's state or the endpoint, whose query may carry a
// token. The event lets a console that shows the task refresh its delivery log at once.
Result<void> recordTrail(Store::WriteTx &tx, const Store::CallbackAttemptRecord &attempt, const QString &deliveryState,
                         qint64 nextAttemptMs)
{
    QJsonObject data{{QStringLiteral("event"), attempt.event}, {QStringLiteral("attempt"), attempt.attempt}};
    if (!attempt.address.isEmpty())
        data.insert(QStringLiteral("address"), attempt.address);
    if (attempt.httpStatus > 0)
        data.insert(QStringLiteral("http_status"), attempt.httpStatus);
    if (!attempt.error.isEmpty())
        data.insert(QStringLiteral("error"), attempt.error);
    if (nextAttemptMs > 0)
        data.insert(QStringLiteral("next_attempt_at"), Rfc3339::format(nextAttemptMs));

    const std::optional<Store::TaskRecord> task = tx.task(attempt.taskId);
    Store::AuditRecord record;
    record.type = auditType(deliveryState);
    record.actor = QStringLiteral("system");
    record.taskId = attempt.taskId;
    record.data = data;
    // With these ids the evaluation_id and subject filters of the audit API find the record too.
    if (task) {
        record.evaluationId = task->evaluationId;
        record.subjectId = task->subjectId;
    }
    if (auto r = tx.appendAudit(record); !r)
        return r;

    // Without its task the event has no subject, resource or action to show, so only the audit
    // record is written.
    if (!task)
        return {};
    return Internal::event(tx, record.type, *task, data);
}

} // namespace

CallbackDispatcher::CallbackDispatcher(Options options, Store::Store *store, const IdentityRegistry *identities,
                                       std::shared_ptr<const Clock> clock, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_store(store)
    , m_identities(identities)
    , m_clock(std::move(clock))
{
    if (!m_options.resolver)
        m_options.resolver = std::make_shared<Callbacks::SystemResolver>();
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, [this] { deliverDue(); });
    m_timer.start();
}

CallbackDispatcher::~CallbackDispatcher() = default;

void CallbackDispatcher::stop()
{
    m_timer.stop();
    m_stopped = true;
}

qint64 CallbackDispatcher::retryDelayMs(int attempt)
{
    static constexpr qint64 delaysSeconds[] = {10, 30, 120, 600, 1800, 7200};
    const int index = qBound(1, attempt, int(std::size(delaysSeconds))) - 1;
    return delaysSeconds[index] * 1000;
}

void CallbackDispatcher::deliverDue(std::function<void()> done)
{
    if (m_stopped) {
        if (done)
            done();
        return;
    }
    Store::Reader reader(*m_store);
    QList<Store::CallbackDeliveryRecord> due = reader.dueCallbackDeliveries(m_clock->nowMs(), 50);
    due.removeIf([this](const Store::CallbackDeliveryRecord &delivery) { return m_inFlight.contains(delivery.id); });
    if (due.isEmpty()) {
        if (done)
            done();
        return;
    }

    auto remaining = std::make_shared<qsizetype>(due.size());
    for (const Store::CallbackDeliveryRecord &delivery : due) {
        m_inFlight.insert(delivery.id);
        attempt(delivery, [remaining, done] {
            if (--*remaining == 0 && done)
                done();
        });
    }
}

void CallbackDispatcher::attempt(const Store::CallbackDeliveryRecord &delivery, std::function<void()> finished)
{
    Store::CallbackAttemptRecord attempt;
    attempt.deliveryId = delivery.id;
    attempt.taskId = delivery.taskId;
    attempt.event = delivery.event;
    attempt.attempt = delivery.attempts + 1;
    attempt.atMs = m_clock->nowMs();
    auto elapsed = std::make_shared<QElapsedTimer>();
    elapsed->start();

    Store::Reader reader(*m_store);
    const std::optional<Store::TaskRecord> task = reader.task(delivery.taskId);
    if (!task) {
        attempt.error = QStringLiteral("The task no longer exists.");
        record(attempt, false, std::move(finished));
        return;
    }
    // The secret is read from the current configuration, so rotating it needs only a restart.
    const std::optional<Identity> pep = m_identities->find(task->requester);
    if (!pep || pep->callbackSecret.isEmpty()) {
        attempt.error = QStringLiteral("The PEP identity %1 has no callback_secret in the configuration.")
                            .arg(task->requester);
        record(attempt, false, std::move(finished));
        return;
    }

    const Callbacks::Request request = Callbacks::Request::fromJson(task->doc.value(QStringLiteral("callback")).toObject());
    // A notification only: the PEP reads the enforceable result from the status endpoint.
    QJsonObject notification{{QStringLiteral("task"),
                              QJsonObject{{QStringLiteral("id"), task->id},
                                          {QStringLiteral("status"), delivery.event},
                                          {QStringLiteral("status_endpoint"),
                                           QString(m_options.accessRequestEndpoint + u'/' + task->id)}}}};
    if (!request.state.isNull())
        notification.insert(QStringLiteral("state"), request.state);
    const QByteArray body = QJsonDocument(notification).toJson(QJsonDocument::Compact);
    const QByteArray secret = pep->callbackSecret;

    // The destination is checked again at every attempt, because the name may resolve elsewhere now.
    Callbacks::checkDestination(m_options.allowlist, *m_options.resolver, request.endpoint, this,
                                [this, attempt, elapsed, request, body, secret, finished](
                                    Result<Callbacks::Destination> destination) mutable {
        if (!destination) {
            attempt.error = QStringLiteral("Destination rejected: ") + destination.error().message;
            attempt.durationMs = elapsed->elapsed();
            record(attempt, false, std::move(finished));
            return;
        }
        attempt.address = destination->address.toString();
        const QByteArray signature = Callbacks::signatureHeader(secret, m_clock->nowSeconds(), body);
        post(this, destination.value(), buildRequest(request.endpoint, body, signature), m_options.extraCaCertificates,
             [this, attempt, elapsed, finished](PostOutcome outcome) mutable {
            attempt.httpStatus = outcome.status;
            attempt.durationMs = elapsed->elapsed();
            const bool delivered = outcome.status >= 200 && outcome.status < 300;
            if (!delivered) {
                attempt.error = outcome.status > 0
                    ? QStringLiteral("The receiver answered with status %1; only 2xx counts as delivered and "
                                     "redirects are not followed.").arg(outcome.status)
                    : outcome.error;
            }
            record(attempt, delivered, std::move(finished));
        });
    });
}

void CallbackDispatcher::record(Store::CallbackAttemptRecord attempt, bool delivered, std::function<void()> finished)
{
    QString state = QStringLiteral("pending");
    qint64 nextAttemptMs = 0;
    if (delivered)
        state = QStringLiteral("delivered");
    else if (attempt.attempt >= kMaxAttempts)
        state = QStringLiteral("failed");
    else
        nextAttemptMs = m_clock->nowMs() + retryDelayMs(attempt.attempt);

    // Never the state or the secret: the fields name the task, the event and the attempt only.
    {
        const Log::ScopedFields fields(QJsonObject{{QStringLiteral("task_id"), attempt.taskId},
                                                   {QStringLiteral("event"), attempt.event},
                                                   {QStringLiteral("attempt"), attempt.attempt},
                                                   {QStringLiteral("address"), attempt.address},
                                                   {QStringLiteral("http_status"), attempt.httpStatus}});
        if (delivered) {
            qCInfo(lcCallbacks).noquote() << "Delivered the" << attempt.event << "callback of task" << attempt.taskId
                                          << "on attempt" << attempt.attempt;
        } else {
            const QString outcome = state == QLatin1String("failed")
                ? QStringLiteral("Giving up after %1 attempts.").arg(kMaxAttempts)
                : QStringLiteral("Retrying at %1.").arg(Rfc3339::format(nextAttemptMs));
            qCWarning(lcCallbacks).noquote() << "Callback attempt" << attempt.attempt << "for the" << attempt.event
                                             << "event of task" << attempt.taskId << "failed:" << attempt.error
                                             << outcome;
        }
    }

    if (m_stopped) {
        // The store is closing, so the delivery stays due and is attempted again after a restart.
        m_inFlight.remove(attempt.deliveryId);
        finished();
        return;
    }
    const qint64 deliveryId = attempt.deliveryId;
    // The attempt, its audit record and its event commit together, so the audit trail, the event
    // stream and the delivery log never disagree about an attempt.
    m_store->write([attempt, state, nextAttemptMs](Store::WriteTx &tx) -> Result<QJsonObject> {
        if (auto r = tx.recordCallbackAttempt(attempt, state, nextAttemptMs); !r)
            return r.error();
        if (auto r = recordTrail(tx, attempt, state, nextAttemptMs); !r)
            return r.error();
        return QJsonObject{};
    }, this, [this, deliveryId, finished](Result<QJsonObject> result) {
        if (!result)
            qCWarning(lcCallbacks) << "Recording a callback attempt failed:" << result.error().message;
        m_inFlight.remove(deliveryId);
        finished();
    });
}

} // namespace Recourse::Escalation
