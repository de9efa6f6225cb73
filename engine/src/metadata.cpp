// Metadata through Exiv2 0.27 (the one file that includes it): read, filter, carry onto outputs.
#include "shiftsr/engine/metadata.h"

#include "byte_reader.h"
#include "image_file.h"
#include "shiftsr/nn/atomic_file.h"

#include <exiv2/exiv2.hpp>
#include <exiv2/webpimage.hpp> // not part of exiv2.hpp in 0.27

#include <algorithm>
#include <cstring>
#include <exception>
#include <mutex>
#include <new>
#include <set>

namespace shiftsr {

struct Metadata::Data {
    Exiv2::ExifData exif;
    Exiv2::IptcData iptc;
    Exiv2::XmpData xmp;
};

namespace {

const char* const kShiftsrNamespace = "http://ns.shiftsr.org/1.0/";

void silentLog(int, const char*) {}

// The XMP toolkit registers every namespace it meets while parsing in one global table; this
// lock serialises that across threads. Recursive, like the critical section Exiv2's docs use;
// never destroyed, so no thread can outlive it at exit.
void xmpLock(void* data, bool lock) {
    auto* m = static_cast<std::recursive_mutex*>(data);
    if (lock)
        m->lock();
    else
        m->unlock();
}

// Exiv2 keeps process-wide state (XMP toolkit, namespace registry, log level) that is not safe
// to set up from two threads at once.
void initExiv2() {
    static std::once_flag once;
    std::call_once(once, [] {
        // Exiv2 reports every odd tag on stderr; our callers get a Status instead.
        Exiv2::LogMsg::setLevel(Exiv2::LogMsg::mute);
        Exiv2::LogMsg::setHandler(silentLog);
        Exiv2::XmpParser::initialize(xmpLock, new std::recursive_mutex);
        try {
            Exiv2::XmpProperties::registerNs(kShiftsrNamespace, "shiftsr");
        } catch (...) {
            // Already registered (e.g. by a host application): the prefix still resolves.
        }
    });
}

std::string exiv2Message(const std::exception& e) {
    std::string what = e.what();
    return what.empty() ? std::string("unknown Exiv2 error") : what;
}

// IFD0 tags that describe how the source file stores its pixels, or that carry XMP, IPTC and
// ICC in TIFF form (those travel through their own containers). Copied onto a new file they
// would describe pixels that are not there.
const std::set<std::uint16_t>& layoutTags() {
    static const std::set<std::uint16_t> tags = {
        254,   255, 258, 259, 262, 263, 264, 265, 266, 273, 277, 278, 279, 280, 281,
        284,   288, 289, 290, 291, 292, 293, 317, 320, 322, 323, 324, 325, 330, 338,
        339,   340, 341, 347, 512, 513, 514, 515, 517, 518, 519, 520, 521, 530, 532,
        700,   // XMLPacket
        33723, // IPTCNAA
        34377, // Photoshop ImageResources
        34675, // InterColorProfile
        37724, // Photoshop ImageSourceData (layers)
    };
    return tags;
}

// Groups holding other images of the source file: thumbnails, sub-images, multi-picture data.
bool isOtherImageGroup(const std::string& group) {
    return group == "Thumbnail" || group == "Image2" || group == "Image3" || group == "SubThumb1" ||
           group == "MpfInfo" || group.rfind("SubImage", 0) == 0;
}

void filterExif(Exiv2::ExifData& exif, bool sourceIsTiff) {
    const auto& layout = layoutTags();
    for (auto it = exif.begin(); it != exif.end();) {
        const std::string group = it->groupName();
        bool drop = isOtherImageGroup(group);
        if (!drop && group == "Image") {
            const std::uint16_t tag = it->tag();
            // In a TIFF the size tags are layout; in a JPEG's EXIF they are a description.
            drop = layout.count(tag) != 0 || (sourceIsTiff && (tag == 256 || tag == 257));
        }
        it = drop ? exif.erase(it) : std::next(it);
    }
}

bool validIccProfile(const std::vector<std::uint8_t>& icc) {
    if (icc.size() < 132)
        return false;
    const std::uint32_t declared = bytes::be32(icc.data());
    return declared == icc.size() && std::memcmp(icc.data() + 36, "acsp", 4) == 0;
}

int orientationFrom(const Exiv2::ExifData& exif, const Exiv2::XmpData& xmp) {
    auto valid = [](long v) { return v >= 1 && v <= 8; };
    const auto e = exif.findKey(Exiv2::ExifKey("Exif.Image.Orientation"));
    if (e != exif.end() && e->count() > 0 && valid(e->toLong()))
        return static_cast<int>(e->toLong());
    const auto x = xmp.findKey(Exiv2::XmpKey("Xmp.tiff.Orientation"));
    if (x != xmp.end() && x->count() > 0 && valid(x->toLong()))
        return static_cast<int>(x->toLong());
    return 1;
}

bool isBinaryType(Exiv2::TypeId type) {
    return type == Exiv2::undefined || type == Exiv2::unsignedByte || type == Exiv2::signedByte;
}

template <class Container>
void flatten(const Container& data, std::map<std::string, std::string>& out) {
    for (const auto& md : data) {
        std::string text;
        if (isBinaryType(md.typeId()) && md.size() > 256)
            text = "(" + std::to_string(md.size()) + " bytes)";
        else
            text = md.toString();
        auto [it, inserted] = out.emplace(md.key(), text);
        if (!inserted)
            it->second += "; " + text;
    }
}

void setIfPresent(Exiv2::XmpData& xmp, const char* key, const std::string& value) {
    const auto it = xmp.findKey(Exiv2::XmpKey(key));
    if (it != xmp.end())
        it->setValue(value);
}

void eraseXmpPrefix(Exiv2::XmpData& xmp, const std::string& prefix) {
    for (auto it = xmp.begin(); it != xmp.end();)
        it = it->key().rfind(prefix, 0) == 0 ? xmp.erase(it) : std::next(it);
}

// Runs an Exiv2 call, turning whatever it throws into a Status.
template <class F> Status guarded(const std::string& what, F&& f) {
    try {
        return f();
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory, "out of memory " + what);
    } catch (const Exiv2::AnyError& e) {
        return Status::error(StatusCode::InvalidFile, what + ": " + exiv2Message(e));
    } catch (const std::exception& e) {
        return Status::error(StatusCode::Internal, what + ": " + exiv2Message(e));
    } catch (...) {
        return Status::error(StatusCode::Internal, what + ": unknown error");
    }
}

} // namespace

