#include "models/flux_vae.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include "env_switch.h"
#include "log/log.h"
#include "models/common_layers.h"

#include "torch_compat.h"

#if NEWBIE_HAVE_CUDA_KERNELS
#include "cuda/group_norm.h"
#endif

namespace fs = std::filesystem;
namespace F = torch::nn::functional;

namespace newbie::models {

namespace {

bool startsWith(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

torch::nn::GroupNorm groupNorm(int64_t groups, int64_t ch, double eps) {
  return torch::nn::GroupNorm(torch::nn::GroupNormOptions(groups, ch).eps(eps).affine(true));
}
torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t k) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, k).padding(k / 2).bias(true));
}

}  // namespace

// ---- config ------------------------------------------------------------------------------

FluxVaeConfig FluxVaeConfig::fromJsonText(const std::string& text, const std::string& label) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    throw std::runtime_error(label + ": invalid JSON: " + e.what());
  }
  if (!j.is_object()) throw std::runtime_error(label + ": expected a JSON object (diffusers AutoencoderKL config)");
  FluxVaeConfig c;
  auto getInt = [&](const char* key, int64_t& out) {
    if (!j.contains(key)) return;
    if (!j[key].is_number_integer() || j[key].get<int64_t>() <= 0)
      throw std::runtime_error(label + ": field '" + key + "' must be a positive integer, got " + j[key].dump());
    out = j[key].get<int64_t>();
  };
  auto getNum = [&](const char* key, double& out) {
    if (!j.contains(key) || j[key].is_null()) return;
    if (!j[key].is_number()) throw std::runtime_error(label + ": field '" + key + "' must be a number, got " + j[key].dump());
    out = j[key].get<double>();
  };
  getInt("latent_channels", c.latentChannels);
  getInt("out_channels", c.outChannels);
  getInt("layers_per_block", c.layersPerBlock);
  getInt("norm_num_groups", c.normNumGroups);
  getNum("scaling_factor", c.scalingFactor);
  getNum("shift_factor", c.shiftFactor);
  if (j.contains("block_out_channels")) {
    const auto& b = j["block_out_channels"];
    if (!b.is_array() || b.empty())
      throw std::runtime_error(label + ": 'block_out_channels' must be a non-empty array, got " + b.dump());
    c.blockOutChannels.clear();
    for (const auto& v : b) {
      if (!v.is_number_integer() || v.get<int64_t>() <= 0)
        throw std::runtime_error(label + ": 'block_out_channels' holds a bad value " + v.dump());
      c.blockOutChannels.push_back(v.get<int64_t>());
    }
  }
  if (j.contains("mid_block_add_attention") && j["mid_block_add_attention"].is_boolean())
    c.midBlockAttention = j["mid_block_add_attention"].get<bool>();
  if (j.contains("act_fn") && j["act_fn"] != "silu")
    throw std::runtime_error(label + ": act_fn " + j["act_fn"].dump() + " is not supported (expected \"silu\")");
  if (j.value("use_post_quant_conv", false))
    throw std::runtime_error(label + ": use_post_quant_conv=true is not a FLUX VAE (expected false)");
  for (auto ch : c.blockOutChannels)
    if (ch % c.normNumGroups != 0)
      throw std::runtime_error(label + ": block_out_channels " + std::to_string(ch) + " is not divisible by norm_num_groups " +
                               std::to_string(c.normNumGroups));
  if (c.scalingFactor == 0) throw std::runtime_error(label + ": scaling_factor must not be 0");
  return c;
}

FluxVaeConfig FluxVaeConfig::fromJsonFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error(p.string() + ": cannot open VAE config");
  std::stringstream ss;
  ss << in.rdbuf();
  return fromJsonText(ss.str(), p.string());
}

VaeNaming detectVaeNaming(const io::TensorStore& store) {
  if (store.contains("decoder.conv_norm_out.weight") || store.contains("decoder.mid_block.resnets.0.conv1.weight"))
    return VaeNaming::Diffusers;
  if (store.contains("decoder.norm_out.weight") || store.contains("decoder.mid.block_1.conv1.weight"))
    return VaeNaming::BFL;
  std::string file = store.files().empty() ? std::string("vae") : store.files().front()->path().string();
  throw std::runtime_error(file +
                           ": no VAE decoder tensors found (expected diffusers 'decoder.conv_norm_out.weight' or BFL "
                           "'decoder.norm_out.weight')");
}

