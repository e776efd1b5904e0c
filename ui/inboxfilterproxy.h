#pragma once

#include <QSortFilterProxyModel>

namespace Recourse::Ui {

// Sorts the inbox by raw values and filters it by status and by the search box. Works on any
// source that provides InboxModel's StatusRole, SearchTextRole and SortRole.
class InboxFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InboxFilterProxy)

public:
    explicit InboxFilterProxy(QObject *parent = nullptr);

    // An empty status shows every task.
    void setStatusFilter(const QString &status);
    QString statusFilter() const { return m_status; }
    // Case-insensitive substring of the task id, subject, resource, action, requester or template.
    void setSearchText(const QString &text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_status;
    QString m_search;
};

} // namespace Recourse::Ui
