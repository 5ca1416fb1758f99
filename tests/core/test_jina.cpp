// Jina-CLIP-v2 text tower vs golden README §3 (jina/) and §7 (pipeline clip_text_pooled).
#include <fstream>

#include <nlohmann/json.hpp>

#include "golden.h"
#include "models/jina_xlmr.h"

using namespace newbie;
using namespace newbie::models;

namespace {

JinaTextTower loadComfy(torch::ScalarType dt = torch::kFloat32) {
  static io::TensorStore store = test::golden("jina/jina_comfy.safetensors");
  const auto cfg = test::readJson(test::goldenDir() / "jina/config.json");
  return loadJinaTextTower(store, &cfg, torch::kCPU, dt);
}

JinaTextTower loadHf() {
  static io::TensorStore store = test::golden("pipeline/model/clip_model/model.safetensors");
  const auto cfg = test::readJson(test::goldenDir() / "pipeline/model/clip_model/config.json");
  return loadJinaTextTower(store, &cfg, torch::kCPU, torch::kFloat32);
}

void report(const char* what, const torch::Tensor& a, const torch::Tensor& e) {
  test::reportMeasure(what, a, e, 1e-5, 1e-5);
}

}  // namespace

TEST(JinaConfig, AllConfigFormsGiveTheTinyArchitecture) {
  const auto comfy = JinaXlmrConfig::fromJson(test::readJson(test::goldenDir() / "jina/config.json"));
  const auto hf = JinaXlmrConfig::fromJson(test::readJson(test::goldenDir() / "pipeline/model/clip_model/config.json"));
  for (const auto* c : {&comfy, &hf}) {
    EXPECT_EQ(c->vocabSize, 2002);
    EXPECT_EQ(c->hiddenSize, 32);
    EXPECT_EQ(c->numLayers, 2);
    EXPECT_EQ(c->numHeads, 2);
    EXPECT_EQ(c->intermediateSize, 128);
    EXPECT_EQ(c->typeVocabSize, 1);
    EXPECT_EQ(c->rotaryBase, 20000.0);
    EXPECT_EQ(c->layerNormEps, 1e-5);
    EXPECT_EQ(c->padTokenId, 1);
    EXPECT_EQ(c->loraAlpha, 4.0);
    EXPECT_EQ(c->loraRank, 4);
    EXPECT_EQ(c->loraTask, 0);
  }
  // The real jina-clip-v2 config.json (no architecture keys): defaults.
  auto real = JinaXlmrConfig::fromJson(nlohmann::json::parse(
      R"({"text_config": {"default_lora_task": "retrieval.query", "hf_model_config_kwargs": {"lora_alpha": 4,
          "lora_rank": 4, "lora_adaptations": ["retrieval.query"]}}})"));
  EXPECT_EQ(real.hiddenSize, 1024);
  EXPECT_EQ(real.numLayers, 24);
  EXPECT_EQ(real.headDim(), 64);
  EXPECT_EQ(real.parameterCount(), 558314496LL);
  // A task list where retrieval.query is not first (jina-embeddings-v3 style).
  auto v3 = JinaXlmrConfig::fromJson(nlohmann::json::parse(
      R"({"text_config": {"default_lora_task": "retrieval.query", "hf_model_config_kwargs":
          {"lora_adaptations": ["separation", "retrieval.query"]}}})"));
  EXPECT_EQ(v3.loraTask, 1);
  EXPECT_THROW(JinaXlmrConfig::fromJson(nlohmann::json::parse(R"({"num_attention_heads": 5})")), ModelLoadError);
}

TEST(JinaConfig, FromShapes) {
  for (const char* f : {"jina/jina_comfy.safetensors", "pipeline/model/clip_model/model.safetensors"}) {
    auto c = JinaXlmrConfig::fromShapes(test::golden(f));
    EXPECT_EQ(c.vocabSize, 2002) << f;
    EXPECT_EQ(c.hiddenSize, 32) << f;
    EXPECT_EQ(c.numLayers, 2) << f;
    EXPECT_EQ(c.intermediateSize, 128) << f;
    EXPECT_EQ(c.typeVocabSize, 1) << f;
  }
  EXPECT_EQ(detectJinaPrefix(test::golden("jina/jina_comfy.safetensors")), "model.");
  EXPECT_EQ(detectJinaPrefix(test::golden("pipeline/model/clip_model/model.safetensors")),
            "text_model.transformer.roberta.");
}

