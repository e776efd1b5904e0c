// Bulk submissions at the Access Request Endpoint: structure, per-item and bundle denial binding,
// and creation of the task with its items.

#include "core/base/ids.h"
#include "core/base/rfc3339.h"
#include "core/escalation/bulktask.h"
#include "core/escalation/catalogs.h"
#include "core/escalation/requestschema.h"
#include "core/escalation/workflow.h"

namespace Recourse::Escalation::BulkTask {

namespace {

Error invalidRequest(const QString &message, const QString &value = {})
{
    return Error::make(ErrorCode::InvalidRequest, message, value);
}

QString itemPath(qsizetype position)
{
    return QStringLiteral("items[%1]").arg(position);
}

// Names the item in an error from the single-item steps, so the PEP can tell which one failed.
Error forItem(qsizetype position, Error error)
{
    error.message = itemPath(position) + QStringLiteral(": ") + error.message;
    if (error.value.startsWith(QLatin1String("denial")))
        error.value = itemPath(position) + u'.' + error.value;
    return error;
}

QJsonObject pairOf(const QJsonObject &item)
{
    return QJsonObject{{QStringLiteral("resource"), item.value(QStringLiteral("resource"))},
                       {QStringLiteral("action"), item.value(QStringLiteral("action"))}};
}

QJsonObject withoutToken(QJsonObject denial)
{
    denial.remove(QStringLiteral("binding_token"));
    return denial;
}

// The denials every item is bound by: its own, or the bundle denial over all items.
struct BoundItems
{
    QList<std::optional<Internal::BoundDenial>> own;
    std::optional<Internal::BoundDenial> bundle;

    const Internal::BoundDenial &of(qsizetype position) const { return own.at(position) ? *own.at(position) : *bundle; }
};

Result<BoundItems> bindItems(Store::WriteTx &tx, const QJsonObject &body, const PresentedDenials &presented,
                             qint64 skewMs, const QString &requester)
{
    const QJsonArray items = body.value(QStringLiteral("items")).toArray();
    Internal::BindingTarget target;
    target.client = requester;
    target.subject = body.value(QStringLiteral("subject")).toObject();
    target.context = body.value(QStringLiteral("context")).toObject();

    BoundItems bound;
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (!presented.items.at(i)) {
            bound.own.append(std::nullopt);
            continue;
        }
        target.pairs = QJsonArray{pairOf(items.at(i).toObject())};
        target.bundle = false;
        auto itemBound = Internal::bindDenial(tx, *presented.items.at(i), target, skewMs);
        if (!itemBound)
            return forItem(i, itemBound.error());
        bound.own.append(itemBound.value());
    }

