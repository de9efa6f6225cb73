// The models the app can use: those compiled into the binary and the packages in the user's model
// folder, with their metadata; loading (cached), import of official checkpoints, removal, default.
#pragma once

#include "shiftsr/engine/import.h"
#include "shiftsr/engine/model.h"
#include "shiftsr/engine/progress.h"
#include "shiftsr/engine/status.h"

#include <QList>
#include <QObject>
#include <QString>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace shiftsr::gui {

struct ModelEntry {
    QString spec;        // "embedded:<id>" or the package's absolute path
    QString displayName; // the package's name (embedded: translated), else its id or file name
    QString description; // embedded: the one-line description (translated); folder: the file name
    bool embedded = false;
    ModelInfo info; // read from the header alone (valid when error is empty); a folder
                    // package's contentHash arrives later (hashPending)
    QString error;  // non-empty: the file is not a usable package (listed, not loadable)
    bool oneStep() const { return error.isEmpty() && info.steps == 1; }
    bool hashPending() const { return error.isEmpty() && info.contentHash.empty(); }
};

// The app's data folder: AppDataLocation without its last folder when that repeats the one before
// it (organisation and application both "ShiftSR": ~/.local/share/ShiftSR).
QString appDataFolder();

// The model folder when none is stored: <AppDataLocation>/models, where AppDataLocation's last
// folder is dropped when it repeats the one before it (organisation and application both
// "ShiftSR": ~/.local/share/ShiftSR/models, not ShiftSR/ShiftSR/models). The repeated folder, the
// default of earlier versions, is kept when it holds packages and the new one does not exist.
QString defaultModelFolder();

// Thread safety: list/find/refresh/remove/setDefault belong to the GUI thread; load() may be
// called from any thread.
class ModelRegistry : public QObject {
    Q_OBJECT
public:
    // `modelFolder` empty: the "models/folder" setting, else defaultModelFolder().
    explicit ModelRegistry(const QString& modelFolder = {}, QObject* parent = nullptr);

    QString modelFolder() const { return folder_; }
    void setModelFolder(const QString& folder); // rescans; persisted in QSettings "models/folder"
    void refresh();                             // rescans the folder (embedded models never change)

    const QList<ModelEntry>& models() const { return models_; }
    const ModelEntry* find(const QString& spec) const;

    // The default model: QSettings "models/default" when it still exists, else the embedded
    // default. setDefaultSpec persists it.
    QString defaultSpec() const;
    Status setDefaultSpec(const QString& spec);

    // A one-step (steps == 1) or multi-step model for the one-click comparison: the default when it
    // is of that kind, else embedded models first, then folder models, in listing order. Empty if
    // none.
    QString preferredSpec(bool oneStep) const;

    // Loads (or returns the cached) model for (spec, device, precision).
    Result<std::shared_ptr<const Model>> load(const QString& spec, const LoadOptions& options = {});

    // Imports published weights of any family (shiftsr::importWeights: ResShift and its students
    // with their autoencoder, Real-ESRGAN, ESRGAN, the compact networks) into
    // <folder>/<file name>.safetensors (atomic; the file name from options.output if set, else
    // from options.name, else from the first input), refusing to overwrite. Safe from a worker
    // thread: it does not rescan; call refresh() on the GUI thread afterwards. Returns the new
    // package's spec (its path).
    Result<QString> importWeights(ImportOptions options, const JobControl& job = {});

    // Deletes a folder package (embedded models cannot be removed); resets the default if it was
    // it.
    Status remove(const QString& spec);

Q_SIGNALS:
    void modelsChanged();
    void defaultChanged(const QString& spec);
    // Folder packages are listed from their headers; their sha256 (a 700 MB package takes
    // seconds) is computed in a background thread afterwards, once per file version, and filled in.
    void contentHashesReady();

public:
    ~ModelRegistry() override;

private:
    void startHashing();
    void stopHashing();

    QString folder_;
    std::thread hasher_;
    std::atomic<bool> stopHashing_{false};
    QList<ModelEntry> models_;
    std::mutex cacheMutex_;
    std::map<std::string, std::shared_ptr<const Model>> cache_;
};

} // namespace shiftsr::gui
