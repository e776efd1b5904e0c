#pragma once

#include <QJsonObject>
#include <QTreeWidget>

namespace Recourse::Ui {

// The bound evaluation of a task as a tree: subject, resource and action with their properties,
// then the full context. Context members that the denial bound as authorization-relevant
// (binding_context_members) are shown in bold and marked in the "Bound" column.
class EvaluationTree final : public QTreeWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EvaluationTree)

public:
    enum Column { MemberColumn, ValueColumn, BoundColumn };
    // The member name as the request sent it, on MemberColumn. The text shows it through
    // TaskText::shown().
    static constexpr int MemberNameRole = Qt::UserRole + 1;

    explicit EvaluationTree(QWidget *parent = nullptr);

    void setTask(const QJsonObject &task);

    // The tree item of a context member, by name ("tenant") or JSON Pointer ("/device/id").
    QTreeWidgetItem *contextItem(const QString &member) const;

private:
    QTreeWidgetItem *addEntity(const QString &label, const QJsonObject &entity);
    void addValue(QTreeWidgetItem *parent, const QString &name, const QJsonValue &value);
    void markBound(QTreeWidgetItem *item);

    QTreeWidgetItem *m_context = nullptr;
};

} // namespace Recourse::Ui
