// TrainingCharts: the loss and validation charts of the distillation wizard's Run page.
#include "training_charts.h"

#include "shiftsr/gui/training_run.h"

#include <QChart>
#include <QChartView>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPainter>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace shiftsr::gui {

namespace {

// PSNR (dB) does not share an axis with ratios between 0 and 1.
bool onRightAxis(const QString& name) {
    return name.contains(QLatin1String("psnr"));
}

// Numbers on every log line that are not figures to follow.
bool isCounter(const QString& name) {
    return name == QLatin1String("steps") || name == QLatin1String("world_size") ||
           name == QLatin1String("val.images");
}

QStringList withoutCounters(QStringList names) {
    names.removeIf(isCounter);
    return names;
}

QString displayName(const QString& name) {
    return name.startsWith(QLatin1String("val.")) ? name.mid(4) : name;
}

} // namespace

TrainingCharts::TrainingCharts(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    losses_ = makeChart(tr("Losses"), tr("Loss"), QString(), this);
    validation_ = makeChart(tr("Validation on the held-out photos"), tr("SSIM-Y, sharpness"),
                            tr("PSNR-Y (dB)"), this);
    losses_.view->setObjectName(QStringLiteral("lossChart"));
    validation_.view->setObjectName(QStringLiteral("validationChart"));
    layout->addWidget(losses_.view, 1);
    layout->addWidget(validation_.view, 1);
}

TrainingCharts::Chart TrainingCharts::makeChart(const QString& title, const QString& yTitle,
                                                const QString& rightTitle, QWidget* parent) {
    Chart c;
    c.chart = new QChart;
    c.chart->setTitle(title);
    c.chart->legend()->setAlignment(Qt::AlignRight);
    c.chart->setMargins(QMargins(4, 4, 4, 4));
    c.x = new QValueAxis;
    c.x->setTitleText(tr("Step"));
    c.x->setLabelFormat(QStringLiteral("%d"));
    c.x->setRange(0, 1);
    c.chart->addAxis(c.x, Qt::AlignBottom);
    c.y = new QValueAxis;
    c.y->setTitleText(yTitle);
    c.y->setRange(0, 1);
    c.chart->addAxis(c.y, Qt::AlignLeft);
    if (!rightTitle.isEmpty()) {
        c.yRight = new QValueAxis;
        c.yRight->setTitleText(rightTitle);
        c.yRight->setRange(0, 1);
        c.chart->addAxis(c.yRight, Qt::AlignRight);
    }
    c.view = new QChartView(c.chart, parent);
    c.view->setRenderHint(QPainter::Antialiasing);
    c.view->setMinimumHeight(160);
    return c;
}

QStringList TrainingCharts::chartedLosses(const TrainingLog& log) {
    return withoutCounters(log.lossSeries());
}

QStringList TrainingCharts::chartedValidation(const TrainingLog& log) {
    return withoutCounters(log.validationSeries());
}

void TrainingCharts::showLog(const TrainingLog& log) {
    update(losses_, log, chartedLosses(log));
    update(validation_, log, chartedValidation(log));
}

void TrainingCharts::update(Chart& c, const TrainingLog& log, const QStringList& names) {
    bool added = false;
    for (const QString& name : names) {
        const QList<QPointF> points = log.series.value(name);
        QLineSeries*& s = c.series[name];
        if (!s) {
            s = new QLineSeries;
            s->setName(displayName(name));
            // Validation comes every few hundred steps: its points are marked, so that the first
            // one shows before there is a line.
            s->setPointsVisible(name.startsWith(QLatin1String("val.")));
            c.chart->addSeries(s);
            s->attachAxis(c.x);
            s->attachAxis(c.yRight && onRightAxis(name) ? c.yRight : c.y);
            added = true;
        }
        if (points.size() < s->count()) {
            s->replace(points);
            continue;
        }
        if (points.size() > s->count())
            s->append(points.mid(s->count()));
    }
    if (added) {
        // A click on a legend entry hides or shows its series: losses of very different sizes
        // share the axis, and hiding the largest lets the others be read.
        const QList<QLegendMarker*> markers = c.chart->legend()->markers();
        for (QLegendMarker* m : markers) {
            QObject::disconnect(m, &QLegendMarker::clicked, nullptr, nullptr);
            connect(m, &QLegendMarker::clicked, this, [this, m] {
                QAbstractSeries* series = m->series();
                series->setVisible(!series->isVisible());
                m->setVisible(true); // the entry stays to show it again
                m->setLabelBrush(series->isVisible() ? QBrush(palette().color(QPalette::Text))
                                                     : QBrush(Qt::gray));
                rescale(series->chart() == losses_.chart ? losses_ : validation_);
            });
        }
    }
    rescale(c);
}

void TrainingCharts::rescale(Chart& c) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    double x0 = inf, x1 = -inf;
    double lo[2] = {inf, inf}, hi[2] = {-inf, -inf}; // left, right axis
    for (auto it = c.series.cbegin(); it != c.series.cend(); ++it) {
        const QLineSeries* s = it.value();
        const int axis = c.yRight && onRightAxis(it.key()) ? 1 : 0;
        for (const QPointF& p : s->points()) {
            if (!std::isfinite(p.y()))
                continue;
            x0 = std::min(x0, p.x());
            x1 = std::max(x1, p.x());
            if (!s->isVisible())
                continue;
            lo[axis] = std::min(lo[axis], p.y());
            hi[axis] = std::max(hi[axis], p.y());
        }
    }
    if (x0 > x1)
        return;
    c.x->setRange(x0, std::max(x1, x0 + 1));
    QValueAxis* axes[2] = {c.y, c.yRight};
    for (int a = 0; a < 2; ++a) {
        if (!axes[a] || lo[a] > hi[a])
            continue;
        const double pad = std::max(1e-6, 0.05 * (hi[a] - lo[a]));
        axes[a]->setRange(lo[a] - pad, hi[a] + pad);
    }
}

void TrainingCharts::clear() {
    for (Chart* c : {&losses_, &validation_}) {
        c->chart->removeAllSeries(); // deletes them
        c->series.clear();
        c->x->setRange(0, 1);
    }
}

int TrainingCharts::pointCount() const {
    int n = 0;
    for (const Chart* c : {&losses_, &validation_})
        for (const QLineSeries* s : c->series)
            n += s->count();
    return n;
}

QStringList TrainingCharts::lossNames() const {
    return losses_.series.keys();
}

QStringList TrainingCharts::validationNames() const {
    return validation_.series.keys();
}

} // namespace shiftsr::gui
