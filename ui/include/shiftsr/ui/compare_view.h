// CompareView: N images (the input, one or more model outputs) under one shared zoom and pan.
#pragma once

#include <QColor>
#include <QImage>
#include <QPointF>
#include <QRect>
#include <QString>
#include <QWidget>

#include <vector>

namespace shiftsr::ui {

// Panes are shown side by side (each in its own viewport) or two of them in one viewport with a
// draggable vertical split line. All panes share one view: a zoom factor and the point shown at the
// centre of every viewport, both in the coordinates of the reference image, the largest pane image
// (by area). Every other image is stretched onto the reference (a 50x40 input next to a 200x160
// x4 output is drawn 4x larger), so all panes always show the same region of the scene.
//
// Zoom 1 is one reference pixel per device-independent pixel (a nominal reference size can make it
// the pixels of a result that does not exist yet). Whenever an image is magnified on
// screen it is drawn nearest-neighbour and, at integer zoom, pixel-exact: its pixels' edges fall on
// device pixel edges. Reduced images are drawn smoothly from cached 2:1 mip levels, and only the
// visible part of an image is ever drawn.
//
// Mouse: the wheel zooms about the cursor, a left (or middle) drag pans, dragging the split line
// moves it. Keys: + / = / Ctrl+= zoom in, - / Ctrl+- zoom out, 0 fit, 1 1:1, 2 2:1, arrows pan,
// Space / B flip.
class CompareView : public QWidget {
    Q_OBJECT
    Q_PROPERTY(Mode mode READ mode WRITE setMode NOTIFY modeChanged)
    Q_PROPERTY(double zoom READ zoom WRITE setZoom)
    Q_PROPERTY(QPointF center READ center WRITE setCenter)
    Q_PROPERTY(
        double splitPosition READ splitPosition WRITE setSplitPosition NOTIFY splitPositionChanged)
    Q_PROPERTY(bool flipped READ isFlipped WRITE setFlipped NOTIFY flippedChanged)
    Q_PROPERTY(bool labelsVisible READ labelsVisible WRITE setLabelsVisible)
    Q_PROPERTY(int activePane READ activePane WRITE setActivePane NOTIFY activePaneChanged)

public:
    enum class Mode { SideBySide, Split };
    Q_ENUM(Mode)

    static constexpr double kMinZoom = 1.0 / 1024.0;
    static constexpr double kMaxZoom = 256.0;

    explicit CompareView(QWidget* parent = nullptr);
    ~CompareView() override;

    // Panes. A null image is allowed (a placeholder, e.g. while a model is still running): the pane
    // shows its label only and does not take part in choosing the reference. Labels may span
    // several lines ("\n"). Returns the new index.
    int addPane(const QImage& image, const QString& label);
    void setPaneImage(int pane, const QImage& image);
    void setPaneLabel(int pane, const QString& label);
    void clearPanes();
    int paneCount() const { return int(panes_.size()); }
    // The display copy (converted to a 32-bit format for fast painting).
    QImage paneImage(int pane) const;
    QString paneLabel(int pane) const;
    // Size of the reference image (the largest pane image); empty without images.
    QSize referenceSize() const { return refSize_; }
    // A size the reference has at least, also before any pane holds an image that large: with the
    // size of the result an input will be upscaled to, zoom 1 means one result pixel per screen
    // pixel before the upscale as after it. Empty (the default): the largest image alone.
    void setNominalReferenceSize(const QSize& size);
    QSize nominalReferenceSize() const { return nominalSize_; }

    Mode mode() const { return mode_; }
    // The two compared panes: drawn left/right of the split line in Split mode, and swapped by
    // flip() in both modes. Out-of-range or equal choices fall back to the first valid panes.
    void setSplitPanes(int a, int b);
    int splitPaneA() const;
    int splitPaneB() const; // -1 with a single pane
    double splitPosition() const { return splitPos_; }

