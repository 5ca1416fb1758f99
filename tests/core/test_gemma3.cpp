// Gemma-3 text encoder vs golden README §2 (gemma3/) and §7 (pipeline cap_feats).
#include <fstream>

#include <nlohmann/json.hpp>

#include "golden.h"
#include "models/gemma3.h"

using namespace newbie;
using namespace newbie::models;

namespace {

Gemma3Encoder loadComfy(torch::ScalarType dt = torch::kFloat32) {
  static io::TensorStore store = test::golden("gemma3/gemma3_comfy.safetensors");
  const auto cfg = test::readJson(test::goldenDir() / "gemma3/config.json");
  return loadGemma3Encoder(store, &cfg, torch::kCPU, dt);
}

Gemma3Encoder loadHf() {
  static io::TensorStore store = test::golden("pipeline/model/text_encoder/model.safetensors");
  const auto cfg = test::readJson(test::goldenDir() / "pipeline/model/text_encoder/config.json");
  return loadGemma3Encoder(store, &cfg, torch::kCPU, torch::kFloat32);
}

void report(const char* what, const torch::Tensor& a, const torch::Tensor& e) {
  test::reportMeasure(what, a, e, 1e-4, 1e-4);
}

/// EXPECT_CLOSE for helper functions outside a TEST body.
void expectClose(const torch::Tensor& a, const torch::Tensor& e, double atol, double rtol, const std::string& what) {
  ASSERT_EQ(a.sizes().vec(), e.sizes().vec()) << what;
  auto c = test::compare(a, e, atol, rtol);
  EXPECT_LE(c.worstRatio, 1.0) << what << ": " << c.describe();
}

/// Runs every row of a right-padded batch unpadded and compares its valid rows.
void checkBatchRows(Gemma3Encoder& m, const torch::Tensor& ids, const torch::Tensor& mask, const torch::Tensor& exp,
                    const char* what) {
  for (int64_t b = 0; b < ids.size(0); ++b) {
    const int64_t n = mask[b].sum().item<int64_t>();
    ASSERT_TRUE(torch::equal(mask[b].slice(0, 0, n), torch::ones({n}, torch::kInt64))) << "right padding expected";
    auto out = m->forward(ids[b].slice(0, 0, n).unsqueeze(0))[0];
    expectClose(out, exp[b].slice(0, 0, n), 1e-4, 1e-4, what);
    report(what, out, exp[b].slice(0, 0, n));
  }
  // Same through the batched path with the attention mask.
  auto outB = m->forward(ids, mask);
  for (int64_t b = 0; b < ids.size(0); ++b) {
    const int64_t n = mask[b].sum().item<int64_t>();
    expectClose(outB[b].slice(0, 0, n), exp[b].slice(0, 0, n), 1e-4, 1e-4, std::string(what) + " batched");
  }
}

}  // namespace

