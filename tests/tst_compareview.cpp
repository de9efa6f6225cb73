// CompareView: shared zoom/pan across panes, wheel/drag/keys, pixel-exact nearest rendering, split
// line, fit, alignment of different-size images, flip. Runs on the offscreen platform.
#include "shiftsr/ui/compare_view.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QWheelEvent>
#include <QtTest>

#include <cmath>
#include <functional>
#include <memory>

using shiftsr::ui::CompareView;

namespace {

// Distinct pixel values (r = x, g = y for images up to 256 px, b mixes both).
QImage patternImage(int w, int h) {
    QImage img(w, h, QImage::Format_RGB32);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            img.setPixel(x, y, qRgb(x & 255, y & 255, (x * 7 + y * 13) & 255));
    return img;
}

QImage solidImage(int w, int h, QColor c) {
    QImage img(w, h, QImage::Format_RGB32);
    img.fill(c);
    return img;
}

// Every pixel replicated f x f times (what an exact nearest x f upscale looks like).
QImage replicate(const QImage& src, int f) {
    QImage out(src.width() * f, src.height() * f, QImage::Format_RGB32);
    for (int y = 0; y < out.height(); ++y)
        for (int x = 0; x < out.width(); ++x)
            out.setPixel(x, y, src.pixel(x / f, y / f));
    return out;
}

QImage grabView(CompareView& v) {
    return v.grab().toImage().convertToFormat(QImage::Format_RGB32);
}

QRgb rgbAt(const QImage& img, int x, int y) {
    return img.pixel(x, y) & 0xffffff;
}
QRgb rgbOf(QColor c) {
    return c.rgb() & 0xffffff;
}

void sendMouse(QWidget* w, QEvent::Type type, QPoint pos, Qt::MouseButton button,
               Qt::MouseButtons buttons) {
    QMouseEvent e(type, QPointF(pos), QPointF(w->mapToGlobal(pos)), button, buttons,
                  Qt::NoModifier);
    QApplication::sendEvent(w, &e);
}

// Left-button drag in a few steps.
void drag(QWidget* w, QPoint from, QPoint to, int steps = 4) {
    sendMouse(w, QEvent::MouseButtonPress, from, Qt::LeftButton, Qt::LeftButton);
    for (int i = 1; i <= steps; ++i) {
        const QPoint p = from + (to - from) * i / steps;
        sendMouse(w, QEvent::MouseMove, p, Qt::NoButton, Qt::LeftButton);
    }
    sendMouse(w, QEvent::MouseButtonRelease, to, Qt::LeftButton, Qt::NoButton);
}

void sendWheel(QWidget* w, QPoint pos, int angleDeltaY) {
    QWheelEvent e(QPointF(pos), QPointF(w->mapToGlobal(pos)), QPoint(), QPoint(0, angleDeltaY),
                  Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(w, &e);
}

double dist(QPointF a, QPointF b) {
    return std::hypot(a.x() - b.x(), a.y() - b.y());
}

// WCAG 2 contrast ratio of two opaque colours (1 .. 21).
double contrastRatio(QColor a, QColor b) {
    auto luminance = [](QColor c) {
        auto channel = [](double v) {
            return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
        };
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) +
               0.0722 * channel(c.blueF());
    };
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

// Reference points map to the same position relative to every pane's viewport.
bool panesInSync(const CompareView& v, QString* why) {
    const QPointF probes[] = {{0, 0}, {10.25, 7.5}, {33, 21}, {v.center().x(), v.center().y()}};
    const QRect r0 = v.paneRect(0);
    for (int i = 1; i < v.paneCount(); ++i) {
        const QRect ri = v.paneRect(i);
        if (ri.size() != r0.size()) {
            *why = QStringLiteral("pane %1 has a different size").arg(i);
            return false;
        }
        for (const QPointF& p : probes) {
            const QPointF a = v.imageToWidget(0, p) - QPointF(r0.topLeft());
            const QPointF b = v.imageToWidget(i, p) - QPointF(ri.topLeft());
            if (dist(a, b) > 1e-9) {
                *why = QStringLiteral("pane %1: (%2, %3) vs (%4, %5)")
                           .arg(i)
                           .arg(b.x())
                           .arg(b.y())
                           .arg(a.x())
                           .arg(a.y());
                return false;
            }
        }
    }
    return true;
}

#define VERIFY_SYNC(v)                                                                             \
    do {                                                                                           \
        QString why_;                                                                              \
        QVERIFY2(panesInSync(v, &why_), qPrintable(why_));                                         \
    } while (false)

// Every widget pixel of `pane`'s viewport that shows image pixels must equal
// expected(floor(reference point of the widget pixel's centre)). Returns the pixels checked.
int checkPixels(const CompareView& v, const QImage& shot, int pane, QRect area,
                const std::function<bool(QPoint, QRgb*)>& expected, QString* why) {
    int checked = 0;
    area &= v.paneRect(pane);
    for (int y = area.top(); y <= area.bottom(); ++y) {
        for (int x = area.left(); x <= area.right(); ++x) {
            const QPointF p = v.widgetToImage(pane, QPointF(x + 0.5, y + 0.5));
            const QPoint ip(int(std::floor(p.x())), int(std::floor(p.y())));
            QRgb want = 0;
            if (!expected(ip, &want))
                continue;
            ++checked;
            if (rgbAt(shot, x, y) != want) {
                *why = QStringLiteral("widget (%1, %2) -> ref (%3, %4): got %5, want %6")
                           .arg(x)
                           .arg(y)
                           .arg(ip.x())
                           .arg(ip.y())
                           .arg(rgbAt(shot, x, y), 6, 16, QLatin1Char('0'))
                           .arg(want, 6, 16, QLatin1Char('0'));
                return -1;
            }
        }
    }
    return checked;
}

} // namespace

class TestCompareView : public QObject {
    Q_OBJECT

private:
    // A shown view of the given size with labels off (so that every viewport pixel is image).
    std::unique_ptr<CompareView> makeView(QSize size) {
        auto v = std::make_unique<CompareView>();
        v->setLabelsVisible(false);
        v->resize(size);
        v->show();
        if (!QTest::qWaitForWindowExposed(v.get()))
            qWarning("window not exposed");
        return v;
    }

private Q_SLOTS:
    void emptyView();
    void emptyTextReadable_data();
    void emptyTextReadable();
    void paneManagement();
    void sideBySideLayout();
    void syncAfterSetZoomAndCenter();
    void viewChangedSignal();
    void wheelZoomKeepsPointUnderCursor();
    void dragPans();
    void keyboard();
    void pixelExact_data();
    void pixelExact();
    void fitToWindow();
    void fitSmallImageIntegerZoom();
    void differentSizesAligned_data();
    void differentSizesAligned();
    void referenceChangeKeepsRegion();
    void splitPosition();
    void splitDragHandle();
    void flipSideBySide();
    void flipSplit();
    void reducedRenderingSmooth();
    void labelsDrawn();
    void activePaneMarker();
};

void TestCompareView::emptyView() {
    auto v = makeView({300, 200});
    QCOMPARE(v->paneCount(), 0);
    QVERIFY(v->paneRect(0).isNull());
    QCOMPARE(v->paneAt(QPoint(10, 10)), -1);
    QVERIFY(v->referenceSize().isEmpty());
    QCOMPARE(v->splitPaneA(), -1);
    QCOMPARE(v->splitPaneB(), -1);
    const QImage shot = grabView(*v); // empty-state text; must not crash
    QCOMPARE(shot.size(), QSize(300, 200));
    // Input on an empty view does nothing.
    sendWheel(v.get(), {50, 50}, 120);
    drag(v.get(), {10, 10}, {40, 40});
    QTest::keyClick(v.get(), Qt::Key_Plus);
    QCOMPARE(v->paneCount(), 0);
}

// The empty view's hint reads on the view's dark background (contrast of at least 4.5) whatever
// the palette's placeholder colour; one that reads already is used as it is.
void TestCompareView::emptyTextReadable_data() {
    QTest::addColumn<QColor>("placeholder");
    QTest::addColumn<bool>("kept");
    QTest::newRow("near black (as reported)") << QColor(0x17, 0x17, 0x17) << false;
    QTest::newRow("translucent black") << QColor(0, 0, 0, 128) << false;
    QTest::newRow("mid grey") << QColor(0x80, 0x80, 0x80) << false;
    QTest::newRow("light grey") << QColor(0xbd, 0xbd, 0xbd) << true;
    QTest::newRow("white") << QColor(Qt::white) << true;
}

void TestCompareView::emptyTextReadable() {
    QFETCH(QColor, placeholder);
    QFETCH(bool, kept);
    auto v = makeView({600, 200});
    QPalette palette = v->palette();
    palette.setColor(QPalette::PlaceholderText, placeholder);
    v->setPalette(palette);
    QFont font = v->font();
    font.setPixelSize(40); // glyph stems several pixels wide: some pixels are the pure colour
    font.setBold(true);
    v->setFont(font);

    const QColor background = CompareView::emptyBackgroundColor();
    const QColor text = v->emptyTextColor();
    QVERIFY2(contrastRatio(text, background) >= 4.5, qPrintable(text.name()));
    if (kept)
        QCOMPARE(text.name(), placeholder.name());

    const QImage shot = grabView(*v);
    QCOMPARE(rgbAt(shot, 2, 2), rgbOf(background));
    int textPixels = 0;
    double best = 1;
    for (int y = 0; y < shot.height(); ++y)
        for (int x = 0; x < shot.width(); ++x) {
            const QColor c = shot.pixelColor(x, y);
            if (c.rgb() == background.rgb())
                continue;
            ++textPixels;
            best = std::max(best, contrastRatio(c, background));
        }
    QVERIFY(textPixels > 200);
    QVERIFY2(best >= 4.5, qPrintable(QString::number(best)));
}

void TestCompareView::paneManagement() {
    auto v = makeView({400, 300});
    QCOMPARE(v->addPane(solidImage(50, 40, Qt::red), QStringLiteral("Input (bicubic)")), 0);
    QCOMPARE(v->addPane(QImage(), QStringLiteral("ResShift 4 steps - running")), 1);
    QCOMPARE(v->paneCount(), 2);
    QCOMPARE(v->referenceSize(), QSize(50, 40)); // placeholders do not count
    QCOMPARE(v->paneLabel(1), QStringLiteral("ResShift 4 steps - running"));

    v->setPaneImage(1, solidImage(200, 160, Qt::blue));
    v->setPaneLabel(1, QStringLiteral("ResShift 4 steps - 12.3 s - 1.2 GB"));
    QCOMPARE(v->referenceSize(), QSize(200, 160));
    QCOMPARE(v->paneLabel(1), QStringLiteral("ResShift 4 steps - 12.3 s - 1.2 GB"));
    QCOMPARE(v->paneImage(1).size(), QSize(200, 160));
    QVERIFY(v->isFitted());

    // Invalid indices are ignored.
    v->setPaneImage(5, solidImage(10, 10, Qt::green));
    v->setPaneLabel(-1, QStringLiteral("x"));
    QVERIFY(v->paneImage(7).isNull());
    QVERIFY(v->paneLabel(7).isEmpty());

    v->clearPanes();
    QCOMPARE(v->paneCount(), 0);
    QVERIFY(v->referenceSize().isEmpty());
    QCOMPARE(v->center(), QPointF());
}

void TestCompareView::sideBySideLayout() {
    auto v = makeView({605, 300});
    for (int i = 0; i < 3; ++i)
        v->addPane(patternImage(64, 48), QStringLiteral("pane %1").arg(i));
    QCOMPARE(v->mode(), CompareView::Mode::SideBySide);
    int lastRight = -1;
    for (int i = 0; i < 3; ++i) {
        const QRect r = v->paneRect(i);
        QCOMPARE(r.size(), v->paneRect(0).size());
        QVERIFY(v->rect().contains(r));
        QVERIFY(r.left() > lastRight);
        QVERIFY(r.width() >= 195);
        lastRight = r.right();
        QCOMPARE(v->paneAt(r.center()), i);
    }
}

void TestCompareView::syncAfterSetZoomAndCenter() {
    auto v = makeView({605, 300});
    for (int i = 0; i < 3; ++i)
        v->addPane(patternImage(64, 48), QString());
    v->setZoom(3.0);
    v->setCenter(QPointF(20.3, 17.9));
    QCOMPARE(v->zoom(), 3.0);
    QCOMPARE(v->center(), QPointF(20.3, 17.9));
    QVERIFY(!v->isFitted());
    VERIFY_SYNC(*v);
    for (int i = 0; i < 3; ++i) {
        const QRect r = v->paneRect(i);
        const QPointF mid(r.x() + r.width() / 2.0, r.y() + r.height() / 2.0);
        // The centre is shown in the middle (origin snapped to whole pixels: within half a pixel).
        QVERIFY(dist(v->imageToWidget(i, v->center()), mid) <= 0.5 * std::sqrt(2.0) + 1e-9);
        // widgetToImage inverts imageToWidget.
        const QPointF p(11.7, 40.2);
        QVERIFY(dist(v->widgetToImage(i, v->imageToWidget(i, p)), p) < 1e-9);
    }
    // Clamped: the centre stays on the reference, the zoom in range.
    v->setCenter(QPointF(-50, 1000));
    QCOMPARE(v->center(), QPointF(0, 48));
    v->setZoom(1e9);
    QCOMPARE(v->zoom(), CompareView::kMaxZoom);
}

void TestCompareView::viewChangedSignal() {
    auto v = makeView({400, 300});
    v->addPane(patternImage(64, 48), QString());
    QSignalSpy spy(v.get(), &CompareView::viewChanged);
    v->setZoom(2.0);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.last().at(0).toDouble(), 2.0);
    v->setZoom(2.0); // unchanged: no signal
    QCOMPARE(spy.count(), 1);
    v->setCenter(QPointF(5, 6));
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.last().at(1).toPointF(), QPointF(5, 6));
    sendWheel(v.get(), {100, 100}, 120);
    QCOMPARE(spy.count(), 3);
    QCOMPARE(spy.last().at(0).toDouble(), v->zoom());
    QCOMPARE(spy.last().at(1).toPointF(), v->center());
}

