// Photo metadata (EXIF, IPTC, XMP, ICC): read from a source image, carried onto the upscaled
// output.
#pragma once

#include "shiftsr/engine/status.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace shiftsr {

// What made an output image; written as XMP under the ShiftSR namespace
// ("http://ns.shiftsr.org/1.0/", prefix "shiftsr"). Empty strings and steps <= 0 are left out.
struct Provenance {
    std::string appVersion, modelName, modelSha256, seed, tile, colorFix, device, precision;
    int steps = 0;
    std::string extra; // JSON text, optional (Xmp.shiftsr.Extra)
};

class Metadata {
public:
    Metadata();

    // EXIF, IPTC, XMP and the ICC profile of a JPEG, PNG, TIFF, WebP (or BMP: always empty).
    // An image without metadata gives an empty Metadata, not an error. Errors: NotFound,
    // InvalidFile (not an image, or metadata too damaged to parse), IoError.
    static Result<Metadata> read(const std::string& path);

    int
    orientation() const; // Exif.Image.Orientation (else Xmp.tiff.Orientation), 1..8; 1 if absent
    bool empty() const;
    const std::vector<std::uint8_t>& iccProfile() const;

    // Replaces the metadata of the existing image file `path` (the output) with this one:
    // EXIF/IPTC/XMP/ICC copied; Orientation set to 1; pixel dimensions set to width x height;
    // thumbnails and other sub-images dropped; TIFF layout tags of the source left behind; plus
    // the provenance XMP and Xmp.xmp.CreatorTool = "ShiftSR <version>". BMP holds no metadata:
    // ok, nothing written. Formats Exiv2 cannot write (WebP keeps no IPTC) lose those parts
    // silently. Atomic: the file is rewritten in memory and renamed over `path`; on failure
    // `path` is untouched.
    Status writeTo(const std::string& path, int width, int height,
                   const Provenance& provenance) const;
    // The same on an encoded image held in memory (`bytes` is replaced by the result; unchanged
    // on failure and for BMP). `name` names the image in messages.
    Status embedInto(std::vector<std::uint8_t>& bytes, int width, int height,
                     const Provenance& provenance, const std::string& name) const;

    // Flattened key -> value text (Exif.*, Iptc.*, Xmp.*). Repeated keys are joined with "; ";
    // binary values longer than 256 bytes read "(N bytes)".
    std::map<std::string, std::string> entries() const;

    struct Data; // Exiv2 containers, private to metadata.cpp

private:
    std::shared_ptr<const Data> data_; // immutable once read, so copies share it
    std::vector<std::uint8_t> icc_;
    int orientation_ = 1;
};

} // namespace shiftsr
