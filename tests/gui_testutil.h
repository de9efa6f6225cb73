// Helpers of the desktop app's test suites (header-only: only those suites link the app's
// libraries).
#pragma once

#include "shiftsr/gui/app_settings.h"

#include <QAbstractButton>
#include <QHash>
#include <QKeySequence>
#include <QLabel>
#include <QSettings>
#include <QString>
#include <QStringList>
#include <QWidget>

namespace testutil {

// The stored settings of a test case: only `modelFolder`, 2 threads, the CPU.
inline void resetAppSettings(const QString& modelFolder) {
    QSettings().clear();
    shiftsr::gui::AppSettings s;
    s.modelFolder = modelFolder;
    s.threads = 2;
    s.device = QStringLiteral("cpu");
    s.save();
}

// The texts in `widget` that Alt+letter reaches: its buttons and the labels with a buddy.
inline QStringList mnemonicTexts(const QWidget* widget) {
    QStringList texts;
    for (const QAbstractButton* b : widget->findChildren<QAbstractButton*>())
        texts << b->text();
    for (const QLabel* l : widget->findChildren<QLabel*>())
        if (l->buddy())
            texts << l->text();
    return texts;
}

// One failure per key that two of `texts` use as their mnemonic ("SCOPE: "A" and "B" both use
// Alt+X"); empty when every mnemonic is unique.
inline QStringList mnemonicClashes(const QString& scope, const QStringList& texts) {
    QStringList failures;
    QHash<QString, QString> seen; // mnemonic key -> the first text using it
    for (const QString& text : texts) {
        const QKeySequence key = QKeySequence::mnemonic(text);
        if (key.isEmpty())
            continue;
        const QString name = key.toString(QKeySequence::PortableText);
        if (seen.contains(name))
            failures << QStringLiteral("%1: \"%2\" and \"%3\" both use %4")
                            .arg(scope, seen.value(name), text, name);
        else
            seen.insert(name, text);
    }
    return failures;
}

} // namespace testutil