void TestCompareView::wheelZoomKeepsPointUnderCursor() {
    auto v = makeView({605, 300});
    for (int i = 0; i < 3; ++i)
        v->addPane(patternImage(200, 150), QString());
    v->setZoom(2.0);
    v->setCenter(QPointF(100, 75));

    const struct {
        QPoint cursor;
        int delta;
    } steps[] = {{{137, 91}, 120},   {{137, 91}, 120}, {{250, 200}, 360},  {{420, 60}, -120},
                 {{520, 250}, -240}, {{90, 150}, 240}, {{301, 130}, -480}, {{10, 10}, 120}};
    for (const auto& s : steps) {
        const int pane = v->paneAt(s.cursor);
        QVERIFY(pane >= 0);
        const QPointF before = v->widgetToImage(pane, QPointF(s.cursor));
        const double zoomBefore = v->zoom();
        sendWheel(v.get(), s.cursor, s.delta);
        QVERIFY(qFuzzyCompare(v->zoom(), zoomBefore * std::exp2(s.delta / 120.0 / 4.0)));
        // The image point under the cursor stays put (within the half pixel of origin snapping).
        const QPointF after = v->imageToWidget(pane, before);
        QVERIFY2(std::abs(after.x() - s.cursor.x()) <= 0.5 + 1e-9 &&
                     std::abs(after.y() - s.cursor.y()) <= 0.5 + 1e-9,
                 qPrintable(QStringLiteral("cursor (%1, %2) now at (%3, %4)")
                                .arg(s.cursor.x())
                                .arg(s.cursor.y())
                                .arg(after.x())
                                .arg(after.y())));
        VERIFY_SYNC(*v);
    }
    // Four notches in from 2 land exactly on 4.
    v->setZoom(2.0);
    for (int i = 0; i < 4; ++i)
        sendWheel(v.get(), {100, 100}, 120);
    QCOMPARE(v->zoom(), 4.0);
}

