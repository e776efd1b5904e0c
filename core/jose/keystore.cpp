#include "core/jose/jose.h"

#include "core/jose/logging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <sys/stat.h>

namespace Recourse::Jose {

namespace {

constexpr QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

Result<SigningKey> loadKey(const QString &path)
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

Result<SigningKey> createKey(const QString &path)
{
    auto key = SigningKey::generate({});
    if (!key)
        return key;
    const QByteArray pem = key->privatePem();
    if (pem.isEmpty())
        return Error::make(ErrorCode::Internal, QStringLiteral("Failed to export the new signing key."));

    // QSaveFile writes a temporary file and renames it into place, so a crash never leaves half a
    // key. The umask keeps other users from opening that temporary file before its mode is set.
    QSaveFile file(path);
    const mode_t previousUmask = ::umask(0077);
    const bool opened = file.open(QIODevice::WriteOnly);
    ::umask(previousUmask);
    if (!opened || !file.setPermissions(kOwnerOnly) || file.write(pem) != pem.size() || !file.commit())
        return Error::make(ErrorCode::StorageUnavailable,
            QStringLiteral("Failed to write the signing key %1: %2").arg(path, file.errorString()));

    qCInfo(lcJose) << "Created signing key" << key->kid() << "at" << path;
    return key;
}

} // namespace

Result<SigningKey> loadOrCreateSigningKey(const QString &dataDir)
{
    if (dataDir.isEmpty())
        return Error::make(
            ErrorCode::Internal, QStringLiteral("The data directory for the signing key is missing."));

    QDir dir(dataDir);
    if (!dir.exists()) {
        if (!dir.mkpath(QStringLiteral(".")))
            return Error::make(ErrorCode::StorageUnavailable,
                QStringLiteral("Failed to create the data directory %1.").arg(dataDir));
        // A directory created here holds only service state, so it gets owner-only access too.
        QFile::setPermissions(dir.absolutePath(), kOwnerOnly | QFileDevice::ExeOwner);
    }

    const QString path = dir.absoluteFilePath(QStringLiteral("signing-key.pem"));
    if (QFileInfo::exists(path))
        return loadKey(path);
    return createKey(path);
}

} // namespace Recourse::Jose
