// Model locator: every layout of MODEL-SPEC §1, detected from the golden model folder and from
// re-arranged copies of it made here (symlinks into the golden set).
#include <fstream>

#include <nlohmann/json.hpp>

#include "golden.h"
#include "io/model_locator.h"

using namespace newbie;
using namespace newbie::io;
namespace fs = std::filesystem;

namespace {

fs::path G() { return test::goldenDir(); }
fs::path official() { return G() / "pipeline/model"; }

void link(const fs::path& src, const fs::path& dst) {
  ASSERT_TRUE(fs::exists(src)) << src;
  fs::create_directories(dst.parent_path());
  fs::create_symlink(src, dst);
}

void writeText(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << s;
}

/// The official folder re-created as symlinks, so that parts can be removed or replaced.
fs::path officialCopy(const std::string& tag) {
  const fs::path d = test::tempDir(tag) / "NewBie-image-Exp0.1";
  for (const auto& e : fs::recursive_directory_iterator(official())) {
    if (!e.is_regular_file()) continue;
    link(e.path(), d / fs::relative(e.path(), official()));
  }
  return d;
}

fs::path diffusersCopy(const std::string& tag) {
  const fs::path d = test::tempDir(tag) / "NewBie-image-Exp0.1-Diffusers";
  const fs::path o = official();
  link(G() / "dit/weights_diffusers.safetensors", d / "transformer/diffusion_pytorch_model.safetensors");
  link(G() / "dit/config_diffusers.json", d / "transformer/config.json");
  link(o / "text_encoder/model.safetensors", d / "text_encoder/model.safetensors");
  link(o / "text_encoder/config.json", d / "text_encoder/config.json");
  for (const char* f : {"tokenizer.json", "tokenizer_config.json", "tokenizer.model"})
    link(o / "text_encoder" / f, d / "tokenizer" / f);
  link(o / "clip_model/model.safetensors", d / "text_encoder_2/model.safetensors");
  link(o / "clip_model/config.json", d / "text_encoder_2/config.json");
  for (const char* f : {"tokenizer.json", "tokenizer_config.json"}) link(o / "clip_model" / f, d / "tokenizer_2" / f);
  link(o / "vae/diffusion_pytorch_model.safetensors", d / "vae/diffusion_pytorch_model.safetensors");
  link(o / "vae/config.json", d / "vae/config.json");
  writeText(d / "scheduler/scheduler_config.json",
            R"({"_class_name": "FlowMatchEulerDiscreteScheduler", "shift": 6.0, "num_train_timesteps": 1000})");
  writeText(d / "model_index.json", R"({"_class_name": "NewbiePipeline", "scheduler": ["diffusers", "FlowMatchEulerDiscreteScheduler"],
    "text_encoder": ["transformers", "Gemma3ForConditionalGeneration"], "text_encoder_2": ["transformers", "JinaCLIPModel"],
    "tokenizer": ["transformers", "GemmaTokenizerFast"], "tokenizer_2": ["transformers", "XLMRobertaTokenizerFast"],
    "transformer": ["diffusers", "Lumina2Transformer2DModel"], "vae": ["diffusers", "AutoencoderKL"]})");
  return d;
}

struct ComfyFiles {
  fs::path dit, gemma, jina, vae;
};
ComfyFiles comfySources() {
  return {official() / "transformer/diffusion_pytorch_model.safetensors", G() / "gemma3/gemma3_comfy.safetensors",
          G() / "jina/jina_comfy.safetensors", G() / "vae/ae.safetensors"};
}

std::string locateError(const std::vector<fs::path>& paths) {
  try {
    locateModel(paths);
  } catch (const ModelLocateError& e) {
    return e.what();
  }
  ADD_FAILURE() << "locateModel should have failed";
  return {};
}

#define EXPECT_HAS(msg, needle) EXPECT_NE((msg).find(needle), std::string::npos) << "missing '" << (needle) << "' in: " << (msg)

int64_t sumElements(const fs::path& file, const std::string& prefix) {
  int64_t n = 0;
  const auto f = SafetensorsFile::open(file);  // keep it alive across the loop
  for (const auto& t : f->tensors())
    if (t.name.rfind(prefix, 0) == 0 && t.name != "spiece_model") n += t.numel();
  return n;
}