void TestCompareView::dragPans() {
    auto v = makeView({605, 300});
    for (int i = 0; i < 3; ++i)
        v->addPane(patternImage(200, 150), QString());
    v->setZoom(2.0);
    v->setCenter(QPointF(100, 80));
    const QPoint from(50, 60), to(80, 40);
    const QPointF grabbed = v->widgetToImage(0, QPointF(from));
    drag(v.get(), from, to);
    // 30 px right and 20 px up at zoom 2 moves the centre 15 left and 10 down.
    QCOMPARE(v->center(), QPointF(85, 90));
    QCOMPARE(v->zoom(), 2.0);
    QVERIFY(dist(v->imageToWidget(0, grabbed), QPointF(to)) <= 0.5 * std::sqrt(2.0) + 1e-9);
    VERIFY_SYNC(*v);

    // Dragging in another pane pans all of them the same way.
    drag(v.get(), {450, 100}, {430, 100});
    QCOMPARE(v->center(), QPointF(95, 90));
    VERIFY_SYNC(*v);

    // Other buttons do nothing.
    sendMouse(v.get(), QEvent::MouseButtonPress, {100, 100}, Qt::RightButton, Qt::RightButton);
    sendMouse(v.get(), QEvent::MouseMove, {150, 150}, Qt::NoButton, Qt::RightButton);
    sendMouse(v.get(), QEvent::MouseButtonRelease, {150, 150}, Qt::RightButton, Qt::NoButton);
    QCOMPARE(v->center(), QPointF(95, 90));
}

