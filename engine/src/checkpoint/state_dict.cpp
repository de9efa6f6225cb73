// State-dict unwrapping and strided tensor views (see state_dict.h).
#include "checkpoint/state_dict.h"

#include "checkpoint/common.h"

#include <cstring>
#include <utility>

namespace shiftsr::checkpoint {

namespace {

bool isTensorDict(const PyObj& d, bool strict) {
    if (d.kind != Kind::Dict || !d.dict || d.dict->items.empty())
        return false;
    std::size_t tensors = 0;
    for (const auto& kv : d.dict->items) {
        const Kind k = kv.second->kind;
        if (k == Kind::Tensor) {
            if (kv.first->kind != Kind::Str)
                return false;
            ++tensors;
            continue;
        }
        if (strict)
            return false;
        if (k != Kind::None && k != Kind::Bool && k != Kind::Int && k != Kind::Float &&
            k != Kind::Str)
            return false;
    }
    return tensors > 0;
}

// BasicSR saves {"params": ..., "params_ema": ...}: the EMA weights are the published ones.
const char* const kWrapperKeys[] = {"state_dict", "model", "module", "params_ema",
                                    "params",     "ema",   "net"};

const PyObj* findStateDictAt(const PyObj& d, int depth, const std::string& prefix,
                             std::string* from) {
    if (isTensorDict(d, depth == 0)) {
        *from = prefix;
        return &d;
    }
    if (depth < 2) {
        for (const char* key : kWrapperKeys) {
            const PyRef* v = d.lookup(key);
            if (!v || (*v)->kind != Kind::Dict)
                continue;
            const std::string path = prefix.empty() ? key : prefix + "." + key;
            if (const PyObj* found = findStateDictAt(**v, depth + 1, path, from))
                return found;
        }
    }
    if (depth == 0 && isTensorDict(d, false)) {
        *from = prefix;
        return &d;
    }
    return nullptr;
}

constexpr std::uint64_t kMaxExpandedBytes = std::uint64_t(1) << 20;

// Largest element index a strided view touches, or false on overflow. numel must be > 0.
bool stridedExtent(const CheckpointTensor& t, std::uint64_t* lastIndex) {
    std::uint64_t last = static_cast<std::uint64_t>(t.storageOffset);
    for (std::size_t d = 0; d < t.shape.size(); ++d) {
        const std::uint64_t span = static_cast<std::uint64_t>(t.shape[d] - 1);
        const std::uint64_t st = static_cast<std::uint64_t>(t.stride[d]);
        if (st != 0 && span > kInt64Max / st)
            return false;
        if (last > kInt64Max - span * st)
            return false;
        last += span * st;
    }
    *lastIndex = last;
    return true;
}

} // namespace

const PyObj* findStateDict(const PyObj& root, std::string* from) {
    return findStateDictAt(root, 0, "", from);
}

std::string describeKeys(const PyObj& d) {
    std::string out;
    std::size_t shown = 0;
    for (const auto& kv : d.dict->items) {
        if (shown == 10) {
            out += ", ...";
            break;
        }
        if (shown)
            out += ", ";
        if (kv.first->kind == Kind::Str)
            out += "'" +
                   (kv.first->s.size() > 60 ? kv.first->s.substr(0, 60) + "..." : kv.first->s) +
                   "' (" + kindName(kv.second->kind) + ")";
        else
            out += std::string("<") + kindName(kv.first->kind) + ">";
        ++shown;
    }
    return out;
}

std::vector<CheckpointTensor> stateDictTensors(const PyObj& sd, bool* strippedModulePrefix) {
    std::vector<CheckpointTensor> tensors;
    for (const auto& kv : sd.dict->items) {
        if (kv.second->kind != Kind::Tensor || kv.first->kind != Kind::Str)
            continue;
        CheckpointTensor t = *kv.second->tensor;
        t.name = kv.first->s;
        tensors.push_back(std::move(t));
    }

    bool allPrefixed = !tensors.empty();
    for (const CheckpointTensor& t : tensors) {
        if (t.name.size() <= 7 || t.name.compare(0, 7, "module.") != 0) {
            allPrefixed = false;
            break;
        }
    }
    if (allPrefixed) {
        for (CheckpointTensor& t : tensors)
            t.name.erase(0, 7);
        *strippedModulePrefix = true;
    }
    return tensors;
}

Status checkView(const std::string& where, const CheckpointTensor& t, std::uint64_t storageBytes,
                 std::uint64_t* numelOut) {
    const std::string what = where + ": tensor '" + t.name + "'";
    if (t.shape.size() != t.stride.size())
        return Status::error(StatusCode::InvalidFile, what + " has size " + shapeText(t.shape) +
                                                          " but stride " + shapeText(t.stride));
    if (t.storageOffset < 0)
        return Status::error(StatusCode::InvalidFile, what + " has a negative storage offset");
    const std::size_t es = dtypeSize(t.dtype);
    std::uint64_t numel = 1;
    for (std::size_t d = 0; d < t.shape.size(); ++d) {
        if (t.shape[d] < 0 || t.stride[d] < 0)
            return Status::error(StatusCode::InvalidFile, what + " has a negative size or stride");
        const std::uint64_t s = static_cast<std::uint64_t>(t.shape[d]);
        if (s != 0 && numel > kInt64Max / s / es)
            return Status::error(StatusCode::InvalidFile, what + " has too many elements (shape " +
                                                              shapeText(t.shape) + ")");
        numel *= s;
    }
    if (storageBytes % es != 0)
        return Status::error(StatusCode::InvalidFile,
                             what + ": its storage '" + t.storageKey + "' holds " +
                                 std::to_string(storageBytes) + " bytes, not a whole number of " +
                                 dtypeName(t.dtype) + " elements");
    const std::uint64_t storageNumel = storageBytes / es;
    if (numel > 0) {
        std::uint64_t last = 0;
        if (!stridedExtent(t, &last) || last >= storageNumel)
            return Status::error(StatusCode::InvalidFile,
                                 what + " (shape " + shapeText(t.shape) + ", stride " +
                                     shapeText(t.stride) + ", offset " +
                                     std::to_string(t.storageOffset) +
                                     ") reaches beyond its storage '" + t.storageKey + "' of " +
                                     std::to_string(storageNumel) + " elements");
        // Overlapping strides (stride 0 above all) let a few bytes of storage declare a tensor of
        // gigabytes. Weights never overlap; a small broadcast buffer may, so only a view larger
        // than its storage and than kMaxExpandedBytes is refused, before it is materialised.
        if (numel > storageNumel && numel * es > kMaxExpandedBytes)
            return Status::error(StatusCode::InvalidFile,
                                 what + " (shape " + shapeText(t.shape) + ", stride " +
                                     shapeText(t.stride) + ") would expand its storage '" +
                                     t.storageKey + "' of " + std::to_string(storageNumel) +
                                     " elements to " + std::to_string(numel) +
                                     ": overlapping strides are not weights");
    }
    *numelOut = numel;
    return Status::ok();
}

void copyView(const std::uint8_t* storage, const CheckpointTensor& t, std::uint64_t numel,
              std::uint8_t* out) {
    const std::size_t es = dtypeSize(t.dtype);
    // Contiguous (row-major) views are a single copy.
    bool contiguous = true;
    std::int64_t expected = 1;
    for (std::size_t d = t.shape.size(); d-- > 0;) {
        if (t.shape[d] != 1 && t.stride[d] != expected) {
            contiguous = false;
            break;
        }
        expected *= t.shape[d];
    }
    const std::uint8_t* src = storage;
    if (contiguous) {
        std::memcpy(out, src + static_cast<std::size_t>(t.storageOffset) * es,
                    static_cast<std::size_t>(numel) * es);
        return;
    }

    // General strided gather, one innermost row at a time.
    const std::size_t nd = t.shape.size();
    const std::int64_t rowLen = t.shape[nd - 1];
    const std::int64_t rowStride = t.stride[nd - 1];
    std::vector<std::int64_t> idx(nd, 0);
    std::int64_t base = t.storageOffset;
    std::uint8_t* dst = out;
    const std::uint64_t rows = numel / static_cast<std::uint64_t>(rowLen);
    for (std::uint64_t r = 0; r < rows; ++r) {
        if (rowStride == 1) {
            std::memcpy(dst, src + static_cast<std::size_t>(base) * es,
                        static_cast<std::size_t>(rowLen) * es);
            dst += static_cast<std::size_t>(rowLen) * es;
        } else {
            std::int64_t e = base;
            for (std::int64_t c = 0; c < rowLen; ++c, e += rowStride) {
                std::memcpy(dst, src + static_cast<std::size_t>(e) * es, es);
                dst += es;
            }
        }
        for (std::size_t d = nd - 1; d-- > 0;) {
            ++idx[d];
            base += t.stride[d];
            if (idx[d] < t.shape[d])
                break;
            base -= t.stride[d] * t.shape[d];
            idx[d] = 0;
        }
    }
}

} // namespace shiftsr::checkpoint
