// safetensors reader/writer: round trip, alignment, atomic writes, and every malformed-file case
// giving a clear InvalidFile error instead of a crash.
#include "shiftsr/engine/safetensors.h"
#include "shiftsr/nn/atomic_file.h"
#include "shiftsr/nn/sha256.h"
#include "testutil.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace shiftsr;

Q_DECLARE_METATYPE(shiftsr::StatusCode)

namespace {

QByteArray le64(quint64 v) {
    QByteArray out(8, '\0');
    for (int i = 0; i < 8; ++i)
        out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
    return out;
}

// A file with an explicit header length (may lie) followed by header text and data.
QByteArray rawFile(quint64 headerLen, const QByteArray& header, const QByteArray& data) {
    return le64(headerLen) + header + data;
}

QByteArray stFile(const QByteArray& header, const QByteArray& data) {
    return rawFile(static_cast<quint64>(header.size()), header, data);
}

template <class T> QByteArray bytesOf(const std::vector<T>& v) {
    return QByteArray(reinterpret_cast<const char*>(v.data()), int(v.size() * sizeof(T)));
}

QByteArray toQ(const std::vector<std::uint8_t>& v) {
    return QByteArray(reinterpret_cast<const char*>(v.data()), int(v.size()));
}

QStringList entriesOf(const QString& dir) {
    return QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
}

std::string str(const QString& s) {
    return s.toStdString();
}

} // namespace

class TestSafeTensors : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void dtypeNames();
    void formatBytesText();
    void roundTrip();
    void headerIsAligned();
    void emptyFileRoundTrip();
    void atomicWriteReplacesAndLeavesNoTemp();
    void atomicWriteHasNoNameWhileWriting();
    void atomicWriteFailureKeepsOldFile_data();
    void atomicWriteFailureKeepsOldFile();
    void writeIntoMissingFolder();
    void writerRejects_data();
    void writerRejects();
    void notFound();
    void readChecksDestination();
    void malformed_data();
    void malformed();
    void limits();
    void openMemory();
    void realFixture();
    void sha256KnownAnswers_data();
    void sha256KnownAnswers();

private:
    QTemporaryDir tmp_;
    QString path(const QString& name) const { return tmp_.filePath(name); }
};

void TestSafeTensors::initTestCase() {
    QVERIFY(tmp_.isValid());
}

void TestSafeTensors::dtypeNames() {
    const DType all[] = {DType::F32, DType::F16, DType::BF16, DType::F64, DType::I64,
                         DType::I32, DType::I16, DType::I8,   DType::U8,  DType::Bool};
    const std::size_t sizes[] = {4, 2, 2, 8, 8, 4, 2, 1, 1, 1};
    for (std::size_t i = 0; i < std::size(all); ++i) {
        DType parsed = DType::F32;
        QVERIFY(parseDType(dtypeName(all[i]), &parsed));
        QCOMPARE(int(parsed), int(all[i]));
        QCOMPARE(dtypeSize(all[i]), sizes[i]);
    }
    QCOMPARE(QString(dtypeName(DType::Bool)), QStringLiteral("BOOL"));
    DType d;
    QVERIFY(!parseDType("F31", &d));
    QVERIFY(!parseDType("f32", &d));
}

void TestSafeTensors::formatBytesText() {
    QCOMPARE(QString::fromStdString(formatBytes(0)), QStringLiteral("0 bytes"));
    QCOMPARE(QString::fromStdString(formatBytes(1)), QStringLiteral("1 byte"));
    QCOMPARE(QString::fromStdString(formatBytes(1023)), QStringLiteral("1023 bytes"));
    QCOMPARE(QString::fromStdString(formatBytes(1024)), QStringLiteral("1.0 KB"));
    QCOMPARE(QString::fromStdString(formatBytes(3355443)), QStringLiteral("3.2 MB"));
    QCOMPARE(QString::fromStdString(formatBytes(1048575)), QStringLiteral("1.0 MB"));
    QCOMPARE(QString::fromStdString(formatBytes(5ull << 30)), QStringLiteral("5.0 GB"));
}