void expectTinyDit(const WeightsComponent& c) {
  const auto& j = c.config;
  EXPECT_EQ(j["dim"], 64);
  EXPECT_EQ(j["n_layers"], 2);
  EXPECT_EQ(j["n_refiner_layers"], 2);
  EXPECT_EQ(j["n_context_refiner_layers"], 2);
  EXPECT_EQ(j["n_heads"], 4);
  EXPECT_EQ(j["n_kv_heads"], 2);
  EXPECT_EQ(j["head_dim"], 16);
  EXPECT_EQ(j["ffn_dim"], 128);
  EXPECT_EQ(j["cap_feat_dim"], 40);
  EXPECT_EQ(j["clip_text_dim"], 32);
  EXPECT_EQ(j["adaln_dim"], 64);
  EXPECT_EQ(j["in_channels"], 16);
  EXPECT_EQ(j["patch_size"], 2);
  EXPECT_EQ(j["qk_norm"], true);
}

void expectTinyGemma(const WeightsComponent& c) {
  const auto& j = c.config;
  EXPECT_EQ(j["hidden_size"], 40);
  EXPECT_EQ(j["num_hidden_layers"], 7);
  EXPECT_EQ(j["num_attention_heads"], 4);
  EXPECT_EQ(j["num_key_value_heads"], 2);
  EXPECT_EQ(j["head_dim"], 16);
  EXPECT_EQ(j["intermediate_size"], 96);
  EXPECT_EQ(j["vocab_size"], 2048);
  EXPECT_EQ(c.tensorCount, 93);  // embed + 7 x 13 + norm
  EXPECT_EQ(c.dtypes, (std::set<std::string>{"F32"}));
}

void expectTinyJina(const WeightsComponent& c) {
  EXPECT_EQ(c.config["hidden_size"], 32);
  EXPECT_EQ(c.config["num_hidden_layers"], 2);
  EXPECT_EQ(c.config["intermediate_size"], 128);
  EXPECT_EQ(c.config["vocab_size"], 2002);
}

void expectTinyVae(const WeightsComponent& c) {
  EXPECT_EQ(c.config["latent_channels"], 16);
  EXPECT_EQ(c.config["block_out_channels"], nlohmann::json({8, 16, 32, 32}));
  EXPECT_EQ(c.config["layers_per_block"], 2);
  EXPECT_EQ(c.config["mid_attention"], true);
}

}  // namespace

TEST(ModelLocator, OfficialGoldenFolder) {
  const auto loc = locateModel({official()});
  EXPECT_EQ(loc.layout, Layout::Official);
  EXPECT_EQ(loc.root, official());
  EXPECT_EQ(loc.modelIndex, official() / "model_index.json");
  EXPECT_FALSE(loc.isDemo);
  EXPECT_TRUE(loc.schedulerConfig.empty());

  const auto& t = loc.transformer;
  ASSERT_TRUE(t.present);
  EXPECT_EQ(t.files, (std::vector<fs::path>{official() / "transformer/diffusion_pytorch_model.safetensors"}));
  EXPECT_TRUE(t.index.empty());
  EXPECT_EQ(t.configFile, official() / "transformer/config.json");
  EXPECT_EQ(t.naming, Naming::DitOriginal);
  EXPECT_EQ(t.keyPrefix, "");
  EXPECT_EQ(t.tensorCount, 93);
  EXPECT_EQ(t.ignoredTensors, 0);
  EXPECT_EQ(t.parameterCount, sumElements(t.files[0], ""));
  EXPECT_EQ(t.configSource, "shapes + config.json");
  expectTinyDit(t);
  EXPECT_EQ(t.config["axes_dims"], nlohmann::json({4, 6, 6}));  // from config.json only

  const auto& g = loc.gemma;
  ASSERT_TRUE(g.present);
  EXPECT_EQ(g.naming, Naming::GemmaHfMultimodal);
  EXPECT_EQ(g.keyPrefix, "language_model.model.");
  EXPECT_EQ(g.files, (std::vector<fs::path>{official() / "text_encoder/model.safetensors"}));
  EXPECT_EQ(g.ignoredTensors, 116 - 93);  // vision tower + projector
  expectTinyGemma(g);
  EXPECT_EQ(g.parameterCount, sumElements(G() / "gemma3/gemma3_comfy.safetensors", "model."));

  const auto& j = loc.jina;
  ASSERT_TRUE(j.present);
  EXPECT_EQ(j.naming, Naming::JinaHfLora);
  EXPECT_EQ(j.keyPrefix, "text_model.transformer.roberta.");
  EXPECT_EQ(j.tensorCount, 48);
  EXPECT_EQ(j.ignoredTensors, 2);  // logit_scale, vision_model.patch_embed.proj.weight
  expectTinyJina(j);
  EXPECT_EQ(j.config["num_attention_heads"], 2);
  EXPECT_EQ(j.config["num_attention_heads_source"], "config.json");
  EXPECT_EQ(j.config["lora_rank"], 4);
  EXPECT_EQ(j.config["lora_alpha"], 4.0);

  const auto& v = loc.vae;
  ASSERT_TRUE(v.present);
  EXPECT_EQ(v.naming, Naming::VaeDiffusers);
  EXPECT_EQ(v.tensorCount, 244);
  expectTinyVae(v);
  EXPECT_EQ(v.config["has_encoder"], true);
  EXPECT_EQ(v.config["scaling_factor"], 0.3611);

  EXPECT_EQ(loc.gemmaTokenizer.tokenizerJson, official() / "text_encoder/tokenizer.json");
  EXPECT_EQ(loc.gemmaTokenizer.sentencepieceModel, official() / "text_encoder/tokenizer.model");
  EXPECT_EQ(loc.gemmaTokenizer.preferredSource(), "tokenizer.json");
  EXPECT_EQ(loc.jinaTokenizer.tokenizerJson, official() / "clip_model/tokenizer.json");
  EXPECT_TRUE(loc.jinaTokenizer.embeddedIn.empty());
}

