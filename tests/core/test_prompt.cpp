// Prompt assembly against the pipeline golden case (ids, masks) and the spec's rules.
#include <fstream>

#include "golden.h"
#include "text/prompt.h"

using namespace newbie;
using namespace newbie::text;

namespace {

std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  EXPECT_TRUE(in.good()) << p;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct Fixture {
  std::unique_ptr<Tokenizer> gemma = Tokenizer::load(test::goldenDir() / "pipeline/model/text_encoder", TokenizerFlavor::Gemma);
  std::unique_ptr<Tokenizer> jina = Tokenizer::load(test::goldenDir() / "pipeline/model/clip_model", TokenizerFlavor::XlmR);
  std::string sys = readFile(test::goldenDir() / "pipeline/expected/system_prompt.txt");
  std::string pos = readFile(test::goldenDir() / "pipeline/expected/prompt.txt");
  std::string neg = readFile(test::goldenDir() / "pipeline/expected/negative_prompt.txt");
};

std::vector<int64_t> validRow(const torch::Tensor& ids, const torch::Tensor& mask, int r) {
  const int64_t n = mask[r].sum().item<int64_t>();
  auto x = ids[r].slice(0, 0, n).contiguous();
  return std::vector<int64_t>(x.data_ptr<int64_t>(), x.data_ptr<int64_t>() + n);
}

}  // namespace

TEST(Prompt, PresetsAreVerbatim) {
  ASSERT_NE(findSystemPromptPreset("xml"), nullptr);
  EXPECT_EQ(findSystemPromptPreset("xml")->text,
            "You are an assistant designed to generate high-quality anime images based on xml format prompts. "
            "<Prompt Start> ");
  EXPECT_EQ(findSystemPromptPreset("lora_trainer")->text.back(), '>');
  EXPECT_EQ(findSystemPromptPreset("comfy_xml")->text.back(), '\n');
  EXPECT_EQ(findSystemPromptPreset("none")->text, "");
  EXPECT_EQ(findSystemPromptPreset("nope"), nullptr);
  EXPECT_THROW(resolveSystemPreset("nope", ""), std::invalid_argument);
  // The golden pipeline's system prompt is the "xml" preset.
  EXPECT_EQ(readFile(test::goldenDir() / "pipeline/expected/system_prompt.txt"), findSystemPromptPreset("xml")->text);
}

TEST(Prompt, AutoPicksXmlOrTags) {
  EXPECT_TRUE(looksLikeNewBieXml("<character_1>\n<n>x</n></character_1>"));
  EXPECT_TRUE(looksLikeNewBieXml("  \n <general_tags><count>1girl</count></general_tags>"));
  EXPECT_TRUE(looksLikeNewBieXml("<caption>a girl</caption>"));
  EXPECT_FALSE(looksLikeNewBieXml("1girl, solo, <lora:x>"));
  EXPECT_FALSE(looksLikeNewBieXml("<characterization>"));
  EXPECT_FALSE(looksLikeNewBieXml(""));
  EXPECT_EQ(resolveSystemPreset("auto", "<character_1></character_1>").name, "xml");
  EXPECT_EQ(resolveSystemPreset("auto", "1girl, solo").name, "tags");
  EXPECT_EQ(resolveSystemPreset("lumina", "<character_1>").name, "lumina");
}

TEST(Prompt, GoldenPipelineInputs) {
  Fixture f;
  auto store = test::golden("pipeline/expected/golden.safetensors");
  const auto gIds = store.tensor("gemma_input_ids"), gMask = store.tensor("gemma_attention_mask");
  const auto jIds = store.tensor("jina_input_ids"), jMask = store.tensor("jina_attention_mask");

  const EncoderInputs p = buildPositiveInputs(*f.gemma, *f.jina, f.pos);
  EXPECT_EQ(p.systemPreset, "xml");
  EXPECT_EQ(p.gemmaText, f.sys + f.pos);
  EXPECT_EQ(p.jinaText, f.pos);
  EXPECT_EQ(p.gemmaIds, validRow(gIds, gMask, 0));
  EXPECT_EQ(p.jinaIds, validRow(jIds, jMask, 0));
  EXPECT_FALSE(p.truncated);
  EXPECT_EQ(p.gemmaTokensBeforeTruncation, static_cast<int>(p.gemmaIds.size()));
  EXPECT_EQ(countGemmaTokens(*f.gemma, f.pos), static_cast<int>(p.gemmaIds.size()));

  const EncoderInputs n = buildNegativeInputs(*f.gemma, *f.jina, f.neg, f.pos);
  EXPECT_EQ(n.gemmaText, f.sys + f.neg);  // same system prompt as the positive although the negative is tags
  EXPECT_EQ(n.jinaText, f.neg);
  EXPECT_EQ(n.gemmaIds, validRow(gIds, gMask, 1));
  EXPECT_EQ(n.jinaIds, validRow(jIds, jMask, 1));
}

