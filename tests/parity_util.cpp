// Fixture loading for the parity suites.
#include "parity_util.h"

#include <QDir>
#include <QFile>

#include <stdexcept>

using namespace shiftsr;

static std::string readText(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll().toStdString();
}

std::string FixtureCase::load(const QString& d) {
    dir = d;
    const QDir q(d);
    auto cs = SafeTensorsFile::open(q.filePath("case.safetensors").toStdString());
    if (!cs)
        return cs.status().message();
    metadata = cs->metadata();
    auto ts = readTensors(*cs);
    if (!ts)
        return ts.status().message();
    tensors = std::move(ts.value());
    const std::string cfgText = readText(q.filePath("config.json"));
    try {
        config = nlohmann::json::parse(!cfgText.empty() ? cfgText : metadata.at("config"));
        if (config.contains("config"))
            config = config["config"];
        sampler = metadata.count("sampler") ? nlohmann::json::parse(metadata.at("sampler"))
                                            : nlohmann::json::object();
    } catch (const std::exception& e) {
        return std::string("config: ") + e.what();
    }
    auto uc = nn::UNetSwinConfig::fromJson(config["model"]["params"]);
    if (!uc)
        return uc.status().message();
    auto vc = nn::VQConfig::fromJson(config["autoencoder"]["params"]);
    if (!vc)
        return vc.status().message();
    auto sc = ScheduleConfig::fromJson(config["diffusion"]["params"]);
    if (!sc)
        return sc.status().message();
    auto sched = ResShiftSchedule::create(*sc);
    if (!sched)
        return sched.status().message();
    schedule = std::make_unique<ResShiftSchedule>(std::move(sched.value()));
    unet = std::make_shared<nn::UNetModelSwinImpl>(*uc);
    codec = std::make_shared<VQCodec>(*vc);
    for (auto [file, module] :
         {std::pair<const char*, torch::nn::Module*>{"unet.safetensors", unet.get()},
          {"autoencoder.safetensors", codec->module()}}) {
        auto f = SafeTensorsFile::open(q.filePath(file).toStdString());
        if (!f)
            return f.status().message();
        auto w = readTensors(*f);
        if (!w)
            return w.status().message();
        auto r = loadStateDict(*module, *w, file);
        if (!r)
            return r.status().message();
        if (!r->unexpected.empty())
            return std::string(file) +
                   " has tensors the port lacks, first: " + r->unexpected.front();
    }
    nn::prepareUnetForInference(*unet, torch::kCPU); // the production inference layout
    codec->module()->eval();
    return {};
}

const torch::Tensor& FixtureCase::t(const std::string& name) const {
    auto it = tensors.find(name);
    if (it == tensors.end())
        throw std::runtime_error("fixture lacks tensor " + name);
    return it->second;
}

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
    if (a.sizes() != b.sizes())
        return std::numeric_limits<double>::infinity();
    return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}
