#pragma once

#include "core/base/result.h"

#include <QString>

namespace Recourse::App {

struct Options;

// recourse --backup and --restore. A backup is a folder with a consistent copy of the store
// (recourse.db), every other file of the data folder with its mode, and manifest.json, which lists
// the SHA-256 of each file. The manifest is written last, so a folder without one is incomplete.

// Copies the data folder `dataDir` into `targetDir`, which must be new or empty. A service may
// keep running on `dataDir` meanwhile. Returns a one-line summary for the operator.
Result<QString> backupDataFolder(const QString &dataDir, const QString &targetDir);

// Checks the backup in `sourceDir` (checksums, the store's integrity and its audit chain), then
// copies it into `dataDir`, which must be new or empty and not in use by a service. Returns a
// one-line summary for the operator.
Result<QString> restoreDataFolder(const QString &sourceDir, const QString &dataDir);

// Runs --backup or --restore as the options ask and returns the process exit code.
int runDataFolderCommand(const Options &options);

} // namespace Recourse::App
