// Fused CUDA GroupNorm(+SiLU) (core/cuda/group_norm.*) against LibTorch: both memory layouts,
// fp32/bf16/fp16, odd sizes, a large 128ch@1024² case and mean-50 data (robust statistics).
// Skips without a CUDA device; compiled to a single skipped test without NEWBIE_HAVE_CUDA_KERNELS.
//
// References: (1) float64 at::group_norm (+ silu) of the EXACT input values — the kernel computes
// in float32 with one rounding, so it must be within 1 output ulp + 1e-5 abs (bf16/fp16) or 1e-5 abs (fp32,
// unit-scale outputs |y| <~ 6; float32 rounding + float32 mean of 50-centred data ~2e-6);
// (2) the native at::group_norm (+ at::silu) in the same dtype: within 3 ulp + 1e-3 abs for
// bf16/fp16 (the native path rounds twice: its first rounding, 0.5 ulp of the norm output g, is
// carried by silu'(g) into outputs far smaller than g in the tails, e.g. g = -6 -> silu = -0.015,
// ~4 output ulps) and 2e-5 abs for fp32 on zero-mean data.
// On mean-50 data the native op is itself off by up to ~1e-4: its per-thread float32 Welford
// mean drifts by ~ulp(50)·sqrt(elements per thread), and its a·x+b form loses ~|mean|·2^-24 —
// exactly what the split reduction here avoids — so that comparison allows 1e-3 abs there (the
// float64 check stays at 1e-5). Every case prints its measured maxima.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <algorithm>
#include <cmath>
#include <string>

#if NEWBIE_HAVE_CUDA_KERNELS
#include "cuda/group_norm.h"
#endif

#if !NEWBIE_HAVE_CUDA_KERNELS

TEST(CudaGroupNorm, NotBuilt) { GTEST_SKIP() << "built without NEWBIE_ENABLE_CUDA_KERNELS"; }

#else

