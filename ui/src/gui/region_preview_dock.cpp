// RegionPreviewDock: the model list (check states kept across registry changes), the region label
// and the action buttons of the Region Preview panel.
#include "region_preview_dock.h"

#include "shiftsr/gui/model_registry.h"

#include <QAction>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QSet>
#include <QToolButton>
#include <QVBoxLayout>

namespace shiftsr::gui {

namespace {

constexpr int kSpecRole = Qt::UserRole;
constexpr int kStepsRole = Qt::UserRole + 1;

} // namespace

RegionPreviewDock::RegionPreviewDock(const ModelRegistry& registry, QWidget* parent)
    : QDockWidget(tr("Region Preview"), parent), registry_(registry) {
    setObjectName(QStringLiteral("regionDock")); // the key of its place in the saved window state
    auto* panel = new QWidget(this);
    layout_ = new QVBoxLayout(panel);
    auto* hint = new QLabel(
        tr("Select a region on the input (Shift+drag), then run the checked models on it "
           "only: a one-step and a multi-step model compared in seconds."),
        panel);
    hint->setWordWrap(true);
    layout_->addWidget(hint);
    list_ = new QListWidget(panel);
    list_->setTextElideMode(Qt::ElideMiddle); // keeps the step count of long model names
    list_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    connect(list_, &QListWidget::itemChanged, this, &RegionPreviewDock::checkedModelsChanged);
    layout_->addWidget(list_, 1);
    selectionLabel_ = new QLabel(panel);
    layout_->addWidget(selectionLabel_);
    setWidget(panel);
    setSelection(QRect());
    rebuild();
    connect(&registry_, &ModelRegistry::modelsChanged, this, &RegionPreviewDock::rebuild);
}

void RegionPreviewDock::setActions(const QList<QAction*>& regionActions, QAction* runAction) {
    QWidget* panel = widget();
    auto* buttons = new QHBoxLayout;
    for (QAction* a : regionActions) {
        auto* b = new QToolButton(panel);
        b->setDefaultAction(a);
        b->setToolButtonStyle(Qt::ToolButtonTextOnly);
        buttons->addWidget(b);
    }
    buttons->addStretch(1);
    layout_->addLayout(buttons);
    auto* run = new QToolButton(panel);
    run->setDefaultAction(runAction);
    run->setToolButtonStyle(Qt::ToolButtonTextOnly);
    run->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    layout_->addWidget(run);
}

void RegionPreviewDock::rebuild() {
    QSet<QString> checked;
    const bool firstTime = list_->count() == 0;
    for (int i = 0; i < list_->count(); ++i) {
        const QListWidgetItem* item = list_->item(i);
        if (item->checkState() == Qt::Checked)
            checked.insert(item->data(kSpecRole).toString() + QLatin1Char('|') +
                           item->data(kStepsRole).toString());
    }
    if (firstTime) {
        const QString multi = registry_.preferredSpec(false), one = registry_.preferredSpec(true);
        if (!multi.isEmpty())
            checked.insert(multi + QStringLiteral("|0"));
        if (!one.isEmpty())
            checked.insert(one + QStringLiteral("|0"));
        else if (!multi.isEmpty())
            checked.insert(multi +
                           QStringLiteral("|1")); // no one-step model: the teacher at 1 step
    }
    const QSignalBlocker blocker(list_);
    list_->clear();
    auto add = [this, &checked](const ModelEntry& e, int steps, const QString& text) {
        auto* item = new QListWidgetItem(text, list_);
        item->setData(kSpecRole, e.spec);
        item->setData(kStepsRole, steps);
        item->setToolTip(
            e.description.isEmpty() ? text : QStringLiteral("%1\n%2").arg(text, e.description));
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        item->setCheckState(checked.contains(e.spec + QLatin1Char('|') + QString::number(steps))
                                ? Qt::Checked
                                : Qt::Unchecked);
    };
    for (const ModelEntry& e : registry_.models()) {
        if (!e.error.isEmpty())
            continue;
        // A single-pass GAN has no steps to name.
        const bool diffusion = e.info.family == "resshift" || e.info.family == "yonos";
        add(e, 0,
            diffusion ? tr("%1, %n step(s)", nullptr, e.info.steps).arg(e.displayName)
                      : e.displayName);
        if (!e.oneStep())
            add(e, 1, tr("%1 at 1 step").arg(e.displayName));
    }
}

QList<QPair<QString, int>> RegionPreviewDock::checkedModels() const {
    QList<QPair<QString, int>> models;
    for (int i = 0; i < list_->count(); ++i) {
        const QListWidgetItem* item = list_->item(i);
        if (item->checkState() == Qt::Checked)
            models.append({item->data(kSpecRole).toString(), item->data(kStepsRole).toInt()});
    }
    return models;
}

void RegionPreviewDock::setSelection(const QRect& s) {
    selectionLabel_->setText(s.isNull() ? tr("No region selected: the visible area is used.")
                                        : tr("Region: %1 × %2 pixels at (%3, %4)")
                                              .arg(s.width())
                                              .arg(s.height())
                                              .arg(s.x())
                                              .arg(s.y()));
}

} // namespace shiftsr::gui
