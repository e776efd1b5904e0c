#include "ui/inboxrow.h"

#include "ui/inboxmodel.h"
#include "ui/tasktext.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QStringList>

#include <limits>

namespace Recourse::Ui {

InboxRow InboxRow::fromTask(const QJsonObject &task)
{
    InboxRow row;
    row.task = task;
    row.id = task.value(u"id").toString();
    row.status = task.value(u"status").toString();
    row.createdMs = TaskText::timeMs(task.value(u"created_at"));
    row.updatedMs = TaskText::timeMs(task.value(u"updated_at"));
    row.expiresMs = TaskText::timeMs(task.value(u"expires_at"));
    row.templateName = task.value(u"template").toString();
    row.subjectId = task.value(u"subject").toObject().value(u"id").toString();
    row.emergency = task.value(u"emergency").toBool();
    QStringList agents;
    for (const QJsonValue &actor : task.value(u"actor_chain").toArray())
        agents.append(actor.toObject().value(u"id").toString());
    row.agents = agents.join(u' ');
    row.searchText = QStringList{row.id,
                                 TaskText::entity(task.value(u"subject").toObject()),
                                 TaskText::taskResource(task),
                                 TaskText::taskAction(task),
                                 task.value(u"requester").toObject().value(u"id").toString(),
                                 task.value(u"template").toString(),
                                 task.value(u"template_title").toString()}
                         .join(u' ');
    return row;
}

QVariant InboxRow::display(int column, qint64 nowMs) const
{
    switch (column) {
    case InboxModel::StatusColumn:
        return isPending() && emergency ? QCoreApplication::translate("Recourse::Ui::InboxModel", "Emergency")
                                        : TaskText::status(status);
    case InboxModel::SubjectColumn:
        return TaskText::entity(task.value(u"subject").toObject());
    case InboxModel::ActionColumn:
        return TaskText::taskAction(task);
    case InboxModel::ResourceColumn:
        return TaskText::taskResource(task);
    case InboxModel::TemplateColumn: {
        const QString title = task.value(u"template_title").toString();
        return title.isEmpty() ? task.value(u"template").toString() : title;
    }
    case InboxModel::RequesterColumn:
        return task.value(u"requester").toObject().value(u"id").toString();
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
        return task.value(u"subject").toObject().value(u"id").toString();
    case InboxModel::ActionColumn:
        return TaskText::taskAction(task);
    case InboxModel::ResourceColumn:
        return TaskText::taskResource(task);
    case InboxModel::TemplateColumn:
        return task.value(u"template").toString();
    case InboxModel::RequesterColumn:
        return task.value(u"requester").toObject().value(u"id").toString();
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
