#pragma once

#include <QJsonObject>
#include <QString>
#include <QVariant>

namespace Recourse::Ui {

// One task of the inbox with the members that sorting, filtering and counting read, parsed once
// when the task arrives instead of on every comparison.
struct InboxRow
{
    QJsonObject task;
    QString id;
    QString status;
    QString searchText; // the members the service's q parameter matches, plus the template
    QString templateName;
    QString subjectId;
    QString agents; // the ids of the actor chain, space-separated, for the agent filter
    bool emergency = false;
    qint64 createdMs = -1;
    qint64 updatedMs = -1;
    qint64 expiresMs = -1;

    static InboxRow fromTask(const QJsonObject &task);

    bool isPending() const { return status == u"pending"; }
    // The text of a column of InboxModel at time nowMs.
    QVariant display(int column, qint64 nowMs) const;
    // The raw value that sorting uses for a column of InboxModel at time nowMs.
    QVariant sortValue(int column, qint64 nowMs) const;
};

} // namespace Recourse::Ui
