#pragma once

#include "core/json/flatdocument.h"
#include "core/policy/policy.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

namespace PolicyTest {

using namespace Recourse::Policy;

// Builds a request from {"subject":…, "action":…, "resource":…, "context":…} text.
inline Request request(const QByteArray &json)
{
    const QJsonObject object = QJsonDocument::fromJson(json).object();
    return Request{object.value(QStringLiteral("subject")).toObject(), object.value(QStringLiteral("resource")).toObject(),
                   object.value(QStringLiteral("action")).toObject(), object.value(QStringLiteral("context")).toObject()};
}

inline std::shared_ptr<const PolicySet> load(const QList<QPair<QString, QByteArray>> &files)
{
    auto result = PolicySet::loadDocuments(files);
    if (auto *errors = std::get_if<QList<LoadError>>(&result)) {
        for (const LoadError &error : std::as_const(*errors))
            qWarning().noquote() << error.toString();
        return nullptr;
    }
    return std::get<std::shared_ptr<const PolicySet>>(result);
}

inline std::shared_ptr<const PolicySet> load(const QByteArray &json)
{
    return load({{QStringLiteral("policy.json"), json}});
}

inline QList<LoadError> collectLoadErrors(const QList<QPair<QString, QByteArray>> &files)
{
    auto result = PolicySet::loadDocuments(files);
    if (auto *errors = std::get_if<QList<LoadError>>(&result))
        return *errors;
    return {};
}

inline QList<LoadError> collectLoadErrors(const QByteArray &json)
{
    return collectLoadErrors({{QStringLiteral("policy.json"), json}});
}

inline QString packFolder(const QString &name)
{
    return QStringLiteral(RECOURSE_SOURCE_DIR "/resources/policies/") + name;
}

inline std::shared_ptr<const PolicySet> loadPack(const QString &name)
{
    auto result = PolicySet::loadFolder(packFolder(name));
    if (auto *errors = std::get_if<QList<LoadError>>(&result)) {
        for (const LoadError &error : std::as_const(*errors))
            qWarning().noquote() << error.toString();
        return nullptr;
    }
    return std::get<std::shared_ptr<const PolicySet>>(result);
}

// The service's evaluation fast path reads plain bodies into a Json::FlatDocument instead of
// QJsonObjects. Checks that `set` decides and explains the flat reading of `json` exactly as it
// does the objects.
inline void compareFlatDecision(const PolicySet &set, const QByteArray &json)
{
    const std::optional<Recourse::Json::FlatDocument> flat = Recourse::Json::FlatDocument::read(json);
    QVERIFY2(flat, "the flat reader declined the body");
    Request flatRequest;
    flatRequest.document = &*flat;

    const Decision expected = set.explain(request(json));
    const Decision actual = set.explain(flatRequest);
    QCOMPARE(actual.effect, expected.effect);
    QCOMPARE(actual.ruleId, expected.ruleId);
    QCOMPARE(actual.tmpl, expected.tmpl);
    QCOMPARE(actual.explanation, expected.explanation);
    QCOMPARE(set.evaluate(flatRequest).effect, expected.effect);
}

} // namespace PolicyTest

Q_DECLARE_METATYPE(Recourse::Policy::Effect)