TEST(Gemma3Config, LegacyAndTransformers5KeysAgree) {
  const auto a = Gemma3Config::fromJson(test::readJson(test::goldenDir() / "gemma3/config.json"));
  const auto b = Gemma3Config::fromJson(test::readJson(test::goldenDir() / "gemma3/config_as_saved_by_transformers.json"));
  for (const auto* c : {&a, &b}) {
    EXPECT_EQ(c->vocabSize, 2048);
    EXPECT_EQ(c->hiddenSize, 40);
    EXPECT_EQ(c->intermediateSize, 96);
    EXPECT_EQ(c->numLayers, 7);
    EXPECT_EQ(c->numHeads, 4);
    EXPECT_EQ(c->numKvHeads, 2);
    EXPECT_EQ(c->headDim, 16);
    EXPECT_EQ(c->queryPreAttnScalar, 16);
    EXPECT_EQ(c->slidingWindow, 8);
    EXPECT_EQ(c->ropeGlobalTheta, 1e6);
    EXPECT_EQ(c->ropeGlobalLinearFactor, 8.0);
    EXPECT_EQ(c->ropeLocalTheta, 1e4);
    EXPECT_EQ(c->ropeLocalLinearFactor, 1.0);
    EXPECT_EQ(c->rmsNormEps, 1e-6);
    EXPECT_EQ(c->layerIsGlobal, (std::vector<bool>{false, false, false, false, false, true, false}));
  }
  // A bare real-4B style text_config: defaults fill the rest.
  auto real = Gemma3Config::fromJson(nlohmann::json::parse(
      R"({"text_config": {"hidden_size": 2560, "intermediate_size": 10240, "model_type": "gemma3_text",
          "num_hidden_layers": 34, "rope_scaling": {"factor": 8.0, "rope_type": "linear"}, "sliding_window": 1024}})"));
  EXPECT_EQ(real.vocabSize, 262208);
  EXPECT_EQ(real.headDim, 256);
  EXPECT_EQ(real.queryPreAttnScalar, 256);
  EXPECT_TRUE(real.isGlobal(5));
  EXPECT_TRUE(real.isGlobal(29));
  EXPECT_FALSE(real.isGlobal(32));
  EXPECT_EQ(real.encoderParameterCount(), 3785878016LL);
  EXPECT_EQ(Gemma3Config::gemma3_4b().encoderParameterCount(), 3785878016LL);

  EXPECT_THROW(Gemma3Config::fromJson(nlohmann::json::parse(R"({"rope_scaling": {"rope_type": "yarn", "factor": 2}})")),
               ModelLoadError);
  EXPECT_THROW(Gemma3Config::fromJson(nlohmann::json::parse(R"({"num_attention_heads": 5})")), ModelLoadError);
}

TEST(Gemma3Config, FromShapesMatchesConfigForBothNamings) {
  const auto ref = Gemma3Config::fromJson(test::readJson(test::goldenDir() / "gemma3/config.json"));
  for (const char* f : {"gemma3/gemma3_comfy.safetensors", "pipeline/model/text_encoder/model.safetensors"}) {
    const auto c = Gemma3Config::fromShapes(test::golden(f));
    EXPECT_EQ(c.vocabSize, ref.vocabSize) << f;
    EXPECT_EQ(c.hiddenSize, ref.hiddenSize) << f;
    EXPECT_EQ(c.intermediateSize, ref.intermediateSize) << f;
    EXPECT_EQ(c.numLayers, ref.numLayers) << f;
    EXPECT_EQ(c.numHeads, ref.numHeads) << f;
    EXPECT_EQ(c.numKvHeads, ref.numKvHeads) << f;
    EXPECT_EQ(c.headDim, ref.headDim) << f;
    EXPECT_EQ(c.queryPreAttnScalar, ref.queryPreAttnScalar) << f;  // = head_dim rule
    for (int64_t i = 0; i < c.numLayers; ++i) EXPECT_EQ(c.isGlobal(i), ref.isGlobal(i)) << i;
    EXPECT_EQ(c.slidingWindow, 1024);  // not visible in shapes: 4B default
  }
  EXPECT_EQ(detectGemma3Prefix(test::golden("gemma3/gemma3_comfy.safetensors")), "model.");
  EXPECT_EQ(detectGemma3Prefix(test::golden("pipeline/model/text_encoder/model.safetensors")),
            "language_model.model.");
}

TEST(Gemma3, SingleSequenceMatchesHiddenStatesMinus2) {
  c10::InferenceMode guard;
  auto g = test::golden("gemma3/golden.safetensors");
  auto ids = g.tensor("input_ids_a");
  auto exp = g.tensor("hidden_states_a_minus2");
  for (auto m : {loadComfy(), loadHf()}) {
    auto out = m->forward(ids);
    ASSERT_EQ(out.scalar_type(), torch::kFloat32);
    EXPECT_CLOSE(out[0], exp, 1e-4, 1e-4);
    report("a_minus2", out[0], exp);
  }
  // Embedding layer alone: hidden_states[0] = embed * sqrt(40).
  auto m = loadComfy();
  auto emb = m->embed_tokens(ids)[0] * static_cast<float>(std::sqrt(40.0));
  EXPECT_CLOSE(emb, g.tensor("hidden_states_a")[0], 1e-6, 1e-6);
}

