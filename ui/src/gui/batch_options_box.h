// BatchOptionsBox: the batch queue's "Options" group: model (the registry's usable ones), steps,
// seed, output folder, file name pattern, format, skip-existing and subfolders, as BatchChoices.
#pragma once

#include "shiftsr/gui/app_settings.h"

#include <QGroupBox>
#include <QString>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace shiftsr::gui {

class ModelRegistry;

// The model list follows the registry (models added or removed, another default).
class BatchOptionsBox : public QGroupBox {
    Q_OBJECT
public:
    // `registry` must outlive the box.
    explicit BatchOptionsBox(ModelRegistry& registry, QWidget* parent = nullptr);

    BatchChoices choices() const;
    // Shows `choices` without edited(). Returns what to tell the user: that the model asked for is
    // not offered (the current one stays); empty otherwise.
    QString setChoices(const BatchChoices& choices);
    bool offersModel(const QString& spec) const;

Q_SIGNALS:
    // A choice changed in a widget, or the model did because the registry's list changed.
    void edited();

private:
    void refillModels();
    void chooseOutputFolder();
    void emitEdited();

    ModelRegistry& registry_;
    bool updating_ = false; // setChoices() or the constructor fills the widgets

    QComboBox* model_ = nullptr;
    QSpinBox* steps_ = nullptr;
    QLineEdit* seed_ = nullptr;
    QLineEdit* outputFolder_ = nullptr;
    QPushButton* outputBrowse_ = nullptr;
    QLineEdit* pattern_ = nullptr;
    QComboBox* format_ = nullptr;
    QCheckBox* skipExisting_ = nullptr;
    QCheckBox* recursive_ = nullptr;
};

} // namespace shiftsr::gui
