// ShortcutsDialog: a tree of groups (menus, then the viewer and the region selection) with each
// action's shortcuts, generated from the window's actions.
#include "shiftsr/gui/shortcuts_dialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QKeySequence>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QScreen>
#include <QSet>
#include <QShowEvent>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <functional>
#include <utility>

namespace shiftsr::gui {

namespace {

constexpr int kWidth = 560;
constexpr int kHeight = 680;            // the menus and the viewer's keys without scrolling
constexpr int kKeysRole = Qt::UserRole; // a row's keys as a list (a key may be ",")

QStringList keyTexts(const QList<QKeySequence>& keys) {
    QStringList out;
    for (const QKeySequence& k : keys)
        if (!k.isEmpty())
            out << k.toString(QKeySequence::NativeText);
    return out;
}

QString keyText(Qt::Key key) {
    return QKeySequence(key).toString(QKeySequence::NativeText);
}

} // namespace

ShortcutsDialog::ShortcutsDialog(QMainWindow* window) : QDialog(window), window_(window) {
    setWindowTitle(tr("Keyboard Shortcuts"));
    setModal(false);
    tree_ = new QTreeWidget(this);
    tree_->setObjectName(QStringLiteral("shortcuts"));
    tree_->setColumnCount(2);
    tree_->setHeaderLabels({tr("Action"), tr("Shortcut")});
    tree_->setRootIsDecorated(false);
    tree_->setSelectionMode(QAbstractItemView::NoSelection);
    tree_->setFocusPolicy(Qt::StrongFocus); // the list scrolls with the keys
    tree_->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    tree_->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    tree_->header()->setStretchLastSection(false);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(tree_);
    layout->addWidget(buttons);
    rebuild();
    // Every row without scrolling where the screen allows (German texts are longer).
    const QFontMetrics fm(tree_->font());
    int rows = 0, actionWidth = 0, keysWidth = 0;
    for (int g = 0; g < tree_->topLevelItemCount(); ++g) {
        const QTreeWidgetItem* group = tree_->topLevelItem(g);
        rows += 1 + group->childCount();
        for (int i = 0; i < group->childCount(); ++i) {
            actionWidth = std::max(actionWidth, fm.horizontalAdvance(group->child(i)->text(0)));
            keysWidth = std::max(keysWidth, fm.horizontalAdvance(group->child(i)->text(1)));
        }
    }
    const int rowHeight = fm.height() + 2;
    int width = std::max(kWidth, actionWidth + keysWidth + tree_->indentation() + 96);
    int height = std::max(kHeight, rows * rowHeight + tree_->header()->sizeHint().height() +
                                       buttons->sizeHint().height() + 48);
    if (const QScreen* screen = window ? window->screen() : nullptr) {
        width = std::min(width, screen->availableGeometry().width() * 9 / 10);
        height = std::min(height, screen->availableGeometry().height() * 9 / 10);
    }
    resize(width, height);
}

QString ShortcutsDialog::plainText(const QString& text) {
    QString out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i] == QLatin1Char('&')) {
            if (i + 1 < text.size() && text[i + 1] == QLatin1Char('&'))
                out += text[++i]; // "&&" is a literal '&'
            continue;
        }
        out += text[i];
    }
    out.remove(QStringLiteral("…"));
    out.remove(QStringLiteral("..."));
    return out.trimmed();
}

void ShortcutsDialog::showEvent(QShowEvent* event) {
    if (!event->spontaneous())
        rebuild(); // shortcuts may have changed since the dialog was last open
    QDialog::showEvent(event);
}

void ShortcutsDialog::rebuild() {
    tree_->clear();
    QSet<const QAction*> listed;
    auto addGroup = [this](const QString& title, const QList<Entry>& rows) {
        if (rows.isEmpty())
            return;
        auto* group = new QTreeWidgetItem(tree_, {title});
        group->setFirstColumnSpanned(true);
        QFont bold = group->font(0);
        bold.setBold(true);
        group->setFont(0, bold);
        for (const Entry& e : rows) {
            auto* row = new QTreeWidgetItem(group, {e.action, e.keys.join(QStringLiteral(", "))});
            row->setData(1, kKeysRole, e.keys);
        }
        group->setExpanded(true);
    };

    // The menus, in menu bar order; a submenu is its own group after its menu.
    std::function<void(const QMenu*, const QString&)> addMenu = [&](const QMenu* menu,
                                                                    const QString& title) {
        QList<Entry> rows;
        QList<std::pair<const QMenu*, QString>> submenus;
        for (QAction* a : menu->actions()) {
            if (a->isSeparator() || !a->isVisible())
                continue;
            if (a->menu()) {
                submenus.append({a->menu(), tr("%1 › %2").arg(title, plainText(a->text()))});
                continue;
            }
            const QStringList keys = keyTexts(a->shortcuts());
            listed.insert(a);
            if (!keys.isEmpty())
                rows.append({title, plainText(a->text()), keys});
        }
        addGroup(title, rows);
        for (const auto& [submenu, subtitle] : submenus)
            addMenu(submenu, subtitle);
    };
    for (QAction* a : window_->menuBar()->actions())
        if (a->menu() && a->isVisible())
            addMenu(a->menu(), plainText(a->text()));

    // Shortcuts of the window that no menu shows.
    QList<Entry> other;
    for (const QAction* a : window_->findChildren<QAction*>()) {
        const QStringList keys = keyTexts(a->shortcuts());
        if (!listed.contains(a) && !keys.isEmpty() && a->isVisible() && !a->menu())
            other.append({tr("Other"), plainText(a->text()), keys});
    }
    addGroup(tr("Other"), other);

    // The viewer's own keys (CompareView) and the mouse.
    const QString viewer = tr("Viewer (with the keyboard focus on the images)");
    addGroup(
        viewer,
        {{viewer, tr("Zoom about the mouse pointer"), {tr("Mouse wheel")}},
         {viewer, tr("Pan"), {tr("Drag with the left or middle button")}},
         {viewer,
          tr("Pan by a tenth of the view"),
          {keyText(Qt::Key_Left), keyText(Qt::Key_Right), keyText(Qt::Key_Up),
           keyText(Qt::Key_Down)}},
         {viewer, tr("Zoom in"), {keyText(Qt::Key_Plus), keyText(Qt::Key_Equal)}},
         {viewer, tr("Zoom out"), {keyText(Qt::Key_Minus)}},
         {viewer, tr("Fit to window"), {keyText(Qt::Key_0)}},
         {viewer, tr("Actual pixels (1:1)"), {keyText(Qt::Key_1)}},
         {viewer, tr("Double size (2:1)"), {keyText(Qt::Key_2)}},
         {viewer, tr("Swap the compared images"), {keyText(Qt::Key_Space), keyText(Qt::Key_B)}},
         {viewer, tr("Move the split line (split view)"), {tr("Drag the line")}}});
    const QString region = tr("Region selection");
    addGroup(region, {{region,
                       tr("Select a region on the input (at any time)"),
                       {tr("%1+drag").arg(keyText(Qt::Key_Shift))}}});
}

QList<ShortcutsDialog::Entry> ShortcutsDialog::entries() const {
    QList<Entry> out;
    for (int g = 0; g < tree_->topLevelItemCount(); ++g) {
        const QTreeWidgetItem* group = tree_->topLevelItem(g);
        for (int i = 0; i < group->childCount(); ++i) {
            const QTreeWidgetItem* row = group->child(i);
            out.append({group->text(0), row->text(0), row->data(1, kKeysRole).toStringList()});
        }
    }
    return out;
}

} // namespace shiftsr::gui
