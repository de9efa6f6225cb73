// Helpers of the training tests (see train_testutil.h).
#include "train_testutil.h"

#include "shiftsr/nn/tensor_io.h"
#include "testutil.h"

#include "shiftsr/engine/safetensors.h"
#include "shiftsr/training/teacher.h"

#include <QDir>
#include <QJsonDocument>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <random>

namespace testutil {

void makePhotos(const QString& dir, int n, int width, int height, unsigned seed) {
    QDir().mkpath(dir);
    std::mt19937 rng(seed);
    for (int i = 0; i < n; ++i) {
        cv::Mat img(height, width, CV_8UC3);
        for (int y = 0; y < img.rows; ++y)
            for (int x = 0; x < img.cols; ++x)
                img.at<cv::Vec3b>(y, x) =
                    cv::Vec3b(uchar((x * 2 + i * 30) % 256), uchar((y * 2 + i * 50) % 256),
                              uchar((x + y + i * 70) % 256));
        for (int k = 0; k < 6; ++k)
            cv::circle(img, {int(rng() % unsigned(width)), int(rng() % unsigned(height))},
                       5 + int(rng() % 20), cv::Scalar(rng() % 256, rng() % 256, rng() % 256), -1,
                       cv::LINE_AA);
        cv::imwrite(QDir(dir).filePath(QStringLiteral("p%1.png").arg(i)).toStdString(), img);
    }
}

std::vector<QJsonObject> readRunLog(const QString& runDir) {
    std::vector<QJsonObject> out;
    for (const QByteArray& line : readAll(runDir + "/log.jsonl").split('\n'))
        if (!line.trimmed().isEmpty())
            out.push_back(QJsonDocument::fromJson(line).object());
    return out;
}

std::vector<double> logSeries(const std::vector<QJsonObject>& log, const char* key) {
    std::vector<double> out;
    for (const QJsonObject& line : log)
        if (line.contains(key))
            out.push_back(line[key].toDouble());
    return out;
}

std::vector<double> logSeries(const QString& runDir, const char* key) {
    return logSeries(readRunLog(runDir), key);
}

std::map<std::string, torch::Tensor> latestCheckpoint(const QString& runDir) {
    const QByteArray name = readAll(runDir + "/checkpoints/latest.txt").trimmed();
    auto f = shiftsr::SafeTensorsFile::open(
        (runDir + "/checkpoints/" + QString::fromUtf8(name)).toStdString());
    if (!f)
        return {};
    auto t = shiftsr::readTensors(*f);
    return t ? *t : std::map<std::string, torch::Tensor>{};
}

shiftsr::training::TrainJob tinyJob(const QString& photos, std::uint64_t seed) {
    shiftsr::training::TrainJob j;
    j.preset = "tiny";
    j.trainFolders = {photos.toStdString()};
    j.gtSize = 64;
    j.minSide = 64;
    j.batch = 2;
    j.logEvery = 1;
    j.validateEvery = 1000;
    j.checkpointEvery = 2;
    j.valCount = 1;
    j.valSize = 64;
    j.threads = 1;
    j.workers = 1;
    j.degradation = "bicubic";
    j.seed = seed;
    return j;
}

QString trainTinyTeacher(const QString& photos, const QString& runDir, std::uint64_t seed,
                         std::string* error) {
    shiftsr::training::TrainJob t = tinyJob(photos, seed);
    t.steps = 6;
    t.lr = 2e-3;
    t.warmup = 1;
    t.checkpointEvery = 6;
    shiftsr::training::RunOptions ro;
    ro.runDir = runDir.toStdString();
    const shiftsr::Status s = shiftsr::training::runTraining(t, ro);
    if (!s) {
        *error = s.message();
        return {};
    }
    return QDir(runDir).filePath("model.safetensors");
}

QJsonObject provenanceOf(const shiftsr::Model& model) {
    return QJsonDocument::fromJson(
               QByteArray::fromStdString(model.info().metadata.at("provenance")))
        .object();
}

} // namespace testutil
