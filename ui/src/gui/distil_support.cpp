// The distillation wizard's notes, programs and package installation (see distil_support.h).
#include "distil_support.h"

#include "distil_plan.h"

#include "shiftsr/engine/safetensors.h"
#include "shiftsr/gui/training_run.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QStandardPaths>

#include <vector>

namespace shiftsr::gui {

namespace {

QJsonArray toArray(const QStringList& list) {
    return QJsonArray::fromStringList(list);
}

QJsonArray numbers(const QList<double>& list) {
    QJsonArray out;
    for (double d : list)
        out << d;
    return out;
}

QStringList fromArray(const QJsonValue& value) {
    QStringList out;
    for (const QJsonValue& v : value.toArray())
        out << v.toString();
    return out;
}

} // namespace

QJsonObject setupToJson(const DistilSetup& s) {
    return {{QStringLiteral("folders"), toArray(s.folders)},
            {QStringLiteral("recursive"), s.recursive},
            {QStringLiteral("photos"), toArray(s.photos)},
            {QStringLiteral("held_out"), toArray(s.heldOut)},
            // A string: JSON numbers lose 64-bit integers.
            {QStringLiteral("split_seed"), QString::number(s.splitSeed)},
            {QStringLiteral("teacher"), s.teacherSpec},
            {QStringLiteral("fine_tune_teacher"), s.fineTuneTeacher},
            {QStringLiteral("method"), s.method},
            {QStringLiteral("preset"), s.preset},
            {QStringLiteral("job"), s.jobJson},
            {QStringLiteral("teacher_job"), s.teacherJobJson},
            {QStringLiteral("run_folder"), s.runFolder},
            {QStringLiteral("name"), s.name},
            {QStringLiteral("seconds_per_step"), s.secondsPerStep},
            {QStringLiteral("student"), s.studentSpec},
            {QStringLiteral("codec"), s.codec},
            {QStringLiteral("autoencoder"), s.autoencoderFile},
            {QStringLiteral("yonos_init"), s.yonosInitSpec},
            {QStringLiteral("stage_jobs"), toArray(s.stageJobs)},
            {QStringLiteral("stage_seconds_per_step"), numbers(s.stageSecondsPerStep)}};
}

DistilSetup setupFromJson(const QJsonObject& j) {
    DistilSetup s;
    s.folders = fromArray(j.value(QStringLiteral("folders")));
    s.recursive = j.value(QStringLiteral("recursive")).toBool(s.recursive);
    s.photos = fromArray(j.value(QStringLiteral("photos")));
    s.heldOut = fromArray(j.value(QStringLiteral("held_out")));
    bool ok = false;
    const quint64 seed = j.value(QStringLiteral("split_seed")).toString().toULongLong(&ok);
    if (ok)
        s.splitSeed = seed;
    s.teacherSpec = j.value(QStringLiteral("teacher")).toString();
    s.fineTuneTeacher = j.value(QStringLiteral("fine_tune_teacher")).toBool();
    s.method = j.value(QStringLiteral("method")).toString(s.method);
    s.preset = j.value(QStringLiteral("preset")).toString(s.preset);
    s.jobJson = j.value(QStringLiteral("job")).toString();
    s.teacherJobJson = j.value(QStringLiteral("teacher_job")).toString();
    s.runFolder = j.value(QStringLiteral("run_folder")).toString();
    s.name = j.value(QStringLiteral("name")).toString();
    s.secondsPerStep = j.value(QStringLiteral("seconds_per_step")).toDouble();
    s.studentSpec = j.value(QStringLiteral("student")).toString();
    s.codec = j.value(QStringLiteral("codec")).toString(s.codec);
    s.autoencoderFile = j.value(QStringLiteral("autoencoder")).toString();
    s.yonosInitSpec = j.value(QStringLiteral("yonos_init")).toString();
    s.stageJobs = fromArray(j.value(QStringLiteral("stage_jobs")));
    for (const QJsonValue& v : j.value(QStringLiteral("stage_seconds_per_step")).toArray())
        s.stageSecondsPerStep << v.toDouble();
    return s;
}

bool saveSetupNotes(const DistilSetup& setup, QString* error) {
    TrainingRun run(setup.runFolder);
    QJsonObject notes = run.notes();
    notes.insert(QLatin1String(kNotesSetupKey), setupToJson(setup));
    return run.setNotes(notes, error);
}

QString activeStageFolder(const QString& runFolder, QString* stageText) {
    const DistilSetup s = setupFromJson(
        TrainingRun(runFolder).notes().value(QLatin1String(kNotesSetupKey)).toObject());
    if (stageText)
        stageText->clear();
    if (!s.yonos())
        return runFolder;
    QStringList stages; // those the run has
    for (const QString& stage : yonosStages())
        if (QFileInfo::exists(
                QDir(yonosStageFolder(runFolder, stage)).filePath(QStringLiteral("job.json"))))
            stages << stage;
    if (stages.isEmpty())
        return runFolder;
    int current = int(stages.size()) - 1;
    for (int i = 0; i < stages.size(); ++i) {
        TrainingRun run(yonosStageFolder(runFolder, stages[i]));
        if (run.state() != TrainingRun::State::Finished) {
            current = i;
            break;
        }
    }
    if (stageText)
        *stageText =
            QCoreApplication::translate("shiftsr::gui::DistilWizard", " (stage %1 of %2: %3)")
                .arg(current + 1)
                .arg(stages.size())
                .arg(yonosStageTitle(stages[current]));
    return yonosStageFolder(runFolder, stages[current]);
}

QString finalPackage(const DistilSetup& setup) {
    const QString folder = setup.yonos()
                               ? yonosStageFolder(setup.runFolder, yonosStages().constLast())
                               : setup.runFolder;
    return QDir(folder).filePath(QStringLiteral("model.safetensors"));
}

QString finalJobJson(const DistilSetup& setup) {
    return setup.yonos() ? setup.stageJobs.value(yonosStages().size() - 1) : setup.jobJson;
}

QString cliProgram() {
    const QString fromEnv = qEnvironmentVariable("SHIFTSR_CLI");
    if (!fromEnv.isEmpty())
        return QFileInfo(fromEnv).isExecutable() ? fromEnv : QString();
    const QString beside =
        QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("shiftsr-cli"));
    if (QFileInfo(beside).isExecutable())
        return beside;
    return QStandardPaths::findExecutable(QStringLiteral("shiftsr-cli"));
}

