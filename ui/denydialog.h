#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLineEdit;
class QPlainTextEdit;

namespace Recourse::Ui {

// Asks for the reason of a denial (required) and an optional comment.
class DenyDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DenyDialog)

public:
    explicit DenyDialog(const QString &taskSummary, QWidget *parent = nullptr);

    QString reason() const;
    QString comment() const;
    void setReason(const QString &reason);

private:
    void updateButtons();

    QLineEdit *m_reason = nullptr;
    QPlainTextEdit *m_comment = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace Recourse::Ui
