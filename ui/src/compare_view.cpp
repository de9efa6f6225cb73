// CompareView: shared zoom/pan over N aligned image panes, side by side or split.
#include "shiftsr/ui/compare_view.h"

#include <QFontMetrics>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace shiftsr::ui {

namespace {

constexpr int kSpacing = 4;      // gap between side-by-side viewports
constexpr int kHandleGrab = 6;   // half-width of the split line's mouse target
constexpr int kLabelMargin = 8;  // label box distance from the viewport corner
constexpr int kLabelPadding = 4; // text distance from the label box edge
constexpr int kActiveFrame = 3;  // width of the active pane's frame and split-view bar
constexpr double kWheelNotch = 120.0;
constexpr double kNotchesPerOctave = 4.0; // four wheel notches double the zoom
constexpr double kArrowPanFraction = 0.1; // one arrow key press pans 10 % of the viewport

const QColor kGapColor(0x1c, 0x1c, 0x1c);
const QColor kViewportColor(0x2e, 0x2e, 0x2e);

// A 32-bit copy that QPainter draws without per-paint conversion (shared, not copied, when the
// image already is one).
QImage displayCopy(const QImage& image) {
    if (image.isNull())
        return {};
    const QImage::Format format =
        image.hasAlphaChannel() ? QImage::Format_ARGB32_Premultiplied : QImage::Format_RGB32;
    QImage out = image.format() == format ? image : image.convertToFormat(format);
    out.setDevicePixelRatio(1.0); // pixel sizes only; the view decides how large a pixel is drawn
    return out;
}

// WCAG 2 relative luminance and contrast ratio (1 .. 21; 4.5 is the minimum for body text).
double relativeLuminance(const QColor& c) {
    auto channel = [](double v) {
        return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
}

double contrastRatio(const QColor& a, const QColor& b) {
    const double la = relativeLuminance(a), lb = relativeLuminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

// `color` drawn on the opaque `background` (what a translucent palette colour looks like there).
QColor over(const QColor& color, const QColor& background) {
    const double a = color.alphaF();
    return QColor::fromRgbF(float(color.redF() * a + background.redF() * (1 - a)),
                            float(color.greenF() * a + background.greenF() * (1 - a)),
                            float(color.blueF() * a + background.blueF() * (1 - a)));
}

// Puts a zoom that is a power of two up to rounding noise (wheel steps are 2^(1/4)) exactly on it.
double snapToPowerOfTwo(double zoom) {
    const double e = std::log2(zoom);
    const double r = std::round(e);
    return std::abs(e - r) < 1e-6 ? std::exp2(r) : zoom;
}

} // namespace

CompareView::CompareView(QWidget* parent) : QWidget(parent) {
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true); // cursor shape over the split line
    setAttribute(Qt::WA_OpaquePaintEvent);
}

CompareView::~CompareView() = default;

QColor CompareView::emptyBackgroundColor() {
    return kViewportColor;
}

// The view paints its own dark background whatever the style, so the palette's placeholder colour
// (dark in a light theme) is moved towards white or black, whichever reads better there, until
// the text reaches the contrast WCAG asks of body text.
QColor CompareView::emptyTextColor() const {
    constexpr double kMinContrast = 4.5;
    constexpr int kSteps = 20;
    const QColor background = emptyBackgroundColor();
    const QColor start = over(palette().color(QPalette::PlaceholderText), background);
    const QColor target =
        contrastRatio(Qt::white, background) >= contrastRatio(Qt::black, background) ? Qt::white
                                                                                     : Qt::black;
    QColor c = start;
    for (int i = 1; i <= kSteps && contrastRatio(c, background) < kMinContrast; ++i) {
        const double t = double(i) / kSteps;
        c = QColor::fromRgbF(float(start.redF() + (target.redF() - start.redF()) * t),
                             float(start.greenF() + (target.greenF() - start.greenF()) * t),
                             float(start.blueF() + (target.blueF() - start.blueF()) * t));
    }
    return c;
}

// ---------------------------------------------------------------------------------------------
// Panes

int CompareView::addPane(const QImage& image, const QString& label) {
    Pane pane;
    pane.image = displayCopy(image);
    pane.label = label;
    panes_.push_back(std::move(pane));
    updateReference();
    updateCursor(mapFromGlobal(QCursor::pos()));
    update();
    return paneCount() - 1;
}

void CompareView::setPaneImage(int pane, const QImage& image) {
    if (!validPane(pane))
        return;
    panes_[size_t(pane)].image = displayCopy(image);
    panes_[size_t(pane)].levels.clear();
    updateReference();
    update();
}

void CompareView::setPaneLabel(int pane, const QString& label) {
    if (!validPane(pane))
        return;
    panes_[size_t(pane)].label = label;
    update();
}

void CompareView::clearPanes() {
    panes_.clear();
    splitA_ = 0;
    splitB_ = 1;
    drag_ = Drag::None;
    setFlipped(false);
    setActivePane(-1);
    updateReference();
    unsetCursor();
    update();
}

QImage CompareView::paneImage(int pane) const {
    return validPane(pane) ? panes_[size_t(pane)].image : QImage();
}

QString CompareView::paneLabel(int pane) const {
    return validPane(pane) ? panes_[size_t(pane)].label : QString();
}

// The reference is the largest image (by area, first one on a tie). When it changes, a fitted view
// refits; otherwise centre and zoom are rescaled so that the same scene region stays on screen.
void CompareView::setNominalReferenceSize(const QSize& size) {
    nominalSize_ = size.isEmpty() ? QSize() : size;
    updateReference();
}

void CompareView::updateReference() {
    QSize ref = panes_.empty() ? QSize() : nominalSize_;
    for (const Pane& pane : panes_) {
        const QSize s = pane.image.size();
        if (!pane.image.isNull() &&
            (ref.isEmpty() || qint64(s.width()) * s.height() > qint64(ref.width()) * ref.height()))
            ref = s;
    }
    if (ref == refSize_)
        return;
    const QSize old = refSize_;
    refSize_ = ref;
    if (ref.isEmpty()) {
        applyView(1.0, QPointF(), true);
    } else if (fitted_ || old.isEmpty()) {
        fitToWindow();
    } else {
        // A reference point p becomes p * r in the new reference; zoom / r keeps its screen size.
        const double rx = double(ref.width()) / old.width();
        const double ry = double(ref.height()) / old.height();
        applyView(zoom_ / rx, QPointF(center_.x() * rx, center_.y() * ry), false);
    }
}

// ---------------------------------------------------------------------------------------------
// Layout and coordinate mapping

void CompareView::setMode(Mode mode) {
    if (mode == mode_)
        return;
    mode_ = mode;
    drag_ = Drag::None;
    if (fitted_ && !refSize_.isEmpty())
        fitToWindow(); // the viewport size changed
    update();
    Q_EMIT modeChanged(mode_);
}

void CompareView::setSplitPanes(int a, int b) {
    splitA_ = a;
    splitB_ = b;
    update();
}

int CompareView::splitPaneA() const {
    if (panes_.empty())
        return -1;
    return validPane(splitA_) ? splitA_ : 0;
}

int CompareView::splitPaneB() const {
    const int a = splitPaneA();
    if (paneCount() < 2)
        return -1;
    if (validPane(splitB_) && splitB_ != a)
        return splitB_;
    return a == 0 ? 1 : 0;
}

void CompareView::setSplitPosition(double fraction) {
    fraction = std::clamp(fraction, 0.0, 1.0);
    if (fraction == splitPos_)
        return;
    splitPos_ = fraction;
    update();
    Q_EMIT splitPositionChanged(splitPos_);
}

int CompareView::slotCount() const {
    if (panes_.empty())
        return 0;
    return mode_ == Mode::Split ? 1 : paneCount();
}

// Side by side, all viewports have the same size (the few leftover pixels are split between the
// outer margins), so one view transform gives identical pane-relative positions in every pane.
QRect CompareView::slotRect(int slot) const {
    const QRect area = rect();
    const int n = slotCount();
    if (slot < 0 || slot >= n)
        return {};
    if (n == 1)
        return area;
    const int w = std::max(1, (area.width() - kSpacing * (n - 1)) / n);
    const int used = n * w + (n - 1) * kSpacing;
    const int x0 = area.left() + std::max(0, (area.width() - used) / 2);
    return QRect(x0 + slot * (w + kSpacing), area.top(), w, area.height());
}

// Side by side, pane i sits in slot i, except that flip() swaps the two compared panes. The swap is
// its own inverse, so the same function maps slots to panes.
int CompareView::slotOfPane(int pane) const {
    const int a = splitPaneA();
    const int b = splitPaneB();
    if (flipped_ && b >= 0) {
        if (pane == a)
            return b;
        if (pane == b)
            return a;
    }
    return pane;
}

int CompareView::paneInSlot(int slot) const {
    return slotOfPane(slot);
}

QRect CompareView::paneRect(int pane) const {
    if (!validPane(pane))
        return {};
    return mode_ == Mode::Split ? slotRect(0) : slotRect(slotOfPane(pane));
}

int CompareView::paneAt(QPoint widgetPoint) const {
    for (int slot = 0; slot < slotCount(); ++slot) {
        if (!slotRect(slot).contains(widgetPoint))
            continue;
        if (mode_ == Mode::SideBySide)
            return paneInSlot(slot);
        int left = splitPaneA();
        int right = splitPaneB();
        if (right < 0)
            return left;
        if (flipped_)
            std::swap(left, right);
        return widgetPoint.x() < splitLineX() ? left : right;
    }
    return -1;
}

int CompareView::splitLineX() const {
    if (mode_ != Mode::Split || splitPaneB() < 0)
        return -1;
    const QRect vp = slotRect(0);
    return vp.left() + int(std::lround(splitPos_ * vp.width()));
}

// The view shows center_ at the centre of every viewport:
//     widget = viewportCentre + (p - center_) * zoom_ = origin + p * zoom_
// with origin the widget position of reference point (0, 0). The origin is snapped to the device
// pixel grid, so that reference pixel edges p * zoom_ fall on device pixel edges at integer zoom
// (exact 1:1, 2:1, ... rendering); the centre then lies at most half a device pixel off the middle.
QPointF CompareView::viewOrigin(const QRect& viewport) const {
    const double dpr = devicePixelRatioF();
    const double ox = viewport.x() + viewport.width() / 2.0 - center_.x() * zoom_;
    const double oy = viewport.y() + viewport.height() / 2.0 - center_.y() * zoom_;
    // floor(v + 0.5), unlike std::round, commutes with whole-pixel shifts, so that viewports at
    // different x snap alike.
    return QPointF(std::floor(ox * dpr + 0.5) / dpr, std::floor(oy * dpr + 0.5) / dpr);
}

QPointF CompareView::imageToWidget(int pane, QPointF refImagePoint) const {
    if (!validPane(pane))
        return {};
    return viewOrigin(paneRect(pane)) + refImagePoint * zoom_;
}

QPointF CompareView::widgetToImage(int pane, QPointF widgetPoint) const {
    if (!validPane(pane))
        return {};
    return (widgetPoint - viewOrigin(paneRect(pane))) / zoom_;
}

// ---------------------------------------------------------------------------------------------
// View (zoom and centre)

void CompareView::applyView(double zoom, QPointF center, bool fitted) {
    zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
    // The centre stays on the reference image, so some of it is always in view.
    if (refSize_.isEmpty()) {
        center = QPointF();
    } else {
        center.setX(std::clamp(center.x(), 0.0, double(refSize_.width())));
        center.setY(std::clamp(center.y(), 0.0, double(refSize_.height())));
    }
    fitted_ = fitted;
    if (zoom == zoom_ && center == center_)
        return;
    zoom_ = zoom;
    center_ = center;
    update();
    Q_EMIT viewChanged(zoom_, center_);
}

void CompareView::setZoom(double zoom) {
    applyView(zoom, center_, false);
}

void CompareView::setCenter(QPointF refImagePoint) {
    applyView(zoom_, refImagePoint, false);
}

// Largest zoom that shows the whole reference in a viewport. Above 1 it is rounded down to an
// integer, so that every pixel is drawn the same size.
double CompareView::fitZoom() const {
    const QRect vp = slotRect(0);
    if (refSize_.isEmpty() || vp.isEmpty())
        return 1.0;
    double z =
        std::min(double(vp.width()) / refSize_.width(), double(vp.height()) / refSize_.height());
    if (z > 1.0)
        z = std::floor(z);
    return z;
}

void CompareView::fitToWindow() {
    applyView(fitZoom(), QPointF(refSize_.width() / 2.0, refSize_.height() / 2.0), true);
}

void CompareView::zoomToActualSize() {
    setZoom(1.0);
}

void CompareView::zoomIn() {
    setZoom(std::exp2(std::floor(std::log2(zoom_) + 1e-9) + 1.0));
}

void CompareView::zoomOut() {
    setZoom(std::exp2(std::ceil(std::log2(zoom_) - 1e-9) - 1.0));
}

// Zooms so that the reference point under widgetPoint stays there: from
//     widgetPoint = viewportCentre + (p - center) * zoom
// for the old and the new zoom, center' = p - (widgetPoint - viewportCentre) / zoom'.
void CompareView::zoomAbout(double zoom, QPoint widgetPoint) {
    zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
    QRect vp;
    for (int slot = 0; slot < slotCount() && vp.isNull(); ++slot)
        if (slotRect(slot).contains(widgetPoint))
            vp = slotRect(slot);
    if (vp.isNull()) { // between viewports: about the centre
        setZoom(zoom);
        return;
    }
    const QPointF p = (QPointF(widgetPoint) - viewOrigin(vp)) / zoom_;
    const QPointF fromCentre =
        QPointF(widgetPoint) - QPointF(vp.x() + vp.width() / 2.0, vp.y() + vp.height() / 2.0);
    applyView(zoom, p - fromCentre / zoom, false);
}

void CompareView::setFlipped(bool flipped) {
    if (flipped == flipped_)
        return;
    flipped_ = flipped;
    update();
    Q_EMIT flippedChanged(flipped_);
}

void CompareView::flip() {
    setFlipped(!flipped_);
}

void CompareView::setLabelsVisible(bool visible) {
    if (visible == labelsVisible_)
        return;
    labelsVisible_ = visible;
    update();
}

void CompareView::setActivePane(int pane) {
    if (!validPane(pane))
        pane = -1;
    if (pane == activePane_)
        return;
    activePane_ = pane;
    update();
    Q_EMIT activePaneChanged(activePane_);
}

// The style's selection colour: what the desktop uses to say "this one".
QColor CompareView::accentColor() const {
    return palette().color(QPalette::Active, QPalette::Highlight);
}

QSize CompareView::sizeHint() const {
    return QSize(800, 600);
}

QSize CompareView::minimumSizeHint() const {
    return QSize(120, 90);
}

// ---------------------------------------------------------------------------------------------
// Painting

// levels[k] halves levels[k-1] with Qt's area-averaging reduction; a level is built on first use.
const QImage& CompareView::level(const Pane& pane, int k) const {
    if (pane.levels.empty())
        pane.levels.push_back(pane.image);
    while (int(pane.levels.size()) <= k) {
        const QImage& prev = pane.levels.back();
        pane.levels.push_back(prev.scaled(std::max(1, prev.width() / 2),
                                          std::max(1, prev.height() / 2), Qt::IgnoreAspectRatio,
                                          Qt::SmoothTransformation));
    }
    return pane.levels[size_t(k)];
}

void CompareView::drawPane(QPainter& painter, int pane, const QRect& viewport,
                           const QRect& clip) const {
    const Pane& p = panes_[size_t(pane)];
    if (p.image.isNull() || clip.isEmpty() || refSize_.isEmpty())
        return;
    const double iw = p.image.width(), ih = p.image.height();
    // Widget pixels per image pixel: stretched onto the reference (ref / image size), then zoomed.
    const double sx = zoom_ * refSize_.width() / iw;
    const double sy = zoom_ * refSize_.height() / ih;
    const QPointF origin = viewOrigin(viewport);

    // The visible part of the image, in image pixels.
    const double x0 = std::max(0.0, (clip.left() - origin.x()) / sx);
    const double y0 = std::max(0.0, (clip.top() - origin.y()) / sy);
    const double x1 = std::min(iw, (clip.left() + clip.width() - origin.x()) / sx);
    const double y1 = std::min(ih, (clip.top() + clip.height() - origin.y()) / sy);
    if (x1 <= x0 || y1 <= y0)
        return;

    // Magnified: nearest neighbour from the image itself. Reduced: level k, which is at least as
    // large as the screen image (2^-k >= scale), smoothly reduced at most 2:1 more by QPainter.
    const double dpr = painter.device()->devicePixelRatioF();
    const double deviceScale = std::min(sx, sy) * dpr;
    const bool magnified = deviceScale >= 1.0 - 1e-9;
    int k = 0;
    if (!magnified) {
        const int maxLevel = int(std::floor(std::log2(std::min(iw, ih))));
        k = std::clamp(int(std::floor(std::log2(1.0 / deviceScale))), 0, maxLevel);
    }
    const QImage& img = level(p, k);
    const double lx = img.width() / iw, ly = img.height() / ih; // level pixels per image pixel

    // Whole level pixels covering the visible part, and where they land on the widget.
    const QRect src = QRect(QPoint(int(std::floor(x0 * lx)), int(std::floor(y0 * ly))),
                            QPoint(int(std::ceil(x1 * lx)) - 1, int(std::ceil(y1 * ly)) - 1)) &
                      img.rect();
    if (src.isEmpty())
        return;
    const QRectF target(origin.x() + src.x() / lx * sx, origin.y() + src.y() / ly * sy,
                        src.width() / lx * sx, src.height() / ly * sy);

    painter.save();
    painter.setClipRect(clip);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, !magnified);
    painter.drawImage(target, img, src);
    painter.restore();
}

