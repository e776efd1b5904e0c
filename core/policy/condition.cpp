#include "core/policy/condition.h"

#include "core/base/rfc3339.h"
#include "core/policy/attributecache.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>

namespace Recourse::Policy::Detail {

namespace {

const QString kAttr = QStringLiteral("attr");
const QStringList kGroupKeys = {QStringLiteral("all"), QStringLiteral("any"), QStringLiteral("not")};

QString operatorHelp()
{
    return QStringLiteral("expected one of ") + Condition::operatorNames().join(QStringLiteral(", "));
}

} // namespace

const QStringList &Condition::operatorNames()
{
    static const QStringList names = {
        QStringLiteral("equals"), QStringLiteral("not_equals"), QStringLiteral("in"),
        QStringLiteral("prefix"), QStringLiteral("glob"), QStringLiteral("gt"),
        QStringLiteral("gte"), QStringLiteral("lt"), QStringLiteral("lte"),
        QStringLiteral("before"), QStringLiteral("after"), QStringLiteral("exists"),
        QStringLiteral("contains"), QStringLiteral("equals_attr"),
    };
    return names;
}

std::optional<Condition> Condition::compile(const QJsonValue &json, const QString &pointer, SourceFile &file)
{
    if (!json.isObject()) {
        file.error(pointer, QStringLiteral("a condition must be an object, got %1").arg(describeType(json)));
        return std::nullopt;
    }

    const QJsonObject object = json.toObject();
    for (const QString &key : kGroupKeys) {
        if (object.contains(key))
            return compileGroup(object, key, pointer, file);
    }
    if (object.contains(kAttr))
        return compileLeaf(object, pointer, file);

    const QString first = object.isEmpty() ? QString() : object.constBegin().key();
    file.error(object.isEmpty() ? pointer : childPointer(pointer, first),
               object.isEmpty() ? QStringLiteral("empty condition; expected \"attr\" with an operator, or \"all\", \"any\" or \"not\"")
                                : QStringLiteral("unknown member \"%1\" in condition; expected \"attr\" with an operator, or \"all\", \"any\" or \"not\"").arg(first));
    return std::nullopt;
}

std::optional<Condition> Condition::compileGroup(const QJsonObject &object, const QString &key,
                                                 const QString &pointer, SourceFile &file)
{
    if (object.size() != 1) {
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            if (it.key() != key) {
                file.error(childPointer(pointer, it.key()),
                           QStringLiteral("a condition with \"%1\" must have no other members; found \"%2\"")
                               .arg(key, it.key()));
            }
        }
        return std::nullopt;
    }

    Condition condition;
    const QString childBase = childPointer(pointer, key);
    const QJsonValue operand = object.value(key);

    if (key == u"not") {
        condition.m_op = Op::Not;
        auto child = compile(operand, childBase, file);
        if (!child)
            return std::nullopt;
        condition.m_children.push_back(std::move(*child));
        return condition;
    }

    condition.m_op = key == u"all" ? Op::All : Op::Any;
    if (!operand.isArray()) {
        file.error(childBase, QStringLiteral("\"%1\" expects an array of conditions, got %2").arg(key, describeType(operand)));
        return std::nullopt;
    }
    const QJsonArray items = operand.toArray();
    bool ok = true;
    for (qsizetype i = 0; i < items.size(); ++i) {
        auto child = compile(items.at(i), childPointer(childBase, i), file);
        if (!child) {
            ok = false;
            continue;
        }
        condition.m_children.push_back(std::move(*child));
    }
    if (!ok)
        return std::nullopt;
    return condition;
}

std::optional<Condition> Condition::compileLeaf(const QJsonObject &object, const QString &pointer, SourceFile &file)
{
    const QJsonValue attr = object.value(kAttr);
    if (!attr.isString()) {
        file.error(childPointer(pointer, kAttr), QStringLiteral("\"attr\" must be a string, got %1").arg(describeType(attr)));
        return std::nullopt;
    }

    Condition condition;
    QString pathError;
    const auto path = AttributePath::parse(attr.toString(), file.attributeSlots(), &pathError);
    if (!path) {
        file.error(childPointer(pointer, kAttr), pathError);
        return std::nullopt;
    }
    condition.m_attr = *path;

    QStringList operators;
    bool ok = true;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (it.key() == kAttr)
            continue;
        if (!operatorNames().contains(it.key())) {
            file.error(childPointer(pointer, it.key()),
                       QStringLiteral("unknown operator \"%1\"; %2").arg(it.key(), operatorHelp()));
            ok = false;
            continue;
        }
        operators.append(it.key());
    }
    if (!ok)
        return std::nullopt;
    if (operators.isEmpty()) {
        file.error(pointer, QStringLiteral("condition on \"%1\" has no operator; %2").arg(path->text(), operatorHelp()));
        return std::nullopt;
    }
    if (operators.size() > 1) {
        file.error(pointer, QStringLiteral("condition on \"%1\" has more than one operator (%2); combine them with \"all\"")
                                .arg(path->text(), quotedList(operators, QStringLiteral(" and "))));
        return std::nullopt;
    }

    const QString &name = operators.constFirst();
    if (!condition.compileOperand(name, object.value(name), childPointer(pointer, name), file))
        return std::nullopt;
    return condition;
}

