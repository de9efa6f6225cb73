// SettingsDialog: edits the AppSettings that have no place in the main window's toolbar (folders,
// output naming and format, device, threads, tiles, memory, colour fix, default seed).
#pragma once

#include "shiftsr/gui/app_settings.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace shiftsr::gui {

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    explicit SettingsDialog(const AppSettings& settings, QWidget* parent = nullptr);

    // `settings` given to the constructor with the edited fields replaced.
    AppSettings settings() const;

private Q_SLOTS:
    void updatePatternExample();

private:
    QLineEdit* folderEdit(QLineEdit* edit, const QString& caption, QWidget** row);

    AppSettings base_;
    QLineEdit* modelFolder_ = nullptr;
    QLineEdit* outputFolder_ = nullptr;
    QComboBox* format_ = nullptr;
    QLineEdit* pattern_ = nullptr;
    QLabel* patternExample_ = nullptr;
    QSpinBox* quality_ = nullptr;
    QCheckBox* keepMetadata_ = nullptr;
    QComboBox* device_ = nullptr;
    QComboBox* precision_ = nullptr;
    QSpinBox* threads_ = nullptr;
    QSpinBox* tile_ = nullptr;
    QSpinBox* overlap_ = nullptr;
    QSpinBox* memoryBudget_ = nullptr;
    QComboBox* colorFix_ = nullptr;
    QSpinBox* seed_ = nullptr;
};

} // namespace shiftsr::gui
