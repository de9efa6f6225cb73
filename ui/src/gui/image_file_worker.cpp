// ImageFileWorker: decoding, bicubic magnification and atomic saving, run in the worker's thread.
#include "shiftsr/gui/image_file_worker.h"

#include "shiftsr/gui/image_convert.h"

#include "shiftsr/engine/output_file.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <opencv2/imgproc.hpp>

namespace shiftsr::gui {

namespace {

std::string localPath(const QString& path) {
    return QFile::encodeName(path).toStdString();
}

} // namespace

ImageFileWorker::ImageFileWorker(QObject* parent) : QObject(parent) {
    qRegisterMetaType<shiftsr::gui::LoadedImage>();
    qRegisterMetaType<shiftsr::gui::SaveOutcome>();
}

bool ImageFileWorker::isImageFile(const QString& path) {
    return ImageIO::isSupportedExtension(localPath(path));
}

LoadedImage ImageFileWorker::loadImage(const QString& path, const ImageReadOptions& options) {
    LoadedImage out;
    out.path = QFileInfo(path).absoluteFilePath();
    auto decoded = ImageIO::read(localPath(out.path), options);
    if (!decoded) {
        out.error = QString::fromStdString(decoded.status().message());
        return out;
    }
    out.format = QString::fromStdString(decoded->format);
    out.bitDepth = decoded->bitDepth;
    out.color = decoded->color;
    out.alpha = decoded->alpha;
    out.engineInput = toEngineInput(out.color, out.alpha);
    out.display = toDisplayImage(out.color, out.alpha);
    auto metadata = Metadata::read(localPath(out.path));
    if (metadata)
        out.metadata = *metadata;
    else
        out.metadataWarning = QString::fromStdString(metadata.status().message());
    return out;
}

QImage ImageFileWorker::magnifyBicubic(const cv::Mat& color, const cv::Mat& alpha, int factor) {
    if (color.empty() || factor < 1)
        return {};
    cv::Mat bigColor, bigAlpha;
    cv::resize(color, bigColor, cv::Size(), factor, factor, cv::INTER_CUBIC);
    if (!alpha.empty())
        cv::resize(alpha, bigAlpha, bigColor.size(), 0, 0, cv::INTER_CUBIC);
    return toDisplayImage(bigColor, bigAlpha);
}

SaveOutcome ImageFileWorker::saveImage(const SaveJob& job) {
    SaveOutcome out;
    out.path = QFileInfo(job.path).absoluteFilePath();
    const QFileInfo target(out.path);
    if (!ImageIO::isSupportedExtension(localPath(out.path)) && job.write.format.empty()) {
        out.error =
            QStringLiteral("unsupported output format: %1 (use .png, .jpg, .tif, .webp or .bmp)")
                .arg(target.fileName());
        return out;
    }
    if (!target.dir().exists()) {
        out.error =
            QStringLiteral("the output folder does not exist: %1").arg(target.absolutePath());
        return out;
    }
    // The engine's one write path: encoded and tagged in memory, one atomic replacement.
    std::string warning;
    const Status s = writeOutputImage(localPath(out.path), job.color, job.alpha, job.write,
                                      job.metadata, job.provenance, &warning);
    if (s && !warning.empty())
        out.warnings << QString::fromStdString(warning);
    if (!s)
        out.error = QString::fromStdString(s.message());
    return out;
}

void ImageFileWorker::load(quint64 ticket, const QString& path) {
    Q_EMIT loaded(ticket, loadImage(path));
}

void ImageFileWorker::magnify(quint64 ticket, const cv::Mat& color, const cv::Mat& alpha,
                              int factor) {
    Q_EMIT magnified(ticket, magnifyBicubic(color, alpha, factor));
}

void ImageFileWorker::save(quint64 ticket, const SaveJob& job) {
    Q_EMIT saved(ticket, saveImage(job));
}

} // namespace shiftsr::gui
