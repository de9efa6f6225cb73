// ResShift family import: the official v3 realsr UNet with its VQ-f4 autoencoder, through the
// official checkpoint converter (convert.cpp).
#include "shiftsr/engine/convert.h"
#include "shiftsr/engine/model.h"
#include "shiftsr/nn/import_detect.h"

#include <filesystem>

namespace shiftsr::importer {

// UNetModelSwin: the guided-diffusion UNet's names with Swin layers inside its blocks.
bool isResShiftUNet(const TensorMap& tensors) {
    if (!tensors.count("input_blocks.0.0.weight"))
        return false;
    for (const auto& [name, t] : tensors)
        if (name.find(".patch_embed.proj.") != std::string::npos)
            return true;
    return false;
}

// VQModelTorch: an encoder and decoder around a codebook.
bool isResShiftAutoencoder(const TensorMap& tensors) {
    return tensors.count("encoder.conv_in.weight") && tensors.count("quantize.embedding.weight");
}

Result<ImportReport> importResShift(const std::vector<WeightFile>& files,
                                    const ImportOptions& options, const JobControl& job) {
    ConvertOptions o;
    for (const auto& f : files) {
        if (isResShiftUNet(f.tensors))
            o.unetCheckpoint = f.path;
        else if (isResShiftAutoencoder(f.tensors))
            o.autoencoderCheckpoint = f.path;
    }
    if (o.unetCheckpoint.empty())
        return Status::error(StatusCode::InvalidArgument,
                             "a ResShift autoencoder alone is not a model: give its UNet too");
    if (o.autoencoderCheckpoint.empty())
        return Status::error(StatusCode::InvalidArgument,
                             "the ResShift UNet " +
                                 std::filesystem::path(o.unetCheckpoint).filename().string() +
                                 " works in the latent space of its VQ-f4 autoencoder: give "
                                 "autoencoder_vq_f4.pth too");
    o.configJson = options.configJson;
    o.output = options.output;
    o.name = options.name;
    auto r = convertOfficial(o, job);
    if (!r)
        return r.status();
    auto info = Model::inspect(options.output, false);
    if (!info)
        return info.status();
    ImportReport report;
    report.family = info->family;
    report.summary = "ResShift UNetModelSwin with the VQ-f4 autoencoder";
    report.scale = info->scale;
    report.steps = info->steps;
    report.parameters = r->unetParameters + r->codecParameters;
    for (const auto& f : files)
        report.notes.insert(report.notes.end(), f.notes.begin(), f.notes.end());
    return report;
}

} // namespace shiftsr::importer
