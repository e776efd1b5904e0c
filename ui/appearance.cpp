#include "ui/appearance.h"

#include <QApplication>
#include <QSettings>
#include <QStyle>
#include <QStyleFactory>

namespace Recourse::Ui {

namespace {

const QString ThemeKey = QStringLiteral("Appearance/theme");

struct DesktopLook
{
    bool saved = false;
    QString style;
    QPalette palette;
    Appearance::Theme current = Appearance::Theme::System;
};

DesktopLook &desktopLook()
{
    static DesktopLook look;
    return look;
}

} // namespace

QPalette Appearance::lightPalette()
{
    QPalette palette;
    palette.setColor(QPalette::Window, QColor(0xf3, 0xf3, 0xf3));
    palette.setColor(QPalette::WindowText, QColor(0x1f, 0x1f, 0x1f));
    palette.setColor(QPalette::Base, Qt::white);
    palette.setColor(QPalette::AlternateBase, QColor(0xf5, 0xf7, 0xfa));
    palette.setColor(QPalette::ToolTipBase, QColor(0xff, 0xff, 0xe1));
    palette.setColor(QPalette::ToolTipText, Qt::black);
    palette.setColor(QPalette::Text, QColor(0x1f, 0x1f, 0x1f));
    palette.setColor(QPalette::Button, QColor(0xf0, 0xf0, 0xf0));
    palette.setColor(QPalette::ButtonText, QColor(0x1f, 0x1f, 0x1f));
    palette.setColor(QPalette::Highlight, QColor(0x1a, 0x5f, 0xb4));
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::Link, QColor(0x1a, 0x5f, 0xb4));
    palette.setColor(QPalette::PlaceholderText, QColor(0x75, 0x75, 0x75));
    palette.setColor(QPalette::Disabled, QPalette::Text, QColor(0x9e, 0x9e, 0x9e));
    palette.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x9e, 0x9e, 0x9e));
    palette.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x9e, 0x9e, 0x9e));
    return palette;
}

QPalette Appearance::darkPalette()
{
    QPalette palette;
    palette.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    palette.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
    palette.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    palette.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2b));
    palette.setColor(QPalette::ToolTipBase, QColor(0x3c, 0x3c, 0x3c));
    palette.setColor(QPalette::ToolTipText, QColor(0xe6, 0xe6, 0xe6));
    palette.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
    palette.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
    palette.setColor(QPalette::ButtonText, QColor(0xe6, 0xe6, 0xe6));
    palette.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    palette.setColor(QPalette::Highlight, QColor(0x3d, 0x7a, 0xd6));
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::Link, QColor(0x7a, 0xb0, 0xff));
    palette.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x8a, 0x8a));
    palette.setColor(QPalette::Mid, QColor(0x50, 0x50, 0x50));
    palette.setColor(QPalette::Dark, QColor(0x1a, 0x1a, 0x1a));
    palette.setColor(QPalette::Disabled, QPalette::Text, QColor(0x7a, 0x7a, 0x7a));
    palette.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x7a, 0x7a, 0x7a));
    palette.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x7a, 0x7a, 0x7a));
    return palette;
}

void Appearance::apply(Theme theme)
{
    DesktopLook &look = desktopLook();
    if (!look.saved) {
        look.saved = true;
        look.style = QApplication::style()->name();
        look.palette = QApplication::palette();
    }
    look.current = theme;

    if (theme == Theme::System) {
        QApplication::setStyle(QStyleFactory::create(look.style));
        QApplication::setPalette(look.palette);
        return;
    }
    // Fusion draws every control from the palette, so both palettes look the same on any desktop.
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QApplication::setPalette(theme == Theme::Dark ? darkPalette() : lightPalette());
}

Appearance::Theme Appearance::current()
{
    return desktopLook().current;
}

Appearance::Theme Appearance::load(const QSettings &settings)
{
    const QString value = settings.value(ThemeKey).toString();
    if (value == u"light")
        return Theme::Light;
    if (value == u"dark")
        return Theme::Dark;
    return Theme::System;
}

void Appearance::save(QSettings &settings, Theme theme)
{
    settings.setValue(ThemeKey, theme == Theme::Light ? QStringLiteral("light")
                                : theme == Theme::Dark ? QStringLiteral("dark")
                                                       : QStringLiteral("system"));
}

QString Appearance::name(Theme theme)
{
    switch (theme) {
    case Theme::Light:
        return tr("Light");
    case Theme::Dark:
        return tr("Dark");
    case Theme::System:
        break;
    }
    return tr("System");
}

} // namespace Recourse::Ui
