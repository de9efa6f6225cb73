// Writes the tiny test model package (deterministic random weights, unshuffle-f4 codec):
// it exercises the whole pipeline quickly but is untrained, and says so in its metadata.
#include "shiftsr/nn/model_impl.h"
#include "shiftsr/nn/tensor_io.h"

#include <iostream>

using namespace shiftsr;

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: shiftsr-make-test-model OUT.safetensors\n";
        return 2;
    }
    Architecture a = Architecture::tinyTest();
    a.name = "ShiftSR test model (untrained, pipeline check only)";
    torch::manual_seed(20261125);
    nn::UNetModelSwinImpl unet(a.unet);
    SafeTensorsWriter w;
    for (const auto& [k, v] : a.toMetadata())
        w.setMetadata(k, v);
    w.setMetadata(
        meta::kProvenance,
        R"json({"training":"none: deterministic random initialisation (seed 20261125)","purpose":"tests and pipeline checks"})json");
    if (Status s = addModule(w, "unet.", unet); !s) {
        std::cerr << s.message() << "\n";
        return 1;
    }
    if (Status s = w.write(argv[1]); !s) {
        std::cerr << s.message() << "\n";
        return 1;
    }
    return 0;
}