    if (presented.bundle) {
        target.pairs = {};
        for (const QJsonValue &item : items)
            target.pairs.append(pairOf(item.toObject()));
        target.bundle = true;
        auto bundleBound = Internal::bindDenial(tx, *presented.bundle, target, skewMs);
        if (!bundleBound)
            return bundleBound.error();
        bound.bundle = bundleBound.value();
    }
    return bound;
}

// One template routes the whole task, so every item must have been denied under the same one,
// and current policy must still make each item requestable.
Result<const Policy::Template *> resolveTemplate(const QJsonObject &body, const BoundItems &bound,
                                                 const Policy::PolicySet &policy)
{
    const QJsonArray items = body.value(QStringLiteral("items")).toArray();
    const QString templateName = bound.of(0).templateName;
    for (qsizetype i = 1; i < items.size(); ++i) {
        const QString name = bound.of(i).templateName;
        if (name != templateName) {
            return invalidRequest(QStringLiteral("%1 was denied under template %2 but items[0] under %3; all items of "
                                                 "a bulk submission need one template, so submit them separately.")
                                      .arg(itemPath(i), name, templateName),
                                  itemPath(i));
        }
    }
    const Policy::Template *tmpl = policy.findTemplate(templateName);
    if (!tmpl) {
        return Error::make(ErrorCode::NotRequestable,
                           QStringLiteral("Current policy no longer has the template %1.").arg(templateName),
                           templateName);
    }

    for (qsizetype i = 0; i < items.size(); ++i) {
        const QJsonObject item = items.at(i).toObject();
        const Policy::Decision decision = policy.evaluate(
            Policy::Request{body.value(QStringLiteral("subject")).toObject(), item.value(QStringLiteral("resource")).toObject(),
                            item.value(QStringLiteral("action")).toObject(), body.value(QStringLiteral("context")).toObject()});
        if (decision.effect != Policy::Effect::Requestable) {
            return Error::make(ErrorCode::NotRequestable,
                               QStringLiteral("%1: current policy no longer allows requesting this item.").arg(itemPath(i)),
                               itemPath(i));
        }
    }
    return tmpl;
}

// The requested_access of item `item`: its own members win over the top-level ones, member by member.
QJsonObject requestedAccessOf(const QJsonObject &body, const QJsonObject &item)
{
    QJsonObject requested = body.value(QStringLiteral("requested_access")).toObject();
    const QJsonObject overrides = item.value(QStringLiteral("requested_access")).toObject();
    for (auto it = overrides.constBegin(); it != overrides.constEnd(); ++it)
        requested.insert(it.key(), it.value());
    return requested;
}

// Checks the request schema and the catalog fields against what item `position` would store,
// so a value placed in an item's requested_access passes the same checks as a top-level one.
// A failure in a member the item set names the item's own pointer.
Result<void> checkItemAdditions(Store::WriteTx &tx, const QJsonObject &body, qsizetype position, const BoundItems &bound,
                                const Policy::Template &tmpl)
{
    const QJsonObject item = body.value(QStringLiteral("items")).toArray().at(position).toObject();
    QJsonObject effective = body;
    effective.insert(QStringLiteral("requested_access"), requestedAccessOf(body, item));

    Result<void> checked = RequestSchema::checkSubmission(effective, tmpl);
    if (checked && !tmpl.catalogs.isEmpty()) {
        const Policy::Request submitted{body.value(QStringLiteral("subject")).toObject(),
                                        item.value(QStringLiteral("resource")).toObject(),
                                        item.value(QStringLiteral("action")).toObject(),
                                        body.value(QStringLiteral("context")).toObject()};
        const Internal::BoundDenial &itemBound = bound.of(position);
        const Policy::Request denied = Catalogs::deniedRequest(tx, itemBound.evaluationId, submitted, itemBound.members);
        checked = Catalogs::checkSubmission(effective, tmpl, denied);
    }
    if (checked)
        return {};

    Error error = checked.error();
    const QString prefix = QStringLiteral("/requested_access/");
    const QJsonObject own = item.value(QStringLiteral("requested_access")).toObject();
    if (error.value.startsWith(prefix) && own.contains(error.value.mid(prefix.size()).section(u'/', 0, 0)))
        error.value = QStringLiteral("/items/%1").arg(position) + error.value;
    return error;
}

// The stored form of item `position`: what the views show and what its approval binds.
QJsonObject storedItem(const QJsonObject &body, qsizetype position, const BoundItems &bound)
{
    const QJsonObject item = body.value(QStringLiteral("items")).toArray().at(position).toObject();
    const bool own = bound.own.at(position).has_value();
    const QJsonObject denial = own ? item.value(QStringLiteral("denial")).toObject()
                                   : body.value(QStringLiteral("denial")).toObject();
    const QJsonObject requested = requestedAccessOf(body, item);

    return QJsonObject{
        {QStringLiteral("resource"), item.value(QStringLiteral("resource"))},
        {QStringLiteral("action"), item.value(QStringLiteral("action"))},
        {QStringLiteral("status"), QStringLiteral("pending")},
        {QStringLiteral("requested_access"), requested},
        {QStringLiteral("binding_context_members"), QJsonArray::fromStringList(bound.of(position).members)},
        {QStringLiteral("evaluation"), Internal::evaluationSummary(bound.of(position))},
        {QStringLiteral("denial"), withoutToken(denial)},
        {QStringLiteral("bound_by"), own ? QStringLiteral("item") : QStringLiteral("bundle")},
    };
}

} // namespace

