// Batch planning for `shiftsr-cli upscale`.
#include "shiftsr/engine/batch_plan.h"

#include <cctype>

#include "shiftsr/engine/image_io.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>
#include <system_error>

namespace fs = std::filesystem;

namespace shiftsr {

std::string expandPattern(const std::string& pattern,
                          const std::map<std::string, std::string>& tokens) {
    std::string out;
    for (size_t i = 0; i < pattern.size();) {
        if (pattern[i] == '{') {
            const size_t close = pattern.find('}', i);
            if (close != std::string::npos) {
                auto it = tokens.find(pattern.substr(i + 1, close - i - 1));
                if (it != tokens.end()) {
                    out += it->second;
                    i = close + 1;
                    continue;
                }
            }
        }
        out += pattern[i++];
    }
    return out;
}

std::string formatDuration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0)
        return "?";
    const long s = std::lround(seconds);
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
    else if (s >= 60)
        std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    else if (seconds >= 9.95)
        std::snprintf(buf, sizeof buf, "%lds", s);
    else
        std::snprintf(buf, sizeof buf, "%.1fs", seconds);
    return buf;
}

namespace {

std::string lowerExtension(const fs::path& p) {
    std::string e = p.extension().string();
    if (!e.empty())
        e.erase(0, 1);
    std::transform(e.begin(), e.end(), e.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return e;
}

std::string normalisedKey(const fs::path& p) {
    std::error_code ec;
    const auto abs = fs::weakly_canonical(p, ec);
    return (ec ? p : abs).lexically_normal().string();
}

} // namespace

shiftsr::Result<std::vector<BatchItem>> planBatch(const std::vector<std::string>& inputs,
                                                  const std::string& output, const BatchOptions& o,
                                                  bool* outputIsFolder) {
    if (inputs.empty())
        return Status::error(StatusCode::InvalidArgument, "no input given");
    if (output.empty())
        return Status::error(StatusCode::InvalidArgument, "no output given (-o FILE or FOLDER)");
    static const std::set<std::string> formats{"keep", "png",  "jpg",  "jpeg",
                                               "tif",  "tiff", "webp", "bmp"};
    if (!formats.count(o.format))
        return Status::error(StatusCode::InvalidArgument,
                             "unknown format '" + o.format + "' (keep, png, jpg, tif, webp, bmp)");

    struct Source {
        fs::path file;
        fs::path relativeDir; // under the output folder
    };
    std::vector<Source> sources;
    std::error_code ec;
    for (const auto& in : inputs) {
        const fs::path p(in);
        const auto st = fs::status(p, ec);
        if (ec || !fs::exists(st))
            return Status::error(StatusCode::NotFound,
                                 "cannot read image: no such file or folder: " + in);
        if (fs::is_directory(st)) {
            std::vector<Source> found;
            auto visit = [&](const fs::directory_entry& e) {
                std::error_code fe;
                if (e.is_regular_file(fe) &&
                    shiftsr::ImageIO::isSupportedExtension(e.path().string()))
                    found.push_back({e.path(), e.path().parent_path().lexically_relative(p)});
            };
            if (o.recursive) {
                for (fs::recursive_directory_iterator
                         it(p, fs::directory_options::skip_permission_denied, ec),
                     end;
                     !ec && it != end; it.increment(ec))
                    visit(*it);
            } else {
                for (fs::directory_iterator
                         it(p, fs::directory_options::skip_permission_denied, ec),
                     end;
                     !ec && it != end; it.increment(ec))
                    visit(*it);
            }
            if (ec)
                return Status::error(StatusCode::IoError,
                                     "cannot list folder " + in + ": " + ec.message());
            if (found.empty())
                return Status::error(StatusCode::NotFound,
                                     "no images in folder " + in +
                                         (o.recursive ? "" : " (use --recursive for subfolders)"));
            std::sort(found.begin(), found.end(),
                      [](const Source& a, const Source& b) { return a.file < b.file; });
            for (auto& s : found) {
                if (s.relativeDir == ".")
                    s.relativeDir.clear();
                sources.push_back(std::move(s));
            }
        } else {
            sources.push_back({p, {}});
        }
    }

    std::error_code oe;
    const bool single =
        inputs.size() == 1 && sources.size() == 1 && !fs::is_directory(fs::path(inputs[0]), oe) &&
        shiftsr::ImageIO::isSupportedExtension(output) && !fs::is_directory(fs::path(output), oe);
    if (outputIsFolder)
        *outputIsFolder = !single;

    std::vector<BatchItem> items;
    std::map<std::string, std::string> written; // normalised output -> input
    std::set<std::string> inputKeys;
    for (const auto& s : sources)
        inputKeys.insert(normalisedKey(s.file));
    for (const auto& s : sources) {
        fs::path out;
        if (single) {
            out = output;
        } else {
            std::string ext = o.format == "keep" ? lowerExtension(s.file) : o.format;
            auto tokens = o.tokens;
            tokens["name"] = s.file.stem().string();
            tokens["ext"] = ext;
            const std::string name = expandPattern(o.pattern, tokens);
            if (name.empty() || name.find('/') != std::string::npos)
                return Status::error(StatusCode::InvalidArgument,
                                     "the name pattern must give a file name without '/': '" +
                                         name + "'");
            if (!shiftsr::ImageIO::isSupportedExtension(name))
                return Status::error(StatusCode::InvalidArgument,
                                     "the name pattern gives '" + name +
                                         "', which has no image extension");
            out = fs::path(output) / s.relativeDir / name;
        }
        const std::string key = normalisedKey(out);
        if (inputKeys.count(key))
            return Status::error(StatusCode::InvalidArgument, "refusing to overwrite the input " +
                                                                  s.file.string() +
                                                                  " (choose another -o or --name)");
        auto [it, fresh] = written.emplace(key, s.file.string());
        if (!fresh)
            return Status::error(StatusCode::InvalidArgument,
                                 it->second + " and " + s.file.string() +
                                     " would both be written to " + out.string() +
                                     " (use --name with other tokens)");
        items.push_back({s.file.string(), out.string()});
    }
    return items;
}

std::map<std::string, std::string> outputNameTokens(const std::string& modelName, int scale,
                                                    int steps, std::uint64_t seed) {
    std::string tag = modelName;
    for (char& c : tag)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.')
            c = '_';
    return {{"scale", std::to_string(scale)},
            {"steps", std::to_string(steps)},
            {"model", tag},
            {"seed", std::to_string(seed)}};
}

} // namespace shiftsr
