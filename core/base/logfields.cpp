#include "core/base/logfields.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <charconv>
#include <cmath>

namespace Recourse::Log {

namespace {

// A message handler runs on the thread that logs, so per-thread members reach it unshared.
thread_local Fields t_fields;

// Formats `number` as QString::number(number, 'g', 15) does, through std::to_chars, because every
// request line carries a duration and QString::number() took about 2% of an evaluation's instructions.
QString numberText(double number)
{
    if (!std::isfinite(number))
        return QStringLiteral("null");
    if (number == 0)
        return QStringLiteral("0"); // Qt writes -0 as 0 too.

    char text[32];
    // Durations are whole tenths of a millisecond, which are written digit by digit. Below 10^14
    // tenths, 15 significant digits show such a number exactly, so the text is the same.
    const double tenths = std::nearbyint(number * 10);
    if (std::abs(tenths) < 1e14 && tenths / 10 == number) {
        const qint64 whole = qint64(std::abs(tenths));
        char *out = text;
        if (tenths < 0)
            *out++ = '-';
        out = std::to_chars(out, std::end(text), whole / 10).ptr;
        if (whole % 10 != 0) {
            *out++ = '.';
            *out++ = char('0' + whole % 10);
        }
        return QString::fromLatin1(text, out - text);
    }

    const std::to_chars_result written = std::to_chars(std::begin(text), std::end(text), number,
                                                       std::chars_format::general, 15);
    return QString::fromLatin1(text, written.ptr - text);
}

Field fieldFrom(const QString &key, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return Field{key, value.toString(), false};
    case QJsonValue::Double:
        return Field{key, numberText(value.toDouble()), true};
    case QJsonValue::Bool:
        return Field{key, value.toBool() ? QStringLiteral("true") : QStringLiteral("false"), true};
    case QJsonValue::Object:
        return Field{key, QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact)), true};
    case QJsonValue::Array:
        return Field{key, QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact)), true};
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
    return Field{key, QStringLiteral("null"), true};
}

} // namespace

Fields::Fields(const QJsonObject &object)
{
    for (auto it = object.begin(); it != object.end(); ++it)
        m_fields.append(fieldFrom(it.key(), it.value()));
}

Fields &Fields::add(const QString &key, const QString &value)
{
    m_fields.append(Field{key, value, false});
    return *this;
}

Fields &Fields::add(const QString &key, qint64 number)
{
    m_fields.append(Field{key, QString::number(number), true});
    return *this;
}

Fields &Fields::add(const QString &key, double number)
{
    m_fields.append(Field{key, numberText(number), true});
    return *this;
}

QString Fields::value(QStringView key) const
{
    for (qsizetype i = m_fields.size() - 1; i >= 0; --i) {
        if (m_fields[i].key == key)
            return m_fields[i].value;
    }
    return {};
}

bool Fields::overridden(qsizetype index) const
{
    const QString &key = m_fields[index].key;
    for (qsizetype later = index + 1; later < m_fields.size(); ++later) {
        if (m_fields[later].key == key)
            return true;
    }
    return false;
}

ScopedFields::ScopedFields(const Fields &fields) : m_previousSize(t_fields.size())
{
    t_fields.m_fields.append(fields.m_fields.constData(), fields.m_fields.size());
}

ScopedFields::~ScopedFields()
{
    t_fields.m_fields.resize(m_previousSize);
}

const Fields &ScopedFields::current()
{
    return t_fields;
}

} // namespace Recourse::Log