Result<void> validateSubmission(const QJsonObject &body)
{
    using AuthZen::EntityKind;
    for (const char *member : {"resource", "action"}) {
        if (body.contains(QLatin1String(member))) {
            return invalidRequest(QStringLiteral("A bulk submission names resources and actions per item; remove the "
                                                 "top-level %1 or the items.").arg(QLatin1String(member)),
                                  QLatin1String(member));
        }
    }
    if (auto r = AuthZen::validateEntity(EntityKind::Subject, body.value(QStringLiteral("subject")), QStringLiteral("subject")); !r)
        return r;
    const QJsonValue itemsValue = body.value(QStringLiteral("items"));
    if (!itemsValue.isArray() || itemsValue.toArray().isEmpty())
        return invalidRequest(QStringLiteral("items must be a non-empty array of {resource, action} objects."),
                              QStringLiteral("items"));
    const QJsonArray items = itemsValue.toArray();
    if (items.size() > kMaxItems) {
        return invalidRequest(QStringLiteral("A bulk submission carries at most %1 items; this one has %2.")
                                  .arg(kMaxItems)
                                  .arg(items.size()),
                              QStringLiteral("items"));
    }
    if (auto r = Internal::validateOptionalMembers(body); !r)
        return r;

    qsizetype firstWithoutDenial = -1;
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QString path = itemPath(i);
        if (!items.at(i).isObject())
            return invalidRequest(QStringLiteral("%1 must be an object.").arg(path), path);
        const QJsonObject item = items.at(i).toObject();
        if (auto r = AuthZen::validateEntity(EntityKind::Resource, item.value(QStringLiteral("resource")), path + QStringLiteral(".resource")); !r)
            return r;
        if (auto r = AuthZen::validateEntity(EntityKind::Action, item.value(QStringLiteral("action")), path + QStringLiteral(".action")); !r)
            return r;
        const QJsonValue requested = item.value(QStringLiteral("requested_access"));
        if (!requested.isUndefined()) {
            if (!requested.isObject())
                return invalidRequest(QStringLiteral("%1.requested_access must be an object.").arg(path),
                                      path + QStringLiteral(".requested_access"));
            if (auto r = Internal::validateRequestedAccess(requested.toObject(), path + QStringLiteral(".requested_access")); !r)
                return r;
        }
        if (item.contains(QStringLiteral("denial"))) {
            if (auto r = Internal::validateDenial(item.value(QStringLiteral("denial")), path + QStringLiteral(".denial")); !r)
                return r;
        } else if (firstWithoutDenial < 0) {
            firstWithoutDenial = i;
        }
    }

    // The top-level denial is a bundle denial: required when an item has no denial of its own.
    if (firstWithoutDenial >= 0 && !body.contains(QStringLiteral("denial"))) {
        return Error::make(ErrorCode::InvalidDenialBinding,
                           QStringLiteral("%1 carries no denial of its own, so the top-level denial (a bundle denial "
                                          "over every item) is required.").arg(itemPath(firstWithoutDenial)),
                           QStringLiteral("denial"));
    }
    if (body.contains(QStringLiteral("denial")))
        return Internal::validateDenial(body.value(QStringLiteral("denial")), QStringLiteral("denial"));
    return {};
}

PresentedDenials presentDenials(const QJsonObject &body, const EscalationConfig &config, const Jose::KeySet &keys,
                                qint64 nowSeconds)
{
    PresentedDenials presented;
    bool needsBundle = false;
    for (const QJsonValue &item : body.value(QStringLiteral("items")).toArray()) {
        const QJsonValue denial = item.toObject().value(QStringLiteral("denial"));
        if (denial.isObject()) {
            presented.items.append(Internal::presentDenial(denial.toObject(), config, keys, nowSeconds));
        } else {
            presented.items.append(std::nullopt);
            needsBundle = true;
        }
    }
    // When every item carries its own denial, those are verified instead of the bundle's.
    if (needsBundle)
        presented.bundle = Internal::presentDenial(body.value(QStringLiteral("denial")).toObject(), config, keys, nowSeconds);
    return presented;
}

