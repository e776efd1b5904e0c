#include "ui/translations.h"

#include "ui/logging.h"

#include <QCoreApplication>
#include <QLocale>
#include <QTranslator>

namespace Recourse::Ui {

bool installTranslations(QCoreApplication &app, const QLocale &locale)
{
    // The translator lives as long as the application; QCoreApplication does not own it.
    auto *translator = new QTranslator(&app);
    if (translator->load(locale, QStringLiteral("recourse"), QStringLiteral("_"), QStringLiteral(":/i18n"))
        || translator->load(QStringLiteral("recourse_en"), QStringLiteral(":/i18n"))) {
        app.installTranslator(translator);
        return true;
    }

    qCWarning(lcUi) << "no translation found for" << locale.uiLanguages() << "; showing the source strings";
    delete translator;
    return false;
}

} // namespace Recourse::Ui
