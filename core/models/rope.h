#pragma once
// 3-axis rotary position embedding of Next-DiT (MODEL-SPEC §2.3 steps 5-6).
//
// Position ids: caption token i -> (i, 0, 0); image patch (r, c) -> (Lc, r, c), where Lc is the
// number of valid caption tokens. Per axis a with width d_a: ω_k = 1/θ^(2k/d_a), k < d_a/2,
// computed in float64; angle = float32(pos·ω_k); factor = cos + i·sin in float32. The factors of
// the three axes are concatenated [axis0 | axis1 | axis2] (head_dim/2 complex numbers per token).
// They are applied to INTERLEAVED pairs (x[2j] + i·x[2j+1]), not rotate-half.
//
// Thread-safety: RopeTables is safe to use from several threads (the cache is locked).

#include <cstdint>
#include <map>
#include <mutex>
#include <tuple>
#include <vector>

#include <torch/torch.h>

namespace newbie::models::nextdit {

class RopeTables {
 public:
  RopeTables(std::vector<int64_t> axesDims, double theta);

  int64_t headDim() const { return headDim_; }

  /// Position ids of one joint sequence: [capLen + hp*wp, 3] int32 (CPU), caption first.
  static torch::Tensor jointPositionIds(int64_t capLen, int64_t hp, int64_t wp);

  /// Rotation factors for arbitrary ids [M, 3] (any integer dtype, CPU): [M, headDim/2, 2] float32
  /// (cos, sin) on the CPU. Computed on the host so that CPU and GPU runs use identical tables.
  torch::Tensor factorsForIds(const torch::Tensor& ids) const;

  /// Cached complex64 table [capLen + hp*wp, headDim/2] on `device` for the joint sequence
  /// (caption rows first, then the image rows). Slices give the caption table ([:capLen]) and the
  /// image table ([capLen:]). The cache keeps the 64 most recently created shapes per device.
  torch::Tensor joint(int64_t capLen, int64_t hp, int64_t wp, const torch::Device& device);

 private:
  std::vector<int64_t> axesDims_;
  std::vector<std::vector<double>> omega_;  // per axis, d_a/2 values (float64)
  int64_t headDim_ = 0;
  std::mutex mutex_;
  using Key = std::tuple<int64_t, int64_t, int64_t, int, int>;  // capLen, hp, wp, device type, index
  std::map<Key, torch::Tensor> cache_;
  std::vector<Key> order_;
};

/// Applies the rotation to x: [B, S, H, hd] (float32, contiguous) with cis complex64 broadcastable
/// to [B, S, 1, hd/2]. Returns float32 [B, S, H, hd].
torch::Tensor applyRope(const torch::Tensor& x, const torch::Tensor& cis);

}  // namespace newbie::models::nextdit
