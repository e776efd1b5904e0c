#pragma once

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

} // namespace PolicyTest

Q_DECLARE_METATYPE(Recourse::Policy::Effect)
