// TrainingRun and TrainingLog (implementation in progress on this branch).
#include "shiftsr/gui/training_run.h"

namespace shiftsr::gui {

int TrainingLog::append(const QByteArray&) {
    return 0;
}
QStringList TrainingLog::lossSeries() const {
    return {};
}
QStringList TrainingLog::validationSeries() const {
    return {};
}

TrainingRun::TrainingRun(const QString& folder, QObject* parent) : QObject(parent), folder_(folder) {}
TrainingRun::~TrainingRun() = default;
QString TrainingRun::trainerProgram() {
    return {};
}
bool TrainingRun::start(const QString&, QString* error, int) {
    *error = QStringLiteral("not implemented yet");
    return false;
}
bool TrainingRun::resume(QString* error) {
    *error = QStringLiteral("not implemented yet");
    return false;
}
bool TrainingRun::stop() {
    return false;
}
QString TrainingRun::failure() const {
    return {};
}
int TrainingRun::plannedSteps() const {
    return 0;
}
QStringList TrainingRun::samples() const {
    return {};
}
void TrainingRun::refresh() {}
void TrainingRun::follow(bool) {}
bool TrainingRun::exportPackage(const QString&, QString* error) const {
    *error = QStringLiteral("not implemented yet");
    return false;
}
QJsonObject TrainingRun::notes() const {
    return {};
}
bool TrainingRun::setNotes(const QJsonObject&, QString*) {
    return false;
}
QStringList TrainingRun::findRuns(const QString&) {
    return {};
}
bool TrainingRun::launch(const QStringList&, QString*) {
    return false;
}
bool TrainingRun::processAlive() const {
    return false;
}
TrainingRun::State TrainingRun::stateFromFolder() const {
    return State::Empty;
}

} // namespace shiftsr::gui
