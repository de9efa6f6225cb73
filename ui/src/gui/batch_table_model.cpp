// BatchTableModel: texts, tooltips and status icons of the batch queue's items.
#include "batch_table_model.h"

#include "shiftsr/engine/batch_plan.h"

#include <QApplication>
#include <QDir>
#include <QIcon>
#include <QStyle>

namespace shiftsr::gui {

namespace {

using ItemState = BatchQueue::ItemState;

QIcon statusIcon(const BatchQueue::Item& item) {
    QStyle::StandardPixmap icon = QStyle::SP_CustomBase;
    switch (item.state) {
    case ItemState::Done:
        icon = item.message.isEmpty() ? QStyle::SP_DialogApplyButton : QStyle::SP_MessageBoxWarning;
        break;
    case ItemState::Failed:
        icon = QStyle::SP_MessageBoxCritical;
        break;
    case ItemState::Running:
        icon = QStyle::SP_MediaPlay;
        break;
    default:
        break;
    }
    return icon == QStyle::SP_CustomBase ? QIcon() : QApplication::style()->standardIcon(icon);
}

} // namespace

BatchTableModel::BatchTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void BatchTableModel::setItems(const QList<Item>& items) {
    beginResetModel();
    items_ = items;
    endResetModel();
}

void BatchTableModel::setItem(int row, const Item& item) {
    if (row < 0 || row >= items_.size())
        return;
    items_[row] = item;
    Q_EMIT dataChanged(index(row, 0), index(row, BatchQueue::ColumnCount - 1));
}

QString BatchTableModel::statusText(const Item& item) {
    switch (item.state) {
    case ItemState::Queued:
        return tr("Queued");
    case ItemState::Running:
        return tr("Running: %1 %").arg(int(item.progress * 100));
    case ItemState::Done:
        return tr("Done in %1").arg(QString::fromStdString(formatDuration(item.seconds)));
    case ItemState::Skipped:
        return tr("Skipped: the output exists");
    case ItemState::Failed:
        return tr("Failed: %1").arg(item.message);
    case ItemState::Cancelled:
        return tr("Cancelled");
    }
    return {};
}

int BatchTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(items_.size());
}

int BatchTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : BatchQueue::ColumnCount;
}

QVariant BatchTableModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Item& item = items_[index.row()];
    switch (index.column()) {
    case BatchQueue::InputColumn:
    case BatchQueue::OutputColumn:
        // The whole path in the tooltip: the column elides it in the middle.
        if (role == Qt::DisplayRole || role == Qt::ToolTipRole)
            return QDir::toNativeSeparators(
                index.column() == BatchQueue::InputColumn ? item.input : item.output);
        break;
    case BatchQueue::StatusColumn:
        if (role == Qt::DisplayRole)
            return statusText(item);
        if (role == Qt::ToolTipRole)
            return item.state == ItemState::Done && !item.message.isEmpty()
                       ? tr("%1 (warning: %2)").arg(statusText(item), item.message)
                       : statusText(item);
        if (role == Qt::DecorationRole)
            return statusIcon(item);
        break;
    default:
        break;
    }
    return {};
}

QVariant BatchTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case BatchQueue::InputColumn:
        return tr("Input");
    case BatchQueue::OutputColumn:
        return tr("Output");
    case BatchQueue::StatusColumn:
        return tr("Status");
    default:
        return {};
    }
}

} // namespace shiftsr::gui
