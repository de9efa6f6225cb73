// Loads the embedded ShiftSR translations (:/i18n/shiftsr_<lang>.qm) and Qt's own from its
// translations folder.
#include "shiftsr/i18n/i18n.h"

#include <QCoreApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QTranslator>

namespace shiftsr::i18n {

QStringList availableLanguages() {
    QStringList out;
    const QStringList files =
        QDir(QStringLiteral(":/i18n")).entryList({QStringLiteral("shiftsr_*.qm")}, QDir::Files);
    for (const QString& f : files)
        out << f.mid(8, f.size() - 8 - 3);
    return out;
}

bool installTranslators(QCoreApplication& app, const QLocale& locale) {
    auto* own = new QTranslator(&app);
    if (!own->load(locale, QStringLiteral("shiftsr"), QStringLiteral("_"),
                   QStringLiteral(":/i18n"))) {
        // No catalogue for this language: the English sources, with their plural forms.
        if (own->load(QStringLiteral(":/i18n/shiftsr_en.qm")))
            app.installTranslator(own);
        else
            delete own;
        return false;
    }
    app.installTranslator(own);
    auto* qt = new QTranslator(&app);
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        app.installTranslator(qt);
    else
        delete qt;
    return true;
}

} // namespace shiftsr::i18n
