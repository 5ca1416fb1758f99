// Fused GroupNorm (+ SiLU): split statistics, float64 combine, one apply pass.
// Pure CUDA (no LibTorch); the contract is in group_norm_launch.h.
#include "cuda/group_norm_launch.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "cuda/element.cuh"

namespace newbie::cuda {
namespace {

constexpr unsigned kFullMask = 0xffffffffu;
constexpr int kThreads = 256;   // contiguous kernels
constexpr int kUnroll = 4;      // vectors in flight per thread
constexpr int kBlocksPerSm = 8;  // split target: ~8 blocks of 256 threads per SM
// Channels-last blocks: C / V threads per pixel row (<= 512, so 128 registers keep the 3·V
// per-channel parameters and kUnroll vectors without spilling), ~256 threads in all.
constexpr int kMaxNhwcThreads = 512;

template <typename T, int V>
struct alignas(sizeof(T) * V) Vec {
  T v[V];
};

__device__ __forceinline__ float readParam(const void* p, int dt, int64_t i) {
  switch (dt) {
    case static_cast<int>(GnDtype::F16): return __half2float(static_cast<const __half*>(p)[i]);
    case static_cast<int>(GnDtype::BF16): return __bfloat162float(static_cast<const __nv_bfloat16*>(p)[i]);
    default: return static_cast<const float*>(p)[i];
  }
}

// ---- statistics ------------------------------------------------------------------------------

// Chan et al. combine of (n, mean, M2) with (nb, mb, qb), in float (per-vector partials) or double
// (the per-group finalisation). n == 0 takes b exactly (mean starts at 0).
__device__ __forceinline__ float fmaT(float a, float b, float c) { return fmaf(a, b, c); }
__device__ __forceinline__ double fmaT(double a, double b, double c) { return fma(a, b, c); }

template <typename A>
__device__ __forceinline__ void combine(A& n, A& mean, A& m2, A nb, A mb, A qb) {
  if (nb == A(0)) return;
  const A nn = n + nb;
  const A fb = nb / nn;
  const A delta = mb - mean;
  mean = fmaT(delta, fb, mean);
  m2 = m2 + qb + delta * delta * n * fb;
  n = nn;
}

// One loaded vector: exact two-pass mean/M2 of its V values in registers, then a Chan step.
template <typename T, int V>
__device__ __forceinline__ void accumulate(const Vec<T, V>& r, float& n, float& mean, float& m2) {
  float f[V];
  float s = 0.f;
#pragma unroll
  for (int k = 0; k < V; ++k) {
    f[k] = Num<T>::load(r.v[k]);
    s += f[k];
  }
  const float mb = s * (1.0f / V);
  float q = 0.f;
#pragma unroll
  for (int k = 0; k < V; ++k) {
    const float d = f[k] - mb;
    q = fmaf(d, d, q);
  }
  combine(n, mean, m2, static_cast<float>(V), mb, q);
}

template <typename A>
__device__ __forceinline__ void warpCombine(A& n, A& mean, A& m2) {
#pragma unroll
  for (int off = 16; off > 0; off >>= 1) {
    const A nb = __shfl_down_sync(kFullMask, n, off);
    const A mb = __shfl_down_sync(kFullMask, mean, off);
    const A qb = __shfl_down_sync(kFullMask, m2, off);
    combine(n, mean, m2, nb, mb, qb);
  }
}

// Block-wide combine (blockDim a multiple of 32); the result is valid in thread 0.
template <typename A>
__device__ __forceinline__ void blockCombine(A& n, A& mean, A& m2) {
  __shared__ A s[3][32];
  warpCombine(n, mean, m2);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  if (lane == 0) {
    s[0][warp] = n;
    s[1][warp] = mean;
    s[2][warp] = m2;
  }
  __syncthreads();
  if (warp == 0) {
    const int nw = static_cast<int>(blockDim.x + 31) / 32;
    n = lane < nw ? s[0][lane] : A(0);
    mean = lane < nw ? s[1][lane] : A(0);
    m2 = lane < nw ? s[2][lane] : A(0);
    warpCombine(n, mean, m2);
  }
}

// Contiguous [N, C, S]: each (n, g) is one span of Cg·S elements; block b = ng·chunks + chunk
// reduces vectors [chunk·per, (chunk+1)·per) of that span into partial[b].
template <typename T, int V>
__global__ void __launch_bounds__(kThreads) statsContig(const T* __restrict__ x, int64_t groupLen, int64_t per,
                                                         int64_t chunks, float* __restrict__ partial) {
  const int64_t b = blockIdx.x;
  const int64_t ng = b / chunks, chunk = b - ng * chunks;
  const int64_t vecs = groupLen / V;
  const int64_t v1 = min(vecs, (chunk + 1) * per);
  const auto* p = reinterpret_cast<const Vec<T, V>*>(x + ng * groupLen);
  const int64_t stride = blockDim.x;
  float n = 0.f, mean = 0.f, m2 = 0.f;
  int64_t i = chunk * per + threadIdx.x;
  for (; i + (kUnroll - 1) * stride < v1; i += kUnroll * stride) {
    Vec<T, V> r[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) r[u] = p[i + u * stride];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) accumulate(r[u], n, mean, m2);
  }
  for (; i < v1; i += stride) accumulate(p[i], n, mean, m2);
  blockCombine(n, mean, m2);
  if (threadIdx.x == 0) {
    partial[b * 3 + 0] = n;
    partial[b * 3 + 1] = mean;
    partial[b * 3 + 2] = m2;
  }
}

// Channels-last [N, S, C]: thread (r, col) reads the V channels col·V.. of pixel rows r, r+rpi, ...
// of its chunk (so it stays in one group); rows, then the group's columns, are combined in
// shared memory. Block b = n·chunks + chunk writes partial[(n·G + g)·chunks + chunk] for every g.
template <typename T, int V>
__global__ void __launch_bounds__(kMaxNhwcThreads) statsNhwc(const T* __restrict__ x, int64_t S, int C, int Cg, int G,
                                                  int64_t per, int64_t chunks, float* __restrict__ partial) {
  __shared__ float sN[kMaxNhwcThreads], sM[kMaxNhwcThreads], sQ[kMaxNhwcThreads];
  const int64_t n0 = blockIdx.x / chunks, chunk = blockIdx.x - n0 * chunks;
  const int tpr = C / V, tid = threadIdx.x;
  const int col = tid % tpr, r = tid / tpr, rpi = blockDim.x / tpr;
  const int64_t p1 = min(S, (chunk + 1) * per);
  const T* base = x + n0 * S * C + static_cast<int64_t>(col) * V;
  float n = 0.f, mean = 0.f, m2 = 0.f;
  int64_t p = chunk * per + r;
  for (; p + (kUnroll - 1) * rpi < p1; p += kUnroll * rpi) {
    Vec<T, V> v[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) v[u] = *reinterpret_cast<const Vec<T, V>*>(base + (p + u * rpi) * C);
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) accumulate(v[u], n, mean, m2);
  }
  for (; p < p1; p += rpi) accumulate(*reinterpret_cast<const Vec<T, V>*>(base + p * C), n, mean, m2);
  sN[tid] = n;
  sM[tid] = mean;
  sQ[tid] = m2;
  __syncthreads();
  if (tid < tpr) {  // rows -> one entry per column (reads indices >= tpr, writes < tpr)
    for (int k = 1; k < rpi; ++k) combine(n, mean, m2, sN[tid + k * tpr], sM[tid + k * tpr], sQ[tid + k * tpr]);
    sN[tid] = n;
    sM[tid] = mean;
    sQ[tid] = m2;
  }
  __syncthreads();
  const int cpg = Cg / V;  // columns per group
  for (int g = tid; g < G; g += blockDim.x) {
    float gn = 0.f, gm = 0.f, gq = 0.f;
    for (int j = 0; j < cpg; ++j) combine(gn, gm, gq, sN[g * cpg + j], sM[g * cpg + j], sQ[g * cpg + j]);
    const int64_t o = ((n0 * G + g) * chunks + chunk) * 3;
    partial[o + 0] = gn;
    partial[o + 1] = gm;
    partial[o + 2] = gq;
  }
}

