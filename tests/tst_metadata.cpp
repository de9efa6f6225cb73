// Metadata: EXIF/IPTC/XMP/ICC carried from a source photo onto its upscaled output in every
// writable format, orientation reset, sizes updated, provenance added, failures leave files intact.
#include "image_file.h"
#include "testutil.h"

#include "shiftsr/engine/image_io.h"
#include "shiftsr/engine/metadata.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <exiv2/exiv2.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

using namespace shiftsr;

Q_DECLARE_METATYPE(shiftsr::StatusCode)

namespace {

const char* const kCaption = "A cat on a mat";
const char* const kTitle = "Test title";

void put32(QByteArray& b, int at, quint32 v) {
    for (int i = 0; i < 4; ++i)
        b[at + i] = static_cast<char>((v >> (24 - 8 * i)) & 0xFF);
}

void putTag(QByteArray& b, int at, const char* sig) {
    for (int i = 0; i < 4; ++i)
        b[at + i] = sig[i];
}

// A small but complete ICC v2 RGB display profile (header, tag table, XYZ and curve tags):
// libpng checks the header and tag table when it meets the iCCP chunk, so it must be valid.
QByteArray testIcc() {
    const int size = 312;
    QByteArray p(size, '\0');
    put32(p, 0, size);
    put32(p, 8, 0x02100000); // version 2.1
    putTag(p, 12, "mntr");
    putTag(p, 16, "RGB ");
    putTag(p, 20, "XYZ ");
    putTag(p, 36, "acsp");
    put32(p, 68, 0x0000F6D6); // D50 illuminant
    put32(p, 72, 0x00010000);
    put32(p, 76, 0x0000D32D);
    putTag(p, 80, "shsr");
    put32(p, 128, 7);
    struct Tag {
        const char* sig;
        int offset, length;
    };
    const Tag tags[7] = {{"wtpt", 216, 20}, {"rXYZ", 236, 20}, {"gXYZ", 256, 20}, {"bXYZ", 276, 20},
                         {"rTRC", 296, 14}, {"gTRC", 296, 14}, {"bTRC", 296, 14}};
    for (int i = 0; i < 7; ++i) {
        putTag(p, 132 + 12 * i, tags[i].sig);
        put32(p, 136 + 12 * i, static_cast<quint32>(tags[i].offset));
        put32(p, 140 + 12 * i, static_cast<quint32>(tags[i].length));
    }
    const quint32 xyz[4][3] = {{0xF6D6, 0x10000, 0xD32D},
                               {0x6FA2, 0x38F5, 0x0390},
                               {0x6299, 0xB785, 0x18DA},
                               {0x24A0, 0x0F84, 0xB6CF}};
    for (int t = 0; t < 4; ++t) {
        const int at = 216 + 20 * t;
        putTag(p, at, "XYZ ");
        for (int k = 0; k < 3; ++k)
            put32(p, at + 8 + 4 * k, xyz[t][k]);
    }
    putTag(p, 296, "curv");
    put32(p, 304, 1);
    p[308] = 0x02; // gamma 2.2 as u8Fixed8
    p[309] = 0x33;
    return p;
}

// 48x32, six flat blocks: orientation 6 turns it into a 32x48 picture.
cv::Mat sourceImage() {
    cv::Mat m(32, 48, CV_8UC3);
    const cv::Scalar colors[6] = {{20, 20, 230},  {20, 230, 20},  {230, 20, 20},
                                  {230, 230, 20}, {20, 230, 230}, {128, 128, 128}};
    for (int by = 0; by < 2; ++by)
        for (int bx = 0; bx < 3; ++bx)
            m(cv::Rect(bx * 16, by * 16, 16, 16)).setTo(colors[by * 3 + bx]);
    return m;
}

// What a camera or editor would have left in the source: written with Exiv2 directly, since
// Metadata itself only carries metadata over.
bool addSourceMetadata(const QString& path, bool tiff, const QByteArray& icc) {
    const bool webp = path.endsWith(QStringLiteral(".webp"));
    const bool png = path.endsWith(QStringLiteral(".png"));
    try {
        auto image = Exiv2::ImageFactory::open(path.toStdString());
        image->readMetadata();
        Exiv2::ExifData& exif = image->exifData();
        exif["Exif.Image.Make"] = std::string("ShiftCam");
        exif["Exif.Image.Model"] = std::string("SR-1 Mark II");
        exif["Exif.Image.Orientation"] = static_cast<std::uint16_t>(6);
        exif["Exif.Photo.DateTimeOriginal"] = std::string("2024:05:06 07:08:09");
        exif["Exif.Photo.PixelXDimension"] = static_cast<std::uint32_t>(48);
        exif["Exif.Photo.PixelYDimension"] = static_cast<std::uint32_t>(32);
        if (!tiff) { // in a TIFF these are the file's own layout
            exif["Exif.Image.ImageWidth"] = static_cast<std::uint32_t>(48);
            exif["Exif.Image.ImageLength"] = static_cast<std::uint32_t>(32);
        }
        std::vector<uchar> thumb;
        cv::Mat small;
        cv::resize(sourceImage(), small, cv::Size(12, 8));
        cv::imencode(".jpg", small, thumb);
        Exiv2::ExifThumb(exif).setJpegThumbnail(thumb.data(), static_cast<long>(thumb.size()));
        image->iptcData()["Iptc.Application2.Caption"] = std::string(kCaption);
        image->xmpData()["Xmp.dc.title"] = std::string("lang=\"x-default\" ") + kTitle;
        image->xmpData()["Xmp.tiff.Orientation"] = std::string("6");
        image->xmpData()["Xmp.exif.PixelXDimension"] = std::string("48");
        Exiv2::DataBuf buf(reinterpret_cast<const Exiv2::byte*>(icc.constData()),
                           static_cast<long>(icc.size()));
        if (!webp) // Exiv2 0.27 writes a broken WebP ICC chunk: added below instead
            image->setIccProfile(buf);
        image->writeMetadata();
    } catch (const std::exception& e) {
        qWarning("exiv2: %s", e.what());
        return false;
    }
    if (!webp && !png)
        return true;
    // The same container fixes the engine applies to its own outputs.
    const QByteArray file = testutil::readAll(path);
    std::vector<std::uint8_t> bytes(file.begin(), file.end());
    const bool fixed =
        webp ? setWebpIccProfile(bytes, std::vector<std::uint8_t>(icc.begin(), icc.end()))
             : repairPngIccName(bytes);
    return fixed && testutil::writeAll(path, QByteArray(reinterpret_cast<const char*>(bytes.data()),
                                                        int(bytes.size())));
}

// Every EXIF key of a file as Exiv2 sees it, unfiltered (Metadata hides thumbnails on read).
QStringList rawExifKeys(const QString& path) {
    QStringList keys;
    try {
        auto image = Exiv2::ImageFactory::open(path.toStdString());
        image->readMetadata();
        for (const auto& md : image->exifData())
            keys << QString::fromStdString(md.key());
    } catch (const std::exception& e) {
        qWarning("exiv2: %s", e.what());
    }
    return keys;
}

Provenance testProvenance() {
    Provenance p;
    p.appVersion = "9.9.9";
    p.modelName = "resshift-v3";
    p.modelSha256 = std::string(64, 'a');
    p.steps = 4;
    p.seed = "12345";
    p.tile = "256/32";
    p.colorFix = "wavelet";
    p.device = "cpu";
    p.precision = "fp32";
    p.extra = "{\"scale\":4}";
    return p;
}

QString entry(const std::map<std::string, std::string>& e, const char* key) {
    const auto it = e.find(key);
    return it == e.end() ? QStringLiteral("<absent>") : QString::fromStdString(it->second);
}

QStringList tempFilesIn(const QString& dir) {
    return QDir(dir).entryList({QStringLiteral("*.tmp-*")}, QDir::Files | QDir::Hidden);
}

} // namespace