Metadata::Metadata() : data_(std::make_shared<Data>()) {}

Result<Metadata> Metadata::read(const std::string& path) {
    initExiv2();
    std::vector<std::uint8_t> bytes;
    if (Status s = readWholeFile(path, bytes); !s)
        return s.withContext("cannot read metadata");
    Metadata result;
    const Status s = guarded("cannot read the metadata of '" + path + "'", [&]() -> Status {
        const long size = static_cast<long>(bytes.size());
        const int type = Exiv2::ImageFactory::getType(bytes.data(), size);
        if (type == Exiv2::ImageType::none)
            return Status::error(StatusCode::InvalidFile,
                                 "'" + path + "' is not an image file Exiv2 can read");
        if (type == Exiv2::ImageType::bmp)
            return Status::ok(); // BMP holds no metadata
        auto image = Exiv2::ImageFactory::open(bytes.data(), size);
        if (!image.get())
            return Status::error(StatusCode::InvalidFile,
                                 "'" + path + "' is not an image file Exiv2 can read");
        image->readMetadata();
        auto data = std::make_shared<Data>();
        data->exif = image->exifData();
        data->iptc = image->iptcData();
        data->xmp = image->xmpData();
        result.orientation_ = orientationFrom(data->exif, data->xmp);
        filterExif(data->exif, type == Exiv2::ImageType::tiff);
        if (type == Exiv2::ImageType::webp) {
            result.icc_ = webpIccProfile(bytes.data(), bytes.size());
        } else if (image->iccProfileDefined()) {
            const Exiv2::DataBuf* icc = image->iccProfile();
            result.icc_.assign(icc->pData_, icc->pData_ + icc->size_);
        }
        result.data_ = std::move(data);
        return Status::ok();
    });
    if (!s)
        return s;
    return result;
}

