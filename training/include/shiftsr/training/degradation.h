// Real-ESRGAN second-order degradation (blur, resize, noise, JPEG) at ResShift realsr defaults.
#pragma once

#include "shiftsr/engine/status.h"

#include <opencv2/core.hpp>

#include <array>
#include <random>

namespace shiftsr::training {

// Every default below is the official value (ResShift
// configs/realsr_swinunet_realesrgan256_journal.yaml and basicsr/data/realesrgan_dataset.py;
// PORTING_NOTES section 6).

struct Range {
    double min = 0, max = 0;
};

// The first six are the official kernel_list, in its order (kernelProb follows it).
enum class KernelType {
    Isotropic,              // "iso"
    Anisotropic,            // "aniso"
    GeneralizedIsotropic,   // "generalized_iso"
    GeneralizedAnisotropic, // "generalized_aniso"
    PlateauIsotropic,       // "plateau_iso"
    PlateauAnisotropic,     // "plateau_aniso"
    Sinc,                   // circular low-pass (ringing / overshoot)
    Pulse,                  // identity: no filtering
};
const char* kernelTypeName(KernelType type);

// F.interpolate modes the official code draws from uniformly.
enum class ResizeMode { Area, Bilinear, Bicubic };
const char* resizeModeName(ResizeMode mode);

struct BlurKernelOptions {
    // The drawn kernel is 3x3, 5x5, ... (kernelSize-2) and zero-padded to kernelSize (odd, >= 5),
    // as RealESRGANDataset does with range(3, blur_kernel_size, 2).
    int kernelSize = 21;
    std::array<double, 6> kernelProb{0.45, 0.25, 0.12, 0.03, 0.12, 0.03};
    double sincProb = 0.1;
    Range sigma{0.2, 3.0};
    // Shape parameters: with probability 1/2 from [min, 1), else [1, max) (official; assumes min <=
    // 1).
    Range betaG{0.5, 4.0}; // generalized Gaussian
    Range betaP{1.0, 2.0}; // plateau
};

struct DegradationStageOptions {
    std::array<double, 3> resizeProb{0.2, 0.7, 0.1}; // up, down, keep
    Range resizeRange{0.15, 1.5};                    // up: [1, max), down: [min, 1)
    double gaussianNoiseProb = 0.5;                  // else Poisson noise
    Range noiseRange{1, 30};                         // Gaussian sigma in 8-bit levels
    Range poissonScaleRange{0.05, 3.0};
    double grayNoiseProb = 0.4;
    // Stage 1: the JPEG after its noise. Stage 2: the final JPEG (official jpeg_range2), which is
    // applied whether or not the second order ran.
    Range jpegRange{30, 95};
};

inline BlurKernelOptions secondBlurKernelDefaults() {
    BlurKernelOptions o;
    o.kernelSize = 15;
    o.sigma = {0.2, 1.5};
    return o;
}

inline DegradationStageOptions secondStageDefaults() {
    DegradationStageOptions o;
    o.resizeProb = {0.3, 0.4, 0.3};
    o.resizeRange = {0.3, 1.2};
    o.noiseRange = {1, 25};
    o.poissonScaleRange = {0.05, 2.5};
    return o;
}

struct DegradationOptions {
    int scale = 4;
    BlurKernelOptions kernel1;
    BlurKernelOptions kernel2 = secondBlurKernelDefaults();
    DegradationStageOptions stage1;
    DegradationStageOptions stage2 = secondStageDefaults();
    double secondOrderProb = 0.5; // ResShift's addition; Real-ESRGAN always runs the second order
    double secondBlurProb = 0.8;
    double finalSincProb = 0.8; // else a pulse; the final sinc is drawn like kernel2's size range
    // Plain antialiased bicubic downscale (MATLAB imresize, as ResShift's bicubic tasks use),
    // no blur, noise or JPEG.
    bool bicubicOnly = false;