FluxVaeConfig FluxVaeConfig::detect(const io::TensorStore& store, int64_t normGroups) {
  const VaeNaming naming = detectVaeNaming(store);
  const std::string file = store.files().empty() ? std::string("vae") : store.files().front()->path().string();
  auto need = [&](const std::string& k) -> const io::TensorInfo& {
    if (!store.contains(k)) throw std::runtime_error(file + ": missing tensor '" + k + "' needed to detect the VAE config");
    return store.info(k);
  };
  FluxVaeConfig c;
  c.normNumGroups = normGroups;
  const auto& convIn = need("decoder.conv_in.weight");
  const auto& convOut = need("decoder.conv_out.weight");
  if (convIn.shape.size() != 4 || convOut.shape.size() != 4)
    throw std::runtime_error(file + ": decoder.conv_in/conv_out weights must be 4-D");
  c.latentChannels = convIn.shape[1];
  c.outChannels = convOut.shape[0];
  // Count levels and resnets per level.
  const std::string upPrefix = naming == VaeNaming::Diffusers ? "decoder.up_blocks." : "decoder.up.";
  int64_t levels = 0;
  int64_t resnets = 0;
  for (const auto& name : store.names()) {
    if (!startsWith(name, upPrefix)) continue;
    const auto rest = name.substr(upPrefix.size());
    levels = std::max<int64_t>(levels, std::stoll(rest.substr(0, rest.find('.'))) + 1);
    const std::string rn = naming == VaeNaming::Diffusers ? ".resnets." : ".block.";
    auto pos = rest.find(rn);
    if (pos != std::string::npos) {
      auto r = rest.substr(pos + rn.size());
      resnets = std::max<int64_t>(resnets, std::stoll(r.substr(0, r.find('.'))) + 1);
    }
  }
  if (levels < 1 || resnets < 1) throw std::runtime_error(file + ": cannot find the decoder's up blocks");
  c.layersPerBlock = resnets - 1;
  c.blockOutChannels.assign(static_cast<size_t>(levels), 0);
  for (int64_t k = 0; k < levels; ++k) {
    const std::string key = naming == VaeNaming::Diffusers
                                ? "decoder.up_blocks." + std::to_string(levels - 1 - k) + ".resnets.0.conv1.weight"
                                : "decoder.up." + std::to_string(k) + ".block.0.conv1.weight";
    c.blockOutChannels[static_cast<size_t>(k)] = need(key).shape.at(0);
  }
  c.midBlockAttention = store.contains("decoder.mid_block.attentions.0.to_q.weight") ||
                        store.contains("decoder.mid.attn_1.q.weight");
  return c;
}

std::string diffusersToBflKey(const std::string& key, int64_t numLevels) {
  const std::string pre = "decoder.";
  if (!startsWith(key, pre)) return key;
  std::string k = key.substr(pre.size());
  auto replacePrefix = [&](const std::string& from, const std::string& to) {
    if (startsWith(k, from)) {
      k = to + k.substr(from.size());
      return true;
    }
    return false;
  };
  if (replacePrefix("conv_norm_out.", "norm_out.")) return pre + k;
  if (replacePrefix("mid_block.resnets.0.", "mid.block_1.")) return pre + k;
  if (replacePrefix("mid_block.resnets.1.", "mid.block_2.")) return pre + k;
  if (replacePrefix("mid_block.attentions.0.", "mid.attn_1.")) {
    replacePrefix("mid.attn_1.group_norm.", "mid.attn_1.norm.") || replacePrefix("mid.attn_1.to_q.", "mid.attn_1.q.") ||
        replacePrefix("mid.attn_1.to_k.", "mid.attn_1.k.") || replacePrefix("mid.attn_1.to_v.", "mid.attn_1.v.") ||
        replacePrefix("mid.attn_1.to_out.0.", "mid.attn_1.proj_out.");
    return pre + k;
  }
  if (startsWith(k, "up_blocks.")) {
    std::string rest = k.substr(10);
    const auto dot = rest.find('.');
    const int64_t i = std::stoll(rest.substr(0, dot));
    rest = rest.substr(dot + 1);
    const std::string lvl = "up." + std::to_string(numLevels - 1 - i) + ".";
    if (startsWith(rest, "resnets.")) {
      rest = "block." + rest.substr(8);
      auto p = rest.find(".conv_shortcut.");
      if (p != std::string::npos) rest.replace(p, 15, ".nin_shortcut.");
    } else if (startsWith(rest, "upsamplers.0.")) {
      rest = "upsample." + rest.substr(13);
    }
    return pre + lvl + rest;
  }
  return key;
}

