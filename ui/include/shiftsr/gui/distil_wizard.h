// DistilWizard: from a folder of the user's photos to a one-step student in the comparison view.
// Pages: Photos (scan, held-out split), Teacher (the multi-step model to distil, optional
// fine-tuning; for YONOS-SR the multi-step model to compare with), Method (RSD or YONOS-SR;
// presets; every job.json field), Budget (a real trial run: time per step, disk, run folder), Run
// (shiftsr-train live: charts, samples, ETA, Stop/Resume; YONOS-SR's four stages one after
// another), Finish (package installed, comparison opened, eval figures).
#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <QWizard>

namespace shiftsr::gui {

class ModelRegistry;

// What the pages decide, shared by all of them; it survives going Back (pages read it in
// initializePage and write it when the user changes something).
struct DistilSetup {
    QStringList folders; // photo folders
    bool recursive = true;
    QStringList photos;  // usable photos of the scan (absolute paths, sorted)
    QStringList heldOut; // the part of `photos` kept out of training: validation and the final eval
    quint64 splitSeed = 20261207;

    // ModelRegistry spec of the multi-step teacher (rsd); YONOS-SR trains a teacher of its own,
    // and this is the multi-step model its student is compared with at the end.
    QString teacherSpec;
    bool fineTuneTeacher = false; // rsd only

    QString method = QStringLiteral("rsd");   // "rsd" | "yonos"
    QString preset = QStringLiteral("quick"); // quick | balanced | best
    QString jobJson;        // rsd: the distillation job as it will run (preset + Advanced edits)
    QString teacherJobJson; // the fine-tuning job, when fineTuneTeacher

    // YONOS-SR: four stages (yonosStages(): autoencoder, teacher, distil, decoder), each a run of
    // its own in <runFolder>/<stage>, one after another.
    QString codec = QStringLiteral("f4"); // the autoencoder stage's latent codec: f4 | f8
    QString autoencoderFile; // an autoencoder package to use: the autoencoder stage is skipped
    QString yonosInitSpec;   // a yonos package the teacher stage continues (no autoencoder stage)
    QStringList stageJobs;   // each stage's job (preset + Advanced edits); empty: skipped
    QList<double> stageSecondsPerStep; // the Budget page's trial, per stage; 0: not measured

    QString runFolder;         // the run's folder (created by the Run page)
    QString name;              // the student's display name
    double secondsPerStep = 0; // measured by the Budget page's trial; 0: not measured
    QString studentSpec;       // the installed student (Finish page)

    bool yonos() const { return method == QLatin1String("yonos"); }
};

class DistilWizard : public QWizard {
    Q_OBJECT
public:
    enum Page { PhotosPage, TeacherPage, MethodPage, BudgetPage, RunPage, FinishPage };
    Q_ENUM(Page)

    explicit DistilWizard(ModelRegistry& registry, QWidget* parent = nullptr);
    ~DistilWizard() override;

    ModelRegistry& registry() const { return registry_; }
    DistilSetup& setup() { return setup_; }
    const DistilSetup& setup() const { return setup_; }

    // Where new run folders go: appDataFolder()/runs (~/.local/share/ShiftSR/runs).
    static QString defaultRunRoot();
    // Starts on the Photos page with these folders scanned (`shiftsr --distil FOLDER`).
    void startWithFolders(const QStringList& folders);
    // Reconnects to an existing run folder (running, stopped, finished): the Run page, with the
    // charts rebuilt from its log and the setup from its notes.json.
    bool openRun(const QString& runFolder, QString* error = nullptr);
    // True while a run started or followed here is running (closing the app asks then).
    bool isTraining() const;
    // The run folder the Run page started or follows in this session (a YONOS-SR run's folder, not
    // one of its stages'); empty before that. Going Back to look at the deciding pages, this folder
    // holds the wizard's own run, not a stranger's.
    QString currentRunFolder() const;
    // Asks the trainer to checkpoint and stop (closing the app with "Stop").
    void stopTraining();

Q_SIGNALS:
    // The Finish page asks the main window to compare the new student with its teacher (YONOS-SR:
    // the multi-step model of the Teacher page) on a held-out photo.
    void compareRequested(const QString& photo, const QString& studentSpec,
                          const QString& teacherSpec);

private:
    ModelRegistry& registry_;
    DistilSetup setup_;
};

} // namespace shiftsr::gui
