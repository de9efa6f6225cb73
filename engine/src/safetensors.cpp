// safetensors reader (fully validated header, lazy tensor reads) and atomic writer.
#include "shiftsr/engine/safetensors.h"

#include "byte_reader.h"
#include "file_checks.h"
#include "shiftsr/nn/atomic_file.h"
#include "shiftsr/nn/json_util.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <functional>
#include <limits>
#include <new>
#include <set>

namespace shiftsr {

namespace {

using nlohmann::json;

constexpr std::uint64_t kInt64Max =
    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

Status invalid(const std::string& path, const std::string& what) {
    return Status::error(StatusCode::InvalidFile, path + ": " + what);
}

// Short description of a JSON value's type for messages.
const char* jsonKind(const json& value) {
    switch (value.type()) {
    case json::value_t::null:
        return "null";
    case json::value_t::object:
        return "an object";
    case json::value_t::array:
        return "an array";
    case json::value_t::string:
        return "a string";
    case json::value_t::boolean:
        return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
        return "an integer";
    case json::value_t::number_float:
        return "a number";
    case json::value_t::binary:
        return "binary data";
    default:
        return "an invalid value";
    }
}

// numel * elementSize, or false on int64 overflow; a negative dim is reported separately.
bool checkedBytes(const std::vector<std::int64_t>& shape, std::size_t elementSize,
                  std::uint64_t* numelOut, std::uint64_t* bytesOut) {
    std::uint64_t numel = 1;
    for (std::int64_t d : shape) {
        if (d < 0)
            return false;
        const std::uint64_t ud = static_cast<std::uint64_t>(d);
        if (ud != 0 && numel > kInt64Max / ud)
            return false;
        numel *= ud;
    }
    if (elementSize != 0 && numel > kInt64Max / elementSize)
        return false;
    *numelOut = numel;
    *bytesOut = numel * elementSize;
    return true;
}

// dtypes of the safetensors specification that this build does not handle.
bool isKnownUnsupportedDType(const std::string& name) {
    static const char* const names[] = {"U16",     "U32",     "U64",         "F8_E4M3",
                                        "F8_E5M2", "F8_E8M0", "F4",          "F6_E2M3",
                                        "F6_E3M2", "C64",     "F8_E4M3FNUZ", "F8_E5M2FNUZ"};
    for (const char* n : names)
        if (name == n)
            return true;
    return false;
}

std::string sizeText(std::uint64_t bytes) {
    const std::string human = formatBytes(bytes);
    if (bytes < 1024)
        return human;
    return human + " (" + std::to_string(bytes) + " bytes)";
}

// The validated layout of a safetensors byte source (a file, or memory).
struct Layout {
    std::map<std::string, std::string> metadata;
    std::vector<TensorEntry> tensors; // sorted by offset
    std::uint64_t dataOffset = 0;
};

using ReadAt = std::function<bool(std::uint64_t offset, void* dst, std::size_t bytes)>;

// Validates everything SafeTensorsFile::open promises. `path` names the source in messages.
constexpr std::size_t kMaxTensorNameChars = 1024;

Status parseLayout(const std::string& path, std::uint64_t fileSize, const ReadAt& readAt,
                   const SafeTensorsFile::Limits& limits, Layout* out) {
    if (fileSize < 8)
        return invalid(path, "file is too small to be a safetensors file (" +
                                 formatBytes(fileSize) + "; at least 8 bytes are needed)");

    unsigned char lenBytes[8];
    if (!readAt(0, lenBytes, 8))
        return Status::error(StatusCode::IoError, "cannot read '" + path + "'");
    const std::uint64_t headerLen = bytes::le64(lenBytes);
    if (headerLen == 0)
        return invalid(path, "header length is 0: not a safetensors file");
    if (headerLen > limits.maxHeaderBytes)
        return invalid(path, "header length " + std::to_string(headerLen) +
                                 " exceeds the limit of " + sizeText(limits.maxHeaderBytes) +
                                 ": not a safetensors file, or a corrupt one");
    if (headerLen > fileSize - 8)
        return invalid(path, "header length " + std::to_string(headerLen) +
                                 " is larger than the rest of the file (" +
                                 std::to_string(fileSize - 8) +
                                 " bytes): the file is truncated or not a safetensors file");

    std::string header(static_cast<std::size_t>(headerLen), '\0');
    if (!readAt(8, header.data(), header.size()))
        return Status::error(StatusCode::IoError, "cannot read the header of '" + path + "'");

    // Parse; remember duplicate top-level names (nlohmann keeps only the last one).
    std::set<std::string> seenKeys;
    std::string duplicate;
    json root;
    // nlohmann's parser recurses once per level: a header of nested brackets must not overflow the
    // stack. A valid header nests three levels (tensor, shape / offsets).
    if (!jsonDepthWithin(header))
        return invalid(path, "header JSON nests deeper than " + std::to_string(kMaxJsonDepth) +
                                 " levels: not a safetensors file");
    try {
        root = json::parse(header, [&](int depth, json::parse_event_t event, json& parsed) {
            if (depth == 1 && event == json::parse_event_t::key && duplicate.empty() &&
                parsed.is_string()) {
                const std::string& key = parsed.get_ref<const std::string&>();
                if (!seenKeys.insert(key).second)
                    duplicate = key;
            }
            return true;
        });
    } catch (const json::exception& e) {
        return invalid(path, std::string("header is not valid JSON: ") + e.what());
    }
    if (!root.is_object())
        return invalid(path, std::string("header must be a JSON object but is ") + jsonKind(root));
    if (!duplicate.empty())
        return invalid(path,
                       "the name '" + clipForMessage(duplicate) + "' appears twice in the header");

    out->dataOffset = 8 + headerLen;
    const std::uint64_t dataSize = fileSize - out->dataOffset;

    std::size_t entryCount = root.size();
    if (root.contains("__metadata__"))
        --entryCount;
    if (entryCount > limits.maxTensors)
        return invalid(path, "header lists " + std::to_string(entryCount) +
                                 " tensors, more than the limit of " +
                                 std::to_string(limits.maxTensors));
    out->tensors.reserve(entryCount);

    for (auto it = root.begin(); it != root.end(); ++it) {
        const std::string& name = it.key();
        const json& value = it.value();
        if (name == "__metadata__") {
            if (value.is_null())
                continue;
            if (!value.is_object())
                return invalid(path, std::string("__metadata__ must be an object of strings "
                                                 "but is ") +
                                         jsonKind(value));
            for (auto m = value.begin(); m != value.end(); ++m) {
                if (!m.value().is_string())
                    return invalid(path, "__metadata__ must map strings to strings, but '" +
                                             clipForMessage(m.key()) + "' holds " +
                                             jsonKind(m.value()));
                out->metadata[m.key()] = m.value().get<std::string>();
            }
            continue;
        }

        const std::string where = "tensor '" + clipForMessage(name) + "'";
        // Names are echoed in messages and matched against the network's (under 200 characters).
        if (name.size() > kMaxTensorNameChars)
            return invalid(path, where + ": the name is " + std::to_string(name.size()) +
                                     " characters long, more than " +
                                     std::to_string(kMaxTensorNameChars));
        if (!value.is_object())
            return invalid(path,
                           where + " must be described by a JSON object but is " + jsonKind(value));
        for (const char* field : {"dtype", "shape", "data_offsets"}) {
            if (!value.contains(field))
                return invalid(path, where + " has no \"" + field + "\" field");
        }

        const json& jd = value["dtype"];
        if (!jd.is_string())
            return invalid(path, where + ": \"dtype\" must be a string but is " + jsonKind(jd));
        const std::string dtypeText = jd.get<std::string>();
        TensorEntry entry;
        entry.name = name;
        if (!parseDType(dtypeText, &entry.dtype)) {
            if (isKnownUnsupportedDType(dtypeText))
                return Status::error(StatusCode::Unsupported,
                                     path + ": " + where + " has dtype " +
                                         clipForMessage(dtypeText) +
                                         ", which ShiftSR does not support");
            return invalid(path, where + " has unknown dtype \"" + clipForMessage(dtypeText) +
                                     "\" (expected one of F64, F32, F16, BF16, I64, I32, "
                                     "I16, I8, U8, BOOL)");
        }

        const json& js = value["shape"];
        if (!js.is_array())
            return invalid(path, where + ": \"shape\" must be an array of integers but is " +
                                     jsonKind(js));
        for (const json& d : js) {
            if (d.is_number_unsigned()) {
                const std::uint64_t v = d.get<std::uint64_t>();
                if (v > kInt64Max)
                    return invalid(path, where + " has a dimension too large (" +
                                             std::to_string(v) + ")");
                entry.shape.push_back(static_cast<std::int64_t>(v));
            } else if (d.is_number_integer()) {
                entry.shape.push_back(d.get<std::int64_t>());
            } else {
                return invalid(path,
                               where + ": \"shape\" must hold integers, found " + jsonKind(d));
            }
        }
        for (std::int64_t d : entry.shape) {
            if (d < 0)
                return invalid(path, where + " has a negative dimension " + std::to_string(d) +
                                         " in shape " + shapeText(entry.shape));
        }
        std::uint64_t numel = 0, needed = 0;
        if (!checkedBytes(entry.shape, dtypeSize(entry.dtype), &numel, &needed))
            return invalid(path, where + " has shape " + shapeText(entry.shape) +
                                     ", whose element count overflows");

        const json& jo = value["data_offsets"];
        if (!jo.is_array() || jo.size() != 2 || !jo[0].is_number_integer() ||
            !jo[1].is_number_integer())
            return invalid(path, where + ": \"data_offsets\" must be [begin, end] with two "
                                         "integers");
        for (int k = 0; k < 2; ++k) {
            if (!jo[k].is_number_unsigned())
                return invalid(path, where + " has a negative data offset (" + jo[k].dump() + ")");
        }
        entry.begin = jo[0].get<std::uint64_t>();
        entry.end = jo[1].get<std::uint64_t>();
        if (entry.end < entry.begin)
            return invalid(path, where + " has data_offsets [" + std::to_string(entry.begin) +
                                     ", " + std::to_string(entry.end) +
                                     "] whose end lies before their begin");
        if (entry.end - entry.begin != needed)
            return invalid(path, where + " needs " + std::to_string(needed) + " bytes (shape " +
                                     shapeText(entry.shape) + ", " + dtypeName(entry.dtype) +
                                     ") but its data_offsets span " +
                                     std::to_string(entry.end - entry.begin));
        out->tensors.push_back(std::move(entry));
    }

    std::sort(out->tensors.begin(), out->tensors.end(),
              [](const TensorEntry& a, const TensorEntry& b) {
                  if (a.begin != b.begin)
                      return a.begin < b.begin;
                  if (a.end != b.end)
                      return a.end < b.end;
                  return a.name < b.name;
              });

    // Truncation first: the most common damage and the clearest message.
    std::uint64_t maxEnd = 0;
    const TensorEntry* last = nullptr;
    for (const TensorEntry& e : out->tensors) {
        if (e.end >= maxEnd) {
            maxEnd = e.end;
            last = &e;
        }
    }
    if (maxEnd > dataSize) {
        const std::uint64_t expected =
            maxEnd > std::numeric_limits<std::uint64_t>::max() - out->dataOffset
                ? std::numeric_limits<std::uint64_t>::max()
                : out->dataOffset + maxEnd;
        return invalid(path, "file is truncated: expected at least " + sizeText(expected) +
                                 ", found " + sizeText(fileSize) + " (tensor '" + last->name +
                                 "' ends at data offset " + std::to_string(maxEnd) + ")");
    }

    // Contiguous coverage of the data section, as the reference implementation requires.
    std::uint64_t covered = 0;
    const TensorEntry* previous = nullptr;
    for (const TensorEntry& e : out->tensors) {
        if (e.begin < covered)
            return invalid(
                path, "tensors '" + previous->name + "' [" + std::to_string(previous->begin) +
                          ", " + std::to_string(previous->end) + ") and '" + e.name + "' [" +
                          std::to_string(e.begin) + ", " + std::to_string(e.end) + ") overlap");
        if (e.begin > covered)
            return invalid(path, "data section has a gap: bytes [" + std::to_string(covered) +
                                     ", " + std::to_string(e.begin) +
                                     ") belong to no tensor (before '" + e.name + "')");
        covered = e.end;
        previous = &e;
    }
    if (covered != dataSize)
        return invalid(path, "data section has " + std::to_string(dataSize - covered) +
                                 " bytes after the last tensor that belong to no tensor "
                                 "(gap at the end: data section is " +
                                 std::to_string(dataSize) + " bytes, tensors cover " +
                                 std::to_string(covered) + ")");

    return Status::ok();
}

} // namespace

const char* dtypeName(DType dtype) {
    switch (dtype) {
    case DType::F32:
        return "F32";
    case DType::F16:
        return "F16";
    case DType::BF16:
        return "BF16";
    case DType::F64:
        return "F64";
    case DType::I64:
        return "I64";
    case DType::I32:
        return "I32";
    case DType::I16:
        return "I16";
    case DType::I8:
        return "I8";
    case DType::U8:
        return "U8";
    case DType::Bool:
        return "BOOL";
    }
    return "?";
}

std::size_t dtypeSize(DType dtype) {
    switch (dtype) {
    case DType::F64:
    case DType::I64:
        return 8;
    case DType::F32:
    case DType::I32:
        return 4;
    case DType::F16:
    case DType::BF16:
    case DType::I16:
        return 2;
    case DType::I8:
    case DType::U8:
    case DType::Bool:
        return 1;
    }
    return 0;
}

bool parseDType(const std::string& name, DType* out) {
    static const DType all[] = {DType::F32, DType::F16, DType::BF16, DType::F64, DType::I64,
                                DType::I32, DType::I16, DType::I8,   DType::U8,  DType::Bool};
    for (DType d : all) {
        if (name == dtypeName(d)) {
            if (out)
                *out = d;
            return true;
        }
    }
    return false;
}

std::int64_t TensorEntry::numel() const {
    std::int64_t n = 1;
    for (std::int64_t d : shape)
        n *= d;
    return n;
}

// ---------------------------------------------------------------------------------------------
// SafeTensorsFile

Result<SafeTensorsFile> SafeTensorsFile::open(const std::string& path) {
    return open(path, Limits());
}

Result<SafeTensorsFile> SafeTensorsFile::open(const std::string& path, const Limits& limits) {
    try {
        auto size = regularFileSize(path);
        if (!size)
            return size.status();
        const std::uint64_t fileSize = *size;

        std::ifstream in(path, std::ios::binary);
        if (!in)
            return Status::error(StatusCode::IoError,
                                 "cannot open '" + path + "': " + std::strerror(errno));
        const ReadAt readAt = [&in](std::uint64_t offset, void* dst, std::size_t bytes) {
            in.clear();
            in.seekg(static_cast<std::streamoff>(offset));
            in.read(static_cast<char*>(dst), static_cast<std::streamsize>(bytes));
            return static_cast<bool>(in);
        };
        Layout layout;
        Status parsed = parseLayout(path, fileSize, readAt, limits, &layout);
        if (!parsed.isOk())
            return parsed;

        SafeTensorsFile file;
        file.path_ = path;
        file.metadata_ = std::move(layout.metadata);
        file.tensors_ = std::move(layout.tensors);
        file.dataOffset_ = layout.dataOffset;
        for (std::size_t i = 0; i < file.tensors_.size(); ++i)
            file.index_[file.tensors_[i].name] = i;
        return file;
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory, "out of memory while reading " + path);
    } catch (const std::exception& e) {
        return invalid(path, std::string("cannot read the header: ") + e.what());
    }
}

