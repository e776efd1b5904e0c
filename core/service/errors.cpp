#include "core/service/errors.h"

#include "core/service/problem.h"

namespace Recourse::Service {

namespace {

struct Mapping
{
    int status;
    const char *type; // nullptr for about:blank
    const char *title;
};

Mapping mappingFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidRequest:
        return {400, nullptr, "Invalid request"};
    case ErrorCode::InvalidJson:
        return {400, nullptr, "Invalid JSON"};
    case ErrorCode::Unauthenticated:
        return {401, nullptr, "Authentication required"};
    case ErrorCode::Forbidden:
        return {403, nullptr, "Forbidden"};
    case ErrorCode::NotFound:
        return {404, nullptr, "Not found"};
    case ErrorCode::MethodNotAllowed:
        return {405, nullptr, "Method not allowed"};
    case ErrorCode::PayloadTooLarge:
        return {413, nullptr, "Request body too large"};
    case ErrorCode::UnsupportedMediaType:
        // The AuthZEN certification expects 400 here, not 415.
        return {400, nullptr, "Unsupported content type"};
    case ErrorCode::RateLimited:
        return {429, nullptr, "Too many requests"};
    case ErrorCode::NotRequestable:
        return {400, "urn:openid:authzen:access-request:error:not_requestable", "Not requestable"};
    case ErrorCode::ExpiredDenial:
        return {410, "urn:openid:authzen:access-request:error:expired_denial", "Expired denial"};
    case ErrorCode::InvalidDenialBinding:
        return {400, "urn:openid:authzen:access-request:error:invalid_denial_binding", "Invalid denial binding"};
    case ErrorCode::DuplicateRequest:
        return {409, "urn:openid:authzen:access-request:error:duplicate_request", "Duplicate request"};
    case ErrorCode::UnknownTask:
        return {404, "urn:openid:authzen:access-request:error:unknown_task", "Unknown task"};
    case ErrorCode::TaskExpired:
        return {410, "urn:openid:authzen:access-request:error:task_expired", "Task expired"};
    case ErrorCode::InvalidTaskState:
        return {409, "urn:openid:authzen:access-request:error:invalid_task_state", "Invalid task state"};
    case ErrorCode::RequestInFlight:
        return {409, nullptr, "Request in progress"};
    case ErrorCode::InvalidCallback:
        return {400, "urn:openid:authzen:access-request:error:invalid_callback", "Invalid callback"};
    case ErrorCode::NotEligible:
        return {403, "urn:recourse:error:not_eligible", "Not eligible"};
    case ErrorCode::StorageUnavailable:
        return {503, nullptr, "Service unavailable"};
    case ErrorCode::Internal:
        break;
    }
    return {500, nullptr, "Internal error"};
}

} // namespace

QString problemType(ErrorCode code)
{
    const Mapping mapping = mappingFor(code);
    return mapping.type ? QString::fromLatin1(mapping.type) : QStringLiteral("about:blank");
}

int httpStatus(ErrorCode code)
{
    return mappingFor(code).status;
}

Http::Response problemFor(const Error &error)
{
    const Mapping mapping = mappingFor(error.code);
    QJsonObject extra;
    if (!error.value.isEmpty())
        extra.insert(QStringLiteral("invalid_value"), error.value.left(200));
    // A 500 never carries internal detail to the caller.
    const QString detail = error.code == ErrorCode::Internal ? QStringLiteral("The service failed to process the request.")
                                                             : error.message;
    Http::Response response = Http::problem(mapping.status, QString::fromLatin1(mapping.title), detail,
                                            problemType(error.code), extra);
    if (error.code == ErrorCode::Unauthenticated)
        response.setHeader(QByteArrayLiteral("WWW-Authenticate"), QByteArrayLiteral("Bearer realm=\"recourse\""));
    if (error.code == ErrorCode::StorageUnavailable)
        response.setHeader(QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1"));
    // A body that is not JSON may be one the client framed wrongly, and what follows it on the
    // connection may then be the rest of that body, not a request.
    if (error.code == ErrorCode::InvalidJson)
        response.closeConnection = true;
    return response;
}

} // namespace Recourse::Service
