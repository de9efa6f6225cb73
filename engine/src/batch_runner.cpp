// BatchRunner: one planned file at a time through the pipeline, with skip-existing, folders, the
// CPU fallback and the pixel-weighted estimate.
#include "shiftsr/engine/batch_runner.h"

#include "shiftsr/engine/image_io.h"

#include <algorithm>
#include <filesystem>

namespace shiftsr {

BatchRunner::BatchRunner(std::vector<BatchItem> items, std::shared_ptr<const Model> model,
                         UpscaleSettings settings, bool outputIsFolder, ModelLoader loader)
    : items_(std::move(items)), model_(std::move(model)), settings_(std::move(settings)),
      base_(settings_.request()), outputIsFolder_(outputIsFolder), loader_(std::move(loader)) {
    sizes_.reserve(items_.size());
    for (const BatchItem& item : items_) {
        auto probe = ImageIO::probe(item.input);
        sizes_.push_back(probe ? Size{probe->width, probe->height} : Size{});
    }
    marks_.assign(items_.size(), Mark::Pending);
}

double BatchRunner::weight(size_t i) const {
    const Size& s = sizes_.at(i);
    return std::max(1.0, double(s.width) * double(s.height));
}

BatchFileResult BatchRunner::run(size_t i, const JobControl& job) {
    const BatchItem& item = items_.at(i);
    BatchFileResult result;
    std::error_code ec;
    if (settings_.skipExisting && std::filesystem::exists(item.output, ec)) {
        result.state = BatchFileResult::State::Skipped;
        marks_[i] = Mark::Skipped;
        return result;
    }
    runStart_ = Clock::now();
    running_ = true;
    result.inWidth = sizes_[i].width;
    result.inHeight = sizes_[i].height;
    // Recursive batches mirror subfolders; a folder that cannot be made fails the write with the
    // system's message.
    if (outputIsFolder_)
        std::filesystem::create_directories(std::filesystem::path(item.output).parent_path(), ec);
    UpscaleRequest request = base_;
    request.input = item.input;
    request.output = item.output;
    auto report = Pipeline(model_).run(request, job);
    const StatusCode code = report ? StatusCode::Ok : report.status().code();
    if (!report && settings_.cpuFallback && model_->onCuda() && loader_ &&
        code != StatusCode::Cancelled && code != StatusCode::InvalidArgument) {
        if (!cpuModel_) {
            LoadOptions cpu = settings_.loadOptions();
            cpu.device = "cpu";
            if (auto m = loader_(cpu))
                cpuModel_ = *m;
        }
        if (cpuModel_) {
            const std::string why = report.status().message();
            report = Pipeline(cpuModel_).run(request, job);
            if (report)
                report->warnings.push_back("CUDA failed (" + why + "); ran on the CPU");
        }
    }
    running_ = false;
    seconds_ += std::chrono::duration<double>(Clock::now() - runStart_).count();
    if (report) {
        result.report = std::move(*report);
        result.report.image.release(); // written already; keep the result small
        result.report.alpha.release();
        marks_[i] = Mark::Worked;
    } else if (report.status().code() == StatusCode::Cancelled) {
        result.state = BatchFileResult::State::Cancelled;
        marks_[i] = Mark::Cancelled;
    } else {
        result.state = BatchFileResult::State::Failed;
        result.error = report.status().message();
        marks_[i] = Mark::Worked; // a failure took time like a success
    }
    return result;
}

double BatchRunner::seconds() const {
    return seconds_ +
           (running_ ? std::chrono::duration<double>(Clock::now() - runStart_).count() : 0.0);
}

BatchEstimate BatchRunner::estimate(size_t running, double fraction) const {
    double total = 0, done = 0, worked = 0;
    fraction = std::clamp(fraction, 0.0, 1.0);
    for (size_t i = 0; i < items_.size(); ++i) {
        const double w = weight(i);
        total += w;
        if (marks_[i] == Mark::Worked) {
            done += w;
            worked += w;
        } else if (marks_[i] == Mark::Skipped) {
            done += w;
        } else if (i == running) {
            done += w * fraction;
            worked += w * fraction;
        }
    }
    BatchEstimate e;
    e.fraction = total > 0 ? done / total : 0.0;
    const double s = seconds();
    e.seconds = s;
    if (total > 0 && worked / total > 0.01 && s > 0)
        e.etaSeconds = s * (total - done) / worked;
    return e;
}

} // namespace shiftsr
