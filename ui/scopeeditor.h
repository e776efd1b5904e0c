#pragma once

#include <QGroupBox>
#include <QJsonObject>
#include <QList>

class QLineEdit;
class QListWidget;

namespace Recourse::Ui {

// The part of a scope an approver edits by hand: the resources (of the bound resource's type) and
// actions of a single task, or the items of a bulk task. The bound resource and action are always
// in the scope and cannot be removed.
class ScopeEditor final : public QGroupBox
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScopeEditor)

public:
    // `task` is the service's full task object.
    explicit ScopeEditor(const QJsonObject &task, QWidget *parent = nullptr);

    bool isBulk() const { return m_items != nullptr; }
    // Adds a resource id of the bound resource's type, or an action name; ignores duplicates and
    // what the template's approval_limits forbid adding.
    void addResource(const QString &id);
    void addAction(const QString &name);

    // {"mode":"exact"} or the broadened scope the lists describe.
    QJsonObject scope() const;
    // The zero-based positions of the checked items of a bulk task; empty for a single task.
    QList<int> chosenItems() const;

Q_SIGNALS:
    // The scope or the chosen items changed.
    void changed();

private:
    void buildLists(const QJsonObject &task);
    void buildItems(const QJsonObject &task);
    // Disables the input and its Add button of a list the template does not let grow.
    void fixList(QLineEdit *input, bool fixed, const QString &reason);

    QString m_resourceType;
    QListWidget *m_resources = nullptr;
    QLineEdit *m_resourceInput = nullptr;
    QListWidget *m_actions = nullptr;
    QLineEdit *m_actionInput = nullptr;
    QListWidget *m_items = nullptr;
    bool m_resourcesFixed = false;
    bool m_actionsFixed = false;
};

} // namespace Recourse::Ui
