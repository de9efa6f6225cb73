// ImageIO: round trips per format and depth, EXIF orientation 1..8, header probes, and clear
// errors (never a partial file) for every kind of bad input or output path.
#include "testutil.h"

#include "shiftsr/engine/image_io.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <exiv2/exiv2.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

using namespace shiftsr;

Q_DECLARE_METATYPE(shiftsr::StatusCode)

namespace {

// Smooth enough for lossy codecs, with every channel and both axes distinct.
cv::Mat testImage(int type, int w = 64, int h = 48) {
    cv::Mat m(h, w, type);
    const int cn = m.channels();
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < cn; ++c) {
                const int v8 = std::min(255, x * 2 + y + c * 40);
                if (m.depth() == CV_16U) // low byte varies too, so a 16-bit path is really tested
                    m.ptr<std::uint16_t>(y)[x * cn + c] =
                        static_cast<std::uint16_t>(v8 * 256 + (x * 7 + y * 13 + c) % 256);
                else
                    m.ptr<std::uint8_t>(y)[x * cn + c] = static_cast<std::uint8_t>(v8);
            }
    return m;
}

cv::Mat testAlpha(int depth, int w = 64, int h = 48) {
    cv::Mat a(h, w, CV_MAKETYPE(depth, 1));
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const int v = (x * 5 + y * 3) % 256;
            if (depth == CV_16U)
                a.at<std::uint16_t>(y, x) = static_cast<std::uint16_t>(v * 257 + x % 3);
            else
                a.at<std::uint8_t>(y, x) = static_cast<std::uint8_t>(v);
        }
    return a;
}

// Mean absolute difference per sample; the images must have the same size and layout.
double meanAbsDiff(const cv::Mat& a, const cv::Mat& b) {
    cv::Mat da, db;
    a.convertTo(da, CV_64F);
    b.convertTo(db, CV_64F);
    return cv::norm(da, db, cv::NORM_L1) / static_cast<double>(a.total() * a.channels());
}

// A 48x32 picture of six flat blocks of different colours: any wrong rotation or flip moves
// whole blocks, which a lossy codec cannot hide.
cv::Mat orientationImage() {
    cv::Mat m(32, 48, CV_8UC3);
    const cv::Scalar colors[6] = {{20, 20, 230},  {20, 230, 20},  {230, 20, 20},
                                  {230, 230, 20}, {20, 230, 230}, {128, 128, 128}};
    for (int by = 0; by < 2; ++by)
        for (int bx = 0; bx < 3; ++bx)
            m(cv::Rect(bx * 16, by * 16, 16, 16)).setTo(colors[by * 3 + bx]);
    return m;
}

// The upright picture for EXIF orientation `o`, written from the EXIF definition (where the
// stored row 0 and column 0 end up) rather than with the rotations the code under test uses.
cv::Mat expectedUpright(const cv::Mat& stored, int o) {
    const int H = stored.rows, W = stored.cols;
    const bool swap = o >= 5;
    cv::Mat out(swap ? W : H, swap ? H : W, stored.type());
    for (int r = 0; r < H; ++r)
        for (int c = 0; c < W; ++c) {
            int x = c, y = r;
            switch (o) {
            case 2:
                x = W - 1 - c;
                break;
            case 3:
                x = W - 1 - c;
                y = H - 1 - r;
                break;
            case 4:
                y = H - 1 - r;
                break;
            case 5:
                x = r;
                y = c;
                break;
            case 6:
                x = H - 1 - r;
                y = c;
                break;
            case 7:
                x = H - 1 - r;
                y = W - 1 - c;
                break;
            case 8:
                x = r;
                y = W - 1 - c;
                break;
            default:
                break;
            }
            out.at<cv::Vec3b>(y, x) = stored.at<cv::Vec3b>(r, c);
        }
    return out;
}

bool setOrientation(const QString& path, int o) {
    try {
        auto image = Exiv2::ImageFactory::open(path.toStdString());
        image->readMetadata();
        image->exifData()["Exif.Image.Orientation"] = static_cast<std::uint16_t>(o);
        image->writeMetadata();
        return true;
    } catch (const std::exception& e) {
        qWarning("exiv2: %s", e.what());
        return false;
    }
}

