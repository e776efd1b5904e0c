#pragma once

#include <QString>

#include <utility>
#include <variant>

namespace Recourse {

// Error codes shared by every layer. The service maps each code to one HTTP status and problem
// type in a single table, so a layer never picks a status itself.
enum class ErrorCode {
    InvalidRequest,       // structurally invalid input: 400 about:blank
    InvalidJson,          // unparseable JSON, duplicate members, bad UTF-8, too deep: 400
    Unauthenticated,      // no or unknown bearer token: 401
    Forbidden,            // authenticated but not allowed: 403
    NotFound,             // unknown route or entity: 404
    MethodNotAllowed,     // 405
    PayloadTooLarge,      // 413
    UnsupportedMediaType, // 400 by the AuthZEN certification rule, not 415
    RateLimited,          // 429
    NotRequestable,       // ARAP not_requestable: 400
    ExpiredDenial,        // ARAP expired_denial: 410
    InvalidDenialBinding, // ARAP invalid_denial_binding: 400
    DuplicateRequest,     // ARAP duplicate_request: 409
    UnknownTask,          // ARAP unknown_task: 404
    TaskExpired,          // ARAP task_expired: 410
    InvalidTaskState,     // ARAP invalid_task_state: 409
    RequestInFlight,      // an identical idempotent request is still being processed: 409
    InvalidCallback,      // private type for rejected callback destinations: 400
    NotEligible,          // approver not eligible (self-approval, wrong group, duplicate vote): 403
    StorageUnavailable,   // the store could not make the change durable: 503
    Internal,             // a bug; never carries internal detail to the caller: 500
};

struct Error
{
    ErrorCode code = ErrorCode::Internal;
    QString message; // one plain sentence for the caller
    QString value;   // the offending value or member, truncated by whoever reports it

    static Error make(ErrorCode code, QString message, QString value = {})
    {
        return Error{code, std::move(message), std::move(value)};
    }
};

// An expected value or an Error. Used at every layer boundary instead of exceptions.
template<typename T>
class [[nodiscard]] Result
{
public:
    Result(T value) : m_state(std::move(value)) { }
    Result(Error error) : m_state(std::move(error)) { }

    bool ok() const { return std::holds_alternative<T>(m_state); }
    explicit operator bool() const { return ok(); }

    T &value() & { return std::get<T>(m_state); }
    const T &value() const & { return std::get<T>(m_state); }
    T &&value() && { return std::get<T>(std::move(m_state)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() { return value(); }
    const T &operator*() const { return value(); }

    const Error &error() const { return std::get<Error>(m_state); }

private:
    std::variant<T, Error> m_state;
};

template<>
class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)), m_ok(false) { }

    bool ok() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const Error &error() const { return m_error; }

private:
    Error m_error;
    bool m_ok = true;
};

} // namespace Recourse
