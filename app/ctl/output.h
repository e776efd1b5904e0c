#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace Recourse::Ctl {

// Replaces control characters (C0, DEL, C1) and bidirectional formatting characters with
// \u{XXXX}, so text that a PEP chose cannot move the cursor, recolour or reorder the terminal.
// Used for every service value in human-readable output; --json output is left to the JSON writer.
QString displayText(const QString &text);

// A JSON value as one line of text: strings as they are, numbers, booleans, and objects or
// arrays in compact JSON.
QString valueText(const QJsonValue &value);

// An AuthZEN subject or resource as "type:id".
QString entityLabel(const QJsonObject &entity);

// A plain-text table with a header row, columns padded to their widest cell and separated by
// two spaces. Cells are passed through displayText() and cut to kMaxCellWidth characters.
class TextTable
{
public:
    static constexpr qsizetype kMaxCellWidth = 48;

    explicit TextTable(QStringList header);

    void addRow(QStringList cells);
    qsizetype rowCount() const { return m_rows.size(); }
    QString render() const;

private:
    QStringList m_header;
    QList<QStringList> m_rows;
};

// The list view: one row per task of GET /admin/v1/tasks.
QString taskTable(const QJsonArray &tasks);
// KID, STATE, RETIRE AFTER: the signing keys of GET /admin/v1/keys.
QString signingKeyTable(const QJsonArray &keys);

// The show view: a task of GET /admin/v1/tasks/{id} as labelled lines.
QString taskDetail(const QJsonObject &task);

// A one-line summary of the task that approve or deny returned.
QString decisionSummary(const QString &verb, const QJsonObject &task);

// One CSV field per RFC 4180: enclosed in double quotes, with inner quotes doubled, when it
// contains a comma, a double quote, CR or LF; unchanged otherwise.
QString csvField(const QString &value);

// One CSV record: the escaped fields joined by commas and ended with CRLF, as RFC 4180 specifies.
QString csvRecord(const QStringList &fields);

// The audit export's CSV columns, in order, and one audit record as a row of them. `data` is
// kept whole as compact JSON in one field, so the CSV loses no member of the record.
QStringList auditCsvColumns();
QString auditCsvRow(const QJsonObject &record);

// One object in compact JSON followed by LF, one line of a JSON Lines file.
QByteArray jsonLine(const QJsonObject &object);

} // namespace Recourse::Ctl
