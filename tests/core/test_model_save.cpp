// saveOfficialModel + loading it back through the locator and every loader (io::Uploader):
// parameters and outputs must be identical; and `bench --random-weights tiny --save-model DIR`
// followed by `bench --model DIR` (runBench) reports the loading numbers.
#include <fstream>

#include <nlohmann/json.hpp>

#include "bench.h"
#include "golden.h"
#include "io/model_locator.h"
#include "io/upload.h"
#include "model_save.h"
#include "models/flux_vae.h"
#include "models/gemma3.h"
#include "models/jina_xlmr.h"
#include "models/nextdit.h"

using namespace newbie;
namespace fs = std::filesystem;

namespace {

struct Tiny {
  models::Gemma3Encoder gemma{nullptr};
  models::JinaTextTower jina{nullptr};
  models::NextDiT dit{nullptr};
  models::FluxVaeDecoder vae{nullptr};
};

Tiny buildTiny() {
  const torch::Device cpu(torch::kCPU);
  models::Gemma3Config gc = models::Gemma3Config::gemma3_4b();
  gc.vocabSize = 512, gc.hiddenSize = 32, gc.intermediateSize = 64, gc.numLayers = 4, gc.numHeads = 4;
  gc.numKvHeads = 2, gc.headDim = 8, gc.queryPreAttnScalar = 8, gc.slidingWindow = 4;
  gc.layerIsGlobal = {false, true, false, true};
  models::JinaXlmrConfig jc;
  jc.vocabSize = 300, jc.hiddenSize = 32, jc.numLayers = 2, jc.numHeads = 2, jc.intermediateSize = 64;
  models::NextDiTConfig dc = models::NextDiTConfig::newbieFull();
  dc.dim = 96, dc.nLayers = 2, dc.nHeads = 4, dc.nKvHeads = 2, dc.ffnHidden = 256, dc.adalnDim = 96;
  dc.capFeatDim = 32, dc.clipTextDim = 32, dc.axesDims = {8, 8, 8};
  models::FluxVaeConfig vc;
  vc.blockOutChannels = {8, 16, 16}, vc.normNumGroups = 4;
  models::VaeLoadOptions vo;
  Tiny t;
  t.gemma = models::gemma3RandomEncoder(gc, cpu, torch::kFloat32, 11);
  t.jina = models::jinaRandomTextTower(jc, cpu, torch::kFloat32, 12);
  t.dit = models::NextDiT(dc);
  t.dit->initRandom(13, cpu, torch::kFloat32);
  t.vae = models::randomFluxVae(vc, 14, vo);
  return t;
}

void expectSameParameters(const torch::nn::Module& a, const torch::nn::Module& b, const std::string& what) {
  const auto pa = a.named_parameters(true), pb = b.named_parameters(true);
  ASSERT_EQ(pa.size(), pb.size()) << what;
  for (const auto& kv : pa) {
    const torch::Tensor* other = pb.find(kv.key());
    ASSERT_NE(other, nullptr) << what << ": " << kv.key() << " missing after loading";
    EXPECT_TRUE(torch::equal(kv.value(), *other)) << what << ": " << kv.key();
  }
}

}  // namespace

