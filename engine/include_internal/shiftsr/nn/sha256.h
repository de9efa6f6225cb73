// SHA-256 (FIPS 180-4), for model and image provenance hashes without extra dependencies.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

namespace shiftsr {

class Sha256 {
public:
    Sha256();
    void update(const void* data, std::size_t size);
    std::string hexDigest(); // finalises; call once

private:
    void block(const std::uint8_t* p);
    std::uint32_t h_[8];
    std::uint8_t buf_[64];
    std::size_t bufLen_ = 0;
    std::uint64_t total_ = 0;
};

// Hash of a whole file; empty string if it cannot be read or `cancel` turns true on the way.
std::string sha256File(const std::string& path, const std::atomic<bool>* cancel = nullptr);

} // namespace shiftsr