// One block per (n, g): float64 combine of the chunks' partials, then per-channel
// mean / (rstd·w) / b for the apply pass.
__global__ void __launch_bounds__(128) finalizeStats(const float* __restrict__ partial, int64_t chunks, int64_t C,
                                                     int64_t Cg, int64_t G, float eps, const void* w, const void* b,
                                                     int pdt, float* __restrict__ meanC, float* __restrict__ scaleC,
                                                     float* __restrict__ biasC) {
  __shared__ float sMean, sRstd;
  const int64_t ng = blockIdx.x, n0 = ng / G, g = ng - n0 * G;
  double n = 0.0, mean = 0.0, m2 = 0.0;
  for (int64_t i = threadIdx.x; i < chunks; i += blockDim.x) {
    const float* q = partial + (ng * chunks + i) * 3;
    combine<double>(n, mean, m2, q[0], q[1], q[2]);
  }
  blockCombine(n, mean, m2);
  if (threadIdx.x == 0) {
    const double var = n > 0.0 ? fmax(m2 / n, 0.0) : 0.0;  // biased, like torch GroupNorm
    sMean = static_cast<float>(mean);
    sRstd = static_cast<float>(1.0 / sqrt(var + static_cast<double>(eps)));
  }
  __syncthreads();
  for (int64_t c = threadIdx.x; c < Cg; c += blockDim.x) {
    const int64_t ch = g * Cg + c, idx = n0 * C + ch;
    const float wv = w ? readParam(w, pdt, ch) : 1.0f;
    const float bv = b ? readParam(b, pdt, ch) : 0.0f;
    meanC[idx] = sMean;
    scaleC[idx] = sRstd * wv;
    biasC[idx] = bv;
  }
}

