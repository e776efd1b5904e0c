#include "core/store/records.h"

#include "core/base/rfc3339.h"
#include "core/base/sha256.h"
#include "core/json/json.h"

namespace Recourse::Store {

namespace {

// An event's members other than its data.
QJsonObject envelopeOf(const EventRecord &event)
{
    QJsonObject object{
        {QStringLiteral("seq"), double(event.seq)},
        {QStringLiteral("type"), event.type},
        {QStringLiteral("time"), Rfc3339::format(event.atMs)},
    };
    if (!event.taskId.isEmpty())
        object.insert(QStringLiteral("task_id"), event.taskId);
    if (!event.evaluationId.isEmpty())
        object.insert(QStringLiteral("evaluation_id"), event.evaluationId);
    return object;
}

} // namespace

QJsonObject EventRecord::dataObject() const
{
    if (!data.isEmpty() || serializedData.isEmpty())
        return data;
    return Json::objectFromStored(serializedData);
}

QJsonObject EventRecord::toJson() const
{
    QJsonObject object = envelopeOf(*this);
    object.insert(QStringLiteral("data"), dataObject());
    return object;
}

QByteArray EventRecord::toJsonText() const
{
    if (!data.isEmpty() || serializedData.isEmpty())
        return Json::serialize(toJson());

    // "data" sorts before every other member, as QJsonObject orders them in toJson().
    const QByteArray envelope = Json::serialize(envelopeOf(*this));
    return "{\"data\":" + serializedData + ',' + envelope.sliced(1);
}

QJsonObject CallbackAttemptRecord::toJson() const
{
    QJsonObject object{
        {QStringLiteral("event"), event},
        {QStringLiteral("attempt"), attempt},
        {QStringLiteral("time"), Rfc3339::format(atMs)},
        {QStringLiteral("duration_ms"), double(durationMs)},
    };
    if (!address.isEmpty())
        object.insert(QStringLiteral("address"), address);
    if (httpStatus > 0)
        object.insert(QStringLiteral("http_status"), httpStatus);
    if (!error.isEmpty())
        object.insert(QStringLiteral("error"), error);
    return object;
}

QJsonObject AuditRecord::toJson() const
{
    QJsonObject object{
        {QStringLiteral("seq"), double(seq)},
        {QStringLiteral("time"), Rfc3339::format(atMs)},
        {QStringLiteral("type"), type},
        {QStringLiteral("actor"), actor},
        {QStringLiteral("data"), data},
        {QStringLiteral("prev_hash"), prevHash},
        {QStringLiteral("hash"), hash},
    };
    if (!taskId.isEmpty())
        object.insert(QStringLiteral("task_id"), taskId);
    if (!evaluationId.isEmpty())
        object.insert(QStringLiteral("evaluation_id"), evaluationId);
    if (!approvalId.isEmpty())
        object.insert(QStringLiteral("approval_id"), approvalId);
    if (!subjectId.isEmpty())
        object.insert(QStringLiteral("subject_id"), subjectId);
    return object;
}

QString AuditRecord::computeHash() const
{
    // The hash covers every member but itself, so any edit of a stored row breaks the chain at
    // that row, and removing a row breaks it at the next one.
    const QJsonObject covered{
        {QStringLiteral("seq"), double(seq)},
        {QStringLiteral("at_ms"), double(atMs)},
        {QStringLiteral("type"), type},
        {QStringLiteral("actor"), actor},
        {QStringLiteral("task_id"), taskId},
        {QStringLiteral("evaluation_id"), evaluationId},
        {QStringLiteral("approval_id"), approvalId},
        {QStringLiteral("subject_id"), subjectId},
        {QStringLiteral("data"), data},
        {QStringLiteral("prev_hash"), prevHash},
    };
    return QString::fromLatin1(
        Sha256::digest(Json::canonicalize(covered)).toHex());
}

} // namespace Recourse::Store
