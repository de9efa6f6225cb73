// Safe torch.save checkpoint reader: zip container (stored / deflate, ZIP64) and a restricted
// protocol-2..5 unpickler with a whitelist of globals. Nothing from the file is ever executed.
#include "torch_checkpoint.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <limits>
#include <memory>
#include <new>
#include <unordered_map>
#include <utility>

#include <sys/stat.h>

namespace shiftsr {

namespace {

#define SHIFTSR_TRY(expr)                                                                          \
    do {                                                                                           \
        Status tryStatus_ = (expr);                                                                \
        if (!tryStatus_.isOk())                                                                    \
            return tryStatus_;                                                                     \
    } while (0)

// ---------------------------------------------------------------------------------------------
// Limits

constexpr std::uint64_t kMaxPickleBytes = 256ull << 20; // data.pkl of real models: < 1 MB
constexpr std::uint64_t kMaxCentralDirectory = 256ull << 20;
constexpr std::uint64_t kMaxZipEntries = 4u << 20;
constexpr std::size_t kMaxStack = 4u << 20;
constexpr std::size_t kMaxMarks = 1u << 20;
constexpr std::size_t kMaxMemo = 8u << 20;
constexpr std::size_t kMaxObjects = 16u << 20;
constexpr std::size_t kMaxDims = 64;
constexpr std::uint64_t kInt64Max =
    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

const char* const kLegacyHint =
    "legacy torch.save format is not supported: re-save it with torch.save in PyTorch >= 1.6";

std::uint16_t le16(const unsigned char* p) {
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
std::uint32_t le32(const unsigned char* p) {
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
std::uint64_t le64(const unsigned char* p) {
    return static_cast<std::uint64_t>(le32(p)) | (static_cast<std::uint64_t>(le32(p + 4)) << 32);
}

std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::string out = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i)
            out += ", ";
        out += std::to_string(shape[i]);
    }
    return out + "]";
}

bool validUtf8(const std::string& s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned char c = p[i];
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            len = 2;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n)
            return false;
        for (std::size_t k = 1; k < len; ++k) {
            if ((p[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

// ---------------------------------------------------------------------------------------------
// File access

class InputFile {
public:
    Status open(const std::string& path) {
        path_ = path;
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) {
            const int err = errno;
            if (err == ENOENT || err == ENOTDIR)
                return Status::error(StatusCode::NotFound, "file not found: " + path);
            return Status::error(StatusCode::IoError,
                                 "cannot open '" + path + "': " + std::strerror(err));
        }
        if (!S_ISREG(st.st_mode))
            return Status::error(StatusCode::InvalidFile, path + ": not a regular file");
        size_ = static_cast<std::uint64_t>(st.st_size);
        in_.open(path, std::ios::binary);
        if (!in_)
            return Status::error(StatusCode::IoError,
                                 "cannot open '" + path + "': " + std::strerror(errno));
        return Status::ok();
    }
    std::uint64_t size() const { return size_; }

    // Reads exactly n bytes at offset; the caller has checked offset + n <= size().
    Status readAt(std::uint64_t offset, void* dst, std::uint64_t n) {
        if (n == 0)
            return Status::ok();
        if (offset > size_ || n > size_ - offset)
            return Status::error(StatusCode::InvalidFile,
                                 path_ + ": file is truncated: a read of " + std::to_string(n) +
                                     " bytes at offset " + std::to_string(offset) +
                                     " lies beyond its end (" + formatBytes(size_) + ")");
        in_.clear();
        in_.seekg(static_cast<std::streamoff>(offset));
        in_.read(static_cast<char*>(dst), static_cast<std::streamsize>(n));
        if (!in_ || static_cast<std::uint64_t>(in_.gcount()) != n)
            return Status::error(StatusCode::IoError,
                                 path_ + ": cannot read " + std::to_string(n) +
                                     " bytes at offset " + std::to_string(offset) +
                                     " (the file may have changed since it was opened)");
        return Status::ok();
    }

private:
    std::string path_;
    std::ifstream in_;
    std::uint64_t size_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Zip container

using ZipEntry = TorchCheckpoint::ZipEntry;

Status zipInvalid(const std::string& path, const std::string& what) {
    return Status::error(StatusCode::InvalidFile, path + ": " + what);
}

Status readCentralDirectory(InputFile& file, const std::string& path,
                            std::vector<ZipEntry>* entries) {
    const std::uint64_t size = file.size();
    if (size == 0)
        return zipInvalid(path, "file is empty (0 bytes): not a PyTorch checkpoint");

    unsigned char magic[8] = {0};
    const std::uint64_t magicLen = std::min<std::uint64_t>(size, 8);
    Status st = file.readAt(0, magic, magicLen);
    if (!st.isOk())
        return st;
    const bool zipMagic = magicLen >= 4 && magic[0] == 'P' && magic[1] == 'K' &&
                          ((magic[2] == 3 && magic[3] == 4) || (magic[2] == 5 && magic[3] == 6));
    if (!zipMagic) {
        if (magic[0] == 0x80 && magicLen >= 2 && magic[1] <= 5)
            return Status::error(StatusCode::Unsupported,
                                 path + ": not a PyTorch zip checkpoint: this checkpoint uses "
                                        "the legacy torch.save format, which is not supported "
                                        "(re-save it with torch.save in PyTorch >= 1.6)");
        if (magicLen == 8 && size > 9) {
            // A safetensors file: 8-byte header length followed by '{'.
            unsigned char brace = 0;
            if (file.readAt(8, &brace, 1).isOk() && brace == '{')
                return zipInvalid(path, "not a PyTorch zip checkpoint: this looks like a "
                                        "safetensors file");
        }
        return zipInvalid(path, std::string("not a PyTorch zip checkpoint (") + kLegacyHint + ")");
    }

    // End of central directory: 22 bytes + up to 65535 bytes of comment at the end.
    const std::uint64_t tailLen = std::min<std::uint64_t>(size, 22 + 65535);
    std::vector<unsigned char> tail(static_cast<std::size_t>(tailLen));
    st = file.readAt(size - tailLen, tail.data(), tailLen);
    if (!st.isOk())
        return st;
    std::int64_t eocdInTail = -1;
    if (tailLen >= 22) {
        for (std::int64_t i = static_cast<std::int64_t>(tailLen) - 22; i >= 0; --i) {
            const unsigned char* p = tail.data() + i;
            if (le32(p) == 0x06054b50u &&
                static_cast<std::uint64_t>(i) + 22 + le16(p + 20) <= tailLen) {
                eocdInTail = i;
                break;
            }
        }
    }
    if (eocdInTail < 0)
        return zipInvalid(path, "the zip archive is truncated or damaged: its end-of-central-"
                                "directory record is missing (file size " +
                                    formatBytes(size) + ")");
    const std::uint64_t eocdPos = size - tailLen + static_cast<std::uint64_t>(eocdInTail);
    const unsigned char* e = tail.data() + eocdInTail;
    std::uint64_t diskNumber = le16(e + 4);
    std::uint64_t cdDisk = le16(e + 6);
    std::uint64_t entryCount = le16(e + 10);
    std::uint64_t cdSize = le32(e + 12);
    std::uint64_t cdOffset = le32(e + 16);

    // ZIP64: locator (20 bytes) right before the classic record.
    bool zip64 = false;
    if (eocdPos >= 20) {
        unsigned char loc[20];
        st = file.readAt(eocdPos - 20, loc, 20);
        if (!st.isOk())
            return st;
        if (le32(loc) == 0x07064b50u) {
            zip64 = true;
            const std::uint64_t recPos = le64(loc + 8);
            if (recPos > eocdPos - 20 || eocdPos - 20 - recPos < 56)
                return zipInvalid(path, "the ZIP64 end-of-central-directory locator points "
                                        "outside the file (offset " +
                                            std::to_string(recPos) + ")");
            unsigned char rec[56];
            st = file.readAt(recPos, rec, 56);
            if (!st.isOk())
                return st;
            if (le32(rec) != 0x06064b50u)
                return zipInvalid(path, "the ZIP64 end-of-central-directory record is damaged");
            diskNumber = le32(rec + 16);
            cdDisk = le32(rec + 20);
            entryCount = le64(rec + 32);
            cdSize = le64(rec + 40);
            cdOffset = le64(rec + 48);
        }
    }
    if (!zip64 && (entryCount == 0xffff || cdSize == 0xffffffffu || cdOffset == 0xffffffffu))
        return zipInvalid(path, "the zip archive needs ZIP64 records but has none (damaged)");
    if (diskNumber != 0 || cdDisk != 0)
        return Status::error(StatusCode::Unsupported,
                             path + ": multi-part (split) zip archives are not supported");
    if (cdOffset > eocdPos || cdSize > eocdPos - cdOffset)
        return zipInvalid(path, "the zip archive is truncated or damaged: its central directory "
                                "(" +
                                    std::to_string(cdSize) + " bytes at offset " +
                                    std::to_string(cdOffset) + ") lies outside the file (" +
                                    std::to_string(size) + " bytes)");
    if (cdSize > kMaxCentralDirectory || entryCount > kMaxZipEntries)
        return zipInvalid(path, "the zip archive's central directory is implausibly large (" +
                                    std::to_string(entryCount) + " entries, " +
                                    formatBytes(cdSize) + ")");

    std::vector<unsigned char> cd(static_cast<std::size_t>(cdSize));
    st = file.readAt(cdOffset, cd.data(), cdSize);
    if (!st.isOk())
        return st;

    entries->clear();
    entries->reserve(static_cast<std::size_t>(entryCount));
    std::size_t pos = 0;
    for (std::uint64_t k = 0; k < entryCount; ++k) {
        if (cd.size() - pos < 46 || le32(cd.data() + pos) != 0x02014b50u)
            return zipInvalid(path, "the zip central directory is damaged (entry " +
                                        std::to_string(k) + " of " + std::to_string(entryCount) +
                                        ")");
        const unsigned char* h = cd.data() + pos;
        ZipEntry z;
        z.flags = le16(h + 8);
        z.method = le16(h + 10);
        z.crc32 = le32(h + 16);
        z.compressedSize = le32(h + 20);
        z.size = le32(h + 24);
        const std::size_t nameLen = le16(h + 28);
        const std::size_t extraLen = le16(h + 30);
        const std::size_t commentLen = le16(h + 32);
        z.localHeaderOffset = le32(h + 42);
        if (cd.size() - pos - 46 < nameLen + extraLen + commentLen)
            return zipInvalid(path, "the zip central directory is damaged (entry " +
                                        std::to_string(k) + " runs past its end)");
        z.name.assign(reinterpret_cast<const char*>(h + 46), nameLen);
        // ZIP64 extended information: only the fields whose classic value is all ones.
        const unsigned char* x = h + 46 + nameLen;
        std::size_t xpos = 0;
        while (xpos + 4 <= extraLen) {
            const std::uint16_t id = le16(x + xpos);
            const std::uint16_t len = le16(x + xpos + 2);
            if (xpos + 4 + len > extraLen)
                break;
            if (id == 0x0001) {
                const unsigned char* f = x + xpos + 4;
                std::size_t fpos = 0;
                auto take = [&](std::uint64_t* v) {
                    if (*v != 0xffffffffu)
                        return true;
                    if (fpos + 8 > len)
                        return false;
                    *v = le64(f + fpos);
                    fpos += 8;
                    return true;
                };
                if (!take(&z.size) || !take(&z.compressedSize) || !take(&z.localHeaderOffset))
                    return zipInvalid(path, "the ZIP64 field of entry '" + z.name + "' is damaged");
            }
            xpos += 4 + len;
        }
        if (z.localHeaderOffset > size || z.compressedSize > size)
            return zipInvalid(path, "the zip archive is truncated or damaged: entry '" + z.name +
                                        "' lies beyond the end of the file");
        entries->push_back(std::move(z));
        pos += 46 + nameLen + extraLen + commentLen;
    }
    return Status::ok();
}

// Finds where an entry's data begins (local header's own name/extra lengths) and checks bounds.
Status resolveEntry(InputFile& file, const std::string& path, ZipEntry* z) {
    if (z->dataOffset != 0)
        return Status::ok();
    const std::uint64_t size = file.size();
    if (z->localHeaderOffset > size || size - z->localHeaderOffset < 30)
        return zipInvalid(path, "file is truncated: entry '" + z->name + "' starts at offset " +
                                    std::to_string(z->localHeaderOffset) + " but the file has " +
                                    std::to_string(size) + " bytes");
    unsigned char h[30];
    Status st = file.readAt(z->localHeaderOffset, h, 30);
    if (!st.isOk())
        return st;
    if (le32(h) != 0x04034b50u)
        return zipInvalid(path, "the zip archive is damaged: entry '" + z->name +
                                    "' has no local header at offset " +
                                    std::to_string(z->localHeaderOffset));
    const std::uint64_t dataOffset = z->localHeaderOffset + 30 + le16(h + 26) + le16(h + 28);
    if (dataOffset > size || z->compressedSize > size - dataOffset)
        return zipInvalid(path, "file is truncated: entry '" + z->name + "' needs " +
                                    std::to_string(z->compressedSize) + " bytes at offset " +
                                    std::to_string(dataOffset) + " but the file has only " +
                                    formatBytes(size));
    if (z->flags & 0x1)
        return Status::error(StatusCode::Unsupported,
                             path + ": entry '" + z->name + "' is encrypted");
    if (z->method != 0 && z->method != 8)
        return Status::error(StatusCode::Unsupported, path + ": entry '" + z->name +
                                                          "' uses zip compression method " +
                                                          std::to_string(z->method) +
                                                          " (only stored and deflate are "
                                                          "supported)");
    if (z->method == 0 && z->compressedSize != z->size)
        return zipInvalid(path, "the zip archive is damaged: stored entry '" + z->name +
                                    "' has compressed size " + std::to_string(z->compressedSize) +
                                    " but size " + std::to_string(z->size));
    z->dataOffset = dataOffset;
    return Status::ok();
}

// Reads (and inflates) a resolved entry, checking its CRC-32 when the archive recorded one.
Status readEntry(InputFile& file, const std::string& path, const ZipEntry& z,
                 std::vector<std::uint8_t>* out) {
    if (z.size > static_cast<std::uint64_t>(std::numeric_limits<std::ptrdiff_t>::max()))
        return zipInvalid(path, "entry '" + z.name + "' is implausibly large");
    out->assign(static_cast<std::size_t>(z.size), 0);
    if (z.method == 0) {
        Status st = file.readAt(z.dataOffset, out->data(), z.size);
        if (!st.isOk())
            return st;
    } else {
        std::vector<std::uint8_t> packed(static_cast<std::size_t>(z.compressedSize));
        Status st = file.readAt(z.dataOffset, packed.data(), z.compressedSize);
        if (!st.isOk())
            return st;
        z_stream zs;
        std::memset(&zs, 0, sizeof(zs));
        if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
            return Status::error(StatusCode::Internal, "zlib inflateInit2 failed");
        // zlib counts in 32 bits: feed input and output in chunks.
        const std::uint64_t chunk = 1u << 30;
        std::uint64_t inLeft = packed.size(), outLeft = out->size();
        std::uint8_t dummy = 0; // an empty entry still needs somewhere to (not) write
        zs.next_in = packed.data();
        zs.next_out = out->empty() ? &dummy : out->data();
        if (out->empty())
            zs.avail_out = 1;
        std::string failure;
        for (;;) {
            if (zs.avail_in == 0 && inLeft > 0) {
                const std::uint64_t n = std::min(chunk, inLeft);
                zs.avail_in = static_cast<uInt>(n);
                inLeft -= n;
            }
            if (zs.avail_out == 0 && outLeft > 0) {
                const std::uint64_t n = std::min(chunk, outLeft);
                zs.avail_out = static_cast<uInt>(n);
                outLeft -= n;
            }
            const int rc = inflate(&zs, Z_NO_FLUSH);
            if (rc == Z_STREAM_END)
                break;
            if (rc == Z_OK)
                continue;
            if (rc == Z_BUF_ERROR)
                failure = zs.avail_in == 0 && inLeft == 0
                              ? "the compressed data ends early"
                              : "it decompresses to more than its declared size";
            else
                failure = zs.msg ? zs.msg : "damaged deflate stream";
            break;
        }
        const std::uint64_t produced = zs.total_out;
        inflateEnd(&zs);
        if (!failure.empty())
            return zipInvalid(path,
                              "entry '" + z.name + "' cannot be decompressed (" + failure + ")");
        if (produced != z.size)
            return zipInvalid(path, "entry '" + z.name + "' decompresses to " +
                                        std::to_string(produced) + " bytes instead of " +
                                        std::to_string(z.size));
    }
    // PyTorch may skip CRCs (compute_crc32=False) and then records 0.
    if (z.crc32 != 0) {
        uLong crc = crc32(0L, Z_NULL, 0);
        std::uint64_t done = 0;
        while (done < out->size()) {
            const std::uint64_t n = std::min<std::uint64_t>(1u << 30, out->size() - done);
            crc = crc32(crc, out->data() + done, static_cast<uInt>(n));
            done += n;
        }
        if (static_cast<std::uint32_t>(crc) != z.crc32)
            return zipInvalid(path, "entry '" + z.name + "' is corrupt (CRC-32 mismatch)");
    }
    return Status::ok();
}

// ---------------------------------------------------------------------------------------------
// Restricted unpickler

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

const char* kindName(Kind k) {
    switch (k) {
    case Kind::None:
        return "None";
    case Kind::Bool:
        return "bool";
    case Kind::Int:
        return "int";
    case Kind::Float:
        return "float";
    case Kind::Str:
        return "str";
    case Kind::Bytes:
        return "bytes";
    case Kind::Tuple:
        return "tuple";
    case Kind::List:
        return "list";
    case Kind::Dict:
        return "dict";
    case Kind::Set:
        return "set";
    case Kind::Global:
        return "class or function";
    case Kind::Storage:
        return "storage";
    case Kind::Tensor:
        return "tensor";
    case Kind::Opaque:
        return "object";
    }
    return "?";
}

// "a dict", "an int": for messages.
std::string aKind(Kind k) {
    const std::string name = kindName(k);
    const bool vowel = std::string("aeiou").find(name[0]) != std::string::npos;
    return (vowel ? "an " : "a ") + name;
}

struct WhitelistEntry {
    const char* name;
    GlobalId id;
    DType dtype;
};

const WhitelistEntry kWhitelist[] = {
    {"collections.OrderedDict", GlobalId::OrderedDict, DType::F32},
    {"torch._utils._rebuild_tensor_v2", GlobalId::RebuildTensorV2, DType::F32},
    {"torch._utils._rebuild_tensor", GlobalId::RebuildTensor, DType::F32},
    {"torch._utils._rebuild_parameter", GlobalId::RebuildParameter, DType::F32},
    {"torch._utils._rebuild_parameter_with_state", GlobalId::RebuildParameterWithState, DType::F32},
    {"torch.FloatStorage", GlobalId::StorageType, DType::F32},
    {"torch.HalfStorage", GlobalId::StorageType, DType::F16},
    {"torch.BFloat16Storage", GlobalId::StorageType, DType::BF16},
    {"torch.DoubleStorage", GlobalId::StorageType, DType::F64},
    {"torch.LongStorage", GlobalId::StorageType, DType::I64},
    {"torch.IntStorage", GlobalId::StorageType, DType::I32},
    {"torch.ShortStorage", GlobalId::StorageType, DType::I16},
    {"torch.CharStorage", GlobalId::StorageType, DType::I8},
    {"torch.ByteStorage", GlobalId::StorageType, DType::U8},
    {"torch.BoolStorage", GlobalId::StorageType, DType::Bool},
    {"torch.UntypedStorage", GlobalId::StorageType, DType::U8},
    {"torch.storage.UntypedStorage", GlobalId::StorageType, DType::U8},
    {"torch.device", GlobalId::Device, DType::F32},
    {"builtins.set", GlobalId::Set, DType::F32},
    {"__builtin__.set", GlobalId::Set, DType::F32},
};

const char* opcodeName(std::uint8_t op) {
    switch (op) {
    case 'I':
        return "INT";
    case 'L':
        return "LONG";
    case 'S':
        return "STRING";
    case 'V':
        return "UNICODE";
    case 'F':
        return "FLOAT";
    case 'p':
        return "PUT";
    case 'g':
        return "GET";
    case 'd':
        return "DICT";
    case 'l':
        return "LIST";
    case 'i':
        return "INST";
    case 'o':
        return "OBJ";
    case 'P':
        return "PERSID";
    case 0x82:
        return "EXT1";
    case 0x83:
        return "EXT2";
    case 0x84:
        return "EXT4";
    case 0x96:
        return "BYTEARRAY8";
    case 0x97:
        return "NEXT_BUFFER";
    case 0x98:
        return "READONLY_BUFFER";
    default:
        return nullptr;
    }
}

class Unpickler {
public:
    Unpickler(const std::uint8_t* data, std::size_t size, std::string where)
        : p_(data), n_(size), where_(std::move(where)) {}

    Status run(PyRef* result) {
        try {
            return loop(result);
        } catch (const std::bad_alloc&) {
            return Status::error(StatusCode::OutOfMemory, where_ + ": out of memory unpickling");
        }
    }

    // storage key -> bytes, as declared by the persistent ids.
    const std::map<std::string, std::uint64_t>& storageBytes() const { return storageBytes_; }

private:
    const std::uint8_t* p_;
    std::size_t n_;
    std::size_t pos_ = 0;
    std::size_t opStart_ = 0;
    std::string where_;
    std::vector<PyRef> stack_;
    std::vector<std::size_t> marks_;
    std::unordered_map<std::uint64_t, PyRef> memo_;
    std::size_t objects_ = 0;
    std::map<std::string, std::uint64_t> storageBytes_;

    Status bad(const std::string& what) const {
        return Status::error(StatusCode::InvalidFile, where_ + ": " + what + " (pickle byte " +
                                                          std::to_string(opStart_) + ")");
    }
    Status unsupported(const std::string& what) const {
        return Status::error(StatusCode::Unsupported, where_ + ": " + what);
    }

    PyRef make(Kind k) {
        if (++objects_ > kMaxObjects)
            throw std::length_error("too many objects");
        auto o = std::make_shared<PyObj>();
        o->kind = k;
        return o;
    }

    bool need(std::size_t k) const { return n_ - pos_ >= k; }

    Status truncated(const char* what, std::uint64_t k) const {
        return bad(std::string("pickle is truncated: ") + what + " needs " + std::to_string(k) +
                   " bytes but only " + std::to_string(n_ - pos_) + " remain");
    }

    Status push(PyRef r) {
        if (stack_.size() >= kMaxStack)
            return bad("pickle stack grows beyond " + std::to_string(kMaxStack) + " items");
        stack_.push_back(std::move(r));
        return Status::ok();
    }

    Status pop(PyRef* out) {
        const std::size_t floor = marks_.empty() ? 0 : marks_.back();
        if (stack_.size() <= floor)
            return bad("pickle pops from an empty stack");
        *out = std::move(stack_.back());
        stack_.pop_back();
        return Status::ok();
    }

    Status top(PyRef** out) {
        const std::size_t floor = marks_.empty() ? 0 : marks_.back();
        if (stack_.size() <= floor)
            return bad("pickle reads from an empty stack");
        *out = &stack_.back();
        return Status::ok();
    }

    Status popMark(std::vector<PyRef>* out) {
        if (marks_.empty())
            return bad("pickle uses a MARK that was never set");
        const std::size_t k = marks_.back();
        marks_.pop_back();
        out->assign(std::make_move_iterator(stack_.begin() + static_cast<std::ptrdiff_t>(k)),
                    std::make_move_iterator(stack_.end()));
        stack_.resize(k);
        return Status::ok();
    }

    Status memoPut(std::uint64_t key) {
        PyRef* t = nullptr;
        Status st = top(&t);
        if (!st.isOk())
            return st;
        if (memo_.size() >= kMaxMemo && memo_.find(key) == memo_.end())
            return bad("pickle memo grows beyond " + std::to_string(kMaxMemo) + " entries");
        memo_[key] = *t;
        return Status::ok();
    }

    Status memoGet(std::uint64_t key) {
        const auto it = memo_.find(key);
        if (it == memo_.end())
            return bad("pickle refers to memo entry " + std::to_string(key) +
                       ", which was never stored");
        return push(it->second);
    }

    Status readUInt(std::size_t bytes, const char* what, std::uint64_t* out) {
        if (!need(bytes))
            return truncated(what, bytes);
        std::uint64_t v = 0;
        for (std::size_t k = 0; k < bytes; ++k)
            v |= static_cast<std::uint64_t>(p_[pos_ + k]) << (8 * k);
        pos_ += bytes;
        *out = v;
        return Status::ok();
    }

    Status readString(std::uint64_t len, const char* what, std::string* out) {
        if (len > n_ - pos_)
            return truncated(what, len);
        out->assign(reinterpret_cast<const char*>(p_ + pos_), static_cast<std::size_t>(len));
        pos_ += static_cast<std::size_t>(len);
        return Status::ok();
    }

    Status readLine(std::string* out) {
        const void* nl = std::memchr(p_ + pos_, '\n', n_ - pos_);
        if (!nl)
            return truncated("GLOBAL name", n_ - pos_ + 1);
        const std::size_t len =
            static_cast<std::size_t>(static_cast<const std::uint8_t*>(nl) - (p_ + pos_));
        out->assign(reinterpret_cast<const char*>(p_ + pos_), len);
        pos_ += len + 1;
        return Status::ok();
    }

    Status pushString(Kind kind, std::uint64_t len, const char* what) {
        PyRef o = make(kind);
        Status st = readString(len, what, &o->s);
        if (!st.isOk())
            return st;
        if (kind == Kind::Str && !validUtf8(o->s))
            return bad("pickle holds a string that is not valid UTF-8");
        return push(std::move(o));
    }

    Status pushInt(std::int64_t v) {
        PyRef o = make(Kind::Int);
        o->i = v;
        return push(std::move(o));
    }

    Status pushGlobal(const std::string& module, const std::string& name) {
        const std::string full = module + "." + name;
        for (const WhitelistEntry& w : kWhitelist) {
            if (full == w.name) {
                PyRef o = make(Kind::Global);
                o->s = full;
                o->global = w.id;
                o->dtype = w.dtype;
                return push(std::move(o));
            }
        }
        std::string shown = full.size() > 200 ? full.substr(0, 200) + "..." : full;
        return unsupported("checkpoint references '" + shown +
                           "', which a safe loader does not execute");
    }

    static bool isIntTuple(const PyObj& o, std::vector<std::int64_t>* out) {
        if (o.kind != Kind::Tuple && o.kind != Kind::List)
            return false;
        out->clear();
        for (const PyRef& r : o.items) {
            if (!r || r->kind != Kind::Int)
                return false;
            out->push_back(r->i);
        }
        return true;
    }

    Status rebuildTensor(const std::vector<PyRef>& args, const char* fn, PyRef* out) {
        const PyObj& storage = *args[0];
        if (storage.kind != Kind::Storage)
            return bad(std::string(fn) + " expects a storage but got " + aKind(storage.kind));
        if (args[1]->kind != Kind::Int || args[1]->i < 0)
            return bad(std::string(fn) + " expects a non-negative storage offset");
        auto t = std::make_unique<CheckpointTensor>();
        if (!isIntTuple(*args[2], &t->shape) || !isIntTuple(*args[3], &t->stride))
            return bad(std::string(fn) + " expects size and stride tuples of integers");
        if (t->shape.size() != t->stride.size() || t->shape.size() > kMaxDims)
            return bad(std::string(fn) + ": size " + shapeText(t->shape) + " and stride " +
                       shapeText(t->stride) + " do not match");
        for (std::size_t d = 0; d < t->shape.size(); ++d) {
            if (t->shape[d] < 0 || t->stride[d] < 0)
                return bad(std::string(fn) + ": negative size or stride (size " +
                           shapeText(t->shape) + ", stride " + shapeText(t->stride) + ")");
        }
        t->dtype = storage.dtype;
        t->storageOffset = args[1]->i;
        t->storageKey = storage.s;
        PyRef o = make(Kind::Tensor);
        o->tensor = std::move(t);
        *out = std::move(o);
        return Status::ok();
    }

    // callable(*args) for the whitelisted callables.
    Status call(const PyObj& callable, const PyObj& argObj, PyRef* out) {
        if (callable.kind != Kind::Global)
            return bad("pickle calls " + aKind(callable.kind) + ", which is not callable");
        if (argObj.kind != Kind::Tuple)
            return bad("pickle calls '" + callable.s + "' with arguments that are not a tuple");
        const std::vector<PyRef>& args = argObj.items;
        switch (callable.global) {
        case GlobalId::OrderedDict: {
            PyRef d = make(Kind::Dict);
            d->dict = std::make_unique<DictData>();
            if (args.size() == 1 && args[0]->kind == Kind::List) {
                for (const PyRef& pair : args[0]->items) {
                    if ((pair->kind != Kind::Tuple && pair->kind != Kind::List) ||
                        pair->items.size() != 2)
                        return bad("OrderedDict expects a list of (key, value) pairs");
                    setItem(*d, pair->items[0], pair->items[1]);
                }
            } else if (!args.empty()) {
                return bad("OrderedDict is called with unexpected arguments");
            }
            *out = std::move(d);
            return Status::ok();
        }
        case GlobalId::RebuildTensorV2:
            if (args.size() != 6 && args.size() != 7)
                return bad("_rebuild_tensor_v2 expects 6 or 7 arguments, got " +
                           std::to_string(args.size()));
            return rebuildTensor(args, "_rebuild_tensor_v2", out);
        case GlobalId::RebuildTensor:
            if (args.size() != 4)
                return bad("_rebuild_tensor expects 4 arguments, got " +
                           std::to_string(args.size()));
            return rebuildTensor(args, "_rebuild_tensor", out);
        case GlobalId::RebuildParameter:
        case GlobalId::RebuildParameterWithState:
            if (args.size() < 3 || args.size() > 4 || args[0]->kind != Kind::Tensor)
                return bad("_rebuild_parameter expects (tensor, requires_grad, hooks[, state])");
            *out = args[0];
            return Status::ok();
        case GlobalId::Device:
        case GlobalId::Set: {
            PyRef o = make(Kind::Opaque);
            o->s = callable.s;
            *out = std::move(o);
            return Status::ok();
        }
        case GlobalId::StorageType:
            return unsupported("checkpoint constructs '" + callable.s +
                               "' directly, which this loader does not support (" + kLegacyHint +
                               ")");
        }
        return bad("unexpected callable");
    }

    void setItem(PyObj& d, PyRef key, PyRef value) {
        if (key->kind == Kind::Str) {
            const auto it = d.dict->strIndex.find(key->s);
            if (it != d.dict->strIndex.end()) {
                d.dict->items[it->second].second = std::move(value);
                return;
            }
            d.dict->strIndex.emplace(key->s, d.dict->items.size());
        }
        d.dict->items.emplace_back(std::move(key), std::move(value));
    }

    Status persistentLoad(const PyObj& pid, PyRef* out) {
        if (pid.kind != Kind::Tuple || pid.items.size() != 5 || pid.items[0]->kind != Kind::Str ||
            pid.items[0]->s != "storage")
            return bad("unexpected persistent id (expected ('storage', type, key, location, "
                       "numel))");
        const PyObj& type = *pid.items[1];
        const PyObj& key = *pid.items[2];
        const PyObj& numel = *pid.items[4];
        if (type.kind != Kind::Global || type.global != GlobalId::StorageType)
            return bad("persistent id names a storage type that is not a torch storage class");
        if (key.kind != Kind::Str || key.s.empty() || key.s.size() > 256)
            return bad("persistent id has an invalid storage key");
        if (numel.kind != Kind::Int || numel.i < 0)
            return bad("persistent id has an invalid element count");
        const std::size_t es = dtypeSize(type.dtype);
        if (static_cast<std::uint64_t>(numel.i) > kInt64Max / es)
            return bad("storage '" + key.s + "' is implausibly large");
        const std::uint64_t bytes = static_cast<std::uint64_t>(numel.i) * es;
        const auto it = storageBytes_.find(key.s);
        if (it != storageBytes_.end() && it->second != bytes)
            return bad("storage '" + key.s + "' is declared with two different sizes (" +
                       std::to_string(it->second) + " and " + std::to_string(bytes) + " bytes)");
        storageBytes_[key.s] = bytes;
        PyRef o = make(Kind::Storage);
        o->s = key.s;
        o->i = numel.i;
        o->dtype = type.dtype;
        *out = std::move(o);
        return Status::ok();
    }

    Status loop(PyRef* result) {
        std::vector<PyRef> items;
        while (pos_ < n_) {
            opStart_ = pos_;
            const std::uint8_t op = p_[pos_++];
            std::uint64_t u = 0;
            switch (op) {
            case 0x80: // PROTO
                SHIFTSR_TRY(readUInt(1, "PROTO", &u));
                if (u < 2 || u > 5)
                    return unsupported("pickle protocol " + std::to_string(u) +
                                       " is not supported");
                break;
            case 0x95: // FRAME: a size hint only
                SHIFTSR_TRY(readUInt(8, "FRAME", &u));
                if (u > n_ - pos_)
                    return truncated("FRAME", u);
                break;
            case '.': { // STOP
                PyRef r;
                SHIFTSR_TRY(pop(&r));
                *result = std::move(r);
                return Status::ok();
            }
            case '(': // MARK
                if (marks_.size() >= kMaxMarks)
                    return bad("too many nested MARKs");
                marks_.push_back(stack_.size());
                break;
            case '0': { // POP
                if (!marks_.empty() && marks_.back() == stack_.size()) {
                    marks_.pop_back(); // POP of a MARK, as CPython allows
                    break;
                }
                PyRef r;
                SHIFTSR_TRY(pop(&r));
                break;
            }
            case '1': // POP_MARK
                SHIFTSR_TRY(popMark(&items));
                break;
            case '2': { // DUP
                PyRef* t = nullptr;
                SHIFTSR_TRY(top(&t));
                PyRef copy = *t;
                SHIFTSR_TRY(push(std::move(copy)));
                break;
            }
            case '}': { // EMPTY_DICT
                PyRef d = make(Kind::Dict);
                d->dict = std::make_unique<DictData>();
                SHIFTSR_TRY(push(std::move(d)));
                break;
            }
            case ']': // EMPTY_LIST
                SHIFTSR_TRY(push(make(Kind::List)));
                break;
            case ')': // EMPTY_TUPLE
                SHIFTSR_TRY(push(make(Kind::Tuple)));
                break;
            case 0x8f: // EMPTY_SET
                SHIFTSR_TRY(push(make(Kind::Set)));
                break;
            case 't':    // TUPLE
            case 0x91: { // FROZENSET
                SHIFTSR_TRY(popMark(&items));
                PyRef t = make(op == 't' ? Kind::Tuple : Kind::Set);
                t->items = std::move(items);
                items.clear();
                SHIFTSR_TRY(push(std::move(t)));
                break;
            }
            case 0x85:
            case 0x86:
            case 0x87: { // TUPLE1..3
                const std::size_t k = static_cast<std::size_t>(op - 0x84);
                PyRef t = make(Kind::Tuple);
                t->items.resize(k);
                for (std::size_t j = k; j-- > 0;) {
                    SHIFTSR_TRY(pop(&t->items[j]));
                }
                SHIFTSR_TRY(push(std::move(t)));
                break;
            }
            case 'a': { // APPEND
                PyRef v;
                PyRef* l = nullptr;
                SHIFTSR_TRY(pop(&v));
                SHIFTSR_TRY(top(&l));
                if ((*l)->kind != Kind::List)
                    return bad("APPEND to " + aKind((*l)->kind));
                (*l)->items.push_back(std::move(v));
                break;
            }
            case 'e':    // APPENDS
            case 0x90: { // ADDITEMS
                SHIFTSR_TRY(popMark(&items));
                PyRef* l = nullptr;
                SHIFTSR_TRY(top(&l));
                const Kind want = op == 'e' ? Kind::List : Kind::Set;
                if ((*l)->kind != want)
                    return bad(std::string(op == 'e' ? "APPENDS" : "ADDITEMS") + " to " +
                               aKind((*l)->kind));
                for (PyRef& r : items)
                    (*l)->items.push_back(std::move(r));
                items.clear();
                break;
            }
            case 's': { // SETITEM
                PyRef v, k;
                PyRef* d = nullptr;
                SHIFTSR_TRY(pop(&v));
                SHIFTSR_TRY(pop(&k));
                SHIFTSR_TRY(top(&d));
                if ((*d)->kind != Kind::Dict)
                    return bad("SETITEM on " + aKind((*d)->kind));
                setItem(**d, std::move(k), std::move(v));
                break;
            }
            case 'u': { // SETITEMS
                SHIFTSR_TRY(popMark(&items));
                PyRef* d = nullptr;
                SHIFTSR_TRY(top(&d));
                if ((*d)->kind != Kind::Dict)
                    return bad("SETITEMS on " + aKind((*d)->kind));
                if (items.size() % 2 != 0)
                    return bad("SETITEMS with an odd number of items");
                for (std::size_t j = 0; j < items.size(); j += 2)
                    setItem(**d, std::move(items[j]), std::move(items[j + 1]));
                items.clear();
                break;
            }
            case 'q': // BINPUT
                SHIFTSR_TRY(readUInt(1, "BINPUT", &u));
                SHIFTSR_TRY(memoPut(u));
                break;
            case 'r': // LONG_BINPUT
                SHIFTSR_TRY(readUInt(4, "LONG_BINPUT", &u));
                SHIFTSR_TRY(memoPut(u));
                break;
            case 0x94: // MEMOIZE
                SHIFTSR_TRY(memoPut(memo_.size()));
                break;
            case 'h': // BINGET
                SHIFTSR_TRY(readUInt(1, "BINGET", &u));
                SHIFTSR_TRY(memoGet(u));
                break;
            case 'j': // LONG_BINGET
                SHIFTSR_TRY(readUInt(4, "LONG_BINGET", &u));
                SHIFTSR_TRY(memoGet(u));
                break;
            case 'J': // BININT (signed 32-bit)
                SHIFTSR_TRY(readUInt(4, "BININT", &u));
                SHIFTSR_TRY(pushInt(static_cast<std::int32_t>(static_cast<std::uint32_t>(u))));
                break;
            case 'K': // BININT1
                SHIFTSR_TRY(readUInt(1, "BININT1", &u));
                SHIFTSR_TRY(pushInt(static_cast<std::int64_t>(u)));
                break;
            case 'M': // BININT2
                SHIFTSR_TRY(readUInt(2, "BININT2", &u));
                SHIFTSR_TRY(pushInt(static_cast<std::int64_t>(u)));
                break;
            case 0x8a:   // LONG1
            case 0x8b: { // LONG4
                SHIFTSR_TRY(readUInt(op == 0x8a ? 1 : 4, "LONG", &u));
                if (u > 8)
                    return unsupported("checkpoint holds an integer wider than 64 bits");
                if (!need(static_cast<std::size_t>(u)))
                    return truncated("LONG", u);
                std::uint64_t v = 0;
                for (std::size_t k = 0; k < u; ++k)
                    v |= static_cast<std::uint64_t>(p_[pos_ + k]) << (8 * k);
                if (u > 0 && u < 8 && (p_[pos_ + u - 1] & 0x80))
                    v |= ~0ull << (8 * u); // sign-extend
                pos_ += static_cast<std::size_t>(u);
                SHIFTSR_TRY(pushInt(static_cast<std::int64_t>(v)));
                break;
            }
            case 'G': { // BINFLOAT (big-endian double)
                if (!need(8))
                    return truncated("BINFLOAT", 8);
                std::uint64_t bits = 0;
                for (int k = 0; k < 8; ++k)
                    bits = (bits << 8) | p_[pos_ + k];
                pos_ += 8;
                PyRef o = make(Kind::Float);
                std::memcpy(&o->f, &bits, 8);
                SHIFTSR_TRY(push(std::move(o)));
                break;
            }
            case 0x88:   // NEWTRUE
            case 0x89: { // NEWFALSE
                PyRef o = make(Kind::Bool);
                o->i = op == 0x88 ? 1 : 0;
                SHIFTSR_TRY(push(std::move(o)));
                break;
            }
            case 'N': // NONE
                SHIFTSR_TRY(push(make(Kind::None)));
                break;
            case 'X': // BINUNICODE
                SHIFTSR_TRY(readUInt(4, "BINUNICODE", &u));
                SHIFTSR_TRY(pushString(Kind::Str, u, "BINUNICODE"));
                break;
            case 0x8c: // SHORT_BINUNICODE
                SHIFTSR_TRY(readUInt(1, "SHORT_BINUNICODE", &u));
                SHIFTSR_TRY(pushString(Kind::Str, u, "SHORT_BINUNICODE"));
                break;
            case 0x8d: // BINUNICODE8
                SHIFTSR_TRY(readUInt(8, "BINUNICODE8", &u));
                SHIFTSR_TRY(pushString(Kind::Str, u, "BINUNICODE8"));
                break;
            case 'U': // SHORT_BINSTRING (Python 2 str): kept as bytes
                SHIFTSR_TRY(readUInt(1, "SHORT_BINSTRING", &u));
                SHIFTSR_TRY(pushString(Kind::Bytes, u, "SHORT_BINSTRING"));
                break;
            case 'T': // BINSTRING
                SHIFTSR_TRY(readUInt(4, "BINSTRING", &u));
                SHIFTSR_TRY(pushString(Kind::Bytes, u, "BINSTRING"));
                break;
            case 'C': // SHORT_BINBYTES
                SHIFTSR_TRY(readUInt(1, "SHORT_BINBYTES", &u));
                SHIFTSR_TRY(pushString(Kind::Bytes, u, "SHORT_BINBYTES"));
                break;
            case 'B': // BINBYTES
                SHIFTSR_TRY(readUInt(4, "BINBYTES", &u));
                SHIFTSR_TRY(pushString(Kind::Bytes, u, "BINBYTES"));
                break;
            case 0x8e: // BINBYTES8
                SHIFTSR_TRY(readUInt(8, "BINBYTES8", &u));
                SHIFTSR_TRY(pushString(Kind::Bytes, u, "BINBYTES8"));
                break;
            case 'c': { // GLOBAL
                std::string module, name;
                SHIFTSR_TRY(readLine(&module));
                SHIFTSR_TRY(readLine(&name));
                SHIFTSR_TRY(pushGlobal(module, name));
                break;
            }
            case 0x93: { // STACK_GLOBAL
                PyRef name, module;
                SHIFTSR_TRY(pop(&name));
                SHIFTSR_TRY(pop(&module));
                if (name->kind != Kind::Str || module->kind != Kind::Str)
                    return bad("STACK_GLOBAL expects two strings");
                SHIFTSR_TRY(pushGlobal(module->s, name->s));
                break;
            }
            case 'R': { // REDUCE
                PyRef args, fn, out;
                SHIFTSR_TRY(pop(&args));
                SHIFTSR_TRY(pop(&fn));
                SHIFTSR_TRY(call(*fn, *args, &out));
                SHIFTSR_TRY(push(std::move(out)));
                break;
            }
            case 0x81: { // NEWOBJ: cls.__new__(cls, *args)
                PyRef args, cls;
                SHIFTSR_TRY(pop(&args));
                SHIFTSR_TRY(pop(&cls));
                if (cls->kind != Kind::Global ||
                    (cls->global != GlobalId::OrderedDict && cls->global != GlobalId::Set))
                    return unsupported(std::string("checkpoint instantiates '") +
                                       (cls->kind == Kind::Global ? cls->s : kindName(cls->kind)) +
                                       "' with NEWOBJ, which this loader does not support");
                PyRef empty = make(Kind::Tuple);
                PyRef out;
                SHIFTSR_TRY(call(*cls, *empty, &out));
                SHIFTSR_TRY(push(std::move(out)));
                break;
            }
            case 'b': { // BUILD: state of an OrderedDict (_metadata) or parameter: ignored
                PyRef state;
                PyRef* t = nullptr;
                SHIFTSR_TRY(pop(&state));
                SHIFTSR_TRY(top(&t));
                break;
            }
            case 'Q': { // BINPERSID
                PyRef pid, out;
                SHIFTSR_TRY(pop(&pid));
                SHIFTSR_TRY(persistentLoad(*pid, &out));
                SHIFTSR_TRY(push(std::move(out)));
                break;
            }
            default: {
                const char* name = opcodeName(op);
                if (name)
                    return unsupported(std::string("pickle opcode ") + name +
                                       " is not supported by this safe loader");
                char hex[8];
                std::snprintf(hex, sizeof(hex), "0x%02x", op);
                return bad(std::string("invalid pickle opcode ") + hex + ": data.pkl is corrupt");
            }
            }
        }
        return bad("pickle ends without a STOP opcode (truncated)");
    }
};

// ---------------------------------------------------------------------------------------------
// Unwrapping

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

const char* const kWrapperKeys[] = {"state_dict", "model", "module", "params", "ema", "net"};

const PyObj* findStateDict(const PyObj& d, int depth, const std::string& prefix,
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
            if (const PyObj* found = findStateDict(**v, depth + 1, path, from))
                return found;
        }
    }
    if (depth == 0 && isTensorDict(d, false)) {
        *from = prefix;
        return &d;
    }
    return nullptr;
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

// Validates a tensor against a storage of `storageBytes` bytes; sets numel.
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
    }
    *numelOut = numel;
    return Status::ok();
}

} // namespace

// ---------------------------------------------------------------------------------------------
// TorchCheckpoint

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
        {
            Unpickler unpickler(pickle.data(), pickle.size(), path);
            SHIFTSR_TRY(unpickler.run(&root));
            storageBytes = unpickler.storageBytes();
        }

