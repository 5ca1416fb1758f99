// NextDiTConfig (config.json of both styles, detection from shapes), key naming (original / diffusers),
// weight loading with validation, and the deterministic random initialisation.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <sstream>
#include <stdexcept>

#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>
#include "io/upload.h"
#include "log/log.h"
#include "models/common_layers.h"

#include "models/nextdit.h"

namespace newbie::models {

namespace {

bool startsWith(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }
bool endsWith(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

// --- config.json helpers ---------------------------------------------------------------------------
struct JsonReader {
  const nlohmann::json& j;
  const std::string& source;
  bool has(const char* k) const { return j.contains(k) && !j.at(k).is_null(); }
  int64_t i(const char* k, int64_t def) const {
    if (!has(k)) return def;
    const auto& v = j.at(k);
    if (!v.is_number_integer())
      throw std::invalid_argument(source + ": '" + k + "' must be an integer, got " + v.dump());
    return v.get<int64_t>();
  }
  double d(const char* k, double def) const {
    if (!has(k)) return def;
    const auto& v = j.at(k);
    if (!v.is_number()) throw std::invalid_argument(source + ": '" + k + "' must be a number, got " + v.dump());
    return v.get<double>();
  }
  std::optional<double> optD(const char* k) const {
    if (!has(k)) return std::nullopt;
    return d(k, 0.0);
  }
  std::vector<int64_t> vec(const char* k, std::vector<int64_t> def) const {
    if (!has(k)) return def;
    const auto& v = j.at(k);
    if (!v.is_array()) throw std::invalid_argument(source + ": '" + k + "' must be an array, got " + v.dump());
    std::vector<int64_t> out;
    for (const auto& e : v) {
      if (!e.is_number_integer())
        throw std::invalid_argument(source + ": '" + k + "' must hold integers, got " + v.dump());
      out.push_back(e.get<int64_t>());
    }
    return out;
  }
};

// --- naming -------------------------------------------------------------------------------------------
struct Piece {
  std::string name;  // file key (prefix included)
  std::vector<int64_t> shape;
};

bool isBlockName(const std::string& n, std::string& block, std::string& rest) {
  for (const char* p : {"context_refiner.", "noise_refiner.", "layers."}) {
    if (!startsWith(n, p)) continue;
    const size_t dot = n.find('.', std::strlen(p));
    if (dot == std::string::npos) return false;
    block = n.substr(0, dot + 1);
    rest = n.substr(dot + 1);
    return true;
  }
  return false;
}

// One original-naming key -> its diffusers key (PR12803 convert_lumina2_to_diffusers, MODEL-SPEC §2.7).
std::string toDiffusers(const std::string& n) {
  static const std::vector<std::pair<std::string, std::string>> top = {
      {"cap_embedder.", "time_caption_embed.caption_embedder."},
      {"t_embedder.mlp.0.", "time_caption_embed.timestep_embedder.linear_1."},
      {"t_embedder.mlp.2.", "time_caption_embed.timestep_embedder.linear_2."},
      {"clip_text_pooled_proj.", "time_caption_embed.clip_text_pooled_proj."},
      {"time_text_embed.", "time_caption_embed.time_text_embed."},
      {"final_layer.adaLN_modulation.1.", "norm_out.linear_1."},
      {"final_layer.linear.", "norm_out.linear_2."},
  };
  for (const auto& [a, b] : top)
    if (startsWith(n, a)) return b + n.substr(a.size());
  std::string block, rest;
  if (!isBlockName(n, block, rest)) return n;  // x_embedder
  static const std::vector<std::pair<std::string, std::string>> inBlock = {
      {"attention.out.weight", "attn.to_out.0.weight"},
      {"attention.q_norm.weight", "attn.norm_q.weight"},
      {"attention.k_norm.weight", "attn.norm_k.weight"},
      {"feed_forward.w1.weight", "feed_forward.linear_1.weight"},
      {"feed_forward.w2.weight", "feed_forward.linear_2.weight"},
      {"feed_forward.w3.weight", "feed_forward.linear_3.weight"},
      {"adaLN_modulation.1.weight", "norm1.linear.weight"},
      {"adaLN_modulation.1.bias", "norm1.linear.bias"},
      {"attention_norm2.weight", "norm2.weight"},
  };
  for (const auto& [a, b] : inBlock)
    if (rest == a) return block + b;
  if (rest == "attention_norm1.weight")
    return block + (startsWith(block, "context_refiner.") ? "norm1.weight" : "norm1.norm.weight");
  return n;  // ffn_norm1 / ffn_norm2
}

// Our parameter (original naming, fused w13) -> the file tensors it is made of, concatenated on dim 0.
std::vector<Piece> sourcesOf(const std::string& ours, torch::IntArrayRef shape, const NextDiTConfig& c,
                             const NextDiTLayout& L) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> orig;
  if (endsWith(ours, "feed_forward.w13.weight")) {
    const std::string b = ours.substr(0, ours.size() - std::string("w13.weight").size());
    orig = {{b + "w1.weight", {c.ffnHidden, c.dim}}, {b + "w3.weight", {c.ffnHidden, c.dim}}};
  } else {
    orig = {{ours, shape.vec()}};
  }
  std::vector<Piece> out;
  for (auto& [n, s] : orig) {
    if (L.naming == NextDiTNaming::Diffusers && endsWith(n, "attention.qkv.weight")) {
      const std::string b = n.substr(0, n.size() - std::string("attention.qkv.weight").size()) + "attn.";
      const int64_t hd = c.headDim();
      out.push_back({L.prefix + b + "to_q.weight", {c.nHeads * hd, c.dim}});
      out.push_back({L.prefix + b + "to_k.weight", {c.nKvHeads * hd, c.dim}});
      out.push_back({L.prefix + b + "to_v.weight", {c.nKvHeads * hd, c.dim}});
    } else {
      out.push_back({L.prefix + (L.naming == NextDiTNaming::Diffusers ? toDiffusers(n) : n), s});
    }
  }
  return out;
}

std::string fileOf(const io::TensorStore& store, const std::string& name) {
  if (store.contains(name)) return store.fileOf(name).path().string();
  std::string files;
  for (const auto& f : store.files()) files += (files.empty() ? "" : ", ") + f->path().string();
  return files;
}

// Counter-based uniform in [-1, 1): identical on every platform and thread count.
inline float hashUniform(uint64_t seed, uint64_t tensorIndex, uint64_t i) {
  uint64_t z = seed * 0x9E3779B97F4A7C15ull + (tensorIndex + 1) * 0xD1B54A32D192ED03ull + i * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<float>(static_cast<double>(z >> 40) * (2.0 / 16777216.0) - 1.0);
}

}  // namespace

// --- NextDiTConfig ----------------------------------------------------------------------------------------

int64_t NextDiTConfig::ffnHiddenFor(int64_t dim, int64_t multipleOf, std::optional<double> multiplier) {
  int64_t hidden = 4 * dim;
  if (multiplier) hidden = static_cast<int64_t>(*multiplier * static_cast<double>(hidden));
  return multipleOf * ((hidden + multipleOf - 1) / multipleOf);
}

NextDiTConfig NextDiTConfig::newbieFull() { return NextDiTConfig{}; }

NextDiTConfig NextDiTConfig::fromJson(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object()) throw std::invalid_argument(source + ": the transformer config must be a JSON object");
  JsonReader r{j, source};
  NextDiTConfig c;
  const bool diffusers = r.has("hidden_size") ||
                         (r.has("_class_name") && j.at("_class_name") == "Lumina2Transformer2DModel");
  c.patchSize = r.i("patch_size", c.patchSize);
  c.inChannels = r.i("in_channels", c.inChannels);
  c.multipleOf = r.i("multiple_of", c.multipleOf);
  c.ffnDimMultiplier = r.optD("ffn_dim_multiplier");
  c.normEps = r.d("norm_eps", c.normEps);
  c.axesLens = r.vec("axes_lens", c.axesLens);
  c.capFeatDim = r.i("cap_feat_dim", c.capFeatDim);
  if (diffusers) {
    c.dim = r.i("hidden_size", c.dim);
    c.nLayers = r.i("num_layers", c.nLayers);
    c.nRefinerLayers = r.i("num_refiner_layers", c.nRefinerLayers);
    c.nHeads = r.i("num_attention_heads", c.nHeads);
    c.nKvHeads = r.i("num_kv_heads", c.nHeads);
    c.axesDims = r.vec("axes_dim_rope", c.axesDims);
    c.clipTextDim = r.i("pooled_projection_dim", 0);  // absent / null: stock Lumina-2
    c.qkNormEps = r.d("qk_norm_eps", c.normEps);
    const int64_t outCh = r.i("out_channels", c.inChannels);
    if (outCh != c.inChannels)
      throw std::invalid_argument(source + ": out_channels " + std::to_string(outCh) + " != in_channels " +
                                  std::to_string(c.inChannels) + " is not supported");
  } else {
    c.dim = r.i("dim", c.dim);
    c.nLayers = r.i("n_layers", c.nLayers);
    c.nRefinerLayers = r.i("n_refiner_layers", c.nRefinerLayers);
    c.nHeads = r.i("n_heads", c.nHeads);
    c.nKvHeads = r.i("n_kv_heads", c.nHeads);
    c.axesDims = r.vec("axes_dims", c.axesDims);
    c.clipTextDim = r.i("clip_text_dim", c.clipTextDim);
    c.qkNormEps = r.d("qk_norm_eps", c.qkNormEps);
    if (r.has("qk_norm")) {
      if (!j.at("qk_norm").is_boolean()) throw std::invalid_argument(source + ": 'qk_norm' must be a boolean");
      c.qkNorm = j.at("qk_norm").get<bool>();
    }
  }
  c.ropeTheta = r.d("rope_theta", c.ropeTheta);
  c.ffnHidden = ffnHiddenFor(c.dim, c.multipleOf, c.ffnDimMultiplier);
  c.adalnDim = std::min<int64_t>(c.dim, 1024);
  try {
    c.validate();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(source + ": " + e.what());
  }
  return c;
}

