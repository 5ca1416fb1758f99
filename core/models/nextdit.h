#pragma once
// Next-DiT, NewBie variant of Lumina-2 NextDiT_CLIP (MODEL-SPEC §2): the denoiser of NewBie-image.
//
// Units and conventions:
//  - x: latent [B, 16, H/8, W/8] in MODEL space (FLUX VAE latent after (z - 0.1159)·0.3611); H/8, W/8 even.
//  - t: [B] model time in [0, 1], 0 = pure noise, 1 = clean data (t = 1 - σ). NOT multiplied by 1000.
//  - cap_feats: [B, L, cap_feat_dim] Gemma hidden states, right-padded; per-sample valid lengths given
//    as host integers (captionLengths() converts a mask).
//  - pooled: [B, clip_text_dim] Jina pooled text embedding.
//  - output: v = x_data - noise ([B, 16, H/8, W/8], x's dtype). ComfyUI / PR12803 use -v.
//
// Weights: original NextDiT_CLIP naming (§2.6, optional "model.diffusion_model."-style prefix, the unused
// `norm_final` ignored) or diffusers Lumina2Transformer2DModel naming (§2.7, to_q/to_k/to_v fused at load).
// Internal layout choices (documented, invisible to callers): qkv stays one fused Linear; w1 and w3 are
// concatenated into one `feed_forward.w13` GEMM; all adaLN Linears of the modulated blocks and of the
// final layer are evaluated as ONE GEMM per forward (their weights are views into one stacked tensor).
//
// Thread-safety: after loading, forward() may be called concurrently (it only reads the weights; the
// RoPE cache is locked). Loading/initialising must not overlap with forwards.
// Call forward() under c10::InferenceMode (or NoGradGuard); parameters never require grad.

#include <cstdint>
#include <memory>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <torch/torch.h>

#include "io/safetensors.h"
#include "models/nextdit_block.h"
#include "models/rope.h"

namespace newbie::models {

struct NextDiTConfig {
  int64_t patchSize = 2;
  int64_t inChannels = 16;  ///< = out channels
  int64_t dim = 2304;
  int64_t nLayers = 36;
  int64_t nRefinerLayers = 2;  ///< noise_refiner and context_refiner each
  int64_t nHeads = 24;
  int64_t nKvHeads = 8;
  int64_t ffnHidden = 9216;  ///< resolved SwiGLU width (see ffnHiddenFor)
  int64_t multipleOf = 256;  ///< informative once ffnHidden is resolved
  std::optional<double> ffnDimMultiplier;
  int64_t adalnDim = 1024;  ///< min(dim, 1024) in every published model
  int64_t timeFreqDim = 256;
  int64_t capFeatDim = 2560;
  int64_t clipTextDim = 1024;  ///< 0 = no pooled fusion (stock Lumina-2: adaln = t_emb)
  double normEps = 1e-5;       ///< block RMSNorms and cap_embedder norm
  double qkNormEps = 1e-5;     ///< q_norm / k_norm / clip_text_pooled_proj.0 (MODEL-SPEC §9.5)
  bool qkNorm = true;
  double ropeTheta = 10000.0;
  std::vector<int64_t> axesDims{32, 32, 32};
  std::vector<int64_t> axesLens{1024, 512, 512};  ///< bounds of the reference tables (informative)

  int64_t headDim() const { return dim / nHeads; }
  int64_t patchFeatures() const { return patchSize * patchSize * inChannels; }
  /// int(4·dim), times ffn_dim_multiplier if set, rounded up to a multiple of multiple_of.
  static int64_t ffnHiddenFor(int64_t dim, int64_t multipleOf, std::optional<double> multiplier);

