// Real-ESRGAN compact networks from ncnn files, in fp32 LibTorch (see reference.h).
//
// ncnn formats used: the .param text ("7767517", "layers blobs", then one line per layer: type,
// name, input and output counts, blob names, k=v parameters); the .bin holds, per layer in .param
// order, Convolution: weight (a 4-byte tag: 0 = float32, 0x01306B47 = float16, then
// out*in*kh*kw values, OIHW), bias (float32, out values, when 5=1); PReLU: slopes (float32).
#include "shiftsr/engine/reference.h"

#include "shiftsr/nn/device.h"

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

namespace shiftsr {

namespace F = torch::nn::functional;

struct CompactReference::Impl {
    struct Conv {
        torch::Tensor weight, bias;
    };
    std::vector<Conv> convs;           // each but the last followed by a PReLU
    std::vector<torch::Tensor> slopes; // PReLU slopes, one per hidden convolution
    int scale = 4;
};

CompactReference::CompactReference(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CompactReference::~CompactReference() = default;
int CompactReference::scale() const {
    return impl_->scale;
}
int CompactReference::convolutions() const {
    return int(impl_->convs.size());
}

namespace {

struct Layer {
    std::string type, name;
    std::map<int, std::string> params;
    int intParam(int key, int fallback) const {
        auto it = params.find(key);
        return it == params.end() ? fallback : std::stoi(it->second);
    }
};

class BinReader {
public:
    explicit BinReader(std::string bytes) : data_(std::move(bytes)) {}
    bool raw(std::vector<float>* out, std::size_t n) {
        if (pos_ + n * 4 > data_.size())
            return false;
        out->resize(n);
        std::memcpy(out->data(), data_.data() + pos_, n * 4);
        pos_ += n * 4;
        return true;
    }
    bool tagged(std::vector<float>* out, std::size_t n) {
        if (pos_ + 4 > data_.size())
            return false;
        std::uint32_t tag;
        std::memcpy(&tag, data_.data() + pos_, 4);
        pos_ += 4;
        if (tag == 0)
            return raw(out, n);
        if (tag != 0x01306B47u)
            return false; // quantised storage: not used by the compact models
        const std::size_t bytes = n * 2, padded = (bytes + 3) / 4 * 4;
        if (pos_ + padded > data_.size())
            return false;
        auto half =
            torch::from_blob(const_cast<char*>(data_.data() + pos_), {int64_t(n)}, torch::kHalf);
        auto widened = half.to(torch::kFloat);
        out->assign(widened.data_ptr<float>(), widened.data_ptr<float>() + n);
        pos_ += padded;
        return true;
    }
    bool atEnd() const { return pos_ == data_.size(); }

private:
    std::string data_;
    std::size_t pos_ = 0;
};

Status bad(const std::string& path, const std::string& why) {
    return Status::error(StatusCode::InvalidFile,
                         path + ": " + why + " (expected a Real-ESRGAN compact network)");
}

} // namespace

Result<std::shared_ptr<const CompactReference>>
CompactReference::loadNcnn(const std::string& param) {
    std::ifstream pin(param);
    if (!pin)
        return Status::error(StatusCode::NotFound, "cannot read " + param);
    std::string magic;
    int layerCount = 0, blobCount = 0;
    pin >> magic >> layerCount >> blobCount;
    if (magic != "7767517" || layerCount <= 0)
        return bad(param, "not an ncnn .param file");
    std::vector<Layer> layers;
    std::string line;
    std::getline(pin, line);
    while (std::getline(pin, line)) {
        std::istringstream ls(line);
        Layer l;
        int nin = 0, nout = 0;
        if (!(ls >> l.type >> l.name >> nin >> nout))
            continue;
        std::string tok;
        for (int i = 0; i < nin + nout && ls >> tok; ++i) {
        }
        while (ls >> tok) {
            const auto eq = tok.find('=');
            if (eq == std::string::npos)
                return bad(param, "malformed parameter '" + tok + "' of layer " + l.name);
            try {
                l.params[std::stoi(tok.substr(0, eq))] = tok.substr(eq + 1);
            } catch (...) {
                return bad(param, "malformed parameter '" + tok + "' of layer " + l.name);
            }
        }
        layers.push_back(l);
    }
    std::string binPath = param;
    if (binPath.size() > 6 && binPath.compare(binPath.size() - 6, 6, ".param") == 0)
        binPath = binPath.substr(0, binPath.size() - 6) + ".bin";
    else
        return bad(
            param,
            "the file name must end in .param (the weights are read from the .bin beside it)");
    std::ifstream bin(binPath, std::ios::binary);
    if (!bin)
        return Status::error(StatusCode::NotFound, "cannot read " + binPath);
    std::stringstream ss;
    ss << bin.rdbuf();
    BinReader reader(ss.str());

    auto impl = std::make_unique<Impl>();
    // Input, Split, then (Convolution PReLU)*, Convolution, PixelShuffle, Interp (nearest),
    // BinaryOp add.
    std::size_t i = 0;
    auto expect = [&](const char* type) { return i < layers.size() && layers[i].type == type; };
    if (!expect("Input"))
        return bad(param, "the first layer is not Input");
    ++i;
    if (expect("Split"))
        ++i;
    int channels = 3;
    while (expect("Convolution")) {
        const Layer& c = layers[i];
        const int out = c.intParam(0, 0), k = c.intParam(1, 1), stride = c.intParam(3, 1),
                  pad = c.intParam(4, 0), hasBias = c.intParam(5, 0), size = c.intParam(6, 0),
                  dilation = c.intParam(2, 1);
        if (out <= 0 || k != 3 || stride != 1 || pad != 1 || dilation != 1 ||
            size != out * channels * k * k || c.intParam(8, 0) != 0 || c.intParam(9, 0) != 0)
            return bad(param, "unsupported convolution " + c.name);
        std::vector<float> w, b;
        if (!reader.tagged(&w, std::size_t(size)) || (hasBias && !reader.raw(&b, std::size_t(out))))
            return bad(binPath, "the weights end early or use an unsupported storage (layer " +
                                    c.name + ")");
        Impl::Conv conv;
        conv.weight = torch::from_blob(w.data(), {out, channels, k, k}, torch::kFloat).clone();
        conv.bias = hasBias ? torch::from_blob(b.data(), {out}, torch::kFloat).clone()
                            : torch::zeros({out});
        impl->convs.push_back(conv);
        channels = out;
        ++i;
        if (expect("PReLU")) {
            const int n = layers[i].intParam(0, 1);
            if (n != out && n != 1)
                return bad(param,
                           "PReLU " + layers[i].name + " has " + std::to_string(n) + " slopes");
            std::vector<float> s;
            if (!reader.raw(&s, std::size_t(n)))
                return bad(binPath, "the PReLU slopes end early (layer " + layers[i].name + ")");
            impl->slopes.push_back(torch::from_blob(s.data(), {n}, torch::kFloat).clone());
            ++i;
        } else {
            break;
        }
    }
    if (impl->convs.size() < 2 || impl->slopes.size() != impl->convs.size() - 1)
        return bad(param, "expected convolutions with PReLU between them, the last without");
    if (!expect("PixelShuffle"))
        return bad(param, "no PixelShuffle after the last convolution");
    impl->scale = layers[i].intParam(0, 1);
    if (layers[i].intParam(1, 0) != 0 || impl->scale < 1 ||
        channels != 3 * impl->scale * impl->scale)
        return bad(param, "unsupported PixelShuffle");
    ++i;
    if (!expect("Interp") || layers[i].intParam(0, 0) != 1)
        return bad(param, "no nearest-neighbour Interp of the input after the PixelShuffle");
    ++i;
    if (!expect("BinaryOp") || layers[i].intParam(0, 0) != 0)
        return bad(param, "no BinaryOp add at the end");
    if (i + 1 != layers.size())
        return bad(param, "layers after the final add");
    if (!reader.atEnd())
        return bad(binPath, "weights left over after the last layer");
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
        constexpr int64_t pre = 10;
        auto xp = F::pad(x, F::PadFuncOptions({pre, pre, pre, pre}).mode(torch::kReplicate));
        auto h = xp;
        for (std::size_t k = 0; k < impl_->convs.size(); ++k) {
            h = F::conv2d(h, impl_->convs[k].weight,
                          F::Conv2dFuncOptions().bias(impl_->convs[k].bias).padding(1));
            if (k < impl_->slopes.size())
                h = torch::prelu(h, impl_->slopes[k]);
        }
        h = torch::pixel_shuffle(h, impl_->scale);
        auto base = F::interpolate(
            xp, F::InterpolateFuncOptions()
                    .scale_factor(std::vector<double>{double(impl_->scale), double(impl_->scale)})
                    .mode(torch::kNearest));
        const int64_t cut = pre * impl_->scale;
        auto sr = (h + base)
                      .slice(2, cut, cut + x.size(2) * impl_->scale)
                      .slice(3, cut, cut + x.size(3) * impl_->scale);
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
