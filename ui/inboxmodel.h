#pragma once

#include "core/base/clock.h"
#include "core/client/approverclient.h"
#include "ui/inboxrow.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QSet>

#include <memory>

class QTimer;

namespace Recourse::Ui {

// The approver's task list, newest first. Pages come from GET /admin/v1/tasks as the view
// scrolls (fetchMore), and task.* events from the event stream refresh single rows by fetching
// the task again. Incoming changes are applied in batches, so a burst of events costs one insert
// and a few dataChanged() signals instead of one per event. The age and expires-in texts are
// computed when read, so the model signals nothing as time passes; the view repaints them.
class InboxModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InboxModel)

public:
    enum Column { StatusColumn, SubjectColumn, ActionColumn, ResourceColumn, TemplateColumn, RequesterColumn,
                  AgeColumn, ExpiresInColumn, ColumnCount };
    Q_ENUM(Column)

    enum Role {
        SortRole = Qt::UserRole + 1, // the raw value of each column: status, ids, age and time left in ms
        TaskIdRole,
        StatusRole,
        TaskRole,       // the task object as the service returned it
        SearchTextRole, // id, subject, resource, action, requester and template, for the search box
        TemplateRole,
        SubjectIdRole,
        AgentsRole,    // the actor chain's ids, space-separated
        EmergencyRole, // requested_access.emergency
        CreatedRole,   // created_at in ms since the epoch
    };
    Q_ENUM(Role)

    // The client must outlive the model. A null clock means the system clock.
    InboxModel(Client::ApproverClient *client, std::shared_ptr<const Clock> clock, QObject *parent = nullptr);
    ~InboxModel() override;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    // Server-side filter of the list; takes effect at the next reload().
    void setFilter(const Client::TaskFilter &filter) { m_filter = filter; }
    void setPageSize(int limit) { m_pageSize = limit; }

    // Drops every row and loads the first page again. Replies to older requests are ignored.
    void reload();

    // Applies one event of the stream: task.* and approval.revoked refresh the task's row, and
    // task.created adds a new task at the top. Other event types are ignored.
    void applyEvent(const QJsonObject &event);

    // Replaces the rows of these tasks at once, and adds the ones not listed yet at the top when
    // insertNew is set. For callers that already hold task objects (the detail view after a
    // decision, tests).
    void mergeTasks(const QList<QJsonObject> &tasks, bool insertNew = true);

    QModelIndex indexOfTask(const QString &taskId, int column = 0) const;
    QJsonObject taskAt(int row) const;
    // The parsed row behind model row `row` (0 <= row < rowCount()), for a proxy that sorts and
    // filters 100,000 rows without going through QVariant roles.
    const InboxRow &rowAt(int row) const { return m_rows.at(row); }
    int pendingCount() const { return m_pendingCount; }
    bool isLoading() const { return m_pageInFlight; }

Q_SIGNALS:
    void pendingCountChanged(int count);
    void loadFailed(const QString &message);
    // A row was refreshed from the service (after an event or a merge).
    void taskRefreshed(const QJsonObject &task);
    // Tasks that arrived through task.created events (or mergeTasks) were added at the top; pages
    // of the list do not count.
    void tasksInserted(const QList<QJsonObject> &tasks);

private:
    void requestPage(const QString &cursor);
    void onPage(const Result<QJsonObject> &page, quint64 generation);
    void fetchTask(const QString &taskId);
    void queueTask(const QJsonObject &task, bool insertIfNew);
    void flushQueued();
    void appendRows(const QList<QJsonObject> &tasks);
    void prependRows(QList<InboxRow> rows);
    void removeRows(QList<int> rows);
    int rowOf(const QString &taskId) const;
    void setPendingCount(int count);
    bool matchesFilter(const InboxRow &row) const;

    QPointer<Client::ApproverClient> m_client;
    std::shared_ptr<const Clock> m_clock;
    Client::TaskFilter m_filter;
    int m_pageSize = 100;

    // Row r of the model is m_rows[r]. Each task keeps an ordinal that does not change when rows
    // are added at either end, so its row is m_ordinalOfTask[id] - m_firstOrdinal without
    // renumbering 100,000 rows for every new task at the top.
    QList<InboxRow> m_rows;
    QSet<QString> m_texts; // column texts the rows share (InboxRow::fromTask)
    QHash<QString, qint64> m_ordinalOfTask;
    qint64 m_firstOrdinal = 0;
    int m_pendingCount = 0;

    quint64 m_generation = 0;
    QString m_nextCursor;
    bool m_pageInFlight = false;
    bool m_firstPageLoaded = false;
    QList<QJsonObject> m_deferredEvents; // events that arrived before the first page
    qint64 m_oldestLoadedMs = -1;

    QSet<QString> m_fetching;       // task ids with a GET in flight
    QSet<QString> m_fetchAgain;     // ids whose task changed again while the GET was in flight
    QSet<QString> m_insertIfNew;    // ids of task.created events: add the task when it arrives
    QList<QString> m_queuedOrder;   // ids queued for the next batch, in arrival order
    QHash<QString, QJsonObject> m_queued;
    QSet<QString> m_queuedInserts;
    QTimer *m_flushTimer = nullptr;
};

} // namespace Recourse::Ui
