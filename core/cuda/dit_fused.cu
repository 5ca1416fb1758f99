// Fused element-wise kernels of the Next-DiT block (see dit_fused_launch.h for the contracts).
// Rounding points mirror the plain LibTorch path in models/nextdit_block.cpp: at::rms_norm rounds
// x*rstd to the element type, the following mul_ by the scale rounds again, addcmul_ computes
// x + r*s in float32 and rounds once, silu rounds before the gate multiply, RoPE runs in float32.
#include "cuda/dit_fused_launch.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <initializer_list>
#include <stdexcept>
#include <string>

#include "cuda/element.cuh"

namespace newbie::cuda {
namespace {

/// v rounded to T and read back as float.
template <class T>
__device__ __forceinline__ float rnd(float v) {
  return Num<T>::load(Num<T>::store(v));
}

__device__ __forceinline__ float warpSum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

/// Sum over the block (blockDim.x a multiple of 32, at most 1024); every thread gets the result.
__device__ float blockSum(float v) {
  __shared__ float part[32];
  __shared__ float total;
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  v = warpSum(v);
  if (lane == 0) part[warp] = v;
  __syncthreads();
  if (warp == 0) {
    float s = lane < static_cast<int>(blockDim.x >> 5) ? part[lane] : 0.f;
    s = warpSum(s);
    if (lane == 0) total = s;
  }
  __syncthreads();
  const float r = total;
  __syncthreads();  // part/total may be reused by a second call
  return r;
}

constexpr int kRowThreads = 256;

template <class T>
__global__ void rmsNormScaleKernel(const T* __restrict__ x, T* __restrict__ y, const T* __restrict__ scale,
                                   int64_t scaleStride, int64_t rowsPerSample, int64_t dim, float eps) {
  const int64_t row = blockIdx.x;
  const T* xr = x + row * dim;
  T* yr = y + row * dim;
  const T* sr = scale + (row / rowsPerSample) * scaleStride;
  float ss = 0.f;
  for (int64_t i = threadIdx.x; i < dim; i += blockDim.x) {
    const float v = Num<T>::load(xr[i]);
    ss += v * v;
  }
  const float rstd = rsqrtf(blockSum(ss) / static_cast<float>(dim) + eps);
  for (int64_t i = threadIdx.x; i < dim; i += blockDim.x) {
    const float t = rnd<T>(Num<T>::load(xr[i]) * rstd);
    yr[i] = Num<T>::store(t * Num<T>::load(sr[i]));
  }
}

template <class T>
__global__ void residualNormKernel(T* __restrict__ x, const T* __restrict__ a, const T* __restrict__ outScale,
                                   int64_t outStride, T* __restrict__ n, const T* __restrict__ inScale,
                                   int64_t inStride, int64_t rowsPerSample, int64_t dim, float eps) {
  const int64_t row = blockIdx.x;
  const int64_t sample = row / rowsPerSample;
  T* xr = x + row * dim;
  const T* ar = a + row * dim;
  const T* so = outScale + sample * outStride;
  float ss = 0.f;
  for (int64_t i = threadIdx.x; i < dim; i += blockDim.x) {
    const float v = Num<T>::load(ar[i]);
    ss += v * v;
  }
  const float rstdA = rsqrtf(blockSum(ss) / static_cast<float>(dim) + eps);
  float sx = 0.f;
  for (int64_t i = threadIdx.x; i < dim; i += blockDim.x) {
    const float r = rnd<T>(Num<T>::load(ar[i]) * rstdA);
    const float v = rnd<T>(Num<T>::load(xr[i]) + r * Num<T>::load(so[i]));
    xr[i] = Num<T>::store(v);
    sx += v * v;
  }
  if (n == nullptr) return;
  const float rstdX = rsqrtf(blockSum(sx) / static_cast<float>(dim) + eps);
  const T* si = inScale + sample * inStride;
  T* nr = n + row * dim;
  for (int64_t i = threadIdx.x; i < dim; i += blockDim.x) {  // each thread re-reads only what it wrote
    const float t = rnd<T>(Num<T>::load(xr[i]) * rstdX);
    nr[i] = Num<T>::store(t * Num<T>::load(si[i]));
  }
}

/// Rows of dim = VEC * blockDim-ish: every thread owns one 16-byte vector of the row and keeps it
/// in registers, so each element is read once and written once.
template <class T>
struct Vec {
  static constexpr int kN = 16 / sizeof(T);
  uint4 raw;
  __device__ __forceinline__ void load(const T* p) { raw = *reinterpret_cast<const uint4*>(p); }
  __device__ __forceinline__ void store(T* p) const { *reinterpret_cast<uint4*>(p) = raw; }
  __device__ __forceinline__ float get(int i) const { return Num<T>::load(reinterpret_cast<const T*>(&raw)[i]); }
  __device__ __forceinline__ void set(int i, float v) { reinterpret_cast<T*>(&raw)[i] = Num<T>::store(v); }
};

template <class T>
__global__ void rmsNormScaleVecKernel(const T* __restrict__ x, T* __restrict__ y, const T* __restrict__ scale,
                                      int64_t scaleStride, int64_t rowsPerSample, int64_t dim, float eps) {
  constexpr int N = Vec<T>::kN;
  const int64_t row = blockIdx.x;
  const int64_t off = static_cast<int64_t>(threadIdx.x) * N;
  const bool active = off < dim;
  Vec<T> xv;
  float ss = 0.f;
  if (active) {
    xv.load(x + row * dim + off);
#pragma unroll
    for (int i = 0; i < N; ++i) ss += xv.get(i) * xv.get(i);
  }
  const float rstd = rsqrtf(blockSum(ss) / static_cast<float>(dim) + eps);
  if (!active) return;
  Vec<T> sv, yv;
  sv.load(scale + (row / rowsPerSample) * scaleStride + off);
#pragma unroll
  for (int i = 0; i < N; ++i) yv.set(i, rnd<T>(xv.get(i) * rstd) * sv.get(i));
  yv.store(y + row * dim + off);
}

template <class T>
__global__ void residualNormVecKernel(T* __restrict__ x, const T* __restrict__ a, const T* __restrict__ outScale,
                                      int64_t outStride, T* __restrict__ n, const T* __restrict__ inScale,
                                      int64_t inStride, int64_t rowsPerSample, int64_t dim, float eps) {
  constexpr int N = Vec<T>::kN;
  const int64_t row = blockIdx.x;
  const int64_t sample = row / rowsPerSample;
  const int64_t off = static_cast<int64_t>(threadIdx.x) * N;
  const bool active = off < dim;
  Vec<T> av, xv;
  float ss = 0.f;
  if (active) {
    av.load(a + row * dim + off);
    xv.load(x + row * dim + off);
#pragma unroll
    for (int i = 0; i < N; ++i) ss += av.get(i) * av.get(i);
  }
  const float rstdA = rsqrtf(blockSum(ss) / static_cast<float>(dim) + eps);
  float sx = 0.f;
  float xn[N];
  if (active) {
    Vec<T> so;
    so.load(outScale + sample * outStride + off);
#pragma unroll
    for (int i = 0; i < N; ++i) {
      xn[i] = rnd<T>(xv.get(i) + rnd<T>(av.get(i) * rstdA) * so.get(i));
      xv.set(i, xn[i]);
      sx += xn[i] * xn[i];
    }
    xv.store(x + row * dim + off);
  }
  if (n == nullptr) return;  // uniform across the block: no thread skips the reduction below alone
  const float rstdX = rsqrtf(blockSum(sx) / static_cast<float>(dim) + eps);
  if (!active) return;
  Vec<T> si, nv;
  si.load(inScale + sample * inStride + off);
#pragma unroll
  for (int i = 0; i < N; ++i) nv.set(i, rnd<T>(xn[i] * rstdX) * si.get(i));
  nv.store(n + row * dim + off);
}

/// The vector kernels apply: whole 16-byte vectors, one per thread, aligned rows and scale rows.
template <class T>
bool vecRows(int64_t dim, std::initializer_list<const void*> ptrs, std::initializer_list<int64_t> strides) {
  constexpr int N = 16 / sizeof(T);
  if (dim % N != 0 || dim / N > 1024) return false;
  for (const void* p : ptrs)
    if (p != nullptr && reinterpret_cast<uintptr_t>(p) % 16 != 0) return false;
  for (int64_t s : strides)
    if (s % N != 0) return false;
  return true;
}

int vecThreads(int64_t dim, int n) { return static_cast<int>(((dim / n + 31) / 32) * 32); }

/// Two adjacent elements (a RoPE pair) moved as one 4- or 8-byte access.
template <class T>
struct Pair {
  float a, b;
  static __device__ __forceinline__ Pair load(const T* p) {
    struct alignas(2 * sizeof(T)) Two { T v[2]; };
    const Two t = *reinterpret_cast<const Two*>(p);
    return {Num<T>::load(t.v[0]), Num<T>::load(t.v[1])};
  }
  static __device__ __forceinline__ void store(T* p, float a, float b) {
    struct alignas(2 * sizeof(T)) Two { T v[2]; };
    Two t;
    t.v[0] = Num<T>::store(a);
    t.v[1] = Num<T>::store(b);
    *reinterpret_cast<Two*>(p) = t;
  }
};

constexpr int kHeadWarps = 8;  // warps per block in the q/k kernel: one warp per (row, head)

template <class T>
__global__ void qkNormRopeKernel(const T* __restrict__ qkv, int64_t qkvRowStride, T* __restrict__ out,
                                 const T* __restrict__ weight, const float* __restrict__ cis, int64_t cisStride,
                                 int64_t rowsPerSample, int64_t rows, int heads, int headDim, float eps) {
  const int64_t item = static_cast<int64_t>(blockIdx.x) * kHeadWarps + (threadIdx.x >> 5);
  if (item >= rows * heads) return;
  const int lane = threadIdx.x & 31;
  const int64_t row = item / heads;
  const int h = static_cast<int>(item % heads);
  const T* src = qkv + row * qkvRowStride + static_cast<int64_t>(h) * headDim;
  T* dst = out + item * headDim;
  const int pairs = headDim / 2;
  const float* c = cis + (row / rowsPerSample) * cisStride + (row % rowsPerSample) * pairs * 2;
  float rstd = 1.f;
  if (weight != nullptr) {
    float ss = 0.f;
    for (int p = lane; p < headDim / 2; p += 32) {
      const Pair<T> v = Pair<T>::load(src + 2 * p);
      ss += v.a * v.a + v.b * v.b;
    }
    rstd = rsqrtf(warpSum(ss) / static_cast<float>(headDim) + eps);
  }
  const T* w = weight != nullptr ? weight + static_cast<int64_t>(h) * headDim : nullptr;
  for (int p = lane; p < pairs; p += 32) {
    const Pair<T> in = Pair<T>::load(src + 2 * p);
    float u0 = in.a, u1 = in.b;
    if (w != nullptr) {
      u0 = rnd<T>(rnd<T>(u0 * rstd) * Num<T>::load(w[2 * p]));
      u1 = rnd<T>(rnd<T>(u1 * rstd) * Num<T>::load(w[2 * p + 1]));
    }
    const float cr = c[2 * p], ci = c[2 * p + 1];
    Pair<T>::store(dst + 2 * p, u0 * cr - u1 * ci, u0 * ci + u1 * cr);
  }
}

/// q/k kernel with 16-byte accesses: a group of GROUP lanes per (row, head), each lane owning
/// 16 / sizeof(T) consecutive elements (whole RoPE pairs) of the head.
template <class T, int GROUP>
__global__ void qkNormRopeVecKernel(const T* __restrict__ qkv, int64_t qkvRowStride, T* __restrict__ out,
                                    const T* __restrict__ weight, const float* __restrict__ cis, int64_t cisStride,
                                    int64_t rowsPerSample, int64_t rows, int heads, int headDim, float eps) {
  constexpr int N = Vec<T>::kN;
  const int64_t item = static_cast<int64_t>(blockIdx.x) * (blockDim.x / GROUP) + threadIdx.x / GROUP;
  const int lane = threadIdx.x % GROUP;
  const bool valid = item < rows * heads;
  const int64_t row = valid ? item / heads : 0;
  const int h = valid ? static_cast<int>(item % heads) : 0;
  const bool active = valid && lane * N < headDim;
  float u[N];
  float ss = 0.f;
  if (active) {
    Vec<T> xv;
    xv.load(qkv + row * qkvRowStride + static_cast<int64_t>(h) * headDim + lane * N);
#pragma unroll
    for (int i = 0; i < N; ++i) {
      u[i] = xv.get(i);
      ss += u[i] * u[i];
    }
  }
  // Every lane of the warp takes part in the shuffles; xor offsets below GROUP stay inside a group.
#pragma unroll
  for (int o = GROUP / 2; o > 0; o >>= 1) ss += __shfl_xor_sync(0xffffffffu, ss, o);
  if (!active) return;
  if (weight != nullptr) {
    const float rstd = rsqrtf(ss / static_cast<float>(headDim) + eps);
    Vec<T> wv;
    wv.load(weight + static_cast<int64_t>(h) * headDim + lane * N);
#pragma unroll
    for (int i = 0; i < N; ++i) u[i] = rnd<T>(rnd<T>(u[i] * rstd) * wv.get(i));
  }
  const float* c = cis + (row / rowsPerSample) * cisStride + (row % rowsPerSample) * headDim + lane * N;
  float cs[N];
#pragma unroll
  for (int k = 0; k < N / 4; ++k) *reinterpret_cast<float4*>(cs + 4 * k) = *reinterpret_cast<const float4*>(c + 4 * k);
  Vec<T> ov;
#pragma unroll
  for (int p = 0; p < N / 2; ++p) {
    const float u0 = u[2 * p], u1 = u[2 * p + 1], cr = cs[2 * p], ci = cs[2 * p + 1];
    ov.set(2 * p, u0 * cr - u1 * ci);
    ov.set(2 * p + 1, u0 * ci + u1 * cr);
  }
  ov.store(out + item * headDim + lane * N);
}

template <class T>
__device__ __forceinline__ float siluGate(T g, T up) {
  const float v = Num<T>::load(g);
  const float s = rnd<T>(v / (1.f + expf(-v)));
  return s * Num<T>::load(up);
}

template <class T>
__global__ void swiGluKernel(const T* __restrict__ h, T* __restrict__ out, int64_t rows, int64_t hidden) {
  const int64_t total = rows * hidden;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t r = i / hidden, j = i - r * hidden;
    const T* hr = h + r * 2 * hidden;
    out[i] = Num<T>::store(siluGate<T>(hr[j], hr[hidden + j]));
  }
}

/// 16-bit types, hidden % 8 == 0: eight elements (16 bytes) per thread and iteration.
template <class T>
__global__ void swiGluKernel8(const T* __restrict__ h, T* __restrict__ out, int64_t rows, int64_t hidden) {
  const int64_t vecPerRow = hidden / 8, total = rows * vecPerRow;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t r = i / vecPerRow, j = (i - r * vecPerRow) * 8;
    const uint4 gv = *reinterpret_cast<const uint4*>(h + r * 2 * hidden + j);
    const uint4 uv = *reinterpret_cast<const uint4*>(h + r * 2 * hidden + hidden + j);
    const T* g = reinterpret_cast<const T*>(&gv);
    const T* u = reinterpret_cast<const T*>(&uv);
    uint4 ov;
    T* o = reinterpret_cast<T*>(&ov);
#pragma unroll
    for (int k = 0; k < 8; ++k) o[k] = Num<T>::store(siluGate<T>(g[k], u[k]));
    *reinterpret_cast<uint4*>(out + r * hidden + j) = ov;
  }
}