void TestSafeTensors::roundTrip() {
    const std::vector<float> f32 = {1.5f, -2.25f, 0.0f, 3.0e-8f, 1e30f, -0.0f};
    const std::vector<std::uint16_t> f16 = {0x3c00, 0xc000, 0x7bff, 0x0001};  // 1, -2, max, tiny
    const std::vector<std::uint16_t> bf16 = {0x3f80, 0xbf80, 0x4049, 0x0000}; // 1, -1, ~3.14, 0
    const std::vector<std::int64_t> i64 = {-1, 0, 9007199254740993LL, INT64_MIN};
    const std::vector<std::uint8_t> boolean = {1, 0, 1};
    const std::vector<float> scalar = {42.0f};

    SafeTensorsWriter w;
    w.setMetadata("format", "pt");
    w.setMetadata("note", "h\xc3\xa9llo \xe2\x9c\x93 \"quoted\"\n");
    QVERIFY(w.add("a.f32", DType::F32, {2, 3}, f32.data(), f32.size() * 4).isOk());
    QVERIFY(w.add("b.f16", DType::F16, {4}, f16.data(), f16.size() * 2).isOk());
    QVERIFY(w.add("c.bf16", DType::BF16, {2, 2}, bf16.data(), bf16.size() * 2).isOk());
    QVERIFY(w.add("d.i64", DType::I64, {4, 1}, i64.data(), i64.size() * 8).isOk());
    QVERIFY(w.add("e.empty", DType::F32, {0, 3}, nullptr, 0).isOk());
    QVERIFY(w.add("f.bool", DType::Bool, {3}, boolean.data(), boolean.size()).isOk());
    QVERIFY(w.add("g.scalar", DType::F32, {}, scalar.data(), 4).isOk());
    QVERIFY(w.contains("c.bf16"));
    QVERIFY(!w.contains("zzz"));

    const QString file = path("roundtrip.safetensors");
    const Status written = w.write(str(file));
    QVERIFY2(written.isOk(), written.message().c_str());

    auto opened = SafeTensorsFile::open(str(file));
    QVERIFY2(opened.isOk(), opened.status().message().c_str());
    const SafeTensorsFile& f = *opened;
    QCOMPARE(f.path(), str(file));
    QCOMPARE(f.metadata().size(), std::size_t(2));
    QCOMPARE(f.metadata().at("format"), std::string("pt"));
    QCOMPARE(f.metadata().at("note"), std::string("h\xc3\xa9llo \xe2\x9c\x93 \"quoted\"\n"));

    struct Expect {
        const char* name;
        DType dtype;
        std::vector<std::int64_t> shape;
        QByteArray bytes;
    };
    const std::vector<Expect> expected = {
        {"a.f32", DType::F32, {2, 3}, bytesOf(f32)},
        {"b.f16", DType::F16, {4}, bytesOf(f16)},
        {"c.bf16", DType::BF16, {2, 2}, bytesOf(bf16)},
        {"d.i64", DType::I64, {4, 1}, bytesOf(i64)},
        {"e.empty", DType::F32, {0, 3}, QByteArray()},
        {"f.bool", DType::Bool, {3}, bytesOf(boolean)},
        {"g.scalar", DType::F32, {}, bytesOf(scalar)},
    };
    QCOMPARE(f.tensors().size(), expected.size());
    // Laid out in insertion order; tensors() is sorted by offset, so the order is the same.
    std::uint64_t previousBegin = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const TensorEntry& e = f.tensors()[i];
        QCOMPARE(e.name, std::string(expected[i].name));
        QVERIFY(e.begin >= previousBegin);
        previousBegin = e.begin;
        const TensorEntry* found = f.find(expected[i].name);
        QVERIFY(found == &e);
        QCOMPARE(int(e.dtype), int(expected[i].dtype));
        QCOMPARE(e.shape, expected[i].shape);
        QCOMPARE(qint64(e.end - e.begin), qint64(expected[i].bytes.size()));
        auto bytes = f.read(e.name);
        QVERIFY2(bytes.isOk(), bytes.status().message().c_str());
        QCOMPARE(toQ(*bytes), expected[i].bytes);
    }
    QCOMPARE(f.find("g.scalar")->numel(), std::int64_t(1));
    QCOMPARE(f.find("e.empty")->numel(), std::int64_t(0));
    QVERIFY(f.find("missing") == nullptr);
    auto missing = f.read("missing");
    QVERIFY(!missing.isOk());
    QVERIFY(QString::fromStdString(missing.status().message()).contains("missing"));
}

