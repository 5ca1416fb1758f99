#pragma once
// CUDA-graph replay of Next-DiT forwards with fixed shapes. The first call for a shape runs eagerly
// (it warms up the RoPE table cache, cuBLAS and cuDNN plans); the second captures the forward into
// an at::cuda::CUDAGraph with static input buffers, and every later call copies the inputs into them
// and replays the graph: one launch instead of ~1,500 per forward, no CPU in the way.
//
// Used only on CUDA with single-length batches (every caption length equal, the case of the
// sampler's exact-length cond and uncond passes); anything else runs eagerly. Graphs share one
// memory pool (per instance) and are replayed one at a time on the calling thread's current stream. Not
// thread-safe. The graphs bake in the weights' addresses: call clear() after the DiT's weights change
// (reload, quantizeLinearsFp8).
//
// Off by default (NEWBIE_CUDA_GRAPHS=1 in the environment or setEnabled(true) turns it on): on the
// H100 the bf16 CFG step is GPU-bound and measured the same with and without graphs (see
// docs/PERFORMANCE.md), and with LibTorch 2.11 drawing from the default CUDA generator after a
// capture failed with "Offset increment outside graph capture encountered unexpectedly". The
// pipeline draws its noise from CPU generators, so it is safe to enable.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "models/nextdit.h"

namespace newbie::models {

class NextDiTGraphs {
 public:
  explicit NextDiTGraphs(NextDiT dit, std::size_t maxGraphs = 6);
  ~NextDiTGraphs();
  NextDiTGraphs(const NextDiTGraphs&) = delete;
  NextDiTGraphs& operator=(const NextDiTGraphs&) = delete;

  /// Same result as dit->forward(x, t, capFeats, capLens, pooled) (the output is a fresh tensor).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& capFeats,
                        const std::vector<int64_t>& capLens, const torch::Tensor& pooled);
  /// Drops every captured graph (and its memory once none is left).
  void clear();
  void setEnabled(bool on);
  bool enabled() const { return enabled_; }
  /// Graphs captured so far / forwards served by a replay (for tests and the bench).
  std::size_t graphCount() const;
  std::size_t replays() const { return replays_; }
  /// Why the latest failed capture fell back to eager forwards (empty when none failed).
  const std::string& lastCaptureError() const { return lastCaptureError_; }

 private:
  struct Entry;
  NextDiT dit_;
  std::size_t maxGraphs_;
  bool enabled_;
  std::size_t replays_ = 0;
  std::string lastCaptureError_;
  // Memory pool of this instance's graphs (at::cuda::MempoolId_t). A fresh handle is taken whenever
  // no graph holds the old one: LibTorch frees a pool with its last graph and asserts on reuse.
  std::pair<unsigned long long, unsigned long long> pool_{0, 0};
  std::map<std::string, std::unique_ptr<Entry>> graphs_;
  std::vector<std::string> order_;  // capture order, oldest first (evicted first)
  std::map<std::string, int> seen_;  // eager runs per key before capture; -1 = capture failed, stay eager
};

}  // namespace newbie::models
