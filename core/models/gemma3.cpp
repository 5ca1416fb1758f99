#include "models/gemma3.h"

#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include "log/log.h"

namespace newbie::models {

namespace {

using json = nlohmann::json;

[[noreturn]] void configError(const std::string& label, const std::string& key, const std::string& problem) {
  throw ModelLoadError("Gemma3 config " + label + ": '" + key + "' " + problem);
}

int64_t readInt(const json& o, const char* key, int64_t def, const std::string& label) {
  if (!o.contains(key) || o[key].is_null()) return def;
  const json& v = o[key];
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>()) return static_cast<int64_t>(v.get<double>());
  configError(label, key, "must be an integer, found " + v.dump());
}

double readNum(const json& o, const char* key, double def, const std::string& label) {
  if (!o.contains(key) || o[key].is_null()) return def;
  const json& v = o[key];
  if (!v.is_number()) configError(label, key, "must be a number, found " + v.dump());
  return v.get<double>();
}

/// One RoPE parameter block ({rope_type, rope_theta, factor}) -> (theta, linear factor).
void readRopeBlock(const json& b, double& theta, double& factor, const std::string& label, const std::string& key) {
  if (b.is_null()) return;
  if (!b.is_object()) configError(label, key, "must be an object, found " + b.dump());
  std::string type = "default";
  if (b.contains("rope_type") && b["rope_type"].is_string()) type = b["rope_type"].get<std::string>();
  else if (b.contains("type") && b["type"].is_string()) type = b["type"].get<std::string>();
  theta = readNum(b, "rope_theta", theta, label);
  if (type == "linear") {
    factor = readNum(b, "factor", 1.0, label);
  } else if (type == "default") {
    factor = 1.0;
  } else {
    configError(label, key, "has rope_type '" + type + "'; only 'default' and 'linear' are supported");
  }
}

bool layerNumber(const std::string& rest, int64_t& n) {
  // rest = "12.self_attn..." -> 12
  size_t dot = rest.find('.');
  if (dot == 0 || dot == std::string::npos) return false;
  for (size_t i = 0; i < dot; ++i)
    if (rest[i] < '0' || rest[i] > '9') return false;
  n = std::stoll(rest.substr(0, dot));
  return true;
}

}  // namespace

// ---- config ---------------------------------------------------------------------------------

Gemma3Config Gemma3Config::gemma3_4b() {
  Gemma3Config c;
  c.layerIsGlobal.resize(static_cast<size_t>(c.numLayers));
  for (int64_t i = 0; i < c.numLayers; ++i) c.layerIsGlobal[static_cast<size_t>(i)] = (i + 1) % 6 == 0;
  return c;
}

bool Gemma3Config::isGlobal(int64_t layer) const {
  if (layerIsGlobal.empty()) return (layer + 1) % 6 == 0;
  return layerIsGlobal.at(static_cast<size_t>(layer));
}

int64_t Gemma3Config::encoderParameterCount() const {
  const int64_t q = numHeads * headDim, kv = numKvHeads * headDim;
  const int64_t perLayer = hiddenSize * q + 2 * hiddenSize * kv + q * hiddenSize + 3 * hiddenSize * intermediateSize +
                           4 * hiddenSize + 2 * headDim;
  return vocabSize * hiddenSize + encoderLayers() * perLayer;
}

