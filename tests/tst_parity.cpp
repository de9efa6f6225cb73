// Parity with the official ResShift code: UNet forward, codec, schedule, multi-step and one-step
// sampling against golden tensors, for tests/fixtures/resshift-tiny and every fixture folder under
// SHIFTSR_FIXTURE_DIR.
#include "parity_util.h"
#include "shiftsr/nn/layers.h"
#include "shiftsr/nn/sampler.h"
#include "testutil.h"

#include <QtTest>

using namespace shiftsr;

namespace {
constexpr double kLatentTol = 1e-4;  // latents, UNet outputs, sr_01
constexpr double kDecodedTol = 2e-4; // unclamped decodes
// bf16 compute vs official fp32 after the whole multi-step chain (random weights amplify rounding
// more than trained ones): relative L2 error of the final latent, share of VQ codebook indices
// that flip, mean |error| of the [0, 1] image (flipped indices dominate the max, so it is only
// reported).
constexpr double kBf16LatentRelTol = 0.05;
constexpr double kBf16IndexFlips = 0.05;
constexpr double kBf16MeanTol = 0.06;
} // namespace

class TestParity : public QObject {
    Q_OBJECT

private:
    std::map<QString, std::shared_ptr<FixtureCase>> cache_;

    std::shared_ptr<FixtureCase> fixture() {
        QFETCH(QString, dir);
        if (dir.isEmpty()) {
            [] {
                SHIFTSR_REQUIRE_FIXTURE(testutil::fixtureDir() + "/resshift-tiny/case.safetensors");
            }();
            return nullptr;
        }
        auto& slot = cache_[dir];
        if (!slot) {
            auto c = std::make_shared<FixtureCase>();
            const std::string err = c->load(dir);
            if (!err.empty()) {
                QTest::qFail(
                    qPrintable(
                        QStringLiteral("loading %1: %2").arg(dir, QString::fromStdString(err))),
                    __FILE__, __LINE__);
                return nullptr;
            }
            slot = c;
        }
        return slot;
    }

    static void casesData() {
        QTest::addColumn<QString>("dir");
        const QStringList cases = testutil::fixtureCases();
        // Missing fixtures fail: a parity suite that silently checks nothing is worse than none.
        // SHIFTSR_ALLOW_MISSING_FIXTURES=1 turns that into a skip for machines without them.
        if (cases.isEmpty())
            QTest::newRow("no-fixtures") << QString();
        for (const QString& c : cases)
            QTest::newRow(qPrintable(QDir(testutil::fixtureDir()).relativeFilePath(c))) << c;
    }

    static void expectClose(const char* what, const torch::Tensor& got, const torch::Tensor& want,
                            double tol) {
        QVERIFY2(got.defined(), what);
        QVERIFY2(got.sizes() == want.sizes(),
                 qPrintable(QStringLiteral("%1: shape mismatch").arg(what)));
        const double d = maxAbsDiff(got, want);
        QVERIFY2(d <= tol,
                 qPrintable(QStringLiteral("%1: max |diff| %2 > %3").arg(what).arg(d).arg(tol)));
    }

