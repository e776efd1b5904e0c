#include "app/localidentities.h"

#include "core/base/ids.h"
#include "core/json/json.h"

#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QSaveFile>

namespace Recourse::App {

namespace {

Result<void> writePrivateJson(const QString &path, const QJsonObject &object)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error::make(ErrorCode::StorageUnavailable, QStringLiteral("Cannot write %1: %2").arg(path, file.errorString()));
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(Json::serialize(object));
    if (!file.commit())
        return Error::make(ErrorCode::StorageUnavailable, QStringLiteral("Cannot write %1: %2").arg(path, file.errorString()));
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return {};
}

} // namespace

QString localIdentitiesPath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("local-identities.json"));
}

Result<LocalIdentities> loadOrCreateLocalIdentities(const QString &dataDir)
{
    LocalIdentities identities;
    const QString path = localIdentitiesPath(dataDir);
    QFile file(path);
    if (file.open(QIODevice::ReadOnly)) {
        auto parsed = Json::parseObject(file.readAll());
        if (!parsed)
            return Error::make(ErrorCode::InvalidRequest, QStringLiteral("%1 is damaged: %2").arg(path, parsed.error().message));
        identities.consoleToken = parsed->value(QStringLiteral("console_token")).toString();
        identities.demoPepToken = parsed->value(QStringLiteral("demo_pep_token")).toString();
        if (!identities.consoleToken.isEmpty() && !identities.demoPepToken.isEmpty())
            return identities;
    }

    QDir().mkpath(dataDir);
    identities.consoleToken = Ids::secretToken();
    identities.demoPepToken = Ids::secretToken();
    const QJsonObject object{{QStringLiteral("console_token"), identities.consoleToken},
                             {QStringLiteral("demo_pep_token"), identities.demoPepToken}};
    if (auto written = writePrivateJson(path, object); !written)
        return written.error();
    return identities;
}

Result<void> writeServiceUrl(const QString &dataDir, const QString &url)
{
    QFile file(localIdentitiesPath(dataDir));
    QJsonObject object;
    if (file.open(QIODevice::ReadOnly)) {
        auto parsed = Json::parseObject(file.readAll());
        if (parsed)
            object = parsed.value();
        file.close();
    }
    object.insert(QStringLiteral("service_url"), url);
    return writePrivateJson(localIdentitiesPath(dataDir), object);
}

QString readServiceUrl(const QString &dataDir)
{
    QFile file(localIdentitiesPath(dataDir));
    if (!file.open(QIODevice::ReadOnly))
        return {};

    auto parsed = Json::parseObject(file.readAll());
    if (!parsed)
        return {};
    return parsed->value(QStringLiteral("service_url")).toString();
}

} // namespace Recourse::App