  /// The real NewBie-image-Exp0.1 transformer (MODEL-SPEC §2.1).
  static NextDiTConfig newbieFull();
  /// From transformer/config.json: NewBie/LT style (`dim`, `n_layers`, `axes_dims`, ...) or diffusers
  /// Lumina2Transformer2DModel style (`hidden_size`, `num_layers`, `axes_dim_rope`, ...). Missing keys take
  /// the newbieFull() values. `source` names the file in error messages.
  static NextDiTConfig fromJson(const nlohmann::json& j, const std::string& source = "config.json");
  /// Detected from weight shapes (either naming). axes_dims are not stored in the weights: they are
  /// [hd-2a, a, a] with a = hd/3 rounded up to even ([32,32,32] for hd 96); theta, eps and axes_lens take
  /// the defaults. Prefer config.json where one exists.
  static NextDiTConfig fromWeights(const io::TensorStore& store);

  /// Throws std::invalid_argument naming the inconsistent field.
  void validate() const;
  /// Same network shapes and numerics (ignores the informative fields multipleOf / ffnDimMultiplier / axesLens).
  bool sameArchitecture(const NextDiTConfig& o) const;
  std::string describe() const;
};

enum class NextDiTNaming { Original, Diffusers };
struct NextDiTLayout {
  NextDiTNaming naming = NextDiTNaming::Original;
  std::string prefix;  ///< e.g. "model.diffusion_model." or ""
};
/// Detects the key naming and prefix; throws std::runtime_error (listing a few keys) if neither matches.
NextDiTLayout detectNextDiTLayout(const io::TensorStore& store);

/// Intermediates of one forward, in the padded batch layout of the reference (NB): caption rows first,
/// Lmax = max caption length, N = image tokens. Rows beyond a sample's valid length are unspecified
/// (zero / garbage), except positionIds (0) and freqsCis ((1, 0)) which follow NB.
struct ForwardTrace {
  torch::Tensor tEmb, clipEmb, adaln;           ///< [B, adalnDim], [B, clipTextDim], [B, adalnDim]
  torch::Tensor capEmbedded;                    ///< [B, Lmax, D]
  torch::Tensor imgEmbedded;                    ///< [B, N, D]
  torch::Tensor afterContextRefiner;            ///< [B, Lmax, D]
  torch::Tensor afterNoiseRefiner;              ///< [B, N, D]
  std::vector<torch::Tensor> afterLayer;        ///< nLayers x [B, Lmax+N, D]
  torch::Tensor finalLayerTokens;               ///< [B, Lmax+N, p*p*C] (final layer output, before unpatchify)
  torch::Tensor positionIds;                    ///< [B, Lmax+N, 3] int32 (CPU)
  torch::Tensor freqsCis;                       ///< [B, Lmax+N, hd/2, 2] float32 (cos, sin) (CPU)
};

/// How samples with different caption lengths are run.
enum class CaptionBatching {
  SplitByLength,  ///< default: one mask-free pass per distinct length (equal lengths share one pass)
  PaddedMask,     ///< one pass over the padded batch with a key-padding mask (the NB way)
};

/// Valid lengths of a right-padded mask [B, L] (1 = valid). Reads the mask on the host (a sync when it
/// lives on a GPU). Throws std::invalid_argument if a row is not of the form 1…1 0…0 or is empty.
std::vector<int64_t> captionLengths(const torch::Tensor& mask);

class NextDiTImpl : public torch::nn::Module {
 public:
  /// Builds the module tree with allocation-free placeholder parameters; call loadWeights() or initRandom().
  explicit NextDiTImpl(const NextDiTConfig& cfg);

  const NextDiTConfig& config() const { return cfg_; }
  torch::Device device() const { return device_; }
  torch::ScalarType dtype() const { return dtype_; }
  /// Number of parameters of the module (norm_final, unused and never created, excluded: add `dim`).
  int64_t parameterCount() const;

