// What the distillation wizard's Run and Finish pages share with the wizard: the setup in a run's
// notes.json, the programs it runs, and the installation of a student package.
#pragma once

#include "shiftsr/gui/distil_wizard.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace shiftsr::gui {

// The wizard's key in a run's notes.json (TrainingRun::notes keeps its own keys beside it).
inline constexpr char kNotesSetupKey[] = "setup";

QJsonObject setupToJson(const DistilSetup& setup);
DistilSetup setupFromJson(const QJsonObject& json);

// Merges the setup into the run folder's notes.json, keeping what else is there.
bool saveSetupNotes(const DistilSetup& setup, QString* error);

// The folder of a wizard's run that trains now: for a YONOS-SR run (its notes say so) the first
// stage whose run has not finished, or the last stage when all have; else the run folder itself.
// `stageText` gets " (stage 2 of 4: x2 teacher)" for a YONOS-SR run, nothing for another.
QString activeStageFolder(const QString& runFolder, QString* stageText = nullptr);

// The package the run writes at its end: model.safetensors of the run folder, or of a YONOS-SR
// run's last stage (the decoder).
QString finalPackage(const DistilSetup& setup);

// The job whose data the student was trained on (data.degradation, ...): the rsd job, or a
// YONOS-SR run's last stage's.
QString finalJobJson(const DistilSetup& setup);

// `shiftsr-cli`: $SHIFTSR_CLI, else beside the running executable, else on PATH; empty when none
// is found (as TrainingRun::trainerProgram finds shiftsr-train).
QString cliProgram();

// A command line a shell reads back as these arguments (single quotes where needed).
QString shellCommand(const QString& program, const QStringList& arguments);

// A file name stem from a display name: letters, digits, '-', '_' and '.', others as '-'; never
// empty, never starting with a dot.
QString packageStem(const QString& name);

// Copies the package `source` into `folder` as <stem>.safetensors, or <stem>-2.safetensors, ...
// when that exists (never replacing a file), with `provenance` merged into the package's
// "provenance" metadata: through a temporary file and a rename, so the folder never holds half a
// package. Blocks (run it off the GUI thread); returns the new file's path, or empty and `*error`.
QString installPackage(const QString& source, const QString& folder, const QString& stem,
                       const QJsonObject& provenance, QString* error);

} // namespace shiftsr::gui
