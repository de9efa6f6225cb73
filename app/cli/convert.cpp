// shiftsr-cli import: published weights of any supported family into a model package; `convert`
// is its alias and keeps its old flags (--unet/--autoencoder: official ResShift checkpoints, or
// with --family yonos Stable Diffusion weights).
#include "args.h"
#include "common.h"

#include "shiftsr/engine/convert.h"
#include "shiftsr/engine/import.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace cli {

namespace {

// The old form: `convert --unet UNET --autoencoder AE [--family resshift|yonos]`.
int convertOldFlags(const Args& a) {
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

} // namespace

int cmdImport(int argc, char** argv) {
    const std::string command = argv[1];
    Args a(argc, argv, 2, {"output", "name", "config", "schedule", "unet", "autoencoder", "family"},
           {"json"});
    if (!a.ok())
        return usage(a.error());
    if (a.has("unet") || a.has("autoencoder") || a.has("family")) {
        if (command != "convert")
            return usage("--unet, --autoencoder and --family belong to `convert`; `import` takes "
                         "the files as they are: import FILE... -o PACKAGE");
        if (!a.positionals().empty())
            return usage("convert takes either files or --unet and --autoencoder, not both");
        return convertOldFlags(a);
    }
    shiftsr::ImportOptions o;
    o.inputs = a.positionals();
    o.output = a.get("output");
    o.name = a.get("name");
    o.configJson = a.get("config");
    o.schedule = a.get("schedule");
    if (o.inputs.empty() || o.output.empty())
        return usage(command + " needs weight files and -o PACKAGE");
    shiftsr::JobControl job;
    job.cancel = &gCancel;
    auto r = shiftsr::importWeights(o, job);
    if (!r)
        return fail(r.status());
    if (a.has("json")) {
        const nlohmann::json j = {{"output", o.output},    {"family", r->family},
                                  {"summary", r->summary}, {"scale", r->scale},
                                  {"steps", r->steps},     {"parameters", r->parameters},
                                  {"notes", r->notes}};
        std::cout << j.dump() << "\n";
        return kOk;
    }
    std::cout << o.output << ": " << r->family << ", " << r->summary << "\n"
              << "  scale x" << r->scale << ", " << r->steps << (r->steps == 1 ? " step" : " steps")
              << ", " << r->parameters << " parameters\n";
    for (const auto& note : r->notes)
        std::cout << "  note: " << note << "\n";
    return kOk;
}

} // namespace cli
