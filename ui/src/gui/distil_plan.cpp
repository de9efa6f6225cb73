// The DistilWizard's decisions without widgets: photo scan, held-out split, presets and their
// jobs, students of a teacher, run folder checks and preparation.
#include "distil_plan.h"

#include "distil_pages.h"

#include "shiftsr/engine/safetensors.h"
#include "shiftsr/resources/embedded.h"
#include "shiftsr/training/dataset.h"
#include "shiftsr/training/rsd.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDate>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QSaveFile>
#include <QStorageInfo>
#include <QTemporaryFile>

#include <algorithm>
#include <cmath>

namespace shiftsr::gui {

namespace {

// tr() for the free functions here (one context for lupdate).
struct DistilPlan {
    Q_DECLARE_TR_FUNCTIONS(shiftsr::gui::DistilPlan)
};

QString fromStd(const std::string& s) {
    return QString::fromStdString(s);
}

std::function<qint64(const QString&)>& freeBytesProbe() {
    static std::function<qint64(const QString&)> probe;
    return probe;
}

bool& embeddedTeachersHidden() {
    static bool hidden = false;
    return hidden;
}

QJsonObject metadataObject(const ModelEntry& e, const char* key) {
    const auto it = e.info.metadata.find(key);
    if (it == e.info.metadata.end())
        return {};
    return QJsonDocument::fromJson(QByteArray::fromStdString(it->second)).object();
}

std::string metadataText(const ModelEntry& e, const char* key) {
    const auto it = e.info.metadata.find(key);
    return it == e.info.metadata.end() ? std::string() : it->second;
}

// The sha1 of a file's bytes; empty when it cannot be read.
QByteArray fileSha1(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash h(QCryptographicHash::Sha1);
    return h.addData(&f) ? h.result() : QByteArray();
}

// splitmix64: a small generator whose sequence is the same everywhere.
quint64 splitmix(quint64& state) {
    quint64 z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

bool writeFileAtomically(const QString& path, const QByteArray& bytes, QString* error) {
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit()) {
        *error = DistilPlan::tr("Cannot write %1: %2")
                     .arg(QDir::toNativeSeparators(path), f.errorString());
        return false;
    }
    return true;
}

// A model spec as a package file for the trainer: an embedded one is written into the run folder
// as `fileName`, a folder package is used where it is.
bool packageFile(const QString& spec, const QString& runFolder, const QString& fileName,
                 QString* path, QString* error) {
    static const QString embedded = QStringLiteral("embedded:");
    if (!spec.startsWith(embedded)) {
        if (!QFileInfo(spec).isFile()) {
            *error = DistilPlan::tr("The model %1 is no longer there.")
                         .arg(QDir::toNativeSeparators(spec));
            return false;
        }
        *path = QFileInfo(spec).absoluteFilePath();
        return true;
    }
    const auto* m = resources::findEmbeddedModel(spec.mid(embedded.size()).toStdString());
    if (!m) {
        *error = DistilPlan::tr("This build has no model %1.").arg(spec);
        return false;
    }
    *path = QDir(runFolder).absoluteFilePath(fileName);
    return writeFileAtomically(
        *path, QByteArray::fromRawData(reinterpret_cast<const char*>(m->data), qsizetype(m->size)),
        error);
}

// Links `photos` into `folder` as NNNN-name (the index keeps names unique and the order stable);
// earlier links there are removed first (a preparation that was interrupted).
bool linkPhotos(const QString& folder, const QList<QPair<int, QString>>& photos, QString* error) {
    QDir dir(folder);
    if (!dir.mkpath(QStringLiteral("."))) {
        *error = DistilPlan::tr("Cannot create %1.").arg(QDir::toNativeSeparators(folder));
        return false;
    }
    for (const QFileInfo& fi : dir.entryInfoList(QDir::Files | QDir::System | QDir::Hidden))
        if (fi.isSymLink())
            QFile::remove(fi.filePath());
    for (const auto& [index, photo] : photos) {
        const QString link = dir.filePath(QStringLiteral("%1-%2")
                                              .arg(index, 4, 10, QLatin1Char('0'))
                                              .arg(QFileInfo(photo).fileName()));
        if (!QFile::link(QFileInfo(photo).absoluteFilePath(), link)) {
            *error = DistilPlan::tr("Cannot link %1 into %2.")
                         .arg(QDir::toNativeSeparators(photo), QDir::toNativeSeparators(folder));
            return false;
        }
    }
    return true;
}

struct PresetNumbers {
    int steps, batch;
    double ema;
    int every; // checkpoint and validation cadence
    // A teacher step (one network) costs about a third of an rsd step (student, fake model and
    // teacher): three times the steps make the fine-tuning about as long as the distillation.
    int fineTuneSteps;
};

PresetNumbers presetNumbers(const QString& preset) {
    // Based on the embedded student's recipe (resources/models/README.md, lite-rsd): 600 steps
    // of batch 8 took 0.6 h on 2 CPU cores.
    if (preset == QLatin1String("tiny")) // the test model: seconds
        return {6, 2, 0.9, 3, 4};
    if (preset == QLatin1String("balanced"))
        return {600, 8, 0.99, 100, 1800};
    if (preset == QLatin1String("best"))
        return {2000, 8, 0.995, 250, 6000};
    return {150, 4, 0.98, 50, 450}; // quick: a few minutes on 2 cores
}

} // namespace

const char kTrainPlaceholder[] = "(the chosen photos: filled in when the run folder is prepared)";
const char kHeldOutPlaceholder[] =
    "(the held-out photos: filled in when the run folder is prepared)";
const char kTeacherPlaceholder[] = "(the teacher: filled in when the run folder is prepared)";

// ---- photos ----

PhotoScan scanPhotos(const QStringList& folders, bool recursive, int minSide,
                     const std::atomic<bool>* cancel) {
    PhotoScan out;
    std::vector<std::string> paths;
    for (const QString& f : folders)
        paths.push_back(QFileInfo(f).absoluteFilePath().toStdString());
    training::ScanOptions options;
    options.minSide = minSide;
    options.recursive = recursive;
    JobControl job;
    job.cancel = cancel;
    auto report = training::scanImageFolders(paths, options, job);
    if (!report) {
        out.cancelled = report.status().code() == StatusCode::Cancelled;
        out.error = fromStd(report.status().message());
        return out;
    }
    for (const auto& s : report->skipped)
        out.skipped.push_back({fromStd(s.path), fromStd(s.reason)});
    QHash<QByteArray, QString> seen;
    for (const auto& image : report->images) {
        if (cancel && cancel->load()) {
            out.cancelled = true;
            return out;
        }
        const QString path = fromStd(image.path);
        const QByteArray sha = fileSha1(path);
        if (const auto it = seen.constFind(sha); !sha.isEmpty() && it != seen.constEnd()) {
            out.skipped.push_back(
                {path, DistilPlan::tr("duplicate of %1").arg(QFileInfo(*it).fileName())});
            continue;
        }
        seen.insert(sha, path);
        out.photos << path;
    }
    std::sort(out.skipped.begin(), out.skipped.end(),
              [](const SkippedPhoto& a, const SkippedPhoto& b) { return a.path < b.path; });
    return out;
}

QStringList proposeHeldOut(const QStringList& photos, quint64 seed) {
    const int n = int(photos.size());
    const int count = std::min(n, std::max(kMinHeldOut, int(std::lround(n * 0.1))));
    QList<int> order(n);
    for (int i = 0; i < n; ++i)
        order[i] = i;
    quint64 state = seed;
    for (int i = n - 1; i > 0; --i) // Fisher-Yates
        std::swap(order[i], order[int(splitmix(state) % quint64(i + 1))]);
    QList<int> chosen = order.mid(0, count);
    std::sort(chosen.begin(), chosen.end());
    QStringList out;
    for (int i : chosen)
        out << photos[i];
    return out;
}

// ---- teacher and students ----

void setEmbeddedTeachersHiddenForTests(bool hidden) {
    embeddedTeachersHidden() = hidden;
}

QList<const ModelEntry*> teacherCandidates(const ModelRegistry& registry) {
    QList<const ModelEntry*> out;
    for (const ModelEntry& e : registry.models())
        if (e.error.isEmpty() && !e.oneStep() && !(e.embedded && embeddedTeachersHidden()))
            out << &e;
    return out;
}

QStringList studentsOfTeacher(const ModelRegistry& registry, const ModelEntry& teacher) {
    if (teacher.info.contentHash.empty())
        return {}; // not hashed yet (contentHashesReady follows)
    const std::vector<std::string> hashes =
        training::sameUNetHashes(teacher.info.contentHash, metadataText(teacher, "provenance"));
    QStringList installed, embedded;
    for (const ModelEntry& e : registry.models()) {
        if (!e.oneStep())
            continue;
        const std::string named = metadataObject(e, "provenance")
                                      .value(QLatin1String("teacher_sha256"))
                                      .toString()
                                      .toStdString();
        if (named.empty() || std::find(hashes.begin(), hashes.end(), named) == hashes.end())
            continue;
        (e.embedded ? embedded : installed) << e.spec;
    }
    return installed + embedded;
}

int teacherCropSize(const ModelEntry& teacher) {
    const int latent = metadataObject(teacher, "unet").value(QLatin1String("image_size")).toInt();
    if (latent <= 0)
        return 128;
    const int factor = teacher.info.codec == "kl-f8" ? 8 : 4;
    return latent * factor;
}

// ---- presets ----

bool testPresetsShown() {
    for (const auto& m : resources::listedEmbeddedModels())
        if (m.forTests)
            return true;
    return false;
}

QStringList distilPresets() {
    QStringList out{QStringLiteral("quick"), QStringLiteral("balanced"), QStringLiteral("best")};
    if (testPresetsShown())
        out << QStringLiteral("tiny");
    return out;
}

// What the distillation and the teacher's fine-tuning share: the photos (placeholders that
// prepareRunFolder fills), crop, degradation, loader and threads, and the checkpoint, validation
// and log cadence.
static void setDataAndCadence(training::TrainJob& j, const JobPlan& plan, const PresetNumbers& p) {
    const bool tiny = plan.preset == QLatin1String("tiny");
    j.trainFolders = {kTrainPlaceholder};
    j.valFolder = kHeldOutPlaceholder;
    j.gtSize = j.minSide = j.valSize = plan.crop;
    j.degradation = tiny ? "bicubic" : "realesrgan";
    j.workers = tiny ? 1 : 2;
    j.threads = tiny ? 1 : 0;
    j.checkpointEvery = j.validateEvery = p.every;
    j.logEvery = tiny ? 1 : 5;
    j.keepCheckpoints = 2;
    j.valCount = std::max(1, std::min(plan.heldOut, 6));
}

training::TrainJob rsdJob(const JobPlan& plan) {
    const PresetNumbers p = presetNumbers(plan.preset);
    const bool tiny = plan.preset == QLatin1String("tiny");
    training::TrainJob j = *training::TrainJob::fromJson(
        R"({"kind": "rsd", "teacher": "-", "data": {"train": "-"}})"); // the rsd defaults
    j.preset = tiny ? "tiny" : "lite"; // the architecture comes from the teacher package
    j.name = plan.name.toStdString();
    j.teacherModel = kTeacherPlaceholder;
    j.initModel = plan.initSpec.toStdString();
    setDataAndCadence(j, plan, p);
    j.steps = p.steps;
    j.batch = p.batch;
    // the lite-rsd recipe: AdamW lr 5e-5 constant, betas (0.9, 0.95); the fake model at 1e-4
    j.lr = j.lrMin = 5e-5;
    j.warmup = 0;
    j.beta1 = 0.9;
    j.beta2 = 0.95;
    j.ema = p.ema;
    j.fakeUpdates = 1;
    j.fakeLr = 1e-4;
    j.startTimesteps = 4;
    j.dmWeight = 1;
    j.supervisedWeight = 4;
    j.ganWeight = 0.003;
    j.discWeight = 0.01;
    j.seed = 20261208;
    j.valSteps = 0;
    return j;
}

training::TrainJob fineTuneJob(const JobPlan& plan, const ModelEntry& teacher) {
    const PresetNumbers p = presetNumbers(plan.preset);
    const bool tiny = plan.preset == QLatin1String("tiny");
    training::TrainJob j; // the teacher defaults
    j.kind = "teacher";
    // The architecture and schedule are the teacher's own (its metadata, merged over the preset),
    // so that its weights load and its sampler stays as it was.
    j.preset = teacher.info.codec == "vq-f4" ? "v3" : "lite";
    j.modelJson = metadataText(teacher, "unet");
    j.scheduleJson = metadataText(teacher, "schedule");
    j.name = (plan.name + DistilPlan::tr(" (fine-tuned teacher)")).toStdString();
    j.initModel = kTeacherPlaceholder;
    setDataAndCadence(j, plan, p);
    j.steps = p.fineTuneSteps;
    j.batch = p.batch;
    j.lr = 1e-4;
    j.lrMin = 1e-5;
    j.warmup = tiny ? 0 : 20;
    j.ema = p.ema;
    j.seed = 20261207;
    return j;
}

// ---- YONOS-SR ----

QStringList yonosStages() {
    return {QStringLiteral("autoencoder"), QStringLiteral("teacher"), QStringLiteral("distil"),
            QStringLiteral("decoder")};
}

QString yonosStageFolder(const QString& runFolder, const QString& stage) {
    return QDir(runFolder).filePath(stage);
}

QString yonosStageTitle(const QString& stage) {
    if (stage == QLatin1String("autoencoder"))
        return DistilPlan::tr("autoencoder");
    if (stage == QLatin1String("teacher"))
        return DistilPlan::tr("x2 teacher");
    if (stage == QLatin1String("distil"))
        return DistilPlan::tr("x4 student");
    return DistilPlan::tr("decoder");
}

QString yonosStageActivity(const QString& stage) {
    if (stage == QLatin1String("autoencoder"))
        return DistilPlan::tr("training the autoencoder (the latent codec)");
    if (stage == QLatin1String("teacher"))
        return DistilPlan::tr("training the x2 teacher");
    if (stage == QLatin1String("distil"))
        return DistilPlan::tr("distilling the x4 one-step student from the teacher");
    return DistilPlan::tr("fine-tuning the decoder on the student's one-step outputs");
}

int yonosCrop(const QString& preset) {
    return preset == QLatin1String("tiny") ? 64 : 128;
}

QString yonosStagePlaceholder(const QString& stage) {
    return QStringLiteral("(the %1 stage's model.safetensors: filled in when the run folder is "
                          "prepared)")
        .arg(stage);
}

double yonosBudgetScale(const QString& preset) {
    if (preset == QLatin1String("balanced"))
        return 1;
    if (preset == QLatin1String("best"))
        return 4;
    return 0.25; // quick (and tiny, whose steps are its own)
}

training::TrainJob yonosJob(const YonosPlan& plan, const QString& stage) {
    const bool tiny = plan.preset == QLatin1String("tiny");
    // The stage's defaults (its optimiser) as the trainer sets them; the inputs it requires are
    // set below.
    QJsonObject base{{QStringLiteral("kind"), QStringLiteral("yonos")},
                     {QStringLiteral("yonos"), QJsonObject{{QStringLiteral("stage"), stage}}},
                     {QStringLiteral("data"), QJsonObject{{QStringLiteral("train"), "-"}}}};
    for (const char* input : {"autoencoder", "teacher", "base"})
        base.insert(QLatin1String(input), QStringLiteral("-"));
    training::TrainJob j = *training::TrainJob::fromJson(
        QJsonDocument(base).toJson(QJsonDocument::Compact).toStdString());
    j.autoencoderModel.clear();
    j.teacherModel.clear();
    j.baseModel.clear();
    j.preset = tiny ? "tiny" : "lite";
    // training/recipes/yonos-lite.sh: the stages' steps at SCALE_OF_BUDGET 1, batch 8, 128 px
    // crops (the autoencoder 64 px: it is convolutional, the crop only bounds its context),
    // Real-ESRGAN degradation, EMA 0.995, validation of 4 photos.
    const int crop = yonosCrop(plan.preset);
    int steps = 0;
    if (stage == QLatin1String("autoencoder")) {
        steps = 1200;
        j.gtSize = j.minSide = std::min(64, crop);
        j.codecPreset = plan.codec.toStdString();
    } else if (stage == QLatin1String("teacher")) {
        steps = 1500;
        j.gtSize = j.minSide = crop;
        j.scale = 2;
        j.oneStepFraction = 0.5;
        if (!plan.autoencoderFile.isEmpty())
            j.autoencoderModel = plan.autoencoderFile.toStdString();
        else if (plan.initSpec.isEmpty())
            j.autoencoderModel = yonosStagePlaceholder(QStringLiteral("autoencoder")).toStdString();
        j.initModel = plan.initSpec.toStdString();
    } else if (stage == QLatin1String("distil")) {
        steps = 1200;
        j.gtSize = j.minSide = crop;
        j.scale = 4;
        j.oneStepFraction = 0.5;
        j.teacherModel = yonosStagePlaceholder(QStringLiteral("teacher")).toStdString();
    } else {
        steps = 400;
        j.gtSize = j.minSide = crop;
        j.baseModel = yonosStagePlaceholder(QStringLiteral("distil")).toStdString();
        j.name = plan.name.toStdString();
    }
    j.trainFolders = {kTrainPlaceholder};
    j.valFolder = kHeldOutPlaceholder;
    j.degradation = tiny ? "bicubic" : "realesrgan";
    j.workers = tiny ? 1 : 2;
    j.threads = tiny ? 1 : 0;
    j.batch = tiny ? 2 : 8;
    j.steps = tiny ? (stage == QLatin1String("decoder") ? 3 : 4)
                   : std::max(1, int(steps * yonosBudgetScale(plan.preset)));
    j.ema = tiny ? 0.9 : 0.995;
    j.logEvery = tiny ? 1 : 10;
    j.checkpointEvery = tiny ? 2 : 100;
    // the recipe's 250, but at least four validations for the charts of a short stage
    j.validateEvery = tiny ? 2 : std::clamp(j.steps / 4, 25, 250);
    j.keepCheckpoints = 2;
    j.valCount = std::max(1, std::min(plan.heldOut, 4));
    j.valSize = tiny ? 64 : 128;
    j.seed = 20261207;
    return j;
}

QStringList yonosJobs(const YonosPlan& plan) {
    QStringList out;
    const bool noAutoencoderStage = !plan.autoencoderFile.isEmpty() || !plan.initSpec.isEmpty();
    for (const QString& stage : yonosStages())
        out << (stage == QLatin1String("autoencoder") && noAutoencoderStage
                    ? QString()
                    : fromStd(yonosJob(plan, stage).toJson()));
    return out;
}

QList<const ModelEntry*> yonosInitCandidates(const ModelRegistry& registry) {
    QList<const ModelEntry*> installed, embedded;
    for (const ModelEntry& e : registry.models())
        if (e.error.isEmpty() && e.info.family == "yonos")
            (e.embedded ? embedded : installed) << &e;
    return installed + embedded;
}

QString autoencoderFileProblem(const QString& path) {
    if (path.isEmpty())
        return {};
    const QString native = QDir::toNativeSeparators(path);
    if (!QFileInfo(path).isFile())
        return DistilPlan::tr("The autoencoder %1 is not there.").arg(native);
    auto file = SafeTensorsFile::open(path.toStdString());
    if (!file)
        return fromStd(file.status().message());
    const auto it = file->metadata().find("family");
    if (it == file->metadata().end() || it->second != "autoencoder")
        return DistilPlan::tr("%1 is not an autoencoder package (the autoencoder stage of a "
                              "YONOS-SR run writes one).")
            .arg(native);
    return {};
}

// ---- run folder ----

QString runFolderName(const QString& studentName, const QDate& date) {
    QString name;
    for (const QChar c : studentName.trimmed().toLower()) {
        const bool keep = c.isLetterOrNumber() || c == QLatin1Char('-') || c == QLatin1Char('_') ||
                          c == QLatin1Char('.');
        if (keep)
            name += c;
        else if (!name.endsWith(QLatin1Char('-')))
            name += QLatin1Char('-');
    }
    while (name.startsWith(QLatin1Char('.')) || name.startsWith(QLatin1Char('-')))
        name.remove(0, 1);
    while (name.endsWith(QLatin1Char('-')))
        name.chop(1);
    if (name.isEmpty())
        name = QStringLiteral("student");
    return name + QLatin1Char('-') + date.toString(Qt::ISODate);
}

bool holdsRun(const QString& folder) {
    const QDir d(folder);
    return QFileInfo::exists(d.filePath(QStringLiteral("job.json"))) ||
           QFileInfo::exists(d.filePath(QStringLiteral("log.jsonl"))) ||
           QFileInfo::exists(d.filePath(QStringLiteral("notes.json")));
}

void setFreeBytesProbeForTests(std::function<qint64(const QString&)> probe) {
    freeBytesProbe() = std::move(probe);
}

namespace {
// The folder itself when it exists, else the nearest parent that does.
QString existingAncestor(const QString& path) {
    QFileInfo fi(QFileInfo(path).absoluteFilePath());
    while (!fi.exists()) {
        const QString parent = fi.absolutePath();
        if (parent == fi.absoluteFilePath())
            return {};
        fi = QFileInfo(parent);
    }
    return fi.absoluteFilePath();
}

// Permissions do not tell everything (root passes them; read-only mounts, /proc): try it.
bool canCreateFileIn(const QString& folder) {
    QTemporaryFile probe(QDir(folder).filePath(QStringLiteral(".shiftsr-write-test-XXXXXX")));
    return probe.open();
}
} // namespace

qint64 freeBytes(const QString& path) {
    if (freeBytesProbe())
        return freeBytesProbe()(path);
    const QString existing = existingAncestor(path);
    if (existing.isEmpty())
        return -1;
    const QStorageInfo storage(existing);
    return storage.isValid() ? storage.bytesAvailable() : -1;
}

QString runFolderProblem(const QString& folder, qint64 neededBytes) {
    if (folder.trimmed().isEmpty())
        return DistilPlan::tr("Choose a folder for the run.");
    const QString native = QDir::toNativeSeparators(folder);
    if (holdsRun(folder))
        return DistilPlan::tr("%1 already holds a training run: choose another folder (or open "
                              "that run from Tools → Distil a One-Step Model…).")
            .arg(native);
    const QFileInfo fi(folder);
    if (fi.exists() && !fi.isDir())
        return DistilPlan::tr("%1 is a file: choose a folder.").arg(native);
    const QString existing = existingAncestor(folder);
    const QFileInfo where(existing);
    if (existing.isEmpty() || !where.isDir() || !where.isWritable() || !canCreateFileIn(existing))
        return DistilPlan::tr("%1 is not writable: choose a folder you can write to.")
            .arg(QDir::toNativeSeparators(existing.isEmpty() ? folder : existing));
    const qint64 free = freeBytes(folder);
    if (free >= 0 && neededBytes > 0 && free < neededBytes)
        return DistilPlan::tr("Not enough disk space for the run: it needs %1, the disk holding %2 "
                              "has %3 free. Free some space or choose a folder on another disk.")
            .arg(byteSize(neededBytes), native, byteSize(free));
    return {};
}

QString approximateDuration(double seconds) {
    if (seconds < 90)
        return DistilPlan::tr("about %1 s").arg(std::max(1, int(std::lround(seconds))));
    const int minutes = int(std::lround(seconds / 60));
    if (minutes < 60)
        return DistilPlan::tr("about %1 min").arg(minutes);
    if (minutes % 60 == 0)
        return DistilPlan::tr("about %1 h").arg(minutes / 60);
    return DistilPlan::tr("about %1 h %2 min").arg(minutes / 60).arg(minutes % 60);
}

QString byteSize(qint64 bytes) {
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat);
}

