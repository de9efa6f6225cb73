// Latent codecs: the VQ f4 autoencoder and the weight-free pixel-unshuffle f4 codec.
#pragma once

#include "shiftsr/nn/kl_autoencoder.h"
#include "shiftsr/nn/refiner.h"
#include "shiftsr/nn/vq_autoencoder.h"

#include <torch/torch.h>

#include <memory>
#include <string>

namespace shiftsr {

class Codec {
public:
    virtual ~Codec() = default;
    virtual std::string name() const = 0; // "vq-f4", "unshuffle-f4", "unshuffle-f4-refine"
    virtual int factor() const = 0;       // spatial downsampling factor
    virtual int latentChannels() const = 0;
    // image in [-1, 1], [B, 3, H, W] -> latent [B, C, H/f, W/f] (no quantisation at encode time)
    virtual torch::Tensor encode(const torch::Tensor& image) = 0;
    // latent -> image (VQ quantises first, as the official decode does)
    virtual torch::Tensor decode(const torch::Tensor& latent) = 0;
    virtual torch::nn::Module* module() { return nullptr; } // parameters under "codec."
};

class VQCodec final : public Codec {
public:
    explicit VQCodec(const nn::VQConfig& config) : model_(config) {}
    std::string name() const override { return "vq-f4"; }
    int factor() const override { return model_->config().downFactor(); }
    int latentChannels() const override { return model_->config().embedDim; }
    torch::Tensor encode(const torch::Tensor& image) override { return model_->encode(image); }
    torch::Tensor decode(const torch::Tensor& latent) override { return model_->decode(latent); }
    torch::nn::Module* module() override { return model_.get(); }
    nn::VQModel& model() { return model_; }

private:
    nn::VQModel model_;
};

// Lossless and weight-free: pixel-unshuffle by 4 gives a 48-channel latent. Lets small models
// train from scratch without an autoencoder.
class UnshuffleCodec final : public Codec {
public:
    explicit UnshuffleCodec(int factor = 4) : factor_(factor) {}
    std::string name() const override { return "unshuffle-f" + std::to_string(factor_); }
    int factor() const override { return factor_; }
    int latentChannels() const override { return 3 * factor_ * factor_; }
    torch::Tensor encode(const torch::Tensor& image) override {
        return torch::pixel_unshuffle(image, factor_);
    }
    torch::Tensor decode(const torch::Tensor& latent) override {
        return torch::pixel_shuffle(latent, factor_);
    }

private:
    int factor_;
};

// The unshuffle f4 codec with a learned full-resolution decoder head (nn/refiner.h): encode is
// the plain unshuffle, decode the pixel shuffle followed by the head's residual correction.
class RefineCodec final : public Codec {
public:
    explicit RefineCodec(const nn::RefinerConfig& config) : refiner_(config) {}
    std::string name() const override { return "unshuffle-f4-refine"; }
    int factor() const override { return 4; }
    int latentChannels() const override { return 48; }
    torch::Tensor encode(const torch::Tensor& image) override {
        return torch::pixel_unshuffle(image, 4);
    }
    torch::Tensor decode(const torch::Tensor& latent) override {
        return refiner_->forward(torch::pixel_shuffle(latent, 4));
    }
    torch::nn::Module* module() override { return refiner_.get(); }
    nn::PixelRefiner& refiner() { return refiner_; }

private:
    nn::PixelRefiner refiner_;
};

// The KL autoencoder of the YONOS-SR family (Stable Diffusion's VAE layout): encode is the
// posterior mean times the scaling factor, decode its inverse.
class KLCodec final : public Codec {
public:
    explicit KLCodec(const nn::KLConfig& config) : model_(config) {}
    std::string name() const override { return "kl-f" + std::to_string(factor()); }
    int factor() const override { return model_->config().downFactor(); }
    int latentChannels() const override { return model_->config().latentChannels; }
    torch::Tensor encode(const torch::Tensor& image) override { return model_->encode(image); }
    torch::Tensor decode(const torch::Tensor& latent) override { return model_->decode(latent); }
    torch::nn::Module* module() override { return model_.get(); }
    nn::KLAutoencoder& model() { return model_; }

private:
    nn::KLAutoencoder model_;
};

} // namespace shiftsr
