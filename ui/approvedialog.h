#pragma once

#include "core/base/clock.h"
#include "core/client/approverclient.h"

#include <QDialog>
#include <QJsonObject>
#include <QMessageBox>
#include <QPointer>

#include <memory>

class QComboBox;
class QDialogButtonBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;
class QTimer;

namespace Recourse::Ui {

class ScopeEditor;
class ScopePreviewModel;

// Approve with an edited scope. The approver adds resources of the bound type and actions where
// the template allows broadening (ScopeEditor), picks the items of a bulk task and shortens the
// duration. A live preview (POST /admin/v1/preview) shows what the approval would unlock and what
// policy would still deny. Accepting a scope broader than the request first asks for
// confirmation in plain words.
// The dialog decides nothing itself: the caller sends approveBody() once it is accepted.
class ApproveDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApproveDialog)

public:
    // Duration choices of durationCombo(): minutes from now, or one of these.
    static constexpr int AsRequested = -1;
    static constexpr int TemplateDefault = 0;

    // `task` is the service's full task object. The client must outlive the dialog.
    ApproveDialog(Client::ApproverClient *client, const QJsonObject &task, std::shared_ptr<const Clock> clock,
                  QWidget *parent = nullptr);
    ~ApproveDialog() override;

    // Adds a resource id of the bound resource's type, or an action name, to the scope.
    void addResource(const QString &id);
    void addAction(const QString &name);
    void setComment(const QString &comment);
    // Picks a duration choice by its minutes (AsRequested, TemplateDefault or minutes from now).
    bool setDurationMinutes(int minutes);

    // {"mode":"exact"} or the broadened scope the editors describe.
    QJsonObject scope() const;
    // The body of POST /admin/v1/tasks/{id}/approve for the current choices.
    QJsonObject approveBody() const;
    // Whether the choices grant more than the request: another resource or action, or a later end.
    bool isBroaderThanRequest() const;
    // The plain-words description the confirmation shows.
    QString grantText() const;

    // The last preview the service returned for the current choices, or empty while one is due.
    QJsonObject preview() const { return m_preview; }
    ScopePreviewModel *previewModel() const { return m_previewModel; }
    // The confirmation shown for a broad scope, while it is open.
    QMessageBox *confirmation() const { return m_confirmation; }

public Q_SLOTS:
    // Accepts the dialog, after a confirmation when the scope is broader than the request.
    void accept() override;

Q_SIGNALS:
    // A preview for the current choices arrived (or failed, with an empty preview).
    void previewUpdated(const QJsonObject &preview);

private:
    QGroupBox *buildPreviewBox();
    void fillDurations();
    void schedulePreview();
    void requestPreview();
    void onPreview(const Result<QJsonObject> &result, quint64 generation);
    void updateButtons();
    // Adds `items`, the positions still checked, to a request body for a bulk task.
    void insertChosenItems(QJsonObject &body) const;
    QList<int> chosenItems() const;
    // The template's default duration from the task's approval_limits, or 0 from an older service.
    qint64 templateDefaultSeconds() const;
    QString approvedUntil() const;
    qint64 approvedUntilMs() const;

    QPointer<Client::ApproverClient> m_client;
    QJsonObject m_task;
    std::shared_ptr<const Clock> m_clock;
    QJsonObject m_preview;
    QString m_previewError;
    quint64 m_generation = 0;
    bool m_previewInFlight = false;

    ScopeEditor *m_scope = nullptr;
    QComboBox *m_duration = nullptr;
    QLineEdit *m_comment = nullptr;
    QLabel *m_grant = nullptr;
    QLabel *m_counts = nullptr;
    QLabel *m_error = nullptr;
    QTableView *m_previewView = nullptr;
    ScopePreviewModel *m_previewModel = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_approve = nullptr;
    QPointer<QMessageBox> m_confirmation;
    QTimer *m_previewTimer = nullptr;
};

} // namespace Recourse::Ui