void TestSafeTensors::headerIsAligned() {
    // Header sizes 1..16 bytes apart: every one must come out padded to a multiple of 8.
    for (int extra = 0; extra < 9; ++extra) {
        SafeTensorsWriter w;
        const std::string name = "t" + std::string(std::size_t(extra), 'x');
        const float v = 1.0f;
        QVERIFY(w.add(name, DType::F32, {1}, &v, 4).isOk());
        const QString file = path(QStringLiteral("aligned%1.safetensors").arg(extra));
        QVERIFY(w.write(str(file)).isOk());
        const QByteArray raw = testutil::readAll(file);
        QVERIFY(raw.size() >= 8);
        quint64 n = 0;
        for (int i = 7; i >= 0; --i)
            n = (n << 8) | static_cast<unsigned char>(raw[i]);
        QCOMPARE(n % 8, quint64(0));
        QCOMPARE(quint64(raw.size()), 8 + n + 4);
        const QByteArray header = raw.mid(8, int(n));
        QVERIFY(header.startsWith('{'));
        QVERIFY(header.trimmed().endsWith('}'));
        auto f = SafeTensorsFile::open(str(file));
        QVERIFY(f.isOk());
        QCOMPARE(f->dataOffset(), 8 + n);
        QCOMPARE(f->dataOffset() % 8, quint64(0));
    }
}

void TestSafeTensors::emptyFileRoundTrip() {
    SafeTensorsWriter w;
    const QString file = path("empty.safetensors");
    QVERIFY(w.write(str(file)).isOk());
    auto f = SafeTensorsFile::open(str(file));
    QVERIFY2(f.isOk(), f.status().message().c_str());
    QVERIFY(f->tensors().empty());
    QVERIFY(f->metadata().empty());
}

void TestSafeTensors::atomicWriteReplacesAndLeavesNoTemp() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath("model.safetensors");
    QVERIFY(testutil::writeAll(file, "old content that is not a safetensors file"));
    QCOMPARE(entriesOf(dir.path()), QStringList{"model.safetensors"});
    QVERIFY(::chmod(QFile::encodeName(file).constData(), 0640) == 0);

    SafeTensorsWriter w;
    const std::vector<float> v = {1, 2, 3, 4};
    QVERIFY(w.add("w", DType::F32, {4}, v.data(), 16).isOk());
    const Status st = w.write(str(file));
    QVERIFY2(st.isOk(), st.message().c_str());
    QCOMPARE(entriesOf(dir.path()), QStringList{"model.safetensors"});
    auto f = SafeTensorsFile::open(str(file));
    QVERIFY2(f.isOk(), f.status().message().c_str());
    QCOMPARE(toQ(*f->read("w")), bytesOf(v));
    struct stat sb {};
    QCOMPARE(::stat(QFile::encodeName(file).constData(), &sb), 0);
    QCOMPARE(int(sb.st_mode & 0777), 0640); // the replaced file's permissions are kept

    // A new file gets 0666 & ~umask, not mkstemp's 0600.
    const QString fresh = dir.filePath("fresh.safetensors");
    QVERIFY(w.write(str(fresh)).isOk());
    const mode_t mask = ::umask(022);
    ::umask(mask);
    QCOMPARE(::stat(QFile::encodeName(fresh).constData(), &sb), 0);
    QCOMPARE(int(sb.st_mode & 0777), int(0666 & ~mask));
    QCOMPARE(entriesOf(dir.path()), (QStringList{"fresh.safetensors", "model.safetensors"}));
}

