#include "ui/auditexport.h"

#include <QJsonDocument>
#include <QSaveFile>
#include <QStringList>

namespace Recourse::Ui::AuditExport {

namespace {

QByteArray csvField(const QString &text)
{
    QByteArray field = text.toUtf8();
    if (!field.contains(',') && !field.contains('"') && !field.contains('\r') && !field.contains('\n'))
        return field;
    field.replace("\"", "\"\"");
    return '"' + field + '"';
}

QString member(const QJsonObject &record, QStringView name)
{
    const QJsonValue value = record.value(name);
    if (value.isDouble())
        return QString::number(value.toInteger());
    return value.toString();
}

} // namespace

QByteArray toJsonLines(const QList<QJsonObject> &records)
{
    QByteArray out;
    for (const QJsonObject &record : records) {
        out += QJsonDocument(record).toJson(QJsonDocument::Compact);
        out += '\n';
    }
    return out;
}

QByteArray toCsv(const QList<QJsonObject> &records)
{
    static const QList<QStringView> columns{u"seq",         u"time",       u"type",      u"actor",
                                            u"task_id",     u"evaluation_id", u"approval_id", u"subject_id",
                                            u"data",        u"prev_hash",  u"hash"};
    QByteArrayList header;
    for (const QStringView column : columns)
        header.append(column.toUtf8());
    QByteArray out = header.join(',') + "\r\n";

    for (const QJsonObject &record : records) {
        QByteArrayList fields;
        for (const QStringView column : columns) {
            const QString text = column == u"data"
                ? QString::fromUtf8(QJsonDocument(record.value(u"data").toObject()).toJson(QJsonDocument::Compact))
                : member(record, column);
            fields.append(csvField(text));
        }
        out += fields.join(',') + "\r\n";
    }
    return out;
}

Result<void> write(const QString &path, const QList<QJsonObject> &records, Format format)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        return Error::make(ErrorCode::InvalidRequest,
                           QStringLiteral("Could not open %1 for writing: %2").arg(path, file.errorString()), path);
    }

    const QByteArray content = format == Format::Csv ? toCsv(records) : toJsonLines(records);
    if (file.write(content) != content.size() || !file.commit()) {
        return Error::make(ErrorCode::InvalidRequest, QStringLiteral("Could not write %1: %2").arg(path, file.errorString()),
                           path);
    }
    return {};
}

} // namespace Recourse::Ui::AuditExport
