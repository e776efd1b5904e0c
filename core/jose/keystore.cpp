#include "core/jose/jose.h"

#include "core/jose/keyfiles.h"
#include "core/jose/logging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Recourse::Jose {

namespace {

constexpr QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

Result<SigningKey> createKey(const QString &path)
{
    auto key = SigningKey::generate({});
    if (!key)
        return key;
    const QByteArray pem = key->privatePem();
    if (pem.isEmpty())
        return Error::make(ErrorCode::Internal, QStringLiteral("Failed to export the new signing key."));

    if (auto written = KeyFiles::write(path, pem); !written)
        return written.error();
    qCInfo(lcJose) << "Created signing key" << key->kid() << "at" << path;
    return key;
}

} // namespace

namespace KeyFiles {

Result<void> ensureDirectory(const QString &path)
{
    QDir dir(path);
    if (dir.exists())
        return {};
    if (!dir.mkpath(QStringLiteral(".")))
        return Error::make(ErrorCode::StorageUnavailable, QStringLiteral("Failed to create the folder %1.").arg(path));
    // A folder created here holds only service state, so it gets owner-only access too.
    QFile::setPermissions(dir.absolutePath(), kOwnerOnly | QFileDevice::ExeOwner);
    return {};
}

Result<SigningKey> read(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error::make(ErrorCode::StorageUnavailable,
            QStringLiteral("Failed to read the signing key %1: %2").arg(path, file.errorString()));

    // The key still loads, because refusing to start would not undo the exposure.
    const QFileDevice::Permissions others
        = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ReadOther | QFileDevice::WriteOther;
    if (file.permissions() & others)
        qCWarning(lcJose) << "The signing key" << path
                          << "is readable or writable by other users. Restrict it with chmod 0600.";

    auto key = SigningKey::fromPrivatePem(file.readAll(), {});
    if (!key)
        return Error::make(ErrorCode::Internal,
            QStringLiteral("Failed to load the signing key %1: %2").arg(path, key.error().message));
    qCDebug(lcJose) << "Loaded signing key" << key->kid() << "from" << path;
    return key;
}

Result<void> write(const QString &path, const QByteArray &contents)
{
    // QSaveFile writes a temporary file and renames it into place, so a crash never leaves half a
    // file. The umask keeps other users from opening that temporary file before its mode is set.
    QSaveFile file(path);
    const mode_t previousUmask = ::umask(0077);
    const bool opened = file.open(QIODevice::WriteOnly);
    ::umask(previousUmask);
    const bool written = opened && file.setPermissions(kOwnerOnly) && file.write(contents) == contents.size()
        && file.flush() && ::fsync(file.handle()) == 0;
    if (!written || !file.commit())
        return Error::make(ErrorCode::StorageUnavailable,
            QStringLiteral("Failed to write %1: %2").arg(path, file.errorString()));
    return syncDirectory(QFileInfo(path).absolutePath());
}

Result<void> syncDirectory(const QString &path)
{
    const int descriptor = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (descriptor < 0)
        return Error::make(ErrorCode::StorageUnavailable, QStringLiteral("Failed to open the folder %1.").arg(path));
    const bool synced = ::fsync(descriptor) == 0;
    ::close(descriptor);
    if (!synced)
        return Error::make(ErrorCode::StorageUnavailable, QStringLiteral("Failed to flush the folder %1.").arg(path));
    return {};
}

} // namespace KeyFiles

Result<SigningKey> loadOrCreateSigningKey(const QString &dataDir)
{
    if (dataDir.isEmpty())
        return Error::make(
            ErrorCode::Internal, QStringLiteral("The data directory for the signing key is missing."));
    if (auto created = KeyFiles::ensureDirectory(dataDir); !created)
        return created.error();

    const QString path = QDir(dataDir).absoluteFilePath(QStringLiteral("signing-key.pem"));
    if (QFileInfo::exists(path))
        return KeyFiles::read(path);
    return createKey(path);
}

} // namespace Recourse::Jose
