#pragma once
// Raw launcher of the fused per-row float8 e4m3 activation quantiser (fp8_quant.cu). Pure CUDA: no
// LibTorch types. The torch-level API with all the checks is fp8_quant.h; call that instead.

#include <cstdint>

#include <cuda_runtime.h>

namespace newbie::cuda {

/// Element type of the quantiser's input: float, __nv_bfloat16 or __half.
enum class Fp8InType { F32, BF16, F16 };

/// For each of the `rows` rows of x (row stride = cols elements, device pointer, 16-byte aligned):
///   scale[r] = max(amax(|x[r,:]|), 1e-12f) / 448   (IEEE float32 division)
///   q[r, c]  = e4m3fn(clamp(x[r,c] / scale[r], -448, 448)), round to nearest even (float32 division).
/// q: rows*cols bytes (e4m3fn bit patterns), 16-byte aligned; scale: rows floats. cols % 16 == 0.
/// NaN inputs are ignored by the row maximum (their outputs are NaN). Asynchronous on `stream`;
/// returns the launch's error (cudaSuccess when nothing was launched because rows == 0).
cudaError_t launchQuantizeRowsFp8(Fp8InType t, const void* x, int64_t rows, int64_t cols, uint8_t* q, float* scale,
                                  cudaStream_t stream);

}  // namespace newbie::cuda
