#pragma once

#include "core/base/clock.h"

#include <QSortFilterProxyModel>

#include <memory>

namespace Recourse::Ui {

// Sorts the inbox by raw values and filters it by status, template, subject, agent, age,
// emergency and the search box. Works on any source that provides InboxModel's roles.
class InboxFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InboxFilterProxy)

public:
    // A null clock means the system clock; the age filter measures against it.
    explicit InboxFilterProxy(QObject *parent = nullptr, std::shared_ptr<const Clock> clock = {});

    // An empty status shows every task.
    void setStatusFilter(const QString &status);
    QString statusFilter() const { return m_status; }
    // Case-insensitive substring of the task id, subject, resource, action, requester or template.
    void setSearchText(const QString &text);
    // The template's name exactly; empty shows every template.
    void setTemplateFilter(const QString &templateName);
    // Case-insensitive substring of the subject id.
    void setSubjectFilter(const QString &subject);
    // Case-insensitive substring of any actor id in the actor chain (the agent or gateway).
    void setAgentFilter(const QString &agent);
    // Only tasks created at most this long ago; 0 shows every age.
    void setMaxAge(qint64 ms);
    qint64 maxAge() const { return m_maxAgeMs; }
    void setEmergencyOnly(bool emergencyOnly);
    // Filters again by age; the owner calls it as time passes while an age filter is set.
    void refreshAgeFilter();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    void setText(QString &member, const QString &text);

    std::shared_ptr<const Clock> m_clock;
    QString m_status;
    QString m_search;
    QString m_template;
    QString m_subject;
    QString m_agent;
    qint64 m_maxAgeMs = 0;
    bool m_emergencyOnly = false;
};

} // namespace Recourse::Ui
