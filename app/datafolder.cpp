#include "app/datafolder.h"

#include "app/logsink.h"
#include "app/options.h"
#include "core/base/rfc3339.h"
#include "core/store/store.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QSaveFile>
#include <QTextStream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Recourse::App {

namespace {

const QString kStoreFile = QStringLiteral("recourse.db");
const QString kManifestFile = QStringLiteral("manifest.json");
const QString kManifestFormat = QStringLiteral("recourse-data-folder-backup");
constexpr int kManifestVersion = 1;
// The lock every running service holds on its data folder (the signing key ring takes it).
const QString kServiceLockFile = QStringLiteral("signing-key.lock");

struct FileEntry
{
    QString path; // relative to the folder, '/'-separated
    qint64 bytes = 0;
    mode_t mode = 0600;
    QString sha256;
};

struct Manifest
{
    QString createdAt;
    QString source;
    FileEntry store;
    int schemaVersion = 0;
    qint64 auditRecords = 0;
    QList<FileEntry> files;
};

Error failure(const QString &message, const QString &value = {})
{
    return Error::make(ErrorCode::StorageUnavailable, message, value);
}

// The store is copied through SQLite, never as files; lock files belong to the running process.
bool copiedAsFile(const QString &relativePath)
{
    for (const char *suffix : {"", "-wal", "-shm", "-journal"}) {
        if (relativePath == kStoreFile + QLatin1String(suffix))
            return false;
    }
    return !relativePath.endsWith(QLatin1String(".lock"));
}

QStringList filesToCopy(const QString &dataDir)
{
    QStringList paths;
    const QDir root(dataDir);
    QDirIterator it(dataDir, QDir::Files | QDir::Hidden | QDir::NoSymLinks, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString relative = root.relativeFilePath(it.next());
        if (copiedAsFile(relative))
            paths.append(relative);
    }
    paths.sort();
    return paths;
}

bool syncPath(const QString &path, int flags)
{
    const int fd = ::open(QFile::encodeName(path).constData(), flags | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    return synced;
}

// Flushes every folder under `root` and `root` itself, so the new entries survive a power loss.
bool syncFolders(const QString &root)
{
    QStringList folders{root};
    QDirIterator it(root, QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden | QDir::NoSymLinks,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        folders.prepend(it.next());
    for (const QString &folder : std::as_const(folders)) {
        if (!syncPath(folder, O_RDONLY | O_DIRECTORY))
            return false;
    }
    return true;
}

Result<QString> sha256Of(const QString &path)
{
    QFile file(path);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!file.open(QIODevice::ReadOnly) || !hash.addData(&file))
        return failure(QStringLiteral("Cannot read %1: %2").arg(path, file.errorString()), path);
    return QString::fromLatin1(hash.result().toHex());
}

// Copies one file with the given mode, flushed to disk, and returns the SHA-256 of what it wrote.
// The process umask (077 for these commands) keeps the new file private before its mode is set.
Result<QString> copyFile(const QString &source, const QString &target, mode_t mode)
{
    QFile in(source);
    if (!in.open(QIODevice::ReadOnly))
        return failure(QStringLiteral("Cannot read %1: %2").arg(source, in.errorString()), source);
    if (!QDir().mkpath(QFileInfo(target).absolutePath()))
        return failure(QStringLiteral("Cannot create the folder of %1.").arg(target), target);
    QFile out(target);
    if (!out.open(QIODevice::WriteOnly | QIODevice::NewOnly))
        return failure(QStringLiteral("Cannot create %1: %2").arg(target, out.errorString()), target);

    QCryptographicHash hash(QCryptographicHash::Sha256);
    while (!in.atEnd()) {
        const QByteArray chunk = in.read(1 << 16);
        if (chunk.isEmpty() && in.error() != QFileDevice::NoError)
            return failure(QStringLiteral("Cannot read %1: %2").arg(source, in.errorString()), source);
        hash.addData(chunk);
        if (out.write(chunk) != chunk.size())
            return failure(QStringLiteral("Cannot write %1: %2").arg(target, out.errorString()), target);
    }
    if (!out.flush() || ::fchmod(out.handle(), mode) != 0 || ::fsync(out.handle()) != 0)
        return failure(QStringLiteral("Cannot write %1 to disk.").arg(target), target);
    return QString::fromLatin1(hash.result().toHex());
}

bool isEmptyFolder(const QString &path, const QString &except = {})
{
    const QStringList entries = QDir(path).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System);
    return entries.isEmpty() || entries == QStringList{except};
}

QJsonObject entryJson(const FileEntry &entry)
{
    return QJsonObject{{QStringLiteral("path"), entry.path},
                       {QStringLiteral("bytes"), entry.bytes},
                       {QStringLiteral("mode"), QStringLiteral("0%1").arg(entry.mode, 3, 8, QLatin1Char('0'))},
                       {QStringLiteral("sha256"), entry.sha256}};
}

Result<void> writeManifest(const QString &path, const Manifest &manifest)
{
    QJsonArray files;
    for (const FileEntry &entry : manifest.files)
        files.append(entryJson(entry));
    QJsonObject store = entryJson(manifest.store);
    store.insert(QStringLiteral("schema_version"), manifest.schemaVersion);
    store.insert(QStringLiteral("audit_records"), manifest.auditRecords);
    const QJsonObject document{{QStringLiteral("format"), kManifestFormat},
                               {QStringLiteral("format_version"), kManifestVersion},
                               {QStringLiteral("recourse_version"), QStringLiteral(RECOURSE_VERSION)},
                               {QStringLiteral("created_at"), manifest.createdAt},
                               {QStringLiteral("source"), manifest.source},
                               {QStringLiteral("store"), store},
                               {QStringLiteral("files"), files}};

    QSaveFile file(path);
    const QByteArray text = QJsonDocument(document).toJson(QJsonDocument::Indented);
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size() || !file.commit() || !syncPath(path, O_RDONLY))
        return failure(QStringLiteral("Cannot write the manifest %1: %2").arg(path, file.errorString()), path);
    return {};
}

