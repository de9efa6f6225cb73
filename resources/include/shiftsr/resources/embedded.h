// Models and sample photos compiled into the binaries, so a new user gets a result with no
// download.
#pragma once

#include "shiftsr/engine/model.h"
#include "shiftsr/engine/status.h"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace shiftsr::resources {

struct EmbeddedModel {
    std::string id;          // short id: "test-tiny", ...
    std::string description; // one line for listings
    const unsigned char* data = nullptr;
    std::size_t size = 0;
    bool forTests = false; // untrained: loadable as embedded:<id>, listed only for the tests
};

// Every embedded model, the test model included.
const std::vector<EmbeddedModel>& embeddedModels();
// What the app's model lists, Region Preview and `shiftsr-cli models` show: the test model only
// when SHIFTSR_SHOW_TEST_MODELS=1 (the test suites set it) or when it is the only one embedded.
std::vector<EmbeddedModel> listedEmbeddedModels();

// Loads what a model spec names, for the CLI and the app alike: "embedded:<id>" (any embedded
// model, the test model included), a .safetensors path, or empty for the embedded default.
Result<std::shared_ptr<const Model>> loadModelSpec(const std::string& spec,
                                                   const LoadOptions& options = {});
const EmbeddedModel* findEmbeddedModel(const std::string& id);
// The model the app and CLI use when none is chosen.
std::string defaultModelId();

} // namespace shiftsr::resources
