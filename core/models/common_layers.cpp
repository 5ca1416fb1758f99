#include "models/common_layers.h"

#include <cmath>
#include <limits>

#include "torch_compat.h"

namespace newbie::models {

std::string storeDescription(const io::TensorStore& store) {
  const auto& files = store.files();
  if (files.empty()) return "<empty tensor store>";
  std::string s = files.front()->path().string();
  if (files.size() > 1) s += " (+" + std::to_string(files.size() - 1) + " more shard(s))";
  return s;
}

torch::Tensor checkedTensor(const io::TensorStore& store, const std::string& key, c10::IntArrayRef expected,
                            const std::string& what) {
  if (!store.contains(key)) {
    throw ModelLoadError(what + ": tensor '" + key + "' is missing from " + storeDescription(store) +
                         " (expected shape " + shapeString(expected) + ")");
  }
  torch::Tensor t = store.tensor(key);
  if (t.sizes() != expected) {
    throw ModelLoadError(what + ": tensor '" + key + "' in " + store.fileOf(key).path().string() + " has shape " +
                         shapeString(t.sizes()) + ", expected " + shapeString(expected) +
                         " (config and weights disagree)");
  }
  return t;
}

WeightFn storeWeightFn(const io::TensorStore& store, std::string prefix, torch::Device device,
                       torch::ScalarType dtype, std::string what) {
  return storeWeightFn(store, std::move(prefix), std::make_shared<io::Uploader>(device), dtype, std::move(what));
}

WeightFn storeWeightFn(const io::TensorStore& store, std::string prefix, std::shared_ptr<io::Uploader> uploader,
                       torch::ScalarType dtype, std::string what) {
  // The store is captured by pointer: the caller keeps it alive during construction only.
  const io::TensorStore* s = &store;
  return [s, prefix = std::move(prefix), up = std::move(uploader), dtype, what = std::move(what)](
             const std::string& name, const std::vector<int64_t>& shape) {
    torch::Tensor t = checkedTensor(*s, prefix + name, shape, what);
    return up->upload(t, dtype);
  };
}

namespace {

uint64_t fnv1a(uint64_t h, const std::string& s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

torch::Tensor deterministicUniform(const std::vector<int64_t>& shape, uint64_t seed, const std::string& name,
                                   const RandomInitRule& rule, torch::Device device, torch::ScalarType dtype) {
  const uint64_t h = fnv1a(14695981039346656037ULL ^ (seed * 0x9E3779B97F4A7C15ULL), name);
  const double phase = static_cast<double>(h % 1000003ULL) / 1000003.0 * 6.283185307179586;
  const double step = 0.5 + static_cast<double>((h >> 20) % 1000003ULL) / 1000003.0;  // in [0.5, 1.5)
  torch::Tensor out = torch::empty(shape, torch::TensorOptions().device(device).dtype(dtype));
  torch::Tensor flat = out.view({-1});
  const int64_t n = flat.numel();
  const int64_t chunk = int64_t{1} << 24;
  const auto opts = torch::TensorOptions().device(device).dtype(torch::kFloat64);
  for (int64_t start = 0; start < n; start += chunk) {
    const int64_t end = std::min(n, start + chunk);
    torch::Tensor idx = torch::arange(start, end, opts);
    torch::Tensor v = torch::sin(idx * step + phase) * 43758.5453123;
    v = v - torch::floor(v);  // [0, 1)
    v = (v * 2.0 - 1.0) * rule.halfWidth + rule.center;
    flat.slice(0, start, end).copy_(v);
  }
  return out;
}

WeightFn randomWeightFn(uint64_t seed, torch::Device device, torch::ScalarType dtype,
                        std::function<RandomInitRule(const std::string&, const std::vector<int64_t>&)> rule) {
  return [seed, device, dtype, rule = std::move(rule)](const std::string& name, const std::vector<int64_t>& shape) {
    return deterministicUniform(shape, seed, name, rule(name, shape), device, dtype);
  };
}

// ---- frozen modules -------------------------------------------------------------------------

FrozenLinearImpl::FrozenLinearImpl(const WeightFn& fn, const std::string& prefix, int64_t in, int64_t out,
                                   bool hasBias) {
  weight = register_parameter("weight", fn(prefix + "weight", {out, in}), /*requires_grad=*/false);
  if (hasBias) bias = register_parameter("bias", fn(prefix + "bias", {out}), false);
}

torch::Tensor FrozenLinearImpl::forward(const torch::Tensor& x) {
  return bias.defined() ? torch::linear(x, weight, bias) : torch::linear(x, weight);
}

FrozenEmbeddingImpl::FrozenEmbeddingImpl(const WeightFn& fn, const std::string& prefix, int64_t num, int64_t dim) {
  weight = register_parameter("weight", fn(prefix + "weight", {num, dim}), false);
}

torch::Tensor FrozenEmbeddingImpl::forward(const torch::Tensor& ids) { return torch::embedding(weight, ids); }

FrozenLayerNormImpl::FrozenLayerNormImpl(const WeightFn& fn, const std::string& prefix, int64_t dim, double eps_)
    : eps(eps_) {
  weight = register_parameter("weight", fn(prefix + "weight", {dim}), false);
  bias = register_parameter("bias", fn(prefix + "bias", {dim}), false);
}

torch::Tensor FrozenLayerNormImpl::forward(const torch::Tensor& x) {
  return torch::layer_norm(x, {weight.size(0)}, weight, bias, eps);
}

// ---- RoPE / attention ---------------------------------------------------------------------

std::pair<torch::Tensor, torch::Tensor> ropeTables(int64_t len, int64_t dim, double theta, double linearFactor,
                                                   torch::Device device) {
  const auto f32 = torch::TensorOptions().device(device).dtype(torch::kFloat32);
  // inv_freq = 1 / theta ** (arange(0, dim, 2) / dim), fp32 throughout (transformers / ComfyUI).
  torch::Tensor expo = torch::arange(0, dim, 2, f32.dtype(torch::kInt64)).to(torch::kFloat32) / static_cast<double>(dim);
  torch::Tensor invFreq = 1.0 / torch::pow(c10::Scalar(theta), expo);
  if (linearFactor != 1.0) invFreq = invFreq / linearFactor;
  torch::Tensor pos = torch::arange(len, f32);
  torch::Tensor freqs = pos.unsqueeze(1) * invFreq.unsqueeze(0);  // [len, dim/2]
  torch::Tensor emb = torch::cat({freqs, freqs}, -1);              // [len, dim]
  return {emb.cos(), emb.sin()};
}

torch::Tensor rotateHalf(const torch::Tensor& x) {
  const int64_t half = x.size(-1) / 2;
  torch::Tensor x1 = x.narrow(-1, 0, half);
  torch::Tensor x2 = x.narrow(-1, half, x.size(-1) - half);
  return torch::cat({-x2, x1}, -1);
}

torch::Tensor applyRope(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  return x * cos + rotateHalf(x) * sin;
}

torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                        const torch::Tensor& allowed, double scale, bool useSdpa) {
  // q: [B, H, Lq, D]; k, v: [B, Hkv, Lk, D]
  const int64_t heads = q.size(1);
  const int64_t kvHeads = k.size(1);
  TORCH_CHECK(heads % kvHeads == 0, "attention: ", heads, " query heads not a multiple of ", kvHeads, " kv heads");
  torch::Tensor kk = k, vv = v;
  if (kvHeads != heads) {
    kk = k.repeat_interleave(heads / kvHeads, 1);  // [B, H, Lk, D]
    vv = v.repeat_interleave(heads / kvHeads, 1);
  }
#if NEWBIE_TORCH_AT_LEAST(2, 1)
  if (useSdpa && q.is_cuda()) {
    c10::optional<torch::Tensor> mask;
    if (allowed.defined()) mask = allowed;
    return at::scaled_dot_product_attention(q, kk, vv, mask, 0.0, false, scale);
  }
#else
  (void)useSdpa;
#endif
  torch::Tensor scores = torch::matmul(q, kk.transpose(-2, -1)) * scale;  // [B, H, Lq, Lk]
  scores = scores.to(torch::kFloat32);
  if (allowed.defined()) scores = scores.masked_fill(allowed.logical_not(), std::numeric_limits<float>::lowest());
  torch::Tensor probs = torch::softmax(scores, -1).to(q.scalar_type());
  return torch::matmul(probs, vv);  // [B, H, Lq, D]
}

int64_t countParameters(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

}  // namespace newbie::models
