#include "core/escalation/catalogs.h"

#include "core/escalation/binding.h"
#include "core/json/json.h"

#include <QJsonArray>
#include <QMessageAuthenticationCode>
#include <QRegularExpression>
#include <QUrl>

namespace Recourse::Escalation::Catalogs {

namespace {

// The first bytes of the cursor's HMAC-SHA256; 128 bits make a forged cursor a guess.
constexpr qsizetype kCursorMacBytes = 16;

QString origin(const QString &accessRequestEndpoint)
{
    const QUrl url(accessRequestEndpoint);
    return url.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::RemoveUserInfo)
        .toString(QUrl::FullyEncoded);
}

QString templateBase(const QString &accessRequestEndpoint, const QString &templateName)
{
    // Template names are letters, digits, '_', '.' and '-' (the policy loader checks), so they
    // need no escaping in a path.
    return origin(accessRequestEndpoint) + QStringLiteral("/access/v1/templates/") + templateName;
}

QByteArray cursorMac(const QByteArray &key, const QString &evaluationId, const QString &fieldPointer,
                     const QString &search, qsizetype offset)
{
    // The offset comes last and is digits only, so no two listings give the same message.
    QByteArray message = evaluationId.toUtf8();
    for (const QString &part : {fieldPointer, search, QString::number(offset)}) {
        message.append('\0');
        message.append(part.toUtf8());
    }
    return QMessageAuthenticationCode::hash(message, key, QCryptographicHash::Sha256).left(kCursorMacBytes);
}

QString makeCursor(const QByteArray &key, const QString &evaluationId, const QString &fieldPointer,
                   const QString &search, qsizetype offset)
{
    const QByteArray raw = QByteArray::number(offset) + '.' + cursorMac(key, evaluationId, fieldPointer, search, offset);
    return QString::fromLatin1(raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

Result<qsizetype> readCursor(const QString &cursor, const QByteArray &key, const QString &evaluationId,
                             const QString &fieldPointer, const QString &search)
{
    const Error invalid = Error::make(ErrorCode::InvalidRequest,
                                      QStringLiteral("The cursor is not one this endpoint issued for this search and "
                                                     "evaluation_id; start again without a cursor."),
                                      QStringLiteral("cursor"));
    if (cursor.size() > 128)
        return invalid;
    const auto decoded = QByteArray::fromBase64Encoding(cursor.toLatin1(), QByteArray::Base64UrlEncoding
                                                                              | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return invalid;

    const QByteArray raw = *decoded;
    // The decoder drops a lone trailing character, so only the exact encoding of the decoded bytes
    // is the cursor that was issued.
    if (raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals) != cursor.toLatin1())
        return invalid;
    const qsizetype dot = raw.indexOf('.');
    if (dot <= 0 || dot > 9)
        return invalid;
    bool ok = false;
    const qsizetype offset = raw.left(dot).toLongLong(&ok);
    if (!ok || offset < 0)
        return invalid;
    const QByteArray expected = cursorMac(key, evaluationId, fieldPointer, search, offset);
    // Compared in full without an early exit, so the time taken reveals nothing about the MAC.
    const QByteArray presented = raw.mid(dot + 1);
    if (presented.size() != expected.size())
        return invalid;
    char difference = 0;
    for (qsizetype i = 0; i < expected.size(); ++i)
        difference = char(difference | (presented.at(i) ^ expected.at(i)));
    if (difference != 0)
        return invalid;
    return offset;
}

int pageSize(const QUrlQuery &query)
{
    const QString text = query.queryItemValue(QStringLiteral("limit")).trimmed();
    bool ok = false;
    const qint64 requested = text.toLongLong(&ok);
    if (ok)
        return int(qBound<qint64>(1, requested, qint64(kMaxLimit)));

    // An integer beyond qint64 is still an integer: clamp it by its sign.
    static const QRegularExpression integer(QStringLiteral("^[+-]?[0-9]+$"));
    if (integer.match(text).hasMatch())
        return text.startsWith(u'-') ? 1 : kMaxLimit;
    return kDefaultLimit;
}

QJsonObject itemObject(const Policy::CatalogItem &item, bool withOwner)
{
    QJsonObject object{{QStringLiteral("value"), item.value}, {QStringLiteral("label"), item.label}};
    if (!item.description.isEmpty())
        object.insert(QStringLiteral("description"), item.description);
    if (!item.riskLevel.isEmpty())
        object.insert(QStringLiteral("risk_level"), item.riskLevel);
    if (withOwner && !item.owner.isUndefined())
        object.insert(QStringLiteral("owner"), item.owner);
    return object;
}

} // namespace

QString requestSchemaUrl(const QString &accessRequestEndpoint, const QString &templateName)
{
    return templateBase(accessRequestEndpoint, templateName) + QStringLiteral("/request-schema");
}

QString catalogsUrl(const QString &accessRequestEndpoint, const QString &templateName)
{
    return templateBase(accessRequestEndpoint, templateName) + QStringLiteral("/catalogs");
}

QString endpointUrl(const QString &accessRequestEndpoint, const QString &templateName, const QString &fieldPointer)
{
    // The loader limits field pointers to names that are safe in a URL path.
    return templateBase(accessRequestEndpoint, templateName) + QStringLiteral("/catalog") + fieldPointer;
}

QJsonObject catalogsDocument(const QString &accessRequestEndpoint, const Policy::Template &tmpl)
{
    QJsonObject fields;
    for (const Policy::Catalog &catalog : tmpl.catalogs) {
        fields.insert(catalog.pointer,
                      QJsonObject{{QStringLiteral("endpoint"), endpointUrl(accessRequestEndpoint, tmpl.name, catalog.pointer)},
                                  {QStringLiteral("search_param"), QStringLiteral("q")},
                                  {QStringLiteral("scope_params"),
                                   QJsonObject{{QLatin1String(kScopeParameter), QLatin1String(kScopePointer)}}},
                                  {QStringLiteral("value_path"), QStringLiteral("/value")},
                                  {QStringLiteral("label_path"), QStringLiteral("/label")}});
    }
    return QJsonObject{{QStringLiteral("fields"), fields}};
}

const Policy::Catalog *findCatalog(const Policy::Template &tmpl, const QString &fieldPointer)
{
    for (const Policy::Catalog &catalog : tmpl.catalogs) {
        if (catalog.pointer == fieldPointer)
            return &catalog;
    }
    return nullptr;
}

Result<QJsonObject> listItems(const Policy::Catalog &catalog, const Policy::Request &original,
                              const QString &evaluationId, const QUrlQuery &query, bool withOwner,
                              const QByteArray &cursorKey)
{
    const QString search = query.queryItemValue(QStringLiteral("q"), QUrl::FullyDecoded).left(200);
    const int limit = pageSize(query);
    qsizetype offset = 0;
    const QString cursor = query.queryItemValue(QStringLiteral("cursor"), QUrl::FullyDecoded);
    if (query.hasQueryItem(QStringLiteral("cursor"))) {
        auto read = readCursor(cursor, cursorKey, evaluationId, catalog.pointer, search);
        if (!read)
            return read.error();
        offset = read.value();
    }

    QList<const Policy::CatalogItem *> matching;
    for (const Policy::CatalogItem &item : catalog.items) {
        if (!Policy::catalogItemOffered(item, original))
            continue;
        if (!search.isEmpty() && !item.label.contains(search, Qt::CaseInsensitive)
            && !item.value.contains(search, Qt::CaseInsensitive))
            continue;
        matching.append(&item);
    }

    QJsonArray items;
    const qsizetype end = qMin(matching.size(), offset + limit);
    for (qsizetype i = offset; i < end; ++i)
        items.append(itemObject(*matching.at(i), withOwner));

    QJsonObject response{{QStringLiteral("items"), items}, {QStringLiteral("total"), double(matching.size())}};
    if (end < matching.size())
        response.insert(QStringLiteral("next_cursor"), makeCursor(cursorKey, evaluationId, catalog.pointer, search, end));
    return response;
}

Result<void> checkSubmission(const QJsonObject &body, const Policy::Template &tmpl, const Policy::Request &original)
{
    for (const Policy::Catalog &catalog : tmpl.catalogs) {
        const QJsonValue value = Json::valueAt(body, catalog.pointer);
        if (value.isUndefined())
            continue;

        bool offered = false;
        if (value.isString()) {
            const QString text = value.toString();
            for (const Policy::CatalogItem &item : catalog.items) {
                if (item.value == text) {
                    offered = Policy::catalogItemOffered(item, original);
                    break;
                }
            }
        }
        if (!offered) {
            return Error::make(ErrorCode::InvalidRequest,
                               QStringLiteral("The value at %1 is not an item its catalog offers for this denial; it "
                                              "may have been retired. List the catalog again and submit a value it returns.")
                                   .arg(catalog.pointer),
                               catalog.pointer);
        }
    }
    return {};
}

Policy::Request deniedRequest(Store::WriteTx &tx, const QString &evaluationId, const Policy::Request &submitted,
                              const QStringList &members)
{
    if (!evaluationId.isEmpty()) {
        if (const auto record = tx.evaluation(evaluationId))
            return Policy::Request{record->subject, record->resource, record->action, record->context};
    }
    return Policy::Request{submitted.subject, submitted.resource, submitted.action,
                           Binding::project(submitted.context, members)};
}

} // namespace Recourse::Escalation::Catalogs