int64_t estimateDecodeBytes(const FluxVaeConfig& cfg, int64_t h, int64_t w, c10::ScalarType dtype) {
  const int64_t elem = static_cast<int64_t>(c10::elementSize(dtype));
  const int64_t f = cfg.downscale();
  // Peak is in the last level at full resolution: ~5 live tensors of blockOut[0] channels
  // (input, norm, activation, conv output, shortcut) plus the level above at half resolution.
  const int64_t full = cfg.blockOutChannels.front() * h * f * w * f * elem;
  int64_t attn = 0;
  if (cfg.midBlockAttention) {
    const int64_t n = h * w;
#if NEWBIE_TORCH_HAS_SDPA
    attn = 4 * n * cfg.blockOutChannels.back() * elem;
#else
    attn = std::min<int64_t>(n * n, int64_t{64} << 20) * 4;  // chunked fallback
#endif
  }
  return 5 * full + full + attn;
}

std::vector<int64_t> tileStarts(int64_t length, int64_t tile, int64_t overlap) {
  if (tile <= 0 || overlap < 0 || overlap >= tile)
    throw std::invalid_argument("VAE tiling: need 0 <= overlap < tile, got tile " + std::to_string(tile) + ", overlap " +
                                std::to_string(overlap));
  if (length <= tile) return {0};
  const int64_t stride = tile - overlap;
  const int64_t n = (length - overlap + stride - 1) / stride;  // ceil((L-O)/(T-O)) >= 2
  std::vector<int64_t> s(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)  // evenly spread; last tile ends exactly at `length`
    s[static_cast<size_t>(i)] = (i * (length - tile) + (n - 1) / 2) / (n - 1);
  return s;
}

// ---- blocks ------------------------------------------------------------------------------

#if NEWBIE_HAVE_CUDA_KERNELS
namespace {
// x is the only reference to its memory (no other tensor or view shares the storage).
bool exclusive(const torch::Tensor& x) { return x.use_count() == 1 && x.storage().use_count() == 1; }
}  // namespace
#endif

torch::Tensor groupNormAct(torch::nn::GroupNorm& gn, torch::Tensor x, const VaeExec& ex, bool silu) {
#if NEWBIE_HAVE_CUDA_KERNELS
  if (ex.fusedGroupNorm && x.is_cuda() && !torch::GradMode::is_enabled()) {
    const auto& o = gn->options;
    if (exclusive(x)) return cuda::groupNorm_(x, o.num_groups(), gn->weight, gn->bias, o.eps(), silu);
    return cuda::groupNorm(x, o.num_groups(), gn->weight, gn->bias, o.eps(), silu);
  }
#endif
  auto y = gn(x);
  x.reset();  // released now when the caller moved it in
  return silu ? torch::silu_(y) : y;
}

VaeResnetBlockImpl::VaeResnetBlockImpl(int64_t inCh, int64_t outCh, int64_t groups, double eps) {
  norm1 = register_module("norm1", groupNorm(groups, inCh, eps));
  conv1 = register_module("conv1", conv(inCh, outCh, 3));
  norm2 = register_module("norm2", groupNorm(groups, outCh, eps));
  conv2 = register_module("conv2", conv(outCh, outCh, 3));
  if (inCh != outCh) conv_shortcut = register_module("conv_shortcut", conv(inCh, outCh, 1));
}