void CompareView::drawLabel(QPainter& painter, const QString& text, const QRect& viewport,
                            Qt::Alignment corner, bool active) const {
    if (!labelsVisible_ || text.isEmpty())
        return;
    const QFontMetrics fm(font());
    // In the split view two labels share the top edge: each gets half of it.
    const int room =
        mode_ == Mode::Split && paneCount() > 1 ? viewport.width() / 2 : viewport.width();
    const int maxTextWidth = room - 2 * (kLabelMargin + kLabelPadding);
    if (maxTextWidth < fm.averageCharWidth() * 3)
        return;
    QStringList lines = text.split(QLatin1Char('\n'));
    int width = 0;
    for (QString& line : lines) {
        line = fm.elidedText(line, Qt::ElideRight, maxTextWidth);
        width = std::max(width, fm.horizontalAdvance(line));
    }
    QRect box(0, 0, width + 2 * kLabelPadding, int(lines.size()) * fm.height() + 2 * kLabelPadding);
    box.moveTop(viewport.top() + kLabelMargin);
    if (corner & Qt::AlignRight)
        box.moveRight(viewport.right() - kLabelMargin);
    else
        box.moveLeft(viewport.left() + kLabelMargin);

    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(0, 0, 0, 170));
    painter.drawRoundedRect(box, 3, 3);
    if (active) {
        painter.setPen(QPen(accentColor(), 2));
        painter.setBrush(Qt::NoBrush);
        painter.drawRoundedRect(QRectF(box).adjusted(1, 1, -1, -1), 3, 3);
    }
    painter.setPen(Qt::white);
    const Qt::Alignment align = (corner & Qt::AlignRight) ? Qt::AlignRight : Qt::AlignLeft;
    for (int i = 0; i < int(lines.size()); ++i)
        painter.drawText(QRect(box.left() + kLabelPadding,
                               box.top() + kLabelPadding + i * fm.height(),
                               box.width() - 2 * kLabelPadding, fm.height()),
                         align | Qt::AlignVCenter, lines[i]);
    painter.restore();
}

