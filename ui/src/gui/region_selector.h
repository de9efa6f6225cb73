// RegionSelector: a rectangle on the input pane of a CompareView, dragged with Shift (or any left
// drag while armed), kept drawn over the view as it zooms and pans; also reports plain clicks on
// panes.
#pragma once

#include <QObject>
#include <QPointF>
#include <QPointer>
#include <QRect>
#include <QSize>

class QRubberBand;

namespace shiftsr::ui {
class CompareView;
}

namespace shiftsr::gui {

class RegionSelector : public QObject {
    Q_OBJECT
public:
    // A child of `view` and its event filter. No destructor of its own: Qt forgets a deleted event
    // filter by itself, and while the view is being destroyed (its children go last) it is no
    // longer a CompareView, so reaching it through view_ there would be undefined behaviour.
    explicit RegionSelector(ui::CompareView* view);

    // The pane that shows the whole input, and the input's size in pixels. pane -1: the view shows
    // no whole input (selecting is off; the selection is kept but not drawn).
    void setInput(int pane, QSize inputSize);
    int inputPane() const { return pane_; }

    bool isArmed() const { return armed_; }
    void setArmed(bool armed); // the next left drag selects; disarms itself after one selection

    QRect selection() const { return selection_; } // input pixels; null: none
    void setSelection(const QRect& rect);          // clipped to the input
    void clear() { setSelection(QRect()); }

    // The part of the input visible in the input pane (input pixels); null without an input pane.
    QRect visibleArea() const;
    // The part of a `size` image visible in `pane` of `view`, whichever pane shows it (its pixels);
    // null when the pane does not exist.
    static QRect visibleImageArea(const ui::CompareView& view, int pane, QSize size);

Q_SIGNALS:
    void selectionChanged(const QRect& selection);
    void armedChanged(bool armed);
    void paneClicked(int pane);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QPointF toInput(QPointF widgetPoint) const;
    QPointF toWidget(QPointF inputPoint) const;
    QRect inputRectBetween(QPointF a, QPointF b) const;
    void updateBand();

    QPointer<ui::CompareView> view_;
    QRubberBand* band_ = nullptr; // child of the view
    int pane_ = -1;
    QSize inputSize_;
    QRect selection_;
    bool armed_ = false;
    bool dragging_ = false;
    QPointF dragStart_; // input pixels
};

} // namespace shiftsr::gui
