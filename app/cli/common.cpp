// Helpers shared by the shiftsr-cli commands.
#include "common.h"

#include "shiftsr/resources/embedded.h"

namespace cli {

shiftsr::Result<std::shared_ptr<const shiftsr::Model>> loadModel(const std::string& spec,
                                                                 const shiftsr::LoadOptions& o) {
    return shiftsr::resources::loadModelSpec(spec, o);
}

} // namespace cli
