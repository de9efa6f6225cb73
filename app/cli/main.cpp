// shiftsr-cli: upscale images, inspect and convert models, and benchmark, from a terminal. This
// file holds the usage text and the dispatch; each command is in a file of its own.
#include "common.h"
#include "common/stop_signals.h"

#include "shiftsr/engine/last_resort.h"

#include <iostream>

namespace {

const char* kUsageText =
    R"(shiftsr-cli — diffusion super-resolution (ResShift and one-step students), and published GAN
upscalers (Real-ESRGAN, ESRGAN) imported into the same pipeline

Usage:
  shiftsr-cli upscale IN... -o OUT [options]     IN: image files and/or folders
  shiftsr-cli info MODEL [--json]
  shiftsr-cli models
  shiftsr-cli COMMAND --help                     this text
  shiftsr-cli --version
  shiftsr-cli import FILE... -o OUT.safetensors [--name NAME] [--config CFG.json] [--schedule S] [--json]
                  published weights into a package, the family detected from the tensors: ResShift
                  (its UNet with autoencoder_vq_f4.pth), Real-ESRGAN and ESRGAN (RRDBNet), Real-ESRGAN
                  compact (SRVGGNetCompact), Stable Diffusion (U-Net and VAE, for shiftsr-train yonos);
                  .pth/.ckpt, .safetensors or ncnn .param (with its .bin); prints what was detected
  shiftsr-cli convert FILE... -o OUT.safetensors      the same as import; and its older form:
  shiftsr-cli convert --unet UNET.pth --autoencoder AE.pth -o OUT.safetensors [--config CFG.json] [--name NAME]
  shiftsr-cli convert --family yonos --unet SD_UNET --autoencoder SD_VAE -o OUT.safetensors [--config CFG.json] [--name NAME]
      (Stable Diffusion weights, diffusers or ldm layout, .safetensors or .ckpt; a full SD
       checkpoint may be given as both: an initialisation for shiftsr-train yonos)
  shiftsr-cli bench --input IMAGE [--model M] [--crop N] [--repeats N] [--tile N] [--no-bf16] [--no-memory] [--json]
  shiftsr-cli bench --input IMAGE --reference X4FAST.param [--model M] [--repeats N] [--threads N] [--json]
                  `upscale` with its defaults against Real-ESRGAN's compact network in fp32, each
                  in a fresh process: wall time, peak RSS, per-stage times and their ratios
  shiftsr-cli eval --data FOLDER [--model M] [MODEL...] [--crop 256] [--degradation bicubic|realesrgan] [--one-step]
                  [--external NAME='CMD {in} {out}']... [--save DIR] [--report DIR] [--json]
                  MODEL may be LABEL=MODEL; --report writes report.md, report.json, contact-sheet.png
  shiftsr-cli bench --preset v3|v1|rsd|x2|tiny [--lq 64] [--repeats 5] [--precision fp32|bf16] [--json]
  shiftsr-cli bench --preset realesrgan-x4plus|realesr-general-x4v3|realesrgan-x4fast [--lq 64] ...
                  random weights of the published sizes: one forward pass of an LQ tile
  shiftsr-cli reference --ncnn MODEL.param IN OUT [--threads N]
                  Real-ESRGAN's compact network (e.g. Upscayl's realesrgan-x4fast) from its ncnn files,
                  in fp32 on the CPU: an evaluation reference for eval --external