Result<SafeTensorsFile> SafeTensorsFile::openMemory(const void* data, std::size_t size,
                                                    const std::string& name) {
    if (!data && size)
        return Status::error(StatusCode::InvalidArgument, name + ": no data");
    try {
        const auto* bytes = static_cast<const unsigned char*>(data);
        const ReadAt readAt = [bytes, size](std::uint64_t offset, void* dst, std::size_t n) {
            if (offset > size || n > size - offset)
                return false;
            std::memcpy(dst, bytes + offset, n);
            return true;
        };
        Layout layout;
        Status parsed = parseLayout(name, size, readAt, Limits(), &layout);
        if (!parsed.isOk())
            return parsed;
        SafeTensorsFile file;
        file.path_ = name;
        file.metadata_ = std::move(layout.metadata);
        file.tensors_ = std::move(layout.tensors);
        file.dataOffset_ = layout.dataOffset;
        file.memory_ = bytes;
        file.memorySize_ = size;
        for (std::size_t i = 0; i < file.tensors_.size(); ++i)
            file.index_[file.tensors_[i].name] = i;
        return file;
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory, "out of memory while reading " + name);
    } catch (const std::exception& e) {
        return invalid(name, std::string("cannot read the header: ") + e.what());
    }
}

const TensorEntry* SafeTensorsFile::find(const std::string& name) const {
    const auto it = index_.find(name);
    return it == index_.end() ? nullptr : &tensors_[it->second];
}

