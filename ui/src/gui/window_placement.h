// Where the app's tool windows open: centred over the window they belong to, on its screen.
#pragma once

class QWidget;

namespace shiftsr::gui {

// Moves the top-level `window` so that its centre lies on the centre of `anchor`'s window, then
// shifts it (the top-left corner wins) into the available geometry of the screen `anchor` is on,
// so that a window opened from one near the screen's edge does not run off it.
void centerOverWindow(QWidget* window, const QWidget* anchor);

} // namespace shiftsr::gui
