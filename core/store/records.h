#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace Recourse::Store {

// A requestable denial as the PDP issued it: the bound tuple, its expiry and binding material.
struct EvaluationRecord
{
    QString id;
    qint64 createdMs = 0;
    qint64 expiresMs = 0;
    QJsonObject subject;
    QJsonObject resource;
    QJsonObject action;
    QJsonObject context; // projected onto `members`
    QStringList members; // authorization-relevant context members
    QString templateName;
    QString reason;
    QString bindingHash;
    QString jti;
    QString caller; // PEP identity that asked
    QString taskId; // set once a submission created a task from it
    qint64 rowId = 0; // the store's row number; set only by Reader::recentDenials(), for paging
};

// A task: indexed columns plus the full document (`doc`) the APIs render from.
struct TaskRecord
{
    QString id;
    QString status;
    qint64 createdMs = 0;
    qint64 updatedMs = 0;
    qint64 expiresMs = 0;
    QString templateName;
    QString requester;
    QString evaluationId;
    QString subjectId;
    QString decidedBy;
    QJsonObject doc;
};

struct DecisionRecord
{
    QString taskId;
    int item = -1; // bulk item position, -1 for a single-item task
    int step = 0;  // zero-based workflow step
    QString approver;
    QString decision; // "approve" or "deny"
    QString comment;
    QString reason;
    qint64 atMs = 0;
    QJsonObject extra; // items decided, scope and duration asked for
};

struct ApprovalRecord
{
    QString id;
    QString taskId;
    int item = -1; // bulk item position, -1 for a single-item task
    QString evaluationId;
    qint64 approvedMs = 0;
    qint64 untilMs = 0;
    QJsonObject scope; // {"mode":"exact"} or a broadened scope
    QJsonObject subject;
    QJsonObject resource;
    QJsonObject action;
    QJsonObject context;
    QStringList members;
    QString requester;
    QString templateName;
    QString state; // the signed approval.state
    qint64 revokedMs = 0;
    QString revokedBy;
};

struct ReevaluationRecord
{
    QString approvalId;
    QString taskId;
    qint64 atMs = 0;
    bool decision = false;
    QString reason;
    QString nextAction;
    QJsonObject resource;
    QJsonObject action;
};

struct IdempotencyRecord
{
    QString caller;
    QString key;
    QString bodyHash;
    QString taskId;
    int statusCode = 0;
    QByteArray response;
    qint64 createdMs = 0;
    qint64 expiresMs = 0;
};

// A queued callback notification of one task event ("approved", "denied", ...).
struct CallbackDeliveryRecord
{
    qint64 id = 0;
    QString taskId;
    QString event;
    QString state; // "pending", "delivered" or "failed"
    int attempts = 0;
    qint64 createdMs = 0;
    qint64 nextAttemptMs = 0;
};

// One attempt to deliver a callback notification.
struct CallbackAttemptRecord
{
    qint64 deliveryId = 0;
    QString taskId;
    QString event;
    int attempt = 0; // 1 for the first attempt
    qint64 atMs = 0;
    QString address;  // the checked address connected to; empty when no connection was made
    int httpStatus = 0; // 0 when no response arrived
    QString error;      // why the attempt failed; empty on success
    qint64 durationMs = 0;

    QJsonObject toJson() const;
};

// One entry of the live event stream; `seq` comes from the store so it survives restarts.
struct EventRecord
{
    qint64 seq = 0;
    QString type;
    qint64 atMs = 0;
    QString taskId;
    QString evaluationId;
    QJsonObject data;
    // The data as compact JSON. An event serialized where it happened carries only this, and
    // `data` stays empty (Store::appendEventDetached()).
    QByteArray serializedData;

    // The data, parsed from serializedData when only that is set.
    QJsonObject dataObject() const;
    QJsonObject toJson() const;
    // toJson() as compact JSON, with serializedData copied in instead of parsed and written again.
    QByteArray toJsonText() const;
};

// One link of the append-only, hash-chained audit log.
struct AuditRecord
{
    qint64 seq = 0;
    qint64 atMs = 0;
    QString type;
    QString actor;
    QString taskId;
    QString evaluationId;
    QString approvalId;
    QString subjectId;
    QJsonObject data;
    QString prevHash;
    QString hash;

    QJsonObject toJson() const;
    // SHA-256 over the previous hash and the canonical JSON of every other member.
    QString computeHash() const;
};

} // namespace Recourse::Store