void TestCompareView::keyboard() {
    auto v = makeView({605, 300});
    v->addPane(patternImage(200, 150), QString());
    v->addPane(patternImage(200, 150), QString());
    QTest::keyClick(v.get(), Qt::Key_1);
    QCOMPARE(v->zoom(), 1.0);
    QTest::keyClick(v.get(), Qt::Key_2);
    QCOMPARE(v->zoom(), 2.0);
    QTest::keyClick(v.get(), Qt::Key_Plus);
    QCOMPARE(v->zoom(), 4.0);
    QTest::keyClick(v.get(), Qt::Key_Equal, Qt::ControlModifier);
    QCOMPARE(v->zoom(), 8.0);
    QTest::keyClick(v.get(), Qt::Key_Minus, Qt::ControlModifier);
    QCOMPARE(v->zoom(), 4.0);
    QTest::keyClick(v.get(), Qt::Key_Minus);
    QCOMPARE(v->zoom(), 2.0);

    v->setCenter(QPointF(100, 75));
    const double step = 0.1 * v->paneRect(0).width() / v->zoom();
    QTest::keyClick(v.get(), Qt::Key_Right);
    QCOMPARE(v->center(), QPointF(100 + step, 75));
    QTest::keyClick(v.get(), Qt::Key_Left);
    QCOMPARE(v->center(), QPointF(100, 75));
    QTest::keyClick(v.get(), Qt::Key_Down);
    QVERIFY(v->center().y() > 75);
    QTest::keyClick(v.get(), Qt::Key_Up);
    QVERIFY(qFuzzyCompare(v->center().y(), 75.0));

    QTest::keyClick(v.get(), Qt::Key_0);
    QVERIFY(v->isFitted());
    QCOMPARE(v->center(), QPointF(100, 75));

    // Zoom in from a non-power of two goes to the next power of two.
    v->setZoom(0.3);
    v->zoomIn();
    QCOMPARE(v->zoom(), 0.5);
    v->setZoom(0.3);
    v->zoomOut();
    QCOMPARE(v->zoom(), 0.25);
    v->zoomToActualSize();
    QCOMPARE(v->zoom(), 1.0);
}

void TestCompareView::pixelExact_data() {
    QTest::addColumn<double>("zoom");
    QTest::addColumn<QPointF>("center");
    QTest::newRow("1:1") << 1.0 << QPointF(32, 24);
    QTest::newRow("1:1 fractional centre") << 1.0 << QPointF(20.3, 17.8);
    QTest::newRow("2:1") << 2.0 << QPointF(32, 24);
    QTest::newRow("2:1 fractional centre") << 2.0 << QPointF(41.37, 9.61);
    QTest::newRow("3:1") << 3.0 << QPointF(30.5, 20.25);
    QTest::newRow("8:1") << 8.0 << QPointF(12.9, 30.1);
}

