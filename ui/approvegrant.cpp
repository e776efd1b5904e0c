#include "ui/approvegrant.h"

#include "ui/tasktext.h"

#include <QJsonArray>

#include <algorithm>

namespace Recourse::Ui {

namespace {

enum class EndKind { AsRequested, Capped, Default, Passed };

struct End
{
    EndKind kind = EndKind::Default;
    qint64 untilMs = 0;
    qint64 requestedMs = -1;
};

// The end an approval issued now gets, as the service computes it (whole seconds).
End endFor(const QJsonValue &requestedUntil, qint64 nowMs, qint64 defaultMs, qint64 maxMs)
{
    End end;
    end.requestedMs = TaskText::timeMs(requestedUntil);
    if (end.requestedMs >= 0 && end.requestedMs <= nowMs) {
        end.kind = EndKind::Passed;
        return end;
    }

    const qint64 capMs = nowMs + maxMs;
    if (end.requestedMs > nowMs) {
        end.kind = end.requestedMs > capMs ? EndKind::Capped : EndKind::AsRequested;
        end.untilMs = std::min(end.requestedMs, capMs);
    } else {
        end.untilMs = std::min(nowMs + defaultMs, capMs);
    }
    end.untilMs -= end.untilMs % 1000;
    return end;
}

// "8 h" with a no-break space, so a wrapped label never splits the number from its unit.
QString unbroken(QString duration)
{
    return duration.replace(u' ', QChar::Nbsp);
}

// Whether one more approval completes the workflow, so that the click grants access at all. Steps
// may be decided in any order, so it is the last one when every other step is complete.
bool finishesWorkflow(const QJsonObject &workflow)
{
    QJsonObject open;
    int openSteps = 0;
    for (const QJsonValue &value : workflow.value(u"steps").toArray()) {
        const QJsonObject step = value.toObject();
        if (step.value(u"complete").toBool())
            continue;
        open = step;
        ++openSteps;
    }
    if (openSteps == 0)
        return true;
    if (openSteps > 1)
        return false;

    const int quorum = std::max(1, open.value(u"quorum").toInt(1));
    return open.value(u"approvals").toArray().size() + 1 >= quorum;
}

} // namespace

ApproveGrant ApproveGrant::of(const QJsonObject &task, qint64 nowMs)
{
    const QJsonObject limits = task.value(u"approval_limits").toObject();
    if (limits.isEmpty() || task.value(u"status").toString() != u"pending")
        return {};

    const qint64 defaultMs = qint64(limits.value(u"default_duration_seconds").toDouble()) * 1000;
    const qint64 maxMs = qint64(limits.value(u"max_duration_seconds").toDouble()) * 1000;

    // A bulk task's items each carry the requested_access they were submitted with.
    QList<End> ends;
    const QJsonArray items = task.value(u"items").toArray();
    if (items.isEmpty()) {
        ends.append(endFor(task.value(u"requested_access").toObject().value(u"requested_until"), nowMs, defaultMs, maxMs));
    } else {
        for (const QJsonValue &value : items) {
            const QJsonObject item = value.toObject();
            if (item.value(u"status").toString() == u"pending")
                ends.append(endFor(item.value(u"requested_access").toObject().value(u"requested_until"), nowMs, defaultMs, maxMs));
        }
    }
    if (ends.isEmpty())
        return {};

    ApproveGrant grant;
    const auto passed = std::count_if(ends.cbegin(), ends.cend(), [](const End &end) { return end.kind == EndKind::Passed; });
    if (passed > 0) {
        grant.possible = false;
        grant.text = items.isEmpty()
            ? tr("The access was requested until %1, which has passed. Choose a new end with Edit scope, or deny.")
                  .arg(TaskText::localTime(ends.constFirst().requestedMs))
            : TaskText::plural(tr("%n pending item(s) asked for an end that has passed. Choose a new end with Edit "
                                  "scope, or deny.", nullptr, int(passed)), int(passed));
        return grant;
    }

    if (!finishesWorkflow(task.value(u"workflow").toObject())) {
        grant.text = tr("Approve adds your approval to this step. Access is granted when the last step approves.");
        return grant;
    }

    const End &first = ends.constFirst();
    const bool sameEnd = std::all_of(ends.cbegin(), ends.cend(), [&first](const End &end) {
        return end.kind == first.kind && end.untilMs == first.untilMs;
    });
    if (!sameEnd) {
        const auto [earliest, latest] = std::minmax_element(ends.cbegin(), ends.cend(), [](const End &a, const End &b) {
            return a.untilMs < b.untilMs;
        });
        grant.text = tr("Approve grants each pending item access until the end it asked for, from %1 to %2.")
                         .arg(TaskText::localTime(earliest->untilMs), TaskText::localTime(latest->untilMs));
        return grant;
    }

    const QString until = TaskText::localTime(first.untilMs);
    switch (first.kind) {
    case EndKind::AsRequested:
        grant.text = tr("Approve grants access until %1, as requested.").arg(until);
        break;
    case EndKind::Capped:
        grant.text = tr("Approve grants access until %1, the template's maximum of %2. The request asked until %3.")
                         .arg(until, unbroken(TaskText::duration(maxMs)), TaskText::localTime(first.requestedMs));
        break;
    case EndKind::Default:
    case EndKind::Passed:
        grant.text = tr("Approve grants access until %1, the template's default of %2.")
                         .arg(until, unbroken(TaskText::duration(std::min(defaultMs, maxMs))));
        break;
    }
    return grant;
}

} // namespace Recourse::Ui
