#include "core/jose/keyring.h"

#include "core/base/rfc3339.h"
#include "core/jose/keyfiles.h"
#include "core/jose/logging.h"
#include "core/json/json.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QLockFile>
#include <QMutex>

#include <algorithm>
#include <array>

namespace Recourse::Jose {

namespace {

const QString kActiveFile = QStringLiteral("signing-key.pem");
const QString kKeyFolder = QStringLiteral("signing-keys");
const QString kLockFile = QStringLiteral("signing-key.lock");

// A raised bound reaches this far past the token that raised it, so a steady stream of tokens
// rewrites a key's record about once per margin instead of with every token. After a crash, a
// retired key stays trusted up to this much longer than its tokens need.
constexpr qint64 kBoundMarginMs = 15 * 60 * 1000;

// Kids are RFC 7638 thumbprints in base64url, so they are safe file names. Other files in the
// folder are not ours to load.
bool isKidFileName(const QString &name)
{
    if (name.isEmpty() || name.size() > 128)
        return false;
    for (QChar c : name) {
        const char16_t u = c.unicode();
        const bool allowed = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9')
            || u == u'-' || u == u'_';
        if (!allowed)
            return false;
    }
    return true;
}

Result<void> removeFile(const QString &path)
{
    QFile file(path);
    if (file.exists() && !file.remove())
        return Error::make(ErrorCode::StorageUnavailable,
            QStringLiteral("Failed to remove %1: %2").arg(path, file.errorString()), path);
    return {};
}

Result<std::unique_ptr<QLockFile>> lockDataDir(const QString &dataDir)
{
    auto lock = std::make_unique<QLockFile>(QDir(dataDir).absoluteFilePath(kLockFile));
    // Only a lock whose process has died is stale. A running service keeps it however long it runs.
    lock->setStaleLockTime(0);
    if (lock->tryLock(0))
        return lock;

    qint64 pid = 0;
    QString host;
    QString application;
    const QString owner = lock->getLockInfo(&pid, &host, &application)
        ? QStringLiteral(" by process %1 (%2)").arg(pid).arg(application)
        : QString();
    return Error::make(ErrorCode::StorageUnavailable,
        QStringLiteral("The signing keys in %1 are in use%2. Stop that service first, or give this one another "
                       "data folder.")
            .arg(dataDir, owner),
        dataDir);
}

struct Record
{
    bool exists = false;
    bool valid = true;
    qint64 retiredMs = 0;
    std::optional<qint64> lastTokenExpiryMs;
};

Record readRecord(const QString &path)
{
    Record record;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return record;
    record.exists = true;
    const auto object = Json::parseObject(file.readAll());
    if (!object) {
        record.valid = false;
        return record;
    }
    const QJsonValue retired = object->value(QStringLiteral("retired_at"));
    if (retired.isString()) {
        auto parsed = Rfc3339::parse(retired.toString());
        record.valid = parsed.ok();
        record.retiredMs = parsed ? parsed.value() : 0;
    }
    const QJsonValue last = object->value(QStringLiteral("last_token_exp"));
    if (last.isString()) {
        auto parsed = Rfc3339::parse(last.toString());
        record.valid = record.valid && parsed.ok();
        if (parsed)
            record.lastTokenExpiryMs = parsed.value();
    } else if (!last.isUndefined()) {
        record.valid = false;
    }
    return record;
}

} // namespace

struct KeyRing::Private
{
    struct Entry
    {
        std::shared_ptr<const SigningKey> key;
        bool active = false;
        qint64 retiredMs = 0;
        std::optional<qint64> storedBoundMs; // the bound in the record on disk
        std::optional<qint64> signedMaxMs;   // the loaded bound, raised by every token signed since
        bool recorded = true;
        bool settled = true;
    };

    mutable QMutex mutex;
    QString dataDir;
    std::unique_ptr<QLockFile> lock;
    QList<Entry> entries; // the active key first

