#pragma once
// FLUX.1 VAE decoder (diffusers AutoencoderKL decoder, MODEL-SPEC §6.1–§6.2).
//
// Loads the decoder half of either naming:
//   - diffusers `vae/diffusion_pytorch_model.safetensors` (`decoder.*`; `encoder.*` ignored),
//   - BFL `ae.safetensors` (`decoder.mid.block_1`, `decoder.up.{3-i}.block.j`, 1×1-conv attention
//     weights [C,C,1,1] squeezed to [C,C], ...).
// The module's children use the diffusers names (without the `decoder.` prefix), so
// named_parameters() == diffusers keys minus `decoder.`.
//
// Conventions: decode(z) takes the raw decoder input z_vae; decodeModelLatent(latent) applies
// `latent / scaling + shift` first (0.3611 / 0.1159 for FLUX). Images come back as
// [B, 3, 8h, 8w] in ~[-1, 1] (not clamped), in float32 whatever the compute dtype.
//
// Precision: float32 or bfloat16. float16 overflows in this VAE and is refused unless
// `allowFp16` is set (then a warning is logged).
// Thread-safety: a loaded FluxVaeDecoder is read-only during decode; concurrent decodes on
// the same module from several threads are safe as long as nobody changes its parameters.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "api/types.h"
#include "io/safetensors.h"

namespace newbie::models {

struct FluxVaeConfig {
  int64_t latentChannels = 16;
  int64_t outChannels = 3;
  std::vector<int64_t> blockOutChannels{128, 256, 512, 512};
  int64_t layersPerBlock = 2;
  int64_t normNumGroups = 32;
  double normEps = 1e-6;
  bool midBlockAttention = true;
  double scalingFactor = 0.3611;
  double shiftFactor = 0.1159;

