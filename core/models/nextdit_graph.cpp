#include "models/nextdit_graph.h"

#include <sstream>

#include "env_switch.h"
#include "log/log.h"
#include "torch_compat.h"

#if NEWBIE_WITH_CUDA
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace newbie::models {

struct NextDiTGraphs::Entry {
#if NEWBIE_WITH_CUDA
  at::cuda::CUDAGraph graph;
#endif
  torch::Tensor x, t, cap, pooled, out;  // static inputs / output of the captured forward
  std::vector<int64_t> lens;
};

#if NEWBIE_WITH_CUDA
namespace {
std::string keyOf(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& cap,
                  const std::vector<int64_t>& lens, const torch::Tensor& pooled) {
  std::ostringstream k;
  for (const auto* v : {&x, &t, &cap, &pooled})
    k << v->sizes() << c10::toString(v->scalar_type()) << v->device() << ';';
  for (auto l : lens) k << l << ',';
  return k.str();
}
}  // namespace
#endif

NextDiTGraphs::NextDiTGraphs(NextDiT dit, std::size_t maxGraphs) : dit_(std::move(dit)), maxGraphs_(maxGraphs) {
  enabled_ = envSwitch("NEWBIE_CUDA_GRAPHS", false);
}

NextDiTGraphs::~NextDiTGraphs() = default;

void NextDiTGraphs::clear() {
  graphs_.clear();
  order_.clear();
  seen_.clear();
}

void NextDiTGraphs::setEnabled(bool on) { enabled_ = on; }

std::size_t NextDiTGraphs::graphCount() const { return graphs_.size(); }

torch::Tensor NextDiTGraphs::forward(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& capFeats,
                                     const std::vector<int64_t>& capLens, const torch::Tensor& pooled) {
  auto eager = [&] { return dit_->forward(x, t, capFeats, capLens, pooled); };
#if NEWBIE_WITH_CUDA
  if (!enabled_ || !x.is_cuda() || dit_->device().type() != torch::kCUDA || !t.is_cuda() || !capFeats.is_cuda() ||
      !pooled.defined() || !pooled.is_cuda())
    return eager();
  const int64_t L = capFeats.size(1);
  for (auto l : capLens)
    if (l != L) return eager();  // several lengths: split passes with host-side grouping
  const std::string key = keyOf(x, t, capFeats, capLens, pooled);
  auto it = graphs_.find(key);
  if (it == graphs_.end()) {
    int& seen = seen_[key];
    if (seen < 1) {  // first sight (or capture failed before: -1): eager
      if (seen == 0) seen = 1;
      return eager();
    }
    // Second sight: capture. Inputs are copied into static buffers the graph reads from.
    auto e = std::make_unique<Entry>();
    e->x = x.clone();
    e->t = t.clone();
    e->cap = capFeats.clone();
    e->pooled = pooled.clone();
    e->lens = capLens;
    auto current = c10::cuda::getCurrentCUDAStream();
    auto side = c10::cuda::getStreamFromPool(false, current.device_index());
    at::cuda::CUDAEvent ready;
    ready.record(current);
    ready.block(side);
    try {
      c10::cuda::CUDAStreamGuard guard(side);
      dit_->forward(e->x, e->t, e->cap, e->lens, e->pooled);  // warm-up on the capture stream
      if (graphs_.empty()) pool_ = at::cuda::graph_pool_handle();  // the previous pool died with its graphs
#if NEWBIE_TORCH_AT_LEAST(2, 0)
      e->graph.capture_begin(pool_, cudaStreamCaptureModeThreadLocal);  // other threads' CUDA calls stay legal
#else
      e->graph.capture_begin(pool_);
#endif
      try {
        e->out = dit_->forward(e->x, e->t, e->cap, e->lens, e->pooled);
      } catch (...) {
        try {
          e->graph.capture_end();
        } catch (...) {
        }
        throw;
      }
      e->graph.capture_end();
    } catch (const std::exception& ex) {
      log::warn("CUDA graph capture of the Next-DiT forward failed ({}); running it eagerly", ex.what());
      seen = -1;
      lastCaptureError_ = ex.what();
      at::cuda::CUDAEvent done;
      done.record(side);
      done.block(current);
      return eager();
    }
    at::cuda::CUDAEvent done;
    done.record(side);
    done.block(current);
    if (graphs_.size() >= maxGraphs_ && !order_.empty()) {
      graphs_.erase(order_.front());
      order_.erase(order_.begin());
    }
    log::debug("captured a CUDA graph of the Next-DiT forward ({})", key);
    it = graphs_.emplace(key, std::move(e)).first;
    order_.push_back(key);
  }
  Entry& e = *it->second;
  e.x.copy_(x);
  e.t.copy_(t);
  e.cap.copy_(capFeats);
  e.pooled.copy_(pooled);
  e.graph.replay();
  ++replays_;
  return e.out.clone();
#else
  return eager();
#endif
}

}  // namespace newbie::models