Status SafeTensorsFile::read(const TensorEntry& entry, void* dst, std::size_t dstBytes) const {
    if (entry.end < entry.begin)
        return Status::error(StatusCode::InvalidArgument,
                             "tensor '" + entry.name + "' has an invalid byte range");
    const std::uint64_t bytes = entry.end - entry.begin;
    if (dstBytes != bytes)
        return Status::error(StatusCode::InvalidArgument,
                             "tensor '" + entry.name + "' has " + std::to_string(bytes) +
                                 " bytes but the destination holds " + std::to_string(dstBytes));
    if (bytes == 0)
        return Status::ok();
    if (!dst)
        return Status::error(StatusCode::InvalidArgument,
                             "no destination buffer for tensor '" + entry.name + "'");
    if (memory_) {
        const std::uint64_t at = dataOffset_ + entry.begin;
        if (at > memorySize_ || bytes > memorySize_ - at)
            return Status::error(StatusCode::InvalidArgument,
                                 path_ + ": tensor '" + entry.name + "' lies outside the data");
        std::memcpy(dst, memory_ + at, static_cast<std::size_t>(bytes));
        return Status::ok();
    }
    try {
        std::ifstream in(path_, std::ios::binary);
        if (!in)
            return Status::error(StatusCode::IoError,
                                 "cannot open '" + path_ + "': " + std::strerror(errno));
        in.seekg(static_cast<std::streamoff>(dataOffset_ + entry.begin));
        in.read(static_cast<char*>(dst), static_cast<std::streamsize>(bytes));
        if (static_cast<std::uint64_t>(in.gcount()) != bytes)
            return Status::error(StatusCode::IoError,
                                 path_ + ": cannot read tensor '" + entry.name +
                                     "': the file is shorter than when it was opened "
                                     "(modified or truncated since)");
    } catch (const std::exception& e) {
        return Status::error(StatusCode::IoError,
                             path_ + ": cannot read tensor '" + entry.name + "': " + e.what());
    }
    return Status::ok();
}

