// ImageFileWorker: decoding, bicubic magnification and atomic saving, run in the worker's thread.
#include "shiftsr/gui/image_file_worker.h"

#include "shiftsr/gui/image_convert.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <system_error>

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
    // Same extension as the target, so that the encoder and Exiv2 see the intended format.
    const QString temporary = target.dir().filePath(QStringLiteral(".%1.%2.part.%3")
                                                        .arg(target.completeBaseName())
                                                        .arg(QCoreApplication::applicationPid())
                                                        .arg(target.suffix()));
    const std::string tmp = localPath(temporary);
    std::string warning;
    Status s = ImageIO::write(tmp, job.color, job.alpha, job.write, &warning);
    if (s && !warning.empty())
        out.warnings << QString::fromStdString(warning);
    if (s)
        s = job.metadata.writeTo(tmp, job.color.cols, job.color.rows, job.provenance)
                .withContext("writing metadata");
    std::error_code ec;
    if (s) {
        std::filesystem::rename(tmp, localPath(out.path), ec);
        if (ec)
            s = Status::error(StatusCode::IoError,
                              "cannot replace " + localPath(out.path) + ": " + ec.message());
    }
    if (!s) {
        std::filesystem::remove(tmp, ec);
        out.error = QString::fromStdString(s.message());
    }
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
