#pragma once

#include "core/base/result.h"

#include <QString>
#include <QStringList>

namespace Recourse::App {

// Identities the embedded service creates for the local user on first run: the console's
// approver and a PEP for the demo agent. Tokens are random and kept in the data folder with
// owner-only permissions, so nothing is open without a token, even on loopback.
struct LocalIdentities
{
    QString consoleId = QStringLiteral("console");
    QString consoleToken;
    QStringList consoleGroups = {QStringLiteral("managers"), QStringLiteral("security")};
    QString demoPepId = QStringLiteral("demo-agent");
    QString demoPepToken;
};

Result<LocalIdentities> loadOrCreateLocalIdentities(const QString &dataDir);

// Where the demo reads the embedded service's URL and its PEP token from.
QString localIdentitiesPath(const QString &dataDir);
Result<void> writeServiceUrl(const QString &dataDir, const QString &url);
// The URL the embedded service last listened on, or an empty string before its first start.
QString readServiceUrl(const QString &dataDir);

} // namespace Recourse::App
