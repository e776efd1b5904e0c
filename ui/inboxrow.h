#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QSet>
#include <QString>
#include <QVariant>

namespace Recourse::Ui {

// One task of the inbox with the members that sorting, filtering, counting and painting read,
// parsed once when the task arrives instead of on every comparison. The task itself is kept as
// compact JSON: a QJsonObject of a listed task takes several kilobytes, five times its text, which
// is most of the console's memory once 100,000 tasks are loaded.
struct InboxRow
{
    QByteArray json; // the task object as the service returned it, compact
    QString id;
    QString status;
    // The members the service's q parameter matches, plus the template, in lower case and UTF-8:
    // a byte search in it is several times faster than a case-insensitive QString search.
    QByteArray searchKey;
    QString templateName;
    QString templateTitle;
    QString subjectId;
    QString subjectText;  // the subject as the subject column shows it
    QString actionText;   // the action column
    QString resourceText; // the resource column
    QString requesterId;
    QString agents; // the ids of the actor chain, space-separated, for the agent filter
    bool emergency = false;
    qint64 createdMs = -1;
    qint64 updatedMs = -1;
    qint64 expiresMs = -1;

    // `pool`, when given, collects the column texts, so rows with the same status, template,
    // subject or resource share one copy of the text instead of holding one each.
    static InboxRow fromTask(const QJsonObject &task, QSet<QString> *pool = nullptr);

    // The task object, parsed again from json.
    QJsonObject task() const;
    bool isPending() const { return status == u"pending"; }
    // The text of a column of InboxModel at time nowMs.
    QVariant display(int column, qint64 nowMs) const;
    // The raw value that sorting uses for a column of InboxModel at time nowMs.
    QVariant sortValue(int column, qint64 nowMs) const;
};

} // namespace Recourse::Ui
