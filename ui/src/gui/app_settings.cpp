// AppSettings: QSettings keys, defaults and validation of the desktop app's preferences.
#include "shiftsr/gui/app_settings.h"

#include "shiftsr/gui/model_registry.h"

#include <QFileInfo>
#include <QSettings>

#include <algorithm>

namespace shiftsr::gui {

namespace {

// "models/folder" is shared with ModelRegistry, which reads it on construction.
constexpr char kModelFolder[] = "models/folder";
constexpr char kOutputFolder[] = "output/folder";
constexpr char kOutputFormat[] = "output/format";
constexpr char kNamePattern[] = "output/namePattern";
constexpr char kQuality[] = "output/quality";
constexpr char kKeepMetadata[] = "output/keepMetadata";
constexpr char kSaveOptionsChosen[] = "output/saveOptionsChosen";
constexpr char kAskOnSave[] = "output/askOnSave";
constexpr char kDevice[] = "engine/device";
constexpr char kPrecision[] = "engine/precision";
constexpr char kThreads[] = "engine/threads";
constexpr char kTile[] = "engine/tile";
constexpr char kOverlap[] = "engine/overlap";
constexpr char kMemoryBudget[] = "engine/memoryBudgetMb";
constexpr char kColorFix[] = "engine/colorFix";
constexpr char kSeed[] = "engine/seed";
constexpr char kModelSpec[] = "main/model";
constexpr char kSteps[] = "main/steps";
constexpr char kBicubicInput[] = "main/bicubicInput";
constexpr char kRecentFiles[] = "main/recentFiles";
constexpr char kBatchModel[] = "batch/model";
constexpr char kBatchSteps[] = "batch/steps";
constexpr char kBatchSeed[] = "batch/seed";
constexpr char kBatchOutputFolder[] = "batch/outputFolder";
constexpr char kBatchPattern[] = "batch/pattern";
constexpr char kBatchFormat[] = "batch/format";
constexpr char kBatchSkipExisting[] = "batch/skipExisting";
constexpr char kBatchRecursive[] = "batch/recursive";

const QStringList& outputFormats() {
    static const QStringList formats{QStringLiteral("keep"), QStringLiteral("png"),
                                     QStringLiteral("jpg"),  QStringLiteral("tif"),
                                     QStringLiteral("webp"), QStringLiteral("bmp")};
    return formats;
}

// A stored seed: QSettings keeps quint64 as text or number depending on the backend.
quint64 seedValue(const QVariant& value, quint64 fallback) {
    bool ok = false;
    const quint64 seed = value.toString().toULongLong(&ok);
    return ok ? seed : fallback;
}

QString oneOf(const QVariant& value, const QStringList& allowed, const QString& fallback) {
    const QString s = value.toString();
    return allowed.contains(s) ? s : fallback;
}

int nonNegative(const QVariant& value, int fallback, int max) {
    bool ok = false;
    const int v = value.toInt(&ok);
    return ok && v >= 0 && v <= max ? v : fallback;
}

} // namespace

AppSettings AppSettings::load() {
    const QSettings s;
    AppSettings a;
    a.modelFolder = s.value(kModelFolder, defaultModelFolder()).toString();
    a.outputFolder = s.value(kOutputFolder).toString();
    a.outputFormat = oneOf(s.value(kOutputFormat), outputFormats(), a.outputFormat);
    const QString pattern = s.value(kNamePattern).toString();
    if (!pattern.trimmed().isEmpty())
        a.namePattern = pattern;
    a.quality = std::clamp(nonNegative(s.value(kQuality), a.quality, 100), 1, 100);
    a.keepMetadata = s.value(kKeepMetadata, a.keepMetadata).toBool();
    a.saveOptionsChosen = s.value(kSaveOptionsChosen, a.saveOptionsChosen).toBool();
    a.askOnSave = s.value(kAskOnSave, a.askOnSave).toBool();
    a.device =
        oneOf(s.value(kDevice),
              {QStringLiteral("auto"), QStringLiteral("cpu"), QStringLiteral("cuda")}, a.device);
    a.precision = oneOf(s.value(kPrecision),
                        {QStringLiteral("fp32"), QStringLiteral("bf16"), QStringLiteral("fp16"),
                         QStringLiteral("auto")},
                        a.precision);
    a.threads = nonNegative(s.value(kThreads), a.threads, 1024);
    a.tile = nonNegative(s.value(kTile), a.tile, 1 << 16);
    a.overlap = nonNegative(s.value(kOverlap), a.overlap, 1 << 15);
    a.memoryBudgetMb = nonNegative(s.value(kMemoryBudget), a.memoryBudgetMb, 1 << 24);
    ColorFix fix = a.colorFix;
    if (parseColorFix(s.value(kColorFix).toString().toStdString(), &fix))
        a.colorFix = fix;
    a.seed = seedValue(s.value(kSeed), a.seed);
    a.modelSpec = s.value(kModelSpec).toString();
    a.steps = nonNegative(s.value(kSteps), a.steps, 10000);
    a.bicubicInput = s.value(kBicubicInput, a.bicubicInput).toBool();
    a.recentFiles = s.value(kRecentFiles).toStringList();
    a.recentFiles.removeAll(QString());
    while (a.recentFiles.size() > kMaxRecentFiles)
        a.recentFiles.removeLast();
    return a;
}

void AppSettings::save() const {
    QSettings s;
    s.setValue(kModelFolder, modelFolder);
    s.setValue(kOutputFolder, outputFolder);
    s.setValue(kOutputFormat, outputFormat);
    s.setValue(kNamePattern, namePattern);
    s.setValue(kQuality, quality);
    s.setValue(kKeepMetadata, keepMetadata);
    s.setValue(kSaveOptionsChosen, saveOptionsChosen);
    s.setValue(kAskOnSave, askOnSave);
    s.setValue(kDevice, device);
    s.setValue(kPrecision, precision);
    s.setValue(kThreads, threads);
    s.setValue(kTile, tile);
    s.setValue(kOverlap, overlap);
    s.setValue(kMemoryBudget, memoryBudgetMb);
    s.setValue(kColorFix, QString::fromLatin1(colorFixName(colorFix)));
    s.setValue(kSeed, seed);
    s.setValue(kModelSpec, modelSpec);
    s.setValue(kSteps, steps);
    s.setValue(kBicubicInput, bicubicInput);
    s.setValue(kRecentFiles, recentFiles);
}

void AppSettings::addRecentFile(const QString& path) {
    const QString absolute = QFileInfo(path).absoluteFilePath();
    recentFiles.removeAll(absolute);
    recentFiles.prepend(absolute);
    while (recentFiles.size() > kMaxRecentFiles)
        recentFiles.removeLast();
}

UpscaleSettings AppSettings::upscaleSettings() const {
    UpscaleSettings u;
    u.modelSpec = modelSpec.toStdString();
    u.steps = steps;
    u.seed = seed;
    u.device = device.toStdString();
    u.precision = precision.toStdString();
    u.threads = threads;
    u.tile = tile;
    u.overlap = overlap;
    // The app's 0 is "automatic": the default limit (the CLI's --max-memory 0 is the free memory).
    u.maxMemoryMb = memoryBudgetMb > 0 ? std::uint64_t(memoryBudgetMb) : kDefaultMemoryLimit >> 20;
    u.colorFix = colorFix;
    u.keepMetadata = keepMetadata;
    u.format = outputFormat.toStdString();
    u.quality = quality;
    u.namePattern = namePattern.toStdString();
    return u;
}

bool AppSettings::operator==(const AppSettings& o) const {
    return modelFolder == o.modelFolder && outputFolder == o.outputFolder &&
           outputFormat == o.outputFormat && namePattern == o.namePattern && quality == o.quality &&
           keepMetadata == o.keepMetadata && saveOptionsChosen == o.saveOptionsChosen &&
           askOnSave == o.askOnSave && device == o.device && precision == o.precision &&
           threads == o.threads && tile == o.tile && overlap == o.overlap &&
           memoryBudgetMb == o.memoryBudgetMb && colorFix == o.colorFix && seed == o.seed &&
           modelSpec == o.modelSpec && steps == o.steps && bicubicInput == o.bicubicInput &&
           recentFiles == o.recentFiles;
}

BatchChoices BatchChoices::load() {
    const QSettings s;
    BatchChoices b;
    b.modelSpec = s.value(kBatchModel).toString();
    b.steps = nonNegative(s.value(kBatchSteps), b.steps, 10000);
    b.seed = seedValue(s.value(kBatchSeed), b.seed);
    b.outputFolder = s.value(kBatchOutputFolder).toString();
    const QString pattern = s.value(kBatchPattern).toString();
    if (!pattern.trimmed().isEmpty())
        b.namePattern = pattern;
    b.format = oneOf(s.value(kBatchFormat), outputFormats(), b.format);
    b.skipExisting = s.value(kBatchSkipExisting, b.skipExisting).toBool();
    b.recursive = s.value(kBatchRecursive, b.recursive).toBool();
    return b;
}

void BatchChoices::save() const {
    QSettings s;
    s.setValue(kBatchModel, modelSpec);
    s.setValue(kBatchSteps, steps);
    s.setValue(kBatchSeed, QString::number(seed));
    s.setValue(kBatchOutputFolder, outputFolder);
    s.setValue(kBatchPattern, namePattern);
    s.setValue(kBatchFormat, format);
    s.setValue(kBatchSkipExisting, skipExisting);
    s.setValue(kBatchRecursive, recursive);
}

UpscaleSettings BatchChoices::applyTo(UpscaleSettings engine) const {
    engine.modelSpec = modelSpec.toStdString();
    engine.steps = steps;
    engine.seed = seed;
    engine.namePattern = namePattern.toStdString();
    engine.format = format.toStdString();
    engine.skipExisting = skipExisting;
    engine.recursive = recursive;
    engine.cpuFallback = true;
    return engine;
}

} // namespace shiftsr::gui
