#include "models/jina_xlmr.h"

#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include "log/log.h"

namespace newbie::models {

namespace {

using json = nlohmann::json;

[[noreturn]] void configError(const std::string& label, const std::string& key, const std::string& problem) {
  throw ModelLoadError("Jina config " + label + ": '" + key + "' " + problem);
}

int64_t readInt(const json& o, const char* key, int64_t def, const std::string& label) {
  if (!o.is_object() || !o.contains(key) || o[key].is_null()) return def;
  const json& v = o[key];
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>()) return static_cast<int64_t>(v.get<double>());
  configError(label, key, "must be an integer, found " + v.dump());
}

double readNum(const json& o, const char* key, double def, const std::string& label) {
  if (!o.is_object() || !o.contains(key) || o[key].is_null()) return def;
  const json& v = o[key];
  if (!v.is_number()) configError(label, key, "must be a number, found " + v.dump());
  return v.get<double>();
}

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

const char* kLoraOriginal = ".parametrizations.weight.original";

}  // namespace

// ---- config ---------------------------------------------------------------------------------

JinaXlmrConfig JinaXlmrConfig::fromJson(const json& root, const std::string& label) {
  if (!root.is_object()) throw ModelLoadError("Jina config " + label + ": not a JSON object");
  JinaXlmrConfig c;
  const json* arch = &root;
  const json* lora = &root;
  std::string task = "retrieval.query";
  if (root.contains("text_config") && root["text_config"].is_object()) {
    const json& tc = root["text_config"];
    if (tc.contains("default_lora_task") && tc["default_lora_task"].is_string())
      task = tc["default_lora_task"].get<std::string>();
    static const json empty = json::object();
    const json& kw = (tc.contains("hf_model_config_kwargs") && tc["hf_model_config_kwargs"].is_object())
                         ? tc["hf_model_config_kwargs"]
                         : empty;
    arch = &kw;
    lora = &kw;
    for (auto it = kw.begin(); it != kw.end(); ++it) {
      if (it.key().rfind("_tiny_golden_architecture", 0) == 0 && it.value().is_object()) arch = &it.value();
    }
  } else if (root.contains("comfy_XLMRobertaConfig") && root["comfy_XLMRobertaConfig"].is_object()) {
    arch = &root["comfy_XLMRobertaConfig"];
  }
  const json& a = *arch;
  c.vocabSize = readInt(a, "vocab_size", c.vocabSize, label);
  c.typeVocabSize = readInt(a, "type_vocab_size", c.typeVocabSize, label);
  c.hiddenSize = readInt(a, "hidden_size", c.hiddenSize, label);
  c.numLayers = readInt(a, "num_hidden_layers", c.numLayers, label);
  c.numHeads = readInt(a, "num_attention_heads", c.numHeads, label);
  c.intermediateSize = readInt(a, "intermediate_size", c.intermediateSize, label);
  c.rotaryBase = readNum(a, "rotary_emb_base", c.rotaryBase, label);
  c.layerNormEps = readNum(a, "layer_norm_eps", c.layerNormEps, label);
  c.padTokenId = readInt(a, "pad_token_id", c.padTokenId, label);
  if (a.contains("position_embedding_type") && a["position_embedding_type"].is_string() &&
      a["position_embedding_type"].get<std::string>() != "rotary")
    configError(label, "position_embedding_type",
                "is '" + a["position_embedding_type"].get<std::string>() + "'; only 'rotary' is supported");
  if (a.contains("hidden_act") && a["hidden_act"].is_string() && a["hidden_act"].get<std::string>() != "gelu")
    configError(label, "hidden_act", "is '" + a["hidden_act"].get<std::string>() + "'; jina uses exact 'gelu'");

  const json& l = *lora;
  c.loraAlpha = readNum(l, "lora_alpha", c.loraAlpha, label);
  c.loraRank = readInt(l, "lora_rank", c.loraRank, label);
  if (l.contains("lora_adaptations") && l["lora_adaptations"].is_array()) {
    const auto& ad = l["lora_adaptations"];
    int64_t idx = -1;
    for (size_t i = 0; i < ad.size(); ++i)
      if (ad[i].is_string() && ad[i].get<std::string>() == task) idx = static_cast<int64_t>(i);
    if (idx < 0) configError(label, "lora_adaptations", "does not list the task '" + task + "'");
    c.loraTask = idx;
  }
  c.validate(label);
  return c;
}

