// StepSpinBox: steps through and accepts only the allowed values.
#include "step_spin_box.h"

#include <algorithm>

namespace shiftsr::gui {

StepSpinBox::StepSpinBox(QWidget* parent) : QSpinBox(parent) {
    setRange(0, 0);
}

void StepSpinBox::setAllowedSteps(QList<int> steps) {
    steps.removeAll(0);
    steps.prepend(0);
    std::sort(steps.begin(), steps.end());
    steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
    const int previous = value();
    allowed_ = steps;
    setRange(0, allowed_.back());
    setValue(allowed_.contains(previous) ? previous : 0);
}

int StepSpinBox::indexOfValue() const {
    // The largest allowed value not above the current one (the value is always allowed unless a
    // text edit is still in progress).
    int index = 0;
    for (int i = 0; i < allowed_.size(); ++i)
        if (allowed_[i] <= value())
            index = i;
    return index;
}

void StepSpinBox::stepBy(int steps) {
    const int index = std::clamp(indexOfValue() + steps, 0, int(allowed_.size()) - 1);
    setValue(allowed_[index]);
    selectAll();
}

QValidator::State StepSpinBox::validate(QString& text, int& pos) const {
    const QValidator::State state = QSpinBox::validate(text, pos);
    if (state != QValidator::Acceptable)
        return state;
    if (!specialValueText().isEmpty() && text == specialValueText())
        return QValidator::Acceptable;
    return allowed_.contains(valueFromText(text)) ? QValidator::Acceptable
                                                  : QValidator::Intermediate;
}

QAbstractSpinBox::StepEnabled StepSpinBox::stepEnabled() const {
    StepEnabled e = StepNone;
    const int index = indexOfValue();
    if (index > 0)
        e |= StepDownEnabled;
    if (index + 1 < allowed_.size())
        e |= StepUpEnabled;
    return e;
}

} // namespace shiftsr::gui
