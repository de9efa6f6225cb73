// Toolbar icons: simple line drawings on a 24-unit grid, scaled to each pixmap size.
#include "tool_icons.h"

#include <QColor>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>
#include <QPolygonF>

namespace shiftsr::gui {

namespace {

constexpr double kGrid = 24.0; // the drawings' coordinate range
constexpr int kSizes[] = {16, 22, 24, 32, 48, 64};

const char* themeName(ToolIcon which) {
    switch (which) {
    case ToolIcon::Open:
        return "document-open";
    case ToolIcon::Save:
        return "document-save";
    case ToolIcon::Upscale:
        return "media-playback-start";
    case ToolIcon::Cancel:
        return "process-stop";
    case ToolIcon::Fit:
        return "zoom-fit-best";
    case ToolIcon::ActualSize:
        return "zoom-original";
    case ToolIcon::Compare:
    case ToolIcon::PreviewRegion:
    case ToolIcon::Split:
    case ToolIcon::Flip:
        break; // no freedesktop name: always the drawing, not a theme's unrelated guess
    }
    return nullptr;
}

void arrowHead(QPainter& p, QPointF tip, QPointF from, double length) {
    const QLineF back(tip, from);
    QLineF a = back, b = back;
    a.setLength(length);
    b.setLength(length);
    a.setAngle(back.angle() + 40);
    b.setAngle(back.angle() - 40);
    p.drawPolyline(QPolygonF{a.p2(), tip, b.p2()});
}

void draw(QPainter& p, ToolIcon which, const QColor& ink) {
    QColor fill = ink;
    fill.setAlphaF(ink.alphaF() * 0.35);
    switch (which) {
    case ToolIcon::Open: { // a folder
        QPainterPath folder;
        folder.moveTo(3, 19);
        folder.lineTo(3, 5);
        folder.lineTo(9, 5);
        folder.lineTo(11, 7.5);
        folder.lineTo(19, 7.5);
        folder.lineTo(19, 10);
        p.drawPath(folder);
        p.setBrush(fill);
        p.drawPolygon(QPolygonF{{3, 19}, {6.5, 10}, {22, 10}, {18.5, 19}});
        break;
    }
    case ToolIcon::Save: // an arrow into a tray
        p.drawLine(QPointF(12, 3), QPointF(12, 14.5));
        arrowHead(p, {12, 14.5}, {12, 3}, 6);
        p.drawPolyline(QPolygonF{{4, 14}, {4, 20}, {20, 20}, {20, 14}});
        break;
    case ToolIcon::Upscale: // a small image grows into a large one
        p.drawRect(QRectF(3, 3, 18, 18));
        p.setBrush(ink);
        p.drawRect(QRectF(3, 14, 7, 7));
        p.setBrush(Qt::NoBrush);
        p.drawLine(QPointF(12, 12), QPointF(18, 6));
        arrowHead(p, {18, 6}, {12, 12}, 5);
        break;
    case ToolIcon::Compare: // two panes side by side
        p.setBrush(fill);
        p.drawRect(QRectF(2, 5, 8.5, 14));
        p.setBrush(Qt::NoBrush);
        p.drawRect(QRectF(13.5, 5, 8.5, 14));
        break;
    case ToolIcon::PreviewRegion: { // a selected region under a magnifier
        QPen dashed = p.pen();
        dashed.setStyle(Qt::DashLine);
        dashed.setDashPattern({1.5, 1.5});
        p.save();
        p.setPen(dashed);
        p.drawRect(QRectF(3, 3, 12, 12));
        p.restore();
        p.setBrush(fill);
        p.drawEllipse(QPointF(14.5, 14.5), 4.5, 4.5);
        p.setBrush(Qt::NoBrush);
        p.drawLine(QPointF(17.8, 17.8), QPointF(21.5, 21.5));
        break;
    }
    case ToolIcon::Cancel: // a cross in a circle
        p.drawEllipse(QPointF(12, 12), 9, 9);
        p.drawLine(QPointF(8.5, 8.5), QPointF(15.5, 15.5));
        p.drawLine(QPointF(15.5, 8.5), QPointF(8.5, 15.5));
        break;
    case ToolIcon::Fit: // four corners around the picture
        p.drawPolyline(QPolygonF{{3, 8}, {3, 3}, {8, 3}});
        p.drawPolyline(QPolygonF{{16, 3}, {21, 3}, {21, 8}});
        p.drawPolyline(QPolygonF{{21, 16}, {21, 21}, {16, 21}});
        p.drawPolyline(QPolygonF{{8, 21}, {3, 21}, {3, 16}});
        p.setBrush(fill);
        p.drawRect(QRectF(7.5, 7.5, 9, 9));
        break;
    case ToolIcon::ActualSize: { // "1:1"
        QFont font = p.font();
        font.setPixelSize(13);
        font.setBold(true);
        p.setFont(font);
        p.drawText(QRectF(0, 0, kGrid, kGrid), Qt::AlignCenter, QStringLiteral("1:1"));
        break;
    }
    case ToolIcon::Split: // one picture, halved by a line
        p.setBrush(fill);
        p.drawRect(QRectF(3, 5, 9, 14));
        p.setBrush(Qt::NoBrush);
        p.drawRect(QRectF(3, 5, 18, 14));
        p.drawLine(QPointF(12, 2), QPointF(12, 22));
        break;
    case ToolIcon::Flip: // two arrows in opposite directions
        p.drawLine(QPointF(3, 8), QPointF(20, 8));
        arrowHead(p, {20, 8}, {3, 8}, 5);
        p.drawLine(QPointF(21, 16), QPointF(4, 16));
        arrowHead(p, {4, 16}, {21, 16}, 5);
        break;
    }
}

} // namespace

QIcon paintedToolIcon(ToolIcon which, const QColor& ink) {
    QIcon icon;
    for (int size : kSizes) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        p.scale(size / kGrid, size / kGrid);
        QPen pen(ink, size <= 16 ? 2.2 : 1.8); // thin lines vanish at 16 px
        pen.setCapStyle(Qt::RoundCap);
        pen.setJoinStyle(Qt::RoundJoin);
        p.setPen(pen);
        draw(p, which, ink);
        p.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

QIcon toolIcon(ToolIcon which, const QColor& ink) {
    const QIcon painted = paintedToolIcon(which, ink);
    const char* name = themeName(which);
    return name ? QIcon::fromTheme(QLatin1String(name), painted) : painted;
}

} // namespace shiftsr::gui
