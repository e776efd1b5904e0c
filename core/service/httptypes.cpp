#include "core/service/httptypes.h"

namespace Recourse::Http {

namespace {

bool namesEqual(QByteArrayView a, QByteArrayView b)
{
    return a.size() == b.size() && a.compare(b, Qt::CaseInsensitive) == 0;
}

} // namespace

QByteArray Request::header(QByteArrayView lowerCaseName) const
{
    for (const auto &field : headers) {
        if (field.first == lowerCaseName)
            return field.second;
    }
    return {};
}

bool Request::hasHeader(QByteArrayView lowerCaseName) const
{
    for (const auto &field : headers) {
        if (field.first == lowerCaseName)
            return true;
    }
    return false;
}

void Response::setHeader(const QByteArray &name, const QByteArray &value)
{
    for (auto &field : headers) {
        if (namesEqual(field.first, name)) {
            field.second = value;
            return;
        }
    }
    headers.append({name, value});
}

Response Response::json(int status, const QByteArray &jsonBody)
{
    Response response;
    response.status = status;
    response.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    response.body = jsonBody;
    return response;
}

QByteArrayView reasonPhrase(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

} // namespace Recourse::Http
