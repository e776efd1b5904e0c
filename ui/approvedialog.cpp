#include "ui/approvedialog.h"

#include "core/base/rfc3339.h"
#include "ui/logging.h"
#include "ui/scopeeditor.h"
#include "ui/scopepreviewmodel.h"
#include "ui/scopetext.h"
#include "ui/tasktext.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace Recourse::Ui {

namespace {

// Typing in the scope editors sends one preview after the user pauses, not one per key.
constexpr int PreviewDelayMs = 250;
QLabel *wrappingLabel(QWidget *parent, const QString &objectName)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

} // namespace

ApproveDialog::ApproveDialog(Client::ApproverClient *client, const QJsonObject &task, std::shared_ptr<const Clock> clock,
                             QWidget *parent)
    : QDialog(parent)
    , m_client(client)
    , m_task(task)
    , m_clock(clock ? std::move(clock) : std::make_shared<SystemClock>())
    , m_scope(new ScopeEditor(task, this))
    , m_previewModel(new ScopePreviewModel(this))
    , m_previewTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("approveDialog"));
    setWindowTitle(tr("Approve with an edited scope"));

    auto *request = wrappingLabel(this, QStringLiteral("requestLabel"));
    request->setText(tr("%1 asked to %2 %3.")
                         .arg(TaskText::actorChain(task), TaskText::taskAction(task), TaskText::taskResource(task)));

    m_duration = new QComboBox(this);
    m_duration->setObjectName(QStringLiteral("durationCombo"));
    m_duration->setAccessibleName(tr("Approval duration"));
    fillDurations();
    m_comment = new QLineEdit(this);
    m_comment->setObjectName(QStringLiteral("scopeCommentEdit"));
    m_comment->setAccessibleName(tr("Approval comment"));
    m_comment->setPlaceholderText(tr("Optional comment for the approval"));
    auto *form = new QFormLayout;
    form->addRow(tr("&Duration:"), m_duration);
    form->addRow(tr("&Comment:"), m_comment);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_approve = m_buttons->addButton(tr("&Approve"), QDialogButtonBox::AcceptRole);
    m_approve->setObjectName(QStringLiteral("approveScopeButton"));
    m_approve->setAccessibleName(tr("Approve with this scope"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ApproveDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(request);
    layout->addWidget(m_scope, 1);
    layout->addLayout(form);
    layout->addWidget(buildPreviewBox(), 2);
    layout->addWidget(m_buttons);

    m_previewTimer->setSingleShot(true);
    m_previewTimer->setInterval(PreviewDelayMs);
    connect(m_previewTimer, &QTimer::timeout, this, &ApproveDialog::requestPreview);
    connect(m_duration, &QComboBox::currentIndexChanged, this, &ApproveDialog::schedulePreview);
    connect(m_scope, &ScopeEditor::changed, this, &ApproveDialog::schedulePreview);
    resize(760, 640);
    requestPreview();
}

ApproveDialog::~ApproveDialog() = default;

QGroupBox *ApproveDialog::buildPreviewBox()
{
    auto *box = new QGroupBox(tr("What this approval would unlock"), this);
    auto *layout = new QVBoxLayout(box);
    m_grant = wrappingLabel(box, QStringLiteral("grantLabel"));
    QFont bold = m_grant->font();
    bold.setBold(true);
    m_grant->setFont(bold);
    m_counts = wrappingLabel(box, QStringLiteral("previewCountsLabel"));
    m_error = wrappingLabel(box, QStringLiteral("previewErrorLabel"));
    m_error->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_error->hide();

    m_previewView = new QTableView(box);
    m_previewView->setObjectName(QStringLiteral("previewView"));
    m_previewView->setAccessibleName(tr("Scope preview"));
    m_previewView->setModel(m_previewModel);
    m_previewView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_previewView->setAlternatingRowColors(true);
    m_previewView->setShowGrid(false);
    m_previewView->verticalHeader()->hide();
    m_previewView->horizontalHeader()->setStretchLastSection(true);
    m_previewView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    layout->addWidget(m_grant);
    layout->addWidget(m_counts);
    layout->addWidget(m_error);
    layout->addWidget(m_previewView, 1);
    return box;
}

void ApproveDialog::fillDurations()
{
    // An end that has passed cannot be granted, so the approver picks a new one.
    const QJsonValue requested = m_task.value(u"requested_access").toObject().value(u"requested_until");
    const qint64 requestedMs = TaskText::timeMs(requested);
    if (requestedMs > m_clock->nowMs())
        m_duration->addItem(tr("As requested, until %1").arg(TaskText::localTime(requested)), AsRequested);
    const qint64 defaultSeconds = templateDefaultSeconds();
    m_duration->addItem(defaultSeconds > 0 ? tr("The template's default, %1").arg(TaskText::duration(defaultSeconds * 1000))
                                           : tr("The template's default"),
                        TemplateDefault);
    const QList<QPair<int, QString>> choices{{15, tr("15 minutes")}, {30, tr("30 minutes")}, {60, tr("1 hour")},
                                             {120, tr("2 hours")},   {240, tr("4 hours")},   {480, tr("8 hours")}};
    for (const auto &[minutes, label] : choices)
        m_duration->addItem(label, minutes);
}

bool ApproveDialog::setDurationMinutes(int minutes)
{
    const int index = m_duration->findData(minutes);
    if (index < 0)
        return false;
    m_duration->setCurrentIndex(index);
    return true;
}

void ApproveDialog::addResource(const QString &id)
{
    m_scope->addResource(id);
}

void ApproveDialog::addAction(const QString &name)
{
    m_scope->addAction(name);
}

QJsonObject ApproveDialog::scope() const
{
    return m_scope->scope();
}

QList<int> ApproveDialog::chosenItems() const
{
    return m_scope->chosenItems();
}

void ApproveDialog::setComment(const QString &comment)
{
    m_comment->setText(comment);
}

qint64 ApproveDialog::templateDefaultSeconds() const
{
    return qint64(m_task.value(u"approval_limits").toObject().value(u"default_duration_seconds").toDouble());
}

QString ApproveDialog::approvedUntil() const
{
    const int minutes = m_duration->currentData().toInt();
    if (minutes == AsRequested)
        return m_task.value(u"requested_access").toObject().value(u"requested_until").toString();
    // Sent as an explicit end: without one the service grants the PEP's requested_until instead.
    // An older service names no limits, and then the service's default applies.
    if (minutes == TemplateDefault) {
        const qint64 defaultSeconds = templateDefaultSeconds();
        return defaultSeconds > 0 ? Rfc3339::format(m_clock->nowMs() + defaultSeconds * 1000) : QString();
    }
    return Rfc3339::format(m_clock->nowMs() + qint64(minutes) * 60 * 1000);
}

qint64 ApproveDialog::approvedUntilMs() const
{
    // The service caps the end at the template's maximum, and the preview reports the capped end.
    const qint64 previewed = TaskText::timeMs(m_preview.value(u"approved_until"));
    if (previewed >= 0)
        return previewed;
    return TaskText::timeMs(QJsonValue(approvedUntil()));
}

QJsonObject ApproveDialog::approveBody() const
{
    QJsonObject body{{QStringLiteral("scope"), scope()}};
    const QString until = approvedUntil();
    if (!until.isEmpty())
        body.insert(QStringLiteral("approved_until"), until);
    const QString comment = m_comment->text().trimmed();
    if (!comment.isEmpty())
        body.insert(QStringLiteral("comment"), comment);
    insertChosenItems(body);
    return body;
}

void ApproveDialog::insertChosenItems(QJsonObject &body) const
{
    if (!m_scope->isBulk())
        return;
    QJsonArray items;
    for (const int position : chosenItems())
        items.append(position);
    body.insert(QStringLiteral("items"), items);
}

bool ApproveDialog::isBroaderThanRequest() const
{
    if (!ScopeText::additions(m_task, scope()).isEmpty())
        return true;

    const qint64 requestedMs = TaskText::timeMs(m_task.value(u"requested_access").toObject().value(u"requested_until"));
    const qint64 untilMs = approvedUntilMs();
    return requestedMs >= 0 && untilMs > requestedMs;
}

QString ApproveDialog::grantText() const
{
    return ScopeText::grant(m_task, scope(), approvedUntilMs(), m_clock->nowMs(), chosenItems());
}

void ApproveDialog::schedulePreview()
{
    // Whatever is shown describes earlier choices until the next response arrives.
    ++m_generation;
    m_preview = {};
    updateButtons();
    m_previewTimer->start();
}

void ApproveDialog::requestPreview()
{
    if (!m_client)
        return;

    QJsonObject body{{QStringLiteral("task_id"), m_task.value(u"id").toString()},
                     {QStringLiteral("scope"), scope()}};
    const QString until = approvedUntil();
    if (!until.isEmpty())
        body.insert(QStringLiteral("approved_until"), until);
    // The preview of a bulk task lists only the items that stay checked.
    insertChosenItems(body);

    const quint64 generation = ++m_generation;
    m_previewInFlight = true;
    updateButtons();
    m_client->preview(body, this, [this, generation](const Result<QJsonObject> &result) { onPreview(result, generation); });
}

void ApproveDialog::onPreview(const Result<QJsonObject> &result, quint64 generation)
{
    // Only the response to the latest choices counts, because older ones describe a scope no longer shown.
    if (generation != m_generation)
        return;

    m_previewInFlight = false;
    if (!result.ok()) {
        qCWarning(lcUi) << "preview of task" << m_task.value(u"id").toString() << "failed:" << result.error().message;
        m_preview = {};
        m_previewError = result.error().message;
        m_previewModel->clear();
    } else {
        m_preview = result.value();
        m_previewError.clear();
        m_previewModel->setPreview(m_preview);
    }
    updateButtons();
    Q_EMIT previewUpdated(m_preview);
}

void ApproveDialog::updateButtons()
{
    const bool previewed = !m_preview.isEmpty();
    const bool itemsChosen = !m_scope->isBulk() || !chosenItems().isEmpty();
    m_approve->setEnabled(previewed && itemsChosen);

    m_error->setText(m_previewError);
    m_error->setVisible(!m_previewError.isEmpty());
    if (!previewed) {
        m_grant->setText(m_previewError.isEmpty() ? tr("Checking what this scope would unlock…") : QString());
        m_counts->clear();
        return;
    }

    m_grant->setText(tr("If approved: %1.").arg(grantText()));
    const int unlocked = m_previewModel->count(QStringLiteral("unlocked"));
    const int permitted = m_previewModel->count(QStringLiteral("already_permitted"));
    const int denied = m_previewModel->count(QStringLiteral("still_denied"));
    QString counts = tr("%1 unlocked · %2 already permitted · %3 still denied by policy").arg(unlocked).arg(permitted).arg(denied);
    if (denied > 0)
        counts += tr(" — the approval does not change what policy still denies.");
    m_counts->setText(counts);
}

void ApproveDialog::accept()
{
    if (!m_approve->isEnabled())
        return;
    if (!isBroaderThanRequest()) {
        QDialog::accept();
        return;
    }

    // open() instead of exec(): no nested event loop, and the box dies with the dialog.
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Grant a broader scope?"),
                                tr("This grants more than was requested:\n\n%1.\n\nAdded beyond the request: %2.")
                                    .arg(grantText(), ScopeText::additions(m_task, scope()).isEmpty()
                                                          ? tr("a later end than requested")
                                                          : ScopeText::list(ScopeText::additions(m_task, scope()))),
                                QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmBroadScope"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *grant = box->addButton(tr("&Grant broader scope"), QMessageBox::AcceptRole);
    grant->setObjectName(QStringLiteral("confirmGrantButton"));
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::finished, this, [this, box, grant] {
        if (box->clickedButton() == grant)
            QDialog::accept();
    });
    m_confirmation = box;
    box->open();
}

} // namespace Recourse::Ui
