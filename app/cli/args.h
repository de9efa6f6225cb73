// Minimal command-line parsing for shiftsr-cli: --flag, --key value, --key=value, positionals.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace cli {

class Args {
public:
    // `valued` lists the options that take a value; every other --option is a flag.
    Args(int argc, char** argv, int first, const std::set<std::string>& valued,
         const std::set<std::string>& flags);
    bool ok() const { return error_.empty(); }
    const std::string& error() const { return error_; }
    bool has(const std::string& key) const { return values_.count(key) || flags_.count(key); }
    std::string get(const std::string& key, const std::string& fallback = "") const;
    // Every value of a repeated option, in order (get() returns the last).
    std::vector<std::string> getAll(const std::string& key) const;
    // Parses an integer option; sets error() when the value is not a number in [lo, hi].
    long long getInt(const std::string& key, long long fallback, long long lo, long long hi);
    const std::vector<std::string>& positionals() const { return positionals_; }

private:
    std::map<std::string, std::string> values_;
    std::map<std::string, std::vector<std::string>> all_;
    std::set<std::string> flags_;
    std::vector<std::string> positionals_;
    std::string error_;
};

} // namespace cli
