#pragma once

#include <QAbstractItemModel>
#include <QHash>
#include <QJsonObject>
#include <QList>

namespace Recourse::Ui {

// Audit records grouped into one chain per escalation: each top-level row is an escalation (its
// requestable denial's evaluation_id), and its children are the records in seq order: the denial,
// the request, each decision, the approval, each re-evaluation, expiry or revocation.
class AuditModel final : public QAbstractItemModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AuditModel)

public:
    enum Column { SeqColumn, TimeColumn, TypeColumn, ActorColumn, SubjectColumn, ResourceColumn, DetailColumn,
                  ColumnCount };
    Q_ENUM(Column)

    enum Role {
        SeqRole = Qt::UserRole + 1, // a record's seq; an escalation's first seq
        RecordRole,                 // the record object (records only)
        EvaluationIdRole,
        TaskIdRole,
        BrokenRole, // true on the record where the hash chain first breaks
    };
    Q_ENUM(Role)

    explicit AuditModel(QObject *parent = nullptr);

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Replaces everything with these records (any order); escalations are listed newest first.
    void setRecords(const QList<QJsonObject> &records);
    // Every record shown, in seq order, for export.
    QList<QJsonObject> records() const;
    int escalationCount() const { return int(m_chains.size()); }

    // The record with this seq, or an invalid index when it is not loaded.
    QModelIndex indexOfSeq(qint64 seq) const;
    QModelIndex indexOfEscalation(const QString &evaluationId) const;
    // Marks the record where verification found the first broken link; 0 clears the mark.
    void setBrokenSeq(qint64 seq);

    // The resource an escalation concerns ("document q4-plan"), from its first record that names one.
    static QString resourceOf(const QList<QJsonObject> &chain);

private:
    struct Chain
    {
        QString key; // evaluation_id, or the task or record id when a record has none
        QList<QJsonObject> records;
        QString subject;
        QString resource;
        QString taskId;
    };

    QVariant chainData(const Chain &chain, int column, int role) const;
    QVariant recordData(const QJsonObject &record, int column, int role) const;

    QList<Chain> m_chains;
    QHash<qint64, QPair<int, int>> m_positionOfSeq; // seq → (chain row, record row)
    qint64 m_brokenSeq = 0;
};

} // namespace Recourse::Ui