// A path from the manifest must stay inside the folder and name a file that is copied as a file.
Result<FileEntry> parseEntry(const QJsonObject &object)
{
    FileEntry entry;
    entry.path = object.value(QStringLiteral("path")).toString();
    entry.bytes = object.value(QStringLiteral("bytes")).toInteger(-1);
    entry.sha256 = object.value(QStringLiteral("sha256")).toString();
    bool modeOk = false;
    entry.mode = mode_t(object.value(QStringLiteral("mode")).toString().toUInt(&modeOk, 8));
    const bool safePath = !entry.path.isEmpty() && QDir::isRelativePath(entry.path)
        && QDir::cleanPath(entry.path) == entry.path && !entry.path.startsWith(QLatin1String(".."));
    if (!safePath || entry.bytes < 0 || entry.sha256.size() != 64 || !modeOk || (entry.mode & ~mode_t(0777)) != 0)
        return failure(QStringLiteral("The manifest has an invalid file entry %1.").arg(entry.path), entry.path);
    return entry;
}

Result<Manifest> readManifest(const QString &sourceDir)
{
    const QString path = QDir(sourceDir).filePath(kManifestFile);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return failure(QStringLiteral("%1 has no readable manifest.json, so it is not a complete Recourse backup.")
                           .arg(sourceDir),
                       path);
    }
    const QJsonObject document = QJsonDocument::fromJson(file.readAll()).object();
    if (document.value(QStringLiteral("format")).toString() != kManifestFormat)
        return failure(QStringLiteral("%1 is not a Recourse backup manifest.").arg(path), path);
    if (document.value(QStringLiteral("format_version")).toInt() != kManifestVersion) {
        return failure(QStringLiteral("The backup manifest %1 has format version %2; this build reads version %3.")
                           .arg(path)
                           .arg(document.value(QStringLiteral("format_version")).toInt())
                           .arg(kManifestVersion),
                       path);
    }

    Manifest manifest;
    manifest.createdAt = document.value(QStringLiteral("created_at")).toString();
    manifest.source = document.value(QStringLiteral("source")).toString();
    const QJsonObject store = document.value(QStringLiteral("store")).toObject();
    auto storeEntry = parseEntry(store);
    if (!storeEntry)
        return storeEntry.error();
    if (storeEntry->path != kStoreFile)
        return failure(QStringLiteral("The manifest names %1 as the store; expected %2.").arg(storeEntry->path, kStoreFile));
    manifest.store = storeEntry.value();
    manifest.schemaVersion = store.value(QStringLiteral("schema_version")).toInt();
    manifest.auditRecords = store.value(QStringLiteral("audit_records")).toInteger(-1);
    for (const QJsonValue &value : document.value(QStringLiteral("files")).toArray()) {
        auto entry = parseEntry(value.toObject());
        if (!entry)
            return entry.error();
        if (!copiedAsFile(entry->path) || entry->path == kManifestFile)
            return failure(QStringLiteral("The manifest lists %1, which a backup never contains.").arg(entry->path));
        manifest.files.append(entry.value());
    }
    return manifest;
}

