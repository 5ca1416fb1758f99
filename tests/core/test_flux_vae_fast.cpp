// FLUX VAE fast paths: channels-last memory (CPU and CUDA) and the fused GroupNorm+SiLU kernel
// (CUDA, NEWBIE_HAVE_CUDA_KERNELS) must decode the same image as the plain path.
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cstdio>

#include "golden.h"
#include "models/flux_vae.h"

using namespace newbie;
using namespace newbie::models;

namespace {

FluxVaeDecoder bflVae(const VaeLoadOptions& o = {}) {
  const auto dir = test::goldenDir() / "vae";
  return loadFluxVae(dir / "ae.safetensors", dir / "config.json", o);
}

double maxAbs(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

/// Small VAE with the real channel/group ratios (C/G = 4, 8, 16, 16 like FLUX's 128..512 / 32).
FluxVaeConfig smallConfig() {
  FluxVaeConfig c;
  c.blockOutChannels = {32, 64, 128, 128};
  c.normNumGroups = 8;
  return c;
}

}  // namespace

TEST(FluxVaeFast, CpuDefaultsAreThePlainPath) {
  auto vae = bflVae();
  EXPECT_FALSE(vae->channelsLast());
  EXPECT_TRUE(vae->conv_in->weight.is_contiguous());
}

// Channels-last on the CPU: same image within 1e-5 abs + 1e-5 rel (the golden tolerance; images
// reach |4|, only the summation order of the convs and GroupNorm differs), both via the load
// option and via the runtime switch; the golden image too.
TEST(FluxVaeFast, ChannelsLastEqualsContiguousOnCpu) {
  torch::NoGradGuard ng;
  auto g = test::golden("vae/golden.safetensors");
  auto plain = bflVae();
  VaeLoadOptions o;
  o.channelsLast = true;
  auto cl = bflVae(o);
  ASSERT_TRUE(cl->channelsLast());
  EXPECT_TRUE(cl->conv_in->weight.is_contiguous(torch::MemoryFormat::ChannelsLast));
  EXPECT_FALSE(cl->conv_in->weight.is_contiguous());

  const auto z = g.tensor("z_vae");
  const auto zCopy = z.clone();
  const auto a = plain->decode(z);
  const auto b = cl->decode(z);
  EXPECT_TRUE(b.is_contiguous()) << "decode returns NCHW float32 whatever the layout inside";
  EXPECT_EQ(b.scalar_type(), torch::kFloat32);
  EXPECT_CLOSE(b, a, 1e-5, 1e-5);
  EXPECT_CLOSE(b, g.tensor("image_from_z_vae"), 1e-5, 1e-5);
  EXPECT_TRUE(torch::equal(z, zCopy)) << "the input latent must not be modified";

  // A non-square batch of 2 through the runtime switch (and back).
  auto gen = at::detail::createCPUGenerator(99);
  const auto z2 = torch::randn({2, 16, 12, 10}, gen, torch::kFloat32);
  plain->setChannelsLast(true);
  const auto c2 = plain->decode(z2);
  plain->setChannelsLast(false);
  EXPECT_TRUE(plain->conv_in->weight.is_contiguous());
  const auto p2 = plain->decode(z2);
  EXPECT_CLOSE(c2, p2, 1e-5, 1e-5);

  // The small random VAE of the CUDA test (FLUX's C/G ratios 4, 8, 16) on the CPU.
  auto small = randomFluxVae(smallConfig(), 21);
  const auto z3 = torch::randn({2, 16, 24, 20}, gen, torch::kFloat32);
  const auto p3 = small->decode(z3);
  small->setChannelsLast(true);
  const auto c3 = small->decode(z3);
  EXPECT_CLOSE(c3, p3, 1e-5, 1e-5);
  std::printf("[vae-fast] CPU channels-last vs NCHW: golden z max|d| %.3g (max|img| %.3g), random batch max|d| %.3g, "
              "small random VAE max|d| %.3g (image range %.3g)\n",
              maxAbs(b, a), a.abs().max().item<double>(), maxAbs(c2, p2), maxAbs(c3, p3),
              (p3.max() - p3.min()).item<double>());
}

// The moved-along intermediates never touch tensors the caller still holds.
TEST(FluxVaeFast, BlocksLeaveTheCallersInputAlone) {
  torch::NoGradGuard ng;
  auto gen = at::detail::createCPUGenerator(5);
  VaeResnetBlock r(16, 8, 4, 1e-6);
  VaeResnetBlock same(8, 8, 4, 1e-6);
  auto x = torch::randn({1, 16, 6, 6}, gen, torch::kFloat32);
  const auto xc = x.clone();
  auto y = r->forward(x);
  EXPECT_TRUE(torch::equal(x, xc));
  auto y2 = same->forward(y);
  EXPECT_FALSE(torch::equal(y2, y));
  const auto yc = y.clone();
  same->forward(y);
  EXPECT_TRUE(torch::equal(y, yc));
}

// CUDA: the fast path (channels-last + fused GroupNorm/SiLU) vs the plain path on a small random
// VAE. TF32 is switched off so that fp32 differences are only summation order and cuDNN's
// algorithm choice: max|d| <= 2e-4 · max(1, image range) (float32 rounding through ~30 layers).
// bf16: both paths round differently at every layer, so each is compared with the fp32 plain
// image: the fast path's MEAN error must not exceed 1.25× the plain bf16 path's (+1e-4·range; the
// fused path rounds once per norm instead of twice), and the two bf16 images must agree within 5%
// of the image range (the golden bf16 test's bound).
TEST(FluxVaeFast, CudaFastPathMatchesPlainPath) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  if (!FluxVaeDecoderImpl::fusedGroupNormAvailable())
    std::printf("[vae-fast] built without NEWBIE_HAVE_CUDA_KERNELS: testing channels-last only\n");
  c10::InferenceMode guard;
  // (Process-wide; the other tests of this binary run on the CPU.)
  at::globalContext().setAllowTF32CuDNN(false);
  at::globalContext().setAllowTF32CuBLAS(false);

