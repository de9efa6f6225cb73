// Safe torch.save checkpoint reader: the official-format fixtures match their safetensors twins,
// hand-built archives exercise unwrapping, strides, DEFLATE and ZIP64, and malformed input gives
// clear errors (never a crash, never code execution).
#include "shiftsr/engine/safetensors.h"
#include "shiftsr/nn/torch_checkpoint.h"
#include "testutil.h"
#include "torch_save_util.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>

using namespace shiftsr;

Q_DECLARE_METATYPE(shiftsr::StatusCode)

namespace {

std::string str(const QString& s) {
    return s.toStdString();
}

using testutil::crc32Of;
using testutil::le;

// Raw DEFLATE stream: qCompress gives [4-byte size][2-byte zlib header][deflate][4-byte adler].
QByteArray rawDeflate(const QByteArray& data) {
    const QByteArray z = qCompress(data, 9);
    return z.mid(6, z.size() - 10);
}

struct ZipItem {
    QByteArray name;
    QByteArray data;
    bool deflate = false;
    bool badCrc = false;
    QByteArray rawOverride; // stored bytes instead of the (compressed) data, if not empty
};

// A minimal zip writer (what PyTorch writes, minus the alignment padding); optional ZIP64
// records and ZIP64 extra fields in the central directory.
QByteArray makeZip(const QList<ZipItem>& items, bool zip64 = false) {
    QByteArray out, central;
    for (const ZipItem& it : items) {
        const QByteArray payload = !it.rawOverride.isEmpty() ? it.rawOverride
                                   : it.deflate              ? rawDeflate(it.data)
                                                             : it.data;
        const quint32 crc = crc32Of(it.data) ^ (it.badCrc ? 0x1234u : 0u);
        const quint16 method = it.deflate ? 8 : 0;
        const quint64 offset = quint64(out.size());
        out += le(0x04034b50u, 4) + le(20, 2) + le(0, 2) + le(method, 2) + le(0, 4) + le(crc, 4) +
               le(quint64(payload.size()), 4) + le(quint64(it.data.size()), 4) +
               le(quint64(it.name.size()), 2) + le(0, 2) + it.name + payload;
        QByteArray extra;
        if (zip64)
            extra = le(1, 2) + le(24, 2) + le(quint64(it.data.size()), 8) +
                    le(quint64(payload.size()), 8) + le(offset, 8);
        const quint64 ones = 0xffffffffu;
        central += le(0x02014b50u, 4) + le(45, 2) + le(45, 2) + le(0, 2) + le(method, 2) +
                   le(0, 4) + le(crc, 4) + le(zip64 ? ones : quint64(payload.size()), 4) +
                   le(zip64 ? ones : quint64(it.data.size()), 4) + le(quint64(it.name.size()), 2) +
                   le(quint64(extra.size()), 2) + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4) +
                   le(zip64 ? ones : offset, 4) + it.name + extra;
    }
    const quint64 cdOffset = quint64(out.size());
    out += central;
    const quint64 n = quint64(items.size());
    if (zip64) {
        const quint64 recOffset = quint64(out.size());
        out += le(0x06064b50u, 4) + le(44, 8) + le(45, 2) + le(45, 2) + le(0, 4) + le(0, 4) +
               le(n, 8) + le(n, 8) + le(quint64(central.size()), 8) + le(cdOffset, 8);
        out += le(0x07064b50u, 4) + le(0, 4) + le(recOffset, 8) + le(1, 4);
        out += le(0x06054b50u, 4) + le(0, 2) + le(0, 2) + le(0xffff, 2) + le(0xffff, 2) +
               le(0xffffffffu, 4) + le(0xffffffffu, 4) + le(0, 2);
    } else {
        out += le(0x06054b50u, 4) + le(0, 2) + le(0, 2) + le(n, 2) + le(n, 2) +
               le(quint64(central.size()), 4) + le(cdOffset, 4) + le(0, 2);
    }
    return out;
}

