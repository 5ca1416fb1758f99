#pragma once
// Gemma-3 text decoder used as NewBie's primary text encoder (MODEL-SPEC §3.1, §9).
//
// Computes transformers' `hidden_states[-2]`: the output of decoder layer N-2 (out_32 of the
// 34-layer 4B model), before any final norm. Only layers 0..N-2 are built and loaded; layer
// N-1, the final norm and the LM head are never materialised.
//
// Math (per layer, weights in the compute dtype): Gemma RMSNorm `x*rsqrt(mean(x²)+eps)*(1+w)`
// in fp32 then cast back; sandwich norms (input / post_attention / pre_feedforward /
// post_feedforward); q/k RMSNorm per head before rotate-half RoPE; GQA; scores scaled by
// query_pre_attn_scalar^-0.5; causal mask, plus on sliding layers `0 <= i-j < sliding_window`;
// RoPE θ_global with linear position scaling on full-attention layers, θ_local unscaled on
// sliding layers; MLP down(gelu_tanh(gate(x)) * up(x)). Embedding rows are multiplied by
// sqrt(hidden) cast to the weight dtype (50.5 in bf16).
//
// Weight naming accepted (prefix detected from `<prefix>embed_tokens.weight`):
//   `language_model.model.` (HF save of Gemma3ForConditionalGeneration, google/gemma-3-4b-it),
//   `model.language_model.` (newer in-memory naming), `model.` (HF text-only Gemma3ForCausalLM
//   and ComfyUI single files), `language_model.`, or no prefix. Everything else in the file
//   (vision_tower.*, multi_modal_projector.*, lm_head.*, spiece_model, final norm) is ignored.
//
// Precision: fp32 / bf16 / fp16 weights on any device (fp16 may overflow in the real model's
// activations; bf16 or fp32 are recommended). Inputs may live on any device; they are moved.
// Thread-safety: forward() only reads parameters; concurrent forwards on one module are safe.
// Use under c10::InferenceMode (no autograd state is needed or created).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <torch/torch.h>

#include "io/safetensors.h"
#include "models/common_layers.h"

namespace newbie::models {

struct Gemma3Config {
  // Defaults = google/gemma-3-4b-it text_config (what the real config.json omits).
  int64_t vocabSize = 262208;
  int64_t hiddenSize = 2560;
  int64_t intermediateSize = 10240;
  int64_t numLayers = 34;  ///< of the full model; the encoder builds numLayers-1
  int64_t numHeads = 8;
  int64_t numKvHeads = 4;
  int64_t headDim = 256;
  double queryPreAttnScalar = 256;
  double rmsNormEps = 1e-6;
  int64_t slidingWindow = 1024;
  double ropeGlobalTheta = 1e6;
  double ropeGlobalLinearFactor = 8.0;  ///< positions / factor on full-attention layers
  double ropeLocalTheta = 1e4;
  double ropeLocalLinearFactor = 1.0;
  /// Per layer: true = full (global) attention. Empty = pattern rule (i+1) % 6 == 0.
  std::vector<bool> layerIsGlobal;

  /// The real 4B model (the defaults, with layer types filled in).
  static Gemma3Config gemma3_4b();
  /// Reads a Gemma3 config.json: the top-level object of Gemma3ForConditionalGeneration (uses its
  /// nested `text_config`) or a bare text config. Understands the legacy keys (`rope_theta`,
  /// `rope_scaling`, `rope_local_base_freq`, `sliding_window_pattern`) and the transformers-5
  /// keys (`layer_types`, `rope_parameters`). Missing keys keep the 4B defaults.
  /// Throws ModelLoadError naming `label` and the bad key.
  static Gemma3Config fromJson(const nlohmann::json& j, const std::string& label = "config.json");
  /// Architecture from tensor shapes (any accepted naming). Not visible in shapes and taken
  /// from `defaults`: eps, RoPE, sliding window, layer pattern; query_pre_attn_scalar = head_dim
  /// when the head_dim differs from defaults' (the 4B rule).
  static Gemma3Config fromShapes(const io::TensorStore& store, const Gemma3Config& defaults = gemma3_4b());

