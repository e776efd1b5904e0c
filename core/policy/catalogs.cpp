// The "catalogs" member of a template: the values a catalog-backed request field may take.

#include "core/policy/compiledpolicy.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>

namespace Recourse::Policy::Detail {

namespace {

const QStringList kCatalogMembers = {QStringLiteral("items")};
const QStringList kItemMembers = {QStringLiteral("value"),     QStringLiteral("label"),   QStringLiteral("description"),
                                  QStringLiteral("risk_level"), QStringLiteral("owner"),   QStringLiteral("retired"),
                                  QStringLiteral("when")};

// The catalog endpoint's URL ends with the pointer, so its member names are limited to
// characters that need no escaping in a URL path or a JSON Pointer.
bool isValidFieldPointer(const QString &pointer)
{
    static const QRegularExpression pattern(
        QStringLiteral("^/(context|requested_access)(/[A-Za-z0-9_.-]{1,64}){1,4}$"));
    return pattern.match(pointer).hasMatch();
}

// The context members a condition reads. A catalog's `when` runs against the stored denial,
// which keeps only the relevant_context members of the evaluated context.
void collectContextMembers(const QJsonValue &json, QSet<QString> *members)
{
    if (json.isArray()) {
        for (const QJsonValue &entry : json.toArray())
            collectContextMembers(entry, members);
        return;
    }
    if (!json.isObject())
        return;

    const QJsonObject object = json.toObject();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const bool namesAttribute = it.key() == u"attr" || it.key() == u"equals_attr" || it.key() == u"before"
            || it.key() == u"after";
        const QString text = it.value().toString();
        if (namesAttribute && text.startsWith(QStringLiteral("context.")))
            members->insert(text.section(u'.', 1, 1));
        collectContextMembers(it.value(), members);
    }
}

bool readOptionalText(const QJsonObject &object, const QString &key, const QString &pointer, SourceFile &file,
                      QString *target)
{
    if (!object.contains(key))
        return true;
    const QJsonValue value = object.value(key);
    if (!value.isString() || value.toString().isEmpty()) {
        file.error(childPointer(pointer, key),
                   QStringLiteral("\"%1\" of a catalog item must be a non-empty string, got %2").arg(key, describeType(value)));
        return false;
    }
    *target = value.toString();
    return true;
}

std::optional<CatalogItem> readItem(const QJsonValue &json, const QString &pointer, SourceFile &file,
                                    const Template &tmpl)
{
    if (!json.isObject()) {
        file.error(pointer, QStringLiteral("a catalog item must be an object with \"value\" and \"label\", got %1").arg(describeType(json)));
        return std::nullopt;
    }
    const QJsonObject object = json.toObject();
    if (!checkMembers(object, pointer, kItemMembers, QStringLiteral("catalog item"), file))
        return std::nullopt;

    CatalogItem item;
    for (const QString &key : {QStringLiteral("value"), QStringLiteral("label")}) {
        if (!object.contains(key)) {
            file.error(pointer, QStringLiteral("a catalog item needs \"%1\" as a non-empty string").arg(key));
            return std::nullopt;
        }
    }
    if (!readOptionalText(object, QStringLiteral("value"), pointer, file, &item.value)
        || !readOptionalText(object, QStringLiteral("label"), pointer, file, &item.label)
        || !readOptionalText(object, QStringLiteral("description"), pointer, file, &item.description)
        || !readOptionalText(object, QStringLiteral("risk_level"), pointer, file, &item.riskLevel))
        return std::nullopt;
    if (item.value.size() > 256) {
        file.error(childPointer(pointer, QStringLiteral("value")), QStringLiteral("a catalog item \"value\" is limited to 256 characters"));
        return std::nullopt;
    }

    if (object.contains(QStringLiteral("owner"))) {
        const QJsonValue owner = object.value(QStringLiteral("owner"));
        if (!(owner.isString() && !owner.toString().isEmpty()) && !owner.isObject()) {
            file.error(childPointer(pointer, QStringLiteral("owner")),
                       QStringLiteral("\"owner\" must be a non-empty string or an object, got %1").arg(describeType(owner)));
            return std::nullopt;
        }
        item.owner = owner;
    }

    if (object.contains(QStringLiteral("retired"))) {
        if (!object.value(QStringLiteral("retired")).isBool()) {
            file.error(childPointer(pointer, QStringLiteral("retired")), QStringLiteral("\"retired\" must be true or false"));
            return std::nullopt;
        }
        item.retired = object.value(QStringLiteral("retired")).toBool();
    }

    if (object.contains(QStringLiteral("when"))) {
        const QString whenPointer = childPointer(pointer, QStringLiteral("when"));
        const QJsonValue when = object.value(QStringLiteral("when"));
        auto condition = Condition::compile(when, whenPointer, file);
        if (!condition)
            return std::nullopt;

        QSet<QString> members;
        collectContextMembers(when, &members);
        for (const QString &member : std::as_const(members)) {
            if (tmpl.relevantContext.contains(member))
                continue;
            file.error(whenPointer,
                       QStringLiteral("the \"when\" of catalog item \"%1\" reads context.%2, but a catalog sees only the "
                                      "context members listed in \"relevant_context\"; add \"%2\" there")
                           .arg(item.value, member));
            return std::nullopt;
        }
        item.when = std::make_shared<const Condition>(std::move(*condition));
    }
    return item;
}

std::optional<Catalog> readCatalog(const QString &fieldPointer, const QJsonValue &json, const QString &pointer,
                                   SourceFile &file, const Template &tmpl)
{
    if (!isValidFieldPointer(fieldPointer)) {
        file.error(pointer, QStringLiteral("invalid catalog field \"%1\"; use a JSON Pointer below /context or "
                                           "/requested_access whose names are letters, digits, '_', '.' or '-', "
                                           "for example \"/context/entitlement\"")
                                .arg(fieldPointer.left(100)));
        return std::nullopt;
    }
    if (!json.isObject()) {
        file.error(pointer, QStringLiteral("the catalog of \"%1\" must be an object with \"items\", got %2").arg(fieldPointer, describeType(json)));
        return std::nullopt;
    }
    const QJsonObject object = json.toObject();
    if (!checkMembers(object, pointer, kCatalogMembers, QStringLiteral("the catalog of \"%1\"").arg(fieldPointer), file))
        return std::nullopt;

    const QString itemsPointer = childPointer(pointer, QStringLiteral("items"));
    const QJsonValue itemsValue = object.value(QStringLiteral("items"));
    if (!itemsValue.isArray() || itemsValue.toArray().isEmpty()) {
        file.error(object.contains(QStringLiteral("items")) ? itemsPointer : pointer,
                   QStringLiteral("the catalog of \"%1\" needs \"items\": a non-empty array of catalog items").arg(fieldPointer));
        return std::nullopt;
    }

    Catalog catalog;
    catalog.pointer = fieldPointer;
    QSet<QString> values;
    const QJsonArray items = itemsValue.toArray();
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QString itemPointer = childPointer(itemsPointer, i);
        auto item = readItem(items.at(i), itemPointer, file, tmpl);
        if (!item)
            return std::nullopt;
        // Submissions name an item by its value alone, so two items with one value would be ambiguous.
        if (values.contains(item->value)) {
            file.error(childPointer(itemPointer, QStringLiteral("value")),
                       QStringLiteral("the catalog of \"%1\" lists the value \"%2\" twice").arg(fieldPointer, item->value));
            return std::nullopt;
        }
        values.insert(item->value);
        catalog.items.append(std::move(*item));
    }
    return catalog;
}

