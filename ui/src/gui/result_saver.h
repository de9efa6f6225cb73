// ResultSaver: saving the main window's results: file names from the settings' output folder,
// format and name pattern, Save's choice between that name and asking for one, and the saves in
// flight in the ImageFileWorker's thread. Not a widget: the window asks for names and shows
// messages.
#pragma once

#include "shiftsr/gui/image_file_worker.h"

#include <QHash>
#include <QObject>
#include <QPair>
#include <QString>
#include <QStringList>

namespace shiftsr::gui {

struct AppSettings;
struct EngineJobResult;

// A result is named by the run that made it (a RunController id) and its slot in that run.
class ResultSaver : public QObject {
    Q_OBJECT
public:
    // `files` lives in its own thread; it writes through the engine's one write path
    // (writeOutputImage: atomic, metadata and provenance embedded).
    explicit ResultSaver(ImageFileWorker* files, QObject* parent = nullptr);

    // The input the results are made of: its path, format, width and metadata.
    void setInput(const LoadedImage& input);

    // The settings' name for `result`: the output folder (empty: the input's), the name pattern
    // with the CLI's tokens ({name} is the input's base name, with the crop's geometry for a
    // region), the output format's extension ("keep": the input's).
    QString defaultPath(const EngineJobResult& result, const AppSettings& settings) const;
    // Where the result was last saved, else defaultPath: what a Save dialog proposes.
    QString suggestedPath(quint64 run, int slot, const EngineJobResult& result,
                          const AppSettings& settings) const;
    // What Save writes without asking (absolute): defaultPath, so that Save follows the settings'
    // choice also for a result saved before, unless it is the input, an existing file other than
    // this result's last save, in a missing folder or of a type that cannot be written; then empty.
    QString automaticPath(quint64 run, int slot, const EngineJobResult& result,
                          const AppSettings& settings) const;
    // `path` with the output format's extension appended when it has no image extension.
    QString withImageExtension(const QString& path, const AppSettings& settings) const;
    // The extension of the input's format, which the output format "keep" writes; empty without
    // an input.
    QString inputExtension() const;

    // Starts writing `result` to `path` (absolute) with the input's metadata when the settings
    // keep it, and the result's provenance; saved or saveFailed follows. Refused at once (false,
    // with the translated reason in `refusal`; nothing written) when `result` is null or `path` is
    // the input.
    bool save(const QString& path, const EngineJobResult* result, quint64 run, int slot,
              const AppSettings& settings, QString* refusal = nullptr);
    bool isBusy() const { return !pending_.isEmpty(); } // saves in flight

Q_SIGNALS:
    void saved(const QString& path, const QStringList& warnings); // untranslated warnings
    void saveFailed(const QString& path, const QString& error);   // untranslated engine message

private:
    void onSaved(quint64 ticket, const shiftsr::gui::SaveOutcome& outcome);
    QString extension(const AppSettings& settings) const;

    ImageFileWorker* files_;
    QString inputPath_, inputFormat_;
    int inputWidth_ = 0;
    Metadata metadata_;
    quint64 nextTicket_ = 0;
    QHash<quint64, QPair<quint64, int>> pending_;    // ticket -> (run, slot)
    QHash<QPair<quint64, int>, QString> savedPaths_; // (run, slot) -> the last file written
};

} // namespace shiftsr::gui
