// RegionSelector: maps drags between widget and input pixels through the CompareView's reference
// image.
#include "region_selector.h"

#include "shiftsr/ui/compare_view.h"

#include <QMouseEvent>
#include <QRubberBand>

#include <algorithm>
#include <cmath>

namespace shiftsr::gui {

RegionSelector::RegionSelector(ui::CompareView* view) : QObject(view), view_(view) {
    band_ = new QRubberBand(QRubberBand::Rectangle, view);
    band_->hide();
    view->installEventFilter(this);
    connect(view, &ui::CompareView::viewChanged, this, &RegionSelector::updateBand);
    connect(view, &ui::CompareView::modeChanged, this, &RegionSelector::updateBand);
    connect(view, &ui::CompareView::flippedChanged, this, &RegionSelector::updateBand);
    connect(view, &ui::CompareView::splitPositionChanged, this, &RegionSelector::updateBand);
}

void RegionSelector::setInput(int pane, QSize inputSize) {
    pane_ = pane;
    inputSize_ = inputSize;
    if (pane_ < 0)
        dragging_ = false;
    updateBand();
}

void RegionSelector::setArmed(bool armed) {
    if (armed_ == armed)
        return;
    armed_ = armed;
    Q_EMIT armedChanged(armed);
}

void RegionSelector::setSelection(const QRect& rect) {
    const QRect clipped =
        rect.isNull() ? QRect() : rect.intersected(QRect(QPoint(0, 0), inputSize_));
    const QRect next = clipped.isEmpty() ? QRect() : clipped;
    if (next == selection_)
        return;
    selection_ = next;
    updateBand();
    Q_EMIT selectionChanged(selection_);
}

namespace {

// A widget point in the pixels of the `size` image shown in `pane`.
QPointF widgetToPaneImage(const ui::CompareView& view, int pane, QSize size, QPointF widgetPoint) {
    const QSize ref = view.referenceSize();
    if (ref.isEmpty() || size.isEmpty())
        return {};
    // The pane's image is stretched onto the reference image (the largest pane), by the same
    // factor on both axes for x4 results and bicubic magnifications of the input.
    const QPointF p = view.widgetToImage(pane, widgetPoint);
    return {p.x() * size.width() / ref.width(), p.y() * size.height() / ref.height()};
}

// The pixels of a `size` image that the rectangle between a and b touches, clipped to it.
QRect pixelsBetween(QSize size, QPointF a, QPointF b) {
    const int x0 = std::clamp(int(std::floor(std::min(a.x(), b.x()))), 0, size.width());
    const int y0 = std::clamp(int(std::floor(std::min(a.y(), b.y()))), 0, size.height());
    const int x1 = std::clamp(int(std::ceil(std::max(a.x(), b.x()))), 0, size.width());
    const int y1 = std::clamp(int(std::ceil(std::max(a.y(), b.y()))), 0, size.height());
    return QRect(QPoint(x0, y0), QPoint(x1 - 1, y1 - 1));
}

} // namespace

QPointF RegionSelector::toInput(QPointF widgetPoint) const {
    return widgetToPaneImage(*view_, pane_, inputSize_, widgetPoint);
}

QPointF RegionSelector::toWidget(QPointF inputPoint) const {
    const QSize ref = view_->referenceSize();
    if (ref.isEmpty() || inputSize_.isEmpty())
        return {};
    const QPointF p(inputPoint.x() * ref.width() / inputSize_.width(),
                    inputPoint.y() * ref.height() / inputSize_.height());
    return view_->imageToWidget(pane_, p);
}

QRect RegionSelector::inputRectBetween(QPointF a, QPointF b) const {
    return pixelsBetween(inputSize_, a, b);
}

QRect RegionSelector::visibleArea() const {
    return view_ ? visibleImageArea(*view_, pane_, inputSize_) : QRect();
}

QRect RegionSelector::visibleImageArea(const ui::CompareView& view, int pane, QSize size) {
    if (pane < 0 || pane >= view.paneCount() || size.isEmpty())
        return {};
    const QRect r = view.paneRect(pane);
    const QRect area =
        pixelsBetween(size, widgetToPaneImage(view, pane, size, r.topLeft()),
                      widgetToPaneImage(view, pane, size, QPointF(r.right() + 1, r.bottom() + 1)));
    return area.isEmpty() ? QRect() : area;
}

void RegionSelector::updateBand() {
    if (!view_ || pane_ < 0 || pane_ >= view_->paneCount() || selection_.isNull() || dragging_) {
        if (!dragging_)
            band_->hide();
        return;
    }
    const QRectF r(toWidget(selection_.topLeft()),
                   toWidget(QPointF(selection_.right() + 1, selection_.bottom() + 1)));
    const QRect onScreen = r.toAlignedRect().intersected(view_->paneRect(pane_));
    if (onScreen.isEmpty()) {
        band_->hide();
        return;
    }
    band_->setGeometry(onScreen);
    band_->show();
}

bool RegionSelector::eventFilter(QObject* watched, QEvent* event) {
    if (watched != view_)
        return false;
    switch (event->type()) {
    case QEvent::MouseButtonPress: {
        auto* e = static_cast<QMouseEvent*>(event);
        const QPoint pos = e->position().toPoint();
        const int pane = view_->paneAt(pos);
        const bool selecting = e->button() == Qt::LeftButton && pane_ >= 0 && pane == pane_ &&
                               (armed_ || (e->modifiers() & Qt::ShiftModifier));
        if (!selecting) {
            if (pane >= 0)
                Q_EMIT paneClicked(pane);
            return false; // the view pans as usual
        }
        dragging_ = true;
        dragStart_ = toInput(e->position());
        band_->setGeometry(QRect(pos, QSize()));
        band_->show();
        return true;
    }
    case QEvent::MouseMove: {
        if (!dragging_)
            return false;
        auto* e = static_cast<QMouseEvent*>(event);
        const QRect r = inputRectBetween(dragStart_, toInput(e->position()));
        const QRectF w(toWidget(r.topLeft()), toWidget(QPointF(r.right() + 1, r.bottom() + 1)));
        band_->setGeometry(w.toAlignedRect().intersected(view_->paneRect(pane_)));
        return true;
    }
    case QEvent::MouseButtonRelease: {
        if (!dragging_)
            return false;
        auto* e = static_cast<QMouseEvent*>(event);
        dragging_ = false;
        const QRect r = inputRectBetween(dragStart_, toInput(e->position()));
        // A click without a drag clears the selection rather than selecting one pixel.
        setSelection(r.width() >= 2 && r.height() >= 2 ? r : QRect());
        updateBand();
        setArmed(false);
        return true;
    }
    case QEvent::Resize:
        updateBand();
        return false;
    default:
        return false;
    }
}

} // namespace shiftsr::gui