torch::Tensor VaeResnetBlockImpl::forward(torch::Tensor x, const VaeExec& ex) {
  // x: [B, Cin, H, W] -> [B, Cout, H, W]. The shortcut first: with a 1×1 conv shortcut x is then
  // free to be normalised in place (when the caller moved it in); an identity shortcut keeps it.
  const torch::Tensor shortcut = conv_shortcut ? conv_shortcut(x) : x;
  auto h = conv1(groupNormAct(norm1, std::move(x), ex));
  h = conv2(groupNormAct(norm2, std::move(h), ex));
  return h.add_(shortcut);  // == shortcut + h (IEEE addition commutes)
}

VaeAttentionImpl::VaeAttentionImpl(int64_t ch, int64_t groups, double eps) : channels(ch) {
  group_norm = register_module("group_norm", groupNorm(groups, ch, eps));
  to_q = register_module("to_q", torch::nn::Linear(ch, ch));
  to_k = register_module("to_k", torch::nn::Linear(ch, ch));
  to_v = register_module("to_v", torch::nn::Linear(ch, ch));
  to_out = register_module("to_out", torch::nn::ModuleList());
  to_out->push_back(torch::nn::Linear(ch, ch));
}

torch::Tensor VaeAttentionImpl::forward(torch::Tensor x, const VaeExec& ex) {
  // x: [B, C, H, W]; one head of width C over the H·W positions (diffusers Attention, heads=1).
  // Channels-last x makes h a contiguous [B, HW, C] view (no copy before the projections).
  const auto B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  auto h = groupNormAct(group_norm, x, ex, /*silu=*/false).flatten(2).transpose(1, 2);  // [B, HW, C]
  auto q = to_q(h), k = to_k(h), v = to_v(h);                                           // [B, HW, C]
  h.reset();
  torch::Tensor o;
#if NEWBIE_TORCH_HAS_SDPA
  o = at::scaled_dot_product_attention(q.unsqueeze(1), k.unsqueeze(1), v.unsqueeze(1)).squeeze(1);
#else
  // Exact fallback, chunked over queries so the score matrix stays below ~64M elements.
  const double scale = 1.0 / std::sqrt(static_cast<double>(C));
  const int64_t n = H * W;
  const int64_t chunk = std::max<int64_t>(1, (int64_t{64} << 20) / std::max<int64_t>(1, n * B));
  auto kt = k.transpose(1, 2);  // [B, C, HW]
  std::vector<torch::Tensor> parts;
  for (int64_t s = 0; s < n; s += chunk) {
    auto qs = q.narrow(1, s, std::min(chunk, n - s));
    auto p = torch::softmax(torch::matmul(qs, kt) * scale, -1);  // [B, c, HW]
    parts.push_back(torch::matmul(p, v));
  }
  o = parts.size() == 1 ? parts[0] : torch::cat(parts, 1);
#endif
  q.reset();
  k.reset();
  v.reset();
  auto out = to_out[0]->as<torch::nn::Linear>()->forward(o);  // [B, HW, C]
  o.reset();
  return out.transpose(1, 2).reshape({B, C, H, W}).add_(x);  // == proj + x
}

VaeUpsampleImpl::VaeUpsampleImpl(int64_t ch) { conv = register_module("conv", ::newbie::models::conv(ch, ch, 3)); }

torch::Tensor VaeUpsampleImpl::forward(torch::Tensor x) {
  torch::Tensor up;
#if !NEWBIE_TORCH_AT_LEAST(2, 1)
  if (x.scalar_type() == torch::kBFloat16) {
    // Older upsample_nearest2d lacks bf16 on some backends; nearest is a pure copy anyway.
    const auto B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
    up = x.reshape({B, C, H, 1, W, 1}).expand({B, C, H, 2, W, 2}).reshape({B, C, 2 * H, 2 * W});
  } else
#endif
  {
    up = F::interpolate(x, F::InterpolateFuncOptions().scale_factor(std::vector<double>{2.0, 2.0}).mode(torch::kNearest));
  }
  x.reset();
  return conv(up);
}