        if (root->kind != Kind::Dict)
            return Status::error(StatusCode::Unsupported,
                                 path + ": the checkpoint holds " + aKind(root->kind) +
                                     ", not a dict of tensors (a state dict)");
        if (root->dict->items.empty())
            return Status::error(StatusCode::InvalidFile,
                                 path + ": the checkpoint holds an empty dict (no tensors)");
        const PyObj* sd = findStateDict(*root, 0, "", &ckpt.unwrappedFrom_);
        if (!sd)
            return Status::error(StatusCode::Unsupported,
                                 path + ": no state dict found: the top-level keys are " +
                                     describeKeys(*root) +
                                     " (looked for a dict of tensors at the top or under "
                                     "state_dict, model, module, params, ema, net)");

        for (const auto& kv : sd->dict->items) {
            if (kv.second->kind != Kind::Tensor || kv.first->kind != Kind::Str)
                continue;
            CheckpointTensor t = *kv.second->tensor;
            t.name = kv.first->s;
            ckpt.tensors_.push_back(std::move(t));
        }

        bool allPrefixed = !ckpt.tensors_.empty();
        for (const CheckpointTensor& t : ckpt.tensors_) {
            if (t.name.size() <= 7 || t.name.compare(0, 7, "module.") != 0) {
                allPrefixed = false;
                break;
            }
        }
        if (allPrefixed) {
            for (CheckpointTensor& t : ckpt.tensors_)
                t.name.erase(0, 7);
            ckpt.strippedModulePrefix_ = true;
        }

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
        const std::uint8_t* src = storage.data();
        if (contiguous) {
            std::memcpy(out.data(), src + static_cast<std::size_t>(t.storageOffset) * es,
                        out.size());
            return out;
        }

        // General strided gather, one innermost row at a time.
        const std::size_t nd = t.shape.size();
        const std::int64_t rowLen = t.shape[nd - 1];
        const std::int64_t rowStride = t.stride[nd - 1];
        std::vector<std::int64_t> idx(nd, 0);
        std::int64_t base = t.storageOffset;
        std::uint8_t* dst = out.data();
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
        return out;
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory,
                             "out of memory reading tensor '" + t.name + "' from " + path_);
    }
}

} // namespace shiftsr
