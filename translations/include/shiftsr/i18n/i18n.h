// Translations of the desktop app: ShiftSR's own (embedded .qm files) and Qt's (dialogs, buttons).
#pragma once

#include <QLocale>
#include <QStringList>

class QCoreApplication;

namespace shiftsr::i18n {

// Languages with a ShiftSR translation, as locale names ("de"); English is the source language.
QStringList availableLanguages();

// Installs ShiftSR's and Qt's translators for `locale` on `app` (the translators are owned by
// `app`). Returns true when a ShiftSR translation for the locale's language was found; otherwise
// (English, "C", or a language without a catalogue) the English plural forms are installed and it
// returns false.
bool installTranslators(QCoreApplication& app, const QLocale& locale = QLocale::system());

} // namespace shiftsr::i18n
