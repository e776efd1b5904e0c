#include "ui/inboxmodel.h"

#include "ui/logging.h"
#include "ui/tasktext.h"

#include <QColor>
#include <QFont>
#include <QJsonArray>
#include <QTimer>

#include <algorithm>

namespace Recourse::Ui {

namespace {

// Long enough to gather a burst of events into one batch, short enough to feel immediate.
constexpr int FlushDelayMs = 30;

QString taskId(const QJsonObject &task)
{
    return task.value(u"id").toString();
}

} // namespace

InboxModel::InboxModel(Client::ApproverClient *client, std::shared_ptr<const Clock> clock, QObject *parent)
    : QAbstractTableModel(parent)
    , m_client(client)
    , m_clock(clock ? std::move(clock) : std::make_shared<SystemClock>())
    , m_flushTimer(new QTimer(this))
{
    m_flushTimer->setSingleShot(true);
    m_flushTimer->setInterval(FlushDelayMs);
    connect(m_flushTimer, &QTimer::timeout, this, &InboxModel::flushQueued);
}

InboxModel::~InboxModel() = default;

QModelIndex InboxModel::index(int row, int column, const QModelIndex &parent) const
{
    // QAbstractTableModel::index() asks rowCount() and columnCount() through virtual calls, and a
    // proxy sorting 100,000 rows asks for two indexes per comparison.
    if (parent.isValid() || row < 0 || column < 0 || row >= m_rows.size() || column >= ColumnCount)
        return {};
    return createIndex(row, column);
}

int InboxModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int InboxModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant InboxModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const InboxRow &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return row.display(index.column(), m_clock->nowMs());
    case Qt::ToolTipRole:
        if (index.column() == StatusColumn) {
            const QString decidedBy = row.task().value(u"decided_by").toString();
            if (!decidedBy.isEmpty())
                return tr("Decided by %1").arg(TaskText::shown(decidedBy));
        }
        if (index.column() == SubjectColumn)
            return TaskText::actorChain(row.task());
        if (index.column() == StatusColumn && row.emergency)
            return tr("Emergency request, %1").arg(TaskText::status(row.status).toLower());
        return row.display(index.column(), m_clock->nowMs());
    case Qt::ForegroundRole:
        // A pending emergency request is marked where the eye starts reading a row.
        if (index.column() == StatusColumn && row.emergency && row.isPending())
            return QColor(0xb3, 0x26, 0x1e);
        return {};
    case Qt::FontRole:
        if (row.isPending()) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case SortRole:
        return row.sortValue(index.column(), m_clock->nowMs());
    case TaskIdRole:
        return row.id;
    case StatusRole:
        return row.status;
    case TaskRole:
        return row.task();
    case SearchTextRole:
        return QString::fromUtf8(row.searchKey);
    case TemplateRole:
        return row.templateName;
    case SubjectIdRole:
        return row.subjectId;
    case AgentsRole:
        return row.agents;
    case EmergencyRole:
        return row.emergency;
    case CreatedRole:
        return row.createdMs;
    default:
        return {};
    }
}

QVariant InboxModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};

    switch (section) {
    case StatusColumn:
        return tr("Status");
    case SubjectColumn:
        return tr("Subject");
    case ActionColumn:
        return tr("Action");
    case ResourceColumn:
        return tr("Resource");
    case TemplateColumn:
        return tr("Template");
    case RequesterColumn:
        return tr("Requester");
    case AgeColumn:
        return tr("Age");
    case ExpiresInColumn:
        return tr("Expires");
    default:
        return {};
    }
}

bool InboxModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_nextCursor.isEmpty() && !m_pageInFlight;
}

void InboxModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    requestPage(m_nextCursor);
}

void InboxModel::reload()
{
    ++m_generation;
    m_fetching.clear();
    m_fetchAgain.clear();
    m_insertIfNew.clear();
    m_queued.clear();
    m_queuedOrder.clear();
    m_queuedInserts.clear();
    m_deferredEvents.clear();
    m_nextCursor.clear();
    m_oldestLoadedMs = -1;
    m_firstPageLoaded = false;
    m_pageInFlight = false;

    beginResetModel();
    m_rows.clear();
    m_texts.clear();
    m_ordinalOfTask.clear();
    m_firstOrdinal = 0;
    endResetModel();
    setPendingCount(0);

    requestPage({});
}

void InboxModel::requestPage(const QString &cursor)
{
    if (!m_client)
        return;

    m_pageInFlight = true;
    const quint64 generation = m_generation;
    m_client->listTasks(m_filter, cursor, m_pageSize, this,
                        [this, generation](const Result<QJsonObject> &page) { onPage(page, generation); });
}

