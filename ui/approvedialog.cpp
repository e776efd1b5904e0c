#include "ui/approvedialog.h"

#include "core/base/rfc3339.h"
#include "ui/logging.h"
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
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace Recourse::Ui {

namespace {

// Typing in the scope editors sends one preview after the user pauses, not one per key.
constexpr int PreviewDelayMs = 250;
// The bound resource and action are part of every scope and cannot be removed.
constexpr int BoundRole = Qt::UserRole + 1;

QLabel *wrappingLabel(QWidget *parent, const QString &objectName)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

// A list of names with an input line and Add/Remove buttons under it.
QWidget *listEditor(QWidget *parent, QListWidget *list, QLineEdit *input, const QString &addText,
                    const std::function<void()> &add)
{
    auto *pane = new QWidget(parent);
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    list->setSelectionMode(QAbstractItemView::SingleSelection);
    layout->addWidget(list, 1);

    auto *addButton = new QPushButton(addText, pane);
    addButton->setObjectName(input->objectName() + QStringLiteral("AddButton"));
    addButton->setAccessibleName(addText);
    auto *removeButton = new QPushButton(QCoreApplication::translate("Recourse::Ui::ApproveDialog", "Remove"), pane);
    removeButton->setObjectName(input->objectName() + QStringLiteral("RemoveButton"));
    removeButton->setEnabled(false);
    QObject::connect(addButton, &QPushButton::clicked, pane, add);
    QObject::connect(input, &QLineEdit::returnPressed, pane, add);
    QObject::connect(list, &QListWidget::currentItemChanged, removeButton, [removeButton](QListWidgetItem *item) {
        removeButton->setEnabled(item && !item->data(BoundRole).toBool());
    });
    QObject::connect(removeButton, &QPushButton::clicked, list, [list] {
        QListWidgetItem *item = list->currentItem();
        if (item && !item->data(BoundRole).toBool())
            delete list->takeItem(list->row(item));
    });

    auto *row = new QHBoxLayout;
    row->addWidget(input, 1);
    row->addWidget(addButton);
    row->addWidget(removeButton);
    layout->addLayout(row);
    return pane;
}

QStringList listEntries(const QListWidget *list)
{
    QStringList entries;
    for (int i = 0; i < list->count(); ++i)
        entries.append(list->item(i)->data(Qt::UserRole).toString());
    return entries;
}

} // namespace

ApproveDialog::ApproveDialog(Client::ApproverClient *client, const QJsonObject &task, std::shared_ptr<const Clock> clock,
                             QWidget *parent)
    : QDialog(parent)
    , m_client(client)
    , m_task(task)
    , m_clock(clock ? std::move(clock) : std::make_shared<SystemClock>())
    , m_resourceType(task.value(u"resource").toObject().value(u"type").toString())
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
    layout->addWidget(isBulk() ? buildItemsBox() : buildScopeBox(), 1);
    layout->addLayout(form);
    layout->addWidget(buildPreviewBox(), 2);
    layout->addWidget(m_buttons);

    m_previewTimer->setSingleShot(true);
    m_previewTimer->setInterval(PreviewDelayMs);
    connect(m_previewTimer, &QTimer::timeout, this, &ApproveDialog::requestPreview);
    connect(m_duration, &QComboBox::currentIndexChanged, this, &ApproveDialog::schedulePreview);
    resize(760, 640);
    requestPreview();
}

ApproveDialog::~ApproveDialog() = default;

bool ApproveDialog::isBulk() const
{
    return !m_task.value(u"items").toArray().isEmpty();
}

QGroupBox *ApproveDialog::buildScopeBox()
{
    auto *box = new QGroupBox(tr("Scope"), this);
    auto *layout = new QHBoxLayout(box);

    m_resources = new QListWidget(box);
    m_resources->setObjectName(QStringLiteral("scopeResourceList"));
    m_resources->setAccessibleName(tr("Resources in the scope"));
    m_resourceInput = new QLineEdit(box);
    m_resourceInput->setObjectName(QStringLiteral("scopeResource"));
    m_resourceInput->setAccessibleName(tr("Resource id to add"));
    m_resourceInput->setPlaceholderText(tr("Another %1 id").arg(m_resourceType));
    auto *resourcesPane = listEditor(box, m_resources, m_resourceInput, tr("Add resource"), [this] {
        addResource(m_resourceInput->text());
        m_resourceInput->clear();
    });

    m_actions = new QListWidget(box);
    m_actions->setObjectName(QStringLiteral("scopeActionList"));
    m_actions->setAccessibleName(tr("Actions in the scope"));
    m_actionInput = new QLineEdit(box);
    m_actionInput->setObjectName(QStringLiteral("scopeAction"));
    m_actionInput->setAccessibleName(tr("Action name to add"));
    m_actionInput->setPlaceholderText(tr("Another action"));
    auto *actionsPane = listEditor(box, m_actions, m_actionInput, tr("Add action"), [this] {
        addAction(m_actionInput->text());
        m_actionInput->clear();
    });

    const QJsonObject resource = m_task.value(u"resource").toObject();
    auto *boundResource = new QListWidgetItem(tr("%1 (requested)").arg(TaskText::entity(resource)), m_resources);
    boundResource->setData(Qt::UserRole, resource.value(u"id").toString());
    boundResource->setData(BoundRole, true);
    const QString action = TaskText::action(m_task.value(u"action").toObject());
    auto *boundAction = new QListWidgetItem(tr("%1 (requested)").arg(action), m_actions);
    boundAction->setData(Qt::UserRole, action);
    boundAction->setData(BoundRole, true);
    // Removing an entry changes the scope as much as adding one does.
    connect(m_resources->model(), &QAbstractItemModel::rowsRemoved, this, &ApproveDialog::schedulePreview);
    connect(m_actions->model(), &QAbstractItemModel::rowsRemoved, this, &ApproveDialog::schedulePreview);

    auto *resourcesBox = new QVBoxLayout;
    resourcesBox->addWidget(new QLabel(tr("Resources (type %1)").arg(m_resourceType), box));
    resourcesBox->addWidget(resourcesPane);
    auto *actionsBox = new QVBoxLayout;
    actionsBox->addWidget(new QLabel(tr("Actions"), box));
    actionsBox->addWidget(actionsPane);
    layout->addLayout(resourcesBox, 3);
    layout->addLayout(actionsBox, 2);
    return box;
}

