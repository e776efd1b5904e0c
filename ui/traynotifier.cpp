#include "ui/traynotifier.h"

#include "ui/tasktext.h"

#include <QApplication>
#include <QMenu>
#include <QPainter>
#include <QPixmap>
#include <QStyle>
#include <QSystemTrayIcon>
#include <QWidget>

namespace Recourse::Ui {

namespace {

constexpr int IconSize = 64;

QIcon fallbackIcon()
{
    // A shield-coloured square with an R, for builds where the window has no icon yet.
    QPixmap pixmap(IconSize, IconSize);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setBrush(QColor(0x1a, 0x5f, 0xb4));
    painter.setPen(Qt::NoPen);
    painter.drawRoundedRect(QRectF(4, 4, IconSize - 8, IconSize - 8), 12, 12);
    QFont font = painter.font();
    font.setBold(true);
    font.setPixelSize(IconSize / 2);
    painter.setFont(font);
    painter.setPen(Qt::white);
    painter.drawText(QRect(0, 0, IconSize, IconSize), Qt::AlignCenter, QStringLiteral("R"));
    return QIcon(pixmap);
}

} // namespace

TrayNotifier::TrayNotifier(QWidget *window, std::shared_ptr<const Clock> clock)
    : QObject(window)
    , m_window(window)
    , m_clock(clock ? std::move(clock) : std::make_shared<SystemClock>())
{
    const QIcon windowIcon = window ? window->windowIcon() : QIcon();
    m_baseIcon = windowIcon.isNull() ? fallbackIcon() : windowIcon;
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;

    m_tray = new QSystemTrayIcon(badgeIcon(m_baseIcon, 0), this);
    m_menu = new QMenu(window);
    m_menu->addAction(tr("Show Recourse"), this, &TrayNotifier::showWindow);
    m_menu->addSeparator();
    m_menu->addAction(tr("Quit"), qApp, &QApplication::quit);
    m_tray->setContextMenu(m_menu);
    m_tray->setToolTip(tr("Recourse: no pending tasks"));
    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
            showWindow();
    });
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
        showWindow();
        if (!m_lastNotifiedTask.isEmpty())
            Q_EMIT openTaskRequested(m_lastNotifiedTask);
    });
    m_tray->show();
}

TrayNotifier::~TrayNotifier() = default;

bool TrayNotifier::isTrayShown() const
{
    return m_tray && m_tray->isVisible();
}

QIcon TrayNotifier::badgeIcon(const QIcon &base, int count)
{
    QPixmap pixmap = base.pixmap(IconSize, IconSize);
    if (pixmap.isNull()) {
        pixmap = QPixmap(IconSize, IconSize);
        pixmap.fill(Qt::transparent);
    }
    if (count <= 0)
        return QIcon(pixmap);

    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    const QString text = count > 99 ? QStringLiteral("99+") : QString::number(count);
    QFont font = painter.font();
    font.setBold(true);
    font.setPixelSize(IconSize * 3 / 8);
    painter.setFont(font);
    const int width = std::max(IconSize / 2, QFontMetrics(font).horizontalAdvance(text) + IconSize / 6);
    const QRect badge(IconSize - width, 0, width, IconSize / 2);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(0xb3, 0x26, 0x1e));
    painter.drawRoundedRect(badge, badge.height() / 2.0, badge.height() / 2.0);
    painter.setPen(Qt::white);
    painter.drawText(badge, Qt::AlignCenter, text);
    painter.end();
    return QIcon(pixmap);
}

void TrayNotifier::setPendingCount(int count)
{
    if (count == m_pending)
        return;

    m_pending = count;
    if (!m_tray)
        return;
    m_tray->setIcon(badgeIcon(m_baseIcon, count));
    m_tray->setToolTip(count == 0 ? tr("Recourse: no pending tasks")
                                  : TaskText::plural(tr("Recourse: %n pending task(s)", nullptr, count), count));
}

void TrayNotifier::announceTasks(const QList<QJsonObject> &tasks)
{
    if (!m_notificationsEnabled)
        return;

    const qint64 now = m_clock->nowMs();
    QStringList ids;
    QJsonObject first;
    for (const QJsonObject &task : tasks) {
        if (task.value(u"status").toString() != u"pending")
            continue;
        const qint64 created = TaskText::timeMs(task.value(u"created_at"));
        if (created < 0 || now - created > MaxNewsAgeMs)
            continue;
        if (ids.isEmpty())
            first = task;
        ids.append(task.value(u"id").toString());
    }
    if (ids.isEmpty())
        return;

    const int count = int(ids.size());
    const QString title = count == 1 ? (first.value(u"emergency").toBool() ? tr("Emergency access request")
                                                                            : tr("New access request"))
                                     : TaskText::plural(tr("%n new access request(s)", nullptr, count), count);
    const QString message = count == 1 ? tr("%1 asks to %2 %3")
                                             .arg(TaskText::actorChain(first), TaskText::taskAction(first),
                                                  TaskText::taskResource(first))
                                       : tr("The newest: %1 asks to %2 %3")
                                             .arg(TaskText::actorChain(first), TaskText::taskAction(first),
                                                  TaskText::taskResource(first));
    m_lastNotifiedTask = ids.first();
    if (m_tray && QSystemTrayIcon::supportsMessages())
        m_tray->showMessage(title, message, first.value(u"emergency").toBool() ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information);
    Q_EMIT notified(title, message, ids);
}

void TrayNotifier::showWindow()
{
    if (!m_window)
        return;
    m_window->showNormal();
    m_window->raise();
    m_window->activateWindow();
}

} // namespace Recourse::Ui
