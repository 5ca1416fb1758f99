#include "models/taef1.h"

#include <stdexcept>

#include "io/upload.h"
#include "log/log.h"

namespace fs = std::filesystem;

namespace newbie::models {

namespace {
constexpr int kConvIdx[] = {1, 7, 12, 17, 19};
constexpr int kBlockIdx[] = {3, 4, 5, 8, 9, 10, 13, 14, 15, 18};

torch::nn::Conv2d conv3(int64_t in, int64_t out, bool bias) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1).bias(bias));
}
}  // namespace

Taef1Config Taef1Config::detect(const io::TensorStore& store, const std::string& prefix) {
  Taef1Config c;
  const auto first = prefix + "1.weight", last = prefix + "19.weight";
  if (!store.contains(first) || !store.contains(last))
    throw std::runtime_error("TAEF1: tensors '" + first + "' and '" + last + "' are required");
  const auto& a = store.info(first).shape;
  const auto& b = store.info(last).shape;
  if (a.size() != 4 || b.size() != 4) throw std::runtime_error("TAEF1: '" + first + "' and '" + last + "' must be 4-D");
  c.width = a[0];
  c.latentChannels = a[1];
  c.outChannels = b[0];
  return c;
}

Taef1BlockImpl::Taef1BlockImpl(int64_t n) {
  conv = register_module("conv", torch::nn::Sequential(conv3(n, n, true), torch::nn::ReLU(), conv3(n, n, true),
                                                       torch::nn::ReLU(), conv3(n, n, true)));
}

torch::Tensor Taef1BlockImpl::forward(const torch::Tensor& x) { return torch::relu(conv->forward(x) + x); }

Taef1DecoderImpl::Taef1DecoderImpl(const Taef1Config& cfg) : cfg_(cfg) {
  const int64_t w = cfg.width;
  for (int i : kConvIdx) {
    const int64_t in = i == 1 ? cfg.latentChannels : w;
    const int64_t out = i == 19 ? cfg.outChannels : w;
    const bool bias = i == 1 || i == 19;  // the convs after each upsample have no bias
    convs_.emplace(i, register_module(std::to_string(i), conv3(in, out, bias)));
  }
  for (int i : kBlockIdx) blocks_.emplace(i, register_module(std::to_string(i), Taef1Block(w)));
}

torch::Tensor Taef1DecoderImpl::forwardRaw(const torch::Tensor& latent) {
  TORCH_CHECK(latent.dim() == 4 && latent.size(1) == cfg_.latentChannels, "TAEF1: expected a latent [B, ",
              cfg_.latentChannels, ", h, w], got ", latent.sizes());
  namespace F = torch::nn::functional;
  const auto& wt = convs_.at(1)->weight;
  auto x = latent.to(wt.device(), wt.scalar_type());
  x = torch::tanh(x / 3) * 3;               // 0: Clamp
  x = torch::relu(convs_.at(1)(x));         // 1, 2
  auto up = [&](const torch::Tensor& t) {   // nearest ×2 (6, 11, 16)
    return F::interpolate(t, F::InterpolateFuncOptions().scale_factor(std::vector<double>{2.0, 2.0}).mode(torch::kNearest));
  };
  for (int i : {3, 4, 5}) x = blocks_.at(i)(x);
  x = convs_.at(7)(up(x));
  for (int i : {8, 9, 10}) x = blocks_.at(i)(x);
  x = convs_.at(12)(up(x));
  for (int i : {13, 14, 15}) x = blocks_.at(i)(x);
  x = convs_.at(17)(up(x));
  x = blocks_.at(18)(x);
  x = convs_.at(19)(x);  // [B, 3, 8h, 8w] in ~[0, 1]
  return x.to(torch::kFloat32);
}

torch::Tensor Taef1DecoderImpl::forward(const torch::Tensor& latent) { return forwardRaw(latent) * 2.0f - 1.0f; }

Taef1Decoder loadTaef1(const fs::path& path, torch::Device device, c10::ScalarType dtype) {
  io::refusePickle(path);
  if (!fs::exists(path))
    throw std::runtime_error("TAEF1 previews were requested but " + path.string() +
                             " does not exist. Download taef1_decoder.safetensors (madebyollin/taesd) into that "
                             "place, or use the linear preview.");
  auto store = io::TensorStore::open(path);
  std::string prefix;
  if (store.contains("taesd_decoder.1.weight")) prefix = "taesd_decoder.";
  else if (!store.contains("1.weight"))
    throw std::runtime_error(path.string() +
                             ": not a TAEF1 decoder (no '1.weight' or 'taesd_decoder.1.weight' tensor)");
  const auto cfg = Taef1Config::detect(store, prefix);
  Taef1Decoder m(cfg);
  m->to(device, dtype);
  m->eval();
  torch::NoGradGuard ng;
  io::Uploader up(device);
  for (auto& kv : m->named_parameters(true)) {
    const auto key = prefix + kv.key();
    if (!store.contains(key))
      throw std::runtime_error(path.string() + ": missing tensor '" + key + "' (expected shape " +
                               io::shapeString(kv.value().sizes()) + ")");
    auto t = store.tensor(key);
    if (t.sizes() != kv.value().sizes())
      throw std::runtime_error(path.string() + ": tensor '" + key + "' has shape " + io::shapeString(t.sizes()) +
                               ", expected " + io::shapeString(kv.value().sizes()));
    up.uploadInto(t, kv.value());
  }
  up.finish();
  log::info("TAEF1 decoder loaded from {}", path.string());
  return m;
}

}  // namespace newbie::models