void Gemma3Config::validate(const std::string& label) const {
  auto bad = [&](const std::string& what) { throw ModelLoadError("Gemma3 config " + label + ": " + what); };
  if (vocabSize <= 0 || hiddenSize <= 0 || intermediateSize <= 0 || headDim <= 0) bad("non-positive size");
  if (numLayers < 2) bad("num_hidden_layers = " + std::to_string(numLayers) + ", need >= 2 (hidden_states[-2])");
  if (numHeads <= 0 || numKvHeads <= 0 || numHeads % numKvHeads != 0)
    bad("num_attention_heads " + std::to_string(numHeads) + " is not a multiple of num_key_value_heads " +
        std::to_string(numKvHeads));
  if (headDim % 2 != 0) bad("head_dim " + std::to_string(headDim) + " must be even for RoPE");
  if (slidingWindow <= 0) bad("sliding_window must be positive");
  if (queryPreAttnScalar <= 0) bad("query_pre_attn_scalar must be positive");
  if (!layerIsGlobal.empty() && static_cast<int64_t>(layerIsGlobal.size()) != numLayers)
    bad("layer_types has " + std::to_string(layerIsGlobal.size()) + " entries for " + std::to_string(numLayers) +
        " layers");
}

Gemma3Config Gemma3Config::fromJson(const json& root, const std::string& label) {
  if (!root.is_object()) throw ModelLoadError("Gemma3 config " + label + ": not a JSON object");
  const json& t = (root.contains("text_config") && root["text_config"].is_object()) ? root["text_config"] : root;
  Gemma3Config c;
  c.vocabSize = readInt(t, "vocab_size", c.vocabSize, label);
  c.hiddenSize = readInt(t, "hidden_size", c.hiddenSize, label);
  c.intermediateSize = readInt(t, "intermediate_size", c.intermediateSize, label);
  c.numLayers = readInt(t, "num_hidden_layers", c.numLayers, label);
  c.numHeads = readInt(t, "num_attention_heads", c.numHeads, label);
  c.numKvHeads = readInt(t, "num_key_value_heads", c.numKvHeads, label);
  c.headDim = readInt(t, "head_dim", c.headDim, label);
  c.queryPreAttnScalar = readNum(t, "query_pre_attn_scalar", c.queryPreAttnScalar, label);
  c.rmsNormEps = readNum(t, "rms_norm_eps", c.rmsNormEps, label);
  c.slidingWindow = readInt(t, "sliding_window", c.slidingWindow, label);

  for (const char* key : {"hidden_activation", "hidden_act"}) {
    if (t.contains(key) && t[key].is_string()) {
      const auto act = t[key].get<std::string>();
      if (act != "gelu_pytorch_tanh" && act != "gelu_tanh")
        configError(label, key, "is '" + act + "'; Gemma3 uses gelu_pytorch_tanh");
      break;
    }
  }
  if (t.contains("attn_logit_softcapping") && !t["attn_logit_softcapping"].is_null())
    configError(label, "attn_logit_softcapping", "is set; attention soft-capping is not supported (Gemma3 has none)");
  if (t.contains("use_bidirectional_attention") && t["use_bidirectional_attention"].is_boolean() &&
      t["use_bidirectional_attention"].get<bool>())
    configError(label, "use_bidirectional_attention", "is true; only causal attention is supported");

  // RoPE, legacy keys first, then transformers-5 rope_parameters (which wins when present).
  c.ropeGlobalTheta = readNum(t, "rope_theta", c.ropeGlobalTheta, label);
  c.ropeLocalTheta = readNum(t, "rope_local_base_freq", c.ropeLocalTheta, label);
  if (t.contains("rope_scaling")) {
    if (t["rope_scaling"].is_null()) c.ropeGlobalLinearFactor = 1.0;
    else readRopeBlock(t["rope_scaling"], c.ropeGlobalTheta, c.ropeGlobalLinearFactor, label, "rope_scaling");
  }
  if (t.contains("rope_parameters") && t["rope_parameters"].is_object()) {
    const json& rp = t["rope_parameters"];
    if (rp.contains("full_attention") || rp.contains("sliding_attention")) {
      if (rp.contains("full_attention"))
        readRopeBlock(rp["full_attention"], c.ropeGlobalTheta, c.ropeGlobalLinearFactor, label,
                      "rope_parameters.full_attention");
      if (rp.contains("sliding_attention"))
        readRopeBlock(rp["sliding_attention"], c.ropeLocalTheta, c.ropeLocalLinearFactor, label,
                      "rope_parameters.sliding_attention");
    } else {
      readRopeBlock(rp, c.ropeGlobalTheta, c.ropeGlobalLinearFactor, label, "rope_parameters");
    }
  }

  // Layer types.
  if (t.contains("layer_types") && t["layer_types"].is_array()) {
    c.layerIsGlobal.clear();
    for (const auto& v : t["layer_types"]) {
      const std::string s = v.is_string() ? v.get<std::string>() : v.dump();
      if (s == "full_attention") c.layerIsGlobal.push_back(true);
      else if (s == "sliding_attention") c.layerIsGlobal.push_back(false);
      else configError(label, "layer_types", "contains '" + s + "' (expected full_attention / sliding_attention)");
    }
  } else {
    int64_t pattern = 6;
    pattern = readInt(t, "_sliding_window_pattern", pattern, label);
    pattern = readInt(t, "sliding_window_pattern", pattern, label);
    if (pattern <= 0) configError(label, "sliding_window_pattern", "must be positive");
    c.layerIsGlobal.assign(static_cast<size_t>(std::max<int64_t>(c.numLayers, 0)), false);
    for (int64_t i = 0; i < c.numLayers; ++i) c.layerIsGlobal[static_cast<size_t>(i)] = (i + 1) % pattern == 0;
  }
  c.validate(label);
  return c;
}

