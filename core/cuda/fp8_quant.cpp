#include "cuda/fp8_quant.h"

#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>

#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include "cuda/fp8_quant_launch.h"
#include "torch_compat.h"

namespace newbie::cuda {

std::pair<torch::Tensor, torch::Tensor> quantizeRowsFp8(const torch::Tensor& xIn) {
  auto bad = [&](const std::string& what) {
    std::ostringstream o;
    o << "fused fp8 quantiser: " << what << " (x: " << xIn.sizes() << " "
      << (xIn.defined() ? std::string(c10::toString(xIn.scalar_type())) + " on " + xIn.device().str() : "undefined")
      << ")";
    throw std::invalid_argument(o.str());
  };
  if (!xIn.defined()) bad("x is undefined");
  if (!xIn.is_cuda()) bad("expects a CUDA tensor");
  if (xIn.dim() != 2) bad("expects a 2-D [M, K] tensor");
  Fp8InType t = Fp8InType::F32;
  switch (xIn.scalar_type()) {
    case torch::kFloat32: t = Fp8InType::F32; break;
    case torch::kBFloat16: t = Fp8InType::BF16; break;
    case torch::kFloat16: t = Fp8InType::F16; break;
    default: bad("supports float32/bfloat16/float16 only");
  }
  const int64_t M = xIn.size(0), K = xIn.size(1);
  if (K % 16 != 0) bad("K = " + std::to_string(K) + " is not a multiple of 16");
#if !NEWBIE_TORCH_HAS_FP8
  (void)t;
  (void)M;
  throw std::runtime_error("fused fp8 quantiser: this LibTorch (" TORCH_VERSION
                           ") has no float8 dtypes (needs >= 2.1)");
#else
  auto x = xIn.contiguous();
  if (reinterpret_cast<std::uintptr_t>(x.data_ptr()) % 16 != 0) x = x.clone();  // 16-byte vector loads
  const c10::cuda::CUDAGuard guard(x.device());
  auto q = torch::empty({M, K}, x.options().dtype(at::kFloat8_e4m3fn));
  auto scale = torch::empty({M, 1}, x.options().dtype(torch::kFloat32));
  if (M == 0) return {q, scale};
  const cudaStream_t stream = c10::cuda::getCurrentCUDAStream(x.device().index()).stream();
  cudaError_t e = launchQuantizeRowsFp8(t, x.data_ptr(), M, K, static_cast<uint8_t*>(q.data_ptr()),
                                        scale.data_ptr<float>(), stream);
  if (e == cudaSuccess) e = cudaGetLastError();
  if (e != cudaSuccess)
    throw std::runtime_error(std::string("fused fp8 quantiser: launch failed for [") + std::to_string(M) + ", " +
                             std::to_string(K) + "]: " + cudaGetErrorString(e));
  return {q, scale};
#endif
}

}  // namespace newbie::cuda