  /// Loads every expected tensor (converted to dtype, moved to device). Throws std::runtime_error naming the
  /// tensor, the file, the expected and the found shape when a tensor is missing or mis-shaped. Tensors
  /// the model does not use are logged (spdlog) and ignored. On CPU with matching dtype the weights stay
  /// zero-copy views of the mapped file.
  void loadWeights(const io::TensorStore& store, torch::Device device, torch::ScalarType dtype);
  /// Deterministic pseudo-random weights from `seed` (identical on every device; for tests and benchmarks):
  /// Linear weights U(±√3/√in) (unit-variance activations), biases U(±0.02·√3), norm weights 1+U(±0.1·√3).
  void initRandom(uint64_t seed, torch::Device device, torch::ScalarType dtype);
  /// FP8 precision: quantises the block linears (attention.qkv / attention.out / feed_forward.w13 /
  /// feed_forward.w2 of context_refiner, noise_refiner and layers) to e4m3 with per-output-row float32
  /// scales (models/fp8_linear.h) and frees their weights: the parameters become one-element placeholders
  /// expanded to the same shape (parameterCount() is unchanged). Embedders, adaLN and the final layer stay
  /// in dtype(). Call after loading/initialising; loading again undoes it. The device policy (CUDA, compute
  /// capability >= 8.9) is the caller's (requireFp8Support); elsewhere the linears run fp8Linear's float32
  /// emulation. Throws std::runtime_error on LibTorch < 2.1 (no float8 dtypes).
  void quantizeLinearsFp8();
  /// Whether the block linears run in fp8 (quantizeLinearsFp8() ran since the last load).
  bool fp8Linears() const;

  /// The forward of §2.3 (see the file comment for units). capLens: B host integers in [1, L]; empty means
  /// every sample uses all L tokens. trace: optional intermediates (costs extra copies). Output in x's dtype.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& capFeats,
                        const std::vector<int64_t>& capLens, const torch::Tensor& pooled,
                        ForwardTrace* trace = nullptr, CaptionBatching batching = CaptionBatching::SplitByLength);

  // Checkpoint-named children (original naming).
  nextdit::Linear x_embedder{nullptr};
  nextdit::Linear t_mlp0{nullptr}, t_mlp2{nullptr};        ///< t_embedder.mlp.0 / .2
  nextdit::RMSNorm cap_norm{nullptr};                       ///< cap_embedder.0
  nextdit::Linear cap_linear{nullptr};                      ///< cap_embedder.1
  nextdit::RMSNorm clip_norm{nullptr};                      ///< clip_text_pooled_proj.0
  nextdit::Linear clip_linear{nullptr};                     ///< clip_text_pooled_proj.1
  nextdit::Linear time_text{nullptr};                       ///< time_text_embed.1
  std::vector<nextdit::JointBlock> contextRefiner, noiseRefiner, layers;
  nextdit::Linear final_linear{nullptr}, final_adaLN{nullptr};  ///< final_layer.linear / .adaLN_modulation.1

 private:
  struct Pass;
  struct Conditioning;
  void finishWeights();  // builds the fused adaLN / norm tables after the parameters changed
  Conditioning condition(const torch::Tensor& t, const torch::Tensor& pooled, ForwardTrace* trace) const;
  torch::Tensor runPass(const Pass& p, ForwardTrace* trace) const;

  NextDiTConfig cfg_;
  torch::Device device_{torch::kCPU};
  torch::ScalarType dtype_ = torch::kFloat32;
  std::shared_ptr<nextdit::RopeTables> rope_;
  torch::Tensor tFreqs_;      // [timeFreqDim/2] float32
  torch::Tensor adaW_, adaB_; // stacked adaLN of noise_refiner, layers, final layer: [(nb*4+1)*D, A]
  torch::Tensor normIn_, normOut_;  // [nb, 2, D]: (attention_norm1, ffn_norm1) / (attention_norm2, ffn_norm2)
};
TORCH_MODULE(NextDiT);

/// Opens the config (if given, else detects it from the weights), builds the model and loads the weights.
NextDiT loadNextDiT(const io::TensorStore& store, const nlohmann::json* config, torch::Device device,
                    torch::ScalarType dtype);

/// The inverse of loadWeights: the checkpoint tensors of `m` in the original naming (no prefix),
/// fused parameters split back into their stored pieces. Views of the parameters (same device
/// and dtype, nothing copied); for io::saveSafetensors. Call before any weight quantization.
std::map<std::string, torch::Tensor> nextDiTCheckpointTensors(const NextDiTImpl& m);

}  // namespace newbie::models