void TestSafeTensors::atomicWriteHasNoNameWhileWriting() {
    // While the writer runs (where a SIGKILL would leave whatever has a name) the folder holds
    // only what was there before: the file being written has no name yet (O_TMPFILE).
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const int probe = ::open(QFile::encodeName(dir.path()).constData(), O_TMPFILE | O_WRONLY, 0600);
    if (probe < 0) // e.g. overlayfs before Linux 6.6: the hidden mkstemp file instead
        QSKIP("the file system of the temporary folder has no O_TMPFILE");
    ::close(probe);
    const QString old = dir.filePath("old.png"), fresh = dir.filePath("new.png");
    QVERIFY(testutil::writeAll(old, "old bytes"));
    for (const QString& target : {old, fresh}) {
        QStringList seen;
        const Status st = writeFileAtomically(str(target), [&](std::FILE* f) -> Status {
            std::fputs("new bytes", f);
            std::fflush(f);
            seen = entriesOf(dir.path());
            return Status::ok();
        });
        QVERIFY2(st.isOk(), st.message().c_str());
        QCOMPARE(seen, QStringList{"old.png"});
        QCOMPARE(testutil::readAll(target), QByteArray("new bytes"));
    }
    QCOMPARE(entriesOf(dir.path()), (QStringList{"new.png", "old.png"}));
}

void TestSafeTensors::atomicWriteFailureKeepsOldFile_data() {
    QTest::addColumn<int>("mode");
    QTest::addColumn<StatusCode>("code");
    QTest::newRow("writer returns Cancelled") << 0 << StatusCode::Cancelled;
    QTest::newRow("writer returns IoError") << 1 << StatusCode::IoError;
    QTest::newRow("writer throws") << 2 << StatusCode::Internal;
}

void TestSafeTensors::atomicWriteFailureKeepsOldFile() {
    QFETCH(int, mode);
    QFETCH(StatusCode, code);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath("out.bin");
    QVERIFY(testutil::writeAll(file, "previous"));
    const Status st = writeFileAtomically(str(file), [mode](std::FILE* f) -> Status {
        std::fputs("partial data", f);
        if (mode == 0)
            return Status::error(StatusCode::Cancelled, "cancelled by the user");
        if (mode == 1)
            return Status::error(StatusCode::IoError, "disk full (simulated)");
        throw std::runtime_error("boom");
    });
    QVERIFY(!st.isOk());
    QCOMPARE(st.code(), code);
    QCOMPARE(testutil::readAll(file), QByteArray("previous"));
    QCOMPARE(entriesOf(dir.path()), QStringList{"out.bin"});
}

void TestSafeTensors::writeIntoMissingFolder() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath("no/such/folder/model.safetensors");
    SafeTensorsWriter w;
    const float v = 1.0f;
    QVERIFY(w.add("w", DType::F32, {1}, &v, 4).isOk());
    const Status st = w.write(str(file));
    QVERIFY(!st.isOk());
    QCOMPARE(st.code(), StatusCode::IoError);
    QVERIFY2(QString::fromStdString(st.message()).contains("No such file or directory"),
             st.message().c_str());
    QVERIFY(!QFileInfo::exists(file));
    QVERIFY(entriesOf(dir.path()).isEmpty());
    QVERIFY(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot).isEmpty());
}