TEST(ModelSave, OfficialLayoutLoadsBackIdentically) {
  c10::InferenceMode guard;
  Tiny t = buildTiny();
  const fs::path dir = test::tempDir("model_save") / "model";
  SaveModelOptions so;
  so.maxShardBytes = 40000;  // forces shards + index.json for the bigger components
  const auto info = saveOfficialModel(dir, *t.gemma, *t.jina, *t.dit, *t.vae, so);
  EXPECT_GT(info.files, 4);
  EXPECT_TRUE(fs::exists(dir / "model_index.json"));
  EXPECT_TRUE(fs::exists(dir / "transformer" / "diffusion_pytorch_model.safetensors.index.json"));

  const auto loc = io::locateModel({dir});
  EXPECT_EQ(loc.layout, io::Layout::Official);
  EXPECT_EQ(loc.transformer.naming, io::Naming::DitOriginal);
  EXPECT_EQ(loc.gemma.naming, io::Naming::GemmaHfMultimodal);
  EXPECT_EQ(loc.jina.naming, io::Naming::JinaHfMerged);
  EXPECT_EQ(loc.vae.naming, io::Naming::VaeDiffusers);

  const auto before = io::uploadTotals();
  const torch::Device cpu(torch::kCPU);
  const auto gj = test::readJson(loc.gemma.configFile), jj = test::readJson(loc.jina.configFile),
             tj = test::readJson(loc.transformer.configFile);
  auto gemma = models::loadGemma3Encoder(loc.gemma.store, &gj, cpu, torch::kFloat32);
  auto jina = models::loadJinaTextTower(loc.jina.store, &jj, cpu, torch::kFloat32);
  auto dit = models::loadNextDiT(loc.transformer.store, &tj, cpu, torch::kFloat32);
  models::VaeLoadOptions vo;
  auto vae = models::loadFluxVae(loc.vae.store, models::FluxVaeConfig::fromJsonFile(loc.vae.configFile), vo, "vae");
  const auto after = io::uploadTotals();
  // Every parameter went through the uploader (Gemma's unused last layer and final norm are not read).
  int64_t params = 0;
  for (const torch::nn::Module* m : {static_cast<const torch::nn::Module*>(t.gemma.get()),
                                     static_cast<const torch::nn::Module*>(t.jina.get()),
                                     static_cast<const torch::nn::Module*>(t.dit.get()),
                                     static_cast<const torch::nn::Module*>(t.vae.get())})
    for (const auto& p : m->parameters()) params += p.numel();
  EXPECT_EQ(after.bytes - before.bytes, static_cast<uint64_t>(params) * 4);

  expectSameParameters(*t.gemma, *gemma, "gemma");
  expectSameParameters(*t.jina, *jina, "jina");
  expectSameParameters(*t.dit, *dit, "dit");
  expectSameParameters(*t.vae, *vae, "vae");
  EXPECT_TRUE(t.dit->config().sameArchitecture(dit->config()));

  // Outputs (configs written faithfully: layer types, RoPE, eps, heads, groups). The weights are
  // bitwise equal (above); the loaded ones are views of the mapping with another alignment, and
  // BLAS libraries (MKL) may round differently per alignment, so allow float32 noise here: any
  // config mismatch changes the outputs by orders of magnitude more.
  auto ids = torch::randint(4, 300, {1, 9}, torch::kInt64);
  EXPECT_CLOSE(gemma->forward(ids), t.gemma->forward(ids), 1e-5, 1e-4);
  EXPECT_CLOSE(jina->forward(ids), t.jina->forward(ids), 1e-5, 1e-4);
  auto x = torch::randn({1, 16, 8, 8}), cap = torch::randn({1, 5, 32}), pooled = torch::randn({1, 32});
  auto tt = torch::full({1}, 0.3);
  EXPECT_CLOSE(dit->forward(x, tt, cap, {5}, pooled), t.dit->forward(x, tt, cap, {5}, pooled), 1e-5, 1e-4);
  EXPECT_CLOSE(vae->decodeModelLatent(x), t.vae->decodeModelLatent(x), 1e-5, 1e-4);

  // Converting load (fp32 file -> bf16 model) equals converting the parameters.
  auto ditBf16 = models::loadNextDiT(loc.transformer.store, &tj, cpu, torch::kBFloat16);
  for (const auto& kv : t.dit->named_parameters(true))
    EXPECT_TRUE(torch::equal(kv.value().to(torch::kBFloat16), *ditBf16->named_parameters(true).find(kv.key())))
        << kv.key();
}

