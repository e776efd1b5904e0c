#pragma once

#include <QString>

namespace Recourse::Ids {

// Returns prefix + 26 characters of base32 carrying 128 bits from the operating system's CSPRNG.
// The body has no timestamp or counter, so an id reveals nothing and cannot be guessed.
QString random(QStringView prefix);

// Returns a random opaque token (256 bits, base64url) for generated bearer tokens.
QString secretToken();

} // namespace Recourse::Ids
