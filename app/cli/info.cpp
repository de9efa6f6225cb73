// shiftsr-cli info and models: what a model package holds, and the embedded models.
#include "args.h"
#include "common.h"

#include "shiftsr/engine/model.h"
#include "shiftsr/resources/embedded.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace cli {

int cmdInfo(int argc, char** argv) {
    cli::Args a(argc, argv, 2, {}, {"json"});
    if (!a.ok())
        return usage(a.error());
    if (a.positionals().size() != 1)
        return usage("info needs one model file or embedded:ID");
    auto model = loadModel(a.positionals()[0], {});
    if (!model)
        return fail(model.status());
    const auto& i = (*model)->info();
    nlohmann::json meta = nlohmann::json::object();
    for (const auto& [k, v] : i.metadata) {
        try {
            meta[k] = (v.size() && (v[0] == '{' || v[0] == '[')) ? nlohmann::json::parse(v)
                                                                 : nlohmann::json(v);
        } catch (...) {
            meta[k] = v;
        }
    }
    nlohmann::json j = {{"source", i.source},
                        {"name", i.name},
                        {"family", i.family},
                        {"codec", i.codec},
                        {"scale", i.scale},
                        {"steps", i.steps},
                        {"trained_steps", i.trainedSteps},
                        {"unet_parameters", i.unetParameters},
                        {"codec_parameters", i.codecParameters},
                        {"bytes", i.fileBytes},
                        {"sha256", i.contentHash},
                        {"metadata", meta}};
    if (a.has("json")) {
        std::cout << j.dump(2) << "\n";
        return kOk;
    }
    std::cout << "source:      " << i.source << "\n"
              << "name:        " << i.name << "\n"
              << "family:      " << i.family << " x" << i.scale << ", " << i.steps
              << " step(s) (schedule T=" << i.trainedSteps << ")\n"
              << "codec:       " << i.codec << "\n"
              << "parameters:  unet " << i.unetParameters << ", codec " << i.codecParameters << "\n"
              << "size:        " << shiftsr::formatBytes(i.fileBytes) << "\n"
              << "sha256:      " << i.contentHash << "\n"
              << "metadata:\n";
    for (const auto& [k, v] : i.metadata)
        std::cout << "  " << k << ": " << v << "\n";
    return kOk;
}

int cmdModels() {
    for (const auto& m : shiftsr::resources::listedEmbeddedModels())
        std::cout << "embedded:" << m.id
                  << (m.id == shiftsr::resources::defaultModelId() ? " (default)" : "") << "  "
                  << shiftsr::formatBytes(m.size) << "  " << m.description << "\n";
    return kOk;
}

} // namespace cli