std::string detectGemma3Prefix(const io::TensorStore& store) {
  for (const char* p : {"language_model.model.", "model.language_model.", "model.", "language_model.", ""}) {
    if (store.contains(std::string(p) + "embed_tokens.weight")) return p;
  }
  std::string some;
  int n = 0;
  for (const auto& name : store.names()) {
    if (n++ == 5) break;
    some += (some.empty() ? "" : ", ") + name;
  }
  throw ModelLoadError("Gemma3: no '*embed_tokens.weight' in " + storeDescription(store) +
                       " (not a Gemma3 text-encoder file? first tensors: " + some + ")");
}

Gemma3Config Gemma3Config::fromShapes(const io::TensorStore& store, const Gemma3Config& defaults) {
  const std::string prefix = detectGemma3Prefix(store);
  auto shapeOf = [&](const std::string& rel) -> std::vector<int64_t> {
    const std::string key = prefix + rel;
    if (!store.contains(key))
      throw ModelLoadError("Gemma3: tensor '" + key + "' is missing from " + storeDescription(store) +
                           " (needed to derive the architecture)");
    return store.info(key).shape;
  };
  Gemma3Config c = defaults;
  const auto emb = shapeOf("embed_tokens.weight");
  if (emb.size() != 2) throw ModelLoadError("Gemma3: " + prefix + "embed_tokens.weight is not 2-D");
  c.vocabSize = emb[0];
  c.hiddenSize = emb[1];
  int64_t maxLayer = -1;
  const std::string lp = prefix + "layers.";
  for (const auto& name : store.names()) {
    int64_t n;
    if (name.compare(0, lp.size(), lp) == 0 && layerNumber(name.substr(lp.size()), n)) maxLayer = std::max(maxLayer, n);
  }
  c.numLayers = maxLayer + 1;
  if (c.numLayers < 2) throw ModelLoadError("Gemma3: " + storeDescription(store) + " has fewer than 2 decoder layers");
  const auto qn = shapeOf("layers.0.self_attn.q_norm.weight");
  const auto q = shapeOf("layers.0.self_attn.q_proj.weight");
  const auto k = shapeOf("layers.0.self_attn.k_proj.weight");
  const auto g = shapeOf("layers.0.mlp.gate_proj.weight");
  c.headDim = qn.at(0);
  c.numHeads = q.at(0) / c.headDim;
  c.numKvHeads = k.at(0) / c.headDim;
  c.intermediateSize = g.at(0);
  if (c.headDim != defaults.headDim) c.queryPreAttnScalar = static_cast<double>(c.headDim);
  if (static_cast<int64_t>(defaults.layerIsGlobal.size()) != c.numLayers) c.layerIsGlobal.clear();
  c.validate(storeDescription(store));
  return c;
}