// ---- apply -----------------------------------------------------------------------------------

template <typename T, bool SILU>
__device__ __forceinline__ float normAct(float x, float m, float sc, float bb) {
  float y = fmaf(x - m, sc, bb);
  if constexpr (SILU) {
    if constexpr (std::is_same<T, float>::value) {
      y = y / (1.0f + expf(-y));
    } else {
      y = __fdividef(y, 1.0f + __expf(-y));  // output keeps 8 or 11 bits: fast math is exact enough
    }
  }
  return y;
}

// Contiguous: grid (blocks per row, rows = N·C strided); vectors never cross a row (V | S).
template <typename T, int V, bool SILU>
__global__ void __launch_bounds__(kThreads) applyContig(const T* x, T* y, int64_t S, int64_t rows, int64_t per,
                                                         const float* __restrict__ meanC,
                                                         const float* __restrict__ scaleC,
                                                         const float* __restrict__ biasC) {
  const int64_t vecs = S / V;
  const int64_t v1 = min(vecs, (static_cast<int64_t>(blockIdx.x) + 1) * per);
  const int64_t stride = blockDim.x;
  for (int64_t row = blockIdx.y; row < rows; row += gridDim.y) {
    const float m = meanC[row], sc = scaleC[row], bb = biasC[row];
    const auto* px = reinterpret_cast<const Vec<T, V>*>(x + row * S);
    auto* py = reinterpret_cast<Vec<T, V>*>(y + row * S);
    int64_t i = blockIdx.x * per + threadIdx.x;
    for (; i < v1; i += kUnroll * stride) {
      Vec<T, V> r[kUnroll];
#pragma unroll
      for (int u = 0; u < kUnroll; ++u)
        if (i + u * stride < v1) r[u] = px[i + u * stride];
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        if (i + u * stride >= v1) break;
        Vec<T, V> o;
#pragma unroll
        for (int k = 0; k < V; ++k)
          o.v[k] = Num<T>::store(normAct<T, SILU>(Num<T>::load(r[u].v[k]), m, sc, bb));
        py[i + u * stride] = o;
      }
    }
  }
}

