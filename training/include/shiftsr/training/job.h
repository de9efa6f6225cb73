// Training jobs: the documented job.json, presets, validation of every field.
#pragma once

#include "shiftsr/engine/status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace shiftsr::training {

struct TrainJob {
    std::string kind = "teacher"; // teacher | rsd | decoder | yonos
    std::string preset = "lite";  // tiny | lite | v3
    std::string modelJson;        // optional: UNet config overrides (official keys), JSON text
    std::string scheduleJson; // optional: diffusion schedule overrides (official keys, e.g. kappa)
    std::string
        initModel;    // optional: package whose weights initialise the network (rsd: the student)
    std::string name; // display name of the resulting package

    std::vector<std::string> trainFolders;
    std::string valFolder; // optional
    int gtSize = 128;      // HR crop side; LQ side = gtSize / 4
    int minSide = 64;
    std::string degradation = "realesrgan"; // realesrgan | bicubic
    int workers = 2;

    int batch = 8;
    int steps = 1000;
    double lr = 2e-4, lrMin = 2e-5;
    int warmup = 100;
    double beta1 = 0.9, beta2 = 0.999, weightDecay = 0.0, eps = 1e-8;
    double gradClip = 1.0;
    double ema = 0.999;
    std::string precision = "fp32";
    int checkpointEvery = 200, validateEvery = 200, logEvery = 10;
    int keepCheckpoints = 3;
    std::uint64_t seed = 123456;
    int threads = 0;
    int valCount = 6, valSize = 128; // validation photos (HR side, centre crop)
    int valSteps = 0;                // sampler steps at validation (0 = the schedule's T)

    // kind "rsd" (one-step distillation, RSD): the teacher package and the "rsd" block. The
    // student's and the fake model's architecture is the teacher's (the student gets one extra,
    // zero-initialised noise input channel). Defaults of an rsd job's optimiser: lr 5e-5 constant
    // (lr_min = lr, warm-up 0), betas (0.9, 0.95), no weight decay, EMA 0.999.
    std::string teacherModel; // "teacher"
    int fakeUpdates = 1;      // rsd.fake_updates: K fake-model updates per student update
    double fakeLr = 0;        // rsd.fake_lr (0: lr)
    int startTimesteps = 4;   // rsd.start_timesteps: N evenly spaced start timesteps in training
    double dmWeight = 1.0;    // rsd.dm_weight: distribution-matching term
    double supervisedWeight =
        2.0;                  // rsd.supervised_weight: pixel MSE to the truth (LPIPS substitute)
    double ganWeight = 3e-3;  // rsd.gan_weight: non-saturating GAN on the fake model's features
    double discLr = 0;        // rsd.disc_lr (0: lr)
    double discWeight = 1e-2; // rsd.disc_weight: the head's classification loss in the fake update
    std::string discFeatures =
        "middle"; // rsd.disc_features: the fake model's features the head reads (middle | first)
    double ssimWeight =
        0; // rsd.ssim_weight: 1 - SSIM-Y of the student's image to the truth (pixel-space codecs)

    // kind "decoder" (learned decoder head, codec unshuffle-f4-refine): the package whose sampler
    // outputs the head learns to map to the truth ("base", an unshuffle-f4 package, or one with a
    // head already, which is then continued) and the "decoder" block. Its network and schedule stay
    // frozen. Defaults of a decoder job's optimiser: lr 5e-4 -> 5e-5 cosine, warm-up 50, EMA 0.99.
    std::string baseModel;   // "base"
    int refineChannels = 32; // decoder.channels
    int refineLayers = 4;    // decoder.layers
    int refineSteps =
        0; // decoder.steps: sampler steps whose outputs it learns (0 = the base's default)
    double refineStrength =
        1.0; // decoder.strength: the correction's scale in the package (training: 1)
    double refineSsimWeight = 0; // decoder.ssim_weight: 1 - SSIM-Y added to the pixel MSE

    // kind "yonos" (YONOS-SR, in stages, one run folder each; docs/training.md): the "yonos"
    // block, "autoencoder" (teacher stage), "teacher" (distil stage) and "base" (decoder stage).
    // Optimiser defaults: autoencoder lr 4e-4 -> 4e-5; teacher 2e-4 -> 2e-5; distil and decoder
    // 1e-4 -> 1e-5; warm-up 100 (decoder 50); EMA 0.999 (decoder 0.99).
    std::string yonosStage = "teacher"; // yonos.stage: autoencoder | teacher | distil | decoder
    // yonos.scale: the stage's upscaling factor (teacher 2, distil 4: the student's). The decoder
    // stage takes its base's. Every other kind works at 4.
    int scale = 4;
    std::string autoencoderModel;   // "autoencoder": a package whose KL autoencoder a teacher uses
    std::string codecPreset = "f4"; // yonos.codec: the autoencoder stage's lite codec, f4 | f8
    // yonos.one_step_fraction: share of the samples trained at the last timestep, the one a
    // one-step run uses (the rest uniform over all timesteps).
    double oneStepFraction = 0.5;
    double klWeight = 1e-6;       // yonos.kl_weight: KL term of the autoencoder stage
    double yonosSsimWeight = 0.2; // yonos.ssim_weight: 1 - SSIM-Y beside the L1 (autoencoder,
                                  // decoder stages)
    double yonosFftWeight = 0;    // yonos.fft_weight: the luma tiles' Fourier amplitude L1 beside
                                  // them (autoencoder, decoder stages)

    static Result<TrainJob> fromJson(const std::string& text);
    static Result<TrainJob> fromFile(const std::string& path); // NotFound when it cannot be read
    std::string toJson() const; // canonical, with every default written out
};

} // namespace shiftsr::training
