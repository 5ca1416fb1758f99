// The fused Next-DiT kernels (core/cuda/dit_fused.h) against the plain LibTorch path they replace
// (models/nextdit_block.cpp), on the GPU machine. Built only with NEWBIE_ENABLE_CUDA_KERNELS.
//
// Tolerances: the kernels round at the same points as the plain path, so results differ only where
// a float32 row reduction (summed in another order than LibTorch's) or a fused multiply-add lands on
// the other side of a rounding boundary. Such a one-ulp change of a normalised input carries into
// outputs that cancel towards zero (x + r*s, u0*c - u1*s), so the bound is one unit in the last place
// at the tensor's largest magnitude (1e-6 of it in float32), and in bf16/fp16 at most 1 in 1000
// elements may differ at all.
#include <cmath>
#include <iostream>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "cuda/dit_fused.h"
#include "models/nextdit.h"
#include "models/nextdit_block.h"
#include "models/rope.h"

namespace nd = newbie::models::nextdit;
using torch::Tensor;

namespace {

#define NEED_CUDA() \
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: runs on the GPU machine"

struct PlainPaths {  // the plain LibTorch path for the lifetime of the guard
  nd::FastPaths saved = nd::fastPaths();
  PlainPaths() { nd::setFastPaths({false, false}); }
  ~PlainPaths() { nd::setFastPaths(saved); }
};

torch::TensorOptions on(torch::ScalarType dt) { return torch::TensorOptions().device(torch::kCUDA).dtype(dt); }

/// Every element within `ulps` units in the last place of `want` (1e-5 relative for float32), and at
/// most `maxFraction` of the elements not bit-identical.
void expectSameRounding(const Tensor& got, const Tensor& want, const std::string& what, double maxFraction = 1e-3,
                        double ulps = 1.0) {
  ASSERT_EQ(got.sizes(), want.sizes()) << what;
  ASSERT_EQ(got.scalar_type(), want.scalar_type()) << what;
  auto g = got.to(torch::kCPU, torch::kFloat64), w = want.to(torch::kCPU, torch::kFloat64);
  const auto st = want.scalar_type();
  const double rel = st == torch::kBFloat16 ? std::ldexp(1.0, -7) : st == torch::kFloat16 ? std::ldexp(1.0, -10) : 1e-6;
  auto diff = (g - w).abs();
  const double tol = w.abs().max().item<double>() * rel * ulps + 1e-30;
  const double worst = diff.max().item<double>() / tol;
  const double frac = (diff > 0).to(torch::kFloat64).mean().item<double>();
  std::cout << "[measure] " << what << ": max diff " << diff.max().item<double>() << " (" << worst
            << " of the tolerance), " << frac * 100 << "% elements not bit-identical\n";
  EXPECT_LE(worst, 1.0) << what;
  if (st != torch::kFloat32) {
    EXPECT_LE(frac, maxFraction) << what;
  }
}

const torch::ScalarType kTypes[] = {torch::kFloat32, torch::kBFloat16, torch::kFloat16};

/// Per-sample scales as the DiT passes them: [G, 1, D] views with a sample stride larger than D.
Tensor perSampleScale(int64_t G, int64_t D, torch::ScalarType dt, int seed) {
  torch::manual_seed(seed);
  auto table = (1 + 0.3 * torch::randn({G, 5, 2, D}, on(torch::kFloat32))).to(dt);
  return table.select(1, 3).select(1, 1).unsqueeze(1);  // [G,1,D], stride(0) = 10*D
}

}  // namespace

TEST(CudaDitFused, RmsNormScaleMatchesPlainPath) {
  NEED_CUDA();
  for (auto dt : kTypes) {
    torch::manual_seed(1);
    const int64_t G = 2, S = 37, D = 2304;
    auto x = (3 * torch::randn({G, S, D}, on(torch::kFloat32)) + 0.5).to(dt);
    auto shared = (1 + 0.2 * torch::randn({D}, on(torch::kFloat32))).to(dt);
    auto perSample = perSampleScale(G, D, dt, 2);
    ASSERT_GT(perSample.stride(0), D);
    expectSameRounding(newbie::cuda::rmsNormScale(x, shared, 1e-5), nd::rmsNorm(x, shared, 1e-5),
                       std::string("rmsNormScale shared ") + c10::toString(dt));
    expectSameRounding(newbie::cuda::rmsNormScale(x, perSample, 1e-5), nd::rmsNorm(x, perSample, 1e-5),
                       std::string("rmsNormScale per-sample ") + c10::toString(dt));
    // Odd row length (not a multiple of the block size or of 8).
    auto y = torch::randn({1, 5, 203}, on(torch::kFloat32)).to(dt);
    auto s = torch::rand({203}, on(torch::kFloat32)).to(dt);
    expectSameRounding(newbie::cuda::rmsNormScale(y, s, 1e-6), nd::rmsNorm(y, s, 1e-6),
                       std::string("rmsNormScale D=203 ") + c10::toString(dt));
  }
}

