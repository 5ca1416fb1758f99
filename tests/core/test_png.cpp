// PNG writer/reader: metadata round trip (CJK/emoji XML prompt), A1111 text from other tools,
// exact pixels, truncated and non-PNG files.
#include <cstring>
#include <fstream>
#include <functional>

#include <nlohmann/json.hpp>

#include "golden.h"
#include "png.h"

using namespace newbie;

namespace {
RGBImage testImage(int w, int h) {
  RGBImage im{w, h, {}};
  im.rgb.resize(static_cast<size_t>(w) * h * 3);
  for (size_t i = 0; i < im.rgb.size(); ++i) im.rgb[i] = static_cast<uint8_t>((i * 37 + i / 7) & 0xFF);
  return im;
}
std::vector<char> slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
std::string errorOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const PngError& e) {
    return e.what();
  }
  return "<no PngError>";
}
const char* kXmlPrompt =
    "<character_1>\n  <n>初音ミク</n>\n  <gender>1girl</gender>\n  <appearance>twintails, aqua_eyes 🎵</appearance>\n"
    "</character_1>\n<general_tags>\n  <style>anime, \"best quality\", a:b</style>\n</general_tags>";
}  // namespace

TEST(Png, RoundTripRecordAndParametersWithCjkEmoji) {
  nlohmann::json rec = {{"prompt", kXmlPrompt},
                        {"negative_prompt", "低品質, worst quality"},
                        {"system_prompt", "You are an assistant ... <Prompt Start> "},
                        {"seed", 1234567890123ull},
                        {"steps", 28},
                        {"sampler", "euler"},
                        {"schedule", "diffusers"},
                        {"shift", 6.0},
                        {"cfg_scale", 4.5},
                        {"width", 48},
                        {"height", 64},
                        {"model", "NewBie-image-Exp0.1"},
                        {"precision", "bf16"},
                        {"timings", {{"denoise_ms", 12.5}}}};
  const std::string json = rec.dump();
  const auto img = testImage(48, 64);
  const auto path = test::tempDir("png") / "out.png";
  writePngWithRecord(path, img, json);
  auto r = readPng(path);
  EXPECT_EQ(r.image.width, 48);
  EXPECT_EQ(r.image.height, 64);
  EXPECT_EQ(r.image.rgb, img.rgb);  // pixels exact
  ASSERT_TRUE(r.newbieRecordJson);
  EXPECT_EQ(*r.newbieRecordJson, json);  // byte for byte
  EXPECT_EQ(nlohmann::json::parse(*r.newbieRecordJson), rec);
  ASSERT_TRUE(r.parameters);
  const auto& p = *r.parameters;
  EXPECT_EQ(p.prompt, kXmlPrompt);
  EXPECT_EQ(p.negativePrompt, "低品質, worst quality");
  EXPECT_EQ(p.steps, 28);
  EXPECT_EQ(p.sampler, "euler");
  EXPECT_EQ(p.cfgScale, 4.5);
  EXPECT_EQ(p.seed, 1234567890123ull);
  EXPECT_EQ(p.width, 48);
  EXPECT_EQ(p.height, 64);
  EXPECT_EQ(p.model, "NewBie-image-Exp0.1");
  EXPECT_EQ(p.get("Shift"), "6.0");
  EXPECT_EQ(p.get("Precision"), "bf16");
  // Chunk kinds: non-Latin-1 parameters go to iTXt (as PIL/A1111 do); newbie is iTXt.
  int found = 0;
  for (const auto& t : r.texts) {
    if (t.keyword == "parameters" || t.keyword == "newbie") {
      EXPECT_EQ(t.kind, PngTextChunk::Kind::iTXt) << t.keyword;
      ++found;
    }
  }
  EXPECT_EQ(found, 2);
  // The exact text of the parameters chunk.
  std::string params;
  for (const auto& t : r.texts)
    if (t.keyword == "parameters") params = t.text;
  EXPECT_EQ(params, std::string(kXmlPrompt) +
                        "\nNegative prompt: 低品質, worst quality\nSteps: 28, Sampler: euler, CFG scale: 4.5, Seed: "
                        "1234567890123, Size: 48x64, Model: NewBie-image-Exp0.1, Schedule: diffusers, Shift: 6.0, "
                        "Precision: bf16");
  // No temp files left behind.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(path.parent_path())) (void)e, ++files;
  EXPECT_EQ(files, 1);
}

