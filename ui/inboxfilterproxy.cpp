#include "ui/inboxfilterproxy.h"

#include "ui/inboxmodel.h"
#include "ui/inboxrow.h"

#include <limits>
#include <string_view>

namespace Recourse::Ui {

InboxFilterProxy::InboxFilterProxy(QObject *parent, std::shared_ptr<const Clock> clock)
    : QSortFilterProxyModel(parent)
    , m_clock(clock ? std::move(clock) : std::make_shared<SystemClock>())
{
    setSortRole(InboxModel::SortRole);
    // Filtering reads its own roles, never the display text.
    setFilterRole(InboxModel::SearchTextRole);
    setDynamicSortFilter(true);
}

void InboxFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    m_inbox = qobject_cast<const InboxModel *>(model);
    QSortFilterProxyModel::setSourceModel(model);
}

void InboxFilterProxy::refilter()
{
    // A full rebuild signals one layout change. Filtering in place (invalidateRowsFilter) signals
    // one rowsRemoved() per run of hidden rows, and QHeaderView (Qt 6.4) walks all its sections on
    // each: a keystroke that hides every other row of 100,000 took seconds that way.
    invalidate();
}

void InboxFilterProxy::setStatusFilter(const QString &status)
{
    if (status == m_status)
        return;
    m_status = status;
    refilter();
}

void InboxFilterProxy::setText(QString &member, const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == member)
        return;
    member = trimmed;
    m_searchKey = m_search.toLower().toUtf8();
    refilter();
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
    refilter();
}

void InboxFilterProxy::setEmergencyOnly(bool emergencyOnly)
{
    if (emergencyOnly == m_emergencyOnly)
        return;
    m_emergencyOnly = emergencyOnly;
    refilter();
}

void InboxFilterProxy::refreshAgeFilter()
{
    if (m_maxAgeMs > 0)
        refilter();
}

bool InboxFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_inbox && !sourceParent.isValid())
        return acceptsRow(m_inbox->rowAt(sourceRow));
    return acceptsIndex(sourceModel()->index(sourceRow, 0, sourceParent));
}

bool InboxFilterProxy::acceptsRow(const InboxRow &row) const
{
    if (!m_status.isEmpty() && row.status != m_status)
        return false;
    if (!m_template.isEmpty() && row.templateName != m_template)
        return false;
    if (m_emergencyOnly && !row.emergency)
        return false;
    if (!m_subject.isEmpty() && !row.subjectId.contains(m_subject, Qt::CaseInsensitive))
        return false;
    if (!m_agent.isEmpty() && !row.agents.contains(m_agent, Qt::CaseInsensitive))
        return false;
    if (m_maxAgeMs > 0 && (row.createdMs < 0 || m_clock->nowMs() - row.createdMs > m_maxAgeMs))
        return false;
    // Both sides are in lower case, so a byte search is a case-insensitive one. UTF-8 lets a
    // multi-byte character match only where a whole character starts.
    if (!m_searchKey.isEmpty()) {
        const std::string_view text(row.searchKey.constData(), size_t(row.searchKey.size()));
        if (text.find(std::string_view(m_searchKey.constData(), size_t(m_searchKey.size()))) == std::string_view::npos)
            return false;
    }
    return true;
}

bool InboxFilterProxy::acceptsIndex(const QModelIndex &index) const
{
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

bool InboxFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    // An InboxModel is a flat table, so every index of it is a row of it.
    if (!m_inbox)
        return QSortFilterProxyModel::lessThan(left, right);

    // The same order as the raw values of SortRole, read without a QVariant per comparison.
    const InboxRow &a = m_inbox->rowAt(left.row());
    const InboxRow &b = m_inbox->rowAt(right.row());
    const auto textLess = [this](const QString &x, const QString &y) {
        return isSortLocaleAware() ? x.localeAwareCompare(y) < 0 : x.compare(y, sortCaseSensitivity()) < 0;
    };
    // A task that cannot expire sorts after every pending one, as in InboxRow::sortValue().
    const auto expiry = [](const InboxRow &row) {
        return row.isPending() && row.expiresMs >= 0 ? row.expiresMs : std::numeric_limits<qint64>::max();
    };
    switch (left.column()) {
    case InboxModel::AgeColumn:
        // The age is now minus the creation time, so the younger task has the later creation.
        return a.createdMs > b.createdMs;
    case InboxModel::ExpiresInColumn:
        return expiry(a) < expiry(b);
    case InboxModel::StatusColumn:
        return textLess(a.status, b.status);
    case InboxModel::SubjectColumn:
        return textLess(a.subjectId, b.subjectId);
    case InboxModel::TemplateColumn:
        return textLess(a.templateName, b.templateName);
    default:
        return QSortFilterProxyModel::lessThan(left, right);
    }
}

} // namespace Recourse::Ui