// ---- the run folder ----

QString fineTuneRunFolder(const QString& runFolder) {
    return QDir(runFolder).filePath(QStringLiteral("teacher"));
}

namespace {

// Why an rsd run cannot be prepared (checked before anything is written); empty when it can.
QString rsdProblem(const DistilSetup& setup, const ModelRegistry& registry) {
    if (auto job = training::TrainJob::fromJson(setup.jobJson.toStdString()); !job)
        return fromStd(job.status().message());
    const ModelEntry* teacher = registry.find(setup.teacherSpec);
    if (!teacher || !teacher->error.isEmpty() || teacher->oneStep())
        return DistilPlan::tr("The teacher %1 is not a usable multi-step model.")
            .arg(setup.teacherSpec);
    return {};
}

// The rsd job (and the teacher's fine-tuning job) of a run folder whose photos are linked.
bool prepareRsdJobs(DistilSetup& setup, const QString& folder, const QString& trainDir,
                    const QString& heldOutDir, QString* error) {
    auto job = training::TrainJob::fromJson(setup.jobJson.toStdString());
    if (!job) {
        *error = fromStd(job.status().message());
        return false;
    }
    QString teacherFile;
    if (!packageFile(setup.teacherSpec, folder, QStringLiteral("teacher.safetensors"), &teacherFile,
                     error))
        return false;
    job->trainFolders = {trainDir.toStdString()};
    job->valFolder = heldOutDir.toStdString();
    job->teacherModel = teacherFile.toStdString();
    if (setup.fineTuneTeacher) {
        auto tuning = training::TrainJob::fromJson(setup.teacherJobJson.toStdString());
        if (!tuning) {
            *error = DistilPlan::tr("The teacher's fine-tuning job: %1")
                         .arg(fromStd(tuning.status().message()));
            return false;
        }
        const QString tuneDir = fineTuneRunFolder(folder);
        tuning->trainFolders = {trainDir.toStdString()};
        tuning->valFolder = heldOutDir.toStdString();
        tuning->initModel = teacherFile.toStdString();
        if (!QDir().mkpath(tuneDir) ||
            !writeFileAtomically(QDir(tuneDir).filePath(QStringLiteral("job.json")),
                                 QByteArray::fromStdString(tuning->toJson()), error))
            return false;
        setup.teacherJobJson = fromStd(tuning->toJson());
        // the student learns from the fine-tuned teacher, which the first stage writes here
        job->teacherModel =
            QDir(tuneDir).filePath(QStringLiteral("model.safetensors")).toStdString();
    }
    if (!job->initModel.empty()) {
        QString initFile;
        if (!packageFile(fromStd(job->initModel), folder, QStringLiteral("init.safetensors"),
                         &initFile, error))
            return false;
        job->initModel = initFile.toStdString();
    }
    const std::string text = job->toJson();
    if (auto check = training::TrainJob::fromJson(text); !check) {
        *error = fromStd(check.status().message());
        return false;
    }
    if (!writeFileAtomically(QDir(folder).filePath(QStringLiteral("job.json")),
                             QByteArray::fromStdString(text), error))
        return false;
    setup.jobJson = fromStd(text);
    return true;
}

// Why a YONOS-SR run cannot be prepared (checked before anything is written); empty when it can.
QString yonosProblem(const DistilSetup& setup) {
    const QStringList stages = yonosStages();
    if (setup.stageJobs.size() != stages.size() || setup.stageJobs.constLast().isEmpty())
        return DistilPlan::tr("The YONOS-SR run has no job for each of its stages.");
    for (int i = 0; i < stages.size(); ++i) {
        if (setup.stageJobs[i].isEmpty())
            continue;
        if (auto job = training::TrainJob::fromJson(setup.stageJobs[i].toStdString()); !job)
            return DistilPlan::tr("The %1 stage's job: %2")
                .arg(yonosStageTitle(stages[i]), fromStd(job.status().message()));
    }
    return {};
}

// Each YONOS-SR stage's job in its own folder, its inputs filled in: the data, the packages of
// the stages before it (their placeholders) and the init package (written out when embedded).
bool prepareYonosStages(DistilSetup& setup, const QString& folder, const QString& trainDir,
                        const QString& heldOutDir, QString* error) {
    const QStringList stages = yonosStages();
    QStringList written;
    QString initFile; // the init package as a file, once written out
    for (int i = 0; i < stages.size(); ++i) {
        if (setup.stageJobs[i].isEmpty()) {
            written << QString();
            continue;
        }
        auto job = training::TrainJob::fromJson(setup.stageJobs[i].toStdString());
        if (!job) {
            *error = DistilPlan::tr("The %1 stage's job: %2")
                         .arg(yonosStageTitle(stages[i]), fromStd(job.status().message()));
            return false;
        }
        job->trainFolders = {trainDir.toStdString()};
        job->valFolder = heldOutDir.toStdString();
        for (std::string* input : {&job->autoencoderModel, &job->teacherModel, &job->baseModel}) {
            for (int k = 0; k < i; ++k) {
                if (fromStd(*input) != yonosStagePlaceholder(stages[k]))
                    continue;
                if (setup.stageJobs[k].isEmpty()) {
                    *error = DistilPlan::tr("The %1 stage needs the package of the %2 stage, "
                                            "which is skipped.")
                                 .arg(yonosStageTitle(stages[i]), yonosStageTitle(stages[k]));
                    return false;
                }
                *input = QDir(yonosStageFolder(folder, stages[k]))
                             .filePath(QStringLiteral("model.safetensors"))
                             .toStdString();
            }
        }
        if (!job->initModel.empty()) {
            if (initFile.isEmpty() &&
                !packageFile(fromStd(job->initModel), folder, QStringLiteral("init.safetensors"),
                             &initFile, error))
                return false;
            job->initModel = initFile.toStdString();
        }
        const std::string text = job->toJson();
        if (auto check = training::TrainJob::fromJson(text); !check) {
            *error = DistilPlan::tr("The %1 stage's job: %2")
                         .arg(yonosStageTitle(stages[i]), fromStd(check.status().message()));
            return false;
        }
        const QString stageDir = yonosStageFolder(folder, stages[i]);
        if (!QDir().mkpath(stageDir) ||
            !writeFileAtomically(QDir(stageDir).filePath(QStringLiteral("job.json")),
                                 QByteArray::fromStdString(text), error))
            return false;
        written << fromStd(text);
    }
    setup.stageJobs = written;
    return true;
}

} // namespace

