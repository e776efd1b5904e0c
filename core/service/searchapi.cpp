#include "core/service/searchapi.h"

#include "core/authzen/authzen.h"
#include "core/json/json.h"
#include "core/policy/policy.h"
#include "core/service/servicelogging.h"

#include <QJsonArray>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>

#include <array>
#include <cmath>

namespace Recourse::Service {

using AuthZen::EntityKind;
using Policy::SearchKind;

namespace {

const QString kPage = QStringLiteral("page");
const QString kToken = QStringLiteral("token");
const QString kLimit = QStringLiteral("limit");

// Integers above 2^53 are not exact in a JSON number, so no limit beyond that is meaningful.
constexpr double kMaxExactInteger = 9007199254740992.0;
// Tokens this service issues are under 80 characters, so anything longer is rejected unread.
constexpr qsizetype kMaxTokenLength = 256;

constexpr auto kBase64Url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

Error invalid(const QString &message, const QString &value)
{
    return Error::make(ErrorCode::InvalidRequest, message, value);
}

struct PageRequest
{
    bool present = false;
    std::optional<qsizetype> limit; // without a limit, the rest of the results
    QString token;                  // empty on a first page
};

Result<PageRequest> parsePage(const QJsonValue &value)
{
    PageRequest page;
    if (value.isUndefined())
        return page;
    if (!value.isObject())
        return invalid(QStringLiteral("The member page must be an object."), kPage);
    page.present = true;

    // Other page members are ignored, as the API requires for members it does not define.
    const QJsonObject object = value.toObject();
    const QJsonValue limit = object.value(kLimit);
    if (!limit.isUndefined()) {
        const double number = limit.toDouble(-1);
        if (!limit.isDouble() || number < 0 || number > kMaxExactInteger || std::floor(number) != number) {
            return invalid(QStringLiteral("The member page.limit must be a non-negative integer."),
                           QStringLiteral("page.limit"));
        }
        page.limit = qsizetype(number);
    }

    const QJsonValue token = object.value(kToken);
    if (!token.isUndefined() && !token.isString())
        return invalid(QStringLiteral("The member page.token must be a string."), QStringLiteral("page.token"));
    page.token = token.toString();

    const QJsonValue properties = object.value(QStringLiteral("properties"));
    if (!properties.isUndefined() && !properties.isObject())
        return invalid(QStringLiteral("The member page.properties must be an object."), QStringLiteral("page.properties"));
    return page;
}

// Subject and resource searches name the searched entity by type only. The action search has no
// action, and a stray one is ignored.
Result<Policy::Request> parseSearchRequest(SearchKind kind, const QJsonObject &body)
{
    const QJsonValue subject = body.value(QStringLiteral("subject"));
    const QJsonValue resource = body.value(QStringLiteral("resource"));
    const QJsonValue action = body.value(QStringLiteral("action"));
    const QJsonValue context = body.value(QStringLiteral("context"));

    auto subjectValid = kind == SearchKind::Subject
        ? AuthZen::validateSearchEntity(EntityKind::Subject, subject, QStringLiteral("subject"))
        : AuthZen::validateEntity(EntityKind::Subject, subject, QStringLiteral("subject"));
    if (!subjectValid)
        return subjectValid.error();
    auto resourceValid = kind == SearchKind::Resource
        ? AuthZen::validateSearchEntity(EntityKind::Resource, resource, QStringLiteral("resource"))
        : AuthZen::validateEntity(EntityKind::Resource, resource, QStringLiteral("resource"));
    if (!resourceValid)
        return resourceValid.error();
    if (kind != SearchKind::Action) {
        if (auto actionValid = AuthZen::validateEntity(EntityKind::Action, action, QStringLiteral("action")); !actionValid)
            return actionValid.error();
    }
    if (!context.isUndefined() && !context.isObject())
        return invalid(QStringLiteral("The member context must be an object."), QStringLiteral("context"));

    return Policy::Request{subject.toObject(), resource.toObject(),
                           kind == SearchKind::Action ? QJsonObject{} : action.toObject(), context.toObject()};
}

// The request as a page token binds it: every member, including page parameters, except the token.
QByteArray canonicalRequest(QJsonObject body)
{
    if (body.value(kPage).isObject()) {
        QJsonObject page = body.value(kPage).toObject();
        page.remove(kToken);
        body.insert(kPage, page);
    }
    return Json::canonicalize(body);
}

QByteArray kindName(SearchKind kind)
{
    switch (kind) {
    case SearchKind::Subject:
        return QByteArrayLiteral("subject");
    case SearchKind::Resource:
        return QByteArrayLiteral("resource");
    case SearchKind::Action:
        return QByteArrayLiteral("action");
    }
    return {};
}

bool equalInConstantTime(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a.at(i) ^ b.at(i));
    return difference == 0;
}

QByteArray randomKey()
{
    std::array<quint32, 8> words{};
    QRandomGenerator::system()->fillRange(words.data(), qsizetype(words.size()));
    return QByteArray(reinterpret_cast<const char *>(words.data()), qsizetype(sizeof(words)));
}

} // namespace