  VaeLoadOptions o;
  o.device = torch::kCUDA;
  auto vae = randomFluxVae(smallConfig(), 21, o);
  EXPECT_TRUE(vae->channelsLast()) << "CUDA default: channels-last on";
  EXPECT_TRUE(vae->fusedGroupNorm());
  auto gen = at::detail::createCPUGenerator(22);
  const auto z = torch::randn({2, 16, 24, 20}, gen, torch::kFloat32).to(torch::kCUDA);
  const auto zCopy = z.clone();

  auto decode = [&](FluxVaeDecoder& v, bool fast) {
    v->setChannelsLast(fast);
    v->setFusedGroupNorm(fast);
    auto img = v->decode(z);
    EXPECT_TRUE(img.is_contiguous());
    EXPECT_EQ(img.scalar_type(), torch::kFloat32);
    return img;
  };
  const auto ref = decode(vae, false);
  const auto fast = decode(vae, true);
  const double range = (ref.max() - ref.min()).item<double>();
  const double d32 = maxAbs(fast, ref);
  EXPECT_LE(d32, 2e-4 * std::max(1.0, range));

  VaeLoadOptions ob = o;
  ob.dtype = torch::kBFloat16;
  auto vb = randomFluxVae(smallConfig(), 21, ob);
  const auto plainB = decode(vb, false);
  const auto fastB = decode(vb, true);
  auto meanAbs = [](const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().mean().item<double>(); };
  const double ePlain = meanAbs(plainB, ref), eFast = meanAbs(fastB, ref), dB = maxAbs(fastB, plainB);
  EXPECT_LE(eFast, 1.25 * ePlain + 1e-4 * range) << "fused bf16 path less accurate than the plain bf16 path";
  EXPECT_LE(dB, 0.05 * range);
  EXPECT_FALSE(torch::isnan(fastB).any().item<bool>());
  EXPECT_TRUE(torch::equal(z, zCopy)) << "the input latent must not be modified";

  // A block called with an lvalue (not moved) must leave it intact on the fused path too (the
  // 128 -> 64 block has a 1×1 conv shortcut, where a moved-in x is normalised in place).
  auto x = torch::randn({1, 128, 16, 16}, torch::TensorOptions().device(torch::kCUDA))
               .contiguous(torch::MemoryFormat::ChannelsLast);
  const auto xc = x.clone();
  auto& rb = *vae->up_blocks[2]->as<VaeUpBlockImpl>()->resnets[0]->as<VaeResnetBlockImpl>();
  ASSERT_TRUE(rb.conv_shortcut);
  VaeExec ex;
  ex.channelsLast = true;
  rb.forward(x, ex);
  EXPECT_TRUE(torch::equal(x, xc));

  std::printf("[vae-fast] CUDA fp32 fast vs plain max|d| %.3g (image range %.3g); bf16 vs fp32 plain, mean|d|: "
              "plain %.3g, fast %.3g; bf16 fast vs plain max|d| %.3g\n",
              d32, range, ePlain, eFast, dB);
}