    double zoom() const { return zoom_; }
    QPointF center() const { return center_; }
    // True after fitToWindow() until the view is zoomed or panned; a fitted view refits on resize.
    bool isFitted() const { return fitted_; }
    bool isFlipped() const { return flipped_; }
    bool labelsVisible() const { return labelsVisible_; }
    // The pane marked as the one an action applies to (the main window's Save), or -1. It gets an
    // accent frame side by side; in Split mode, an accent bar on its side and its label outlined.
    int activePane() const { return activePane_; }

    // Mapping between reference-image coordinates (pixel (x, y) covers [x, x+1) x [y, y+1)) and
    // widget coordinates for the viewport in which `pane` is drawn. In Split mode all panes share
    // the one viewport (only the two split panes are drawn).
    QPointF imageToWidget(int pane, QPointF refImagePoint) const;
    QPointF widgetToImage(int pane, QPointF widgetPoint) const;
    // The viewport where `pane` is currently drawn (follows flip()); empty for an invalid index.
    QRect paneRect(int pane) const;
    // The pane drawn at a widget position, or -1 (outside every viewport, or no panes).
    int paneAt(QPoint widgetPoint) const;
    // Widget x of the split line (Split mode with two panes), else -1.
    int splitLineX() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

    // Without panes the view shows a hint on this background, in this colour: the palette's
    // placeholder colour, changed where needed to a contrast ratio of at least 4.5.
    static QColor emptyBackgroundColor();
    QColor emptyTextColor() const;

public Q_SLOTS:
    void setMode(shiftsr::ui::CompareView::Mode mode);
    void setSplitPosition(double fraction); // clamped to [0, 1]
    void setZoom(double zoom);              // keeps the centre; clamped to [kMinZoom, kMaxZoom]
    void setCenter(QPointF refImagePoint);  // clamped to the reference image
    void fitToWindow();                     // whole reference visible and centred
    void zoomToActualSize();                // zoom 1
    void zoomIn();                          // next power of two
    void zoomOut();                         // previous power of two
    void flip();
    void setFlipped(bool flipped);
    void setLabelsVisible(bool visible);
    void setActivePane(int pane); // -1 or an invalid index: none; clearPanes() resets it

Q_SIGNALS:
    void viewChanged(double zoom, QPointF center);
    void modeChanged(shiftsr::ui::CompareView::Mode mode);
    void splitPositionChanged(double fraction);
    void flippedChanged(bool flipped);
    void activePaneChanged(int pane);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    struct Pane {
        QImage image;
        QString label;
        // levels[k] is the image reduced 2^k times (levels[0] == image), built on demand.
        mutable std::vector<QImage> levels;
    };
    enum class Drag { None, Pan, Split };

    bool validPane(int pane) const { return pane >= 0 && pane < paneCount(); }
    int slotCount() const;
    QRect slotRect(int slot) const;
    int slotOfPane(int pane) const;
    int paneInSlot(int slot) const;
    QPointF viewOrigin(const QRect& viewport) const;
    double fitZoom() const;
    void applyView(double zoom, QPointF center, bool fitted);
    void zoomAbout(double zoom, QPoint widgetPoint);
    void updateReference();
    bool onSplitHandle(QPoint widgetPoint) const;
    void updateCursor(QPoint widgetPoint);
    const QImage& level(const Pane& pane, int k) const;
    void drawPane(QPainter& painter, int pane, const QRect& viewport, const QRect& clip) const;
    void drawLabel(QPainter& painter, const QString& text, const QRect& viewport,
                   Qt::Alignment corner, bool active) const;
    QColor accentColor() const;

    std::vector<Pane> panes_;
    QSize refSize_;
    QSize nominalSize_;
    Mode mode_ = Mode::SideBySide;
    int splitA_ = 0;
    int splitB_ = 1;
    double splitPos_ = 0.5;
    double zoom_ = 1.0;
    QPointF center_;
    bool fitted_ = true;
    bool flipped_ = false;
    bool labelsVisible_ = true;
    int activePane_ = -1;

    Drag drag_ = Drag::None;
    QPoint dragStart_;
    QPointF dragStartCenter_;
};

} // namespace shiftsr::ui
