#include "io/upload.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <ATen/Parallel.h>

#include "io/safetensors.h"
#include "log/log.h"

#if NEWBIE_WITH_CUDA
#include <sys/mman.h>
#include <unistd.h>

#include <ATen/cuda/CUDAContext.h>
#include <ATen/cuda/CUDAEvent.h>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime.h>
#endif

namespace newbie::io {

namespace {

std::atomic<uint64_t> gBytes{0}, gTensors{0}, gNanos{0};
std::atomic<bool> gPinned{true};

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

uint64_t nbytes(const torch::Tensor& t) { return static_cast<uint64_t>(t.numel()) * t.element_size(); }

}  // namespace

void setPinnedUploadEnabled(bool enabled) { gPinned = enabled; }
bool pinnedUploadEnabled() { return gPinned.load(); }

UploadStats uploadTotals() {
  UploadStats s;
  s.bytes = gBytes.load();
  s.tensors = gTensors.load();
  s.seconds = static_cast<double>(gNanos.load()) * 1e-9;
  return s;
}

void Uploader::account(uint64_t bytes, double seconds) {
  stats_.bytes += bytes;
  stats_.seconds += seconds;
  if (bytes) {
    ++stats_.tensors;
    ++gTensors;
  }
  gBytes += bytes;
  gNanos += static_cast<uint64_t>(seconds * 1e9);
}

// ---- CUDA staging pipeline ----------------------------------------------------------------

#if NEWBIE_WITH_CUDA

namespace {

/// memcpy from the mapping into pinned memory; big copies are split over the intra-op threads
/// (page faults of a cold mapping then run in parallel too).
void hostCopy(uint8_t* dst, const uint8_t* src, int64_t n, int64_t parallelMin) {
  if (n < parallelMin || at::get_num_threads() <= 1) {
    std::memcpy(dst, src, static_cast<size_t>(n));
    return;
  }
  const int64_t block = int64_t{1} << 20;
  at::parallel_for(0, (n + block - 1) / block, 1, [&](int64_t b, int64_t e) {
    const int64_t from = b * block, to = std::min(n, e * block);
    std::memcpy(dst + from, src + from, static_cast<size_t>(to - from));
  });
}

/// Asks the kernel to read a mapped range ahead (ignored for anonymous memory / errors).
void prefetch(const uint8_t* p, int64_t n) {
  static const long page = ::sysconf(_SC_PAGESIZE);
  if (n < (int64_t{4} << 20) || page <= 0) return;
  const auto begin = reinterpret_cast<uintptr_t>(p) & ~static_cast<uintptr_t>(page - 1);
  const auto end = reinterpret_cast<uintptr_t>(p) + static_cast<uintptr_t>(n);
  (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_WILLNEED);
}

constexpr int64_t kAlign = 256;  // every tensor starts 256-byte aligned in a staging buffer
int64_t alignUp(int64_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

}  // namespace

struct Uploader::Cuda {
  struct Slot {
    torch::Tensor host;  // pinned bytes
    uint8_t* ptr = nullptr;
    at::cuda::CUDAEvent done;  // recorded after the last DMA reading this slot
    bool pending = false;
  };

  Cuda(c10::DeviceIndex idx, const UploadOptions& o)
      : index(idx), opts(o), side(at::cuda::getStreamFromPool(false, idx)) {}

  c10::DeviceIndex index;
  UploadOptions opts;
  at::cuda::CUDAStream side;
  std::vector<std::unique_ptr<Slot>> slots;  // grows lazily up to opts.stagingBuffers
  int cur = -1;
  int64_t off = 0;  // fill offset in slots[cur]
  at::cuda::CUDAEvent callerReady, sideDone;
  torch::Tensor scratch;  // device bytes for converting uploads (one piece)

  /// Next free region of at least kAlign bytes (or the rest of `want`); waits for the DMA that
  /// last read the slot it moves to.
  std::pair<uint8_t*, int64_t> region(int64_t want) {
    if (cur < 0 || opts.stagingBytes - off < kAlign) {
      cur = (cur + 1) % opts.stagingBuffers;
      if (cur >= static_cast<int>(slots.size())) {
        auto s = std::make_unique<Slot>();
        s->host = torch::empty({opts.stagingBytes}, torch::TensorOptions().dtype(torch::kUInt8).pinned_memory(true));
        s->ptr = s->host.data_ptr<uint8_t>();
        slots.push_back(std::move(s));
      }
      Slot& s = *slots[static_cast<size_t>(cur)];
      if (s.pending) s.done.synchronize();
      s.pending = false;
      off = 0;
    }
    const int64_t room = opts.stagingBytes - off;
    int64_t m = std::min({want, room, opts.pieceBytes});
    if (m < want) m = m / kAlign * kAlign;  // inner pieces stay element-aligned
    return {slots[static_cast<size_t>(cur)]->ptr + off, m};
  }