void TestCompareView::pixelExact() {
    QFETCH(double, zoom);
    QFETCH(QPointF, center);
    const QImage pattern = patternImage(64, 48);
    auto v = makeView({405, 200});
    v->addPane(pattern, QString());
    v->addPane(pattern, QString());
    v->setZoom(zoom);
    v->setCenter(center);

    // Reference pixel edges fall on whole widget pixels.
    for (int pane = 0; pane < 2; ++pane) {
        const QPointF o = v->imageToWidget(pane, QPointF(3, 5));
        QCOMPARE(o.x(), std::round(o.x()));
        QCOMPARE(o.y(), std::round(o.y()));
    }

    const QImage shot = grabView(*v);
    for (int pane = 0; pane < 2; ++pane) {
        QString why;
        const int n = checkPixels(
            *v, shot, pane, v->rect(),
            [&](QPoint ip, QRgb* want) {
                if (!pattern.rect().contains(ip))
                    return false;
                *want = pattern.pixel(ip) & 0xffffff;
                return true;
            },
            &why);
        QVERIFY2(n > 0, qPrintable(why));
        if (zoom == 1.0)
            QCOMPARE(n, 64 * 48); // the whole image is in view, each pixel exactly once
    }
}

void TestCompareView::fitToWindow() {
    auto v = makeView({605, 300});
    v->addPane(patternImage(1000, 500), QString());
    v->addPane(patternImage(1000, 500), QString());
    v->setZoom(3.0);
    v->setCenter(QPointF(10, 10));
    v->fitToWindow();
    QVERIFY(v->isFitted());
    QCOMPARE(v->center(), QPointF(500, 250));
    const QRect r = v->paneRect(0);
    QCOMPARE(v->zoom(), double(r.width()) / 1000.0); // width-limited
    for (int pane = 0; pane < 2; ++pane) {
        const QRect pr = v->paneRect(pane);
        const QPointF tl = v->imageToWidget(pane, {0, 0});
        const QPointF br = v->imageToWidget(pane, {1000, 500});
        QVERIFY(tl.x() >= pr.left() - 0.5 && tl.y() >= pr.top() - 0.5);
        QVERIFY(br.x() <= pr.left() + pr.width() + 0.5 && br.y() <= pr.top() + pr.height() + 0.5);
        // Centred.
        const QPointF mid = (tl + br) / 2;
        QVERIFY(dist(mid, QPointF(pr.x() + pr.width() / 2.0, pr.y() + pr.height() / 2.0)) <= 0.75);
    }
    VERIFY_SYNC(*v);

    // A fitted view refits on resize; zooming ends that.
    v->resize(805, 300);
    QVERIFY(v->isFitted());
    QCOMPARE(v->zoom(), double(v->paneRect(0).width()) / 1000.0);
    v->setZoom(0.5);
    v->resize(605, 300);
    QVERIFY(!v->isFitted());
    QCOMPARE(v->zoom(), 0.5);
}

void TestCompareView::fitSmallImageIntegerZoom() {
    // Fitting a small image magnifies by a whole factor, so that every pixel is the same size.
    auto v = makeView({400, 300});
    v->addPane(patternImage(50, 40), QString());
    v->fitToWindow();
    QCOMPARE(v->zoom(), 7.0); // min(400 / 50, 300 / 40) = 7.5
    const QPointF tl = v->imageToWidget(0, {0, 0});
    QCOMPARE(tl, QPointF(25, 10)); // (400 - 350) / 2, (300 - 280) / 2
}

void TestCompareView::differentSizesAligned_data() {
    QTest::addColumn<double>("zoom");
    QTest::addColumn<bool>("smallFirst");
    QTest::newRow("1:1, small first") << 1.0 << true;
    QTest::newRow("1:1, large first") << 1.0 << false;
    QTest::newRow("2:1") << 2.0 << true;
    QTest::newRow("3:1") << 3.0 << false;
    QTest::newRow("1.5:1") << 1.5 << true;
    QTest::newRow("5.25:1") << 5.25 << false;
}

void TestCompareView::differentSizesAligned() {
    QFETCH(double, zoom);
    QFETCH(bool, smallFirst);
    // An exact nearest x4 upscale of the small image: aligned panes must look identical.
    const QImage small = patternImage(50, 40);
    const QImage large = replicate(small, 4);
    auto v = makeView({605, 300});
    v->addPane(smallFirst ? small : large, QString());
    v->addPane(smallFirst ? large : small, QString());
    QCOMPARE(v->referenceSize(), QSize(200, 160));
    v->setZoom(zoom);
    v->setCenter(QPointF(90.6, 70.2));
    VERIFY_SYNC(*v);

    const QImage shot = grabView(*v);
    const QRect r0 = v->paneRect(0), r1 = v->paneRect(1);
    const QPoint offset = r1.topLeft() - r0.topLeft();
    int compared = 0;
    for (int y = r0.top(); y <= r0.bottom(); ++y)
        for (int x = r0.left(); x <= r0.right(); ++x) {
            const QRgb a = rgbAt(shot, x, y), b = rgbAt(shot, x + offset.x(), y + offset.y());
            if (a != b)
                QFAIL(qPrintable(QStringLiteral("pane pixel (%1, %2): %3 vs %4")
                                     .arg(x - r0.left())
                                     .arg(y - r0.top())
                                     .arg(a, 6, 16, QLatin1Char('0'))
                                     .arg(b, 6, 16, QLatin1Char('0'))));
            ++compared;
        }
    QVERIFY(compared > 0);

    // And both show the small image's pixel under each reference point / 4.
    const int smallPane = smallFirst ? 0 : 1;
    QString why;
    const int n = checkPixels(
        *v, shot, smallPane, v->rect(),
        [&](QPoint ip, QRgb* want) {
            if (!QRect(0, 0, 200, 160).contains(ip))
                return false;
            *want = small.pixel(ip.x() / 4, ip.y() / 4) & 0xffffff;
            return true;
        },
        &why);
    QVERIFY2(n > 0, qPrintable(why));
}

