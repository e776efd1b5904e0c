// The request schema, Catalogs Document and Catalog Endpoint of each template, served on the
// origin of the Access Request Endpoint.

#include "core/escalation/catalogs.h"
#include "core/escalation/escalationlogging.h"
#include "core/escalation/escalationservice.h"

#include <QRandomGenerator>

namespace Recourse::Escalation {

namespace {

Error templateNotFound(const QString &templateName, const QString &member)
{
    return Error::make(ErrorCode::NotFound, QStringLiteral("No template with %1 has this name.").arg(member),
                       templateName.left(128));
}

} // namespace

QByteArray EscalationService::newCatalogCursorKey()
{
    QByteArray key(32, Qt::Uninitialized);
    QRandomGenerator::system()->generate(key.begin(), key.end());
    return key;
}

Result<Reply> EscalationService::requestSchema(const Identity &, const QString &templateName)
{
    const auto policy = m_policies->current();
    const Policy::Template *tmpl = policy->findTemplate(templateName);
    if (!tmpl || tmpl->requestSchema.isEmpty())
        return templateNotFound(templateName, QStringLiteral("a request schema"));

    Reply reply;
    reply.body = tmpl->requestSchema;
    return reply;
}

Result<Reply> EscalationService::catalogsDocument(const Identity &, const QString &templateName)
{
    const auto policy = m_policies->current();
    const Policy::Template *tmpl = policy->findTemplate(templateName);
    if (!tmpl || tmpl->catalogs.isEmpty())
        return templateNotFound(templateName, QStringLiteral("catalogs"));

    Reply reply;
    reply.body = Catalogs::catalogsDocument(m_config.accessRequestEndpoint, *tmpl);
    return reply;
}

Result<Reply> EscalationService::listCatalog(const Identity &caller, const QString &templateName,
                                             const QString &fieldPointer, const QUrlQuery &query)
{
    const auto policy = m_policies->current();
    const Policy::Template *tmpl = policy->findTemplate(templateName);
    const Policy::Catalog *catalog = tmpl ? Catalogs::findCatalog(*tmpl, fieldPointer) : nullptr;
    if (!catalog) {
        return Error::make(ErrorCode::NotFound, QStringLiteral("No template with this name has a catalog for this field."),
                           QString(templateName + fieldPointer).left(200));
    }

    const QString scopeParameter = QLatin1String(Catalogs::kScopeParameter);
    const QString evaluationId = query.queryItemValue(scopeParameter, QUrl::FullyDecoded);
    if (evaluationId.isEmpty()) {
        return Error::make(ErrorCode::InvalidRequest,
                           QStringLiteral("Send the evaluation_id of the requestable denial as the %1 query parameter.")
                               .arg(scopeParameter),
                           scopeParameter);
    }

    // Items are offered for one denied evaluation, so the listing is scoped to it. A PEP may list
    // only for the denials issued to it, and an unknown id and someone else's id get the same error.
    Store::Reader reader(*m_store);
    const std::optional<Store::EvaluationRecord> record = reader.evaluation(evaluationId);
    const bool visible = record && record->templateName == tmpl->name
        && (caller.canReadAdmin() || record->caller == caller.id);
    if (!visible) {
        return Error::make(ErrorCode::NotFound,
                           QStringLiteral("No requestable denial with this evaluation_id for this template is available "
                                          "to the caller."),
                           evaluationId.left(128));
    }
    if (m_clock->nowMs() > record->expiresMs + m_config.clockSkewSeconds * 1000) {
        return Error::make(ErrorCode::ExpiredDenial,
                           QStringLiteral("The requestable denial has expired; evaluate the request again."),
                           evaluationId.left(128));
    }

    const Policy::Request original{record->subject, record->resource, record->action, record->context};
    auto page = Catalogs::listItems(*catalog, original, evaluationId, query, caller.canReadAdmin(), m_catalogCursorKey);
    if (!page)
        return page.error();
    // The search text stays out of the log, because it reveals what the requester is looking for.
    qCDebug(lcEscalation).noquote() << "catalog listing" << tmpl->name << fieldPointer << "for" << caller.id
                                    << "evaluation" << evaluationId;
    Reply reply;
    reply.body = page.value();
    return reply;
}

} // namespace Recourse::Escalation
