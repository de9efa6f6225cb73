// Pieces every trainer shares: batches, per-sample generators, the lr schedule, AdamW, EMA and
// the validation pass (metrics + sample sheet).
#pragma once

#include "distributed.h"
#include "run_files.h"

#include "shiftsr/engine/progress.h"
#include "shiftsr/nn/model_impl.h"
#include "shiftsr/training/dataset.h"
#include "shiftsr/training/job.h"
#include "shiftsr/training/loader.h"
#include "shiftsr/training/teacher.h"

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <torch/torch.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace shiftsr::training {

struct ValSet {
    std::vector<cv::Mat> hr; // CV_32FC3 RGB [0,1]
    std::vector<cv::Mat> lq;
    std::vector<std::string> names;
};

// What every run sets up before its networks and loop: the c10d group (under torchrun/SLURM),
// the run folder, threads and seed, the scanned photos.
struct RunSetup {
    DistributedEnv env;
    std::unique_ptr<ProcessGroup> pg; // null when single-process
    bool writer = true;               // rank 0 writes logs and checkpoints
    RunFiles files{"", false};
    std::vector<ImageRecord> images;
    std::vector<std::string> warnings; // pending for the next log line
    std::uint64_t perStep = 0;         // samples per optimiser step over all processes
};
Result<RunSetup> openRun(const TrainJob& job, const RunOptions& options);
Status scanPhotos(RunSetup& run, const TrainJob& job, const JobControl& control);
// Resumes `state` and the tensors from the latest checkpoint, or writes config.json for a new
// run; then gives every rank rank 0's tensors.
Status resumeOrStart(RunSetup& run, const TrainJob& job, bool resume, RunState* state,
                     std::vector<torch::Tensor>& params, std::vector<torch::Tensor>& ema,
                     std::vector<torch::Tensor>& m, std::vector<torch::Tensor>& v);
// This process's loader, positioned at `state`'s step.
// `secondScale` > 0: each pair also carries the crop degraded at that scale (LoaderOptions).
Result<std::unique_ptr<PairLoader>> startLoader(const RunSetup& run, const TrainJob& job, int scale,
                                                const RunState& state, int secondScale = 0);

struct RunData {
    RunState state;
    std::unique_ptr<PairLoader> loader;
    ValSet val; // rank 0 only
};
// scanPhotos + resumeOrStart + startLoader + the validation set, in that order.
Result<RunData> startData(RunSetup& run, const TrainJob& job, const JobControl& control,
                          bool resume, int scale, std::vector<torch::Tensor>& params,
                          std::vector<torch::Tensor>& ema, std::vector<torch::Tensor>& m,
                          std::vector<torch::Tensor>& v, int secondScale = 0);

// A batch as tensors: HR and LQ in [-1, 1], the HR latent x0 and y = encode(bicubic x scale (LQ)).
struct BatchLatents {
    torch::Tensor hr, lq, x0, y;
    std::uint64_t firstIndex = 0; // global index of the first sample
};
BatchLatents encodeBatch(const Batch& batch, Codec& codec, int scale);
// The loader's next batch, encoded.
Result<BatchLatents> nextBatch(PairLoader& loader, Codec& codec, int scale);

// The ResShift forward process x_t = x0 + eta_t (y - x0) + kappa sqrt(eta_t) eps, with the
// network's input scaling when the schedule normalises inputs.
class ForwardProcess {
public:
    explicit ForwardProcess(const ResShiftSchedule& schedule);
    torch::Tensor operator()(const torch::Tensor& x0, const torch::Tensor& y,
                             const torch::Tensor& t, const torch::Tensor& eps) const;

private:
    torch::Tensor etas_, sqrtEtas_;
    float kappa_;
    bool normalize_;
};

// cv::Mat CV_32FC3 RGB [0,1] list -> [B, 3, H, W] in [-1, 1]. The crops are RGB floats already (the
// degradation works on them), so the engine's matToTensor01, which takes decoded BGR images, does
// not apply.
torch::Tensor toBatch(const std::vector<cv::Mat>& images);

// 1 - SSIM of the luma, differentiable and averaged over the batch, as shiftsr::metrics::ssimY
// computes it (BasicSR's Y, constants and 11x11 Gaussian window of sigma 1.5, 'valid' region):
// images [B, 3, H, W], RGB in [-1, 1], at least 11 pixels on each side.
torch::Tensor ssimLossY(const torch::Tensor& pred, const torch::Tensor& target);

// Fourier amplitude loss of the luma (Fuoli et al., "Fourier Space Losses for Efficient Perceptual
// Image Super-Resolution", ICCV 2021): the images are cut into `patch` x `patch` tiles (the border
// that does not fill a tile is left out), and the mean absolute difference of the tiles' amplitude
// spectra (orthonormal 2-D FFT, so a pixel error of e costs about e) is returned. The amplitude
// drops the phase, so unlike L1 or SSIM its minimum is not the blurred mean of plausible answers: a
// tile must hold the truth's energy at every frequency. Images [B, 3, H, W], RGB in [-1, 1], at
// least one tile.
torch::Tensor fourierAmplitudeLossY(const torch::Tensor& pred, const torch::Tensor& target,
                                    int patch = 32);

// Per-sample generator: every random draw of global sample i depends on (seed, i) only, so
// results do not depend on the number of processes or on where a run was resumed.
at::Generator sampleGenerator(std::uint64_t seed, std::uint64_t index);

// What every trainer's log line shares: per-step values averaged over the steps since the last
// line, step, lr, samples/s, ETA, elapsed wall time (including earlier sessions of a resumed run)
// and world size; and the elapsed time a checkpoint stores.
class LogWindow {
public:
    LogWindow(const TrainJob& job, std::uint64_t perStep, double elapsedBefore, int worldSize);
    void add(const std::string& key, double value); // summed until the next line
    void endStep() { ++steps_; }
    nlohmann::json line(int step, double lr) const;
    void reset();           // after a line is written
    double elapsed() const; // wall time of the run so far, seconds

private:
    const TrainJob& job_;
    std::uint64_t perStep_;
    double elapsedBefore_;
    int worldSize_;
    std::chrono::steady_clock::time_point started_, windowStart_;
    std::map<std::string, double> sums_;
    int steps_ = 0;
};

// The bookkeeping of every trainer's step loop, around the kind's own optimiser step:
//
//   StepLoop loop(job, options, control, run, state, loader, save);
//   while (loop.next()) {           // false once the planned steps are done or a stop was asked
//   for
//       ...one optimiser step; ++state.step; loop.window().add(key, value)...
//       if (Status s = loop.endStep(loss, lr, validate); !s) return s;
//   }
//   if (Status s = loop.end(); !s) return s;   // a stopped run's checkpoint and log event
//   return loop.finish([&](double wallTime) { ...write the package... });
//
// endStep refuses a non-finite loss, and by the job's cadence writes the log line (the loader's
// warnings; at validation steps the figures `validate` returns, kept as the state's lastVal) and a
// checkpoint through `save`. Only the writer (rank 0) writes.
class StepLoop {
public:
    // Writes a checkpoint of the run's tensors for `state` (its elapsed time and loader position
    // set).
    using Save = std::function<Status(const RunState& state)>;
    using Validate = std::function<nlohmann::json(int step)>;

    StepLoop(const TrainJob& job, const RunOptions& options, const JobControl& control,
             RunSetup& run, RunState& state, PairLoader& loader, Save save);
    bool next();
    Status endStep(double loss, double lr, const Validate& validate);
    Status end();
    // A run that reached its planned steps writes its package through `write` (rank 0 only; given
    // the run's wall time, earlier sessions included) and logs the "finished" event.
    Status finish(const std::function<Status(double wallTime)>& write);
    LogWindow& window() { return window_; }
    bool finished() const { return !stopped_ && state_.step >= job_.steps; }

private:
    Status save();

    const TrainJob& job_;
    const RunOptions& options_;
    const JobControl& control_;
    RunSetup& run_;
    RunState& state_;
    PairLoader& loader_;
    Save save_;
    LogWindow window_;
    int lastStep_;
    bool stopped_ = false;
};

// Linear warm-up, then cosine from lr to lrMin.
double learningRate(const TrainJob& job, int step);

ValSet buildValSet(const TrainJob& job, const std::vector<ImageRecord>& trainImages,
                   std::vector<std::string>* warnings);

cv::Mat toBgr8(const cv::Mat& rgb01);

// One AdamW step (decoupled weight decay, bias correction, global-norm clipping at job.gradClip)
// of `params` from `grads`; `step` counts from 0. Returns the gradient norm before clipping.
double adamwStep(std::vector<torch::Tensor>& params, const std::vector<torch::Tensor>& grads,
                 std::vector<torch::Tensor>& m, std::vector<torch::Tensor>& v, double lr, int step,
                 const TrainJob& job, double beta1 = -1, double beta2 = -1);

void emaUpdate(std::vector<torch::Tensor>& ema, const std::vector<torch::Tensor>& params,
               double decay);

// Copies every parameter of `from` into `to` (same architecture), without recording gradients.
void copyParameters(torch::nn::Module& from, torch::nn::Module& to);

// Gradients of `params` (zeros where none flowed).
std::vector<torch::Tensor> gradsOf(const std::vector<torch::Tensor>& params);

// PSNR/SSIM/sharpness (Y) of `upscale` (LQ in [-1, 1] of validation photo i -> SR in [-1, 1]) on
// the validation set, the bicubic PSNR, and a sample sheet (bicubic | model | truth) written to the
// run folder; runs without gradients.
nlohmann::json
scoreValidation(const ValSet& val, int scale,
                const std::function<torch::Tensor(const torch::Tensor& lq, size_t i)>& upscale,
                RunFiles& files, int step);

// PSNR/SSIM/sharpness (Y) of `net` on the validation set with fixed noise, the bicubic PSNR, and
// a sample sheet (bicubic | model | truth) written to the run folder. `valSteps` 1 = one step.
nlohmann::json runValidation(nn::UNetModelSwinImpl& net, Codec* codec,
                             const ResShiftSchedule& sched, const Architecture& arch,
                             const ValSet& val, int valSteps, int extraNoiseChannels,
                             RunFiles& files, int step);

// The provenance every trained package states (training kind, data, steps and whether finished,
// batch over all processes, crop, degradation, wall time, last validation, seed, trainer version);
// each trainer adds its own keys.
nlohmann::json runProvenance(const TrainJob& job, const RunState& state, double wallTime,
                             int worldSize);

// `shiftsr-train export`, both kinds of run: loads the latest checkpoint of `runDir` into `params`
// and `ema` (its optimiser moments are read and dropped).
Status loadLatestWeights(const std::string& runDir, std::vector<torch::Tensor>& params,
                         std::vector<torch::Tensor>& ema, RunState* state);
// Writes `net` (whose parameters hold the EMA; with `raw` they are first overwritten by
// `rawParams`, the optimiser's weights of the same network) as the package `outPath`. An unfinished
// run's name gets "(step N of M)"; `provenance` gains "weights" (unless `stateWeights` is false: a
// decoder run's UNet is its base's, whose provenance says) and, with `half` (F16 storage),
// "stored_as".
Status writeExportPackage(const std::string& runDir, const TrainJob& job, const RunState& state,
                          Architecture arch, nlohmann::json provenance, nn::UNetModelSwinImpl& net,
                          const std::vector<torch::Tensor>& rawParams, Codec* codec,
                          const std::string& outPath, bool half, bool raw,
                          bool stateWeights = true);

} // namespace shiftsr::training
