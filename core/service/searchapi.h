#pragma once

#include "core/base/result.h"
#include "core/policy/search.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>

#include <optional>

namespace Recourse::Policy {
class PolicyStore;
}

namespace Recourse::Service {

// The AuthZEN search endpoints (subject, resource and action search) over the entities the
// current policy pack declares, with pagination.
//
// Page tokens are opaque to PEPs: the offset of the next page plus an HMAC-SHA256 over the
// endpoint, the canonical form (RFC 8785) of the request without page.token, and that offset.
// The key is random per process, so a token is rejected when the request changed, when it was
// altered or forged, or when it was issued before a restart. Search runs synchronously on the
// caller's thread; it only reads the immutable PolicySet.
class SearchApi final
{
    Q_DISABLE_COPY_MOVE(SearchApi)

public:
    explicit SearchApi(Policy::PolicyStore *policies);

    // Validates a search request of `kind` and returns the response body: {"results": [...]},
    // plus "page" {"next_token", "count", "total"} when the request carried a page object.
    // Fails with InvalidRequest when a required member is missing or malformed, or when
    // page.limit or page.token is invalid.
    Result<QJsonObject> search(Policy::SearchKind kind, const QJsonObject &body) const;

    // The search endpoint at `path` ("/access/v1/search/subject" ...), if it is one.
    static std::optional<Policy::SearchKind> kindForPath(QByteArrayView path);
    // "/access/v1/search/subject", "/access/v1/search/resource" or "/access/v1/search/action".
    static QString pathFor(Policy::SearchKind kind);

private:
    QByteArray pageTokenMac(Policy::SearchKind kind, const QByteArray &canonicalRequest, qsizetype offset) const;
    QString issuePageToken(Policy::SearchKind kind, const QByteArray &canonicalRequest, qsizetype offset) const;
    Result<qsizetype> readPageToken(Policy::SearchKind kind, const QByteArray &canonicalRequest,
                                    const QString &token) const;

    Policy::PolicyStore *m_policies;
    QByteArray m_tokenKey;
};

} // namespace Recourse::Service