  /// Sends `n` bytes from `src` to the contiguous device tensor `dst` (same numel as the
  /// source, whose dtype is `srcType`), converting on the device when the dtypes differ.
  void send(const uint8_t* src, int64_t n, c10::ScalarType srcType, const torch::Tensor& dst) {
    const auto caller = at::cuda::getCurrentCUDAStream(index);
    callerReady.record(caller);
    callerReady.block(side);  // earlier work on dst (allocation reuse, init copies) comes first
    const bool convert = dst.scalar_type() != srcType;
    const int64_t srcElem = static_cast<int64_t>(c10::elementSize(srcType));
    if (convert && !scratch.defined()) {
      c10::cuda::CUDAStreamGuard g(side);  // owned by the side stream: only it ever touches it
      scratch = torch::empty({opts.pieceBytes}, torch::TensorOptions().dtype(torch::kUInt8).device(torch::kCUDA, index));
    }
    auto* out = static_cast<uint8_t*>(dst.data_ptr());
    torch::Tensor dstFlat = convert ? dst.view({-1}) : torch::Tensor();
    prefetch(src, n);
    for (int64_t done = 0; done < n;) {
      auto [stage, m] = region(n - done);
      hostCopy(stage, src + done, m, opts.parallelMinBytes);
      uint8_t* target = convert ? static_cast<uint8_t*>(scratch.data_ptr()) : out + done;
      C10_CUDA_CHECK(cudaMemcpyAsync(target, stage, static_cast<size_t>(m), cudaMemcpyHostToDevice, side.stream()));
      Slot& s = *slots[static_cast<size_t>(cur)];
      s.done.record(side);
      s.pending = true;
      if (convert) {
        c10::cuda::CUDAStreamGuard g(side);
        const int64_t e0 = done / srcElem, ne = m / srcElem;
        dstFlat.narrow(0, e0, ne).copy_(scratch.narrow(0, 0, m).view(srcType));
      }
      off += alignUp(m);
      done += m;
    }
    sideDone.record(side);
    sideDone.block(caller);  // the caller's stream sees the data; the host does not wait
  }

  void finish() {
    side.synchronize();
    for (auto& s : slots) s->pending = false;
  }
};

#else
struct Uploader::Cuda {};  // CPU-only build: never created
#endif  // NEWBIE_WITH_CUDA

// ---- Uploader -----------------------------------------------------------------------------

Uploader::Uploader(torch::Device device, UploadOptions options) : device_(device), options_(options) {
  if (options_.stagingBuffers < 2 || options_.stagingBytes < 4096 || options_.pieceBytes < 4096 ||
      options_.pieceBytes > options_.stagingBytes)
    throw std::invalid_argument("Uploader: need >= 2 staging buffers of >= 4096 bytes and 4096 <= piece <= buffer; got " +
                                std::to_string(options_.stagingBuffers) + " x " + std::to_string(options_.stagingBytes) +
                                ", piece " + std::to_string(options_.pieceBytes));
#if NEWBIE_WITH_CUDA
  options_.stagingBytes = options_.stagingBytes / kAlign * kAlign;
  options_.pieceBytes = options_.pieceBytes / kAlign * kAlign;
#endif
}

Uploader::~Uploader() {
  try {
    finish();
  } catch (const std::exception& e) {
    log::error("upload: finishing the copies failed: {}", e.what());
  }
}

void Uploader::finish() {
#if NEWBIE_WITH_CUDA
  if (cuda_) {
    const auto t0 = Clock::now();
    cuda_->finish();
    account(0, since(t0));
  }
#endif
}

torch::Tensor Uploader::upload(const torch::Tensor& src, torch::ScalarType dtype) {
  const auto t0 = Clock::now();
  torch::Tensor out;
#if NEWBIE_WITH_CUDA
  if (device_.is_cuda() && src.device().is_cpu() && src.numel() > 0 && gPinned.load()) {
    out = torch::empty(src.sizes(), torch::TensorOptions().dtype(dtype).device(device_));
    uploadInto(src, out);  // accounts itself
    return out;
  }
#endif
  out = src.to(device_, dtype);
  account(nbytes(src), since(t0));
  return out;
}

void Uploader::uploadInto(const torch::Tensor& src, const torch::Tensor& dst) {
  const auto t0 = Clock::now();
  if (src.sizes() != dst.sizes())
    throw std::invalid_argument("upload: source shape " + shapeString(src.sizes()) + " does not match destination " +
                                shapeString(dst.sizes()));
  torch::NoGradGuard ng;
#if NEWBIE_WITH_CUDA
  if (dst.device().is_cuda() && src.device().is_cpu() && src.numel() > 0 && gPinned.load()) {
    if (!dst.is_contiguous()) {
      dst.copy_(upload(src, dst.scalar_type()));
      return;
    }
    const torch::Tensor s = src.is_contiguous() ? src : src.contiguous();
    const c10::DeviceIndex idx = dst.device().index();
    c10::cuda::CUDAGuard guard(idx);
    if (!cuda_ || cuda_->index != idx) {
      if (cuda_) cuda_->finish();
      cuda_ = std::make_unique<Cuda>(idx, options_);
    }
    cuda_->send(static_cast<const uint8_t*>(s.data_ptr()), static_cast<int64_t>(nbytes(s)), s.scalar_type(), dst);
    account(nbytes(s), since(t0));
    return;
  }
#endif
  dst.copy_(src);
  account(nbytes(src), since(t0));
}

torch::Tensor uploadTensor(const torch::Tensor& src, torch::Device device, torch::ScalarType dtype) {
  Uploader up(device);
  return up.upload(src, dtype);
}

}  // namespace newbie::io
