#pragma once

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>

class QTimer;

namespace Recourse::Ui {

// The live feed: every event of the stream, newest at the top, bounded to `capacity` rows so a
// long session at 1,000 events per second keeps constant memory. Events are inserted in batches.
class ActivityModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ActivityModel)

public:
    enum Column { TimeColumn, TypeColumn, SubjectColumn, ActionColumn, ResourceColumn, OutcomeColumn, ReasonColumn,
                  NextActionColumn, TaskColumn, ColumnCount };
    Q_ENUM(Column)

    enum Role {
        SortRole = Qt::UserRole + 1, // raw values: seq for the time column, strings elsewhere
        TaskIdRole,
        SeqRole,
        TypeRole,
        EventRole, // the event object as received
    };
    Q_ENUM(Role)

    static constexpr int DefaultCapacity = 5000;

    explicit ActivityModel(QObject *parent = nullptr, int capacity = DefaultCapacity);
    ~ActivityModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    int capacity() const { return m_capacity; }

    // Queues one event of the stream; it appears with the next batch (a few milliseconds later).
    void addEvent(const QJsonObject &event);
    // Applies the queued events now.
    void flush();
    void clear();

    QJsonObject eventAt(int row) const;

private:
    struct Row
    {
        QJsonObject event;
        QString time;
        QString timeTooltip;
        QString type;
        QString subject;
        QString action;
        QString resource;
        QString outcome;
        QString reason;
        QString nextAction;
        QString taskId;
        qint64 seq = 0;
    };

    static Row makeRow(const QJsonObject &event);
    static QString outcome(const QString &type, const QJsonObject &data);
    QString cell(const Row &row, int column) const;

    QList<Row> m_rows; // newest first
    QList<QJsonObject> m_queued;
    int m_capacity;
    QTimer *m_flushTimer = nullptr;
};

} // namespace Recourse::Ui
