#pragma once
// Fused GroupNorm (+ optional SiLU) for CUDA tensors (kernel: group_norm.cu). Models include
// this only under `#if NEWBIE_HAVE_CUDA_KERNELS`.
//
// Semantics: torch.nn.functional.group_norm(x, groups, weight, bias, eps), then silu if asked,
// computed in float32 (statistics combined in float64, biased variance) with ONE rounding to
// x's dtype — so it is at least as accurate as at::group_norm followed by at::silu.
//
// x: [N, C, *] float32 / float16 / bfloat16 on a CUDA device, either contiguous (NCHW) or, for
// 4-D x, channels-last (NHWC); any other strides are copied to contiguous first. The result has
// x's shape, dtype and memory format (channels-last in, channels-last out).
// weight / bias: [C] of any of those float dtypes (read as float32), or undefined (1 / 0).
// Not differentiable: throws if autograd would need a graph (grad mode on and an input
// requires grad). Runs on the current CUDA stream; thread-safe like any ATen op.

#include <ATen/ATen.h>

namespace newbie::cuda {

/// y = [silu](group_norm(x)); a new tensor in x's memory format.
at::Tensor groupNorm(const at::Tensor& x, int64_t groups, const at::Tensor& weight, const at::Tensor& bias,
                     double eps, bool silu = false);

/// The same, written over x (x must not be needed afterwards and must not overlap other live
/// tensors that are read later). Returns x.
at::Tensor& groupNorm_(at::Tensor& x, int64_t groups, const at::Tensor& weight, const at::Tensor& bias, double eps,
                       bool silu = false);

}  // namespace newbie::cuda
