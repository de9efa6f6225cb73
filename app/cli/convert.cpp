// shiftsr-cli convert: official ResShift checkpoints (or, --family yonos, Stable Diffusion
// weights) into a model package.
#include "args.h"
#include "common.h"

#include "shiftsr/engine/convert.h"

#include <iostream>

namespace cli {

int cmdConvert(int argc, char** argv) {
    cli::Args a(argc, argv, 2, {"unet", "autoencoder", "config", "output", "name", "family"}, {});
    if (!a.ok())
        return usage(a.error());
    shiftsr::ConvertOptions o;
    o.unetCheckpoint = a.get("unet");
    o.autoencoderCheckpoint = a.get("autoencoder");
    o.configJson = a.get("config");
    o.output = a.get("output");
    o.name = a.get("name");
    if (o.unetCheckpoint.empty() || o.autoencoderCheckpoint.empty() || o.output.empty())
        return usage("convert needs --unet, --autoencoder and -o");
    shiftsr::JobControl job;
    job.cancel = &gCancel;
    const std::string family = a.get("family");
    if (!family.empty() && family != "resshift" && family != "yonos")
        return usage("--family must be resshift or yonos");
    auto r = family == "yonos" ? shiftsr::convertStableDiffusion(o, job)
                               : shiftsr::convertOfficial(o, job);
    if (!r)
        return fail(r.status());
    std::cout << o.output << ": UNet " << r->unetParameters << " parameters, codec "
              << r->codecParameters << " parameters"
              << (r->strippedModulePrefix ? " ('module.' prefix removed)" : "")
              << (r->unwrappedFrom.empty() ? ""
                                           : " (weights found under '" + r->unwrappedFrom + "')")
              << "\n";
    return kOk;
}

} // namespace cli
