// Parameter names of Stable-Diffusion-style networks in their two published layouts: the original
// (CompVis ldm / stability "sgm": `model.diffusion_model.input_blocks.1.0.in_layers.0.weight`,
// `first_stage_model.encoder.down.0.block.0.norm1.weight`) and diffusers
// (`down_blocks.0.resnets.0.norm1.weight`, `encoder.down_blocks.0.resnets.0.norm1.weight`).
// ShiftSR's networks use the diffusers names (sd_unet.h, kl_autoencoder.h); these functions map a
// state dict in either layout onto them, so a user can initialise a YONOS model from Stable
// Diffusion weights they hold (docs/training.md says which checkpoints and how).
#pragma once

#include "shiftsr/engine/status.h"
#include "shiftsr/nn/kl_autoencoder.h"
#include "shiftsr/nn/sd_unet.h"

#include <torch/torch.h>

#include <map>
#include <string>

namespace shiftsr::nn {

using TensorMap = std::map<std::string, torch::Tensor>;

enum class SDLayout { Diffusers, Ldm, Unknown };

// Which layout a UNet or autoencoder state dict is in (prefixes such as `model.diffusion_model.`,
// `first_stage_model.`, `unet.`, `vae.` already stripped or not: both are recognised).
SDLayout detectUNetLayout(const TensorMap& tensors);
SDLayout detectAutoencoderLayout(const TensorMap& tensors);

// ldm -> diffusers for a UNet of `config` (the ldm layout numbers its blocks from the config:
// input_blocks.{1 + level*(layers+1) + j}, output_blocks.{i*(layers+1) + j} for up block i, which
// runs level levels-1-i, ...). Accepts names with or without `model.diffusion_model.` (with it,
// tensors outside that prefix, such as a whole checkpoint's VAE and text encoder, are ignored).
// Every other tensor must map (an unknown name is an error naming it); proj_in/proj_out are
// reshaped 1x1-conv <-> linear where the tensor disagrees with config.useLinearProjection. The
// learned `context` (ShiftSR's) keeps its name in both layouts.
Result<TensorMap> unetLdmToDiffusers(const TensorMap& ldm, const SDUNetConfig& config);
// The inverse (tests: round trip; a user exporting back).
Result<TensorMap> unetDiffusersToLdm(const TensorMap& diffusers, const SDUNetConfig& config);

// ldm -> diffusers for an autoencoder (with or without `first_stage_model.`):
// encoder.down.i.block.j
// -> encoder.down_blocks.i.resnets.j, decoder.up.i -> decoder.up_blocks.{levels-1-i}, mid.attn_1
// q/k/v/proj_out (1x1 convs) -> attentions.0 to_q/to_k/to_v/to_out.0 (linear), nin_shortcut ->
// conv_shortcut, norm_out -> conv_norm_out, ... A bare VAE file's training-only `loss.` tensors
// (LPIPS, discriminator) are ignored.
Result<TensorMap> autoencoderLdmToDiffusers(const TensorMap& ldm, const KLConfig& config);
Result<TensorMap> autoencoderDiffusersToLdm(const TensorMap& diffusers, const KLConfig& config);

// Autoencoders saved by older diffusers releases (its deprecated AttentionBlock) name the mid-block
// attention query/key/value/proj_attn; current diffusers (and this network)
// to_q/to_k/to_v/to_out.0. Returns `diffusers` with those renamed (and conv-shaped weights
// flattened); other names unchanged.
TensorMap upgradeDeprecatedAttentionNames(const TensorMap& diffusers);

// Infers the architecture from tensor shapes (either layout, after mapping to diffusers): block
// widths, layers per block, which levels have attention, latent and input channels, cross-attention
// width and context length, linear or conv projections. Head counts cannot be read from shapes:
// `heads` supplies them (from a config.json when the user has one, else the SD 1.x value 8); nor
// can norm_num_groups, norm_eps, flip_sin_to_cos, freq_shift or scaling_factor, which keep their
// SD defaults.
Result<SDUNetConfig> inferUNetConfig(const TensorMap& diffusers, std::vector<int> heads = {8});
Result<KLConfig> inferAutoencoderConfig(const TensorMap& diffusers);

} // namespace shiftsr::nn
