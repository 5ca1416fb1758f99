#include <cmath>

#include "api/types.h"
#include "golden.h"
#include "sampling/schedules.h"

using namespace newbie;
using namespace newbie::sampling;

namespace {

torch::Tensor vecT(const std::vector<double>& v) {
  return torch::tensor(v, torch::TensorOptions().dtype(torch::kFloat64));
}
torch::Tensor modelTimes(const Schedule& s) {
  std::vector<double> t;
  for (int i = 0; i < s.steps(); ++i) t.push_back(s.modelTime(i));
  return vecT(t);
}

const std::vector<int> kSteps = {1, 2, 6, 8, 20, 28, 50};

}  // namespace

TEST(Schedules, GridsMatchGolden) {
  auto g = test::golden("sampler/grids.safetensors");
  for (int n : kSteps) {
    SCOPED_TRACE("N=" + std::to_string(n));
    const std::string ns = std::to_string(n);
    auto d = diffusersSigmas(n);
    EXPECT_CLOSE(vecT(d), g.tensor("diffusers_sigmas_N" + ns), 1e-6, 0);
    std::vector<double> ts(d.begin(), d.end() - 1);
    // timesteps = σ·1000 (fp32 σ times 1000): compare on the σ scale at the sigma tolerance 1e-6
    EXPECT_CLOSE(vecT(ts), g.tensor("diffusers_timesteps_N" + ns).to(torch::kFloat64) / 1000.0, 1e-6, 0);
    EXPECT_CLOSE(vecT(comfySimpleSigmas(n)), g.tensor("comfy_simple_sigmas_N" + ns), 1e-6, 0);
    EXPECT_CLOSE(vecT(officialTimes(n)), g.tensor("official_t_N" + ns), 1e-6, 0);
    // makeSchedule("official") is the same grid as σ = 1 − t.
    auto off = makeSchedule("official", n);
    EXPECT_EQ(off.steps(), n - 1);
    if (n > 1) EXPECT_CLOSE(modelTimes(off), g.tensor("official_t_N" + ns).slice(0, 0, n - 1), 1e-6, 0);
  }
}

TEST(Schedules, SimpleEqualsDiffusersOnlyWhenNDivides1000) {
  auto a = vecT(comfySimpleSigmas(28)), b = vecT(diffusersSigmas(28));
  EXPECT_GT((a - b).abs().max().item<double>(), 2e-3);
  EXPECT_LT((vecT(comfySimpleSigmas(8)) - vecT(diffusersSigmas(8))).abs().max().item<double>(), 1e-12);
}

TEST(Schedules, TraceGridsMatchGolden) {
  auto x = test::golden("sampler/traces_extra.safetensors");
  auto t = test::golden("sampler/traces.safetensors");
  EXPECT_CLOSE(vecT(officialTimes(6)), t.tensor("official_t_grid"), 1e-6, 0);
  EXPECT_CLOSE(vecT(makeSchedule("simple", 8).sigmas), x.tensor("comfy_dpmpp_2m_sigmas"), 1e-6, 0);
  EXPECT_CLOSE(vecT(makeSchedule("simple", 8).sigmas), x.tensor("comfy_res_multistep_sigmas"), 1e-6, 0);
  EXPECT_CLOSE(vecT(makeSchedule("simple", 8).sigmas), x.tensor("comfy_uni_pc_bh2_custom_sigmas"), 1e-6, 0);
  EXPECT_CLOSE(vecT(makeSchedule("simple_discard", 8).sigmas), x.tensor("comfy_uni_pc_bh2_sigmas"), 1e-6, 0);

  struct Case {
    const char* prefix;
    const char* grid;
    const char* tsKey;  // prefix holding _timesteps
    TimeConvention time;
  };
  const Case cases[] = {
      {"diffusers_dpmpp_2m", "dpm_flow", "diffusers_dpmpp_2m", TimeConvention::IntTimestep},
      {"diffusers_dpmpp_2m_tsigma", "dpm_flow", "diffusers_dpmpp_2m", TimeConvention::Sigma},
      {"diffusers_unipc_bh2", "unipc_flow", "diffusers_unipc_bh2", TimeConvention::IntTimestep},
      {"diffusers_unipc_bh2_tsigma", "unipc_flow", "diffusers_unipc_bh2", TimeConvention::Sigma},
      {"diffusers_unipc_bh2_pipegrid", "unipc_diffusers", "diffusers_unipc_bh2_pipegrid", TimeConvention::IntTimestep},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.prefix);
    auto s = makeSchedule(c.grid, 8, 6.0, c.time);
    EXPECT_CLOSE(vecT(s.sigmas), x.tensor(std::string(c.tsKey) + "_sigmas"), 1e-6, 0);
    auto ts = x.tensor(std::string(c.tsKey) + "_timesteps");
    EXPECT_TRUE(torch::equal(torch::tensor(s.timesteps, torch::kInt64), ts))
        << torch::tensor(s.timesteps, torch::kInt64) << ts;
    EXPECT_CLOSE(modelTimes(s), x.tensor(std::string(c.prefix) + "_model_t"), 1e-6, 0);
  }
}

TEST(Schedules, PipelineGoldenGrid) {
  auto p = test::golden("pipeline/expected/golden.safetensors");
  auto s = makeSchedule("diffusers", 6);
  EXPECT_CLOSE(vecT(s.sigmas), p.tensor("sigmas"), 1e-6, 0);
  EXPECT_CLOSE(modelTimes(s), p.tensor("model_t"), 1e-6, 0);
}

TEST(Schedules, ErrorsNameTheField) {
  try {
    makeSchedule("karras", 8);
    FAIL() << "no throw";
  } catch (const InvalidParamsError& e) {
    EXPECT_NE(std::string(e.what()).find("karras"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("diffusers"), std::string::npos);
  }
  EXPECT_THROW(makeSchedule("diffusers", 0), InvalidParamsError);
  EXPECT_THROW(makeSchedule("diffusers", 8, -1.0), InvalidParamsError);
  EXPECT_EQ(makeSchedule("official", 1).steps(), 0);
  EXPECT_EQ(makeSchedule("simple_discard", 8).sigmas.size(), 9u);
}