upscale options:
  -o OUT               output file (one input file) or folder (created; several inputs or folders)
  -r, --recursive      descend into subfolders of folder inputs (mirrored under OUT)
  --name PATTERN       output file name in a folder; tokens {name} {ext} {scale} {steps} {model} {seed}
                       (default {name}-x{scale}.{ext})
  --format F           keep (the input's, default) | png | jpg | tif | webp | bmp
  --quality Q          JPEG/WebP quality 1-100 (default 95); 101 = lossless WebP
  --skip-existing      leave outputs that already exist alone
  --model M            .safetensors package or embedded:ID (default: the embedded default, see `models`)
  --steps N            0 = the model's own; 1 = one network call from x_T; T = the full chain
                       (GAN models: 1, their one forward pass)
  --seed S             noise seed (default 12345); tiles derive theirs from it
  --tile N --overlap N LQ tile side and overlap in pixels (default: the fewest pixels that fit
                       --max-memory, overlap >= 16, or as the model advises; with --tile, overlap
                       1/4 of it)
  --max-memory MB      peak memory a CPU run aims to stay under; the automatic tiles are chosen
                       for it (default 2048; 0 = the free memory)
  --color-fix F        auto (default: the model's advice: luma for diffusion models, none for GAN
                       models) | luma (detail in brightness, colour from the input) | wavelet
                       (also the model's colour, low frequencies from the input) | adain | none
  --device D           auto (default) | cpu | cuda;  --cpu-fallback: retry a CUDA failure on the CPU
  --precision P        auto (default: bf16 where the hardware has it, else fp32) | fp32 | bf16 |
                       fp16 (CUDA)
  --threads N          CPU threads (default: all cores)
  --max-pixels N       refuse larger inputs (default 200000000)
  --accept-damaged     upscale inputs whose decoder reports damaged data (a warning names the
                       damage); by default they are refused
  --no-metadata        do not copy EXIF/IPTC/XMP/ICC (provenance XMP is always written)
  --json               print a machine-readable report on stdout;  -q, --quiet: no progress

Outputs are written to a temporary file and renamed: an interrupted run never leaves a partial file.
Exit codes: 0 success, 1 failure (message on stderr; in a batch: some file failed), 2 usage error,
130 cancelled (Ctrl-C or SIGTERM; finished files are kept; work that does not stop within 2 s, or
a second signal, ends the program at once, and still no partial file is left).
)";

} // namespace

namespace cli {

std::atomic<bool> gCancel{false};

int usage(const std::string& error) {
    std::cerr << "shiftsr-cli: " << error << "\n\n" << kUsageText;
    return kUsage;
}

int fail(const shiftsr::Status& s) {
    std::cerr << "shiftsr-cli: " << s.message() << "\n";
    return s.code() == shiftsr::StatusCode::Cancelled ? kCancelled : kFailed;
}

} // namespace cli

static int run(int argc, char** argv) {
    shiftsr::app::StopSignals stop; // a run that does not stop within 2 s is ended (exit 130)
    stop.stop = &cli::gCancel;
    stop.program = "shiftsr-cli";
    shiftsr::app::installStopSignals(stop);
    if (argc < 2)
        return cli::usage("no command given");
    const std::string cmd = argv[1];
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        std::cout << kUsageText;
        return cli::kOk;
    }
    if (cmd == "--version") {
        std::cout << "shiftsr-cli " << SHIFTSR_VERSION << "\n";
        return cli::kOk;
    }
    // `shiftsr-cli COMMAND --help`: the usage text, exit 0 (every command's options are in it).
    for (int i = 2; i < argc; ++i)
        if (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h") {
            std::cout << kUsageText;
            return cli::kOk;
        }
    if (cmd == "upscale")
        return cli::cmdUpscale(argc, argv);
    if (cmd == "info")
        return cli::cmdInfo(argc, argv);
    if (cmd == "models")
        return cli::cmdModels();
    if (cmd == "import" || cmd == "convert")
        return cli::cmdImport(argc, argv);
    if (cmd == "bench")
        return cli::cmdBench(argc, argv);
    if (cmd == "eval")
        return cli::cmdEval(argc, argv);
    if (cmd == "reference")
        return cli::cmdReference(argc, argv);
    if (cmd == "bench-memory-probe") // internal: one run of `bench`'s memory comparison
        return cli::cmdBenchMemoryProbe(argc, argv);
    return cli::usage("unknown command '" + cmd + "'");
}

int main(int argc, char** argv) {
    return shiftsr::runWithLastResort("shiftsr-cli", [&] { return run(argc, argv); });
}
