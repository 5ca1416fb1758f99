#include "models/fp8_linear.h"

#include <sstream>
#include <stdexcept>

#include "torch_compat.h"

#if NEWBIE_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif
#if NEWBIE_HAVE_CUDA_KERNELS
#include "cuda/fp8_quant.h"
#endif


namespace newbie::models {
namespace {

std::string describe(const torch::Tensor& t) {
  if (!t.defined()) return "undefined";
  std::ostringstream o;
  o << t.sizes() << " " << c10::toString(t.scalar_type()) << " on " << t.device().str();
  return o.str();
}

void checkRows(const char* fn, const torch::Tensor& x) {
  if (!x.defined() || x.dim() != 2 || !x.is_floating_point())
    throw std::invalid_argument(std::string(fn) + ": expects a 2-D floating-point [M, K] tensor, got " + describe(x));
}

[[maybe_unused]] std::string noFp8Dtypes() {
  return std::string("fp8: this LibTorch (") + TORCH_VERSION + ") has no float8 dtypes (needs LibTorch >= 2.1)";
}

}  // namespace

std::string fp8Unsupported(const torch::Device& device) {
#if !NEWBIE_TORCH_HAS_SCALED_MM_ROWWISE
  return std::string("needs LibTorch >= 2.5 (float8 dtypes and row-wise scaled at::_scaled_mm); this is LibTorch ") +
         TORCH_VERSION + " and the device is " + device.str() +
         (device.is_cuda() ? "" : " (it also needs a CUDA GPU of compute capability >= 8.9)");
#else
  if (!device.is_cuda())
    return "needs a CUDA GPU of compute capability >= 8.9 (Ada, Hopper or newer); the device is " + device.str();
#if NEWBIE_WITH_CUDA
  if (!torch::cuda::is_available()) return "needs a CUDA GPU of compute capability >= 8.9; no CUDA device is available";
  const int idx = device.has_index() ? static_cast<int>(device.index()) : static_cast<int>(c10::cuda::current_device());
  const cudaDeviceProp* p = at::cuda::getDeviceProperties(idx);
  if (p->major * 10 + p->minor < 89)
    return "needs a GPU of compute capability >= 8.9 (float8 tensor cores: Ada, Hopper or newer); cuda:" +
           std::to_string(idx) + " (" + p->name + ") has " + std::to_string(p->major) + "." + std::to_string(p->minor);
  return {};
#else
  return std::string("needs a CUDA build of LibTorch and a GPU of compute capability >= 8.9; this LibTorch (") +
         TORCH_VERSION + ") is CPU-only";
#endif
#endif
}

void requireFp8Support(const torch::Device& device) {
  const std::string why = fp8Unsupported(device);
  if (!why.empty()) throw std::runtime_error("fp8 precision: " + why + " (use bf16 instead)");
}

Fp8Rows quantizeRowsFp8Reference(const torch::Tensor& x) {
  checkRows("quantizeRowsFp8Reference", x);
#if !NEWBIE_TORCH_HAS_FP8
  throw std::runtime_error(noFp8Dtypes());
#else
  // Every step is an exact or correctly rounded float32 op, so the fused kernel can reproduce the bits:
  // |x| and the max are exact; the scale is ONE division by a tensor of 448s (a CPU-scalar divisor would
  // become a multiplication by 1/448 on CUDA); x/scale is a true division; the cast rounds to nearest even.
  auto xf = x.to(torch::kFloat32);
  auto amax = xf.abs().amax(-1, /*keepdim=*/true);  // [M, 1]
  auto scale = amax.clamp_min(kFp8AmaxFloor).div(torch::full_like(amax, kE4m3Max));
  auto q = xf.div(scale).clamp_(-kE4m3Max, kE4m3Max).to(at::kFloat8_e4m3fn);
  return {q, scale};
#endif
}

Fp8Rows quantizeRowsFp8(const torch::Tensor& x) {
  checkRows("quantizeRowsFp8", x);
  if (x.size(1) % 16 != 0)
    throw std::invalid_argument("quantizeRowsFp8: K = " + std::to_string(x.size(1)) +
                                " is not a multiple of 16 (fp8 GEMM layout rule), x: " + describe(x));
#if NEWBIE_HAVE_CUDA_KERNELS
  if (x.is_cuda()) {
    auto r = newbie::cuda::quantizeRowsFp8(x);
    return {r.first, r.second};
  }
#endif
  return quantizeRowsFp8Reference(x);
}

Fp8Weight quantizeWeightFp8(const torch::Tensor& w) {
  checkRows("quantizeWeightFp8", w);
  const int64_t N = w.size(0), K = w.size(1);
  if (K % 16 != 0 || N % 16 != 0)
    throw std::invalid_argument("quantizeWeightFp8: weight " + describe(w) +
                                ": in and out features must be multiples of 16 for the fp8 GEMM");
  auto r = quantizeRowsFp8Reference(w);
  return {r.q.contiguous(), r.scale.view({1, N}).contiguous()};
}

torch::Tensor dequantizeFp8(const Fp8Weight& w) {
  if (!w.w8.defined()) throw std::invalid_argument("dequantizeFp8: the weight is not quantised");
  return w.w8.to(torch::kFloat32).mul_(w.scale.view({-1, 1}).to(torch::kFloat32));
}

torch::Tensor fp8Linear(const torch::Tensor& x, const Fp8Weight& w, const torch::Tensor& bias) {
  if (!w.w8.defined()) throw std::invalid_argument("fp8Linear: the weight is not quantised");
  const int64_t K = w.inFeatures(), N = w.outFeatures();
  if (!x.defined() || x.dim() < 1 || x.size(-1) != K)
    throw std::invalid_argument("fp8Linear: x " + describe(x) + " does not end in the weight's " +
                                std::to_string(K) + " in features (weight [" + std::to_string(N) + ", " +
                                std::to_string(K) + "])");
  auto outShape = x.sizes().vec();
  outShape.back() = N;
  const Fp8Rows r = quantizeRowsFp8(x.reshape({-1, K}));  // q: [M, K], scale: [M, 1]
  torch::Tensor y;                                        // [M, N]
#if NEWBIE_WITH_CUDA && NEWBIE_TORCH_HAS_SCALED_MM_ROWWISE
  if (x.is_cuda()) {
    // mat2 = w8ᵀ: [K, N] column-major, as the fp8 GEMM wants; scales [M,1] and [1,N] float32.
    y = at::_scaled_mm(r.q, w.w8.t(), r.scale, w.scale, std::nullopt, std::nullopt, at::ScalarType::BFloat16,
                       /*use_fast_accum=*/true);
    if (x.scalar_type() != torch::kBFloat16) y = y.to(x.scalar_type());
  } else
#endif
  {
    // Emulation of the same math: exact dequantised operands, float32 GEMM, rounded once to x's dtype.
    auto a = r.q.to(torch::kFloat32).mul_(r.scale);
    y = torch::matmul(a, dequantizeFp8(w).t()).to(x.scalar_type());
  }
  if (bias.defined()) y.add_(bias.to(y.scalar_type()));
  return y.view(outShape);
}

}  // namespace newbie::models
