#include "ui/connectdialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSslCertificate>
#include <QVBoxLayout>

namespace Recourse::Ui {

ConnectDialog::ConnectDialog(const ConnectionSettings &current, QWidget *parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("connectDialog"));
    setWindowTitle(tr("Connect to service"));

    m_embedded = new QRadioButton(tr("The &embedded service on this computer"), this);
    m_embedded->setObjectName(QStringLiteral("embeddedRadio"));
    m_remote = new QRadioButton(tr("A &remote service"), this);
    m_remote->setObjectName(QStringLiteral("remoteRadio"));
    (current.remote ? m_remote : m_embedded)->setChecked(true);

    m_url = new QLineEdit(current.url.toString(), this);
    m_url->setObjectName(QStringLiteral("urlEdit"));
    m_url->setAccessibleName(tr("Service URL"));
    m_url->setPlaceholderText(QStringLiteral("https://recourse.example.com:8443"));
    m_token = new QLineEdit(current.token, this);
    m_token->setObjectName(QStringLiteral("tokenEdit"));
    m_token->setAccessibleName(tr("Approver token"));
    m_token->setEchoMode(QLineEdit::Password);
    m_storeToken = new QCheckBox(tr("Remember the token on this computer (kept unencrypted in the settings file)"), this);
    m_storeToken->setObjectName(QStringLiteral("storeTokenCheck"));
    m_storeToken->setChecked(current.storeToken);
    m_pin = new QLineEdit(current.pin, this);
    m_pin->setObjectName(QStringLiteral("pinEdit"));
    m_pin->setAccessibleName(tr("Pinned certificate fingerprint"));
    m_pin->setPlaceholderText(tr("SHA-256 fingerprint, for a self-signed certificate"));
    m_fetch = new QPushButton(tr("&Fetch"), this);
    m_fetch->setObjectName(QStringLiteral("fetchCertificateButton"));
    m_fetch->setToolTip(tr("Read the certificate the server presents and fill in its fingerprint"));
    connect(m_fetch, &QPushButton::clicked, this, &ConnectDialog::fetchCertificate);
    m_certificate = new QLabel(this);
    m_certificate->setObjectName(QStringLiteral("certificateLabel"));
    m_certificate->setWordWrap(true);
    m_certificate->setTextFormat(Qt::PlainText);
    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("connectProblemLabel"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #b3261e;"));

    auto *pinRow = new QHBoxLayout;
    pinRow->addWidget(m_pin, 1);
    pinRow->addWidget(m_fetch);
    auto *form = new QFormLayout;
    form->addRow(tr("&URL:"), m_url);
    form->addRow(tr("&Token:"), m_token);
    form->addRow(QString(), m_storeToken);
    form->addRow(tr("Certificate &pin:"), pinRow);
    form->addRow(QString(), m_certificate);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton *connectButton = m_buttons->addButton(tr("&Connect"), QDialogButtonBox::AcceptRole);
    connectButton->setObjectName(QStringLiteral("connectButton"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_embedded);
    layout->addWidget(m_remote);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);

    for (QLineEdit *edit : {m_url, m_token, m_pin})
        connect(edit, &QLineEdit::textChanged, this, &ConnectDialog::updateState);
    connect(m_remote, &QRadioButton::toggled, this, &ConnectDialog::updateState);
    resize(560, sizeHint().height());
    updateState();
}

ConnectionSettings ConnectDialog::settings() const
{
    ConnectionSettings settings;
    settings.remote = m_remote->isChecked();
    settings.url = QUrl(m_url->text().trimmed());
    settings.token = m_token->text().trimmed();
    settings.storeToken = m_storeToken->isChecked();
    settings.pin = m_pin->text().trimmed();
    return settings;
}

QString ConnectDialog::problemText() const
{
    return m_problem->text();
}

void ConnectDialog::updateState()
{
    const bool remote = m_remote->isChecked();
    for (QWidget *widget : std::initializer_list<QWidget *>{m_url, m_token, m_storeToken, m_pin, m_fetch})
        widget->setEnabled(remote);

    const QString problem = settings().problem();
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty());
    for (QAbstractButton *button : m_buttons->buttons()) {
        if (m_buttons->buttonRole(button) == QDialogButtonBox::AcceptRole)
            button->setEnabled(problem.isEmpty());
    }
}

void ConnectDialog::fetchCertificate()
{
    m_certificate->setText(tr("Reading the certificate…"));
    m_fetch->setEnabled(false);
    Client::fetchPresentedCertificate(QUrl(m_url->text().trimmed()), this, [this](const Result<QSslCertificate> &result) {
        m_fetch->setEnabled(m_remote->isChecked());
        if (!result.ok()) {
            m_certificate->setText(result.error().message);
            return;
        }

        const QString fingerprint = Client::CertificatePin::of(result.value()).toString();
        const QString subject = result->subjectInfo(QSslCertificate::CommonName).join(QStringLiteral(", "));
        m_pin->setText(fingerprint);
        m_certificate->setText(tr("The server presented a certificate for %1, valid until %2. Compare its fingerprint "
                                  "with the one the service printed at start before connecting.")
                                   .arg(subject.isEmpty() ? tr("an unnamed host") : subject,
                                        result->expiryDate().toString(Qt::ISODate)));
        Q_EMIT certificateFetched(fingerprint);
    });
}

} // namespace Recourse::Ui