void check(const char* what) {
  const cudaError_t e = cudaGetLastError();
  if (e != cudaSuccess) throw std::runtime_error(std::string(what) + ": CUDA launch failed: " + cudaGetErrorString(e));
}

unsigned gridFor(int64_t work, int threads) {
  const int64_t blocks = (work + threads - 1) / threads;
  return static_cast<unsigned>(blocks < 132 * 32 ? (blocks < 1 ? 1 : blocks) : 132 * 32);
}

template <class F>
void dispatch(DType t, F&& f) {
  switch (t) {
    case DType::F32: f(float{}); break;
    case DType::BF16: f(__nv_bfloat16{}); break;
    case DType::F16: f(__half{}); break;
  }
}

}  // namespace

void launchRmsNormScale(DType t, const void* x, void* y, const void* scale, int64_t scaleSampleStride,
                        int64_t rowsPerSample, int64_t rows, int64_t dim, float eps, cudaStream_t stream) {
  if (rows == 0) return;
  dispatch(t, [&](auto z) {
    using T = decltype(z);
    if (vecRows<T>(dim, {x, y, scale}, {scaleSampleStride})) {
      rmsNormScaleVecKernel<T><<<static_cast<unsigned>(rows), vecThreads(dim, 16 / sizeof(T)), 0, stream>>>(
          static_cast<const T*>(x), static_cast<T*>(y), static_cast<const T*>(scale), scaleSampleStride,
          rowsPerSample, dim, eps);
      return;
    }
    rmsNormScaleKernel<T><<<static_cast<unsigned>(rows), kRowThreads, 0, stream>>>(
        static_cast<const T*>(x), static_cast<T*>(y), static_cast<const T*>(scale), scaleSampleStride, rowsPerSample,
        dim, eps);
  });
  check("rmsNormScale");
}