TEST(Jina, GoldenPooledAndHiddenBothNamings) {
  c10::InferenceMode guard;
  auto g = test::golden("jina/golden.safetensors");
  auto ids = g.tensor("input_ids"), mask = g.tensor("attention_mask");
  auto last = g.tensor("last_hidden_state");
  for (auto m : {loadComfy(), loadHf()}) {
    // Padded batch, mask rebuilt from ids != pad (jina) and given explicitly.
    auto out = m->encode(ids);
    EXPECT_CLOSE(out.pooled, g.tensor("pooled"), 1e-5, 1e-5);
    report("pooled", out.pooled, g.tensor("pooled"));
    EXPECT_CLOSE(m->forward(ids, mask), g.tensor("pooled"), 1e-5, 1e-5);
    for (int64_t b = 0; b < ids.size(0); ++b) {
      const int64_t n = mask[b].sum().item<int64_t>();
      EXPECT_CLOSE(out.lastHidden[b].slice(0, 0, n), last[b].slice(0, 0, n), 1e-5, 1e-5);
      report("last_hidden_state", out.lastHidden[b].slice(0, 0, n), last[b].slice(0, 0, n));
      // Unpadded single runs.
      auto single = m->forward(ids[b].slice(0, 0, n).unsqueeze(0))[0];
      auto exp = g.tensor("pooled_single_" + std::to_string(b));
      EXPECT_CLOSE(single, exp, 1e-5, 1e-5);
      report("pooled_single", single, exp);
    }
  }
}

TEST(Jina, LoraMergeReproducesComfyWeights) {
  c10::InferenceMode guard;
  auto comfy = loadComfy();
  auto hf = loadHf();
  auto a = comfy->named_parameters();
  auto b = hf->named_parameters();
  ASSERT_EQ(a.size(), b.size());
  ASSERT_EQ(a.size(), 4u + 2u * 12u);  // word, token_type, emb_ln w+b; 12 per block
  double worst = 0;
  for (const auto& p : a) {
    const auto* q = b.find(p.key());
    ASSERT_NE(q, nullptr) << p.key();
    worst = std::max(worst, (p.value() - *q).abs().max().item<double>());
  }
  std::printf("[measure] LoRA-merged vs Comfy weights: max abs %.3g\n", worst);
  EXPECT_LE(worst, 1e-6);
  // Without the merge the weights differ clearly (the LoRA matters).
  auto store = test::golden("pipeline/model/clip_model/model.safetensors");
  auto orig = store.tensor("text_model.transformer.roberta.encoder.layers.0.mixer.Wqkv.parametrizations.weight.original");
  EXPECT_GT((orig - comfy->encoder->layers->ptr<JinaBlockImpl>(0)->mixer->Wqkv->weight).abs().max().item<double>(), 1e-3);
}

TEST(Jina, PipelineClipTextPooled) {
  c10::InferenceMode guard;
  auto g = test::golden("pipeline/expected/golden.safetensors");
  auto ids = g.tensor("jina_input_ids"), mask = g.tensor("jina_attention_mask");
  auto exp = g.tensor("clip_text_pooled");
  auto m = loadHf();
  auto pooled = m->forward(ids);
  EXPECT_CLOSE(pooled, exp, 1e-5, 1e-5);
  report("pipeline clip_text_pooled", pooled, exp);
  for (int64_t b = 0; b < ids.size(0); ++b) {
    const int64_t n = mask[b].sum().item<int64_t>();
    EXPECT_CLOSE(m->forward(ids[b].slice(0, 0, n).unsqueeze(0))[0], exp[b], 1e-5, 1e-5);
  }
  // Config from shapes (head count given: not visible in the shapes).
  auto store = test::golden("pipeline/model/clip_model/model.safetensors");
  auto c = JinaXlmrConfig::fromShapes(store);
  c.numHeads = 2;
  auto s = loadJinaTextTower(store, c, torch::kCPU, torch::kFloat32);
  EXPECT_CLOSE(s->forward(ids), exp, 1e-5, 1e-5);
}

