#pragma once

#include <QJsonValue>
#include <QSet>
#include <QString>

#include <optional>
#include <vector>

namespace Recourse::Policy::Detail {

class AttributeCache;
class AttributePath;

// A JSON scalar from a policy file (string, number, boolean or null), kept in plain C++ form so
// comparisons with request values do not build a QJsonValue per evaluation.
class Scalar
{
public:
    // Nothing for arrays, objects and undefined values.
    static std::optional<Scalar> fromJson(const QJsonValue &value);

    // JSON equality: same type and same value; numbers compare by value (1 equals 1.0).
    bool equals(const QJsonValue &value) const;
    // As equals(), reading the attribute through the evaluation's cache.
    bool matches(AttributeCache &cache, const AttributePath &path) const;
    QJsonValue::Type type() const { return m_type; }
    const QString &string() const { return m_string; }
    QJsonValue toJson() const;

private:
    QJsonValue::Type m_type = QJsonValue::Null;
    bool m_boolean = false;
    double m_number = 0;
    QString m_string;
};

// Membership in a list of scalars. Large string lists are hashed so a match on hundreds of ids
// costs one lookup.
class ScalarSet
{
public:
    void add(Scalar scalar);
    bool contains(AttributeCache &cache, const AttributePath &path) const;
    qsizetype size() const { return qsizetype(m_items.size()); }
    const std::vector<Scalar> &items() const { return m_items; }

private:
    std::vector<Scalar> m_items;
    QSet<QString> m_strings;
    bool m_hasNonStrings = false;
};

} // namespace Recourse::Policy::Detail
