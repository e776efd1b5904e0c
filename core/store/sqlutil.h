#pragma once

#include "core/json/json.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QStringList>

namespace Recourse::Store::Sql {

// The store writes only JSON it produced itself, so reading it back uses Qt's parser.
inline QString toText(const QJsonObject &object)
{
    return QString::fromUtf8(Json::serialize(object));
}

inline QString toText(const QStringList &list)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(list)).toJson(QJsonDocument::Compact));
}

inline QJsonObject objectFrom(const QVariant &value)
{
    return Json::objectFromStored(value.toString().toUtf8());
}

inline QStringList listFrom(const QVariant &value)
{
    QStringList list;
    const QJsonArray array = QJsonDocument::fromJson(value.toString().toUtf8()).array();
    for (const QJsonValue &item : array)
        list.append(item.toString());
    return list;
}

// A NULL for empty strings, so optional columns stay NULL rather than "".
inline QVariant nullable(const QString &text)
{
    return text.isEmpty() ? QVariant() : QVariant(text);
}

// An empty but non-null string, for NOT NULL text columns that may legitimately be empty.
inline QVariant text(const QString &value)
{
    return value.isNull() ? QVariant(QStringLiteral("")) : QVariant(value);
}

} // namespace Recourse::Store::Sql