// Emits pickle opcodes (protocol 2, plus a few protocol 4 ones).
struct Pickle {
    QByteArray b;
    Pickle& raw(const QByteArray& bytes) {
        b += bytes;
        return *this;
    }
    Pickle& op(char c) {
        b += c;
        return *this;
    }
    Pickle& proto(int v = 2) {
        b += '\x80';
        b += char(v);
        return *this;
    }
    Pickle& global(const char* module, const char* name) {
        b += 'c';
        b += module;
        b += '\n';
        b += name;
        b += '\n';
        return *this;
    }
    Pickle& str(const QByteArray& s) {
        b += 'X' + le(quint64(s.size()), 4) + s;
        return *this;
    }
    Pickle& shortStr(const QByteArray& s) {
        b += '\x8c';
        b += char(s.size());
        b += s;
        return *this;
    }
    Pickle& integer(qint64 v) {
        if (v >= 0 && v < 256)
            b += 'K' + le(quint64(v), 1);
        else if (v >= 0 && v < 65536)
            b += 'M' + le(quint64(v), 2);
        else if (v >= INT32_MIN && v <= INT32_MAX)
            b += 'J' + le(quint64(v), 4);
        else
            b += QByteArray("\x8a\x08", 2) + le(quint64(v), 8);
        return *this;
    }
    Pickle& mark() { return op('('); }
    Pickle& tuple() { return op('t'); }
    Pickle& emptyTuple() { return op(')'); }
    Pickle& emptyDict() { return op('}'); }
    Pickle& reduce() { return op('R'); }
    Pickle& setitem() { return op('s'); }
    Pickle& setitems() { return op('u'); }
    Pickle& stop() { return op('.'); }
    Pickle& orderedDict() { return global("collections", "OrderedDict").emptyTuple().reduce(); }

    Pickle& ints(const QList<qint64>& v) {
        mark();
        for (qint64 x : v)
            integer(x);
        return tuple();
    }
    // torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())
    Pickle& tensor(const char* storageType, const QByteArray& key, qint64 storageNumel,
                   qint64 offset, const QList<qint64>& shape, const QList<qint64>& stride) {
        global("torch._utils", "_rebuild_tensor_v2");
        mark();
        mark().str("storage").global("torch", storageType).str(key).str("cpu");
        integer(storageNumel).tuple().op('Q');
        integer(offset).ints(shape).ints(stride).op('\x89').orderedDict();
        tuple().reduce();
        return *this;
    }
};

QByteArray floats(const QList<float>& v) {
    QByteArray out;
    for (float f : v)
        out += QByteArray(reinterpret_cast<const char*>(&f), 4);
    return out;
}

QByteArray int64s(const QList<qint64>& v) {
    QByteArray out;
    for (qint64 x : v)
        out += le(quint64(x), 8);
    return out;
}

const QList<qint64> kLongValues = {-5, 7, 1ll << 40};

// Storage "0": 12 floats 0..11; storage "1": three int64.
QByteArray storage0() {
    QList<float> v;
    for (int i = 0; i < 12; ++i)
        v << float(i);
    return floats(v);
}

// MARK key tensor key tensor ... SETITEMS; keys get `prefix`.
void emitTensors(Pickle& p, const QByteArray& prefix, bool asParameters) {
    p.mark();
    const auto put = [&](const QByteArray& name, auto emit) {
        p.str(prefix + name);
        if (asParameters)
            p.global("torch._utils", "_rebuild_parameter");
        if (asParameters)
            p.mark();
        emit();
        if (asParameters)
            p.op('\x88').orderedDict().tuple().reduce();
    };
    put("w", [&] { p.tensor("FloatStorage", "0", 12, 0, {3, 4}, {4, 1}); });
    put("wt", [&] { p.tensor("FloatStorage", "0", 12, 0, {4, 3}, {1, 4}); });
    put("s", [&] { p.tensor("FloatStorage", "0", 12, 2, {2}, {3}); });
    put("scalar", [&] { p.tensor("FloatStorage", "0", 12, 5, {}, {}); });
    put("bcast", [&] { p.tensor("FloatStorage", "0", 12, 1, {2, 3}, {0, 1}); });
    put("idx", [&] { p.tensor("LongStorage", "1", 3, 0, {3}, {1}); });
    put("empty", [&] { p.tensor("FloatStorage", "0", 12, 0, {0, 4}, {4, 1}); });
    p.setitems();
}

