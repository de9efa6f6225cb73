// job.json parsing and validation.
#include "shiftsr/training/job.h"

#include "shiftsr/nn/json_util.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace shiftsr::training {

using nlohmann::json;

template <class T> static void get(const json& j, const char* key, T* out) {
    readKey(j, key, out);
}

Result<TrainJob> TrainJob::fromJson(const std::string& text) {
    TrainJob t;
    auto parsed = parseJsonBounded(text, "job.json");
    if (!parsed)
        return parsed.status();
    const json j = std::move(*parsed);
    if (!j.is_object())
        return Status::error(StatusCode::InvalidFile, "job.json must be a JSON object");
    try {
        get(j, "kind", &t.kind);
        if (t.kind == "rsd") { // the RSD paper's optimiser, unless the job says otherwise
            t.lr = t.lrMin = 5e-5;
            t.warmup = 0;
            t.beta1 = 0.9;
            t.beta2 = 0.95;
            t.weightDecay = 0;
            t.ema = 0.999;
        } else if (t.kind == "decoder") {
            t.lr = 5e-4;
            t.lrMin = 5e-5;
            t.warmup = 50;
            t.ema = 0.99;
        } else if (t.kind == "yonos") {
            if (j.contains("yonos")) {
                const json& y = j["yonos"];
                get(y, "stage", &t.yonosStage);
                t.scale = t.yonosStage == "teacher" ? 2 : 4;
                get(y, "scale", &t.scale);
                get(y, "codec", &t.codecPreset);
                get(y, "one_step_fraction", &t.oneStepFraction);
                get(y, "kl_weight", &t.klWeight);
                get(y, "ssim_weight", &t.yonosSsimWeight);
                get(y, "fft_weight", &t.yonosFftWeight);
            } else {
                t.scale = 2;
            }
            if (t.yonosStage == "autoencoder") {
                t.lr = 4e-4;
                t.lrMin = 4e-5;
            } else if (t.yonosStage == "distil" || t.yonosStage == "decoder") {
                t.lr = 1e-4;
                t.lrMin = 1e-5;
            }
            if (t.yonosStage == "decoder") {
                t.warmup = 50;
                t.ema = 0.99;
            }
        }
        get(j, "autoencoder", &t.autoencoderModel);
        get(j, "teacher", &t.teacherModel);
        get(j, "base", &t.baseModel);
        if (j.contains("decoder")) {
            const json& r = j["decoder"];
            get(r, "channels", &t.refineChannels);
            get(r, "layers", &t.refineLayers);
            get(r, "steps", &t.refineSteps);
            get(r, "strength", &t.refineStrength);
            get(r, "ssim_weight", &t.refineSsimWeight);
        }
        if (j.contains("rsd")) {
            const json& r = j["rsd"];
            get(r, "fake_updates", &t.fakeUpdates);
            get(r, "fake_lr", &t.fakeLr);
            get(r, "start_timesteps", &t.startTimesteps);
            get(r, "dm_weight", &t.dmWeight);
            get(r, "supervised_weight", &t.supervisedWeight);
            get(r, "gan_weight", &t.ganWeight);
            get(r, "disc_lr", &t.discLr);
            get(r, "disc_weight", &t.discWeight);
            get(r, "ssim_weight", &t.ssimWeight);
            get(r, "disc_features", &t.discFeatures);
        }
        get(j, "preset", &t.preset);
        if (j.contains("model") && j["model"].is_object())
            t.modelJson = j["model"].dump();
        if (j.contains("schedule") && j["schedule"].is_object())
            t.scheduleJson = j["schedule"].dump();
        get(j, "init", &t.initModel);
        get(j, "name", &t.name);
        if (j.contains("data")) {
            const json& d = j["data"];
            if (d.contains("train")) {
                if (d["train"].is_string()) {
                    std::string one;
                    get(d, "train", &one);
                    t.trainFolders = {one};
                } else {
                    get(d, "train", &t.trainFolders);
                }
            }
            get(d, "val", &t.valFolder);
            get(d, "gt_size", &t.gtSize);
            get(d, "min_side", &t.minSide);
            get(d, "degradation", &t.degradation);
            get(d, "workers", &t.workers);
        }
        get(j, "batch", &t.batch);
        get(j, "steps", &t.steps);
        if (j.contains("optimizer")) {
            const json& o = j["optimizer"];
            get(o, "lr", &t.lr);
            if (t.kind == "rsd")
                t.lrMin = t.lr;
            get(o, "lr_min", &t.lrMin);
            get(o, "warmup", &t.warmup);
            if (o.contains("betas")) {
                std::vector<double> b;
                get(o, "betas", &b);
                if (b.size() != 2)
                    return Status::error(StatusCode::InvalidArgument,
                                         "optimizer.betas needs two numbers");
                t.beta1 = b[0];
                t.beta2 = b[1];
            }
            get(o, "weight_decay", &t.weightDecay);
            get(o, "eps", &t.eps);
            get(o, "grad_clip", &t.gradClip);
        }
        get(j, "ema", &t.ema);
        get(j, "precision", &t.precision);
        get(j, "checkpoint_every", &t.checkpointEvery);
        get(j, "validate_every", &t.validateEvery);
        get(j, "log_every", &t.logEvery);
        get(j, "keep_checkpoints", &t.keepCheckpoints);
        get(j, "seed", &t.seed);
        get(j, "threads", &t.threads);
        if (j.contains("validation")) {
            const json& v = j["validation"];
            get(v, "count", &t.valCount);
            get(v, "size", &t.valSize);
            get(v, "steps", &t.valSteps);
        }
    } catch (const std::exception& e) {
        return Status::error(StatusCode::InvalidArgument, std::string("job.json: ") + e.what());
    }
    auto bad = [](const std::string& m) {
        return Status::error(StatusCode::InvalidArgument, "job.json: " + m);
    };
    if (t.kind != "teacher" && t.kind != "rsd" && t.kind != "decoder" && t.kind != "yonos")
        return bad("kind must be teacher, rsd, decoder or yonos");
    if (t.preset != "tiny" && t.preset != "lite" && t.preset != "v3")
        return bad("preset must be tiny, lite or v3");
    if (t.trainFolders.empty())
        return bad("data.train must name at least one folder of photos");
    if (t.gtSize < 32 || t.gtSize % 16 || t.gtSize > 4096)
        return bad("data.gt_size must be a multiple of 16 from 32 to 4096");
    // Bounds on what a job may ask for: the batch, the workers and the validation set are held in
    // memory at once, and a run of more steps than fits an int is not a job but an overflow.
    if (t.batch < 1 || t.batch > 4096 || t.steps < 1 || t.workers < 0 || t.workers > 256)
        return bad("batch must be from 1 to 4096, steps positive, workers from 0 to 256");
    if (t.valCount < 0 || t.valCount > 10000 || t.valSize < 0 || t.valSize > 4096 ||
        t.valSteps < 0 || t.threads < 0 || t.threads > 1024)
        return bad("validation.count must be 0 to 10000, validation.size 0 to 4096, "
                   "validation.steps >= 0, threads 0 to 1024");
    if (!(t.lr > 0) || t.lrMin < 0 || t.warmup < 0 || !(t.ema >= 0 && t.ema < 1) || t.gradClip < 0)
        return bad("lr > 0, lr_min >= 0, warmup >= 0, 0 <= ema < 1, grad_clip >= 0");
    if (t.degradation != "realesrgan" && t.degradation != "bicubic")
        return bad("data.degradation must be realesrgan or bicubic");
    if (t.precision != "fp32")
        return Status::error(StatusCode::Unsupported,
                             "job.json: only fp32 training is supported in this build");
    if (t.kind == "rsd") {
        if (t.teacherModel.empty())
            return bad("an rsd job needs \"teacher\": the teacher's model package");
        if (t.fakeUpdates < 1 || t.startTimesteps < 1 || t.fakeLr < 0 || t.discLr < 0 ||
            t.dmWeight < 0 || t.supervisedWeight < 0 || t.ganWeight < 0 || t.discWeight < 0 ||
            t.ssimWeight < 0)
            return bad(
                "rsd: fake_updates and start_timesteps >= 1, learning rates and weights >= 0");
        if (t.discFeatures != "middle" && t.discFeatures != "first")
            return bad("rsd.disc_features must be middle or first");
    }
    if (t.kind == "decoder") {
        if (t.baseModel.empty())
            return bad("a decoder job needs \"base\": the model package whose outputs the decoder "
                       "head refines");
        if (t.refineChannels < 1 || t.refineChannels > 512 || t.refineLayers < 2 ||
            t.refineLayers > 32 || t.refineSteps < 0 ||
            !(t.refineStrength >= 0 && t.refineStrength <= 2) || t.refineSsimWeight < 0)
            return bad(
                "decoder: channels 1-512, layers 2-32, steps >= 0, strength 0-2, ssim_weight >= 0");
    }
    if (t.kind == "yonos") {
        const std::string& st = t.yonosStage;
        if (st != "autoencoder" && st != "teacher" && st != "distil" && st != "decoder")
            return bad("yonos.stage must be autoencoder, teacher, distil or decoder");
        if (t.preset != "tiny" && t.preset != "lite")
            return bad("a yonos job's preset must be tiny or lite");
        if (t.scale < 1 || t.scale > 8 || t.gtSize % (8 * t.scale))
            return bad("yonos.scale must be from 1 to 8, and data.gt_size a multiple of 8 x scale");
        if (t.codecPreset != "f4" && t.codecPreset != "f8")
            return bad("yonos.codec must be f4 or f8");
        if (!(t.oneStepFraction >= 0 && t.oneStepFraction <= 1) || t.klWeight < 0 ||
            t.yonosSsimWeight < 0 || !(t.yonosFftWeight >= 0))
            return bad("yonos: one_step_fraction 0-1, kl_weight, ssim_weight and fft_weight >= 0");
        if (st == "teacher" && t.autoencoderModel.empty() && t.initModel.empty())
            return bad("a yonos teacher job needs \"autoencoder\": the package of an autoencoder "
                       "stage (or \"init\": a yonos package to continue)");
        if (st == "distil" && t.teacherModel.empty())
            return bad("a yonos distil job needs \"teacher\": the frozen teacher's package");
        if (st == "decoder" && t.baseModel.empty())
            return bad("a yonos decoder job needs \"base\": the yonos package whose decoder is "
                       "fine-tuned");
    } else if (t.scale != 4) {
        return bad("only yonos jobs take a scale other than 4");
    }
    if (t.checkpointEvery < 1 || t.validateEvery < 1 || t.logEvery < 1 || t.keepCheckpoints < 1)
        return bad(
            "checkpoint_every, validate_every, log_every and keep_checkpoints must be positive");
    return t;
}