bool prepareRunFolder(DistilSetup& setup, const ModelRegistry& registry, QString* error) {
    QString ignored;
    if (!error)
        error = &ignored;
    const QString folder = QFileInfo(setup.runFolder).absoluteFilePath();
    if (setup.runFolder.isEmpty()) {
        *error = DistilPlan::tr("No run folder was chosen.");
        return false;
    }
    if (holdsRun(folder)) {
        *error = DistilPlan::tr("%1 already holds a training run.")
                     .arg(QDir::toNativeSeparators(folder));
        return false;
    }
    if (const QString problem = setup.yonos() ? yonosProblem(setup) : rsdProblem(setup, registry);
        !problem.isEmpty()) {
        *error = problem;
        return false;
    }
    QList<QPair<int, QString>> train, heldOut;
    for (int i = 0; i < setup.photos.size(); ++i)
        (setup.heldOut.contains(setup.photos[i]) ? heldOut : train)
            << qMakePair(i + 1, setup.photos[i]);
    if (heldOut.size() != setup.heldOut.size()) {
        *error = DistilPlan::tr("The held-out photos are not among the chosen photos.");
        return false;
    }
    if (train.isEmpty() || heldOut.isEmpty()) {
        *error = DistilPlan::tr("Both the training and the held-out photos must be chosen.");
        return false;
    }
    QDir dir(folder);
    if (!dir.mkpath(QStringLiteral("."))) {
        *error = DistilPlan::tr("Cannot create %1.").arg(QDir::toNativeSeparators(folder));
        return false;
    }
    const QString trainDir = dir.filePath(QStringLiteral("data/train"));
    const QString heldOutDir = dir.filePath(QStringLiteral("data/heldout"));
    if (!linkPhotos(trainDir, train, error) || !linkPhotos(heldOutDir, heldOut, error))
        return false;
    return setup.yonos() ? prepareYonosStages(setup, folder, trainDir, heldOutDir, error)
                         : prepareRsdJobs(setup, folder, trainDir, heldOutDir, error);
}

} // namespace shiftsr::gui