    // InvalidArgument with the offending field named.
    Status validate() const;
};

struct KernelRecord {
    KernelType type = KernelType::Pulse;
    int size = 1;                                          // drawn size, before zero padding
    double sigmaX = 0, sigmaY = 0, rotation = 0, beta = 0; // Gaussian / plateau families
    double omega = 0;                                      // sinc cutoff (radians)
};

enum class ResizeDirection { Up, Down, Keep };

struct ResizeRecord {
    ResizeDirection direction = ResizeDirection::Keep;
    double scale = 1; // drawn factor (final resize: target / input)
    ResizeMode mode = ResizeMode::Area;
    cv::Size size; // output size
};

struct NoiseRecord {
    bool gaussian = true; // else Poisson
    bool gray = false;    // the same noise on all three channels
    double level = 0;     // Gaussian sigma in 8-bit levels, or the Poisson scale
};

// What one degrade() call drew, for tests and debugging.
struct DegradationRecord {
    bool bicubicOnly = false;
    KernelRecord kernel1, kernel2, finalSinc; // finalSinc.type is Sinc or Pulse
    ResizeRecord resize1, resize2, finalResize;
    NoiseRecord noise1, noise2;
    double jpegQuality1 = 0, jpegQuality2 = 0; // as drawn; the encoder gets the rounded value
    bool secondOrder = false;
    bool secondBlur = false;
    bool resizeBeforeFinalJpeg = false; // final order: [resize + sinc] then JPEG, or the reverse
};

class RealEsrganDegradation {
public:
    // Throws std::invalid_argument with options.validate()'s message when the options are invalid.
    explicit RealEsrganDegradation(DegradationOptions options = {});
    const DegradationOptions& options() const { return options_; }

    // hr: CV_32FC3 RGB in [0, 1], rows and cols multiples of scale. Returns the LQ image,
    // CV_32FC3 RGB of (rows/scale) x (cols/scale), in [0, 1] and quantised to k/255 as the
    // official code does. Every random draw comes from `rng`, so the result is a function of
    // (hr, rng state). Thread-safe (const, no shared state). Throws std::invalid_argument when
    // hr breaks the preconditions.
    cv::Mat degrade(const cv::Mat& hr, std::mt19937_64& rng,
                    DegradationRecord* record = nullptr) const;

private:
    DegradationOptions options_;
};

// ---- building blocks, public for tests and for the trainer's own evaluation data ----

// Normalised CV_32F size x size kernel of one family with the given parameters (basicsr
// bivariate_Gaussian / bivariate_generalized_Gaussian / bivariate_plateau); isotropic types use
// sigmaX only. size odd. Sinc and Pulse are not families here.
cv::Mat bivariateKernel(KernelType type, int size, double sigmaX, double sigmaY, double rotation,
                        double beta = 1.0);

// basicsr random_mixed_kernels: a family by kernelProb, then its parameters; size x size, not
// padded. rotation is drawn from [-pi, pi).
cv::Mat randomMixedKernel(const BlurKernelOptions& options, int size, std::mt19937_64& rng,
                          KernelRecord* record = nullptr);

// The per-image blur kernel of RealESRGANDataset: size from {3, 5, ..., kernelSize-2}; with
// sincProb a sinc with omega in [pi/3, pi) (size < 13) or [pi/5, pi) (size >= 13), else a mixed
// kernel; zero-padded to kernelSize x kernelSize.
cv::Mat randomBlurKernel(const BlurKernelOptions& options, std::mt19937_64& rng,
                         KernelRecord* record = nullptr);

// basicsr circular_lowpass_kernel: 2-D jinc low-pass with cutoff in radians (pi = Nyquist),
// normalised, CV_32F size x size (size odd), zero-padded to padTo when padTo > size.
cv::Mat circularLowpassKernel(double cutoff, int size, int padTo = 0);

// basicsr filter2D: correlation (no kernel flip) with reflect-101 borders ('reflect' padding) of a
// CV_32FC(n) image with an odd square CV_32F kernel; zero padding around the kernel costs nothing.
cv::Mat applyKernel(const cv::Mat& img, const cv::Mat& kernel);

// F.interpolate(mode, align_corners=False, antialias=False) on a CV_32FC(n) image: Area is
// adaptive average pooling, Bilinear and Bicubic (A = -0.75) sample at half-pixel centres with
// clamped borders. scaleFactor > 0 reproduces a call made with scale_factor (the source step is
// then 1/scaleFactor, not in/out).
cv::Mat resizeLikeTorch(const cv::Mat& src, cv::Size size, ResizeMode mode, double scaleFactor = 0);

// MATLAB imresize(..., 'bicubic') on a CV_32FC(n) image: a = -0.5, antialiased when shrinking,
// symmetric borders (basicsr matlab_functions.imresize).
cv::Mat resizeMatlabBicubic(const cv::Mat& src, cv::Size size);

// JPEG encode + decode of a CV_32FC3 RGB image in [0, 1] at quality 1..100 (4:2:0 like DiffJPEG).
cv::Mat jpegRoundTrip(const cv::Mat& rgb, int quality);

} // namespace shiftsr::training