void TestSafeTensors::writerRejects_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QList<qint64>>("shape");
    QTest::addColumn<int>("bytes");
    QTest::addColumn<QString>("word");
    QTest::newRow("duplicate name") << "dup" << QList<qint64>{2} << 8 << "already";
    QTest::newRow("bytes != numel * size") << "x" << QList<qint64>{2, 2} << 12 << "needs 16 bytes";
    QTest::newRow("negative dim") << "x" << QList<qint64>{-1} << 0 << "negative";
    QTest::newRow("empty name") << "" << QList<qint64>{1} << 4 << "empty";
    QTest::newRow("reserved name") << "__metadata__" << QList<qint64>{1} << 4 << "reserved";
    QTest::newRow("overflow") << "x" << QList<qint64>{1ll << 40, 1ll << 40} << 0 << "too many";
}

void TestSafeTensors::writerRejects() {
    QFETCH(QString, name);
    QFETCH(QList<qint64>, shape);
    QFETCH(int, bytes);
    QFETCH(QString, word);
    SafeTensorsWriter w;
    const std::vector<float> v(8, 0.0f);
    QVERIFY(w.add("dup", DType::F32, {2}, v.data(), 8).isOk());
    const std::vector<std::int64_t> s(shape.begin(), shape.end());
    const Status st = w.add(str(name), DType::F32, s, v.data(), std::size_t(bytes));
    QVERIFY(!st.isOk());
    QCOMPARE(st.code(), StatusCode::InvalidArgument);
    QVERIFY2(QString::fromStdString(st.message()).contains(word), st.message().c_str());
    QVERIFY(w.contains("dup"));
}

void TestSafeTensors::notFound() {
    auto f = SafeTensorsFile::open(str(path("does-not-exist.safetensors")));
    QVERIFY(!f.isOk());
    QCOMPARE(f.status().code(), StatusCode::NotFound);
    QVERIFY(QString::fromStdString(f.status().message()).contains("does-not-exist"));
    auto d = SafeTensorsFile::open(str(tmp_.path()));
    QVERIFY(!d.isOk());
    QCOMPARE(d.status().code(), StatusCode::InvalidFile);
}

void TestSafeTensors::readChecksDestination() {
    SafeTensorsWriter w;
    const std::vector<float> v = {1, 2, 3};
    QVERIFY(w.add("w", DType::F32, {3}, v.data(), 12).isOk());
    const QString file = path("dst.safetensors");
    QVERIFY(w.write(str(file)).isOk());
    auto f = SafeTensorsFile::open(str(file));
    QVERIFY(f.isOk());
    float out[4] = {0, 0, 0, 0};
    const Status small = f->read(*f->find("w"), out, 8);
    QCOMPARE(small.code(), StatusCode::InvalidArgument);
    const Status large = f->read(*f->find("w"), out, 16);
    QCOMPARE(large.code(), StatusCode::InvalidArgument);
    QVERIFY(f->read(*f->find("w"), out, 12).isOk());
    QCOMPARE(out[2], 3.0f);

    // The file shrinks after opening: read reports it instead of returning garbage.
    QFile::resize(file, QFileInfo(file).size() - 4);
    const Status shrunk = f->read(*f->find("w"), out, 12);
    QVERIFY(!shrunk.isOk());
    QCOMPARE(shrunk.code(), StatusCode::IoError);
}