int exifOrientationOf(const std::uint8_t* data, std::size_t size) {
    initExiv2();
    try {
        auto image = Exiv2::ImageFactory::open(data, static_cast<long>(size));
        if (!image.get())
            return 1;
        image->readMetadata();
        return orientationFrom(image->exifData(), image->xmpData());
    } catch (...) {
        // Damaged metadata must not stop the pixels from loading; they stay as stored.
        return 1;
    }
}

int Metadata::orientation() const {
    return orientation_;
}

bool Metadata::empty() const {
    return data_->exif.empty() && data_->iptc.empty() && data_->xmp.empty() && icc_.empty();
}

const std::vector<std::uint8_t>& Metadata::iccProfile() const {
    return icc_;
}

std::map<std::string, std::string> Metadata::entries() const {
    std::map<std::string, std::string> out;
    try {
        flatten(data_->exif, out);
        flatten(data_->iptc, out);
        flatten(data_->xmp, out);
    } catch (...) {
        // A value Exiv2 cannot print is left out; the listing is for display only.
    }
    return out;
}

Status Metadata::writeTo(const std::string& path, int width, int height,
                         const Provenance& provenance) const {
    std::vector<std::uint8_t> bytes;
    if (Status s = readWholeFile(path, bytes); !s)
        return s.withContext("cannot write metadata");
    if (Status s = embedInto(bytes, width, height, provenance, path); !s)
        return s;
    if (bytes.size() >= 2 && bytes[0] == 'B' && bytes[1] == 'M') // BMP holds no metadata
        return Status::ok();
    return writeBytesAtomically(path, bytes);
}

