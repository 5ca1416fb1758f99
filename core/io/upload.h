#pragma once
// The one routine that moves stored tensors (zero-copy CPU views over a safetensors mapping,
// see io/safetensors.h) to the device and dtype a model runs in. Every loader uses it.
//
// CPU targets: today's behaviour, `src.to(device, dtype)`: a zero-copy view when the dtype
// already matches, one conversion pass otherwise.
// CUDA targets (only in builds with NEWBIE_WITH_CUDA): the destination is allocated on the
// device; the stored bytes are copied (several threads for big pieces) from the mapping into
// a small ring of reusable pinned host buffers (allocated lazily, on first use, once per
// Uploader) and sent with cudaMemcpyAsync on a side stream. Events per buffer let the copy of
// piece i+1 overlap the DMA of piece i, also across tensor boundaries (small tensors share a
// buffer). A dtype change happens on the device after the raw bytes land, piecewise through
// a device scratch buffer of one piece: never a CPU conversion pass. Each upload makes the
// caller's current stream wait for its copies (an event, no host wait), so a returned tensor
// may be used on the current stream at once; the side stream first waits for the current
// stream, so writing into an existing tensor is ordered after earlier work on it.
//
// Sources: a CPU tensor of any dtype; a non-contiguous one is made contiguous on the CPU in
// its own dtype first (one extra copy, never the case for mapped tensors). A source already
// on a non-CPU device is converted with `.to(device, dtype)`.
//
// Statistics: bytes read (source bytes in the stored dtype), tensors and wall seconds spent
// in upload calls and finish(), per Uploader and process-wide (uploadTotals()).
//
// Thread-safety: one Uploader is used by one thread at a time. uploadTotals() is thread-safe.

#include <cstdint>
#include <memory>

#include <torch/torch.h>

namespace newbie::io {

struct UploadStats {
  uint64_t bytes = 0;    ///< source bytes read, in the stored dtype
  uint64_t tensors = 0;  ///< upload()/uploadInto() calls
  double seconds = 0;    ///< wall time inside upload()/uploadInto()/finish()
  /// bytes / seconds in GB/s (1e9); 0 when no time was spent.
  double gbPerSecond() const { return seconds > 0 ? static_cast<double>(bytes) / seconds / 1e9 : 0.0; }
};

/// Sizes of the CUDA staging pipeline (ignored for CPU targets).
struct UploadOptions {
  int stagingBuffers = 4;                 ///< pinned host buffers in the ring (>= 2)
  int64_t stagingBytes = int64_t{64} << 20;  ///< bytes per pinned buffer
  int64_t pieceBytes = int64_t{16} << 20;    ///< largest single memcpy + DMA (<= stagingBytes)
  int64_t parallelMinBytes = int64_t{4} << 20;  ///< host copies at least this big use several threads
};

class Uploader {
 public:
  /// `device`: the target (cpu, cuda, cuda:N). Throws std::invalid_argument for bad options.
  explicit Uploader(torch::Device device, UploadOptions options = {});
  /// Calls finish() (errors are logged, not thrown) and releases the staging buffers.
  ~Uploader();
  Uploader(const Uploader&) = delete;
  Uploader& operator=(const Uploader&) = delete;

  torch::Device device() const { return device_; }

  /// `src` on the target device in `dtype`, same shape (contiguous for CUDA targets).
  torch::Tensor upload(const torch::Tensor& src, torch::ScalarType dtype);
  /// Copies `src` (converted to dst's dtype) into the existing tensor `dst` on the target
  /// device; sizes must be equal (std::invalid_argument otherwise, naming both shapes). `dst`
  /// may be a contiguous slice of a bigger tensor (e.g. narrow() along dim 0).
  void uploadInto(const torch::Tensor& src, const torch::Tensor& dst);
  /// Waits until every copy issued so far has landed (CUDA); a no-op on CPU.
  void finish();

  const UploadStats& stats() const { return stats_; }

 private:
  struct Cuda;
  void account(uint64_t bytes, double seconds);
  torch::Device device_;
  UploadOptions options_;
  UploadStats stats_;
  std::unique_ptr<Cuda> cuda_;  // created on the first CUDA upload
};

/// Process-wide totals of every Uploader since start (snapshot; subtract two for a span).
UploadStats uploadTotals();

/// Process-wide switch for measurements (`bench --upload plain`): false makes every Uploader
/// take the previous plain path on CUDA too (`src.to(device, dtype)` / `dst.copy_(src)`:
/// pageable copies, CPU-side conversion). Default true. Thread-safe; affects later calls.
void setPinnedUploadEnabled(bool enabled);
bool pinnedUploadEnabled();

/// One-shot upload with a temporary Uploader (fine for a few tensors; loaders keep one).
torch::Tensor uploadTensor(const torch::Tensor& src, torch::Device device, torch::ScalarType dtype);

}  // namespace newbie::io
