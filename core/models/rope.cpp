#include "models/rope.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace newbie::models::nextdit {

RopeTables::RopeTables(std::vector<int64_t> axesDims, double theta) : axesDims_(std::move(axesDims)) {
  if (axesDims_.size() != 3) throw std::invalid_argument("RoPE: axes_dims must have 3 entries");
  for (int64_t d : axesDims_) {
    if (d <= 0 || d % 2 != 0)
      throw std::invalid_argument("RoPE: every axes_dims entry must be even and > 0, got " + std::to_string(d));
    std::vector<double> w(static_cast<size_t>(d / 2));
    // [NB rope_embedder: 1 / theta ** (arange(0, d, 2, float64) / d)]
    for (int64_t k = 0; k < d / 2; ++k) w[k] = 1.0 / std::pow(theta, static_cast<double>(2 * k) / static_cast<double>(d));
    omega_.push_back(std::move(w));
    headDim_ += d;
  }
}

torch::Tensor RopeTables::jointPositionIds(int64_t capLen, int64_t hp, int64_t wp) {
  const int64_t n = hp * wp;
  auto ids = torch::zeros({capLen + n, 3}, torch::kInt32);
  auto a = ids.accessor<int32_t, 2>();
  for (int64_t i = 0; i < capLen; ++i) a[i][0] = static_cast<int32_t>(i);
  for (int64_t r = 0; r < hp; ++r)
    for (int64_t c = 0; c < wp; ++c) {
      const int64_t j = capLen + r * wp + c;
      a[j][0] = static_cast<int32_t>(capLen);
      a[j][1] = static_cast<int32_t>(r);
      a[j][2] = static_cast<int32_t>(c);
    }
  return ids;
}

torch::Tensor RopeTables::factorsForIds(const torch::Tensor& ids) const {
  TORCH_CHECK(ids.dim() == 2 && ids.size(1) == 3, "RoPE: position ids must be [M, 3], got ", ids.sizes());
  auto idsL = ids.to(torch::kCPU, torch::kInt64).contiguous();
  const int64_t m = idsL.size(0);
  const int64_t half = headDim_ / 2;
  auto out = torch::empty({m, half, 2}, torch::kFloat32);
  const int64_t* p = idsL.data_ptr<int64_t>();
  float* o = out.data_ptr<float>();
  for (int64_t i = 0; i < m; ++i) {
    int64_t col = 0;
    for (size_t a = 0; a < 3; ++a) {
      const double pos = static_cast<double>(p[i * 3 + a]);
      for (double w : omega_[a]) {
        // freqs = outer(pos, ω) in float64, then .float(); polar in float32.
        const float ang = static_cast<float>(pos * w);
        o[(i * half + col) * 2 + 0] = static_cast<float>(std::cos(static_cast<double>(ang)));
        o[(i * half + col) * 2 + 1] = static_cast<float>(std::sin(static_cast<double>(ang)));
        ++col;
      }
    }
  }
  return out;
}

torch::Tensor RopeTables::joint(int64_t capLen, int64_t hp, int64_t wp, const torch::Device& device) {
  const Key key{capLen, hp, wp, static_cast<int>(device.type()), static_cast<int>(device.index())};
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second;
  auto f = factorsForIds(jointPositionIds(capLen, hp, wp));
  auto cis = torch::view_as_complex(f).to(device);
  if (order_.size() >= 64) {
    cache_.erase(order_.front());
    order_.erase(order_.begin());
  }
  cache_.emplace(key, cis);
  order_.push_back(key);
  return cis;
}

torch::Tensor applyRope(const torch::Tensor& x, const torch::Tensor& cis) {
  // x: [B, S, H, hd] float32 -> complex [B, S, H, hd/2]
  auto sizes = x.sizes().vec();
  const int64_t hd = sizes.back();
  std::vector<int64_t> pairs(sizes.begin(), sizes.end() - 1);
  pairs.push_back(hd / 2);
  pairs.push_back(2);
  auto xc = torch::view_as_complex(x.view(pairs));
  return torch::view_as_real(xc * cis).view(sizes);
}

}  // namespace newbie::models::nextdit