void CompareView::paintEvent(QPaintEvent* event) {
    QPainter painter(this);
    painter.fillRect(event->rect(), kGapColor);
    if (panes_.empty()) {
        painter.fillRect(rect(), kViewportColor);
        painter.setPen(emptyTextColor());
        painter.drawText(rect(), Qt::AlignCenter, tr("No images to compare"));
        return;
    }

    if (mode_ == Mode::SideBySide) {
        for (int slot = 0; slot < slotCount(); ++slot) {
            const QRect vp = slotRect(slot);
            const QRect clip = vp & event->rect();
            if (clip.isEmpty())
                continue;
            painter.fillRect(clip, kViewportColor);
            const int pane = paneInSlot(slot);
            drawPane(painter, pane, vp, clip);
            const bool active = pane == activePane_;
            if (active) { // a frame inside the viewport, over the image
                const QColor accent = accentColor();
                const int t = kActiveFrame;
                painter.fillRect(QRect(vp.left(), vp.top(), vp.width(), t), accent);
                painter.fillRect(QRect(vp.left(), vp.bottom() - t + 1, vp.width(), t), accent);
                painter.fillRect(QRect(vp.left(), vp.top(), t, vp.height()), accent);
                painter.fillRect(QRect(vp.right() - t + 1, vp.top(), t, vp.height()), accent);
            }
            drawLabel(painter, panes_[size_t(pane)].label, vp, Qt::AlignLeft, active);
        }
        return;
    }

    // Split: pane A left of the line, pane B right of it (swapped when flipped).
    const QRect vp = slotRect(0);
    painter.fillRect(vp & event->rect(), kViewportColor);
    int left = splitPaneA();
    int right = splitPaneB();
    if (right < 0) {
        drawPane(painter, left, vp, vp & event->rect());
        if (left == activePane_)
            painter.fillRect(QRect(vp.left(), vp.top(), vp.width(), kActiveFrame), accentColor());
        drawLabel(painter, panes_[size_t(left)].label, vp, Qt::AlignLeft, left == activePane_);
        return;
    }
    if (flipped_)
        std::swap(left, right);
    const int x = splitLineX();
    const QRect leftRect(vp.left(), vp.top(), x - vp.left(), vp.height());
    const QRect rightRect(x, vp.top(), vp.left() + vp.width() - x, vp.height());
    drawPane(painter, left, vp, leftRect & event->rect());
    drawPane(painter, right, vp, rightRect & event->rect());
    // The active pane's half gets a bar along its top edge, which stays when labels are hidden.
    if (activePane_ == left || activePane_ == right) {
        const QRect half = activePane_ == left ? leftRect : rightRect;
        painter.fillRect(QRect(half.left(), half.top(), half.width(), kActiveFrame), accentColor());
    }
    drawLabel(painter, panes_[size_t(left)].label, vp, Qt::AlignLeft, left == activePane_);
    drawLabel(painter, panes_[size_t(right)].label, vp, Qt::AlignRight, right == activePane_);

    // The line (columns x-1 and x) with a round grip in the middle.
    painter.fillRect(QRect(x - 1, vp.top(), 2, vp.height()), QColor(255, 255, 255, 210));
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(QColor(255, 255, 255, 230), 2));
    painter.setBrush(QColor(0, 0, 0, 150));
    painter.drawEllipse(QPointF(x, vp.center().y()), 9, 9);
    painter.restore();
}

