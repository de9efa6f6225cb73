// Fuzz target: convert's --config file (convertOfficial up to the point where it would read the
// checkpoints, which do not exist here) and the network config parsers every config and package
// goes through (the fromJson functions of the U-Nets, codecs and schedules), on the whole
// document and on each of its sections.
#include "fuzz_util.h"

#include "shiftsr/engine/convert.h"
#include "shiftsr/nn/ddim.h"
#include "shiftsr/nn/kl_autoencoder.h"
#include "shiftsr/nn/refiner.h"
#include "shiftsr/nn/schedule.h"
#include "shiftsr/nn/sd_unet.h"
#include "shiftsr/nn/unet_swin.h"
#include "shiftsr/nn/vq_autoencoder.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>

using namespace shiftsr;

namespace {
void parseAll(const nlohmann::json& j) {
    (void)nn::UNetSwinConfig::fromJson(j);
    (void)nn::VQConfig::fromJson(j);
    (void)nn::RefinerConfig::fromJson(j);
    (void)nn::SDUNetConfig::fromJson(j);
    (void)nn::KLConfig::fromJson(j);
    (void)ScheduleConfig::fromJson(j);
    (void)DdimConfig::fromJson(j);
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ConvertOptions o;
    o.configJson = fuzz::scratchFile("config.json", data, size);
    o.unetCheckpoint = fuzz::scratchDir() + "/absent/unet.pth";
    o.autoencoderCheckpoint = fuzz::scratchDir() + "/absent/autoencoder.pth";
    o.output = fuzz::scratchDir() + "/absent/out.safetensors";
    (void)convertOfficial(o);

    const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, false);
    if (j.is_discarded())
        return 0;
    parseAll(j);
    if (!j.is_object())
        return 0;
    for (const auto& [key, value] : j.items()) {
        parseAll(value);
        if (value.is_object() && value.contains("params"))
            parseAll(value["params"]);
    }
    return 0;
}
