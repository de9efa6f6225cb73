// importWeights: every input read into canonical tensor names, classified by family, handed to the
// family's importer (import_resshift.cpp, import_gan.cpp, or the Stable Diffusion converter).
#include "shiftsr/engine/import.h"

#include "ncnn_weights.h"
#include "shiftsr/engine/convert.h"
#include "shiftsr/engine/model.h"
#include "shiftsr/nn/import_detect.h"
#include "shiftsr/nn/json_util.h"
#include "shiftsr/nn/model_impl.h"
#include "shiftsr/nn/sd_names.h"
#include "shiftsr/nn/tensor_io.h"
#include "shiftsr/nn/torch_checkpoint.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

namespace shiftsr::importer {

namespace {

// Keys a state dict is saved under, in order of preference: BasicSR saves params and params_ema,
// and the EMA weights are the ones its published models are evaluated with.
const char* const kWrappers[] = {"params_ema", "params", "state_dict", "model", "net", "ema"};
// Prefixes training code puts before every name (DataParallel, BasicSR's and others' generator
// attribute, torch.compile).
const char* const kPrefixes[] = {"module.", "netG.", "net_g.", "generator.", "_orig_mod."};

bool allStartWith(const TensorMap& t, const std::string& prefix) {
    for (const auto& [name, tensor] : t)
        if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0)
            return false;
    return !t.empty();
}

TensorMap withoutPrefix(const TensorMap& t, const std::string& prefix) {
    TensorMap out;
    for (const auto& [name, tensor] : t)
        if (name.compare(0, prefix.size(), prefix) == 0)
            out.emplace(name.substr(prefix.size()), tensor);
    return out;
}

// A flat file (.safetensors) holding wrapped state dicts ("params_ema.conv_first.weight", maybe
// beside "params."): the preferred one. Names count as wrapped only when every one is under a
// wrapper key and what follows is a name, not an index: "model.0.weight" of the old ESRGAN layout
// is a state dict of its own.
TensorMap unwrapFlat(const TensorMap& t, std::vector<std::string>* notes) {
    std::set<std::string> heads;
    for (const auto& [name, tensor] : t) {
        const auto dot = name.find('.');
        if (dot == std::string::npos || dot + 1 >= name.size() ||
            std::isdigit(static_cast<unsigned char>(name[dot + 1])))
            return t;
        heads.insert(name.substr(0, dot));
    }
    for (const auto& h : heads)
        if (std::find(std::begin(kWrappers), std::end(kWrappers), h) == std::end(kWrappers))
            return t;
    for (const char* w : kWrappers) {
        if (!heads.count(w))
            continue;
        std::string others;
        for (const auto& h : heads)
            if (h != w)
                others += (others.empty() ? "" : ", ") + h;
        notes->push_back(std::string("weights found under '") + w + "'" +
                         (others.empty() ? "" : " (also held: " + others + ")"));
        return withoutPrefix(t, std::string(w) + ".");
    }
    return t;
}

TensorMap stripPrefixes(TensorMap t, std::vector<std::string>* notes) {
    for (bool again = true; again;) {
        again = false;
        for (const char* p : kPrefixes)
            if (allStartWith(t, p)) {
                t = withoutPrefix(t, p);
                notes->push_back(std::string("prefix '") + p + "' removed from every name");
                again = true;
            }
    }
    return t;
}

bool startsWith(const std::string& path, const char* magic, std::size_t n) {
    std::ifstream in(path, std::ios::binary);
    std::string head(n, '\0');
    in.read(head.data(), std::streamsize(n));
    return std::size_t(in.gcount()) == n && std::memcmp(head.data(), magic, n) == 0;
}

// The safetensors layout: an 8-byte little-endian header length, then a JSON object.
bool looksLikeSafetensors(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    unsigned char head[9] = {};
    in.read(reinterpret_cast<char*>(head), 9);
    if (in.gcount() != 9 || head[8] != '{')
        return false;
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i)
        n = (n << 8) | head[i];
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    return !ec && n >= 2 && n <= size - 8;
}

Result<WeightFile> readTorch(const std::string& path) {
    auto ck = TorchCheckpoint::open(path);
    if (!ck)
        return ck.status();
    auto tensors = readCheckpointTensors(*ck, path);
    if (!tensors)
        return tensors.status();
    WeightFile f;
    f.path = path;
    if (!ck->unwrappedFrom().empty())
        f.notes.push_back("weights found under '" + ck->unwrappedFrom() + "'");
    if (ck->strippedModulePrefix())
        f.notes.push_back("prefix 'module.' removed from every name");
    f.tensors = stripPrefixes(std::move(*tensors), &f.notes);
    return f;
}

