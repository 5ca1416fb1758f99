#pragma once
// Torch-level API of the fused float8 e4m3 row quantiser (CUDA, NEWBIE_ENABLE_CUDA_KERNELS).
// Include only under `#if NEWBIE_HAVE_CUDA_KERNELS`; models/fp8_linear.h's quantizeRowsFp8() picks it.

#include <utility>

#include <torch/torch.h>

namespace newbie::cuda {

/// x: [M, K] CUDA tensor, float32/bfloat16/float16, K % 16 == 0 (any strides: made contiguous).
/// Returns {q [M, K] float8_e4m3fn, scale [M, 1] float32} with scale = max(amax_row, 1e-12)/448 and
/// q = e4m3(clamp(x/scale, ±448)): the bits of models::quantizeRowsFp8Reference for finite inputs.
/// Runs on the current stream, no host synchronisation. Throws std::invalid_argument for bad inputs,
/// std::runtime_error for launch errors or a LibTorch without float8 dtypes (< 2.1).
std::pair<torch::Tensor, torch::Tensor> quantizeRowsFp8(const torch::Tensor& x);

}  // namespace newbie::cuda