const QStringList kTensorNames = {"w", "wt", "s", "scalar", "bcast", "idx", "empty"};

QByteArray checkpointZip(const QByteArray& pickle, bool deflate = false, bool zip64 = false) {
    QList<ZipItem> items;
    items.append({"archive/data.pkl", pickle, deflate, false, {}});
    items.append({"archive/data/0", storage0(), deflate, false, {}});
    items.append({"archive/data/1", int64s(kLongValues), deflate, false, {}});
    items.append({"archive/version", "3\n", false, false, {}});
    return makeZip(items, zip64);
}

// A plain valid checkpoint: {'w': ..., ...}
QByteArray simplePickle() {
    Pickle p;
    p.proto().orderedDict();
    emitTensors(p, "", false);
    p.stop();
    return p.b;
}

QList<float> toFloats(const std::vector<std::uint8_t>& bytes) {
    QList<float> out;
    for (std::size_t i = 0; i + 4 <= bytes.size(); i += 4) {
        float f;
        std::memcpy(&f, bytes.data() + i, 4);
        out << f;
    }
    return out;
}

} // namespace

class TestTorchCheckpoint : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void officialFixtures_data();
    void officialFixtures();
    void unwrap_data();
    void unwrap();
    void stridedViews_data();
    void stridedViews();
    void readContiguousValidates();
    void notFound();
    void badInput_data();
    void badInput();

private:
    QTemporaryDir tmp_;
    int counter_ = 0;
    QString write(const QByteArray& bytes, const QString& stem = QStringLiteral("ckpt")) {
        const QString safe = QString(stem).replace(QRegularExpression("[^A-Za-z0-9.-]"), "_");
        const QString file = tmp_.filePath(QStringLiteral("%1-%2.pth").arg(safe).arg(++counter_));
        if (!testutil::writeAll(file, bytes))
            return QString();
        return file;
    }
};

void TestTorchCheckpoint::initTestCase() {
    QVERIFY(tmp_.isValid());
}

void TestTorchCheckpoint::officialFixtures_data() {
    QTest::addColumn<QString>("pth");
    QTest::addColumn<QString>("safetensors");
    QTest::addColumn<bool>("stripped");
    QTest::addColumn<bool>("hasInt64");
    QTest::newRow("unet (module. prefix, int64 buffers)") << "unet_official_format.pth"
                                                          << "unet.safetensors" << true << true;
    QTest::newRow("autoencoder (plain state dict)") << "autoencoder_official_format.pth"
                                                    << "autoencoder.safetensors" << false << false;
}