VaeMidBlockImpl::VaeMidBlockImpl(int64_t ch, int64_t groups, double eps, bool attention) {
  resnets = register_module("resnets", torch::nn::ModuleList());
  attentions = register_module("attentions", torch::nn::ModuleList());
  resnets->push_back(VaeResnetBlock(ch, ch, groups, eps));
  if (attention) attentions->push_back(VaeAttention(ch, groups, eps));
  resnets->push_back(VaeResnetBlock(ch, ch, groups, eps));
}

torch::Tensor VaeMidBlockImpl::forward(torch::Tensor x, const VaeExec& ex) {
  x = resnets[0]->as<VaeResnetBlockImpl>()->forward(std::move(x), ex);
  if (!attentions->is_empty()) x = attentions[0]->as<VaeAttentionImpl>()->forward(std::move(x), ex);
  return resnets[1]->as<VaeResnetBlockImpl>()->forward(std::move(x), ex);
}

VaeUpBlockImpl::VaeUpBlockImpl(int64_t inCh, int64_t outCh, int64_t numResnets, bool upsample, int64_t groups,
                               double eps) {
  resnets = register_module("resnets", torch::nn::ModuleList());
  upsamplers = register_module("upsamplers", torch::nn::ModuleList());
  for (int64_t j = 0; j < numResnets; ++j) resnets->push_back(VaeResnetBlock(j == 0 ? inCh : outCh, outCh, groups, eps));
  if (upsample) upsamplers->push_back(VaeUpsample(outCh));
}

torch::Tensor VaeUpBlockImpl::forward(torch::Tensor x, const VaeExec& ex) {
  for (const auto& r : *resnets) x = r->as<VaeResnetBlockImpl>()->forward(std::move(x), ex);
  for (const auto& u : *upsamplers) x = u->as<VaeUpsampleImpl>()->forward(std::move(x));
  return x;
}

// ---- decoder -----------------------------------------------------------------------------

FluxVaeDecoderImpl::FluxVaeDecoderImpl(const FluxVaeConfig& cfg) : cfg_(cfg) {
  const auto& b = cfg.blockOutChannels;
  if (b.empty()) throw std::invalid_argument("FluxVaeConfig: block_out_channels is empty");
  const int64_t g = cfg.normNumGroups;
  const double eps = cfg.normEps;
  std::vector<int64_t> rc(b.rbegin(), b.rend());
  conv_in = register_module("conv_in", conv(cfg.latentChannels, rc[0], 3));
  mid_block = register_module("mid_block", VaeMidBlock(rc[0], g, eps, cfg.midBlockAttention));
  up_blocks = register_module("up_blocks", torch::nn::ModuleList());
  int64_t prev = rc[0];
  for (size_t i = 0; i < rc.size(); ++i) {
    VaeUpBlock ub(prev, rc[i], cfg.layersPerBlock + 1, i + 1 < rc.size(), g, eps);
    up_blocks->push_back(ub);
    ups_.push_back(ub);
    prev = rc[i];
  }
  conv_norm_out = register_module("conv_norm_out", groupNorm(g, b[0], eps));
  conv_out = register_module("conv_out", conv(b[0], cfg.outChannels, 3));
}

c10::ScalarType FluxVaeDecoderImpl::dtype() const { return conv_in->weight.scalar_type(); }
torch::Device FluxVaeDecoderImpl::device() const { return conv_in->weight.device(); }

torch::Tensor FluxVaeDecoderImpl::forward(const torch::Tensor& zVae) {
  TORCH_CHECK(zVae.dim() == 4 && zVae.size(1) == cfg_.latentChannels, "VAE decode: expected z [B, ",
              cfg_.latentChannels, ", h, w], got ", shapeString(zVae.sizes()));
  // z: [B, 16, h, w] -> [B, C3, h, w]. Every intermediate is moved along so it is released (or
  // normalised in place) as soon as it is no longer needed.
  auto z = zVae.to(device(), dtype());
  if (exec_.channelsLast) z = z.contiguous(torch::MemoryFormat::ChannelsLast);
  auto x = conv_in(z);
  z.reset();
  x = mid_block->forward(std::move(x), exec_);
  for (auto& u : ups_) x = u->forward(std::move(x), exec_);  // -> [B, C0, 8h, 8w]
  x = conv_out(groupNormAct(conv_norm_out, std::move(x), exec_));
  return x.to(torch::kFloat32).contiguous();  // [B, 3, 8h, 8w], NCHW whatever the layout inside
}