TEST(Jina, Bf16WithinLooseBound) {
  c10::InferenceMode guard;
  auto g = test::golden("jina/golden.safetensors");
  auto m = loadComfy(torch::kBFloat16);
  auto pooled = m->forward(g.tensor("input_ids"));
  ASSERT_EQ(pooled.scalar_type(), torch::kBFloat16);
  auto c = test::compare(pooled, g.tensor("pooled"), 0, 0);
  std::printf("[measure] bf16 pooled: max abs %.3g\n", c.maxAbs);
  EXPECT_CLOSE(pooled, g.tensor("pooled"), 0.05, 0.05);
}

TEST(Jina, RandomWeightsAreDeterministic) {
  c10::InferenceMode guard;
  auto cfg = JinaXlmrConfig::fromJson(test::readJson(test::goldenDir() / "jina/config.json"));
  auto a = jinaRandomTextTower(cfg, torch::kCPU, torch::kFloat32, 3);
  auto b = jinaRandomTextTower(cfg, torch::kCPU, torch::kFloat32, 3);
  auto c = jinaRandomTextTower(cfg, torch::kCPU, torch::kFloat32, 4);
  EXPECT_EQ(a->parameterCount(), cfg.parameterCount());
  auto ids = torch::tensor({{0, 100, 7, 2001, 2}}, torch::kInt64);
  auto ya = a->forward(ids), yb = b->forward(ids), yc = c->forward(ids);
  EXPECT_TRUE(torch::equal(ya, yb));
  EXPECT_FALSE(torch::allclose(ya, yc));
  EXPECT_TRUE(torch::isfinite(ya).all().item<bool>());
}

TEST(Jina, ErrorsNameTheTensorAndFile) {
  auto src = test::golden("pipeline/model/clip_model/model.safetensors");
  const auto cfg = test::readJson(test::goldenDir() / "pipeline/model/clip_model/config.json");
  const std::string dropped = "text_model.transformer.roberta.encoder.layers.1.mlp.fc1.parametrizations.weight.0.lora_B";
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& n : src.names())
    if (n != dropped) tensors[n] = src.tensor(n);
  auto dir = test::tempDir("jina");
  io::saveSafetensors(dir / "nolora.safetensors", tensors);
  try {
    loadJinaTextTower(io::TensorStore::open(dir / "nolora.safetensors"), &cfg, torch::kCPU, torch::kFloat32);
    FAIL() << "no error";
  } catch (const ModelLoadError& e) {
    EXPECT_NE(std::string(e.what()).find(dropped), std::string::npos) << e.what();
  }
  auto bad = test::readJson(test::goldenDir() / "jina/config.json");
  bad["comfy_XLMRobertaConfig"]["intermediate_size"] = 64;
  try {
    loadJinaTextTower(test::golden("jina/jina_comfy.safetensors"), &bad, torch::kCPU, torch::kFloat32);
    FAIL() << "no error";
  } catch (const ModelLoadError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("model.encoder.layers.0.mlp.fc1.weight"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[128, 32]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[64, 32]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("jina_comfy.safetensors"), std::string::npos) << msg;
  }
  auto wrongRank = cfg;
  wrongRank["text_config"]["hf_model_config_kwargs"]["lora_rank"] = 8;
  EXPECT_THROW(loadJinaTextTower(src, &wrongRank, torch::kCPU, torch::kFloat32), ModelLoadError);
  auto m = loadComfy();
  EXPECT_THROW(m->forward(torch::tensor({{0, 5000, 2}}, torch::kInt64)), std::invalid_argument);
  EXPECT_THROW(m->forward(torch::tensor({{1, 1}}, torch::kInt64)), std::invalid_argument);
}