void TestTorchCheckpoint::officialFixtures() {
    QFETCH(QString, pth);
    QFETCH(QString, safetensors);
    QFETCH(bool, stripped);
    QFETCH(bool, hasInt64);
    const QString dir = testutil::fixtureDir() + "/resshift-tiny/";
    SHIFTSR_REQUIRE_FIXTURE(dir + pth);
    SHIFTSR_REQUIRE_FIXTURE(dir + safetensors);

    auto ck = TorchCheckpoint::open(str(dir + pth));
    QVERIFY2(ck.isOk(), ck.status().message().c_str());
    auto st = SafeTensorsFile::open(str(dir + safetensors));
    QVERIFY2(st.isOk(), st.status().message().c_str());

    QCOMPARE(ck->strippedModulePrefix(), stripped);
    QCOMPARE(QString::fromStdString(ck->unwrappedFrom()), QString());
    QVERIFY(!ck->archiveName().empty());

    QSet<QString> ckNames, stNames;
    for (const CheckpointTensor& t : ck->tensors()) {
        QVERIFY2(!QString::fromStdString(t.name).startsWith("module."), t.name.c_str());
        ckNames << QString::fromStdString(t.name);
    }
    for (const TensorEntry& e : st->tensors())
        stNames << QString::fromStdString(e.name);
    QCOMPARE(qsizetype(ckNames.size()), qsizetype(ck->tensors().size())); // no duplicates
    QCOMPARE(ckNames, stNames);

    int int64Count = 0;
    for (const CheckpointTensor& t : ck->tensors()) {
        const TensorEntry* e = st->find(t.name);
        QVERIFY(e != nullptr);
        QVERIFY(ck->find(t.name) == &t);
        QCOMPARE(t.shape, e->shape);
        QCOMPARE(int(e->dtype), int(DType::F32));
        auto ckBytes = ck->readContiguous(t);
        QVERIFY2(ckBytes.isOk(), ckBytes.status().message().c_str());
        auto stBytes = st->read(e->name);
        QVERIFY(stBytes.isOk());
        if (t.dtype == DType::F32) {
            QVERIFY2(*ckBytes == *stBytes, t.name.c_str());
        } else {
            QCOMPARE(int(t.dtype), int(DType::I64));
            ++int64Count;
            const std::size_t n = stBytes->size() / 4;
            QCOMPARE(ckBytes->size(), n * 8);
            for (std::size_t i = 0; i < n; ++i) {
                std::int64_t iv;
                float fv;
                std::memcpy(&iv, ckBytes->data() + i * 8, 8);
                std::memcpy(&fv, stBytes->data() + i * 4, 4);
                if (double(iv) != double(fv))
                    QFAIL(qPrintable(QStringLiteral("%1[%2]: %3 != %4")
                                         .arg(QString::fromStdString(t.name))
                                         .arg(i)
                                         .arg(iv)
                                         .arg(double(fv))));
            }
        }
    }
    QCOMPARE(int64Count > 0, hasInt64);
}

