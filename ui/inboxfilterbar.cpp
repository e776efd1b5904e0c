#include "ui/inboxfilterbar.h"

#include "ui/inboxfilterproxy.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QLineEdit>

namespace Recourse::Ui {

namespace {

constexpr qint64 Hour = 60 * 60 * 1000;

} // namespace

InboxFilterBar::InboxFilterBar(InboxFilterProxy *proxy, QWidget *parent) : QWidget(parent), m_proxy(proxy)
{
    m_search = filterEdit(QStringLiteral("searchEdit"), tr("Search tasks"),
                          tr("Search id, subject, resource, action, requester (Ctrl+F)"));
    connect(m_search, &QLineEdit::textChanged, m_proxy, &InboxFilterProxy::setSearchText);

    m_status = new QComboBox(this);
    m_status->setObjectName(QStringLiteral("statusFilter"));
    m_status->setAccessibleName(tr("Status filter"));
    m_status->addItem(tr("All tasks"), QString());
    const QStringList statuses{QStringLiteral("pending"), QStringLiteral("approved"), QStringLiteral("denied"),
                               QStringLiteral("partial"), QStringLiteral("expired"), QStringLiteral("cancelled"),
                               QStringLiteral("failed")};
    const QStringList labels{tr("Pending"), tr("Approved"), tr("Denied"), tr("Partial"), tr("Expired"), tr("Cancelled"),
                             tr("Failed")};
    for (int i = 0; i < statuses.size(); ++i)
        m_status->addItem(labels.at(i), statuses.at(i));
    connect(m_status, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setStatusFilter(m_status->currentData().toString()); });

    m_template = new QComboBox(this);
    m_template->setObjectName(QStringLiteral("templateFilter"));
    m_template->setAccessibleName(tr("Template filter"));
    m_template->addItem(tr("All templates"), QString());
    connect(m_template, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setTemplateFilter(m_template->currentData().toString()); });

    m_subject = filterEdit(QStringLiteral("subjectFilterEdit"), tr("Subject filter"), tr("Subject"));
    connect(m_subject, &QLineEdit::textChanged, m_proxy, &InboxFilterProxy::setSubjectFilter);
    m_agent = filterEdit(QStringLiteral("agentFilterEdit"), tr("Agent filter"), tr("Agent or gateway"));
    connect(m_agent, &QLineEdit::textChanged, m_proxy, &InboxFilterProxy::setAgentFilter);

    m_age = new QComboBox(this);
    m_age->setObjectName(QStringLiteral("ageFilter"));
    m_age->setAccessibleName(tr("Age filter"));
    m_age->addItem(tr("Any age"), qint64(0));
    m_age->addItem(tr("Last hour"), Hour);
    m_age->addItem(tr("Last 24 hours"), 24 * Hour);
    m_age->addItem(tr("Last 7 days"), 7 * 24 * Hour);
    connect(m_age, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setMaxAge(m_age->currentData().toLongLong()); });

    m_emergency = new QCheckBox(tr("&Emergency only"), this);
    m_emergency->setObjectName(QStringLiteral("emergencyFilter"));
    m_emergency->setAccessibleName(tr("Show emergency requests only"));
    connect(m_emergency, &QCheckBox::toggled, m_proxy, &InboxFilterProxy::setEmergencyOnly);

    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_search, 0, 0, 1, 3);
    layout->addWidget(m_status, 0, 3);
    layout->addWidget(m_emergency, 0, 4);
    layout->addWidget(m_template, 1, 0);
    layout->addWidget(m_subject, 1, 1);
    layout->addWidget(m_agent, 1, 2);
    layout->addWidget(m_age, 1, 3, 1, 2);
    layout->setColumnStretch(0, 3);
    layout->setColumnStretch(1, 2);
    layout->setColumnStretch(2, 2);
}

QLineEdit *InboxFilterBar::filterEdit(const QString &objectName, const QString &accessibleName, const QString &placeholder)
{
    auto *edit = new QLineEdit(this);
    edit->setObjectName(objectName);
    edit->setAccessibleName(accessibleName);
    edit->setPlaceholderText(placeholder);
    edit->setClearButtonEnabled(true);
    return edit;
}

void InboxFilterBar::setTemplates(const QStringList &names)
{
    const QString current = m_template->currentData().toString();
    QStringList sorted = names;
    sorted.sort();
    sorted.removeDuplicates();
    if (!current.isEmpty() && !sorted.contains(current))
        sorted.append(current);

    const QSignalBlocker blocker(m_template);
    m_template->clear();
    m_template->addItem(tr("All templates"), QString());
    for (const QString &name : std::as_const(sorted))
        m_template->addItem(name, name);
    m_template->setCurrentIndex(std::max(0, m_template->findData(current)));
}

void InboxFilterBar::setStatus(const QString &status)
{
    m_status->setCurrentIndex(std::max(0, m_status->findData(status)));
}

QString InboxFilterBar::status() const
{
    return m_status->currentData().toString();
}

void InboxFilterBar::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

} // namespace Recourse::Ui