TEST(Prompt, EmptyNegative) {
  Fixture f;
  const EncoderInputs n = buildNegativeInputs(*f.gemma, *f.jina, "", f.pos);
  EXPECT_EQ(n.gemmaIds, (std::vector<int64_t>{2}));
  EXPECT_EQ(n.jinaIds, (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(n.gemmaText, "");
  EXPECT_EQ(n.jinaText, "");
  PromptOptions o;
  o.comfyCompatible = true;
  EXPECT_EQ(buildNegativeInputs(*f.gemma, *f.jina, "", f.pos, o).jinaIds, (std::vector<int64_t>{0, 2}));
}

TEST(Prompt, ComfyCompatibleAndCustom) {
  Fixture f;
  PromptOptions o;
  o.comfyCompatible = true;
  const EncoderInputs p = buildPositiveInputs(*f.gemma, *f.jina, f.pos, o);
  EXPECT_EQ(p.jinaText, f.sys + f.pos);
  EXPECT_EQ(p.jinaIds, f.jina->encodeForJina(f.sys + f.pos));
  EXPECT_GT(p.jinaIds.size(), f.jina->encodeForJina(f.pos).size());

  PromptOptions c;
  c.customSystemPrompt = "Draw: ";
  const EncoderInputs q = buildPositiveInputs(*f.gemma, *f.jina, "1girl", c);
  EXPECT_EQ(q.systemPreset, "custom");
  EXPECT_EQ(q.gemmaText, "Draw: 1girl");
  EXPECT_EQ(q.gemmaIds, f.gemma->encodeForGemma("Draw: 1girl"));
  EXPECT_EQ(countGemmaTokens(*f.gemma, "1girl", "custom", "Draw: "), static_cast<int>(q.gemmaIds.size()));

  PromptOptions t;
  t.systemPreset = "auto";
  t.negativeSystemPreset = "comfy_negative";
  const EncoderInputs n = buildNegativeInputs(*f.gemma, *f.jina, "blurry", "1girl", t);
  EXPECT_EQ(n.gemmaText, findSystemPromptPreset("comfy_negative")->text + "blurry");
  const EncoderInputs tags = buildPositiveInputs(*f.gemma, *f.jina, "1girl, solo", t);
  EXPECT_EQ(tags.systemPreset, "tags");
}

TEST(Prompt, TruncationAt512) {
  Fixture f;
  std::string longPrompt;
  for (int i = 0; i < 400; ++i) longPrompt += "long_hair, ";
  const EncoderInputs p = buildPositiveInputs(*f.gemma, *f.jina, longPrompt);
  const auto full = f.gemma->encodeForGemma(p.gemmaText);
  ASSERT_GT(full.size(), 512u);
  EXPECT_TRUE(p.truncated);
  EXPECT_EQ(p.gemmaIds.size(), 512u);
  EXPECT_EQ(p.gemmaTokensBeforeTruncation, static_cast<int>(full.size()));
  EXPECT_EQ(p.gemmaIds, std::vector<int64_t>(full.begin(), full.begin() + 512));
  EXPECT_EQ(countGemmaTokens(*f.gemma, longPrompt), static_cast<int>(full.size()));
  PromptOptions o;
  o.maxJinaTokens = 10;
  const EncoderInputs q = buildPositiveInputs(*f.gemma, *f.jina, longPrompt, o);
  EXPECT_TRUE(q.jinaTruncated);
  ASSERT_EQ(q.jinaIds.size(), 10u);
  EXPECT_EQ(q.jinaIds.front(), 0);
  EXPECT_EQ(q.jinaIds.back(), 2);
}
