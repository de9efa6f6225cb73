// cv::Mat <-> torch::Tensor conversion.
#include "shiftsr/nn/image_tensor.h"

#include <opencv2/imgproc.hpp>

namespace shiftsr {

torch::Tensor matToTensor01(const cv::Mat& image) {
    CV_Assert(!image.empty());
    cv::Mat rgb;
    switch (image.channels()) {
    case 1:
        cv::cvtColor(image, rgb, cv::COLOR_GRAY2RGB);
        break;
    case 3:
        cv::cvtColor(image, rgb, cv::COLOR_BGR2RGB);
        break;
    case 4:
        cv::cvtColor(image, rgb, cv::COLOR_BGRA2RGB);
        break;
    default:
        CV_Error(cv::Error::StsBadArg, "unsupported channel count");
    }
    const double scale = image.depth() == CV_16U  ? 1.0 / 65535.0
                         : image.depth() == CV_8U ? 1.0 / 255.0
                                                  : 1.0;
    cv::Mat f;
    rgb.convertTo(f, CV_32F, scale);
    if (!f.isContinuous())
        f = f.clone();
    auto t = torch::from_blob(f.data, {f.rows, f.cols, 3}, torch::kFloat).clone();
    return t.permute({2, 0, 1}).unsqueeze(0).contiguous();
}

cv::Mat tensor01ToMat(const torch::Tensor& t, int depth) {
    const double maxv = depth == CV_16U ? 65535.0 : 255.0;
    auto hwc = t.detach()
                   .to(torch::kCPU, torch::kFloat)
                   .squeeze(0)
                   .permute({1, 2, 0})
                   .clamp(0.0, 1.0)
                   .mul(maxv)
                   .round()
                   .contiguous();
    cv::Mat f(int(hwc.size(0)), int(hwc.size(1)), CV_32FC3, hwc.data_ptr<float>());
    cv::Mat out;
    f.convertTo(out, depth == CV_16U ? CV_16UC3 : CV_8UC3);
    cv::cvtColor(out, out, cv::COLOR_RGB2BGR);
    return out;
}

} // namespace shiftsr