void TestCompareView::referenceChangeKeepsRegion() {
    auto v = makeView({605, 300});
    v->addPane(patternImage(50, 40), QString());
    v->setZoom(4.0);
    v->setCenter(QPointF(25, 20));
    const QPointF before = v->imageToWidget(0, QPointF(10, 10));
    // A x4 result arrives: it becomes the reference; the region on screen stays the same.
    v->addPane(patternImage(200, 160), QString());
    QCOMPARE(v->referenceSize(), QSize(200, 160));
    QCOMPARE(v->zoom(), 1.0);
    QCOMPARE(v->center(), QPointF(100, 80));
    const QPointF after = v->imageToWidget(0, QPointF(40, 40));
    // Same scene point; the viewport itself got narrower (two panes now), so compare relative to
    // the viewport centre.
    const QRect r = v->paneRect(0);
    const QPointF rel = after - QPointF(r.x() + r.width() / 2.0, r.y() + r.height() / 2.0);
    const QPointF relBefore = before - QPointF(605 / 2.0, 300 / 2.0);
    QVERIFY(dist(rel, relBefore) <= 1.0);
}

void TestCompareView::splitPosition() {
    auto v = makeView({400, 300});
    v->addPane(solidImage(100, 80, Qt::red), QStringLiteral("A"));
    v->addPane(solidImage(100, 80, Qt::blue), QStringLiteral("B"));
    v->setMode(CompareView::Mode::Split);
    QCOMPARE(v->paneRect(0), v->rect());
    QCOMPARE(v->paneRect(1), v->rect());
    v->setZoom(8.0); // the images cover the whole viewport
    v->setCenter(QPointF(50, 40));
    QSignalSpy spy(v.get(), &CompareView::splitPositionChanged);
    v->setSplitPosition(0.3);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(v->splitPosition(), 0.3);
    QCOMPARE(v->splitLineX(), 120);
    QCOMPARE(v->paneAt({60, 100}), 0);
    QCOMPARE(v->paneAt({300, 100}), 1);

    QImage shot = grabView(*v);
    for (int y : {5, 80, 290})
        for (int x = 0; x < 400; ++x) {
            if (x >= 117 && x <= 122)
                continue; // the line itself
            QCOMPARE(rgbAt(shot, x, y), x < 120 ? rgbOf(Qt::red) : rgbOf(Qt::blue));
        }

    // Both panes keep one transform: the line does not move the images.
    QCOMPARE(v->imageToWidget(0, {10, 10}), v->imageToWidget(1, {10, 10}));

    // Choose the panes: B left, A right.
    v->setSplitPanes(1, 0);
    shot = grabView(*v);
    QCOMPARE(rgbAt(shot, 50, 80), rgbOf(Qt::blue));
    QCOMPARE(rgbAt(shot, 300, 80), rgbOf(Qt::red));

    // Clamped.
    v->setSplitPosition(1.5);
    QCOMPARE(v->splitPosition(), 1.0);
    v->setSplitPosition(-1);
    QCOMPARE(v->splitPosition(), 0.0);
}

void TestCompareView::splitDragHandle() {
    auto v = makeView({400, 300});
    v->addPane(solidImage(100, 80, Qt::red), QString());
    v->addPane(solidImage(100, 80, Qt::green), QString());
    v->addPane(solidImage(100, 80, Qt::blue), QString());
    v->setMode(CompareView::Mode::Split);
    v->setSplitPanes(0, 2);
    v->setZoom(8.0);
    v->setCenter(QPointF(50, 40));
    v->setSplitPosition(0.3);

    // Dragging the line moves it and does not pan.
    drag(v.get(), {121, 200}, {200, 210});
    QCOMPARE(v->splitPosition(), 0.5); // follows the mouse x: 200 / 400
    QCOMPARE(v->splitLineX(), 200);
    QCOMPARE(v->center(), QPointF(50, 40));
    QCOMPARE(v->zoom(), 8.0);
    const QImage shot = grabView(*v);
    QCOMPARE(rgbAt(shot, 190, 80), rgbOf(Qt::red));
    QCOMPARE(rgbAt(shot, 210, 80), rgbOf(Qt::blue));

    // Elsewhere a drag pans and leaves the line alone.
    drag(v.get(), {300, 100}, {284, 100});
    QCOMPARE(v->splitPosition(), 0.5);
    QCOMPARE(v->center(), QPointF(52, 40));
}