  /// The real FLUX.1-dev VAE (the defaults above).
  static FluxVaeConfig flux1Dev() { return {}; }
  /// Reads a diffusers AutoencoderKL config.json. Throws std::runtime_error naming the file and
  /// the bad field. Missing optional fields keep the FLUX defaults.
  static FluxVaeConfig fromJsonFile(const std::filesystem::path& configJson);
  static FluxVaeConfig fromJsonText(const std::string& json, const std::string& label = "config.json");
  /// Derives the architecture from tensor shapes (either naming). norm_num_groups is not visible
  /// in the shapes: `normGroups` is used (32 for every known FLUX VAE). Scaling/shift keep the
  /// FLUX values.
  static FluxVaeConfig detect(const io::TensorStore& store, int64_t normGroups = 32);
  /// Upsampling factor (2^(levels-1) = 8 for FLUX).
  int64_t downscale() const { return int64_t{1} << (blockOutChannels.size() - 1); }
};

enum class VaeNaming { Diffusers, BFL };
/// Detects the naming from the keys; throws when neither decoder naming is present.
VaeNaming detectVaeNaming(const io::TensorStore& store);
/// Maps a diffusers decoder key (`decoder.mid_block.attentions.0.to_q.weight`) to its BFL name.
std::string diffusersToBflKey(const std::string& diffusersKey, int64_t numLevels);

struct VaeTiling {
  enum class Mode { Auto, Never, Always };
  Mode mode = Mode::Auto;
  int64_t tileLatent = 128;    ///< tile edge in latent pixels (×8 in image pixels)
  int64_t overlapLatent = 32;  ///< minimum overlap between neighbouring tiles, latent pixels
  /// Auto: tile when the latent area exceeds this (128² latent = a 1024² image) ...
  int64_t autoMaxLatentArea = 128 * 128;
  /// ... or when estimateDecodeBytes() exceeds this budget (0 = no budget).
  int64_t memoryBudgetBytes = 0;
};

/// Rough peak activation memory of an untiled decode (bytes), for the auto tiling rule.
int64_t estimateDecodeBytes(const FluxVaeConfig& cfg, int64_t latentH, int64_t latentW, c10::ScalarType dtype);

/// Tile start offsets covering [0, length) with tiles of `tile` and overlaps >= `overlap`.
std::vector<int64_t> tileStarts(int64_t length, int64_t tile, int64_t overlap);

// ---- building blocks (diffusers names) -------------------------------------------------

/// How a decoder runs (same math, different kernels/memory layout). Set from VaeLoadOptions by
/// the loaders; change with FluxVaeDecoderImpl::setChannelsLast / setFusedGroupNorm.
struct VaeExec {
  bool channelsLast = false;   ///< conv weights and activations in channels-last (NHWC) memory
  bool fusedGroupNorm = true;  ///< fused GroupNorm(+SiLU) CUDA kernel for CUDA tensors, when built in
};

/// GroupNorm `gn` of x, then SiLU if `silu`. Uses the fused CUDA kernel (newbie::cuda::groupNorm)
/// when ex.fusedGroupNorm, the build has NEWBIE_HAVE_CUDA_KERNELS, x is on CUDA and grad mode is
/// off — in place when x is the only reference to its storage; else gn(x) and an in-place silu_.
/// The result keeps x's memory format on the fused path.
torch::Tensor groupNormAct(torch::nn::GroupNorm& gn, torch::Tensor x, const VaeExec& ex, bool silu = true);

struct VaeResnetBlockImpl : torch::nn::Module {
  VaeResnetBlockImpl(int64_t inCh, int64_t outCh, int64_t groups, double eps);
  /// Pass x by std::move when it is not needed afterwards: its memory is then reused/released early.
  torch::Tensor forward(torch::Tensor x, const VaeExec& ex = {});
  torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv_shortcut{nullptr};
};
TORCH_MODULE(VaeResnetBlock);

/// Single-head self-attention over H·W with GroupNorm and residual (diffusers Attention).
struct VaeAttentionImpl : torch::nn::Module {
  VaeAttentionImpl(int64_t ch, int64_t groups, double eps);
  torch::Tensor forward(torch::Tensor x, const VaeExec& ex = {});
  torch::nn::GroupNorm group_norm{nullptr};
  torch::nn::Linear to_q{nullptr}, to_k{nullptr}, to_v{nullptr};
  torch::nn::ModuleList to_out{nullptr};  ///< [0] = Linear
  int64_t channels;
};
TORCH_MODULE(VaeAttention);

struct VaeUpsampleImpl : torch::nn::Module {
  explicit VaeUpsampleImpl(int64_t ch);
  torch::Tensor forward(torch::Tensor x);  ///< nearest ×2, then conv 3×3 (x released before the conv)
  torch::nn::Conv2d conv{nullptr};
};
TORCH_MODULE(VaeUpsample);

struct VaeMidBlockImpl : torch::nn::Module {
  VaeMidBlockImpl(int64_t ch, int64_t groups, double eps, bool attention);
  torch::Tensor forward(torch::Tensor x, const VaeExec& ex = {});
  torch::nn::ModuleList resnets{nullptr}, attentions{nullptr};
};
TORCH_MODULE(VaeMidBlock);

struct VaeUpBlockImpl : torch::nn::Module {
  VaeUpBlockImpl(int64_t inCh, int64_t outCh, int64_t numResnets, bool upsample, int64_t groups, double eps);
  torch::Tensor forward(torch::Tensor x, const VaeExec& ex = {});
  torch::nn::ModuleList resnets{nullptr}, upsamplers{nullptr};  ///< upsamplers empty on the last level
};
TORCH_MODULE(VaeUpBlock);

// ---- decoder ---------------------------------------------------------------------------

class FluxVaeDecoderImpl : public torch::nn::Module {
 public:
  explicit FluxVaeDecoderImpl(const FluxVaeConfig& cfg);

  /// Raw decoder: z_vae [B, latentC, h, w] (any dtype/device) -> image [B, 3, 8h, 8w] float32.
  /// Runs in the module's dtype. Never tiles.
  torch::Tensor forward(const torch::Tensor& zVae);
  /// decode() with the tiling rule of `tiling` (Auto by default).
  torch::Tensor decode(const torch::Tensor& zVae, const VaeTiling& tiling = {});
  /// Model-space latent -> image: decode(latent / scaling + shift).
  torch::Tensor decodeModelLatent(const torch::Tensor& latent, const VaeTiling& tiling = {});
  /// Tiled decode (always tiles when the latent is larger than one tile). Overlaps are blended
  /// with linear ramps in image space. An approximation: GroupNorm statistics and the mid-block
  /// attention become per-tile.
  torch::Tensor decodeTiled(const torch::Tensor& zVae, int64_t tileLatent, int64_t overlapLatent);
  /// Whether `tiling` decides to tile a latent of this size.
  bool wouldTile(int64_t latentH, int64_t latentW, const VaeTiling& tiling) const;