void CompareView::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    if (fitted_ && !refSize_.isEmpty())
        fitToWindow();
}

// ---------------------------------------------------------------------------------------------
// Input

bool CompareView::onSplitHandle(QPoint widgetPoint) const {
    const int x = splitLineX();
    return x >= 0 && std::abs(widgetPoint.x() - x) <= kHandleGrab &&
           slotRect(0).contains(widgetPoint);
}

void CompareView::updateCursor(QPoint widgetPoint) {
    if (panes_.empty())
        unsetCursor();
    else if (drag_ == Drag::Pan)
        setCursor(Qt::ClosedHandCursor);
    else if (drag_ == Drag::Split || onSplitHandle(widgetPoint))
        setCursor(Qt::SplitHCursor);
    else
        setCursor(Qt::OpenHandCursor);
}

void CompareView::wheelEvent(QWheelEvent* event) {
    const int delta = event->angleDelta().y();
    if (panes_.empty() || delta == 0) {
        event->ignore();
        return;
    }
    const double notches = delta / kWheelNotch;
    zoomAbout(snapToPowerOfTwo(zoom_ * std::exp2(notches / kNotchesPerOctave)),
              event->position().toPoint());
    event->accept();
}

void CompareView::mousePressEvent(QMouseEvent* event) {
    const QPoint pos = event->position().toPoint();
    if (panes_.empty() || drag_ != Drag::None) {
        QWidget::mousePressEvent(event);
        return;
    }
    if (event->button() == Qt::LeftButton && onSplitHandle(pos)) {
        drag_ = Drag::Split;
    } else if (event->button() == Qt::LeftButton || event->button() == Qt::MiddleButton) {
        drag_ = Drag::Pan;
        dragStart_ = pos;
        dragStartCenter_ = center_;
    } else {
        QWidget::mousePressEvent(event);
        return;
    }
    updateCursor(pos);
    event->accept();
}

