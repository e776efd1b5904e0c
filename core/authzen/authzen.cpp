#include "core/authzen/authzen.h"

#include <QJsonValue>

namespace Recourse::AuthZen {

namespace {

Error invalid(const QString &path, const QString &message)
{
    return Error::make(ErrorCode::InvalidRequest, message, path);
}

QString typeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("missing");
}

// Checks the member's type without reading it, because value() copies a string member into a new
// QString and every evaluation checks five of them.
Result<void> requireString(const QJsonObject &object, QLatin1StringView member, const QString &path, bool required)
{
    const auto found = object.constFind(member);
    if (found == object.constEnd() ? !required : (*found).type() == QJsonValue::String)
        return {};

    // Every request validates several members, so the path is built only for an error.
    const QString memberPath = path + u'.' + member;
    if (found == object.constEnd())
        return invalid(memberPath, QStringLiteral("The member %1 is missing.").arg(memberPath));
    return invalid(memberPath,
                   QStringLiteral("The member %1 must be a string, not %2.").arg(memberPath, typeName(*found)));
}

Result<void> validate(EntityKind kind, const QJsonValue &value, const QString &path, bool idRequired)
{
    if (value.isUndefined())
        return invalid(path, QStringLiteral("The member %1 is missing.").arg(path));
    if (!value.isObject())
        return invalid(path, QStringLiteral("The member %1 must be an object, not %2.").arg(path, typeName(value)));

    const QJsonObject object = value.toObject();
    if (kind == EntityKind::Action) {
        if (auto name = requireString(object, QLatin1StringView("name"), path, idRequired); !name)
            return name;
    } else {
        if (auto type = requireString(object, QLatin1StringView("type"), path, true); !type)
            return type;
        if (auto id = requireString(object, QLatin1StringView("id"), path, idRequired); !id)
            return id;
    }

    const auto properties = object.constFind(QLatin1StringView("properties"));
    if (properties != object.constEnd() && (*properties).type() != QJsonValue::Object) {
        const QString memberPath = path + QStringLiteral(".properties");
        return invalid(memberPath, QStringLiteral("The member %1 must be an object, not %2.")
                                       .arg(memberPath, typeName(*properties)));
    }
    return {};
}

} // namespace

Result<void> validateEntity(EntityKind kind, const QJsonValue &value, const QString &path)
{
    return validate(kind, value, path, true);
}

Result<void> validateSearchEntity(EntityKind kind, const QJsonValue &value, const QString &path)
{
    return validate(kind, value, path, false);
}

Result<void> validateContext(const QJsonValue &context)
{
    if (!context.isUndefined() && !context.isObject())
        return invalid(QStringLiteral("context"),
                       QStringLiteral("The member context must be an object, not %1.").arg(typeName(context)));
    return {};
}

Result<EvaluationRequest> parseEvaluationRequest(const QJsonObject &body)
{
    const QJsonValue subject = body.value(QLatin1StringView("subject"));
    const QJsonValue resource = body.value(QLatin1StringView("resource"));
    const QJsonValue action = body.value(QLatin1StringView("action"));
    const QJsonValue context = body.value(QLatin1StringView("context"));

    if (auto r = validateEntity(EntityKind::Subject, subject, QStringLiteral("subject")); !r)
        return r.error();
    if (auto r = validateEntity(EntityKind::Resource, resource, QStringLiteral("resource")); !r)
        return r.error();
    if (auto r = validateEntity(EntityKind::Action, action, QStringLiteral("action")); !r)
        return r.error();
    if (auto r = validateContext(context); !r)
        return r.error();

    return EvaluationRequest{subject.toObject(), resource.toObject(), action.toObject(), context.toObject()};
}

bool isValidEvaluationRequest(const Json::FlatDocument &body)
{
    using Type = Json::FlatDocument::Type;
    const auto isString = [&body](int node) { return node >= 0 && body.type(node) == Type::String; };
    const auto isEntity = [&](QByteArrayView name, EntityKind kind) {
        const int entity = body.member(Json::FlatDocument::kRoot, name);
        if (entity < 0 || body.type(entity) != Type::Object)
            return false;
        const bool identified = kind == EntityKind::Action
            ? isString(body.member(entity, "name"))
            : isString(body.member(entity, "type")) && isString(body.member(entity, "id"));
        const int properties = body.member(entity, "properties");
        return identified && (properties < 0 || body.type(properties) == Type::Object);
    };

    const int context = body.member(Json::FlatDocument::kRoot, "context");
    return isEntity("subject", EntityKind::Subject) && isEntity("resource", EntityKind::Resource)
        && isEntity("action", EntityKind::Action) && (context < 0 || body.type(context) == Type::Object);
}

QString entityLabel(EntityKind kind)
{
    switch (kind) {
    case EntityKind::Subject:
        return QStringLiteral("subject");
    case EntityKind::Resource:
        return QStringLiteral("resource");
    case EntityKind::Action:
        return QStringLiteral("action");
    }
    return {};
}

QString describeEntity(const QJsonObject &entity)
{
    return entity.value(QStringLiteral("type")).toString() + u':' + entity.value(QStringLiteral("id")).toString();
}

QString describeAction(const QJsonObject &action)
{
    return action.value(QStringLiteral("name")).toString();
}

} // namespace Recourse::AuthZen
