#include "model_save.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/safetensors.h"
#include "log/log.h"
#include "text/tokenizer_trainer.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace newbie {
namespace {

using TensorMap = std::map<std::string, torch::Tensor>;

uint64_t bytesOf(const torch::Tensor& t) { return static_cast<uint64_t>(t.numel()) * t.element_size(); }

void writeText(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error(p.string() + ": cannot write");
  out << text;
  if (!out) throw std::runtime_error(p.string() + ": write failed (disk full?)");
}


/// `<base>.safetensors`, or shards + `<base>.safetensors.index.json` when over the limit.
void writeWeights(const fs::path& dir, const std::string& base, const TensorMap& tensors, uint64_t maxShard,
                  SavedModelInfo& info) {
  fs::create_directories(dir);
  std::vector<TensorMap> shards(1);
  uint64_t total = 0, cur = 0;
  for (const auto& [name, t] : tensors) {
    const uint64_t b = bytesOf(t);
    if (cur > 0 && cur + b > maxShard) {
      shards.emplace_back();
      cur = 0;
    }
    shards.back()[name] = t;
    cur += b;
    total += b;
  }
  info.tensorBytes += total;
  info.files += static_cast<int>(shards.size());
  if (shards.size() == 1) {
    io::saveSafetensors(dir / (base + ".safetensors"), tensors, {{"format", "pt"}});
    return;
  }
  json index = {{"metadata", {{"total_size", total}}}, {"weight_map", json::object()}};
  const int n = static_cast<int>(shards.size());
  for (int i = 0; i < n; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "-%05d-of-%05d.safetensors", i + 1, n);
    const std::string file = base + name;
    io::saveSafetensors(dir / file, shards[static_cast<size_t>(i)], {{"format", "pt"}});
    for (const auto& [t, _] : shards[static_cast<size_t>(i)]) index["weight_map"][t] = file;
  }
  writeJsonFile(dir / (base + ".safetensors.index.json"), index);
}

TensorMap parameters(const torch::nn::Module& m, const std::string& prefix) {
  TensorMap out;
  for (const auto& kv : m.named_parameters(/*recurse=*/true)) out[prefix + kv.key()] = kv.value().detach();
  return out;
}

std::vector<std::string> tokenizerCorpus() {
  return {"1girl, solo, long hair, blue eyes, smile, looking at viewer, upper body, masterpiece, best quality",
          "<character_1><n>girl</n><gender>1girl</gender><appearance>silver hair, red eyes</appearance></character_1>",
          "<general_tags><style>anime_style, digital_art</style><background>cherry_blossoms, night sky</background>"
          "</general_tags><caption>A girl stands under cherry blossoms in soft evening light.</caption>",
          "low quality, worst quality, blurry, bad anatomy, watermark, text, 0123456789",
          "A quiet city street at night, rain, neon lights, reflections, cinematic lighting."};
}

void writeTokenizers(const fs::path& gemmaDir, const fs::path& jinaDir) {
  const auto corpus = tokenizerCorpus();
  text::TokenizerTrainerOptions o;
  o.vocabSize = 400;
  writeText(gemmaDir / "tokenizer.json", text::trainGemmaStyleBpe(corpus, o));
  writeText(jinaDir / "tokenizer.json", text::trainXlmrStyleUnigram(corpus, o));
  writeJsonFile(gemmaDir / "tokenizer_config.json",
            {{"tokenizer_class", "GemmaTokenizer"}, {"bos_token", "<bos>"}, {"eos_token", "<eos>"},
             {"pad_token", "<pad>"}, {"unk_token", "<unk>"}, {"padding_side", "right"}});
  writeJsonFile(jinaDir / "tokenizer_config.json",
            {{"tokenizer_class", "XLMRobertaTokenizer"}, {"bos_token", "<s>"}, {"eos_token", "</s>"},
             {"pad_token", "<pad>"}, {"unk_token", "<unk>"}, {"mask_token", "<mask>"}});
}

