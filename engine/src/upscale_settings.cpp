// UpscaleSettings: the request, load options and batch naming built from them.
#include "shiftsr/engine/upscale_settings.h"

#include <algorithm>

namespace shiftsr {

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
    r.read.acceptDamaged = acceptDamaged;
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

} // namespace shiftsr