TEST(ModelSave, BenchSavesTinyThenLoadsItWithLoadNumbers) {
  const fs::path dir = test::tempDir("bench_save") / "tiny";
  BenchOptions o;
  o.randomWeights = "tiny";
  o.device = "cpu";
  o.precision = Precision::FP32;
  o.width = o.height = 64;
  o.captionTokens = 8;
  o.warmup = 0;
  o.repeats = 1;
  o.endToEnd = false;
  o.saveModel = dir;
  const auto saved = runBench(o);
  EXPECT_EQ(saved["save_model_dir"], dir.string());
  EXPECT_GT(saved["save_tensor_bytes"].get<uint64_t>(), 0u);
  EXPECT_EQ(saved["load_bytes"].get<uint64_t>(), 0u);  // random weights: nothing read
  EXPECT_FALSE(saved.contains("dit_forward_ms"));       // saving returns right away

  o.saveModel.clear();
  o.model = {dir};
  const auto r = runBench(o);
  EXPECT_EQ(r["options"]["weights"], "model");
  EXPECT_GT(r["load_gb_per_s"].get<double>(), 0.0);
  const auto bytes = r["load_bytes"].get<uint64_t>();
  EXPECT_GT(bytes, 0u);
  EXPECT_LT(bytes, saved["save_tensor_bytes"].get<uint64_t>());  // Gemma's unused last layer is not read
  for (const char* k : {"gemma", "jina", "dit", "vae"}) EXPECT_GE(r["load_components_s"][k].get<double>(), 0.0) << k;
  EXPECT_NEAR(r["load_gb_per_s"].get<double>(), bytes / r["load_s"].get<double>() / 1e9, 1e-9);
  EXPECT_TRUE(r.contains("dit_forward_ms"));
  EXPECT_EQ(r["options"]["upload"], "pinned");

  o.pinnedUpload = false;  // the A/B switch: same bytes, and the switch is restored afterwards
  const auto plain = runBench(o);
  EXPECT_EQ(plain["options"]["upload"], "plain");
  EXPECT_EQ(plain["load_bytes"].get<uint64_t>(), bytes);
  EXPECT_TRUE(io::pinnedUploadEnabled());
}

TEST(ModelSaveCuda, LoadersThroughThePinnedPathMatchTheCpuLoad) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  c10::InferenceMode guard;
  Tiny t = buildTiny();
  const fs::path dir = test::tempDir("model_save_cuda") / "model";
  SaveModelOptions so;
  so.maxShardBytes = 40000;
  saveOfficialModel(dir, *t.gemma, *t.jina, *t.dit, *t.vae, so);
  const auto loc = io::locateModel({dir});
  const auto gj = test::readJson(loc.gemma.configFile), jj = test::readJson(loc.jina.configFile),
             tj = test::readJson(loc.transformer.configFile);
  const auto vc = models::FluxVaeConfig::fromJsonFile(loc.vae.configFile);
  const torch::Device cuda(torch::kCUDA, 0);
  for (auto dt : {torch::kFloat32, torch::kBFloat16}) {
    // The CUDA loads go through io::Uploader's pinned ring; the reference is the CPU module's
    // parameters converted with .to() (round-to-nearest-even on both sides: bitwise equal).
    auto same = [&](const torch::nn::Module& ref, const torch::nn::Module& got, const std::string& what) {
      const auto pr = ref.named_parameters(true), pg = got.named_parameters(true);
      ASSERT_EQ(pr.size(), pg.size()) << what;
      for (const auto& kv : pr) {
        const torch::Tensor* g = pg.find(kv.key());
        ASSERT_NE(g, nullptr) << what << ": " << kv.key();
        ASSERT_TRUE(g->is_cuda()) << what << ": " << kv.key();
        EXPECT_TRUE(torch::equal(g->cpu(), kv.value().to(g->scalar_type()))) << what << ": " << kv.key();
      }
    };
    same(*t.gemma, *models::loadGemma3Encoder(loc.gemma.store, &gj, cuda, dt), "gemma");
    same(*t.jina, *models::loadJinaTextTower(loc.jina.store, &jj, cuda, dt), "jina");
    same(*t.dit, *models::loadNextDiT(loc.transformer.store, &tj, cuda, dt), "dit");
    models::VaeLoadOptions vo;
    vo.device = cuda;
    vo.dtype = dt;
    same(*t.vae, *models::loadFluxVae(loc.vae.store, vc, vo, "vae"), "vae");
  }
}
