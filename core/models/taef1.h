#pragma once
// TAEF1: the tiny FLUX latent decoder (madebyollin/taesd `taef1_decoder.safetensors`) used for
// better-looking step previews (MODEL-SPEC §6.3 b).
//
// Input is the MODEL-space latent x0 (no scaling/shift: ComfyUI's previewer passes x0 as is);
// output is an image [B, 3, 8h, 8w] in ~[-1, 1] (the network's [0,1] output ·2 − 1).
// Keys: `{idx}.…` (decoder-only file) or `taesd_decoder.{idx}.…`; children are registered
// under the Sequential indices so named_parameters() equals the bare keys.
// Pickle (.pth) files are refused. Thread-safety: read-only after loading.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include <torch/torch.h>

#include "io/safetensors.h"

namespace newbie::models {

struct Taef1Config {
  int64_t latentChannels = 16;
  int64_t width = 64;  ///< hidden channels
  int64_t outChannels = 3;
  /// From shapes (`1.weight` [width, latent, 3, 3], `19.weight` [3, width, 3, 3]); `prefix` is
  /// "" or "taesd_decoder.".
  static Taef1Config detect(const io::TensorStore& store, const std::string& prefix);
};

/// Block(n, n) = ReLU(conv(ReLU(conv(ReLU(conv(x))))) + x); keys conv.0 / conv.2 / conv.4.
struct Taef1BlockImpl : torch::nn::Module {
  explicit Taef1BlockImpl(int64_t n);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Sequential conv{nullptr};
};
TORCH_MODULE(Taef1Block);

class Taef1DecoderImpl : public torch::nn::Module {
 public:
  explicit Taef1DecoderImpl(const Taef1Config& cfg);
  /// Network output in [0,1]: latent [B,16,h,w] (model space) -> [B,3,8h,8w], float32.
  torch::Tensor forwardRaw(const torch::Tensor& latent);
  /// forwardRaw()·2 − 1: image in ~[-1,1], float32.
  torch::Tensor forward(const torch::Tensor& latent);
  const Taef1Config& config() const { return cfg_; }

 private:
  Taef1Config cfg_;
  std::map<int, torch::nn::Conv2d> convs_;  // indices 1, 7, 12, 17, 19
  std::map<int, Taef1Block> blocks_;        // indices 3-5, 8-10, 13-15, 18
};
TORCH_MODULE(Taef1Decoder);

/// Loads `taef1_decoder.safetensors`. Throws std::runtime_error with a helpful message when the
/// file is absent (where to get it, where to put it), is a pickle, or has a missing or
/// mis-shaped tensor (named).
Taef1Decoder loadTaef1(const std::filesystem::path& path, torch::Device device = torch::kCPU,
                       c10::ScalarType dtype = torch::kFloat32);

}  // namespace newbie::models
