// Fuzz target: an image file as `upscale` reads it: the header probe (ImageIO::probe) and the
// decode entry (ImageIO::read: header checks, truncation checks, EXIF orientation, the OpenCV
// decoders).
#include "fuzz_util.h"

#include "shiftsr/engine/image_io.h"

#include <cstddef>
#include <cstdint>

using namespace shiftsr;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = fuzz::scratchFile("image", data, size);
    (void)ImageIO::probe(path);
    ImageReadOptions options;
    // Keeps each execution short: a header that claims more is refused before decoding, which is
    // the path a larger claim takes at the default limit too.
    options.maxPixels = 1 << 20;
    (void)ImageIO::read(path, options);
    return 0;
}
