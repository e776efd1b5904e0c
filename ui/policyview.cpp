#include "ui/policyview.h"

#include "core/json/json.h"
#include "ui/logging.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Recourse::Ui {

namespace {

QLabel *textLabel(QWidget *parent, const QString &objectName)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

QTreeWidget *listTree(QWidget *parent, const QString &objectName, const QString &accessibleName, const QStringList &headers)
{
    auto *tree = new QTreeWidget(parent);
    tree->setObjectName(objectName);
    tree->setAccessibleName(accessibleName);
    tree->setHeaderLabels(headers);
    tree->setRootIsDecorated(false);
    tree->setAlternatingRowColors(true);
    tree->setWordWrap(true);
    tree->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    tree->header()->setStretchLastSection(true);
    return tree;
}

QStringList listTexts(const QListWidget *list)
{
    QStringList texts;
    for (int i = 0; i < list->count(); ++i)
        texts.append(list->item(i)->text());
    return texts;
}

QString effectText(const QString &effect, const QString &templateName)
{
    if (effect == u"permit")
        return PolicyView::tr("Permit");
    if (effect == u"forbid")
        return PolicyView::tr("Deny: forbidden (no approval can override it)");
    if (effect == u"requestable")
        return PolicyView::tr("Deny, requestable through template %1").arg(templateName);
    if (effect == u"deny")
        return PolicyView::tr("Deny: no rule matched, so the default deny applies");
    return effect;
}

QString effectColor(const QString &effect)
{
    if (effect == u"permit")
        return QStringLiteral("#1b7f3b");
    if (effect == u"requestable")
        return QStringLiteral("#9a6700");
    return QStringLiteral("#b3261e");
}

} // namespace

PolicyView::PolicyView(Client::ApproverClient *client, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
    , m_refreshTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("policyView"));
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("policySplitter"));
    splitter->addWidget(buildStatusPane());
    splitter->addWidget(buildTestPane());
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    splitter->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(splitter);

    m_refreshTimer->setInterval(StatusRefreshMs);
    connect(m_refreshTimer, &QTimer::timeout, this, &PolicyView::refresh);
}

QWidget *PolicyView::buildStatusPane()
{
    auto *box = new QGroupBox(tr("Loaded policy"), this);
    auto *layout = new QVBoxLayout(box);
    m_status = textLabel(box, QStringLiteral("policyStatusLabel"));
    m_reloadState = textLabel(box, QStringLiteral("policyReloadLabel"));
    QFont bold = m_reloadState->font();
    bold.setBold(true);
    m_reloadState->setFont(bold);
    m_files = new QListWidget(box);
    m_files->setObjectName(QStringLiteral("policyFileList"));
    m_files->setAccessibleName(tr("Loaded policy files"));
    m_errors = listTree(box, QStringLiteral("policyErrorList"), tr("Errors of the last reload"),
                        {tr("File"), tr("Line"), tr("Problem")});
    auto *refresh = new QPushButton(tr("&Refresh"), box);
    refresh->setObjectName(QStringLiteral("policyRefreshButton"));
    connect(refresh, &QPushButton::clicked, this, &PolicyView::refresh);

    layout->addWidget(m_status);
    layout->addWidget(m_reloadState);
    layout->addWidget(new QLabel(tr("Files"), box));
    layout->addWidget(m_files, 1);
    layout->addWidget(new QLabel(tr("Errors of the last reload"), box));
    layout->addWidget(m_errors, 1);
    layout->addWidget(refresh, 0, Qt::AlignRight);
    return box;
}

