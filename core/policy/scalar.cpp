#include "core/policy/scalar.h"

#include "core/policy/attributecache.h"

namespace Recourse::Policy::Detail {

namespace {

// Below this many strings a linear scan is faster than hashing the request value.
constexpr qsizetype kHashThreshold = 8;

} // namespace

std::optional<Scalar> Scalar::fromJson(const QJsonValue &value)
{
    Scalar scalar;
    scalar.m_type = value.type();
    switch (value.type()) {
    case QJsonValue::Null:
        return scalar;
    case QJsonValue::Bool:
        scalar.m_boolean = value.toBool();
        return scalar;
    case QJsonValue::Double:
        scalar.m_number = value.toDouble();
        return scalar;
    case QJsonValue::String:
        scalar.m_string = value.toString();
        return scalar;
    case QJsonValue::Array:
    case QJsonValue::Object:
    case QJsonValue::Undefined:
        break;
    }
    return std::nullopt;
}

bool Scalar::equals(const QJsonValue &value) const
{
    if (value.type() != m_type)
        return false;

    switch (m_type) {
    case QJsonValue::Null:
        return true;
    case QJsonValue::Bool:
        return value.toBool() == m_boolean;
    case QJsonValue::Double:
        return value.toDouble() == m_number;
    case QJsonValue::String:
        return value.toString() == m_string;
    case QJsonValue::Array:
    case QJsonValue::Object:
    case QJsonValue::Undefined:
        break;
    }
    return false;
}

bool Scalar::matches(AttributeCache &cache, const AttributePath &path) const
{
    if (m_type != QJsonValue::String)
        return equals(cache.value(path));
    const QString *text = cache.string(path);
    return text && *text == m_string;
}

QJsonValue Scalar::toJson() const
{
    switch (m_type) {
    case QJsonValue::Bool:
        return m_boolean;
    case QJsonValue::Double:
        return m_number;
    case QJsonValue::String:
        return m_string;
    case QJsonValue::Null:
    case QJsonValue::Array:
    case QJsonValue::Object:
    case QJsonValue::Undefined:
        break;
    }
    return QJsonValue(QJsonValue::Null);
}

void ScalarSet::add(Scalar scalar)
{
    if (scalar.type() == QJsonValue::String)
        m_strings.insert(scalar.string());
    else
        m_hasNonStrings = true;
    m_items.push_back(std::move(scalar));
}

bool ScalarSet::contains(AttributeCache &cache, const AttributePath &path) const
{
    if (const QString *text = m_strings.isEmpty() ? nullptr : cache.string(path)) {
        if (m_strings.size() > kHashThreshold)
            return m_strings.contains(*text);
        for (const Scalar &item : m_items) {
            if (item.type() == QJsonValue::String && item.string() == *text)
                return true;
        }
        return false;
    }

    if (!m_hasNonStrings)
        return false;
    const QJsonValue &value = cache.value(path);
    for (const Scalar &item : m_items) {
        if (item.equals(value))
            return true;
    }
    return false;
}

} // namespace Recourse::Policy::Detail