void NextDiTConfig::validate() const {
  auto fail = [](const std::string& m) { throw std::invalid_argument("Next-DiT config: " + m); };
  if (patchSize < 1 || inChannels < 1 || dim < 1 || nHeads < 1 || nKvHeads < 1 || nLayers < 0 || nRefinerLayers < 0)
    fail("sizes must be positive (" + describe() + ")");
  if (dim % nHeads != 0) fail("dim " + std::to_string(dim) + " is not a multiple of n_heads " + std::to_string(nHeads));
  if (nHeads % nKvHeads != 0)
    fail("n_heads " + std::to_string(nHeads) + " is not a multiple of n_kv_heads " + std::to_string(nKvHeads));
  if (axesDims.size() != 3) fail("axes_dims must have 3 entries");
  int64_t sum = 0;
  for (int64_t a : axesDims) {
    if (a <= 0 || a % 2) fail("axes_dims entries must be even and > 0, got " + std::to_string(a));
    sum += a;
  }
  if (sum != headDim())
    fail("sum(axes_dims) = " + std::to_string(sum) + " must equal head_dim = " + std::to_string(headDim()));
  if (ffnHidden < 1 || adalnDim < 1 || timeFreqDim < 2 || timeFreqDim % 2 || capFeatDim < 1 || clipTextDim < 0)
    fail("bad ffn/adaLN/time/caption/clip dims (" + describe() + ")");
  if (!(normEps > 0) || !(qkNormEps > 0) || !(ropeTheta > 0)) fail("eps and rope_theta must be > 0");
}