Result<Store::TaskRecord> createTask(Store::WriteTx &tx, const QJsonObject &body, const PresentedDenials &presented,
                                     const Policy::PolicySet &policy, qint64 skewMs, const QString &requester,
                                     const QJsonArray &actorChain)
{
    const qint64 now = tx.nowMs();

    // 2. The bindings: each item's own denial by the single-item rules, then the bundle denial.
    auto bound = bindItems(tx, body, presented, skewMs, requester);
    if (!bound)
        return bound.error();

    // 3. One template for the task, and current policy's decision on every item.
    auto tmpl = resolveTemplate(body, bound.value(), policy);
    if (!tmpl)
        return tmpl.error();
    // The schema and the catalogs see each item as it will be stored: shared catalog fields must
    // be offered for the denied evaluation of every item.
    for (qsizetype i = 0; i < presented.items.size(); ++i) {
        if (auto r = checkItemAdditions(tx, body, i, bound.value(), *tmpl.value()); !r)
            return r.error();
    }

    // 4. The task, its items, and links from every denied evaluation to it.
    QJsonArray items;
    for (qsizetype i = 0; i < presented.items.size(); ++i)
        items.append(storedItem(body, i, bound.value()));
    const Internal::BoundDenial &first = bound->bundle ? *bound->bundle : bound->of(0);
    const QJsonObject firstDenial = bound->bundle
        ? body.value(QStringLiteral("denial")).toObject()
        : body.value(QStringLiteral("items")).toArray().at(0).toObject().value(QStringLiteral("denial")).toObject();

    Store::TaskRecord task;
    task.id = Ids::random(u"arq_");
    task.status = QStringLiteral("pending");
    task.createdMs = now;
    task.updatedMs = now;
    task.expiresMs = now + tmpl.value()->taskLifetimeSeconds * 1000;
    task.templateName = tmpl.value()->name;
    task.requester = requester;
    task.evaluationId = first.evaluationId;
    const QJsonObject subject = body.value(QStringLiteral("subject")).toObject();
    const QJsonObject context = body.value(QStringLiteral("context")).toObject();
    task.subjectId = subject.value(QStringLiteral("id")).toString();
    task.doc = QJsonObject{
        {QStringLiteral("subject"), subject},
        {QStringLiteral("context"), context},
        {QStringLiteral("requested_access"), body.value(QStringLiteral("requested_access")).toObject()},
        {QStringLiteral("client"), body.value(QStringLiteral("client")).toObject()},
        {QStringLiteral("binding_context_members"), QJsonArray::fromStringList(first.members)},
        {QStringLiteral("actor_chain"), actorChain},
        {QStringLiteral("evaluation"), Internal::evaluationSummary(first)},
        {QStringLiteral("items"), items},
    };
    if (body.value(QStringLiteral("denial")).isObject())
        task.doc.insert(QStringLiteral("denial"), withoutToken(body.value(QStringLiteral("denial")).toObject()));
    const QString justification = context.value(QStringLiteral("business_justification")).toString();
    if (!justification.isEmpty())
        task.doc.insert(QStringLiteral("justification"), justification);

    if (auto r = tx.insertTask(task); !r)
        return r.error();
    QStringList linked;
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QString evaluationId = bound->of(i).evaluationId;
        if (evaluationId.isEmpty() || linked.contains(evaluationId))
            continue;
        if (auto r = tx.linkEvaluationToTask(evaluationId, task.id); !r)
            return r.error();
        linked.append(evaluationId);
    }
    return task;
}

Result<Store::TaskRecord> autoApprove(Store::WriteTx &tx, Store::TaskRecord task, const Policy::Template &tmpl,
                                      const Policy::PolicySet &policy, const EscalationConfig &config,
                                      const Jose::SigningKey &key)
{
    if (!tmpl.autoApproval)
        return task;

    const QString actor = kAutomatedApproverId.toString();
    const QJsonObject exact{{QStringLiteral("mode"), QStringLiteral("exact")}};
    QJsonArray items = task.doc.value(QStringLiteral("items")).toArray();
    QList<int> approved;
    for (int i = 0; i < items.size(); ++i) {
        const Store::TaskRecord view = itemView(task, i);
        const Policy::Request request{view.doc.value(QStringLiteral("subject")).toObject(),
                                      view.doc.value(QStringLiteral("resource")).toObject(),
                                      view.doc.value(QStringLiteral("action")).toObject(),
                                      view.doc.value(QStringLiteral("context")).toObject()};
        if (!policy.autoApproves(tmpl, request))
            continue;
        // An ineligible evaluator leaves the item pending for people, with the reason audited.
        if (auto eligible = checkAutomatedEligibility(view, tmpl); !eligible) {
            if (auto r = Internal::auditAutomatedRefusal(tx, task, i, eligible.error().message); !r)
                return r.error();
            continue;
        }

        const qint64 untilMs = tx.nowMs() + tmpl.autoApproval->durationSeconds * 1000;
        auto approval = Internal::issueApproval(tx, view, i, tmpl, untilMs, exact, config, key);
        if (!approval)
            return approval.error();
        QJsonObject item = items.at(i).toObject();
        item.insert(QStringLiteral("status"), QStringLiteral("approved"));
        item.insert(QStringLiteral("decided_by"), actor);
        item.insert(QStringLiteral("approval_id"), approval->id);
        items.replace(i, item);
        const QJsonObject data{{QStringLiteral("item"), i},
                               {QStringLiteral("decision"), QStringLiteral("approve")},
                               {QStringLiteral("status"), QStringLiteral("approved")},
                               {QStringLiteral("approval_id"), approval->id},
                               {QStringLiteral("approved_until"), Rfc3339::format(approval->untilMs)}};
        if (auto r = recordItemDecision(tx, task, i, actor, data); !r)
            return r.error();
        approved.append(i);
    }
    if (approved.isEmpty())
        return task;

    task.doc.insert(QStringLiteral("items"), items);
    QJsonArray positions;
    for (const int position : approved)
        positions.append(position);
    return settle(tx, task, actor, QJsonObject{{QStringLiteral("decision"), QStringLiteral("approve")},
                                               {QStringLiteral("items"), positions}});
}

} // namespace Recourse::Escalation::BulkTask
