#pragma once
// Building blocks of Next-DiT (MODEL-SPEC §2.4): weight-only Linear / RMSNorm modules, the GQA
// attention with qk-norm and 3-axis RoPE, the SwiGLU feed-forward, and the joint transformer block
// with sandwich norms. Parameters are registered under the checkpoint's own key names
// (`attention.qkv.weight`, `attention_norm1.weight`, `adaLN_modulation.1.weight`, ...) except the
// fused SwiGLU input `feed_forward.w13.weight` = cat(w1, w3) along the rows (one GEMM instead of two).
//
// Parameters start as allocation-free placeholders of the right shape (a one-element tensor expanded
// to the shape); the owner (NextDiTImpl) replaces their data when loading or initialising.
// All modules are inference-only (parameters do not require grad). Not thread-safe to mutate;
// concurrent forwards on the same weights are fine.

#include <cstdint>
#include <memory>

#include <torch/torch.h>

#include "models/fp8_linear.h"

namespace newbie::models::nextdit {

/// An allocation-free tensor reporting `shape` (one float expanded with zero strides).
torch::Tensor placeholder(torch::IntArrayRef shape);

/// Optional fast paths of the block on CUDA (process-wide; set before running, not during a forward).
/// Each one computes the same function as the plain LibTorch path (see docs/PERFORMANCE.md for the
/// measured differences); the switches exist for benchmarking and for ruling a path out.
struct FastPaths {
  /// Fused element-wise kernels (core/cuda/dit_fused.h) when built with NEWBIE_ENABLE_CUDA_KERNELS.
  /// The environment variable NEWBIE_FUSED_KERNELS=0 turns them off at start-up.
  bool fusedKernels = true;
  /// Force unmasked bf16/fp16 attention onto the cuDNN SDPA backend (LibTorch >= 2.5), falling back
  /// to the default SDPA choice when cuDNN refuses the shapes. Off by default: with LibTorch 2.11 on
  /// the H100 the default choice is as fast for the DiT's shapes (0.397 vs 0.401 ms per main-layer
  /// attention, docs/PERFORMANCE.md). NEWBIE_CUDNN_ATTENTION=1 turns it on at start-up.
  bool cudnnAttention = false;
};
FastPaths fastPaths();
void setFastPaths(const FastPaths& f);
/// Whether the fused kernels were compiled in (NEWBIE_HAVE_CUDA_KERNELS).
bool fusedKernelsBuilt();

/// RMS normalisation over the last dim, computed in float32: returns (x·rsqrt(mean(x²)+eps)) cast back
/// to x's dtype. Multiply by a weight afterwards (the spec's order: cast back, then weight).
torch::Tensor rmsNormalize(const torch::Tensor& x, double eps);
/// rmsNormalize(x, eps) * scale; `scale` (x's dtype) is the weight [D] or a per-sample fused weight
/// [B,1,D] (weight·(1+modulation scale)).
torch::Tensor rmsNorm(const torch::Tensor& x, const torch::Tensor& scale, double eps);

/// Attention core. q: [B,S,H,hd], k/v: [B,S,Hkv,hd] (last dim contiguous, any other strides);
/// query head h uses kv head h / (H/Hkv) (repeat_interleave semantics). keyMask: undefined (no mask)
/// or bool [B,1,1,S] (true = valid key). Returns [B,S,H*hd] in q's dtype.
/// LibTorch >= 2: at::scaled_dot_product_attention (enable_gqa where available and no mask);
/// LibTorch 1.13: exact matmul + float32 softmax without repeating K/V.
torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                        const torch::Tensor& keyMask);

class LinearImpl : public torch::nn::Module {
 public:
  LinearImpl(int64_t in, int64_t out, bool bias);
  torch::Tensor forward(const torch::Tensor& x) const {
    return fp8 ? fp8Linear(x, *fp8, bias) : torch::linear(x, weight, bias);
  }
  torch::Tensor weight;  ///< [out, in] (a placeholder of that shape once quantised to fp8)
  torch::Tensor bias;    ///< [out], undefined when absent
  /// When set (FP8 precision, NextDiTImpl::quantizeLinearsFp8), forward runs the e4m3 GEMM with it.
  std::shared_ptr<const Fp8Weight> fp8;
};
TORCH_MODULE(Linear);

class RMSNormImpl : public torch::nn::Module {
 public:
  RMSNormImpl(int64_t dim, double eps);
  torch::Tensor forward(const torch::Tensor& x) const { return rmsNorm(x, weight, eps); }
  torch::Tensor weight;  ///< [dim]
  double eps;
};
TORCH_MODULE(RMSNorm);

struct BlockDims {
  int64_t dim = 0, nHeads = 0, nKvHeads = 0, headDim = 0, ffnHidden = 0, adalnDim = 0;
  double normEps = 1e-5, qkNormEps = 1e-5;
  bool qkNorm = true;
};

class AttentionImpl : public torch::nn::Module {
 public:
  explicit AttentionImpl(const BlockDims& d);
  /// h: [B,S,D]; cis: complex64 broadcastable to [B,S,1,hd/2]; keyMask as in attention(). -> [B,S,D]
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& cis, const torch::Tensor& keyMask) const;
  /// Rebuilds the [H+Hkv, hd] q/k-norm weight table; call after the weights change.
  void prepare();

  Linear qkv{nullptr}, out{nullptr};
  RMSNorm q_norm{nullptr}, k_norm{nullptr};

 private:
  BlockDims d_;
  torch::Tensor qkNormWeight_;  // [H+Hkv, hd] (weight dtype): q_norm for the query heads, k_norm for the kv heads
};
TORCH_MODULE(Attention);

class FeedForwardImpl : public torch::nn::Module {
 public:
  explicit FeedForwardImpl(const BlockDims& d);
  /// w2(silu(w1 x) * w3 x); x: [B,S,D] -> [B,S,D]
  torch::Tensor forward(const torch::Tensor& x) const;
  Linear w13{nullptr}, w2{nullptr};
  int64_t hidden;
};
TORCH_MODULE(FeedForward);

/// Per-block conditioning: multiply factors for the four sandwich norms, each broadcastable to [B,S,D]
/// in the compute dtype. Modulated: attnIn = attention_norm1.w·(1+scale_msa), attnOut =
/// attention_norm2.w·tanh(gate_msa), ffnIn = ffn_norm1.w·(1+scale_mlp), ffnOut = ffn_norm2.w·tanh(gate_mlp).
/// Unmodulated (context refiner): the four norm weights.
struct BlockScales {
  torch::Tensor attnIn, attnOut, ffnIn, ffnOut;
};

class JointBlockImpl : public torch::nn::Module {
 public:
  JointBlockImpl(const BlockDims& d, bool modulated);
  /// x: [B,S,D] residual stream, updated in place. s: see BlockScales.
  void forward(torch::Tensor& x, const torch::Tensor& cis, const torch::Tensor& keyMask, const BlockScales& s) const;
  /// The unmodulated scales (the norm weights).
  BlockScales plainScales() const;

  bool modulated;
  Attention attention{nullptr};
  FeedForward feed_forward{nullptr};
  RMSNorm attention_norm1{nullptr}, attention_norm2{nullptr}, ffn_norm1{nullptr}, ffn_norm2{nullptr};
  Linear adaLN{nullptr};  ///< registered as adaLN_modulation.1 (modulated blocks only)
  double normEps;
};
TORCH_MODULE(JointBlock);

}  // namespace newbie::models::nextdit
