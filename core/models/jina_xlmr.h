#pragma once
// Jina-CLIP-v2 text tower: the XLM-RoBERTa of jina-embeddings-v3 with rotary positions, used by
// NewBie for its pooled text vector (MODEL-SPEC §3.2, §1.3, §1.4).
//
//   h = emb_ln(word_embeddings[ids] + token_type_embeddings[0])      (no absolute positions)
//   per block (post-norm):  h = norm1(h + out_proj(MHA(h)));  h = norm2(h + fc2(gelu_erf(fc1(h))))
//   MHA: Wqkv -> [B, L, 3, heads, head_dim]; rotate-half RoPE (base 20000) on q, k over the
//        full head_dim, positions 0..L-1; scale head_dim^-0.5; key-padding mask.
//   pooled = mean of the last hidden state over valid tokens (BOS/EOS included).
//
// Weight naming accepted (prefix detected from `<prefix>embeddings.word_embeddings.*`):
//   ComfyUI `model.` (LoRA already merged), HF jina-clip-v2 `text_model.transformer.roberta.`
//   with LoRA parametrizations (`<m>.parametrizations.weight.original`, `.0.lora_A`, `.0.lora_B`;
//   the adapter of the configured task, retrieval.query = index 0, is merged at load time in
//   fp32: Linear W = orig + (B[t] @ A[t]) * alpha/rank, Embedding W = orig + (A[t] @ B[t]) *
//   alpha/rank), plain HF `roberta.` / `text_model.transformer.roberta.` with `.weight`, or no
//   prefix. vision_model.*, logit_scale, spiece_model and pooler weights are ignored.
//
// Precision: fp32 / bf16 / fp16 on any device. Thread-safety: forward() only reads parameters.
// Use under c10::InferenceMode.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <torch/torch.h>

#include "io/safetensors.h"
#include "models/common_layers.h"

namespace newbie::models {

struct JinaXlmrConfig {
  // Defaults = jina-clip-v2's text tower (jina-embeddings-v3 / ComfyUI XLMRobertaConfig).
  int64_t vocabSize = 250002;
  int64_t typeVocabSize = 1;
  int64_t hiddenSize = 1024;
  int64_t numLayers = 24;
  int64_t numHeads = 16;
  int64_t intermediateSize = 4096;
  double rotaryBase = 20000.0;
  double layerNormEps = 1e-5;
  int64_t padTokenId = 1;
  // LoRA merge (HF checkpoints only): scale = loraAlpha / loraRank; adapter index loraTask.
  double loraAlpha = 4.0;
  int64_t loraRank = 4;  ///< 0 = take the rank from the tensors
  int64_t loraTask = 0;  ///< index of `retrieval.query` in lora_adaptations

  static JinaXlmrConfig jinaClipV2() { return {}; }
  /// Reads any of: the HF jina-clip-v2 config.json (`text_config.hf_model_config_kwargs`; the
  /// architecture keys there, or in a `_tiny_golden_architecture…` object, or the defaults:
  /// the real file inherits jina-embeddings-v3), a jina-embeddings-v3 / XLM-R config.json, a
  /// flat ComfyUI-style dict, or an object holding `comfy_XLMRobertaConfig`. lora_alpha /
  /// lora_rank / lora_adaptations / default_lora_task are read where present.
  /// Throws ModelLoadError naming `label` and the bad key.
  static JinaXlmrConfig fromJson(const nlohmann::json& j, const std::string& label = "config.json");
  /// Architecture from shapes. The head count is not visible: defaults.numHeads when the hidden
  /// size equals defaults', else hidden/64 (jina's head_dim). LoRA rank from the tensors.
  static JinaXlmrConfig fromShapes(const io::TensorStore& store, const JinaXlmrConfig& defaults = jinaClipV2());

