#pragma once

#include "core/base/result.h"

#include <QSqlDatabase>

namespace Recourse::Store::Schema {

// Applies every migration newer than the database's recorded version, each in its own
// transaction, and returns the resulting version.
Result<int> migrate(QSqlDatabase &db);

int latestVersion();

// Runs one statement, mapping a failure to StorageUnavailable with the driver's message logged
// (never returned to callers, which would leak SQL to clients).
Result<void> exec(QSqlDatabase &db, const QString &sql);

} // namespace Recourse::Store::Schema
