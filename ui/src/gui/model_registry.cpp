// ModelRegistry: embedded and folder model packages, their metadata, loading, import, default.
#include "shiftsr/gui/model_registry.h"

#include "shiftsr/resources/embedded.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QStandardPaths>

namespace shiftsr::gui {

namespace {

// The "teacher" name an RSD student's provenance records; empty for other packages.
QString studentTeacherName(const ModelEntry& e) {
    const auto it = e.info.metadata.find("provenance");
    if (it == e.info.metadata.end())
        return {};
    return QJsonDocument::fromJson(QByteArray::fromStdString(it->second))
        .object()
        .value(QStringLiteral("teacher"))
        .toString();
}

// The untrained test models (test-tiny, test-tiny-yonos) share this prefix.
constexpr const char* kTestModelPrefix = "embedded:test-";

constexpr char kFolderKey[] = "models/folder";
constexpr char kDefaultKey[] = "models/default";

QString fromStd(const std::string& s) {
    return QString::fromStdString(s);
}

// The embedded models' names (their packages' `name`) and descriptions (resources/CMakeLists.txt),
// for translation: the GUI shows them in the user's language. Folder packages keep the name their
// author gave them. A text here that no longer matches the package is shown as stored, so a rename
// shows untranslated rather than wrong (tst_modelregistry checks the German of each).
struct EmbeddedText {
    const char* id;
    const char* name;
    const char* description;
};
constexpr char kEmbeddedTextContext[] = "shiftsr::gui::ModelRegistry";
constexpr EmbeddedText kEmbeddedTexts[] = {
    {"lite-rsd", QT_TRANSLATE_NOOP("shiftsr::gui::ModelRegistry", "ShiftSR Lite one-step (RSD)"),
     QT_TRANSLATE_NOOP("shiftsr::gui::ModelRegistry", "One step, fast")},
    {"lite-teacher",
     QT_TRANSLATE_NOOP("shiftsr::gui::ModelRegistry", "ShiftSR Lite multi-step teacher"),
     QT_TRANSLATE_NOOP("shiftsr::gui::ModelRegistry", "4 steps, slower, the reference")},
    {"test-tiny",
     QT_TRANSLATE_NOOP("shiftsr::gui::ModelRegistry",
                       "ShiftSR test model (untrained, pipeline check only)"),
     QT_TRANSLATE_NOOP("shiftsr::gui::ModelRegistry",
                       "Tiny untrained test model (pipeline checks only)")},
    {"test-tiny-yonos",
     QT_TRANSLATE_NOOP("shiftsr::gui::ModelRegistry",
                       "ShiftSR YONOS test model (untrained, pipeline check only)"),
     QT_TRANSLATE_NOOP("shiftsr::gui::ModelRegistry",
                       "Tiny untrained YONOS test model (pipeline checks only)")},
};

// `stored` in the user's language when it is the table's `source`, else as it is.
QString translatedText(const std::string& stored, const char* source) {
    if (stored != source)
        return fromStd(stored);
    return QCoreApplication::translate(kEmbeddedTextContext, source);
}

void translateEmbedded(const std::string& id, ModelEntry& e) {
    for (const EmbeddedText& t : kEmbeddedTexts) {
        if (id != t.id)
            continue;
        if (!e.info.name.empty())
            e.displayName = translatedText(e.info.name, t.name);
        e.description = translatedText(e.description.toStdString(), t.description);
    }
}

} // namespace

QString appDataFolder() {
    // Qt ends AppDataLocation with <organisation>/<application>; ours are both "ShiftSR", which
    // read ShiftSR/ShiftSR: one is enough.
    QString base = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    const QString org = QCoreApplication::organizationName();
    const QString app = QCoreApplication::applicationName();
    if (!app.isEmpty() && org == app &&
        base.endsWith(QLatin1Char('/') + org + QLatin1Char('/') + app))
        base.chop(app.size() + 1);
    return base;
}

QString defaultModelFolder() {
    const QString legacy = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
                           QStringLiteral("/models");
    const QString folder = appDataFolder() + QStringLiteral("/models");
    // Models imported into the old default by a user who never stored a folder stay in sight.
    if (folder != legacy && !QFileInfo::exists(folder) &&
        !QDir(legacy).entryList({QStringLiteral("*.safetensors")}, QDir::Files).isEmpty())
        return legacy;
    return folder;
}

ModelRegistry::ModelRegistry(const QString& modelFolder, QObject* parent) : QObject(parent) {
    folder_ = modelFolder;
    if (folder_.isEmpty())
        folder_ = QSettings().value(kFolderKey, defaultModelFolder()).toString();
    refresh();
}

ModelRegistry::~ModelRegistry() {
    stopHashing();
}

void ModelRegistry::stopHashing() {
    stopHashing_ = true; // the hash being read stops at its next megabyte
    if (hasher_.joinable())
        hasher_.join();
    stopHashing_ = false;
}

void ModelRegistry::startHashing() {
    std::vector<std::string> pending;
    for (const auto& e : models_)
        if (!e.embedded && e.hashPending())
            pending.push_back(e.spec.toStdString());
    if (pending.empty())
        return;
    hasher_ = std::thread([this, pending] {
        for (const std::string& path : pending) {
            const std::string hash = Model::contentHash(path, &stopHashing_);
            if (stopHashing_)
                return;
            // Applied on the GUI thread; the destructor joins this thread first, so `this` lives.
            QMetaObject::invokeMethod(
                this,
                [this, path, hash] {
                    for (auto& e : models_)
                        if (!e.embedded && e.spec.toStdString() == path &&
                            e.info.contentHash.empty())
                            e.info.contentHash = hash;
                },
                Qt::QueuedConnection);
        }
        QMetaObject::invokeMethod(
            this, [this] { Q_EMIT contentHashesReady(); }, Qt::QueuedConnection);
    });
}

void ModelRegistry::setModelFolder(const QString& folder) {
    {
        std::lock_guard<std::mutex> lock(cacheMutex_); // importWeights may read it from a worker
        folder_ = folder;
    }
    QSettings().setValue(kFolderKey, folder);
    refresh();
}

void ModelRegistry::refresh() {
    stopHashing(); // a rescan starts over (hashes already computed are cached by the engine)
    QList<ModelEntry> list;
    for (const auto& m : resources::listedEmbeddedModels()) {
        ModelEntry e;
        e.spec = QStringLiteral("embedded:") + fromStd(m.id);
        e.embedded = true;
        e.description = fromStd(m.description);
        auto info = Model::inspectMemory(m.data, m.size, m.id);
        if (info)
            e.info = *info;
        else
            e.error = fromStd(info.status().message());
        e.displayName = e.info.name.empty() ? fromStd(m.id) : fromStd(e.info.name);
        translateEmbedded(m.id, e);
        list.push_back(e);
    }
    const QDir dir(folder_);
    const QFileInfoList files =
        dir.entryInfoList({QStringLiteral("*.safetensors")}, QDir::Files | QDir::Readable,
                          QDir::Name | QDir::IgnoreCase);
    for (const QFileInfo& fi : files) {
        ModelEntry e;
        e.spec = fi.absoluteFilePath();
        e.description = fi.fileName();
        auto info = Model::inspect(fi.absoluteFilePath().toStdString(), /*hashContent=*/false);
        if (info)
            e.info = *info;
        else
            e.error = fromStd(info.status().message());
        e.displayName = e.info.name.empty() ? fi.completeBaseName() : fromStd(e.info.name);
        list.push_back(e);
    }
    models_ = list;
    Q_EMIT modelsChanged();
    startHashing();
}

const ModelEntry* ModelRegistry::find(const QString& spec) const {
    for (const auto& e : models_)
        if (e.spec == spec)
            return &e;
    return nullptr;
}

QString ModelRegistry::defaultSpec() const {
    const QString stored = QSettings().value(kDefaultKey).toString();
    if (const ModelEntry* e = find(stored); e && e->error.isEmpty())
        return stored;
    const QString builtIn = QStringLiteral("embedded:") + fromStd(resources::defaultModelId());
    if (find(builtIn))
        return builtIn;
    for (const auto& e : models_)
        if (e.error.isEmpty())
            return e.spec;
    return {};
}

Status ModelRegistry::setDefaultSpec(const QString& spec) {
    const ModelEntry* e = find(spec);
    if (!e)
        return Status::error(StatusCode::NotFound, "no model " + spec.toStdString());
    if (!e->error.isEmpty())
        return Status::error(StatusCode::InvalidArgument, e->error.toStdString());
    QSettings().setValue(kDefaultKey, spec);
    Q_EMIT defaultChanged(spec);
    return Status::ok();
}

QString ModelRegistry::preferredSpec(bool oneStep) const {
    const QString def = defaultSpec();
    const ModelEntry* d = find(def);
    if (d && d->oneStep() == oneStep)
        return def;
    // The multi-step partner of a default student is its own teacher (named in its provenance).
    if (const QString teacher = !oneStep && d ? studentTeacherName(*d) : QString();
        !teacher.isEmpty())
        for (const auto& e : models_)
            if (e.error.isEmpty() && !e.oneStep() && QString::fromStdString(e.info.name) == teacher)
                return e.spec;
    // Else the first model of the kind; the untrained test models only when nothing else fits.
    QString fallback;
    for (const auto& e : models_) {
        if (!e.error.isEmpty() || e.oneStep() != oneStep)
            continue;
        if (!e.spec.startsWith(QLatin1String(kTestModelPrefix)))
            return e.spec;
        if (fallback.isEmpty())
            fallback = e.spec;
    }
    return fallback;
}

Result<std::shared_ptr<const Model>> ModelRegistry::load(const QString& spec,
                                                         const LoadOptions& options) {
    const std::string key = spec.toStdString() + "|" + options.device + "|" + options.precision;
    {
        std::lock_guard<std::mutex> lock(cacheMutex_);
        if (auto it = cache_.find(key); it != cache_.end())
            return it->second;
    }
    if (spec.isEmpty())
        return Status::error(StatusCode::NotFound, "no model given");
    // Loaded without the lock: a load takes seconds, and the GUI thread takes the lock too.
    auto m = resources::loadModelSpec(spec.toStdString(), options);
    if (!m)
        return m;
    std::lock_guard<std::mutex> lock(cacheMutex_);
    const auto [it, inserted] = cache_.emplace(key, *m); // two threads may have loaded it: keep one
    return it->second;
}

Result<QString> ModelRegistry::importWeights(ImportOptions options, const JobControl& job) {
    QString folder;
    {
        std::lock_guard<std::mutex> lock(cacheMutex_);
        folder = folder_;
    }
    QString base = QFileInfo(fromStd(options.output)).completeBaseName();
    if (base.isEmpty())
        base = fromStd(options.name);
    if (base.isEmpty() && !options.inputs.empty())
        base = QFileInfo(fromStd(options.inputs.front())).completeBaseName();
    if (base.isEmpty())
        base = QStringLiteral("imported");
    for (QChar& c : base)
        if (!c.isLetterOrNumber() && c != QLatin1Char('-') && c != QLatin1Char('_') &&
            c != QLatin1Char('.'))
            c = QLatin1Char('_');
    if (!QDir().mkpath(folder))
        return Status::error(StatusCode::IoError,
                             "cannot create the model folder " + folder.toStdString());
    const QString out = QDir(folder).absoluteFilePath(base + QStringLiteral(".safetensors"));
    if (QFileInfo::exists(out))
        return Status::error(StatusCode::InvalidArgument, out.toStdString() + " already exists");
    options.output = out.toStdString();
    auto r = shiftsr::importWeights(options, job);
    if (!r)
        return r.status();
    return out;
}

Status ModelRegistry::remove(const QString& spec) {
    const ModelEntry* e = find(spec);
    if (!e)
        return Status::error(StatusCode::NotFound, "no model " + spec.toStdString());
    if (e->embedded)
        return Status::error(StatusCode::InvalidArgument, "embedded models cannot be removed");
    const bool wasDefault = QSettings().value(kDefaultKey).toString() == spec;
    if (!QFile::remove(spec))
        return Status::error(StatusCode::IoError, "cannot remove " + spec.toStdString());
    {
        std::lock_guard<std::mutex> lock(cacheMutex_);
        for (auto it = cache_.begin(); it != cache_.end();)
            it = it->first.rfind(spec.toStdString() + "|", 0) == 0 ? cache_.erase(it)
                                                                   : std::next(it);
    }
    if (wasDefault)
        QSettings().remove(kDefaultKey);
    refresh();
    if (wasDefault)
        Q_EMIT defaultChanged(defaultSpec());
    return Status::ok();
}

} // namespace shiftsr::gui
