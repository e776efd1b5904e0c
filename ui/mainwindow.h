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
class QTabWidget;
class QTableView;

namespace Recourse::Ui {

class ActivityFilterProxy;
class ActivityModel;
class AuditView;
class DenialsView;
class InboxModel;
class InboxPage;
class PolicyView;
class TaskDetailWidget;
class TrayNotifier;

struct MainWindowOptions
{
    // Where geometry, splitter state and the theme are kept; the application's default QSettings
    // when null. Not owned; must outlive the window.
    QSettings *settings = nullptr;
    // The source of "now" for ages and countdowns; the system clock when null.
    std::shared_ptr<const Clock> clock;
};

// The approver console: pages for the inbox (with the selected task), the requestable denials,
// the audit log and the policy, and the live activity feed docked at the bottom. The window is a
// client of the approver API and the event stream only; the composition root builds both clients
// and passes them in. Constructing the window loads the inbox, requests the identity behind the
// token (whoami) and starts the event stream.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    enum Page { InboxTab, DenialsTab, AuditTab, PolicyTab };

    // Both clients must outlive the window.
    MainWindow(Client::ApproverClient *client, Client::EventStreamClient *events, MainWindowOptions options = {},
               QWidget *parent = nullptr);
    ~MainWindow() override;

    InboxPage *inboxPage() const { return m_inboxPage; }
    InboxModel *inboxModel() const;
    TaskDetailWidget *detailWidget() const;
    QTableView *inboxView() const;
    ActivityModel *activityModel() const { return m_activity; }
    ActivityFilterProxy *activityProxy() const { return m_activityProxy; }
    QTableView *activityView() const { return m_activityView; }
    DenialsView *denialsView() const { return m_denials; }
    AuditView *auditView() const { return m_audit; }
    PolicyView *policyView() const { return m_policy; }
    TrayNotifier *notifier() const { return m_notifier; }
    QTabWidget *pages() const { return m_pages; }

    void showPage(Page page);
    // Shows the inbox page, selects the task when it is listed, and shows it in the detail view.
    void openTask(const QString &taskId);
    void saveSettings();

public Q_SLOTS:
    void selectNextTask();
    void selectPreviousTask();

Q_SIGNALS:
    // File → Connect to service… was chosen; the composition root opens the connection dialog.
    void connectRequested();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildPages();
    void buildActivityDock();
    void buildMenus();
    void buildStatusBar();
    void restoreSettings();
    void onEvent(const QJsonObject &event);
    void onActivityActivated();
    void onConnectionStateChanged(Client::EventStreamClient::State state);
    void onWhoami(const Result<QJsonObject> &result);
    void updateTitle();
    void showAbout();
    void setTheme(int theme);

    QPointer<Client::ApproverClient> m_client;
    QPointer<Client::EventStreamClient> m_events;
    std::unique_ptr<QSettings> m_ownedSettings;
    QSettings *m_settings = nullptr;
    std::shared_ptr<const Clock> m_clock;

    QTabWidget *m_pages = nullptr;
    InboxPage *m_inboxPage = nullptr;
    DenialsView *m_denials = nullptr;
    AuditView *m_audit = nullptr;
    PolicyView *m_policy = nullptr;
    ActivityModel *m_activity = nullptr;
    ActivityFilterProxy *m_activityProxy = nullptr;
    QDockWidget *m_activityDock = nullptr;
    QTableView *m_activityView = nullptr;
    QLineEdit *m_activitySearch = nullptr;
    QComboBox *m_activityKind = nullptr;
    QLabel *m_connectionLabel = nullptr;
    QLabel *m_identityLabel = nullptr;
    TrayNotifier *m_notifier = nullptr;
    QString m_identity;
};

} // namespace Recourse::Ui