json gemmaConfig(const models::Gemma3Config& c) {
  json types = json::array();
  for (int64_t i = 0; i < c.numLayers; ++i) types.push_back(c.isGlobal(i) ? "full_attention" : "sliding_attention");
  return {{"architectures", {"Gemma3ForConditionalGeneration"}},
          {"model_type", "gemma3"},
          {"text_config",
           {{"model_type", "gemma3_text"}, {"vocab_size", c.vocabSize}, {"hidden_size", c.hiddenSize},
            {"intermediate_size", c.intermediateSize}, {"num_hidden_layers", c.numLayers},
            {"num_attention_heads", c.numHeads}, {"num_key_value_heads", c.numKvHeads}, {"head_dim", c.headDim},
            {"query_pre_attn_scalar", c.queryPreAttnScalar}, {"rms_norm_eps", c.rmsNormEps},
            {"sliding_window", c.slidingWindow}, {"layer_types", types}, {"hidden_activation", "gelu_pytorch_tanh"},
            {"rope_parameters",
             {{"full_attention", {{"rope_type", "linear"}, {"rope_theta", c.ropeGlobalTheta},
                                  {"factor", c.ropeGlobalLinearFactor}}},
              {"sliding_attention", {{"rope_type", "linear"}, {"rope_theta", c.ropeLocalTheta},
                                     {"factor", c.ropeLocalLinearFactor}}}}}}}};
}

json jinaConfig(const models::JinaXlmrConfig& c) {
  return {{"architectures", {"JinaCLIPModel"}},
          {"model_type", "jina_clip"},
          {"text_config",
           {{"hf_model_name_or_path", "jinaai/jina-embeddings-v3"},
            {"default_lora_task", "retrieval.query"},
            {"hf_model_config_kwargs",
             {{"lora_adaptations", {"retrieval.query"}},
              {"lora_alpha", c.loraAlpha},
              {"_tiny_golden_architecture (written by newbie-cli bench --save-model; LoRA merged)",
               {{"vocab_size", c.vocabSize}, {"type_vocab_size", c.typeVocabSize}, {"hidden_size", c.hiddenSize},
                {"num_hidden_layers", c.numLayers}, {"num_attention_heads", c.numHeads},
                {"intermediate_size", c.intermediateSize}, {"rotary_emb_base", c.rotaryBase},
                {"layer_norm_eps", c.layerNormEps}, {"pad_token_id", c.padTokenId},
                {"position_embedding_type", "rotary"}}}}},
            {"pooler_type", "mean_pooler"}}}};
}

json ditConfig(const models::NextDiTConfig& c) {
  // ffn width: keep the config's own rule when it reproduces ffnHidden, else spell it out
  // through multiple_of = ffnHidden and a multiplier that rounds up to exactly it.
  int64_t multipleOf = c.multipleOf;
  json multiplier = c.ffnDimMultiplier ? json(*c.ffnDimMultiplier) : json(nullptr);
  if (models::NextDiTConfig::ffnHiddenFor(c.dim, c.multipleOf, c.ffnDimMultiplier) != c.ffnHidden) {
    multipleOf = c.ffnHidden;
    multiplier = static_cast<double>(c.ffnHidden) / static_cast<double>(4 * c.dim);
  }
  json j = {{"_class_name", "NextDiT_3B_GQA_patch2_Adaln_Refiner_WHIT_CLIP"},
            {"model_type", "nextdit_clip"},
            {"patch_size", c.patchSize}, {"in_channels", c.inChannels}, {"dim", c.dim}, {"n_layers", c.nLayers},
            {"n_refiner_layers", c.nRefinerLayers}, {"n_heads", c.nHeads}, {"n_kv_heads", c.nKvHeads},
            {"multiple_of", multipleOf}, {"ffn_dim_multiplier", multiplier}, {"norm_eps", c.normEps},
            {"qk_norm_eps", c.qkNormEps}, {"qk_norm", c.qkNorm}, {"cap_feat_dim", c.capFeatDim},
            {"clip_text_dim", c.clipTextDim}, {"clip_img_dim", c.clipTextDim}, {"rope_theta", c.ropeTheta},
            {"axes_dims", c.axesDims}, {"axes_lens", c.axesLens}};
  const auto back = models::NextDiTConfig::fromJson(j, "transformer/config.json (written)");
  if (!back.sameArchitecture(c))
    throw std::runtime_error("saveOfficialModel: the transformer config cannot be written faithfully: " +
                             c.describe() + " reads back as " + back.describe());
  return j;
}

