#pragma once

#include <QCoreApplication>
#include <QPalette>
#include <QString>

class QSettings;

namespace Recourse::Ui {

// The console's colour theme: the desktop's own, or a light or dark palette on the Fusion style
// for desktops whose theme does not offer the one the user wants.
class Appearance
{
    Q_DECLARE_TR_FUNCTIONS(Appearance)

public:
    enum class Theme { System, Light, Dark };

    static QPalette lightPalette();
    static QPalette darkPalette();

    // Applies the theme to the whole application. The first call remembers the desktop's style
    // and palette so System can restore them.
    static void apply(Theme theme);
    static Theme current();

    static Theme load(const QSettings &settings);
    static void save(QSettings &settings, Theme theme);
    static QString name(Theme theme);
};

} // namespace Recourse::Ui
