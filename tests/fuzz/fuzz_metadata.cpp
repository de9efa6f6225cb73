// Fuzz target: the metadata read path (Exiv2) as `upscale` takes it from an input photo
// (Metadata::read, the flattened entries, the orientation, the ICC profile, the EXIF orientation
// probe of the decoder) and carries it onto an output image (Metadata::embedInto a small PNG).
#include "fuzz_util.h"

#include "image_file.h"
#include "shiftsr/engine/image_io.h"
#include "shiftsr/engine/metadata.h"

#include <cstddef>
#include <cstdint>
#include <vector>

using namespace shiftsr;

namespace {
const std::vector<std::uint8_t>& outputPng() {
    static const std::vector<std::uint8_t> png = [] {
        auto encoded =
            ImageIO::encode("out.png", cv::Mat(4, 4, CV_8UC3, cv::Scalar(1, 2, 3)), cv::Mat());
        return encoded ? *encoded : std::vector<std::uint8_t>();
    }();
    return png;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    (void)exifOrientationOf(data, size);
    const std::string path = fuzz::scratchFile("photo", data, size);
    auto meta = Metadata::read(path);
    if (!meta)
        return 0;
    (void)meta->entries();
    (void)meta->orientation();
    (void)meta->iccProfile();
    if (meta->empty())
        return 0;
    std::vector<std::uint8_t> out = outputPng();
    Provenance provenance;
    provenance.appVersion = "fuzz";
    provenance.steps = 1;
    (void)meta->embedInto(out, 4, 4, provenance, "out.png");
    return 0;
}