// ---- modules --------------------------------------------------------------------------------

Gemma3RMSNormImpl::Gemma3RMSNormImpl(const WeightFn& fn, const std::string& prefix, int64_t dim, double eps_)
    : eps(eps_) {
  weight = register_parameter("weight", fn(prefix + "weight", {dim}), false);
}

torch::Tensor Gemma3RMSNormImpl::forward(const torch::Tensor& x) {
  torch::Tensor xf = x.to(torch::kFloat32);
  xf = xf * torch::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + eps);
  xf = xf * (weight.to(torch::kFloat32) + 1.0);
  return xf.to(x.scalar_type());
}

Gemma3AttentionImpl::Gemma3AttentionImpl(const Gemma3Config& c, const WeightFn& fn, const std::string& p)
    : heads(c.numHeads), kvHeads(c.numKvHeads), headDim(c.headDim), scale(std::pow(c.queryPreAttnScalar, -0.5)) {
  const int64_t H = c.hiddenSize;
  q_proj = register_module("q_proj", FrozenLinear(fn, p + "q_proj.", H, heads * headDim, false));
  k_proj = register_module("k_proj", FrozenLinear(fn, p + "k_proj.", H, kvHeads * headDim, false));
  v_proj = register_module("v_proj", FrozenLinear(fn, p + "v_proj.", H, kvHeads * headDim, false));
  o_proj = register_module("o_proj", FrozenLinear(fn, p + "o_proj.", heads * headDim, H, false));
  q_norm = register_module("q_norm", Gemma3RMSNorm(fn, p + "q_norm.", headDim, c.rmsNormEps));
  k_norm = register_module("k_norm", Gemma3RMSNorm(fn, p + "k_norm.", headDim, c.rmsNormEps));
}

torch::Tensor Gemma3AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                                           const torch::Tensor& allowed) {
  const int64_t B = x.size(0), L = x.size(1);
  // [B, L, H*hd] -> [B, L, H, hd] -> per-head RMSNorm -> [B, H, L, hd]
  torch::Tensor q = q_norm(q_proj(x).view({B, L, heads, headDim})).transpose(1, 2);
  torch::Tensor k = k_norm(k_proj(x).view({B, L, kvHeads, headDim})).transpose(1, 2);
  torch::Tensor v = v_proj(x).view({B, L, kvHeads, headDim}).transpose(1, 2);
  q = applyRope(q, cos, sin);
  k = applyRope(k, cos, sin);
  torch::Tensor o = attention(q, k, v, allowed, scale);  // [B, H, L, hd]
  o = o.transpose(1, 2).reshape({B, L, heads * headDim});
  return o_proj(o);
}

Gemma3MLPImpl::Gemma3MLPImpl(const Gemma3Config& c, const WeightFn& fn, const std::string& p) {
  gate_proj = register_module("gate_proj", FrozenLinear(fn, p + "gate_proj.", c.hiddenSize, c.intermediateSize, false));
  up_proj = register_module("up_proj", FrozenLinear(fn, p + "up_proj.", c.hiddenSize, c.intermediateSize, false));
  down_proj = register_module("down_proj", FrozenLinear(fn, p + "down_proj.", c.intermediateSize, c.hiddenSize, false));
}

torch::Tensor Gemma3MLPImpl::forward(const torch::Tensor& x) {
  return down_proj(torch::gelu(gate_proj(x), "tanh") * up_proj(x));
}

