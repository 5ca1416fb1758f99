#pragma once
// Cheap step previews (MODEL-SPEC §6.3 a): the ComfyUI Flux linear latent→RGB map applied to
// the predicted x0 in model space, quantised with truncation like ComfyUI.
//
// Cost: one small matmul on the latent's device and one device→host copy of an
// h×w×3 uint8 image (h, w = latent size), plus an optional upscale. No other host syncs.
// Stateless and thread-safe.

#include <array>
#include <cstdint>

#include <torch/torch.h>

#include "api/types.h"

namespace newbie {

/// The 16×3 ComfyUI Flux factors (row c = latent channel c) and the RGB bias.
const std::array<std::array<float, 3>, 16>& fluxLatentRgbFactors();
const std::array<float, 3>& fluxLatentRgbBias();

/// Predicted x0 from the state x at noise level sigma and the (guided) model output v,
/// with this project's sign convention: x0 = x + sigma·v. Shapes [B,16,h,w]; float32 result.
torch::Tensor predictedX0(const torch::Tensor& x, double sigma, const torch::Tensor& v);

/// Linear map: x0 [B,16,h,w] or [16,h,w] (any device/dtype; batch item 0 is used) ->
/// float RGB [h, w, 3] in ~[-1,1], on x0's device.
torch::Tensor latentToRgbLinear(const torch::Tensor& x0);

enum class PreviewUpscale { None, Nearest, Bilinear };

struct PreviewOptions {
  int upscale = 1;  ///< 1..8 (×8 = image size); values outside are clamped
  PreviewUpscale filter = PreviewUpscale::Nearest;
};

/// x0 -> RGB8 preview: u8 = trunc(clamp((rgb+1)/2, 0, 1)·255) at latent resolution, then
/// upscaled (nearest on the host after the copy; bilinear on the device before quantising).
RGBImage linearPreview(const torch::Tensor& x0, const PreviewOptions& options = {});

/// Image in ~[-1,1], [B,3,H,W] (item 0) or [3,H,W] -> RGB8 with the preview's truncating
/// conversion (used for TAEF1 previews).
RGBImage previewImageToRGB8(const torch::Tensor& image);

}  // namespace newbie
