// The whole data path against the golden pipeline case, plus the facade's behaviour:
// cancellation, validation, the encoding cache, the demo model, and the CLI end to end.
#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>
#include <torch/cuda.h>

#include "demo_model.h"
#include "golden.h"
#include "pipeline.h"
#include "png.h"

using namespace newbie;
namespace fs = std::filesystem;

namespace {

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

GenerationParams goldenParams() {
  const auto e = test::goldenDir() / "pipeline/expected";
  GenerationParams p;
  p.prompt = readFile(e / "prompt.txt");
  p.negativePrompt = readFile(e / "negative_prompt.txt");
  p.systemPrompt = readFile(e / "system_prompt.txt");
  p.width = 48;
  p.height = 64;
  p.steps = 6;
  p.cfgScale = 4.5;
  p.shift = 6.0;
  p.sampler = "euler";
  p.schedule = "diffusers";
  p.noiseFile = e / "noise.safetensors";
  return p;
}

torch::Tensor latentOf(const GenerationResult& r) {
  return torch::from_blob(const_cast<float*>(r.latent.data()), r.latentShape, torch::kFloat32).clone();
}

torch::Tensor imageOf(const RGBImage& im) {
  // HWC uint8 -> [1, 3, H, W] like the golden
  auto t = torch::from_blob(const_cast<uint8_t*>(im.rgb.data()), {im.height, im.width, 3}, torch::kUInt8).clone();
  return t.permute({2, 0, 1}).unsqueeze(0).to(torch::kInt32);
}

void checkGoldenRun(const std::string& device) {
  LoadOptions lo;
  lo.device = device;
  lo.precision = Precision::FP32;
  lo.vaePrecision = Precision::FP32;
  auto pl = Pipeline::load({test::goldenDir() / "pipeline/model"}, lo);
  EXPECT_EQ(pl->summary().layout, "official");
  EXPECT_FALSE(pl->summary().isDemo);
  auto g = test::golden("pipeline/expected/golden.safetensors");

  // Text side: ids and features of the positive prompt (valid rows of golden row 0).
  const auto p = goldenParams();
  EncodeResult enc = pl->encode(p);
  auto gm = g.tensor("gemma_attention_mask");
  const int64_t lc = gm[0].sum().item<int64_t>();
  ASSERT_EQ(static_cast<int64_t>(enc.gemmaIds.size()), lc);
  EXPECT_TRUE(torch::equal(torch::tensor(enc.gemmaIds), g.tensor("gemma_input_ids")[0].narrow(0, 0, lc)));
  auto cap = torch::from_blob(enc.capFeats.data(), enc.capShape, torch::kFloat32);
  EXPECT_CLOSE(cap[0], g.tensor("cap_feats")[0].narrow(0, 0, lc), 1e-4, 1e-4);
  auto pooled = torch::from_blob(enc.pooled.data(), enc.pooledShape, torch::kFloat32);
  EXPECT_CLOSE(pooled[0], g.tensor("clip_text_pooled")[0], 1e-5, 1e-5);

  // Whole run: final latent and image.
  CancelToken cancel;
  int steps = 0;
  Callbacks cb;
  cb.onStep = [&](const StepInfo& s) {
    EXPECT_EQ(s.index, steps);
    EXPECT_EQ(s.total, 6);
    ++steps;
  };
  GenerationResult r = pl->generate(p, cb, cancel);
  EXPECT_EQ(steps, 6);
  EXPECT_CLOSE(latentOf(r), g.tensor("final_latent"), 1e-4, 1e-4);
  ASSERT_EQ(r.image.width, 48);
  ASSERT_EQ(r.image.height, 64);
  auto diff = (imageOf(r.image) - g.tensor("image_u8_round").to(torch::kInt32)).abs().max().item<int>();
  EXPECT_LE(diff, 1) << "uint8 image differs from the golden PNG values by " << diff;
  auto meta = nlohmann::json::parse(r.metadataJson);
  EXPECT_EQ(meta["steps"], 6);
  EXPECT_EQ(meta["sampler"], "euler");
  EXPECT_EQ(meta["system_prompt"], readFile(test::goldenDir() / "pipeline/expected/system_prompt.txt"));
  EXPECT_EQ(meta["width"], 48);
}

}  // namespace

TEST(Pipeline, GoldenCaseOnCpuReproducesLatentAndImage) { checkGoldenRun("cpu"); }

TEST(PipelineCuda, GoldenCaseOnCudaReproducesLatentAndImage) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: the CUDA twin runs on the GPU machine";
  at::globalContext().setAllowTF32CuBLAS(false);
  at::globalContext().setAllowTF32CuDNN(false);
  checkGoldenRun("cuda");
}

TEST(Pipeline, CancelMidSamplingThenNextJobStillWorks) {
  auto pl = Pipeline::load({test::goldenDir() / "pipeline/model"}, LoadOptions{});
  auto p = goldenParams();
  CancelToken cancel;
  Callbacks cb;
  int seen = 0;
  cb.onStep = [&](const StepInfo& s) {
    seen = s.index + 1;
    if (s.index == 1) cancel.request(CancelToken::Mode::Now);
  };
  EXPECT_THROW(pl->generate(p, cb, cancel), CancelledError);
  EXPECT_EQ(seen, 2);
  // The pipeline stays usable, and the second job hits the encoding cache.
  p.noiseFile.clear();
  p.seed = 7;
  GenerationResult r = pl->generate(p, {}, cancel);
  EXPECT_TRUE(r.timings.encodeCacheHit);
  EXPECT_EQ(r.image.rgb.size(), 48u * 64u * 3u);
  EXPECT_GE(pl->encodingCacheHits(), 2u);
}

