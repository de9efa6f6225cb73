// UNetModelSwin of ResShift as a LibTorch module whose parameter names equal the official
// state_dict.
#pragma once

#include "shiftsr/engine/status.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <atomic>
#include <exception>
#include <functional>
#include <map>
#include <vector>

namespace shiftsr {

// Thrown out of a run when its cancel flag is raised (JobControl::cancel): from the sampler between
// stages and steps, and from inside a network call between its blocks.
struct Cancelled : std::exception {
    const char* what() const noexcept override { return "cancelled"; }
};

} // namespace shiftsr

namespace shiftsr::nn {

// Constructor arguments of models.unet.UNetModelSwin, under the official YAML key names.
struct UNetSwinConfig {
    int imageSize = 64;
    int inChannels = 3;
    int modelChannels = 160;
    int outChannels = 3;
    std::vector<int> attentionResolutions{64, 32, 16, 8};
    double dropout = 0.0;
    std::vector<int> channelMult{1, 2, 2, 4};
    std::vector<int> numResBlocks{2, 2, 2, 2};
    bool convResample = true;
    int dims = 2;
    int numHeads = 1;
    int numHeadChannels = 32;
    bool useScaleShiftNorm = true;
    bool resblockUpdown = false;
    int swinDepth = 2;
    int swinEmbedDim = 192;
    int windowSize = 8;
    double mlpRatio = 4.0;
    bool patchNorm = false;
    bool condLq = true;
    bool condMask = false;
    int lqSize = 64;
    // ShiftSR extension (not in the official code): extra input channels of the first conv,
    // e.g. the RSD student's noise channel. 0 for every official model.
    int extraInputChannels = 0;

    static Result<UNetSwinConfig> fromJson(const nlohmann::json& j);
    nlohmann::json toJson() const;
    // Types aside, everything fromJson checks: ranges, relations (window size vs feature sizes,
    // lq_size vs image_size, one num_res_blocks per level) and the architecture limits, in
    // microseconds and before any module is built.
    Status validate() const;
    // What the network holds, from the config alone: `parameters` counts only weights the
    // network surely has (a lower bound of its state dict), `buffers` the Swin index tables and
    // shift masks.
    struct Cost {
        double parameters = 0, buffers = 0;
    };
    Cost estimateCost() const;
    static UNetSwinConfig v3(); // realsr_swinunet_realesrgan256_journal.yaml
    int swinHeads() const {
        return numHeadChannels == -1 ? numHeads : swinEmbedDim / numHeadChannels;
    }
};

class TimestepSequentialImpl;
class SwinBasicLayerImpl;

// What one run of a UNet keeps between its calls. The Swin blocks' attention addend (relative
// position bias plus shift mask) depends only on the feature size, so a run computes it once per
// block and size instead of at every step and tile. The network itself (weights, buffers) is never
// written during inference: one UNetModelSwin serves any number of runs at once, each with its own
// RunState (which is not shared between threads).
class RunState {
public:
    // Intermediate outputs for parity debugging (filled when `debug` is set).
    struct Debug {
        torch::Tensor temb, inputBlock0, firstSwinIn, firstSwinOut, middle;
    };
    Debug* debug = nullptr;
    // The run's cancel flag: a network call checks it between its blocks and throws Cancelled, so
    // a cancel takes effect within one block, not after a whole step on a large tile.
    const std::atomic<bool>* cancel = nullptr;
    void throwIfCancelled() const {
        if (cancel && cancel->load(std::memory_order_relaxed))
            throw Cancelled();
    }
    // Called after each block of a network call with the fraction of its blocks done (0, 1]: the
    // caller's progress moves within one call, which on a large CPU tile takes seconds. May be
    // empty; set by the sampler around each call.
    std::function<void(double fraction)> blockDone;
    // Checks the cancel flag and reports `done` of `total` blocks.
    void afterBlock(size_t done, size_t total) const {
        throwIfCancelled();
        if (blockDone && total > 0)
            blockDone(double(done) / double(total));
    }

    struct AddendKey {
        int64_t h = 0, w = 0;
        uint32_t weightVersion = 0;
        c10::ScalarType dtype = c10::ScalarType::Float;
        std::string device;
        bool operator==(const AddendKey& o) const {
            return h == o.h && w == o.w && weightVersion == o.weightVersion && dtype == o.dtype &&
                   device == o.device;
        }
    };
    // The cached addend of `block` for `key`, or an undefined tensor.
    torch::Tensor addend(const void* block, const AddendKey& key) const;
    void storeAddend(const void* block, const AddendKey& key, torch::Tensor value);

private:
    struct Entry {
        AddendKey key;
        torch::Tensor value;
    };
    std::map<const void*, Entry> addends_;
};

class UNetModelSwinImpl : public torch::nn::Module {
public:
    explicit UNetModelSwinImpl(const UNetSwinConfig& config);
    // x: [B, in+extra, h, w] latent (already input-scaled); t: [B] integer timesteps;
    // lq: [B, 3, H, W] LQ image in [-1, 1] (H = h * lqSize / imageSize). `state`: the run's
    // caches (optional; without one nothing is cached). Writes nothing in the module.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& lq,
                          RunState* state = nullptr);
    // Encoder features for a discriminator head (the encoder half only): the middle block's output,
    // or with `firstLevel` the last input block's output at the latent's own resolution (before the
    // first downsampling).
    torch::Tensor encoderFeatures(const torch::Tensor& x, const torch::Tensor& t,
                                  const torch::Tensor& lq, bool firstLevel = false,
                                  RunState* state = nullptr);
    int64_t middleChannels() const;
    int64_t firstLevelChannels() const {
        return int64_t(config_.modelChannels) * config_.channelMult.at(0);
    }
    const UNetSwinConfig& config() const { return config_; }

private:
    enum class Stop { None, FirstLevel, Middle };
    UNetSwinConfig config_;
    torch::nn::Linear timeEmbed0{nullptr}, timeEmbed2{nullptr};
    std::vector<torch::nn::AnyModule> featureExtractor_;
    bool featureIdentity_ = true;
    std::vector<std::shared_ptr<TimestepSequentialImpl>> inputBlocks_, outputBlocks_;
    std::shared_ptr<TimestepSequentialImpl> middle_;
    torch::nn::GroupNorm outNorm{nullptr};
    torch::nn::Conv2d outConv{nullptr};
    int64_t middleChannels_ = 0;
    torch::Tensor forwardImpl(const torch::Tensor& x, const torch::Tensor& t,
                              const torch::Tensor& lq, Stop stop, RunState* state);
};
TORCH_MODULE(UNetModelSwin);

// Inference layout for a device: on the CPU the UNet's convolutions run channels-last (NHWC),
// measured 1.15x faster per step at the v3 width; parity tests run this same configuration.
void prepareUnetForInference(UNetModelSwinImpl& unet, const torch::Device& device);

// Sinusoidal embedding exactly as basic_ops.timestep_embedding (cos first).
torch::Tensor timestepEmbedding(const torch::Tensor& t, int64_t dim, double maxPeriod = 10000.0);

// The official SwinTransformerBlock.calculate_mask, including its axis quirk.
torch::Tensor swinShiftMask(int64_t H, int64_t W, int64_t windowSize, int64_t shift);

} // namespace shiftsr::nn
