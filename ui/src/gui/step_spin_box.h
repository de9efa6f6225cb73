// StepSpinBox: a spin box that offers only the step counts a model runs with (0 = the model's own).
#pragma once

#include <QList>
#include <QSpinBox>

namespace shiftsr::gui {

class StepSpinBox : public QSpinBox {
public:
    explicit StepSpinBox(QWidget* parent = nullptr);

    // `steps` are the counts besides 0; the value falls back to 0 when it is not among them.
    void setAllowedSteps(QList<int> steps);
    const QList<int>& allowedSteps() const { return allowed_; }

    void stepBy(int steps) override;

protected:
    QValidator::State validate(QString& text, int& pos) const override;
    StepEnabled stepEnabled() const override;

private:
    int indexOfValue() const;
    QList<int> allowed_{0}; // sorted, starts with 0
};

} // namespace shiftsr::gui
