#pragma once

class QCoreApplication;
class QLocale;

namespace Recourse::Ui {

// Installs the console's translation for `locale` (the first of its UI languages that has a
// translation, else English, whose catalogue supplies the plural forms). Returns false when no
// catalogue could be loaded; the untranslated English source strings are shown then.
bool installTranslations(QCoreApplication &app, const QLocale &locale);

} // namespace Recourse::Ui