  int64_t headDim() const { return hiddenSize / numHeads; }
  int64_t parameterCount() const;  ///< of the built tower, without building it
  void validate(const std::string& label) const;
};

/// Detects the key prefix (see file comment). Throws ModelLoadError when none fits.
std::string detectJinaPrefix(const io::TensorStore& store);

class JinaEmbeddingsImpl : public torch::nn::Module {
 public:
  JinaEmbeddingsImpl(const JinaXlmrConfig& c, const WeightFn& fn, const std::string& prefix);
  torch::Tensor forward(const torch::Tensor& ids);  ///< [B, L] -> word + token_type[0], [B, L, D]
  FrozenEmbedding word_embeddings{nullptr}, token_type_embeddings{nullptr};
};
TORCH_MODULE(JinaEmbeddings);

class JinaMHAImpl : public torch::nn::Module {
 public:
  JinaMHAImpl(const JinaXlmrConfig& c, const WeightFn& fn, const std::string& prefix);
  /// x: [B, L, D]; cos/sin [1, L, 1, hd] in x's dtype; allowed bool [B, 1, 1, L] or undefined.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const torch::Tensor& allowed);
  FrozenLinear Wqkv{nullptr}, out_proj{nullptr};
  int64_t heads, headDim;
};
TORCH_MODULE(JinaMHA);

class JinaMLPImpl : public torch::nn::Module {
 public:
  JinaMLPImpl(const JinaXlmrConfig& c, const WeightFn& fn, const std::string& prefix);
  torch::Tensor forward(const torch::Tensor& x);  ///< fc2(gelu_erf(fc1(x)))
  FrozenLinear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(JinaMLP);

class JinaBlockImpl : public torch::nn::Module {
 public:
  JinaBlockImpl(const JinaXlmrConfig& c, const WeightFn& fn, const std::string& prefix);
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& cos, const torch::Tensor& sin,
                        const torch::Tensor& allowed);
  JinaMHA mixer{nullptr};
  JinaMLP mlp{nullptr};
  FrozenLayerNorm norm1{nullptr}, norm2{nullptr};
};
TORCH_MODULE(JinaBlock);

/// Container so that the parameter names read `encoder.layers.N.…`.
class JinaEncoderImpl : public torch::nn::Module {
 public:
  JinaEncoderImpl() { layers = register_module("layers", torch::nn::ModuleList()); }
  torch::nn::ModuleList layers{nullptr};
};
TORCH_MODULE(JinaEncoder);

struct JinaOutput {
  torch::Tensor lastHidden;  ///< [B, L, D], compute dtype (padded rows unspecified)
  torch::Tensor pooled;      ///< [B, D], compute dtype
};

/// The tower. named_parameters() == ComfyUI keys without `model.`
/// (`embeddings.word_embeddings.weight`, `encoder.layers.N.mixer.Wqkv.weight`, ...).
class JinaTextTowerImpl : public torch::nn::Module {
 public:
  JinaTextTowerImpl(const JinaXlmrConfig& c, const WeightFn& fn);

  /// ids: [B, L] integer (any device). mask: optional [B, L] (1 = valid); when absent it is
  /// rebuilt as ids != pad_token_id, as jina's get_text_features does. Returns pooled [B, D].
  /// Throws std::invalid_argument for ids outside [0, vocab), bad shapes or a row without
  /// valid tokens.
  torch::Tensor forward(const torch::Tensor& ids, const std::optional<torch::Tensor>& mask = std::nullopt);
  /// Same, also returning the last hidden state.
  JinaOutput encode(const torch::Tensor& ids, const std::optional<torch::Tensor>& mask = std::nullopt);

  const JinaXlmrConfig& config() const { return cfg_; }
  int64_t parameterCount() const { return countParameters(*this); }
  torch::Device device() const { return embeddings->word_embeddings->weight.device(); }
  torch::ScalarType dtype() const { return embeddings->word_embeddings->weight.scalar_type(); }

  JinaEmbeddings embeddings{nullptr};
  FrozenLayerNorm emb_ln{nullptr};
  JinaEncoder encoder{nullptr};

 private:
  JinaXlmrConfig cfg_;
  std::vector<JinaBlock> blocks_;
};
TORCH_MODULE(JinaTextTower);

/// Loads the tower from `store` (any accepted naming; LoRA merged when present). `config` may
/// be a parsed config.json (see JinaXlmrConfig::fromJson) or nullptr (shapes + defaults).
/// Every tensor is checked; errors name the tensor, expected vs found shape and the file.
/// `resolved` (optional) receives the config used.
JinaTextTower loadJinaTextTower(const io::TensorStore& store, const nlohmann::json* config, torch::Device device,
                                torch::ScalarType dtype, JinaXlmrConfig* resolved = nullptr);
JinaTextTower loadJinaTextTower(const io::TensorStore& store, const JinaXlmrConfig& config, torch::Device device,
                                torch::ScalarType dtype);

/// Deterministic random weights, no file (benchmarks): jinaRandomTextTower(JinaXlmrConfig::jinaClipV2(),
/// ...) builds the real 24-layer tower (558,314,496 parameters).
JinaTextTower jinaRandomTextTower(const JinaXlmrConfig& config, torch::Device device, torch::ScalarType dtype,
                                  uint64_t seed = 0);

}  // namespace newbie::models
