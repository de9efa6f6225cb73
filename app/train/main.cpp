// shiftsr-train: train (teacher), distil (rsd), fit a decoder head (decoder) or run a YONOS-SR
// stage (yonos) from folders of photos; resumable.
#include "shiftsr/engine/last_resort.h"
#include "shiftsr/training/decoder.h"
#include "shiftsr/training/job.h"
#include "shiftsr/training/rsd.h"
#include "shiftsr/training/teacher.h"
#include "shiftsr/training/yonos.h"

#include "common/stop_signals.h"

#include <atomic>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <vector>

namespace {

std::atomic<bool> gStop{false};
std::atomic<bool> gStepping{false}; // the step loop runs: a stop ends at the next step boundary

const char* kUsage = R"(shiftsr-train — train ResShift teachers and one-step students

Usage:
  shiftsr-train teacher --config job.json --out RUN_DIR [--max-steps N]
  shiftsr-train rsd --config job.json --out RUN_DIR [--max-steps N]   (one-step distillation)
  shiftsr-train decoder --config job.json --out RUN_DIR [--max-steps N]   (learned decoder head
                for an unshuffle-f4 package, fitted to its own sampler outputs)
  shiftsr-train yonos --config job.json --out RUN_DIR [--max-steps N]   (a YONOS-SR stage:
                autoencoder, teacher (x2), distil (x4 from the teacher) or decoder; job's
                yonos.stage)
  shiftsr-train --resume RUN_DIR [--max-steps N]
  shiftsr-train export RUN_DIR -o PACKAGE.safetensors [--half] [--raw]   (the latest
                checkpoint's EMA weights; --raw: the optimiser's instead; --half: stored as F16)
  shiftsr-train export DECODER_RUN -o PACKAGE.safetensors [--strength S]   (S: the scale of the
                head's correction, 0-2; default the job's decoder.strength, 1)
  shiftsr-train reconstruct PACKAGE --data FOLDER [--crop N] [--limit N] [--no-color-fix]
                [--json]   (what a yonos codec loses on its own, the ceiling of every model on
                it: centre crops of N px (default 192) encoded and decoded by an autoencoder
                package or a yonos model's codec, with the pipeline's luma colour fix from the
                photo; PSNR-Y, SSIM-Y and sharpness as shiftsr-cli eval measures them)
  shiftsr-train --help | --version

RUN_DIR receives config.json, log.jsonl (one JSON object per line), checkpoints/, samples/ and,
at the end, model.safetensors. SIGINT/SIGTERM finish the current step, write a checkpoint and
exit 0; before the first step (scanning photos, building the model) they end the run within 2 s
with exit 130, as does a second signal at any time. No partial file is ever left: a run killed
at any moment resumes with --resume from its last complete checkpoint (from step 0 before the
first one). Under torchrun or srun (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT or SLURM_*) the
processes train data-parallel over Gloo; only rank 0 writes.
Exit codes: 0 finished or stopped cleanly, 1 failure, 2 usage error, 130 stopped before a step.
)";

int usage(const std::string& e) {
    std::cerr << "shiftsr-train: " << e << "\n\n" << kUsage;
    return 2;
}

} // namespace

int exportRun(int argc, char** argv) {
    std::string run, out;
    bool half = false, raw = false;
    double strength = -1;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--half")
            half = true;
        else if (a == "--raw")
            raw = true;
        else if (a == "--strength" && i + 1 < argc) {
            try {
                strength = std::stod(argv[++i]);
            } catch (...) {
                return usage("--strength needs a number");
            }
        } else if ((a == "-o" || a == "--out") && i + 1 < argc)
            out = argv[++i];
        else if (a.rfind("-", 0) != 0 && run.empty())
            run = a;
        else
            return usage("unknown argument " + a);
    }
    if (run.empty() || out.empty())
        return usage("export needs RUN_DIR and -o PACKAGE.safetensors");
    auto job = shiftsr::training::TrainJob::fromFile(run + "/config.json");
    if (!job) {
        std::cerr << "shiftsr-train: " << job.status().message() << "\n";
        return 1;
    }
    if (strength >= 0) {
        if (job->kind != "decoder" || strength > 2)
            return usage("--strength (0-2) is for decoder runs: the scale of the head's correction "
                         "in the package");
        job->refineStrength = strength;
    }
    int step = 0;
    if (auto s = shiftsr::training::exportCheckpoint(*job, run, out, &step, half, raw); !s) {
        std::cerr << "shiftsr-train: " << s.message() << "\n";
        return 1;
    }
    std::cout << out << ": " << (raw ? "raw" : "EMA") << " weights of step " << step << "\n";
    return 0;
}