QWidget *PolicyView::buildTestPane()
{
    auto *box = new QGroupBox(tr("Test a request"), this);
    auto *layout = new QVBoxLayout(box);
    m_request = new QPlainTextEdit(box);
    m_request->setObjectName(QStringLiteral("policyRequestEdit"));
    m_request->setAccessibleName(tr("Evaluation request as JSON"));
    m_request->setTabChangesFocus(true);
    m_request->setPlaceholderText(tr("An AuthZEN evaluation request as JSON. The policy's example appears here once it "
                                     "loads, and \"Use shown task\" copies the evaluation of the task shown in the inbox."));
    QFont mono = QFont(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    m_request->setFont(mono);

    auto *explainButton = new QPushButton(tr("E&xplain"), box);
    explainButton->setObjectName(QStringLiteral("policyExplainButton"));
    explainButton->setToolTip(tr("Decide this request with the current policy and show why (Ctrl+Return)"));
    explainButton->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    connect(explainButton, &QPushButton::clicked, this, &PolicyView::explain);
    m_useTask = new QPushButton(tr("Use &shown task"), box);
    m_useTask->setObjectName(QStringLiteral("policyUseTaskButton"));
    m_useTask->setToolTip(tr("Copy the bound evaluation of the task shown in the inbox"));
    m_useTask->setEnabled(false);
    connect(m_useTask, &QPushButton::clicked, this, [this] {
        QJsonObject request;
        for (const auto member : {u"subject", u"resource", u"action", u"context"})
            request.insert(QString::fromUtf16(member), m_currentTask.value(member));
        setRequest(request);
    });

    m_decision = textLabel(box, QStringLiteral("policyDecisionLabel"));
    QFont large = m_decision->font();
    large.setBold(true);
    large.setPointSizeF(large.pointSizeF() * 1.2);
    m_decision->setFont(large);
    m_explanation = textLabel(box, QStringLiteral("policyExplanationLabel"));
    m_matches = listTree(box, QStringLiteral("policyMatchList"), tr("Matching rules"),
                         {tr("Rule"), tr("Effect"), tr("Where"), tr("Description")});

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_useTask);
    buttons->addStretch();
    buttons->addWidget(explainButton);
    layout->addWidget(new QLabel(tr("AuthZEN evaluation request"), box));
    layout->addWidget(m_request, 2);
    layout->addLayout(buttons);
    layout->addWidget(m_decision);
    layout->addWidget(m_explanation);
    layout->addWidget(m_matches, 2);
    return box;
}

QString PolicyView::statusText() const
{
    return m_status->text() + u'\n' + m_reloadState->text();
}

QString PolicyView::decisionText() const
{
    return m_decision->text();
}

QString PolicyView::explanationText() const
{
    return m_explanation->text();
}

void PolicyView::setRequest(const QJsonObject &request)
{
    m_request->setPlainText(QString::fromUtf8(QJsonDocument(request).toJson(QJsonDocument::Indented)));
}

void PolicyView::setCurrentTask(const QJsonObject &task)
{
    m_currentTask = task;
    m_useTask->setEnabled(task.contains(u"subject") && task.contains(u"resource"));
}

void PolicyView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh();
    m_refreshTimer->start();
}

void PolicyView::hideEvent(QHideEvent *event)
{
    m_refreshTimer->stop();
    QWidget::hideEvent(event);
}

void PolicyView::refresh()
{
    if (!m_client)
        return;

    m_client->policy(this, [this](const Result<QJsonObject> &result) {
        if (!result.ok()) {
            qCWarning(lcUi) << "loading the policy status failed:" << result.error().message;
            m_reloadState->setText(tr("The policy status could not be loaded: %1").arg(result.error().message));
            m_reloadState->setStyleSheet(QStringLiteral("color: #b3261e;"));
            return;
        }
        showStatus(result.value());
        Q_EMIT statusLoaded(result.value());
    });
}