void JinaXlmrConfig::validate(const std::string& label) const {
  auto bad = [&](const std::string& what) { throw ModelLoadError("Jina config " + label + ": " + what); };
  if (vocabSize <= 0 || typeVocabSize <= 0 || hiddenSize <= 0 || intermediateSize <= 0 || numLayers <= 0)
    bad("non-positive size");
  if (numHeads <= 0 || hiddenSize % numHeads != 0)
    bad("hidden_size " + std::to_string(hiddenSize) + " is not a multiple of num_attention_heads " +
        std::to_string(numHeads));
  if (headDim() % 2 != 0) bad("head_dim " + std::to_string(headDim()) + " must be even for RoPE");
  if (loraRank < 0) bad("lora_rank must be >= 0");
  if (loraTask < 0) bad("LoRA task index must be >= 0");
}

int64_t JinaXlmrConfig::parameterCount() const {
  const int64_t H = hiddenSize, I = intermediateSize;
  const int64_t perLayer = (3 * H * H + 3 * H) + (H * H + H) + (I * H + I) + (H * I + H) + 4 * H;
  return vocabSize * H + typeVocabSize * H + 2 * H + numLayers * perLayer;
}

std::string detectJinaPrefix(const io::TensorStore& store) {
  for (const char* p : {"model.", "text_model.transformer.roberta.", "text_model.transformer.", "transformer.roberta.",
                        "roberta.", ""}) {
    const std::string base = std::string(p) + "embeddings.word_embeddings";
    if (store.contains(base + ".weight") || store.contains(base + kLoraOriginal)) return p;
  }
  throw ModelLoadError("Jina: no '*embeddings.word_embeddings.weight' (or LoRA '.parametrizations.weight.original') in " +
                       storeDescription(store) + " (not a Jina-CLIP-v2 / XLM-R text tower file?)");
}

JinaXlmrConfig JinaXlmrConfig::fromShapes(const io::TensorStore& store, const JinaXlmrConfig& defaults) {
  const std::string prefix = detectJinaPrefix(store);
  auto shapeOf = [&](const std::string& module) -> std::vector<int64_t> {
    for (const std::string& suffix : {std::string(".weight"), std::string(kLoraOriginal)}) {
      if (store.contains(prefix + module + suffix)) return store.info(prefix + module + suffix).shape;
    }
    throw ModelLoadError("Jina: tensor '" + prefix + module + ".weight' is missing from " + storeDescription(store) +
                         " (needed to derive the architecture)");
  };
  JinaXlmrConfig c = defaults;
  const auto word = shapeOf("embeddings.word_embeddings");
  const auto type = shapeOf("embeddings.token_type_embeddings");
  const auto fc1 = shapeOf("encoder.layers.0.mlp.fc1");
  c.vocabSize = word.at(0);
  c.hiddenSize = word.at(1);
  c.typeVocabSize = type.at(0);
  c.intermediateSize = fc1.at(0);
  int64_t n = 0;
  while (store.contains(prefix + "encoder.layers." + std::to_string(n) + ".norm2.weight")) ++n;
  c.numLayers = n;
  if (c.hiddenSize != defaults.hiddenSize) c.numHeads = std::max<int64_t>(1, c.hiddenSize / 64);
  const std::string loraA = prefix + "encoder.layers.0.mixer.Wqkv.parametrizations.weight.0.lora_A";
  if (store.contains(loraA)) {
    const auto s = store.info(loraA).shape;
    c.loraRank = s.size() == 3 ? s[1] : s.at(0);
  }
  c.validate(storeDescription(store));
  return c;
}

// ---- modules --------------------------------------------------------------------------------

JinaEmbeddingsImpl::JinaEmbeddingsImpl(const JinaXlmrConfig& c, const WeightFn& fn, const std::string& p) {
  word_embeddings =
      register_module("word_embeddings", FrozenEmbedding(fn, p + "word_embeddings.", c.vocabSize, c.hiddenSize));
  token_type_embeddings = register_module(
      "token_type_embeddings", FrozenEmbedding(fn, p + "token_type_embeddings.", c.typeVocabSize, c.hiddenSize));
}