// Channels-last: thread (r, col) keeps the parameters of its V channels in registers and walks
// the pixel rows r, r+rpi, ... of its chunk.
template <typename T, int V, bool SILU>
__global__ void __launch_bounds__(kMaxNhwcThreads)
    applyNhwc(const T* x, T* y, int64_t S, int C, int64_t per, int64_t chunks,
                                                  const float* __restrict__ meanC, const float* __restrict__ scaleC,
                                                  const float* __restrict__ biasC) {
  const int64_t n0 = blockIdx.x / chunks, chunk = blockIdx.x - n0 * chunks;
  const int tpr = C / V, tid = threadIdx.x;
  const int col = tid % tpr, r = tid / tpr, rpi = blockDim.x / tpr;
  float m[V], sc[V], bb[V];
#pragma unroll
  for (int k = 0; k < V; ++k) {
    const int64_t idx = n0 * C + static_cast<int64_t>(col) * V + k;
    m[k] = meanC[idx];
    sc[k] = scaleC[idx];
    bb[k] = biasC[idx];
  }
  const int64_t p1 = min(S, (chunk + 1) * per);
  const int64_t off = n0 * S * C + static_cast<int64_t>(col) * V;
  const T* bx = x + off;
  T* by = y + off;
  for (int64_t p = chunk * per + r; p < p1; p += kUnroll * rpi) {
    Vec<T, V> v[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u)
      if (p + u * rpi < p1) v[u] = *reinterpret_cast<const Vec<T, V>*>(bx + (p + u * rpi) * C);
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      if (p + u * rpi >= p1) break;
      Vec<T, V> o;
#pragma unroll
      for (int k = 0; k < V; ++k)
        o.v[k] = Num<T>::store(normAct<T, SILU>(Num<T>::load(v[u].v[k]), m[k], sc[k], bb[k]));
      *reinterpret_cast<Vec<T, V>*>(by + (p + u * rpi) * C) = o;
    }
  }
}

// ---- host planning ---------------------------------------------------------------------------

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

std::size_t elemSize(GnDtype d) { return d == GnDtype::F32 ? 4 : 2; }

// Widest vector (<= 16 bytes) that divides `run` elements and keeps both pointers aligned.
int pickVec(int64_t run, const void* p, const void* q, std::size_t es) {
  int v = static_cast<int>(16 / es);
  for (; v > 1; v /= 2) {
    const auto bytes = static_cast<uintptr_t>(v) * es;
    if (run % v == 0 && reinterpret_cast<uintptr_t>(p) % bytes == 0 && reinterpret_cast<uintptr_t>(q) % bytes == 0)
      break;
  }
  return v;
}

struct Plan {
  bool ok = false;
  int vStats = 1, vApply = 1;
  int statsThreads = kThreads, applyThreads = kThreads;
  int64_t statsChunks = 1, statsPer = 1;  // contiguous: vectors per block; channels-last: rows per block
  int64_t applyChunks = 1, applyPer = 1;
  int64_t partialFloats = 0;  // N·G·statsChunks·3, rounded up to 4
};

