// ModelManagerDialog: the models the app knows (embedded and model-folder packages) with their
// metadata and provenance; import of official ResShift checkpoints, removal, default, model folder.
#pragma once

#include <QDialog>
#include <QString>

#include <functional>
#include <memory>

class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;
class QThread;

namespace shiftsr::gui {

class ModelDetailsView;
class ModelRegistry;

// Every action that shows a modal dialog (file pickers, confirmations) is separated from the slot
// doing the work, so that the work can be driven without one: importCheckpoint() takes the files,
// setModelFolder() the folder, and setConfirmFunction() replaces the confirmation question.
class ModelManagerDialog : public QDialog {
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        SizeColumn,
        FamilyColumn,
        CodecColumn,
        ScaleColumn,
        StepsColumn,
        UnetParametersColumn,
        CodecParametersColumn,
        LocationColumn,
        StatusColumn,
        ColumnCount
    };
    Q_ENUM(Column)

    // Asked before a destructive action; returns true to go on.
    using ConfirmFunction = std::function<bool(const QString& title, const QString& question)>;

    // `registry` must outlive the dialog.
    explicit ModelManagerDialog(ModelRegistry& registry, QWidget* parent = nullptr);
    ~ModelManagerDialog() override; // cancels a running import and waits for it

    // Replaces the default confirmation (a question message box).
    void setConfirmFunction(ConfirmFunction confirm);

    QString selectedSpec() const;         // empty when no row is selected
    bool selectSpec(const QString& spec); // false when the model is not listed
    int rowOf(const QString& spec) const; // -1 when not listed
    bool isImporting() const;
    QString message() const; // the message line under the table (last error or notice)

public Q_SLOTS:
    // Imports published weights (shiftsr::importWeights) in a worker thread into the model folder:
    // `weights` any family's file; `autoencoder` the companion a latent diffusion model needs
    // (empty for the GAN families); `config`, `name` and `schedule` (a ResShift preset) may be
    // empty. Ends with modelImported() or importFailed().
    void importCheckpoint(const QString& weights, const QString& autoencoder, const QString& config,
                          const QString& name, const QString& schedule = QString());
    void cancelImport();
    void removeSelected(); // asks first; embedded models cannot be removed
    void setSelectedAsDefault();
    void openModelFolder(); // in the desktop's file manager (created if missing)
    void setModelFolder(const QString& folder);
    void reject() override; // asks before abandoning a running import

Q_SIGNALS:
    void modelImported(const QString& spec);
    void importFailed(const QString& message); // also after a cancel
    void errorOccurred(const QString& message);

protected:
    void showEvent(QShowEvent* event) override; // the first show fits the width to the table

private:
    struct ImportTask;

    QSize fittingSize() const;

    void chooseCheckpointFiles();
    void chooseModelFolder();
    void rebuildTable();
    void updateDetails();
    void updateActions();
    void showImportProgress(double fraction, const QString& stage);
    void finishImport();
    void showError(const QString& message);
    void showNotice(const QString& message);
    bool confirm(const QString& title, const QString& question);

    ModelRegistry& registry_;
    ConfirmFunction confirm_;

    QTableWidget* table_ = nullptr;
    ModelDetailsView* details_ = nullptr;
    QLabel* folderLabel_ = nullptr;
    QLabel* message_ = nullptr;
    QWidget* importBox_ = nullptr;
    QLabel* importStage_ = nullptr;
    QProgressBar* importProgress_ = nullptr;
    QPushButton* importCancel_ = nullptr;
    QPushButton* importButton_ = nullptr;
    QPushButton* removeButton_ = nullptr;
    QPushButton* defaultButton_ = nullptr;
    QPushButton* openFolderButton_ = nullptr;
    QPushButton* changeFolderButton_ = nullptr;

    bool sized_ = false;
    std::shared_ptr<ImportTask> import_;
    QThread* importThread_ = nullptr;
};

} // namespace shiftsr::gui