void TestCompareView::flipSideBySide() {
    auto v = makeView({405, 200});
    v->addPane(solidImage(50, 40, Qt::red), QStringLiteral("red"));
    v->addPane(solidImage(50, 40, Qt::blue), QStringLiteral("blue"));
    v->setZoom(8.0);
    v->setCenter(QPointF(25, 20));
    const QRect slot0 = v->paneRect(0), slot1 = v->paneRect(1);
    QImage shot = grabView(*v);
    QCOMPARE(rgbAt(shot, slot0.center().x(), slot0.center().y()), rgbOf(Qt::red));
    QCOMPARE(rgbAt(shot, slot1.center().x(), slot1.center().y()), rgbOf(Qt::blue));

    QSignalSpy spy(v.get(), &CompareView::flippedChanged);
    v->flip();
    QVERIFY(v->isFlipped());
    QCOMPARE(spy.count(), 1);
    QCOMPARE(v->paneRect(0), slot1);
    QCOMPARE(v->paneRect(1), slot0);
    QCOMPARE(v->paneAt(slot0.center()), 1);
    shot = grabView(*v);
    QCOMPARE(rgbAt(shot, slot0.center().x(), slot0.center().y()), rgbOf(Qt::blue));
    QCOMPARE(rgbAt(shot, slot1.center().x(), slot1.center().y()), rgbOf(Qt::red));

    QTest::keyClick(v.get(), Qt::Key_Space);
    QVERIFY(!v->isFlipped());
    shot = grabView(*v);
    QCOMPARE(rgbAt(shot, slot0.center().x(), slot0.center().y()), rgbOf(Qt::red));
    QTest::keyClick(v.get(), Qt::Key_B);
    QVERIFY(v->isFlipped());
    QCOMPARE(spy.count(), 3);
    // The view itself is untouched by flipping.
    QCOMPARE(v->zoom(), 8.0);
    QCOMPARE(v->center(), QPointF(25, 20));
}

void TestCompareView::flipSplit() {
    auto v = makeView({400, 300});
    v->addPane(solidImage(100, 80, Qt::red), QString());
    v->addPane(solidImage(100, 80, Qt::blue), QString());
    v->setMode(CompareView::Mode::Split);
    v->setZoom(8.0);
    v->setCenter(QPointF(50, 40));
    QImage shot = grabView(*v);
    QCOMPARE(rgbAt(shot, 50, 80), rgbOf(Qt::red));
    QCOMPARE(rgbAt(shot, 350, 80), rgbOf(Qt::blue));
    QTest::keyClick(v.get(), Qt::Key_Space);
    shot = grabView(*v);
    QCOMPARE(rgbAt(shot, 50, 80), rgbOf(Qt::blue));
    QCOMPARE(rgbAt(shot, 350, 80), rgbOf(Qt::red));
    QCOMPARE(v->paneAt({50, 80}), 1);
}

void TestCompareView::reducedRenderingSmooth() {
    // A large image reduced on screen: drawn from the mip levels; uniform areas stay exact, and a
    // fine checkerboard averages to grey instead of aliasing.
    const int n = 4096;
    QImage img(n, n, QImage::Format_RGB32);
    for (int y = 0; y < n; ++y) {
        auto* line = reinterpret_cast<QRgb*>(img.scanLine(y));
        for (int x = 0; x < n; ++x)
            line[x] = x < n / 2 ? qRgb(200, 30, 30) : (x + y) % 2 ? 0xffffffffu : 0xff000000u;
    }
    auto v = makeView({400, 300});
    v->addPane(img, QString());
    QElapsedTimer timer;
    timer.start();
    v->fitToWindow();
    QVERIFY(v->zoom() < 0.1);
    QImage shot = grabView(*v);
    qInfo("fit of %dx%d (zoom %.4f): first paint %lld ms", n, n, v->zoom(), timer.restart());
    shot = grabView(*v);
    qInfo("repaint %lld ms", timer.restart());

    const QPointF red = v->imageToWidget(0, {n / 4.0, n / 2.0});
    const QPointF checker = v->imageToWidget(0, {3 * n / 4.0, n / 2.0});
    QCOMPARE(rgbAt(shot, int(red.x()), int(red.y())), qRgb(200, 30, 30) & 0xffffffu);
    const QRgb grey = rgbAt(shot, int(checker.x()), int(checker.y()));
    QVERIFY2(std::abs(qRed(grey) - 128) <= 8 && std::abs(qGreen(grey) - 128) <= 8,
             qPrintable(QString::number(grey, 16)));

    // Magnified parts of the same image stay fast (only the visible source rect is drawn).
    v->setZoom(4.0);
    v->setCenter(QPointF(n / 2.0 + 0.5, 1000));
    timer.restart();
    shot = grabView(*v);
    qInfo("zoom 4 paint %lld ms", timer.elapsed());
    const QPointF px = v->imageToWidget(0, {n / 2.0 + 10, 1000});
    QCOMPARE(rgbAt(shot, int(px.x()) + 1, int(px.y()) + 1),
             img.pixel(n / 2 + 10, 1000) & 0xffffffu);
}

