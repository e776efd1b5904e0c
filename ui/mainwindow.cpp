#include "ui/mainwindow.h"

#include "ui/activityfilterproxy.h"
#include "ui/activitymodel.h"
#include "ui/appearance.h"
#include "ui/auditmodel.h"
#include "ui/auditview.h"
#include "ui/denialsview.h"
#include "ui/inboxmodel.h"
#include "ui/inboxpage.h"
#include "ui/logging.h"
#include "ui/policyview.h"
#include "ui/taskdetailwidget.h"
#include "ui/traynotifier.h"
#include "ui/viewhelpers.h"

#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace Recourse::Ui {

namespace {

const QString GeometryKey = QStringLiteral("MainWindow/geometry");
const QString StateKey = QStringLiteral("MainWindow/state");
const QString PageKey = QStringLiteral("MainWindow/page");

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

    m_activity = new ActivityModel(this);
    m_activityProxy = new ActivityFilterProxy(this);
    m_activityProxy->setSourceModel(m_activity);

    buildPages();
    buildActivityDock();
    buildMenus();
    buildStatusBar();
    m_notifier = new TrayNotifier(this, m_clock);
    restoreSettings();

    connect(inboxModel(), &InboxModel::pendingCountChanged, this, &MainWindow::updateTitle);
    connect(inboxModel(), &InboxModel::pendingCountChanged, m_notifier, &TrayNotifier::setPendingCount);
    connect(inboxModel(), &InboxModel::tasksInserted, m_notifier, &TrayNotifier::announceTasks);
    connect(m_notifier, &TrayNotifier::openTaskRequested, this, &MainWindow::openTask);
    connect(m_inboxPage, &InboxPage::statusMessage, this,
            [this](const QString &message, int timeoutMs) { statusBar()->showMessage(message, timeoutMs); });
    connect(detailWidget(), &TaskDetailWidget::taskChanged, m_policy, &PolicyView::setCurrentTask);
    updateTitle();

