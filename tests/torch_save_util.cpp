// Byte-level writers for torch.save files made inside tests (torch_save_util.h).
#include "torch_save_util.h"

namespace testutil {

QByteArray le(quint64 v, int bytes) {
    QByteArray out(bytes, '\0');
    for (int i = 0; i < bytes; ++i)
        out[i] = char((v >> (8 * i)) & 0xff);
    return out;
}

quint32 crc32Of(const QByteArray& data) {
    quint32 crc = 0xffffffffu;
    for (const char ch : data) {
        crc ^= static_cast<unsigned char>(ch);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

QByteArray storedZip(const QList<QPair<QByteArray, QByteArray>>& items) {
    QByteArray out, central;
    for (const auto& [name, data] : items) {
        const quint64 offset = quint64(out.size());
        const quint32 crc = crc32Of(data);
        out += le(0x04034b50u, 4) + le(20, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(crc, 4) +
               le(quint64(data.size()), 4) + le(quint64(data.size()), 4) +
               le(quint64(name.size()), 2) + le(0, 2) + name + data;
        central += le(0x02014b50u, 4) + le(20, 2) + le(20, 2) + le(0, 2) + le(0, 2) + le(0, 4) +
                   le(crc, 4) + le(quint64(data.size()), 4) + le(quint64(data.size()), 4) +
                   le(quint64(name.size()), 2) + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 2) +
                   le(0, 4) + le(offset, 4) + name;
    }
    const quint64 cd = quint64(out.size());
    out += central;
    const quint64 n = quint64(items.size());
    out += le(0x06054b50u, 4) + le(0, 2) + le(0, 2) + le(n, 2) + le(n, 2) +
           le(quint64(central.size()), 4) + le(cd, 4) + le(0, 2);
    return out;
}

QByteArray pickleInt(qint64 v) {
    if (v >= 0 && v < 256)
        return 'K' + le(quint64(v), 1);
    if (v >= 0 && v < 65536)
        return 'M' + le(quint64(v), 2);
    return 'J' + le(quint64(v), 4);
}

QByteArray pickleStr(const QByteArray& s) {
    return 'X' + le(quint64(s.size()), 4) + s;
}

QByteArray pickleInts(const QList<qint64>& v) {
    QByteArray b = "(";
    for (qint64 x : v)
        b += pickleInt(x);
    return b + 't';
}

} // namespace testutil