Status Metadata::embedInto(std::vector<std::uint8_t>& bytes, int width, int height,
                           const Provenance& provenance, const std::string& name) const {
    initExiv2();
    if (width <= 0 || height <= 0)
        return Status::error(StatusCode::InvalidArgument,
                             "cannot write metadata: invalid image size " + std::to_string(width) +
                                 "x" + std::to_string(height));
    const std::string what = "cannot write metadata into '" + name + "'";
    std::vector<std::uint8_t> updated;
    bool skip = false;
    Status s = guarded(what, [&]() -> Status {
        const long size = static_cast<long>(bytes.size());
        const int type = Exiv2::ImageFactory::getType(bytes.data(), size);
        if (type == Exiv2::ImageType::bmp) {
            skip = true;
            return Status::ok();
        }
        if (type == Exiv2::ImageType::none)
            return Status::error(StatusCode::InvalidFile, what + ": not an image file");
        if (type != Exiv2::ImageType::jpeg && type != Exiv2::ImageType::png &&
            type != Exiv2::ImageType::tiff && type != Exiv2::ImageType::webp)
            return Status::error(StatusCode::Unsupported,
                                 what + ": only JPEG, PNG, TIFF and WebP files hold metadata");
        auto image = Exiv2::ImageFactory::open(bytes.data(), size);
        if (!image.get())
            return Status::error(StatusCode::InvalidFile, what + ": not an image file");
        image->readMetadata();

        const auto w = static_cast<std::uint32_t>(width);
        const auto h = static_cast<std::uint32_t>(height);
        Exiv2::ExifData exif = data_->exif;
        // Pixels are written upright, so the tag that would rotate them again must say "as is".
        if (auto it = exif.findKey(Exiv2::ExifKey("Exif.Image.Orientation")); it != exif.end())
            it->setValue("1");
        if (!exif.empty()) {
            exif["Exif.Photo.PixelXDimension"] = w;
            exif["Exif.Photo.PixelYDimension"] = h;
        }
        if (auto it = exif.findKey(Exiv2::ExifKey("Exif.Image.ImageWidth")); it != exif.end())
            exif["Exif.Image.ImageWidth"] = w;
        if (auto it = exif.findKey(Exiv2::ExifKey("Exif.Image.ImageLength")); it != exif.end())
            exif["Exif.Image.ImageLength"] = h;

        Exiv2::XmpData xmp = data_->xmp;
        eraseXmpPrefix(xmp, "Xmp.xmp.Thumbnails");
        setIfPresent(xmp, "Xmp.tiff.Orientation", "1");
        setIfPresent(xmp, "Xmp.exif.PixelXDimension", std::to_string(w));
        setIfPresent(xmp, "Xmp.exif.PixelYDimension", std::to_string(h));
        setIfPresent(xmp, "Xmp.tiff.ImageWidth", std::to_string(w));
        setIfPresent(xmp, "Xmp.tiff.ImageLength", std::to_string(h));
        const std::string version =
            provenance.appVersion.empty() ? std::string(SHIFTSR_VERSION) : provenance.appVersion;
        xmp["Xmp.xmp.CreatorTool"] = "ShiftSR " + version;
        const std::pair<const char*, const std::string*> fields[] = {
            {"Xmp.shiftsr.AppVersion", &version},
            {"Xmp.shiftsr.Model", &provenance.modelName},
            {"Xmp.shiftsr.ModelSha256", &provenance.modelSha256},
            {"Xmp.shiftsr.Seed", &provenance.seed},
            {"Xmp.shiftsr.Tile", &provenance.tile},
            {"Xmp.shiftsr.ColorFix", &provenance.colorFix},
            {"Xmp.shiftsr.Device", &provenance.device},
            {"Xmp.shiftsr.Precision", &provenance.precision},
            {"Xmp.shiftsr.Extra", &provenance.extra},
        };
        eraseXmpPrefix(xmp, "Xmp.shiftsr."); // a re-processed image gets this run's values only
        for (const auto& [key, value] : fields)
            if (!value->empty())
                xmp[key] = *value;
        if (provenance.steps > 0)
            xmp["Xmp.shiftsr.Steps"] = std::to_string(provenance.steps);

        image->setExifData(exif);
        image->setIptcData(data_->iptc);
        image->setXmpData(xmp);
        // A profile with a wrong size field would be copied as garbage: leave it behind.
        // Exiv2 0.27 writes WebP profiles under a wrong chunk id; they are added below instead.
        const bool icc = validIccProfile(icc_);
        if (icc && type != Exiv2::ImageType::webp) {
            Exiv2::DataBuf icc(icc_.data(), static_cast<long>(icc_.size()));
            image->setIccProfile(icc, true);
        } else {
            image->clearIccProfile();
        }
        image->writeMetadata();

        Exiv2::BasicIo& io = image->io();
        if (io.open() != 0)
            return Status::error(StatusCode::Internal, what + ": cannot reopen the memory copy");
        const long outSize = io.size();
        const Exiv2::byte* out = outSize > 0 ? io.mmap() : nullptr;
        if (!out)
            return Status::error(StatusCode::Internal, what + ": Exiv2 produced no data");
        updated.assign(out, out + outSize);
        io.munmap();
        io.close();
        if (type == Exiv2::ImageType::png && !repairPngIccName(updated))
            return Status::error(StatusCode::Internal, what + ": Exiv2 wrote a damaged PNG");
        // The XMP written above always makes Exiv2 use the extended (VP8X) layout.
        if (type == Exiv2::ImageType::webp &&
            !setWebpIccProfile(updated, icc ? icc_ : std::vector<std::uint8_t>()))
            return Status::error(StatusCode::Internal,
                                 what + ": cannot add the ICC profile to the WebP file");
        return Status::ok();
    });
    if (!s || skip)
        return s;
    bytes.swap(updated);
    return Status::ok();
}

} // namespace shiftsr
