// A restricted unpickler for torch.save's data.pkl (pickle protocols 2 to 5): it builds plain
// values, dicts, storages and tensor views, calls only a whitelist of torch and collections
// globals, and executes nothing from the file.
#pragma once

#include "shiftsr/nn/torch_checkpoint.h"

#include "shiftsr/engine/safetensors.h"
#include "shiftsr/engine/status.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace shiftsr::checkpoint {

enum class Kind {
    None,
    Bool,
    Int,
    Float,
    Str,
    Bytes,
    Tuple,
    List,
    Dict,
    Set,
    Global,
    Storage,
    Tensor,
    Opaque
};

enum class GlobalId {
    OrderedDict,
    RebuildTensorV2,
    RebuildTensor,
    RebuildParameter,
    RebuildParameterWithState,
    StorageType,
    Device,
    Set
};

struct PyObj;
using PyRef = std::shared_ptr<PyObj>;

struct DictData {
    std::vector<std::pair<PyRef, PyRef>> items;
    std::unordered_map<std::string, std::size_t> strIndex;
};

struct PyObj {
    Kind kind = Kind::None;
    std::int64_t i = 0;       // Int, Bool; Storage: numel
    double f = 0;             // Float
    std::string s;            // Str, Bytes; Global: "module.name"; Storage: key; Opaque: what
    std::vector<PyRef> items; // Tuple, List, Set
    std::unique_ptr<DictData> dict;
    std::unique_ptr<CheckpointTensor> tensor;
    GlobalId global = GlobalId::OrderedDict;
    DType dtype = DType::F32; // StorageType global, Storage

    PyObj() = default;
    PyObj(const PyObj&) = delete;
    PyObj& operator=(const PyObj&) = delete;

    void takeChildren(std::vector<PyRef>& out) {
        for (PyRef& r : items)
            out.push_back(std::move(r));
        items.clear();
        if (dict) {
            for (auto& kv : dict->items) {
                out.push_back(std::move(kv.first));
                out.push_back(std::move(kv.second));
            }
            dict->items.clear();
        }
    }
    // Iterative destruction: a deeply nested pickle must not overflow the stack.
    ~PyObj() {
        if (items.empty() && (!dict || dict->items.empty()))
            return;
        std::vector<PyRef> pending;
        takeChildren(pending);
        while (!pending.empty()) {
            PyRef p = std::move(pending.back());
            pending.pop_back();
            if (p && p.use_count() == 1)
                p->takeChildren(pending);
        }
    }

    const PyRef* lookup(const std::string& key) const {
        if (!dict)
            return nullptr;
        const auto it = dict->strIndex.find(key);
        return it == dict->strIndex.end() ? nullptr : &dict->items[it->second].second;
    }
};

const char* kindName(Kind k);
// "a dict", "an int": for messages.
std::string aKind(Kind k);

// Runs the pickle `data` (`where` names the file in messages): *root is the object it builds,
// *storageBytes the size of each storage key as its persistent id declares it. Errors:
// InvalidFile (corrupt pickle), Unsupported (a global outside the whitelist, an unsupported
// opcode or protocol), OutOfMemory. Throws std::length_error past the object limit.
Status unpickle(const std::uint8_t* data, std::size_t size, const std::string& where, PyRef* root,
                std::map<std::string, std::uint64_t>* storageBytes);

} // namespace shiftsr::checkpoint
