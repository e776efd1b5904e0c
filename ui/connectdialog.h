#pragma once

#include "ui/connectionsettings.h"

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;

namespace Recourse::Ui {

// Chooses the service the console talks to: the embedded one, or a remote one by URL and approver
// token. For a remote service with a self-signed certificate, "Fetch" reads the certificate it
// presents and fills in its SHA-256 fingerprint, which the user compares with the one the service
// printed at start before connecting.
class ConnectDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectDialog)

public:
    explicit ConnectDialog(const ConnectionSettings &current, QWidget *parent = nullptr);

    ConnectionSettings settings() const;
    QString problemText() const;

public Q_SLOTS:
    // Reads the certificate the URL's server presents and fills in the pin field.
    void fetchCertificate();

Q_SIGNALS:
    void certificateFetched(const QString &fingerprint);

private:
    void updateState();

    QRadioButton *m_embedded = nullptr;
    QRadioButton *m_remote = nullptr;
    QLineEdit *m_url = nullptr;
    QLineEdit *m_token = nullptr;
    QCheckBox *m_storeToken = nullptr;
    QLineEdit *m_pin = nullptr;
    QPushButton *m_fetch = nullptr;
    QLabel *m_certificate = nullptr;
    QLabel *m_problem = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace Recourse::Ui
