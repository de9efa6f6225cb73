// Reading JSON from untrusted files: bounded nesting, type-checked keys, short echoes in messages.
#pragma once

#include "shiftsr/engine/status.h"

#include <nlohmann/json.hpp>

#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace shiftsr {

// No configuration, metadata entry or job file of ShiftSR nests deeper than a handful of levels;
// nlohmann's parser recurses once per level (a few hundred thousand levels overflow the stack).
inline constexpr int kMaxJsonDepth = 64;
// Strings and lists in a configuration: a path or a name is far below; anything longer is not a
// configuration value and would only be echoed back.
inline constexpr std::size_t kMaxJsonStringChars = 4096;
inline constexpr std::size_t kMaxJsonListEntries = 1024;
// How much of a value from a file a message quotes.
inline constexpr std::size_t kMaxEchoChars = 80;

// True when no array or object in `text` nests deeper than maxDepth (strings are skipped; the
// text need not be valid JSON). Linear and allocation-free: run it before parsing.
bool jsonDepthWithin(std::string_view text, int maxDepth = kMaxJsonDepth);

// Parses `text` after the depth check. Errors are one line and start with `what` (e.g.
// "metadata 'unet'" or a file name).
Result<nlohmann::json> parseJsonBounded(std::string_view text, const std::string& what);

// parseJsonBounded for optional values (provenance, lineage): a discarded value on any error.
nlohmann::json parseJsonOrDiscarded(std::string_view text);

// Reads and parses a JSON file of at most 16 MiB (a --config or job.json); errors name the path.
Result<nlohmann::json> readConfigJson(const std::string& path);

// `s` cut to at most maxChars bytes (never inside a UTF-8 sequence) with "…" when cut, control
// characters replaced by '?': safe to put into a one-line message.
std::string clipForMessage(std::string_view s, std::size_t maxChars = kMaxEchoChars);

// dump() that never throws on invalid UTF-8 (a non-UTF-8 file name in provenance): bad bytes
// become U+FFFD.
std::string dumpLossy(const nlohmann::json& j, int indent = -1);

// "a string", "an integer", ...: the JSON type of a value, for messages.
std::string jsonTypeName(const nlohmann::json& v);

// A configuration value of the wrong type or out of the representable range. what() names the key:
// "window_size must be an integer, not a string".
struct JsonKeyError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

namespace json_detail {
[[noreturn]] void wrongType(const char* key, const char* expected, const nlohmann::json& v);
void readValue(const nlohmann::json& v, const char* key, int* out);
void readValue(const nlohmann::json& v, const char* key, std::uint64_t* out);
void readValue(const nlohmann::json& v, const char* key, double* out);
void readValue(const nlohmann::json& v, const char* key, bool* out);
void readValue(const nlohmann::json& v, const char* key, std::string* out);
template <class T> void readValue(const nlohmann::json& v, const char* key, std::vector<T>* out) {
    if (!v.is_array())
        wrongType(key, "a list", v);
    if (v.size() > kMaxJsonListEntries)
        throw JsonKeyError(std::string(key) + " has " + std::to_string(v.size()) +
                           " entries, more than " + std::to_string(kMaxJsonListEntries));
    std::vector<T> r;
    r.reserve(v.size());
    const std::string entryKey = std::string(key) + " entries";
    for (const auto& e : v) {
        T x{};
        readValue(e, entryKey.c_str(), &x);
        r.push_back(std::move(x));
    }
    *out = std::move(r);
}
} // namespace json_detail

// Sets *out from j[key] when the key is present and not null (a null section has no keys). Throws
// JsonKeyError (naming the key) on a wrong type, a number that does not fit, or an overlong string
// or list; never a nlohmann::json::type_error.
template <class T> void readKey(const nlohmann::json& j, const char* key, T* out) {
    if (j.is_null())
        return;
    if (!j.is_object())
        throw JsonKeyError(std::string("the section holding ") + key + " must be an object, not " +
                           jsonTypeName(j));
    const auto it = j.find(key);
    if (it != j.end() && !it->is_null())
        json_detail::readValue(*it, key, out);
}

} // namespace shiftsr
