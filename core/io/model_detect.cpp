// Key-naming detection and shape-derived configuration for the model locator
// (model_locator.h). Works on safetensors headers only.
#include <algorithm>
#include <cctype>
#include <functional>
#include <optional>
#include <sstream>

#include "io/model_locator.h"

namespace newbie::io {

const char* layoutName(Layout l) {
  switch (l) {
    case Layout::Official: return "official";
    case Layout::Diffusers: return "diffusers";
    case Layout::ComfyUI: return "comfyui";
  }
  return "?";
}

const char* componentName(ComponentKind k) {
  switch (k) {
    case ComponentKind::Transformer: return "transformer";
    case ComponentKind::Gemma: return "gemma_text_encoder";
    case ComponentKind::Jina: return "jina_text_encoder";
    case ComponentKind::Vae: return "vae";
  }
  return "?";
}

const char* namingName(Naming n) {
  switch (n) {
    case Naming::Unknown: return "unknown";
    case Naming::DitOriginal: return "dit-original";
    case Naming::DitDiffusersSplitQkv: return "dit-diffusers-split-qkv";
    case Naming::DitDiffusersFusedQkv: return "dit-diffusers-fused-qkv";
    case Naming::GemmaHfMultimodal: return "gemma-hf-multimodal";
    case Naming::GemmaHfMultimodalV2: return "gemma-hf-multimodal-v2";
    case Naming::GemmaHfGemma3Model: return "gemma-hf-gemma3model";
    case Naming::GemmaHfText: return "gemma-hf-text";
    case Naming::GemmaComfy: return "gemma-comfyui";
    case Naming::JinaHfLora: return "jina-hf-lora";
    case Naming::JinaHfMerged: return "jina-hf-merged";
    case Naming::JinaComfy: return "jina-comfyui";
    case Naming::VaeDiffusers: return "vae-diffusers";
    case Naming::VaeBfl: return "vae-bfl";
  }
  return "?";
}

const char* namingDescription(Naming n) {
  switch (n) {
    case Naming::Unknown: return "not recognised";
    case Naming::DitOriginal: return "NextDiT_CLIP original names (fused attention.qkv)";
    case Naming::DitDiffusersSplitQkv: return "diffusers Lumina2 names (split attn.to_q/to_k/to_v)";
    case Naming::DitDiffusersFusedQkv: return "diffusers Lumina2 names (fused attn.to_qkv)";
    case Naming::GemmaHfMultimodal: return "HF Gemma3ForConditionalGeneration (language_model.model.*)";
    case Naming::GemmaHfMultimodalV2: return "HF Gemma3ForConditionalGeneration, transformers >= 4.52 (model.language_model.*)";
    case Naming::GemmaHfGemma3Model: return "HF Gemma3Model (language_model.*)";
    case Naming::GemmaHfText: return "HF Gemma3 text-only (model.layers.*)";
    case Naming::GemmaComfy: return "ComfyUI text encoder (model.layers.* + spiece_model)";
    case Naming::JinaHfLora: return "HF jina-clip-v2 with LoRA parametrizations (merged at load)";
    case Naming::JinaHfMerged: return "HF jina-clip-v2 names, plain weights";
    case Naming::JinaComfy: return "ComfyUI text encoder (model.encoder.layers.*, LoRA merged)";
    case Naming::VaeDiffusers: return "diffusers AutoencoderKL (decoder.mid_block.*)";
    case Naming::VaeBfl: return "BFL ae.safetensors (decoder.mid.block_1)";
  }
  return "?";
}

namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool startsWith(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

/// Prefixes P such that P + suffix is a tensor name.
std::vector<std::string> prefixesOf(const std::vector<std::string>& names, const std::string& suffix) {
  std::vector<std::string> out;
  for (const auto& n : names)
    if (endsWith(n, suffix)) {
      std::string p = n.substr(0, n.size() - suffix.size());
      if (p.empty() || p.back() == '.') out.push_back(p);
    }
  return out;
}

}  // namespace

std::vector<DetectedRole> detectRoles(const TensorStore& store) {
  const std::vector<std::string> names = store.names();
  std::vector<DetectedRole> roles;
  auto has = [&](const std::string& n) { return store.contains(n); };
  auto addOnce = [&](ComponentKind k, Naming n, const std::string& p) {
    for (const auto& r : roles)
      if (r.kind == k) return;
    roles.push_back({k, n, p});
  };

  // Transformer: NextDiT_CLIP is Lumina-2 plus clip_text_pooled_proj (that part is required).
  for (const auto& p : prefixesOf(names, "x_embedder.weight")) {
    if (has(p + "cap_embedder.1.weight") && has(p + "clip_text_pooled_proj.1.weight") &&
        has(p + "layers.0.attention.qkv.weight"))
      addOnce(ComponentKind::Transformer, Naming::DitOriginal, p);
    else if (has(p + "time_caption_embed.caption_embedder.1.weight") &&
             has(p + "time_caption_embed.clip_text_pooled_proj.1.weight")) {
      if (has(p + "layers.0.attn.to_q.weight"))
        addOnce(ComponentKind::Transformer, Naming::DitDiffusersSplitQkv, p);
      else if (has(p + "layers.0.attn.to_qkv.weight"))
        addOnce(ComponentKind::Transformer, Naming::DitDiffusersFusedQkv, p);
    }
  }
  // Gemma 3: q_norm in self_attn (Gemma 2 has none) and embed_tokens under the same prefix.
  for (const auto& p : prefixesOf(names, "layers.0.self_attn.q_norm.weight")) {
    if (!has(p + "embed_tokens.weight") || startsWith(p, "vision_tower") || startsWith(p, "vision_model")) continue;
    Naming n;
    if (p == "language_model.model.") n = Naming::GemmaHfMultimodal;
    else if (p == "model.language_model.") n = Naming::GemmaHfMultimodalV2;
    else if (p == "language_model.") n = Naming::GemmaHfGemma3Model;
    else if (has("spiece_model") || has(p + "spiece_model")) n = Naming::GemmaComfy;
    else n = Naming::GemmaHfText;
    addOnce(ComponentKind::Gemma, n, p);
  }
  // Jina CLIP v2 text tower (XLM-RoBERTa flavour with a fused mixer.Wqkv).
  for (const auto& p : prefixesOf(names, "encoder.layers.0.mixer.Wqkv.parametrizations.weight.original"))
    if (has(p + "embeddings.word_embeddings.parametrizations.weight.original") ||
        has(p + "embeddings.word_embeddings.weight"))
      addOnce(ComponentKind::Jina, Naming::JinaHfLora, p);
  for (const auto& p : prefixesOf(names, "encoder.layers.0.mixer.Wqkv.weight"))
    if (has(p + "embeddings.word_embeddings.weight"))
      addOnce(ComponentKind::Jina, p == "model." ? Naming::JinaComfy : Naming::JinaHfMerged, p);
  // FLUX-style VAE.
  for (const auto& p : prefixesOf(names, "decoder.mid_block.resnets.0.conv1.weight"))
    if (has(p + "decoder.conv_in.weight")) addOnce(ComponentKind::Vae, Naming::VaeDiffusers, p);
  for (const auto& p : prefixesOf(names, "decoder.mid.block_1.conv1.weight"))
    if (has(p + "decoder.conv_in.weight")) addOnce(ComponentKind::Vae, Naming::VaeBfl, p);
  return roles;
}

// ---------------------------------------------------------------------------------------

namespace {

struct Shapes {
  const TensorStore& store;
  std::string prefix;
  std::string where;  // for messages