// Whether the request schema describes the field, following "properties" from the root.
bool schemaDescribes(const QJsonObject &schema, const QString &fieldPointer)
{
    QJsonObject node = schema;
    for (const QString &name : fieldPointer.split(u'/', Qt::SkipEmptyParts)) {
        const QJsonValue child = node.value(QStringLiteral("properties")).toObject().value(name);
        if (!child.isObject())
            return false;
        node = child.toObject();
    }
    return true;
}

} // namespace

bool readCatalogs(const QJsonObject &object, const QString &pointer, SourceFile &file, Template &tmpl)
{
    const QString key = QStringLiteral("catalogs");
    if (!object.contains(key))
        return true;
    const QString catalogsPointer = childPointer(pointer, key);
    const QJsonValue value = object.value(key);
    if (!value.isObject() || value.toObject().isEmpty()) {
        file.error(catalogsPointer, QStringLiteral("\"catalogs\" must be a non-empty object that maps request fields such as "
                                                   "\"/context/entitlement\" to catalogs, got %1")
                                        .arg(describeType(value)));
        return false;
    }

    // A PEP learns the shape of a catalog-backed field from the request schema, and the catalog
    // profile requires request_schema_url wherever request_catalogs_url appears.
    if (tmpl.requestSchema.isEmpty()) {
        file.error(catalogsPointer, QStringLiteral("template \"%1\" declares \"catalogs\" but no \"request_schema\"; add a "
                                                   "request schema that describes each catalog field")
                                        .arg(tmpl.name));
        return false;
    }

    const QJsonObject catalogs = value.toObject();
    for (auto it = catalogs.constBegin(); it != catalogs.constEnd(); ++it) {
        const QString catalogPointer = childPointer(catalogsPointer, it.key());
        auto catalog = readCatalog(it.key(), it.value(), catalogPointer, file, tmpl);
        if (!catalog)
            return false;
        if (!schemaDescribes(tmpl.requestSchema, catalog->pointer)) {
            file.error(catalogPointer, QStringLiteral("the \"request_schema\" of template \"%1\" does not describe the catalog "
                                                      "field \"%2\"; declare it under \"properties\"")
                                           .arg(tmpl.name, catalog->pointer));
            return false;
        }
        tmpl.catalogs.append(std::move(*catalog));
    }
    return true;
}

} // namespace Recourse::Policy::Detail

namespace Recourse::Policy {

bool catalogItemOffered(const CatalogItem &item, const Request &original)
{
    if (item.retired)
        return false;
    if (!item.when)
        return true;
    Detail::AttributeCache cache(original);
    return item.when->evaluate(cache);
}

} // namespace Recourse::Policy