TEST(CudaDitFused, ResidualNormMatchesAddcmulThenNorm) {
  NEED_CUDA();
  for (auto dt : kTypes) {
    torch::manual_seed(3);
    const int64_t G = 2, S = 41, D = 2304;
    auto x0 = (2 * torch::randn({G, S, D}, on(torch::kFloat32))).to(dt);
    auto a = (5 * torch::randn({G, S, D}, on(torch::kFloat32)) - 1).to(dt);
    auto outS = perSampleScale(G, D, dt, 4);
    auto inS = (1 + 0.1 * torch::randn({D}, on(torch::kFloat32))).to(dt);

    auto xPlain = x0.clone();
    xPlain.addcmul_(nd::rmsNormalize(a, 1e-5), outS);
    auto nPlain = nd::rmsNorm(xPlain, inS, 1e-5);

    auto xFused = x0.clone();
    auto nFused = newbie::cuda::residualNorm(xFused, a, outS, inS, 1e-5);
    expectSameRounding(xFused, xPlain, std::string("residualNorm x ") + c10::toString(dt));
    expectSameRounding(nFused, nPlain, std::string("residualNorm next input ") + c10::toString(dt), 2e-3);

    auto xEnd = x0.clone();
    EXPECT_FALSE(newbie::cuda::residualNorm(xEnd, a, outS, Tensor(), 1e-5).defined());
    expectSameRounding(xEnd, xPlain, std::string("residualNorm block end ") + c10::toString(dt));
  }
}

TEST(CudaDitFused, QkNormRopeMatchesNormThenApplyRope) {
  NEED_CUDA();
  const int64_t nh = 24, nkv = 8, hd = 96, heads = nh + nkv, half = hd / 2;
  nd::RopeTables rope({32, 32, 32}, 10000.0);
  for (auto dt : kTypes) {
    torch::manual_seed(5);
    // Equal lengths: one table [1, S, 1, half]; unequal: per-sample tables [2, S, 1, half].
    const int64_t L = 5, hp = 4, wp = 7, S = L + hp * wp, B = 2;
    auto qkv = (2 * torch::randn({B, S, (nh + 2 * nkv) * hd}, on(torch::kFloat32))).to(dt);
    auto w = (1 + 0.2 * torch::randn({heads, hd}, on(torch::kFloat32))).to(dt);
    auto table = rope.joint(L, hp, wp, torch::kCUDA);
    auto shared = table.view({1, S, 1, half});
    auto other = rope.joint(L - 2, hp, wp, torch::kCUDA);
    auto perSample = torch::stack({table, torch::cat({other, torch::ones({2, half}, other.options())}, 0)})
                         .view({B, S, 1, half});
    auto qk = qkv.narrow(-1, 0, heads * hd).view({B, S, heads, hd});
    for (const auto& [cis, name] : {std::pair<Tensor, const char*>{shared, "shared"}, {perSample, "per-sample"}}) {
      auto plain = nd::applyRope(nd::rmsNormalize(qk, 1e-5).mul_(w).to(torch::kFloat32), cis).to(dt);
      auto fused = newbie::cuda::qkNormRope(qkv, heads, hd, w, cis, 1e-5);
      expectSameRounding(fused, plain, std::string("qkNormRope ") + name + " " + c10::toString(dt));
      // Without q/k norm: RoPE only.
      auto plainNoNorm = nd::applyRope(qk.to(torch::kFloat32).contiguous(), cis).to(dt);
      expectSameRounding(newbie::cuda::qkNormRope(qkv, heads, hd, Tensor(), cis, 1e-5), plainNoNorm,
                         std::string("rope only ") + name + " " + c10::toString(dt));
    }
  }
}

// Head sizes that are not whole 16-byte vectors take the scalar kernel.
TEST(CudaDitFused, QkNormRopeScalarPathForOddHeadSizes) {
  NEED_CUDA();
  const int64_t heads = 3, hd = 18, B = 2, S = 11;
  for (auto dt : kTypes) {
    torch::manual_seed(8);
    auto qkv = (2 * torch::randn({B, S, (heads + 1) * hd}, on(torch::kFloat32))).to(dt);
    auto w = (1 + 0.2 * torch::randn({heads, hd}, on(torch::kFloat32))).to(dt);
    auto cis = torch::polar(torch::ones({1, S, 1, hd / 2}), 3 * torch::rand({1, S, 1, hd / 2})).to(torch::kCUDA);
    auto qk = qkv.narrow(-1, 0, heads * hd).view({B, S, heads, hd});
    auto plain = nd::applyRope(nd::rmsNormalize(qk, 1e-5).mul_(w).to(torch::kFloat32), cis).to(dt);
    expectSameRounding(newbie::cuda::qkNormRope(qkv, heads, hd, w, cis, 1e-5), plain,
                       std::string("qkNormRope hd=18 ") + c10::toString(dt), 5e-3);
  }
}