Result<TrainJob> TrainJob::fromFile(const std::string& path) {
    // A regular file of at most 16 MiB, nesting checked, parse errors naming the path.
    auto parsed = readConfigJson(path);
    if (!parsed)
        return parsed.status();
    auto job = fromJson(parsed->dump());
    if (!job)
        return job.status().withContext(path);
    return job;
}

std::string TrainJob::toJson() const {
    json j = {{"kind", kind},
              {"preset", preset},
              {"init", initModel},
              {"name", name},
              {"data",
               {{"train", trainFolders},
                {"val", valFolder},
                {"gt_size", gtSize},
                {"min_side", minSide},
                {"degradation", degradation},
                {"workers", workers}}},
              {"batch", batch},
              {"steps", steps},
              {"optimizer",
               {{"lr", lr},
                {"lr_min", lrMin},
                {"warmup", warmup},
                {"betas", {beta1, beta2}},
                {"weight_decay", weightDecay},
                {"eps", eps},
                {"grad_clip", gradClip}}},
              {"ema", ema},
              {"precision", precision},
              {"checkpoint_every", checkpointEvery},
              {"validate_every", validateEvery},
              {"log_every", logEvery},
              {"keep_checkpoints", keepCheckpoints},
              {"seed", seed},
              {"threads", threads},
              {"validation", {{"count", valCount}, {"size", valSize}, {"steps", valSteps}}}};
    if (!modelJson.empty())
        j["model"] = json::parse(modelJson);
    if (!scheduleJson.empty())
        j["schedule"] = json::parse(scheduleJson);
    if (kind == "rsd") {
        j["teacher"] = teacherModel;
        j["rsd"] = {{"fake_updates", fakeUpdates},
                    {"fake_lr", fakeLr},
                    {"start_timesteps", startTimesteps},
                    {"dm_weight", dmWeight},
                    {"supervised_weight", supervisedWeight},
                    {"gan_weight", ganWeight},
                    {"disc_lr", discLr},
                    {"disc_weight", discWeight},
                    {"ssim_weight", ssimWeight},
                    {"disc_features", discFeatures}};
    }
    if (kind == "yonos") {
        j["yonos"] = {{"stage", yonosStage},         {"scale", scale},
                      {"codec", codecPreset},        {"one_step_fraction", oneStepFraction},
                      {"kl_weight", klWeight},       {"ssim_weight", yonosSsimWeight},
                      {"fft_weight", yonosFftWeight}};
        if (!autoencoderModel.empty())
            j["autoencoder"] = autoencoderModel;
        if (!teacherModel.empty())
            j["teacher"] = teacherModel;
        if (!baseModel.empty())
            j["base"] = baseModel;
    }
    if (kind == "decoder") {
        j["base"] = baseModel;
        j["decoder"] = {{"channels", refineChannels},
                        {"layers", refineLayers},
                        {"steps", refineSteps},
                        {"strength", refineStrength},
                        {"ssim_weight", refineSsimWeight}};
    }
    return j.dump(2);
}

} // namespace shiftsr::training
