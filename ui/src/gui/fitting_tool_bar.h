// FittingToolBar: a toolbar whose buttons show their text beside the icon while everything fits in
// one row, and only the icon (the tooltip keeps the name) when the text would push buttons into
// the overflow menu.
#pragma once

#include <QToolBar>

namespace shiftsr::gui {

class FittingToolBar : public QToolBar {
    Q_OBJECT
public:
    explicit FittingToolBar(const QString& title, QWidget* parent = nullptr);

    // The width every item needs in one row with text beside the icons.
    int widthWithText() const;

protected:
    bool event(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void fitButtonStyle();
    int textExtent() const; // how much wider the tool buttons are with their text than without

    bool fitting_ = false;
};

} // namespace shiftsr::gui