void PolicyView::showStatus(const QJsonObject &status)
{
    const QJsonObject entities = status.value(u"entities").toObject();
    m_status->setText(tr("Folder: %1\n%2 rules and %3 templates in %4 files; search enumerates %5 subjects, %6 resources "
                         "and %7 actions.")
                          .arg(status.value(u"folder").toString())
                          .arg(status.value(u"rule_count").toInteger())
                          .arg(status.value(u"template_count").toInteger())
                          .arg(status.value(u"files").toArray().size())
                          .arg(entities.value(u"subjects").toInteger())
                          .arg(entities.value(u"resources").toInteger())
                          .arg(entities.value(u"actions").toInteger()));

    QStringList files;
    for (const QJsonValue &file : status.value(u"files").toArray())
        files.append(file.toString());
    // Rebuilding an unchanged list every few seconds would drop the user's selection.
    if (files != listTexts(m_files)) {
        m_files->clear();
        m_files->addItems(files);
    }

    // The example follows the loaded policy until the user edits the request.
    const QJsonObject example = status.value(u"example_request").toObject();
    const QString text = m_request->toPlainText();
    if (!example.isEmpty() && (text.isEmpty() || text == m_exampleText)) {
        setRequest(example);
        m_exampleText = m_request->toPlainText();
    }

    const QJsonArray errors = status.value(u"errors").toArray();
    m_errors->clear();
    for (const QJsonValue &value : errors) {
        const QJsonObject error = value.toObject();
        new QTreeWidgetItem(m_errors, {error.value(u"file").toString(),
                                       error.contains(u"line") ? QString::number(error.value(u"line").toInteger()) : QString(),
                                       error.value(u"message").toString()});
    }
    if (errors.isEmpty()) {
        m_reloadState->setText(tr("The last reload succeeded; the policy above is in force."));
        m_reloadState->setStyleSheet(QStringLiteral("color: #1b7f3b;"));
    } else {
        m_reloadState->setText(tr("The last reload failed with %1 errors; the previous policy stays in force until they "
                                  "are fixed.")
                                   .arg(errors.size()));
        m_reloadState->setStyleSheet(QStringLiteral("color: #b3261e;"));
    }
}

void PolicyView::explain()
{
    if (!m_client)
        return;

    // The service's parser shows the line and column, and rejects what the service would reject,
    // such as a duplicate member, where Qt's parser would keep one value and send a changed request.
    const Result<QJsonObject> request = Json::parseObject(m_request->toPlainText().toUtf8());
    if (!request) {
        m_decision->setText(tr("The request is not a valid JSON object: %1.").arg(request.error().message));
        m_decision->setStyleSheet(QStringLiteral("color: #b3261e;"));
        m_explanation->clear();
        m_matches->clear();
        return;
    }

    const quint64 generation = ++m_explainGeneration;
    m_decision->setText(tr("Deciding…"));
    m_decision->setStyleSheet({});
    m_client->explain(request.value(), this, [this, generation](const Result<QJsonObject> &result) {
        if (generation != m_explainGeneration)
            return;
        if (!result.ok()) {
            m_decision->setText(tr("The service rejected the request: %1").arg(result.error().message));
            m_decision->setStyleSheet(QStringLiteral("color: #b3261e;"));
            m_explanation->clear();
            m_matches->clear();
            return;
        }
        showAnswer(result.value());
        Q_EMIT explained(result.value());
    });
}

void PolicyView::showAnswer(const QJsonObject &answer)
{
    const QString effect = answer.value(u"effect").toString();
    m_decision->setText(effectText(effect, answer.value(u"template").toString()));
    m_decision->setStyleSheet(QStringLiteral("color: %1;").arg(effectColor(effect)));
    m_explanation->setText(answer.value(u"explanation").toString());

    m_matches->clear();
    for (const QJsonValue &value : answer.value(u"matched").toArray()) {
        const QJsonObject match = value.toObject();
        new QTreeWidgetItem(m_matches, {match.value(u"rule").toString(), match.value(u"effect").toString(),
                                        tr("%1:%2").arg(match.value(u"file").toString()).arg(match.value(u"line").toInteger()),
                                        match.value(u"description").toString()});
    }
}

} // namespace Recourse::Ui