TEST(ModelLocator, DiffusersCopy) {
  const auto d = diffusersCopy("diffusers");
  const auto loc = locateModel({d});
  EXPECT_EQ(loc.layout, Layout::Diffusers);
  EXPECT_EQ(loc.transformer.naming, Naming::DitDiffusersSplitQkv);
  expectTinyDit(loc.transformer);
  EXPECT_EQ(loc.transformer.tensorCount, 104);
  // Same weights as the original file minus the unused norm_final [64].
  EXPECT_EQ(loc.transformer.parameterCount, sumElements(official() / "transformer/diffusion_pytorch_model.safetensors", "") - 64);
  EXPECT_EQ(loc.gemma.naming, Naming::GemmaHfMultimodal);
  expectTinyGemma(loc.gemma);
  EXPECT_EQ(loc.jina.naming, Naming::JinaHfLora);
  EXPECT_EQ(loc.jina.files, (std::vector<fs::path>{d / "text_encoder_2/model.safetensors"}));
  EXPECT_EQ(loc.vae.naming, Naming::VaeDiffusers);
  EXPECT_EQ(loc.gemmaTokenizer.tokenizerJson, d / "tokenizer/tokenizer.json");
  EXPECT_EQ(loc.jinaTokenizer.tokenizerJson, d / "tokenizer_2/tokenizer.json");
  EXPECT_EQ(loc.schedulerConfig, d / "scheduler/scheduler_config.json");
}

TEST(ModelLocator, ComfyExplicitFilesRolesFromHeadersNotNames) {
  const auto src = comfySources();
  // Misleading names and shuffled order: the roles must come from the tensor names.
  const auto d = test::tempDir("comfy_files");
  link(src.dit, d / "ae.safetensors");
  link(src.gemma, d / "jina_clip_v2_bf16.safetensors");
  link(src.jina, d / "NewBie-Image-Exp0.1-bf16.safetensors");
  link(src.vae, d / "gemma_3_4b_it_bf16.safetensors");
  const auto loc = locateModel({d / "gemma_3_4b_it_bf16.safetensors", d / "ae.safetensors",
                                d / "NewBie-Image-Exp0.1-bf16.safetensors", d / "jina_clip_v2_bf16.safetensors"});
  EXPECT_EQ(loc.layout, Layout::ComfyUI);
  EXPECT_TRUE(loc.root.empty());
  EXPECT_EQ(loc.transformer.files.at(0), d / "ae.safetensors");
  EXPECT_EQ(loc.transformer.naming, Naming::DitOriginal);
  expectTinyDit(loc.transformer);
  EXPECT_EQ(loc.transformer.configSource, "shapes");
  EXPECT_EQ(loc.gemma.files.at(0), d / "jina_clip_v2_bf16.safetensors");
  EXPECT_EQ(loc.gemma.naming, Naming::GemmaComfy);
  EXPECT_EQ(loc.gemma.keyPrefix, "model.");
  EXPECT_EQ(loc.gemma.ignoredTensors, 0);
  expectTinyGemma(loc.gemma);
  EXPECT_EQ(loc.jina.naming, Naming::JinaComfy);
  EXPECT_EQ(loc.jina.tensorCount, 28);
  expectTinyJina(loc.jina);
  EXPECT_TRUE(loc.jina.config["num_attention_heads"].is_null());  // hidden 32: not derivable, no config
  EXPECT_EQ(loc.vae.naming, Naming::VaeBfl);
  expectTinyVae(loc.vae);
  EXPECT_EQ(loc.vae.config["has_encoder"], false);
  EXPECT_EQ(loc.gemmaTokenizer.embeddedIn, d / "jina_clip_v2_bf16.safetensors");
  EXPECT_EQ(loc.gemmaTokenizer.embeddedTensor, "spiece_model");
  EXPECT_EQ(loc.gemmaTokenizer.preferredSource(), "embedded spiece_model");
  EXPECT_EQ(loc.jinaTokenizer.embeddedIn, d / "NewBie-Image-Exp0.1-bf16.safetensors");
}

