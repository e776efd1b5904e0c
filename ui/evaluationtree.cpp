#include "ui/evaluationtree.h"

#include "ui/tasktext.h"

#include <QHeaderView>
#include <QJsonArray>

namespace Recourse::Ui {

EvaluationTree::EvaluationTree(QWidget *parent) : QTreeWidget(parent)
{
    setColumnCount(3);
    setHeaderLabels({tr("Member"), tr("Value"), tr("Bound")});
    setAccessibleName(tr("Bound evaluation"));
    setUniformRowHeights(true);
    setAlternatingRowColors(true);
    header()->setStretchLastSection(false);
    header()->setSectionResizeMode(MemberColumn, QHeaderView::ResizeToContents);
    header()->setSectionResizeMode(ValueColumn, QHeaderView::Stretch);
    header()->setSectionResizeMode(BoundColumn, QHeaderView::ResizeToContents);
}

void EvaluationTree::setTask(const QJsonObject &task)
{
    clear();
    m_context = nullptr;
    if (task.isEmpty())
        return;

    addEntity(tr("subject"), task.value(u"subject").toObject());
    if (task.contains(u"resource"))
        addEntity(tr("resource"), task.value(u"resource").toObject());
    if (task.contains(u"action"))
        addEntity(tr("action"), task.value(u"action").toObject());

    const QJsonArray items = task.value(u"items").toArray();
    if (!items.isEmpty()) {
        const int count = int(items.size());
        auto *itemsNode = new QTreeWidgetItem(this, {tr("items"), TaskText::plural(tr("%n item(s)", nullptr, count), count)});
        for (int i = 0; i < items.size(); ++i) {
            const QJsonObject item = items.at(i).toObject();
            const QString summary = tr("%1 on %2 (%3)")
                                        .arg(TaskText::action(item.value(u"action").toObject()),
                                             TaskText::entity(item.value(u"resource").toObject()),
                                             TaskText::status(item.value(u"status").toString()));
            auto *node = new QTreeWidgetItem(itemsNode, {QString::number(i), summary});
            for (auto it = item.constBegin(); it != item.constEnd(); ++it)
                addValue(node, it.key(), it.value());
        }
        itemsNode->setExpanded(true);
    }

    const QJsonObject context = task.value(u"context").toObject();
    const int memberCount = int(context.size());
    m_context = new QTreeWidgetItem(this, {tr("context"), TaskText::plural(tr("%n member(s)", nullptr, memberCount), memberCount)});
    m_context->setExpanded(true);

    // Bound members come first, in binding order, because the approval is scoped to them.
    QStringList bound;
    for (const QJsonValue &member : task.value(u"binding_context_members").toArray())
        bound.append(member.toString());
    for (const QString &member : std::as_const(bound)) {
        if (!member.startsWith(u'/') && context.contains(member))
            addValue(m_context, member, context.value(member));
    }
    for (auto it = context.constBegin(); it != context.constEnd(); ++it) {
        if (!bound.contains(it.key()))
            addValue(m_context, it.key(), it.value());
    }

    for (const QString &member : std::as_const(bound)) {
        if (QTreeWidgetItem *item = contextItem(member))
            markBound(item);
    }
}

QTreeWidgetItem *EvaluationTree::addEntity(const QString &label, const QJsonObject &entity)
{
    // The node's value already names the type and id (or the action's name), so its children are
    // the entity's properties. Any other member is listed beside them.
    const QString summary = entity.contains(u"name") ? TaskText::action(entity) : TaskText::entity(entity);
    auto *node = new QTreeWidgetItem(this, {label, summary});
    const QJsonObject properties = entity.value(u"properties").toObject();
    for (auto it = properties.constBegin(); it != properties.constEnd(); ++it)
        addValue(node, it.key(), it.value());
    for (auto it = entity.constBegin(); it != entity.constEnd(); ++it) {
        if (it.key() != u"type" && it.key() != u"id" && it.key() != u"name" && it.key() != u"properties")
            addValue(node, it.key(), it.value());
    }
    node->setToolTip(ValueColumn, TaskText::scalar(entity));
    node->setExpanded(true);
    return node;
}

void EvaluationTree::addValue(QTreeWidgetItem *parent, const QString &name, const QJsonValue &value)
{
    // Member names come from the PEP's request, as the values do. The name as sent stays in a
    // role of its own, which contextItem() matches, so a bound member is marked whatever it contains.
    auto *item = new QTreeWidgetItem(parent, {TaskText::shown(name)});
    item->setData(MemberColumn, MemberNameRole, name);
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        const int count = int(object.size());
        item->setText(ValueColumn, TaskText::plural(tr("{%n member(s)}", nullptr, count), count));
        for (auto it = object.constBegin(); it != object.constEnd(); ++it)
            addValue(item, it.key(), it.value());
        item->setExpanded(true);
        return;
    }
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        const int count = int(array.size());
        item->setText(ValueColumn, TaskText::plural(tr("[%n element(s)]", nullptr, count), count));
        for (int i = 0; i < array.size(); ++i)
            addValue(item, QString::number(i), array.at(i));
        item->setExpanded(true);
        return;
    }
    item->setText(ValueColumn, TaskText::scalar(value));
    item->setToolTip(ValueColumn, TaskText::scalar(value));
}

QTreeWidgetItem *EvaluationTree::contextItem(const QString &member) const
{
    if (!m_context || member.isEmpty())
        return nullptr;

    // A plain name is a top-level member. A JSON Pointer walks down, with ~1 and ~0 unescaped.
    QStringList tokens;
    if (member.startsWith(u'/')) {
        for (QString token : member.mid(1).split(u'/'))
            tokens.append(token.replace(QStringLiteral("~1"), QStringLiteral("/")).replace(QStringLiteral("~0"), QStringLiteral("~")));
    } else {
        tokens.append(member);
    }

    QTreeWidgetItem *node = m_context;
    for (const QString &token : std::as_const(tokens)) {
        QTreeWidgetItem *next = nullptr;
        for (int i = 0; i < node->childCount() && !next; ++i) {
            if (node->child(i)->data(MemberColumn, MemberNameRole).toString() == token)
                next = node->child(i);
        }
        if (!next)
            return nullptr;
        node = next;
    }
    return node;
}

void EvaluationTree::markBound(QTreeWidgetItem *item)
{
    QFont font = item->font(MemberColumn);
    font.setBold(true);
    for (int column = 0; column < columnCount(); ++column)
        item->setFont(column, font);
    item->setText(BoundColumn, tr("bound"));
    item->setToolTip(BoundColumn, tr("Authorization-relevant: the approval is bound to this value."));
}

} // namespace Recourse::Ui