void launchResidualNorm(DType t, void* x, const void* a, const void* outScale, int64_t outSampleStride, void* n,
                        const void* inScale, int64_t inSampleStride, int64_t rowsPerSample, int64_t rows,
                        int64_t dim, float eps, cudaStream_t stream) {
  if (rows == 0) return;
  dispatch(t, [&](auto z) {
    using T = decltype(z);
    if (vecRows<T>(dim, {x, a, outScale, n, inScale}, {outSampleStride, inSampleStride})) {
      residualNormVecKernel<T><<<static_cast<unsigned>(rows), vecThreads(dim, 16 / sizeof(T)), 0, stream>>>(
          static_cast<T*>(x), static_cast<const T*>(a), static_cast<const T*>(outScale), outSampleStride,
          static_cast<T*>(n), static_cast<const T*>(inScale), inSampleStride, rowsPerSample, dim, eps);
      return;
    }
    residualNormKernel<T><<<static_cast<unsigned>(rows), kRowThreads, 0, stream>>>(
        static_cast<T*>(x), static_cast<const T*>(a), static_cast<const T*>(outScale), outSampleStride,
        static_cast<T*>(n), static_cast<const T*>(inScale), inSampleStride, rowsPerSample, dim, eps);
  });
  check("residualNorm");
}

