// Icons of the main window's toolbar actions, drawn in code so that the toolbar can show icons
// only (and stay usable in a narrow window) also where the system has no icon theme.
#pragma once

#include <QIcon>

class QColor;

namespace shiftsr::gui {

enum class ToolIcon {
    Open,
    Save,
    Upscale,
    Compare,
    PreviewRegion,
    Cancel,
    Fit,
    ActualSize,
    Split,
    Flip
};

// The icon theme's icon where the theme has one for `which`, else a drawing in `ink` (the
// palette's button text colour suits a toolbar) at the usual toolbar sizes. Never null.
QIcon toolIcon(ToolIcon which, const QColor& ink);

// The drawing alone, without asking the icon theme.
QIcon paintedToolIcon(ToolIcon which, const QColor& ink);

} // namespace shiftsr::gui
