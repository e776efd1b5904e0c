#include "ui/inboxmodel.h"

#include "ui/logging.h"
#include "ui/tasktext.h"

#include <QFont>
#include <QJsonArray>
#include <QTimer>

#include <algorithm>
#include <limits>

namespace Recourse::Ui {

namespace {

// Long enough to gather a burst of events into one batch, short enough to feel immediate.
constexpr int FlushDelayMs = 30;
// How often the age and expires-in columns are redrawn. Both show minutes once past 60 s.
constexpr int TickIntervalMs = 5000;

QString taskId(const QJsonObject &task)
{
    return task.value(u"id").toString();
}

qint64 createdAtMs(const QJsonObject &task)
{
    return TaskText::timeMs(task.value(u"created_at"));
}

// The members the service's q parameter matches, plus the template, in one string.
QString searchText(const QJsonObject &task)
{
    return QStringList{taskId(task),
                       TaskText::entity(task.value(u"subject").toObject()),
                       TaskText::taskResource(task),
                       TaskText::taskAction(task),
                       task.value(u"requester").toObject().value(u"id").toString(),
                       task.value(u"template").toString(),
                       task.value(u"template_title").toString()}
        .join(u' ');
}

} // namespace

InboxModel::InboxModel(Client::ApproverClient *client, std::shared_ptr<const Clock> clock, QObject *parent)
    : QAbstractTableModel(parent)
    , m_client(client)
    , m_clock(clock ? std::move(clock) : std::make_shared<SystemClock>())
    , m_flushTimer(new QTimer(this))
    , m_tickTimer(new QTimer(this))
{
    m_flushTimer->setSingleShot(true);
    m_flushTimer->setInterval(FlushDelayMs);
    connect(m_flushTimer, &QTimer::timeout, this, &InboxModel::flushQueued);

    m_tickTimer->setInterval(TickIntervalMs);
    connect(m_tickTimer, &QTimer::timeout, this, &InboxModel::onTick);
    m_tickTimer->start();
}

InboxModel::~InboxModel() = default;

int InboxModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_tasks.size());
}

int InboxModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant InboxModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const QJsonObject &task = m_tasks.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return displayValue(task, index.column());
    case Qt::ToolTipRole:
        if (index.column() == StatusColumn && task.contains(u"decided_by"))
            return tr("Decided by %1").arg(task.value(u"decided_by").toString());
        if (index.column() == SubjectColumn)
            return TaskText::actorChain(task);
        return displayValue(task, index.column());
    case Qt::FontRole:
        if (task.value(u"status").toString() == u"pending") {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case SortRole:
        return sortValue(task, index.column());
    case TaskIdRole:
        return taskId(task);
    case StatusRole:
        return task.value(u"status").toString();
    case TaskRole:
        return task;
    case SearchTextRole:
        return searchText(task);
    default:
        return {};
    }
}

QVariant InboxModel::displayValue(const QJsonObject &task, int column) const
{
    switch (column) {
    case StatusColumn:
        return TaskText::status(task.value(u"status").toString());
    case SubjectColumn:
        return TaskText::entity(task.value(u"subject").toObject());
    case ActionColumn:
        return TaskText::taskAction(task);
    case ResourceColumn:
        return TaskText::taskResource(task);
    case TemplateColumn: {
        const QString title = task.value(u"template_title").toString();
        return title.isEmpty() ? task.value(u"template").toString() : title;
    }
    case RequesterColumn:
        return task.value(u"requester").toObject().value(u"id").toString();
    case AgeColumn: {
        const qint64 created = createdAtMs(task);
        return created < 0 ? QString() : TaskText::duration(m_clock->nowMs() - created);
    }
    case ExpiresInColumn:
        if (task.value(u"status").toString() != u"pending")
            return QStringLiteral("—");
        return TaskText::expiresIn(TaskText::timeMs(task.value(u"expires_at")), m_clock->nowMs());
    default:
        return {};
    }
}

