// TorchCheckpoint: a safe reader of torch.save zip checkpoints built from the parts in
// checkpoint/ (zip container, restricted unpickler, state dict). Nothing from the file is ever
// executed.
#include "shiftsr/nn/torch_checkpoint.h"

#include "checkpoint/common.h"
#include "checkpoint/state_dict.h"
#include "checkpoint/unpickler.h"
#include "checkpoint/zip_reader.h"

#include <algorithm>
#include <exception>
#include <limits>
#include <new>
#include <stdexcept>
#include <utility>

namespace shiftsr {

using namespace checkpoint;

namespace {

constexpr std::uint64_t kMaxPickleBytes = 256ull << 20; // data.pkl of real models: < 1 MB

} // namespace

Result<TorchCheckpoint> TorchCheckpoint::open(const std::string& path) {
    try {
        InputFile file;
        Status st = file.open(path);
        if (!st.isOk())
            return st;

        std::vector<ZipEntry> entries;
        SHIFTSR_TRY(readCentralDirectory(file, path, &entries));

        // The pickle: "<archive>/data.pkl", the shallowest one if several.
        const ZipEntry* pkl = nullptr;
        std::size_t bestDepth = std::numeric_limits<std::size_t>::max();
        for (const ZipEntry& z : entries) {
            const bool match =
                z.name == "data.pkl" ||
                (z.name.size() > 9 && z.name.compare(z.name.size() - 9, 9, "/data.pkl") == 0);
            if (!match)
                continue;
            const std::size_t depth =
                static_cast<std::size_t>(std::count(z.name.begin(), z.name.end(), '/'));
            if (depth < bestDepth) {
                bestDepth = depth;
                pkl = &z;
            }
        }
        if (!pkl)
            return Status::error(StatusCode::InvalidFile,
                                 path + ": a zip archive but not a PyTorch checkpoint: it has no "
                                        "data.pkl entry");
        const std::string prefix = pkl->name.substr(0, pkl->name.size() - 8); // "<archive>/"

        std::map<std::string, ZipEntry> byName;
        for (const ZipEntry& z : entries) {
            if (!byName.emplace(z.name, z).second)
                return Status::error(StatusCode::InvalidFile,
                                     path + ": the zip archive lists '" + z.name + "' twice");
        }

        // Byte order (PyTorch >= 2.1 records it); older files are little-endian.
        const auto bo = byName.find(prefix + "byteorder");
        if (bo != byName.end()) {
            ZipEntry z = bo->second;
            std::vector<std::uint8_t> text;
            SHIFTSR_TRY(resolveEntry(file, path, &z));
            if (z.size > 64)
                return Status::error(StatusCode::InvalidFile,
                                     path + ": the byteorder entry is damaged");
            SHIFTSR_TRY(readEntry(file, path, z, &text));
            const std::string order(text.begin(), text.end());
            if (order.rfind("big", 0) == 0)
                return Status::error(StatusCode::Unsupported,
                                     path + ": the checkpoint was saved on a big-endian machine");
        }

        ZipEntry pklEntry = *pkl;
        SHIFTSR_TRY(resolveEntry(file, path, &pklEntry));
        if (pklEntry.size > kMaxPickleBytes)
            return Status::error(StatusCode::Unsupported, path + ": data.pkl is " +
                                                              formatBytes(pklEntry.size) +
                                                              ", more than this loader accepts (" +
                                                              formatBytes(kMaxPickleBytes) + ")");
        std::vector<std::uint8_t> pickle;
        SHIFTSR_TRY(readEntry(file, path, pklEntry, &pickle));

        TorchCheckpoint ckpt;
        ckpt.path_ = path;
        ckpt.archiveName_ = prefix.empty() ? std::string() : prefix.substr(0, prefix.size() - 1);

        PyRef root;
        std::map<std::string, std::uint64_t> storageBytes;
        SHIFTSR_TRY(unpickle(pickle.data(), pickle.size(), path, &root, &storageBytes));

        if (root->kind != Kind::Dict)
            return Status::error(StatusCode::Unsupported,
                                 path + ": the checkpoint holds " + aKind(root->kind) +
                                     ", not a dict of tensors (a state dict)");
        if (root->dict->items.empty())
            return Status::error(StatusCode::InvalidFile,
                                 path + ": the checkpoint holds an empty dict (no tensors)");
        const PyObj* sd = findStateDict(*root, &ckpt.unwrappedFrom_);
        if (!sd)
            return Status::error(StatusCode::Unsupported,
                                 path + ": no state dict found: the top-level keys are " +
                                     describeKeys(*root) +
                                     " (looked for a dict of tensors at the top or under "
                                     "state_dict, model, module, params_ema, params, ema, net)");

        ckpt.tensors_ = stateDictTensors(*sd, &ckpt.strippedModulePrefix_);

        for (std::size_t k = 0; k < ckpt.tensors_.size(); ++k) {
            const CheckpointTensor& t = ckpt.tensors_[k];
            if (!ckpt.index_.emplace(t.name, k).second)
                return Status::error(StatusCode::InvalidFile,
                                     path + ": tensor name '" + t.name + "' appears twice");
            auto known = ckpt.storages_.find(t.storageKey);
            if (known == ckpt.storages_.end()) {
                const auto z = byName.find(prefix + "data/" + t.storageKey);
                if (z == byName.end())
                    return Status::error(StatusCode::InvalidFile,
                                         path + ": tensor '" + t.name + "' refers to storage '" +
                                             t.storageKey + "', which the archive lacks (no " +
                                             prefix + "data/" + t.storageKey + ")");
                ZipEntry entry = z->second;
                SHIFTSR_TRY(resolveEntry(file, path, &entry));
                const std::uint64_t declared = storageBytes[t.storageKey];
                if (entry.size != declared)
                    return Status::error(StatusCode::InvalidFile,
                                         path + ": storage '" + t.storageKey + "' should hold " +
                                             std::to_string(declared) + " bytes but " + entry.name +
                                             " has " + std::to_string(entry.size));
                known = ckpt.storages_.emplace(t.storageKey, std::move(entry)).first;
            }
            std::uint64_t numel = 0;
            SHIFTSR_TRY(checkView(path, t, known->second.size, &numel));
        }
        return ckpt;
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory, "out of memory while reading " + path);
    } catch (const std::length_error&) {
        return Status::error(StatusCode::InvalidFile,
                             path + ": the checkpoint's pickle is implausibly large");
    } catch (const std::exception& e) {
        return Status::error(StatusCode::Internal,
                             "unexpected error while reading " + path + ": " + e.what());
    }
}