    QString folder() const { return QDir(dataDir).absoluteFilePath(kKeyFolder); }
    QString recordPath(const QString &kid) const { return QDir(folder()).absoluteFilePath(kid + QStringLiteral(".json")); }
    QString retiredPath(const QString &kid) const { return QDir(folder()).absoluteFilePath(kid + QStringLiteral(".pem")); }

    Entry *find(const QString &kid)
    {
        for (Entry &entry : entries) {
            if (entry.key->kid() == kid)
                return &entry;
        }
        return nullptr;
    }

    Result<void> writeRecord(const QString &kid, qint64 retiredMs, std::optional<qint64> boundMs) const
    {
        QJsonObject record{{QStringLiteral("kid"), kid}};
        if (retiredMs > 0)
            record.insert(QStringLiteral("retired_at"), Rfc3339::format(retiredMs));
        if (boundMs)
            record.insert(QStringLiteral("last_token_exp"), Rfc3339::format(*boundMs));
        if (auto created = KeyFiles::ensureDirectory(folder()); !created)
            return created;
        return KeyFiles::write(recordPath(kid), Json::serialize(record) + '\n');
    }

    Result<void> writeRecord(const Entry &entry) const
    {
        return writeRecord(entry.key->kid(), entry.active ? 0 : entry.retiredMs, entry.storedBoundMs);
    }

    Result<void> recordExpiry(const QString &kid, qint64 expSeconds)
    {
        QMutexLocker locker(&mutex);
        Entry *entry = find(kid);
        if (!entry)
            return Error::make(ErrorCode::Internal, QStringLiteral("The signing key %1 was removed.").arg(kid), kid);

        const qint64 expMs = expSeconds * 1000;
        entry->signedMaxMs = std::max(entry->signedMaxMs.value_or(expMs), expMs);
        if (entry->storedBoundMs && expMs <= *entry->storedBoundMs)
            return {};

        Entry raised = *entry;
        raised.storedBoundMs = expMs + kBoundMarginMs;
        if (auto written = writeRecord(raised); !written) {
            qCWarning(lcJose) << "Cannot record the token expiry of signing key" << kid << ":" << written.error().message;
            return written;
        }
        entry->storedBoundMs = raised.storedBoundMs;
        return {};
    }


