#include "ui/inboxpage.h"

#include "ui/inboxfilterbar.h"
#include "ui/inboxfilterproxy.h"
#include "ui/inboxmodel.h"
#include "ui/logging.h"
#include "ui/taskdetailwidget.h"
#include "ui/viewhelpers.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QSettings>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace Recourse::Ui {

namespace {

const QString SplitterKey = QStringLiteral("MainWindow/splitter");
const QString InboxHeaderKey = QStringLiteral("MainWindow/inboxHeader");
const QString StatusFilterKey = QStringLiteral("MainWindow/statusFilter");

// Rows age out of an age filter as time passes; once a minute is as fine as the filter's choices.
constexpr int AgeFilterRefreshMs = 60 * 1000;
// How often the age and expires-in columns are redrawn. Both show minutes once past 60 s.
constexpr int RepaintIntervalMs = 5000;

} // namespace

InboxPage::InboxPage(Client::ApproverClient *client, std::shared_ptr<const Clock> clock, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
    , m_clock(clock ? std::move(clock) : std::make_shared<SystemClock>())
    , m_ageTimer(new QTimer(this))
    , m_repaintTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("inboxPage"));
    m_model = new InboxModel(client, m_clock, this);
    m_proxy = new InboxFilterProxy(this, m_clock);
    m_proxy->setSourceModel(m_model);
    buildView();

    connect(m_model, &InboxModel::loadFailed, this,
            [this](const QString &message) { Q_EMIT statusMessage(tr("Loading the inbox failed: %1").arg(message), 0); });
    connect(m_detail, &TaskDetailWidget::taskChanged, this, [this](const QJsonObject &task) { m_model->mergeTasks({task}, false); });
    connect(m_detail, &TaskDetailWidget::decisionFailed, this,
            [this](const QString &message) { Q_EMIT statusMessage(message, 10000); });
    m_ageTimer->setInterval(AgeFilterRefreshMs);
    connect(m_ageTimer, &QTimer::timeout, m_proxy, &InboxFilterProxy::refreshAgeFilter);
    m_ageTimer->start();
    // Repainting the visible rows is all that time changes. A dataChanged() over every row would
    // make QSortFilterProxyModel (Qt 6.4) filter and sort all 100,000 rows again each time.
    m_repaintTimer->setInterval(RepaintIntervalMs);
    connect(m_repaintTimer, &QTimer::timeout, m_view->viewport(), qOverload<>(&QWidget::update));
    m_repaintTimer->start();
}

InboxPage::~InboxPage() = default;

void InboxPage::buildView()
{
    auto *listPane = new QWidget(this);
    auto *listLayout = new QVBoxLayout(listPane);
    listLayout->setContentsMargins(0, 0, 0, 0);
    m_filters = new InboxFilterBar(m_proxy, listPane);
    listLayout->addWidget(m_filters);

    m_view = makeTableView(listPane, QStringLiteral("inboxView"), tr("Inbox"));
    // Several rows can be selected for a batch decision; the current row is the one shown.
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setModel(m_proxy);
    m_view->sortByColumn(InboxModel::AgeColumn, Qt::AscendingOrder);
    QHeaderView *header = m_view->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(InboxModel::TemplateColumn, QHeaderView::Stretch);
    // Widths from typical values in bold, as pending rows are drawn. The template takes the rest:
    // its title is the column an approver needs least, and the detail pane shows it in full.
    QFont bold = m_view->font();
    bold.setBold(true);
    const QFontMetrics metrics(bold);
    const QList<QPair<int, QString>> samples{{InboxModel::StatusColumn, tr("Emergency")},
                                             {InboxModel::SubjectColumn, QStringLiteral("agent support-a")},
                                             {InboxModel::ActionColumn, QStringLiteral("can_read")},
                                             {InboxModel::ResourceColumn, QStringLiteral("log payments-provider")},
                                             {InboxModel::RequesterColumn, QStringLiteral("gateway")},
                                             {InboxModel::AgeColumn, QStringLiteral("59 min")},
                                             {InboxModel::ExpiresInColumn, QStringLiteral("in 23 h 59 min")}};
    for (const auto &[column, sample] : samples)
        header->resizeSection(column, columnWidthFor(metrics, sample));
    listLayout->addWidget(m_view, 1);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &InboxPage::onCurrentRowChanged);

    m_detail = new TaskDetailWidget(m_client, m_clock, this);
    m_detail->setObjectName(QStringLiteral("taskDetail"));
    connect(m_view, &QTableView::activated, m_detail, &TaskDetailWidget::focusTask);

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_splitter->addWidget(listPane);
    m_splitter->addWidget(m_detail);
    // Even halves, because the detail pane contains the decision buttons, the grant sentence and
    // the history tabs, which a narrower pane wraps and clips.
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_splitter);
}

