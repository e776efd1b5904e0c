#include "ui/denialsview.h"

#include "ui/denialsmodel.h"
#include "ui/logging.h"
#include "ui/viewhelpers.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace Recourse::Ui {

namespace {

// A burst of denials reloads the list once.
constexpr int ReloadDelayMs = 300;
constexpr int TickIntervalMs = 5000;

} // namespace

DenialsView::DenialsView(Client::ApproverClient *client, std::shared_ptr<const Clock> clock, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
    , m_model(new DenialsModel(std::move(clock), this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_reloadTimer(new QTimer(this))
    , m_tickTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("denialsView"));
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(DenialsModel::SortRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    m_counts = new QLabel(this);
    m_counts->setObjectName(QStringLiteral("denialCountsLabel"));
    m_counts->setWordWrap(true);
    QFont bold = m_counts->font();
    bold.setBold(true);
    m_counts->setFont(bold);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("denialsErrorLabel"));
    m_error->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_error->hide();

    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("denialsFilterEdit"));
    m_filter->setAccessibleName(tr("Filter denials"));
    m_filter->setPlaceholderText(tr("Filter by subject, resource, template, task or PEP"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    auto *refresh = new QPushButton(tr("&Refresh"), this);
    refresh->setObjectName(QStringLiteral("denialsRefreshButton"));
    connect(refresh, &QPushButton::clicked, this, &DenialsView::reload);
    m_open = new QPushButton(tr("&Open task"), this);
    m_open->setObjectName(QStringLiteral("openDenialTaskButton"));
    m_open->setEnabled(false);
    connect(m_open, &QPushButton::clicked, this, &DenialsView::openCurrent);

    m_view = makeTableView(this, QStringLiteral("denialsTable"), tr("Requestable denials"));
    m_view->setModel(m_proxy);
    m_view->sortByColumn(DenialsModel::TimeColumn, Qt::DescendingOrder);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setStretchLastSection(true);
    connect(m_view, &QTableView::activated, this, &DenialsView::openCurrent);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &current) {
        m_open->setEnabled(!current.data(DenialsModel::TaskIdRole).toString().isEmpty());
    });

    auto *toolbar = new QHBoxLayout;
    toolbar->addWidget(m_filter, 1);
    toolbar->addWidget(m_open);
    toolbar->addWidget(refresh);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_counts);
    layout->addWidget(m_error);
    layout->addLayout(toolbar);
    layout->addWidget(m_view, 1);

    m_reloadTimer->setSingleShot(true);
    m_reloadTimer->setInterval(ReloadDelayMs);
    connect(m_reloadTimer, &QTimer::timeout, this, &DenialsView::reload);
    m_tickTimer->setInterval(TickIntervalMs);
    connect(m_tickTimer, &QTimer::timeout, this, [this] {
        m_model->refreshTimes();
        updateCounts();
    });
    m_tickTimer->start();
    connect(m_model, &QAbstractItemModel::modelReset, this, &DenialsView::updateCounts);
    updateCounts();
}

void DenialsView::reload()
{
    if (!m_client)
        return;

    const quint64 generation = ++m_generation;
    // NOTE: the service returns the 100 newest denials and ignores cursor and limit so far, so
    // older denials are not reachable from here.
    m_client->listDenials({}, 0, this, [this, generation](const Result<QJsonObject> &result) {
        if (generation != m_generation)
            return;
        if (!result.ok()) {
            qCWarning(lcUi) << "loading the requestable denials failed:" << result.error().message;
            m_error->setText(tr("Loading the denials failed: %1").arg(result.error().message));
            m_error->show();
            return;
        }
        m_error->hide();
        QList<QJsonObject> denials;
        for (const QJsonValue &denial : result->value(u"denials").toArray())
            denials.append(denial.toObject());
        m_model->setDenials(denials);
    });
}

void DenialsView::applyEvent(const QJsonObject &event)
{
    const QString type = event.value(u"type").toString();
    if (type == u"evaluation.denied") {
        m_model->addHardDenial(event);
        updateCounts();
        return;
    }
    if (type == u"evaluation.denied.requestable" || type == u"task.created") {
        if (!m_reloadTimer->isActive())
            m_reloadTimer->start();
    }
}

void DenialsView::openCurrent()
{
    const QString taskId = m_view->currentIndex().data(DenialsModel::TaskIdRole).toString();
    if (!taskId.isEmpty())
        Q_EMIT openTaskRequested(taskId);
}

QString DenialsView::countsText() const
{
    return m_counts->text();
}

void DenialsView::updateCounts()
{
    const int total = m_model->rowCount();
    const int requested = m_model->withRequest();
    m_counts->setText(tr("%1 requestable denials: %2 followed by a request, %3 without one, %4 still open for a request · "
                         "%5 denials in the event history that could not be requested")
                          .arg(total)
                          .arg(requested)
                          .arg(total - requested)
                          .arg(m_model->hintsValid())
                          .arg(m_model->hardDenials()));
}

} // namespace Recourse::Ui
