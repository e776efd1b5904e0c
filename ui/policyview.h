#pragma once

#include "core/client/approverclient.h"

#include <QJsonObject>
#include <QPointer>
#include <QWidget>

class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTimer;
class QTreeWidget;

namespace Recourse::Ui {

// The policy the service decides with (GET /admin/v1/policy): the folder, the loaded files, the
// counts, and the errors of the last live reload; and a "test a request" panel that sends an
// AuthZEN evaluation request to POST /admin/v1/explain and shows the decision with the rules that
// matched. Nothing here changes the policy or writes an audit record.
class PolicyView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PolicyView)

public:
    // While the view is shown, the status is fetched again this often so a reload appears.
    static constexpr int StatusRefreshMs = 3000;

    // The client must outlive the view.
    explicit PolicyView(Client::ApproverClient *client, QWidget *parent = nullptr);

    QString statusText() const;
    QString decisionText() const;
    QString explanationText() const;
    QTreeWidget *errorList() const { return m_errors; }
    QTreeWidget *matchList() const { return m_matches; }
    QListWidget *fileList() const { return m_files; }

    // Puts an evaluation request into the editor, as indented JSON.
    void setRequest(const QJsonObject &request);
    // The task whose bound evaluation "Use shown task" copies into the editor.
    void setCurrentTask(const QJsonObject &task);

public Q_SLOTS:
    void refresh();
    // Sends the editor's request to the service; invalid JSON is reported without a call.
    void explain();

Q_SIGNALS:
    void statusLoaded(const QJsonObject &status);
    void explained(const QJsonObject &answer);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    QWidget *buildStatusPane();
    QWidget *buildTestPane();
    void showStatus(const QJsonObject &status);
    void showAnswer(const QJsonObject &answer);

    QPointer<Client::ApproverClient> m_client;
    QJsonObject m_currentTask;
    QString m_exampleText; // the policy's example as last put into the request editor
    quint64 m_explainGeneration = 0;

    QLabel *m_status = nullptr;
    QLabel *m_reloadState = nullptr;
    QListWidget *m_files = nullptr;
    QTreeWidget *m_errors = nullptr;
    QPlainTextEdit *m_request = nullptr;
    QPushButton *m_useTask = nullptr;
    QLabel *m_decision = nullptr;
    QLabel *m_explanation = nullptr;
    QTreeWidget *m_matches = nullptr;
    QTimer *m_refreshTimer = nullptr;
};

} // namespace Recourse::Ui
