// Byte-level writers for torch.save files made inside tests: little-endian integers, the zip
// container PyTorch writes (stored entries, unaligned) and the pickle opcodes of a state dict.
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

namespace testutil {

// `v` as `bytes` little-endian bytes.
QByteArray le(quint64 v, int bytes);
// The zip CRC-32 of `data`.
quint32 crc32Of(const QByteArray& data);
// A zip of stored (uncompressed) entries, in order: {name, data}.
QByteArray storedZip(const QList<QPair<QByteArray, QByteArray>>& items);
// Pickle protocol 2 opcodes: the shortest integer, a unicode string, a tuple of integers.
QByteArray pickleInt(qint64 v);
QByteArray pickleStr(const QByteArray& s);
QByteArray pickleInts(const QList<qint64>& v);

} // namespace testutil