torch::Tensor JinaEmbeddingsImpl::forward(const torch::Tensor& ids) {
  // token_type_ids are all 0 (type_vocab_size 1): add row 0 to every position.
  return word_embeddings(ids) + token_type_embeddings->weight[0];  // [B, L, D]
}

JinaMHAImpl::JinaMHAImpl(const JinaXlmrConfig& c, const WeightFn& fn, const std::string& p)
    : heads(c.numHeads), headDim(c.headDim()) {
  Wqkv = register_module("Wqkv", FrozenLinear(fn, p + "Wqkv.", c.hiddenSize, 3 * c.hiddenSize, true));
  out_proj = register_module("out_proj", FrozenLinear(fn, p + "out_proj.", c.hiddenSize, c.hiddenSize, true));
}

torch::Tensor JinaMHAImpl::forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                                   const torch::Tensor& allowed) {
  const int64_t B = x.size(0), L = x.size(1);
  torch::Tensor qkv = Wqkv(x).view({B, L, 3, heads, headDim});  // [B, L, 3, H, hd]
  torch::Tensor q = applyRope(qkv.select(2, 0), cos, sin);      // [B, L, H, hd]
  torch::Tensor k = applyRope(qkv.select(2, 1), cos, sin);
  torch::Tensor v = qkv.select(2, 2);
  torch::Tensor o = attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), allowed,
                              1.0 / std::sqrt(static_cast<double>(headDim)));  // [B, H, L, hd]
  return out_proj(o.transpose(1, 2).reshape({B, L, heads * headDim}));
}

JinaMLPImpl::JinaMLPImpl(const JinaXlmrConfig& c, const WeightFn& fn, const std::string& p) {
  fc1 = register_module("fc1", FrozenLinear(fn, p + "fc1.", c.hiddenSize, c.intermediateSize, true));
  fc2 = register_module("fc2", FrozenLinear(fn, p + "fc2.", c.intermediateSize, c.hiddenSize, true));
}

torch::Tensor JinaMLPImpl::forward(const torch::Tensor& x) { return fc2(torch::gelu(fc1(x))); }

JinaBlockImpl::JinaBlockImpl(const JinaXlmrConfig& c, const WeightFn& fn, const std::string& p) {
  mixer = register_module("mixer", JinaMHA(c, fn, p + "mixer."));
  norm1 = register_module("norm1", FrozenLayerNorm(fn, p + "norm1.", c.hiddenSize, c.layerNormEps));
  mlp = register_module("mlp", JinaMLP(c, fn, p + "mlp."));
  norm2 = register_module("norm2", FrozenLayerNorm(fn, p + "norm2.", c.hiddenSize, c.layerNormEps));
}

torch::Tensor JinaBlockImpl::forward(const torch::Tensor& h, const torch::Tensor& cos, const torch::Tensor& sin,
                                     const torch::Tensor& allowed) {
  torch::Tensor x = norm1(mixer(h, cos, sin, allowed) + h);
  return norm2(mlp(x) + x);
}

JinaTextTowerImpl::JinaTextTowerImpl(const JinaXlmrConfig& c, const WeightFn& fn) : cfg_(c) {
  cfg_.validate("(in memory)");
  embeddings = register_module("embeddings", JinaEmbeddings(c, fn, "embeddings."));
  emb_ln = register_module("emb_ln", FrozenLayerNorm(fn, "emb_ln.", c.hiddenSize, c.layerNormEps));
  encoder = register_module("encoder", JinaEncoder());
  for (int64_t i = 0; i < c.numLayers; ++i) {
    JinaBlock b(c, fn, "encoder.layers." + std::to_string(i) + ".");
    encoder->layers->push_back(b);
    blocks_.push_back(b);
  }
}

