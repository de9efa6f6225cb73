// ImageFileWorker: the app's image file work off the GUI thread: decoding an input (pixels, display
// copy, metadata), bicubic magnification for the viewer, and atomic saving with metadata.
#pragma once

#include "shiftsr/engine/image_io.h"
#include "shiftsr/engine/metadata.h"

#include <QImage>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>

#include <opencv2/core.hpp>

namespace shiftsr::gui {

struct LoadedImage {
    QString path;   // absolute
    QString error;  // untranslated engine message; empty on success
    QString format; // "jpeg", "png", "tiff", "webp", "bmp"
    int bitDepth = 8;
    cv::Mat color;       // upright (EXIF orientation applied), gray or BGR, 8 or 16 bit
    cv::Mat alpha;       // empty or one channel
    cv::Mat engineInput; // what UpscaleRequest::image gets (see toEngineInput)
    QImage display;
    Metadata metadata;       // empty when it could not be read (metadataWarning says why)
    QString metadataWarning; // untranslated
    bool isNull() const { return color.empty(); }
};

struct SaveJob {
    QString path; // .png .jpg .jpeg .tif .tiff .webp .bmp
    cv::Mat color, alpha;
    ImageWriteOptions write;
    Metadata metadata; // copied onto the file (with orientation 1 and the new size)
    Provenance provenance;
};

struct SaveOutcome {
    QString path;
    QString error;        // untranslated; empty on success
    QStringList warnings; // untranslated (alpha dropped, 16 bit reduced, ...)
};

class ImageFileWorker : public QObject {
    Q_OBJECT
public:
    explicit ImageFileWorker(QObject* parent = nullptr);

    // Synchronous forms, for any thread.
    static LoadedImage loadImage(const QString& path, const ImageReadOptions& options = {});
    static QImage magnifyBicubic(const cv::Mat& color, const cv::Mat& alpha, int factor);
    // Pixels and metadata go to a hidden temporary file beside `path` that is renamed over it at
    // the end: a failure at any point leaves an existing `path` untouched and no temporary file.
    static SaveOutcome saveImage(const SaveJob& job);
    // Whether `path` ends in an image extension the app opens and saves (ImageIO's).
    static bool isImageFile(const QString& path);

    // Queued from the GUI thread into the worker's thread; each answer carries `ticket`.
    void load(quint64 ticket, const QString& path);
    void magnify(quint64 ticket, const cv::Mat& color, const cv::Mat& alpha, int factor);
    void save(quint64 ticket, const shiftsr::gui::SaveJob& job);

Q_SIGNALS:
    void loaded(quint64 ticket, const shiftsr::gui::LoadedImage& image);
    void magnified(quint64 ticket, const QImage& image);
    void saved(quint64 ticket, const shiftsr::gui::SaveOutcome& outcome);
};

} // namespace shiftsr::gui

Q_DECLARE_METATYPE(shiftsr::gui::LoadedImage)
Q_DECLARE_METATYPE(shiftsr::gui::SaveOutcome)
