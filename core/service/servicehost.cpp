#include "core/service/servicehost.h"

#include "core/base/logfields.h"
#include "core/escalation/callbackdispatcher.h"
#include "core/escalation/escalationservice.h"
#include "core/escalation/identities.h"
#include "core/jose/jose.h"
#include "core/json/json.h"
#include "core/policy/policy.h"
#include "core/service/api.h"
#include "core/service/eventhub.h"
#include "core/service/metrics.h"
#include "core/service/httpserver.h"
#include "core/service/servicelogging.h"
#include "core/service/signingkeys.h"
#include "core/service/tls.h"
#include "core/store/store.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QSslCertificate>
#include <QThread>

#include <cmath>

Q_LOGGING_CATEGORY(lcService, "recourse.service", QtWarningMsg)

namespace Recourse::Service {

struct ServiceHost::Private
{
    std::shared_ptr<Clock> clock;
    Escalation::IdentityRegistry identities;
    SigningKeys *signingKeys = nullptr;
    Policy::PolicyStore *policies = nullptr;
    Store::Store *store = nullptr;
    Escalation::EscalationService *escalation = nullptr;
    Escalation::UpstreamPdp *upstream = nullptr;
    Escalation::CallbackDispatcher *callbacks = nullptr;
    Api *api = nullptr;
    Metrics metrics;
    std::unique_ptr<RateLimiter> rateLimiter;
    EventHub *events = nullptr;
    Http::Server *server = nullptr;
    QUrl baseUrl;
    QString tlsFingerprint;
};

ServiceHost::ServiceHost(QObject *parent) : QObject(parent), d(std::make_unique<Private>()) { }

ServiceHost::~ServiceHost()
{
    shutdown();
}

QUrl ServiceHost::baseUrl() const
{
    return d->baseUrl;
}

EventHub *ServiceHost::events() const
{
    return d->events;
}

void ServiceHost::deliverDueCallbacks(std::function<void()> done)
{
    if (!d->callbacks) {
        done();
        return;
    }
    d->callbacks->deliverDue(std::move(done));
}

QString ServiceHost::tlsFingerprint() const
{
    return d->tlsFingerprint;
}

void ServiceHost::addIdentity(const QString &id, const QString &role, const QStringList &groups, const QString &token)
{
    const std::optional<Escalation::Role> parsed = Escalation::roleFromName(role);
    if (!parsed) {
        qCWarning(lcService) << "Ignoring identity" << id << "with unknown role" << role;
        return;
    }
    Escalation::Identity identity;
    identity.id = id;
    identity.role = *parsed;
    identity.groups = groups;
    if (auto added = d->identities.add(identity, token); !added) {
        qCWarning(lcService) << "Cannot add identity" << id << ":" << added.error().message;
        return;
    }
    qCInfo(lcService).noquote() << "Added identity" << id << "with role" << role;
}

void ServiceHost::drain(std::function<void()> done)
{
    if (!d->server || !d->store) {
        done();
        return;
    }
    d->server->close();
    qCInfo(lcService) << "Draining: the listener is closed and the queued writes are being committed";
    // The writer is first in, first out, so when this no-op answers, every earlier write has
    // committed and its answer was queued to this thread ahead of ours.
    d->store->write([](Store::WriteTx &) -> Result<QJsonObject> { return QJsonObject{}; }, this,
                    [done](Result<QJsonObject>) { done(); });
}

void ServiceHost::shutdown()
{
    if (!d->server)
        return;
    d->server->close();
    if (d->callbacks)
        d->callbacks->stop();
    if (d->store)
        d->store->close();
    // After the store: every queued job has signed by now.
    if (d->signingKeys)
        d->signingKeys->close();
    d->server = nullptr;
    qCInfo(lcService) << "Service stopped";
}

namespace {

// A misspelt member would otherwise be ignored and leave a default in force, such as
// "clock_skew" for clock_skew_seconds or "burst_size" for a rate limit's burst.
Result<void> checkConfigMembers(const QJsonObject &config)
{
    const QStringList known{QStringLiteral("identities"), QStringLiteral("clock_skew_seconds"),
                            QStringLiteral("rate_limit"), QStringLiteral("callback_allowlist"),
                            QStringLiteral("callback_ca_file"), QStringLiteral("event_retention_days")};
    for (auto it = config.constBegin(); it != config.constEnd(); ++it) {
        if (!known.contains(it.key())) {
            return Error::make(ErrorCode::InvalidRequest,
                               QStringLiteral("The config has the unknown member \"%1\"; the members are %2.")
                                   .arg(it.key(), known.join(QStringLiteral(", "))),
                               it.key());
        }
    }

    const QJsonValue rateLimit = config.value(QStringLiteral("rate_limit"));
    if (rateLimit.isUndefined())
        return {};
    if (!rateLimit.isObject())
        return Error::make(ErrorCode::InvalidRequest, QStringLiteral("The config member rate_limit must be an object."));
    const QStringList rateMembers{QStringLiteral("requests_per_second"), QStringLiteral("burst")};
    const QJsonObject limits = rateLimit.toObject();
    for (auto it = limits.constBegin(); it != limits.constEnd(); ++it) {
        if (!rateMembers.contains(it.key()) || !it.value().isDouble() || it.value().toDouble() < 0) {
            return Error::make(ErrorCode::InvalidRequest,
                               QStringLiteral("rate_limit.%1 is not valid; rate_limit takes requests_per_second and "
                                              "burst, each a number of at least 0.").arg(it.key()),
                               it.key());
        }
    }
    return {};
}

// The certificates of callback_ca_file, which callback receivers may chain to besides the system CAs.
Result<QList<QSslCertificate>> callbackCaCertificates(const QJsonObject &config)
{
    const QJsonValue file = config.value(QStringLiteral("callback_ca_file"));
    if (file.isUndefined())
        return QList<QSslCertificate>();
    if (!file.isString() || file.toString().isEmpty()) {
        return Error::make(ErrorCode::InvalidRequest,
                           QStringLiteral("The config member callback_ca_file must be the path of a PEM file."));
    }
    QFile pem(file.toString());
    if (!pem.open(QIODevice::ReadOnly)) {
        return Error::make(ErrorCode::InvalidRequest, QStringLiteral("Cannot read callback_ca_file %1: %2")
                                                          .arg(file.toString(), pem.errorString()),
                           file.toString());
    }
    const QList<QSslCertificate> certificates = QSslCertificate::fromData(pem.readAll(), QSsl::Pem);
    if (certificates.isEmpty()) {
        return Error::make(ErrorCode::InvalidRequest,
                           QStringLiteral("callback_ca_file %1 contains no PEM certificate.").arg(file.toString()),
                           file.toString());
    }
    return certificates;
}

} // namespace

Result<std::unique_ptr<ServiceHost>> ServiceHost::start(ServiceOptions options, QObject *parent)
{
    std::unique_ptr<ServiceHost> host(new ServiceHost(parent));
    Private &d = *host->d;
    d.clock = options.clock ? options.clock : std::make_shared<SystemClock>();

    // Configuration first, so a bad file fails before anything is created on disk.
    if (auto known = checkConfigMembers(options.config); !known)
        return known.error();
    const QJsonValue skew = options.config.value(QStringLiteral("clock_skew_seconds"));
    // The range is checked on the double, because converting a huge number to qint64 is undefined.
    const double skewValue = skew.isUndefined() ? 30 : skew.toDouble(-1);
    if (!(skewValue >= 0 && skewValue <= 60)) {
        return Error::make(ErrorCode::InvalidRequest,
                           QStringLiteral("clock_skew_seconds must be between 0 and 60."), Json::displayText(skew));
    }
    const qint64 skewSeconds = qint64(skewValue);
    const QJsonValue retention = options.config.value(QStringLiteral("event_retention_days"));
    const double retentionDays = retention.isUndefined() ? 0 : retention.toDouble(-1);
    if (!retention.isUndefined() && !(retentionDays >= 1 && retentionDays <= 36500 && retentionDays == std::floor(retentionDays))) {
        return Error::make(ErrorCode::InvalidRequest,
                           QStringLiteral("event_retention_days must be a whole number of days between 1 and 36500."),
                           Json::displayText(retention));
    }
    if (auto loaded = d.identities.load(options.config); !loaded)
        return loaded.error();
    for (const QString &warning : d.identities.warnings())
        qCWarning(lcService).noquote() << warning;
    auto callbackAllowlist = Escalation::Callbacks::Allowlist::fromConfig(options.config.value(QStringLiteral("callback_allowlist")));
    if (!callbackAllowlist)
        return callbackAllowlist.error();
    auto callbackCas = callbackCaCertificates(options.config);
    if (!callbackCas)
        return callbackCas.error();
    if (!options.upstreamUrl.isEmpty()) {
        if (auto valid = Escalation::validateUpstreamUrl(options.upstreamUrl); !valid)
            return valid.error();
        if (options.upstreamTimeoutMs <= 0)
            return Error::make(ErrorCode::InvalidRequest, QStringLiteral("The upstream timeout must be positive."));
    }

    if (options.dataDir.isEmpty())
        return Error::make(ErrorCode::InvalidRequest, QStringLiteral("A data folder is required."));
    // The data folder holds the signing key and the store: owner-only when Recourse creates it.
    const bool created = !QDir(options.dataDir).exists();
    if (created && QDir().mkpath(options.dataDir))
        QFile::setPermissions(options.dataDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    if (!QDir().mkpath(options.dataDir)) {
        return Error::make(ErrorCode::StorageUnavailable, QStringLiteral("Cannot create the data folder %1.")
                                                              .arg(options.dataDir));
    }

    auto folder = Policy::resolvePolicyFolder(options.policy.isEmpty() ? QStringLiteral("demo") : options.policy);
    if (!folder)
        return folder.error();
    d.policies = new Policy::PolicyStore(host.get());
    if (auto opened = d.policies->open(folder.value()); !opened)
        return opened.error();

    // The key ring locks the data folder, so a second service on it fails before opening the store.
    auto ring = Jose::KeyRing::open(options.dataDir);
    if (!ring)
        return ring.error();

    d.store = new Store::Store(QDir(options.dataDir).filePath(QStringLiteral("recourse.db")), d.clock, host.get());
    if (auto opened = d.store->open(); !opened)
        return opened.error();
    d.signingKeys = new SigningKeys(std::move(ring).value(), d.store, d.clock, skewSeconds, host.get());
    if (auto covered = d.signingKeys->coverUnrecordedKeys(); !covered)
        return covered.error();

    d.api = new Api(&d.identities, host.get());
    d.api->setPolicies(d.policies);
    d.events = new EventHub(d.store, &d.identities, host.get());
    d.server = new Http::Server(d.api, Http::Limits{}, host.get());
    d.server->setServingThreads(options.httpThreads >= 0 ? options.httpThreads : QThread::idealThreadCount());
    d.server->setWebSocketRoute(QByteArrayLiteral("/admin/v1/events"), d.events->server(),
                                [events = d.events](const Http::Request &request) { return events->filterUpgrade(request); });
    const bool tls = options.tlsSelfSigned || !options.tlsCertificate.isEmpty();
    if (tls) {
        Result<Tls::Material> material = options.tlsSelfSigned
            ? Tls::loadOrCreateSelfSigned(options.dataDir, options.address.toString())
            : Result<Tls::Material>(Tls::Material{options.tlsCertificate, options.tlsKey});
        if (!material)
            return material.error();
        auto configuration = Tls::serverConfiguration(material.value());
        if (!configuration)
            return configuration.error();
        d.tlsFingerprint = Tls::fingerprint(configuration->localCertificate());
        d.server->setSslConfiguration(configuration.value());
    }
    if (!d.server->listen(options.address, options.port)) {
        return Error::make(ErrorCode::StorageUnavailable,
                           QStringLiteral("Cannot listen on %1:%2: %3")
                               .arg(options.address.toString())
                               .arg(options.port)
                               .arg(d.server->errorString()));
    }

    // Identifiers depend on the bound port, so the escalation layer is built after listen().
    QUrl base;
    base.setScheme(tls ? QStringLiteral("https") : QStringLiteral("http"));
    base.setHost(d.server->serverAddress().toString());
    base.setPort(d.server->serverPort());
    d.baseUrl = base;
    const QString baseText = base.toString(QUrl::StripTrailingSlash);

    Escalation::EscalationConfig config;
    config.pdpIdentifier = baseText;
    config.arsIdentifier = baseText;
    config.accessRequestEndpoint = baseText + QStringLiteral("/access/v1/requests");
    config.clockSkewSeconds = skewSeconds;
    config.decisionEvents = options.decisionEvents;
    config.eventRetentionSeconds = qint64(retentionDays) * 24 * 3600;

    d.signingKeys->trustFor(baseText);
    d.escalation = new Escalation::EscalationService(config, d.policies, d.store, d.signingKeys->ring(),
                                                     d.signingKeys->trustedKeys(), d.clock, host.get());
    d.api->setEscalation(d.escalation);
    d.escalation->setCallbackDestinations(callbackAllowlist.value(), options.callbackResolver);
    Escalation::CallbackDispatcher::Options callbackOptions;
    callbackOptions.allowlist = callbackAllowlist.value();
    callbackOptions.resolver = options.callbackResolver;
    callbackOptions.extraCaCertificates = callbackCas.value();
    callbackOptions.accessRequestEndpoint = config.accessRequestEndpoint;
    d.callbacks = new Escalation::CallbackDispatcher(callbackOptions, d.store, &d.identities, d.clock, host.get());
    d.api->setSigningKeys(d.signingKeys);

    // Per-identity rate limiting is off unless the config sets it: a local PDP serves tens of
    // thousands of evaluations a second to one PEP, and a guessed default would throttle that.
    const QJsonObject rateLimit = options.config.value(QStringLiteral("rate_limit")).toObject();
    d.rateLimiter = std::make_unique<RateLimiter>(rateLimit.value(QStringLiteral("requests_per_second")).toDouble(0),
                                                  rateLimit.value(QStringLiteral("burst")).toDouble(0));
    d.metrics.setGaugeSource([store = d.store, events = d.events, server = d.server] {
        QList<QPair<QByteArray, double>> gauges;
        Store::Reader reader(*store);
        for (const char *status : {"pending", "approved", "denied", "expired", "cancelled", "failed", "partial"}) {
            gauges.append({QByteArrayLiteral("recourse_tasks{status=\"") + status + "\"}",
                           double(reader.countTasks(QLatin1String(status)))});
        }
        gauges.append({QByteArrayLiteral("recourse_event_subscribers"), double(events->subscriberCount())});
        gauges.append({QByteArrayLiteral("recourse_http_connections"), double(server->connectionCount())});
        return gauges;
    });
    d.api->setMetrics(&d.metrics, d.rateLimiter->enabled() ? d.rateLimiter.get() : nullptr);
    if (!options.upstreamUrl.isEmpty()) {
        Escalation::UpstreamOptions upstream;
        upstream.url = options.upstreamUrl;
        upstream.token = options.upstreamToken;
        upstream.timeoutMs = options.upstreamTimeoutMs;
        d.upstream = new Escalation::UpstreamPdp(upstream, host.get());
        d.api->setUpstream(d.upstream);
        qCInfo(lcService) << "Upstream mode: evaluations are decided by" << d.upstream->evaluationEndpoint().toString();
    }

    if (lcService().isInfoEnabled()) {
        QJsonObject fields{{QStringLiteral("url"), baseText},
                           {QStringLiteral("data_dir"), QDir(options.dataDir).absolutePath()},
                           {QStringLiteral("policy"), folder.value()},
                           {QStringLiteral("config_identities"), double(d.identities.size())},
                           {QStringLiteral("signing_kid"), d.signingKeys->ring()->activeKey()->kid()}};
        if (!d.tlsFingerprint.isEmpty())
            fields.insert(QStringLiteral("tls_fingerprint"), d.tlsFingerprint);
        const Log::ScopedFields scoped(fields);
        qCInfo(lcService).noquote() << "Service listening on" << baseText << "with policy" << folder.value();
    }
    return host;
}

} // namespace Recourse::Service
