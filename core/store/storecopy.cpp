// Copies of the store for backup and restore: an online snapshot and the checks a copy must pass.

#include "core/store/store.h"
#include "core/store/storelogging.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <fcntl.h>
#include <unistd.h>

namespace Recourse::Store {

namespace {

Error copyError(const QString &message, const QString &path)
{
    return Error::make(ErrorCode::StorageUnavailable, message, path);
}

// A connection of its own under a unique name, removed again when the scope ends.
class ScopedConnection
{
    Q_DISABLE_COPY_MOVE(ScopedConnection)

public:
    ScopedConnection(const QString &path, const QString &options)
        : m_name(QStringLiteral("recourse-copy-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
    {
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        m_db.setDatabaseName(path);
        m_db.setConnectOptions(options);
    }

    ~ScopedConnection()
    {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
    }

    QSqlDatabase &db() { return m_db; }

private:
    QString m_name;
    QSqlDatabase m_db;
};

bool syncPath(const QString &path, int flags)
{
    const int fd = ::open(QFile::encodeName(path).constData(), flags | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    return synced;
}

QString sha256Of(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hash.addData(&file))
        return {};
    return QString::fromLatin1(hash.result().toHex());
}

} // namespace

Result<StoreCopyInfo> Store::inspectCopy(const QString &path)
{
    if (!QFileInfo(path).isFile())
        return copyError(QStringLiteral("The store copy %1 does not exist.").arg(path), path);

    StoreCopyInfo info;
    {
        ScopedConnection connection(path, QStringLiteral("QSQLITE_OPEN_READONLY"));
        QSqlDatabase &db = connection.db();
        if (!db.open())
            return copyError(QStringLiteral("Cannot open the store copy %1: %2").arg(path, db.lastError().text()), path);

        QSqlQuery integrity(db);
        if (!integrity.exec(QStringLiteral("PRAGMA integrity_check(1)")) || !integrity.next())
            return copyError(QStringLiteral("Cannot check the store copy %1: %2").arg(path, integrity.lastError().text()), path);
        if (const QString verdict = integrity.value(0).toString(); verdict != QLatin1String("ok"))
            return copyError(QStringLiteral("The store copy %1 is damaged: %2").arg(path, verdict), path);

        QSqlQuery version(db);
        if (!version.exec(QStringLiteral("SELECT version FROM schema_version")) || !version.next())
            return copyError(QStringLiteral("%1 is not a Recourse store: it has no schema version.").arg(path), path);
        info.schemaVersion = version.value(0).toInt();
        if (info.schemaVersion < 1 || info.schemaVersion > latestSchemaVersion()) {
            return copyError(QStringLiteral("The store copy %1 has schema version %2; this build opens versions 1 to %3.")
                                 .arg(path)
                                 .arg(info.schemaVersion)
                                 .arg(latestSchemaVersion()),
                             path);
        }

        info.audit = Reader(db).verifyAudit();
        if (!info.audit.ok)
            return copyError(QStringLiteral("The store copy %1 fails verification. %2").arg(path, info.audit.message), path);
    }

    info.bytes = QFileInfo(path).size();
    info.sha256 = sha256Of(path);
    if (info.sha256.isEmpty())
        return copyError(QStringLiteral("Cannot read the store copy %1.").arg(path), path);
    return info;
}

Result<StoreCopyInfo> Store::backupTo(const QString &storePath, const QString &targetPath)
{
    if (!QFileInfo(storePath).isFile())
        return copyError(QStringLiteral("There is no store at %1.").arg(storePath), storePath);
    if (QFileInfo::exists(targetPath))
        return copyError(QStringLiteral("%1 already exists; the copy needs a new file.").arg(targetPath), targetPath);

    {
        // VACUUM INTO reads inside one read transaction, so the copy is the store as of one commit
        // while the service's writer carries on in the WAL.
        ScopedConnection connection(storePath, QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        QSqlDatabase &db = connection.db();
        if (!db.open())
            return copyError(QStringLiteral("Cannot open the store %1: %2").arg(storePath, db.lastError().text()), storePath);
        QSqlQuery vacuum(db);
        vacuum.prepare(QStringLiteral("VACUUM INTO ?"));
        vacuum.addBindValue(targetPath);
        if (!vacuum.exec()) {
            const QString reason = vacuum.lastError().text();
            QFile::remove(targetPath);
            return copyError(QStringLiteral("Cannot copy the store to %1: %2").arg(targetPath, reason), targetPath);
        }
    }

    // Flushed here, whatever synchronous setting VACUUM INTO applied to the new file, so the copy
    // and its folder entry are on disk before anyone relies on the backup.
    if (!syncPath(targetPath, O_RDONLY) || !syncPath(QFileInfo(targetPath).absolutePath(), O_RDONLY | O_DIRECTORY))
        return copyError(QStringLiteral("Cannot flush the store copy %1 to disk.").arg(targetPath), targetPath);

    auto inspected = inspectCopy(targetPath);
    if (inspected)
        qCInfo(lcStore) << "Copied the store to" << targetPath << "with" << inspected->audit.records << "audit records";
    return inspected;
}

} // namespace Recourse::Store
