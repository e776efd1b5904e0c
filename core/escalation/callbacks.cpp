#include "core/escalation/callbacks.h"

#include "core/base/rfc3339.h"

#include <QHostInfo>
#include <QJsonArray>
#include <QMessageAuthenticationCode>

namespace Recourse::Escalation::Callbacks {

namespace {

constexpr int kMaxEndpointLength = 2048;

Error invalidCallback(const QString &message, const QString &value)
{
    return Error::make(ErrorCode::InvalidCallback, message, value);
}

Error configError(const QString &message, const QString &value = {})
{
    return Error::make(ErrorCode::InvalidRequest, message, value);
}

// One part of an inet_aton() style IPv4 spelling: decimal, octal with a leading 0, or hex with 0x.
std::optional<quint64> parseIpv4Part(const QString &part)
{
    if (part.isEmpty())
        return std::nullopt;
    int base = 10;
    QString digits = part;
    if (part.startsWith(QLatin1String("0x"), Qt::CaseInsensitive)) {
        base = 16;
        digits = part.mid(2);
        if (digits.isEmpty())
            return 0; // "0x" alone is zero, as the WHATWG URL parser reads it
    } else if (part.size() > 1 && part.startsWith(u'0')) {
        base = 8;
        digits = part.mid(1);
    }
    bool ok = false;
    const quint64 value = digits.toULongLong(&ok, base);
    if (!ok || value > 0xFFFFFFFFULL)
        return std::nullopt;
    return value;
}

bool looksNumeric(const QString &label)
{
    if (label.isEmpty())
        return false;
    if (label.startsWith(QLatin1String("0x"), Qt::CaseInsensitive)) {
        for (QChar c : QStringView(label).mid(2)) {
            if (!c.isDigit() && !QStringLiteral("abcdefABCDEF").contains(c))
                return false;
        }
        return true;
    }
    for (QChar c : label) {
        if (c < u'0' || c > u'9')
            return false;
    }
    return true;
}

bool isInternalIpv4(quint32 a)
{
    return (a >> 24) == 0                     // 0.0.0.0/8 "this network"
        || (a >> 24) == 10                    // 10.0.0.0/8
        || (a & 0xFFC00000u) == 0x64400000u   // 100.64.0.0/10 shared address space
        || (a >> 24) == 127                   // 127.0.0.0/8 loopback
        || (a >> 16) == 0xA9FEu               // 169.254.0.0/16 link-local, cloud metadata
        || (a & 0xFFF00000u) == 0xAC100000u   // 172.16.0.0/12
        || (a >> 16) == 0xC0A8u               // 192.168.0.0/16
        || (a >> 8) == 0xC00000u              // 192.0.0.0/24 protocol assignments
        || (a & 0xFFFE0000u) == 0xC6120000u   // 198.18.0.0/15 benchmarking
        || a >= 0xE0000000u;                  // 224.0.0.0/4 multicast, 240.0.0.0/4 reserved, broadcast
}

quint32 ipv4At(const Q_IPV6ADDR &b, int offset)
{
    return (quint32(b[offset]) << 24) | (quint32(b[offset + 1]) << 16) | (quint32(b[offset + 2]) << 8)
        | quint32(b[offset + 3]);
}

bool allZero(const Q_IPV6ADDR &b, int from, int to)
{
    for (int i = from; i < to; ++i) {
        if (b[i] != 0)
            return false;
    }
    return true;
}

// Finds "." and ".." segments, plain or percent-encoded. They are rejected because an allowlist
// path prefix "/hooks/" would match "/hooks/../admin", which the receiver reads as "/admin".
bool hasDotSegment(const QUrl &url)
{
    const QStringList segments = url.path(QUrl::FullyDecoded).split(u'/');
    return segments.contains(QStringLiteral(".")) || segments.contains(QStringLiteral(".."));
}

bool pathHasPrefix(const QString &path, const QString &prefix)
{
    if (prefix == QLatin1String("/") || path == prefix)
        return true;
    if (prefix.endsWith(u'/'))
        return path.startsWith(prefix);
    return path.startsWith(prefix + u'/');
}

Result<AllowEntry> parseAllowEntry(const QJsonValue &value, const QString &where)
{
    QString origin;
    bool internal = false;
    if (value.isString()) {
        origin = value.toString();
    } else if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            if (it.key() != QLatin1String("origin") && it.key() != QLatin1String("internal")) {
                return configError(QStringLiteral("%1 has the unknown member \"%2\"; the members are origin and "
                                                  "internal.").arg(where, it.key()),
                                   it.key());
            }
        }
        const QJsonValue internalValue = object.value(QStringLiteral("internal"));
        if (!internalValue.isUndefined() && !internalValue.isBool())
            return configError(QStringLiteral("%1.internal must be true or false.").arg(where), where);
        origin = object.value(QStringLiteral("origin")).toString();
        internal = internalValue.toBool();
    } else {
        return configError(QStringLiteral("%1 must be an https URL or an object with origin and internal.").arg(where),
                           where);
    }