QVariant InboxModel::sortValue(const QJsonObject &task, int column) const
{
    switch (column) {
    case StatusColumn:
        return task.value(u"status").toString();
    case SubjectColumn:
        return task.value(u"subject").toObject().value(u"id").toString();
    case ActionColumn:
        return TaskText::taskAction(task);
    case ResourceColumn:
        return TaskText::taskResource(task);
    case TemplateColumn:
        return task.value(u"template").toString();
    case RequesterColumn:
        return task.value(u"requester").toObject().value(u"id").toString();
    case AgeColumn:
        return m_clock->nowMs() - createdAtMs(task);
    case ExpiresInColumn: {
        // Only pending tasks can run out, so the others sort after every pending one.
        const qint64 expires = TaskText::timeMs(task.value(u"expires_at"));
        if (task.value(u"status").toString() != u"pending" || expires < 0)
            return std::numeric_limits<qint64>::max();
        return expires - m_clock->nowMs();
    }
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
    m_tasks.clear();
    m_rowOfTask.clear();
    endResetModel();
    updatePendingCount();

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
            if (m_rowOfTask.contains(taskId(task)))
                queueTask(task, false);
            else
                newTasks.append(task);
        }
        appendRows(newTasks);
        updatePendingCount();
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

    const int first = int(m_tasks.size());
    beginInsertRows({}, first, first + int(tasks.size()) - 1);
    for (const QJsonObject &task : tasks) {
        m_rowOfTask.insert(taskId(task), int(m_tasks.size()));
        m_tasks.append(task);
        const qint64 created = createdAtMs(task);
        if (created >= 0 && (m_oldestLoadedMs < 0 || created < m_oldestLoadedMs))
            m_oldestLoadedMs = created;
    }
    endInsertRows();
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
    const auto row = m_rowOfTask.constFind(id);
    // A listed task already reflects its creation, so this event is a replay after connecting.
    if (row != m_rowOfTask.constEnd() && type == u"task.created")
        return;
    if (row != m_rowOfTask.constEnd()) {
        // A replayed event older than the row's last change is already part of the row. Times
        // have whole seconds, so an event from the same second still triggers a refresh.
        const qint64 updatedMs = TaskText::timeMs(m_tasks.at(row.value()).value(u"updated_at"));
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
    QList<QJsonObject> newTasks;
    for (const QString &id : order) {
        const QJsonObject &task = queued.value(id);
        const auto row = m_rowOfTask.constFind(id);
        if (row == m_rowOfTask.constEnd()) {
            if (inserts.contains(id) && matchesFilter(task))
                newTasks.append(task);
            continue;
        }
        if (!matchesFilter(task)) {
            rowsToRemove.append(row.value());
            continue;
        }
        m_tasks[row.value()] = task;
        Q_EMIT dataChanged(index(row.value(), 0), index(row.value(), ColumnCount - 1));
        refreshed.append(task);
    }

    // Remove from the bottom up so the remaining row numbers stay valid.
    std::sort(rowsToRemove.begin(), rowsToRemove.end(), std::greater<>());
    for (const int row : std::as_const(rowsToRemove)) {
        beginRemoveRows({}, row, row);
        m_tasks.removeAt(row);
        endRemoveRows();
    }

    // Newest first, at the top, in one insertion.
    std::sort(newTasks.begin(), newTasks.end(),
              [](const QJsonObject &a, const QJsonObject &b) { return createdAtMs(a) > createdAtMs(b); });
    if (!newTasks.isEmpty()) {
        beginInsertRows({}, 0, int(newTasks.size()) - 1);
        m_tasks = newTasks + m_tasks;
        endInsertRows();
    }

    if (!rowsToRemove.isEmpty() || !newTasks.isEmpty())
        rebuildIndex();
    updatePendingCount();
    for (const QJsonObject &task : std::as_const(refreshed))
        Q_EMIT taskRefreshed(task);
    for (const QJsonObject &task : std::as_const(newTasks))
        Q_EMIT taskRefreshed(task);
}

bool InboxModel::matchesFilter(const QJsonObject &task) const
{
    if (!m_filter.statuses.isEmpty() && !m_filter.statuses.contains(task.value(u"status").toString()))
        return false;
    if (!m_filter.templateName.isEmpty() && task.value(u"template").toString() != m_filter.templateName)
        return false;
    if (!m_filter.subject.isEmpty() && task.value(u"subject").toObject().value(u"id").toString() != m_filter.subject)
        return false;
    if (!m_filter.query.isEmpty() && !searchText(task).contains(m_filter.query, Qt::CaseInsensitive))
        return false;
    return true;
}

void InboxModel::rebuildIndex()
{
    m_rowOfTask.clear();
    m_rowOfTask.reserve(m_tasks.size());
    for (int row = 0; row < m_tasks.size(); ++row)
        m_rowOfTask.insert(taskId(m_tasks.at(row)), row);
}

void InboxModel::updatePendingCount()
{
    const auto count = int(std::count_if(m_tasks.cbegin(), m_tasks.cend(), [](const QJsonObject &task) {
        return task.value(u"status").toString() == u"pending";
    }));
    if (count == m_pendingCount)
        return;

    m_pendingCount = count;
    Q_EMIT pendingCountChanged(count);
}

void InboxModel::onTick()
{
    if (m_tasks.isEmpty())
        return;

    // Only the text changes as time passes, so the proxy's sort and filter roles are left out and
    // it does not re-sort 100,000 rows every tick.
    Q_EMIT dataChanged(index(0, AgeColumn), index(int(m_tasks.size()) - 1, ExpiresInColumn),
                       {Qt::DisplayRole, Qt::ToolTipRole});
}

QModelIndex InboxModel::indexOfTask(const QString &id, int column) const
{
    const auto row = m_rowOfTask.constFind(id);
    if (row == m_rowOfTask.constEnd())
        return {};
    return index(row.value(), column);
}

QJsonObject InboxModel::taskAt(int row) const
{
    if (row < 0 || row >= m_tasks.size())
        return {};
    return m_tasks.at(row);
}

} // namespace Recourse::Ui
