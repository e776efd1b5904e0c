#include "ui/activitymodel.h"

#include "ui/tasktext.h"

#include <QDateTime>
#include <QJsonArray>
#include <QLocale>
#include <QTimer>

#include <algorithm>

namespace Recourse::Ui {

namespace {

constexpr int FlushDelayMs = 30;

} // namespace

ActivityModel::ActivityModel(QObject *parent, int capacity)
    : QAbstractTableModel(parent)
    , m_capacity(std::max(1, capacity))
    , m_flushTimer(new QTimer(this))
{
    m_flushTimer->setSingleShot(true);
    m_flushTimer->setInterval(FlushDelayMs);
    connect(m_flushTimer, &QTimer::timeout, this, &ActivityModel::flush);
}

ActivityModel::~ActivityModel() = default;

int ActivityModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ActivityModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ActivityModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return cell(row, index.column());
    case Qt::ToolTipRole:
        return index.column() == TimeColumn ? row.timeTooltip : cell(row, index.column());
    case SortRole:
        return index.column() == TimeColumn ? QVariant(row.seq) : QVariant(cell(row, index.column()));
    case TaskIdRole:
        return row.taskId;
    case SeqRole:
        return row.seq;
    case TypeRole:
        return row.type;
    case EventRole:
        return row.event;
    default:
        return {};
    }
}

QString ActivityModel::cell(const Row &row, int column) const
{
    switch (column) {
    case TimeColumn:
        return row.time;
    case TypeColumn:
        return row.type;
    case SubjectColumn:
        return row.subject;
    case ActionColumn:
        return row.action;
    case ResourceColumn:
        return row.resource;
    case OutcomeColumn:
        return row.outcome;
    case ReasonColumn:
        return row.reason;
    case NextActionColumn:
        return row.nextAction;
    case TaskColumn:
        return row.taskId;
    default:
        return {};
    }
}

QVariant ActivityModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};

    switch (section) {
    case TimeColumn:
        return tr("Time");
    case TypeColumn:
        return tr("Event");
    case SubjectColumn:
        return tr("Subject");
    case ActionColumn:
        return tr("Action");
    case ResourceColumn:
        return tr("Resource");
    case OutcomeColumn:
        return tr("Outcome");
    case ReasonColumn:
        return tr("Reason");
    case NextActionColumn:
        return tr("Next action");
    case TaskColumn:
        return tr("Task");
    default:
        return {};
    }
}

void ActivityModel::addEvent(const QJsonObject &event)
{
    m_queued.append(event);
    // Only the newest `capacity` events can ever be shown, so older queued ones are dropped early.
    if (m_queued.size() > m_capacity)
        m_queued.remove(0, m_queued.size() - m_capacity);
    if (!m_flushTimer->isActive())
        m_flushTimer->start();
}

void ActivityModel::flush()
{
    m_flushTimer->stop();
    if (m_queued.isEmpty())
        return;

    // Oldest first, so prepending one after another leaves the newest on top.
    const QList<QJsonObject> queued = std::exchange(m_queued, {});
    QList<Row> newRows;
    newRows.reserve(queued.size());
    for (const QJsonObject &event : queued)
        newRows.append(makeRow(event));

    const int overflow = int(m_rows.size() + newRows.size()) - m_capacity;
    if (overflow > 0) {
        const int keep = int(m_rows.size()) - std::min(overflow, int(m_rows.size()));
        if (keep < m_rows.size()) {
            beginRemoveRows({}, keep, int(m_rows.size()) - 1);
            m_rows.resize(keep);
            endRemoveRows();
        }
    }

    beginInsertRows({}, 0, int(newRows.size()) - 1);
    // Qt 6 QList keeps free space at its front after a prepend, so this does not move every row.
    for (Row &row : newRows)
        m_rows.prepend(std::move(row));
    endInsertRows();
}

void ActivityModel::clear()
{
    m_queued.clear();
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

QJsonObject ActivityModel::eventAt(int row) const
{
    if (row < 0 || row >= m_rows.size())
        return {};
    return m_rows.at(row).event;
}

ActivityModel::Row ActivityModel::makeRow(const QJsonObject &event)
{
    const QJsonObject data = event.value(u"data").toObject();
    Row row;
    row.event = event;
    row.seq = event.value(u"seq").toInteger();
    row.type = event.value(u"type").toString();
    row.taskId = event.value(u"task_id").toString();
    row.subject = TaskText::entity(data.value(u"subject").toObject());
    row.action = TaskText::action(data.value(u"action").toObject());
    row.resource = TaskText::entity(data.value(u"resource").toObject());
    // A bulk task's own events list its items' pairs instead of one resource and action.
    const QJsonArray pairs = data.value(u"pairs").toArray();
    if (row.resource.isEmpty() && !pairs.isEmpty()) {
        QStringList resources;
        QStringList actions;
        for (const QJsonValue &item : pairs) {
            resources.append(TaskText::entity(item.toObject().value(u"resource").toObject()));
            actions.append(TaskText::action(item.toObject().value(u"action").toObject()));
        }
        actions.removeDuplicates();
        row.resource = resources.join(QStringLiteral(", "));
        row.action = actions.join(QStringLiteral(", "));
    }
    row.outcome = outcome(row.type, data);
    row.reason = TaskText::shown(data.value(u"reason").toString());
    row.nextAction = TaskText::shown(data.value(u"next_action").toString());

    const qint64 timeMs = TaskText::timeMs(event.value(u"time"));
    if (timeMs >= 0) {
        const QDateTime local = QDateTime::fromMSecsSinceEpoch(timeMs).toLocalTime();
        row.time = local.time().toString(QStringLiteral("HH:mm:ss"));
        row.timeTooltip = QLocale().toString(local, QLocale::LongFormat);
    }
    return row;
}

QString ActivityModel::outcome(const QString &type, const QJsonObject &data)
{
    if (type == u"evaluation.permitted")
        return tr("permitted");
    if (type == u"evaluation.denied")
        return tr("denied");
    if (type == u"evaluation.denied.requestable")
        return tr("requestable");
    if (type == u"approval.revoked")
        return tr("revoked");
    if (type == u"reevaluation.allowed")
        return tr("allowed");
    if (type == u"reevaluation.denied")
        return tr("denied");
    if (type == u"task.progressed") {
        const QString approver = data.value(u"approver").toString();
        if (approver.isEmpty())
            return tr("progressed");
        const bool approved = data.value(u"decision").toString() == u"approve";
        // A bulk task is decided item by item, so the row names the item and its outcome.
        if (data.contains(u"item")) {
            const int item = data.value(u"item").toInt() + 1;
            return approved ? tr("item %1 approved by %2").arg(item).arg(approver)
                            : tr("item %1 denied by %2").arg(item).arg(approver);
        }
        const int step = data.value(u"step").toInt();
        return step > 0 ? tr("step %1 approved by %2").arg(step).arg(approver) : tr("approved by %1").arg(approver);
    }
    if (type == u"callback.delivered")
        return tr("callback delivered (HTTP %1)").arg(data.value(u"http_status").toInt());
    if (type == u"callback.attempt_failed")
        return tr("callback attempt %1 failed").arg(data.value(u"attempt").toInt());
    if (type == u"callback.failed")
        return tr("callback given up after attempt %1").arg(data.value(u"attempt").toInt());
    if (type.startsWith(u"task.")) {
        const QString status = TaskText::status(data.value(u"status").toString());
        const QString approver = data.value(u"approver").toString();
        return approver.isEmpty() ? status : tr("%1 by %2").arg(status, approver);
    }
    return {};
}

} // namespace Recourse::Ui