void TestSafeTensors::malformed_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("word");

    const QByteArray data8(8, '\x01'), data12(12, '\x02'), data20(20, '\x03');
    const auto entry = [](const char* name, const char* dtype, const char* shape,
                          const char* offsets) {
        return QByteArray("\"") + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape +
               ",\"data_offsets\":" + offsets + "}";
    };

    QTest::newRow("file of 3 bytes") << QByteArray("abc") << "too small";
    QTest::newRow("header length 0") << rawFile(0, "", "") << "header length is 0";
    QTest::newRow("header length larger than file")
        << rawFile(1000, "{}", data8) << "larger than the rest of the file";
    QTest::newRow("header length 2^63") << rawFile(1ull << 63, "{}", "") << "exceeds the limit";
    QTest::newRow("invalid JSON") << stFile("{\"a\": {\"dtype\": ", "") << "not valid JSON";
    QTest::newRow("invalid UTF-8 in header") << stFile("{\"\xff\xfe\":{}}", "") << "not valid JSON";
    QTest::newRow("header is an array") << stFile("[1, 2, 3]", "") << "must be a JSON object";
    QTest::newRow("entry is not an object") << stFile("{\"a\": 5}", "") << "JSON object";
    QTest::newRow("unknown dtype F31")
        << stFile("{" + entry("a", "F31", "[2]", "[0,8]") + "}", data8) << "unknown dtype";
    QTest::newRow("dtype not a string")
        << stFile("{\"a\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", data8) << "dtype";
    QTest::newRow("unsupported dtype U32")
        << stFile("{" + entry("a", "U32", "[2]", "[0,8]") + "}", data8) << "does not support";
    QTest::newRow("negative dim") << stFile("{" + entry("a", "F32", "[2,-3]", "[0,8]") + "}", data8)
                                  << "negative dimension";
    QTest::newRow("shape not an array")
        << stFile("{" + entry("a", "F32", "2", "[0,8]") + "}", data8) << "shape";
    QTest::newRow("shape holds a float")
        << stFile("{" + entry("a", "F32", "[2.5]", "[0,8]") + "}", data8) << "shape";
    QTest::newRow("numel overflow")
        << stFile("{" + entry("a", "F32", "[4294967296,4294967296]", "[0,8]") + "}", data8)
        << "overflows";
    QTest::newRow("shape/bytes mismatch")
        << stFile("{" + entry("unet.out.2.weight", "F32", "[2,2]", "[0,12]") + "}", data12)
        << "needs 16 bytes (shape [2, 2], F32) but its data_offsets span 12";
    QTest::newRow("end before begin")
        << stFile("{" + entry("a", "F32", "[2]", "[8,0]") + "}", data8) << "before";
    QTest::newRow("negative offset")
        << stFile("{" + entry("a", "F32", "[2]", "[-8,0]") + "}", data8) << "negative";
    QTest::newRow("data_offsets with three numbers")
        << stFile("{" + entry("a", "F32", "[2]", "[0,8,8]") + "}", data8) << "data_offsets";
    QTest::newRow("offsets beyond file (hand-made)")
        << stFile("{" + entry("a", "F32", "[2]", "[1000,1008]") + "}", data8) << "truncated";
    QTest::newRow("offsets near 2^64")
        << stFile("{" + entry("a", "U8", "[8]", "[18446744073709551607,18446744073709551615]") +
                      "}",
                  data8)
        << "truncated";
    {
        // A good file written by the writer, then cut: the classic truncated download.
        SafeTensorsWriter w;
        const std::vector<float> v(64, 1.0f);
        QVERIFY(w.add("a", DType::F32, {64}, v.data(), 256).isOk());
        QVERIFY(w.add("b", DType::F32, {8, 8}, v.data(), 256).isOk());
        const QString good = path("to-truncate.safetensors");
        QVERIFY(w.write(str(good)).isOk());
        const QByteArray full = testutil::readAll(good);
        QVERIFY(SafeTensorsFile::open(str(good)).isOk());
        QTest::newRow("truncated file") << full.left(full.size() - 100) << "file is truncated";
        QTest::newRow("truncated inside header") << full.left(20) << "larger than the rest";
    }
    QTest::newRow("overlapping ranges") << stFile("{" + entry("a", "F32", "[2]", "[0,8]") + "," +
                                                      entry("b", "F32", "[2]", "[4,12]") + "}",
                                                  data12)
                                        << "overlap";
    QTest::newRow("gap not covered") << stFile("{" + entry("a", "F32", "[2]", "[0,8]") + "," +
                                                   entry("b", "F32", "[2]", "[12,20]") + "}",
                                               data20)
                                     << "gap";
    QTest::newRow("gap at the start")
        << stFile("{" + entry("a", "F32", "[2]", "[4,12]") + "}", data12) << "gap";
    QTest::newRow("trailing bytes not covered")
        << stFile("{" + entry("a", "F32", "[2]", "[0,8]") + "}", data12) << "belong to no tensor";
    QTest::newRow("metadata value not a string")
        << stFile("{\"__metadata__\":{\"k\":1}," + entry("a", "F32", "[2]", "[0,8]") + "}", data8)
        << "strings";
    QTest::newRow("metadata not an object")
        << stFile("{\"__metadata__\":[1]," + entry("a", "F32", "[2]", "[0,8]") + "}", data8)
        << "__metadata__";
    QTest::newRow("missing data_offsets")
        << stFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", data8) << "data_offsets";
    QTest::newRow("missing dtype")
        << stFile("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", data8) << "dtype";
    QTest::newRow("duplicate name") << stFile("{" + entry("a", "F32", "[2]", "[0,8]") + "," +
                                                  entry("a", "F32", "[2]", "[8,16]") + "}",
                                              data8 + data8)
                                    << "twice";
}