namespace {

struct Case {
  std::string name;
  int64_t N, C, H, W, G;
  double mean = 0.0, stddev = 1.0;
  bool affine = true;
};

#define REQUIRE_CUDA() \
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device"

struct Inputs {
  at::Tensor x, w, b;  // x in the tested dtype/layout; w, b float32 (or undefined)
};

Inputs makeInputs(const Case& c, at::ScalarType dt, bool channelsLast, uint64_t seed) {
  torch::manual_seed(seed);
  const auto f32 = at::TensorOptions().dtype(at::kFloat).device(at::kCUDA);
  // Per-channel offsets make groups differ (catches group/channel indexing mistakes).
  auto x = at::randn({c.N, c.C, c.H, c.W}, f32) * c.stddev + c.mean;
  x = x + 0.5 * at::randn({1, c.C, 1, 1}, f32);
  x = x.to(dt);
  if (channelsLast) x = x.contiguous(at::MemoryFormat::ChannelsLast);
  Inputs in;
  in.x = x;
  if (c.affine) {  // representable in dt, so the native same-dtype op sees the same values
    in.w = (1.0 + 0.1 * at::randn({c.C}, f32)).to(dt).to(at::kFloat);
    in.b = (0.1 * at::randn({c.C}, f32)).to(dt).to(at::kFloat);
  }
  return in;
}

at::Tensor ref64(const at::Tensor& x, int64_t G, const at::Tensor& w, const at::Tensor& b, double eps, bool silu) {
  auto r = at::group_norm(x.to(at::kDouble).contiguous(), G, w.defined() ? w.to(at::kDouble) : at::Tensor(),
                          b.defined() ? b.to(at::kDouble) : at::Tensor(), eps);
  return silu ? at::silu(r) : r;
}

struct Err {
  double maxAbs = 0, maxUlp = 0;
  bool ok = false;
};

// |y - ref| <= ulps·ulp_out(ref) + atol (ulp term only for 16-bit outputs).
Err compare(const at::Tensor& y, const at::Tensor& ref, double ulps, double atol) {
  auto d = (y.to(at::kDouble) - ref).abs();
  Err e;
  e.maxAbs = d.max().item<double>();
  if (y.scalar_type() == at::kFloat) {
    e.ok = e.maxAbs <= atol;
    e.maxUlp = e.maxAbs / 1.1920928955078125e-07;  // in ulps of 1.0
    return e;
  }
  const double mbits = y.scalar_type() == at::kBFloat16 ? 7 : 10;
  const double minUlp = y.scalar_type() == at::kBFloat16 ? 9.2e-41 : 5.9604644775390625e-08;
  auto ulp = at::exp2(at::floor(at::log2(ref.abs().clamp_min(1e-30))) - mbits).clamp_min(minUlp);
  e.ok = (d <= ulps * ulp + atol).all().item<bool>();
  e.maxUlp = (d / ulp).max().item<double>();
  return e;
}

const char* dtName(at::ScalarType t) { return t == at::kFloat ? "fp32" : (t == at::kHalf ? "fp16" : "bf16"); }

// Runs one case in one dtype/layout/silu setting and checks both references.
void check(const Case& c, at::ScalarType dt, bool channelsLast, bool silu, double eps = 1e-6) {
  c10::InferenceMode guard;
  const auto in = makeInputs(c, dt, channelsLast, 1234 + c.C + c.H);
  auto y = newbie::cuda::groupNorm(in.x, c.G, in.w, in.b, eps, silu);
  const std::string what = c.name + " " + dtName(dt) + (channelsLast ? " NHWC" : " NCHW") + (silu ? " +silu" : "");
  ASSERT_EQ(y.sizes(), in.x.sizes()) << what;
  ASSERT_EQ(y.scalar_type(), dt) << what;
  if (channelsLast)
    EXPECT_TRUE(y.is_contiguous(at::MemoryFormat::ChannelsLast)) << what << ": channels-last in, channels-last out";
  else
    EXPECT_TRUE(y.is_contiguous()) << what;

  const auto r = ref64(in.x, c.G, in.w, in.b, eps, silu);
  const bool f32 = dt == at::kFloat;
  const Err e1 = compare(y, r, 1.0, 1e-5);
  auto nat = at::group_norm(in.x, c.G, in.w.defined() ? in.w.to(dt) : at::Tensor(),
                            in.b.defined() ? in.b.to(dt) : at::Tensor(), eps);
  if (silu) nat = at::silu(nat);
  // The native same-dtype op rounds its normalised value before the affine (and silu) step, so it
  // sits up to two output ulps away wherever the result is large; near zero that is many of the
  // element's own ulps. The bound is therefore two ulps at the tensor's largest magnitude (measured
  // on the H100: 0.031 = one bf16 ulp at |y| ~ 4-8). The float64 check above stays element-tight.
  const double mag = nat.abs().max().item<double>();
  const double natAtol = f32 ? (c.mean != 0.0 ? 1e-3 : 2e-5)
                             : 2.0 * (dt == at::kBFloat16 ? std::ldexp(1.0, -7) : std::ldexp(1.0, -10)) * mag;
  // On mean-50 data the native 16-bit op loses about one input ulp at the data's magnitude
  // (measured: 0.14 in bf16, where one ulp at 50 is 0.25); our kernel stays at ~0.5 output ulp of
  // the float64 reference above, which remains the tight check.
  const double inputUlp = c.mean != 0.0 && !f32
                              ? std::ldexp(1.0, static_cast<int>(std::floor(std::log2(std::abs(c.mean)))) -
                                                    (dt == at::kBFloat16 ? 7 : 10)) / c.stddev
                              : 0.0;
  const Err e2 = compare(y, nat.to(at::kDouble), 3.0, std::max(natAtol, 2.0 * inputUlp));
  std::printf("[gn] %-34s vs fp64: max abs %.3g (%.2f ulp) | vs native: max abs %.3g (%.2f ulp)\n", what.c_str(),
              e1.maxAbs, e1.maxUlp, e2.maxAbs, e2.maxUlp);
  EXPECT_TRUE(e1.ok) << what << ": vs float64 reference max abs " << e1.maxAbs << " (" << e1.maxUlp << " ulp)";
  EXPECT_TRUE(e2.ok) << what << ": vs native at::group_norm max abs " << e2.maxAbs << " (" << e2.maxUlp << " ulp)";
  EXPECT_FALSE(at::isnan(y).any().item<bool>()) << what;
}

const Case kSmall{"2x64x16x16 G32", 2, 64, 16, 16, 32};
const Case kOdd{"3x96x7x9 G32 (Cg=3, HW=63)", 3, 96, 7, 9, 32};
const Case kOdd2{"1x40x5x5 G8 (Cg=5, HW=25)", 1, 40, 5, 5, 8};
const Case kVae512{"1x512x32x32 G32", 1, 512, 32, 32, 32};
const Case kVae128{"1x128x64x64 G32 (Cg=4)", 1, 128, 64, 64, 32};
const Case kMean50{"2x64x32x32 G32 mean50", 2, 64, 32, 32, 32, 50.0, 1.0};
const Case kNoAffine{"2x32x8x8 G4 no affine", 2, 32, 8, 8, 4, 0.0, 1.0, false};

}  // namespace

