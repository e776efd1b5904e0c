#pragma once

#include "core/base/clock.h"
#include "core/client/approverclient.h"
#include "core/client/eventstreamclient.h"

#include <QJsonObject>
#include <QMainWindow>
#include <QPointer>

#include <memory>

class QComboBox;
class QDockWidget;
class QLabel;
class QLineEdit;
class QSettings;
class QSortFilterProxyModel;
class QSplitter;
class QTableView;

namespace Recourse::Ui {

class ActivityModel;
class InboxFilterProxy;
class InboxModel;
class TaskDetailWidget;

struct MainWindowOptions
{
    // Where geometry and splitter state are kept; the application's default QSettings when null.
    // Not owned; must outlive the window.
    QSettings *settings = nullptr;
    // The source of "now" for ages and countdowns; the system clock when null.
    std::shared_ptr<const Clock> clock;
};

// The approver console: the inbox on the left, the selected task on the right, the live
// activity feed docked at the bottom. The window is a client of the approver API and the event
// stream only; the composition root builds both clients and passes them in. Constructing the
// window loads the inbox, requests the identity behind the token (whoami) and starts the event stream.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    // Both clients must outlive the window.
    MainWindow(Client::ApproverClient *client, Client::EventStreamClient *events, MainWindowOptions options = {},
               QWidget *parent = nullptr);
    ~MainWindow() override;

    InboxModel *inboxModel() const { return m_inbox; }
    ActivityModel *activityModel() const { return m_activity; }
    TaskDetailWidget *detailWidget() const { return m_detail; }
    QTableView *inboxView() const { return m_inboxView; }
    QTableView *activityView() const { return m_activityView; }

    // Selects the task in the inbox when it is listed, and shows it in the detail view either way.
    void openTask(const QString &taskId);
    void saveSettings();

public Q_SLOTS:
    void selectNextTask();
    void selectPreviousTask();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildActions();
    void buildCentralWidget();
    void buildActivityDock();
    void buildStatusBar();
    void restoreSettings();
    void onEvent(const QJsonObject &event);
    void onInboxSelectionChanged();
    void onActivityActivated();
    void onConnectionStateChanged(Client::EventStreamClient::State state);
    void onWhoami(const Result<QJsonObject> &result);
    void updateTitle();
    void moveSelection(int delta);
    void showAbout();

    QPointer<Client::ApproverClient> m_client;
    QPointer<Client::EventStreamClient> m_events;
    std::unique_ptr<QSettings> m_ownedSettings;
    QSettings *m_settings = nullptr;
    std::shared_ptr<const Clock> m_clock;

    InboxModel *m_inbox = nullptr;
    InboxFilterProxy *m_inboxProxy = nullptr;
    ActivityModel *m_activity = nullptr;
    QSortFilterProxyModel *m_activityProxy = nullptr;

    QSplitter *m_splitter = nullptr;
    QTableView *m_inboxView = nullptr;
    QComboBox *m_statusFilter = nullptr;
    QLineEdit *m_search = nullptr;
    TaskDetailWidget *m_detail = nullptr;
    QDockWidget *m_activityDock = nullptr;
    QTableView *m_activityView = nullptr;
    QLineEdit *m_activitySearch = nullptr;
    QLabel *m_connectionLabel = nullptr;
    QLabel *m_identityLabel = nullptr;
    QString m_identity;
};

} // namespace Recourse::Ui
