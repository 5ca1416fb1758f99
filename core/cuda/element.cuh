#pragma once
// Element types of the fused kernels (float, __half, __nv_bfloat16): conversion to the float32 the
// kernels compute in and back, with round-to-nearest-even stores, as LibTorch's casts do. Shared by
// dit_fused.cu, group_norm.cu and fp8_quant.cu.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

namespace newbie::cuda {

template <class T>
struct Num;
template <>
struct Num<float> {
  static __device__ __forceinline__ float load(float v) { return v; }
  static __device__ __forceinline__ float store(float v) { return v; }
};
template <>
struct Num<__nv_bfloat16> {
  static __device__ __forceinline__ float load(__nv_bfloat16 v) { return __bfloat162float(v); }
  static __device__ __forceinline__ __nv_bfloat16 store(float v) { return __float2bfloat16_rn(v); }
};
template <>
struct Num<__half> {
  static __device__ __forceinline__ float load(__half v) { return __half2float(v); }
  static __device__ __forceinline__ __half store(float v) { return __float2half_rn(v); }
};

}  // namespace newbie::cuda
