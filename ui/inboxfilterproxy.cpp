#include "ui/inboxfilterproxy.h"

#include "ui/inboxmodel.h"

namespace Recourse::Ui {

InboxFilterProxy::InboxFilterProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(InboxModel::SortRole);
    // Filtering reads its own roles; pointing filterRole away from DisplayRole keeps the periodic
    // redraw of the age column from re-filtering every row.
    setFilterRole(InboxModel::SearchTextRole);
    setDynamicSortFilter(true);
}

void InboxFilterProxy::setStatusFilter(const QString &status)
{
    if (status == m_status)
        return;
    m_status = status;
    invalidateRowsFilter();
}

void InboxFilterProxy::setSearchText(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_search)
        return;
    m_search = trimmed;
    invalidateRowsFilter();
}

bool InboxFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_status.isEmpty() && index.data(InboxModel::StatusRole).toString() != m_status)
        return false;
    if (!m_search.isEmpty() && !index.data(InboxModel::SearchTextRole).toString().contains(m_search, Qt::CaseInsensitive))
        return false;
    return true;
}

} // namespace Recourse::Ui
