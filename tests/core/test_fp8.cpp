// FP8 (e4m3) precision: names, the refusal on unsupported devices/LibTorch versions, the plain-LibTorch
// row quantiser and fp8Linear's emulation (CPU, LibTorch >= 2.1), and on a CUDA GPU of compute capability
// >= 8.9 the fused quantiser (bit-exact against the plain one), the _scaled_mm linear and a tiny Next-DiT
// against bf16.
//
// Error bounds: e4m3 keeps 3 mantissa bits, so one rounding has a relative error <= 2^-4 and an RMS
// relative error of ~2.6% on Gaussian data; with both GEMM operands rounded, a linear layer's output has
// a relative L2 error of ~3.65% (pure-Python e4m3 emulation, 48x512x96, Gaussian x, uniform w), so the
// linear tests allow 4.5%. The tiny Next-DiT (6 blocks of 4 linears, RMS norms between them) showed a
// relative L2 error of 2.3% with only its weights rounded to e4m3 (LibTorch 1.13 float emulation, fp32);
// rounding the activations as well adds about as much again (~3.3% in quadrature), so its bound is 8%.
// The final latent of the golden pipeline model after 4 steps (same noise) is bounded by 10%.
#include <cmath>
#include <iostream>

#include <torch/cuda.h>

#include "golden.h"
#include "models/fp8_linear.h"
#include "models/nextdit.h"
#include "pipeline.h"
#include "pipeline_support.h"
#include "torch_compat.h"

using namespace newbie;
using torch::Tensor;

