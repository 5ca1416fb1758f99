// Fused per-row float8 e4m3 quantiser (see fp8_quant_launch.h). One block per row: pass 1 reads the row
// in 16-byte vectors and reduces |x| to the row maximum (warp shuffles, then one value per warp in
// shared memory); pass 2 re-reads the row (now in L1/L2), divides by the scale and writes the e4m3 bytes
// with the hardware conversion (round to nearest even, saturating; values are clamped to ±448 first,
// exactly like the plain LibTorch path).
#include "cuda/fp8_quant_launch.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>

#include "cuda/element.cuh"

namespace newbie::cuda {
namespace {

constexpr int kThreads = 256;
constexpr float kMax = 448.f;
constexpr float kAmaxFloor = 1e-12f;

template <int N>
struct alignas(N) Bytes {
  uint8_t b[N];
};

template <typename T>
__global__ void __launch_bounds__(kThreads) quantizeRowsFp8Kernel(const T* __restrict__ x, int64_t cols,
                                                                  uint8_t* __restrict__ q,
                                                                  float* __restrict__ scale) {
  constexpr int kVec = 16 / static_cast<int>(sizeof(T));  // elements per 16-byte load
  const int64_t row = blockIdx.x;
  const uint4* xr = reinterpret_cast<const uint4*>(x + row * cols);
  Bytes<kVec>* qr = reinterpret_cast<Bytes<kVec>*>(q + row * cols);
  const int64_t nvec = cols / kVec;

  float amax = 0.f;
  for (int64_t i = threadIdx.x; i < nvec; i += kThreads) {
    const uint4 raw = __ldg(xr + i);
    const T* v = reinterpret_cast<const T*>(&raw);
#pragma unroll
    for (int j = 0; j < kVec; ++j) amax = fmaxf(amax, fabsf(Num<T>::load(v[j])));
  }
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) amax = fmaxf(amax, __shfl_xor_sync(0xffffffffu, amax, o));
  __shared__ float warpMax[kThreads / 32];
  __shared__ float rowScale;
  if ((threadIdx.x & 31) == 0) warpMax[threadIdx.x >> 5] = amax;
  __syncthreads();
  if (threadIdx.x == 0) {
    float m = warpMax[0];
#pragma unroll
    for (int w = 1; w < kThreads / 32; ++w) m = fmaxf(m, warpMax[w]);
    const float s = __fdiv_rn(fmaxf(m, kAmaxFloor), kMax);
    rowScale = s;
    scale[row] = s;
  }
  __syncthreads();
  const float s = rowScale;

  for (int64_t i = threadIdx.x; i < nvec; i += kThreads) {
    const uint4 raw = __ldg(xr + i);
    const T* v = reinterpret_cast<const T*>(&raw);
    Bytes<kVec> out;
#pragma unroll
    for (int j = 0; j < kVec; ++j) {
      const float f = fminf(fmaxf(__fdiv_rn(Num<T>::load(v[j]), s), -kMax), kMax);
      out.b[j] = static_cast<uint8_t>(__nv_cvt_float_to_fp8(f, __NV_SATFINITE, __NV_E4M3));
    }
    qr[i] = out;
  }
}

template <typename T>
cudaError_t launch(const void* x, int64_t rows, int64_t cols, uint8_t* q, float* scale, cudaStream_t stream) {
  quantizeRowsFp8Kernel<T><<<static_cast<unsigned>(rows), kThreads, 0, stream>>>(static_cast<const T*>(x), cols, q,
                                                                                 scale);
  return cudaGetLastError();
}

}  // namespace

cudaError_t launchQuantizeRowsFp8(Fp8InType t, const void* x, int64_t rows, int64_t cols, uint8_t* q, float* scale,
                                  cudaStream_t stream) {
  if (rows <= 0 || cols <= 0) return cudaSuccess;
  if (cols % 16 != 0 || rows > 0x7fffffffLL) return cudaErrorInvalidValue;
  switch (t) {
    case Fp8InType::F32: return launch<float>(x, rows, cols, q, scale, stream);
    case Fp8InType::BF16: return launch<__nv_bfloat16>(x, rows, cols, q, scale, stream);
    case Fp8InType::F16: return launch<__half>(x, rows, cols, q, scale, stream);
  }
  return cudaErrorInvalidValue;
}

}  // namespace newbie::cuda
