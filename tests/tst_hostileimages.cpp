// Hostile image inputs, every file made here: byte-flipped and truncated JPEG/PNG/WebP/TIFF/BMP
// (damage a decoder reports is never accepted silently), headers claiming more pixels than the
// file can hold (refused in milliseconds), FIFOs, devices and folders (refused, never blocking),
// --accept-damaged (decoded, with a warning), and no library chatter on the CLI's stderr.
#include "testutil.h"

#include "shiftsr/engine/image_io.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>

#include <sys/stat.h>
#include <sys/types.h>

using namespace shiftsr;

Q_DECLARE_METATYPE(shiftsr::StatusCode)

namespace {

// Texture with edges and gradients, so that flipped entropy-coded bits land in real detail.
cv::Mat picture(int w = 96, int h = 64) {
    cv::Mat m(h, w, CV_8UC3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            auto* p = m.ptr<std::uint8_t>(y) + 3 * x;
            p[0] = static_cast<std::uint8_t>((x * 5 + y * 3) % 256);
            p[1] = static_cast<std::uint8_t>(((x / 8 + y / 8) % 2) * 200 + 20);
            p[2] = static_cast<std::uint8_t>((x * y) % 251);
        }
    return m;
}

QByteArray encoded(const char* ext, const cv::Mat& m, const std::vector<int>& params = {}) {
    std::vector<uchar> buf;
    if (!cv::imencode(ext, m, buf, params))
        return {};
    return QByteArray(reinterpret_cast<const char*>(buf.data()), int(buf.size()));
}

quint32 crc32(const QByteArray& bytes) {
    quint32 crc = 0xFFFFFFFFu;
    for (char c : bytes) {
        crc ^= static_cast<quint8>(c);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

QByteArray be32(quint32 v) {
    QByteArray b(4, '\0');
    for (int i = 0; i < 4; ++i)
        b[i] = static_cast<char>(v >> (24 - 8 * i));
    return b;
}

// A PNG chunk with its length and CRC (a wrong CRC when `badCrc`).
QByteArray pngChunk(const QByteArray& type, const QByteArray& data, bool badCrc = false) {
    return be32(quint32(data.size())) + type + data + be32(crc32(type + data) ^ (badCrc ? 1 : 0));
}

// `png` with `chunk` inserted before IEND (after IHDR when `early`).
QByteArray withChunk(const QByteArray& png, const QByteArray& chunk, bool early = false) {
    const int at = early ? 8 + 25 : png.size() - 12;
    return png.left(at) + chunk + png.mid(at);
}

// An RGB PNG with a bogus ICC profile (136 bytes claiming gray samples): libpng's colour-profile
// checks warn about the iCCP chunk (libpng 1.6.39: "iCCP: too short"), the same family as
// "iCCP: known incorrect sRGB profile"; the pixels are fine. OpenCV's decoder printed it.
QByteArray pngWithWrongProfile(int w = 96, int h = 64) {
    QByteArray icc(136, '\0');
    auto put = [&](int at, const QByteArray& b) { icc.replace(at, b.size(), b); };
    put(0, be32(136));
    put(8, be32(0x02100000)); // version 2.1
    put(12, "mntr");
    put(16, "GRAY");
    put(20, "XYZ ");
    put(36, "acsp");
    put(68, be32(0x0000F6D6)); // D50
    put(72, be32(0x00010000));
    put(76, be32(0x0000D32D));
    const QByteArray z = qCompress(icc).mid(4); // qCompress prefixes the length: a zlib stream
    const QByteArray data = QByteArray("ICC profile") + QByteArray(2, '\0') + z;
    return withChunk(encoded(".png", picture(w, h)), pngChunk("iCCP", data), true);
}

// Two stray bytes before the quantisation tables (marker 0xdb): libjpeg skips them with a
// "Corrupt JPEG data" warning.
QByteArray jpegWithGarbage(const QByteArray& jpeg) {
    const int dqt = jpeg.indexOf(QByteArray::fromHex("FFDB"));
    return jpeg.left(dqt) + "xx" + jpeg.mid(dqt);
}

// Sets the 16-bit big-endian value at `at`.
void putBe16(QByteArray& b, int at, int v) {
    b[at] = static_cast<char>(v >> 8);
    b[at + 1] = static_cast<char>(v & 0xFF);
}

// A JPEG whose frame header (SOF0) claims w x h.
QByteArray jpegClaiming(const QByteArray& jpeg, int w, int h) {
    QByteArray b = jpeg;
    const int sof = b.indexOf(QByteArray::fromHex("FFC0"));
    if (sof < 0)
        return {};
    putBe16(b, sof + 5, h);
    putBe16(b, sof + 7, w);
    return b;
}

// A PNG whose IHDR claims w x h (CRC fixed, so only the claim is wrong).
QByteArray pngClaiming(const QByteArray& png, quint32 w, quint32 h) {
    QByteArray ihdr = png.mid(12, 17);
    ihdr.replace(4, 4, be32(w));
    ihdr.replace(8, 4, be32(h));
    return png.left(12) + ihdr + be32(crc32(ihdr)) + png.mid(33);
}

// A little-endian TIFF's IFD0 width and height set to w x h.
QByteArray tiffClaiming(const QByteArray& tiff, quint32 w, quint32 h) {
    QByteArray b = tiff;
    auto le = [&](int at, int n) {
        quint32 v = 0;
        for (int i = n - 1; i >= 0; --i)
            v = (v << 8) | static_cast<quint8>(b[at + i]);
        return v;
    };
    if (!b.startsWith("II*"))
        return {};
    const int ifd = int(le(4, 4));
    const int count = int(le(ifd, 2));
    for (int i = 0; i < count; ++i) {
        const int e = ifd + 2 + 12 * i;
        const quint32 tag = le(e, 2), type = le(e + 2, 2);
        if (tag != 256 && tag != 257)
            continue;
        const quint32 v = tag == 256 ? w : h;
        for (int k = 0; k < (type == 3 ? 2 : 4); ++k)
            b[e + 8 + k] = static_cast<char>(v >> (8 * k));
    }
    return b;
}

// The byte-flipped batch: each file gets one flip (xor with a varying mask), a quarter in the
// first 64 bytes (headers, tables), the rest spread over the whole file (entropy-coded data).
QVector<QByteArray> flipped(const QByteArray& original, int count, quint32 seed) {
    QVector<QByteArray> out;
    for (int i = 0; i < count; ++i) {
        seed = seed * 1664525u + 1013904223u;
        const int span = i % 4 == 0 ? std::min(64, int(original.size())) : int(original.size());
        const int at = 2 + int((seed >> 8) % quint32(span - 2)); // keep the magic bytes
        QByteArray b = original;
        b[at] = static_cast<char>(b[at] ^ static_cast<char>(1 + (seed >> 24) % 255));
        out.push_back(b);
    }
    return out;
}

int occurrences(const QString& text, const QString& word) {
    return text.count(word);
}

struct Run {
    int code = -1;
    qint64 ms = 0;
    QByteArray out, err;
};

Run cli(const QStringList& args, int timeoutMs = 60000) {
    QProcess p;
    QElapsedTimer t;
    t.start();
    p.start(QStringLiteral(SHIFTSR_CLI_PATH), args);
    Run r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.ms = t.elapsed();
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

} // namespace

class TestHostileImages : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    QString write(const QString& name, const QByteArray& bytes) {
        const QString path = dir_.filePath(name);
        if (!testutil::writeAll(path, bytes))
            return {};
        return path;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    // Every flipped file the decoder reports as damaged is refused by default, and decoded with
    // a warning when damage is accepted; a file read without complaint is the same either way.
    // The counts go to the log (qInfo): the files that no decoder can tell from intact ones
    // (a flipped bit that still decodes, BMP samples) are the only ones accepted.
    void byteFlippedNeverSilent_data() {
        QTest::addColumn<QString>("ext");
        QTest::addColumn<QByteArray>("original");
        const cv::Mat m = picture();
        QTest::newRow("jpeg") << "jpg" << encoded(".jpg", m, {cv::IMWRITE_JPEG_QUALITY, 90});
        QTest::newRow("jpeg progressive")
            << "jpg" << encoded(".jpg", m, {cv::IMWRITE_JPEG_PROGRESSIVE, 1});
        QTest::newRow("png") << "png" << encoded(".png", m);
        QTest::newRow("webp lossy")
            << "webp" << encoded(".webp", m, {cv::IMWRITE_WEBP_QUALITY, 90});
        QTest::newRow("webp lossless")
            << "webp" << encoded(".webp", m, {cv::IMWRITE_WEBP_QUALITY, 101});
        QTest::newRow("tiff") << "tif" << encoded(".tif", m);
        QTest::newRow("bmp") << "bmp" << encoded(".bmp", m);
    }
    void byteFlippedNeverSilent() {
        QFETCH(QString, ext);
        QFETCH(QByteArray, original);
        QVERIFY(!original.isEmpty());
        const QString path = dir_.filePath("flipped." + ext);
        ImageReadOptions accept;
        accept.acceptDamaged = true;
        int refused = 0, accepted = 0, warned = 0;
        const auto files = flipped(original, 60, quint32(qHash(ext) ^ original.size()));
        for (int i = 0; i < files.size(); ++i) {
            QVERIFY(testutil::writeAll(path, files[i]));
            const auto strict = ImageIO::read(path.toStdString());
            const auto lenient = ImageIO::read(path.toStdString(), accept);
            if (lenient && !lenient->warnings.empty()) {
                ++warned;
                QVERIFY2(!strict, qPrintable(QStringLiteral("flip %1: the decoder warned (%2) "
                                                            "but the file was accepted")
                                                 .arg(i)
                                                 .arg(lenient->warnings[0].c_str())));
                QVERIFY(QString::fromStdString(lenient->warnings[0]).startsWith("damaged "));
            }
            if (strict) {
                ++accepted;
                QVERIFY(lenient && lenient->warnings.empty());
            } else {
                ++refused;
                const QString msg = QString::fromStdString(strict.status().message());
                QCOMPARE(occurrences(msg, path), 1); // the file, named once
                QVERIFY2(!msg.contains('\n'), qPrintable(msg));
            }
        }
        qInfo("%s: %d flipped files: %d refused (%d decodable with --accept-damaged, with a "
              "warning), %d accepted (no decoder complaint)",
              QTest::currentDataTag(), int(files.size()), refused, warned, accepted);
    }

    void truncated_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expect");
        const cv::Mat m = picture();
        const QByteArray jpeg = encoded(".jpg", m), png = encoded(".png", m),
                         webp = encoded(".webp", m), tiff = encoded(".tif", m),
                         bmp = encoded(".bmp", m);
        // Cut inside the scan and closed with an end-of-image marker: the structure is whole,
        // the data is not (libjpeg: "premature end of data segment").
        QTest::newRow("jpeg cut, EOI appended")
            << "cut.jpg" << jpeg.left(jpeg.size() * 3 / 4) + QByteArray::fromHex("FFD9")
            << "damaged JPEG data (libjpeg: ";
        QTest::newRow("jpeg half") << "half.jpg" << jpeg.left(jpeg.size() / 2) << "truncated";
        QTest::newRow("png half") << "half.png" << png.left(png.size() / 2) << "truncated";
        // The IDAT chunk shortened (length and CRC fixed) and IEND kept: zlib runs out of data.
        QByteArray shortIdat = png;
        {
            const int at = png.indexOf("IDAT") - 4;
            const QByteArray data = png.mid(at + 8, 40);
            shortIdat = png.left(at) + pngChunk("IDAT", data) + png.right(12);
        }
        QTest::newRow("png IDAT short") << "shortidat.png" << shortIdat << "PNG data";
        QTest::newRow("webp half") << "half.webp" << webp.left(webp.size() / 2) << "truncated";
        QTest::newRow("tiff half") << "half.tif" << tiff.left(tiff.size() / 2) << "TIFF";
        QTest::newRow("bmp half") << "half.bmp" << bmp.left(bmp.size() / 2) << "truncated";
    }
    void truncated() {
        QFETCH(QString, name);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expect);
        const QString path = write(name, bytes);
        const auto r = ImageIO::read(path.toStdString());
        QVERIFY(!r);
        QCOMPARE(r.status().code(), StatusCode::InvalidFile);
        const QString msg = QString::fromStdString(r.status().message());
        QVERIFY2(msg.contains(expect), qPrintable(msg));
        QCOMPARE(occurrences(msg, path), 1);
    }

    // Headers that claim more pixels than the file's bytes can hold, within --max-pixels:
    // refused from the header, before a decoder allocates the image.
    void claimsTooMuch_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("claim");
        const cv::Mat m = picture(64, 48);
        const QByteArray jpeg = encoded(".jpg", m, {cv::IMWRITE_JPEG_QUALITY, 30});
        cv::Mat gray;
        cv::extractChannel(m, gray, 1);
        const QByteArray grayJpeg = encoded(".jpg", gray);
        const QByteArray progressive = encoded(".jpg", m, {cv::IMWRITE_JPEG_PROGRESSIVE, 1});
        const QByteArray png = encoded(".png", m);
        const QByteArray tiffLzw = encoded(".tif", m);
        const QByteArray tiffRaw = encoded(".tif", m, {cv::IMWRITE_TIFF_COMPRESSION, 1});
        QVERIFY(jpeg.size() < 1200); // the case: a file under a kilobyte or so
        QTest::newRow("jpeg 3000x3000")
            << "claim3k.jpg" << jpegClaiming(jpeg, 3000, 3000) << "3000x3000";
        QTest::newRow("jpeg 14000x14000")
            << "claim14k.jpg" << jpegClaiming(jpeg, 14000, 14000) << "14000x14000";
        QTest::newRow("gray jpeg 10000x10000")
            << "claimgray.jpg" << jpegClaiming(grayJpeg, 10000, 10000) << "10000x10000";
        QVERIFY(progressive.indexOf(QByteArray::fromHex("FFC2")) > 0);
        QByteArray prog = progressive;
        {
            const int sof = prog.indexOf(QByteArray::fromHex("FFC2"));
            putBe16(prog, sof + 5, 9000);
            putBe16(prog, sof + 7, 9000);
        }
        QTest::newRow("progressive jpeg 9000x9000") << "claimprog.jpg" << prog << "9000x9000";
        QTest::newRow("png 14000x14000")
            << "claim.png" << pngClaiming(png, 14000, 14000) << "14000x14000";
        QTest::newRow("tiff lzw 14000x14000")
            << "claimlzw.tif" << tiffClaiming(tiffLzw, 14000, 14000) << "14000x14000";
        QTest::newRow("tiff uncompressed 1000x1000")
            << "claimraw.tif" << tiffClaiming(tiffRaw, 1000, 1000) << "1000x1000";
    }
    void claimsTooMuch() {
        QFETCH(QString, name);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, claim);
        QVERIFY(!bytes.isEmpty());
        const QString path = write(name, bytes);
        QElapsedTimer t;
        t.start();
        const auto r = ImageIO::read(path.toStdString());
        const qint64 ms = t.elapsed();
        QVERIFY(!r);
        QCOMPARE(r.status().code(), StatusCode::InvalidFile);
        const QString msg = QString::fromStdString(r.status().message());
        QVERIFY2(msg.contains("header claims " + claim + " pixels, more than"), qPrintable(msg));
        QCOMPARE(occurrences(msg, path), 1);
        QVERIFY2(ms < 200, qPrintable(QStringLiteral("%1 ms").arg(ms)));
    }

    // The bounds are floors no intact file goes below: the smallest honest files still read.
    void honestFilesPassTheBounds_data() {
        QTest::addColumn<QByteArray>("bytes");
        // Flat images compress best: the cases nearest the bounds.
        const cv::Mat flat(1024, 1024, CV_8UC3, cv::Scalar(0, 0, 0));
        QTest::newRow("flat jpeg") << encoded(".jpg", flat, {cv::IMWRITE_JPEG_QUALITY, 1});
        QTest::newRow("flat progressive jpeg")
            << encoded(".jpg", flat, {cv::IMWRITE_JPEG_PROGRESSIVE, 1});
        QTest::newRow("flat png") << encoded(".png", flat, {cv::IMWRITE_PNG_COMPRESSION, 9});
        QTest::newRow("flat tiff") << encoded(".tif", flat);
    }
    void honestFilesPassTheBounds() {
        QFETCH(QByteArray, bytes);
        const QString path = write("flat.img", bytes);
        const auto r = ImageIO::read(path.toStdString());
        QVERIFY2(r, r.status().message().c_str());
        QCOMPARE(r->color.cols, 1024);
        QVERIFY(r->warnings.empty());
    }

    void specialFiles_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expect");
        QTest::newRow("fifo") << "fifo"
                              << "FIFO";
        QTest::newRow("folder") << "folder"
                                << "folder";
        QTest::newRow("/dev/zero") << "/dev/zero"
                                   << "device";
    }
    void specialFiles() {
        QFETCH(QString, kind);
        QFETCH(QString, expect);
        QString path;
        if (kind == "fifo") {
            path = dir_.filePath("pipe.png");
            QVERIFY(::mkfifo(QFile::encodeName(path).constData(), 0600) == 0);
        } else if (kind == "folder") {
            path = dir_.filePath("folder.png");
            QVERIFY(QDir().mkpath(path));
        } else {
            path = kind;
            QVERIFY(QFileInfo::exists(path));
        }
        QElapsedTimer t;
        t.start();
        const auto r = ImageIO::read(path.toStdString());
        const auto p = ImageIO::probe(path.toStdString());
        QVERIFY(t.elapsed() < 1000);
        QVERIFY(!r && !p);
        QCOMPARE(r.status().code(), StatusCode::InvalidArgument);
        const QString msg = QString::fromStdString(r.status().message());
        QVERIFY2(msg.contains(expect) && msg.contains("not an image file"), qPrintable(msg));
        QCOMPARE(occurrences(msg, path), 1);
    }

    // The damage libjpeg and libpng report: refused with their words, or decoded with a warning.
    void acceptDamaged_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("damage");
        QTest::newRow("jpeg extraneous bytes")
            << "extra.jpg" << jpegWithGarbage(encoded(".jpg", picture()))
            << "damaged JPEG data (libjpeg: Corrupt JPEG data: 2 extraneous bytes before marker "
               "0xdb)";
        QTest::newRow("png text chunk crc")
            << "crc.png" << withChunk(encoded(".png", picture()), pngChunk("tEXt", "k\0v", true))
            << "damaged PNG data (libpng: tEXt: CRC error)";
    }
    void acceptDamaged() {
        QFETCH(QString, name);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, damage);
        const QString path = write(name, bytes);
        const auto strict = ImageIO::read(path.toStdString());
        QVERIFY(!strict);
        QCOMPARE(strict.status().code(), StatusCode::InvalidFile);
        const QString msg = QString::fromStdString(strict.status().message());
        QCOMPARE(msg, QStringLiteral("cannot decode '%1': %2").arg(path, damage));
        ImageReadOptions accept;
        accept.acceptDamaged = true;
        const auto lenient = ImageIO::read(path.toStdString(), accept);
        QVERIFY2(lenient, lenient.status().message().c_str());
        QCOMPARE(lenient->color.cols, 96);
        QCOMPARE(int(lenient->warnings.size()), 1);
        const QString warning = QString::fromStdString(lenient->warnings[0]);
        QVERIFY2(warning.contains(damage.mid(damage.indexOf('(')).chopped(1)), qPrintable(warning));
        QVERIFY(warning.contains("decoded anyway"));
    }

    // Colour-profile warnings do not change a pixel: the file reads cleanly, without warnings.
    void wrongIccProfileIsHarmless() {
        const QString path = write("profile.png", pngWithWrongProfile());
        const auto r = ImageIO::read(path.toStdString());
        QVERIFY2(r, r.status().message().c_str());
        QVERIFY(r->warnings.empty());
        QCOMPARE(r->color.cols, 96);
    }

    // The CLI on the same files: a FIFO returns at once with exit 1, damage is refused or
    // reported, and nothing from a library reaches stderr.
    void cliFifoReturnsQuickly() {
        const QString fifo = dir_.filePath("cli-pipe.png");
        QVERIFY(::mkfifo(QFile::encodeName(fifo).constData(), 0600) == 0);
        const Run r = cli({"upscale", fifo, "-o", dir_.filePath("cli-pipe-out.png"), "--model",
                           "embedded:test-tiny", "--steps", "1"},
                          30000);
        QCOMPARE(r.code, 1);
        const QString err = QString::fromUtf8(r.err);
        QVERIFY2(err.contains("FIFO") && occurrences(err, fifo) == 1, qPrintable(err));
        QVERIFY2(r.ms < 20000, qPrintable(QString::number(r.ms)));
        QVERIFY(!QFileInfo::exists(dir_.filePath("cli-pipe-out.png")));
    }

    void cliDamagedJpeg() {
        const QString in =
            write("cli-extra.jpg", jpegWithGarbage(encoded(".jpg", picture(48, 32))));
        const QString out = dir_.filePath("cli-extra-out.png");
        const QStringList common = {"--model", "embedded:test-tiny", "--steps", "1"};
        const Run refused = cli(QStringList{"upscale", in, "-o", out} + common);
        QCOMPARE(refused.code, 1);
        const QString err = QString::fromUtf8(refused.err);
        QVERIFY2(err.contains("damaged JPEG data (libjpeg: Corrupt JPEG data: 2 extraneous"),
                 qPrintable(err));
        QCOMPARE(occurrences(err, in), 1);
        QVERIFY(!QFileInfo::exists(out));

        const Run accepted =
            cli(QStringList{"upscale", in, "-o", out, "--accept-damaged", "--json"} + common);
        QCOMPARE(accepted.code, 0);
        const auto j = QJsonDocument::fromJson(accepted.out).object();
        const auto warnings = j["files"].toArray().at(0).toObject()["warnings"].toArray();
        QVERIFY2(!warnings.isEmpty() &&
                     warnings.at(0).toString().contains("damaged JPEG data, decoded anyway"),
                 accepted.out.constData());
        QVERIFY(QFileInfo::exists(out));
        QVERIFY2(!accepted.err.contains("Corrupt JPEG"), accepted.err.constData()); // not twice
    }

    void cliNoLibraryChatter() {
        const QString in = write("cli-profile.png", pngWithWrongProfile(48, 32));
        const Run r = cli({"upscale", in, "-o", dir_.filePath("cli-profile-out.png"), "--model",
                           "embedded:test-tiny", "--steps", "1"});
        QCOMPARE(r.code, 0);
        QVERIFY2(!r.err.contains("libpng") && !r.err.contains("iCCP"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestHostileImages)
#include "tst_hostileimages.moc"