    // The recorder refers to the ring weakly, so a key outliving the ring fails to sign instead of
    // signing a token whose expiry is not recorded.
    static std::shared_ptr<const SigningKey> withRecorder(SigningKey key, const std::weak_ptr<Private> &ring)
    {
        key.setExpiryRecorder([ring](const QString &kid, qint64 expSeconds) -> Result<void> {
            const std::shared_ptr<Private> d = ring.lock();
            if (!d)
                return Error::make(ErrorCode::Internal, QStringLiteral("The signing keys are closed."));
            return d->recordExpiry(kid, expSeconds);
        });
        return std::make_shared<const SigningKey>(std::move(key));
    }
};

KeyRing::KeyRing() : d(std::make_shared<Private>()) { }

KeyRing::~KeyRing() = default;

Result<std::unique_ptr<KeyRing>> KeyRing::open(const QString &dataDir)
{
    if (dataDir.isEmpty())
        return Error::make(ErrorCode::Internal, QStringLiteral("The data directory for the signing keys is missing."));
    if (auto created = KeyFiles::ensureDirectory(dataDir); !created)
        return created.error();

    std::unique_ptr<KeyRing> ring(new KeyRing);
    Private &d = *ring->d;
    d.dataDir = QDir(dataDir).absolutePath();
    auto lock = lockDataDir(d.dataDir);
    if (!lock)
        return lock.error();
    d.lock = std::move(lock).value();

    const bool firstRun = !QFileInfo::exists(QDir(d.dataDir).absoluteFilePath(kActiveFile));
    auto active = loadOrCreateSigningKey(d.dataDir);
    if (!active)
        return active.error();

    Private::Entry entry;
    entry.key = Private::withRecorder(std::move(active).value(), ring->d);
    entry.active = true;
    const QString activeKid = entry.key->kid();
    const Record record = readRecord(d.recordPath(activeKid));
    entry.storedBoundMs = record.lastTokenExpiryMs;
    entry.signedMaxMs = record.lastTokenExpiryMs;
    // Without a record, only a key created just now is known to have signed nothing.
    entry.recorded = (record.exists && record.valid) || firstRun;
    d.entries.append(entry);

    // A rotation interrupted before the new key took over leaves a retired copy of the active key.
    if (auto removed = removeFile(d.retiredPath(activeKid)); !removed)
        return removed.error();
    if (entry.recorded && (!record.exists || record.retiredMs > 0)) {
        if (auto written = d.writeRecord(entry); !written)
            return written.error();
    }

    const QDir folder(d.folder());
    for (const QFileInfo &file : folder.entryInfoList({QStringLiteral("*.pem")}, QDir::Files, QDir::Name)) {
        const QString kid = file.completeBaseName();
        if (!isKidFileName(kid)) {
            qCWarning(lcJose) << "Ignoring" << file.absoluteFilePath() << "because its name is not a key id";
            continue;
        }
        auto key = KeyFiles::read(file.absoluteFilePath());
        if (!key)
            return key.error();
        if (key->kid() != kid) {
            return Error::make(ErrorCode::Internal,
                QStringLiteral("The retired signing key %1 holds the key %2, not %3. Rename or remove the file.")
                    .arg(file.absoluteFilePath(), key->kid(), kid),
                file.absoluteFilePath());
        }

        const Record retiredRecord = readRecord(d.recordPath(kid));
        Private::Entry retired;
        retired.key = Private::withRecorder(std::move(key).value(), ring->d);
        retired.retiredMs = retiredRecord.retiredMs > 0 ? retiredRecord.retiredMs : file.lastModified().toMSecsSinceEpoch();
        retired.storedBoundMs = retiredRecord.lastTokenExpiryMs;
        retired.signedMaxMs = retiredRecord.lastTokenExpiryMs;
        retired.recorded = retiredRecord.exists && retiredRecord.valid;
        if (!retired.recorded)
            qCWarning(lcJose) << "The retired signing key" << kid << "has no valid record; its token expiry is read again";
        d.entries.append(retired);
    }
    std::sort(d.entries.begin() + 1, d.entries.end(),
              [](const Private::Entry &a, const Private::Entry &b) { return a.retiredMs < b.retiredMs; });

    // A record without its key belongs to a removal or a rotation that was interrupted.
    for (const QFileInfo &file : folder.entryInfoList({QStringLiteral("*.json")}, QDir::Files)) {
        if (!d.find(file.completeBaseName())) {
            if (auto removed = removeFile(file.absoluteFilePath()); !removed)
                return removed.error();
        }
    }
    return ring;
}

std::shared_ptr<const SigningKey> KeyRing::activeKey() const
{
    QMutexLocker locker(&d->mutex);
    return d->entries.first().key;
}

QList<KeyInfo> KeyRing::keys() const
{
    QMutexLocker locker(&d->mutex);
    QList<KeyInfo> keys;
    for (const Private::Entry &entry : d->entries)
        keys.append(KeyInfo{entry.key, entry.active, entry.retiredMs, entry.storedBoundMs, entry.recorded, entry.settled});
    return keys;
}

Result<std::shared_ptr<const SigningKey>> KeyRing::rotate(qint64 nowMs)
{
    QMutexLocker locker(&d->mutex);
    auto generated = SigningKey::generate({});
    if (!generated)
        return generated.error();
    const QByteArray nextPem = generated->privatePem();
    Private::Entry next;
    next.key = Private::withRecorder(std::move(generated).value(), d);
    next.active = true;

    Private::Entry retired = d->entries.first();
    const QString oldKid = retired.key->kid();
    const QByteArray oldPem = retired.key->privatePem();
    if (nextPem.isEmpty() || oldPem.isEmpty())
        return Error::make(ErrorCode::Internal, QStringLiteral("Failed to export a signing key."));
    retired.active = false;
    retired.retiredMs = nowMs;
    retired.settled = false;

    // Each step leaves files that the next open() resolves: a retired record or copy of the
    // still-active key is undone, and a record of a key that never became active is removed.
    const auto undo = [&] {
        const std::array<Result<void>, 3> undone{removeFile(d->retiredPath(oldKid)),
                                                 removeFile(d->recordPath(next.key->kid())),
                                                 d->writeRecord(d->entries.first())};
        for (const Result<void> &step : undone) {
            if (!step)
                qCWarning(lcJose) << "Cannot undo a failed rotation; the next start cleans up:" << step.error().message;
        }
    };
    Result<void> step = d->writeRecord(retired);
    if (step)
        step = KeyFiles::write(d->retiredPath(oldKid), oldPem);
    if (step)
        step = d->writeRecord(next);
    if (step)
        step = KeyFiles::write(QDir(d->dataDir).absoluteFilePath(kActiveFile), nextPem);
    if (!step) {
        undo();
        return step.error();
    }

    d->entries.first() = retired;
    d->entries.prepend(next);
    qCDebug(lcJose) << "Rotated the signing key: key" << next.key->kid() << "signs new tokens; key" << oldKid
                   << "is retired and verifies the tokens it signed until they expire";
    return retired.key;
}

Result<void> KeyRing::settle(const QString &kid)
{
    QMutexLocker locker(&d->mutex);
    Private::Entry *entry = d->find(kid);
    if (!entry || entry->active)
        return Error::make(ErrorCode::NotFound, QStringLiteral("No retired signing key has the kid %1.").arg(kid), kid);
    if (entry->settled)
        return {};

    Private::Entry settled = *entry;
    settled.settled = true;
    settled.storedBoundMs = entry->signedMaxMs;
    if (auto written = d->writeRecord(settled); !written)
        return written;
    *entry = settled;
    return {};
}

Result<void> KeyRing::coverUnrecordedTokens(const QString &kid, qint64 expiryMs)
{
    QMutexLocker locker(&d->mutex);
    Private::Entry *entry = d->find(kid);
    if (!entry)
        return Error::make(ErrorCode::NotFound, QStringLiteral("No signing key has the kid %1.").arg(kid), kid);

    Private::Entry covered = *entry;
    covered.recorded = true;
    if (expiryMs > 0) {
        covered.signedMaxMs = std::max(covered.signedMaxMs.value_or(expiryMs), expiryMs);
        covered.storedBoundMs = std::max(covered.storedBoundMs.value_or(expiryMs), expiryMs);
    }
    if (auto written = d->writeRecord(covered); !written)
        return written;
    *entry = covered;
    return {};
}

Result<void> KeyRing::remove(const QString &kid)
{
    QMutexLocker locker(&d->mutex);
    Private::Entry *entry = d->find(kid);
    if (!entry || entry->active || !entry->settled)
        return Error::make(ErrorCode::InvalidRequest,
            QStringLiteral("Only a settled retired signing key can be removed; %1 is not one.").arg(kid), kid);

    // The key goes first: a record without its key is cleaned up at the next open, while a key
    // without its record would be kept until its expiry is read again.
    if (auto removed = removeFile(d->retiredPath(kid)); !removed)
        return removed;
    if (auto removed = removeFile(d->recordPath(kid)); !removed)
        return removed;
    if (auto synced = KeyFiles::syncDirectory(d->folder()); !synced)
        return synced;

    d->entries.removeIf([&kid](const Private::Entry &candidate) { return candidate.key->kid() == kid; });
    qCDebug(lcJose) << "Removed the retired signing key" << kid << "because every token it signed has expired";
    return {};
}

Result<void> KeyRing::close()
{
    QMutexLocker locker(&d->mutex);
    for (Private::Entry &entry : d->entries) {
        if (!entry.recorded || entry.storedBoundMs == entry.signedMaxMs) {
            entry.settled = true;
            continue;
        }
        Private::Entry exact = entry;
        exact.storedBoundMs = entry.signedMaxMs;
        exact.settled = true;
        if (auto written = d->writeRecord(exact); !written)
            return written;
        entry = exact;
    }
    return {};
}

} // namespace Recourse::Jose