json vaeConfig(const models::FluxVaeConfig& c) {
  return {{"_class_name", "AutoencoderKL"}, {"act_fn", "silu"}, {"block_out_channels", c.blockOutChannels},
          {"in_channels", 3}, {"latent_channels", c.latentChannels}, {"layers_per_block", c.layersPerBlock},
          {"mid_block_add_attention", c.midBlockAttention}, {"norm_num_groups", c.normNumGroups},
          {"out_channels", c.outChannels}, {"scaling_factor", c.scalingFactor}, {"shift_factor", c.shiftFactor},
          {"force_upcast", true}, {"use_quant_conv", false}, {"use_post_quant_conv", false}};
}

}  // namespace

json officialModelIndex() {
  return {{"_class_name", "NewbiePipeline"},
          {"_diffusers_version", "0.30.0"},
          {"transformer", {"transformer", "NextDiT_3B_GQA_patch2_Adaln_Refiner_WHIT_CLIP"}},
          {"text_encoder", {"text_encoder", "Gemma3ForConditionalGeneration"}},
          {"tokenizer", {"text_encoder", "AutoTokenizer"}},
          {"clip_model", {"clip_model", "JinaCLIPModel"}},
          {"clip_tokenizer", {"clip_model", "AutoTokenizer"}},
          {"vae", {"vae", "AutoencoderKL"}}};
}

void writeJsonFile(const fs::path& p, const json& j) { writeText(p, j.dump(1) + "\n"); }

SavedModelInfo saveOfficialModel(const fs::path& dir, const models::Gemma3EncoderImpl& gemma,
                                 const models::JinaTextTowerImpl& jina, const models::NextDiTImpl& dit,
                                 const models::FluxVaeDecoderImpl& vae, const SaveModelOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  SavedModelInfo info;
  const auto tdir = dir / "transformer", gdir = dir / "text_encoder", jdir = dir / "clip_model", vdir = dir / "vae";
  for (const auto& d : {tdir, gdir, jdir, vdir}) fs::create_directories(d);
  log::info("save model: writing {} (official layout)", dir.string());

  // Gemma: the encoder holds layers 0..N-2; a checkpoint has all N layers, so layer N-1 (never
  // run by the encoder) repeats layer N-2's tensors, and the final norm repeats its input norm.
  const auto& gc = gemma.config();
  const std::string gp = "language_model.model.";
  TensorMap g = parameters(gemma, gp);
  const std::string src = "layers." + std::to_string(gc.numLayers - 2) + ".";
  const std::string dst = "layers." + std::to_string(gc.numLayers - 1) + ".";
  TensorMap extra;
  for (const auto& [name, t] : g)
    if (name.compare(0, gp.size() + src.size(), gp + src) == 0) extra[gp + dst + name.substr(gp.size() + src.size())] = t;
  g.insert(extra.begin(), extra.end());
  g[gp + "norm.weight"] = g.at(gp + src + "input_layernorm.weight");
  writeWeights(gdir, "model", g, options.maxShardBytes, info);
  writeJsonFile(gdir / "config.json", gemmaConfig(gc));

  writeWeights(jdir, "model", parameters(jina, "text_model.transformer.roberta."), options.maxShardBytes, info);
  writeJsonFile(jdir / "config.json", jinaConfig(jina.config()));
  writeTokenizers(gdir, jdir);

  writeWeights(tdir, "diffusion_pytorch_model", models::nextDiTCheckpointTensors(dit), options.maxShardBytes, info);
  writeJsonFile(tdir / "config.json", ditConfig(dit.config()));

  writeWeights(vdir, "diffusion_pytorch_model", parameters(vae, "decoder."), options.maxShardBytes, info);
  writeJsonFile(vdir / "config.json", vaeConfig(vae.config()));

  writeJsonFile(dir / "model_index.json", officialModelIndex());
  info.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  log::info("save model: {} files, {:.2f} GB of tensors in {:.1f} s", info.files, info.tensorBytes / 1e9, info.seconds);
  return info;
}

}  // namespace newbie
