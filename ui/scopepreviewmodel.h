#pragma once

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>

namespace Recourse::Ui {

// The answer of POST /admin/v1/preview as a table: one row per (resource, action) pair the scope
// would cover, with what the approval would do for it (unlocked, already permitted, still denied)
// and the policy rule that decides it.
class ScopePreviewModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScopePreviewModel)

public:
    enum Column { ResourceColumn, ActionColumn, OutcomeColumn, RuleColumn, ColumnCount };
    Q_ENUM(Column)

    enum Role {
        OutcomeRole = Qt::UserRole + 1, // unlocked, already_permitted or still_denied
        ExplanationRole,                // the policy's explanation of the pair's decision
    };
    Q_ENUM(Role)

    explicit ScopePreviewModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Replaces the rows with the preview's pairs; an empty object clears them.
    void setPreview(const QJsonObject &preview);
    void clear() { setPreview({}); }

    // How many pairs have this outcome.
    int count(const QString &outcome) const;
    // "unlocked" → "Unlocked" and so on; unknown outcomes are shown as sent.
    static QString outcomeText(const QString &outcome);

private:
    struct Pair
    {
        QString resource;
        QString action;
        QString outcome;
        QString effect;
        QString rule;
        QString explanation;
    };

    QList<Pair> m_pairs;
};

} // namespace Recourse::Ui
