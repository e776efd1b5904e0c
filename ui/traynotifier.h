#pragma once

#include "core/base/clock.h"

#include <QIcon>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>

#include <memory>

class QMenu;
class QSystemTrayIcon;
class QWidget;

namespace Recourse::Ui {

// The console's presence outside its window: a tray icon that shows the number of pending tasks,
// and a desktop notification when new tasks arrive. Where the desktop has no system tray (or the
// platform is offscreen) nothing is shown, but notified() is still emitted, so the decision to
// notify stays testable.
class TrayNotifier final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrayNotifier)

public:
    // Tasks created longer ago than this when they reach the console are history (a replay after
    // connecting), not news.
    static constexpr qint64 MaxNewsAgeMs = 5 * 60 * 1000;

    // `window` is shown and raised from the tray; it also owns this object.
    TrayNotifier(QWidget *window, std::shared_ptr<const Clock> clock);
    ~TrayNotifier() override;

    bool isTrayShown() const;
    int pendingCount() const { return m_pending; }
    void setNotificationsEnabled(bool enabled) { m_notificationsEnabled = enabled; }
    bool notificationsEnabled() const { return m_notificationsEnabled; }

    // The window icon with the count drawn in a badge; no badge for 0.
    static QIcon badgeIcon(const QIcon &base, int count);

public Q_SLOTS:
    void setPendingCount(int count);
    // Tasks the inbox just added; pending ones created recently are announced.
    void announceTasks(const QList<QJsonObject> &tasks);

Q_SIGNALS:
    // A notification for these tasks was raised (or would have been, without a tray).
    void notified(const QString &title, const QString &message, const QStringList &taskIds);
    // The user clicked the notification or chose a task from the tray menu.
    void openTaskRequested(const QString &taskId);

private:
    void showWindow();

    QPointer<QWidget> m_window;
    std::shared_ptr<const Clock> m_clock;
    QSystemTrayIcon *m_tray = nullptr;
    QMenu *m_menu = nullptr;
    QIcon m_baseIcon;
    int m_pending = 0;
    bool m_notificationsEnabled = true;
    QString m_lastNotifiedTask;
};

} // namespace Recourse::Ui