void FluxVaeDecoderImpl::setChannelsLast(bool on) {
  torch::NoGradGuard ng;
  const auto fmt = on ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
  for (auto& p : parameters(true))
    if (p.dim() == 4) p.set_data(p.contiguous(fmt));  // the conv weights [Cout, Cin, k, k]
  exec_.channelsLast = on;
}

bool FluxVaeDecoderImpl::fusedGroupNormAvailable() {
#if NEWBIE_HAVE_CUDA_KERNELS
  return true;
#else
  return false;
#endif
}

bool FluxVaeDecoderImpl::wouldTile(int64_t h, int64_t w, const VaeTiling& t) const {
  if (h <= t.tileLatent && w <= t.tileLatent) return false;
  switch (t.mode) {
    case VaeTiling::Mode::Never: return false;
    case VaeTiling::Mode::Always: return true;
    case VaeTiling::Mode::Auto:
      return h * w > t.autoMaxLatentArea ||
             (t.memoryBudgetBytes > 0 && estimateDecodeBytes(cfg_, h, w, dtype()) > t.memoryBudgetBytes);
  }
  return false;
}

torch::Tensor FluxVaeDecoderImpl::decode(const torch::Tensor& zVae, const VaeTiling& tiling) {
  if (zVae.dim() == 4 && wouldTile(zVae.size(2), zVae.size(3), tiling)) {
    log::debug("VAE: tiled decode of a {}x{} latent (tile {}, overlap {})", zVae.size(2), zVae.size(3),
                 tiling.tileLatent, tiling.overlapLatent);
    return decodeTiled(zVae, tiling.tileLatent, tiling.overlapLatent);
  }
  return forward(zVae);
}

torch::Tensor FluxVaeDecoderImpl::decodeModelLatent(const torch::Tensor& latent, const VaeTiling& tiling) {
  // z_vae = latent / scaling + shift (MODEL-SPEC §4.3), computed in float32.
  auto z = latent.to(torch::kFloat32) / cfg_.scalingFactor + cfg_.shiftFactor;
  return decode(z, tiling);
}

namespace {
// 1-D blend weights (image pixels) of tile i among tiles starting at `starts` (latent px).
torch::Tensor ramp(const std::vector<int64_t>& starts, size_t i, int64_t tile, int64_t f) {
  const int64_t L = tile * f;
  auto w = torch::ones({L}, torch::kFloat32);
  auto acc = w.accessor<float, 1>();
  if (i > 0) {
    const int64_t ov = (starts[i - 1] + tile - starts[i]) * f;
    for (int64_t p = 0; p < ov && p < L; ++p) acc[p] *= static_cast<float>((p + 0.5) / ov);
  }
  if (i + 1 < starts.size()) {
    const int64_t ov = (starts[i] + tile - starts[i + 1]) * f;
    for (int64_t p = std::max<int64_t>(0, L - ov); p < L; ++p) acc[p] *= static_cast<float>((L - p - 0.5) / ov);
  }
  return w;
}
}  // namespace

torch::Tensor FluxVaeDecoderImpl::decodeTiled(const torch::Tensor& zVae, int64_t tileLatent, int64_t overlapLatent) {
  TORCH_CHECK(zVae.dim() == 4, "VAE decodeTiled: expected [B, C, h, w], got ", shapeString(zVae.sizes()));
  const int64_t h = zVae.size(2), w = zVae.size(3), f = cfg_.downscale();
  if (h <= tileLatent && w <= tileLatent) return forward(zVae);
  const auto ys = tileStarts(h, tileLatent, overlapLatent);
  const auto xs = tileStarts(w, tileLatent, overlapLatent);
  const int64_t th = std::min(tileLatent, h), tw = std::min(tileLatent, w);
  const auto dev = device();
  auto out = torch::zeros({zVae.size(0), cfg_.outChannels, h * f, w * f}, torch::TensorOptions().dtype(torch::kFloat32).device(dev));
  auto wsum = torch::zeros({1, 1, h * f, w * f}, out.options());
  for (size_t i = 0; i < ys.size(); ++i) {
    auto wy = ramp(ys, i, th, f).to(dev);
    for (size_t j = 0; j < xs.size(); ++j) {
      auto wx = ramp(xs, j, tw, f).to(dev);
      auto wt = (wy.unsqueeze(1) * wx.unsqueeze(0)).view({1, 1, th * f, tw * f});
      auto img = forward(zVae.narrow(2, ys[i], th).narrow(3, xs[j], tw));  // [B, 3, th*f, tw*f]
      out.narrow(2, ys[i] * f, th * f).narrow(3, xs[j] * f, tw * f).add_(img * wt);
      wsum.narrow(2, ys[i] * f, th * f).narrow(3, xs[j] * f, tw * f).add_(wt);
    }
  }
  return out / wsum;
}