bool Condition::compileOperand(const QString &name, const QJsonValue &operand, const QString &pointer, SourceFile &file)
{
    const auto typeError = [&](const QString &expected) {
        file.error(pointer, QStringLiteral("operator \"%1\" expects %2, got %3").arg(name, expected, describeType(operand)));
        return false;
    };
    const auto parseOtherPath = [&](const QString &text, const QString &errorPointer) {
        QString pathError;
        m_other = AttributePath::parse(text, file.attributeSlots(), &pathError);
        if (!m_other)
            file.error(errorPointer, pathError);
        return m_other.has_value();
    };

    if (name == u"equals" || name == u"not_equals" || name == u"contains") {
        m_op = name == u"equals" ? Op::Equals : (name == u"contains" ? Op::Contains : Op::NotEquals);
        const auto scalar = Scalar::fromJson(operand);
        if (!scalar)
            return typeError(name == u"contains" ? QStringLiteral("a string, number, boolean or null")
                                                 : QStringLiteral("a string, number, boolean or null (use \"in\" for a list)"));
        m_scalar = *scalar;
        return true;
    }

    if (name == u"in") {
        m_op = Op::In;
        if (!operand.isArray())
            return typeError(QStringLiteral("an array of strings, numbers, booleans or nulls"));
        const QJsonArray items = operand.toArray();
        for (qsizetype i = 0; i < items.size(); ++i) {
            const auto scalar = Scalar::fromJson(items.at(i));
            if (!scalar) {
                file.error(childPointer(pointer, i), QStringLiteral("operator \"in\" accepts only strings, numbers, booleans and nulls in its list, got %1")
                                                         .arg(describeType(items.at(i))));
                return false;
            }
            m_set.add(*scalar);
        }
        return true;
    }

    if (name == u"prefix" || name == u"glob") {
        m_op = name == u"prefix" ? Op::Prefix : Op::Glob;
        if (!operand.isString())
            return typeError(QStringLiteral("a string"));
        m_text = operand.toString();
        return true;
    }

    static const QHash<QString, Op> numericOperators = {
        {QStringLiteral("gt"), Op::Gt}, {QStringLiteral("gte"), Op::Gte},
        {QStringLiteral("lt"), Op::Lt}, {QStringLiteral("lte"), Op::Lte},
    };
    if (numericOperators.contains(name)) {
        m_op = numericOperators.value(name);
        if (!operand.isDouble())
            return typeError(QStringLiteral("a number"));
        m_number = operand.toDouble();
        return true;
    }

    if (name == u"before" || name == u"after") {
        m_op = name == u"before" ? Op::Before : Op::After;
        const QString expected = QStringLiteral("an RFC 3339 date-time with an offset, such as \"2025-01-31T17:00:00Z\", or {\"attr\": path}");
        if (operand.isObject()) {
            const QJsonObject reference = operand.toObject();
            if (reference.size() != 1 || !reference.value(kAttr).isString())
                return typeError(expected);
            return parseOtherPath(reference.value(kAttr).toString(), childPointer(pointer, kAttr));
        }
        if (!operand.isString())
            return typeError(expected);
        const auto instant = Rfc3339::parse(operand.toString());
        if (!instant) {
            file.error(pointer, QStringLiteral("operator \"%1\" expects %2; \"%3\" is not one")
                                    .arg(name, expected, operand.toString()));
            return false;
        }
        m_instantMs = *instant;
        return true;
    }

    if (name == u"exists") {
        m_op = Op::Exists;
        if (!operand.isBool())
            return typeError(QStringLiteral("true or false"));
        m_flag = operand.toBool();
        return true;
    }

    m_op = Op::EqualsAttr;
    if (!operand.isString())
        return typeError(QStringLiteral("an attribute path string such as \"subject.id\""));
    return parseOtherPath(operand.toString(), pointer);
}

bool Condition::evaluate(AttributeCache &cache) const
{
    switch (m_op) {
    case Op::All:
        for (const Condition &child : m_children) {
            if (!child.evaluate(cache))
                return false;
        }
        return true;
    case Op::Any:
        for (const Condition &child : m_children) {
            if (child.evaluate(cache))
                return true;
        }
        return false;
    case Op::Not:
        return !m_children.front().evaluate(cache);
    default:
        return evaluateLeaf(cache);
    }
}