QGroupBox *ApproveDialog::buildItemsBox()
{
    auto *box = new QGroupBox(tr("Items to approve"), this);
    auto *layout = new QVBoxLayout(box);
    m_items = new QListWidget(box);
    m_items->setObjectName(QStringLiteral("scopeItemList"));
    m_items->setAccessibleName(tr("Items to approve"));
    const QJsonArray items = m_task.value(u"items").toArray();
    for (int i = 0; i < items.size(); ++i) {
        const QJsonObject item = items.at(i).toObject();
        const QString status = item.value(u"status").toString(QStringLiteral("pending"));
        auto *entry = new QListWidgetItem(tr("%1 %2 — %3")
                                              .arg(TaskText::action(item.value(u"action").toObject()),
                                                   TaskText::entity(item.value(u"resource").toObject()),
                                                   TaskText::status(status)),
                                          m_items);
        entry->setData(Qt::UserRole, i);
        // Only pending items can still be decided.
        entry->setFlags(status == u"pending" ? Qt::ItemIsEnabled | Qt::ItemIsUserCheckable : Qt::NoItemFlags);
        entry->setCheckState(status == u"pending" ? Qt::Checked : Qt::Unchecked);
    }
    connect(m_items, &QListWidget::itemChanged, this, [this] {
        updateButtons();
        schedulePreview();
    });
    layout->addWidget(new QLabel(tr("Uncheck the items this approval should leave pending."), box));
    layout->addWidget(m_items);
    return box;
}

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
    const QJsonValue requested = m_task.value(u"requested_access").toObject().value(u"requested_until");
    const qint64 requestedMs = TaskText::timeMs(requested);
    if (requestedMs >= 0)
        m_duration->addItem(tr("As requested, until %1").arg(TaskText::localTime(requested)), AsRequested);
    m_duration->addItem(tr("The template's default"), TemplateDefault);
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
    const QString trimmed = id.trimmed();
    if (!m_resources || trimmed.isEmpty() || listEntries(m_resources).contains(trimmed))
        return;

    auto *item = new QListWidgetItem(tr("%1 %2").arg(m_resourceType, trimmed), m_resources);
    item->setData(Qt::UserRole, trimmed);
    schedulePreview();
}

void ApproveDialog::addAction(const QString &name)
{
    const QString trimmed = name.trimmed();
    if (!m_actions || trimmed.isEmpty() || listEntries(m_actions).contains(trimmed))
        return;

    auto *item = new QListWidgetItem(trimmed, m_actions);
    item->setData(Qt::UserRole, trimmed);
    schedulePreview();
}

void ApproveDialog::setComment(const QString &comment)
{
    m_comment->setText(comment);
}

QJsonObject ApproveDialog::scope() const
{
    const QStringList resources = m_resources ? listEntries(m_resources) : QStringList();
    const QStringList actions = m_actions ? listEntries(m_actions) : QStringList();
    if (resources.size() <= 1 && actions.size() <= 1)
        return {{QStringLiteral("mode"), QStringLiteral("exact")}};

    QJsonArray resourceList;
    for (const QString &id : resources)
        resourceList.append(QJsonObject{{QStringLiteral("type"), m_resourceType}, {QStringLiteral("id"), id}});
    return {{QStringLiteral("mode"), QStringLiteral("broadened")},
            {QStringLiteral("resources"), resourceList},
            {QStringLiteral("actions"), QJsonArray::fromStringList(actions)}};
}

QList<int> ApproveDialog::chosenItems() const
{
    QList<int> chosen;
    if (!m_items)
        return chosen;
    for (int i = 0; i < m_items->count(); ++i) {
        if (m_items->item(i)->checkState() == Qt::Checked)
            chosen.append(m_items->item(i)->data(Qt::UserRole).toInt());
    }
    return chosen;
}

QString ApproveDialog::approvedUntil() const
{
    const int minutes = m_duration->currentData().toInt();
    if (minutes == AsRequested)
        return m_task.value(u"requested_access").toObject().value(u"requested_until").toString();
    if (minutes == TemplateDefault)
        return {};
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
    if (isBulk()) {
        QJsonArray items;
        for (const int position : chosenItems())
            items.append(position);
        body.insert(QStringLiteral("items"), items);
    }
    return body;
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
    const bool itemsChosen = !isBulk() || !chosenItems().isEmpty();
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
