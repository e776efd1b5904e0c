#include "ui/inboxrow.h"

#include "core/json/json.h"
#include "ui/inboxmodel.h"
#include "ui/tasktext.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStringList>

#include <limits>

namespace Recourse::Ui {

namespace {

// A pool stops growing here; a task with a new value then keeps its own copy.
constexpr qsizetype MaxPooledTexts = 8192;

QString pooled(QSet<QString> *pool, const QString &text)
{
    if (!pool)
        return text;
    const auto found = pool->constFind(text);
    if (found != pool->constEnd())
        return *found;
    if (pool->size() < MaxPooledTexts)
        pool->insert(text);
    return text;
}

} // namespace

InboxRow InboxRow::fromTask(const QJsonObject &task, QSet<QString> *pool)
{
    InboxRow row;
    row.json = QJsonDocument(task).toJson(QJsonDocument::Compact);
    row.id = task.value(u"id").toString();
    row.status = task.value(u"status").toString();
    row.createdMs = TaskText::timeMs(task.value(u"created_at"));
    row.updatedMs = TaskText::timeMs(task.value(u"updated_at"));
    row.expiresMs = TaskText::timeMs(task.value(u"expires_at"));
    row.status = pooled(pool, row.status);
    row.templateName = pooled(pool, task.value(u"template").toString());
    const QString title = task.value(u"template_title").toString();
    row.templateTitle = title.isEmpty() ? row.templateName : pooled(pool, title);
    const QJsonObject subject = task.value(u"subject").toObject();
    row.subjectId = pooled(pool, subject.value(u"id").toString());
    row.subjectText = pooled(pool, TaskText::entity(subject));
    row.actionText = pooled(pool, TaskText::taskAction(task));
    row.resourceText = pooled(pool, TaskText::taskResource(task));
    row.requesterId = pooled(pool, task.value(u"requester").toObject().value(u"id").toString());
    row.emergency = task.value(u"emergency").toBool();
    QStringList agents;
    for (const QJsonValue &actor : task.value(u"actor_chain").toArray())
        agents.append(actor.toObject().value(u"id").toString());
    row.agents = pooled(pool, agents.join(u' '));
    row.searchKey = QStringList{row.id, row.subjectText, row.resourceText, row.actionText, row.requesterId,
                                row.templateName, title}
                        .join(u' ')
                        .toLower()
                        .toUtf8();
    return row;
}

QJsonObject InboxRow::task() const
{
    return Json::objectFromStored(json);
}

QVariant InboxRow::display(int column, qint64 nowMs) const
{
    switch (column) {
    case InboxModel::StatusColumn:
        return isPending() && emergency ? QCoreApplication::translate("Recourse::Ui::InboxModel", "Emergency")
                                        : TaskText::status(status);
    case InboxModel::SubjectColumn:
        return subjectText;
    case InboxModel::ActionColumn:
        return actionText;
    case InboxModel::ResourceColumn:
        return resourceText;
    case InboxModel::TemplateColumn:
        return templateTitle;
    case InboxModel::RequesterColumn:
        return TaskText::shown(requesterId);
    case InboxModel::AgeColumn:
        return createdMs < 0 ? QString() : TaskText::duration(nowMs - createdMs);
    case InboxModel::ExpiresInColumn:
        return isPending() ? TaskText::expiresIn(expiresMs, nowMs) : QStringLiteral("—");
    default:
        return {};
    }
}

QVariant InboxRow::sortValue(int column, qint64 nowMs) const
{
    switch (column) {
    case InboxModel::StatusColumn:
        return status;
    case InboxModel::SubjectColumn:
        return subjectId;
    case InboxModel::ActionColumn:
        return actionText;
    case InboxModel::ResourceColumn:
        return resourceText;
    case InboxModel::TemplateColumn:
        return templateName;
    case InboxModel::RequesterColumn:
        return requesterId;
    case InboxModel::AgeColumn:
        return nowMs - createdMs;
    case InboxModel::ExpiresInColumn:
        // Only pending tasks can run out, so the others sort after every pending one.
        if (!isPending() || expiresMs < 0)
            return std::numeric_limits<qint64>::max();
        return expiresMs - nowMs;
    default:
        return {};
    }
}

} // namespace Recourse::Ui
