// shiftsr-cli eval: upscalers on held-out photos against their ground truth.
//
// Each photo is centre-cropped (HR), degraded to LQ (antialiased bicubic x1/4, or the Real-ESRGAN
// second-order degradation with a per-photo seed), and every method upscales the same LQ: plain
// bicubic, each model (its own step count, and one step with --one-step), and optionally an
// external program. Metrics follow BasicSR: PSNR and SSIM on Y (BT.601), `scale` border pixels
// cropped, plus the sharpness ratio (mean Y gradient of output / truth; 1 = as sharp).
#include "args.h"
#include "common.h"

#include "shiftsr/engine/image_io.h"
#include "shiftsr/engine/metrics.h"
#include "shiftsr/engine/pipeline.h"
#include "shiftsr/engine/upscale_settings.h"
#include "shiftsr/training/dataset.h"
#include "shiftsr/training/degradation.h"

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/quality/qualitybrisque.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>

#include <unistd.h>

namespace fs = std::filesystem;

namespace cli {

namespace {

struct Method {
    std::string name;
    std::shared_ptr<const shiftsr::Model> model; // null: bicubic or external
    int steps = 0;
    std::string external; // command template with {in} and {out}
    double psnr = 0, ssim = 0, psnrRgb = 0, ssimRgb = 0, sharp = 0, seconds = 0, brisque = 0,
           periodic = 0;
    unsigned long long peakRss = 0;
    int count = 0;
    nlohmann::json perImage = nlohmann::json::array();
    std::vector<cv::Mat> sheetCrops; // --report: the centre of each output, one per photo
};

Method makeMethod(std::string name, std::shared_ptr<const shiftsr::Model> model, int steps,
                  std::string external) {
    Method m;
    m.name = std::move(name);
    m.model = std::move(model);
    m.steps = steps;
    m.external = std::move(external);
    return m;
}

int evalError(const std::string& message, int code = 1) {
    std::cerr << "shiftsr-cli eval: " << message << "\n";
    return code;
}

std::string replaceAll(std::string s, const std::string& from, const std::string& to) {
    for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
        s.replace(pos, from.size(), to);
    return s;
}

std::string quoted(const std::string& path) {
    return "'" + replaceAll(path, "'", "'\\''") + "'";
}

// BRISQUE (no-reference, lower is better) with the LIVE model files of Debian's opencv-data; the
// perceptual score here, since LPIPS needs pretrained network weights that cannot be had offline.
struct Brisque {
    std::string model, range;
    bool available() const { return !model.empty(); }
    static Brisque find() {
        std::vector<std::string> dirs;
        if (const char* d = std::getenv("SHIFTSR_BRISQUE_DIR"))
            dirs.push_back(d);
        dirs.push_back("/usr/share/opencv4/quality");
        for (const auto& d : dirs) {
            std::error_code ec;
            if (fs::exists(d + "/brisque_model_live.yml", ec) &&
                fs::exists(d + "/brisque_range_live.yml", ec))
                return {d + "/brisque_model_live.yml", d + "/brisque_range_live.yml"};
        }
        return {};
    }
    double score(const cv::Mat& bgr) const {
        return cv::quality::QualityBRISQUE::compute(bgr, model, range)[0];
    }
};

std::string safeName(std::string s) {
    for (char& c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.')
            c = '_';
    return s;
}

// Writes `text` to `path` through a temporary file and a rename.
shiftsr::Status writeTextAtomic(const fs::path& path, const std::string& text) {
    const fs::path tmp = path.string() + ".part";
    if (FILE* f = std::fopen(tmp.c_str(), "wb")) {
        const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
        if (std::fclose(f) == 0 && ok) {
            std::error_code ec;
            fs::rename(tmp, path, ec);
            if (!ec)
                return shiftsr::Status::ok();
        }
    }
    std::error_code ec;
    fs::remove(tmp, ec);
    return shiftsr::Status::error(shiftsr::StatusCode::IoError, "cannot write " + path.string());
}

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

// One header cell of the contact sheet: `text` wrapped on words into lines of at most `width` px.
void drawWrapped(cv::Mat& canvas, const std::string& text, cv::Rect cell) {
    const int font = cv::FONT_HERSHEY_SIMPLEX;
    const double scale = 0.4;
    std::vector<std::string> lines(1);
    std::string word;
    auto flush = [&] {
        if (word.empty())
            return;
        const std::string candidate = lines.back().empty() ? word : lines.back() + " " + word;
        int base = 0;
        if (!lines.back().empty() &&
            cv::getTextSize(candidate, font, scale, 1, &base).width > cell.width - 6)
            lines.push_back(word);
        else
            lines.back() = candidate;
        word.clear();
    };
    for (char c : text + " ") {
        if (c == ' ')
            flush();
        else
            word += c;
    }
    for (size_t i = 0; i < lines.size(); ++i)
        cv::putText(canvas, lines[i], {cell.x + 3, cell.y + 14 + int(i) * 14}, font, scale,
                    cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
}

// --report DIR: report.md (means, per-photo PSNR-Y/SSIM-Y/sharpness, the command) and
// contact-sheet.png (the centre of every photo: input, each method, ground truth, 2x nearest).
shiftsr::Status writeReport(const std::string& dir, const nlohmann::json& result,
                            const std::string& command, const std::vector<Method>& methods,
                            const std::vector<cv::Mat>& lq, const std::vector<cv::Mat>& hr,
                            const std::vector<std::string>& names) {
    std::string md = "# One-step vs multi-step: evaluation report\n\n";
    md += std::to_string(names.size()) + " held-out photos, centre crops of " +
          std::to_string(result["crop"].get<int>()) + " px, " +
          result["degradation"].get<std::string>() + " degradation (seed " +
          std::to_string(result["seed"].get<long long>()) +
          "), x4; metrics on Y (BT.601) with a 4-pixel border "
          "cropped. Sharpness = mean absolute gradient of the output / that of the ground truth (1 "
          "= as sharp). "
          "Periodic = the 4-pixel grid score (spectral spike at the period-4 and period-2 "
          "frequencies of the "
          "luma, log10 of peak over ring median; ground truth: " +
          fixed(result["hr_periodic"].get<double>(), 2) +
          "; lower is better). "
          "BRISQUE: no-reference, lower is better" +
          (result["hr_brisque"].is_null()
               ? std::string(" (not available here)")
               : " (ground truth: " + fixed(result["hr_brisque"].get<double>(), 2) + ")") +
          ".\n\nMade with:\n\n```sh\n" + command + "\n```\n\n";
    md += "| method | PSNR-Y | SSIM-Y | sharpness | periodic | BRISQUE | s/image | peak RSS MB |\n"
          "|---|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& m : result["methods"]) {
        md += "| " + m["name"].get<std::string>() + " | " + fixed(m["psnr_y"].get<double>(), 2) +
              " | " + fixed(m["ssim_y"].get<double>(), 4) + " | " +
              fixed(m["sharpness"].get<double>(), 3) + " | " +
              fixed(m["periodic"].get<double>(), 2) + " | " +
              (m["brisque"].is_null() ? std::string("-") : fixed(m["brisque"].get<double>(), 2)) +
              " | " + fixed(m["seconds_per_image"].get<double>(), 2) + " | " +
              (m["peak_rss_mb"].get<double>() > 0 ? fixed(m["peak_rss_mb"].get<double>(), 0)
                                                  : std::string("-")) +
              " |\n";
    }
    md += "\n## Per photo (PSNR-Y / SSIM-Y / sharpness / periodic)\n\n| photo |";
    for (const auto& m : methods)
        md += " " + m.name + " |";
    md += "\n|---|";
    for (size_t i = 0; i < methods.size(); ++i)
        md += "---|";
    md += "\n";
    for (size_t p = 0; p < names.size(); ++p) {
        md += "| " + names[p] + " |";
        for (const auto& m : result["methods"]) {
            const auto& r = m["images"][p];
            md += " " + fixed(r["psnr_y"].get<double>(), 2) + " / " +
                  fixed(r["ssim_y"].get<double>(), 3) + " / " +
                  fixed(r["sharpness"].get<double>(), 2) + " / " +
                  fixed(r["periodic"].get<double>(), 2) + " |";
        }
        md += "\n";
    }
    md += "\n![contact sheet](contact-sheet.png)\n\nContact sheet: the centre of each crop at 2x "
          "(nearest), columns "
          "input (LQ, nearest x4), each method, ground truth.\n";
    if (auto s = writeTextAtomic(fs::path(dir) / "report.md", md); !s)
        return s;
    if (auto s = writeTextAtomic(fs::path(dir) / "report.json", result.dump(2) + "\n"); !s)
        return s;

    if (names.empty())
        return shiftsr::Status::ok();
    const int cell = lq.front().cols * 2, header = 46, label = 150, gap = 2;
    const int cols = int(methods.size()) + 2;
    cv::Mat sheet(header + int(names.size()) * (cell + gap), label + cols * (cell + gap), CV_8UC3,
                  cv::Scalar(255, 255, 255));
    std::vector<std::string> titles{"input (LQ)"};
    for (const auto& m : methods)
        titles.push_back(m.name);
    titles.push_back("ground truth");
    for (int c = 0; c < cols; ++c)
        drawWrapped(sheet, titles[size_t(c)], cv::Rect(label + c * (cell + gap), 0, cell, header));
    for (size_t p = 0; p < names.size(); ++p) {
        const int y = header + int(p) * (cell + gap);
        drawWrapped(sheet, names[p], cv::Rect(0, y + cell / 2 - 14, label, 30));
        std::vector<cv::Mat> row{lq[p]};
        for (const auto& m : methods)
            row.push_back(m.sheetCrops[p]);
        row.push_back(hr[p]);
        for (int c = 0; c < cols; ++c) {
            cv::Mat big, img = row[size_t(c)];
            if (img.channels() == 1)
                cv::cvtColor(img, img, cv::COLOR_GRAY2BGR);
            cv::resize(img, big, cv::Size(cell, cell), 0, 0, cv::INTER_NEAREST);
            big.copyTo(sheet(cv::Rect(label + c * (cell + gap), y, cell, cell)));
        }
    }
    return shiftsr::ImageIO::write((fs::path(dir) / "contact-sheet.png").string(), sheet,
                                   cv::Mat());
}

} // namespace

int cmdEval(int argc, char** argv) {
    Args a(argc, argv, 2,
           {"hr", "data", "model", "crop", "degradation", "steps", "seed", "threads", "device",
            "precision", "external", "save", "limit", "tile", "report"},
           {"json", "one-step"});
    const int crop = int(a.getInt("crop", 256, 16, 1 << 14)) / 4 * 4;
    const int steps = int(a.getInt("steps", 0, 0, 10000));
    const long long seed = a.getInt("seed", 12345, 0, 1ll << 62);
    const int threads = int(a.getInt("threads", 0, 0, 1024));
    const int limit = int(a.getInt("limit", 0, 0, 1 << 20));
    const int tile = int(a.getInt("tile", 0, 0, 1 << 15));
    if (!a.ok())
        return evalError(a.error(), 2);
    std::error_code ec;
    const std::string data = a.has("data") ? a.get("data") : a.get("hr");
    if (data.empty())
        return evalError("needs --data FOLDER (photos at their full resolution: the ground truth)",
                         2);
    const std::string degradation = a.get("degradation", "bicubic");
    if (degradation != "bicubic" && degradation != "realesrgan")
        return evalError("--degradation must be bicubic or realesrgan", 2);

    shiftsr::training::ScanOptions so;
    so.minSide = crop;
    auto scan = shiftsr::training::scanImageFolders({data}, so);
    if (!scan)
        return evalError(scan.status().message());
    std::vector<std::string> photos;
    for (const auto& rec : scan->images)
        photos.push_back(rec.path);
    if (limit > 0 && int(photos.size()) > limit)
        photos.resize(size_t(limit));
    if (photos.empty())
        return evalError("no photos of at least " + std::to_string(crop) + " px in " + data);

    std::vector<Method> methods;
    methods.push_back(makeMethod("bicubic", nullptr, 0, ""));
    std::vector<std::string> specs = a.positionals();
    if (a.has("model"))
        specs.insert(specs.begin(), a.get("model"));
    for (std::string spec : specs) {
        // LABEL=MODEL names the model in the tables and the contact sheet.
        std::string label;
        if (const auto eq = spec.find('='); eq != std::string::npos && eq > 0) {
            const std::string rest = spec.substr(eq + 1);
            if (rest.rfind("embedded:", 0) == 0 || fs::exists(rest, ec)) {
                label = spec.substr(0, eq);
                spec = rest;
            }
        }
        auto m = loadModel(spec, {a.get("device", "auto"), a.get("precision", "fp32")});
        if (!m)
            return evalError(m.status().message());
        const auto& info = (*m)->info();
        if (label.empty())
            label = info.name;
        const int s = steps ? steps : info.steps;
        // Diffusion models are named with their step count; a single-pass GAN has none to name.
        const bool diffusion = info.family == "resshift" || info.family == "yonos";
        methods.push_back(makeMethod(diffusion ? label + " (" + std::to_string(s) + " step" +
                                                     (s == 1 ? "" : "s") + ")"
                                               : label,
                                     *m, s, ""));
        if (a.has("one-step") && s != 1)
            methods.push_back(makeMethod(label + " (1 step)", *m, 1, ""));
    }
    for (const std::string& e : a.getAll("external")) {
        const auto eq = e.find('=');
        if (eq == std::string::npos || e.find("{in}") == std::string::npos ||
            e.find("{out}") == std::string::npos)
            return evalError("--external needs NAME='COMMAND with {in} and {out}'", 2);
        methods.push_back(makeMethod(e.substr(0, eq), nullptr, 0, e.substr(eq + 1)));
    }
    const std::string reportDir = a.get("report");
    if (!reportDir.empty() && !fs::create_directories(reportDir, ec) && ec)
        return evalError("cannot create " + reportDir + ": " + ec.message());
    const int sheetSide = std::min(crop, 96);
    const auto sheetCrop = [&](const cv::Mat& img) {
        return img(cv::Rect((img.cols - sheetSide) / 2, (img.rows - sheetSide) / 2, sheetSide,
                            sheetSide))
            .clone();
    };
    std::vector<cv::Mat> sheetLq, sheetHr;
    std::vector<std::string> sheetNames;

    const std::string saveDir = a.get("save");
    if (!saveDir.empty() && !fs::create_directories(saveDir, ec) && ec)
        return evalError("cannot create " + saveDir + ": " + ec.message());
    const fs::path scratch =
        fs::temp_directory_path() / ("shiftsr-eval-" + std::to_string(::getpid()));
    fs::create_directories(scratch, ec);

    shiftsr::training::DegradationOptions dopt;
    dopt.bicubicOnly = degradation == "bicubic";
    const shiftsr::training::RealEsrganDegradation degrade(dopt);
    const bool json = a.has("json");
    const Brisque brisque = Brisque::find();
    if (!brisque.available())
        std::cerr << "shiftsr-cli eval: BRISQUE model files not found (package opencv-data, or "
                     "SHIFTSR_BRISQUE_DIR): no perceptual score\n";
    double hrBrisque = 0, hrPeriodic = 0;
    for (size_t i = 0; i < photos.size(); ++i) {
        auto decoded = shiftsr::training::decodeCentreCrop8(photos[i], crop);
        if (!decoded)
            return evalError(decoded.status().message());
        const cv::Mat& hr = *decoded;
        cv::Mat rgb, f;
        cv::cvtColor(hr, rgb, cv::COLOR_BGR2RGB);
        rgb.convertTo(f, CV_32F, 1.0 / 255.0);
        std::mt19937_64 rng(std::uint64_t(seed) * 1000003ull + i);
        cv::Mat lqRgb = degrade.degrade(f, rng), lq;
        lqRgb.convertTo(lq, CV_8U, 255.0);
        cv::cvtColor(lq, lq, cv::COLOR_RGB2BGR);
        const std::string stem = safeName(fs::path(photos[i]).stem().string());
        if (brisque.available())
            hrBrisque += brisque.score(hr);
        hrPeriodic += shiftsr::metrics::periodicArtefactScore(hr, 4);
        if (!reportDir.empty()) {
            cv::Mat up;
            cv::resize(lq, up, hr.size(), 0, 0, cv::INTER_NEAREST);
            sheetLq.push_back(sheetCrop(up));
            sheetHr.push_back(sheetCrop(hr));
            sheetNames.push_back(fs::path(photos[i]).filename().string());
        }
        if (!saveDir.empty()) {
            cv::imwrite(saveDir + "/" + stem + "_hr.png", hr);
            cv::imwrite(saveDir + "/" + stem + "_lq.png", lq);
        }
        for (auto& m : methods) {
            const auto t0 = std::chrono::steady_clock::now();
            cv::Mat sr;
            if (m.model) {
                shiftsr::UpscaleSettings settings; // upscale's defaults, with eval's options
                settings.steps = m.steps;
                settings.seed = std::uint64_t(seed);
                settings.threads = threads;
                settings.tile = tile;
                shiftsr::UpscaleRequest req = settings.request();
                req.image = lq;
                auto r = shiftsr::Pipeline(m.model).run(req);
                if (!r)
                    return evalError(m.name + " on " + photos[i] + ": " + r.status().message());
                sr = r->image;
                m.peakRss = std::max(m.peakRss, r->peakRssBytes);
            } else if (!m.external.empty()) {
                const std::string in = (scratch / "lq.png").string(),
                                  out = (scratch / "sr.png").string();
                cv::imwrite(in, lq);
                fs::remove(out, ec);
                const std::string cmd =
                    replaceAll(replaceAll(m.external, "{in}", quoted(in)), "{out}", quoted(out)) +
                    " >/dev/null 2>&1";
                if (std::system(cmd.c_str()) != 0)
                    return evalError(m.name + " failed on " + photos[i] + ": " + cmd);
                sr = cv::imread(out, cv::IMREAD_COLOR);
                if (sr.empty())
                    return evalError(m.name + " wrote no image for " + photos[i]);
                if (sr.size() != hr.size())
                    cv::resize(sr, sr, hr.size(), 0, 0, cv::INTER_AREA);
            } else {
                cv::resize(lq, sr, hr.size(), 0, 0, cv::INTER_CUBIC);
            }
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            const double p = shiftsr::metrics::psnrY(sr, hr, 4),
                         s = shiftsr::metrics::ssimY(sr, hr, 4),
                         sh = shiftsr::metrics::sharpnessRatio(sr, hr, 4),
                         per = shiftsr::metrics::periodicArtefactScore(sr, 4);
            const double pr = shiftsr::metrics::psnrRgb(sr, hr, 4),
                         sr2 = shiftsr::metrics::ssimRgb(sr, hr, 4);
            const double bq = brisque.available() ? brisque.score(sr) : 0.0;
            m.brisque += bq;
            m.psnr += p;
            m.ssim += s;
            m.psnrRgb += pr;
            m.ssimRgb += sr2;
            m.sharp += sh;
            m.periodic += per;
            m.seconds += seconds;
            ++m.count;
            m.perImage.push_back(
                {{"photo", photos[i]},
                 {"psnr_y", p},
                 {"ssim_y", s},
                 {"psnr_rgb", pr},
                 {"ssim_rgb", sr2},
                 {"sharpness", sh},
                 {"periodic", per},
                 {"brisque", brisque.available() ? nlohmann::json(bq) : nlohmann::json()},
                 {"seconds", seconds}});
            if (!saveDir.empty())
                cv::imwrite(saveDir + "/" + stem + "_" + safeName(m.name) + ".png", sr);
            if (!reportDir.empty())
                m.sheetCrops.push_back(sheetCrop(sr));
        }
        if (!json)
            std::cerr << "\r" << i + 1 << "/" << photos.size() << " photos" << std::flush;
    }
    fs::remove_all(scratch, ec);
    if (!json)
        std::cerr << "\n";

    const double nPhotos = double(photos.size());
    nlohmann::json out = {{"hr_brisque", brisque.available() ? nlohmann::json(hrBrisque / nPhotos)
                                                             : nlohmann::json()},
                          {"hr_periodic", hrPeriodic / std::max(1.0, nPhotos)},
                          {"photos", photos.size()},
                          {"crop", crop},
                          {"degradation", degradation},
                          {"seed", seed},
                          {"scale", 4},
                          {"border", 4},
                          {"methods", nlohmann::json::array()}};
    for (auto& m : methods) {
        const double n = std::max(1, m.count);
        out["methods"].push_back(
            {{"name", m.name},
             {"psnr_y", m.psnr / n},
             {"ssim_y", m.ssim / n},
             {"psnr_rgb", m.psnrRgb / n},
             {"ssim_rgb", m.ssimRgb / n},
             {"sharpness", m.sharp / n},
             {"periodic", m.periodic / n},
             {"peak_rss_mb", m.peakRss / 1048576.0},
             {"brisque", brisque.available() ? nlohmann::json(m.brisque / n) : nlohmann::json()},
             {"seconds_per_image", m.seconds / n},
             {"output_megapixels_per_s", double(crop) * crop / 1e6 / std::max(1e-9, m.seconds / n)},
             {"images", m.perImage}});
    }
    if (!reportDir.empty()) {
        std::string command = "shiftsr-cli";
        for (int i = 1; i < argc; ++i)
            command += " " + quoted(argv[i]);
        const auto st = writeReport(reportDir, out, command, methods, sheetLq, sheetHr, sheetNames);
        if (!st)
            return evalError(st.message());
    }
    if (json) {
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    std::printf("%zu photos, %dx%d HR crops, %s degradation, x4, border 4\n", photos.size(), crop,
                crop, degradation.c_str());
    std::printf("%-60s %7s %7s %8s %8s %9s %8s %8s %8s\n", "method", "PSNR-Y", "SSIM-Y", "PSNR-RGB",
                "SSIM-RGB", "sharpness", "periodic", "BRISQUE", "s/image");
    std::printf("%-60s %7s %7s %8s %8s %9s %8.2f %8.2f %8s\n", "ground truth", "", "", "", "",
                "1.000", hrPeriodic / nPhotos, brisque.available() ? hrBrisque / nPhotos : 0.0, "");
    for (const auto& m : methods) {
        const double n = std::max(1, m.count);
        std::printf("%-60s %7.2f %7.4f %8.2f %8.4f %9.3f %8.2f %8.2f %8.2f\n", m.name.c_str(),
                    m.psnr / n, m.ssim / n, m.psnrRgb / n, m.ssimRgb / n, m.sharp / n,
                    m.periodic / n, m.brisque / n, m.seconds / n);
    }
    return 0;
}

} // namespace cli
