#pragma once
// Fused GroupNorm (+ optional SiLU) CUDA launcher: pure CUDA, no LibTorch (see group_norm.h for
// the torch-level API).
//
// y = (x - mean[n,g]) * rstd[n,g] * w[c] + b[c], optionally y = silu(y), one rounding to the
// element type. Statistics are float32 per block (a two-pass mean/M2 over each loaded vector,
// Chan-combined), combined in float64 over many blocks per (n, group), biased variance like
// torch.nn.GroupNorm. Three kernels: partial statistics (one read of x), combine (tiny), apply
// (one read of x, one write of y) — about three passes over the tensor.
//
// Layouts: Contiguous ([N, C, S] row-major, S = product of the spatial sizes) or ChannelsLast
// ([N, S, C] row-major, i.e. PyTorch channels-last NHWC). y uses the same layout as x and may
// alias x exactly (in place); partial overlaps are not allowed.

#include <cstddef>
#include <cstdint>

#include <cuda_runtime.h>

namespace newbie::cuda {

enum class GnDtype : int { F32 = 0, F16 = 1, BF16 = 2 };
enum class GnLayout : int { Contiguous = 0, ChannelsLast = 1 };

struct GroupNormArgs {
  const void* x = nullptr;       ///< input, `dtype`, `layout`
  void* y = nullptr;             ///< output, same dtype/layout/shape as x; may equal x
  const void* weight = nullptr;  ///< [C] affine scale or nullptr (= 1), element type `paramDtype`
  const void* bias = nullptr;    ///< [C] affine shift or nullptr (= 0), element type `paramDtype`
  GnDtype dtype = GnDtype::F32;
  GnDtype paramDtype = GnDtype::F32;
  GnLayout layout = GnLayout::Contiguous;
  int64_t N = 0, C = 0, S = 0;  ///< batch, channels, spatial elements (H·W)
  int64_t groups = 1;           ///< C % groups == 0
  float eps = 1e-5f;
  bool silu = false;
  int numSms = 132;  ///< multiprocessor count of the device (sizes the split reduction)
  void* workspace = nullptr;  ///< groupNormWorkspaceBytes(args) bytes of device memory, 16-byte aligned
};

/// Bytes of scratch device memory launchGroupNorm() needs for these arguments.
std::size_t groupNormWorkspaceBytes(const GroupNormArgs& a);

/// Whether the ChannelsLast kernels handle these arguments (they need C / vector width <= 512
/// threads per pixel row). When false, run the Contiguous layout on an NCHW copy instead.
bool groupNormChannelsLastSupported(const GroupNormArgs& a);

/// Enqueues the three kernels on `stream`. Returns cudaErrorInvalidValue for bad arguments
/// (null pointers, C % groups != 0, unsupported channels-last shape), else the launch status.
cudaError_t launchGroupNorm(const GroupNormArgs& a, cudaStream_t stream);

}  // namespace newbie::cuda