bool NextDiTConfig::sameArchitecture(const NextDiTConfig& o) const {
  return patchSize == o.patchSize && inChannels == o.inChannels && dim == o.dim && nLayers == o.nLayers &&
         nRefinerLayers == o.nRefinerLayers && nHeads == o.nHeads && nKvHeads == o.nKvHeads &&
         ffnHidden == o.ffnHidden && adalnDim == o.adalnDim && timeFreqDim == o.timeFreqDim &&
         capFeatDim == o.capFeatDim && clipTextDim == o.clipTextDim && normEps == o.normEps &&
         qkNormEps == o.qkNormEps && qkNorm == o.qkNorm && ropeTheta == o.ropeTheta && axesDims == o.axesDims;
}

std::string NextDiTConfig::describe() const {
  std::ostringstream s;
  s << "dim " << dim << ", layers " << nLayers << "+" << nRefinerLayers << "+" << nRefinerLayers << ", heads "
    << nHeads << "/" << nKvHeads << " (head_dim " << (nHeads ? dim / nHeads : 0) << ", axes "
    << shapeString(axesDims) << "), ffn " << ffnHidden << ", adaLN " << adalnDim << ", cap " << capFeatDim
    << ", clip " << clipTextDim << ", patch " << patchSize << "x" << inChannels;
  return s.str();
}

NextDiTLayout detectNextDiTLayout(const io::TensorStore& store) {
  for (const auto& n : store.names()) {
    if (!endsWith(n, "x_embedder.weight")) continue;
    const std::string prefix = n.substr(0, n.size() - std::string("x_embedder.weight").size());
    if (!prefix.empty() && prefix.back() != '.') continue;
    if (store.contains(prefix + "t_embedder.mlp.0.weight")) return {NextDiTNaming::Original, prefix};
    if (store.contains(prefix + "time_caption_embed.timestep_embedder.linear_1.weight"))
      return {NextDiTNaming::Diffusers, prefix};
  }
  std::string some;
  auto names = store.names();
  for (size_t i = 0; i < names.size() && i < 5; ++i) some += (i ? ", " : "") + names[i];
  std::string files;
  for (const auto& f : store.files()) files += (files.empty() ? "" : ", ") + f->path().string();
  throw std::runtime_error("Next-DiT: " + files +
                           " is neither original NextDiT naming (x_embedder.weight + t_embedder.mlp.0.weight) "
                           "nor diffusers Lumina2 naming (x_embedder.weight + "
                           "time_caption_embed.timestep_embedder.linear_1.weight); first keys: " + some);
}

