#include "preview.h"

#include <algorithm>

namespace newbie {

namespace {
// ComfyUI comfy/latent_formats.py class Flux (MODEL-SPEC §6.3 a).
const std::array<std::array<float, 3>, 16> kFactors{{
    {-0.0346f, 0.0244f, 0.0681f},  {0.0034f, 0.0210f, 0.0687f},   {0.0275f, -0.0668f, -0.0433f},
    {-0.0174f, 0.0160f, 0.0617f},  {0.0859f, 0.0721f, 0.0329f},   {0.0004f, 0.0383f, 0.0115f},
    {0.0405f, 0.0861f, 0.0915f},   {-0.0236f, -0.0185f, -0.0259f}, {-0.0245f, 0.0250f, 0.1180f},
    {0.1008f, 0.0755f, -0.0421f},  {-0.0515f, 0.0201f, 0.0011f},  {0.0428f, -0.0012f, -0.0036f},
    {0.0817f, 0.0765f, 0.0749f},   {-0.1264f, -0.0522f, -0.1103f}, {-0.0280f, -0.0881f, -0.0499f},
    {-0.1262f, -0.0982f, -0.0778f},
}};
const std::array<float, 3> kBias{-0.0329f, -0.0718f, -0.0851f};

// float [H, W, 3] in ~[-1,1] on any device -> truncated uint8 RGB8 on the host.
RGBImage quantizeHwc(const torch::Tensor& rgb) {
  auto u8 = ((rgb + 1.0f) / 2.0f).clamp(0.0, 1.0).mul(255.0f).to(torch::kUInt8).contiguous().to(torch::kCPU);
  RGBImage out;
  out.height = static_cast<int>(u8.size(0));
  out.width = static_cast<int>(u8.size(1));
  out.rgb.assign(u8.data_ptr<uint8_t>(), u8.data_ptr<uint8_t>() + u8.numel());
  return out;
}

RGBImage nearestUpscale(const RGBImage& in, int f) {
  if (f <= 1) return in;
  RGBImage out;
  out.width = in.width * f;
  out.height = in.height * f;
  out.rgb.resize(static_cast<size_t>(out.width) * out.height * 3);
  for (int y = 0; y < out.height; ++y) {
    const uint8_t* src = in.rgb.data() + static_cast<size_t>(y / f) * in.width * 3;
    uint8_t* dst = out.rgb.data() + static_cast<size_t>(y) * out.width * 3;
    for (int x = 0; x < out.width; ++x) std::copy_n(src + (x / f) * 3, 3, dst + x * 3);
  }
  return out;
}
}  // namespace

const std::array<std::array<float, 3>, 16>& fluxLatentRgbFactors() { return kFactors; }
const std::array<float, 3>& fluxLatentRgbBias() { return kBias; }

torch::Tensor predictedX0(const torch::Tensor& x, double sigma, const torch::Tensor& v) {
  return x.to(torch::kFloat32) + v.to(torch::kFloat32) * sigma;
}

torch::Tensor latentToRgbLinear(const torch::Tensor& x0) {
  auto x = x0.dim() == 4 ? x0[0] : x0;  // [16, h, w]
  TORCH_CHECK(x.dim() == 3 && x.size(0) == 16, "latent preview: expected a [B,16,h,w] latent, got ", x0.sizes());
  const auto opts = torch::TensorOptions().dtype(torch::kFloat32);
  // Small constant tables: built on the host, copied with the (async where possible) upload.
  auto F = torch::from_blob(const_cast<float*>(kFactors[0].data()), {16, 3}, opts).to(x.device());
  auto b = torch::from_blob(const_cast<float*>(kBias.data()), {3}, opts).to(x.device());
  // rgb[h,w,:] = sum_c x0[c,h,w] F[c,:] + bias
  return torch::matmul(x.to(torch::kFloat32).permute({1, 2, 0}), F) + b;  // [h, w, 3]
}

RGBImage linearPreview(const torch::Tensor& x0, const PreviewOptions& options) {
  torch::NoGradGuard ng;
  const int f = std::clamp(options.upscale, 1, 8);
  auto rgb = latentToRgbLinear(x0);  // [h, w, 3]
  if (f > 1 && options.filter == PreviewUpscale::Bilinear) {
    namespace Fn = torch::nn::functional;
    auto chw = rgb.permute({2, 0, 1}).unsqueeze(0);
    chw = Fn::interpolate(chw, Fn::InterpolateFuncOptions()
                                   .size(std::vector<int64_t>{rgb.size(0) * f, rgb.size(1) * f})
                                   .mode(torch::kBilinear)
                                   .align_corners(false));
    return quantizeHwc(chw[0].permute({1, 2, 0}));
  }
  auto img = quantizeHwc(rgb);
  return options.filter == PreviewUpscale::None ? img : nearestUpscale(img, f);
}

RGBImage previewImageToRGB8(const torch::Tensor& image) {
  torch::NoGradGuard ng;
  auto x = image.dim() == 4 ? image[0] : image;
  TORCH_CHECK(x.dim() == 3 && x.size(0) == 3, "preview: expected an image [B,3,H,W], got ", image.sizes());
  return quantizeHwc(x.to(torch::kFloat32).permute({1, 2, 0}));
}

}  // namespace newbie
