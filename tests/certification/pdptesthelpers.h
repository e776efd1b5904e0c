#pragma once

// Small helpers shared by the PDP conformance suites: they read AuthZEN responses the way a PEP
// or a certification harness does. Assertions stay in the test functions.

#include "tests/integration/servicefixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>

namespace Recourse::Testing {

// Parses a JSON object literal of a test. An invalid literal gives an empty object, which every
// test notices because the request is then rejected.
inline QJsonObject jsonObject(QByteArrayView text)
{
    return QJsonDocument::fromJson(text.toByteArray()).object();
}

inline QByteArray compactJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// The media type of a response without parameters ("application/json; charset=utf-8" gives
// "application/json").
inline QByteArray mediaType(const HttpResponse &response)
{
    return response.contentType().split(';').first().trimmed().toLower();
}

// The decisions of an evaluations response, in order. An item without a boolean decision makes the
// list empty, so comparisons fail.
inline QList<bool> decisionsOf(const HttpResponse &response)
{
    QList<bool> decisions;
    for (const QJsonValue &item : response.json.value(QStringLiteral("evaluations")).toArray()) {
        const QJsonValue decision = item.toObject().value(QStringLiteral("decision"));
        if (!decision.isBool())
            return {};
        decisions.append(decision.toBool());
    }
    return decisions;
}

inline QList<QJsonObject> resultsOf(const HttpResponse &response)
{
    QList<QJsonObject> results;
    for (const QJsonValue &result : response.json.value(QStringLiteral("results")).toArray())
        results.append(result.toObject());
    return results;
}

// Whether `results` contains exactly `wanted`, member for member, as the harness compares them.
inline bool containsEntity(const QList<QJsonObject> &results, const QJsonObject &wanted)
{
    return results.contains(wanted);
}

inline QByteArray describeResults(const QList<QJsonObject> &results)
{
    QJsonArray array;
    for (const QJsonObject &result : results)
        array.append(result);
    return QJsonDocument(array).toJson(QJsonDocument::Compact);
}

inline QJsonObject subjectRef(const char *id)
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("user")}, {QStringLiteral("id"), QLatin1String(id)}};
}

inline QJsonObject recordRef(const char *id)
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("record")}, {QStringLiteral("id"), QLatin1String(id)}};
}

inline QJsonObject actionRef(const char *name)
{
    return QJsonObject{{QStringLiteral("name"), QLatin1String(name)}};
}

// Whether any member anywhere in `value` is null (responses omit members without a value).
inline bool containsNull(const QJsonValue &value)
{
    if (value.isNull())
        return true;
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (containsNull(it.value()))
                return true;
        }
    }
    if (value.isArray()) {
        for (const QJsonValue &item : value.toArray()) {
            if (containsNull(item))
                return true;
        }
    }
    return false;
}

} // namespace Recourse::Testing
