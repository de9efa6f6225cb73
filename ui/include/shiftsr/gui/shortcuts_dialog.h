// ShortcutsDialog: Help > Keyboard Shortcuts: the shortcuts of a main window's menus, read from
// its actions each time the dialog is shown, and the viewer's own keys and mouse gestures.
#pragma once

#include <QDialog>
#include <QList>
#include <QString>
#include <QStringList>

class QMainWindow;
class QTreeWidget;

namespace shiftsr::gui {

// Non-modal; Esc or Close hides it. The lists follow the actions: a shortcut changed at run time
// is listed the next time the dialog opens (or after rebuild()).
class ShortcutsDialog : public QDialog {
    Q_OBJECT
public:
    struct Entry {
        QString group;    // the menu's title ("View", "File › Open Recent") or a fixed section
        QString action;   // the action's text without '&' and '…'
        QStringList keys; // every shortcut, in the platform's notation; or a gesture
    };

    // `window` gives the menus (its menu bar) and the actions; it is also the dialog's parent.
    explicit ShortcutsDialog(QMainWindow* window);

    QList<Entry> entries() const; // what the dialog shows, in order

    // A menu or action text as the list shows it: no mnemonic marks, no ellipsis.
    static QString plainText(const QString& text);

public Q_SLOTS:
    void rebuild(); // reads the menus and actions again

protected:
    void showEvent(QShowEvent* event) override;

private:
    QMainWindow* window_;
    QTreeWidget* tree_ = nullptr;
};

} // namespace shiftsr::gui
