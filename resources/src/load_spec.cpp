// The one place a model spec becomes a loaded model: "embedded:<id>", a package path, or empty.
#include "shiftsr/resources/embedded.h"

namespace shiftsr::resources {

Result<std::shared_ptr<const Model>> loadModelSpec(const std::string& spec,
                                                   const LoadOptions& options) {
    constexpr const char* kPrefix = "embedded:";
    if (!spec.empty() && spec.rfind(kPrefix, 0) != 0)
        return Model::load(spec, options);
    const std::string id =
        spec.empty() ? defaultModelId() : spec.substr(std::string(kPrefix).size());
    const EmbeddedModel* m = findEmbeddedModel(id);
    if (!m)
        return Status::error(StatusCode::NotFound, "no embedded model '" + id + "'");
    return Model::loadFromMemory(m->data, m->size, m->id, options);
}

} // namespace shiftsr::resources
