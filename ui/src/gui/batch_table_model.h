// BatchTableModel: the batch queue's planned items as a table model (BatchQueue::Column: input,
// output, status with its icon and tooltip), one row per item, for the queue's QTableView.
#pragma once

#include "shiftsr/gui/batch_queue.h"

#include <QAbstractTableModel>
#include <QList>
#include <QString>
#include <QVariant>

namespace shiftsr::gui {

// Shows copies of the items: the queue sets them all for a new plan and one row at a time as the
// run changes them.
class BatchTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    using Item = BatchQueue::Item;

    explicit BatchTableModel(QObject* parent = nullptr);

    void setItems(const QList<Item>& items); // a new plan: resets the model
    void setItem(int row, const Item& item); // one item's state, progress or result changed
    const Item& item(int row) const { return items_[row]; }

    // "Queued", "Running: 40 %", "Done in 2.1s", "Failed: <reason>", ...
    static QString statusText(const Item& item);

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<Item> items_;
};

} // namespace shiftsr::gui
