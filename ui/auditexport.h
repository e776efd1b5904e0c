#pragma once

#include "core/base/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>

namespace Recourse::Ui::AuditExport {

// One compact JSON object per line, each record exactly as the service returned it, in the
// order given. Every line ends with "\n".
QByteArray toJsonLines(const QList<QJsonObject> &records);

// RFC 4180 CSV with a header row: seq, time, type, actor, task_id, evaluation_id, approval_id,
// subject_id, data (compact JSON), prev_hash, hash. Lines end with CRLF; fields that contain a
// comma, quote, CR or LF are quoted with inner quotes doubled.
QByteArray toCsv(const QList<QJsonObject> &records);

enum class Format { JsonLines, Csv };
// Writes the records to `path` in that format, replacing the file only once the write succeeded.
Result<void> write(const QString &path, const QList<QJsonObject> &records, Format format);

} // namespace Recourse::Ui::AuditExport
