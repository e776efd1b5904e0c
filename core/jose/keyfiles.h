#pragma once

#include "core/base/result.h"
#include "core/jose/jose.h"

#include <QByteArray>
#include <QString>

// File handling shared by the signing key store and the key ring. Not part of the public API.
namespace Recourse::Jose::KeyFiles {

// Creates `path` (and its parents) when missing; a folder created here gets owner-only access.
Result<void> ensureDirectory(const QString &path);

// Loads a PKCS#8 PEM private key; warns when other users can read or write the file.
Result<SigningKey> read(const QString &path);

// Replaces `path` atomically with `contents`: written to a temporary file with owner-only
// permissions (0600), flushed to disk, then renamed into place.
Result<void> write(const QString &path, const QByteArray &contents);

// Flushes a folder's entries to disk, so a rename or removal in it survives a power loss.
Result<void> syncDirectory(const QString &path);

} // namespace Recourse::Jose::KeyFiles