int reconstruct(int argc, char** argv) {
    std::string package;
    std::vector<std::string> folders;
    int crop = 192, limit = 0;
    bool json = false, colorFix = true;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        auto number = [&](int* v) {
            try {
                *v = std::stoi(argv[++i]);
                return true;
            } catch (...) {
                return false;
            }
        };
        if (a == "--json")
            json = true;
        else if (a == "--no-color-fix")
            colorFix = false;
        else if (a == "--data" && i + 1 < argc)
            folders.push_back(argv[++i]);
        else if (a == "--crop" && i + 1 < argc) {
            if (!number(&crop))
                return usage("--crop needs a number");
        } else if (a == "--limit" && i + 1 < argc) {
            if (!number(&limit))
                return usage("--limit needs a number");
        } else if (a.rfind("-", 0) != 0 && package.empty())
            package = a;
        else
            return usage("unknown argument " + a);
    }
    if (package.empty() || folders.empty())
        return usage("reconstruct needs PACKAGE and --data FOLDER");
    auto r = shiftsr::training::reconstructPhotos(package, folders, crop, limit, colorFix);
    if (!r) {
        std::cerr << "shiftsr-train: " << r.status().message() << "\n";
        return 1;
    }
    if (json) {
        std::cout << r->dump(2) << "\n";
        return 0;
    }
    const auto& j = *r;
    std::printf("%s (%s): %d photos, %d px crops, colour fix %s\n", package.c_str(),
                j["codec"].get<std::string>().c_str(), j["photos"].get<int>(), crop,
                j["color_fix"].get<std::string>().c_str());
    std::printf("PSNR-Y %.2f  SSIM-Y %.4f  sharpness %.3f\n", j["psnr_y"].get<double>(),
                j["ssim_y"].get<double>(), j["sharpness"].get<double>());
    return 0;
}

static int run(int argc, char** argv) {
    // First of all: a stop during anything (reading the job, scanning photos) ends within 2 s.
    shiftsr::app::StopSignals stop;
    stop.stop = &gStop;
    stop.orderly = &gStepping;
    stop.program = "shiftsr-train";
    shiftsr::app::installStopSignals(stop);
    if (argc >= 2 && std::string(argv[1]) == "export")
        return exportRun(argc, argv);
    if (argc >= 2 && std::string(argv[1]) == "reconstruct")
        return reconstruct(argc, argv);
    std::string kind, config, out, resume;
    int maxSteps = -1;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&](std::string* dst) {
            if (i + 1 >= argc)
                return false;
            *dst = argv[++i];
            return true;
        };
        if (a == "-h" || a == "--help") {
            std::cout << kUsage;
            return 0;
        } else if (a == "--version") {
            std::cout << "shiftsr-train " << SHIFTSR_VERSION << "\n";
            return 0;
        } else if (a == "--config") {
            if (!value(&config))
                return usage("--config needs a file");
        } else if (a == "--out") {
            if (!value(&out))
                return usage("--out needs a folder");
        } else if (a == "--resume") {
            if (!value(&resume))
                return usage("--resume needs a run folder");
        } else if (a == "--max-steps") {
            std::string v;
            if (!value(&v))
                return usage("--max-steps needs a number");
            try {
                maxSteps = std::stoi(v);
            } catch (...) {
                return usage("--max-steps needs a number");
            }
        } else if (a.rfind("-", 0) != 0 && kind.empty()) {
            kind = a;
        } else {
            return usage("unknown argument " + a);
        }
    }
    shiftsr::training::RunOptions ro;
    std::string jobPath;
    if (!resume.empty()) {
        ro.runDir = resume;
        ro.resume = true;
        jobPath = resume + "/config.json";
    } else {
        if (kind != "teacher" && kind != "rsd" && kind != "decoder" && kind != "yonos")
            return usage("say what to train: teacher, rsd, decoder or yonos");
        if (config.empty() || out.empty())
            return usage("--config and --out are required");
        ro.runDir = out;
        jobPath = config;
    }
    auto job = shiftsr::training::TrainJob::fromFile(jobPath);
    if (!job) {
        std::cerr << "shiftsr-train: " << job.status().message() << "\n";
        return 1;
    }
    if (!kind.empty() && job->kind != kind) {
        std::cerr << "shiftsr-train: the job says kind \"" << job->kind
                  << "\" but the command asks for " << kind << "\n";
        return 1;
    }
    ro.stop = &gStop;
    ro.stepping = &gStepping;
    ro.maxSteps = maxSteps;
    shiftsr::JobControl control;
    control.cancel = &gStop; // the photo scan and the other stages before the steps check it too
    control.progress = [](double f, const std::string& stage) {
        std::cerr << "\r" << stage << " (" << int(f * 100) << "%)    " << std::flush;
    };
    shiftsr::Status s = job->kind == "rsd"       ? shiftsr::training::runRsd(*job, ro, control)
                        : job->kind == "decoder" ? shiftsr::training::runDecoder(*job, ro, control)
                        : job->kind == "yonos"   ? shiftsr::training::runYonos(*job, ro, control)
                                               : shiftsr::training::runTraining(*job, ro, control);
    std::cerr << "\n";
    if (!s) {
        std::cerr << "shiftsr-train: " << s.message() << "\n";
        return s.code() == shiftsr::StatusCode::Cancelled ? 130 : 1;
    }
    return 0;
}

int main(int argc, char** argv) {
    return shiftsr::runWithLastResort("shiftsr-train", [&] { return run(argc, argv); });
}
