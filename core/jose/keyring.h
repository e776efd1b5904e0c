#pragma once

#include "core/base/result.h"
#include "core/jose/jose.h"

#include <QList>
#include <QString>

#include <memory>
#include <optional>

namespace Recourse::Jose {

// The key ring's record of one of its keys.
struct KeyInfo
{
    std::shared_ptr<const SigningKey> key;
    bool active = false;
    qint64 retiredMs = 0; // 0 for the active key
    // An upper bound of the exp (in ms) of every token the key signed: stored before each token
    // that raises it is returned, so it holds after a crash too. Empty: the key signed nothing
    // (or, for a key found without its record, nobody knows yet).
    std::optional<qint64> lastTokenExpiryMs;
    bool recorded = true; // false: the key was found without its record (a data folder from before rotation)
    bool settled = true;  // false: retired, but jobs queued before the rotation may still sign with it
};

// The service's signing keys in the data folder: the active key that signs new tokens
// (signing-key.pem), the retired keys kept to verify the tokens they signed
// (signing-keys/KID.pem), and a record per key (signing-keys/KID.json) with the latest token
// expiry it may have signed. Every file is written owner-only (0600) and flushed to disk before
// the call that wrote it returns. While the ring is open it holds signing-key.lock, so a second
// service or an offline rotation cannot change the keys of a running service.
//
// Thread-safe. Keys handed out by activeKey() record the exp of each token they sign through
// signCompact(), so the ring can tell when a retired key verifies nothing any more.
class KeyRing
{
public:
    ~KeyRing();
    KeyRing(const KeyRing &) = delete;
    KeyRing &operator=(const KeyRing &) = delete;

    // Locks the data folder, loads the active key (created on first run) and the retired keys,
    // and cleans up what an interrupted rotation or removal left behind.
    static Result<std::unique_ptr<KeyRing>> open(const QString &dataDir);

    std::shared_ptr<const SigningKey> activeKey() const;
    // The active key first, then the retired keys, oldest retirement first.
    QList<KeyInfo> keys() const;

    // Generates a new key and makes it active; the previous one is retired at `nowMs` and
    // returned. It stays unsettled until settle(), because jobs that copied it before the rotation
    // may still sign with it. On failure the ring and its files keep the previous active key.
    Result<std::shared_ptr<const SigningKey>> rotate(qint64 nowMs);

    // Declares that nothing signs with the retired key `kid` any more, so its recorded expiry is
    // final; the stored bound is lowered to the latest exp it actually signed since it was loaded.
    Result<void> settle(const QString &kid);

    // Raises the recorded expiry of `kid`, for tokens it signed that the ring never saw (a data
    // folder from before the ring kept records). Marks the key as recorded.
    Result<void> coverUnrecordedTokens(const QString &kid, qint64 expiryMs);

    // Removes a settled retired key from the ring and deletes its files.
    Result<void> remove(const QString &kid);

    // Stores the exact expiry bound of the active key, so the next start does not need the
    // margin a crash would. Call when no more tokens will be signed.
    Result<void> close();

private:
    KeyRing();
    struct Private;
    std::shared_ptr<Private> d;
};

} // namespace Recourse::Jose