Result<std::vector<std::uint8_t>> SafeTensorsFile::read(const std::string& name) const {
    const TensorEntry* entry = find(name);
    if (!entry)
        return Status::error(StatusCode::InvalidArgument,
                             path_ + ": no tensor named '" + name + "'");
    try {
        std::vector<std::uint8_t> bytes(static_cast<std::size_t>(entry->end - entry->begin));
        Status st = read(*entry, bytes.data(), bytes.size());
        if (!st.isOk())
            return st;
        return bytes;
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory,
                             "out of memory reading tensor '" + name + "' from " + path_);
    }
}

// ---------------------------------------------------------------------------------------------
// SafeTensorsWriter

void SafeTensorsWriter::setMetadata(const std::string& key, const std::string& value) {
    metadata_[key] = value;
}

bool SafeTensorsWriter::contains(const std::string& name) const {
    return index_.count(name) != 0;
}

Status SafeTensorsWriter::add(const std::string& name, DType dtype,
                              const std::vector<std::int64_t>& shape, const void* data,
                              std::size_t bytes) {
    if (name.empty())
        return Status::error(StatusCode::InvalidArgument, "a tensor name must not be empty");
    if (name == "__metadata__")
        return Status::error(StatusCode::InvalidArgument,
                             "'__metadata__' is reserved and cannot name a tensor");
    if (contains(name))
        return Status::error(StatusCode::InvalidArgument,
                             "tensor '" + name + "' was already added");
    for (std::int64_t d : shape) {
        if (d < 0)
            return Status::error(StatusCode::InvalidArgument,
                                 "tensor '" + name + "' has a negative dimension in shape " +
                                     shapeText(shape));
    }
    std::uint64_t numel = 0, needed = 0;
    if (!checkedBytes(shape, dtypeSize(dtype), &numel, &needed))
        return Status::error(StatusCode::InvalidArgument, "tensor '" + name +
                                                              "' has too many elements (shape " +
                                                              shapeText(shape) + ")");
    if (needed != bytes)
        return Status::error(StatusCode::InvalidArgument,
                             "tensor '" + name + "' needs " + std::to_string(needed) +
                                 " bytes (shape " + shapeText(shape) + ", " + dtypeName(dtype) +
                                 ") but " + std::to_string(bytes) + " were given");
    if (bytes > 0 && !data)
        return Status::error(StatusCode::InvalidArgument, "tensor '" + name + "' has no data");
    try {
        Pending p;
        p.entry.name = name;
        p.entry.dtype = dtype;
        p.entry.shape = shape;
        const std::uint8_t* src = static_cast<const std::uint8_t*>(data);
        if (bytes > 0)
            p.bytes.assign(src, src + bytes);
        index_[name] = tensors_.size();
        tensors_.push_back(std::move(p));
    } catch (const std::bad_alloc&) {
        index_.erase(name);
        return Status::error(StatusCode::OutOfMemory, "out of memory copying tensor '" + name +
                                                          "' (" + formatBytes(bytes) + ")");
    }
    return Status::ok();
}

