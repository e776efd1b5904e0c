#pragma once

#include "core/base/clock.h"
#include "core/client/approverclient.h"
#include "ui/batchdecisiondialog.h"

#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QWidget>

#include <memory>

class QSettings;
class QSplitter;
class QTableView;
class QTimer;

namespace Recourse::Ui {

class InboxFilterBar;
class InboxFilterProxy;
class InboxModel;
class TaskDetailWidget;

// The inbox with its filters on the left and the selected task on the right. Selecting a row shows
// the task; several selected rows can be decided at once (decideSelected).
class InboxPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InboxPage)

public:
    // The client must outlive the page.
    InboxPage(Client::ApproverClient *client, std::shared_ptr<const Clock> clock, QWidget *parent = nullptr);
    ~InboxPage() override;

    InboxModel *model() const { return m_model; }
    InboxFilterProxy *proxy() const { return m_proxy; }
    InboxFilterBar *filters() const { return m_filters; }
    QTableView *view() const { return m_view; }
    TaskDetailWidget *detail() const { return m_detail; }

    // Reloads the task list and the template names of the filter.
    void reload();
    // Applies one event of the stream to the list and the shown task.
    void applyEvent(const QJsonObject &event);
    // Selects the task when it is listed, and shows it in the detail view either way.
    void openTask(const QString &taskId);
    void selectNextTask();
    void selectPreviousTask();
    // The task objects of every selected row, in view order.
    QList<QJsonObject> selectedTasks() const;
    // Opens the batch dialog for the selected rows.
    void decideSelected(BatchDecisionDialog::Decision decision);

    void restoreSettings(const QSettings &settings);
    void saveSettings(QSettings &settings) const;

Q_SIGNALS:
    void statusMessage(const QString &message, int timeoutMs);
    // A batch dialog opened, for tests and for the window to track it.
    void batchDialogOpened(Recourse::Ui::BatchDecisionDialog *dialog);

private:
    void buildView();
    void loadTemplates();
    void onCurrentRowChanged();
    void moveSelection(int delta);

    QPointer<Client::ApproverClient> m_client;
    std::shared_ptr<const Clock> m_clock;
    InboxModel *m_model = nullptr;
    InboxFilterProxy *m_proxy = nullptr;
    InboxFilterBar *m_filters = nullptr;
    QTableView *m_view = nullptr;
    TaskDetailWidget *m_detail = nullptr;
    QSplitter *m_splitter = nullptr;
    QTimer *m_ageTimer = nullptr;
    QTimer *m_repaintTimer = nullptr;
};

} // namespace Recourse::Ui
