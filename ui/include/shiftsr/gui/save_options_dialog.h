// SaveOptionsDialog: where and how Save writes a result (next to the input or in a chosen folder,
// the file name pattern, format and quality) and whether Save asks again. The choice lives in
// AppSettings, whose output fields the Settings dialog edits too.
#pragma once

#include "shiftsr/gui/app_settings.h"

#include <QDialog>

#include <functional>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QRadioButton;
class QSpinBox;

namespace shiftsr::gui {

class SaveOptionsDialog : public QDialog {
    Q_OBJECT
public:
    // Before a Save (its button says Save) or from the menu (OK: nothing is saved).
    enum class Purpose { Save, Edit };

    // `keptExtension`: the extension "same as the input" writes ("jpg"); empty without an input.
    SaveOptionsDialog(const AppSettings& settings, Purpose purpose, const QString& keptExtension,
                      QWidget* parent = nullptr);

    // The result about to be saved: its pane label and the file each choice gives it. Without
    // one, the dialog shows an example name.
    void setResult(const QString& label, std::function<QString(const AppSettings&)> pathFor);

    // The settings given to the constructor with this choice in place, marked as chosen.
    AppSettings settings() const;

    // What Save does with `settings`, for the Save action's tips: "Save to FOLDER as PNG".
    static QString summary(const AppSettings& settings, const QString& keptExtension);
    static QString formatName(const QString& extension); // "PNG", "JPEG", ...

private:
    QString extension() const; // the chosen format's, "keep" resolved
    void updateState();        // preview, quality, the accept button

    AppSettings base_;
    QString keptExtension_;
    std::function<QString(const AppSettings&)> pathFor_;
    QFormLayout* form_ = nullptr;
    QRadioButton* nextToInput_ = nullptr;
    QRadioButton* chosenFolder_ = nullptr;
    QLineEdit* folder_ = nullptr;
    QLineEdit* pattern_ = nullptr;
    QComboBox* format_ = nullptr;
    QSpinBox* quality_ = nullptr;
    QCheckBox* askOnSave_ = nullptr;
    QLabel* result_ = nullptr;
    QLabel* preview_ = nullptr;
    QDialogButtonBox* buttons_ = nullptr;
};

} // namespace shiftsr::gui