Error checksumMismatch(const QString &path)
{
    return failure(QStringLiteral("%1 does not match its SHA-256 in the manifest: the backup was changed or damaged.")
                       .arg(path),
                   path);
}

// Every file of the backup must match the manifest, and the store copy must pass its own checks.
Result<Store::StoreCopyInfo> verifyBackup(const QString &sourceDir, const Manifest &manifest)
{
    for (const FileEntry &entry : manifest.files) {
        const QString path = QDir(sourceDir).filePath(entry.path);
        auto sha = sha256Of(path);
        if (!sha)
            return sha.error();
        if (sha.value() != entry.sha256)
            return checksumMismatch(path);
    }

    const QString storePath = QDir(sourceDir).filePath(kStoreFile);
    auto store = Store::Store::inspectCopy(storePath);
    if (!store)
        return store.error();
    if (store->sha256 != manifest.store.sha256)
        return checksumMismatch(storePath);
    return store;
}

// Restores the checked backup into the locked, empty `dataDir`; on failure removes what it wrote.
Result<void> copyBackup(const QString &sourceDir, const QString &dataDir, const Manifest &manifest)
{
    QStringList written;
    const auto undo = [&](const Error &error) -> Result<void> {
        for (const QString &path : std::as_const(written))
            QFile::remove(path);
        return error;
    };

    QList<FileEntry> entries = manifest.files;
    // The store comes last under a temporary name, so a folder with recourse.db has everything.
    FileEntry store = manifest.store;
    store.path = kStoreFile + QStringLiteral(".restoring");
    entries.append(store);
    for (const FileEntry &entry : std::as_const(entries)) {
        const QString source = QDir(sourceDir).filePath(entry.path == store.path ? kStoreFile : entry.path);
        const QString target = QDir(dataDir).filePath(entry.path);
        auto sha = copyFile(source, target, entry.mode);
        if (!sha)
            return undo(sha.error());
        written.append(target);
        if (sha.value() != entry.sha256)
            return undo(failure(QStringLiteral("%1 changed while it was restored; run the restore again.").arg(source), source));
    }

    const QString storePath = QDir(dataDir).filePath(kStoreFile);
    if (!QFile::rename(QDir(dataDir).filePath(store.path), storePath))
        return undo(failure(QStringLiteral("Cannot rename the restored store to %1.").arg(storePath), storePath));
    written.last() = storePath;
    if (!syncFolders(dataDir))
        return undo(failure(QStringLiteral("Cannot flush the restored data folder %1 to disk.").arg(dataDir), dataDir));
    return {};
}

} // namespace

Result<QString> backupDataFolder(const QString &dataDir, const QString &targetDir)
{
    const QString storePath = QDir(dataDir).filePath(kStoreFile);
    if (!QFileInfo(storePath).isFile())
        return failure(QStringLiteral("%1 holds no Recourse store: pass the service's --data-dir.").arg(dataDir), dataDir);
    if (QFileInfo::exists(targetDir) && !(QFileInfo(targetDir).isDir() && isEmptyFolder(targetDir))) {
        return failure(QStringLiteral("The backup folder %1 exists and is not empty: give each backup a new folder.")
                           .arg(targetDir),
                       targetDir);
    }
    if (!QDir().mkpath(targetDir) || ::chmod(QFile::encodeName(targetDir).constData(), 0700) != 0)
        return failure(QStringLiteral("Cannot create the backup folder %1.").arg(targetDir), targetDir);

    // A half-written backup is removed, so no folder without a manifest is left behind.
    const auto discard = [&](const Error &error) -> Result<QString> {
        QDir target(targetDir);
        for (const QString &entry : target.entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System)) {
            if (QFileInfo(target.filePath(entry)).isDir())
                QDir(target.filePath(entry)).removeRecursively();
            else
                QFile::remove(target.filePath(entry));
        }
        return error;
    };

    // 1. The store first: key files copied after it include every key its tokens were signed with,
    // since a rotation keeps a retired key until its tokens expire.
    Manifest manifest;
    manifest.createdAt = Rfc3339::format(QDateTime::currentMSecsSinceEpoch());
    manifest.source = QFileInfo(dataDir).absoluteFilePath();
    auto store = Store::Store::backupTo(storePath, QDir(targetDir).filePath(kStoreFile));
    if (!store)
        return discard(store.error());
    manifest.store = FileEntry{kStoreFile, store->bytes, 0600, store->sha256};
    manifest.schemaVersion = store->schemaVersion;
    manifest.auditRecords = store->audit.records;

    // 2. Every other file: signing keys, TLS material, local identities.
    for (const QString &relative : filesToCopy(dataDir)) {
        const QString source = QDir(dataDir).filePath(relative);
        struct stat status{};
        if (::stat(QFile::encodeName(source).constData(), &status) != 0)
            return discard(failure(QStringLiteral("Cannot read %1; run the backup again.").arg(source), source));
        FileEntry entry{relative, 0, mode_t(status.st_mode & 0777), {}};
        auto sha = copyFile(source, QDir(targetDir).filePath(relative), entry.mode);
        if (!sha)
            return discard(sha.error());
        entry.sha256 = sha.value();
        entry.bytes = QFileInfo(QDir(targetDir).filePath(relative)).size();
        manifest.files.append(entry);
    }

    // 3. The manifest last: its presence marks a complete backup.
    if (auto written = writeManifest(QDir(targetDir).filePath(kManifestFile), manifest); !written)
        return discard(written.error());
    if (!syncFolders(targetDir))
        return discard(failure(QStringLiteral("Cannot flush the backup folder %1 to disk.").arg(targetDir), targetDir));

    return QStringLiteral("backed up %1 to %2: store schema version %3 with %4 audit records, %5 other files")
        .arg(manifest.source, targetDir)
        .arg(manifest.schemaVersion)
        .arg(manifest.auditRecords)
        .arg(manifest.files.size());
}