void TestTorchCheckpoint::unwrap_data() {
    QTest::addColumn<QByteArray>("pickle");
    QTest::addColumn<QString>("from");
    QTest::addColumn<bool>("stripped");
    QTest::addColumn<bool>("deflate");
    QTest::addColumn<bool>("zip64");

    {
        Pickle p;
        p.proto().orderedDict();
        emitTensors(p, "", false);
        QTest::newRow("bare OrderedDict") << p.stop().b << "" << false << false << false;
    }
    {
        Pickle p;
        p.proto().emptyDict();
        emitTensors(p, "module.", false);
        QTest::newRow("plain dict, module. prefix") << p.stop().b << "" << true << false << false;
    }
    {
        Pickle p;
        p.proto().emptyDict().mark().str("epoch").integer(3).str("lr").raw(QByteArray("G", 1) +
                                                                           QByteArray(8, '\0'));
        p.str("state_dict").orderedDict();
        emitTensors(p, "module.", false);
        p.setitems();
        QTest::newRow("{epoch, lr, state_dict}")
            << p.stop().b << "state_dict" << true << false << false;
    }
    {
        Pickle p;
        p.proto().emptyDict().mark().str("optimizer").emptyDict().str("model").emptyDict();
        p.str("step").integer(1000).setitem();
        p.str("state_dict").orderedDict();
        emitTensors(p, "", false);
        p.setitem().setitems();
        QTest::newRow("two levels: model.state_dict")
            << p.stop().b << "model.state_dict" << false << false << false;
    }
    {
        Pickle p;
        p.proto().emptyDict().mark().str("ema").orderedDict();
        emitTensors(p, "ema_", false);
        p.str("params").orderedDict();
        emitTensors(p, "", false);
        p.setitems();
        QTest::newRow("params before ema") << p.stop().b << "params" << false << false << false;
    }
    {
        Pickle p;
        p.proto().orderedDict();
        emitTensors(p, "", false);
        p.str("num_batches").integer(7).setitem();
        QTest::newRow("tensors plus an int at the top (skipped)")
            << p.stop().b << "" << false << false << false;
    }
    {
        Pickle p;
        p.proto().orderedDict();
        emitTensors(p, "", true);
        QTest::newRow("nn.Parameter (_rebuild_parameter)")
            << p.stop().b << "" << false << false << false;
    }
    {
        // OrderedDict with state (_metadata) applied by BUILD after SETITEMS.
        Pickle p;
        p.proto().orderedDict();
        emitTensors(p, "", false);
        p.emptyDict()
            .str("_metadata")
            .orderedDict()
            .str("")
            .emptyDict()
            .str("version")
            .integer(1)
            .setitem()
            .setitem()
            .setitem()
            .op('b');
        QTest::newRow("OrderedDict with _metadata BUILD")
            << p.stop().b << "" << false << false << false;
    }
    {
        // Protocol 4: FRAME, SHORT_BINUNICODE, STACK_GLOBAL, MEMOIZE, BINGET.
        Pickle body;
        body.shortStr("collections")
            .op('\x94')
            .shortStr("OrderedDict")
            .op('\x94')
            .op('\x93')
            .op('\x94')
            .emptyTuple()
            .reduce()
            .op('\x94');
        emitTensors(body, "", false);
        // memo: 0 "collections", 1 "OrderedDict", 2 the class, 3 the dict, 4 _rebuild_tensor_v2
        body.shortStr("again").shortStr("torch._utils").shortStr("_rebuild_tensor_v2");
        body.op('\x93').op('\x94').mark().mark().shortStr("storage").shortStr("torch");
        body.shortStr("FloatStorage").op('\x93').shortStr("0").shortStr("cpu").integer(12);
        body.tuple().op('Q').integer(0).ints({12}).ints({1}).op('\x89');
        body.op('h').raw(le(2, 1)).emptyTuple().reduce().tuple().reduce();
        body.setitem().stop();
        Pickle p;
        p.proto(4).op('\x95').raw(le(quint64(body.b.size()), 8)).raw(body.b);
        QTest::newRow("protocol 4 opcodes") << p.b << "" << false << false << false;
    }
    QTest::newRow("DEFLATE entries") << simplePickle() << "" << false << true << false;
    QTest::newRow("ZIP64 records") << simplePickle() << "" << false << false << true;
}