void InboxPage::reload()
{
    m_model->reload();
    loadTemplates();
}

void InboxPage::loadTemplates()
{
    if (!m_client)
        return;

    m_client->policy(this, [this](const Result<QJsonObject> &result) {
        if (!result.ok()) {
            qCWarning(lcUi) << "loading the template names failed:" << result.error().message;
            return;
        }
        QStringList names;
        for (const QJsonValue &name : result->value(u"templates").toArray())
            names.append(name.toString());
        m_filters->setTemplates(names);
    });
}

void InboxPage::applyEvent(const QJsonObject &event)
{
    m_model->applyEvent(event);

    const QString taskId = event.value(u"task_id").toString();
    if (!taskId.isEmpty() && taskId == m_detail->taskId())
        m_detail->refresh();
}

void InboxPage::onCurrentRowChanged()
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid())
        return;
    m_detail->showTask(current.data(InboxModel::TaskIdRole).toString());
}

void InboxPage::openTask(const QString &taskId)
{
    const QModelIndex row = m_proxy->mapFromSource(m_model->indexOfTask(taskId));
    if (row.isValid()) {
        m_view->selectionModel()->setCurrentIndex(row, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_view->scrollTo(row);
    } else {
        m_view->selectionModel()->clearSelection();
    }
    m_detail->showTask(taskId);
}

void InboxPage::selectNextTask()
{
    moveSelection(1);
}

void InboxPage::selectPreviousTask()
{
    moveSelection(-1);
}

void InboxPage::moveSelection(int delta)
{
    const int rows = m_proxy->rowCount();
    if (rows == 0)
        return;

    const QModelIndex current = m_view->currentIndex();
    const int row = current.isValid() ? std::clamp(current.row() + delta, 0, rows - 1) : 0;
    const QModelIndex target = m_proxy->index(row, 0);
    m_view->selectionModel()->setCurrentIndex(target, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->scrollTo(target);
}

QList<QJsonObject> InboxPage::selectedTasks() const
{
    QModelIndexList rows = m_view->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QList<QJsonObject> tasks;
    for (const QModelIndex &row : std::as_const(rows))
        tasks.append(row.data(InboxModel::TaskRole).toJsonObject());
    return tasks;
}

void InboxPage::decideSelected(BatchDecisionDialog::Decision decision)
{
    const QList<QJsonObject> tasks = selectedTasks();
    if (tasks.isEmpty() || !m_client) {
        Q_EMIT statusMessage(tr("Select the tasks to decide first (Shift or Ctrl with a click)."), 5000);
        return;
    }

    auto *dialog = new BatchDecisionDialog(m_client, decision, tasks, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    // The rows also change through the event stream, and the detail view fetches its task again
    // so it shows the outcome at once.
    connect(dialog, &BatchDecisionDialog::batchFinished, this, [this](const QList<QJsonObject> &outcomes) {
        int failed = 0;
        for (const QJsonObject &outcome : outcomes) {
            if (outcome.contains(u"error"))
                ++failed;
        }
        Q_EMIT statusMessage(tr("Batch decided: %1 of %2 failed.").arg(failed).arg(outcomes.size()), 10000);
        m_detail->refresh();
    });
    dialog->open();
    Q_EMIT batchDialogOpened(dialog);
}

void InboxPage::restoreSettings(const QSettings &settings)
{
    m_splitter->restoreState(settings.value(SplitterKey).toByteArray());
    m_view->horizontalHeader()->restoreState(settings.value(InboxHeaderKey).toByteArray());
    m_filters->setStatus(settings.value(StatusFilterKey).toString());
}

void InboxPage::saveSettings(QSettings &settings) const
{
    settings.setValue(SplitterKey, m_splitter->saveState());
    settings.setValue(InboxHeaderKey, m_view->horizontalHeader()->saveState());
    settings.setValue(StatusFilterKey, m_filters->status());
}

} // namespace Recourse::Ui
