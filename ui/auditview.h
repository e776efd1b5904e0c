#pragma once

#include "core/client/approverclient.h"
#include "ui/auditexport.h"

#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QWidget>

class QCheckBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeView;

namespace Recourse::Ui {

class AuditModel;

// The audit log as one chain per escalation, searchable by subject, approver, resource and time,
// exportable as JSON Lines or CSV, with a check of the hash chain that points at the first broken
// link. Subject and time narrow the query on the service; approver and resource keep every
// escalation in which any record matches, so each chain is shown whole.
class AuditView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AuditView)

public:
    // At most this many records are loaded for one search; the status line says when it is reached.
    static constexpr int MaxRecords = 20000;

    // The client must outlive the view.
    explicit AuditView(Client::ApproverClient *client, QWidget *parent = nullptr);

    AuditModel *model() const { return m_model; }
    QTreeView *tree() const { return m_tree; }
    QString statusText() const;
    QString verificationText() const;
    bool isLoading() const { return m_loading; }

    void setSubjectFilter(const QString &subject);
    void setApproverFilter(const QString &approver);
    void setResourceFilter(const QString &resource);

public Q_SLOTS:
    // Loads the records that match the filters, replacing what is shown.
    void search();
    // Asks the service to verify the hash chain and marks the first broken record.
    void verify();
    // Writes the shown records to `path`; returns false and shows why when it fails.
    bool exportTo(const QString &path, AuditExport::Format format);

Q_SIGNALS:
    void openTaskRequested(const QString &taskId);
    void searchFinished();
    void verifyFinished(bool ok);

private:
    QWidget *buildFilters();
    void requestPage(qint64 afterSeq, quint64 generation);
    void showRecords();
    void chooseExportFile(AuditExport::Format format);
    Client::AuditQuery query() const;

    QPointer<Client::ApproverClient> m_client;
    AuditModel *m_model = nullptr;
    QList<QJsonObject> m_loaded;
    quint64 m_generation = 0;
    bool m_loading = false;
    bool m_truncated = false;
    qint64 m_brokenSeq = 0;

    QLineEdit *m_subject = nullptr;
    QLineEdit *m_approver = nullptr;
    QLineEdit *m_resource = nullptr;
    QCheckBox *m_useSince = nullptr;
    QDateTimeEdit *m_since = nullptr;
    QCheckBox *m_useUntil = nullptr;
    QDateTimeEdit *m_until = nullptr;
    QTreeView *m_tree = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_verification = nullptr;
};

} // namespace Recourse::Ui
