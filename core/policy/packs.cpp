#include "core/policy/policy.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

namespace Recourse::Policy {

Result<QString> resolvePolicyFolder(const QString &nameOrFolder)
{
    if (nameOrFolder.isEmpty())
        return Error::make(ErrorCode::InvalidRequest, QStringLiteral("No policy folder or pack name was given."));

    // A plain name means a shipped pack, even when the working directory happens to contain a
    // folder of that name (the source tree has a demo/ folder, for one). "./demo" selects the
    // folder. Only plain names are looked up, so "../x" never climbs out of the pack folders.
    static const QRegularExpression packName(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_-]*$"));
    const bool plainName = packName.match(nameOrFolder).hasMatch();

    QStringList candidates;
    if (plainName) {
        const QString fromEnvironment = qEnvironmentVariable("RECOURSE_POLICY_DIR");
        if (!fromEnvironment.isEmpty())
            candidates.append(QDir(fromEnvironment).filePath(nameOrFolder));
        if (QCoreApplication::instance())
            candidates.append(QCoreApplication::applicationDirPath() + QStringLiteral("/../share/recourse/policies/") + nameOrFolder);
        candidates.append(QStringLiteral(RECOURSE_SOURCE_DIR "/resources/policies/") + nameOrFolder);
        for (const QString &candidate : std::as_const(candidates)) {
            if (QFileInfo(candidate).isDir())
                return QDir::cleanPath(QFileInfo(candidate).absoluteFilePath());
        }
    }

    const QFileInfo info(nameOrFolder);
    if (info.isDir())
        return QDir::cleanPath(info.absoluteFilePath());
    if (!plainName)
        return Error::make(ErrorCode::NotFound, QStringLiteral("The policy folder does not exist."), nameOrFolder);

    return Error::make(ErrorCode::NotFound,
                       QStringLiteral("No policy folder or shipped pack named \"%1\"; looked in %2.")
                           .arg(nameOrFolder, candidates.join(QStringLiteral(", "))),
                       nameOrFolder);
}

} // namespace Recourse::Policy