void CompareView::mouseMoveEvent(QMouseEvent* event) {
    const QPoint pos = event->position().toPoint();
    if (drag_ == Drag::Split) {
        const QRect vp = slotRect(0);
        setSplitPosition(double(pos.x() - vp.left()) / std::max(1, vp.width()));
    } else if (drag_ == Drag::Pan) {
        // The reference point grabbed at the press follows the mouse.
        applyView(zoom_, dragStartCenter_ - QPointF(pos - dragStart_) / zoom_, false);
    } else {
        updateCursor(pos);
    }
    event->accept();
}

void CompareView::mouseReleaseEvent(QMouseEvent* event) {
    if (drag_ == Drag::None) {
        QWidget::mouseReleaseEvent(event);
        return;
    }
    // Any release ends the drag: the pressed button is the only one that can start one.
    drag_ = Drag::None;
    updateCursor(event->position().toPoint());
    event->accept();
}

void CompareView::keyPressEvent(QKeyEvent* event) {
    if (panes_.empty()) {
        QWidget::keyPressEvent(event);
        return;
    }
    const QRect vp = slotRect(0);
    const double panX = kArrowPanFraction * vp.width() / zoom_;
    const double panY = kArrowPanFraction * vp.height() / zoom_;
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomIn();
        break;
    case Qt::Key_Minus:
        zoomOut();
        break;
    case Qt::Key_0:
        fitToWindow();
        break;
    case Qt::Key_1:
        zoomToActualSize();
        break;
    case Qt::Key_2:
        setZoom(2.0);
        break;
    case Qt::Key_Left:
        setCenter(center_ - QPointF(panX, 0));
        break;
    case Qt::Key_Right:
        setCenter(center_ + QPointF(panX, 0));
        break;
    case Qt::Key_Up:
        setCenter(center_ - QPointF(0, panY));
        break;
    case Qt::Key_Down:
        setCenter(center_ + QPointF(0, panY));
        break;
    case Qt::Key_Space:
    case Qt::Key_B:
        flip();
        break;
    default:
        QWidget::keyPressEvent(event);
        return;
    }
    event->accept();
}

} // namespace shiftsr::ui
