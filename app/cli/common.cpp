// Helpers shared by the shiftsr-cli commands.
#include "common.h"

#include "shiftsr/resources/embedded.h"

namespace cli {

shiftsr::Result<std::shared_ptr<const shiftsr::Model>> loadModel(const std::string& spec,
                                                                 const shiftsr::LoadOptions& o) {
    std::string id = spec.empty() ? shiftsr::resources::defaultModelId() : spec;
    if (spec.empty() || id.rfind("embedded:", 0) == 0) {
        if (id.rfind("embedded:", 0) == 0)
            id = id.substr(9);
        const auto* m = shiftsr::resources::findEmbeddedModel(id);
        if (!m)
            return shiftsr::Status::error(shiftsr::StatusCode::NotFound,
                                          "no embedded model '" + id + "' (see `shiftsr-cli models`)");
        return shiftsr::Model::loadFromMemory(m->data, m->size, m->id, o);
    }
    return shiftsr::Model::load(id, o);
}

} // namespace cli
