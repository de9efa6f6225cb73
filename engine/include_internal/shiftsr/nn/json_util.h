// Small helpers for reading optional keys of the official YAML-layout configs.
#pragma once

#include <nlohmann/json.hpp>

namespace shiftsr {

// Sets *out from j[key] when the key is present and not null; throws on a type mismatch.
template <class T> void readKey(const nlohmann::json& j, const char* key, T* out) {
    if (j.contains(key) && !j.at(key).is_null())
        *out = j.at(key).get<T>();
}

} // namespace shiftsr
