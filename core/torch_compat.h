#pragma once
// Version switches between Debian's LibTorch 1.13 (CPU) and PyTorch 2.x LibTorch (CUDA).
#include <torch/version.h>

#define NEWBIE_TORCH_AT_LEAST(maj, min) \
  (TORCH_VERSION_MAJOR > (maj) || (TORCH_VERSION_MAJOR == (maj) && TORCH_VERSION_MINOR >= (min)))

// float8 dtypes (kFloat8_e4m3fn / kFloat8_e5m2) appeared in 2.1.
#define NEWBIE_TORCH_HAS_FP8 NEWBIE_TORCH_AT_LEAST(2, 1)
// at::scaled_dot_product_attention appeared in 2.0; enable_gqa in 2.5.
#define NEWBIE_TORCH_HAS_SDPA NEWBIE_TORCH_AT_LEAST(2, 0)
#define NEWBIE_TORCH_HAS_SDPA_GQA NEWBIE_TORCH_AT_LEAST(2, 5)
// at::_scaled_mm with row-wise float32 scales (scale_a [M,1], scale_b [1,N]) and a bf16 output: 2.5.
#define NEWBIE_TORCH_HAS_SCALED_MM_ROWWISE NEWBIE_TORCH_AT_LEAST(2, 5)