Status SafeTensorsWriter::write(const std::string& path) const {
    std::string header;
    try {
        nlohmann::ordered_json root = nlohmann::ordered_json::object();
        if (!metadata_.empty()) {
            nlohmann::ordered_json meta = nlohmann::ordered_json::object();
            for (const auto& kv : metadata_)
                meta[kv.first] = kv.second;
            root["__metadata__"] = std::move(meta);
        }
        std::uint64_t offset = 0;
        for (const Pending& p : tensors_) {
            nlohmann::ordered_json t = nlohmann::ordered_json::object();
            t["dtype"] = dtypeName(p.entry.dtype);
            t["shape"] = p.entry.shape;
            t["data_offsets"] = {offset, offset + p.bytes.size()};
            offset += p.bytes.size();
            root[p.entry.name] = std::move(t);
        }
        header = root.dump();
    } catch (const nlohmann::json::exception& e) {
        return Status::error(StatusCode::InvalidArgument,
                             "cannot write '" + path +
                                 "': a tensor name or metadata entry is not valid UTF-8 (" +
                                 e.what() + ")");
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory,
                             "out of memory preparing the header of '" + path + "'");
    }
    // Pad with spaces so the data section starts 8-byte aligned (as the reference writer does).
    while (header.size() % 8 != 0)
        header.push_back(' ');

    return writeFileAtomically(path, [&](std::FILE* f) -> Status {
        auto put = [&](const void* data, std::size_t n) {
            return n == 0 || std::fwrite(data, 1, n, f) == n;
        };
        auto ioError = [&]() {
            const int err = errno;
            return Status::error(StatusCode::IoError,
                                 "cannot write '" + path +
                                     "': " + (err ? std::strerror(err) : "write failed"));
        };
        unsigned char len[8];
        std::uint64_t n = header.size();
        for (int i = 0; i < 8; ++i)
            len[i] = static_cast<unsigned char>((n >> (8 * i)) & 0xff);
        errno = 0;
        if (!put(len, 8) || !put(header.data(), header.size()))
            return ioError();
        for (const Pending& p : tensors_) {
            if (!put(p.bytes.data(), p.bytes.size()))
                return ioError();
        }
        return Status::ok();
    });
}

} // namespace shiftsr
