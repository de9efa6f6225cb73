// RegionPreviewDock: the main window's Region Preview panel: the models a region preview runs
// (checkable, from the registry), the selected region, and buttons for the window's region actions.
#pragma once

#include <QDockWidget>
#include <QList>
#include <QPair>
#include <QRect>
#include <QString>

class QAction;
class QLabel;
class QListWidget;
class QVBoxLayout;

namespace shiftsr::gui {

class ModelRegistry;

class RegionPreviewDock : public QDockWidget {
    Q_OBJECT
public:
    // Lists the registry's usable models, each at its own steps and every multi-step one also at
    // 1 step, and follows the registry's changes. Checked at first: the preferred multi-step and
    // one-step models (without a one-step model, the multi-step one at 1 step).
    explicit RegionPreviewDock(const ModelRegistry& registry, QWidget* parent = nullptr);

    // Buttons for the window's actions (text, state and shortcut are the actions'): a row with
    // `regionActions` under the list, and `runAction` across the panel below it.
    void setActions(const QList<QAction*>& regionActions, QAction* runAction);

    // The checked entries in list order: (spec, steps; 0 = the model's own).
    QList<QPair<QString, int>> checkedModels() const;

    // The selected region in input pixels, for the label; null: none (the visible area is used).
    void setSelection(const QRect& selection);

public Q_SLOTS:
    // Lists the registry's models again; entries that remain keep their check.
    void rebuild();

Q_SIGNALS:
    void checkedModelsChanged(); // the user checked or unchecked an entry

private:
    const ModelRegistry& registry_;
    QListWidget* list_ = nullptr;
    QLabel* selectionLabel_ = nullptr;
    QVBoxLayout* layout_ = nullptr;
};

} // namespace shiftsr::gui
