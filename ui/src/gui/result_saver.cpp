// ResultSaver: output names from the settings' pattern, the checks before Save writes without
// asking, and the bookkeeping of saves in flight and of where each result was saved.
#include "result_saver.h"

#include "shiftsr/engine/batch_plan.h"
#include "shiftsr/gui/app_settings.h"
#include "shiftsr/gui/engine_worker.h"

#include <QDir>
#include <QFileInfo>
#include <QMetaObject>

#include <algorithm>
#include <map>
#include <string>

namespace shiftsr::gui {

namespace {

// File extension for a format name as ImageIO reports it ("jpeg" -> "jpg").
QString extensionFor(const QString& format) {
    if (format == QLatin1String("jpeg"))
        return QStringLiteral("jpg");
    if (format == QLatin1String("tiff"))
        return QStringLiteral("tif");
    return format.isEmpty() ? QStringLiteral("png") : format;
}

} // namespace

ResultSaver::ResultSaver(ImageFileWorker* files, QObject* parent) : QObject(parent), files_(files) {
    connect(files_, &ImageFileWorker::saved, this, &ResultSaver::onSaved);
}

void ResultSaver::setInput(const LoadedImage& input) {
    inputPath_ = input.path;
    inputFormat_ = input.format;
    inputWidth_ = input.color.cols;
    metadata_ = input.metadata;
}

QString ResultSaver::inputExtension() const {
    return inputPath_.isEmpty() ? QString() : extensionFor(inputFormat_);
}

QString ResultSaver::extension(const AppSettings& settings) const {
    return settings.outputFormat == QLatin1String("keep") ? extensionFor(inputFormat_)
                                                          : settings.outputFormat;
}

QString ResultSaver::defaultPath(const EngineJobResult& r, const AppSettings& settings) const {
    const QFileInfo in(inputPath_);
    const QString folder =
        settings.outputFolder.isEmpty() ? in.absolutePath() : settings.outputFolder;
    QString name = in.completeBaseName();
    if (!r.region.isNull()) // X11 geometry of the crop, so that crops of one photo do not collide
        name = QStringLiteral("%1-%2x%3+%4+%5")
                   .arg(name, QString::number(r.region.width()), QString::number(r.region.height()),
                        QString::number(r.region.x()), QString::number(r.region.y()));
    const int scale = r.region.isNull() ? r.color.cols / std::max(1, inputWidth_)
                                        : r.color.cols / std::max(1, r.region.width());
    std::map<std::string, std::string> tokens =
        outputNameTokens(r.modelName.toStdString(), scale, r.report.steps, /*seed=*/0);
    tokens["seed"] = r.provenance.seed; // the seed the result was made with
    tokens["name"] = name.toStdString();
    tokens["ext"] = extension(settings).toStdString();
    return QDir(folder).filePath(
        QString::fromStdString(expandPattern(settings.namePattern.toStdString(), tokens)));
}

QString ResultSaver::suggestedPath(quint64 run, int slot, const EngineJobResult& result,
                                   const AppSettings& settings) const {
    const QString saved = savedPaths_.value({run, slot});
    return saved.isEmpty() ? defaultPath(result, settings) : saved;
}

QString ResultSaver::automaticPath(quint64 run, int slot, const EngineJobResult& result,
                                   const AppSettings& settings) const {
    const QString absolute = QFileInfo(defaultPath(result, settings)).absoluteFilePath();
    if (absolute == inputPath_ ||
        (QFileInfo::exists(absolute) && absolute != savedPaths_.value({run, slot})) ||
        !QFileInfo(absolute).absoluteDir().exists() || !ImageFileWorker::isImageFile(absolute))
        return QString();
    return absolute;
}

QString ResultSaver::withImageExtension(const QString& path, const AppSettings& settings) const {
    return ImageFileWorker::isImageFile(path) ? path
                                              : path + QLatin1Char('.') + extension(settings);
}

bool ResultSaver::save(const QString& path, const EngineJobResult* result, quint64 run, int slot,
                       const AppSettings& settings, QString* refusal) {
    QString why;
    if (!result)
        why = tr("There is no result to save.");
    else if (path == inputPath_)
        why = tr("A result never replaces its input: choose another file name.");
    if (!why.isEmpty()) {
        if (refusal)
            *refusal = why;
        return false;
    }
    SaveJob job;
    job.path = path;
    job.color = result->color;
    job.alpha = result->alpha;
    job.write = settings.upscaleSettings().request().write;
    if (settings.keepMetadata)
        job.metadata = metadata_;
    job.provenance = result->provenance;
    const quint64 ticket = ++nextTicket_;
    pending_.insert(ticket, {run, slot});
    QMetaObject::invokeMethod(
        files_, [files = files_, ticket, job] { files->save(ticket, job); }, Qt::QueuedConnection);
    return true;
}

void ResultSaver::onSaved(quint64 ticket, const SaveOutcome& outcome) {
    if (!pending_.contains(ticket))
        return;
    const QPair<quint64, int> result = pending_.take(ticket);
    if (!outcome.error.isEmpty()) {
        Q_EMIT saveFailed(outcome.path, outcome.error);
        return;
    }
    savedPaths_.insert(result, outcome.path);
    Q_EMIT saved(outcome.path, outcome.warnings);
}

} // namespace shiftsr::gui