  const FluxVaeConfig& config() const { return cfg_; }
  c10::ScalarType dtype() const;
  torch::Device device() const;

  /// Channels-last (NHWC) memory for the conv weights (converted here) and the activations.
  /// Same results up to float rounding order. Not thread-safe against a running decode.
  void setChannelsLast(bool on);
  bool channelsLast() const { return exec_.channelsLast; }
  /// Use the fused GroupNorm(+SiLU) CUDA kernel when available (see groupNormAct()).
  void setFusedGroupNorm(bool on) { exec_.fusedGroupNorm = on; }
  bool fusedGroupNorm() const { return exec_.fusedGroupNorm; }
  /// Whether this build has the fused kernel (NEWBIE_HAVE_CUDA_KERNELS).
  static bool fusedGroupNormAvailable();

  torch::nn::Conv2d conv_in{nullptr};
  VaeMidBlock mid_block{nullptr};
  torch::nn::ModuleList up_blocks{nullptr};  ///< VaeUpBlock
  torch::nn::GroupNorm conv_norm_out{nullptr};
  torch::nn::Conv2d conv_out{nullptr};

 private:
  FluxVaeConfig cfg_;
  std::vector<VaeUpBlock> ups_;
  VaeExec exec_;
};
TORCH_MODULE(FluxVaeDecoder);

struct VaeLoadOptions {
  torch::Device device = torch::kCPU;
  c10::ScalarType dtype = torch::kFloat32;  ///< kFloat32 or kBFloat16
  bool allowFp16 = false;                   ///< float16 overflows; refused unless set
  int64_t normGroups = 32;                  ///< used only when no config.json is given
  /// Channels-last (NHWC) convs and activations; unset: on for CUDA, off on the CPU.
  std::optional<bool> channelsLast;
  /// Fused GroupNorm(+SiLU) CUDA kernel for CUDA decodes when built with NEWBIE_HAVE_CUDA_KERNELS.
  bool fusedGroupNorm = true;
};

/// Loads a decoder from a safetensors file (either naming). On a CUDA device with NEWBIE_CUDNN_BENCHMARK=1
/// in the environment this also turns on cuDNN autotuning (process-wide); by default cuDNN's heuristic
/// conv choice is kept (as fast here, and no trial workspaces on a size's first decode). `configJson` may be empty: the
/// config is then detected from the shapes. Every tensor is checked (presence, shape);
/// errors name the file, the tensor, and the expected/actual shapes.
FluxVaeDecoder loadFluxVae(const std::filesystem::path& weights, const std::filesystem::path& configJson,
                           const VaeLoadOptions& options = {});
FluxVaeDecoder loadFluxVae(const io::TensorStore& store, const FluxVaeConfig& cfg, const VaeLoadOptions& options = {},
                           const std::string& label = "vae");

/// A decoder with deterministic random weights (seeded CPU generator), e.g. the full
/// FLUX.1-dev config for benchmarks and the demo model.
/// Device options as in loadFluxVae (channels-last, fused norm, cuDNN autotuning on CUDA).
FluxVaeDecoder randomFluxVae(const FluxVaeConfig& cfg, uint64_t seed, const VaeLoadOptions& options = {});
/// The decoder's weights under diffusers names (`decoder.…`), CPU float32, for saving.
std::map<std::string, torch::Tensor> fluxVaeStateDict(FluxVaeDecoder& vae);

// ---- image conversion --------------------------------------------------------------------

enum class U8Rounding {
  Round,  ///< round(clamp((img+1)/2,0,1)·255): diffusers / PNG convention (default)
  Trunc,  ///< trunc(...): NB demo / torchvision to_pil_image
};
/// img [B,3,H,W] or [3,H,W] in ~[-1,1] (any device/dtype) -> uint8 [B,3,H,W] on the same device.
torch::Tensor imageToU8(const torch::Tensor& img, U8Rounding rounding = U8Rounding::Round);
/// First image of the batch -> RGB8 (HWC); one device->host copy of the uint8 image.
RGBImage imageToRGB8(const torch::Tensor& img, U8Rounding rounding = U8Rounding::Round);

}  // namespace newbie::models