    m_inboxPage->reload();
    m_denials->reload();
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

InboxModel *MainWindow::inboxModel() const
{
    return m_inboxPage->model();
}

TaskDetailWidget *MainWindow::detailWidget() const
{
    return m_inboxPage->detail();
}

QTableView *MainWindow::inboxView() const
{
    return m_inboxPage->view();
}

void MainWindow::buildPages()
{
    m_pages = new QTabWidget(this);
    m_pages->setObjectName(QStringLiteral("pages"));
    m_pages->setDocumentMode(true);
    m_inboxPage = new InboxPage(m_client, m_clock, m_pages);
    m_denials = new DenialsView(m_client, m_clock, m_pages);
    m_audit = new AuditView(m_client, m_pages);
    m_policy = new PolicyView(m_client, m_pages);
    m_pages->addTab(m_inboxPage, tr("&Inbox"));
    m_pages->addTab(m_denials, tr("Requestable &denials"));
    m_pages->addTab(m_audit, tr("A&udit"));
    m_pages->addTab(m_policy, tr("&Policy"));
    setCentralWidget(m_pages);

    connect(m_denials, &DenialsView::openTaskRequested, this, &MainWindow::openTask);
    connect(m_audit, &AuditView::openTaskRequested, this, &MainWindow::openTask);
    // The audit log is loaded on first sight instead of at start, since it can be long.
    connect(m_pages, &QTabWidget::currentChanged, this, [this](int index) {
        if (index == AuditTab && m_audit->model()->rowCount() == 0 && !m_audit->isLoading())
            m_audit->search();
    });
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
    m_activityKind = new QComboBox(pane);
    m_activityKind->setObjectName(QStringLiteral("activityKindFilter"));
    m_activityKind->setAccessibleName(tr("Kind of event"));
    m_activityKind->addItem(tr("All events"), int(ActivityFilterProxy::Kind::All));
    m_activityKind->addItem(tr("Evaluations"), int(ActivityFilterProxy::Kind::Evaluations));
    m_activityKind->addItem(tr("Requestable denials"), int(ActivityFilterProxy::Kind::RequestableDenials));
    m_activityKind->addItem(tr("Tasks and decisions"), int(ActivityFilterProxy::Kind::Tasks));
    m_activityKind->addItem(tr("Re-evaluations"), int(ActivityFilterProxy::Kind::Reevaluations));
    m_activityKind->addItem(tr("Revocations"), int(ActivityFilterProxy::Kind::Revocations));
    m_activityKind->addItem(tr("Callback deliveries"), int(ActivityFilterProxy::Kind::Callbacks));
    connect(m_activityKind, &QComboBox::currentIndexChanged, this, [this] {
        m_activityProxy->setKind(ActivityFilterProxy::Kind(m_activityKind->currentData().toInt()));
    });
    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(m_activityKind);
    filterRow->addWidget(m_activitySearch, 1);

    m_activityView = makeTableView(pane, QStringLiteral("activityView"), tr("Live activity"));
    m_activityView->setModel(m_activityProxy);
    m_activityView->setSortingEnabled(false);
    QHeaderView *header = m_activityView->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setStretchLastSection(true);
    // Widths from typical values, so the common ones show in full; the task id takes the rest.
    const QList<QPair<int, QString>> samples{{ActivityModel::TimeColumn, QStringLiteral("00:00:00")},
                                             {ActivityModel::TypeColumn, QStringLiteral("evaluation.denied.requestable")},
                                             {ActivityModel::SubjectColumn, QStringLiteral("agent support-agent")},
                                             {ActivityModel::ActionColumn, QStringLiteral("can_read")},
                                             {ActivityModel::ResourceColumn, QStringLiteral("log payments-provider")},
                                             {ActivityModel::OutcomeColumn, QStringLiteral("Approved by alice")},
                                             {ActivityModel::ReasonColumn, QStringLiteral("approval_required")},
                                             {ActivityModel::NextActionColumn, tr("Next action")}};
    for (const auto &[column, sample] : samples)
        header->resizeSection(column, columnWidthFor(m_activityView->fontMetrics(), sample));
    connect(m_activityView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::onActivityActivated);
    connect(m_activityView, &QTableView::activated, this, &MainWindow::onActivityActivated);

    layout->addLayout(filterRow);
    layout->addWidget(m_activityView, 1);
    m_activityDock->setWidget(pane);
    addDockWidget(Qt::BottomDockWidgetArea, m_activityDock);
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
    m_inboxPage->restoreSettings(*m_settings);
    m_pages->setCurrentIndex(std::clamp(m_settings->value(PageKey, 0).toInt(), 0, m_pages->count() - 1));
}

void MainWindow::saveSettings()
{
    m_settings->setValue(GeometryKey, saveGeometry());
    m_settings->setValue(StateKey, saveState());
    m_settings->setValue(PageKey, m_pages->currentIndex());
    m_inboxPage->saveSettings(*m_settings);
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
    m_inboxPage->applyEvent(event);
    m_denials->applyEvent(event);
}

void MainWindow::onActivityActivated()
{
    const QString taskId = m_activityView->currentIndex().data(ActivityModel::TaskIdRole).toString();
    if (taskId.isEmpty())
        return;
    openTask(taskId);
}

void MainWindow::showPage(Page page)
{
    m_pages->setCurrentIndex(page);
}

void MainWindow::openTask(const QString &taskId)
{
    showPage(InboxTab);
    m_inboxPage->openTask(taskId);
}

void MainWindow::selectNextTask()
{
    m_inboxPage->selectNextTask();
}

void MainWindow::selectPreviousTask()
{
    m_inboxPage->selectPreviousTask();
}

void MainWindow::onConnectionStateChanged(Client::EventStreamClient::State state)
{
    const QString service = m_client ? m_client->baseUrl().toDisplayString() : QString();
    switch (state) {
    case Client::EventStreamClient::State::Online:
        m_connectionLabel->setText(tr("● Live"));
        m_connectionLabel->setStyleSheet(QStringLiteral("color: #1b7f3b;"));
        m_connectionLabel->setToolTip(tr("Receiving events from %1").arg(service));
        statusBar()->clearMessage();
        break;
    case Client::EventStreamClient::State::Connecting:
        m_connectionLabel->setText(tr("● Connecting…"));
        m_connectionLabel->setStyleSheet(QStringLiteral("color: #9a6700;"));
        m_connectionLabel->setToolTip(tr("Connecting to %1").arg(service));
        break;
    case Client::EventStreamClient::State::Offline: {
        const QString reason = m_events ? m_events->lastError() : QString();
        m_connectionLabel->setText(tr("● Offline, reconnecting"));
        m_connectionLabel->setStyleSheet(QStringLiteral("color: #b3261e; font-weight: bold;"));
        m_connectionLabel->setToolTip(reason);
        // Decisions made while offline still go through the API; only live updates pause.
        statusBar()->showMessage(reason.isEmpty() ? tr("Offline: live updates are paused until the service is reachable.")
                                                  : tr("Offline: %1 Live updates resume after reconnecting.").arg(reason));
        break;
    }
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
    setWindowTitle(tr("Recourse — %n pending", nullptr, inboxModel()->pendingCount()));
}

} // namespace Recourse::Ui
