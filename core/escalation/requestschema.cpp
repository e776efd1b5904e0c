#include "core/escalation/requestschema.h"

#include "core/json/json.h"

#include <QJsonArray>

#include <cmath>

namespace Recourse::Escalation::RequestSchema {

namespace {

Error mismatch(const QString &pointer, const QString &problem)
{
    const QString where = pointer.isEmpty() ? QStringLiteral("The submission") : pointer;
    return Error::make(ErrorCode::InvalidRequest,
                       QStringLiteral("The submission does not match the template's request_schema: %1 %2.")
                           .arg(where, problem),
                       pointer.isEmpty() ? QStringLiteral("/") : pointer);
}

bool hasType(const QJsonValue &value, QStringView type)
{
    if (type == u"object")
        return value.isObject();
    if (type == u"array")
        return value.isArray();
    if (type == u"string")
        return value.isString();
    if (type == u"boolean")
        return value.isBool();
    if (type == u"null")
        return value.isNull();
    if (type == u"number")
        return value.isDouble();
    if (type == u"integer")
        return value.isDouble() && std::trunc(value.toDouble()) == value.toDouble();
    return false;
}

// JSON Schema measures string length in code points, but QString::size() counts UTF-16 units.
qsizetype codePoints(const QString &text)
{
    qsizetype count = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (!(text.at(i).isLowSurrogate() && i > 0 && text.at(i - 1).isHighSurrogate()))
            ++count;
    }
    return count;
}

Result<void> checkType(const QJsonObject &schema, const QJsonValue &instance, const QString &pointer)
{
    const QJsonValue type = schema.value(QStringLiteral("type"));
    if (type.isUndefined())
        return {};
    QStringList allowed;
    if (type.isArray()) {
        for (const QJsonValue &name : type.toArray())
            allowed.append(name.toString());
    } else {
        allowed.append(type.toString());
    }
    for (const QString &name : std::as_const(allowed)) {
        if (hasType(instance, name))
            return {};
    }
    return mismatch(pointer, QStringLiteral("must be of type %1").arg(allowed.join(QStringLiteral(" or "))));
}

Result<void> checkScalar(const QJsonObject &schema, const QJsonValue &instance, const QString &pointer)
{
    const QJsonValue choices = schema.value(QStringLiteral("enum"));
    if (choices.isArray()) {
        bool listed = false;
        for (const QJsonValue &choice : choices.toArray())
            listed = listed || Json::structurallyEqual(choice, instance);
        if (!listed)
            return mismatch(pointer, QStringLiteral("is not one of the values the schema lists"));
    }

    if (instance.isString()) {
        const qsizetype length = codePoints(instance.toString());
        const QJsonValue maxLength = schema.value(QStringLiteral("maxLength"));
        if (maxLength.isDouble() && double(length) > maxLength.toDouble())
            return mismatch(pointer, QStringLiteral("is longer than %1 characters").arg(maxLength.toDouble()));
        const QJsonValue minLength = schema.value(QStringLiteral("minLength"));
        if (minLength.isDouble() && double(length) < minLength.toDouble())
            return mismatch(pointer, QStringLiteral("is shorter than %1 characters").arg(minLength.toDouble()));
    }

    if (instance.isDouble()) {
        const QJsonValue maximum = schema.value(QStringLiteral("maximum"));
        if (maximum.isDouble() && instance.toDouble() > maximum.toDouble())
            return mismatch(pointer, QStringLiteral("is greater than %1").arg(maximum.toDouble()));
        const QJsonValue minimum = schema.value(QStringLiteral("minimum"));
        if (minimum.isDouble() && instance.toDouble() < minimum.toDouble())
            return mismatch(pointer, QStringLiteral("is less than %1").arg(minimum.toDouble()));
    }
    return {};
}

Result<void> validateAt(const QJsonObject &schema, const QJsonValue &instance, const QString &pointer);

Result<void> checkObject(const QJsonObject &schema, const QJsonObject &instance, const QString &pointer)
{
    for (const QJsonValue &name : schema.value(QStringLiteral("required")).toArray()) {
        if (!instance.contains(name.toString()))
            return mismatch(pointer + u'/' + Json::escapePointerToken(name.toString()), QStringLiteral("is required"));
    }

    const QJsonObject properties = schema.value(QStringLiteral("properties")).toObject();
    const QJsonValue additional = schema.value(QStringLiteral("additionalProperties"));
    for (auto it = instance.begin(); it != instance.end(); ++it) {
        const QString member = pointer + u'/' + Json::escapePointerToken(it.key());
        if (properties.contains(it.key())) {
            if (auto r = validateAt(properties.value(it.key()).toObject(), it.value(), member); !r)
                return r;
        } else if (additional.isBool() && !additional.toBool()) {
            return mismatch(member, QStringLiteral("is not allowed"));
        } else if (additional.isObject()) {
            if (auto r = validateAt(additional.toObject(), it.value(), member); !r)
                return r;
        }
    }
    return {};
}

Result<void> checkArray(const QJsonObject &schema, const QJsonArray &instance, const QString &pointer)
{
    const QJsonValue maxItems = schema.value(QStringLiteral("maxItems"));
    if (maxItems.isDouble() && double(instance.size()) > maxItems.toDouble())
        return mismatch(pointer, QStringLiteral("has more than %1 items").arg(maxItems.toDouble()));
    const QJsonValue minItems = schema.value(QStringLiteral("minItems"));
    if (minItems.isDouble() && double(instance.size()) < minItems.toDouble())
        return mismatch(pointer, QStringLiteral("has fewer than %1 items").arg(minItems.toDouble()));

    const QJsonValue items = schema.value(QStringLiteral("items"));
    if (!items.isObject())
        return {};
    for (qsizetype i = 0; i < instance.size(); ++i) {
        if (auto r = validateAt(items.toObject(), instance.at(i), pointer + u'/' + QString::number(i)); !r)
            return r;
    }
    return {};
}

Result<void> validateAt(const QJsonObject &schema, const QJsonValue &instance, const QString &pointer)
{
    if (auto r = checkType(schema, instance, pointer); !r)
        return r;
    if (auto r = checkScalar(schema, instance, pointer); !r)
        return r;
    if (instance.isObject())
        return checkObject(schema, instance.toObject(), pointer);
    if (instance.isArray())
        return checkArray(schema, instance.toArray(), pointer);
    return {};
}

// The justification cap as a schema. It applies whatever the template declares, so the store and
// the console never receive an unbounded justification.
QJsonObject justificationCap()
{
    const QJsonObject justification{{QStringLiteral("type"), QStringLiteral("string")},
                                    {QStringLiteral("maxLength"), double(kMaxJustificationLength)}};
    const QJsonObject context{{QStringLiteral("type"), QStringLiteral("object")},
                              {QStringLiteral("properties"),
                               QJsonObject{{QStringLiteral("business_justification"), justification}}}};
    return QJsonObject{{QStringLiteral("properties"), QJsonObject{{QStringLiteral("context"), context}}}};
}

} // namespace

Result<void> validate(const QJsonObject &schema, const QJsonValue &instance)
{
    return validateAt(schema, instance, QString());
}

Result<void> checkSubmission(const QJsonObject &body, const Policy::Template &tmpl)
{
    if (auto r = validate(tmpl.requestSchema, body); !r)
        return r;
    return validate(justificationCap(), body);
}

} // namespace Recourse::Escalation::RequestSchema
