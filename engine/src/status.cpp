// Helpers shared by Status messages.
#include "shiftsr/engine/status.h"

#include <cstdio>

namespace shiftsr {

std::string formatBytes(unsigned long long bytes) {
    if (bytes < 1024ull)
        return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
    static const char* const units[] = {"KB", "MB", "GB", "TB", "PB", "EB"};
    double value = static_cast<double>(bytes) / 1024.0;
    std::size_t unit = 0;
    // Switch unit before the value would print as "1024.0".
    while (value >= 1023.95 && unit + 1 < sizeof(units) / sizeof(units[0])) {
        value /= 1024.0;
        ++unit;
    }
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%.1f %s", value, units[unit]);
    return buffer;
}

} // namespace shiftsr
