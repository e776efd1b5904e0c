#include "ui/auditview.h"

#include "core/base/rfc3339.h"
#include "ui/auditmodel.h"
#include "ui/logging.h"
#include "ui/viewhelpers.h"

#include <QCheckBox>
#include <QDateTimeEdit>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace Recourse::Ui {

namespace {

// The service returns at most this many records per call.
constexpr int ServicePageSize = 1000;

QLineEdit *searchEdit(QWidget *parent, const QString &objectName, const QString &accessibleName)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(objectName);
    edit->setAccessibleName(accessibleName);
    edit->setPlaceholderText(accessibleName);
    edit->setClearButtonEnabled(true);
    return edit;
}

QDateTimeEdit *timeEdit(QWidget *parent, const QString &objectName, const QString &accessibleName)
{
    auto *edit = new QDateTimeEdit(QDateTime::currentDateTime(), parent);
    edit->setObjectName(objectName);
    edit->setAccessibleName(accessibleName);
    edit->setCalendarPopup(true);
    edit->setEnabled(false);
    return edit;
}

bool chainMatches(const QList<QJsonObject> &chain, const QString &approver, const QString &resource)
{
    const bool approverFound = approver.isEmpty() || std::any_of(chain.cbegin(), chain.cend(), [&approver](const QJsonObject &r) {
                                   return r.value(u"actor").toString().compare(approver, Qt::CaseInsensitive) == 0;
                               });
    const bool resourceFound = resource.isEmpty() || AuditModel::resourceOf(chain).contains(resource, Qt::CaseInsensitive);
    return approverFound && resourceFound;
}

} // namespace

AuditView::AuditView(Client::ApproverClient *client, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
    , m_model(new AuditModel(this))
{
    setObjectName(QStringLiteral("auditView"));

    m_tree = new QTreeView(this);
    m_tree->setObjectName(QStringLiteral("auditTree"));
    m_tree->setAccessibleName(tr("Audit chains"));
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tree->header()->setSectionResizeMode(QHeaderView::Interactive);
    m_tree->header()->setStretchLastSection(true);
    // Escalation ids are "evl_" and 26 characters; the indentation of the records comes on top.
    const QList<QPair<int, QString>> samples{{AuditModel::SeqColumn, QStringLiteral("evl_00000000000000000000000000")},
                                             {AuditModel::TimeColumn, QStringLiteral("04/12/2026 23:59")},
                                             {AuditModel::TypeColumn, QStringLiteral("evaluation.denied")},
                                             {AuditModel::ActorColumn, QStringLiteral("support-agent")},
                                             {AuditModel::SubjectColumn, QStringLiteral("support-agent")},
                                             {AuditModel::ResourceColumn, QStringLiteral("log payments-provider")}};
    // Escalation rows are bold, so they set the widths.
    QFont bold = m_tree->font();
    bold.setBold(true);
    const QFontMetrics metrics(bold);
    for (const auto &[column, sample] : samples) {
        const int indentation = column == AuditModel::SeqColumn ? m_tree->indentation() : 0;
        m_tree->header()->resizeSection(column, columnWidthFor(metrics, sample) + indentation);
    }
    connect(m_tree, &QTreeView::activated, this, [this](const QModelIndex &index) {
        const QString taskId = index.data(AuditModel::TaskIdRole).toString();
        if (!taskId.isEmpty())
            Q_EMIT openTaskRequested(taskId);
    });

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("auditStatusLabel"));
    m_verification = new QLabel(tr("The hash chain has not been verified in this session."), this);
    m_verification->setObjectName(QStringLiteral("auditVerifyLabel"));
    m_verification->setWordWrap(true);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(buildFilters());
    layout->addWidget(m_verification);
    layout->addWidget(m_tree, 1);
    layout->addWidget(m_status);
}