  bool has(const std::string& n) const { return store.contains(prefix + n); }
  /// Dimension `d` of tensor prefix+n; throws when absent or too few dims.
  int64_t dim(const std::string& n, std::size_t d) const {
    if (!has(n))
      throw ModelLocateError(where + ": expected tensor '" + prefix + n + "' is missing (needed to derive the config)");
    const auto& s = store.info(prefix + n).shape;
    if (d >= s.size())
      throw ModelLocateError(where + ": tensor '" + prefix + n + "' has " + std::to_string(s.size()) +
                             " dims, expected at least " + std::to_string(d + 1));
    return s[d];
  }
  /// Number of distinct N with prefix + group + N + "." present.
  int64_t count(const std::string& group) const {
    const std::string p = prefix + group;
    std::set<long> seen;
    for (const auto& n : store.names())
      if (startsWith(n, p)) {
        std::size_t i = p.size(), j = i;
        while (j < n.size() && std::isdigit(static_cast<unsigned char>(n[j]))) ++j;
        if (j > i && j < n.size() && n[j] == '.' && j - i < 9) seen.insert(std::stol(n.substr(i, j - i)));
      }
    return static_cast<int64_t>(seen.size());
  }
};

std::string componentLabel(const WeightsComponent& c) {
  if (!c.index.empty()) return c.index.string();
  std::string s;
  for (const auto& f : c.files) s += (s.empty() ? "" : ", ") + f.string();
  return s;
}

using Keys = std::vector<std::string>;

/// config.json key (first of `keys` present and not null) and its value, or nullopt.
std::optional<std::pair<std::string, nlohmann::json>> lookupKey(const nlohmann::json& cfg, const Keys& keys) {
  if (!cfg.is_object()) return std::nullopt;
  for (const auto& k : keys) {
    auto it = cfg.find(k);
    if (it != cfg.end() && !it->is_null()) return std::make_pair(k, *it);
  }
  return std::nullopt;
}
std::optional<nlohmann::json> lookup(const nlohmann::json& cfg, const Keys& keys) {
  auto kv = lookupKey(cfg, keys);
  if (!kv) return std::nullopt;
  return kv->second;
}

/// Throws when config.json contradicts a shape-derived value.
void crossCheck(const WeightsComponent& c, const nlohmann::json& cfg, const std::string& key, const Keys& cfgKeys) {
  auto kv = lookupKey(cfg, cfgKeys);
  if (!kv || !c.config.contains(key)) return;
  if (kv->second != c.config[key])
    throw ModelLocateError(c.configFile.string() + ": the " + componentName(c.kind) + " config says " + kv->first +
                           " = " + kv->second.dump() + " but the weights in " + componentLabel(c) + " have " +
                           c.config[key].dump() +
                           " (derived from the tensor shapes): config and weights do not belong together");
}

void passthrough(WeightsComponent& c, const nlohmann::json& cfg, const Keys& keys) {
  if (!cfg.is_object()) return;
  for (const auto& k : keys) {
    auto it = cfg.find(k);
    if (it != cfg.end() && !c.config.contains(k)) c.config[k] = *it;
  }
}

void describeTransformer(WeightsComponent& c, const Shapes& s, const nlohmann::json& cfg) {
  auto& j = c.config;
  const bool orig = c.naming == Naming::DitOriginal;
  const bool fused = orig || c.naming == Naming::DitDiffusersFusedQkv;
  const int64_t dim = s.dim("x_embedder.weight", 0);
  const int64_t patchIn = s.dim("x_embedder.weight", 1);
  j["dim"] = dim;
  j["n_layers"] = s.count("layers.");
  j["n_refiner_layers"] = s.count("noise_refiner.");
  j["n_context_refiner_layers"] = s.count("context_refiner.");
  const std::string attn = orig ? "layers.0.attention." : "layers.0.attn.";
  const std::string qn = attn + (orig ? "q_norm.weight" : "norm_q.weight");
  j["qk_norm"] = s.has(qn);
  int64_t headDim = 0;
  if (s.has(qn)) headDim = s.dim(qn, 0);
  else if (auto h = lookup(cfg, {"n_heads", "num_attention_heads"}); h && h->is_number_integer() && h->get<int64_t>() > 0)
    headDim = dim / h->get<int64_t>();
  if (headDim > 0) {
    j["head_dim"] = headDim;
    j["n_heads"] = dim / headDim;
    if (fused) {
      const int64_t rows = s.dim(attn + (orig ? "qkv.weight" : "to_qkv.weight"), 0);
      j["n_kv_heads"] = (rows / headDim - dim / headDim) / 2;
    } else {
      j["n_kv_heads"] = s.dim(attn + "to_k.weight", 0) / headDim;
    }
  }
  j["ffn_dim"] = s.dim(orig ? "layers.0.feed_forward.w1.weight" : "layers.0.feed_forward.linear_1.weight", 0);
  const std::string te = orig ? "" : "time_caption_embed.";
  j["cap_feat_dim"] = s.dim(te + (orig ? "cap_embedder.0.weight" : "caption_embedder.0.weight"), 0);
  j["clip_text_dim"] = s.dim(te + "clip_text_pooled_proj.0.weight", 0);
  j["adaln_dim"] = s.dim(orig ? "t_embedder.mlp.0.weight" : "time_caption_embed.timestep_embedder.linear_1.weight", 0);
  // x_embedder input = patch² · in_channels; the patch size is 2 unless config.json says otherwise.
  int64_t patch = 2;
  if (auto p = lookup(cfg, {"patch_size"}); p && p->is_number_integer() && p->get<int64_t>() > 0) patch = p->get<int64_t>();
  j["patch_size"] = patch;
  j["in_channels"] = patchIn / (patch * patch);
  const std::vector<std::pair<std::string, Keys>> checks = {
           {"dim", {"dim", "hidden_size"}},
           {"n_layers", {"n_layers", "num_layers"}},
           {"n_refiner_layers", {"n_refiner_layers", "num_refiner_layers"}},
           {"n_heads", {"n_heads", "num_attention_heads"}},
           {"n_kv_heads", {"n_kv_heads", "num_kv_heads"}},
           {"cap_feat_dim", {"cap_feat_dim"}},
           {"clip_text_dim", {"clip_text_dim", "pooled_projection_dim"}},
           {"in_channels", {"in_channels"}}};
  for (const auto& [k, keys] : checks) crossCheck(c, cfg, k, keys);
  passthrough(c, cfg, {"axes_dims", "axes_dim_rope", "axes_lens", "norm_eps", "qk_norm_eps", "rope_theta", "multiple_of",
                       "ffn_dim_multiplier"});
}

void describeGemma(WeightsComponent& c, const Shapes& s, const nlohmann::json& fileCfg) {
  const nlohmann::json cfg = fileCfg.is_object() && fileCfg.contains("text_config") ? fileCfg["text_config"] : fileCfg;
  auto& j = c.config;
  j["vocab_size"] = s.dim("embed_tokens.weight", 0);
  j["hidden_size"] = s.dim("embed_tokens.weight", 1);
  j["num_hidden_layers"] = s.count("layers.");
  const int64_t hd = s.dim("layers.0.self_attn.q_norm.weight", 0);
  j["head_dim"] = hd;
  j["num_attention_heads"] = s.dim("layers.0.self_attn.q_proj.weight", 0) / hd;
  j["num_key_value_heads"] = s.dim("layers.0.self_attn.k_proj.weight", 0) / hd;
  j["intermediate_size"] = s.dim("layers.0.mlp.gate_proj.weight", 0);
  for (const char* k : {"vocab_size", "hidden_size", "num_hidden_layers", "head_dim", "num_attention_heads",
                        "num_key_value_heads", "intermediate_size"})
    crossCheck(c, cfg, k, {k});
  passthrough(c, cfg, {"rms_norm_eps", "rope_theta", "rope_local_base_freq", "rope_scaling", "rope_parameters",
                       "sliding_window", "sliding_window_pattern", "layer_types", "query_pre_attn_scalar",
                       "hidden_activation"});
}

void describeJina(WeightsComponent& c, const Shapes& s, const nlohmann::json& fileCfg) {
  auto& j = c.config;
  const bool lora = c.naming == Naming::JinaHfLora;
  const std::string w = lora ? ".parametrizations.weight.original" : ".weight";
  const std::string emb = s.has("embeddings.word_embeddings" + w) ? "embeddings.word_embeddings" + w
                                                                  : "embeddings.word_embeddings.weight";
  j["vocab_size"] = s.dim(emb, 0);
  const int64_t hidden = s.dim(emb, 1);
  j["hidden_size"] = hidden;
  j["num_hidden_layers"] = s.count("encoder.layers.");
  j["intermediate_size"] = s.dim("encoder.layers.0.mlp.fc1" + w, 0);
  // The head count is not in the shapes. jina-clip-v2's config does not carry it either (it
  // comes from jina-embeddings-v3: head_dim 64); take it from config.json when some object
  // there names it, otherwise assume head_dim 64.
  nlohmann::json kwargs;
  if (fileCfg.is_object() && fileCfg.contains("text_config") && fileCfg["text_config"].is_object() &&
      fileCfg["text_config"].contains("hf_model_config_kwargs"))
    kwargs = fileCfg["text_config"]["hf_model_config_kwargs"];
  std::optional<int64_t> heads;
  std::function<void(const nlohmann::json&)> find = [&](const nlohmann::json& v) {
    if (heads || !v.is_object()) return;
    if (auto it = v.find("num_attention_heads"); it != v.end() && it->is_number_integer()) {
      heads = it->get<int64_t>();
      return;
    }
    for (const auto& x : v) find(x);
  };
  find(fileCfg);
  if (heads) {
    j["num_attention_heads"] = *heads;
    j["num_attention_heads_source"] = "config.json";
  } else if (hidden % 64 == 0) {
    j["num_attention_heads"] = hidden / 64;
    j["num_attention_heads_source"] = "assumed (head_dim 64, as jina-embeddings-v3)";
  } else {
    j["num_attention_heads"] = nullptr;
    j["num_attention_heads_source"] = "unknown (not derivable from shapes; no config.json)";
  }
  if (lora) {
    j["lora_rank"] = s.dim("encoder.layers.0.mixer.Wqkv.parametrizations.weight.0.lora_A", 1);
    if (auto a = lookup(kwargs, {"lora_alpha"})) j["lora_alpha"] = *a;
    if (auto r = lookup(kwargs, {"lora_rank"}); r && *r != j["lora_rank"])
      throw ModelLocateError(c.configFile.string() + ": lora_rank = " + r->dump() + " but the LoRA tensors in " +
                             componentLabel(c) + " have rank " + j["lora_rank"].dump());
  }
  // Tiny test configs (and future files) may spell out the architecture; check what they say.
  nlohmann::json arch;
  std::function<void(const nlohmann::json&)> findArch = [&](const nlohmann::json& v) {
    if (!arch.is_null() || !v.is_object()) return;
    if (v.contains("hidden_size") && v.contains("num_hidden_layers")) {
      arch = v;
      return;
    }
    for (const auto& x : v) findArch(x);
  };
  findArch(fileCfg);
  for (const char* k : {"vocab_size", "hidden_size", "num_hidden_layers", "intermediate_size"}) crossCheck(c, arch, k, {k});
  passthrough(c, arch, {"rotary_emb_base", "layer_norm_eps", "pad_token_id"});
}

void describeVae(WeightsComponent& c, const Shapes& s, const nlohmann::json& cfg) {
  auto& j = c.config;
  const bool bfl = c.naming == Naming::VaeBfl;
  j["latent_channels"] = s.dim("decoder.conv_in.weight", 1);
  const int64_t levels = s.count(bfl ? "decoder.up." : "decoder.up_blocks.");
  std::vector<int64_t> boc(static_cast<std::size_t>(levels));
  for (int64_t i = 0; i < levels; ++i) {
    const std::string k = bfl ? "decoder.up." + std::to_string(i) + ".block.0.conv2.weight"
                              : "decoder.up_blocks." + std::to_string(levels - 1 - i) + ".resnets.0.conv2.weight";
    boc[static_cast<std::size_t>(i)] = s.dim(k, 0);
  }
  j["block_out_channels"] = boc;
  j["layers_per_block"] = s.count(bfl ? "decoder.up.0.block." : "decoder.up_blocks.0.resnets.") - 1;
  j["mid_attention"] = s.has(bfl ? "decoder.mid.attn_1.q.weight" : "decoder.mid_block.attentions.0.to_q.weight");
  bool enc = false;
  for (const auto& n : s.store.names())
    if (startsWith(n, s.prefix + "encoder.")) enc = true;
  j["has_encoder"] = enc;
  for (const char* k : {"latent_channels", "block_out_channels", "layers_per_block"}) crossCheck(c, cfg, k, {k});
  passthrough(c, cfg, {"scaling_factor", "shift_factor", "norm_num_groups", "force_upcast", "use_quant_conv",
                       "use_post_quant_conv"});
}

}  // namespace

void describeComponent(WeightsComponent& c, const DetectedRole& role, const nlohmann::json& fileConfig) {
  c.kind = role.kind;
  c.naming = role.naming;
  c.keyPrefix = role.keyPrefix;
  c.present = true;
  c.dtypes.clear();
  c.tensorCount = c.parameterCount = c.ignoredTensors = 0;
  for (const auto& f : c.store.files())
    for (const auto& t : f->tensors()) {
      if (t.name == "spiece_model") continue;
      if (startsWith(t.name, role.keyPrefix)) {
        ++c.tensorCount;
        c.parameterCount += t.numel();
        c.dtypes.insert(dtypeName(t.dtype));
      } else {
        ++c.ignoredTensors;
      }
    }
  c.config = nlohmann::json::object();
  Shapes s{c.store, role.keyPrefix, componentLabel(c)};
  switch (role.kind) {
    case ComponentKind::Transformer: describeTransformer(c, s, fileConfig); break;
    case ComponentKind::Gemma: describeGemma(c, s, fileConfig); break;
    case ComponentKind::Jina: describeJina(c, s, fileConfig); break;
    case ComponentKind::Vae: describeVae(c, s, fileConfig); break;
  }
  c.configSource = fileConfig.is_object() && !fileConfig.empty() ? "shapes + config.json" : "shapes";
}

}  // namespace newbie::io
