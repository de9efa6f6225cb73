// Minimal command-line parsing for shiftsr-cli.
#include "args.h"

namespace cli {

Args::Args(int argc, char** argv, int first, const std::set<std::string>& valued,
           const std::set<std::string>& flags) {
    for (int i = first; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--") {
            for (++i; i < argc; ++i)
                positionals_.push_back(argv[i]);
            break;
        }
        if (a.size() > 1 && a[0] == '-' &&
            !(a.size() > 1 && std::isdigit(static_cast<unsigned char>(a[1])))) {
            std::string key = a.substr(a[1] == '-' ? 2 : 1);
            std::string value;
            bool hasValue = false;
            if (auto eq = key.find('='); eq != std::string::npos) {
                value = key.substr(eq + 1);
                key = key.substr(0, eq);
                hasValue = true;
            }
            if (key == "o")
                key = "output";
            if (valued.count(key)) {
                if (!hasValue) {
                    if (i + 1 >= argc) {
                        error_ = "option --" + key + " needs a value";
                        return;
                    }
                    value = argv[++i];
                }
                values_[key] = value;
                all_[key].push_back(value);
            } else if (flags.count(key) && !hasValue) {
                flags_.insert(key);
            } else {
                error_ = "unknown option " + a;
                return;
            }
        } else {
            positionals_.push_back(a);
        }
    }
}

std::string Args::get(const std::string& key, const std::string& fallback) const {
    auto it = values_.find(key);
    return it == values_.end() ? fallback : it->second;
}

std::vector<std::string> Args::getAll(const std::string& key) const {
    auto it = all_.find(key);
    return it == all_.end() ? std::vector<std::string>{} : it->second;
}

long long Args::getInt(const std::string& key, long long fallback, long long lo, long long hi) {
    auto it = values_.find(key);
    if (it == values_.end())
        return fallback;
    try {
        size_t pos = 0;
        long long v = std::stoll(it->second, &pos);
        if (pos == it->second.size() && v >= lo && v <= hi)
            return v;
    } catch (...) {
    }
    error_ = "--" + key + " must be an integer between " + std::to_string(lo) + " and " +
             std::to_string(hi);
    return fallback;
}

} // namespace cli