void TestTorchCheckpoint::unwrap() {
    QFETCH(QByteArray, pickle);
    QFETCH(QString, from);
    QFETCH(bool, stripped);
    QFETCH(bool, deflate);
    QFETCH(bool, zip64);
    const QString file = write(checkpointZip(pickle, deflate, zip64), QTest::currentDataTag());
    auto ck = TorchCheckpoint::open(str(file));
    QVERIFY2(ck.isOk(), ck.status().message().c_str());
    QCOMPARE(QString::fromStdString(ck->unwrappedFrom()), from);
    QCOMPARE(ck->strippedModulePrefix(), stripped);
    QCOMPARE(QString::fromStdString(ck->archiveName()), QStringLiteral("archive"));
    QStringList names;
    for (const CheckpointTensor& t : ck->tensors())
        names << QString::fromStdString(t.name);
    QStringList expected = kTensorNames;
    if (QString(QTest::currentDataTag()).startsWith("protocol 4"))
        expected << "again";
    QCOMPARE(names, expected);
    // Data is readable whatever the container flavour.
    auto w = ck->readContiguous(*ck->find("w"));
    QVERIFY2(w.isOk(), w.status().message().c_str());
    QCOMPARE(toFloats(*w), (QList<float>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
}

void TestTorchCheckpoint::stridedViews_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("dtype");
    QTest::addColumn<QList<qint64>>("shape");
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("contiguous 3x4") << "w" << int(DType::F32) << QList<qint64>{3, 4}
                                    << floats({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
    QTest::newRow("transposed 4x3") << "wt" << int(DType::F32) << QList<qint64>{4, 3}
                                    << floats({0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
    QTest::newRow("offset 2, stride 3")
        << "s" << int(DType::F32) << QList<qint64>{2} << floats({2, 5});
    QTest::newRow("0-dim at offset 5")
        << "scalar" << int(DType::F32) << QList<qint64>{} << floats({5});
    QTest::newRow("stride 0 (expanded)")
        << "bcast" << int(DType::F32) << QList<qint64>{2, 3} << floats({1, 2, 3, 1, 2, 3});
    QTest::newRow("int64 kept as I64")
        << "idx" << int(DType::I64) << QList<qint64>{3} << int64s(kLongValues);
    QTest::newRow("empty 0x4") << "empty" << int(DType::F32) << QList<qint64>{0, 4} << QByteArray();
}

void TestTorchCheckpoint::stridedViews() {
    QFETCH(QString, name);
    QFETCH(int, dtype);
    QFETCH(QList<qint64>, shape);
    QFETCH(QByteArray, bytes);
    const QString file = write(checkpointZip(simplePickle()), "strided");
    auto ck = TorchCheckpoint::open(str(file));
    QVERIFY2(ck.isOk(), ck.status().message().c_str());
    const CheckpointTensor* t = ck->find(str(name));
    QVERIFY(t != nullptr);
    QCOMPARE(int(t->dtype), dtype);
    QCOMPARE(t->shape, std::vector<std::int64_t>(shape.begin(), shape.end()));
    auto out = ck->readContiguous(*t);
    QVERIFY2(out.isOk(), out.status().message().c_str());
    QCOMPARE(QByteArray(reinterpret_cast<const char*>(out->data()), int(out->size())), bytes);
}

void TestTorchCheckpoint::readContiguousValidates() {
    const QString file = write(checkpointZip(simplePickle()), "validate");
    auto ck = TorchCheckpoint::open(str(file));
    QVERIFY2(ck.isOk(), ck.status().message().c_str());
    CheckpointTensor t = *ck->find("w");
    t.shape = {4, 4}; // 16 elements of a 12-element storage
    auto r = ck->readContiguous(t);
    QVERIFY(!r.isOk());
    QVERIFY2(QString::fromStdString(r.status().message()).contains("beyond its storage"),
             r.status().message().c_str());
    t = *ck->find("w");
    t.stride = {1};
    QVERIFY(!ck->readContiguous(t).isOk());
    t = *ck->find("w");
    t.storageKey = "99";
    QCOMPARE(ck->readContiguous(t).status().code(), StatusCode::InvalidArgument);
    t = *ck->find("w");
    t.dtype = DType::F64; // 48 bytes = 6 doubles: 3x4 does not fit
    QVERIFY(!ck->readContiguous(t).isOk());
}

void TestTorchCheckpoint::notFound() {
    auto ck = TorchCheckpoint::open(str(tmp_.filePath("nope.pth")));
    QVERIFY(!ck.isOk());
    QCOMPARE(ck.status().code(), StatusCode::NotFound);
    QVERIFY(QString::fromStdString(ck.status().message()).contains("nope.pth"));
}

void TestTorchCheckpoint::badInput_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<StatusCode>("code");
    QTest::addColumn<QString>("word");

    const auto zipWith = [](const QByteArray& pickle) {
        return makeZip({{"archive/data.pkl", pickle, false, false, {}},
                        {"archive/data/0", storage0(), false, false, {}},
                        {"archive/version", "3\n", false, false, {}}});
    };

    QTest::newRow("zero-byte file") << QByteArray() << StatusCode::InvalidFile << "empty";
    {
        QByteArray random;
        quint32 state = 12345;
        for (int i = 0; i < 4096; ++i) {
            state = state * 1103515245u + 12345u;
            random += char((state >> 16) & 0xff);
        }
        random[0] = 'Z';
        QTest::newRow("random bytes") << random << StatusCode::InvalidFile
                                      << "not a PyTorch zip checkpoint (legacy torch.save format";
    }
    QTest::newRow("legacy torch.save") << QByteArray("\x80\x02\x8a\x0a"
                                                     "lZ\xfc\x9c"
                                                     "F\xf9 j\xa8"
                                                     "P\x19.",
                                                     16)
                                       << StatusCode::Unsupported << "PyTorch >= 1.6";
    QTest::newRow("a safetensors file")
        << (le(2, 8) + "{}") << StatusCode::InvalidFile << "safetensors";
    QTest::newRow("zip without data.pkl")
        << makeZip({{"archive/version", "3\n", false, false, {}},
                    {"archive/data/0", storage0(), false, false, {}}})
        << StatusCode::InvalidFile << "no data.pkl";
    {
        const QByteArray good = checkpointZip(simplePickle());
        QTest::newRow("truncated zip (cut at half)")
            << good.left(good.size() / 2) << StatusCode::InvalidFile << "truncated";
        QTest::newRow("truncated zip (last 30 bytes cut)")
            << good.left(good.size() - 30) << StatusCode::InvalidFile << "truncated";
    }
    {
        const QString pth = testutil::fixtureDir() + "/resshift-tiny/unet_official_format.pth";
        const QByteArray fixture = testutil::readAll(pth);
        if (!fixture.isEmpty()) {
            QTest::newRow("fixture .pth cut at half")
                << fixture.left(fixture.size() / 2) << StatusCode::InvalidFile << "truncated";
            // Corrupt one byte inside the pickle: CRC check.
            QByteArray flipped = fixture;
            const int at = flipped.indexOf("input_blocks.0.0.bias");
            if (at > 0) {
                flipped[at] = 'X';
                QTest::newRow("fixture with a flipped pickle byte")
                    << flipped << StatusCode::InvalidFile << "CRC";
            }
        }
    }
    QTest::newRow("GLOBAL os.system")
        << zipWith(Pickle()
                       .proto()
                       .global("os", "system")
                       .str("echo pwned")
                       .op('\x85')
                       .reduce()
                       .stop()
                       .b)
        << StatusCode::Unsupported << "'os.system', which a safe loader does not execute";
    QTest::newRow("STACK_GLOBAL builtins.eval")
        << zipWith(Pickle().proto(4).shortStr("builtins").shortStr("eval").op('\x93').stop().b)
        << StatusCode::Unsupported << "'builtins.eval'";
    QTest::newRow("torch global outside the whitelist")
        << zipWith(Pickle().proto().global("torch", "load").stop().b) << StatusCode::Unsupported
        << "'torch.load'";
    {
        const QByteArray p = simplePickle();
        QTest::newRow("pickle cut in the middle")
            << zipWith(p.left(p.size() / 2)) << StatusCode::InvalidFile << "";
        QTest::newRow("pickle without STOP")
            << zipWith(p.left(p.size() - 1)) << StatusCode::InvalidFile << "STOP";
    }
    QTest::newRow("BINUNICODE longer than the pickle")
        << zipWith(Pickle().proto().raw(QByteArray("X\xff\xff\xff\x7f", 5)).stop().b)
        << StatusCode::InvalidFile << "truncated";
    QTest::newRow("invalid opcode")
        << zipWith(QByteArray("\x80\x02\xff.", 4)) << StatusCode::InvalidFile << "opcode 0xff";
    QTest::newRow("text opcode (protocol 0)")
        << zipWith(QByteArray("\x80\x02I1\n.", 6)) << StatusCode::Unsupported << "INT";
    QTest::newRow("unknown memo entry")
        << zipWith(QByteArray("\x80\x02h\x05.", 5)) << StatusCode::InvalidFile << "memo";
    QTest::newRow("stack underflow")
        << zipWith(QByteArray("\x80\x02R.", 4)) << StatusCode::InvalidFile << "empty stack";
    QTest::newRow("LONG1 wider than 64 bits")
        << zipWith(QByteArray("\x80\x02\x8a\x09", 4) + QByteArray(9, '\x01') + ".")
        << StatusCode::Unsupported << "64 bits";
    {
        // One million nested lists: must neither overflow the stack nor be accepted.
        QByteArray deep("\x80\x02", 2);
        deep += QByteArray(1000000, ']');
        deep += QByteArray(999999, 'a');
        deep += '.';
        QTest::newRow("1e6 nested lists")
            << zipWith(deep) << StatusCode::Unsupported << "holds a list, not a dict";
    }
    // A container that holds itself would be a cycle of shared pointers, never freed.
    QTest::newRow("list appended to itself")
        << zipWith(QByteArray("\x80\x02]2a.", 6)) << StatusCode::InvalidFile << "cycle";
    QTest::newRow("dict holding itself") << zipWith(QByteArray("\x80\x02}q\x00X\x01\x00\x00\x00"
                                                               "ah\x00s.",
                                                               15))
                                         << StatusCode::InvalidFile << "cycle";
    QTest::newRow("no state dict")
        << zipWith(Pickle().proto().emptyDict().str("epoch").integer(3).setitem().stop().b)
        << StatusCode::Unsupported << "no state dict found";
    QTest::newRow("storage missing from the archive")
        << zipWith(Pickle()
                       .proto()
                       .emptyDict()
                       .str("w")
                       .tensor("FloatStorage", "7", 12, 0, {12}, {1})
                       .setitem()
                       .stop()
                       .b)
        << StatusCode::InvalidFile << "lacks";
    QTest::newRow("tensor reaches beyond its storage")
        << zipWith(Pickle()
                       .proto()
                       .emptyDict()
                       .str("w")
                       .tensor("FloatStorage", "0", 12, 4, {3, 4}, {4, 1})
                       .setitem()
                       .stop()
                       .b)
        << StatusCode::InvalidFile << "beyond its storage";
    QTest::newRow("storage size differs from its entry")
        << zipWith(Pickle()
                       .proto()
                       .emptyDict()
                       .str("w")
                       .tensor("FloatStorage", "0", 10, 0, {10}, {1})
                       .setitem()
                       .stop()
                       .b)
        << StatusCode::InvalidFile << "should hold 40 bytes";
    QTest::newRow("persistent id that is not a storage")
        << zipWith(Pickle().proto().str("x").op('Q').stop().b) << StatusCode::InvalidFile
        << "persistent id";
    QTest::newRow("bad CRC") << makeZip({{"archive/data.pkl", simplePickle(), false, true, {}},
                                         {"archive/data/0", storage0(), false, false, {}},
                                         {"archive/data/1", int64s(kLongValues), false, false, {}}})
                             << StatusCode::InvalidFile << "CRC";
    QTest::newRow("damaged DEFLATE stream")
        << makeZip({{"archive/data.pkl", simplePickle(), true, false, QByteArray(40, '\xff')}})
        << StatusCode::InvalidFile << "cannot be decompressed";
}

void TestTorchCheckpoint::badInput() {
    QFETCH(QByteArray, bytes);
    QFETCH(StatusCode, code);
    QFETCH(QString, word);
    const QString file = write(bytes, QTest::currentDataTag());
    QVERIFY(!file.isEmpty());
    auto ck = TorchCheckpoint::open(str(file));
    QVERIFY(!ck.isOk());
    const QString message = QString::fromStdString(ck.status().message());
    QVERIFY2(ck.status().code() == code, qPrintable(message));
    QVERIFY2(message.contains(word), qPrintable(message));
    QVERIFY2(message.contains(QFileInfo(file).fileName()), qPrintable(message));
}

QTEST_GUILESS_MAIN(TestTorchCheckpoint)
#include "tst_torchcheckpoint.moc"