void InboxModel::onPage(const Result<QJsonObject> &page, quint64 generation)
{
    if (generation != m_generation)
        return;

    m_pageInFlight = false;
    if (!page.ok()) {
        qCWarning(lcUi) << "loading the task list failed:" << page.error().message;
        Q_EMIT loadFailed(page.error().message);
    } else {
        m_nextCursor = page->value(u"next_cursor").toString();

        QList<QJsonObject> newTasks;
        for (const QJsonValue &value : page->value(u"tasks").toArray()) {
            const QJsonObject task = value.toObject();
            if (m_ordinalOfTask.contains(taskId(task)))
                queueTask(task, false);
            else
                newTasks.append(task);
        }
        appendRows(newTasks);
    }

    if (m_firstPageLoaded)
        return;

    // Events that arrived while the first page was loading can be judged only now, against the
    // rows they might refresh.
    m_firstPageLoaded = true;
    const QList<QJsonObject> deferred = std::exchange(m_deferredEvents, {});
    for (const QJsonObject &event : deferred)
        applyEvent(event);
}

void InboxModel::appendRows(const QList<QJsonObject> &tasks)
{
    if (tasks.isEmpty())
        return;

    const int first = int(m_rows.size());
    int pending = m_pendingCount;
    beginInsertRows({}, first, first + int(tasks.size()) - 1);
    for (const QJsonObject &task : tasks) {
        InboxRow row = InboxRow::fromTask(task, &m_texts);
        m_ordinalOfTask.insert(row.id, m_firstOrdinal + m_rows.size());
        pending += row.isPending() ? 1 : 0;
        if (row.createdMs >= 0 && (m_oldestLoadedMs < 0 || row.createdMs < m_oldestLoadedMs))
            m_oldestLoadedMs = row.createdMs;
        m_rows.append(std::move(row));
    }
    endInsertRows();
    setPendingCount(pending);
}

void InboxModel::prependRows(QList<InboxRow> rows)
{
    if (rows.isEmpty())
        return;

    int pending = m_pendingCount;
    beginInsertRows({}, 0, int(rows.size()) - 1);
    m_firstOrdinal -= rows.size();
    for (qsizetype i = 0; i < rows.size(); ++i) {
        m_ordinalOfTask.insert(rows.at(i).id, m_firstOrdinal + i);
        pending += rows.at(i).isPending() ? 1 : 0;
    }
    // Qt 6 QList keeps free space at its front after a prepend, so this does not move every row.
    for (auto it = rows.rbegin(); it != rows.rend(); ++it)
        m_rows.prepend(std::move(*it));
    endInsertRows();
    setPendingCount(pending);
}

void InboxModel::removeRows(QList<int> rows)
{
    if (rows.isEmpty())
        return;

    // Remove from the bottom up so the remaining row numbers stay valid, then renumber once.
    std::sort(rows.begin(), rows.end(), std::greater<>());
    int pending = m_pendingCount;
    for (const int row : std::as_const(rows)) {
        beginRemoveRows({}, row, row);
        pending -= m_rows.at(row).isPending() ? 1 : 0;
        m_ordinalOfTask.remove(m_rows.at(row).id);
        m_rows.removeAt(row);
        endRemoveRows();
    }
    m_firstOrdinal = 0;
    for (qsizetype i = 0; i < m_rows.size(); ++i)
        m_ordinalOfTask.insert(m_rows.at(i).id, i);
    setPendingCount(pending);
}

int InboxModel::rowOf(const QString &id) const
{
    const auto ordinal = m_ordinalOfTask.constFind(id);
    return ordinal == m_ordinalOfTask.constEnd() ? -1 : int(ordinal.value() - m_firstOrdinal);
}

void InboxModel::applyEvent(const QJsonObject &event)
{
    const QString type = event.value(u"type").toString();
    if (!type.startsWith(u"task.") && type != u"approval.revoked")
        return;
    const QString id = event.value(u"task_id").toString();
    if (id.isEmpty())
        return;

    if (!m_firstPageLoaded) {
        m_deferredEvents.append(event);
        return;
    }

    const qint64 eventMs = TaskText::timeMs(event.value(u"time"));
    const int row = rowOf(id);
    // A listed task already reflects its creation, so this event is a replay after connecting.
    if (row >= 0 && type == u"task.created")
        return;
    if (row >= 0) {
        // A replayed event older than the row's last change is already part of the row. Times
        // have whole seconds, so an event from the same second still triggers a refresh.
        const qint64 updatedMs = m_rows.at(row).updatedMs;
        if (eventMs >= 0 && updatedMs >= 0 && eventMs < updatedMs)
            return;
        fetchTask(id);
        return;
    }

    if (type != u"task.created")
        return;
    // A task older than the loaded pages arrives with the page that covers it.
    if (!m_nextCursor.isEmpty() && eventMs >= 0 && eventMs < m_oldestLoadedMs)
        return;
    m_insertIfNew.insert(id);
    fetchTask(id);
}