    const QUrl url(origin, QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != QLatin1String("https") || url.host().isEmpty()) {
        return configError(QStringLiteral("%1 must be an absolute https URL such as https://pep.example.test, not "
                                          "\"%2\".").arg(where, origin),
                           origin);
    }
    if (!url.userInfo().isEmpty() || url.hasQuery() || url.hasFragment() || hasDotSegment(url)) {
        return configError(QStringLiteral("%1 may name only an https origin and a path prefix, without user "
                                          "info, query, fragment or dot segments: \"%2\".").arg(where, origin),
                           origin);
    }
    AllowEntry entry;
    entry.host = url.host(QUrl::FullyEncoded).toLower();
    entry.port = url.port(443);
    entry.pathPrefix = url.path(QUrl::FullyEncoded).isEmpty() ? QStringLiteral("/") : url.path(QUrl::FullyEncoded);
    entry.internal = internal;
    return entry;
}

Result<Destination> chooseAddress(const AllowEntry &entry, const QUrl &endpoint, const QList<QHostAddress> &addresses)
{
    const QString text = endpoint.toString(QUrl::FullyEncoded);
    if (addresses.isEmpty())
        return invalidCallback(QStringLiteral("The callback host %1 has no address.").arg(endpoint.host()), text);
    // Every address counts: a name with one public and one internal address must not reach the
    // internal one on a later connection.
    for (const QHostAddress &address : addresses) {
        if (isInternal(address) && !entry.internal) {
            return invalidCallback(QStringLiteral("The callback host %1 resolves to the internal address %2; an "
                                                  "internal destination needs a callback_allowlist entry with "
                                                  "\"internal\": true.").arg(endpoint.host(), address.toString()),
                                   text);
        }
    }
    return Destination{addresses.first(), endpoint.host(QUrl::FullyEncoded), quint16(endpoint.port(443))};
}

} // namespace

const QStringList &eventNames()
{
    static const QStringList names{QStringLiteral("approved"), QStringLiteral("denied"), QStringLiteral("expired"),
                                   QStringLiteral("cancelled"), QStringLiteral("failed"), QStringLiteral("partial")};
    return names;
}

bool Request::wants(const QString &event) const
{
    return events.isEmpty() ? eventNames().contains(event) : events.contains(event);
}

QJsonObject Request::toJson() const
{
    QJsonObject object{{QStringLiteral("endpoint"), endpoint.toString(QUrl::FullyEncoded)}};
    if (!state.isNull())
        object.insert(QStringLiteral("state"), state);
    if (!events.isEmpty())
        object.insert(QStringLiteral("events"), QJsonArray::fromStringList(events));
    return object;
}

Request Request::fromJson(const QJsonObject &object)
{
    Request request;
    request.endpoint = QUrl(object.value(QStringLiteral("endpoint")).toString(), QUrl::StrictMode);
    if (object.value(QStringLiteral("state")).isString())
        request.state = object.value(QStringLiteral("state")).toString();
    for (const QJsonValue &event : object.value(QStringLiteral("events")).toArray())
        request.events.append(event.toString());
    return request;
}

