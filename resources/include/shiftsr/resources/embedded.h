// Models and sample photos compiled into the binaries, so a new user gets a result with no download.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace shiftsr::resources {

struct EmbeddedModel {
    std::string id;          // short id: "test-tiny", ...
    std::string description; // one line for listings
    const unsigned char* data = nullptr;
    std::size_t size = 0;
};

const std::vector<EmbeddedModel>& embeddedModels();
const EmbeddedModel* findEmbeddedModel(const std::string& id);
// The model the app and CLI use when none is chosen.
std::string defaultModelId();

} // namespace shiftsr::resources