// ---- loading -----------------------------------------------------------------------------

namespace {
// Device-dependent execution options, the one place both loaders share.
void applyExecOptions(FluxVaeDecoder& vae, const VaeLoadOptions& o) {
  const bool cuda = o.device.is_cuda();
  vae->setFusedGroupNorm(o.fusedGroupNorm);
  vae->setChannelsLast(o.channelsLast.value_or(cuda));
  // cuDNN autotuning is opt-in (NEWBIE_CUDNN_BENCHMARK=1, process-wide): on the H100 the heuristic
  // choice decodes 1024² channels-last as fast (33.05 vs 33.23 ms), while autotuning's trial
  // workspaces lift the first decode of each size from 17.02 to 18.09 GB with all components resident.
  if (cuda && envSwitch("NEWBIE_CUDNN_BENCHMARK", false)) at::globalContext().setBenchmarkCuDNN(true);
}

void checkDtype(const VaeLoadOptions& o) {
  if (o.dtype == torch::kFloat16) {
    if (!o.allowFp16)
      throw std::invalid_argument(
          "FLUX VAE: float16 overflows in this decoder (diffusers force_upcast); use bf16 or fp32, or set allowFp16 to force it");
    log::warn("FLUX VAE: running in float16 as forced; expect overflow (NaN / black images)");
  } else if (o.dtype != torch::kFloat32 && o.dtype != torch::kBFloat16) {
    throw std::invalid_argument(std::string("FLUX VAE: unsupported dtype ") + c10::toString(o.dtype) +
                                " (expected float32 or bfloat16)");
  }
}
}  // namespace

FluxVaeDecoder loadFluxVae(const io::TensorStore& store, const FluxVaeConfig& cfg, const VaeLoadOptions& options,
                           const std::string& label) {
  checkDtype(options);
  const VaeNaming naming = detectVaeNaming(store);
  FluxVaeDecoder vae(cfg);
  vae->to(options.device, options.dtype);
  vae->eval();
  torch::NoGradGuard ng;
  const int64_t levels = static_cast<int64_t>(cfg.blockOutChannels.size());
  std::set<std::string> used;
  io::Uploader up(options.device);
  for (auto& kv : vae->named_parameters(true)) {
    const std::string dkey = "decoder." + kv.key();
    const std::string fkey = naming == VaeNaming::Diffusers ? dkey : diffusersToBflKey(dkey, levels);
    if (!store.contains(fkey))
      throw std::runtime_error(label + ": missing tensor '" + fkey + "' (expected shape " + shapeString(kv.value().sizes()) +
                               ", " + (naming == VaeNaming::Diffusers ? "diffusers" : "BFL") + " naming)");
    auto t = store.tensor(fkey);
    if (naming == VaeNaming::BFL && kv.value().dim() == 2 && t.dim() == 4 && t.size(2) == 1 && t.size(3) == 1)
      t = t.reshape({t.size(0), t.size(1)});  // BFL 1×1 conv attention weights
    if (t.sizes() != kv.value().sizes())
      throw std::runtime_error(label + ": tensor '" + fkey + "' has shape " + shapeString(t.sizes()) + ", expected " +
                               shapeString(kv.value().sizes()) + " for this config");
    if (!t.is_floating_point())
      throw std::runtime_error(label + ": tensor '" + fkey + "' is not floating point");
    up.uploadInto(t, kv.value());
    used.insert(fkey);
  }
  up.finish();
  std::vector<std::string> extra;
  for (const auto& n : store.names())
    if (startsWith(n, "decoder.") && !used.count(n)) extra.push_back(n);
  if (!extra.empty())
    throw std::runtime_error(label + ": " + std::to_string(extra.size()) + " unexpected decoder tensor(s), first '" +
                             extra.front() + "': the file does not match the VAE config");
  applyExecOptions(vae, options);
  log::info("FLUX VAE loaded from {} ({} naming, channels [{}], {} on {})", label,
               naming == VaeNaming::Diffusers ? "diffusers" : "BFL",
               [&] {
                 std::string s;
                 for (auto c : cfg.blockOutChannels) s += (s.empty() ? "" : ",") + std::to_string(c);
                 return s;
               }(),
               c10::toString(options.dtype), options.device.str());
  return vae;
}

