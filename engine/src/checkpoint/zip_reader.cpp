// torch.save's zip container: central directory, ZIP64 records, local headers, inflate, CRC-32.
#include "checkpoint/zip_reader.h"

#include "byte_reader.h"
#include "checkpoint/common.h"
#include "file_checks.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>

namespace shiftsr::checkpoint {

using bytes::le16;
using bytes::le32;
using bytes::le64;

namespace {

constexpr std::uint64_t kMaxCentralDirectory = 256ull << 20;
constexpr std::uint64_t kMaxZipEntries = 4u << 20;

Status zipInvalid(const std::string& path, const std::string& what) {
    return Status::error(StatusCode::InvalidFile, path + ": " + what);
}

} // namespace

Status InputFile::open(const std::string& path) {
    path_ = path;
    auto size = regularFileSize(path);
    if (!size)
        return size.status();
    size_ = *size;
    in_.open(path, std::ios::binary);
    if (!in_)
        return Status::error(StatusCode::IoError,
                             "cannot open '" + path + "': " + std::strerror(errno));
    return Status::ok();
}

Status InputFile::readAt(std::uint64_t offset, void* dst, std::uint64_t n) {
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
                             path_ + ": cannot read " + std::to_string(n) + " bytes at offset " +
                                 std::to_string(offset) +
                                 " (the file may have changed since it was opened)");
    return Status::ok();
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

} // namespace shiftsr::checkpoint