    static void expectEqualIndices(const char* what, const torch::Tensor& got,
                                   const torch::Tensor& want) {
        const auto g = got.to(torch::kLong), w = want.round().to(torch::kLong);
        QVERIFY2(g.sizes() == w.sizes(), what);
        const int64_t wrong = g.ne(w).sum().item<int64_t>();
        QVERIFY2(wrong == 0,
                 qPrintable(QStringLiteral("%1: %2 codebook indices differ").arg(what).arg(wrong)));
    }

private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(std::max(1, QThread::idealThreadCount())); }

    void schedule_data() { casesData(); }
    void schedule() {
        auto f = fixture();
        if (!f)
            return;
        const auto& s = *f->schedule;
        const std::pair<const char*, const std::vector<double>*> arrays[] = {
            {"sqrt_etas", &s.sqrtEtas},
            {"etas", &s.etas},
            {"etas_prev", &s.etasPrev},
            {"alpha", &s.alpha},
            {"posterior_variance", &s.posteriorVariance},
            {"posterior_variance_clipped", &s.posteriorVarianceClipped},
            {"posterior_log_variance_clipped", &s.posteriorLogVarianceClipped},
            {"posterior_mean_coef1", &s.posteriorMeanCoef1},
            {"posterior_mean_coef2", &s.posteriorMeanCoef2}};
        nlohmann::json f64;
        if (f->metadata.count("schedule_f64"))
            f64 = nlohmann::json::parse(f->metadata.at("schedule_f64"));
        for (const auto& [name, arr] : arrays) {
            const auto& want = f->t(std::string("schedule.") + name);
            QCOMPARE(want.numel(), int64_t(arr->size()));
            for (int i = 0; i < int(arr->size()); ++i) {
                // float32 casts must agree exactly; the float64 values to ~1e-12.
                QCOMPARE(float((*arr)[i]), want[i].item<float>());
                if (f64.contains(name))
                    QVERIFY2(std::abs(f64[name][i].get<double>() - (*arr)[i]) < 1e-12, name);
            }
        }
    }

    void unetForward_data() { casesData(); }
    void unetForward() {
        auto f = fixture();
        if (!f)
            return;
        c10::InferenceMode guard;
        nn::RunState::Debug dbg;
        nn::RunState state;
        state.debug = &dbg;
        auto out =
            f->unet->forward(f->t("unet_fwd.x_in"), f->t("unet_fwd.t").round().to(torch::kLong),
                             f->t("unet_fwd.lq"), &state);
        const std::pair<const char*, torch::Tensor> dbgs[] = {
            {"unet_fwd.dbg.temb", dbg.temb},
            {"unet_fwd.dbg.input_blocks0_out_b0", dbg.inputBlock0.slice(0, 0, 1)},
            {"unet_fwd.dbg.first_swin_in_b0",
             dbg.firstSwinIn.defined() ? dbg.firstSwinIn.slice(0, 0, 1) : torch::Tensor()},
            {"unet_fwd.dbg.first_swin_out_b0",
             dbg.firstSwinOut.defined() ? dbg.firstSwinOut.slice(0, 0, 1) : torch::Tensor()},
            {"unet_fwd.dbg.middle_out_b0", dbg.middle.slice(0, 0, 1)}};
        for (const auto& [name, got] : dbgs)
            if (f->tensors.count(name))
                expectClose(name, got, f->t(name), kLatentTol);
        expectClose("unet_fwd.out", out, f->t("unet_fwd.out"), kLatentTol);
    }

    void codec_data() { casesData(); }
    void codec() {
        auto f = fixture();
        if (!f)
            return;
        c10::InferenceMode guard;
        auto& vq = f->codec->model();
        auto latent = vq->encode(f->t("ae.image"));
        expectClose("ae.latent", latent, f->t("ae.latent"), kLatentTol);
        torch::Tensor idx;
        auto quant = vq->quantize(f->t("ae.latent"), &idx);
        expectEqualIndices("ae.quant_idx", idx, f->t("ae.quant_idx"));
        expectClose("ae.quant", quant, f->t("ae.quant"), kLatentTol);
        expectClose("ae.decoded", vq->decode(f->t("ae.latent")), f->t("ae.decoded"), kDecodedTol);
        expectClose("ae.decoded_noquant", vq->decode(f->t("ae.latent"), false),
                    f->t("ae.decoded_noquant"), kDecodedTol);
    }

    void multiStep_data() { casesData(); }
    void multiStep() {
        auto f = fixture();
        if (!f)
            return;
        c10::InferenceMode guard;
        const int T = f->schedule->steps();
        std::vector<torch::Tensor> noise{f->t("sample.noise_xT")};
        for (int k = 0; k < T; ++k)
            noise.push_back(f->t("sample.noise_steps")[k]);
        SuppliedNoise source(noise);
        DiffusionParts parts{f->unet.get(), f->codec.get(), f->schedule.get(),
                             f->sampler.value("padding_offset", f->unet->config().lqSize)};
        SampleTrace trace;
        auto sr = superResolve(parts, f->t("sample.lq_m11"), source, {}, {}, &trace);
        expectClose("sample.lq_padded", trace.lqPadded, f->t("sample.lq_padded"), 0.0);
        expectClose("sample.lq_up", trace.lqUp, f->t("sample.lq_up"), 1e-5);
        expectClose("sample.z_y", trace.zY, f->t("sample.z_y"), kLatentTol);
        expectClose("sample.x_T", trace.xT, f->t("sample.x_T"), kLatentTol);
        QCOMPARE(int(trace.stepPredX0.size()), T);
        for (int k = 0; k < T; ++k) {
            const std::string i = std::to_string(k);
            expectClose(("sample.step_x[" + i + "]").c_str(), trace.stepX[k],
                        f->t("sample.step_x")[k], kLatentTol);
            expectClose(("sample.step_model_in[" + i + "]").c_str(), trace.stepModelIn[k],
                        f->t("sample.step_model_in")[k], kLatentTol);
            expectClose(("sample.step_pred_x0[" + i + "]").c_str(), trace.stepPredX0[k],
                        f->t("sample.step_pred_x0")[k], kLatentTol);
            expectClose(("sample.step_mean[" + i + "]").c_str(), trace.stepMean[k],
                        f->t("sample.step_mean")[k], kLatentTol);
            expectClose(("sample.step_z[" + i + "]").c_str(), trace.stepZ[k],
                        f->t("sample.step_z")[k], kLatentTol);
        }
        expectClose("sample.z_final", trace.zFinal, f->t("sample.z_final"), kLatentTol);
        torch::Tensor idx;
        f->codec->model()->quantize(trace.zFinal, &idx);
        expectEqualIndices("sample.quant_idx", idx, f->t("sample.quant_idx"));
        expectClose("sample.decoded", trace.decoded, f->t("sample.decoded"), kDecodedTol);
        expectClose("sample.sr_01", sr * 0.5 + 0.5, f->t("sample.sr_01"), kLatentTol);
    }

    void oneStep_data() { casesData(); }
    void oneStep() {
        auto f = fixture();
        if (!f)
            return;
        c10::InferenceMode guard;
        SuppliedNoise source({f->t("sample.noise_xT")});
        DiffusionParts parts{f->unet.get(), f->codec.get(), f->schedule.get(),
                             f->sampler.value("padding_offset", f->unet->config().lqSize)};
        SampleTrace trace;
        SampleOptions o;
        o.mode = SamplerMode::OneStep;
        auto sr = superResolve(parts, f->t("sample.lq_m11"), source, o, {}, &trace);
        expectClose("onestep.x_T", trace.xT, f->t("onestep.x_T"), kLatentTol);
        expectClose("onestep.model_in", trace.stepModelIn.at(0), f->t("onestep.model_in"),
                    kLatentTol);
        expectClose("onestep.pred_x0", trace.zFinal, f->t("onestep.pred_x0"), kLatentTol);
        torch::Tensor idx;
        f->codec->model()->quantize(trace.zFinal, &idx);
        expectEqualIndices("onestep.quant_idx", idx, f->t("onestep.quant_idx"));
        expectClose("onestep.decoded", trace.decoded, f->t("onestep.decoded"), kDecodedTol);
        expectClose("onestep.sr_01", sr * 0.5 + 0.5, f->t("onestep.sr_01"), kLatentTol);
    }

    // Per-module bf16 (convolutions and linear layers in bf16; norms, softmax, residual sums and
    // the sampler in fp32) against the official fp32 output. The bound is what --precision auto
    // promises (the k*Bf16* constants above).
    void bf16WithinBound_data() { casesData(); }
    void bf16WithinBound() {
        QFETCH(QString, dir);
        if (dir.isEmpty() && !fixture())
            return;
        FixtureCase f;
        const std::string err = f.load(dir);
        QVERIFY2(err.empty(), err.c_str());
        nn::setComputeDtype(*f.unet, torch::kBFloat16);
        nn::setComputeDtype(*f.codec->model(), torch::kBFloat16);
        c10::InferenceMode guard;
        const int T = f.schedule->steps();
        std::vector<torch::Tensor> noise{f.t("sample.noise_xT")};
        for (int k = 0; k < T; ++k)
            noise.push_back(f.t("sample.noise_steps")[k]);
        SuppliedNoise source(noise);
        DiffusionParts parts{f.unet.get(), f.codec.get(), f.schedule.get(),
                             f.sampler.value("padding_offset", f.unet->config().lqSize)};
        SampleTrace trace;
        auto sr = superResolve(parts, f.t("sample.lq_m11"), source, {}, {}, &trace) * 0.5 + 0.5;
        {
            auto want = f.t("sample.z_final");
            const double rel = ((trace.zFinal - want).norm() / want.norm()).item<double>();
            torch::Tensor idx;
            f.codec->model()->quantize(trace.zFinal, &idx);
            const auto flips = idx.to(torch::kLong)
                                   .ne(f.t("sample.quant_idx").round().to(torch::kLong))
                                   .sum()
                                   .item<int64_t>();
            qInfo("z_final relative error %.5f, %lld of %lld codebook indices differ", rel,
                  (long long)flips, (long long)idx.numel());
            QVERIFY2(rel <= kBf16LatentRelTol,
                     qPrintable(QString("latent relative error %1").arg(rel)));
            QVERIFY2(double(flips) <= kBf16IndexFlips * double(idx.numel()),
                     qPrintable(QString("%1 codebook indices differ").arg(flips)));
        }
        QCOMPARE(sr.scalar_type(), torch::kFloat);
        const auto diff = (sr - f.t("sample.sr_01")).abs();
        const double mean = diff.mean().item<double>(), max = diff.max().item<double>();
        qInfo("bf16 vs official fp32: mean |diff| %.5f, max |diff| %.5f", mean, max);
        QVERIFY2(mean <= kBf16MeanTol,
                 qPrintable(QString("mean |diff| %1 > %2").arg(mean).arg(kBf16MeanTol)));
        QVERIFY(mean > 0); // the weights really are bf16
    }

    void swinMaskQuirk() {
        // Only rows get labels (the h-slices hit the size-1 axis) and each window is transposed:
        // for 16x16 with window 8 and shift 4, the bottom window row masks by token column.
        auto m = nn::swinShiftMask(16, 16, 8, 4);
        QCOMPARE(m.size(0), int64_t(4));
        QCOMPARE(m[0].abs().sum().item<double>(), 0.0); // top-left window: one label
        QCOMPARE(m[1].abs().sum().item<double>(), 0.0); // top-right window: wrap in W never masked
        // Bottom windows: token p gets label of window-row (p % 8): rows 8..11 -> 7, rows 12..15
        // -> 8.
        for (int64_t w : {2, 3}) {
            QCOMPARE(m[w][0][1].item<float>(), 0.0f);    // columns 0 and 1: both label 7
            QCOMPARE(m[w][0][4].item<float>(), -100.0f); // column 0 (7) vs column 4 (8)
            QCOMPARE(m[w][0][8].item<float>(), 0.0f);    // next row, same column
        }
    }
};

QTEST_GUILESS_MAIN(TestParity)
#include "tst_parity.moc"
