#pragma once

#include <QStringList>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLineEdit;

namespace Recourse::Ui {

class InboxFilterProxy;

// The filters above the inbox: search, status, template, subject, agent, age and emergency.
// Each control applies itself to the proxy as it changes.
class InboxFilterBar final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InboxFilterBar)

public:
    InboxFilterBar(InboxFilterProxy *proxy, QWidget *parent = nullptr);

    // The template names offered besides "All templates"; the current choice is kept.
    void setTemplates(const QStringList &names);
    // Selects a status by its API name ("pending"); empty selects every status.
    void setStatus(const QString &status);
    QString status() const;
    void focusSearch();

    QComboBox *statusCombo() const { return m_status; }
    QComboBox *templateCombo() const { return m_template; }
    QComboBox *ageCombo() const { return m_age; }
    QLineEdit *searchEdit() const { return m_search; }
    QLineEdit *subjectEdit() const { return m_subject; }
    QLineEdit *agentEdit() const { return m_agent; }
    QCheckBox *emergencyCheck() const { return m_emergency; }

private:
    QLineEdit *filterEdit(const QString &objectName, const QString &accessibleName, const QString &placeholder);

    InboxFilterProxy *m_proxy = nullptr;
    QComboBox *m_status = nullptr;
    QComboBox *m_template = nullptr;
    QComboBox *m_age = nullptr;
    QLineEdit *m_search = nullptr;
    QLineEdit *m_subject = nullptr;
    QLineEdit *m_agent = nullptr;
    QCheckBox *m_emergency = nullptr;
};

} // namespace Recourse::Ui
