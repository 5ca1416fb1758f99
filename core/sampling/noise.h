#pragma once
// Initial latent noise. Always drawn on the CPU in fp32 with a CPU generator, then moved, so the
// same seed gives the same noise (and image) on CPU and CUDA.

#include <cstdint>
#include <filesystem>
#include <vector>

#include <torch/torch.h>

namespace newbie::sampling {

/// N(0, I) noise of `shape` (e.g. [1,16,H/8,W/8]) from `seed`, fp32, on `device`.
/// Deterministic for a given LibTorch version (CPU mt19937 generator).
torch::Tensor makeNoise(uint64_t seed, const std::vector<int64_t>& shape, const torch::Device& device = torch::kCPU);

/// Reads the tensor named `noise` from a safetensors file as fp32 on `device`. When
/// `expectedShape` is not empty the shape must match exactly (a [16,h,w] tensor is accepted for a
/// [1,16,h,w] request). Throws InvalidParamsError naming the file, the shape found and expected.
torch::Tensor loadNoise(const std::filesystem::path& file, const std::vector<int64_t>& expectedShape = {},
                        const torch::Device& device = torch::kCPU);

}  // namespace newbie::sampling
