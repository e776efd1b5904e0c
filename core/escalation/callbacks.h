#pragma once

// Per-task callbacks (ARAP Callback Notifications profile): the submission's `callback` member,
// the allowlist of destinations, the internal-address check that defends against server-side
// request forgery, and the HMAC signature of a notification.

#include "core/base/hostresolver.h"
#include "core/base/result.h"
#include "core/store/store.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

namespace Recourse::Escalation::Callbacks {

// The task statuses a PEP may ask to be notified of; omitting `events` selects all of them.
const QStringList &eventNames();

inline constexpr int kMaxStateLength = 1024;

// The `callback` member of a submission, as checked by parse().
struct Request
{
    QUrl endpoint;
    QString state;       // returned verbatim; null when the PEP sent none
    QStringList events;  // empty means every event of eventNames()

    bool wants(const QString &event) const;
    // The form stored in the task document, with `state`.
    QJsonObject toJson() const;
    static Request fromJson(const QJsonObject &object);
};

// Checks the structure of a `callback` member: an absolute https endpoint without userinfo or
// fragment, a string state of at most kMaxStateLength characters, and a non-empty array of known
// event names. Fails with InvalidCallback naming the offending value.
Result<Request> parse(const QJsonValue &value);

// One entry of the callback_allowlist config member.
struct AllowEntry
{
    QString host;       // lower case, as QUrl normalised it
    int port = 443;
    QString pathPrefix; // "/" when the entry names an origin only
    bool internal = false; // this destination may resolve to internal addresses
};

// The destinations callbacks may go to. A string entry is an https origin with an optional path
// prefix and allows public addresses only; an object entry {"origin", "internal": true} allows
// that exact destination to resolve to internal addresses too.
class Allowlist
{
public:
    static Result<Allowlist> fromConfig(const QJsonValue &value);

    // The entry whose scheme, host, port and path prefix match `endpoint`, if any.
    std::optional<AllowEntry> match(const QUrl &endpoint) const;

private:
    QList<AllowEntry> m_entries;
};

// The address a numeric host spelling denotes ("127.1", "2130706433", "0x7f.0.0.1", "::ffff:7f00:1"),
// or nothing for a name. `malformed` is set for a spelling that looks numeric but denotes no address.
std::optional<QHostAddress> numericHost(const QString &host, bool *malformed);

// Whether `address` is loopback, private, link-local, shared, multicast, reserved or unspecified,
// including the IPv4-mapped, IPv4-compatible, 6to4 and NAT64 forms of such IPv4 addresses. Every
// Teredo address (2001::/32) counts as internal too.
bool isInternal(const QHostAddress &address);

using Recourse::HostResolver;

// QHostInfo, the system resolver.
class SystemResolver final : public HostResolver
{
public:
    void lookup(const QString &host, QObject *context,
                std::function<void(QList<QHostAddress> addresses, QString error)> done) const override;
};

// A checked destination: connect to `address`, verify TLS for `host`.
struct Destination
{
    QHostAddress address;
    QString host;
    quint16 port = 443;
};

// Authorizes `endpoint` against the allowlist, resolves its host and rejects the destination
// when any address is internal and the matched entry does not allow internal addresses. An
// unresolvable host is rejected too. Calls `done` on `context`'s thread, with InvalidCallback errors.
void checkDestination(const Allowlist &allowlist, const HostResolver &resolver, const QUrl &endpoint,
                      QObject *context, std::function<void(Result<Destination>)> done);

// The Recourse-Signature header value: "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">".
QByteArray signatureHeader(const QByteArray &secret, qint64 unixSeconds, const QByteArray &body);

// Stores the submission's callback in the task document (and in `task`), in the creating transaction.
Result<void> attachToTask(Store::WriteTx &tx, Store::TaskRecord &task, const QJsonObject &submission);

// Queues a delivery when `task` requested a callback on `status`. Runs in the transaction that
// moves the task to that terminal status.
Result<void> queueIfRequested(Store::WriteTx &tx, const Store::TaskRecord &task, const QString &status);

// The approver API's view: the destination and events (never the state) plus every attempt.
QJsonObject adminSummary(const Store::TaskRecord &task, const QList<Store::CallbackDeliveryRecord> &deliveries,
                         const QList<Store::CallbackAttemptRecord> &attempts);

} // namespace Recourse::Escalation::Callbacks
