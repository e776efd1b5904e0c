#pragma once

#include <QSortFilterProxyModel>

namespace Recourse::Ui {

// Filters the live activity feed by kind of event and by text in any column.
class ActivityFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ActivityFilterProxy)

public:
    enum class Kind { All, Evaluations, RequestableDenials, Tasks, Reevaluations, Revocations, Callbacks };
    Q_ENUM(Kind)

    explicit ActivityFilterProxy(QObject *parent = nullptr);

    void setKind(Kind kind);
    Kind kind() const { return m_kind; }
    // Whether an event type belongs to a kind.
    static bool matches(Kind kind, const QString &type);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    Kind m_kind = Kind::All;
};

} // namespace Recourse::Ui