SearchApi::SearchApi(Policy::PolicyStore *policies) : m_policies(policies), m_tokenKey(randomKey()) { }

std::optional<SearchKind> SearchApi::kindForPath(QByteArrayView path)
{
    for (SearchKind kind : {SearchKind::Subject, SearchKind::Resource, SearchKind::Action}) {
        if (path == pathFor(kind).toLatin1())
            return kind;
    }
    return std::nullopt;
}

QString SearchApi::pathFor(SearchKind kind)
{
    return QStringLiteral("/access/v1/search/") + QString::fromLatin1(kindName(kind));
}

Result<QJsonObject> SearchApi::search(SearchKind kind, const QJsonObject &body) const
{
    auto request = parseSearchRequest(kind, body);
    if (!request)
        return request.error();
    auto page = parsePage(body.value(kPage));
    if (!page)
        return page.error();

    const QByteArray canonical = canonicalRequest(body);
    // An empty token is the end marker of a last page, never an issued token, so it starts over.
    qsizetype offset = 0;
    if (!page->token.isEmpty()) {
        auto read = readPageToken(kind, canonical, page->token);
        if (!read)
            return read.error();
        offset = read.value();
    }

    // NOTE: every page evaluates every declared candidate again, which is fine for the tens to
    // hundreds of entities a pack declares, not for an entity directory.
    const QList<QJsonObject> all = Policy::search(*m_policies->current(), kind, request.value());

    // The policy may have been reloaded between pages. Pagination is not a snapshot, so an offset
    // past the end gives an empty last page.
    offset = qMin(offset, all.size());
    const qsizetype remaining = all.size() - offset;
    const qsizetype count = page->limit ? qMin(*page->limit, remaining) : remaining;
    QJsonArray results;
    for (qsizetype i = offset; i < offset + count; ++i)
        results.append(all.at(i));

    QJsonObject response{{QStringLiteral("results"), results}};
    if (!page->present)
        return response;

    const qsizetype next = offset + count;
    const QString nextToken = next < all.size() ? issuePageToken(kind, canonical, next) : QString();
    response.insert(kPage, QJsonObject{{QStringLiteral("next_token"), nextToken},
                                       {QStringLiteral("count"), double(count)},
                                       {QStringLiteral("total"), double(all.size())}});
    return response;
}

QByteArray SearchApi::pageTokenMac(SearchKind kind, const QByteArray &canonical, qsizetype offset) const
{
    // Endpoint and offset come first and end at a newline, so no two inputs share an encoding.
    QByteArray input = kindName(kind);
    input.append('\n').append(QByteArray::number(offset)).append('\n').append(canonical);
    return QMessageAuthenticationCode::hash(input, m_tokenKey, QCryptographicHash::Sha256);
}

QString SearchApi::issuePageToken(SearchKind kind, const QByteArray &canonical, qsizetype offset) const
{
    const QByteArray text = QByteArray::number(offset).toBase64(kBase64Url) + '.'
        + pageTokenMac(kind, canonical, offset).toBase64(kBase64Url);
    return QString::fromLatin1(text);
}

Result<qsizetype> SearchApi::readPageToken(SearchKind kind, const QByteArray &canonical, const QString &token) const
{
    const Error rejected = invalid(QStringLiteral("The page.token was not issued for this request: the request or its page "
                                                  "parameters differ from the request that returned it, or the token was "
                                                  "altered. Repeat the request without a token to start over."),
                                   QStringLiteral("page.token"));
    if (token.size() > kMaxTokenLength)
        return rejected;

    const QList<QByteArray> parts = token.toLatin1().split('.');
    if (parts.size() != 2)
        return rejected;
    const auto decodeOptions = kBase64Url | QByteArray::AbortOnBase64DecodingErrors;
    const auto offsetText = QByteArray::fromBase64Encoding(parts.at(0), decodeOptions);
    const auto mac = QByteArray::fromBase64Encoding(parts.at(1), decodeOptions);
    if (!offsetText || !mac)
        return rejected;

    bool numeric = false;
    const qsizetype offset = offsetText.decoded.toLongLong(&numeric);
    if (!numeric || offset < 0 || offsetText.decoded.size() > 18)
        return rejected;
    if (!equalInConstantTime(mac.decoded, pageTokenMac(kind, canonical, offset))) {
        qCDebug(lcService) << "Rejected a search page token that does not match its request";
        return rejected;
    }
    return offset;
}

} // namespace Recourse::Service
