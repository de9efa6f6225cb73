// Small helpers for reading optional keys of the official YAML-layout configs.
#pragma once

#include <nlohmann/json.hpp>

#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace shiftsr {

namespace json_detail {

// v as T. An integer type takes any JSON number within its range (a fraction is truncated, as
// nlohmann does); a number outside it throws instead of converting, which for a floating-point
// value is undefined behaviour and for an integer a silently different value.
template <class T> T readValue(const nlohmann::json& v, const char* key) {
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        using L = std::numeric_limits<T>;
        bool inRange = true;
        if (v.is_number_unsigned())
            inRange = v.get<std::uint64_t>() <= static_cast<std::uint64_t>(L::max());
        else if (v.is_number_integer())
            inRange =
                v.get<std::int64_t>() >= static_cast<std::int64_t>(L::min()) &&
                (v.get<std::int64_t>() < 0 || static_cast<std::uint64_t>(v.get<std::int64_t>()) <=
                                                  static_cast<std::uint64_t>(L::max()));
        else if (v.is_number_float())
            inRange = v.get<double>() > static_cast<double>(L::min()) - 1.0 &&
                      v.get<double>() < static_cast<double>(L::max()) + 1.0; // false for NaN
        if (!inRange)
            throw std::out_of_range(std::string("'") + key + "' must be a number from " +
                                    std::to_string(L::min()) + " to " + std::to_string(L::max()));
    }
    return v.get<T>();
}

template <class T> void read(const nlohmann::json& v, const char* key, T* out) {
    *out = readValue<T>(v, key);
}

template <class T> void read(const nlohmann::json& v, const char* key, std::vector<T>* out) {
    if (!v.is_array()) {
        *out = v.get<std::vector<T>>(); // nlohmann's type error
        return;
    }
    std::vector<T> values;
    values.reserve(v.size());
    for (const auto& e : v)
        values.push_back(readValue<T>(e, key));
    *out = std::move(values);
}

} // namespace json_detail

// Sets *out from j[key] when the key is present and not null; throws on a type mismatch and on
// an integer out of the range of *out's type.
template <class T> void readKey(const nlohmann::json& j, const char* key, T* out) {
    if (j.contains(key) && !j.at(key).is_null())
        json_detail::read(j.at(key), key, out);
}

} // namespace shiftsr
