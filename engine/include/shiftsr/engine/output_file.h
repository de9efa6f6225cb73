// The one way an output image reaches the disk: encoded, metadata and provenance embedded in
// memory, then a single atomic write.
#pragma once

#include "shiftsr/engine/image_io.h"
#include "shiftsr/engine/metadata.h"
#include "shiftsr/engine/status.h"

#include <opencv2/core.hpp>

#include <string>

namespace shiftsr {

// Encodes `color` (+ `alpha`) as ImageIO::write does, embeds `metadata` (the source's EXIF, IPTC,
// XMP and ICC; may be empty) and `provenance` as Metadata::writeTo does, and writes the bytes to
// `path` in one atomic replacement. If anything fails (encoding, metadata, the disk), nothing at
// `path` changes: a file already there stays byte-identical, and no temporary file is left.
// `warning` receives what the format could not keep (alpha, 16 bits).
Status writeOutputImage(const std::string& path, const cv::Mat& color, const cv::Mat& alpha,
                        const ImageWriteOptions& options, const Metadata& metadata,
                        const Provenance& provenance, std::string* warning = nullptr);

} // namespace shiftsr