QByteArray be32(quint32 v) {
    QByteArray b(4, '\0');
    for (int i = 0; i < 4; ++i)
        b[i] = static_cast<char>((v >> (24 - 8 * i)) & 0xFF);
    return b;
}

QByteArray le16(quint32 v) {
    QByteArray b(2, '\0');
    b[0] = static_cast<char>(v & 0xFF);
    b[1] = static_cast<char>((v >> 8) & 0xFF);
    return b;
}

QByteArray le32(quint32 v) {
    return le16(v & 0xFFFF) + le16(v >> 16);
}

quint32 crc32(const QByteArray& data) {
    quint32 crc = 0xFFFFFFFFu;
    for (char ch : data) {
        crc ^= static_cast<quint8>(ch);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

QByteArray pngChunk(const char* type, const QByteArray& data) {
    const QByteArray typed = QByteArray(type, 4) + data;
    return be32(static_cast<quint32>(data.size())) + typed + be32(crc32(typed));
}

// Headers that announce 100000x100000 pixels followed by junk: decoding them would fail with
// "corrupt", so a "too large" answer proves the refusal came from the header.
QByteArray hugePng() {
    QByteArray ihdr = be32(100000) + be32(100000);
    ihdr += QByteArray::fromHex("0802000000"); // 8-bit RGB, deflate, no filter, no interlace
    return QByteArray::fromHex("89504E470D0A1A0A") + pngChunk("IHDR", ihdr) +
           pngChunk("IDAT", QByteArray(16, '\x11')) + pngChunk("IEND", {});
}

QByteArray hugeJpeg() { // SOF0 says 60000x60000 (a JPEG side holds at most 65535)
    return QByteArray::fromHex("FFD8FFE000104A46494600010100000100010000") +
           QByteArray::fromHex("FFC0001108EA60EA6003012200021101031101") + QByteArray(64, '\x42') +
           QByteArray::fromHex("FFD9");
}

QByteArray hugeBmp() {
    QByteArray b = "BM" + le32(54 + 16) + le32(0) + le32(54);
    b += le32(40) + le32(100000) + le32(100000) + le16(1) + le16(24) + le32(0) + le32(0) +
         le32(2835) + le32(2835) + le32(0) + le32(0);
    return b + QByteArray(16, '\0');
}

QByteArray hugeWebp() { // VP8X canvas 100000x100000
    QByteArray vp8x = QByteArray("VP8X") + le32(10) + QByteArray(4, '\0');
    const quint32 w = 100000 - 1, h = 100000 - 1;
    for (quint32 v : {w, h})
        for (int i = 0; i < 3; ++i)
            vp8x += static_cast<char>((v >> (8 * i)) & 0xFF);
    const QByteArray body = "WEBP" + vp8x + QByteArray(8, '\0');
    return "RIFF" + le32(static_cast<quint32>(body.size())) + body;
}

QByteArray hugeTiff() { // little-endian, one IFD: width, length (LONG), then junk
    QByteArray t = "II" + le16(42) + le32(8);
    t += le16(2);
    t += le16(256) + le16(4) + le32(1) + le32(100000);
    t += le16(257) + le16(4) + le32(1) + le32(100000);
    t += le32(0);
    return t + QByteArray(32, '\0');
}

QStringList tempFilesIn(const QString& dir) {
    return QDir(dir).entryList({QStringLiteral("*.tmp-*")}, QDir::Files | QDir::Hidden);
}

} // namespace

class TestImageIO : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        Exiv2::LogMsg::setLevel(Exiv2::LogMsg::mute);
    }

    void roundTrip_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("alphaDepth"); // -1: no alpha
        QTest::addColumn<int>("webpQuality");
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("bitDepth"); // expected after the round trip
        QTest::addColumn<int>("channels"); // expected colour channels
        QTest::addColumn<bool>("keepsAlpha");
        QTest::addColumn<double>("tolerance"); // mean absolute difference, in 8-bit steps
        QTest::addColumn<QString>("warning");  // a word the warning must contain; empty: none

        QTest::newRow("png 8-bit BGR")
            << "a.png" << CV_8UC3 << -1 << 95 << "png" << 8 << 3 << false << 0.0 << "";
        QTest::newRow("png 8-bit gray")
            << "b.png" << CV_8UC1 << -1 << 95 << "png" << 8 << 1 << false << 0.0 << "";
        QTest::newRow("png 16-bit BGR")
            << "c.png" << CV_16UC3 << -1 << 95 << "png" << 16 << 3 << false << 0.0 << "";
        QTest::newRow("png 16-bit gray")
            << "d.png" << CV_16UC1 << -1 << 95 << "png" << 16 << 1 << false << 0.0 << "";
        QTest::newRow("png RGBA") << "e.png" << CV_8UC3 << CV_8U << 95 << "png" << 8 << 3 << true
                                  << 0.0 << "";
        QTest::newRow("png 16-bit RGBA")
            << "f.png" << CV_16UC3 << CV_16U << 95 << "png" << 16 << 3 << true << 0.0 << "";
        // No gray+alpha layout in OpenCV's encoder: gray is widened to BGR.
        QTest::newRow("png gray+alpha")
            << "g.png" << CV_8UC1 << CV_8U << 95 << "png" << 8 << 3 << true << 0.0 << "";
        QTest::newRow("PNG upper-case extension")
            << "h.PNG" << CV_8UC3 << -1 << 95 << "png" << 8 << 3 << false << 0.0 << "";
        QTest::newRow("jpg BGR") << "a.jpg" << CV_8UC3 << -1 << 95 << "jpeg" << 8 << 3 << false
                                 << 2.0 << "";
        QTest::newRow("jpeg gray")
            << "b.jpeg" << CV_8UC1 << -1 << 95 << "jpeg" << 8 << 1 << false << 2.0 << "";
        QTest::newRow("jpg drops alpha")
            << "c.jpg" << CV_8UC3 << CV_8U << 95 << "jpeg" << 8 << 3 << false << 2.0 << "alpha";
        QTest::newRow("jpg 16-bit to 8")
            << "d.jpg" << CV_16UC3 << -1 << 95 << "jpeg" << 8 << 3 << false << 2.0 << "16-bit";
        QTest::newRow("tif 8-bit BGR")
            << "a.tif" << CV_8UC3 << -1 << 95 << "tiff" << 8 << 3 << false << 0.0 << "";
        QTest::newRow("tiff 8-bit gray")
            << "b.tiff" << CV_8UC1 << -1 << 95 << "tiff" << 8 << 1 << false << 0.0 << "";
        QTest::newRow("tif 16-bit BGR")
            << "c.tif" << CV_16UC3 << -1 << 95 << "tiff" << 16 << 3 << false << 0.0 << "";
        QTest::newRow("tif 16-bit gray")
            << "d.tif" << CV_16UC1 << -1 << 95 << "tiff" << 16 << 1 << false << 0.0 << "";
        QTest::newRow("tif RGBA") << "e.tif" << CV_8UC3 << CV_8U << 95 << "tiff" << 8 << 3 << true
                                  << 0.0 << "";
        QTest::newRow("webp lossy")
            << "a.webp" << CV_8UC3 << -1 << 95 << "webp" << 8 << 3 << false << 3.0 << "";
        QTest::newRow("webp lossless")
            << "b.webp" << CV_8UC3 << -1 << 101 << "webp" << 8 << 3 << false << 0.0 << "";
        QTest::newRow("webp lossless RGBA")
            << "c.webp" << CV_8UC3 << CV_8U << 101 << "webp" << 8 << 3 << true << 0.0 << "";
        // No gray layout in WebP: gray comes back as BGR.
        QTest::newRow("webp gray")
            << "d.webp" << CV_8UC1 << -1 << 101 << "webp" << 8 << 3 << false << 0.0 << "";
        QTest::newRow("webp 16-bit to 8")
            << "e.webp" << CV_16UC3 << -1 << 101 << "webp" << 8 << 3 << false << 0.6 << "16-bit";
        QTest::newRow("bmp BGR") << "a.bmp" << CV_8UC3 << -1 << 95 << "bmp" << 8 << 3 << false
                                 << 0.0 << "";
        QTest::newRow("bmp gray") << "b.bmp" << CV_8UC1 << -1 << 95 << "bmp" << 8 << 1 << false
                                  << 0.0 << "";
        QTest::newRow("bmp drops alpha")
            << "c.bmp" << CV_8UC3 << CV_8U << 95 << "bmp" << 8 << 3 << false << 0.0 << "alpha";
    }
    void roundTrip() {
        QFETCH(QString, name);
        QFETCH(int, type);
        QFETCH(int, alphaDepth);
        QFETCH(int, webpQuality);
        QFETCH(QString, format);
        QFETCH(int, bitDepth);
        QFETCH(int, channels);
        QFETCH(bool, keepsAlpha);
        QFETCH(double, tolerance);
        QFETCH(QString, warning);

        const cv::Mat color = testImage(type);
        const cv::Mat alpha = alphaDepth < 0 ? cv::Mat() : testAlpha(alphaDepth);
        const std::string path = dir_.filePath(name).toStdString();
        ImageWriteOptions wo;
        wo.webpQuality = webpQuality;
        std::string note = "stale";
        Status s = ImageIO::write(path, color, alpha, wo, &note);
        QVERIFY2(s.isOk(), s.message().c_str());
        if (warning.isEmpty())
            QVERIFY2(note.empty(), note.c_str());
        else
            QVERIFY2(QString::fromStdString(note).contains(warning), note.c_str());
        QVERIFY(tempFilesIn(dir_.path()).isEmpty());

        auto r = ImageIO::read(path);
        QVERIFY2(r.isOk(), r.status().message().c_str());
        QCOMPARE(QString::fromStdString(r->format), format);
        QCOMPARE(r->bitDepth, bitDepth);
        QCOMPARE(r->color.depth(), bitDepth == 16 ? CV_16U : CV_8U);
        QCOMPARE(r->color.channels(), channels);
        QCOMPARE(r->grayscale, channels == 1);
        QCOMPARE(r->exifOrientation, 1);
        QCOMPARE(r->color.cols, color.cols);
        QCOMPARE(r->color.rows, color.rows);

        // What the file should hold: the input, widened or narrowed the documented way.
        cv::Mat expected = color;
        if (expected.channels() == 1 && channels == 3)
            cv::cvtColor(expected, expected, cv::COLOR_GRAY2BGR);
        const double scale = (color.depth() == CV_16U && bitDepth == 8) ? 1.0 / 257.0 : 1.0;
        expected.convertTo(expected, bitDepth == 16 ? CV_16U : CV_8U, scale);
        const double diff = keepsAlpha && format == "webp"
                                ? 0.0
                                : meanAbsDiff(r->color, expected) / (bitDepth == 16 ? 257.0 : 1.0);
        QVERIFY2(diff <= tolerance, qPrintable(QStringLiteral("mean difference %1").arg(diff)));

        if (keepsAlpha && format == "webp") {
            // libwebp does not keep the colour of fully transparent pixels: compare the rest.
            const cv::Mat visible = alpha != 0;
            QCOMPARE(cv::norm(r->color, expected, cv::NORM_INF, visible), 0.0);
        }
        QCOMPARE(!r->alpha.empty(), keepsAlpha);
        if (keepsAlpha) {
            QCOMPARE(r->alpha.channels(), 1);
            QCOMPARE(r->alpha.depth(), r->color.depth());
            QCOMPARE(cv::norm(r->alpha, alpha, cv::NORM_INF), 0.0); // alpha is kept exactly
        }
    }

    void formatComesFromContent() {
        // Named .jpg, holds a PNG: the magic bytes win, and `format` overrides the extension.
        const std::string path = dir_.filePath(QStringLiteral("really-png.jpg")).toStdString();
        ImageWriteOptions wo;
        wo.format = "png";
        Status s = ImageIO::write(path, testImage(CV_8UC3), cv::Mat(), wo);
        QVERIFY2(s.isOk(), s.message().c_str());
        auto r = ImageIO::read(path);
        QVERIFY2(r.isOk(), r.status().message().c_str());
        QCOMPARE(r->format, std::string("png"));
        QCOMPARE(cv::norm(r->color, testImage(CV_8UC3), cv::NORM_INF), 0.0);
    }

    void bgraColorIsSplit() {
        cv::Mat bgra;
        cv::Mat planes[4];
        cv::split(testImage(CV_8UC4), planes);
        planes[3] = testAlpha(CV_8U);
        cv::merge(planes, 4, bgra);
        const std::string path = dir_.filePath(QStringLiteral("bgra.png")).toStdString();
        Status s = ImageIO::write(path, bgra, cv::Mat());
        QVERIFY2(s.isOk(), s.message().c_str());
        auto r = ImageIO::read(path);
        QVERIFY2(r.isOk(), r.status().message().c_str());
        QCOMPARE(r->color.channels(), 3);
        QCOMPARE(cv::norm(r->alpha, planes[3], cv::NORM_INF), 0.0);
    }

    void orientation_data() {
        QTest::addColumn<QString>("ext");
        QTest::addColumn<int>("orientation");
        QTest::addColumn<double>("tolerance");
        for (const char* ext : {"jpg", "tif", "png", "webp"})
            for (int o = 1; o <= 8; ++o)
                QTest::addRow("%s orientation %d", ext, o)
                    << QString::fromLatin1(ext) << o << (QByteArray(ext) == "jpg" ? 8.0 : 0.0);
    }
    void orientation() {
        QFETCH(QString, ext);
        QFETCH(int, orientation);
        QFETCH(double, tolerance);
        const cv::Mat stored = orientationImage();
        const QString path =
            dir_.filePath(QStringLiteral("orient-%1.%2").arg(orientation).arg(ext));
        ImageWriteOptions wo;
        wo.webpQuality = 101; // lossless
        wo.jpegQuality = 100;
        Status s = ImageIO::write(path.toStdString(), stored, cv::Mat(), wo);
        QVERIFY2(s.isOk(), s.message().c_str());
        QVERIFY(setOrientation(path, orientation));

        auto r = ImageIO::read(path.toStdString());
        QVERIFY2(r.isOk(), r.status().message().c_str());
        QCOMPARE(r->exifOrientation, orientation);
        const cv::Mat expected = expectedUpright(stored, orientation);
        QCOMPARE(r->color.cols, expected.cols);
        QCOMPARE(r->color.rows, expected.rows);
        const double diff = meanAbsDiff(r->color, expected);
        QVERIFY2(diff <= tolerance, qPrintable(QStringLiteral("mean difference %1").arg(diff)));

        // Without applying it, the pixels come back as stored and the tag is still reported.
        ImageReadOptions ro;
        ro.applyExifOrientation = false;
        auto raw = ImageIO::read(path.toStdString(), ro);
        QVERIFY2(raw.isOk(), raw.status().message().c_str());
        QCOMPARE(raw->exifOrientation, orientation);
        QCOMPARE(raw->color.cols, stored.cols);
        QVERIFY(meanAbsDiff(raw->color, stored) <= tolerance);
    }

    void orientationRotatesAlpha() {
        const QString path = dir_.filePath(QStringLiteral("orient-alpha.png"));
        const cv::Mat alpha = testAlpha(CV_8U, 48, 32);
        Status s = ImageIO::write(path.toStdString(), orientationImage(), alpha);
        QVERIFY2(s.isOk(), s.message().c_str());
        QVERIFY(setOrientation(path, 6));
        auto r = ImageIO::read(path.toStdString());
        QVERIFY2(r.isOk(), r.status().message().c_str());
        cv::Mat expected;
        cv::rotate(alpha, expected, cv::ROTATE_90_CLOCKWISE);
        QCOMPARE(r->alpha.size(), expected.size());
        QCOMPARE(cv::norm(r->alpha, expected, cv::NORM_INF), 0.0);
    }

    void probe_data() {
        QTest::addColumn<QString>("ext");
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("webpQuality");
        QTest::newRow("jpg") << "jpg"
                             << "jpeg" << 95;
        QTest::newRow("png") << "png"
                             << "png" << 95;
        QTest::newRow("tif") << "tif"
                             << "tiff" << 95;
        QTest::newRow("webp lossy (VP8)") << "webp"
                                          << "webp" << 80;
        QTest::newRow("webp lossless (VP8L)") << "webp"
                                              << "webp" << 101;
        QTest::newRow("bmp") << "bmp"
                             << "bmp" << 95;
    }
    void probe() {
        QFETCH(QString, ext);
        QFETCH(QString, format);
        QFETCH(int, webpQuality);
        const std::string path =
            dir_.filePath(QStringLiteral("probe-%1.%2").arg(webpQuality).arg(ext)).toStdString();
        ImageWriteOptions wo;
        wo.webpQuality = webpQuality;
        Status s = ImageIO::write(path, testImage(CV_8UC3, 77, 31), cv::Mat(), wo);
        QVERIFY2(s.isOk(), s.message().c_str());
        auto p = ImageIO::probe(path);
        QVERIFY2(p.isOk(), p.status().message().c_str());
        QCOMPARE(p->width, 77);
        QCOMPARE(p->height, 31);
        QCOMPARE(QString::fromStdString(p->format), format);
    }

    void probeVp8x() {
        // Exiv2 turns a plain WebP into the extended (VP8X) layout when it adds EXIF.
        const QString path = dir_.filePath(QStringLiteral("probe-vp8x.webp"));
        Status s = ImageIO::write(path.toStdString(), testImage(CV_8UC3, 77, 31), cv::Mat());
        QVERIFY2(s.isOk(), s.message().c_str());
        QVERIFY(setOrientation(path, 1));
        QCOMPARE(testutil::readAll(path).mid(12, 4), QByteArray("VP8X"));
        auto p = ImageIO::probe(path.toStdString());
        QVERIFY2(p.isOk(), p.status().message().c_str());
        QCOMPARE(p->width, 77);
        QCOMPARE(p->height, 31);
    }

    void tooLarge_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("size");
        QTest::newRow("png IHDR") << "huge.png" << hugePng() << "100000x100000";
        QTest::newRow("jpeg SOF0") << "huge.jpg" << hugeJpeg() << "60000x60000";
        QTest::newRow("bmp") << "huge.bmp" << hugeBmp() << "100000x100000";
        QTest::newRow("webp VP8X") << "huge.webp" << hugeWebp() << "100000x100000";
        QTest::newRow("tiff IFD") << "huge.tif" << hugeTiff() << "100000x100000";
    }
    void tooLarge() {
        QFETCH(QString, name);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, size);
        const QString path = dir_.filePath(name);
        QVERIFY(testutil::writeAll(path, bytes));
        auto p = ImageIO::probe(path.toStdString());
        QVERIFY2(p.isOk(), p.status().message().c_str());
        QCOMPARE(QStringLiteral("%1x%2").arg(p->width).arg(p->height), size);
        auto r = ImageIO::read(path.toStdString());
        QVERIFY(!r.isOk());
        QCOMPARE(r.status().code(), StatusCode::Unsupported);
        const QString msg = QString::fromStdString(r.status().message());
        QVERIFY2(
            msg.contains(
                QStringLiteral("too large: %1 pixels exceeds the limit of 200000000").arg(size)),
            qPrintable(msg));
    }

    void pixelLimitIsTheCallers() {
        const std::string path = dir_.filePath(QStringLiteral("limit.png")).toStdString();
        QVERIFY(ImageIO::write(path, testImage(CV_8UC3), cv::Mat()).isOk());
        ImageReadOptions ro;
        ro.maxPixels = 64 * 48 - 1;
        auto r = ImageIO::read(path, ro);
        QVERIFY(!r.isOk());
        QVERIFY(QString::fromStdString(r.status().message()).contains("64x48"));
        ro.maxPixels = 64 * 48;
        QVERIFY(ImageIO::read(path, ro).isOk());
        ro.maxPixels = 0; // no limit
        QVERIFY(ImageIO::read(path, ro).isOk());
    }

    void badInput_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("bytes"); // null: do not create the file
        QTest::addColumn<shiftsr::StatusCode>("code");
        QTest::addColumn<QString>("expect"); // words the message must contain

        auto encoded = [](const char* ext, const cv::Mat& m, std::vector<int> params = {}) {
            std::vector<uchar> buf;
            cv::imencode(ext, m, buf, params);
            return QByteArray(reinterpret_cast<const char*>(buf.data()), int(buf.size()));
        };
        const QByteArray jpeg = encoded(".jpg", testImage(CV_8UC3, 200, 150));
        const QByteArray png = encoded(".png", testImage(CV_8UC3, 200, 150));
        const QByteArray webp = encoded(".webp", testImage(CV_8UC3, 200, 150));
        const QByteArray bmp = encoded(".bmp", testImage(CV_8UC3, 200, 150));
        QVERIFY(!jpeg.isEmpty() && !png.isEmpty() && !webp.isEmpty() && !bmp.isEmpty());

        // A JPEG whose first half already holds an FF D9: an embedded thumbnail (APP15).
        const QByteArray thumb = encoded(".jpg", testImage(CV_8UC3, 16, 12));
        const QByteArray withThumb = jpeg.left(2) + QByteArray::fromHex("FFEF") +
                                     QByteArray(1, char((thumb.size() + 2) >> 8)) +
                                     QByteArray(1, char((thumb.size() + 2) & 0xFF)) + thumb +
                                     jpeg.mid(2);
        const int cut = 2 + 4 + thumb.size() + (jpeg.size() - 2) / 2;

        // A PNG with its IDAT bytes damaged: structure intact, CRC wrong.
        QByteArray badIdat = png;
        const int idat = badIdat.indexOf("IDAT");
        for (int i = idat + 10; i < idat + 40 && i < badIdat.size(); ++i)
            badIdat[i] = static_cast<char>(badIdat[i] ^ 0x5A);

        QByteArray random(4096, '\0');
        quint32 seed = 12345;
        for (char& c : random) {
            seed = seed * 1664525u + 1013904223u;
            c = static_cast<char>(seed >> 24);
        }
        random[0] = 'x'; // never a magic number by chance

        QTest::newRow("missing file")
            << "nope.png" << QByteArray() << StatusCode::NotFound << "does not exist";
        QTest::newRow("folder") << "" << QByteArray() << StatusCode::InvalidArgument << "folder";
        QTest::newRow("zero bytes")
            << "empty.png" << QByteArray("") << StatusCode::InvalidFile << "empty";
        QTest::newRow("random bytes named .png")
            << "random.png" << random << StatusCode::InvalidFile << "cannot decode|not a JPEG, PNG";
        QTest::newRow("jpeg cut in half") << "half.jpg" << jpeg.left(jpeg.size() / 2)
                                          << StatusCode::InvalidFile << "cannot decode|truncated";
        QTest::newRow("jpeg with thumbnail cut in half")
            << "thumbhalf.jpg" << withThumb.left(cut) << StatusCode::InvalidFile
            << "cannot decode|truncated";
        QTest::newRow("jpeg header only")
            << "head.jpg" << jpeg.left(40) << StatusCode::InvalidFile << "cannot decode|header";
        QTest::newRow("png cut in half") << "half.png" << png.left(png.size() / 2)
                                         << StatusCode::InvalidFile << "cannot decode|truncated";
        QTest::newRow("png without IEND") << "noend.png" << png.left(png.size() - 12)
                                          << StatusCode::InvalidFile << "cannot decode|truncated";
        QTest::newRow("png damaged IDAT")
            << "badidat.png" << badIdat << StatusCode::InvalidFile << "cannot decode|corrupt";
        QTest::newRow("png signature only")
            << "sig.png" << png.left(8) << StatusCode::InvalidFile << "cannot decode|header";
        QTest::newRow("webp cut in half") << "half.webp" << webp.left(webp.size() / 2)
                                          << StatusCode::InvalidFile << "cannot decode|truncated";
        QTest::newRow("bmp cut in half") << "half.bmp" << bmp.left(bmp.size() / 2)
                                         << StatusCode::InvalidFile << "cannot decode|truncated";
        QTest::newRow("gif") << "anim.gif" << QByteArray("GIF89a").append(64, '\0')
                             << StatusCode::Unsupported << "GIF";
    }
    void badInput() {
        QFETCH(QString, name);
        QFETCH(QByteArray, bytes);
        QFETCH(shiftsr::StatusCode, code);
        QFETCH(QString, expect);
        const QString path = name.isEmpty() ? dir_.path() : dir_.filePath(name);
        if (!bytes.isNull())
            QVERIFY(testutil::writeAll(path, bytes));
        auto r = ImageIO::read(path.toStdString());
        QVERIFY(!r.isOk());
        const QString msg = QString::fromStdString(r.status().message());
        QCOMPARE(r.status().code(), code);
        for (const QString& word : expect.split('|'))
            QVERIFY2(msg.contains(word), qPrintable(msg));
        QVERIFY2(msg.contains(path), qPrintable(msg)); // the user learns which file
    }

    void writeFailures_data() {
        QTest::addColumn<QString>("relative"); // output path inside the temp folder
        QTest::addColumn<int>("kind");         // which bad input, see writeFailures()
        QTest::addColumn<shiftsr::StatusCode>("code");
        QTest::addColumn<QString>("expect");
        QTest::newRow("unknown extension") << "out.gif" << 0 << StatusCode::Unsupported << "gif";
        QTest::newRow("no extension") << "out" << 0 << StatusCode::InvalidArgument << "extension";
        QTest::newRow("folder does not exist")
            << "nope/out.png" << 0 << StatusCode::IoError << "No such file";
        QTest::newRow("parent is a regular file")
            << "plain.txt/out.png" << 0 << StatusCode::IoError << "Not a directory";
        QTest::newRow("empty image") << "empty.png" << 1 << StatusCode::InvalidArgument << "empty";
        QTest::newRow("float image")
            << "float.png" << 2 << StatusCode::InvalidArgument << "8- and 16-bit";
        QTest::newRow("alpha of another size")
            << "alpha.png" << 3 << StatusCode::InvalidArgument << "alpha";
        QTest::newRow("jpeg quality 150")
            << "q.jpg" << 4 << StatusCode::InvalidArgument << "quality";
        QTest::newRow("jpeg wider than 65500")
            << "wide.jpg" << 5 << StatusCode::InvalidArgument << "65500";
        QTest::newRow("two channels")
            << "two.png" << 6 << StatusCode::InvalidArgument << "channels";
    }
    void writeFailures() {
        QFETCH(QString, relative);
        QFETCH(int, kind);
        QFETCH(shiftsr::StatusCode, code);
        QFETCH(QString, expect);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(testutil::writeAll(dir.filePath(QStringLiteral("plain.txt")), "not a folder"));
        const QString path = dir.filePath(relative);
        // An existing output must survive a failed write untouched.
        const bool canPreexist = QFileInfo(path).dir().exists();
        if (canPreexist)
            QVERIFY(testutil::writeAll(path, "previous"));
        const QStringList before =
            QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);

        cv::Mat color = testImage(CV_8UC3), alpha;
        ImageWriteOptions wo;
        switch (kind) {
        case 1:
            color = cv::Mat();
            break;
        case 2:
            color = cv::Mat(8, 8, CV_32FC3, cv::Scalar::all(0.5));
            break;
        case 3:
            alpha = testAlpha(CV_8U, 10, 10);
            break;
        case 4:
            wo.jpegQuality = 150;
            break;
        case 5:
            color = cv::Mat(1, 70000, CV_8UC1, cv::Scalar(9));
            break;
        case 6:
            color = cv::Mat(8, 8, CV_8UC2, cv::Scalar::all(1));
            break;
        default:
            break;
        }
        std::string warning;
        Status s = ImageIO::write(path.toStdString(), color, alpha, wo, &warning);
        QVERIFY(!s.isOk());
        QCOMPARE(s.code(), code);
        const QString msg = QString::fromStdString(s.message());
        QVERIFY2(msg.contains(expect), qPrintable(msg));
        QVERIFY(warning.empty());
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
                 before);
        QVERIFY(tempFilesIn(dir.path()).isEmpty());
        if (canPreexist)
            QCOMPARE(testutil::readAll(path), QByteArray("previous"));
        else
            QVERIFY(!QFileInfo::exists(path));
    }

    void overwriteReplacesAtomically() {
        const QString path = dir_.filePath(QStringLiteral("replace.png"));
        QVERIFY(testutil::writeAll(path, "previous"));
        QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup);
        QVERIFY(ImageIO::write(path.toStdString(), testImage(CV_8UC3), cv::Mat()).isOk());
        QCOMPARE(QFile::permissions(path) &
                     (QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther),
                 QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup);
        auto r = ImageIO::read(path.toStdString());
        QVERIFY2(r.isOk(), r.status().message().c_str());
        QVERIFY(tempFilesIn(dir_.path()).isEmpty());
    }

    void supportedExtension_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("supported");
        for (const char* p :
             {"a.jpg", "a.JPEG", "a.png", "dir.x/a.Tif", "a.tiff", "a.webp", "a.BMP"})
            QTest::newRow(p) << QString::fromLatin1(p) << true;
        for (const char* p : {"a.gif", "a", "dir.png/a", "a.png.txt", ".", "a.heic", "a."})
            QTest::newRow(p) << QString::fromLatin1(p) << false;
    }
    void supportedExtension() {
        QFETCH(QString, path);
        QFETCH(bool, supported);
        QCOMPARE(ImageIO::isSupportedExtension(path.toStdString()), supported);
    }

private:
    QTemporaryDir dir_;
};

QTEST_GUILESS_MAIN(TestImageIO)
#include "tst_imageio.moc"
