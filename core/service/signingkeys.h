#pragma once

#include "core/base/clock.h"
#include "core/base/result.h"
#include "core/jose/jose.h"
#include "core/jose/keyring.h"

#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

namespace Recourse::Store {
class Store;
}

namespace Recourse::Service {

// The service's signing keys at run time: the key ring in the data folder, the keys trusted for
// verification and published in the JWKS, rotation, and the removal of a retired key once every
// token it signed has expired (its last token expiry plus the clock-skew tolerance). Lives on
// the service's event-loop thread.
class SigningKeys final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SigningKeys)

public:
    SigningKeys(std::unique_ptr<Jose::KeyRing> ring, Store::Store *store, std::shared_ptr<const Clock> clock,
                qint64 clockSkewSeconds, QObject *parent = nullptr);
    ~SigningKeys() override;

    // Reads from the store how long the tokens of keys without a record stay valid (a data folder
    // from before keys were rotated). Call once the store is open.
    Result<void> coverUnrecordedKeys();
    // Trusts every key of the ring for tokens issued by `issuer`. Call once the address is known.
    void trustFor(const QString &issuer);

    const Jose::KeyRing *ring() const { return m_ring.get(); }
    const Jose::KeySet *trustedKeys() const { return &m_trusted; }

    // {"keys": [public JWK, ...]}: the active key and the retired keys still in use.
    QJsonObject jwks();
    // {"keys": [{"kid", "state": "active" | "retired", "retired_at", "last_token_exp",
    // "retire_after"}]}; a retired key without a known expiry has "retire_after": null.
    QJsonObject describe();

    // Makes a new key active. The result arrives once every job queued with the previous key has
    // signed, so the previous key's last token expiry is final: {"active_kid", "retired_kid",
    // "keys"} as in describe(). The rotation is recorded in the audit log with `actor`.
    void rotate(const QString &actor, std::function<void(Result<QJsonObject>)> done);

    // Removes retired keys whose tokens have all expired. Runs every minute, and before the JWKS
    // or the key list is served.
    void removeExpired();

    // Stores the exact expiry bounds; call after the store has committed its last write.
    void close();

    // Rotates the keys of a stopped service in `dataDir` and records it in its store's audit log.
    // Fails when a running service has locked the data folder. Returns what rotate() returns. Needs a
    // QCoreApplication, because it waits for the store's writer in a local event loop.
    static Result<QJsonObject> rotateStopped(const QString &dataDir, std::shared_ptr<const Clock> clock,
                                             qint64 clockSkewSeconds);

private:
    // The instant (ms) after which a retired key verifies nothing; empty when unknown.
    std::optional<qint64> retireAfterMs(const Jose::KeyInfo &info) const;
    void applyRetirement(const QList<Jose::KeyInfo> &keys);

    std::unique_ptr<Jose::KeyRing> m_ring;
    Store::Store *m_store;
    std::shared_ptr<const Clock> m_clock;
    qint64 m_skewMs;
    QString m_issuer;
    Jose::KeySet m_trusted;
    QTimer m_timer;
};

} // namespace Recourse::Service
