#pragma once

// Request schema and catalog documents for requestable denials, the Catalog Endpoint listing and
// the re-validation of catalog values at submission. Not a public API.

#include "core/base/result.h"
#include "core/policy/policy.h"
#include "core/store/store.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QUrlQuery>

namespace Recourse::Escalation::Catalogs {

// The Catalog Endpoint's scope parameter, and where a PEP finds its value in the submission body
// it is building: the evaluation_id of the denial it echoes.
inline constexpr char kScopeParameter[] = "evaluation_id";
inline constexpr char kScopePointer[] = "/denial/evaluation_id";

// Page sizes of the Catalog Endpoint: absent or not an integer gives the default, and integers
// are clamped to 1..kMaxLimit.
inline constexpr int kDefaultLimit = 20;
inline constexpr int kMaxLimit = 100;

// The URLs a requestable denial carries and the Catalogs Document lists. They share the origin
// (scheme, host and port) of `accessRequestEndpoint`, so a PEP that trusts the Access Request
// Endpoint can trust them too.
QString requestSchemaUrl(const QString &accessRequestEndpoint, const QString &templateName);
QString catalogsUrl(const QString &accessRequestEndpoint, const QString &templateName);
QString endpointUrl(const QString &accessRequestEndpoint, const QString &templateName, const QString &fieldPointer);

// The Catalogs Document of a template with catalogs.
QJsonObject catalogsDocument(const QString &accessRequestEndpoint, const Policy::Template &tmpl);

// The catalog of `tmpl` for the field `fieldPointer`, or nullptr.
const Policy::Catalog *findCatalog(const Policy::Template &tmpl, const QString &fieldPointer);

// One page of the Catalog Response: the items offered for the denied evaluation `original`
// whose label or value contains the search parameter `q` (case-insensitive), from the query's
// `cursor`, at most `limit`. `owner` is included only when `withOwner`. `cursorKey` signs the
// cursors, which are bound to the scope (`evaluationId`, the field) and the search text, so a
// cursor that was changed or belongs to another listing fails with InvalidRequest.
Result<QJsonObject> listItems(const Policy::Catalog &catalog, const Policy::Request &original,
                              const QString &evaluationId, const QUrlQuery &query, bool withOwner,
                              const QByteArray &cursorKey);

// Checks every catalog-backed field a submission carries: the value must be a string equal to
// an item the Catalog Endpoint offers for the denied evaluation `original`, so neither retired
// items nor items whose `when` excludes the caller pass. Fails with InvalidRequest whose value
// is the field's JSON Pointer. Absent fields pass; the request schema decides whether they are
// required.
Result<void> checkSubmission(const QJsonObject &body, const Policy::Template &tmpl, const Policy::Request &original);

// The denied evaluation a catalog's `when` runs against at submission: the stored record of
// `evaluationId`, as the Catalog Endpoint reads it, or without one the submitted request with its
// context projected onto the bound `members`.
Policy::Request deniedRequest(Store::WriteTx &tx, const QString &evaluationId, const Policy::Request &submitted,
                              const QStringList &members);

} // namespace Recourse::Escalation::Catalogs
