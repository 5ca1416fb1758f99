// FLUX VAE decoder vs the golden set (golden README §5, §7): both namings, decode convention,
// uint8 conversions, PNG, config detection, tiled vs untiled decoding, load errors.
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "golden.h"
#include "models/flux_vae.h"
#include "png.h"

using namespace newbie;
using namespace newbie::models;

namespace {

FluxVaeDecoder diffusersVae() {
  const auto dir = test::goldenDir() / "pipeline/model/vae";
  return loadFluxVae(dir / "diffusion_pytorch_model.safetensors", dir / "config.json");
}
FluxVaeDecoder bflVae() {
  const auto dir = test::goldenDir() / "vae";
  return loadFluxVae(dir / "ae.safetensors", dir / "config.json");
}

template <class Fn>
std::string thrownMessage(Fn&& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "<no exception>";
}

}  // namespace

TEST(FluxVae, ConfigFromJsonAndFromShapesAgree) {
  const auto cj = FluxVaeConfig::fromJsonFile(test::goldenDir() / "vae/config.json");
  EXPECT_EQ(cj.blockOutChannels, (std::vector<int64_t>{8, 16, 32, 32}));
  EXPECT_EQ(cj.normNumGroups, 4);
  EXPECT_EQ(cj.layersPerBlock, 2);
  EXPECT_EQ(cj.latentChannels, 16);
  EXPECT_DOUBLE_EQ(cj.scalingFactor, 0.3611);
  EXPECT_DOUBLE_EQ(cj.shiftFactor, 0.1159);
  for (auto file : {"vae/ae.safetensors", "pipeline/model/vae/diffusion_pytorch_model.safetensors"}) {
    auto store = io::TensorStore::open(test::goldenDir() / file);
    auto cd = FluxVaeConfig::detect(store, 4);
    EXPECT_EQ(cd.blockOutChannels, cj.blockOutChannels) << file;
    EXPECT_EQ(cd.layersPerBlock, cj.layersPerBlock) << file;
    EXPECT_EQ(cd.latentChannels, 16) << file;
    EXPECT_EQ(cd.outChannels, 3) << file;
    EXPECT_TRUE(cd.midBlockAttention) << file;
  }
  EXPECT_EQ(detectVaeNaming(io::TensorStore::open(test::goldenDir() / "vae/ae.safetensors")), VaeNaming::BFL);
  EXPECT_EQ(diffusersToBflKey("decoder.up_blocks.2.resnets.0.conv_shortcut.weight", 4),
            "decoder.up.1.block.0.nin_shortcut.weight");
  EXPECT_EQ(diffusersToBflKey("decoder.mid_block.attentions.0.to_out.0.bias", 4), "decoder.mid.attn_1.proj_out.bias");
  EXPECT_EQ(diffusersToBflKey("decoder.up_blocks.0.upsamplers.0.conv.weight", 4), "decoder.up.3.upsample.conv.weight");
  const auto full = FluxVaeConfig::flux1Dev();
  EXPECT_EQ(full.blockOutChannels, (std::vector<int64_t>{128, 256, 512, 512}));
  EXPECT_EQ(full.downscale(), 8);
}

