// Writes the tiny test model package (deterministic random weights, unshuffle-f4 codec), or with
// --yonos the tiny YONOS one (kl-f4 codec, DDIM): they exercise the whole pipeline quickly but are
// untrained, and say so in their metadata.
#include "shiftsr/nn/model_impl.h"
#include "shiftsr/nn/tensor_io.h"

#include <iostream>

using namespace shiftsr;

int main(int argc, char** argv) {
    const bool yonos = argc == 3 && std::string(argv[1]) == "--yonos";
    if (argc != 2 && !yonos) {
        std::cerr << "usage: shiftsr-make-test-model [--yonos] OUT.safetensors\n";
        return 2;
    }
    const char* out = argv[argc - 1];
    Architecture a = yonos ? Architecture::tinyYonosTest() : Architecture::tinyTest();
    a.name = yonos ? "ShiftSR YONOS test model (untrained, pipeline check only)"
                   : "ShiftSR test model (untrained, pipeline check only)";
    torch::manual_seed(20261125);
    std::shared_ptr<torch::nn::Module> unet;
    if (yonos)
        unet = std::make_shared<nn::SDUNetImpl>(a.sdUnet);
    else
        unet = std::make_shared<nn::UNetModelSwinImpl>(a.unet);
    auto codec = a.makeCodec();
    SafeTensorsWriter w;
    for (const auto& [k, v] : a.toMetadata())
        w.setMetadata(k, v);
    w.setMetadata(
        meta::kProvenance,
        R"json({"training":"none: deterministic random initialisation (seed 20261125)","purpose":"tests and pipeline checks"})json");
    if (Status s = addModule(w, "unet.", *unet); !s) {
        std::cerr << s.message() << "\n";
        return 1;
    }
    if (codec->module())
        if (Status s = addModule(w, "codec.", *codec->module()); !s) {
            std::cerr << s.message() << "\n";
            return 1;
        }
    if (Status s = w.write(out); !s) {
        std::cerr << s.message() << "\n";
        return 1;
    }
    return 0;
}