void TestSafeTensors::malformed() {
    QFETCH(QByteArray, bytes);
    QFETCH(QString, word);
    const QString file = path(QStringLiteral("bad-%1.safetensors")
                                  .arg(QTest::currentDataTag())
                                  .replace(QRegularExpression("[^A-Za-z0-9.-]"), "_"));
    QVERIFY(testutil::writeAll(file, bytes));
    auto f = SafeTensorsFile::open(str(file));
    QVERIFY(!f.isOk());
    const QString message = QString::fromStdString(f.status().message());
    const StatusCode expected =
        word == "does not support" ? StatusCode::Unsupported : StatusCode::InvalidFile;
    QVERIFY2(f.status().code() == expected, qPrintable(message));
    QVERIFY2(message.contains(word), qPrintable(message));
    QVERIFY2(message.contains(QFileInfo(file).fileName()), qPrintable(message));
}

void TestSafeTensors::limits() {
    SafeTensorsWriter w;
    const std::vector<float> v(4, 0.0f);
    QVERIFY(w.add("a", DType::F32, {2}, v.data(), 8).isOk());
    QVERIFY(w.add("b", DType::F32, {2}, v.data(), 8).isOk());
    const QString file = path("limits.safetensors");
    QVERIFY(w.write(str(file)).isOk());
    SafeTensorsFile::Limits few;
    few.maxTensors = 1;
    auto f = SafeTensorsFile::open(str(file), few);
    QVERIFY(!f.isOk());
    QCOMPARE(f.status().code(), StatusCode::InvalidFile);
    QVERIFY(QString::fromStdString(f.status().message()).contains("limit"));
    SafeTensorsFile::Limits small;
    small.maxHeaderBytes = 16;
    auto g = SafeTensorsFile::open(str(file), small);
    QVERIFY(!g.isOk());
    QVERIFY(QString::fromStdString(g.status().message()).contains("exceeds the limit"));
}