const CheckpointTensor* TorchCheckpoint::find(const std::string& name) const {
    const auto it = index_.find(name);
    return it == index_.end() ? nullptr : &tensors_[it->second];
}

Result<std::vector<std::uint8_t>> TorchCheckpoint::readContiguous(const CheckpointTensor& t) const {
    try {
        const auto it = storages_.find(t.storageKey);
        if (it == storages_.end())
            return Status::error(StatusCode::InvalidArgument,
                                 path_ + ": tensor '" + t.name + "' refers to storage '" +
                                     t.storageKey + "', which this checkpoint does not use");
        const ZipEntry& z = it->second;
        std::uint64_t numel = 0;
        Status st = checkView(path_, t, z.size, &numel);
        if (!st.isOk())
            return st;
        const std::size_t es = dtypeSize(t.dtype);

        InputFile file;
        SHIFTSR_TRY(file.open(path_));
        if (file.size() < z.dataOffset + z.compressedSize)
            return Status::error(StatusCode::IoError,
                                 path_ + ": file is truncated: it is shorter than when it was "
                                         "opened");
        std::vector<std::uint8_t> storage;
        SHIFTSR_TRY(readEntry(file, path_, z, &storage));

        std::vector<std::uint8_t> out(static_cast<std::size_t>(numel * es));
        if (numel == 0)
            return out;

        copyView(storage.data(), t, numel, out.data());
        return out;
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory,
                             "out of memory reading tensor '" + t.name + "' from " + path_);
    }
}

} // namespace shiftsr