Plan makePlan(const GroupNormArgs& a) {
  Plan p;
  if (a.N <= 0 || a.C <= 0 || a.S <= 0 || a.groups <= 0 || a.C % a.groups != 0) return p;
  if (a.C > (int64_t{1} << 30)) return p;
  const int64_t G = a.groups, Cg = a.C / G;
  const std::size_t es = elemSize(a.dtype);
  const int64_t target = static_cast<int64_t>(std::max(1, a.numSms)) * kBlocksPerSm;
  // Split `items` of each of `parts` independent reductions into chunks of >= minPer items,
  // aiming at `target` blocks in all.
  auto split = [&](int64_t items, int64_t parts, int64_t minPer, int64_t& chunks, int64_t& per) {
    const int64_t c = std::max<int64_t>(1, std::min(ceilDiv(target, parts), ceilDiv(items, minPer)));
    per = ceilDiv(items, c);
    chunks = ceilDiv(items, per);
  };
  if (a.layout == GnLayout::Contiguous) {
    p.vStats = pickVec(Cg * a.S, a.x, a.x, es);
    p.vApply = pickVec(a.S, a.x, a.y, es);
    split(Cg * a.S / p.vStats, a.N * G, int64_t{kThreads} * kUnroll, p.statsChunks, p.statsPer);
    const int64_t vecs = a.S / p.vApply;
    p.applyPer = std::min<int64_t>(vecs, int64_t{kThreads} * kUnroll);
    p.applyChunks = ceilDiv(vecs, p.applyPer);
    if (p.applyChunks > 0x7fffffff || a.N * G * p.statsChunks > 0x7fffffff) return p;
  } else {
    p.vStats = pickVec(Cg, a.x, a.x, es);
    p.vApply = pickVec(a.C, a.x, a.y, es);
    const int64_t tprS = a.C / p.vStats, tprA = a.C / p.vApply;
    if (tprS > kMaxNhwcThreads || tprA > kMaxNhwcThreads) return p;
    const int64_t rpiS = std::max<int64_t>(1, kThreads / tprS), rpiA = std::max<int64_t>(1, kThreads / tprA);
    p.statsThreads = static_cast<int>(tprS * rpiS);
    p.applyThreads = static_cast<int>(tprA * rpiA);
    split(a.S, a.N, rpiS * kUnroll, p.statsChunks, p.statsPer);
    split(a.S, a.N, rpiA * kUnroll, p.applyChunks, p.applyPer);
    if (a.N * p.statsChunks > 0x7fffffff || a.N * p.applyChunks > 0x7fffffff) return p;
  }
  p.partialFloats = ceilDiv(a.N * G * p.statsChunks * 3, 4) * 4;
  p.ok = true;
  return p;
}

std::size_t workspaceFloats(const GroupNormArgs& a, const Plan& p) {
  return static_cast<std::size_t>(p.partialFloats + 3 * ceilDiv(a.N * a.C, 4) * 4);
}

#define NEWBIE_GN_DISPATCH_V(v, ...)   \
  switch (v) {                         \
    case 8: {                          \
      constexpr int V = 8;             \
      __VA_ARGS__;                     \
    } break;                           \
    case 4: {                          \
      constexpr int V = 4;             \
      __VA_ARGS__;                     \
    } break;                           \
    case 2: {                          \
      constexpr int V = 2;             \
      __VA_ARGS__;                     \
    } break;                           \
    default: {                         \
      constexpr int V = 1;             \
      __VA_ARGS__;                     \
    } break;                           \
  }