TEST(Png, AsciiParametersAreTextChunkAndQuotedValuesRoundTrip) {
  A1111Params p;
  p.prompt = "1girl, solo";
  p.steps = 20;
  p.sampler = "DPM++ 2M";
  p.cfgScale = 7;
  p.seed = 42;
  p.width = 512;
  p.height = 768;
  p.model = "model, v2";  // needs quoting
  p.extra = {{"Lora hashes", "a: 1, b: 2"}, {"Version", "v1.10.1"}};
  const auto text = formatA1111(p);
  EXPECT_EQ(text,
            "1girl, solo\nSteps: 20, Sampler: DPM++ 2M, CFG scale: 7, Seed: 42, Size: 512x768, Model: \"model, v2\", "
            "Lora hashes: \"a: 1, b: 2\", Version: v1.10.1");
  PngWriteOptions o;
  o.parameters = p;
  const auto path = test::tempDir("png2") / "a.png";
  writePng(path, testImage(5, 3), o);
  auto r = readPng(path, false);
  EXPECT_TRUE(r.image.rgb.empty());
  EXPECT_EQ(r.image.width, 5);
  ASSERT_EQ(r.texts.size(), 1u);
  EXPECT_EQ(r.texts[0].kind, PngTextChunk::Kind::tEXt);
  ASSERT_TRUE(r.parameters);
  EXPECT_EQ(r.parameters->prompt, "1girl, solo");
  EXPECT_EQ(r.parameters->negativePrompt, "");
  EXPECT_EQ(r.parameters->model, "model, v2");
  EXPECT_EQ(r.parameters->get("Lora hashes"), "a: 1, b: 2");
  EXPECT_EQ(r.parameters->cfgScale, 7.0);
  EXPECT_FALSE(r.newbieRecordJson);
}

TEST(Png, ParsesExternalA1111Text) {
  // Typical AUTOMATIC1111 / Forge output: multi-line prompt, negative, settings with hashes.
  const std::string ext =
      "masterpiece, best quality, 1girl,\nsilver hair, <lora:detail:0.6>\r\n"
      "Negative prompt: lowres, bad anatomy,\nbad hands\n"
      "Steps: 30, Sampler: DPM++ 2M Karras, Schedule type: Karras, CFG scale: 6.5, Seed: 3141592653, "
      "Size: 832x1216, Model hash: 0123abcd, Model: animagineXL_v31, Denoising strength: 0.4, "
      "Hires upscale: 1.5, Version: f2.0.1v1.10.1";
  auto p = parseA1111(ext);
  EXPECT_EQ(p.prompt, "masterpiece, best quality, 1girl,\nsilver hair, <lora:detail:0.6>");
  EXPECT_EQ(p.negativePrompt, "lowres, bad anatomy,\nbad hands");
  EXPECT_EQ(p.steps, 30);
  EXPECT_EQ(p.sampler, "DPM++ 2M Karras");
  EXPECT_EQ(p.cfgScale, 6.5);
  EXPECT_EQ(p.seed, 3141592653ull);
  EXPECT_EQ(p.width, 832);
  EXPECT_EQ(p.height, 1216);
  EXPECT_EQ(p.model, "animagineXL_v31");
  EXPECT_EQ(p.get("Model hash"), "0123abcd");
  EXPECT_EQ(p.get("Schedule type"), "Karras");
  EXPECT_EQ(p.get("Version"), "f2.0.1v1.10.1");
  // No negative prompt, and a file that is only a prompt.
  auto q = parseA1111("a cat\non a mat\nSteps: 4, Sampler: Euler a, CFG scale: 1, Seed: 1, Size: 64x64");
  EXPECT_EQ(q.prompt, "a cat\non a mat");
  EXPECT_EQ(q.negativePrompt, "");
  EXPECT_EQ(q.sampler, "Euler a");
  auto only = parseA1111("just words: here\nmore");
  EXPECT_EQ(only.prompt, "just words: here\nmore");
  EXPECT_FALSE(only.steps);
  // Written into a PNG as a plain tEXt chunk by "another tool", read back.
  PngWriteOptions o;
  o.extraText.push_back({PngTextChunk::Kind::tEXt, "parameters", ext});
  const auto path = test::tempDir("png3") / "ext.png";
  writePng(path, testImage(2, 2), o);
  auto r = readPng(path);
  ASSERT_TRUE(r.parameters);
  EXPECT_EQ(r.parameters->seed, 3141592653ull);
  EXPECT_EQ(r.parameters->negativePrompt, "lowres, bad anatomy,\nbad hands");
}

