#pragma once
// Torch-level API of the fused Next-DiT element-wise kernels (CUDA, NEWBIE_ENABLE_CUDA_KERNELS).
// Include only under `#if NEWBIE_HAVE_CUDA_KERNELS`. Every function takes CUDA tensors of one dtype
// (float32, bfloat16 or float16) with contiguous rows and returns results in that dtype; each one
// reproduces a sequence of plain LibTorch ops of models/nextdit_block.cpp (named below) with the
// same rounding points, so it can replace them one for one. Bad arguments throw std::invalid_argument
// naming the argument, its shape and what was expected. Kernels run on the current CUDA stream and
// never synchronise the host (CUDA-graph capturable).

#include <torch/torch.h>

namespace newbie::cuda {

/// rmsNorm(x, scale, eps) = rmsNormalize(x, eps).mul_(scale).
/// x: [G, S, D] (or [R, D]: G = 1); scale: [D], or [G, 1, D] / [G, D] with unit last stride.
torch::Tensor rmsNormScale(const torch::Tensor& x, const torch::Tensor& scale, double eps);

/// x.addcmul_(rmsNormalize(a, eps), outScale) in place, then (when inScale is defined) returns
/// rmsNorm(x, inScale, eps) of the updated x (the next sub-block's input); else an undefined tensor.
/// x, a: [G, S, D] (x contiguous, updated in place); scales as in rmsNormScale.
torch::Tensor residualNorm(torch::Tensor& x, const torch::Tensor& a, const torch::Tensor& outScale,
                           const torch::Tensor& inScale, double eps);

/// The q/k half of the attention input: for the first `heads` heads (of headDim) of each row of
/// qkv [B, S, W] (W >= heads*headDim, unit last stride), per-head RMSNorm with `weight` [heads, headDim]
/// (skipped when undefined), then RoPE with `cis` (complex64, broadcastable to [B, S, 1, headDim/2],
/// batch dim 1 or B). Equals applyRope(rmsNormalize(qk).mul_(weight).float(), cis).to(dtype).
/// Returns [B, S, heads, headDim] contiguous.
torch::Tensor qkNormRope(const torch::Tensor& qkv, int64_t heads, int64_t headDim, const torch::Tensor& weight,
                         const torch::Tensor& cis, double eps);

/// silu(h[..., :F]).mul_(h[..., F:]) for h: [..., 2F] contiguous -> [..., F].
torch::Tensor swiGlu(const torch::Tensor& h);

}  // namespace newbie::cuda