Result<WeightFile> readSafetensors(const std::string& path) {
    auto st = SafeTensorsFile::open(path);
    if (!st)
        return st.status();
    if (st->metadata().count(meta::kFormat))
        return Status::error(StatusCode::InvalidArgument,
                             path + ": this is a ShiftSR model package already (use it as it is)");
    auto tensors = readTensors(*st, "");
    if (!tensors)
        return tensors.status();
    WeightFile f;
    f.path = path;
    f.metadata = st->metadata();
    f.tensors = stripPrefixes(unwrapFlat(*tensors, &f.notes), &f.notes);
    return f;
}

Result<WeightFile> readNcnnFile(const std::string& param) {
    auto net = ncnn::readRealEsrgan(param);
    if (!net)
        return net.status();
    WeightFile f;
    f.path = param;
    f.tensors = std::move(net->tensors);
    f.notes = net->notes;
    if (!net->actType.empty())
        f.hints["act_type"] = net->actType;
    return f;
}

} // namespace

Result<WeightFile> readWeightFile(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return Status::error(StatusCode::NotFound, "cannot read " + path + " (no such file)");
    try {
        if (ncnn::looksLikeParam(path))
            return readNcnnFile(path);
        if (startsWith(path, "PK\x03\x04", 4))
            return readTorch(path);
        if (looksLikeSafetensors(path))
            return readSafetensors(path);
        // The .bin of an ncnn pair: its .param says what the numbers are.
        const auto p = std::filesystem::path(path);
        if (p.extension() == ".bin") {
            const std::string param = (p.parent_path() / p.stem()).string() + ".param";
            if (ncnn::looksLikeParam(param))
                return readNcnnFile(param);
        }
        // Anything else: the torch.save reader names what it finds (a legacy pickle, no zip).
        return readTorch(path);
    } catch (const c10::Error& e) {
        return Status::error(StatusCode::InvalidFile, path + ": " + e.what_without_backtrace());
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory, "not enough memory to read " + path);
    }
}

std::string describeTensors(const TensorMap& tensors, std::size_t max) {
    std::string out;
    std::size_t shown = 0;
    for (const auto& [name, t] : tensors) {
        if (shown == max) {
            out += ", ... (" + std::to_string(tensors.size()) + " tensors)";
            break;
        }
        std::string shape;
        for (auto d : t.sizes())
            shape += (shape.empty() ? "" : ",") + std::to_string(d);
        out += (shown ? ", " : "") + clipForMessage(name, 80) + " [" + shape + "]";
        ++shown;
    }
    return tensors.empty() ? "no tensors" : out;
}

} // namespace shiftsr::importer