Gemma3DecoderLayerImpl::Gemma3DecoderLayerImpl(const Gemma3Config& c, const WeightFn& fn, const std::string& p) {
  const int64_t H = c.hiddenSize;
  const double e = c.rmsNormEps;
  input_layernorm = register_module("input_layernorm", Gemma3RMSNorm(fn, p + "input_layernorm.", H, e));
  self_attn = register_module("self_attn", Gemma3Attention(c, fn, p + "self_attn."));
  post_attention_layernorm =
      register_module("post_attention_layernorm", Gemma3RMSNorm(fn, p + "post_attention_layernorm.", H, e));
  pre_feedforward_layernorm =
      register_module("pre_feedforward_layernorm", Gemma3RMSNorm(fn, p + "pre_feedforward_layernorm.", H, e));
  mlp = register_module("mlp", Gemma3MLP(c, fn, p + "mlp."));
  post_feedforward_layernorm =
      register_module("post_feedforward_layernorm", Gemma3RMSNorm(fn, p + "post_feedforward_layernorm.", H, e));
}

torch::Tensor Gemma3DecoderLayerImpl::forward(const torch::Tensor& h, const torch::Tensor& cos,
                                              const torch::Tensor& sin, const torch::Tensor& allowed) {
  // h: [B, L, D]
  torch::Tensor x = post_attention_layernorm(self_attn(input_layernorm(h), cos, sin, allowed));
  torch::Tensor r = h + x;
  x = post_feedforward_layernorm(mlp(pre_feedforward_layernorm(r)));
  return r + x;
}

Gemma3EncoderImpl::Gemma3EncoderImpl(const Gemma3Config& c, const WeightFn& fn) : cfg_(c) {
  cfg_.validate("(in memory)");
  embed_tokens = register_module("embed_tokens", FrozenEmbedding(fn, "embed_tokens.", c.vocabSize, c.hiddenSize));
  layers = register_module("layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < c.encoderLayers(); ++i) {
    Gemma3DecoderLayer layer(c, fn, "layers." + std::to_string(i) + ".");
    layers->push_back(layer);
    layerList_.push_back(layer);
  }
}

torch::Tensor Gemma3EncoderImpl::forward(const torch::Tensor& idsIn, const std::optional<torch::Tensor>& mask) {
  if (idsIn.dim() != 2) throw std::invalid_argument("Gemma3: ids must be [B, L], got " + shapeString(idsIn.sizes()));
  const torch::Device dev = device();
  const torch::ScalarType dt = dtype();
  torch::Tensor ids = idsIn.to(dev, torch::kInt64);
  const int64_t B = ids.size(0), L = ids.size(1);
  if (L == 0) throw std::invalid_argument("Gemma3: empty input (L = 0); the shortest input is [BOS]");
  const int64_t lo = ids.min().item<int64_t>(), hi = ids.max().item<int64_t>();
  if (lo < 0 || hi >= cfg_.vocabSize)
    throw std::invalid_argument("Gemma3: token id " + std::to_string(lo < 0 ? lo : hi) + " outside [0, " +
                                std::to_string(cfg_.vocabSize) + ")");

  // Embedding scaled by sqrt(hidden) cast to fp32 then to the weight dtype (transformers).
  torch::Tensor scaleT =
      torch::scalar_tensor(static_cast<float>(std::sqrt(static_cast<double>(cfg_.hiddenSize))),
                           torch::TensorOptions().dtype(torch::kFloat32).device(dev))
          .to(dt);
  torch::Tensor h = embed_tokens(ids) * scaleT;  // [B, L, D]

  // Masks: query i sees key j iff j <= i (and i - j < W on sliding layers) and key j is valid.
  const auto i64 = torch::TensorOptions().dtype(torch::kInt64).device(dev);
  torch::Tensor qi = torch::arange(L, i64).unsqueeze(1), kj = torch::arange(L, i64).unsqueeze(0);
  torch::Tensor causal = (kj <= qi).view({1, 1, L, L});
  torch::Tensor window = ((qi - kj) < cfg_.slidingWindow).view({1, 1, L, L});
  if (mask.has_value() && mask->defined()) {
    if (mask->sizes() != ids.sizes())
      throw std::invalid_argument("Gemma3: mask shape " + shapeString(mask->sizes()) + " != ids shape " +
                                  shapeString(ids.sizes()));
    causal = causal.logical_and(mask->to(dev).to(torch::kBool).view({B, 1, 1, L}));
  }
  torch::Tensor allowedGlobal = causal;
  torch::Tensor allowedLocal = causal.logical_and(window);

  auto tables = [&](double theta, double factor) {
    auto cs = ropeTables(L, cfg_.headDim, theta, factor, dev);
    return std::make_pair(cs.first.to(dt).view({1, 1, L, cfg_.headDim}), cs.second.to(dt).view({1, 1, L, cfg_.headDim}));
  };
  const auto global = tables(cfg_.ropeGlobalTheta, cfg_.ropeGlobalLinearFactor);
  const auto local = tables(cfg_.ropeLocalTheta, cfg_.ropeLocalLinearFactor);

  for (size_t i = 0; i < layerList_.size(); ++i) {
    const bool g = cfg_.isGlobal(static_cast<int64_t>(i));
    const auto& cs = g ? global : local;
    h = layerList_[i]->forward(h, cs.first, cs.second, g ? allowedGlobal : allowedLocal);
  }
  return h;  // [B, L, D] = hidden_states[-2]
}