TEST(ModelLocator, ComfyModelsFolderWithDistractors) {
  const auto src = comfySources();
  const auto root = test::tempDir("comfy_root") / "ComfyUI";
  const auto m = root / "models";
  link(src.dit, m / "diffusion_models/NewBie-Image-Exp0.1-bf16.safetensors");
  link(src.gemma, m / "text_encoders/gemma_3_4b_it_bf16.safetensors");
  link(src.jina, m / "text_encoders/jina_clip_v2_bf16.safetensors");
  link(src.vae, m / "vae/ae.safetensors");
  // Distractors: an SD-style VAE (4 latent channels), an unrelated text encoder, a pickle,
  // a broken file, and a loras/ folder that is not scanned.
  saveSafetensors(m / "vae/sdxl_vae.safetensors", {{"decoder.conv_in.weight", torch::zeros({32, 4, 3, 3})},
                                                   {"decoder.mid.block_1.conv1.weight", torch::zeros({32, 32, 3, 3})}});
  saveSafetensors(m / "text_encoders/clip_l.safetensors", {{"text_model.embeddings.position_ids", torch::zeros({77})}});
  writeText(m / "text_encoders/old_model.ckpt", "not a pickle really");
  writeText(m / "diffusion_models/broken.safetensors", "xx");
  link(src.dit, m / "loras/a_lora.safetensors");
  for (const auto& p : {m, root}) {
    SCOPED_TRACE(p.string());
    const auto loc = locateModel({p});
    EXPECT_EQ(loc.layout, Layout::ComfyUI);
    EXPECT_EQ(loc.root, m);
    EXPECT_EQ(loc.transformer.files.at(0), m / "diffusion_models/NewBie-Image-Exp0.1-bf16.safetensors");
    EXPECT_EQ(loc.gemma.files.at(0), m / "text_encoders/gemma_3_4b_it_bf16.safetensors");
    EXPECT_EQ(loc.jina.files.at(0), m / "text_encoders/jina_clip_v2_bf16.safetensors");
    EXPECT_EQ(loc.vae.files.at(0), m / "vae/ae.safetensors");
    std::string notes;
    for (const auto& n : loc.notes) notes += n + "\n";
    EXPECT_HAS(notes, "sdxl_vae.safetensors");
    EXPECT_HAS(notes, "clip_l.safetensors");
    EXPECT_HAS(notes, "broken.safetensors");
    EXPECT_EQ(notes.find("a_lora"), std::string::npos) << notes;
  }
}