TEST(Pipeline, FinishThisImageLetsTheJobComplete) {
  auto pl = Pipeline::load({test::goldenDir() / "pipeline/model"}, LoadOptions{});
  auto p = goldenParams();
  CancelToken cancel;
  Callbacks cb;
  cb.onStep = [&](const StepInfo& s) {
    if (s.index == 0) cancel.request(CancelToken::Mode::AfterImage);
  };
  GenerationResult r = pl->generate(p, cb, cancel);
  EXPECT_EQ(r.timings.stepMs.size(), 6u);
  EXPECT_EQ(cancel.mode(), CancelToken::Mode::AfterImage);  // the caller sees it and stops the queue
}

TEST(Pipeline, CancelWhileLoading) {
  CancelToken cancel;
  int calls = 0;
  auto progress = [&](const LoadProgress& pr) {
    if (++calls == 2) cancel.request(CancelToken::Mode::Now);
  };
  EXPECT_THROW(Pipeline::load({test::goldenDir() / "pipeline/model"}, LoadOptions{}, progress, &cancel),
               CancelledError);
  EXPECT_EQ(calls, 2);
}

TEST(Pipeline, ValidationNamesTheFieldAndValue) {
  GenerationParams p;
  p.width = 100;
  try {
    Pipeline::validate(p);
    FAIL() << "width 100 accepted";
  } catch (const InvalidParamsError& e) {
    EXPECT_NE(std::string(e.what()).find("width 100"), std::string::npos) << e.what();
  }
  p.width = 1024;
  p.sampler = "no_such_sampler";
  EXPECT_THROW(Pipeline::validate(p), InvalidParamsError);
  p.sampler = "euler";
  p.cfgScale = std::nan("");
  EXPECT_THROW(Pipeline::validate(p), InvalidParamsError);
  p.cfgScale = 4.5;
  p.steps = 0;
  EXPECT_THROW(Pipeline::validate(p), InvalidParamsError);
  p.steps = 28;
  EXPECT_NO_THROW(Pipeline::validate(p));
}

TEST(Pipeline, CudaRequestWithoutGpuIsAClearError) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "a GPU is present";
  LoadOptions lo;
  lo.device = "cuda";
  try {
    Pipeline::load({test::goldenDir() / "pipeline/model"}, lo);
    FAIL() << "loaded on a missing GPU";
  } catch (const InvalidParamsError& e) {
    EXPECT_NE(std::string(e.what()).find("no CUDA device"), std::string::npos) << e.what();
  }
}

TEST(DemoModel, DeterministicAndGeneratesAnImage) {
  const auto a = test::tempDir("demo-a"), b = test::tempDir("demo-b");
  writeDemoModel(a);
  writeDemoModel(b);
  EXPECT_TRUE(isDemoModel(a));
  for (const char* f : {"transformer/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors",
                        "text_encoder/tokenizer.json", "clip_model/model.safetensors", "clip_model/tokenizer.json",
                        "vae/diffusion_pytorch_model.safetensors"})
    EXPECT_EQ(readFile(a / f), readFile(b / f)) << f << " differs between two writes";
  auto pl = Pipeline::load({a}, LoadOptions{});
  EXPECT_TRUE(pl->summary().isDemo);
  GenerationParams p;
  p.prompt = "<character_1><n>demo</n><gender>1girl</gender></character_1>";
  p.width = 128;
  p.height = 96;
  p.steps = 3;
  p.previewEvery = 1;
  int previews = 0;
  Callbacks cb;
  cb.onStep = [&](const StepInfo& s) {
    if (s.preview) {
      ++previews;
      EXPECT_EQ(s.preview->width, 128 / 8);
      EXPECT_EQ(s.preview->rgb.size(), static_cast<size_t>(s.preview->width * s.preview->height * 3));
    }
  };
  CancelToken cancel;
  auto r = pl->generate(p, cb, cancel);
  EXPECT_EQ(previews, 2);  // steps 1 and 2; the last step is the final image
  EXPECT_EQ(r.image.width, 128);
  EXPECT_EQ(r.image.height, 96);
  EXPECT_GT(pl->countTokens(p.prompt), 5);
}

TEST(Cli, GenerateReproducesGoldenLatentAndWritesMetadata) {
  const auto e = test::goldenDir() / "pipeline/expected";
  const auto out = test::tempDir("cli");
  const std::string cmd = std::string(NEWBIE_CLI_PATH) + " generate --model '" +
                          (test::goldenDir() / "pipeline/model").string() + "' --prompt-file '" +
                          (e / "prompt.txt").string() + "' --negative-file '" + (e / "negative_prompt.txt").string() +
                          "' --system-prompt \"$(cat '" + (e / "system_prompt.txt").string() +
                          "')\" --width 48 --height 64 --steps 6 --cfg 4.5 --noise '" +
                          (e / "noise.safetensors").string() + "' --out '" + (out / "img.png").string() +
                          "' --save-latent '" + (out / "latent.safetensors").string() + "' > '" +
                          (out / "log.txt").string() + "' 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << readFile(out / "log.txt");
  auto lat = io::TensorStore::open(out / "latent.safetensors").tensor("latent");
  auto g = test::golden("pipeline/expected/golden.safetensors");
  EXPECT_CLOSE(lat, g.tensor("final_latent"), 1e-4, 1e-4);
  auto png = readPng(out / "img.png");
  ASSERT_TRUE(png.newbieRecordJson.has_value());
  auto rec = nlohmann::json::parse(*png.newbieRecordJson);
  EXPECT_EQ(rec["prompt"], readFile(e / "prompt.txt"));
  ASSERT_TRUE(png.parameters.has_value());
  EXPECT_EQ(png.parameters->steps.value_or(-1), 6);
  EXPECT_EQ(png.parameters->negativePrompt, readFile(e / "negative_prompt.txt"));
}