namespace shiftsr {

namespace {

using importer::WeightFile;

enum class Kind { ResShift, Gan, SdUNet, SdVae, SdBoth, Unknown };

Kind classify(const WeightFile& f) {
    if (importer::isResShiftUNet(f.tensors) || importer::isResShiftAutoencoder(f.tensors))
        return Kind::ResShift;
    if (importer::isGan(f.tensors))
        return Kind::Gan;
    const bool unet = nn::detectUNetLayout(f.tensors) != nn::SDLayout::Unknown;
    const bool vae = nn::detectAutoencoderLayout(f.tensors) != nn::SDLayout::Unknown;
    return unet && vae ? Kind::SdBoth : unet ? Kind::SdUNet : vae ? Kind::SdVae : Kind::Unknown;
}

const char* kindName(Kind k) {
    switch (k) {
    case Kind::ResShift:
        return "ResShift";
    case Kind::Gan:
        return "GAN (RRDBNet / SRVGGNetCompact)";
    case Kind::SdUNet:
        return "Stable Diffusion U-Net";
    case Kind::SdVae:
        return "Stable Diffusion autoencoder";
    case Kind::SdBoth:
        return "Stable Diffusion checkpoint";
    case Kind::Unknown:
        break;
    }
    return "not recognised";
}

std::string fileName(const std::string& path) {
    return std::filesystem::path(path).filename().string();
}

// Stable Diffusion weights: the U-Net and the VAE (one full checkpoint may be both) into a yonos
// package, the initialisation of YONOS-SR training.
Result<ImportReport> importStableDiffusion(const std::vector<WeightFile>& files,
                                           const std::vector<Kind>& kinds,
                                           const ImportOptions& options, const JobControl& job) {
    ConvertOptions o;
    for (std::size_t i = 0; i < files.size(); ++i) {
        if ((kinds[i] == Kind::SdUNet || kinds[i] == Kind::SdBoth) && o.unetCheckpoint.empty())
            o.unetCheckpoint = files[i].path;
        if ((kinds[i] == Kind::SdVae || kinds[i] == Kind::SdBoth) &&
            o.autoencoderCheckpoint.empty())
            o.autoencoderCheckpoint = files[i].path;
    }
    if (o.unetCheckpoint.empty() || o.autoencoderCheckpoint.empty())
        return Status::error(StatusCode::InvalidArgument,
                             std::string("Stable Diffusion weights need a U-Net and an "
                                         "autoencoder (VAE); only ") +
                                 (o.unetCheckpoint.empty() ? "an autoencoder" : "a U-Net") +
                                 " was given");
    o.configJson = options.configJson;
    o.output = options.output;
    o.name = options.name;
    auto r = convertStableDiffusion(o, job);
    if (!r)
        return r.status();
    auto info = Model::inspect(options.output, false);
    if (!info)
        return info.status();
    ImportReport report;
    report.family = info->family;
    report.summary = "Stable Diffusion U-Net and autoencoder as a YONOS-SR initialisation";
    report.scale = info->scale;
    report.steps = info->steps;
    report.parameters = r->unetParameters + r->codecParameters;
    for (const auto& f : files)
        report.notes.insert(report.notes.end(), f.notes.begin(), f.notes.end());
    return report;
}

} // namespace

Result<ImportReport> importWeights(const ImportOptions& options, const JobControl& job) {
    if (options.inputs.empty())
        return Status::error(StatusCode::InvalidArgument, "import needs at least one weight file");
    if (options.output.empty())
        return Status::error(StatusCode::InvalidArgument, "import needs an output package path");
    std::vector<WeightFile> files;
    std::vector<Kind> kinds;
    for (std::size_t i = 0; i < options.inputs.size(); ++i) {
        if (job.cancelled())
            return Status::error(StatusCode::Cancelled, "cancelled");
        job.report(0.3 * double(i) / double(options.inputs.size()),
                   "read " + fileName(options.inputs[i]));
        auto f = importer::readWeightFile(options.inputs[i]);
        if (!f)
            return f.status();
        kinds.push_back(classify(*f));
        if (kinds.back() == Kind::Unknown)
            return Status::error(
                StatusCode::Unsupported,
                f->path +
                    ": not a model ShiftSR can import (ResShift, RSD and SinSR UNets with their "
                    "VQ-f4 autoencoder; Real-ESRGAN and ESRGAN RRDBNet; Real-ESRGAN compact "
                    "SRVGGNet; Stable Diffusion U-Net and VAE); it holds " +
                    std::to_string(f->tensors.size()) +
                    " tensors: " + importer::describeTensors(f->tensors));
        files.push_back(std::move(*f));
    }
    JobControl inner;
    inner.cancel = job.cancel;
    if (job.progress)
        inner.progress = [&](double f, const std::string& stage) {
            job.report(0.3 + 0.7 * f, stage);
        };
    std::set<Kind> groups;
    for (Kind k : kinds)
        groups.insert(k == Kind::SdUNet || k == Kind::SdVae ? Kind::SdBoth : k);
    if (groups.size() > 1) {
        std::string what;
        for (std::size_t i = 0; i < files.size(); ++i)
            what += (i ? "; " : "") + fileName(files[i].path) + ": " + kindName(kinds[i]);
        return Status::error(StatusCode::InvalidArgument,
                             "these files belong to different models (" + what +
                                 "): import one model at a time");
    }
    switch (*groups.begin()) {
    case Kind::Gan:
        if (files.size() != 1) {
            std::string others;
            for (std::size_t i = 1; i < files.size(); ++i)
                others += (i > 1 ? ", " : "") + fileName(files[i].path);
            return Status::error(StatusCode::InvalidArgument, "a GAN model is one file (" +
                                                                  fileName(files[0].path) +
                                                                  "); also given: " + others);
        }
        return importer::importGan(files[0], options, inner);
    case Kind::ResShift:
        return importer::importResShift(files, options, inner);
    default:
        return importStableDiffusion(files, kinds, options, inner);
    }
}

} // namespace shiftsr
