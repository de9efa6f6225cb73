// FittingToolBar: chooses the buttons' style from the width the toolbar is given.
#include "fitting_tool_bar.h"

#include <QAction>
#include <QEvent>
#include <QFontMetrics>
#include <QLayout>
#include <QResizeEvent>
#include <QToolButton>

namespace shiftsr::gui {

namespace {

// Text comes back only with this much room to spare, so that a rounding difference between the
// estimate (icons shown) and the measurement (text shown) cannot make the style flip back and
// forth.
constexpr int kSpareForText = 16;

} // namespace

FittingToolBar::FittingToolBar(const QString& title, QWidget* parent) : QToolBar(title, parent) {
    setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
}

// What QToolButton::sizeHint adds for the text beside the icon: a 4 px gap and the text with a
// space on either side.
int FittingToolBar::textExtent() const {
    int extent = 0;
    for (QAction* a : actions()) {
        if (!a->isVisible() || a->isSeparator() || a->icon().isNull())
            continue;
        const auto* button = qobject_cast<const QToolButton*>(widgetForAction(a));
        if (!button || button->text().isEmpty())
            continue;
        const QFontMetrics fm = button->fontMetrics();
        extent += 4 + fm.size(Qt::TextShowMnemonic, button->text()).width() +
                  2 * fm.horizontalAdvance(QLatin1Char(' '));
    }
    return extent;
}

int FittingToolBar::widthWithText() const {
    // The layout's size hint is the whole row, also the part that overflows.
    const int now = layout()->sizeHint().width();
    return toolButtonStyle() == Qt::ToolButtonIconOnly ? now + textExtent() : now;
}

void FittingToolBar::fitButtonStyle() {
    if (fitting_ || orientation() != Qt::Horizontal || isFloating())
        return;
    const bool iconsOnly = toolButtonStyle() == Qt::ToolButtonIconOnly;
    const bool fits = widthWithText() + (iconsOnly ? kSpareForText : 0) <= width();
    fitting_ = true; // changing the style lays the toolbar out again
    setToolButtonStyle(fits ? Qt::ToolButtonTextBesideIcon : Qt::ToolButtonIconOnly);
    fitting_ = false;
}

bool FittingToolBar::event(QEvent* event) {
    const bool handled = QToolBar::event(event);
    if (event->type() == QEvent::LayoutRequest) // an item's size changed (a longer model name)
        fitButtonStyle();
    return handled;
}

void FittingToolBar::resizeEvent(QResizeEvent* event) {
    QToolBar::resizeEvent(event);
    fitButtonStyle();
}

} // namespace shiftsr::gui
