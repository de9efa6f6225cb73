// Real-ESRGAN compact networks from ncnn files, in fp32 LibTorch (see reference.h): the srvgg
// family's network (gan_nets.h) read by the importer's ncnn reader, run as realesrgan-ncnn-vulkan
// runs it.
#include "shiftsr/engine/reference.h"

#include "shiftsr/nn/device.h"
#include "shiftsr/nn/gan_nets.h"
#include "shiftsr/nn/import_detect.h"

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include <cstring>

namespace shiftsr {

struct CompactReference::Impl {
    std::shared_ptr<nn::SinglePassNetImpl> net;
    int convolutions = 0;
};

CompactReference::CompactReference(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CompactReference::~CompactReference() = default;
int CompactReference::scale() const {
    return impl_->net->scale();
}
int CompactReference::convolutions() const {
    return impl_->convolutions;
}

Result<std::shared_ptr<const CompactReference>>
CompactReference::loadNcnn(const std::string& param) {
    auto file = importer::readWeightFile(param);
    if (!file)
        return file.status();
    auto gan = importer::loadGan(*file);
    if (!gan)
        return gan.status();
    if (gan->arch.family != "srvgg")
        return Status::error(
            StatusCode::Unsupported,
            param + ": " + gan->summary +
                "; the reference is Real-ESRGAN's compact network (SRVGGNetCompact)");
    auto impl = std::make_unique<Impl>();
    impl->net = gan->net;
    impl->convolutions = gan->arch.srvgg.numConv + 2;
    return std::shared_ptr<const CompactReference>(
        std::make_shared<CompactReference>(std::move(impl)));
}

Result<cv::Mat> CompactReference::upscale(const cv::Mat& input, int threads) const {
    if (input.empty() || input.depth() != CV_8U || (input.channels() != 3 && input.channels() != 1))
        return Status::error(StatusCode::InvalidArgument,
                             "the compact reference takes 8-bit BGR or gray images");
    device::setThreads(threads);
    try {
        cv::Mat bgr;
        if (input.channels() == 1)
            cv::cvtColor(input, bgr, cv::COLOR_GRAY2BGR);
        else
            bgr = input;
        cv::Mat f;
        bgr.convertTo(f, CV_32FC3, 1.0 / 255.0);
        torch::NoGradGuard ng;
        auto x = torch::from_blob(f.data, {1, f.rows, f.cols, 3}, torch::kFloat)
                     .permute({0, 3, 1, 2})
                     .flip({1}) // BGR -> RGB
                     .contiguous();
        // As realesrgan-ncnn-vulkan: the input is extended by 10 replicated pixels on every side
        // (its "prepadding"), the network runs with its own zero padding per convolution, and the
        // extension is cut from the output.
        auto sr = nn::upscaleTile(*impl_->net, x, 10);
        auto out = sr.clamp(0, 1)
                       .mul(255)
                       .round()
                       .flip({1})
                       .permute({0, 2, 3, 1})
                       .contiguous()
                       .to(torch::kUInt8);
        cv::Mat result(int(out.size(1)), int(out.size(2)), CV_8UC3);
        std::memcpy(result.data, out.data_ptr(), result.total() * 3);
        return result;
    } catch (const c10::Error& e) {
        return Status::error(StatusCode::Internal,
                             std::string("compact reference: ") + e.what_without_backtrace());
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory,
                             "compact reference: not enough memory for this image");
    }
}

} // namespace shiftsr