namespace {

double relL2(const Tensor& a, const Tensor& ref) {
  auto af = a.to(torch::kCPU, torch::kFloat64), rf = ref.to(torch::kCPU, torch::kFloat64);
  return ((af - rf).norm() / rf.norm()).item<double>();
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

/// The tiny golden DiT shapes: dim 64, 4 heads of 16 (2 kv heads), FFN 128: every block linear has
/// in/out features that are multiples of 16.
models::NextDiTConfig tinyConfig() {
  models::NextDiTConfig c;
  c.dim = 64;
  c.nLayers = 2;
  c.nRefinerLayers = 2;
  c.nHeads = 4;
  c.nKvHeads = 2;
  c.ffnHidden = 128;
  c.multipleOf = 32;
  c.adalnDim = 64;
  c.capFeatDim = 40;
  c.clipTextDim = 32;
  c.axesDims = {4, 6, 6};
  return c;
}

struct DitInputs {
  Tensor x, t, cap, pooled;
  std::vector<int64_t> lens;
};
[[maybe_unused]] DitInputs ditInputs(const torch::Device& dev, torch::ScalarType dt) {
  torch::manual_seed(11);
  DitInputs in;
  in.x = torch::randn({2, 16, 8, 12}).to(dev, dt);
  in.t = torch::tensor({0.3f, 0.8f}).to(dev);
  in.cap = torch::randn({2, 7, 40}).to(dev, dt);
  in.pooled = torch::randn({2, 32}).to(dev, dt);
  in.lens = {7, 4};
  return in;
}

/// Empty when the CUDA fp8 tests can run, else why not (for GTEST_SKIP).
std::string cudaSkipReason() {
  if (!torch::cuda::is_available()) return "no CUDA device";
  return models::fp8Unsupported(torch::Device(torch::kCUDA, 0));
}

}  // namespace

// ---- names and refusals (every build) ------------------------------------------------------------------

TEST(Fp8Precision, NameAndParseRoundTrip) {
  for (Precision p : {Precision::BF16, Precision::FP16, Precision::FP32, Precision::FP8}) {
    const auto back = parsePrecision(precisionName(p));
    ASSERT_TRUE(back.has_value()) << precisionName(p);
    EXPECT_EQ(*back, p) << precisionName(p);
  }
  EXPECT_STREQ(precisionName(Precision::FP8), "fp8");
  EXPECT_EQ(parsePrecision("e4m3").value_or(Precision::BF16), Precision::FP8);
  EXPECT_EQ(parsePrecision("fp8_e4m3").value_or(Precision::BF16), Precision::FP8);
  EXPECT_FALSE(parsePrecision("fp8_e5m2").has_value());
  EXPECT_FALSE(parsePrecision("FP8").has_value());
  // FP8 computes in bf16 (only the DiT block linears are e4m3); the VAE cannot be fp8.
  EXPECT_EQ(pipeline_support::scalarType(Precision::FP8), torch::kBFloat16);
  LoadOptions lo;
  lo.precision = Precision::FP8;
  lo.vaePrecision = Precision::FP8;
  EXPECT_THROW(pipeline_support::vaeScalarType(lo, torch::kCPU), InvalidParamsError);
}

TEST(Fp8Precision, UnsupportedDeviceMessageNamesTheRequirementAndWhatWasFound) {
  const std::string why = models::fp8Unsupported(torch::kCPU);
  ASSERT_FALSE(why.empty());
  EXPECT_TRUE(contains(why, "compute capability >= 8.9")) << why;
  EXPECT_TRUE(contains(why, "cpu")) << why;
#if !NEWBIE_TORCH_AT_LEAST(2, 5)
  EXPECT_TRUE(contains(why, "LibTorch >= 2.5")) << why;
  EXPECT_TRUE(contains(why, TORCH_VERSION)) << why;
#endif
  try {
    models::requireFp8Support(torch::kCPU);
    FAIL() << "fp8 accepted on the CPU";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(contains(e.what(), "fp8 precision: ")) << e.what();
    EXPECT_TRUE(contains(e.what(), "use bf16")) << e.what();
  }
}

TEST(Fp8Precision, PipelineRefusesFp8OnCpuBeforeLoading) {
  LoadOptions lo;
  lo.device = "cpu";
  lo.precision = Precision::FP8;
  try {
    Pipeline::load({test::goldenDir() / "pipeline/model"}, lo);
    FAIL() << "loaded with fp8 on the CPU";
  } catch (const InvalidParamsError& e) {
    std::cout << "  [message] " << e.what() << "\n";
    EXPECT_TRUE(contains(e.what(), "precision fp8")) << e.what();
    EXPECT_TRUE(contains(e.what(), "compute capability >= 8.9")) << e.what();
    EXPECT_TRUE(contains(e.what(), "the device is cpu")) << e.what();
  }
}

// ---- plain-LibTorch quantiser and emulated linear (CPU) --------------------------------------------------

#if !NEWBIE_TORCH_HAS_FP8
TEST(Fp8Quant, WithoutFloat8DtypesQuantisingThrowsNamingTheVersion) {
  try {
    models::quantizeRowsFp8Reference(torch::ones({2, 16}));
    FAIL() << "quantised without float8 dtypes";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(contains(e.what(), "LibTorch >= 2.1")) << e.what();
    EXPECT_TRUE(contains(e.what(), TORCH_VERSION)) << e.what();
  }
  models::NextDiT m(tinyConfig());
  m->initRandom(1, torch::kCPU, torch::kFloat32);
  EXPECT_THROW(m->quantizeLinearsFp8(), std::runtime_error);
  EXPECT_FALSE(m->fp8Linears());
}
#endif

TEST(Fp8Quant, ShapeRulesAreCheckedWithClearErrors) {
  // K and N must be multiples of 16; checked before any float8 dtype is touched.
  try {
    models::quantizeRowsFp8(torch::ones({3, 24}));
    FAIL() << "K = 24 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_TRUE(contains(e.what(), "K = 24")) << e.what();
  }
  EXPECT_THROW(models::quantizeWeightFp8(torch::ones({24, 32})), std::invalid_argument);
  EXPECT_THROW(models::quantizeWeightFp8(torch::ones({32, 24})), std::invalid_argument);
  EXPECT_THROW(models::quantizeRowsFp8(torch::ones({16})), std::invalid_argument);
}

TEST(Fp8Quant, ReferenceRowQuantiserSemantics) {
#if !NEWBIE_TORCH_HAS_FP8
  GTEST_SKIP() << "LibTorch " TORCH_VERSION " has no float8 dtypes";
#else
  // Row 0: amax 448 -> scale 1, and values on the e4m3 grid stay exact (incl. the smallest subnormal 2^-9).
  // Row 1: all zeros -> zeros, scale 1e-12/448. Row 2: amax 1 -> scale 1/448; 1 maps to 448 exactly.
  // Row 3: Gaussian -> every element within 2^-4 relative (normals) of the input after dequantisation.
  auto x = torch::zeros({4, 32});
  const std::vector<float> grid = {448.f, -448.f, 1.f, -0.5f, 1.125f, 240.f, 0.015625f, 0.001953125f, 0.f, -3.5f};
  for (size_t i = 0; i < grid.size(); ++i) x[0][static_cast<int64_t>(i)] = grid[i];
  x[2].fill_(0.25f);
  x[2][5] = -1.f;
  torch::manual_seed(3);
  x[3] = torch::randn({32});
  const auto r = models::quantizeRowsFp8Reference(x);
  ASSERT_EQ(r.q.scalar_type(), at::kFloat8_e4m3fn);
  ASSERT_EQ(r.q.sizes().vec(), (std::vector<int64_t>{4, 32}));
  ASSERT_EQ(r.scale.sizes().vec(), (std::vector<int64_t>{4, 1}));
  ASSERT_EQ(r.scale.scalar_type(), torch::kFloat32);
  const auto qf = r.q.to(torch::kFloat32);
  EXPECT_EQ(r.scale[0].item<float>(), 1.f);
  EXPECT_TRUE(torch::equal(qf[0], x[0])) << qf[0];
  EXPECT_EQ(r.scale[1].item<float>(), static_cast<float>(1e-12) / 448.f);
  EXPECT_TRUE(torch::equal(qf[1], torch::zeros({32})));
  EXPECT_EQ(r.scale[2].item<float>(), 1.f / 448.f);
  EXPECT_EQ(qf[2][5].item<float>(), -448.f);
  EXPECT_EQ(qf[2][0].item<float>(), 112.f);  // 0.25 * 448
  const auto deq = qf[3] * r.scale[3];
  const double worst = ((deq - x[3]).abs() / x[3].abs()).max().item<double>();
  std::cout << "  [gaussian row] max relative rounding error " << worst << "\n";
  EXPECT_LE(worst, 1.0 / 16 + 1e-6);
  EXPECT_LE(qf.abs().max().item<float>(), 448.f);
  // quantizeRowsFp8 on the CPU is the reference, bit for bit; the weight form has [1, N] scales.
  const auto r2 = models::quantizeRowsFp8(x);
  EXPECT_TRUE(torch::equal(r2.q.view(torch::kUInt8), r.q.view(torch::kUInt8)));
  const auto w = models::quantizeWeightFp8(x.repeat({4, 1}));
  EXPECT_EQ(w.scale.sizes().vec(), (std::vector<int64_t>{1, 16}));
  EXPECT_TRUE(w.scale.is_contiguous());
  EXPECT_TRUE(torch::equal(w.w8.view(torch::kUInt8).narrow(0, 0, 4), r.q.view(torch::kUInt8)));
#endif
}

TEST(Fp8Linear, CpuEmulationMatchesDequantisedMathAndFloatLinear) {
#if !NEWBIE_TORCH_HAS_FP8
  GTEST_SKIP() << "LibTorch " TORCH_VERSION " has no float8 dtypes";
#else
  torch::manual_seed(5);
  const int64_t K = 512, N = 96;
  auto x = torch::randn({2, 24, K});
  auto w = (torch::rand({N, K}) * 2 - 1) * std::sqrt(3.0 / K);
  auto b = torch::randn({N}) * 0.1;
  const auto w8 = models::quantizeWeightFp8(w);
  const auto y = models::fp8Linear(x, w8, b);
  ASSERT_EQ(y.sizes().vec(), (std::vector<int64_t>{2, 24, N}));
  const auto r = models::quantizeRowsFp8Reference(x.reshape({-1, K}));
  const auto deqX = r.q.to(torch::kFloat32) * r.scale;
  const auto expect = torch::matmul(deqX, models::dequantizeFp8(w8).t()).view({2, 24, N}) + b;
  EXPECT_CLOSE(y, expect, 1e-5, 1e-5);
  const double err = relL2(y, torch::linear(x, w, b));
  std::cout << "  [fp8 emulated linear vs fp32] rel L2 " << err << "\n";
  EXPECT_LT(err, 0.045);
  EXPECT_GT(err, 0.005);  // it really is quantised
#endif
}

TEST(Fp8NextDiT, QuantiseFreesTheBlockWeightsKeepsTheCountAndReloadUndoesIt) {
#if !NEWBIE_TORCH_HAS_FP8
  GTEST_SKIP() << "LibTorch " TORCH_VERSION " has no float8 dtypes";
#else
  models::NextDiT m(tinyConfig());
  m->initRandom(2, torch::kCPU, torch::kFloat32);
  const int64_t count = m->parameterCount();
  const auto in = ditInputs(torch::kCPU, torch::kFloat32);
  const auto ref = m->forward(in.x, in.t, in.cap, in.lens, in.pooled);
  EXPECT_FALSE(m->fp8Linears());
  m->quantizeLinearsFp8();
  EXPECT_TRUE(m->fp8Linears());
  EXPECT_EQ(m->parameterCount(), count);
  for (const auto* list : {&m->contextRefiner, &m->noiseRefiner, &m->layers})
    for (const auto& b : *list)
      for (const auto& lin : {b->attention->qkv, b->attention->out, b->feed_forward->w13, b->feed_forward->w2}) {
        ASSERT_TRUE(lin->fp8);
        EXPECT_EQ(lin->weight.storage().nbytes(), 4u) << "bf16/fp32 weight not freed";
        EXPECT_EQ(lin->fp8->w8.sizes(), lin->weight.sizes());
      }
  EXPECT_FALSE(m->x_embedder->fp8);
  EXPECT_FALSE(m->final_linear->fp8);
  const auto y = m->forward(in.x, in.t, in.cap, in.lens, in.pooled);
  const double err = relL2(y, ref);
  std::cout << "  [tiny Next-DiT, fp8 emulated vs fp32] rel L2 " << err << "\n";
  EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
  EXPECT_LT(err, 0.08);
  EXPECT_GT(err, 1e-3);
  // Initialising (or loading) again brings the plain linears back.
  m->initRandom(2, torch::kCPU, torch::kFloat32);
  EXPECT_FALSE(m->fp8Linears());
  // Not bit-equal on every BLAS: the fresh weight buffers may be aligned differently (measured: MKL
  // on the GPU machine's CPU differs in the last float32 bits), so float32 rounding level.
  EXPECT_CLOSE(m->forward(in.x, in.t, in.cap, in.lens, in.pooled), ref, 1e-5, 1e-5);
#endif
}

// ---- CUDA (compute capability >= 8.9) ---------------------------------------------------------------------

TEST(Fp8Cuda, FusedQuantiserEqualsThePlainOneBitForBit) {
  const std::string skip = cudaSkipReason();
  if (!skip.empty()) GTEST_SKIP() << skip;
#if NEWBIE_TORCH_HAS_FP8
#if !NEWBIE_HAVE_CUDA_KERNELS
  std::cout << "  (kernels not built: quantizeRowsFp8 is the plain path, this test compares it with itself)\n";
#endif
  const torch::Device dev(torch::kCUDA, 0);
  torch::manual_seed(9);
  for (auto dt : {torch::kBFloat16, torch::kFloat16, torch::kFloat32})
    for (int64_t K : {16, 2304, 9216}) {
      auto x = (torch::randn({37, K}) * torch::logspace(-5, 3, 37).unsqueeze(1)).to(dev, dt);
      x[3].zero_();
      x[5][0] = 0;  // one exact zero inside a row
      const auto a = models::quantizeRowsFp8(x);
      const auto b = models::quantizeRowsFp8Reference(x);
      const auto mism = (a.q.view(torch::kUInt8) != b.q.view(torch::kUInt8)).sum().item<int64_t>();
      EXPECT_EQ(mism, 0) << c10::toString(dt) << " K=" << K << ": " << mism << " e4m3 bytes differ";
      EXPECT_TRUE(torch::equal(a.scale, b.scale)) << c10::toString(dt) << " K=" << K;
    }
  // A strided (non-contiguous) input is handled like its contiguous copy.
  auto big = torch::randn({64, 4096}, torch::TensorOptions().device(dev).dtype(torch::kBFloat16));
  auto view = big.narrow(1, 16, 2304);
  const auto a = models::quantizeRowsFp8(view), b = models::quantizeRowsFp8Reference(view.contiguous());
  EXPECT_TRUE(torch::equal(a.q.view(torch::kUInt8), b.q.view(torch::kUInt8)));
  EXPECT_TRUE(torch::equal(a.scale, b.scale));
#endif
}

TEST(Fp8Cuda, ScaledMmLinearAgainstBf16) {
  const std::string skip = cudaSkipReason();
  if (!skip.empty()) GTEST_SKIP() << skip;
#if NEWBIE_TORCH_HAS_FP8
  const torch::Device dev(torch::kCUDA, 0);
  torch::manual_seed(13);
  // The real qkv shape (K 2304 -> N 3840) at 300 tokens (not a multiple of 16 rows on purpose).
  const int64_t M = 300, K = 2304, N = 3840;
  auto x = torch::randn({1, M, K}).to(dev, torch::kBFloat16);
  auto w = ((torch::rand({N, K}) * 2 - 1) * std::sqrt(3.0 / K)).to(dev, torch::kBFloat16);
  const auto w8 = models::quantizeWeightFp8(w);
  const auto y = models::fp8Linear(x, w8, Tensor());
  ASSERT_EQ(y.scalar_type(), torch::kBFloat16);
  ASSERT_EQ(y.sizes().vec(), (std::vector<int64_t>{1, M, N}));
  const auto ref = torch::linear(x.to(torch::kFloat32), w.to(torch::kFloat32));
  const double err = relL2(y, ref);
  // The exact product of the dequantised operands: only accumulation order / fast accumulation and
  // the bf16 output rounding (2^-9 relative) remain.
  const auto r = models::quantizeRowsFp8Reference(x.reshape({M, K}));
  const auto emu = torch::matmul(r.q.to(torch::kFloat32) * r.scale, models::dequantizeFp8(w8).t()).view({1, M, N});
  const double errEmu = relL2(y, emu);
  std::cout << "  [fp8 _scaled_mm linear vs fp32 linear] rel L2 " << err << "; vs dequantised fp32 GEMM " << errEmu
            << "\n";
  EXPECT_LT(err, 0.045);
  EXPECT_LT(errEmu, 1e-2);
  // With a bias (added after the GEMM, in bf16).
  auto b = torch::randn({N}).to(dev, torch::kBFloat16);
  EXPECT_LT(relL2(models::fp8Linear(x, w8, b) - b, y), 1e-2);
#endif
}

TEST(Fp8Cuda, TinyNextDiTForwardAgainstBf16) {
  const std::string skip = cudaSkipReason();
  if (!skip.empty()) GTEST_SKIP() << skip;
#if NEWBIE_TORCH_HAS_FP8
  const torch::Device dev(torch::kCUDA, 0);
  models::NextDiT m(tinyConfig());
  m->initRandom(2, dev, torch::kBFloat16);
  const auto in = ditInputs(dev, torch::kBFloat16);
  const auto ref = m->forward(in.x, in.t, in.cap, in.lens, in.pooled);
  m->quantizeLinearsFp8();
  const auto y = m->forward(in.x, in.t, in.cap, in.lens, in.pooled);
  ASSERT_EQ(y.scalar_type(), torch::kBFloat16);
  const double err = relL2(y, ref);
  std::cout << "  [tiny Next-DiT, fp8 vs bf16 on CUDA] rel L2 " << err << "\n";
  EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
  EXPECT_LT(err, 0.08);
#endif
}

TEST(Fp8Cuda, PipelineLoadsAndGeneratesInFp8) {
  const std::string skip = cudaSkipReason();
  if (!skip.empty()) GTEST_SKIP() << skip;
  LoadOptions lo;
  lo.device = "cuda";
  lo.precision = Precision::FP8;
  auto pl = Pipeline::load({test::goldenDir() / "pipeline/model"}, lo);
  EXPECT_EQ(pl->summary().precision, Precision::FP8);
  LoadOptions lb = lo;
  lb.precision = Precision::BF16;
  auto pb = Pipeline::load({test::goldenDir() / "pipeline/model"}, lb);
  EXPECT_EQ(pl->summary().ditParameters, pb->summary().ditParameters);
  GenerationParams p;
  p.prompt = "1girl, solo";
  p.width = 64;
  p.height = 64;
  p.steps = 4;
  p.seed = 1;
  CancelToken c1, c2;
  const auto a = pl->generate(p, {}, c1);
  const auto b = pb->generate(p, {}, c2);
  ASSERT_EQ(a.latent.size(), b.latent.size());
  auto la = torch::tensor(a.latent), lb2 = torch::tensor(b.latent);
  const double err = relL2(la, lb2);
  std::cout << "  [golden pipeline model, final latent fp8 vs bf16] rel L2 " << err << "\n";
  EXPECT_TRUE(torch::isfinite(la).all().item<bool>());
  EXPECT_LT(err, 0.10);
  EXPECT_TRUE(contains(a.metadataJson, "fp8")) << a.metadataJson.substr(0, 200);
}
