#include "core/policy/logging.h"
#include "core/policy/policy.h"

#include <QDir>
#include <QFileSystemWatcher>
#include <QMutex>
#include <QMutexLocker>
#include <QSet>
#include <QTimer>

namespace Recourse::Policy {

namespace {

// Editors save in several steps (truncate, write, rename); one reload after they settle avoids
// loading a half-written file.
constexpr int kDebounceMs = 200;

} // namespace

struct PolicyStore::Private
{
    mutable QMutex mutex; // guards current and lastErrors, which other threads read
    std::shared_ptr<const PolicySet> current;
    QList<LoadError> lastErrors;

    QString folder;
    QFileSystemWatcher *watcher = nullptr;
    QTimer *debounce = nullptr;

    void watchFolder();
};

void PolicyStore::Private::watchFolder()
{
    // Files replaced by rename drop out of the watcher, so the watched set is rebuilt after every
    // reload from what the folder contains now.
    const QDir dir(folder);
    QSet<QString> wanted{dir.absolutePath()};
    for (const QString &name : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
        wanted.insert(dir.absoluteFilePath(name));

    QStringList stale;
    const QStringList watched = watcher->files() + watcher->directories();
    for (const QString &path : watched) {
        if (!wanted.remove(path))
            stale.append(path);
    }
    if (!stale.isEmpty())
        watcher->removePaths(stale);
    if (!wanted.isEmpty())
        watcher->addPaths(wanted.values());
}

PolicyStore::PolicyStore(QObject *parent) : QObject(parent), d(std::make_unique<Private>())
{
    d->watcher = new QFileSystemWatcher(this);
    d->debounce = new QTimer(this);
    d->debounce->setSingleShot(true);
    d->debounce->setInterval(kDebounceMs);

    connect(d->watcher, &QFileSystemWatcher::fileChanged, d->debounce, qOverload<>(&QTimer::start));
    connect(d->watcher, &QFileSystemWatcher::directoryChanged, d->debounce, qOverload<>(&QTimer::start));
    connect(d->debounce, &QTimer::timeout, this, &PolicyStore::reload);
}

PolicyStore::~PolicyStore() = default;

Result<void> PolicyStore::open(const QString &folder)
{
    const QDir dir(folder);
    if (!dir.exists())
        return Error::make(ErrorCode::NotFound, QStringLiteral("The policy folder does not exist."), folder);

    auto loaded = PolicySet::loadFolder(dir.absolutePath());
    if (auto *errors = std::get_if<QList<LoadError>>(&loaded)) {
        for (const LoadError &error : std::as_const(*errors))
            qCWarning(lcPolicy).noquote() << "policy folder" << dir.absolutePath() << "failed to load:" << error.toString();
        {
            QMutexLocker locker(&d->mutex);
            d->lastErrors = *errors;
        }
        return Error::make(ErrorCode::InvalidRequest,
                           QStringLiteral("The policy folder failed to load: %1").arg(errors->value(0).toString()),
                           dir.absolutePath());
    }

    {
        QMutexLocker locker(&d->mutex);
        d->current = std::get<std::shared_ptr<const PolicySet>>(std::move(loaded));
        d->lastErrors.clear();
    }
    d->folder = dir.absolutePath();
    d->watchFolder();
    qCDebug(lcPolicy) << "watching policy folder" << d->folder;
    return {};
}

std::shared_ptr<const PolicySet> PolicyStore::current() const
{
    QMutexLocker locker(&d->mutex);
    return d->current;
}

QString PolicyStore::folder() const
{
    return d->folder;
}

QList<LoadError> PolicyStore::lastErrors() const
{
    QMutexLocker locker(&d->mutex);
    return d->lastErrors;
}

bool PolicyStore::reload()
{
    if (d->folder.isEmpty())
        return false;
    d->debounce->stop();

    auto loaded = PolicySet::loadFolder(d->folder);
    d->watchFolder();

    if (auto *errors = std::get_if<QList<LoadError>>(&loaded)) {
        for (const LoadError &error : std::as_const(*errors))
            qCWarning(lcPolicy).noquote() << "policy reload failed, keeping the previous policy:" << error.toString();
        {
            QMutexLocker locker(&d->mutex);
            d->lastErrors = *errors;
        }
        Q_EMIT reloaded(false);
        return false;
    }

    std::shared_ptr<const PolicySet> current = std::get<std::shared_ptr<const PolicySet>>(std::move(loaded));
    qCInfo(lcPolicy).noquote() << "Reloaded the policy folder" << d->folder << "with" << current->ruleCount()
                               << "rules and" << current->templateNames().size() << "templates";
    {
        QMutexLocker locker(&d->mutex);
        d->current = std::move(current);
        d->lastErrors.clear();
    }
    Q_EMIT reloaded(true);
    return true;
}

} // namespace Recourse::Policy
