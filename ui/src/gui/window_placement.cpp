// centerOverWindow: the placement of tool windows that are not dialogs (QDialog centres itself).
#include "window_placement.h"

#include <QRect>
#include <QScreen>
#include <QWidget>

#include <algorithm>

namespace shiftsr::gui {

void centerOverWindow(QWidget* window, const QWidget* anchor) {
    if (!window || !anchor)
        return;
    const QWidget* over = anchor->window();
    QRect r(QPoint(0, 0), window->frameGeometry().size());
    r.moveCenter(over->frameGeometry().center());
    if (const QScreen* screen = over->screen()) {
        const QRect available = screen->availableGeometry();
        r.moveRight(std::min(r.right(), available.right()));
        r.moveBottom(std::min(r.bottom(), available.bottom()));
        r.moveLeft(std::max(r.left(), available.left()));
        r.moveTop(std::max(r.top(), available.top()));
    }
    window->move(r.topLeft()); // a window's position is that of its frame
}

} // namespace shiftsr::gui