TEST(Gemma3, IntermediateLayersMatch) {
  // Running k layers reproduces hidden_states[k] for every k (checks each layer, both layer types).
  c10::InferenceMode guard;
  auto g = test::golden("gemma3/golden.safetensors");
  auto ids = g.tensor("input_ids_a");
  auto all = g.tensor("hidden_states_a");  // [8, 38, 40]
  auto store = test::golden("gemma3/gemma3_comfy.safetensors");
  auto cfg = Gemma3Config::fromJson(test::readJson(test::goldenDir() / "gemma3/config.json"));
  for (int64_t k = 1; k <= 6; ++k) {
    // A config with k+1 layers builds layers 0..k-1 and returns hidden_states[k].
    Gemma3Config c = cfg;
    c.numLayers = k + 1;
    c.layerIsGlobal.resize(static_cast<size_t>(k + 1));
    Gemma3Encoder m(c, storeWeightFn(store, "model.", torch::kCPU, torch::kFloat32, "Gemma3"));
    EXPECT_CLOSE(m->forward(ids)[0], all[k], 1e-4, 1e-4);
  }
}

TEST(Gemma3, BatchRowsBothNamings) {
  c10::InferenceMode guard;
  auto g = test::golden("gemma3/golden.safetensors");
  auto ids = g.tensor("input_ids_b"), mask = g.tensor("attention_mask_b"), exp = g.tensor("hidden_states_b_minus2");
  auto comfy = loadComfy();
  checkBatchRows(comfy, ids, mask, exp, "b_minus2 comfy");
  auto hf = loadHf();
  checkBatchRows(hf, ids, mask, exp, "b_minus2 hf");
  // Config from shapes (window is not in the shapes: set it like config.json does).
  auto store = test::golden("pipeline/model/text_encoder/model.safetensors");
  auto c = Gemma3Config::fromShapes(store);
  c.slidingWindow = 8;
  auto fromShapes = loadGemma3Encoder(store, c, torch::kCPU, torch::kFloat32);
  checkBatchRows(fromShapes, ids, mask, exp, "b_minus2 hf shapes");
}

TEST(Gemma3, PipelineCapFeats) {
  c10::InferenceMode guard;
  auto g = test::golden("pipeline/expected/golden.safetensors");
  auto m = loadHf();
  checkBatchRows(m, g.tensor("gemma_input_ids"), g.tensor("gemma_attention_mask"), g.tensor("cap_feats"),
                 "pipeline cap_feats");
}

TEST(Gemma3, OnlyLayersUpToPenultimateAreBuilt) {
  auto m = loadHf();
  EXPECT_EQ(m->config().numLayers, 7);
  EXPECT_EQ(m->builtLayers(), 6);
  for (const auto& p : m->named_parameters()) {
    EXPECT_EQ(p.key().find("layers.6."), std::string::npos) << p.key();
    EXPECT_NE(p.key().rfind("norm.weight", 0), 0u) << p.key();  // no final norm
  }
  EXPECT_EQ(m->named_parameters().size(), 1u + 6u * 13u);
  EXPECT_EQ(m->parameterCount(), m->config().encoderParameterCount());
  auto store = test::golden("pipeline/model/text_encoder/model.safetensors");
  int64_t expected = store.info("language_model.model.embed_tokens.weight").numel();
  for (const auto& n : store.names())
    if (n.find("language_model.model.layers.") == 0 && n.find("layers.6.") == std::string::npos)
      expected += store.info(n).numel();
  EXPECT_EQ(m->parameterCount(), expected);
}

TEST(Gemma3, Bf16WithinLooseBound) {
  c10::InferenceMode guard;
  auto g = test::golden("gemma3/golden.safetensors");
  auto m = loadComfy(torch::kBFloat16);
  auto out = m->forward(g.tensor("input_ids_a"));
  ASSERT_EQ(out.scalar_type(), torch::kBFloat16);
  auto exp = g.tensor("hidden_states_a_minus2");
  auto c = test::compare(out[0], exp, 0.0, 0.0);
  std::printf("[measure] bf16 a_minus2: max abs %.3g (max |ref| %.3g)\n", c.maxAbs, exp.abs().max().item<double>());
  EXPECT_CLOSE(out[0], exp, 0.25, 0.05);
}

