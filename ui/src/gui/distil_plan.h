// What the DistilWizard's deciding pages compute without widgets: the photo scan (the trainer's
// own rules plus duplicates), the held-out split, the presets and the jobs they make, the teacher's
// students, and the run folder checks. Private to shiftsr_gui_distil (and its tests).
#pragma once

#include "shiftsr/gui/model_registry.h"
#include "shiftsr/training/job.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>

namespace shiftsr::gui {

// ---- photos ----

struct SkippedPhoto {
    QString path;
    QString reason; // the trainer's reason ("too small ...", "cannot decode ..."), or a duplicate's
};

struct PhotoScan {
    QStringList photos; // usable, absolute, sorted; duplicates removed
    QList<SkippedPhoto> skipped;
    QString error;          // the scan failed (a folder is missing, ...): nothing usable
    bool cancelled = false; // a newer scan took over
};

// The trainer's scan (shiftsr::training::scanImageFolders with minSide = the job's crop, so "too
// small for the crop" is its rule) plus duplicates by content: a file whose bytes equal an
// earlier one's (sha1) is skipped as "duplicate of NAME". Any thread; `cancel` may be null.
PhotoScan scanPhotos(const QStringList& folders, bool recursive, int minSide,
                     const std::atomic<bool>* cancel = nullptr);

// The proposed held-out photos: max(3, 10 %) of `photos` (never all of them), drawn with `seed`
// by a generator of our own (std::shuffle's results differ between standard libraries), in the
// order of `photos`.
QStringList proposeHeldOut(const QStringList& photos, quint64 seed);
constexpr int kMinHeldOut = 3;
constexpr int kMinTraining = 4;

// ---- teacher and students ----

// The multi-step models that can be distilled: usable entries that are not one-step.
QList<const ModelEntry*> teacherCandidates(const ModelRegistry& registry);
// The one-step models distilled from `teacher`'s UNet (their provenance "teacher_sha256" is one of
// shiftsr::training::sameUNetHashes of it), installed ones first (the newest work), then embedded.
QStringList studentsOfTeacher(const ModelRegistry& registry, const ModelEntry& teacher);
// The HR crop side the teacher was built for (its UNet image_size times the codec's factor); 128
// when its metadata does not say.
int teacherCropSize(const ModelEntry& teacher);

// ---- presets ----

// "quick", "balanced", "best"; "tiny" (a few steps of the test model) only while the test models
// are listed (SHIFTSR_SHOW_TEST_MODELS=1).
QStringList distilPresets();
bool testPresetsShown();

struct JobPlan {
    QString preset;   // one of distilPresets()
    int crop = 128;   // teacherCropSize
    QString initSpec; // an earlier student of the teacher to continue, or empty
    int heldOut = 6;  // validation.count = min(heldOut, 6)
    QString name;     // the student's name
    bool fineTune = false;
};

// The rsd job of a plan. Its data folders and teacher are placeholders until prepareRunFolder
// fills them; "init" holds the student's registry spec (prepareRunFolder writes an embedded one
// out).
training::TrainJob rsdJob(const JobPlan& plan);
// The teacher's fine-tuning job on the same photos (kind teacher, init = the teacher; a short
// preset-dependent run, lr 1e-4 -> 1e-5) with the teacher's UNet and schedule.
training::TrainJob fineTuneJob(const JobPlan& plan, const ModelEntry& teacher);
extern const char kTrainPlaceholder[];   // data.train until prepareRunFolder
extern const char kHeldOutPlaceholder[]; // data.val
extern const char kTeacherPlaceholder[]; // teacher (rsd) / init (fine-tuning)

// ---- YONOS-SR ----

// The stages of a YONOS-SR run, in the order they run: "autoencoder", "teacher", "distil",
// "decoder". Each is a run of its own in yonosStageFolder(runFolder, stage).
QStringList yonosStages();
QString yonosStageFolder(const QString& runFolder, const QString& stage);
// "autoencoder", "x2 teacher", ... (translated), and what the stage does ("training the x2
// teacher").
QString yonosStageTitle(const QString& stage);
QString yonosStageActivity(const QString& stage);
// The HR crop of the U-Net stages (the autoencoder stage learns on half of it): the recipe's 128
// px, 64 for the tiny test preset.
int yonosCrop(const QString& preset);
// A stage's input that an earlier stage writes (its model.safetensors), until prepareRunFolder
// fills in the path: the teacher's "autoencoder", the distil stage's "teacher", the decoder
// stage's "base".
QString yonosStagePlaceholder(const QString& stage);

struct YonosPlan {
    QString preset;          // one of distilPresets()
    int heldOut = 4;         // validation.count = min(heldOut, 4)
    QString name;            // the student's name (the decoder stage's package)
    QString codec = "f4";    // the autoencoder stage's codec
    QString autoencoderFile; // an autoencoder package: no autoencoder stage
    QString initSpec;        // a yonos package the teacher continues: no autoencoder stage
};

// The preset's steps of each stage: training/recipes/yonos-lite.sh at SCALE_OF_BUDGET 0.25
// (quick), 1 (balanced) and 4 (best).
double yonosBudgetScale(const QString& preset);
// The job of one stage (training/recipes/yonos-lite.sh's choices), with placeholders for the
// data, the earlier stages' packages and an embedded init package (its registry spec).
training::TrainJob yonosJob(const YonosPlan& plan, const QString& stage);
// Every stage's job as JSON, in yonosStages() order; an empty string for a stage the plan skips
// (the autoencoder stage, when an autoencoder or an init package is given).
QStringList yonosJobs(const YonosPlan& plan);
// The yonos-family packages a YONOS-SR teacher can start from (converted Stable Diffusion
// weights, an earlier YONOS-SR run), installed ones first.
QList<const ModelEntry*> yonosInitCandidates(const ModelRegistry& registry);
// Why `path` cannot be the autoencoder of a YONOS-SR run (not there, not an autoencoder package);
// empty when it can.
QString autoencoderFileProblem(const QString& path);

// ---- run folder ----

// A student's name as a folder name: letters, digits, '-', '_' and '.' kept, the rest '-'; plus
// the date ("birds-one-step-rsd-2026-12-08").
QString runFolderName(const QString& studentName, const QDate& date);
// A folder holds a run when it has job.json, log.jsonl or notes.json (a YONOS-SR run's folder has
// only the notes; its stages' runs are in sub-folders).
bool holdsRun(const QString& folder);
// Free bytes of the volume that holds `path` (or, when it does not exist yet, its nearest existing
// parent); QStorageInfo unless a test replaced it. -1: unknown.
qint64 freeBytes(const QString& path);
// Tests only: replaces the free-space probe (null restores QStorageInfo), so "not enough disk"
// can be shown without filling one.
void setFreeBytesProbeForTests(std::function<qint64(const QString&)> probe);
// Why `folder` cannot take a new run needing `neededBytes` (a sentence that says what to do);
// empty when it can. Checks: it holds a run, it (or the parent it would be created in) is not
// writable, the volume has less free space than needed.
QString runFolderProblem(const QString& folder, qint64 neededBytes);

// Tests only: leaves the embedded models out of teacherCandidates(), as in a build that embeds no
// multi-step model (the embedded teacher is otherwise always there).
void setEmbeddedTeachersHiddenForTests(bool hidden);

// "about 7 min", "about 1 h 20 min", "about 40 s".
QString approximateDuration(double seconds);
// "1.2 GB", "340 MB".
QString byteSize(qint64 bytes);

} // namespace shiftsr::gui