FluxVaeDecoder loadFluxVae(const fs::path& weights, const fs::path& configJson, const VaeLoadOptions& options) {
  io::refusePickle(weights);
  auto store = io::TensorStore::open(weights);
  FluxVaeConfig cfg = configJson.empty() ? FluxVaeConfig::detect(store, options.normGroups)
                                         : FluxVaeConfig::fromJsonFile(configJson);
  return loadFluxVae(store, cfg, options, weights.string());
}

FluxVaeDecoder randomFluxVae(const FluxVaeConfig& cfg, uint64_t seed, const VaeLoadOptions& options) {
  checkDtype(options);
  FluxVaeDecoder vae(cfg);
  vae->eval();
  torch::NoGradGuard ng;
  auto gen = at::detail::createCPUGenerator(seed);
  for (auto& kv : vae->named_parameters(true)) {
    auto& p = kv.value();
    auto r = torch::randn(p.sizes(), gen, torch::TensorOptions().dtype(torch::kFloat32));
    const bool isNorm = kv.key().find("norm") != std::string::npos;
    if (p.dim() >= 2) {
      const double fanIn = static_cast<double>(p.numel() / p.size(0));
      p.copy_(r / std::sqrt(fanIn));
    } else if (isNorm && kv.key().size() > 7 && kv.key().substr(kv.key().size() - 7) == ".weight") {
      p.copy_(1.0 + 0.1 * r);
    } else {
      p.copy_(0.02 * r);
    }
  }
  vae->to(options.device, options.dtype);
  applyExecOptions(vae, options);
  return vae;
}

std::map<std::string, torch::Tensor> fluxVaeStateDict(FluxVaeDecoder& vae) {
  std::map<std::string, torch::Tensor> out;
  for (auto& kv : vae->named_parameters(true))
    out["decoder." + kv.key()] = kv.value().detach().to(torch::kCPU, torch::kFloat32).contiguous();
  return out;
}

// ---- image conversion --------------------------------------------------------------------

torch::Tensor imageToU8(const torch::Tensor& img, U8Rounding rounding) {
  // diffusers: (img / 2 + 0.5).clamp(0, 1) * 255, then round (half to even) or truncate.
  auto x = (img.to(torch::kFloat32) * 0.5f + 0.5f).clamp(0.0, 1.0) * 255.0f;
  x = rounding == U8Rounding::Round ? x.round() : x.trunc();
  return x.to(torch::kUInt8);
}

RGBImage imageToRGB8(const torch::Tensor& img, U8Rounding rounding) {
  auto x = img.dim() == 4 ? img[0] : img;
  TORCH_CHECK(x.dim() == 3 && x.size(0) == 3, "imageToRGB8: expected [B,3,H,W] or [3,H,W], got ", shapeString(img.sizes()));
  auto hwc = imageToU8(x, rounding).permute({1, 2, 0}).contiguous().to(torch::kCPU);
  RGBImage out;
  out.height = static_cast<int>(hwc.size(0));
  out.width = static_cast<int>(hwc.size(1));
  out.rgb.assign(hwc.data_ptr<uint8_t>(), hwc.data_ptr<uint8_t>() + hwc.numel());
  return out;
}

}  // namespace newbie::models
