// Linear latent->RGB previews (MODEL-SPEC §6.3 a) with hand-computed values, and the TAEF1
// decoder (§6.3 b) against an independent conv-by-conv evaluation on random weights.
#include <cmath>

#include "golden.h"
#include "models/taef1.h"
#include "preview.h"

using namespace newbie;

namespace {
std::array<int, 3> px(const RGBImage& im, int y, int x) {
  const auto* p = im.rgb.data() + (static_cast<size_t>(y) * im.width + x) * 3;
  return {p[0], p[1], p[2]};
}
}  // namespace

TEST(Preview, HandComputedLinearMap) {
  // [1,16,2,2]; values by hand from the table (rgb = sum_c x[c]·F[c] + bias, u8 = trunc(clamp((rgb+1)/2)·255)).
  auto x0 = torch::zeros({1, 16, 2, 2});
  x0[0][0][0][1] = 1.0;   // (0,1): F[0] + b = [-0.0675, -0.0474, -0.0170] -> 118.89, 121.46, 125.33
  x0[0][13][1][0] = 10.0; // (1,0): 10·F[13] + b = [-1.2969, -0.5938, -1.1881] -> 0, 51.79, 0
  x0[0][9][1][1] = 5.0;   // (1,1): 5·(F[9]+F[12]) + b = [0.8796, 0.6882, 0.0789] -> 239.65, 215.25, 137.56
  x0[0][12][1][1] = 5.0;
  auto img = linearPreview(x0, {1, PreviewUpscale::None});
  ASSERT_EQ(img.width, 2);
  ASSERT_EQ(img.height, 2);
  EXPECT_EQ(px(img, 0, 0), (std::array<int, 3>{123, 118, 116}));  // bias only: 123.31, 118.35, 116.65
  EXPECT_EQ(px(img, 0, 1), (std::array<int, 3>{118, 121, 125}));
  EXPECT_EQ(px(img, 1, 0), (std::array<int, 3>{0, 51, 0}));
  EXPECT_EQ(px(img, 1, 1), (std::array<int, 3>{239, 215, 137}));
  // Float map value check.
  auto rgb = latentToRgbLinear(x0);
  EXPECT_NEAR(rgb[1][1][0].item<double>(), 0.8796, 1e-6);
  EXPECT_NEAR(rgb[1][0][1].item<double>(), -0.5938, 1e-6);
  EXPECT_EQ(fluxLatentRgbFactors()[15][2], -0.0778f);
  // Nearest ×4 replicates pixels; bilinear ×8 gives image size.
  auto up = linearPreview(x0, {4, PreviewUpscale::Nearest});
  ASSERT_EQ(up.width, 8);
  ASSERT_EQ(up.height, 8);
  EXPECT_EQ(px(up, 7, 7), px(img, 1, 1));
  EXPECT_EQ(px(up, 3, 4), px(img, 0, 1));
  EXPECT_EQ(px(up, 4, 3), px(img, 1, 0));
  auto bl = linearPreview(x0, {8, PreviewUpscale::Bilinear});
  EXPECT_EQ(bl.width, 16);
  EXPECT_EQ(bl.height, 16);
  EXPECT_EQ(px(bl, 0, 0), px(img, 0, 0));  // corners keep the corner value (align_corners=false)
  EXPECT_EQ(linearPreview(x0, {100, PreviewUpscale::Nearest}).width, 16);  // clamped to ×8
}

TEST(Preview, PredictedX0) {
  auto x = torch::full({1, 16, 2, 2}, 0.5);
  auto v = torch::full({1, 16, 2, 2}, -2.0);
  auto x0 = predictedX0(x, 0.25, v);
  EXPECT_TRUE(torch::allclose(x0, torch::zeros_like(x)));
  EXPECT_EQ(x0.scalar_type(), torch::kFloat32);
}