TEST(FluxVae, BadConfigAndFp16AreRefused) {
  auto msg = thrownMessage([] { FluxVaeConfig::fromJsonText(R"({"block_out_channels": [8, -1]})", "x/config.json"); });
  EXPECT_NE(msg.find("x/config.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find("block_out_channels"), std::string::npos) << msg;
  VaeLoadOptions o;
  o.dtype = torch::kFloat16;
  msg = thrownMessage([&] {
    const auto dir = test::goldenDir() / "vae";
    loadFluxVae(dir / "ae.safetensors", dir / "config.json", o);
  });
  EXPECT_NE(msg.find("float16"), std::string::npos) << msg;
}

TEST(FluxVae, WrongConfigNamesTheTensor) {
  // groups do not matter for shapes; layers_per_block 1 leaves unexpected tensors, wider channels mismatch.
  auto cfg = FluxVaeConfig::fromJsonFile(test::goldenDir() / "vae/config.json");
  cfg.blockOutChannels = {8, 16, 32, 64};
  auto store = io::TensorStore::open(test::goldenDir() / "vae/ae.safetensors");
  auto msg = thrownMessage([&] { loadFluxVae(store, cfg, {}, "ae.safetensors"); });
  EXPECT_NE(msg.find("ae.safetensors"), std::string::npos) << msg;
  EXPECT_NE(msg.find("decoder."), std::string::npos) << msg;
  EXPECT_NE(msg.find("expected"), std::string::npos) << msg;
  cfg.blockOutChannels = {8, 16, 32, 32};
  cfg.layersPerBlock = 1;
  msg = thrownMessage([&] { loadFluxVae(store, cfg, {}, "ae.safetensors"); });
  EXPECT_NE(msg.find("unexpected decoder tensor"), std::string::npos) << msg;
  msg = thrownMessage([&] { loadFluxVae(test::goldenDir() / "vae/model.pth", {}); });
  EXPECT_NE(msg.find("pickle"), std::string::npos) << msg;
}

TEST(FluxVae, GoldenBothNamings) {
  torch::NoGradGuard ng;
  auto g = test::golden("vae/golden.safetensors");
  for (int which = 0; which < 2; ++which) {
    auto vae = which == 0 ? diffusersVae() : bflVae();
    SCOPED_TRACE(which == 0 ? "diffusers naming" : "BFL naming");
    auto img = vae->decode(g.tensor("z_vae"));
    EXPECT_CLOSE(img, g.tensor("image_from_z_vae"), 1e-5, 1e-5);
    auto img2 = vae->decodeModelLatent(g.tensor("z_model"));
    EXPECT_CLOSE(img2, g.tensor("image_from_z_model"), 1e-5, 1e-5);
    auto zv = g.tensor("z_model") / vae->config().scalingFactor + vae->config().shiftFactor;
    EXPECT_CLOSE(zv, g.tensor("z_vae_from_model"), 1e-6, 1e-6);
    std::cout << "[vae] " << (which == 0 ? "diffusers" : "BFL")
              << " max|d| z_vae: " << (img - g.tensor("image_from_z_vae")).abs().max().item<double>()
              << "  z_model: " << (img2 - g.tensor("image_from_z_model")).abs().max().item<double>() << "\n";
  }
}

TEST(FluxVae, PipelineFinalLatentToImageAndPng) {
  torch::NoGradGuard ng;
  auto g = test::golden("pipeline/expected/golden.safetensors");
  auto vae = diffusersVae();
  auto img = vae->decodeModelLatent(g.tensor("final_latent"));
  EXPECT_CLOSE(img, g.tensor("image"), 1e-4, 1e-4);
  std::cout << "[vae] pipeline image max|d|: " << (img - g.tensor("image")).abs().max().item<double>() << "\n";
  auto u8 = imageToU8(img, U8Rounding::Round);
  auto ref = g.tensor("image_u8_round");
  const auto diffRound = (u8.to(torch::kInt32) - ref.to(torch::kInt32)).abs();
  EXPECT_LE(diffRound.max().item<int>(), 1);
  std::cout << "[vae] u8 round: " << diffRound.gt(0).sum().item<int64_t>() << " of " << ref.numel()
            << " differ (max " << diffRound.max().item<int>() << ")\n";
  auto u8t = imageToU8(img, U8Rounding::Trunc);
  const auto diffTrunc = (u8t.to(torch::kInt32) - g.tensor("image_u8_trunc").to(torch::kInt32)).abs();
  EXPECT_LE(diffTrunc.max().item<int>(), 1);
  // Exactness of the conversions themselves on the golden float image.
  EXPECT_TRUE(torch::equal(imageToU8(g.tensor("image"), U8Rounding::Round), ref));
  EXPECT_TRUE(torch::equal(imageToU8(g.tensor("image"), U8Rounding::Trunc), g.tensor("image_u8_trunc")));

  auto rgb = imageToRGB8(img);
  ASSERT_EQ(rgb.width, 48);
  ASSERT_EQ(rgb.height, 64);
  auto png = readPng(test::goldenDir() / "pipeline/expected/image.png");
  ASSERT_EQ(png.image.width, 48);
  ASSERT_EQ(png.image.height, 64);
  int maxd = 0;
  for (size_t i = 0; i < rgb.rgb.size(); ++i) maxd = std::max(maxd, std::abs(int(rgb.rgb[i]) - int(png.image.rgb[i])));
  EXPECT_LE(maxd, 1);
  // The PNG equals the golden uint8 tensor exactly (HWC vs CHW).
  auto pngT = torch::from_blob(png.image.rgb.data(), {64, 48, 3}, torch::kUInt8).permute({2, 0, 1});
  EXPECT_TRUE(torch::equal(pngT, ref[0]));
}

TEST(FluxVae, Bf16RunsAndIsClose) {
  torch::NoGradGuard ng;
  auto g = test::golden("vae/golden.safetensors");
  VaeLoadOptions o;
  o.dtype = torch::kBFloat16;
  const auto dir = test::goldenDir() / "vae";
  auto vae = loadFluxVae(dir / "ae.safetensors", dir / "config.json", o);
  EXPECT_EQ(vae->dtype(), torch::kBFloat16);
  auto img = vae->decode(g.tensor("z_vae"));
  EXPECT_EQ(img.scalar_type(), torch::kFloat32);
  const auto ref = g.tensor("image_from_z_vae");
  const double d = (img - ref).abs().max().item<double>(), m = (img - ref).abs().mean().item<double>();
  const double range = (ref.max() - ref.min()).item<double>();
  std::cout << "[vae] bf16 max|d|: " << d << ", mean " << m << ", image range " << range << "\n";
  EXPECT_LT(d, 0.05 * range);
  EXPECT_LT(m, 0.01 * range);
}

TEST(FluxVae, TileStarts) {
  EXPECT_EQ(tileStarts(20, 32, 8), (std::vector<int64_t>{0}));
  EXPECT_EQ(tileStarts(64, 32, 8), (std::vector<int64_t>{0, 16, 32}));
  for (int64_t L : {33, 50, 64, 100, 257}) {
    auto s = tileStarts(L, 32, 8);
    EXPECT_EQ(s.front(), 0);
    EXPECT_EQ(s.back() + 32, L);
    for (size_t i = 1; i < s.size(); ++i) EXPECT_GE(s[i - 1] + 32 - s[i], 8) << L;
  }
  EXPECT_THROW(tileStarts(64, 8, 8), std::invalid_argument);
}

// Tiled decoding is an approximation (GroupNorm statistics and the mid-block attention are
// global). Measured on a 64×64 random latent with the golden tiny weights, tiles of 32 with
// overlap 8 (3×3 tiles): see the printed numbers; the assertions are the bounds below.
TEST(FluxVae, TiledMatchesUntiledWithoutSeams) {
  torch::NoGradGuard ng;
  auto vae = bflVae();
  auto gen = at::detail::createCPUGenerator(1234);
  auto z = torch::randn({1, 16, 64, 64}, gen, torch::kFloat32);
  auto full = vae->decode(z, VaeTiling{VaeTiling::Mode::Never});
  VaeTiling t;
  t.mode = VaeTiling::Mode::Always;
  t.tileLatent = 32;
  t.overlapLatent = 8;
  EXPECT_TRUE(vae->wouldTile(64, 64, t));
  auto tiled = vae->decode(z, t);
  ASSERT_EQ(tiled.sizes(), full.sizes());
  auto err = (tiled - full).abs();  // [1,3,512,512]
  const double maxErr = err.max().item<double>(), meanErr = err.mean().item<double>();
  const double range = (full.max() - full.min()).item<double>();
  // Seam check: error of the image columns/rows where tiles meet (starts 0,16,32 → tile edges at
  // latent 16, 32, 48 → pixel 128, 256, 384, each ±8 px) vs everywhere else.
  auto colErr = err.mean({0, 1, 2});  // [512] per column
  auto rowErr = err.mean({0, 1, 3});
  auto mask = torch::zeros({512}, torch::kBool);
  for (int e : {128, 256, 384}) mask.narrow(0, e - 8, 16).fill_(true);
  const double seamCol = colErr.masked_select(mask).mean().item<double>();
  const double restCol = colErr.masked_select(~mask).mean().item<double>();
  const double seamRow = rowErr.masked_select(mask).mean().item<double>();
  const double restRow = rowErr.masked_select(~mask).mean().item<double>();
  // A seam is a step in the error: the error's change between neighbouring columns (rows) at
  // the tile edges vs elsewhere.
  auto e = tiled - full;
  auto stepCol = (e.narrow(3, 1, 511) - e.narrow(3, 0, 511)).abs().mean({0, 1, 2});  // [511], between x and x+1
  auto stepRow = (e.narrow(2, 1, 511) - e.narrow(2, 0, 511)).abs().mean({0, 1, 3});
  auto mask511 = mask.narrow(0, 0, 511);
  const double stepSeam = std::max(stepCol.masked_select(mask511).max().item<double>(),
                                   stepRow.masked_select(mask511).max().item<double>());
  const double stepRest = 0.5 * (stepCol.masked_select(~mask511).mean().item<double>() +
                                 stepRow.masked_select(~mask511).mean().item<double>());
  std::cout << "[vae] tiled vs untiled 64x64 latent (tile 32, overlap 8): max " << maxErr << ", mean " << meanErr
            << ", image range " << range << "; seam cols " << seamCol << " vs rest " << restCol << ", seam rows "
            << seamRow << " vs rest " << restRow << "; error step at seams (max) " << stepSeam << " vs elsewhere (mean) " << stepRest << "\n";
  EXPECT_LT(meanErr, 0.02 * range);
  EXPECT_LT(maxErr, 0.25 * range);
  EXPECT_LT(seamCol, 2.0 * restCol + 1e-3);
  EXPECT_LT(seamRow, 2.0 * restRow + 1e-3);
  EXPECT_LT(stepSeam, 3.0 * stepRest);
  // The seam metric has teeth: pasting the same tiles without blending shows the seams.
  auto naive = torch::zeros_like(full);
  const auto starts = tileStarts(64, 32, 8);
  for (auto y : starts)
    for (auto x : starts)
      naive.narrow(2, y * 8, 256).narrow(3, x * 8, 256).copy_(vae->forward(z.narrow(2, y, 32).narrow(3, x, 32)));
  auto en = naive - full;
  auto nCol = (en.narrow(3, 1, 511) - en.narrow(3, 0, 511)).abs().mean({0, 1, 2});
  const double naiveSeam = nCol.masked_select(mask511).max().item<double>();
  std::cout << "[vae] unblended tiles: error step at seams " << naiveSeam << "\n";
  EXPECT_GT(naiveSeam, 3.0 * stepRest);
  // A latent that fits one tile is decoded exactly as untiled.
  auto small = z.narrow(2, 0, 32).narrow(3, 0, 24);
  EXPECT_TRUE(torch::equal(vae->decode(small, t), vae->decode(small, VaeTiling{VaeTiling::Mode::Never})));
}

TEST(FluxVae, AutoTilingRule) {
  auto vae = bflVae();
  VaeTiling t;  // Auto, tile 128
  EXPECT_FALSE(vae->wouldTile(128, 128, t));
  EXPECT_TRUE(vae->wouldTile(256, 256, t));
  t.autoMaxLatentArea = 1 << 30;
  EXPECT_FALSE(vae->wouldTile(256, 256, t));
  t.memoryBudgetBytes = 1;
  EXPECT_TRUE(vae->wouldTile(256, 256, t));
  t.mode = VaeTiling::Mode::Never;
  EXPECT_FALSE(vae->wouldTile(256, 256, t));
  EXPECT_GT(estimateDecodeBytes(FluxVaeConfig::flux1Dev(), 256, 256, torch::kFloat32),
            estimateDecodeBytes(FluxVaeConfig::flux1Dev(), 128, 128, torch::kFloat32));
}

TEST(FluxVae, FullSizeRandomConfigRunsAndRoundTripsThroughSafetensors) {
  torch::NoGradGuard ng;
  auto cfg = FluxVaeConfig::flux1Dev();
  auto a = randomFluxVae(cfg, 42);
  auto b = randomFluxVae(cfg, 42);
  int64_t params = 0;
  for (const auto& p : a->parameters()) params += p.numel();
  std::cout << "[vae] FLUX.1-dev decoder parameters: " << params << "\n";
  EXPECT_GT(params, 40'000'000);
  for (size_t i = 0; i < a->parameters().size(); ++i)
    ASSERT_TRUE(torch::equal(a->parameters()[i], b->parameters()[i]));
  auto z = torch::randn({1, 16, 4, 4});
  auto img = a->decode(z);
  EXPECT_EQ(img.sizes(), (std::vector<int64_t>{1, 3, 32, 32}));
  EXPECT_TRUE(torch::isfinite(img).all().item<bool>());
  // Save under diffusers names, reload with shape detection: same output.
  const auto path = test::tempDir("vae") / "full.safetensors";
  io::saveSafetensors(path, fluxVaeStateDict(a));
  auto c = loadFluxVae(path, {});
  EXPECT_EQ(c->config().blockOutChannels, cfg.blockOutChannels);
  EXPECT_TRUE(torch::allclose(c->decode(z), img, 1e-5, 1e-5));
}