// ---- factories --------------------------------------------------------------------------------

Gemma3Encoder loadGemma3Encoder(const io::TensorStore& store, const Gemma3Config& config, torch::Device device,
                                torch::ScalarType dtype) {
  const std::string prefix = detectGemma3Prefix(store);
  config.validate(storeDescription(store));
  // A checkpoint must hold the full model's layer count (layers 0..N-1), even if N-1 is unused:
  // a missing layer N-2 is caught by construction, an extra one beyond N-1 means a config mismatch.
  const std::string extra = prefix + "layers." + std::to_string(config.numLayers) + ".input_layernorm.weight";
  if (store.contains(extra))
    throw ModelLoadError("Gemma3: " + storeDescription(store) + " has layer " + std::to_string(config.numLayers) +
                         " but the config says num_hidden_layers = " + std::to_string(config.numLayers));
  const std::string last = prefix + "layers." + std::to_string(config.numLayers - 1) + ".input_layernorm.weight";
  if (!store.contains(last))
    throw ModelLoadError("Gemma3: tensor '" + last + "' is missing from " + storeDescription(store) +
                         ": the config says num_hidden_layers = " + std::to_string(config.numLayers) +
                         " (hidden_states[-2] is the output of layer " + std::to_string(config.numLayers - 2) + ")");
  log::debug("Gemma3: loading {} of {} layers from {} (prefix '{}')", config.encoderLayers(), config.numLayers,
                storeDescription(store), prefix);
  return Gemma3Encoder(config, storeWeightFn(store, prefix, device, dtype, "Gemma3"));
}

Gemma3Encoder loadGemma3Encoder(const io::TensorStore& store, const nlohmann::json* config, torch::Device device,
                                torch::ScalarType dtype, Gemma3Config* resolved) {
  Gemma3Config c = config ? Gemma3Config::fromJson(*config) : Gemma3Config::fromShapes(store);
  if (resolved) *resolved = c;
  return loadGemma3Encoder(store, c, device, dtype);
}

Gemma3Encoder gemma3RandomEncoder(const Gemma3Config& config, torch::Device device, torch::ScalarType dtype,
                                  uint64_t seed) {
  auto rule = [](const std::string& name, const std::vector<int64_t>& shape) {
    RandomInitRule r;
    if (name.find("norm.weight") != std::string::npos) r = {0.0, 0.1};
    else if (name.find("embed_tokens") != std::string::npos) r = {0.0, 0.03};
    else if (shape.size() == 2) r = {0.0, 1.0 / std::sqrt(static_cast<double>(shape[1]))};
    return r;
  };
  return Gemma3Encoder(config, randomWeightFn(seed, device, dtype, rule));
}

}  // namespace newbie::models