void InboxModel::fetchTask(const QString &id)
{
    if (!m_client)
        return;
    if (m_fetching.contains(id)) {
        m_fetchAgain.insert(id);
        return;
    }

    m_fetching.insert(id);
    const quint64 generation = m_generation;
    m_client->task(id, this, [this, id, generation](const Result<QJsonObject> &task) {
        if (generation != m_generation)
            return;

        m_fetching.remove(id);
        const bool insertIfNew = m_insertIfNew.contains(id);
        m_insertIfNew.remove(id);
        if (task.ok())
            queueTask(task.value(), insertIfNew);
        else
            qCWarning(lcUi) << "refreshing task" << id << "failed:" << task.error().message;

        if (m_fetchAgain.remove(id))
            fetchTask(id);
    });
}

void InboxModel::mergeTasks(const QList<QJsonObject> &tasks, bool insertNew)
{
    for (const QJsonObject &task : tasks)
        queueTask(task, insertNew);
    flushQueued();
}

void InboxModel::queueTask(const QJsonObject &task, bool insertIfNew)
{
    const QString id = taskId(task);
    if (id.isEmpty())
        return;

    if (!m_queued.contains(id))
        m_queuedOrder.append(id);
    m_queued.insert(id, task);
    if (insertIfNew)
        m_queuedInserts.insert(id);
    if (!m_flushTimer->isActive())
        m_flushTimer->start();
}

void InboxModel::flushQueued()
{
    m_flushTimer->stop();
    if (m_queuedOrder.isEmpty())
        return;

    const QList<QString> order = std::exchange(m_queuedOrder, {});
    const QHash<QString, QJsonObject> queued = std::exchange(m_queued, {});
    const QSet<QString> inserts = std::exchange(m_queuedInserts, {});

    QList<QJsonObject> refreshed;
    QList<int> rowsToRemove;
    QList<InboxRow> newRows;
    int pending = m_pendingCount;
    for (const QString &id : order) {
        InboxRow incoming = InboxRow::fromTask(queued.value(id), &m_texts);
        const int row = rowOf(id);
        if (row < 0) {
            if (inserts.contains(id) && matchesFilter(incoming))
                newRows.append(std::move(incoming));
            continue;
        }
        if (!matchesFilter(incoming)) {
            rowsToRemove.append(row);
            continue;
        }
        pending += (incoming.isPending() ? 1 : 0) - (m_rows.at(row).isPending() ? 1 : 0);
        refreshed.append(queued.value(id));
        m_rows[row] = std::move(incoming);
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
    setPendingCount(pending);
    removeRows(rowsToRemove);

    // Newest first, at the top, in one insertion.
    std::sort(newRows.begin(), newRows.end(),
              [](const InboxRow &a, const InboxRow &b) { return a.createdMs > b.createdMs; });
    QList<QJsonObject> inserted;
    for (const InboxRow &row : std::as_const(newRows))
        inserted.append(queued.value(row.id));
    refreshed.append(inserted);
    prependRows(std::move(newRows));
    if (!inserted.isEmpty())
        Q_EMIT tasksInserted(inserted);

    for (const QJsonObject &task : std::as_const(refreshed))
        Q_EMIT taskRefreshed(task);
}

bool InboxModel::matchesFilter(const InboxRow &row) const
{
    if (!m_filter.statuses.isEmpty() && !m_filter.statuses.contains(row.status))
        return false;
    if (!m_filter.templateName.isEmpty() && row.templateName != m_filter.templateName)
        return false;
    if (!m_filter.subject.isEmpty() && row.subjectId != m_filter.subject)
        return false;
    if (!m_filter.query.isEmpty() && !QString::fromUtf8(row.searchKey).contains(m_filter.query, Qt::CaseInsensitive))
        return false;
    return true;
}

void InboxModel::setPendingCount(int count)
{
    if (count == m_pendingCount)
        return;

    m_pendingCount = count;
    Q_EMIT pendingCountChanged(count);
}

QModelIndex InboxModel::indexOfTask(const QString &id, int column) const
{
    const int row = rowOf(id);
    return row < 0 ? QModelIndex() : index(row, column);
}

QJsonObject InboxModel::taskAt(int row) const
{
    if (row < 0 || row >= m_rows.size())
        return {};
    return m_rows.at(row).task();
}

} // namespace Recourse::Ui