TEST(CudaGroupNorm, Fp32BothLayouts) {
  REQUIRE_CUDA();
  for (const auto& c : {kSmall, kOdd, kOdd2, kVae512, kVae128, kMean50, kNoAffine})
    for (bool cl : {false, true})
      for (bool silu : {false, true}) check(c, at::kFloat, cl, silu);
}

TEST(CudaGroupNorm, Bf16BothLayouts) {
  REQUIRE_CUDA();
  for (const auto& c : {kSmall, kOdd, kOdd2, kVae512, kVae128, kMean50, kNoAffine})
    for (bool cl : {false, true})
      for (bool silu : {false, true}) check(c, at::kBFloat16, cl, silu);
}

TEST(CudaGroupNorm, Fp16BothLayouts) {
  REQUIRE_CUDA();
  for (const auto& c : {kSmall, kOdd, kOdd2, kVae512, kVae128, kMean50, kNoAffine})
    for (bool cl : {false, true})
      for (bool silu : {false, true}) check(c, at::kHalf, cl, silu);
}

TEST(CudaGroupNorm, Large128ch1024SquaredMean50) {
  REQUIRE_CUDA();
  // 4·2^20 elements per (n, group): the split reduction and the float64 combine at full size.
  const Case big{"1x128x1024x1024 G32 mean50", 1, 128, 1024, 1024, 32, 50.0, 1.0};
  for (bool cl : {false, true}) {
    check(big, at::kBFloat16, cl, true);
    check(big, at::kFloat, cl, true);
  }
  const Case bigUnit{"1x128x1024x1024 G32", 1, 128, 1024, 1024, 32};
  check(bigUnit, at::kBFloat16, true, true);
}

TEST(CudaGroupNorm, InPlaceEqualsOutOfPlace) {
  REQUIRE_CUDA();
  c10::InferenceMode guard;
  for (bool cl : {false, true}) {
    const auto in = makeInputs(kVae128, at::kBFloat16, cl, 7);
    auto y = newbie::cuda::groupNorm(in.x, 32, in.w, in.b, 1e-6, true);
    auto x2 = in.x.clone();
    auto& r = newbie::cuda::groupNorm_(x2, 32, in.w, in.b, 1e-6, true);
    EXPECT_EQ(r.data_ptr(), x2.data_ptr());
    EXPECT_TRUE(at::equal(y, x2)) << (cl ? "NHWC" : "NCHW");
  }
}