  bool isGlobal(int64_t layer) const;
  int64_t encoderLayers() const { return numLayers - 1; }  ///< layers built: 0..N-2
  /// Parameters of the encoder (embedding + numLayers-1 layers) without building it.
  int64_t encoderParameterCount() const;
  /// Throws ModelLoadError when values are inconsistent (heads, layer types size, ...).
  void validate(const std::string& label) const;
};

/// Detects the key prefix (see file comment). Throws ModelLoadError listing what was found.
std::string detectGemma3Prefix(const io::TensorStore& store);

class Gemma3RMSNormImpl : public torch::nn::Module {
 public:
  Gemma3RMSNormImpl(const WeightFn& fn, const std::string& prefix, int64_t dim, double eps);
  torch::Tensor forward(const torch::Tensor& x);  ///< over the last dim, fp32 inside
  torch::Tensor weight;
  double eps;
};
TORCH_MODULE(Gemma3RMSNorm);

class Gemma3AttentionImpl : public torch::nn::Module {
 public:
  Gemma3AttentionImpl(const Gemma3Config& c, const WeightFn& fn, const std::string& prefix);
  /// x: [B, L, D]; cos/sin: [L, head_dim] in x's dtype; allowed: bool [B, 1, L, L].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const torch::Tensor& allowed);
  FrozenLinear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};
  Gemma3RMSNorm q_norm{nullptr}, k_norm{nullptr};
  int64_t heads, kvHeads, headDim;
  double scale;
};
TORCH_MODULE(Gemma3Attention);

class Gemma3MLPImpl : public torch::nn::Module {
 public:
  Gemma3MLPImpl(const Gemma3Config& c, const WeightFn& fn, const std::string& prefix);
  torch::Tensor forward(const torch::Tensor& x);
  FrozenLinear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
};
TORCH_MODULE(Gemma3MLP);

class Gemma3DecoderLayerImpl : public torch::nn::Module {
 public:
  Gemma3DecoderLayerImpl(const Gemma3Config& c, const WeightFn& fn, const std::string& prefix);
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& cos, const torch::Tensor& sin,
                        const torch::Tensor& allowed);
  Gemma3RMSNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr}, pre_feedforward_layernorm{nullptr},
      post_feedforward_layernorm{nullptr};
  Gemma3Attention self_attn{nullptr};
  Gemma3MLP mlp{nullptr};
};
TORCH_MODULE(Gemma3DecoderLayer);

/// The encoder. named_parameters() == checkpoint keys without the prefix
/// (`embed_tokens.weight`, `layers.N.self_attn.q_proj.weight`, ...).
class Gemma3EncoderImpl : public torch::nn::Module {
 public:
  /// Builds numLayers-1 layers, fetching every tensor through `fn` (module-relative names).
  Gemma3EncoderImpl(const Gemma3Config& c, const WeightFn& fn);

  /// ids: [B, L] integer token ids (any device); mask: optional [B, L] (1/true = valid token,
  /// right padding expected; left padding works too but pads then still take RoPE positions).
  /// Returns hidden_states[-2]: [B, L, hidden] in the compute dtype on the model's device.
  /// Rows at padded positions are unspecified. Throws std::invalid_argument for ids outside
  /// [0, vocab) or a bad mask shape.
  torch::Tensor forward(const torch::Tensor& ids, const std::optional<torch::Tensor>& mask = std::nullopt);

  const Gemma3Config& config() const { return cfg_; }
  int64_t parameterCount() const { return countParameters(*this); }
  int64_t builtLayers() const { return static_cast<int64_t>(layers->size()); }
  torch::Device device() const { return embed_tokens->weight.device(); }
  torch::ScalarType dtype() const { return embed_tokens->weight.scalar_type(); }

  FrozenEmbedding embed_tokens{nullptr};
  torch::nn::ModuleList layers{nullptr};

 private:
  Gemma3Config cfg_;
  std::vector<Gemma3DecoderLayer> layerList_;
};
TORCH_MODULE(Gemma3Encoder);

/// Loads the encoder from `store` (any accepted naming). `config` may be the parsed config.json
/// (top-level or text_config) or nullptr (architecture from shapes, other values from the 4B
/// defaults). Every expected tensor is checked; a missing tensor or a shape that disagrees with
/// the config throws ModelLoadError naming the tensor, expected vs found shape and the file.
/// `resolved` (optional) receives the config used.
Gemma3Encoder loadGemma3Encoder(const io::TensorStore& store, const nlohmann::json* config, torch::Device device,
                                torch::ScalarType dtype, Gemma3Config* resolved = nullptr);
/// Same with an explicit config (e.g. fromShapes with overrides).
Gemma3Encoder loadGemma3Encoder(const io::TensorStore& store, const Gemma3Config& config, torch::Device device,
                                torch::ScalarType dtype);

/// Deterministic random weights, no file (benchmarks): `gemma3RandomEncoder(Gemma3Config::gemma3_4b(),
/// torch::kCUDA, torch::kBFloat16)` builds the real 33-layer stack (3,785,878,016 parameters). Linear
/// weights are uniform ±1/sqrt(fan_in), norms (1+w) around 1, embeddings ±0.03.
Gemma3Encoder gemma3RandomEncoder(const Gemma3Config& config, torch::Device device, torch::ScalarType dtype,
                                  uint64_t seed = 0);

}  // namespace newbie::models