void Condition::suggest(const std::function<void(const QString &path, const QJsonValue &value)> &place) const
{
    const QString &path = m_attr.text();
    switch (m_op) {
    case Op::All:
        for (const Condition &child : m_children)
            child.suggest(place);
        return;
    case Op::Any:
        if (!m_children.empty())
            m_children.front().suggest(place);
        return;
    case Op::Equals:
        place(path, m_scalar.toJson());
        return;
    case Op::In:
        if (!m_set.items().empty())
            place(path, m_set.items().front().toJson());
        return;
    case Op::Prefix:
        place(path, QString(m_text + QStringLiteral("example")));
        return;
    case Op::Exists:
        if (m_flag)
            place(path, QStringLiteral("example"));
        return;
    case Op::Gt:
        place(path, m_number + 1);
        return;
    case Op::Gte:
    case Op::Lte:
        place(path, m_number);
        return;
    case Op::Lt:
        place(path, m_number - 1);
        return;
    case Op::Contains:
        place(path, QJsonArray{m_scalar.toJson()});
        return;
    default:
        return;
    }
}

bool Condition::evaluateLeaf(AttributeCache &cache) const
{
    switch (m_op) {
    case Op::Equals:
        return m_scalar.matches(cache, m_attr);
    case Op::NotEquals:
        return !m_scalar.matches(cache, m_attr);
    case Op::In:
        return m_set.contains(cache, m_attr);
    case Op::Prefix: {
        const QString *text = cache.string(m_attr);
        return text && text->startsWith(m_text);
    }
    case Op::Glob: {
        const QString *text = cache.string(m_attr);
        return text && globMatch(m_text, *text);
    }
    default:
        break;
    }

    // Copied because a second lookup (equals_attr, a before/after reference) may reuse the storage.
    const QJsonValue value = cache.value(m_attr);
    switch (m_op) {
    case Op::Gt:
        return value.isDouble() && value.toDouble() > m_number;
    case Op::Gte:
        return value.isDouble() && value.toDouble() >= m_number;
    case Op::Lt:
        return value.isDouble() && value.toDouble() < m_number;
    case Op::Lte:
        return value.isDouble() && value.toDouble() <= m_number;
    case Op::Before:
    case Op::After:
        return compareInstants(value, cache);
    case Op::Exists:
        // A member set to null counts as absent, so {"tenant": null} never satisfies "tenant exists".
        return (!value.isUndefined() && !value.isNull()) == m_flag;
    case Op::Contains:
        if (!value.isArray())
            return false;
        for (const QJsonValue &item : value.toArray()) {
            if (m_scalar.equals(item))
                return true;
        }
        return false;
    case Op::EqualsAttr: {
        const QJsonValue &other = cache.value(*m_other);
        if (value.isUndefined() || value.isNull() || other.isUndefined() || other.isNull())
            return false;
        return value == other;
    }
    case Op::All:
    case Op::Any:
    case Op::Not:
    case Op::Equals:
    case Op::NotEquals:
    case Op::In:
    case Op::Prefix:
    case Op::Glob:
        break;
    }
    return false;
}

bool Condition::compareInstants(const QJsonValue &value, AttributeCache &cache) const
{
    if (!value.isString())
        return false;
    const auto left = Rfc3339::parse(value.toString());
    if (!left)
        return false;

    qint64 rightMs = m_instantMs;
    if (m_other) {
        const QJsonValue &other = cache.value(*m_other);
        if (!other.isString())
            return false;
        const auto right = Rfc3339::parse(other.toString());
        if (!right)
            return false;
        rightMs = *right;
    }

    return m_op == Op::Before ? *left < rightMs : *left > rightMs;
}

bool globMatch(QStringView pattern, QStringView text)
{
    // Greedy matching that remembers the last '*' and retries from there: linear in practice and
    // at worst pattern length times text length, with no recursion.
    qsizetype p = 0;
    qsizetype t = 0;
    qsizetype starPattern = -1;
    qsizetype starText = 0;

    while (t < text.size()) {
        if (p < pattern.size() && (pattern.at(p) == u'?' || (pattern.at(p) != u'*' && pattern.at(p) == text.at(t)))) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern.at(p) == u'*') {
            starPattern = p++;
            starText = t;
        } else if (starPattern >= 0) {
            p = starPattern + 1;
            t = ++starText;
        } else {
            return false;
        }
    }

    while (p < pattern.size() && pattern.at(p) == u'*')
        ++p;
    return p == pattern.size();
}

} // namespace Recourse::Policy::Detail
