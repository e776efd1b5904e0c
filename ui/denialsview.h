#pragma once

#include "core/base/clock.h"
#include "core/client/approverclient.h"

#include <QJsonObject>
#include <QPointer>
#include <QWidget>

#include <memory>

class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QTimer;

namespace Recourse::Ui {

class DenialsModel;

// Where agents hit walls: the requestable denials the PDP issued, whether a request followed
// (with a link to its task), and beside each how often the same subject was denied the same resource without a way to request it, with counts above the list.
class DenialsView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DenialsView)

public:
    // The client must outlive the view. A null clock means the system clock.
    DenialsView(Client::ApproverClient *client, std::shared_ptr<const Clock> clock, QWidget *parent = nullptr);

    DenialsModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    QString countsText() const;

    // Fetches the list again; answers to older fetches are dropped.
    void reload();
    // Counts denials that could not be requested, and reloads (once per burst) when a denial or a request arrives.
    void applyEvent(const QJsonObject &event);

Q_SIGNALS:
    void openTaskRequested(const QString &taskId);

private:
    void openCurrent();
    void updateCounts();

    QPointer<Client::ApproverClient> m_client;
    DenialsModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    QLineEdit *m_filter = nullptr;
    QLabel *m_counts = nullptr;
    QLabel *m_error = nullptr;
    QPushButton *m_open = nullptr;
    QTimer *m_reloadTimer = nullptr;
    QTimer *m_tickTimer = nullptr;
    quint64 m_generation = 0;
};

} // namespace Recourse::Ui
