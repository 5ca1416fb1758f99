#include "cuda/group_norm.h"

#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>

#include "cuda/group_norm_launch.h"

namespace newbie::cuda {
namespace {

constexpr const char* kWho = "newbie::cuda::groupNorm";

GnDtype gnDtype(c10::ScalarType t, const char* what) {
  switch (t) {
    case at::kFloat: return GnDtype::F32;
    case at::kHalf: return GnDtype::F16;
    case at::kBFloat16: return GnDtype::BF16;
    default: break;
  }
  TORCH_CHECK(false, kWho, ": ", what, " has dtype ", t, "; expected float32, float16 or bfloat16");
  return GnDtype::F32;
}

void checkParam(const at::Tensor& p, const at::Tensor& x, int64_t C, const char* what) {
  if (!p.defined()) return;
  TORCH_CHECK(p.numel() == C, kWho, ": ", what, " has ", p.numel(), " elements (shape ", p.sizes(), "), expected C = ",
              C);
  TORCH_CHECK(p.device() == x.device(), kWho, ": ", what, " is on ", p.device(), " but x is on ", x.device());
  gnDtype(p.scalar_type(), what);
}

// Runs the kernels from `src` into `dst` (same shape/dtype/layout; dst may be src).
void launch(const at::Tensor& src, const at::Tensor& dst, GnLayout layout, int64_t groups, const at::Tensor& w,
            const at::Tensor& b, double eps, bool silu) {
  GroupNormArgs a;
  a.x = src.data_ptr();
  a.y = dst.data_ptr();
  a.weight = w.defined() ? w.data_ptr() : nullptr;
  a.bias = b.defined() ? b.data_ptr() : nullptr;
  a.dtype = gnDtype(src.scalar_type(), "x");
  a.paramDtype = w.defined() ? gnDtype(w.scalar_type(), "weight")
                             : (b.defined() ? gnDtype(b.scalar_type(), "bias") : GnDtype::F32);
  a.layout = layout;
  a.N = src.size(0);
  a.C = src.size(1);
  a.S = src.numel() / (a.N * a.C);
  a.groups = groups;
  a.eps = static_cast<float>(eps);
  a.silu = silu;
  a.numSms = at::cuda::getCurrentDeviceProperties()->multiProcessorCount;
  const std::size_t bytes = groupNormWorkspaceBytes(a);
  TORCH_CHECK(bytes > 0, kWho, ": no launch plan for x of shape ", src.sizes(), " with ", groups, " groups");
  auto ws = at::empty({static_cast<int64_t>((bytes + 3) / 4)}, src.options().dtype(at::kFloat));
  a.workspace = ws.data_ptr();
  const cudaError_t err = launchGroupNorm(a, c10::cuda::getCurrentCUDAStream());
  TORCH_CHECK(err == cudaSuccess, kWho, ": kernel launch failed for x ", src.sizes(), " (", src.scalar_type(),
              "): ", cudaGetErrorString(err));
}

// out == nullptr: a new tensor; else the result is written into *out (== x).
at::Tensor run(const at::Tensor& x, int64_t groups, const at::Tensor& weight, const at::Tensor& bias, double eps,
               bool silu, bool inPlace) {
  TORCH_CHECK(x.defined() && x.is_cuda(), kWho, ": x must be a CUDA tensor",
              x.defined() ? std::string(", got one on ") + x.device().str() : std::string());
  TORCH_CHECK(x.dim() >= 2, kWho, ": expected x [N, C, *], got shape ", x.sizes());
  gnDtype(x.scalar_type(), "x");
  const int64_t N = x.size(0), C = x.size(1);
  TORCH_CHECK(groups > 0 && C % groups == 0, kWho, ": C = ", C, " is not divisible by groups = ", groups);
  checkParam(weight, x, C, "weight");
  checkParam(bias, x, C, "bias");
  TORCH_CHECK(!(at::GradMode::is_enabled() && (x.requires_grad() || (weight.defined() && weight.requires_grad()) ||
                                               (bias.defined() && bias.requires_grad()))),
              kWho, ": not differentiable; call it under NoGradGuard / InferenceMode");
  if (x.numel() == 0 || N == 0) return inPlace ? x : at::empty_like(x);
  c10::cuda::CUDAGuard guard(x.device());
  // Parameters: one float dtype for both, contiguous.
  at::Tensor w = weight, b = bias;
  if (w.defined() && b.defined() && w.scalar_type() != b.scalar_type()) {
    w = w.to(at::kFloat);
    b = b.to(at::kFloat);
  }
  if (w.defined()) w = w.contiguous().view({C});
  if (b.defined()) b = b.contiguous().view({C});

  if (x.is_contiguous()) {
    at::Tensor y = inPlace ? x : at::empty_like(x, at::MemoryFormat::Contiguous);
    launch(x, y, GnLayout::Contiguous, groups, w, b, eps, silu);
    return y;
  }
  if (x.dim() == 4 && x.is_contiguous(at::MemoryFormat::ChannelsLast)) {
    GroupNormArgs probe;
    probe.x = x.data_ptr();
    probe.y = x.data_ptr();
    probe.dtype = gnDtype(x.scalar_type(), "x");
    probe.N = N;
    probe.C = C;
    probe.S = x.size(2) * x.size(3);
    probe.groups = groups;
    if (groupNormChannelsLastSupported(probe)) {
      at::Tensor y = inPlace ? x : at::empty_like(x, at::MemoryFormat::ChannelsLast);
      launch(x, y, GnLayout::ChannelsLast, groups, w, b, eps, silu);
      return y;
    }
  }
  // Other strides (or a channels-last shape the NHWC kernels do not cover): via NCHW.
  const auto fmt = x.dim() == 4 && x.is_contiguous(at::MemoryFormat::ChannelsLast) ? at::MemoryFormat::ChannelsLast
                                                                                    : at::MemoryFormat::Contiguous;
  at::Tensor xc = x.contiguous();
  launch(xc, xc, GnLayout::Contiguous, groups, w, b, eps, silu);
  if (inPlace) {
    const_cast<at::Tensor&>(x).copy_(xc);
    return x;
  }
  return xc.contiguous(fmt);
}

}  // namespace

at::Tensor groupNorm(const at::Tensor& x, int64_t groups, const at::Tensor& weight, const at::Tensor& bias, double eps,
                     bool silu) {
  return run(x, groups, weight, bias, eps, silu, false);
}

at::Tensor& groupNorm_(at::Tensor& x, int64_t groups, const at::Tensor& weight, const at::Tensor& bias, double eps,
                       bool silu) {
  run(x, groups, weight, bias, eps, silu, true);
  return x;
}

}  // namespace newbie::cuda
