#include "ui/inboxfilterproxy.h"

#include "ui/inboxmodel.h"

namespace Recourse::Ui {

InboxFilterProxy::InboxFilterProxy(QObject *parent, std::shared_ptr<const Clock> clock)
    : QSortFilterProxyModel(parent)
    , m_clock(clock ? std::move(clock) : std::make_shared<SystemClock>())
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

void InboxFilterProxy::setText(QString &member, const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == member)
        return;
    member = trimmed;
    invalidateRowsFilter();
}

void InboxFilterProxy::setSearchText(const QString &text)
{
    setText(m_search, text);
}

void InboxFilterProxy::setTemplateFilter(const QString &templateName)
{
    setText(m_template, templateName);
}

void InboxFilterProxy::setSubjectFilter(const QString &subject)
{
    setText(m_subject, subject);
}

void InboxFilterProxy::setAgentFilter(const QString &agent)
{
    setText(m_agent, agent);
}

void InboxFilterProxy::setMaxAge(qint64 ms)
{
    if (ms == m_maxAgeMs)
        return;
    m_maxAgeMs = ms;
    invalidateRowsFilter();
}

void InboxFilterProxy::setEmergencyOnly(bool emergencyOnly)
{
    if (emergencyOnly == m_emergencyOnly)
        return;
    m_emergencyOnly = emergencyOnly;
    invalidateRowsFilter();
}

void InboxFilterProxy::refreshAgeFilter()
{
    if (m_maxAgeMs > 0)
        invalidateRowsFilter();
}

bool InboxFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_status.isEmpty() && index.data(InboxModel::StatusRole).toString() != m_status)
        return false;
    if (!m_template.isEmpty() && index.data(InboxModel::TemplateRole).toString() != m_template)
        return false;
    if (m_emergencyOnly && !index.data(InboxModel::EmergencyRole).toBool())
        return false;
    if (!m_subject.isEmpty() && !index.data(InboxModel::SubjectIdRole).toString().contains(m_subject, Qt::CaseInsensitive))
        return false;
    if (!m_agent.isEmpty() && !index.data(InboxModel::AgentsRole).toString().contains(m_agent, Qt::CaseInsensitive))
        return false;
    if (m_maxAgeMs > 0) {
        const qint64 created = index.data(InboxModel::CreatedRole).toLongLong();
        if (created < 0 || m_clock->nowMs() - created > m_maxAgeMs)
            return false;
    }
    if (!m_search.isEmpty() && !index.data(InboxModel::SearchTextRole).toString().contains(m_search, Qt::CaseInsensitive))
        return false;
    return true;
}

} // namespace Recourse::Ui