void launchQkNormRope(DType t, const void* qkv, int64_t qkvRowStride, void* out, const void* weight,
                      const float* cis, int64_t cisSampleStride, int64_t rowsPerSample, int64_t rows, int heads,
                      int headDim, float eps, cudaStream_t stream) {
  const int64_t items = rows * heads;
  if (items == 0) return;
  const auto blocks = static_cast<unsigned>((items + kHeadWarps - 1) / kHeadWarps);
  dispatch(t, [&](auto z) {
    using T = decltype(z);
    constexpr int N = 16 / sizeof(T);
    const bool aligned = reinterpret_cast<uintptr_t>(qkv) % 16 == 0 && reinterpret_cast<uintptr_t>(out) % 16 == 0 &&
                         reinterpret_cast<uintptr_t>(weight) % 16 == 0 && reinterpret_cast<uintptr_t>(cis) % 16 == 0 &&
                         qkvRowStride % N == 0 && cisSampleStride % 4 == 0;
    if (aligned && headDim % N == 0 && headDim % 4 == 0 && headDim / N <= 32) {
      constexpr int threads = 256;
      if (headDim / N <= 16) {
        qkNormRopeVecKernel<T, 16><<<static_cast<unsigned>((items + threads / 16 - 1) / (threads / 16)), threads, 0,
                                     stream>>>(static_cast<const T*>(qkv), qkvRowStride, static_cast<T*>(out),
                                               static_cast<const T*>(weight), cis, cisSampleStride, rowsPerSample,
                                               rows, heads, headDim, eps);
      } else {
        qkNormRopeVecKernel<T, 32><<<static_cast<unsigned>((items + threads / 32 - 1) / (threads / 32)), threads, 0,
                                     stream>>>(static_cast<const T*>(qkv), qkvRowStride, static_cast<T*>(out),
                                               static_cast<const T*>(weight), cis, cisSampleStride, rowsPerSample,
                                               rows, heads, headDim, eps);
      }
      return;
    }
    qkNormRopeKernel<T><<<blocks, kHeadWarps * 32, 0, stream>>>(
        static_cast<const T*>(qkv), qkvRowStride, static_cast<T*>(out), static_cast<const T*>(weight), cis,
        cisSampleStride, rowsPerSample, rows, heads, headDim, eps);
  });
  check("qkNormRope");
}

void launchSwiGlu(DType t, const void* h, void* out, int64_t rows, int64_t hidden, cudaStream_t stream) {
  if (rows * hidden == 0) return;
  constexpr int threads = 256;
  const bool aligned = (reinterpret_cast<uintptr_t>(h) % 16 == 0) && (reinterpret_cast<uintptr_t>(out) % 16 == 0);
  dispatch(t, [&](auto z) {
    using T = decltype(z);
    if constexpr (sizeof(T) == 2) {
      if (hidden % 8 == 0 && aligned) {
        swiGluKernel8<T><<<gridFor(rows * hidden / 8, threads), threads, 0, stream>>>(
            static_cast<const T*>(h), static_cast<T*>(out), rows, hidden);
        return;
      }
    }
    {
      swiGluKernel<T><<<gridFor(rows * hidden, threads), threads, 0, stream>>>(static_cast<const T*>(h),
                                                                               static_cast<T*>(out), rows, hidden);
    }
  });
  check("swiGlu");
}

}  // namespace newbie::cuda
