// Bounded JSON parsing and type-checked key reads (json_util.h).
#include "shiftsr/nn/json_util.h"

#include "file_checks.h"

#include <cmath>
#include <fstream>

namespace shiftsr {

bool jsonDepthWithin(std::string_view text, int maxDepth) {
    int depth = 0;
    bool inString = false, escaped = false;
    for (const char ch : text) {
        if (inString) {
            if (escaped)
                escaped = false;
            else if (ch == '\\')
                escaped = true;
            else if (ch == '"')
                inString = false;
            continue;
        }
        if (ch == '"') {
            inString = true;
        } else if (ch == '[' || ch == '{') {
            if (++depth > maxDepth)
                return false;
        } else if ((ch == ']' || ch == '}') && depth > 0) {
            --depth;
        }
    }
    return true;
}

Result<nlohmann::json> parseJsonBounded(std::string_view text, const std::string& what) {
    if (!jsonDepthWithin(text))
        return Status::error(StatusCode::InvalidFile, what + ": JSON nests deeper than " +
                                                          std::to_string(kMaxJsonDepth) +
                                                          " levels");
    try {
        return nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::exception& e) {
        return Status::error(StatusCode::InvalidFile,
                             what + " is not valid JSON: " + clipForMessage(e.what(), 200));
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory, what + ": not enough memory to parse it");
    }
}

nlohmann::json parseJsonOrDiscarded(std::string_view text) {
    if (!jsonDepthWithin(text))
        return nlohmann::json(nlohmann::json::value_t::discarded);
    return nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
}

Result<nlohmann::json> readConfigJson(const std::string& path) {
    constexpr std::size_t kMaxBytes = std::size_t(16) << 20;
    // A FIFO or a device would block the read or never end: only regular files are configs.
    if (auto size = regularFileSize(path); !size)
        return size.status();
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Status::error(StatusCode::NotFound, "cannot read config '" + path + "'");
    std::string text;
    char buf[65536];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        text.append(buf, std::size_t(in.gcount()));
        if (text.size() > kMaxBytes)
            return Status::error(StatusCode::InvalidFile,
                                 path + ": larger than 16 MiB: not a configuration file");
    }
    if (in.bad())
        return Status::error(StatusCode::IoError, "cannot read config '" + path + "'");
    return parseJsonBounded(text, path);
}

std::string clipForMessage(std::string_view s, std::size_t maxChars) {
    std::size_t n = s.size();
    if (n > maxChars) {
        n = maxChars;
        // Back up to the start of a UTF-8 sequence.
        while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
            --n;
    }
    std::string out(s.substr(0, n));
    for (char& ch : out)
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f)
            ch = '?';
    if (n < s.size())
        out += "\xE2\x80\xA6"; // …
    return out;
}

std::string dumpLossy(const nlohmann::json& j, int indent) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string jsonTypeName(const nlohmann::json& v) {
    switch (v.type()) {
    case nlohmann::json::value_t::null:
        return "null";
    case nlohmann::json::value_t::object:
        return "an object";
    case nlohmann::json::value_t::array:
        return "a list";
    case nlohmann::json::value_t::string:
        return "a string";
    case nlohmann::json::value_t::boolean:
        return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
        return "an integer";
    case nlohmann::json::value_t::number_float:
        return "a fractional number";
    default:
        return "binary data";
    }
}

namespace json_detail {

void wrongType(const char* key, const char* expected, const nlohmann::json& v) {
    std::string shown;
    if (v.is_string() || v.is_number() || v.is_boolean())
        shown =
            " (" +
            clipForMessage(v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), 40) +
            ")";
    throw JsonKeyError(std::string(key) + " must be " + expected + ", not " + jsonTypeName(v) +
                       shown);
}

void readValue(const nlohmann::json& v, const char* key, int* out) {
    if (!v.is_number_integer())
        wrongType(key, "an integer", v);
    const bool fits = v.is_number_unsigned()
                          ? v.get<std::uint64_t>() <= std::uint64_t(std::numeric_limits<int>::max())
                          : v.get<std::int64_t>() >= std::numeric_limits<int>::min() &&
                                v.get<std::int64_t>() <= std::numeric_limits<int>::max();
    if (!fits)
        throw JsonKeyError(std::string(key) + " is out of range (" + v.dump() + ")");
    *out = static_cast<int>(v.get<std::int64_t>());
}

void readValue(const nlohmann::json& v, const char* key, std::uint64_t* out) {
    if (!v.is_number_integer() || (!v.is_number_unsigned() && v.get<std::int64_t>() < 0))
        wrongType(key, "a non-negative integer", v);
    *out = v.get<std::uint64_t>();
}

void readValue(const nlohmann::json& v, const char* key, double* out) {
    if (!v.is_number())
        wrongType(key, "a number", v);
    const double d = v.get<double>();
    if (!std::isfinite(d))
        throw JsonKeyError(std::string(key) + " is out of range");
    *out = d;
}

void readValue(const nlohmann::json& v, const char* key, bool* out) {
    if (!v.is_boolean())
        wrongType(key, "true or false", v);
    *out = v.get<bool>();
}

void readValue(const nlohmann::json& v, const char* key, std::string* out) {
    if (!v.is_string())
        wrongType(key, "a string", v);
    const auto& s = v.get_ref<const std::string&>();
    if (s.size() > kMaxJsonStringChars)
        throw JsonKeyError(std::string(key) + " is " + std::to_string(s.size()) +
                           " characters long, more than " + std::to_string(kMaxJsonStringChars));
    *out = s;
}

} // namespace json_detail

} // namespace shiftsr
