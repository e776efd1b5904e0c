#include "ui/denydialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace Recourse::Ui {

DenyDialog::DenyDialog(const QString &taskSummary, QWidget *parent)
    : QDialog(parent)
    , m_reason(new QLineEdit(this))
    , m_comment(new QPlainTextEdit(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Deny request"));
    setObjectName(QStringLiteral("denyDialog"));

    auto *summary = new QLabel(taskSummary, this);
    summary->setWordWrap(true);

    m_reason->setObjectName(QStringLiteral("denyReasonEdit"));
    m_reason->setAccessibleName(tr("Reason for the denial"));
    m_reason->setPlaceholderText(tr("Required: why this access is denied"));
    m_comment->setObjectName(QStringLiteral("denyCommentEdit"));
    m_comment->setAccessibleName(tr("Comment"));
    m_comment->setPlaceholderText(tr("Optional"));
    m_comment->setTabChangesFocus(true);

    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Deny"));
    m_buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("denyConfirmButton"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_reason, &QLineEdit::textChanged, this, &DenyDialog::updateButtons);

    auto *form = new QFormLayout;
    form->addRow(tr("&Reason:"), m_reason);
    form->addRow(tr("&Comment:"), m_comment);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(summary);
    layout->addLayout(form);
    layout->addWidget(m_buttons);

    updateButtons();
    m_reason->setFocus();
}

QString DenyDialog::reason() const
{
    return m_reason->text().trimmed();
}

QString DenyDialog::comment() const
{
    return m_comment->toPlainText().trimmed();
}

void DenyDialog::setReason(const QString &reason)
{
    m_reason->setText(reason);
}

void DenyDialog::updateButtons()
{
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!reason().isEmpty());
}

} // namespace Recourse::Ui