NextDiTConfig NextDiTConfig::fromWeights(const io::TensorStore& store) {
  const NextDiTLayout L = detectNextDiTLayout(store);
  const bool dif = L.naming == NextDiTNaming::Diffusers;
  auto key = [&](const std::string& orig) { return L.prefix + (dif ? toDiffusers(orig) : orig); };
  auto shape = [&](const std::string& orig) -> std::vector<int64_t> {
    const std::string k = key(orig);
    if (!store.contains(k)) throw std::runtime_error("Next-DiT: cannot detect the config: tensor '" + k +
                                                     "' is missing in " + fileOf(store, k));
    return store.info(k).shape;
  };
  auto count = [&](const std::string& block) {
    int64_t n = 0;
    while (store.contains(key(block + std::to_string(n) + ".ffn_norm1.weight"))) ++n;
    return n;
  };
  NextDiTConfig c;
  auto xe = shape("x_embedder.weight");  // [D, p*p*C]
  c.dim = xe.at(0);
  const int64_t pf = xe.at(1);
  c.inChannels = 16;
  c.patchSize = static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(pf) / 16.0)));
  if (pf % 16 != 0 || c.patchSize * c.patchSize * 16 != pf) {
    c.patchSize = 1;
    c.inChannels = pf;
  }
  auto t0 = shape("t_embedder.mlp.0.weight");  // [A, freq]
  c.adalnDim = t0.at(0);
  c.timeFreqDim = t0.at(1);
  c.capFeatDim = shape("cap_embedder.1.weight").at(1);
  c.clipTextDim = store.contains(key("clip_text_pooled_proj.1.weight")) ? shape("clip_text_pooled_proj.1.weight").at(1) : 0;
  c.nLayers = count("layers.");
  c.nRefinerLayers = count("noise_refiner.");
  const int64_t ctx = count("context_refiner.");
  if (ctx != c.nRefinerLayers)
    throw std::runtime_error("Next-DiT: " + std::to_string(c.nRefinerLayers) + " noise_refiner blocks but " +
                             std::to_string(ctx) + " context_refiner blocks in " + fileOf(store, key("x_embedder.weight")));
  const std::string b = c.nLayers > 0 ? "layers.0." : "noise_refiner.0.";
  c.qkNorm = store.contains(key(b + "attention.q_norm.weight"));
  if (!c.qkNorm)
    throw std::runtime_error("Next-DiT: no q_norm weights, so head_dim cannot be detected; give the config.json");
  const int64_t hd = shape(b + "attention.q_norm.weight").at(0);
  c.nHeads = c.dim / hd;
  if (dif) {
    c.nKvHeads = store.info(L.prefix + b + "attn.to_k.weight").shape.at(0) / hd;
  } else {
    c.nKvHeads = (shape(b + "attention.qkv.weight").at(0) / hd - c.nHeads) / 2;
  }
  c.ffnHidden = shape(b + "feed_forward.w1.weight").at(0);
  c.multipleOf = 1;
  const int64_t a = ((hd + 2) / 3 + 1) / 2 * 2;  // ceil(hd/3) rounded up to even
  c.axesDims = {hd - 2 * a, a, a};
  c.validate();
  return c;
}

// --- loading -----------------------------------------------------------------------------------------------

