#pragma once

#include "core/base/clock.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QJsonObject>
#include <QList>

#include <memory>

namespace Recourse::Ui {

// Requestable denials the PDP issued (GET /admin/v1/denials), newest first: the bound evaluation,
// whether the denial's hint is still valid, whether an access request followed and which task it
// created, and how many denials without a way to request access the same subject met on the same resource.
class DenialsModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DenialsModel)

public:
    enum Column { TimeColumn, SubjectColumn, ActionColumn, ResourceColumn, TemplateColumn, HintColumn, RequestColumn,
                  HardDenialsColumn, CallerColumn, ColumnCount };
    Q_ENUM(Column)

    enum Role {
        SortRole = Qt::UserRole + 1, // raw values: times in ms, counts as numbers
        EvaluationIdRole,
        TaskIdRole, // the task the denial's access request created, or empty
        DenialRole, // the denial object as the service returned it
    };
    Q_ENUM(Role)

    // A null clock means the system clock.
    explicit DenialsModel(std::shared_ptr<const Clock> clock = {}, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Replaces the rows with the `denials` array of the service's answer.
    void setDenials(const QList<QJsonObject> &denials);
    // Counts one evaluation.denied event of the stream against the denials of its subject and resource.
    void addHardDenial(const QJsonObject &event);

    int withRequest() const;
    int hintsValid() const;
    int hardDenials() const { return m_hardTotal; }
    // Re-reads the clock for the hint column.
    void refreshTimes();

private:
    struct Row
    {
        QJsonObject denial;
        QString evaluationId;
        QString taskId;
        QString key; // subject and resource, for the hard-denial count
        qint64 evaluatedMs = -1;
        qint64 expiresMs = -1;
    };

    static QString keyOf(const QJsonObject &subject, const QJsonObject &resource);
    QVariant display(const Row &row, int column) const;
    QVariant sortValue(const Row &row, int column) const;

    std::shared_ptr<const Clock> m_clock;
    QList<Row> m_rows;
    QHash<QString, int> m_hardByKey;
    int m_hardTotal = 0;
};

} // namespace Recourse::Ui
