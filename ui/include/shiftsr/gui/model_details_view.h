// ModelDetailsView: one model's details for a person (the Models dialog's lower pane): what it is,
// how and from what it was trained, as labelled fields, with the raw metadata behind a toggle.
#pragma once

#include "shiftsr/gui/model_registry.h"

#include <QList>
#include <QString>
#include <QWidget>

class QFormLayout;
class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace shiftsr::gui {

struct DetailField {
    QString label;
    QString value;
    bool hash = false; // a sha256: monospace
};

// The package's provenance (its `provenance` metadata, written by shiftsr-train, the converter and
// resources/tools/repackage.py) as the fields a person asks about, in reading order: how it was
// trained and from what, steps, batch and crops, data, time, validation, a learned decoder head,
// repackaging. Fields the package does not record are left out; empty without a provenance.
QList<DetailField> provenanceFields(const ModelEntry& entry);

// The package's metadata as one indented JSON document, the provenance first; JSON-valued entries
// are shown as JSON, not as the strings they are stored as.
QString rawMetadataText(const ModelEntry& entry);

// A package family as users know it ("ResShift", "Real-ESRGAN (RRDBNet, GAN)", ...).
QString familyText(const std::string& family);

class ModelDetailsView : public QWidget {
    Q_OBJECT
public:
    explicit ModelDetailsView(QWidget* parent = nullptr);

    // Shows `entry` (null: a hint to select one); `isDefault` marks the default model.
    void showEntry(const ModelEntry* entry, bool isDefault);

    // The value shown for `label`; empty when that field is not shown.
    QString fieldValue(const QString& label) const;

private:
    void addFields(const QList<DetailField>& fields);
    void addHeading(const QString& text, bool bold);
    QList<DetailField> generalFields(const ModelEntry& e, bool isDefault) const;

    QLabel* title_ = nullptr;
    QLabel* error_ = nullptr;
    QFormLayout* form_ = nullptr; // one form, so that both parts' values line up
    QPushButton* rawToggle_ = nullptr;
    QPlainTextEdit* raw_ = nullptr;
};

} // namespace shiftsr::gui
