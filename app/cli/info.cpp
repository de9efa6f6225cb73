// shiftsr-cli info and models: what a model package holds, and the embedded models.
#include "args.h"
#include "common.h"

#include "shiftsr/engine/model.h"
#include "shiftsr/nn/json_util.h"
#include "shiftsr/resources/embedded.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace cli {

namespace {

// The most of one metadata value `info` prints: enough for every key ShiftSR writes (provenance
// included), and a bound on what a hostile package can make it print.
constexpr std::size_t kMaxShownChars = 64 * 1024;

std::string shown(const std::string& v) {
    return v.size() <= kMaxShownChars ? v : shiftsr::clipForMessage(v, kMaxShownChars);
}

} // namespace

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
    // Metadata values come from the file: JSON ones are shown as JSON only when small and
    // shallow (a deeply nested value would overflow the parser's stack), and no value is printed
    // beyond kMaxShownChars.
    nlohmann::json meta = nlohmann::json::object();
    for (const auto& [k, v] : i.metadata) {
        const bool json =
            v.size() <= kMaxShownChars && (v.rfind('{', 0) == 0 || v.rfind('[', 0) == 0);
        auto parsed = json ? shiftsr::parseJsonBounded(v, k) : nlohmann::json();
        meta[shown(k)] = json && parsed ? *parsed : nlohmann::json(shown(v));
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
        std::cout << shiftsr::dumpLossy(j, 2) << "\n";
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
        std::cout << "  " << shown(k) << ": " << shown(v) << "\n";
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