namespace {
// Independent reference: the TAEF1 decoder written out with functional convs.
torch::Tensor referenceTaef1(const std::map<std::string, torch::Tensor>& w, const std::string& p, torch::Tensor x) {
  auto conv = [&](const torch::Tensor& t, const std::string& k, bool bias) {
    return torch::conv2d(t, w.at(p + k + ".weight"), bias ? w.at(p + k + ".bias") : torch::Tensor(), 1, 1);
  };
  auto block = [&](const torch::Tensor& t, int i) {
    const auto k = std::to_string(i) + ".conv.";
    auto h = torch::relu(conv(t, k + "0", true));
    h = torch::relu(conv(h, k + "2", true));
    h = conv(h, k + "4", true);
    return torch::relu(h + t);
  };
  auto up = [](const torch::Tensor& t) { return t.repeat_interleave(2, 2).repeat_interleave(2, 3); };
  x = torch::tanh(x / 3) * 3;
  x = torch::relu(conv(x, "1", true));
  for (int i : {3, 4, 5}) x = block(x, i);
  x = conv(up(x), "7", false);
  for (int i : {8, 9, 10}) x = block(x, i);
  x = conv(up(x), "12", false);
  for (int i : {13, 14, 15}) x = block(x, i);
  x = conv(up(x), "17", false);
  x = block(x, 18);
  return conv(x, "19", true);
}

std::map<std::string, torch::Tensor> randomTaef1Weights(const std::string& prefix) {
  torch::manual_seed(7);
  std::map<std::string, torch::Tensor> w;
  const int64_t C = 64;
  auto add = [&](const std::string& k, int64_t o, int64_t i, bool bias) {
    w[prefix + k + ".weight"] = torch::randn({o, i, 3, 3}) / std::sqrt(9.0 * i);
    if (bias) w[prefix + k + ".bias"] = torch::randn({o}) * 0.05;
  };
  add("1", C, 16, true);
  for (int i : {3, 4, 5, 8, 9, 10, 13, 14, 15, 18})
    for (int j : {0, 2, 4}) add(std::to_string(i) + ".conv." + std::to_string(j), C, C, true);
  for (int i : {7, 12, 17}) add(std::to_string(i), C, C, false);
  add("19", 3, C, true);
  return w;
}
}  // namespace

TEST(Taef1, MatchesIndependentEvaluationBothKeyStyles) {
  torch::NoGradGuard ng;
  auto latent = torch::randn({1, 16, 4, 3}) * 2;
  for (std::string prefix : {"", "taesd_decoder."}) {
    SCOPED_TRACE("prefix '" + prefix + "'");
    auto w = randomTaef1Weights(prefix);
    const auto path = test::tempDir("taef1") / "taef1_decoder.safetensors";
    io::saveSafetensors(path, w);
    auto dec = models::loadTaef1(path);
    EXPECT_EQ(dec->config().latentChannels, 16);
    EXPECT_EQ(dec->config().width, 64);
    auto raw = dec->forwardRaw(latent);
    ASSERT_EQ(raw.sizes(), (std::vector<int64_t>{1, 3, 32, 24}));  // ×8
    auto ref = referenceTaef1(w, prefix, latent);
    EXPECT_CLOSE(raw, ref, 1e-5, 1e-5);
    auto img = dec->forward(latent);  // [0,1] -> [-1,1]
    EXPECT_CLOSE(img, ref * 2 - 1, 1e-5, 1e-5);
    auto prev = previewImageToRGB8(img);
    EXPECT_EQ(prev.width, 24);
    EXPECT_EQ(prev.height, 32);
    const double r0 = ((img[0][0][0][0].item<double>() + 1) / 2);
    EXPECT_EQ(prev.rgb[0], static_cast<int>(std::clamp(r0, 0.0, 1.0) * 255));
  }
}

TEST(Taef1, ClearErrors) {
  auto msg = [](auto&& fn) {
    try {
      fn();
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("<none>");
  };
  const auto dir = test::tempDir("taef1err");
  auto m = msg([&] { models::loadTaef1(dir / "taef1_decoder.safetensors"); });
  EXPECT_NE(m.find("does not exist"), std::string::npos) << m;
  EXPECT_NE(m.find("taef1_decoder.safetensors"), std::string::npos) << m;
  m = msg([&] { models::loadTaef1(dir / "taef1_decoder.pth"); });
  EXPECT_NE(m.find("pickle"), std::string::npos) << m;
  auto w = randomTaef1Weights("");
  w.erase("9.conv.2.weight");
  io::saveSafetensors(dir / "broken.safetensors", w);
  m = msg([&] { models::loadTaef1(dir / "broken.safetensors"); });
  EXPECT_NE(m.find("9.conv.2.weight"), std::string::npos) << m;
}