Result<Request> parse(const QJsonValue &value)
{
    if (!value.isObject())
        return invalidCallback(QStringLiteral("The member callback must be an object."), QStringLiteral("callback"));
    const QJsonObject object = value.toObject();

    const QJsonValue endpointValue = object.value(QStringLiteral("endpoint"));
    if (!endpointValue.isString() || endpointValue.toString().isEmpty()) {
        return invalidCallback(QStringLiteral("callback.endpoint is required and must be an https URL."),
                               QStringLiteral("callback.endpoint"));
    }
    const QString text = endpointValue.toString();
    if (text.size() > kMaxEndpointLength) {
        return invalidCallback(QStringLiteral("callback.endpoint is longer than %1 characters.").arg(kMaxEndpointLength),
                               text);
    }
    const QUrl endpoint(text, QUrl::StrictMode);
    if (!endpoint.isValid() || endpoint.isRelative() || endpoint.host().isEmpty())
        return invalidCallback(QStringLiteral("callback.endpoint must be an absolute https URL."), text);
    if (endpoint.scheme() != QLatin1String("https"))
        return invalidCallback(QStringLiteral("callback.endpoint must use https; notifications are never sent in "
                                              "clear text."), text);
    if (!endpoint.userInfo().isEmpty() || endpoint.authority().contains(u'@'))
        return invalidCallback(QStringLiteral("callback.endpoint must not contain user info."), text);
    if (endpoint.hasFragment())
        return invalidCallback(QStringLiteral("callback.endpoint must not contain a fragment."), text);
    if (hasDotSegment(endpoint))
        return invalidCallback(QStringLiteral("callback.endpoint must not contain . or .. path segments."), text);
    bool malformed = false;
    numericHost(endpoint.host(), &malformed);
    if (malformed)
        return invalidCallback(QStringLiteral("callback.endpoint has a numeric host that is no IP address."), text);

    Request request;
    request.endpoint = endpoint;

    const QJsonValue state = object.value(QStringLiteral("state"));
    if (!state.isUndefined()) {
        if (!state.isString())
            return invalidCallback(QStringLiteral("callback.state must be a string."), QStringLiteral("callback.state"));
        if (state.toString().size() > kMaxStateLength) {
            return invalidCallback(QStringLiteral("callback.state is longer than %1 characters.").arg(kMaxStateLength),
                                   QStringLiteral("callback.state"));
        }
        request.state = state.toString();
    }

    const QJsonValue events = object.value(QStringLiteral("events"));
    if (!events.isUndefined()) {
        if (!events.isArray() || events.toArray().isEmpty()) {
            return invalidCallback(QStringLiteral("callback.events must be a non-empty array of %1; omit it for all.")
                                       .arg(eventNames().join(QStringLiteral(", "))),
                                   QStringLiteral("callback.events"));
        }
        for (const QJsonValue &event : events.toArray()) {
            if (!event.isString() || !eventNames().contains(event.toString())) {
                return invalidCallback(QStringLiteral("callback.events may contain only %1.")
                                           .arg(eventNames().join(QStringLiteral(", "))),
                                       event.isString() ? event.toString() : QStringLiteral("callback.events"));
            }
            if (!request.events.contains(event.toString()))
                request.events.append(event.toString());
        }
    }
    return request;
}

Result<Allowlist> Allowlist::fromConfig(const QJsonValue &value)
{
    Allowlist allowlist;
    if (value.isUndefined())
        return allowlist;
    if (!value.isArray()) {
        return configError(QStringLiteral("The config member callback_allowlist must be an array of https URLs or "
                                          "{\"origin\", \"internal\"} objects."));
    }
    const QJsonArray entries = value.toArray();
    for (qsizetype i = 0; i < entries.size(); ++i) {
        auto entry = parseAllowEntry(entries.at(i), QStringLiteral("callback_allowlist[%1]").arg(i));
        if (!entry)
            return entry.error();
        allowlist.m_entries.append(entry.value());
    }
    return allowlist;
}