Result<QString> restoreDataFolder(const QString &sourceDir, const QString &dataDir)
{
    // 1. The backup: manifest, checksums, the store's integrity and audit chain.
    auto manifest = readManifest(sourceDir);
    if (!manifest)
        return manifest.error();
    auto store = verifyBackup(sourceDir, manifest.value());
    if (!store)
        return store.error();

    // 2. The target: held by no service, and empty, so nothing of another store or key set mixes in.
    if (QFileInfo::exists(dataDir) && !QFileInfo(dataDir).isDir())
        return failure(QStringLiteral("%1 exists and is not a folder.").arg(dataDir), dataDir);
    if (!QFileInfo::exists(dataDir)
        && (!QDir().mkpath(dataDir) || ::chmod(QFile::encodeName(dataDir).constData(), 0700) != 0))
        return failure(QStringLiteral("Cannot create the data folder %1.").arg(dataDir), dataDir);
    QLockFile lock(QDir(dataDir).filePath(kServiceLockFile));
    // Only a lock whose process has died is stale, as for the service itself.
    lock.setStaleLockTime(0);
    if (!lock.tryLock(0)) {
        qint64 pid = 0;
        QString host;
        QString application;
        lock.getLockInfo(&pid, &host, &application);
        return failure(QStringLiteral("The data folder %1 is in use by a running service (process %2); stop it before "
                                      "restoring.")
                           .arg(dataDir)
                           .arg(pid),
                       dataDir);
    }
    if (!isEmptyFolder(dataDir, kServiceLockFile)) {
        return failure(QStringLiteral("The data folder %1 is not empty. Restore into a new or empty folder; move the "
                                      "current one aside first if it is to be replaced.")
                           .arg(dataDir),
                       dataDir);
    }

    // 3. The files, then the store under its final name.
    if (auto copied = copyBackup(sourceDir, dataDir, manifest.value()); !copied)
        return copied.error();
    return QStringLiteral("restored the backup of %1 taken at %2 into %3: %4 audit records verified")
        .arg(manifest->source, manifest->createdAt, dataDir)
        .arg(store->audit.records);
}

int runDataFolderCommand(const Options &options)
{
    QTextStream err(stderr);
    if (!options.backupTarget.isEmpty() && !options.restoreSource.isEmpty()) {
        err << "recourse: --backup and --restore cannot be combined." << Qt::endl;
        return 2;
    }
    if (options.headless || !options.connectUrl.isEmpty()) {
        err << "recourse: --backup and --restore run on their own; leave out --headless and --connect." << Qt::endl;
        return 2;
    }

    // Every file of a data folder is private: keys, tokens, the store.
    ::umask(077);
    const Result<QString> done = options.backupTarget.isEmpty()
        ? restoreDataFolder(options.restoreSource, options.dataDir)
        : backupDataFolder(options.dataDir, options.backupTarget);
    if (!done) {
        flushLogSink();
        err << "recourse: " << done.error().message << Qt::endl;
        return 2;
    }
    QTextStream(stdout) << done.value() << Qt::endl;
    return 0;
}

} // namespace Recourse::App
