#pragma once
// Small pieces shared by the text encoders (Gemma-3, Jina XLM-R): frozen Linear / Embedding /
// norm modules whose parameters are supplied by a WeightFn at construction (so loading is
// one by-name fetch per tensor, never a random init followed by a copy), rotate-half RoPE
// tables, and masked multi-head attention with an exact matmul/softmax fallback.
//
// Conventions: activations are [B, L, D]; attention tensors are [B, H, L, head_dim].
// All functions are device/dtype agnostic (they run in the dtype of their inputs, with the
// fp32 islands documented per function). Nothing here keeps state between calls; every
// function is thread-safe.

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "io/safetensors.h"
#include "io/upload.h"

namespace newbie::models {

/// A weight file / config that does not fit the network: missing tensor, wrong shape,
/// bad config value. The message names the file, the tensor and the expected vs found value.
class ModelLoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Supplies the tensor for parameter `name` (module-relative name such as
/// `layers.3.self_attn.q_proj.weight`), with exactly `shape`, already on the target
/// device and dtype. Implementations throw ModelLoadError when they cannot.
using WeightFn = std::function<torch::Tensor(const std::string& name, const std::vector<int64_t>& shape)>;

using io::shapeString;  // "[a, b, c]" for messages

/// WeightFn reading `prefix + name` from `store`, checking presence and shape and moving it
/// to `device` / `dtype` through one io::Uploader shared by the WeightFn's copies (CPU + same
/// dtype stays a zero-copy view of the mapping; CUDA goes through pinned staging).
/// `what` ("Gemma3", "Jina") starts every error message.
WeightFn storeWeightFn(const io::TensorStore& store, std::string prefix, torch::Device device,
                       torch::ScalarType dtype, std::string what);
/// Same, with the caller's uploader (target device = uploader->device()).
WeightFn storeWeightFn(const io::TensorStore& store, std::string prefix, std::shared_ptr<io::Uploader> uploader,
                       torch::ScalarType dtype, std::string what);

/// Throws ModelLoadError when `store` has no `key` or its shape differs from `expected`.
/// Returns the stored (unconverted) tensor.
torch::Tensor checkedTensor(const io::TensorStore& store, const std::string& key, c10::IntArrayRef expected,
                            const std::string& what);

/// File names of a store, for "missing from ..." messages.
std::string storeDescription(const io::TensorStore& store);

/// How RandomInit fills one parameter: uniform in [center - halfWidth, center + halfWidth].
struct RandomInitRule {
  double center = 0.0;
  double halfWidth = 0.02;
};

/// Deterministic pseudo-random tensor (no global RNG state; same values on every device
/// up to float rounding of the generator): a hash of (seed, name) and the flat index feeds a
/// sin-based generator computed in float64 on `device`, in chunks of <= 16M elements, then
/// cast to `dtype`.
torch::Tensor deterministicUniform(const std::vector<int64_t>& shape, uint64_t seed, const std::string& name,
                                   const RandomInitRule& rule, torch::Device device, torch::ScalarType dtype);

/// WeightFn producing deterministicUniform tensors; `rule(name, shape)` picks the range.
WeightFn randomWeightFn(uint64_t seed, torch::Device device, torch::ScalarType dtype,
                        std::function<RandomInitRule(const std::string&, const std::vector<int64_t>&)> rule);

/// Frozen Linear: `weight` [out, in] and optional `bias` [out]; y = x W^T + b.
class FrozenLinearImpl : public torch::nn::Module {
 public:
  FrozenLinearImpl(const WeightFn& fn, const std::string& prefix, int64_t in, int64_t out, bool bias);
  torch::Tensor forward(const torch::Tensor& x);  ///< x: [..., in] -> [..., out]
  torch::Tensor weight, bias;                     ///< bias undefined when absent
};
TORCH_MODULE(FrozenLinear);

/// Frozen Embedding table `weight` [num, dim].
class FrozenEmbeddingImpl : public torch::nn::Module {
 public:
  FrozenEmbeddingImpl(const WeightFn& fn, const std::string& prefix, int64_t num, int64_t dim);
  torch::Tensor forward(const torch::Tensor& ids);  ///< ids: [...] int64 -> [..., dim]
  torch::Tensor weight;
};
TORCH_MODULE(FrozenEmbedding);

/// LayerNorm with `weight` and `bias` [dim] (torch layer_norm; fp32 accumulation inside).
class FrozenLayerNormImpl : public torch::nn::Module {
 public:
  FrozenLayerNormImpl(const WeightFn& fn, const std::string& prefix, int64_t dim, double eps);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight, bias;
  double eps;
};
TORCH_MODULE(FrozenLayerNorm);

/// Rotate-half RoPE tables for positions 0..len-1, float32, each [len, dim]:
/// inv_freq = 1 / theta^(arange(0, dim, 2) / dim) / linearFactor (computed in fp32 like
/// transformers / ComfyUI), freqs = pos * inv_freq, emb = cat(freqs, freqs).
std::pair<torch::Tensor, torch::Tensor> ropeTables(int64_t len, int64_t dim, double theta, double linearFactor,
                                                   torch::Device device);

/// cat(-x2, x1) over the last dim (x1, x2 = halves).
torch::Tensor rotateHalf(const torch::Tensor& x);

/// x * cos + rotateHalf(x) * sin; cos/sin must broadcast to x and have x's dtype.
torch::Tensor applyRope(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);

/// Multi-head attention core.
///   q: [B, H, Lq, D], k/v: [B, Hkv, Lk, D] with H % Hkv == 0 (GQA: query head h uses kv head
///   h / (H/Hkv)); `allowed`: bool, broadcastable to [B, H, Lq, Lk] (true = may attend), or an
///   undefined tensor for full attention; `scale` multiplies q·k.
/// Returns [B, H, Lq, D] in q's dtype.
/// Exact path: scores = (q k^T) * scale in q's dtype, masked and softmaxed in fp32 (masked
/// entries get the lowest finite float, so a fully masked row yields a uniform average
/// instead of NaN), cast back, times v. With LibTorch >= 2.1 and `useSdpa`, CUDA tensors use
/// at::scaled_dot_product_attention instead (fully masked rows then give NaN: callers never
/// produce them for valid inputs).
torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                        const torch::Tensor& allowed, double scale, bool useSdpa = true);

/// Sum of numel() over a module's parameters.
int64_t countParameters(const torch::nn::Module& m);

}  // namespace newbie::models
