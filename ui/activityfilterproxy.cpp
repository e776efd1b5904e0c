#include "ui/activityfilterproxy.h"

#include "ui/activitymodel.h"

namespace Recourse::Ui {

ActivityFilterProxy::ActivityFilterProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(ActivityModel::SortRole);
    setFilterKeyColumn(-1);
    setFilterCaseSensitivity(Qt::CaseInsensitive);
}

void ActivityFilterProxy::setKind(Kind kind)
{
    if (kind == m_kind)
        return;
    m_kind = kind;
    invalidateRowsFilter();
}

bool ActivityFilterProxy::matches(Kind kind, const QString &type)
{
    switch (kind) {
    case Kind::All:
        return true;
    case Kind::Evaluations:
        return type == u"evaluation.permitted" || type == u"evaluation.denied";
    case Kind::RequestableDenials:
        return type == u"evaluation.denied.requestable";
    case Kind::Tasks:
        return type.startsWith(u"task.");
    case Kind::Reevaluations:
        return type.startsWith(u"reevaluation.");
    case Kind::Revocations:
        return type == u"approval.revoked";
    case Kind::Callbacks:
        return type.startsWith(u"callback.");
    }
    return true;
}

bool ActivityFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!matches(m_kind, index.data(ActivityModel::TypeRole).toString()))
        return false;
    return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
}

} // namespace Recourse::Ui