JinaOutput JinaTextTowerImpl::encode(const torch::Tensor& idsIn, const std::optional<torch::Tensor>& maskIn) {
  if (idsIn.dim() != 2) throw std::invalid_argument("Jina: ids must be [B, L], got " + shapeString(idsIn.sizes()));
  const torch::Device dev = device();
  const torch::ScalarType dt = dtype();
  torch::Tensor ids = idsIn.to(dev, torch::kInt64);
  const int64_t B = ids.size(0), L = ids.size(1);
  if (L == 0) throw std::invalid_argument("Jina: empty input (L = 0); the shortest input is [<s>, </s>]");
  const int64_t lo = ids.min().item<int64_t>(), hi = ids.max().item<int64_t>();
  if (lo < 0 || hi >= cfg_.vocabSize)
    throw std::invalid_argument("Jina: token id " + std::to_string(lo < 0 ? lo : hi) + " outside [0, " +
                                std::to_string(cfg_.vocabSize) + ")");
  torch::Tensor mask;  // [B, L] bool
  if (maskIn.has_value() && maskIn->defined()) {
    if (maskIn->sizes() != ids.sizes())
      throw std::invalid_argument("Jina: mask shape " + shapeString(maskIn->sizes()) + " != ids shape " +
                                  shapeString(ids.sizes()));
    mask = maskIn->to(dev).to(torch::kBool);
  } else {
    mask = ids.ne(cfg_.padTokenId);
  }
  if (mask.any(1).logical_not().any().item<bool>())
    throw std::invalid_argument("Jina: a row has no valid token (all padding)");

  torch::Tensor h = emb_ln(embeddings(ids));  // [B, L, D]
  auto cs = ropeTables(L, cfg_.headDim(), cfg_.rotaryBase, 1.0, dev);
  torch::Tensor cos = cs.first.to(dt).view({1, L, 1, cfg_.headDim()});
  torch::Tensor sin = cs.second.to(dt).view({1, L, 1, cfg_.headDim()});
  torch::Tensor allowed = mask.view({B, 1, 1, L});
  for (auto& b : blocks_) h = b->forward(h, cos, sin, allowed);

  torch::Tensor m = mask.to(dt);  // mean pooling over valid tokens (ComfyUI / jina MeanPooler)
  torch::Tensor pooled = (h * m.unsqueeze(-1)).sum(1) / m.sum(-1, /*keepdim=*/true);
  return {h, pooled};
}

torch::Tensor JinaTextTowerImpl::forward(const torch::Tensor& ids, const std::optional<torch::Tensor>& mask) {
  return encode(ids, mask).pooled;
}

// ---- factories --------------------------------------------------------------------------------

