// Run directory files; checkpoints and the model are written atomically (temp file + rename).
#include "run_files.h"

#include "shiftsr/nn/atomic_file.h"
#include "shiftsr/nn/json_util.h"
#include "shiftsr/nn/tensor_io.h"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace shiftsr::training {

namespace fs = std::filesystem;
using json = nlohmann::json;

Status RunFiles::prepare(bool resume) {
    std::error_code ec;
    if (resume) {
        if (!hasCheckpoint() && !fs::exists(fs::path(dir_) / "config.json"))
            return Status::error(StatusCode::NotFound,
                                 "cannot resume: " + dir_ + " has no checkpoints/latest.txt");
        return Status::ok();
    }
    if (!writer_)
        return Status::ok();
    if (fs::exists(fs::path(dir_) / "log.jsonl"))
        return Status::error(
            StatusCode::InvalidArgument,
            dir_ + " already holds a run: use --resume, or choose another --out folder");
    for (const char* sub : {"checkpoints", "samples"})
        fs::create_directories(fs::path(dir_) / sub, ec);
    if (ec)
        return Status::error(StatusCode::IoError, "cannot create " + dir_ + ": " + ec.message());
    return Status::ok();
}

bool RunFiles::hasCheckpoint() const {
    return fs::exists(fs::path(dir_) / "checkpoints" / "latest.txt");
}

static Status writeText(const std::string& path, const std::string& text) {
    return writeFileAtomically(path, [&](std::FILE* f) {
        return std::fwrite(text.data(), 1, text.size(), f) == text.size()
                   ? Status::ok()
                   : Status::error(StatusCode::IoError, "short write");
    });
}

Status RunFiles::writeConfig(const std::string& jobJson) {
    return writeText(dir_ + "/config.json", jobJson + "\n");
}

void RunFiles::appendLog(const json& line) {
    if (!writer_)
        return;
    // One whole line per write: a reader tailing the file never sees half an object.
    std::ofstream out(dir_ + "/log.jsonl", std::ios::app);
    out << line.dump() + "\n";
    out.flush();
}

static Status addList(SafeTensorsWriter& w, const std::string& prefix,
                      const std::vector<torch::Tensor>& ts) {
    for (size_t i = 0; i < ts.size(); ++i)
        if (Status s = addTensor(w, prefix + std::to_string(i), ts[i]); !s)
            return s;
    return Status::ok();
}

Status RunFiles::saveCheckpoint(const RunState& s, const std::vector<torch::Tensor>& params,
                                const std::vector<torch::Tensor>& ema,
                                const std::vector<torch::Tensor>& m,
                                const std::vector<torch::Tensor>& v) {
    if (!writer_)
        return Status::ok();
    SafeTensorsWriter w;
    w.setMetadata("step", std::to_string(s.step));
    w.setMetadata("elapsed", std::to_string(s.elapsed));
    w.setMetadata("loader_position", std::to_string(s.loaderPosition));
    w.setMetadata("last_val", s.lastVal.dump());
    for (auto [prefix, list] :
         {std::pair<const char*, const std::vector<torch::Tensor>*>{"param.", &params},
          {"ema.", &ema},
          {"adam_m.", &m},
          {"adam_v.", &v}})
        if (Status st = addList(w, prefix, *list); !st)
            return st;
    char name[64];
    std::snprintf(name, sizeof name, "step-%08d.safetensors", s.step);
    const fs::path ck = fs::path(dir_) / "checkpoints";
    if (Status st = w.write((ck / name).string()); !st)
        return st;
    if (Status st = writeText((ck / "latest.txt").string(), std::string(name) + "\n"); !st)
        return st;
    // Keep the newest few.
    std::vector<std::string> all;
    for (const auto& e : fs::directory_iterator(ck))
        if (e.path().extension() == ".safetensors" &&
            e.path().filename().string().rfind("step-", 0) == 0)
            all.push_back(e.path().string());
    std::sort(all.begin(), all.end());
    for (size_t i = 0; i + size_t(keep_) < all.size(); ++i) {
        std::error_code ec;
        fs::remove(all[i], ec);
    }
    return Status::ok();
}

static Status readList(const SafeTensorsFile& f, const std::string& prefix,
                       std::vector<torch::Tensor>& ts) {
    torch::NoGradGuard ng;
    for (size_t i = 0; i < ts.size(); ++i) {
        const auto* e = f.find(prefix + std::to_string(i));
        if (!e)
            return Status::error(StatusCode::InvalidFile,
                                 f.path() + ": checkpoint lacks " + prefix + std::to_string(i) +
                                     " (does it belong to another model?)");
        auto t = readTensor(f, *e);
        if (!t)
            return t.status();
        if (t->sizes() != ts[i].sizes())
            return Status::error(StatusCode::InvalidFile, f.path() + ": " + prefix +
                                                              std::to_string(i) +
                                                              " has another shape than the model");
        ts[i].copy_(*t);
    }
    return Status::ok();
}

Status RunFiles::loadLatest(RunState* s, std::vector<torch::Tensor>& params,
                            std::vector<torch::Tensor>& ema, std::vector<torch::Tensor>& m,
                            std::vector<torch::Tensor>& v) {
    std::ifstream in(dir_ + "/checkpoints/latest.txt");
    std::string name;
    std::getline(in, name);
    if (name.empty())
        return Status::error(StatusCode::InvalidFile, dir_ + "/checkpoints/latest.txt is empty");
    auto f = SafeTensorsFile::open(dir_ + "/checkpoints/" + name);
    if (!f)
        return f.status();
    const auto& md = f->metadata();
    try {
        s->step = std::stoi(md.at("step"));
        s->elapsed = std::stod(md.at("elapsed"));
        s->loaderPosition = std::stoull(md.at("loader_position"));
        if (md.count("last_val")) {
            auto v = parseJsonBounded(md.at("last_val"), "last_val");
            if (!v)
                throw std::runtime_error(v.status().message());
            s->lastVal = std::move(*v);
        }
    } catch (const std::exception& e) {
        return Status::error(StatusCode::InvalidFile,
                             f->path() + ": checkpoint metadata is damaged");
    }
    for (auto [prefix, list] :
         {std::pair<const char*, std::vector<torch::Tensor>*>{"param.", &params},
          {"ema.", &ema},
          {"adam_m.", &m},
          {"adam_v.", &v}})
        if (Status st = readList(*f, prefix, *list); !st)
            return st;
    return Status::ok();
}

void RunFiles::writeSample(int step, const cv::Mat& bgr) {
    if (!writer_)
        return;
    std::vector<unsigned char> png;
    if (!cv::imencode(".png", bgr, png))
        return;
    char name[64];
    std::snprintf(name, sizeof name, "/samples/step-%08d.png", step);
    (void)writeFileAtomically(dir_ + name, [&](std::FILE* f) {
        return std::fwrite(png.data(), 1, png.size(), f) == png.size()
                   ? Status::ok()
                   : Status::error(StatusCode::IoError, "short write");
    });
}

Status RunFiles::writeModel(const Architecture& arch, const json& provenance,
                            const torch::nn::Module& unet, Codec* codec, const std::string& path) {
    SafeTensorsWriter w;
    for (const auto& [k, val] : arch.toMetadata())
        w.setMetadata(k, val);
    w.setMetadata(meta::kProvenance, provenance.dump());
    if (Status s = addModule(w, "unet.", unet); !s)
        return s;
    if (codec && codec->module())
        if (Status s = addModule(w, "codec.", *codec->module()); !s)
            return s;
    return w.write(path.empty() ? modelPath() : path);
}

} // namespace shiftsr::training