TEST(Png, TruncatedAndNonPngFilesNameTheFile) {
  const auto dir = test::tempDir("png4");
  const auto good = dir / "good.png";
  PngWriteOptions o;
  o.newbieRecordJson = R"({"prompt":"x"})";
  writePng(good, testImage(64, 64), o);
  auto bytes = slurp(good);
  ASSERT_GT(bytes.size(), 200u);
  const auto cut = dir / "cut.png";
  {
    std::ofstream out(cut, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  }
  auto m = errorOf([&] { readPng(cut); });
  EXPECT_NE(m.find("cut.png"), std::string::npos) << m;
  EXPECT_NE(m.find("truncated"), std::string::npos) << m;
  // Missing only the IEND chunk is still truncated.
  const auto noEnd = dir / "noend.png";
  {
    std::ofstream out(noEnd, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() - 12));
  }
  m = errorOf([&] { readPng(noEnd); });
  EXPECT_NE(m.find("noend.png"), std::string::npos) << m;
  const auto txt = dir / "notes.png";
  {
    std::ofstream out(txt, std::ios::binary);
    out << "GIF89a this is not a png";
  }
  m = errorOf([&] { readPng(txt); });
  EXPECT_NE(m.find("notes.png"), std::string::npos) << m;
  EXPECT_NE(m.find("not a PNG"), std::string::npos) << m;
  m = errorOf([&] { readPng(dir / "missing.png"); });
  EXPECT_NE(m.find("missing.png"), std::string::npos) << m;
  // A corrupted CRC inside the data is reported too.
  auto bad = bytes;
  bad[bad.size() / 2] ^= 0x5A;
  m = errorOf([&] { decodePng(reinterpret_cast<const uint8_t*>(bad.data()), bad.size(), "mem.png"); });
  EXPECT_NE(m.find("mem.png"), std::string::npos) << m;
  // Writing into a folder that does not exist fails with the path.
  m = errorOf([&] { writePng(dir / "nope" / "x.png", testImage(2, 2)); });
  EXPECT_NE(m.find("x.png"), std::string::npos) << m;
  // Bad image.
  m = errorOf([&] { writePng(dir / "y.png", RGBImage{3, 3, {1, 2, 3}}); });
  EXPECT_NE(m.find("y.png"), std::string::npos) << m;
}

TEST(Png, ReadsGoldenPipelineImage) {
  auto r = readPng(test::goldenDir() / "pipeline/expected/image.png");
  EXPECT_EQ(r.image.width, 48);
  EXPECT_EQ(r.image.height, 64);
  auto g = test::golden("pipeline/expected/golden.safetensors");
  auto ref = g.tensor("image_u8_round")[0].permute({1, 2, 0}).contiguous();
  EXPECT_EQ(0, std::memcmp(ref.data_ptr<uint8_t>(), r.image.rgb.data(), r.image.rgb.size()));
}