std::optional<AllowEntry> Allowlist::match(const QUrl &endpoint) const
{
    if (endpoint.scheme() != QLatin1String("https"))
        return std::nullopt;
    const QString host = endpoint.host(QUrl::FullyEncoded).toLower();
    const int port = endpoint.port(443);
    const QString path = endpoint.path(QUrl::FullyEncoded).isEmpty() ? QStringLiteral("/")
                                                                     : endpoint.path(QUrl::FullyEncoded);
    // An internal entry wins over a public one for the same destination, because it allows more.
    std::optional<AllowEntry> found;
    for (const AllowEntry &entry : m_entries) {
        if (entry.host != host || entry.port != port || !pathHasPrefix(path, entry.pathPrefix))
            continue;
        if (!found || entry.internal)
            found = entry;
    }
    return found;
}

std::optional<QHostAddress> numericHost(const QString &host, bool *malformed)
{
    *malformed = false;
    if (host.contains(u':')) {
        const QHostAddress address(host);
        if (address.isNull()) {
            *malformed = true;
            return std::nullopt;
        }
        return address;
    }

    // As in the WHATWG URL parser, a host whose last label is numeric is an IPv4 address in one
    // of the inet_aton() spellings, or invalid. It is never looked up as a name.
    QStringList parts = host.split(u'.');
    if (parts.size() > 1 && parts.last().isEmpty())
        parts.removeLast();
    if (!looksNumeric(parts.last()))
        return std::nullopt;
    if (parts.size() > 4) {
        *malformed = true;
        return std::nullopt;
    }
    quint64 address = 0;
    for (qsizetype i = 0; i < parts.size(); ++i) {
        const std::optional<quint64> value = parseIpv4Part(parts.at(i));
        const bool last = i == parts.size() - 1;
        // The last part fills the remaining bytes; every other part is one byte.
        const quint64 limit = last ? (quint64(1) << (8 * (4 - i))) - 1 : 255;
        if (!value || *value > limit) {
            *malformed = true;
            return std::nullopt;
        }
        address = last ? (address << (8 * (4 - i))) | *value : (address << 8) | *value;
    }
    return QHostAddress(quint32(address));
}

bool isInternal(const QHostAddress &address)
{
    if (address.isNull())
        return true;
    if (address.protocol() == QAbstractSocket::IPv4Protocol)
        return isInternalIpv4(address.toIPv4Address());

    const Q_IPV6ADDR b = address.toIPv6Address();
    // ::ffff:a.b.c.d (IPv4-mapped) and ::a.b.c.d (IPv4-compatible, which includes :: and ::1).
    if (allZero(b, 0, 10) && ((b[10] == 0xff && b[11] == 0xff) || (b[10] == 0 && b[11] == 0)))
        return isInternalIpv4(ipv4At(b, 12));
    // 64:ff9b::/96, the well-known NAT64 prefix, embeds the IPv4 address in its last four bytes.
    if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) {
        if (allZero(b, 4, 12))
            return isInternalIpv4(ipv4At(b, 12));
        return true; // 64:ff9b:1::/48 is for local NAT64 use
    }
    // 2001::/32 (Teredo) reaches a host through a UDP tunnel to the IPv4 address stored inverted
    // in bytes 12 to 15, with a Teredo server's IPv4 address in bytes 4 to 7. Either may be
    // internal, so the whole prefix is rejected instead of decoded. A receiver on a Teredo
    // address needs an allowlist entry with "internal": true.
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00)
        return true;
    // 2002::/16 (6to4) embeds the IPv4 address in bytes 2 to 5.
    if (b[0] == 0x20 && b[1] == 0x02)
        return isInternalIpv4(ipv4At(b, 2));
    if ((b[0] & 0xfe) == 0xfc) // fc00::/7 unique local
        return true;
    if (b[0] == 0xfe && (b[1] & 0x80) == 0x80) // fe80::/10 link-local and fec0::/10 site-local
        return true;
    if (b[0] == 0xff) // ff00::/8 multicast
        return true;
    if (b[0] == 0x01 && b[1] == 0x00 && allZero(b, 2, 8)) // 100::/64 discard-only
        return true;
    return false;
}

void SystemResolver::lookup(const QString &host, QObject *context,
                            std::function<void(QList<QHostAddress> addresses, QString error)> done) const
{
    QHostInfo::lookupHost(host, context, [done](const QHostInfo &info) {
        if (info.error() != QHostInfo::NoError) {
            done({}, info.errorString());
            return;
        }
        done(info.addresses(), {});
    });
}