void TestSafeTensors::openMemory() {
    SafeTensorsWriter w;
    const std::vector<float> v = {1, 2, 3, 4, 5, 6};
    QVERIFY(w.add("w", DType::F32, {2, 3}, v.data(), 24).isOk());
    QVERIFY(w.add("b", DType::F32, {0}, nullptr, 0).isOk());
    w.setMetadata("k", "v");
    const QString file = path("memory.safetensors");
    QVERIFY(w.write(str(file)).isOk());
    const QByteArray bytes = testutil::readAll(file);

    auto m =
        SafeTensorsFile::openMemory(bytes.constData(), std::size_t(bytes.size()), "embedded:test");
    QVERIFY2(m.isOk(), m.status().message().c_str());
    QCOMPARE(m->path(), std::string("embedded:test"));
    QCOMPARE(m->metadata().at("k"), std::string("v"));
    QCOMPARE(toQ(*m->read("w")), bytesOf(v));
    QVERIFY(m->read("b")->empty());

    // The same validation as for files, with the name in the message.
    auto cut = SafeTensorsFile::openMemory(bytes.constData(), std::size_t(bytes.size() - 4),
                                           "embedded:test");
    QVERIFY(!cut.isOk());
    QCOMPARE(cut.status().code(), StatusCode::InvalidFile);
    QVERIFY(QString::fromStdString(cut.status().message()).startsWith("embedded:test: "));
    QVERIFY(QString::fromStdString(cut.status().message()).contains("truncated"));
    auto tiny = SafeTensorsFile::openMemory(bytes.constData(), 3, "embedded:tiny");
    QCOMPARE(tiny.status().code(), StatusCode::InvalidFile);
    auto null = SafeTensorsFile::openMemory(nullptr, 16, "embedded:null");
    QCOMPARE(null.status().code(), StatusCode::InvalidArgument);
}

void TestSafeTensors::realFixture() {
    const QString file = testutil::fixtureDir() + "/resshift-tiny/unet.safetensors";
    SHIFTSR_REQUIRE_FIXTURE(file);
    auto f = SafeTensorsFile::open(str(file));
    QVERIFY2(f.isOk(), f.status().message().c_str());
    QVERIFY(f->tensors().size() > 0);
    const TensorEntry* w = f->find("input_blocks.0.0.weight");
    QVERIFY(w != nullptr);
    QCOMPARE(w->shape.size(), std::size_t(4));
    QCOMPARE(int(w->dtype), int(DType::F32));
    auto bytes = f->read(w->name);
    QVERIFY(bytes.isOk());
    QCOMPARE(bytes->size(), std::size_t(w->numel()) * 4);
    for (std::size_t i = 1; i < f->tensors().size(); ++i)
        QVERIFY(f->tensors()[i - 1].end <= f->tensors()[i].begin);
    QCOMPARE(f->tensors().back().end + f->dataOffset(), quint64(QFileInfo(file).size()));
}

// FIPS 180-4 / NIST test vectors for the hash that names packages in provenance: the empty
// message, "abc", the two-block 448-bit message, a million 'a' (fed in uneven pieces), and the
// file path (sha256File) on the same bytes.
void TestSafeTensors::sha256KnownAnswers_data() {
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QString>("digest");
    QTest::newRow("empty") << QByteArray()
                           << "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    QTest::newRow("abc") << QByteArray("abc")
                         << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    QTest::newRow("448 bits") << QByteArray(
                                     "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                              << "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
    QTest::newRow("a million a")
        << QByteArray(1000000, 'a')
        << "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
}

void TestSafeTensors::sha256KnownAnswers() {
    QFETCH(QByteArray, message);
    QFETCH(QString, digest);
    Sha256 whole;
    whole.update(message.constData(), std::size_t(message.size()));
    QCOMPARE(QString::fromStdString(whole.hexDigest()), digest);
    Sha256 pieces;
    for (qsizetype at = 0, step = 1; at < message.size(); at += step, step = step * 3 % 997 + 1)
        pieces.update(message.constData() + at,
                      std::size_t(std::min<qsizetype>(step, message.size() - at)));
    QCOMPARE(QString::fromStdString(pieces.hexDigest()), digest);
    QTemporaryDir dir;
    QVERIFY(testutil::writeAll(dir.filePath("m"), message));
    QCOMPARE(QString::fromStdString(sha256File(dir.filePath("m").toStdString())), digest);
}

QTEST_GUILESS_MAIN(TestSafeTensors)
#include "tst_safetensors.moc"
