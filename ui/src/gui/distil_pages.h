// The DistilWizard's pages (one factory per page) and the preparation of a run folder; private to
// shiftsr_gui_distil.
#pragma once

#include "shiftsr/gui/distil_wizard.h"

class QWizardPage;

namespace shiftsr::gui {

// distil_pages_setup.cpp: the pages that decide (they write into wizard->setup()).
QWizardPage* makePhotosPage(DistilWizard* wizard);
QWizardPage* makeTeacherPage(DistilWizard* wizard);
QWizardPage* makeMethodPage(DistilWizard* wizard);
QWizardPage* makeBudgetPage(DistilWizard* wizard);

// distil_pages_run.cpp: the pages that run (they read wizard->setup()).
QWizardPage* makeRunPage(DistilWizard* wizard);
QWizardPage* makeFinishPage(DistilWizard* wizard);

// distil_plan.cpp: fills setup.runFolder for training: data/train and data/heldout (links to the
// chosen photos, so the trainer's own scan sees exactly the split), the teacher as a package file
// (an embedded teacher is written out), and job.json: setup.jobJson with the data folders and the
// teacher path filled in. Creates the folder; refuses one that already holds a run.
// With setup.fineTuneTeacher, the teacher's fine-tuning run gets its own folder inside
// (fineTuneRunFolder: job.json written, setup.teacherJobJson filled in the same way) and job.json's
// teacher is that run's model.safetensors: run it first.
// YONOS-SR (setup.yonos()): no teacher is written (the one compared with is used where it is);
// each stage's job goes to <runFolder>/<stage>/job.json with the data folders, the earlier stages'
// packages and the init package (an embedded one written out as init.safetensors) filled in, and
// setup.stageJobs gets them. The top folder holds no job.json: notes.json says what it is.
bool prepareRunFolder(DistilSetup& setup, const ModelRegistry& registry, QString* error);
QString fineTuneRunFolder(const QString& runFolder); // <runFolder>/teacher

} // namespace shiftsr::gui