class TestMetadata : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        // The engine sets Exiv2 up (XMP lock, namespace) before this file authors any XMP.
        QCOMPARE(Metadata::read("/nonexistent/shiftsr").status().code(), StatusCode::NotFound);
        Exiv2::LogMsg::setLevel(Exiv2::LogMsg::mute);
    }

    void carriesOver_data() {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<bool>("iptc"); // WebP holds no IPTC (Exiv2 0.27)
        QTest::newRow("jpg -> jpg") << "jpg"
                                    << "jpg" << true;
        QTest::newRow("png -> png") << "png"
                                    << "png" << true;
        QTest::newRow("tif -> tif") << "tif"
                                    << "tif" << true;
        QTest::newRow("webp -> webp") << "webp"
                                      << "webp" << false;
        QTest::newRow("jpg -> png") << "jpg"
                                    << "png" << true;
        QTest::newRow("jpg -> tif") << "jpg"
                                    << "tif" << true;
        QTest::newRow("jpg -> webp") << "jpg"
                                     << "webp" << false;
        QTest::newRow("tif -> jpg") << "tif"
                                    << "jpg" << true;
        QTest::newRow("png -> tif") << "png"
                                    << "tif" << true;
    }
    void carriesOver() {
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(bool, iptc);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString src = dir.filePath(QStringLiteral("src.") + from);
        const QString out = dir.filePath(QStringLiteral("out.") + to);
        const QByteArray icc = testIcc();
        ImageWriteOptions lossless;
        lossless.webpQuality = 101;
        Status s = ImageIO::write(src.toStdString(), sourceImage(), cv::Mat(), lossless);
        QVERIFY2(s.isOk(), s.message().c_str());
        QVERIFY(addSourceMetadata(src, from == "tif", icc));

        auto md = Metadata::read(src.toStdString());
        QVERIFY2(md.isOk(), md.status().message().c_str());
        QVERIFY(!md->empty());
        QCOMPARE(md->orientation(), 6);
        QCOMPARE(QByteArray(reinterpret_cast<const char*>(md->iccProfile().data()),
                            int(md->iccProfile().size())),
                 icc);
        const auto before = md->entries();
        QCOMPARE(entry(before, "Exif.Image.Make"), QStringLiteral("ShiftCam"));
        QCOMPARE(entry(before, "Exif.Image.Orientation"), QStringLiteral("6"));
        if (from == "tif") // the TIFF's own layout is not photo metadata
            QCOMPARE(entry(before, "Exif.Image.StripOffsets"), QStringLiteral("<absent>"));

        // The "upscale": the upright picture, 4x larger.
        auto img = ImageIO::read(src.toStdString());
        QVERIFY2(img.isOk(), img.status().message().c_str());
        QCOMPARE(img->color.cols, 32);
        cv::Mat big;
        cv::resize(img->color, big, cv::Size(), 4, 4, cv::INTER_NEAREST);
        s = ImageIO::write(out.toStdString(), big, cv::Mat(), lossless);
        QVERIFY2(s.isOk(), s.message().c_str());

        s = md->writeTo(out.toStdString(), big.cols, big.rows, testProvenance());
        QVERIFY2(s.isOk(), s.message().c_str());
        QVERIFY(tempFilesIn(dir.path()).isEmpty());

        auto back = Metadata::read(out.toStdString());
        QVERIFY2(back.isOk(), back.status().message().c_str());
        const auto e = back->entries();
        QCOMPARE(entry(e, "Exif.Image.Make"), QStringLiteral("ShiftCam"));
        QCOMPARE(entry(e, "Exif.Image.Model"), QStringLiteral("SR-1 Mark II"));
        QCOMPARE(entry(e, "Exif.Photo.DateTimeOriginal"), QStringLiteral("2024:05:06 07:08:09"));
        QCOMPARE(back->orientation(), 1);
        QCOMPARE(entry(e, "Exif.Image.Orientation"), QStringLiteral("1"));
        QCOMPARE(entry(e, "Xmp.tiff.Orientation"), QStringLiteral("1"));
        QCOMPARE(entry(e, "Exif.Photo.PixelXDimension"), QString::number(big.cols));
        QCOMPARE(entry(e, "Exif.Photo.PixelYDimension"), QString::number(big.rows));
        QCOMPARE(entry(e, "Xmp.exif.PixelXDimension"), QString::number(big.cols));
        // In a TIFF the size tags are the file's layout, which Metadata does not list (and
        // which a TIFF source leaves behind); elsewhere they are updated.
        if (from != "tif" && to != "tif") {
            QCOMPARE(entry(e, "Exif.Image.ImageWidth"), QString::number(big.cols));
            QCOMPARE(entry(e, "Exif.Image.ImageLength"), QString::number(big.rows));
        } else {
            QCOMPARE(entry(e, "Exif.Image.ImageWidth"), QStringLiteral("<absent>"));
        }
        if (iptc)
            QCOMPARE(entry(e, "Iptc.Application2.Caption"), QString::fromLatin1(kCaption));
        QVERIFY2(entry(e, "Xmp.dc.title").contains(kTitle), qPrintable(entry(e, "Xmp.dc.title")));
        QCOMPARE(QByteArray(reinterpret_cast<const char*>(back->iccProfile().data()),
                            int(back->iccProfile().size())),
                 icc);

        QCOMPARE(entry(e, "Xmp.xmp.CreatorTool"), QStringLiteral("ShiftSR 9.9.9"));
        QCOMPARE(entry(e, "Xmp.shiftsr.AppVersion"), QStringLiteral("9.9.9"));
        QCOMPARE(entry(e, "Xmp.shiftsr.Model"), QStringLiteral("resshift-v3"));
        QCOMPARE(entry(e, "Xmp.shiftsr.ModelSha256"), QString(64, 'a'));
        QCOMPARE(entry(e, "Xmp.shiftsr.Steps"), QStringLiteral("4"));
        QCOMPARE(entry(e, "Xmp.shiftsr.Seed"), QStringLiteral("12345"));
        QCOMPARE(entry(e, "Xmp.shiftsr.Tile"), QStringLiteral("256/32"));
        QCOMPARE(entry(e, "Xmp.shiftsr.ColorFix"), QStringLiteral("wavelet"));
        QCOMPARE(entry(e, "Xmp.shiftsr.Device"), QStringLiteral("cpu"));
        QCOMPARE(entry(e, "Xmp.shiftsr.Precision"), QStringLiteral("fp32"));
        QCOMPARE(entry(e, "Xmp.shiftsr.Extra"), QStringLiteral("{\"scale\":4}"));

        // Straight from Exiv2: no thumbnail, and no layout tags a TIFF source would bring along.
        const QStringList raw = rawExifKeys(out);
        QVERIFY(raw.contains(QStringLiteral("Exif.Image.Make")));
        for (const QString& k : raw)
            QVERIFY2(!k.startsWith(QStringLiteral("Exif.Thumbnail.")), qPrintable(k));
        if (to != "tif")
            QVERIFY(!raw.contains(QStringLiteral("Exif.Image.StripOffsets")));

        // Regressions of Exiv2 0.27 bugs: an unnamed PNG iCCP chunk (libpng drops it) and a
        // WebP profile under a second VP8X chunk id.
        const QByteArray outBytes = testutil::readAll(out);
        if (to == "png")
            QVERIFY(outBytes.contains(QByteArray("iCCPICC profile\0", 16)));
        if (to == "webp") {
            QCOMPARE(outBytes.count("VP8X"), 1);
            QCOMPARE(outBytes.mid(30, 4), QByteArray("ICCP"));
            QVERIFY(outBytes[20] & 0x20); // VP8X says an ICC profile is present
        }

        // The pixels are untouched and are not turned again.
        auto pixels = ImageIO::read(out.toStdString());
        QVERIFY2(pixels.isOk(), pixels.status().message().c_str());
        QCOMPARE(pixels->exifOrientation, 1);
        QCOMPARE(pixels->color.cols, big.cols);
        QCOMPARE(pixels->color.rows, big.rows);
        const double tolerance = to == "jpg" ? 4.0 : 0.0;
        QVERIFY(cv::norm(pixels->color, big, cv::NORM_L1) / double(big.total() * 3) <= tolerance);
    }

    void emptyWithoutMetadata_data() {
        QTest::addColumn<QString>("ext");
        for (const char* ext : {"jpg", "png", "tif", "webp", "bmp"})
            QTest::newRow(ext) << QString::fromLatin1(ext);
    }
    void emptyWithoutMetadata() {
        QFETCH(QString, ext);
        const QString path = dir_.filePath(QStringLiteral("plain.") + ext);
        QVERIFY(ImageIO::write(path.toStdString(), sourceImage(), cv::Mat()).isOk());
        auto md = Metadata::read(path.toStdString());
        QVERIFY2(md.isOk(), md.status().message().c_str());
        QVERIFY2(md->empty(), md->entries().empty() ? "icc" : md->entries().begin()->first.c_str());
        QCOMPARE(md->orientation(), 1);
        QVERIFY(md->iccProfile().empty());
        QVERIFY(md->entries().empty());
    }

    void defaultIsEmpty() {
        Metadata md;
        QVERIFY(md.empty());
        QCOMPARE(md.orientation(), 1);
        QVERIFY(md.entries().empty());
    }

    void bmpWriteIsNoop() {
        const QString src = dir_.filePath(QStringLiteral("meta-src.jpg"));
        QVERIFY(ImageIO::write(src.toStdString(), sourceImage(), cv::Mat()).isOk());
        QVERIFY(addSourceMetadata(src, false, testIcc()));
        auto md = Metadata::read(src.toStdString());
        QVERIFY(md.isOk());
        const QString bmp = dir_.filePath(QStringLiteral("out.bmp"));
        QVERIFY(ImageIO::write(bmp.toStdString(), sourceImage(), cv::Mat()).isOk());
        const QByteArray before = testutil::readAll(bmp);
        Status s = md->writeTo(bmp.toStdString(), 48, 32, testProvenance());
        QVERIFY2(s.isOk(), s.message().c_str());
        QCOMPARE(testutil::readAll(bmp), before);
    }

    void provenanceWithoutSourceMetadata() {
        const QString plain = dir_.filePath(QStringLiteral("nometa.png"));
        QVERIFY(ImageIO::write(plain.toStdString(), sourceImage(), cv::Mat()).isOk());
        auto md = Metadata::read(plain.toStdString());
        QVERIFY(md.isOk() && md->empty());
        const QString out = dir_.filePath(QStringLiteral("prov.jpg"));
        QVERIFY(ImageIO::write(out.toStdString(), sourceImage(), cv::Mat()).isOk());
        Status s = md->writeTo(out.toStdString(), 48, 32, testProvenance());
        QVERIFY2(s.isOk(), s.message().c_str());
        auto back = Metadata::read(out.toStdString());
        QVERIFY(back.isOk());
        auto e = back->entries();
        QCOMPARE(entry(e, "Xmp.shiftsr.Model"), QStringLiteral("resshift-v3"));
        QCOMPARE(entry(e, "Xmp.shiftsr.Extra"), QStringLiteral("{\"scale\":4}"));
        // No EXIF is invented just to hold the size.
        QCOMPARE(entry(e, "Exif.Photo.PixelXDimension"), QStringLiteral("<absent>"));

        // Processing the output again replaces the provenance instead of mixing two runs.
        Provenance second;
        second.modelName = "rsd";
        s = back->writeTo(out.toStdString(), 48, 32, second);
        QVERIFY2(s.isOk(), s.message().c_str());
        auto again = Metadata::read(out.toStdString());
        QVERIFY(again.isOk());
        e = again->entries();
        QCOMPARE(entry(e, "Xmp.shiftsr.Model"), QStringLiteral("rsd"));
        QCOMPARE(entry(e, "Xmp.shiftsr.Extra"), QStringLiteral("<absent>"));
        QCOMPARE(entry(e, "Xmp.shiftsr.Steps"), QStringLiteral("<absent>"));
        QVERIFY(entry(e, "Xmp.xmp.CreatorTool").startsWith(QStringLiteral("ShiftSR ")));
        QVERIFY(!entry(e, "Xmp.shiftsr.AppVersion").isEmpty());
    }

    void readErrors_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("bytes"); // null: do not create
        QTest::addColumn<shiftsr::StatusCode>("code");
        QTest::newRow("missing") << "nope.jpg" << QByteArray() << StatusCode::NotFound;
        QTest::newRow("zero bytes") << "zero.jpg" << QByteArray("") << StatusCode::InvalidFile;
        QTest::newRow("random bytes")
            << "random.png" << QByteArray(512, 'x') << StatusCode::InvalidFile;
        QTest::newRow("folder") << "" << QByteArray() << StatusCode::InvalidArgument;
    }
    void readErrors() {
        QFETCH(QString, name);
        QFETCH(QByteArray, bytes);
        QFETCH(shiftsr::StatusCode, code);
        const QString path = name.isEmpty() ? dir_.path() : dir_.filePath(name);
        if (!bytes.isNull())
            QVERIFY(testutil::writeAll(path, bytes));
        auto md = Metadata::read(path.toStdString());
        QVERIFY(!md.isOk());
        QCOMPARE(md.status().code(), code);
        QVERIFY2(QString::fromStdString(md.status().message()).contains(path),
                 md.status().message().c_str());
    }

    void writeErrorsLeaveTheFile_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("bytes"); // null: do not create
        QTest::addColumn<int>("width");
        QTest::addColumn<shiftsr::StatusCode>("code");
        QTest::newRow("missing") << "gone.jpg" << QByteArray() << 48 << StatusCode::NotFound;
        QTest::newRow("not an image")
            << "junk.jpg" << QByteArray(300, 'j') << 48 << StatusCode::InvalidFile;
        QTest::newRow("gif") << "anim.gif" << QByteArray("GIF89a").append(200, '\0') << 48
                             << StatusCode::Unsupported;
        QTest::newRow("zero width")
            << "zero.png" << QByteArray("png") << 0 << StatusCode::InvalidArgument;
        QTest::newRow("truncated jpeg") << "cut.jpg"
                                        << QByteArray("\xFF\xD8\xFF\xE1\x10\x00"
                                                      "Exif",
                                                      10)
                                        << 48 << StatusCode::InvalidFile;
    }
    void writeErrorsLeaveTheFile() {
        QFETCH(QString, name);
        QFETCH(QByteArray, bytes);
        QFETCH(int, width);
        QFETCH(shiftsr::StatusCode, code);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(name);
        if (!bytes.isNull())
            QVERIFY(testutil::writeAll(path, bytes));
        Metadata md;
        Status s = md.writeTo(path.toStdString(), width, 32, testProvenance());
        QVERIFY(!s.isOk());
        QCOMPARE(s.code(), code);
        if (!bytes.isNull())
            QCOMPARE(testutil::readAll(path), bytes);
        QVERIFY(tempFilesIn(dir.path()).isEmpty());
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(),
                 bytes.isNull() ? 0 : 1);
    }

private:
    QTemporaryDir dir_;
};

QTEST_GUILESS_MAIN(TestMetadata)
#include "tst_metadata.moc"
