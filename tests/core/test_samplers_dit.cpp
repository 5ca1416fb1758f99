// Full sampler traces WITH the tiny golden DiT (pipeline/model/transformer): conditioning and noise of
// the pipeline case, every sampler / CFG variant of sampler/traces*.safetensors, all states at 1e-4.
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "golden.h"
#include "models/nextdit.h"
#include "sampling/noise.h"
#include "sampling/samplers.h"

using namespace newbie;
using namespace newbie::sampling;

namespace {

constexpr double kTol = 1e-4;

struct Dit {
  models::NextDiT net{nullptr};
  torch::Tensor capFeats, pooled;  // [2,240,40], [2,32]; rows = [cond, uncond]
  std::vector<int64_t> lens;
  int calls = 0;

  Dit() {
    const auto dir = test::goldenDir() / "pipeline";
    auto store = io::TensorStore::open(dir / "model/transformer/diffusion_pytorch_model.safetensors");
    std::ifstream f(dir / "model/transformer/config.json");
    auto cfg = nlohmann::json::parse(f);
    net = models::loadNextDiT(store, &cfg, torch::kCPU, torch::kFloat32);
    auto g = test::golden("pipeline/expected/golden.safetensors");
    capFeats = g.tensor("cap_feats");
    pooled = g.tensor("clip_text_pooled");
    lens = models::captionLengths(g.tensor("gemma_attention_mask"));
  }

  ModelEval eval() {
    return [this](const torch::Tensor& x, double t, bool wantUncond) {
      c10::InferenceMode guard;
      ++calls;
      if (wantUncond) {
        auto xx = torch::cat({x, x});
        auto tt = torch::full({2}, t, torch::kFloat32);
        auto v = net->forward(xx, tt, capFeats, lens, pooled);
        return ModelOutput{v.slice(0, 0, 1), v.slice(0, 1, 2)};
      }
      auto tt = torch::full({1}, t, torch::kFloat32);
      auto v = net->forward(x, tt, capFeats.slice(0, 0, 1), {lens[0]}, pooled.slice(0, 0, 1));
      return ModelOutput{v, torch::Tensor()};
    };
  }
};

Dit& dit() {
  static Dit d;
  return d;
}

double runAndCompare(const std::string& what, const SampleRequest& req, const Guidance& g, const torch::Tensor& golden,
                     double lastTol = kTol) {
  std::vector<torch::Tensor> states;
  SampleHooks h;
  h.onStep = [&](const StepEvent& e) { states.push_back(e.x.clone()); };
  auto noise = loadNoise(test::goldenDir() / "pipeline/expected/noise.safetensors", {1, 16, 8, 6});
  auto out = sample(req, noise, dit().eval(), g, h);
  std::vector<torch::Tensor> all{noise[0]};
  for (auto& s : states) all.push_back(s[0]);
  EXPECT_EQ(static_cast<int64_t>(all.size()), golden.size(0)) << what;
  if (static_cast<int64_t>(all.size()) != golden.size(0)) return 1e9;
  auto a = torch::stack(all);
  const int64_t n = golden.size(0);
  auto c1 = test::compare(a.slice(0, 0, n - 1), golden.slice(0, 0, n - 1), kTol, kTol);
  auto c2 = test::compare(a[n - 1], golden[n - 1], lastTol, lastTol);
  EXPECT_LE(c1.worstRatio, 1.0) << what << ": " << c1.describe();
  EXPECT_LE(c2.worstRatio, 1.0) << what << " last: " << c2.describe();
  EXPECT_TRUE(torch::equal(out[0], a[n - 1]));
  std::cout << "[measure] DiT " << what << " max_abs=" << std::max(c1.maxAbs, c2.maxAbs) << "\n";
  return std::max(c1.maxAbs, c2.maxAbs);
}

Guidance plain() {
  Guidance g;
  g.scale = 4.5;
  return g;
}

}  // namespace

TEST(SamplersDit, EulerPlainCfg) {
  auto t = test::golden("sampler/traces.safetensors");
  runAndCompare("euler_cfg", {"euler", "", 6}, plain(), t.tensor("euler_cfg_latents"));
}

TEST(SamplersDit, DiffusersCfgNormTrunc07) {
  auto t = test::golden("sampler/traces.safetensors");
  Guidance g = plain();
  g.cfgTrunc = 0.7;
  g.truncRule = Guidance::TruncRule::StepRatio;
  g.cfgNormalization = true;
  runAndCompare("diffusers_cfgnorm_trunc0.7", {"euler", "", 6}, g, t.tensor("diffusers_cfgnorm_trunc0.7_latents"));
}

TEST(SamplersDit, OfficialEulerTruncRenorm) {
  auto t = test::golden("sampler/traces.safetensors");
  Guidance g = plain();
  g.cfgTrunc = 0.25;
  g.renorm = 1.0;
  const int before = dit().calls;
  runAndCompare("official_euler_cfgtrunc0.25_renorm1.0", {"euler_official", "", 6}, g,
                t.tensor("official_euler_cfgtrunc0.25_renorm1.0_latents"));
  EXPECT_EQ(dit().calls - before, 5);
}

TEST(SamplersDit, OfficialMidpoint) {
  auto t = test::golden("sampler/traces.safetensors");
  const int before = dit().calls;
  runAndCompare("official_midpoint_cfg", {"midpoint", "", 6}, plain(), t.tensor("official_midpoint_cfg_latents"));
  EXPECT_EQ(dit().calls - before, 10);
}

struct ExtraCase {
  std::string prefix, sampler, schedule;
  TimeConvention time;
  double lastTol;
};
class SamplersDitExtra : public ::testing::TestWithParam<ExtraCase> {};

TEST_P(SamplersDitExtra, Trace) {
  const auto& c = GetParam();
  auto x = test::golden("sampler/traces_extra.safetensors");
  SampleRequest r{c.sampler, c.schedule, 8, 6.0, c.time};
  runAndCompare(c.prefix, r, plain(), x.tensor(c.prefix + "_latents"), c.lastTol);
}

INSTANTIATE_TEST_SUITE_P(
    All, SamplersDitExtra,
    ::testing::Values(ExtraCase{"comfy_dpmpp_2m", "dpmpp_2m", "", TimeConvention::Sigma, kTol},
                      ExtraCase{"comfy_res_multistep", "res_multistep", "", TimeConvention::Sigma, kTol},
                      ExtraCase{"comfy_uni_pc_bh2", "uni_pc_bh2", "", TimeConvention::Sigma, 1e-3},
                      ExtraCase{"comfy_uni_pc_bh2_custom", "uni_pc_bh2", "simple", TimeConvention::Sigma, 1e-3},
                      ExtraCase{"diffusers_dpmpp_2m", "dpmpp_2m_diffusers", "", TimeConvention::IntTimestep, kTol},
                      ExtraCase{"diffusers_dpmpp_2m_tsigma", "dpmpp_2m_diffusers", "", TimeConvention::Sigma, kTol},
                      ExtraCase{"diffusers_unipc_bh2", "unipc", "", TimeConvention::IntTimestep, kTol},
                      ExtraCase{"diffusers_unipc_bh2_tsigma", "unipc", "", TimeConvention::Sigma, kTol},
                      ExtraCase{"diffusers_unipc_bh2_pipegrid", "unipc", "unipc_diffusers", TimeConvention::IntTimestep,
                                kTol}),
    [](const ::testing::TestParamInfo<ExtraCase>& i) { return i.param.prefix; });
