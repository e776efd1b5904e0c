#pragma once

#include "core/base/result.h"

#include <QString>

namespace Recourse::Rfc3339 {

// Parses an RFC 3339 date-time strictly: date, 'T', time with seconds, optional fraction, and a
// mandatory offset ('Z' or +hh:mm within 23:59). Lower-case 't' and 'z' are accepted as the RFC
// allows. Returns milliseconds since the epoch (fractions beyond milliseconds are truncated).
Result<qint64> parse(QStringView text);

// Formats as UTC with 'Z' and whole seconds, the form everything Recourse emits.
QString format(qint64 msSinceEpoch);

// Formats as UTC with milliseconds and 'Z' (2026-12-04T10:00:00.123Z), the form of log lines.
QString formatWithMs(qint64 msSinceEpoch);

// The length of formatWithMs() for years 1 to 9999.
inline constexpr qsizetype kWithMsLength = 24;

// Writes formatWithMs() as kWithMsLength Latin-1 bytes to `out`, without allocating. Returns false,
// writing nothing, for a time outside years 1 to 9999.
bool writeWithMs(qint64 msSinceEpoch, char *out);

} // namespace Recourse::Rfc3339
