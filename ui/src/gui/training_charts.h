// TrainingCharts: a training run's losses and validation figures over the step, two QtCharts line
// charts fed from its TrainingLog.
#pragma once

#include <QMap>
#include <QStringList>
#include <QWidget>

class QChart;
class QChartView;
class QLineSeries;
class QValueAxis;

namespace shiftsr::gui {

struct TrainingLog;

class TrainingCharts : public QWidget {
    Q_OBJECT
public:
    explicit TrainingCharts(QWidget* parent = nullptr);

    // Brings both charts up to `log`. The log only grows, so only the points beyond those shown
    // are added; a series with fewer points than shown (another run's log) is redrawn whole.
    void showLog(const TrainingLog& log);
    void clear();

    // The series each chart shows: the log's losses and validation figures, less the counters
    // that come with them (planned steps, world size, number of validation photos).
    static QStringList chartedLosses(const TrainingLog& log);
    static QStringList chartedValidation(const TrainingLog& log);

    int pointCount() const;              // the points of every series of both charts
    QStringList lossNames() const;       // the loss chart's series, by their log names
    QStringList validationNames() const; // the validation chart's series ("val.psnr_y", ...)

private:
    struct Chart {
        QChart* chart = nullptr;
        QChartView* view = nullptr;
        QValueAxis* x = nullptr;
        QValueAxis* y = nullptr;      // losses; validation: the ratios (SSIM, sharpness)
        QValueAxis* yRight = nullptr; // validation: PSNR in dB
        QMap<QString, QLineSeries*> series;
    };
    static Chart makeChart(const QString& title, const QString& yTitle, const QString& rightTitle,
                           QWidget* parent);
    void update(Chart& c, const TrainingLog& log, const QStringList& names);
    static void rescale(Chart& c);

    Chart losses_, validation_;
};

} // namespace shiftsr::gui
