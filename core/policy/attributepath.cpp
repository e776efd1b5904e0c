#include "core/policy/attributepath.h"

#include "core/policy/attributecache.h"

#include <algorithm>

namespace Recourse::Policy::Detail {

namespace {

const QString kPathHelp = QStringLiteral(
    "expected subject.type, subject.id, subject.properties.<name>, resource.type, resource.id, "
    "resource.properties.<name>, action.name, action.properties.<name> or context.<name>");

constexpr qsizetype kMaxPathSegments = 32;

QByteArrayView rootName(AttributePath::Root root)
{
    switch (root) {
    case AttributePath::Root::Subject:
        return "subject";
    case AttributePath::Root::Resource:
        return "resource";
    case AttributePath::Root::Action:
        return "action";
    case AttributePath::Root::Context:
        return "context";
    }
    return {};
}

} // namespace

std::optional<AttributePath> AttributePath::parse(const QString &text, AttributeSlots &slots, QString *error)
{
    const QStringList segments = text.split(u'.');
    if (segments.contains(QString())) {
        *error = QStringLiteral("invalid attribute path \"%1\": empty segment; %2").arg(text, kPathHelp);
        return std::nullopt;
    }
    // A request nests at most 64 levels, so a deeper path could never match, and a path of
    // thousands of segments makes every document that describes the policy too deep to read.
    if (segments.size() > kMaxPathSegments) {
        *error = QStringLiteral("attribute path of %1 segments starting \"%2\"; at most %3 are allowed")
                     .arg(segments.size())
                     .arg(text.left(40))
                     .arg(kMaxPathSegments);
        return std::nullopt;
    }

    AttributePath path;
    path.m_text = text;
    path.m_slot = slots.slotFor(text);
    path.m_keys = segments.mid(1);
    const bool asciiKeys = std::all_of(path.m_keys.cbegin(), path.m_keys.cend(), [](const QString &key) {
        return std::all_of(key.cbegin(), key.cend(), [](QChar c) { return c.unicode() < 0x80; });
    });
    if (asciiKeys) {
        for (const QString &key : std::as_const(path.m_keys))
            path.m_asciiKeys.append(key.toLatin1());
    }
    const QString &root = segments.first();
    const QString second = segments.value(1);
    const bool hasMore = segments.size() > 2;

    if (root == u"subject" || root == u"resource") {
        path.m_root = root == u"subject" ? Root::Subject : Root::Resource;
        const bool valid = second == u"properties" || ((second == u"type" || second == u"id") && !hasMore);
        if (valid)
            return path;
    } else if (root == u"action") {
        path.m_root = Root::Action;
        const bool valid = second == u"properties" || (second == u"name" && !hasMore);
        if (valid)
            return path;
    } else if (root == u"context") {
        path.m_root = Root::Context;
        if (segments.size() > 1)
            return path;
    }

    *error = QStringLiteral("unknown attribute path \"%1\"; %2").arg(text, kPathHelp);
    return std::nullopt;
}

QJsonValue AttributePath::resolve(const Request &request) const
{
    if (request.document)
        return resolve(*request.document);

    const QJsonObject *root = nullptr;
    switch (m_root) {
    case Root::Subject:
        root = &request.subject;
        break;
    case Root::Resource:
        root = &request.resource;
        break;
    case Root::Action:
        root = &request.action;
        break;
    case Root::Context:
        root = &request.context;
        break;
    }

    // An ASCII name is looked up as Latin-1, which QJsonObject compares with the ASCII names it
    // stores without converting either side to UTF-16: about a third less work per member.
    const auto member = [this](const QJsonObject &object, qsizetype i) {
        return m_asciiKeys.isEmpty() ? object.value(m_keys.at(i)) : object.value(QLatin1StringView(m_asciiKeys.at(i)));
    };

    // Most paths have one or two members; copying a QJsonObject only bumps a reference count.
    if (m_keys.size() == 1)
        return member(*root, 0);

    QJsonObject current = *root;
    for (qsizetype i = 0; i + 1 < m_keys.size(); ++i) {
        const QJsonValue next = member(current, i);
        if (!next.isObject())
            return QJsonValue(QJsonValue::Undefined);
        current = next.toObject();
    }
    return member(current, m_keys.size() - 1);
}

QJsonValue AttributePath::resolve(const Json::FlatDocument &document) const
{
    // The document's names are all ASCII, so a path with another name matches nothing.
    if (m_asciiKeys.isEmpty())
        return QJsonValue(QJsonValue::Undefined);

    int node = document.member(Json::FlatDocument::kRoot, rootName(m_root));
    for (qsizetype i = 0; node >= 0 && i < m_asciiKeys.size(); ++i)
        node = document.member(node, m_asciiKeys.at(i));
    return node < 0 ? QJsonValue(QJsonValue::Undefined) : document.value(node);
}

bool AttributePath::isActionName() const
{
    return m_root == Root::Action && m_keys.size() == 1 && m_keys.constFirst() == u"name";
}

} // namespace Recourse::Policy::Detail
