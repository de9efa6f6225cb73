// UpscaleSettings: validation and the request, load options and batch naming built from them.
#include "shiftsr/engine/upscale_settings.h"

#include <algorithm>
#include <tuple>

namespace shiftsr {

namespace {

bool oneOf(const std::string& value, std::initializer_list<const char*> allowed) {
    return std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return value == a; });
}

Status invalid(const std::string& message) {
    return Status::error(StatusCode::InvalidArgument, message);
}

} // namespace

Status UpscaleSettings::validate() const {
    if (steps < 0 || steps > kMaxSteps)
        return invalid("steps must be between 0 and " + std::to_string(kMaxSteps));
    if (!oneOf(device, {"auto", "cpu", "cuda"}))
        return invalid("the device must be auto, cpu or cuda, not " + device);
    if (!oneOf(precision, {"auto", "fp32", "bf16", "fp16"}))
        return invalid("the precision must be auto, fp32, bf16 or fp16, not " + precision);
    if (threads < 0 || threads > kMaxThreads)
        return invalid("threads must be between 0 and " + std::to_string(kMaxThreads));
    if (tile < 0 || tile > kMaxTile)
        return invalid("the tile must be between 0 and " + std::to_string(kMaxTile));
    if (overlap < 0 || overlap > kMaxOverlap)
        return invalid("the overlap must be between 0 and " + std::to_string(kMaxOverlap));
    if (maxMemoryMb > kMaxMemoryMb)
        return invalid("the memory limit must be at most " + std::to_string(kMaxMemoryMb) + " MB");
    if (maxPixels < 1)
        return invalid("the pixel limit must be positive");
    if (!oneOf(format, {"keep", "png", "jpg", "jpeg", "tif", "tiff", "webp", "bmp"}))
        return invalid("the format must be keep, png, jpg, tif, webp or bmp, not " + format);
    if (quality < 1 || quality > kMaxQuality)
        return invalid("the quality must be between 1 and " + std::to_string(kMaxQuality));
    if (namePattern.find_first_not_of(" \t") == std::string::npos)
        return invalid("the output name pattern is empty");
    return Status::ok();
}

LoadOptions UpscaleSettings::loadOptions() const {
    LoadOptions o;
    o.device = device;
    o.precision = precision;
    return o;
}

UpscaleRequest UpscaleSettings::request() const {
    UpscaleRequest r;
    r.steps = steps;
    r.seed = seed;
    r.threads = threads;
    r.tiles.tile = tile;
    r.tiles.overlap = overlap;
    r.tiles.memoryLimit = maxMemoryMb << 20;
    r.colorFix = colorFix;
    r.keepMetadata = keepMetadata;
    r.write.jpegQuality = std::min(quality, 100);
    r.write.webpQuality = quality;
    r.read.maxPixels = maxPixels;
    return r;
}

BatchOptions UpscaleSettings::batchOptions(const ModelInfo& model) const {
    BatchOptions o;
    o.recursive = recursive;
    o.pattern = namePattern;
    o.format = format;
    o.tokens = outputNameTokens(model.name, model.scale, steps ? steps : model.steps, seed);
    return o;
}

bool UpscaleSettings::operator==(const UpscaleSettings& o) const {
    auto tie = [](const UpscaleSettings& s) {
        return std::tie(s.modelSpec, s.steps, s.seed, s.device, s.precision, s.threads, s.tile,
                        s.overlap, s.maxMemoryMb, s.colorFix, s.maxPixels, s.keepMetadata, s.format,
                        s.quality, s.namePattern, s.recursive, s.skipExisting, s.cpuFallback);
    };
    return tie(*this) == tie(o);
}

} // namespace shiftsr