TEST(Gemma3, RandomWeightsAreDeterministic) {
  c10::InferenceMode guard;
  auto cfg = Gemma3Config::fromJson(test::readJson(test::goldenDir() / "gemma3/config.json"));
  auto a = gemma3RandomEncoder(cfg, torch::kCPU, torch::kFloat32, 7);
  auto b = gemma3RandomEncoder(cfg, torch::kCPU, torch::kFloat32, 7);
  auto c = gemma3RandomEncoder(cfg, torch::kCPU, torch::kFloat32, 8);
  EXPECT_EQ(a->parameterCount(), cfg.encoderParameterCount());
  auto ids = torch::tensor({{2, 100, 7, 1999, 5}}, torch::kInt64);
  auto ya = a->forward(ids), yb = b->forward(ids), yc = c->forward(ids);
  EXPECT_TRUE(torch::equal(ya, yb));
  EXPECT_FALSE(torch::allclose(ya, yc));
  EXPECT_TRUE(torch::isfinite(ya).all().item<bool>());
  EXPECT_GT(ya.abs().max().item<double>(), 1e-3);
}

TEST(Gemma3, ErrorsNameTheTensorAndFile) {
  auto src = test::golden("gemma3/gemma3_comfy.safetensors");
  const auto cfg = test::readJson(test::goldenDir() / "gemma3/config.json");
  // Missing tensor.
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& n : src.names())
    if (n != "model.layers.3.mlp.up_proj.weight") tensors[n] = src.tensor(n);
  auto dir = test::tempDir("gemma3");
  io::saveSafetensors(dir / "missing.safetensors", tensors);
  auto missing = io::TensorStore::open(dir / "missing.safetensors");
  try {
    loadGemma3Encoder(missing, &cfg, torch::kCPU, torch::kFloat32);
    FAIL() << "no error";
  } catch (const ModelLoadError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("model.layers.3.mlp.up_proj.weight"), std::string::npos) << msg;
    EXPECT_NE(msg.find("missing.safetensors"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[96, 40]"), std::string::npos) << msg;
  }
  // Config that disagrees with the shapes.
  auto bad = cfg;
  bad["text_config"]["intermediate_size"] = 128;
  try {
    loadGemma3Encoder(src, &bad, torch::kCPU, torch::kFloat32);
    FAIL() << "no error";
  } catch (const ModelLoadError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("gate_proj.weight"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[96, 40]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[128, 40]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("gemma3_comfy.safetensors"), std::string::npos) << msg;
  }
  // Layer count mismatch.
  auto fewer = cfg;
  fewer["text_config"]["num_hidden_layers"] = 6;
  EXPECT_THROW(loadGemma3Encoder(src, &fewer, torch::kCPU, torch::kFloat32), ModelLoadError);
  auto more = cfg;
  more["text_config"]["num_hidden_layers"] = 8;
  EXPECT_THROW(loadGemma3Encoder(src, &more, torch::kCPU, torch::kFloat32), ModelLoadError);
  // Not a Gemma file.
  EXPECT_THROW(loadGemma3Encoder(test::golden("jina/jina_comfy.safetensors"), nullptr, torch::kCPU, torch::kFloat32),
               ModelLoadError);
  // Bad ids.
  auto m = loadComfy();
  EXPECT_THROW(m->forward(torch::tensor({{2, 5000}}, torch::kInt64)), std::invalid_argument);
}

TEST(Gemma3, SlidingWindowAndGlobalRopeScalingMatter) {
  // Negative controls: the golden input (38 tokens > window 8) must detect both settings.
  c10::InferenceMode guard;
  auto g = test::golden("gemma3/golden.safetensors");
  auto store = test::golden("gemma3/gemma3_comfy.safetensors");
  auto exp = g.tensor("hidden_states_a_minus2");
  auto base = Gemma3Config::fromJson(test::readJson(test::goldenDir() / "gemma3/config.json"));
  auto noWindow = base;
  noWindow.slidingWindow = 1 << 20;
  auto noScale = base;
  noScale.ropeGlobalLinearFactor = 1.0;
  for (const auto& c : {noWindow, noScale}) {
    auto out = loadGemma3Encoder(store, c, torch::kCPU, torch::kFloat32)->forward(g.tensor("input_ids_a"))[0];
    EXPECT_GT((out - exp).abs().max().item<double>(), 0.1);
  }
}
