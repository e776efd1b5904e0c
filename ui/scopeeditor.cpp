#include "ui/scopeeditor.h"

#include "ui/tasktext.h"

#include <QCoreApplication>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

#include <functional>

namespace Recourse::Ui {

namespace {

// The bound resource and action are part of every scope and cannot be removed.
constexpr int BoundRole = Qt::UserRole + 1;

// A list of names with an input line and Add/Remove buttons under it.
QWidget *listEditor(QWidget *parent, QListWidget *list, QLineEdit *input, const QString &addText,
                    const std::function<void()> &add)
{
    auto *pane = new QWidget(parent);
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    list->setSelectionMode(QAbstractItemView::SingleSelection);
    layout->addWidget(list, 1);

    auto *addButton = new QPushButton(addText, pane);
    addButton->setObjectName(input->objectName() + QStringLiteral("AddButton"));
    addButton->setAccessibleName(addText);
    auto *removeButton = new QPushButton(QCoreApplication::translate("Recourse::Ui::ScopeEditor", "Remove"), pane);
    removeButton->setObjectName(input->objectName() + QStringLiteral("RemoveButton"));
    removeButton->setEnabled(false);
    QObject::connect(addButton, &QPushButton::clicked, pane, add);
    QObject::connect(input, &QLineEdit::returnPressed, pane, add);
    QObject::connect(list, &QListWidget::currentItemChanged, removeButton, [removeButton](QListWidgetItem *item) {
        removeButton->setEnabled(item && !item->data(BoundRole).toBool());
    });
    QObject::connect(removeButton, &QPushButton::clicked, list, [list] {
        QListWidgetItem *item = list->currentItem();
        if (item && !item->data(BoundRole).toBool())
            delete list->takeItem(list->row(item));
    });

    auto *row = new QHBoxLayout;
    row->addWidget(input, 1);
    row->addWidget(addButton);
    row->addWidget(removeButton);
    layout->addLayout(row);
    return pane;
}

QStringList listEntries(const QListWidget *list)
{
    QStringList entries;
    for (int i = 0; i < list->count(); ++i)
        entries.append(list->item(i)->data(Qt::UserRole).toString());
    return entries;
}

} // namespace

ScopeEditor::ScopeEditor(const QJsonObject &task, QWidget *parent)
    : QGroupBox(parent)
    , m_resourceType(task.value(u"resource").toObject().value(u"type").toString())
{
    setObjectName(QStringLiteral("scopeEditor"));
    if (task.value(u"items").toArray().isEmpty()) {
        setTitle(tr("Scope"));
        buildLists(task);
    } else {
        setTitle(tr("Items to approve"));
        buildItems(task);
    }
}

void ScopeEditor::buildLists(const QJsonObject &task)
{
    QWidget *box = this;
    auto *layout = new QHBoxLayout(this);

    m_resources = new QListWidget(box);
    m_resources->setObjectName(QStringLiteral("scopeResourceList"));
    m_resources->setAccessibleName(tr("Resources in the scope"));
    m_resourceInput = new QLineEdit(box);
    m_resourceInput->setObjectName(QStringLiteral("scopeResource"));
    m_resourceInput->setAccessibleName(tr("Resource id to add"));
    m_resourceInput->setPlaceholderText(tr("Another %1 id").arg(m_resourceType));
    auto *resourcesPane = listEditor(box, m_resources, m_resourceInput, tr("Add resource"), [this] {
        addResource(m_resourceInput->text());
        m_resourceInput->clear();
    });

    m_actions = new QListWidget(box);
    m_actions->setObjectName(QStringLiteral("scopeActionList"));
    m_actions->setAccessibleName(tr("Actions in the scope"));
    m_actionInput = new QLineEdit(box);
    m_actionInput->setObjectName(QStringLiteral("scopeAction"));
    m_actionInput->setAccessibleName(tr("Action name to add"));
    m_actionInput->setPlaceholderText(tr("Another action"));
    auto *actionsPane = listEditor(box, m_actions, m_actionInput, tr("Add action"), [this] {
        addAction(m_actionInput->text());
        m_actionInput->clear();
    });

    const QJsonObject resource = task.value(u"resource").toObject();
    auto *boundResource = new QListWidgetItem(tr("%1 (requested)").arg(TaskText::entity(resource)), m_resources);
    boundResource->setData(Qt::UserRole, resource.value(u"id").toString());
    boundResource->setData(BoundRole, true);
    const QString action = TaskText::action(task.value(u"action").toObject());
    auto *boundAction = new QListWidgetItem(tr("%1 (requested)").arg(action), m_actions);
    boundAction->setData(Qt::UserRole, action);
    boundAction->setData(BoundRole, true);
    // Removing an entry changes the scope as much as adding one does.
    connect(m_resources->model(), &QAbstractItemModel::rowsRemoved, this, &ScopeEditor::changed);
    connect(m_actions->model(), &QAbstractItemModel::rowsRemoved, this, &ScopeEditor::changed);

    // The task's approval_limits tell which lists may grow. An older service sends none, and then
    // the service's 400 on preview is the only check.
    const QJsonObject limits = task.value(u"approval_limits").toObject();
    if (!limits.isEmpty()) {
        m_resourcesFixed = !limits.value(u"broaden_resources").toBool();
        m_actionsFixed = !limits.value(u"broaden_actions").toBool();
    }
    fixList(m_resourceInput, m_resourcesFixed, tr("This template allows no other resources."));
    fixList(m_actionInput, m_actionsFixed, tr("This template allows no other actions."));

    auto *resourcesBox = new QVBoxLayout;
    resourcesBox->addWidget(new QLabel(tr("Resources (type %1)").arg(m_resourceType), box));
    resourcesBox->addWidget(resourcesPane);
    auto *actionsBox = new QVBoxLayout;
    actionsBox->addWidget(new QLabel(tr("Actions"), box));
    actionsBox->addWidget(actionsPane);
    layout->addLayout(resourcesBox, 3);
    layout->addLayout(actionsBox, 2);
}

void ScopeEditor::buildItems(const QJsonObject &task)
{
    QWidget *box = this;
    auto *layout = new QVBoxLayout(this);
    m_items = new QListWidget(box);
    m_items->setObjectName(QStringLiteral("scopeItemList"));
    m_items->setAccessibleName(tr("Items to approve"));
    const QJsonArray items = task.value(u"items").toArray();
    for (int i = 0; i < items.size(); ++i) {
        const QJsonObject item = items.at(i).toObject();
        const QString status = item.value(u"status").toString(QStringLiteral("pending"));
        auto *entry = new QListWidgetItem(tr("%1 — %2").arg(TaskText::pair(item), TaskText::status(status)), m_items);
        entry->setData(Qt::UserRole, i);
        // Only pending items can still be decided.
        entry->setFlags(status == u"pending" ? Qt::ItemIsEnabled | Qt::ItemIsUserCheckable : Qt::NoItemFlags);
        entry->setCheckState(status == u"pending" ? Qt::Checked : Qt::Unchecked);
    }
    connect(m_items, &QListWidget::itemChanged, this, &ScopeEditor::changed);
    layout->addWidget(new QLabel(tr("Uncheck the items this approval should leave pending."), box));
    layout->addWidget(m_items);
}

void ScopeEditor::fixList(QLineEdit *input, bool fixed, const QString &reason)
{
    if (!fixed)
        return;

    // The short placeholder fits the narrow actions field; the tooltip gives the reason.
    input->setEnabled(false);
    input->setPlaceholderText(tr("Not allowed"));
    input->setToolTip(reason);
    if (auto *add = findChild<QPushButton *>(input->objectName() + QStringLiteral("AddButton"))) {
        add->setEnabled(false);
        add->setToolTip(reason);
    }
}

void ScopeEditor::addResource(const QString &id)
{
    const QString trimmed = id.trimmed();
    if (!m_resources || m_resourcesFixed || trimmed.isEmpty() || listEntries(m_resources).contains(trimmed))
        return;

    auto *item = new QListWidgetItem(tr("%1 %2").arg(m_resourceType, trimmed), m_resources);
    item->setData(Qt::UserRole, trimmed);
    Q_EMIT changed();
}

void ScopeEditor::addAction(const QString &name)
{
    const QString trimmed = name.trimmed();
    if (!m_actions || m_actionsFixed || trimmed.isEmpty() || listEntries(m_actions).contains(trimmed))
        return;

    auto *item = new QListWidgetItem(trimmed, m_actions);
    item->setData(Qt::UserRole, trimmed);
    Q_EMIT changed();
}

QJsonObject ScopeEditor::scope() const
{
    const QStringList resources = m_resources ? listEntries(m_resources) : QStringList();
    const QStringList actions = m_actions ? listEntries(m_actions) : QStringList();
    if (resources.size() <= 1 && actions.size() <= 1)
        return {{QStringLiteral("mode"), QStringLiteral("exact")}};

    QJsonArray resourceList;
    for (const QString &id : resources)
        resourceList.append(QJsonObject{{QStringLiteral("type"), m_resourceType}, {QStringLiteral("id"), id}});
    return {{QStringLiteral("mode"), QStringLiteral("broadened")},
            {QStringLiteral("resources"), resourceList},
            {QStringLiteral("actions"), QJsonArray::fromStringList(actions)}};
}

QList<int> ScopeEditor::chosenItems() const
{
    QList<int> chosen;
    if (!m_items)
        return chosen;
    for (int i = 0; i < m_items->count(); ++i) {
        if (m_items->item(i)->checkState() == Qt::Checked)
            chosen.append(m_items->item(i)->data(Qt::UserRole).toInt());
    }
    return chosen;
}

} // namespace Recourse::Ui
