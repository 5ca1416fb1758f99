#pragma once
// Float8 (e4m3fn) linear layers for the opt-in FP8 precision of the Next-DiT block linears.
//
// Scheme (both operands scaled per row, "row-wise" scaling):
//  - weight w [N, K] -> w8 [N, K] e4m3 and scale_w [1, N] float32 with scale_w[n] = max(amax(w[n,:]), 1e-12)/448,
//    w8[n,k] = e4m3(clamp(w[n,k] / scale_w[n], ±448)) (round to nearest even); done once at load.
//  - activation x [M, K] -> x8, scale_x [M, 1] the same way, per row (token), at every call.
//  - y = (x8 · w8ᵀ) · scale_x · scale_w (+ bias), accumulated in float32 on the tensor cores, out in bf16.
// On CUDA (LibTorch >= 2.5) the GEMM is at::_scaled_mm (row-wise scales, use_fast_accum); the activation
// quantisation is one fused kernel when NEWBIE_HAVE_CUDA_KERNELS, else plain LibTorch ops (same bits).
// Elsewhere (CPU, LibTorch 2.1-2.4) fp8Linear runs an exact float32 emulation of the same math (tests).
// LibTorch < 2.1 has no float8 dtypes: quantisation functions throw std::runtime_error saying so.
//
// Requirements: K (in features) and N (out features) multiples of 16 (cuBLASLt/CUTLASS fp8 layout rules).
// Thread-safety: all functions are pure (no shared state); Fp8Weight is immutable after creation.

#include <cstdint>
#include <string>
#include <utility>

#include <torch/torch.h>

namespace newbie::models {

/// Largest finite e4m3fn value.
constexpr double kE4m3Max = 448.0;
/// Lower bound of the per-row amax used for the scale (all-zero rows quantise to zeros, scale 1e-12/448).
constexpr double kFp8AmaxFloor = 1e-12;

/// A linear layer's weight in e4m3 with per-output-row float32 scales.
struct Fp8Weight {
  torch::Tensor w8;     ///< [N, K] float8_e4m3fn, row-major (its transpose is the column-major mat2 of _scaled_mm)
  torch::Tensor scale;  ///< [1, N] float32, contiguous: w[n,:] ≈ w8[n,:] · scale[0,n]
  int64_t outFeatures() const { return w8.defined() ? w8.size(0) : 0; }
  int64_t inFeatures() const { return w8.defined() ? w8.size(1) : 0; }
};

/// Rows quantised to e4m3 with their float32 scales.
struct Fp8Rows {
  torch::Tensor q;      ///< [M, K] float8_e4m3fn
  torch::Tensor scale;  ///< [M, 1] float32
};

/// Empty when FP8 linears can run on `device` with this LibTorch, else the reason, naming the
/// requirement and what was found (device, compute capability, LibTorch version).
std::string fp8Unsupported(const torch::Device& device);
/// Throws std::runtime_error with fp8Unsupported()'s text (prefixed by "fp8 precision: ") if non-empty.
void requireFp8Support(const torch::Device& device);

/// Plain-LibTorch row quantiser (any device, LibTorch >= 2.1). x: [M, K] floating point.
/// scale = max(amax_row, 1e-12) / 448 (IEEE division in float32), q = e4m3(clamp(x / scale, ±448)).
Fp8Rows quantizeRowsFp8Reference(const torch::Tensor& x);
/// The same result, by the fused CUDA kernel when x is on CUDA and the kernels are built
/// (bit-identical to the reference for finite inputs), else by quantizeRowsFp8Reference.
/// x: [M, K], K % 16 == 0 (throws std::invalid_argument otherwise).
Fp8Rows quantizeRowsFp8(const torch::Tensor& x);

/// Quantises a [N, K] weight (any float dtype/device; the result stays on that device).
/// Throws std::invalid_argument when K or N is not a multiple of 16 or w is not 2-D.
Fp8Weight quantizeWeightFp8(const torch::Tensor& w);

/// y = x·Wᵀ (+ bias) with W given as Fp8Weight. x: [..., K] (bf16 on CUDA; any float dtype in the
/// emulation); bias: [N] or undefined. Returns [..., N] in x's dtype (bf16 out of the CUDA GEMM).
torch::Tensor fp8Linear(const torch::Tensor& x, const Fp8Weight& w, const torch::Tensor& bias);

/// The weight as float32 again (w8 · scale), [N, K]; for tests and error measurements.
torch::Tensor dequantizeFp8(const Fp8Weight& w);

}  // namespace newbie::models
