#include "cuda/dit_fused.h"

#include <stdexcept>
#include <string>

#include <c10/cuda/CUDAStream.h>

#include "cuda/dit_fused_launch.h"
#include "io/safetensors.h"

namespace newbie::cuda {
namespace {

std::string shape(const torch::Tensor& t) { return io::shapeString(t.sizes()); }

[[noreturn]] void bad(const char* fn, const std::string& what) {
  throw std::invalid_argument(std::string("fused kernel ") + fn + ": " + what);
}

DType dtypeOf(const char* fn, const torch::Tensor& t) {
  if (!t.is_cuda()) bad(fn, "expects CUDA tensors, got one on " + t.device().str());
  switch (t.scalar_type()) {
    case torch::kFloat32: return DType::F32;
    case torch::kBFloat16: return DType::BF16;
    case torch::kFloat16: return DType::F16;
    default:
      bad(fn, std::string("supports float32/bfloat16/float16, got ") + std::string(c10::toString(t.scalar_type())));
  }
}

void sameType(const char* fn, const char* name, const torch::Tensor& t, const torch::Tensor& ref) {
  if (t.scalar_type() != ref.scalar_type() || t.device() != ref.device())
    bad(fn, std::string(name) + " must be " + std::string(c10::toString(ref.scalar_type())) + " on " +
                ref.device().str() + ", got " + std::string(c10::toString(t.scalar_type())) + " on " +
                t.device().str());
}

/// Sample stride of a per-sample vector ([D], [G,1,D] or [G,D]) for G samples of rows.
int64_t sampleStride(const char* fn, const char* name, const torch::Tensor& s, int64_t groups, int64_t dim) {
  if (!s.defined()) bad(fn, std::string(name) + " is missing");
  if (s.size(-1) != dim || s.stride(-1) != 1)
    bad(fn, std::string(name) + " must end in " + std::to_string(dim) + " contiguous values, got " + shape(s));
  if (s.dim() == 1) return 0;
  for (int64_t d = 1; d + 1 < s.dim(); ++d)
    if (s.size(d) != 1) bad(fn, std::string(name) + " must be [D], [G,1,D] or [G,D], got " + shape(s));
  if (s.size(0) == 1) return 0;
  if (s.size(0) != groups)
    bad(fn, std::string(name) + " has " + std::to_string(s.size(0)) + " samples for a batch of " +
                std::to_string(groups));
  return s.stride(0);
}

struct Rows {
  int64_t groups, perGroup, dim;
};
Rows rowsOf(const char* fn, const char* name, const torch::Tensor& x) {
  if (x.dim() < 2) bad(fn, std::string(name) + " must have at least 2 dims, got " + shape(x));
  if (!x.is_contiguous()) bad(fn, std::string(name) + " must be contiguous, got strides of shape " + shape(x));
  const int64_t dim = x.size(-1);
  const int64_t rows = x.numel() / std::max<int64_t>(dim, 1);
  const int64_t groups = x.dim() >= 3 ? x.size(0) : 1;
  return {groups, groups ? rows / groups : 0, dim};
}

cudaStream_t stream() { return c10::cuda::getCurrentCUDAStream().stream(); }

}  // namespace

torch::Tensor rmsNormScale(const torch::Tensor& x, const torch::Tensor& scale, double eps) {
  constexpr const char* fn = "rmsNormScale";
  const DType t = dtypeOf(fn, x);
  const Rows r = rowsOf(fn, "x", x);
  sameType(fn, "scale", scale, x);
  const int64_t ss = sampleStride(fn, "scale", scale, r.groups, r.dim);
  auto y = torch::empty_like(x);
  launchRmsNormScale(t, x.data_ptr(), y.data_ptr(), scale.data_ptr(), ss, std::max<int64_t>(r.perGroup, 1),
                     r.groups * r.perGroup, r.dim, static_cast<float>(eps), stream());
  return y;
}

torch::Tensor residualNorm(torch::Tensor& x, const torch::Tensor& a, const torch::Tensor& outScale,
                           const torch::Tensor& inScale, double eps) {
  constexpr const char* fn = "residualNorm";
  const DType t = dtypeOf(fn, x);
  const Rows r = rowsOf(fn, "x", x);
  sameType(fn, "a", a, x);
  if (a.sizes() != x.sizes()) bad(fn, "a must have x's shape " + shape(x) + ", got " + shape(a));
  const auto ac = a.contiguous();
  sameType(fn, "outScale", outScale, x);
  const int64_t so = sampleStride(fn, "outScale", outScale, r.groups, r.dim);
  torch::Tensor n;
  int64_t si = 0;
  if (inScale.defined()) {
    sameType(fn, "inScale", inScale, x);
    si = sampleStride(fn, "inScale", inScale, r.groups, r.dim);
    n = torch::empty_like(x);
  }
  launchResidualNorm(t, x.data_ptr(), ac.data_ptr(), outScale.data_ptr(), so, n.defined() ? n.data_ptr() : nullptr,
                     inScale.defined() ? inScale.data_ptr() : nullptr, si, std::max<int64_t>(r.perGroup, 1),
                     r.groups * r.perGroup, r.dim, static_cast<float>(eps), stream());
  return n;
}

torch::Tensor qkNormRope(const torch::Tensor& qkv, int64_t heads, int64_t headDim, const torch::Tensor& weight,
                         const torch::Tensor& cis, double eps) {
  constexpr const char* fn = "qkNormRope";
  const DType t = dtypeOf(fn, qkv);
  if (qkv.dim() != 3 || qkv.size(2) < heads * headDim || qkv.stride(2) != 1 || qkv.stride(1) < qkv.size(2) ||
      qkv.stride(0) != qkv.size(1) * qkv.stride(1))
    bad(fn, "qkv must be [B, S, >= " + std::to_string(heads * headDim) + "] with contiguous rows, got " + shape(qkv));
  if (headDim % 2 != 0 || headDim <= 0) bad(fn, "headDim must be even, got " + std::to_string(headDim));
  // RoPE pairs move as one access: the rows must start on a pair boundary.
  if (qkv.stride(1) % 2 != 0 || reinterpret_cast<uintptr_t>(qkv.data_ptr()) % (2 * qkv.element_size()) != 0)
    bad(fn, "qkv rows must start on an even element (row stride " + std::to_string(qkv.stride(1)) + ")");
  const int64_t B = qkv.size(0), S = qkv.size(1), half = headDim / 2;
  if (weight.defined()) {
    sameType(fn, "weight", weight, qkv);
    if (weight.dim() != 2 || weight.size(0) != heads || weight.size(1) != headDim || !weight.is_contiguous())
      bad(fn, "weight must be contiguous [" + std::to_string(heads) + ", " + std::to_string(headDim) + "], got " +
                  shape(weight));
  }
  if (!cis.defined() || cis.scalar_type() != torch::kComplexFloat || cis.device() != qkv.device())
    bad(fn, "cis must be complex64 on " + qkv.device().str());
  // cis: [Bc, S, 1, half] with Bc in {1, B} (the RoPE table views of NextDiT::runPass).
  auto c = cis.reshape({cis.dim() >= 3 ? cis.size(0) : 1, -1, half});
  if (c.size(1) != S || (c.size(0) != 1 && c.size(0) != B))
    bad(fn, "cis must be broadcastable to [" + std::to_string(B) + ", " + std::to_string(S) + ", 1, " +
                std::to_string(half) + "], got " + shape(cis));
  auto cr = torch::view_as_real(c.contiguous());  // [Bc, S, half, 2] float
  const int64_t cisStride = c.size(0) == 1 ? 0 : S * half * 2;
  auto out = torch::empty({B, S, heads, headDim}, qkv.options());
  launchQkNormRope(t, qkv.data_ptr(), qkv.stride(1), out.data_ptr(), weight.defined() ? weight.data_ptr() : nullptr,
                   cr.data_ptr<float>(), cisStride, S, B * S, static_cast<int>(heads), static_cast<int>(headDim),
                   static_cast<float>(eps), stream());
  return out;
}

torch::Tensor swiGlu(const torch::Tensor& h) {
  constexpr const char* fn = "swiGlu";
  const DType t = dtypeOf(fn, h);
  if (h.dim() < 1 || h.size(-1) % 2 != 0) bad(fn, "h must end in an even dim (w1 x | w3 x), got " + shape(h));
  if (!h.is_contiguous()) bad(fn, "h must be contiguous, got shape " + shape(h));
  const int64_t hidden = h.size(-1) / 2;
  auto sizes = h.sizes().vec();
  sizes.back() = hidden;
  auto out = torch::empty(sizes, h.options());
  launchSwiGlu(t, h.data_ptr(), out.data_ptr(), h.numel() / std::max<int64_t>(2 * hidden, 1), hidden, stream());
  return out;
}

}  // namespace newbie::cuda
