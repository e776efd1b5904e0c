#pragma once

#include "core/base/clock.h"

#include <QPointer>
#include <QSortFilterProxyModel>

#include <memory>

namespace Recourse::Ui {

class InboxModel;
struct InboxRow;

// Sorts the inbox by raw values and filters it by status, template, subject, agent, age,
// emergency and the search box. Works on any source that provides InboxModel's roles; on an
// InboxModel it reads the parsed rows directly, so a keystroke filters 100,000 rows in tens of
// milliseconds.
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

    void setSourceModel(QAbstractItemModel *model) override;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    void setText(QString &member, const QString &text);
    void refilter();
    bool acceptsRow(const InboxRow &row) const;
    bool acceptsIndex(const QModelIndex &index) const;

    std::shared_ptr<const Clock> m_clock;
    QPointer<const InboxModel> m_inbox; // the source, when it is an InboxModel
    QString m_status;
    QString m_search;
    QByteArray m_searchKey; // m_search in lower case and UTF-8, as InboxRow::searchKey is
    QString m_template;
    QString m_subject;
    QString m_agent;
    qint64 m_maxAgeMs = 0;
    bool m_emergencyOnly = false;
};

} // namespace Recourse::Ui