namespace {

/// WeightFn that reads plain tensors or merges a LoRA parametrization (fp32 merge, then cast).
WeightFn jinaStoreFn(const io::TensorStore& store, const std::string& prefix, const JinaXlmrConfig& cfg,
                     torch::Device device, torch::ScalarType dtype) {
  const io::TensorStore* s = &store;
  auto up = std::make_shared<io::Uploader>(device);
  WeightFn plain = storeWeightFn(store, prefix, up, dtype, "Jina");
  return [s, prefix, cfg, up, dtype, plain](const std::string& name, const std::vector<int64_t>& shape) {
    const std::string key = prefix + name;
    if (s->contains(key) || !endsWith(name, ".weight")) return plain(name, shape);
    const std::string base = key.substr(0, key.size() - 7);
    const std::string origKey = base + kLoraOriginal;
    if (!s->contains(origKey)) return plain(name, shape);  // throws "missing"
    torch::Tensor w = up->upload(checkedTensor(*s, origKey, shape, "Jina"), torch::kFloat32);
    const std::string aKey = base + ".parametrizations.weight.0.lora_A";
    const std::string bKey = base + ".parametrizations.weight.0.lora_B";
    for (const auto& k : {aKey, bKey})
      if (!s->contains(k))
        throw ModelLoadError("Jina: tensor '" + k + "' is missing from " + storeDescription(*s) + " (LoRA of '" +
                             origKey + "')");
    torch::Tensor a = s->tensor(aKey), b = s->tensor(bKey);
    auto pick = [&](torch::Tensor t, const std::string& k) {
      if (t.dim() == 2) return t;
      if (t.dim() != 3 || cfg.loraTask >= t.size(0))
        throw ModelLoadError("Jina: tensor '" + k + "' in " + s->fileOf(k).path().string() + " has shape " +
                             shapeString(t.sizes()) + "; need [adapters > " + std::to_string(cfg.loraTask) +
                             ", ., .] for adapter index " + std::to_string(cfg.loraTask));
      return t[cfg.loraTask];
    };
    a = up->upload(pick(a, aKey), torch::kFloat32);
    b = up->upload(pick(b, bKey), torch::kFloat32);
    const bool isEmbedding = name.find("embeddings.") != std::string::npos;
    // Linear: A [r, in], B [out, r], delta = B @ A.  Embedding: A [num, r], B [r, dim], delta = A @ B.
    const int64_t rank = isEmbedding ? a.size(1) : a.size(0);
    const std::vector<int64_t> wantA = isEmbedding ? std::vector<int64_t>{shape[0], rank}
                                                   : std::vector<int64_t>{rank, shape[1]};
    const std::vector<int64_t> wantB = isEmbedding ? std::vector<int64_t>{rank, shape[1]}
                                                   : std::vector<int64_t>{shape[0], rank};
    if (a.sizes() != c10::IntArrayRef(wantA) || b.sizes() != c10::IntArrayRef(wantB) ||
        (cfg.loraRank > 0 && rank != cfg.loraRank))
      throw ModelLoadError("Jina: LoRA tensors of '" + origKey + "' in " + s->fileOf(aKey).path().string() +
                           " have shapes A " + shapeString(a.sizes()) + ", B " + shapeString(b.sizes()) +
                           "; expected A " + shapeString(wantA) + ", B " + shapeString(wantB) +
                           (cfg.loraRank > 0 ? " with lora_rank " + std::to_string(cfg.loraRank) : std::string()));
    const double scale = cfg.loraAlpha / static_cast<double>(cfg.loraRank > 0 ? cfg.loraRank : rank);
    torch::Tensor delta = isEmbedding ? torch::matmul(a, b) : torch::matmul(b, a);
    return (w + delta * scale).to(dtype);
  };
}

}  // namespace

JinaTextTower loadJinaTextTower(const io::TensorStore& store, const JinaXlmrConfig& config, torch::Device device,
                                torch::ScalarType dtype) {
  const std::string prefix = detectJinaPrefix(store);
  config.validate(storeDescription(store));
  const std::string extra = prefix + "encoder.layers." + std::to_string(config.numLayers) + ".norm2.weight";
  if (store.contains(extra))
    throw ModelLoadError("Jina: " + storeDescription(store) + " has more than num_hidden_layers = " +
                         std::to_string(config.numLayers) + " layers ('" + extra + "' exists)");
  log::debug("Jina: loading {} layers from {} (prefix '{}')", config.numLayers, storeDescription(store), prefix);
  return JinaTextTower(config, jinaStoreFn(store, prefix, config, device, dtype));
}

JinaTextTower loadJinaTextTower(const io::TensorStore& store, const nlohmann::json* config, torch::Device device,
                                torch::ScalarType dtype, JinaXlmrConfig* resolved) {
  JinaXlmrConfig c = config ? JinaXlmrConfig::fromJson(*config) : JinaXlmrConfig::fromShapes(store);
  if (resolved) *resolved = c;
  return loadJinaTextTower(store, c, device, dtype);
}

JinaTextTower jinaRandomTextTower(const JinaXlmrConfig& config, torch::Device device, torch::ScalarType dtype,
                                  uint64_t seed) {
  auto rule = [](const std::string& name, const std::vector<int64_t>& shape) {
    RandomInitRule r;
    const bool isNorm = name.find("norm") != std::string::npos || name.find("emb_ln") != std::string::npos;
    if (isNorm && endsWith(name, ".weight")) r = {1.0, 0.1};
    else if (endsWith(name, ".bias")) r = {0.0, 0.02};
    else if (name.find("embeddings") != std::string::npos) r = {0.0, 0.05};
    else if (shape.size() == 2) r = {0.0, 1.0 / std::sqrt(static_cast<double>(shape[1]))};
    return r;
  };
  return JinaTextTower(config, randomWeightFn(seed, device, dtype, rule));
}

}  // namespace newbie::models
