#pragma once
// Raw launchers of the fused Next-DiT element-wise kernels (dit_fused.cu). Pure CUDA: no LibTorch
// types, so the .cu file compiles without the LibTorch headers. The torch-level API with all the
// checks is dit_fused.h; call that instead.
//
// Element types: DType::F32 (float), BF16 (__nv_bfloat16), F16 (__half). Every kernel computes in
// float32 and rounds to the element type exactly where the plain LibTorch path rounds (see
// dit_fused.h), so bf16/fp16 results equal the plain path up to rare last-bit differences of the
// float32 reductions. All pointers are device pointers; rows are contiguous (stride = row length).
// Per-sample vectors (scales, RoPE tables) are addressed as base + (row / rowsPerSample) * sampleStride,
// so sampleStride 0 shares one vector across the batch.

#include <cstdint>

#include <cuda_runtime.h>

namespace newbie::cuda {

enum class DType { F32, BF16, F16 };

/// y[r,:] = round(round(x[r,:] * rsqrt(mean(x[r,:]^2) + eps)) * scale[b,:]).  x, y: [rows, dim].
void launchRmsNormScale(DType t, const void* x, void* y, const void* scale, int64_t scaleSampleStride,
                        int64_t rowsPerSample, int64_t rows, int64_t dim, float eps, cudaStream_t stream);

/// In place: x[r,:] = round(x + round(a * rstd(a)) * outScale[b,:]); then, when n != nullptr,
/// n[r,:] = round(round(x_new * rstd(x_new)) * inScale[b,:]).  x, a, n: [rows, dim].
void launchResidualNorm(DType t, void* x, const void* a, const void* outScale, int64_t outSampleStride,
                        void* n, const void* inScale, int64_t inSampleStride, int64_t rowsPerSample,
                        int64_t rows, int64_t dim, float eps, cudaStream_t stream);

/// Per (row, head) of the first `heads` heads of qkv[r, :] (heads of `headDim`, row stride qkvRowStride):
/// optional RMSNorm over the head (when weight != nullptr: u = round(round(x*rstd) * weight[h,:])),
/// then RoPE on adjacent pairs with cis[(b * cisSampleStride) + (r % rowsPerSample) * headDim/2 * 2 + ...]
/// (float (cos, sin) pairs), one rounding. out: [rows, heads, headDim].
void launchQkNormRope(DType t, const void* qkv, int64_t qkvRowStride, void* out, const void* weight,
                      const float* cis, int64_t cisSampleStride, int64_t rowsPerSample, int64_t rows, int heads,
                      int headDim, float eps, cudaStream_t stream);

/// out[r, j] = round(round(silu(h[r, j])) * h[r, hidden + j]).  h: [rows, 2*hidden], out: [rows, hidden].
void launchSwiGlu(DType t, const void* h, void* out, int64_t rows, int64_t hidden, cudaStream_t stream);

}  // namespace newbie::cuda