TEST(ModelLocator, ShardedTextEncoder) {
  const auto d = officialCopy("sharded");
  fs::remove(d / "text_encoder/model.safetensors");
  auto full = SafetensorsFile::open(official() / "text_encoder/model.safetensors");
  std::map<std::string, torch::Tensor> a, b;
  nlohmann::json map = nlohmann::json::object();
  int i = 0;
  for (const auto& t : full->tensors()) {
    const bool first = (i++ % 2) == 0;
    (first ? a : b)[t.name] = full->tensor(t.name);
    map[t.name] = first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
  }
  saveSafetensors(d / "text_encoder/model-00001-of-00002.safetensors", a);
  saveSafetensors(d / "text_encoder/model-00002-of-00002.safetensors", b);
  writeText(d / "text_encoder/model.safetensors.index.json", nlohmann::json({{"metadata", {}}, {"weight_map", map}}).dump());
  const auto loc = locateModel({d});
  EXPECT_EQ(loc.gemma.index, d / "text_encoder/model.safetensors.index.json");
  EXPECT_EQ(loc.gemma.files.size(), 2u);
  EXPECT_EQ(loc.gemma.naming, Naming::GemmaHfMultimodal);
  expectTinyGemma(loc.gemma);
  EXPECT_EQ(loc.gemma.parameterCount, locateModel({official()}).gemma.parameterCount);
  // The transformers-written sharded Gemma (bf16, hidden 16) is a Gemma but of another size:
  // reported as inconsistent with the transformer, in one message.
  const auto e = officialCopy("sharded_other");
  fs::remove(e / "text_encoder/model.safetensors");
  for (const char* f : {"model.safetensors.index.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"})
    link(G() / "dtypes/sharded" / f, e / "text_encoder" / "x" / f);
  fs::remove(e / "text_encoder/config.json");
  for (const auto& f : fs::directory_iterator(e / "text_encoder/x")) fs::rename(f.path(), e / "text_encoder" / f.path().filename());
  const auto msg = locateError({e});
  EXPECT_HAS(msg, "Inconsistent");
  EXPECT_HAS(msg, "cap_feat_dim = 40");
  EXPECT_HAS(msg, "hidden_size = 16");
  EXPECT_HAS(msg, "model.safetensors.index.json");
  EXPECT_HAS(msg, "Accepted layouts");
}

TEST(ModelLocator, MissingComponentsGiveOneMessage) {
  const auto d = officialCopy("missing_vae");
  test::removeTree(d / "vae");
  auto msg = locateError({d});
  EXPECT_HAS(msg, d.string());
  EXPECT_HAS(msg, "Found: transformer (NextDiT_CLIP) [dit-original]");
  EXPECT_HAS(msg, "Gemma-3 text encoder [gemma-hf-multimodal]");
  EXPECT_HAS(msg, "Missing: VAE");
  EXPECT_HAS(msg, (d / "vae").string() + " does not exist");
  EXPECT_HAS(msg, "Accepted layouts: (1) the official");
  EXPECT_HAS(msg, "diffusers");
  EXPECT_HAS(msg, "ComfyUI");

  // Only a pickle checkpoint where the VAE should be.
  writeText(d / "vae/diffusion_pytorch_model.bin", "pickle");
  msg = locateError({d});
  EXPECT_HAS(msg, "diffusion_pytorch_model.bin");
  EXPECT_HAS(msg, "use the .safetensors version");

  // ComfyUI files without the Jina tower and without a Gemma: both listed.
  const auto src = comfySources();
  msg = locateError({src.dit, src.vae});
  EXPECT_HAS(msg, "Missing: Gemma-3 text encoder");
  EXPECT_HAS(msg, "Jina CLIP v2 text tower");
  EXPECT_HAS(msg, "Gemma tokenizer");
  EXPECT_HAS(msg, "VAE (FLUX AutoencoderKL) [vae-bfl]");

  // A folder holding the wrong network.
  const auto w = officialCopy("wrong_vae");
  fs::remove(w / "vae/diffusion_pytorch_model.safetensors");
  link(src.jina, w / "vae/diffusion_pytorch_model.safetensors");
  msg = locateError({w});
  EXPECT_HAS(msg, "does not hold a VAE");
  EXPECT_HAS(msg, "it looks like: Jina CLIP v2 text tower");

  // Missing tokenizer in the official layout (and no embedded proto in the HF weights).
  const auto t = officialCopy("no_tok");
  fs::remove(t / "clip_model/tokenizer.json");
  msg = locateError({t});
  EXPECT_HAS(msg, "Missing: Jina tokenizer");
}

TEST(ModelLocator, ConfigContradictingWeights) {
  const auto d = officialCopy("bad_config");
  fs::remove(d / "transformer/config.json");
  std::ifstream in(official() / "transformer/config.json");
  auto cfg = nlohmann::json::parse(in);
  cfg["n_layers"] = 36;
  writeText(d / "transformer/config.json", cfg.dump());
  try {
    locateModel({d});
    FAIL();
  } catch (const ModelLocateError& e) {
    const std::string m = e.what();
    EXPECT_HAS(m, (d / "transformer/config.json").string());
    EXPECT_HAS(m, "n_layers = 36");
    EXPECT_HAS(m, "have 2");
  }
}