void checkDestination(const Allowlist &allowlist, const HostResolver &resolver, const QUrl &endpoint,
                      QObject *context, std::function<void(Result<Destination>)> done)
{
    const QString text = endpoint.toString(QUrl::FullyEncoded);
    const std::optional<AllowEntry> entry = allowlist.match(endpoint);
    if (!entry) {
        done(invalidCallback(QStringLiteral("The callback endpoint is not on this service's callback_allowlist; "
                                            "ask the operator to add its origin."),
                             text));
        return;
    }

    bool malformed = false;
    if (const std::optional<QHostAddress> numeric = numericHost(endpoint.host(), &malformed)) {
        done(chooseAddress(*entry, endpoint, {*numeric}));
        return;
    }
    if (malformed) {
        done(invalidCallback(QStringLiteral("The callback host is a numeric spelling that is no IP address."), text));
        return;
    }

    resolver.lookup(endpoint.host(), context,
                    [entry = *entry, endpoint, text, done](QList<QHostAddress> addresses, QString error) {
        if (addresses.isEmpty()) {
            // Fails closed: a name that does not resolve now is no safer when it resolves later.
            done(invalidCallback(QStringLiteral("The callback host %1 could not be resolved: %2")
                                     .arg(endpoint.host(), error.isEmpty() ? QStringLiteral("no address") : error),
                                 text));
            return;
        }
        done(chooseAddress(entry, endpoint, addresses));
    });
}

QByteArray signatureHeader(const QByteArray &secret, qint64 unixSeconds, const QByteArray &body)
{
    const QByteArray timestamp = QByteArray::number(unixSeconds);
    QMessageAuthenticationCode mac(QCryptographicHash::Sha256, secret);
    mac.addData(timestamp);
    mac.addData(".");
    mac.addData(body);
    return "t=" + timestamp + ",v1=" + mac.result().toHex();
}

Result<void> attachToTask(Store::WriteTx &tx, Store::TaskRecord &task, const QJsonObject &submission)
{
    if (!submission.contains(QStringLiteral("callback")))
        return {};
    Result<Request> request = parse(submission.value(QStringLiteral("callback")));
    if (!request)
        return request.error();
    task.doc.insert(QStringLiteral("callback"), request->toJson());
    return tx.updateTaskDoc(task.id, task.doc);
}

Result<void> queueIfRequested(Store::WriteTx &tx, const Store::TaskRecord &task, const QString &status)
{
    const QJsonValue callback = task.doc.value(QStringLiteral("callback"));
    if (!callback.isObject())
        return {};
    if (!Request::fromJson(callback.toObject()).wants(status))
        return {};
    return tx.queueCallbackDelivery(task.id, status);
}

QJsonObject adminSummary(const Store::TaskRecord &task, const QList<Store::CallbackDeliveryRecord> &deliveries,
                         const QList<Store::CallbackAttemptRecord> &attempts)
{
    const Request request = Request::fromJson(task.doc.value(QStringLiteral("callback")).toObject());
    QJsonArray deliveryList;
    for (const Store::CallbackDeliveryRecord &delivery : deliveries) {
        QJsonArray log;
        for (const Store::CallbackAttemptRecord &attempt : attempts) {
            if (attempt.deliveryId == delivery.id)
                log.append(attempt.toJson());
        }
        QJsonObject entry{{QStringLiteral("event"), delivery.event},
                          {QStringLiteral("status"), delivery.state},
                          {QStringLiteral("attempts"), delivery.attempts},
                          {QStringLiteral("log"), log}};
        if (delivery.state == QLatin1String("pending"))
            entry.insert(QStringLiteral("next_attempt_at"), Rfc3339::format(delivery.nextAttemptMs));
        deliveryList.append(entry);
    }
    return QJsonObject{
        {QStringLiteral("endpoint"), request.endpoint.toString(QUrl::FullyEncoded)},
        {QStringLiteral("events"), QJsonArray::fromStringList(request.events.isEmpty() ? eventNames() : request.events)},
        {QStringLiteral("deliveries"), deliveryList},
    };
}

} // namespace Recourse::Escalation::Callbacks
