// shiftsr-cli reference: Real-ESRGAN's compact network from its ncnn files, an evaluation
// reference.
#include "args.h"
#include "common.h"

#include "shiftsr/engine/image_io.h"
#include "shiftsr/engine/reference.h"

#include <iostream>

namespace cli {

// Real-ESRGAN's compact network from its ncnn files in fp32 (an evaluation reference; see
// docs/evaluation.md): `eval --external NAME='shiftsr-cli reference --ncnn X.param {in} {out}'`.
int cmdReference(int argc, char** argv) {
    cli::Args a(argc, argv, 2, {"ncnn", "threads"}, {});
    const int threads = int(a.getInt("threads", 0, 0, 1024));
    if (!a.ok())
        return usage(a.error());
    if (!a.has("ncnn") || a.positionals().size() != 2)
        return usage("reference needs --ncnn MODEL.param IN OUT");
    const std::string inPath = a.positionals()[0], outPath = a.positionals()[1];
    auto net = shiftsr::CompactReference::loadNcnn(a.get("ncnn"));
    if (!net)
        return fail(net.status());
    auto in = shiftsr::ImageIO::read(inPath);
    if (!in)
        return fail(in.status());
    cv::Mat img = in->color;
    if (img.depth() != CV_8U) {
        cv::Mat e;
        img.convertTo(e, CV_8U, 1.0 / 257.0);
        img = e;
    }
    auto out = (*net)->upscale(img, threads);
    if (!out)
        return fail(out.status());
    if (auto w = shiftsr::ImageIO::write(outPath, *out, cv::Mat()); !w)
        return fail(w);
    return kOk;
}

} // namespace cli
