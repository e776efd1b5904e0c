#pragma once

#include "core/base/result.h"
#include "core/json/flatdocument.h"

#include <QJsonObject>
#include <QString>

namespace Recourse::AuthZen {

// A validated AuthZEN Authorization API 1.0 access evaluation request.
struct EvaluationRequest
{
    QJsonObject subject;
    QJsonObject resource;
    QJsonObject action;
    QJsonObject context; // empty when absent
};

// Entity kinds and the member that identifies each.
enum class EntityKind { Subject, Resource, Action };

// Validates one entity: an object whose identifying members (type and id, or name for an
// action) are strings, and whose optional `properties` is an object. `path` names the value in
// messages ("evaluations[2].subject").
Result<void> validateEntity(EntityKind kind, const QJsonValue &value, const QString &path);

// Validates an evaluation's context: absent (undefined) or an object.
Result<void> validateContext(const QJsonValue &context);

// Validates a whole evaluation request: subject, resource and action required; context, when
// present, an object. Unknown members are ignored as the API requires.
Result<EvaluationRequest> parseEvaluationRequest(const QJsonObject &body);

// Whether parseEvaluationRequest() accepts the object read into `body`, for the evaluation fast
// path. When it returns false, parseEvaluationRequest() gives the error.
bool isValidEvaluationRequest(const Json::FlatDocument &body);

// Validates an entity whose identifier is optional (the searched kind in a search request).
Result<void> validateSearchEntity(EntityKind kind, const QJsonValue &value, const QString &path);

QString entityLabel(EntityKind kind);

// "document:q4-plan", "can_read": compact labels for logs, events and the console.
QString describeEntity(const QJsonObject &entity);
QString describeAction(const QJsonObject &action);

} // namespace Recourse::AuthZen