template <typename T>
cudaError_t launchTyped(const GroupNormArgs& a, const Plan& p, cudaStream_t stream) {
  const int64_t G = a.groups, Cg = a.C / G;
  auto* partial = static_cast<float*>(a.workspace);
  const int64_t nc = ceilDiv(a.N * a.C, 4) * 4;
  float* meanC = partial + p.partialFloats;
  float* scaleC = meanC + nc;
  float* biasC = scaleC + nc;
  const T* x = static_cast<const T*>(a.x);
  T* y = static_cast<T*>(a.y);
  cudaError_t err;

  if (a.layout == GnLayout::Contiguous) {
    const dim3 grid(static_cast<unsigned>(a.N * G * p.statsChunks));
    NEWBIE_GN_DISPATCH_V(p.vStats, statsContig<T, V><<<grid, kThreads, 0, stream>>>(x, Cg * a.S, p.statsPer,
                                                                                    p.statsChunks, partial))
  } else {
    const dim3 grid(static_cast<unsigned>(a.N * p.statsChunks));
    NEWBIE_GN_DISPATCH_V(p.vStats, statsNhwc<T, V><<<grid, p.statsThreads, 0, stream>>>(
                                       x, a.S, static_cast<int>(a.C), static_cast<int>(Cg), static_cast<int>(G),
                                       p.statsPer, p.statsChunks, partial))
  }
  if ((err = cudaGetLastError()) != cudaSuccess) return err;

  finalizeStats<<<static_cast<unsigned>(a.N * G), 128, 0, stream>>>(partial, p.statsChunks, a.C, Cg, G, a.eps,
                                                                   a.weight, a.bias, static_cast<int>(a.paramDtype),
                                                                   meanC, scaleC, biasC);
  if ((err = cudaGetLastError()) != cudaSuccess) return err;

  if (a.layout == GnLayout::Contiguous) {
    const int64_t rows = a.N * a.C;
    const dim3 grid(static_cast<unsigned>(p.applyChunks), static_cast<unsigned>(std::min<int64_t>(rows, 65535)));
    if (a.silu) {
      NEWBIE_GN_DISPATCH_V(p.vApply, applyContig<T, V, true><<<grid, kThreads, 0, stream>>>(
                                         x, y, a.S, rows, p.applyPer, meanC, scaleC, biasC))
    } else {
      NEWBIE_GN_DISPATCH_V(p.vApply, applyContig<T, V, false><<<grid, kThreads, 0, stream>>>(
                                         x, y, a.S, rows, p.applyPer, meanC, scaleC, biasC))
    }
  } else {
    const dim3 grid(static_cast<unsigned>(a.N * p.applyChunks));
    const int C = static_cast<int>(a.C);
    if (a.silu) {
      NEWBIE_GN_DISPATCH_V(p.vApply, applyNhwc<T, V, true><<<grid, p.applyThreads, 0, stream>>>(
                                         x, y, a.S, C, p.applyPer, p.applyChunks, meanC, scaleC, biasC))
    } else {
      NEWBIE_GN_DISPATCH_V(p.vApply, applyNhwc<T, V, false><<<grid, p.applyThreads, 0, stream>>>(
                                         x, y, a.S, C, p.applyPer, p.applyChunks, meanC, scaleC, biasC))
    }
  }
  return cudaGetLastError();
}

#undef NEWBIE_GN_DISPATCH_V

}  // namespace

std::size_t groupNormWorkspaceBytes(const GroupNormArgs& a) {
  const Plan p = makePlan(a);
  return p.ok ? workspaceFloats(a, p) * sizeof(float) : 0;
}

bool groupNormChannelsLastSupported(const GroupNormArgs& a) {
  GroupNormArgs b = a;
  b.layout = GnLayout::ChannelsLast;
  return makePlan(b).ok;
}

cudaError_t launchGroupNorm(const GroupNormArgs& a, cudaStream_t stream) {
  if (a.N == 0 || a.S == 0 || a.C == 0) return cudaSuccess;  // nothing to do
  if (!a.x || !a.y || !a.workspace) return cudaErrorInvalidValue;
  const Plan p = makePlan(a);
  if (!p.ok) return cudaErrorInvalidValue;
  switch (a.dtype) {
    case GnDtype::F32: return launchTyped<float>(a, p, stream);
    case GnDtype::F16: return launchTyped<__half>(a, p, stream);
    case GnDtype::BF16: return launchTyped<__nv_bfloat16>(a, p, stream);
  }
  return cudaErrorInvalidValue;
}

}  // namespace newbie::cuda
