// Loads a parity fixture folder (official configs, weights, recorded tensors) into engine objects.
#pragma once

#include "shiftsr/nn/codec.h"
#include "shiftsr/nn/schedule.h"
#include "shiftsr/nn/tensor_io.h"
#include "shiftsr/nn/unet_swin.h"
#include "shiftsr/nn/vq_autoencoder.h"

#include <QString>

#include <map>
#include <memory>
#include <string>

struct FixtureCase {
    QString dir;
    nlohmann::json config;  // {model, autoencoder, diffusion} in the official YAML layout
    nlohmann::json sampler; // padding_offset, sf, ...
    std::map<std::string, torch::Tensor> tensors; // case.safetensors
    std::map<std::string, std::string> metadata;
    std::shared_ptr<shiftsr::nn::UNetModelSwinImpl> unet;
    std::shared_ptr<shiftsr::VQCodec> codec;
    std::unique_ptr<shiftsr::ResShiftSchedule> schedule;

    // Loads everything; returns an empty string or the reason it failed.
    std::string load(const QString& dir);
    const torch::Tensor& t(const std::string& name) const;
};

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b);
