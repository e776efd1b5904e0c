#include "ui/mainwindow.h"

#include "ui/activitymodel.h"
#include "ui/inboxfilterproxy.h"
#include "ui/inboxmodel.h"
#include "ui/logging.h"
#include "ui/taskdetailwidget.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QVBoxLayout>

namespace Recourse::Ui {

namespace {

const QString GeometryKey = QStringLiteral("MainWindow/geometry");
const QString StateKey = QStringLiteral("MainWindow/state");
const QString SplitterKey = QStringLiteral("MainWindow/splitter");
const QString InboxHeaderKey = QStringLiteral("MainWindow/inboxHeader");
const QString StatusFilterKey = QStringLiteral("MainWindow/statusFilter");

QTableView *makeTableView(QWidget *parent, const QString &objectName, const QString &accessibleName)
{
    auto *view = new QTableView(parent);
    view->setObjectName(objectName);
    view->setAccessibleName(accessibleName);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setAlternatingRowColors(true);
    view->setShowGrid(false);
    view->setWordWrap(false);
    view->setSortingEnabled(true);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
    view->horizontalHeader()->setHighlightSections(false);
    return view;
}

} // namespace

MainWindow::MainWindow(Client::ApproverClient *client, Client::EventStreamClient *events, MainWindowOptions options,
                       QWidget *parent)
    : QMainWindow(parent)
    , m_client(client)
    , m_events(events)
    , m_settings(options.settings)
    , m_clock(options.clock ? std::move(options.clock) : std::make_shared<SystemClock>())
{
    if (!m_settings) {
        m_ownedSettings = std::make_unique<QSettings>();
        m_settings = m_ownedSettings.get();
    }
    setObjectName(QStringLiteral("mainWindow"));

    m_inbox = new InboxModel(client, m_clock, this);
    m_inboxProxy = new InboxFilterProxy(this);
    m_inboxProxy->setSourceModel(m_inbox);
    m_activity = new ActivityModel(this);
    m_activityProxy = new QSortFilterProxyModel(this);
    m_activityProxy->setSourceModel(m_activity);
    m_activityProxy->setSortRole(ActivityModel::SortRole);
    m_activityProxy->setFilterKeyColumn(-1);
    m_activityProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    buildCentralWidget();
    buildActivityDock();
    buildActions();
    buildStatusBar();
    restoreSettings();

    connect(m_inbox, &InboxModel::pendingCountChanged, this, &MainWindow::updateTitle);
    connect(m_inbox, &InboxModel::loadFailed, this,
            [this](const QString &message) { statusBar()->showMessage(tr("Loading the inbox failed: %1").arg(message)); });
    connect(m_detail, &TaskDetailWidget::taskChanged, this,
            [this](const QJsonObject &task) { m_inbox->mergeTasks({task}, false); });
    connect(m_detail, &TaskDetailWidget::decisionFailed, this,
            [this](const QString &message) { statusBar()->showMessage(message, 10000); });
    updateTitle();

    m_inbox->reload();
    if (m_client)
        m_client->whoami(this, [this](const Result<QJsonObject> &result) { onWhoami(result); });
    if (m_events) {
        connect(m_events, &Client::EventStreamClient::eventReceived, this, &MainWindow::onEvent);
        connect(m_events, &Client::EventStreamClient::connectionStateChanged, this, &MainWindow::onConnectionStateChanged);
        onConnectionStateChanged(m_events->state());
        m_events->start(m_events->lastSeq());
    }
}

MainWindow::~MainWindow() = default;

void MainWindow::buildCentralWidget()
{
    auto *inboxPane = new QWidget(this);
    auto *inboxLayout = new QVBoxLayout(inboxPane);
    inboxLayout->setContentsMargins(0, 0, 0, 0);

    m_statusFilter = new QComboBox(inboxPane);
    m_statusFilter->setObjectName(QStringLiteral("statusFilter"));
    m_statusFilter->setAccessibleName(tr("Status filter"));
    m_statusFilter->addItem(tr("All tasks"), QString());
    const QStringList statuses{QStringLiteral("pending"), QStringLiteral("approved"), QStringLiteral("denied"),
                               QStringLiteral("partial"), QStringLiteral("expired"), QStringLiteral("cancelled"),
                               QStringLiteral("failed")};
    const QStringList labels{tr("Pending"), tr("Approved"), tr("Denied"), tr("Partial"), tr("Expired"), tr("Cancelled"),
                             tr("Failed")};
    for (int i = 0; i < statuses.size(); ++i)
        m_statusFilter->addItem(labels.at(i), statuses.at(i));
    connect(m_statusFilter, &QComboBox::currentIndexChanged, this,
            [this] { m_inboxProxy->setStatusFilter(m_statusFilter->currentData().toString()); });

    m_search = new QLineEdit(inboxPane);
    m_search->setObjectName(QStringLiteral("searchEdit"));
    m_search->setAccessibleName(tr("Search tasks"));
    m_search->setPlaceholderText(tr("Search id, subject, resource, action, requester (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, m_inboxProxy, &InboxFilterProxy::setSearchText);

    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(m_statusFilter);
    filterRow->addWidget(m_search, 1);
    inboxLayout->addLayout(filterRow);

    m_inboxView = makeTableView(inboxPane, QStringLiteral("inboxView"), tr("Inbox"));
    m_inboxView->setModel(m_inboxProxy);
    m_inboxView->sortByColumn(InboxModel::AgeColumn, Qt::AscendingOrder);
    QHeaderView *header = m_inboxView->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(InboxModel::ResourceColumn, QHeaderView::Stretch);
    const int em = m_inboxView->fontMetrics().horizontalAdvance(u'M');
    header->resizeSection(InboxModel::StatusColumn, 7 * em);
    header->resizeSection(InboxModel::SubjectColumn, 8 * em);
    header->resizeSection(InboxModel::ActionColumn, 5 * em);
    header->resizeSection(InboxModel::TemplateColumn, 11 * em);
    header->resizeSection(InboxModel::RequesterColumn, 7 * em);
    header->resizeSection(InboxModel::AgeColumn, 4 * em);
    header->resizeSection(InboxModel::ExpiresInColumn, 12 * em);
    inboxLayout->addWidget(m_inboxView, 1);
    connect(m_inboxView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::onInboxSelectionChanged);

    m_detail = new TaskDetailWidget(m_client, m_clock, this);
    m_detail->setObjectName(QStringLiteral("taskDetail"));
    connect(m_inboxView, &QTableView::activated, m_detail, &TaskDetailWidget::focusTask);

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_splitter->addWidget(inboxPane);
    m_splitter->addWidget(m_detail);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setChildrenCollapsible(false);
    setCentralWidget(m_splitter);
}

void MainWindow::buildActivityDock()
{
    m_activityDock = new QDockWidget(tr("Live activity"), this);
    m_activityDock->setObjectName(QStringLiteral("activityDock"));
    m_activityDock->setAllowedAreas(Qt::BottomDockWidgetArea | Qt::TopDockWidgetArea);

    auto *pane = new QWidget(m_activityDock);
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(4, 0, 4, 4);
    m_activitySearch = new QLineEdit(pane);
    m_activitySearch->setObjectName(QStringLiteral("activitySearchEdit"));
    m_activitySearch->setAccessibleName(tr("Filter activity"));
    m_activitySearch->setPlaceholderText(tr("Filter events by type, subject, resource, outcome, reason or task"));
    m_activitySearch->setClearButtonEnabled(true);
    connect(m_activitySearch, &QLineEdit::textChanged, m_activityProxy, &QSortFilterProxyModel::setFilterFixedString);

    m_activityView = makeTableView(pane, QStringLiteral("activityView"), tr("Live activity"));
    m_activityView->setModel(m_activityProxy);
    m_activityView->setSortingEnabled(false);
    QHeaderView *header = m_activityView->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setStretchLastSection(true);
    header->resizeSection(ActivityModel::TimeColumn, 70);
    header->resizeSection(ActivityModel::TypeColumn, 190);
    header->resizeSection(ActivityModel::SubjectColumn, 130);
    header->resizeSection(ActivityModel::ActionColumn, 80);
    header->resizeSection(ActivityModel::ResourceColumn, 170);
    header->resizeSection(ActivityModel::OutcomeColumn, 170);
    header->resizeSection(ActivityModel::ReasonColumn, 140);
    header->resizeSection(ActivityModel::NextActionColumn, 80);
    connect(m_activityView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::onActivityActivated);
    connect(m_activityView, &QTableView::activated, this, &MainWindow::onActivityActivated);

    layout->addWidget(m_activitySearch);
    layout->addWidget(m_activityView, 1);
    m_activityDock->setWidget(pane);
    addDockWidget(Qt::BottomDockWidgetArea, m_activityDock);
}

void MainWindow::buildActions()
{
    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    QAction *refresh = fileMenu->addAction(tr("&Refresh inbox"), this, [this] { m_inbox->reload(); });
    refresh->setShortcut(QKeySequence::Refresh);
    fileMenu->addSeparator();
    QAction *quit = fileMenu->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    QMenu *taskMenu = menuBar()->addMenu(tr("&Task"));
    QAction *next = taskMenu->addAction(tr("&Next task"), this, &MainWindow::selectNextTask);
    next->setObjectName(QStringLiteral("nextTaskAction"));
    next->setShortcut(Qt::Key_J);
    QAction *previous = taskMenu->addAction(tr("&Previous task"), this, &MainWindow::selectPreviousTask);
    previous->setObjectName(QStringLiteral("previousTaskAction"));
    previous->setShortcut(Qt::Key_K);
    taskMenu->addSeparator();
    QAction *approve = taskMenu->addAction(tr("&Approve"), m_detail, &TaskDetailWidget::approve);
    approve->setObjectName(QStringLiteral("approveAction"));
    approve->setShortcut(Qt::Key_A);
    QAction *deny = taskMenu->addAction(tr("&Deny…"), m_detail, &TaskDetailWidget::deny);
    deny->setObjectName(QStringLiteral("denyAction"));
    deny->setShortcut(Qt::Key_D);

    QMenu *viewMenu = menuBar()->addMenu(tr("&View"));
    QAction *find = viewMenu->addAction(tr("&Search tasks"), this, [this] {
        m_search->setFocus(Qt::ShortcutFocusReason);
        m_search->selectAll();
    });
    find->setShortcut(QKeySequence::Find);
    QAction *showPending = viewMenu->addAction(tr("Show &pending only"), this, [this] {
        m_statusFilter->setCurrentIndex(m_statusFilter->findData(QStringLiteral("pending")));
    });
    showPending->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    QAction *showAll = viewMenu->addAction(tr("Show &all tasks"), this, [this] { m_statusFilter->setCurrentIndex(0); });
    showAll->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    viewMenu->addSeparator();
    QAction *toggleActivity = m_activityDock->toggleViewAction();
    toggleActivity->setText(tr("Live &activity"));
    toggleActivity->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    viewMenu->addAction(toggleActivity);

    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    QAction *about = helpMenu->addAction(tr("&About Recourse"), this, &MainWindow::showAbout);
    about->setMenuRole(QAction::AboutRole);
    QAction *aboutQt = helpMenu->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
    aboutQt->setMenuRole(QAction::AboutQtRole);
}

void MainWindow::buildStatusBar()
{
    m_connectionLabel = new QLabel(this);
    m_connectionLabel->setObjectName(QStringLiteral("connectionLabel"));
    m_connectionLabel->setAccessibleName(tr("Event stream connection"));
    m_identityLabel = new QLabel(tr("Signing in…"), this);
    m_identityLabel->setObjectName(QStringLiteral("identityLabel"));
    m_identityLabel->setAccessibleName(tr("Signed-in identity"));
    statusBar()->addPermanentWidget(m_identityLabel);
    statusBar()->addPermanentWidget(m_connectionLabel);
}

void MainWindow::restoreSettings()
{
    if (!restoreGeometry(m_settings->value(GeometryKey).toByteArray()))
        resize(1360, 860);
    restoreState(m_settings->value(StateKey).toByteArray());
    m_splitter->restoreState(m_settings->value(SplitterKey).toByteArray());
    m_inboxView->horizontalHeader()->restoreState(m_settings->value(InboxHeaderKey).toByteArray());
    const int filter = m_statusFilter->findData(m_settings->value(StatusFilterKey).toString());
    m_statusFilter->setCurrentIndex(std::max(filter, 0));
}

void MainWindow::saveSettings()
{
    m_settings->setValue(GeometryKey, saveGeometry());
    m_settings->setValue(StateKey, saveState());
    m_settings->setValue(SplitterKey, m_splitter->saveState());
    m_settings->setValue(InboxHeaderKey, m_inboxView->horizontalHeader()->saveState());
    m_settings->setValue(StatusFilterKey, m_statusFilter->currentData().toString());
    m_settings->sync();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    QMainWindow::closeEvent(event);
}

void MainWindow::onEvent(const QJsonObject &event)
{
    m_activity->addEvent(event);
    m_inbox->applyEvent(event);

    const QString taskId = event.value(u"task_id").toString();
    if (!taskId.isEmpty() && taskId == m_detail->taskId())
        m_detail->refresh();
}

void MainWindow::onInboxSelectionChanged()
{
    const QModelIndex current = m_inboxView->currentIndex();
    if (!current.isValid())
        return;
    m_detail->showTask(current.data(InboxModel::TaskIdRole).toString());
}

void MainWindow::onActivityActivated()
{
    const QModelIndex current = m_activityView->currentIndex();
    const QString taskId = current.data(ActivityModel::TaskIdRole).toString();
    if (taskId.isEmpty())
        return;
    openTask(taskId);
}

void MainWindow::openTask(const QString &taskId)
{
    const QModelIndex source = m_inbox->indexOfTask(taskId);
    const QModelIndex row = m_inboxProxy->mapFromSource(source);
    if (row.isValid()) {
        m_inboxView->selectionModel()->setCurrentIndex(row, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_inboxView->scrollTo(row);
    } else {
        m_inboxView->selectionModel()->clearSelection();
    }
    m_detail->showTask(taskId);
}

void MainWindow::selectNextTask()
{
    moveSelection(1);
}

void MainWindow::selectPreviousTask()
{
    moveSelection(-1);
}

void MainWindow::moveSelection(int delta)
{
    const int rows = m_inboxProxy->rowCount();
    if (rows == 0)
        return;

    const QModelIndex current = m_inboxView->currentIndex();
    const int row = current.isValid() ? std::clamp(current.row() + delta, 0, rows - 1) : 0;
    const QModelIndex target = m_inboxProxy->index(row, 0);
    m_inboxView->selectionModel()->setCurrentIndex(target, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_inboxView->scrollTo(target);
}

void MainWindow::onConnectionStateChanged(Client::EventStreamClient::State state)
{
    switch (state) {
    case Client::EventStreamClient::State::Online:
        m_connectionLabel->setText(tr("● Live"));
        m_connectionLabel->setStyleSheet(QStringLiteral("color: #1b7f3b;"));
        m_connectionLabel->setToolTip(tr("Receiving events from %1").arg(m_client ? m_client->baseUrl().toDisplayString() : QString()));
        break;
    case Client::EventStreamClient::State::Connecting:
        m_connectionLabel->setText(tr("● Connecting…"));
        m_connectionLabel->setStyleSheet(QStringLiteral("color: #9a6700;"));
        m_connectionLabel->setToolTip({});
        break;
    case Client::EventStreamClient::State::Offline:
        m_connectionLabel->setText(tr("● Offline, reconnecting"));
        m_connectionLabel->setStyleSheet(QStringLiteral("color: #b3261e; font-weight: bold;"));
        m_connectionLabel->setToolTip(m_events ? m_events->lastError() : QString());
        break;
    }
}

void MainWindow::onWhoami(const Result<QJsonObject> &result)
{
    if (!result.ok()) {
        m_identityLabel->setText(tr("Not signed in: %1").arg(result.error().message));
        return;
    }

    QStringList groups;
    for (const QJsonValue &group : result->value(u"groups").toArray())
        groups.append(group.toString());
    m_identity = result->value(u"id").toString();
    const QString role = result->value(u"role").toString();
    m_identityLabel->setText(groups.isEmpty() ? tr("Signed in as %1 (%2)").arg(m_identity, role)
                                              : tr("Signed in as %1 (%2: %3)").arg(m_identity, role, groups.join(QStringLiteral(", "))));
}

void MainWindow::updateTitle()
{
    setWindowTitle(tr("Recourse — %n pending", nullptr, m_inbox->pendingCount()));
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Recourse"),
                       tr("<h3>Recourse %1</h3>"
                          "<p>Approval and monitoring console for AuthZEN requestable denials.</p>"
                          "<p>Qt %2 (built with Qt %3)</p>")
                           .arg(QStringLiteral(RECOURSE_VERSION), QString::fromLatin1(qVersion()),
                                QStringLiteral(QT_VERSION_STR)));
}

} // namespace Recourse::Ui