TEST(CudaGroupNorm, MixedParamDtypesAndOddStrides) {
  REQUIRE_CUDA();
  c10::InferenceMode guard;
  // bf16 weights on an fp32 input (read as float).
  const auto in = makeInputs(kSmall, at::kFloat, false, 11);
  const auto wb = in.w.to(at::kBFloat16), bb = in.b.to(at::kBFloat16);
  auto y = newbie::cuda::groupNorm(in.x, 32, wb, bb, 1e-6, true);
  auto r = ref64(in.x, 32, wb.to(at::kFloat), bb.to(at::kFloat), 1e-6, true);
  const Err e = compare(y, r, 1.0, 1e-5);
  EXPECT_TRUE(e.ok) << "bf16 params: max abs " << e.maxAbs;
  // Weight float32, bias bfloat16 (both converted to float32).
  y = newbie::cuda::groupNorm(in.x, 32, in.w, bb, 1e-6, false);
  EXPECT_TRUE(compare(y, ref64(in.x, 32, in.w, bb.to(at::kFloat), 1e-6, false), 1.0, 1e-5).ok);

  // A non-contiguous view (neither layout): computed via a contiguous copy, result contiguous.
  auto wide = makeInputs(Case{"wide", 2, 64, 16, 32, 32}, at::kBFloat16, false, 12);
  auto view = wide.x.narrow(3, 3, 16);
  ASSERT_FALSE(view.is_contiguous());
  y = newbie::cuda::groupNorm(view, 32, wide.w, wide.b, 1e-6, true);
  EXPECT_TRUE(compare(y, ref64(view, 32, wide.w, wide.b, 1e-6, true), 1.0, 1e-5).ok);

  // Channels-last with C / vector width > 512 threads (Cg = 515 odd): NCHW fallback, NHWC out.
  auto many = makeInputs(Case{"many", 1, 1030, 3, 5, 2}, at::kHalf, true, 13);
  y = newbie::cuda::groupNorm(many.x, 2, many.w, many.b, 1e-5, true);
  EXPECT_TRUE(y.is_contiguous(at::MemoryFormat::ChannelsLast));
  const Err e2 = compare(y, ref64(many.x, 2, many.w, many.b, 1e-5, true), 1.0, 1e-5);
  EXPECT_TRUE(e2.ok) << "C=1030 channels-last fallback: max abs " << e2.maxAbs;
  // In place through the fallback too.
  auto m2 = many.x.clone(at::MemoryFormat::ChannelsLast);
  newbie::cuda::groupNorm_(m2, 2, many.w, many.b, 1e-5, true);
  EXPECT_TRUE(at::equal(m2, y));
}

TEST(CudaGroupNorm, ClearErrors) {
  REQUIRE_CUDA();
  c10::InferenceMode guard;
  const auto x = at::randn({1, 6, 4, 4}, at::TensorOptions().device(at::kCUDA));
  auto msg = [&](auto&& fn) -> std::string {
    try {
      fn();
    } catch (const std::exception& e) {
      return e.what();
    }
    return "<no exception>";
  };
  EXPECT_NE(msg([&] { newbie::cuda::groupNorm(x, 4, {}, {}, 1e-5); }).find("not divisible"), std::string::npos);
  EXPECT_NE(msg([&] { newbie::cuda::groupNorm(x.cpu(), 3, {}, {}, 1e-5); }).find("CUDA tensor"), std::string::npos);
  EXPECT_NE(msg([&] { newbie::cuda::groupNorm(x.to(at::kDouble), 3, {}, {}, 1e-5); }).find("dtype"),
            std::string::npos);
  EXPECT_NE(msg([&] { newbie::cuda::groupNorm(x, 3, at::ones({5}, x.options()), {}, 1e-5); }).find("expected C = 6"),
            std::string::npos);
}

#endif  // NEWBIE_HAVE_CUDA_KERNELS
