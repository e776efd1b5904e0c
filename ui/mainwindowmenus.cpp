// The menus, shortcuts, theme and About box of MainWindow, apart from its pages and events.

#include "ui/mainwindow.h"

#include "ui/appearance.h"
#include "ui/auditview.h"
#include "ui/denialsview.h"
#include "ui/inboxfilterbar.h"
#include "ui/inboxpage.h"
#include "ui/policyview.h"
#include "ui/taskdetailwidget.h"
#include "ui/traynotifier.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QDockWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSslSocket>
#include <QTabWidget>

namespace Recourse::Ui {

namespace {

const QString NotificationsKey = QStringLiteral("MainWindow/notifications");

QAction *menuAction(QMenu *menu, const QString &text, const QString &objectName, const QKeySequence &shortcut)
{
    QAction *action = menu->addAction(text);
    action->setObjectName(objectName);
    if (!shortcut.isEmpty())
        action->setShortcut(shortcut);
    return action;
}

} // namespace

void MainWindow::buildMenus()
{
    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    QAction *refresh = menuAction(fileMenu, tr("&Refresh"), QStringLiteral("refreshAction"), QKeySequence::Refresh);
    connect(refresh, &QAction::triggered, this, [this] {
        m_inboxPage->reload();
        m_denials->reload();
        m_policy->refresh();
    });
    QAction *connectAction = menuAction(fileMenu, tr("&Connect to service…"), QStringLiteral("connectAction"),
                                       QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    connect(connectAction, &QAction::triggered, this, &MainWindow::connectRequested);
    fileMenu->addSeparator();
    QAction *quit = menuAction(fileMenu, tr("&Quit"), QStringLiteral("quitAction"), QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    TaskDetailWidget *detail = detailWidget();
    QMenu *taskMenu = menuBar()->addMenu(tr("&Task"));
    connect(menuAction(taskMenu, tr("&Next task"), QStringLiteral("nextTaskAction"), QKeySequence(Qt::Key_J)),
            &QAction::triggered, this, &MainWindow::selectNextTask);
    connect(menuAction(taskMenu, tr("&Previous task"), QStringLiteral("previousTaskAction"), QKeySequence(Qt::Key_K)),
            &QAction::triggered, this, &MainWindow::selectPreviousTask);
    taskMenu->addSeparator();
    connect(menuAction(taskMenu, tr("&Approve"), QStringLiteral("approveAction"), QKeySequence(Qt::Key_A)),
            &QAction::triggered, detail, &TaskDetailWidget::approve);
    connect(menuAction(taskMenu, tr("Approve with edited &scope…"), QStringLiteral("approveScopeAction"),
                      QKeySequence(Qt::Key_S)),
            &QAction::triggered, detail, &TaskDetailWidget::approveWithScope);
    connect(menuAction(taskMenu, tr("&Deny…"), QStringLiteral("denyAction"), QKeySequence(Qt::Key_D)), &QAction::triggered,
            detail, &TaskDetailWidget::deny);
    taskMenu->addSeparator();
    connect(menuAction(taskMenu, tr("Approve se&lected…"), QStringLiteral("approveSelectedAction"),
                      QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A)),
            &QAction::triggered, this, [this] { m_inboxPage->decideSelected(BatchDecisionDialog::Decision::Approve); });
    connect(menuAction(taskMenu, tr("Deny selec&ted…"), QStringLiteral("denySelectedAction"),
                      QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D)),
            &QAction::triggered, this, [this] { m_inboxPage->decideSelected(BatchDecisionDialog::Decision::Deny); });

    QMenu *viewMenu = menuBar()->addMenu(tr("&View"));
    const QList<QPair<Page, QString>> pageNames{{InboxTab, tr("&Inbox")},
                                                {DenialsTab, tr("Requestable &denials")},
                                                {AuditTab, tr("A&udit")},
                                                {PolicyTab, tr("&Policy")}};
    for (const auto &[page, name] : pageNames) {
        QAction *show = menuAction(viewMenu, name, QStringLiteral("showPage%1Action").arg(int(page)),
                                  QKeySequence(Qt::ALT | Qt::Key(Qt::Key_1 + int(page))));
        connect(show, &QAction::triggered, this, [this, page = page] { showPage(page); });
    }
    viewMenu->addSeparator();
    QAction *find = menuAction(viewMenu, tr("&Search tasks"), QStringLiteral("findAction"), QKeySequence::Find);
    connect(find, &QAction::triggered, this, [this] {
        showPage(InboxTab);
        m_inboxPage->filters()->focusSearch();
    });
    connect(menuAction(viewMenu, tr("Show p&ending only"), QStringLiteral("showPendingAction"),
                      QKeySequence(Qt::CTRL | Qt::Key_1)),
            &QAction::triggered, this, [this] { m_inboxPage->filters()->setStatus(QStringLiteral("pending")); });
    connect(menuAction(viewMenu, tr("Show a&ll tasks"), QStringLiteral("showAllAction"), QKeySequence(Qt::CTRL | Qt::Key_0)),
            &QAction::triggered, this, [this] { m_inboxPage->filters()->setStatus({}); });
    viewMenu->addSeparator();
    QAction *toggleActivity = m_activityDock->toggleViewAction();
    toggleActivity->setText(tr("Live &activity"));
    toggleActivity->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    viewMenu->addAction(toggleActivity);

    QMenu *themeMenu = viewMenu->addMenu(tr("&Theme"));
    auto *themes = new QActionGroup(this);
    const Appearance::Theme saved = Appearance::load(*m_settings);
    for (const Appearance::Theme theme : {Appearance::Theme::System, Appearance::Theme::Light, Appearance::Theme::Dark}) {
        QAction *choice = themeMenu->addAction(Appearance::name(theme));
        choice->setObjectName(QStringLiteral("theme%1Action").arg(int(theme)));
        choice->setCheckable(true);
        choice->setChecked(theme == saved);
        themes->addAction(choice);
        connect(choice, &QAction::triggered, this, [this, theme] { setTheme(int(theme)); });
    }
    if (saved != Appearance::Theme::System)
        Appearance::apply(saved);

    QAction *notifications = viewMenu->addAction(tr("Desktop &notifications"));
    notifications->setObjectName(QStringLiteral("notificationsAction"));
    notifications->setCheckable(true);
    notifications->setChecked(m_settings->value(NotificationsKey, true).toBool());
    connect(notifications, &QAction::toggled, this, [this](bool enabled) {
        m_notifier->setNotificationsEnabled(enabled);
        m_settings->setValue(NotificationsKey, enabled);
    });
    // The notifier is built after the menus; it reads the choice once it exists.
    QMetaObject::invokeMethod(this, [this, notifications] { m_notifier->setNotificationsEnabled(notifications->isChecked()); },
                              Qt::QueuedConnection);

    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    QAction *about = helpMenu->addAction(tr("&About Recourse"), this, &MainWindow::showAbout);
    about->setObjectName(QStringLiteral("aboutAction"));
    about->setMenuRole(QAction::AboutRole);
    QAction *aboutQt = helpMenu->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
    aboutQt->setMenuRole(QAction::AboutQtRole);
}

void MainWindow::setTheme(int theme)
{
    const auto chosen = Appearance::Theme(theme);
    Appearance::apply(chosen);
    Appearance::save(*m_settings, chosen);
}

void MainWindow::showAbout()
{
    auto *box = new QMessageBox(QMessageBox::NoIcon, tr("About Recourse"),
                                tr("<h3>Recourse %1</h3>"
                                   "<p>Approval and monitoring console for AuthZEN requestable denials.</p>"
                                   "<p>Connected to %2 as %3.</p>"
                                   "<p>Qt %4 (built with Qt %5)<br>%6</p>")
                                    .arg(QStringLiteral(RECOURSE_VERSION),
                                         m_client ? m_client->baseUrl().toDisplayString().toHtmlEscaped() : tr("no service"),
                                         m_identity.isEmpty() ? tr("an unknown identity") : m_identity.toHtmlEscaped(),
                                         QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
                                         QSslSocket::supportsSsl() ? QSslSocket::sslLibraryVersionString().toHtmlEscaped()
                                                                   : tr("no TLS library")),
                                QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("aboutBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setIconPixmap(windowIcon().pixmap(64, 64));
    box->open();
}

} // namespace Recourse::Ui
