#include "core/service/signingkeys.h"

#include "core/base/rfc3339.h"
#include "core/service/servicelogging.h"
#include "core/store/store.h"

#include <QDir>
#include <QEventLoop>
#include <QJsonArray>

#include <optional>

namespace Recourse::Service {

namespace {

// How often retired keys are checked for removal when no client requests the JWKS or the key list.
constexpr int kRemovalIntervalMs = 60 * 1000;

} // namespace

SigningKeys::SigningKeys(std::unique_ptr<Jose::KeyRing> ring, Store::Store *store, std::shared_ptr<const Clock> clock,
                         qint64 clockSkewSeconds, QObject *parent)
    : QObject(parent)
    , m_ring(std::move(ring))
    , m_store(store)
    , m_clock(std::move(clock))
    , m_skewMs(clockSkewSeconds * 1000)
{
    m_timer.setInterval(kRemovalIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &SigningKeys::removeExpired);
    m_timer.start();
}

SigningKeys::~SigningKeys() = default;

Result<void> SigningKeys::coverUnrecordedKeys()
{
    for (const Jose::KeyInfo &info : m_ring->keys()) {
        if (info.recorded)
            continue;
        // Every token the service returned is in the store, so its latest expiry bounds theirs.
        const std::optional<qint64> latest = Store::Reader(*m_store).latestTokenExpiryMs();
        if (!latest) {
            return Error::make(ErrorCode::StorageUnavailable,
                               QStringLiteral("Cannot read the token expiries of signing key %1 from the store.")
                                   .arg(info.key->kid()));
        }
        if (auto covered = m_ring->coverUnrecordedTokens(info.key->kid(), *latest); !covered)
            return covered;
    }
    return {};
}

void SigningKeys::trustFor(const QString &issuer)
{
    m_issuer = issuer;
    const QList<Jose::KeyInfo> keys = m_ring->keys();
    for (const Jose::KeyInfo &info : keys) {
        if (auto added = m_trusted.tryAdd(issuer, info.key->publicJwk()); !added)
            qCWarning(lcService) << "Cannot trust signing key" << info.key->kid() << ":" << added.error().message;
    }
    applyRetirement(keys);
}

QJsonObject SigningKeys::jwks()
{
    removeExpired();
    return m_trusted.toJwks(m_clock->nowSeconds());
}

QJsonObject SigningKeys::describe()
{
    removeExpired();
    QJsonArray list;
    for (const Jose::KeyInfo &info : m_ring->keys()) {
        QJsonObject key{{QStringLiteral("kid"), info.key->kid()},
                        {QStringLiteral("state"), info.active ? QStringLiteral("active") : QStringLiteral("retired")}};
        if (!info.active) {
            key.insert(QStringLiteral("retired_at"), Rfc3339::format(info.retiredMs));
            const std::optional<qint64> retireAfter = retireAfterMs(info);
            key.insert(QStringLiteral("retire_after"),
                       retireAfter ? QJsonValue(Rfc3339::format(*retireAfter)) : QJsonValue(QJsonValue::Null));
        }
        if (info.lastTokenExpiryMs)
            key.insert(QStringLiteral("last_token_exp"), Rfc3339::format(*info.lastTokenExpiryMs));
        list.append(key);
    }
    return QJsonObject{{QStringLiteral("keys"), list}};
}

void SigningKeys::rotate(const QString &actor, std::function<void(Result<QJsonObject>)> done)
{
    auto retired = m_ring->rotate(m_clock->nowMs());
    if (!retired) {
        qCWarning(lcService) << "Signing key rotation requested by" << actor << "failed:" << retired.error().message;
        done(retired.error());
        return;
    }
    const QString retiredKid = retired.value()->kid();
    const QString activeKid = m_ring->activeKey()->kid();
    if (!m_issuer.isEmpty()) {
        if (auto added = m_trusted.tryAdd(m_issuer, m_ring->activeKey()->publicJwk()); !added)
            qCWarning(lcService) << "Cannot trust the new signing key" << activeKid << ":" << added.error().message;
    }
    qCInfo(lcService).noquote() << "Signing key rotated by" << actor << "- key" << activeKid << "signs new tokens, key"
                      << retiredKid << "is retired";

    Store::AuditRecord audit;
    audit.type = QStringLiteral("signing_key.rotated");
    audit.actor = actor;
    audit.data = QJsonObject{{QStringLiteral("active_kid"), activeKid}, {QStringLiteral("retired_kid"), retiredKid}};
    // The writer runs jobs in order, so once this one has run, every job queued while the retired
    // key was active has signed with it, and its last token expiry is final.
    m_store->write(
        [audit](Store::WriteTx &tx) -> Result<QJsonObject> {
            if (auto appended = tx.appendAudit(audit); !appended)
                return appended.error();
            return QJsonObject{};
        },
        this,
        [this, retiredKid, activeKid, done](Result<QJsonObject> recorded) {
            if (auto settled = m_ring->settle(retiredKid); !settled)
                qCWarning(lcService) << "Cannot record the last token expiry of signing key" << retiredKid << ":"
                                     << settled.error().message;
            applyRetirement(m_ring->keys());
            if (!recorded) {
                done(Error::make(recorded.error().code,
                                 QStringLiteral("The signing key was rotated to %1, but the audit record failed: %2")
                                     .arg(activeKid, recorded.error().message)));
                return;
            }
            QJsonObject body = describe();
            body.insert(QStringLiteral("active_kid"), activeKid);
            body.insert(QStringLiteral("retired_kid"), retiredKid);
            done(body);
        });
}

void SigningKeys::removeExpired()
{
    const qint64 now = m_clock->nowMs();
    for (const Jose::KeyInfo &info : m_ring->keys()) {
        const std::optional<qint64> retireAfter = retireAfterMs(info);
        if (!retireAfter || now <= *retireAfter)
            continue;
        if (auto removed = m_ring->remove(info.key->kid()); !removed) {
            qCWarning(lcService) << "Cannot remove the retired signing key" << info.key->kid() << ":"
                                 << removed.error().message;
            continue;
        }
        m_trusted.remove(info.key->kid());
        qCInfo(lcService).noquote() << "Retired signing key" << info.key->kid()
                          << "removed from the JWKS: every token it signed has expired";
    }
}

void SigningKeys::close()
{
    m_timer.stop();
    if (auto closed = m_ring->close(); !closed)
        qCWarning(lcService) << "Cannot store the token expiries of the signing keys:" << closed.error().message;
}

std::optional<qint64> SigningKeys::retireAfterMs(const Jose::KeyInfo &info) const
{
    if (info.active || !info.recorded || !info.settled)
        return std::nullopt;
    // A key that signed nothing verifies nothing; otherwise its last token stays acceptable for
    // the clock-skew tolerance past its exp.
    if (!info.lastTokenExpiryMs)
        return info.retiredMs;
    return *info.lastTokenExpiryMs + m_skewMs;
}

void SigningKeys::applyRetirement(const QList<Jose::KeyInfo> &keys)
{
    for (const Jose::KeyInfo &info : keys) {
        const std::optional<qint64> retireAfter = retireAfterMs(info);
        if (retireAfter)
            m_trusted.retireAfter(info.key->kid(), std::max<qint64>(1, *retireAfter / 1000));
    }
}

Result<QJsonObject> SigningKeys::rotateStopped(const QString &dataDir, std::shared_ptr<const Clock> clock,
                                               qint64 clockSkewSeconds)
{
    auto ring = Jose::KeyRing::open(dataDir);
    if (!ring)
        return ring.error();
    Store::Store store(QDir(dataDir).filePath(QStringLiteral("recourse.db")), clock);
    if (auto opened = store.open(); !opened)
        return opened.error();

    SigningKeys keys(std::move(ring).value(), &store, clock, clockSkewSeconds);
    if (auto covered = keys.coverUnrecordedKeys(); !covered)
        return covered.error();

    std::optional<Result<QJsonObject>> result;
    QEventLoop loop;
    keys.rotate(QStringLiteral("local-operator"), [&result, &loop](Result<QJsonObject> rotated) {
        result = std::move(rotated);
        loop.quit();
    });
    if (!result)
        loop.exec();
    store.close();
    keys.close();
    return std::move(*result);
}

} // namespace Recourse::Service
