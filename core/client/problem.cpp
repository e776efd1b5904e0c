#include "core/client/problem.h"

#include "core/json/json.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <optional>

namespace Recourse::Client {

namespace {

// The last segment of a problem type: "urn:openid:authzen:access-request:error:unknown_task"
// and "https://example.test/problems/unknown_task" both give "unknown_task".
QString problemName(const QString &type)
{
    const qsizetype cut = std::max(type.lastIndexOf(u':'), type.lastIndexOf(u'/'));
    return type.mid(cut + 1);
}

// Problem names that say more than the status does. The ARAP types come from the profile's error
// table; not_eligible and request_in_flight are the approver API's own.
std::optional<ErrorCode> errorCodeForProblemName(const QString &name)
{
    static const QHash<QString, ErrorCode> codes = {
        {QStringLiteral("not_requestable"), ErrorCode::NotRequestable},
        {QStringLiteral("expired_denial"), ErrorCode::ExpiredDenial},
        {QStringLiteral("invalid_denial_binding"), ErrorCode::InvalidDenialBinding},
        {QStringLiteral("duplicate_request"), ErrorCode::DuplicateRequest},
        {QStringLiteral("unknown_task"), ErrorCode::UnknownTask},
        {QStringLiteral("task_expired"), ErrorCode::TaskExpired},
        {QStringLiteral("invalid_task_state"), ErrorCode::InvalidTaskState},
        {QStringLiteral("invalid_callback"), ErrorCode::InvalidCallback},
        {QStringLiteral("not_eligible"), ErrorCode::NotEligible},
        {QStringLiteral("request_in_flight"), ErrorCode::RequestInFlight},
    };
    const auto it = codes.constFind(name);
    if (it == codes.constEnd())
        return std::nullopt;
    return it.value();
}

// invalid_value may be any JSON value; Error::value keeps it as text.
QString valueText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Double:
        return QString::number(value.toDouble());
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
    return {};
}

} // namespace

ErrorCode errorCodeForStatus(int httpStatus)
{
    switch (httpStatus) {
    case 400:
        return ErrorCode::InvalidRequest;
    case 401:
        return ErrorCode::Unauthenticated;
    case 403:
        return ErrorCode::Forbidden;
    case 404:
        return ErrorCode::NotFound;
    case 405:
        return ErrorCode::MethodNotAllowed;
    case 409:
        // The approver API answers 409 only when the task is no longer pending.
        return ErrorCode::InvalidTaskState;
    case 410:
        return ErrorCode::TaskExpired;
    case 413:
        return ErrorCode::PayloadTooLarge;
    case 415:
        return ErrorCode::UnsupportedMediaType;
    case 429:
        return ErrorCode::RateLimited;
    case 503:
        return ErrorCode::StorageUnavailable;
    default:
        break;
    }
    return httpStatus >= 400 && httpStatus < 500 ? ErrorCode::InvalidRequest : ErrorCode::Internal;
}

Error errorFromProblem(int httpStatus, const QByteArray &body)
{
    Error error;
    error.code = errorCodeForStatus(httpStatus);
    error.message = QStringLiteral("The service answered HTTP %1.").arg(httpStatus);

    const QJsonObject problem = Json::objectFromStored(body);
    if (problem.isEmpty())
        return error;

    if (const auto code = errorCodeForProblemName(problemName(problem.value(u"type").toString())))
        error.code = *code;

    const QString detail = problem.value(u"detail").toString();
    const QString title = problem.value(u"title").toString();
    if (!detail.isEmpty())
        error.message = detail;
    else if (!title.isEmpty())
        error.message = title;

    error.value = valueText(problem.value(u"invalid_value"));
    return error;
}

} // namespace Recourse::Client