TEST(CudaDitFused, SwiGluMatchesSiluTimesGate) {
  NEED_CUDA();
  for (auto dt : kTypes) {
    for (int64_t F : {9216, 100}) {  // vectorised (F % 8 == 0) and scalar paths
      torch::manual_seed(6);
      auto h = (3 * torch::randn({2, 19, 2 * F}, on(torch::kFloat32))).to(dt);
      auto plain = torch::silu(h.narrow(-1, 0, F)).mul_(h.narrow(-1, F, F));
      expectSameRounding(newbie::cuda::swiGlu(h), plain,
                         "swiGlu F=" + std::to_string(F) + " " + c10::toString(dt), 0.0);
    }
  }
}

TEST(CudaDitFused, BadArgumentsNameTheProblem) {
  NEED_CUDA();
  auto x = torch::randn({2, 3, 8}, on(torch::kBFloat16));
  try {
    newbie::cuda::rmsNormScale(x.cpu(), torch::ones({8}, torch::kBFloat16), 1e-5);
    FAIL() << "a CPU tensor was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("expects CUDA tensors"), std::string::npos) << e.what();
  }
  try {
    newbie::cuda::rmsNormScale(x, torch::ones({7}, on(torch::kBFloat16)), 1e-5);
    FAIL() << "a scale of the wrong length was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("scale must end in 8"), std::string::npos) << e.what();
  }
  EXPECT_THROW(newbie::cuda::swiGlu(torch::randn({2, 7}, on(torch::kBFloat16))), std::invalid_argument);
  EXPECT_THROW(newbie::cuda::rmsNormScale(x.to(torch::kFloat64), torch::ones({8}, on(torch::kFloat64)), 1e-5),
               std::invalid_argument);
}

// The whole Next-DiT (tiny random config, unequal caption lengths: masks, per-sample RoPE tables and
// scales) with every fast path on against the plain path.
TEST(CudaDitFused, NextDiTForwardWithFastPathsMatchesPlain) {
  NEED_CUDA();
  newbie::models::NextDiTConfig c = newbie::models::NextDiTConfig::newbieFull();
  c.dim = 192, c.nLayers = 3, c.nHeads = 6, c.nKvHeads = 2, c.ffnHidden = 512, c.adalnDim = 96;
  c.capFeatDim = 64, c.clipTextDim = 32, c.axesDims = {8, 12, 12};
  for (auto dt : {torch::kFloat32, torch::kBFloat16}) {
    newbie::models::NextDiT dit(c);
    dit->initRandom(11, torch::kCUDA, dt);
    torch::manual_seed(12);
    auto x = torch::randn({2, 16, 16, 24}, on(torch::kFloat32)).to(dt);
    auto t = torch::tensor({0.3f, 0.8f}, on(torch::kFloat32));
    auto cap = torch::randn({2, 9, 64}, on(torch::kFloat32)).to(dt);
    auto pooled = torch::randn({2, 32}, on(torch::kFloat32)).to(dt);
    for (const std::vector<int64_t>& lens : {std::vector<int64_t>{9, 9}, std::vector<int64_t>{9, 4}}) {
      for (auto batching : {newbie::models::CaptionBatching::SplitByLength, newbie::models::CaptionBatching::PaddedMask}) {
        Tensor plain;
        {
          PlainPaths guard;
          plain = dit->forward(x, t, cap, lens, pooled, nullptr, batching).to(torch::kFloat32);
        }
        auto fast = dit->forward(x, t, cap, lens, pooled, nullptr, batching).to(torch::kFloat32);
        const double relL2 = ((fast - plain).norm() / plain.norm()).item<double>();
        std::cout << "[measure] NextDiT fast vs plain " << c10::toString(dt) << " lens " << lens[0] << "," << lens[1]
                  << (batching == newbie::models::CaptionBatching::PaddedMask ? " padded" : " split")
                  << ": relative L2 " << relL2 << "\n";
        // float32: rounding-level; bf16: a few last-bit flips carried through 7 blocks.
        EXPECT_LT(relL2, dt == torch::kFloat32 ? 1e-5 : 1e-2);
        if (dt == torch::kBFloat16) {  // the opt-in forced cuDNN attention as well
          const auto saved = nd::fastPaths();
          nd::setFastPaths({true, true});
          auto cudnn = dit->forward(x, t, cap, lens, pooled, nullptr, batching).to(torch::kFloat32);
          nd::setFastPaths(saved);
          const double relCudnn = ((cudnn - plain).norm() / plain.norm()).item<double>();
          std::cout << "[measure]   with forced cuDNN attention: relative L2 " << relCudnn << "\n";
          EXPECT_LT(relCudnn, 1e-2);
        }
      }
    }
  }
}
