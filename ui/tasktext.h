#pragma once

#include <QCoreApplication>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace Recourse::Ui {

// Renders members of task and event objects of the approver API as short, translatable text,
// so the inbox, the activity feed and the detail view name things the same way.
class TaskText
{
    Q_DECLARE_TR_FUNCTIONS(TaskText)

public:
    // Milliseconds since the epoch of an RFC 3339 time, or -1 when it is missing or invalid.
    static qint64 timeMs(const QJsonValue &value);

    // The time in the user's time zone and short locale format, with the zone's abbreviation so
    // approvers in different zones read the same instant, or empty when missing or invalid.
    static QString localTime(const QJsonValue &value);
    static QString localTime(qint64 ms);

    // "user alice" for {"type":"user","id":"alice"}, or the id alone when the type is missing.
    static QString entity(const QJsonObject &entity);
    // The action's name.
    static QString action(const QJsonObject &action);
    // The resource of a task, or "3 items" for a bulk task.
    static QString taskResource(const QJsonObject &task);
    // The action of a task. For a bulk task, the items' action when they all share one.
    static QString taskAction(const QJsonObject &task);
    // "call tool refunds" for one bulk item or pair: its action, then its resource.
    static QString pair(const QJsonObject &item);
    // "Pending", "Approved", ... for a task status. Unknown values are shown as sent.
    static QString status(const QString &status);
    // "45 s", "9 min", "2 h 5 min", "3 d 4 h", "7973 years" from two years on. Negative durations
    // are shown by magnitude.
    static QString duration(qint64 ms);
    // "in 9 min" or "expired 2 min ago".
    static QString expiresIn(qint64 expiresAtMs, qint64 nowMs);
    // "agent-7 (ai_agent) for alice via pep-a": the actor chain outermost first, then the
    // subject, then the PEP identity that submitted the request.
    static QString actorChain(const QJsonObject &task);
    // Makes an untranslated "%n item(s)" read as English ("1 item", "3 items"). A loaded
    // translation has already replaced the "(s)" form with its own plural forms.
    static QString plural(QString translated, int count);
    // A JSON value as one line: strings unquoted, objects and arrays as compact JSON, each
    // through shown().
    static QString scalar(const QJsonValue &value);
    // Returns text that a client sent as the console shows it. Each character that could reorder,
    // hide or break the text around it reads as "[U+202E]": bidirectional controls, format
    // characters such as zero-width spaces, and control characters (line breaks too, unless
    // `multiLine`). The approver then reads the exact ids and values that a request names.
    static QString shown(const QString &text, bool multiLine = false);
};

} // namespace Recourse::Ui