QWidget *AuditView::buildFilters()
{
    auto *pane = new QWidget(this);
    m_subject = searchEdit(pane, QStringLiteral("auditSubjectEdit"), tr("Subject"));
    m_approver = searchEdit(pane, QStringLiteral("auditApproverEdit"), tr("Approver"));
    m_resource = searchEdit(pane, QStringLiteral("auditResourceEdit"), tr("Resource"));
    m_useSince = new QCheckBox(tr("Since"), pane);
    m_useSince->setObjectName(QStringLiteral("auditSinceCheck"));
    m_since = timeEdit(pane, QStringLiteral("auditSinceEdit"), tr("Records since"));
    m_since->setDateTime(QDateTime::currentDateTime().addDays(-1));
    m_useUntil = new QCheckBox(tr("Until"), pane);
    m_useUntil->setObjectName(QStringLiteral("auditUntilCheck"));
    m_until = timeEdit(pane, QStringLiteral("auditUntilEdit"), tr("Records until"));
    connect(m_useSince, &QCheckBox::toggled, m_since, &QWidget::setEnabled);
    connect(m_useUntil, &QCheckBox::toggled, m_until, &QWidget::setEnabled);
    for (QLineEdit *edit : {m_subject, m_approver, m_resource})
        connect(edit, &QLineEdit::returnPressed, this, &AuditView::search);

    auto *searchButton = new QPushButton(tr("&Search"), pane);
    searchButton->setObjectName(QStringLiteral("auditSearchButton"));
    searchButton->setDefault(true);
    connect(searchButton, &QPushButton::clicked, this, &AuditView::search);
    auto *verifyButton = new QPushButton(tr("&Verify chain"), pane);
    verifyButton->setObjectName(QStringLiteral("auditVerifyButton"));
    verifyButton->setToolTip(tr("Recompute every record's hash on the service and report the first broken link"));
    connect(verifyButton, &QPushButton::clicked, this, &AuditView::verify);
    auto *exportButton = new QPushButton(tr("&Export"), pane);
    exportButton->setObjectName(QStringLiteral("auditExportButton"));
    auto *exportMenu = new QMenu(exportButton);
    exportMenu->addAction(tr("JSON Lines…"), this, [this] { chooseExportFile(AuditExport::Format::JsonLines); });
    exportMenu->addAction(tr("CSV…"), this, [this] { chooseExportFile(AuditExport::Format::Csv); });
    exportButton->setMenu(exportMenu);

    auto *grid = new QGridLayout(pane);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addWidget(m_subject, 0, 0);
    grid->addWidget(m_approver, 0, 1);
    grid->addWidget(m_resource, 0, 2);
    grid->addWidget(searchButton, 0, 3);
    auto *times = new QHBoxLayout;
    times->addWidget(m_useSince);
    times->addWidget(m_since, 1);
    times->addWidget(m_useUntil);
    times->addWidget(m_until, 1);
    grid->addLayout(times, 1, 0, 1, 3);
    auto *tools = new QHBoxLayout;
    tools->addWidget(verifyButton);
    tools->addWidget(exportButton);
    grid->addLayout(tools, 1, 3);
    return pane;
}

void AuditView::setSubjectFilter(const QString &subject)
{
    m_subject->setText(subject);
}

void AuditView::setApproverFilter(const QString &approver)
{
    m_approver->setText(approver);
}

void AuditView::setResourceFilter(const QString &resource)
{
    m_resource->setText(resource);
}

QString AuditView::statusText() const
{
    return m_status->text();
}

QString AuditView::verificationText() const
{
    return m_verification->text();
}

Client::AuditQuery AuditView::query() const
{
    Client::AuditQuery query;
    query.subject = m_subject->text().trimmed();
    if (m_useSince->isChecked())
        query.since = Rfc3339::format(m_since->dateTime().toMSecsSinceEpoch());
    if (m_useUntil->isChecked())
        query.until = Rfc3339::format(m_until->dateTime().toMSecsSinceEpoch());
    return query;
}

void AuditView::search()
{
    if (!m_client)
        return;

    m_loaded.clear();
    m_truncated = false;
    m_loading = true;
    m_status->setText(tr("Loading…"));
    requestPage(0, ++m_generation);
}

