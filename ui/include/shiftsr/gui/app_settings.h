// AppSettings: the desktop app's preferences (folders, output naming, engine options, recent
// files), persisted with QSettings.
#pragma once

#include "shiftsr/engine/model.h"
#include "shiftsr/engine/pipeline.h"
#include "shiftsr/engine/upscale_settings.h"

#include <QString>
#include <QStringList>

namespace shiftsr::gui {

struct AppSettings {
    static constexpr int kMaxRecentFiles = 10;

    // Models: the folder ModelRegistry scans (the same QSettings key it reads itself).
    QString modelFolder;

    // Saving results.
    QString outputFolder;                          // empty: next to the input file
    QString outputFormat = QStringLiteral("keep"); // keep | png | jpg | tif | webp | bmp
    QString namePattern = QStringLiteral("{name}-x{scale}.{ext}"); // the CLI's tokens
    int quality = 95;                                              // JPEG and WebP, 1..100
    bool keepMetadata = true; // the input's EXIF/IPTC/XMP/ICC on saved results
    // Save asks for the folder, name and format (the save options) until they have been chosen
    // once, and then again every time while askOnSave is set; Save As always asks for a name.
    bool saveOptionsChosen = false;
    bool askOnSave = false;

    // Engine.
    QString device = QStringLiteral("auto");    // auto | cpu | cuda
    QString precision = QStringLiteral("auto"); // fp32 | bf16 | fp16 | auto (bf16 where native)
    int threads = 0;                            // intra-op threads; 0 = all logical cores
    int tile = 0;                               // LQ tile side; 0 = from the memory limit
    int overlap = 0;                            // LQ overlap; 0 = automatic
    int memoryBudgetMb = 0;             // peak memory of a CPU run; 0 = 2 GB (kDefaultMemoryLimit)
    ColorFix colorFix = ColorFix::Auto; // Auto: the package's advice
    quint64 seed = 12345;

    // Main window state.
    QString modelSpec;         // the last model chosen; empty: the registry's default
    int steps = 0;             // 0: the model's own
    bool bicubicInput = false; // the input pane drawn bicubic-upscaled instead of nearest
    QStringList recentFiles;   // most recent first

    // Reads every value (missing or invalid ones keep the defaults above).
    static AppSettings load();
    void save() const;

    // Moves `path` (made absolute) to the front of recentFiles, keeping at most kMaxRecentFiles.
    void addRecentFile(const QString& path);

    // These settings as the engine's one settings type: the main window's model, steps and seed,
    // output naming, format, quality and metadata, and the engine options. Requests and load
    // options are built from it (UpscaleSettings::request, loadOptions).
    UpscaleSettings upscaleSettings() const;

    bool operator==(const AppSettings& other) const;
    bool operator!=(const AppSettings& other) const { return !(*this == other); }
};

// The batch queue's own choices (the widgets of its window), under the keys batch/*. Read and
// written only by the queue, so that saving the main window's settings never overwrites them; a
// batch run takes everything else from AppSettings::upscaleSettings().
struct BatchChoices {
    QString modelSpec; // empty: the registry's default
    int steps = 0;     // 0: the model's own
    quint64 seed = 12345;
    QString outputFolder; // empty: the queue proposes one
    QString namePattern = QString::fromStdString(UpscaleSettings().namePattern);
    QString format = QStringLiteral("keep");
    bool skipExisting = false;
    bool recursive = false;

    static BatchChoices load();
    void save() const;
    // `engine` with these choices in place of its model, steps, seed, naming, skip-existing and
    // recursion; a batch also falls back to the CPU when a file fails on CUDA.
    UpscaleSettings applyTo(UpscaleSettings engine) const;
};

} // namespace shiftsr::gui