void NextDiTImpl::loadWeights(const io::TensorStore& store, torch::Device device, torch::ScalarType dtype) {
  const NextDiTLayout L = detectNextDiTLayout(store);
  if (cfg_.clipTextDim == 0) {
    const std::string k = L.prefix + (L.naming == NextDiTNaming::Diffusers
                                          ? "time_caption_embed.clip_text_pooled_proj.1.weight"
                                          : "clip_text_pooled_proj.1.weight");
    if (store.contains(k))
      throw std::runtime_error("Next-DiT: the config has no pooled text projection (clip_text_dim 0) but " +
                               fileOf(store, k) + " has '" + k + "'");
  }
  std::set<std::string> used;
  io::Uploader up(device);
  for (auto& kv : named_parameters(/*recurse=*/true)) {
    torch::Tensor param = kv.value();
    const auto pieces = sourcesOf(kv.key(), param.sizes(), cfg_, L);
    std::vector<torch::Tensor> parts;
    for (const auto& p : pieces) {
      if (!store.contains(p.name))
        throw std::runtime_error("Next-DiT weights: missing tensor '" + p.name + "' (expected shape " +
                                 shapeString(p.shape) + ") in " + fileOf(store, p.name) + " [config: " +
                                 cfg_.describe() + "]");
      const auto& info = store.info(p.name);
      if (info.shape != p.shape)
        throw std::runtime_error("Next-DiT weights: tensor '" + p.name + "' in " + fileOf(store, p.name) +
                                 " has shape " + shapeString(info.shape) + ", expected " + shapeString(p.shape) +
                                 " [config: " + cfg_.describe() + "]");
      auto t = store.tensor(p.name);
      if (!t.is_floating_point())
        throw std::runtime_error("Next-DiT weights: tensor '" + p.name + "' in " + fileOf(store, p.name) +
                                 " is not a floating-point tensor");
      parts.push_back(t);
      used.insert(p.name);
    }
    if (parts.size() == 1) {
      param.set_data(up.upload(parts[0], dtype));
    } else {  // fused from several stored tensors: each piece goes straight into its rows
      auto whole = torch::empty(param.sizes(), torch::TensorOptions().device(device).dtype(dtype));
      int64_t row = 0;
      for (const auto& part : parts) {
        up.uploadInto(part, whole.narrow(0, row, part.size(0)));
        row += part.size(0);
      }
      param.set_data(whole);
    }
  }
  up.finish();
  int extras = 0;
  for (const auto& n : store.names()) {
    if (!startsWith(n, L.prefix) || used.count(n) || n == L.prefix + "norm_final.weight") continue;
    if (extras++ < 5) log::warn("Next-DiT: ignoring unexpected tensor '{}' in {}", n, fileOf(store, n));
  }
  if (extras > 5) log::warn("Next-DiT: ignored {} unexpected tensors in total", extras);
  device_ = device;
  dtype_ = dtype;
  finishWeights();
  log::info("Next-DiT loaded ({} naming, {}; {} parameters, {} on {})",
               L.naming == NextDiTNaming::Diffusers ? "diffusers" : "original", cfg_.describe(), parameterCount(),
               c10::toString(dtype), device.str());
}

void NextDiTImpl::initRandom(uint64_t seed, torch::Device device, torch::ScalarType dtype) {
  uint64_t index = 0;
  for (auto& kv : named_parameters(true)) {
    torch::Tensor param = kv.value();
    const auto shape = param.sizes().vec();
    auto buf = torch::empty(shape, torch::kFloat32);
    float* p = buf.data_ptr<float>();
    float scale, offset = 0.f;
    if (shape.size() == 2) {
      scale = static_cast<float>(std::sqrt(3.0 / static_cast<double>(shape[1])));
    } else if (endsWith(kv.key(), ".bias")) {
      scale = 0.02f * std::sqrt(3.f);
    } else {  // RMSNorm weights
      scale = 0.1f * std::sqrt(3.f);
      offset = 1.f;
    }
    const uint64_t ti = index++;
    at::parallel_for(0, buf.numel(), 1 << 16, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) p[i] = offset + scale * hashUniform(seed, ti, static_cast<uint64_t>(i));
    });
    param.set_data(buf.to(device, dtype));
  }
  device_ = device;
  dtype_ = dtype;
  finishWeights();
}

std::map<std::string, torch::Tensor> nextDiTCheckpointTensors(const NextDiTImpl& m) {
  const NextDiTLayout original{NextDiTNaming::Original, ""};
  std::map<std::string, torch::Tensor> out;
  for (const auto& kv : m.named_parameters(/*recurse=*/true)) {
    const torch::Tensor p = kv.value().detach();
    const auto pieces = sourcesOf(kv.key(), p.sizes(), m.config(), original);
    if (pieces.size() == 1) {
      out[pieces[0].name] = p;
      continue;
    }
    int64_t row = 0;
    for (const auto& piece : pieces) {
      out[piece.name] = p.narrow(0, row, piece.shape.at(0));
      row += piece.shape.at(0);
    }
  }
  return out;
}

NextDiT loadNextDiT(const io::TensorStore& store, const nlohmann::json* config, torch::Device device,
                    torch::ScalarType dtype) {
  NextDiTConfig cfg = config ? NextDiTConfig::fromJson(*config) : NextDiTConfig::fromWeights(store);
  NextDiT m(cfg);
  m->loadWeights(store, device, dtype);
  return m;
}

}  // namespace newbie::models