TEST(ModelLocator, AmbiguousAndBadInputs) {
  const auto src = comfySources();
  const auto d = test::tempDir("ambiguous");
  link(src.dit, d / "dit_a.safetensors");
  link(src.dit, d / "dit_b.safetensors");
  link(src.gemma, d / "g.safetensors");
  link(src.jina, d / "j.safetensors");
  link(src.vae, d / "v.safetensors");
  auto msg = locateError({d});
  EXPECT_HAS(msg, "Several candidates");
  EXPECT_HAS(msg, "dit_a.safetensors");
  EXPECT_HAS(msg, "dit_b.safetensors");
  // Explicit files resolve it.
  EXPECT_NO_THROW(locateModel({d / "dit_b.safetensors", d / "g.safetensors", d / "j.safetensors", d / "v.safetensors"}));

  msg = locateError({d / "nope"});
  EXPECT_HAS(msg, (d / "nope").string());
  EXPECT_HAS(msg, "no such file");
  writeText(d / "model.ckpt", "x");
  EXPECT_THROW(locateModel({d / "model.ckpt"}), SafetensorsError);
  writeText(d / "notes.txt", "x");
  msg = locateError({d / "notes.txt"});
  EXPECT_HAS(msg, "not a .safetensors file");
  saveSafetensors(d / "random.safetensors", {{"foo.bar", torch::zeros({1})}});
  msg = locateError({d / "random.safetensors"});
  EXPECT_HAS(msg, "random.safetensors");
  EXPECT_HAS(msg, "not recognised");
  EXPECT_HAS(locateError({}), "no model path given");
}

TEST(ModelLocator, DemoMarker) {
  const auto d = officialCopy("demo1");
  EXPECT_FALSE(locateModel({d}).isDemo);
  writeText(d / "newbie_demo.json", "{}");
  EXPECT_TRUE(locateModel({d}).isDemo);
  const auto e = officialCopy("demo2");
  fs::remove(e / "model_index.json");
  std::ifstream in(official() / "model_index.json");
  auto idx = nlohmann::json::parse(in);
  idx["_newbie_demo"] = true;
  writeText(e / "model_index.json", idx.dump());
  EXPECT_TRUE(locateModel({e}).isDemo);
}

TEST(ModelLocator, JsonReport) {
  const auto j = toJson(locateModel({official()}));
  EXPECT_EQ(j["layout"], "official");
  EXPECT_EQ(j["is_demo"], false);
  const auto& c = j["components"];
  EXPECT_EQ(c["transformer"]["naming"], "dit-original");
  EXPECT_EQ(c["transformer"]["config"]["n_layers"], 2);
  EXPECT_EQ(c["transformer"]["tensor_count"], 93);
  EXPECT_EQ(c["gemma_text_encoder"]["naming"], "gemma-hf-multimodal");
  EXPECT_EQ(c["gemma_text_encoder"]["key_prefix"], "language_model.model.");
  EXPECT_EQ(c["gemma_text_encoder"]["dtypes"], nlohmann::json({"F32"}));
  EXPECT_EQ(c["jina_text_encoder"]["naming"], "jina-hf-lora");
  EXPECT_EQ(c["vae"]["naming"], "vae-diffusers");
  EXPECT_EQ(c["vae"]["files"][0], (official() / "vae/diffusion_pytorch_model.safetensors").string());
  EXPECT_EQ(j["tokenizers"]["gemma"]["preferred_source"], "tokenizer.json");
  EXPECT_TRUE(j["tokenizers"]["jina"]["embedded_in"].is_null());
  EXPECT_EQ(nlohmann::json::parse(j.dump()), j);
}

TEST(ModelLocator, ViewsFromTheLocatedStoreAreUsable) {
  const auto loc = locateModel({official()});
  auto w = loc.gemma.store.tensor(loc.gemma.keyPrefix + "embed_tokens.weight");
  auto ref = SafetensorsFile::open(G() / "gemma3/gemma3_comfy.safetensors")->tensor("model.embed_tokens.weight");
  EXPECT_TRUE(torch::equal(w, ref));
}