void AuditView::requestPage(qint64 afterSeq, quint64 generation)
{
    Client::AuditQuery page = query();
    page.afterSeq = afterSeq;
    m_client->audit(page, this, [this, generation](const Result<QJsonObject> &result) {
        if (generation != m_generation)
            return;
        if (!result.ok()) {
            qCWarning(lcUi) << "loading the audit log failed:" << result.error().message;
            m_loading = false;
            m_status->setText(tr("Loading the audit log failed: %1").arg(result.error().message));
            Q_EMIT searchFinished();
            return;
        }

        const QJsonArray records = result->value(u"records").toArray();
        for (const QJsonValue &record : records)
            m_loaded.append(record.toObject());
        const qint64 lastSeq = records.isEmpty() ? 0 : records.last().toObject().value(u"seq").toInteger();
        if (records.size() >= ServicePageSize && m_loaded.size() < MaxRecords && lastSeq > 0) {
            requestPage(lastSeq, generation);
            return;
        }
        m_truncated = records.size() >= ServicePageSize;
        m_loading = false;
        showRecords();
        Q_EMIT searchFinished();
    });
}

void AuditView::showRecords()
{
    QHash<QString, QList<QJsonObject>> chains;
    QStringList order;
    for (const QJsonObject &record : std::as_const(m_loaded)) {
        QString key = record.value(u"evaluation_id").toString();
        if (key.isEmpty())
            key = record.value(u"task_id").toString();
        if (key.isEmpty())
            key = QString::number(record.value(u"seq").toInteger());
        if (!chains.contains(key))
            order.append(key);
        chains[key].append(record);
    }

    const QString approver = m_approver->text().trimmed();
    const QString resource = m_resource->text().trimmed();
    QList<QJsonObject> shown;
    for (const QString &key : std::as_const(order)) {
        if (chainMatches(chains.value(key), approver, resource))
            shown.append(chains.value(key));
    }
    m_model->setRecords(shown);
    m_model->setBrokenSeq(m_brokenSeq);
    m_tree->expandAll();

    QString status = tr("%1 escalations, %2 records").arg(m_model->escalationCount()).arg(shown.size());
    if (m_truncated)
        status += tr(" — only the first %1 records were loaded; narrow the search to see the rest.").arg(m_loaded.size());
    m_status->setText(status);
}

void AuditView::verify()
{
    if (!m_client)
        return;

    m_verification->setText(tr("Verifying the hash chain…"));
    m_client->verifyAudit(this, [this](const Result<QJsonObject> &result) {
        if (!result.ok()) {
            m_verification->setText(tr("Verification failed: %1").arg(result.error().message));
            m_verification->setStyleSheet(QStringLiteral("color: #b3261e;"));
            Q_EMIT verifyFinished(false);
            return;
        }

        const bool ok = result->value(u"ok").toBool();
        const qint64 records = result->value(u"records").toInteger();
        m_brokenSeq = ok ? 0 : result->value(u"first_broken_seq").toInteger();
        m_model->setBrokenSeq(m_brokenSeq);
        if (ok) {
            m_verification->setText(tr("The hash chain is intact: %1 records verified.").arg(records));
            m_verification->setStyleSheet(QStringLiteral("color: #1b7f3b;"));
        } else {
            const QString message = result->value(u"message").toString();
            m_verification->setText(tr("The hash chain is broken. First broken link: record %1%2.")
                                        .arg(m_brokenSeq)
                                        .arg(message.isEmpty() ? QString() : tr(" (%1)").arg(message)));
            m_verification->setStyleSheet(QStringLiteral("color: #b3261e; font-weight: bold;"));
            const QModelIndex broken = m_model->indexOfSeq(m_brokenSeq);
            if (broken.isValid()) {
                m_tree->setCurrentIndex(broken);
                m_tree->scrollTo(broken);
            }
        }
        Q_EMIT verifyFinished(ok);
    });
}

bool AuditView::exportTo(const QString &path, AuditExport::Format format)
{
    const QList<QJsonObject> records = m_model->records();
    const Result<void> written = AuditExport::write(path, records, format);
    if (!written.ok()) {
        m_status->setText(written.error().message);
        return false;
    }
    m_status->setText(tr("Exported %1 records to %2.").arg(records.size()).arg(path));
    return true;
}

void AuditView::chooseExportFile(AuditExport::Format format)
{
    const bool csv = format == AuditExport::Format::Csv;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export audit records"),
                                                      csv ? QStringLiteral("recourse-audit.csv") : QStringLiteral("recourse-audit.jsonl"),
                                                      csv ? tr("CSV (*.csv)") : tr("JSON Lines (*.jsonl)"));
    if (!path.isEmpty())
        exportTo(path, format);
}

} // namespace Recourse::Ui