void TestCompareView::labelsDrawn() {
    auto v = makeView({405, 200});
    v->addPane(solidImage(50, 40, Qt::red), QStringLiteral("Input (bicubic)"));
    v->addPane(solidImage(50, 40, Qt::red), QString());
    v->setZoom(8.0);
    v->setCenter(QPointF(25, 20));
    v->setLabelsVisible(true);
    const QImage shot = grabView(*v);
    // Pane 0 has a label box in its top-left corner, pane 1 (no label) none.
    const QRect r0 = v->paneRect(0), r1 = v->paneRect(1);
    auto nonRed = [&](QRect area) {
        int count = 0;
        for (int y = area.top(); y <= area.bottom(); ++y)
            for (int x = area.left(); x <= area.right(); ++x)
                count += rgbAt(shot, x, y) != rgbOf(Qt::red);
        return count;
    };
    QVERIFY(nonRed(QRect(r0.topLeft() + QPoint(10, 10), QSize(40, 10))) > 100);
    QCOMPARE(nonRed(QRect(r1.topLeft() + QPoint(10, 10), QSize(40, 10))), 0);
}

void TestCompareView::activePaneMarker() {
    auto v = makeView({405, 200});
    for (int i = 0; i < 3; ++i)
        v->addPane(solidImage(50, 40, Qt::red), QStringLiteral("pane"));
    v->setLabelsVisible(false);
    v->setZoom(8.0); // the image covers every viewport
    v->setCenter(QPointF(25, 20));
    const QRgb accent = rgbOf(v->palette().color(QPalette::Active, QPalette::Highlight));
    QVERIFY(accent != rgbOf(Qt::red));
    // A 3 px frame inside the pane's viewport, in the middle of each of its four sides.
    auto framed = [&](const QImage& shot, int pane) {
        const QRect r = v->paneRect(pane);
        const QPoint c = r.center();
        for (int d = 0; d < 3; ++d)
            if (rgbAt(shot, c.x(), r.top() + d) != accent ||
                rgbAt(shot, c.x(), r.bottom() - d) != accent ||
                rgbAt(shot, r.left() + d, c.y()) != accent ||
                rgbAt(shot, r.right() - d, c.y()) != accent)
                return false;
        return rgbAt(shot, c.x(), r.top() + 3) == rgbOf(Qt::red);
    };
    auto accentPixels = [&](const QImage& shot, QRect area) {
        int count = 0;
        area &= shot.rect();
        for (int y = area.top(); y <= area.bottom(); ++y)
            for (int x = area.left(); x <= area.right(); ++x)
                count += rgbAt(shot, x, y) == accent;
        return count;
    };

    QCOMPARE(v->activePane(), -1);
    QCOMPARE(accentPixels(grabView(*v), v->rect()), 0);
    QSignalSpy spy(v.get(), &CompareView::activePaneChanged);
    v->setActivePane(1);
    QCOMPARE(v->activePane(), 1);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.last().first().toInt(), 1);
    QImage shot = grabView(*v);
    QVERIFY(framed(shot, 1));
    QCOMPARE(accentPixels(shot, v->paneRect(0)), 0);
    QCOMPARE(accentPixels(shot, v->paneRect(2)), 0);
    v->setActivePane(1);
    QCOMPARE(spy.count(), 1); // no change, no signal

    // The frame follows its pane when a flip moves it to another viewport.
    v->setSplitPanes(1, 2);
    v->flip();
    shot = grabView(*v);
    QVERIFY(framed(shot, 1));
    QCOMPARE(accentPixels(shot, v->paneRect(2)), 0);
    v->setFlipped(false);

    // Split: a bar along the top of the active pane's half, and its label outlined.
    v->setMode(CompareView::Mode::Split);
    v->setLabelsVisible(true);
    const QRect vp = v->paneRect(1);
    const int x = v->splitLineX();
    shot = grabView(*v);
    QCOMPARE(rgbAt(shot, vp.left() + 20, vp.top() + 1), accent);
    QCOMPARE(rgbAt(shot, x + 20, vp.top() + 1), rgbOf(Qt::red));
    const QRect leftLabels(vp.left(), vp.top() + 5, x - vp.left() - 2, 40);
    const QRect rightLabels(x + 2, vp.top() + 5, vp.right() - x - 2, 40);
    QVERIFY(accentPixels(shot, leftLabels) > 10);
    QCOMPARE(accentPixels(shot, rightLabels), 0);
    v->setActivePane(2);
    shot = grabView(*v);
    QCOMPARE(rgbAt(shot, vp.left() + 20, vp.top() + 1), rgbOf(Qt::red));
    QCOMPARE(rgbAt(shot, x + 20, vp.top() + 1), accent);
    QCOMPARE(accentPixels(shot, leftLabels), 0);
    QVERIFY(accentPixels(shot, rightLabels) > 10);
    v->setActivePane(0); // not one of the two split panes: not drawn
    QCOMPARE(accentPixels(grabView(*v), v->rect()), 0);

    v->setActivePane(7);
    QCOMPARE(v->activePane(), -1);
    v->setActivePane(2);
    v->clearPanes();
    QCOMPARE(v->activePane(), -1);
    QCOMPARE(spy.last().first().toInt(), -1);
}

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    // The pixel checks assume one device pixel per logical pixel.
    qputenv("QT_SCALE_FACTOR", "1");
    QApplication app(argc, argv);
    TestCompareView test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_compareview.moc"