QString shellCommand(const QString& program, const QStringList& arguments) {
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_@%+=:,./-]+$"));
    QStringList words;
    for (const QString& a : QStringList{program} + arguments) {
        if (plain.match(a).hasMatch())
            words << a;
        else
            words << QLatin1Char('\'') +
                         QString(a).replace(QLatin1String("'"), QLatin1String("'\\''")) +
                         QLatin1Char('\'');
    }
    return words.join(QLatin1Char(' '));
}

QString packageStem(const QString& name) {
    QString stem;
    for (const QChar c : name.trimmed()) {
        const bool safe = (c.isLetterOrNumber() && c.unicode() < 128) || c == QLatin1Char('-') ||
                          c == QLatin1Char('_') || c == QLatin1Char('.');
        stem += safe ? c : QLatin1Char('-');
    }
    static const QRegularExpression runs(QStringLiteral("-{2,}"));
    stem.replace(runs, QStringLiteral("-"));
    while (stem.startsWith(QLatin1Char('.')) || stem.startsWith(QLatin1Char('-')))
        stem.remove(0, 1);
    while (stem.endsWith(QLatin1Char('-')) || stem.endsWith(QLatin1Char('.')))
        stem.chop(1);
    return stem.isEmpty() ? QStringLiteral("student") : stem.left(80);
}

QString installPackage(const QString& source, const QString& folder, const QString& stem,
                       const QJsonObject& provenance, QString* error) {
    auto file = SafeTensorsFile::open(source.toStdString());
    if (!file) {
        *error = QString::fromStdString(file.status().message());
        return {};
    }
    SafeTensorsWriter writer;
    for (const auto& [key, value] : file->metadata()) {
        if (key != "provenance") {
            writer.setMetadata(key, value);
            continue;
        }
        QJsonObject merged = QJsonDocument::fromJson(QByteArray::fromStdString(value)).object();
        for (auto it = provenance.begin(); it != provenance.end(); ++it)
            merged.insert(it.key(), it.value());
        writer.setMetadata(key, QJsonDocument(merged).toJson(QJsonDocument::Compact).toStdString());
    }
    if (!file->metadata().count("provenance"))
        writer.setMetadata("provenance",
                           QJsonDocument(provenance).toJson(QJsonDocument::Compact).toStdString());
    for (const TensorEntry& t : file->tensors()) {
        std::vector<std::uint8_t> bytes(t.end - t.begin);
        if (Status s = file->read(t, bytes.data(), bytes.size()); !s) {
            *error = QString::fromStdString(s.message());
            return {};
        }
        if (Status s = writer.add(t.name, t.dtype, t.shape, bytes.data(), bytes.size()); !s) {
            *error = QString::fromStdString(s.message());
            return {};
        }
    }
    if (!QDir().mkpath(folder)) {
        *error = QCoreApplication::translate("shiftsr::gui::DistilWizard", "cannot create %1")
                     .arg(QDir::toNativeSeparators(folder));
        return {};
    }
    // Written under a name the registry does not list, then renamed to the first free name: a
    // rename never replaces an existing file.
    const QDir dir(folder);
    const QString part = dir.filePath(QStringLiteral(".%1.installing").arg(stem));
    if (Status s = writer.write(part.toStdString()); !s) {
        *error = QString::fromStdString(s.message());
        return {};
    }
    for (int n = 1; n < 1000; ++n) {
        const QString target =
            dir.filePath(n == 1 ? stem + QStringLiteral(".safetensors")
                                : QStringLiteral("%1-%2.safetensors").arg(stem).arg(n));
        if (QFileInfo::exists(target))
            continue;
        if (QFile::rename(part, target))
            return target;
    }
    QFile::remove(part);
    *error =
        QCoreApplication::translate("shiftsr::gui::DistilWizard", "no free file name for %1 in %2")
            .arg(stem, QDir::toNativeSeparators(folder));
    return {};
}

} // namespace shiftsr::gui
