#pragma once
// Plain value types of the core's facade. No LibTorch here: the UI and the CLI include
// only core/api/*.h and core/pipeline.h.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace newbie {

/// FP8: bf16 everywhere except the Next-DiT block linears (attention qkv/out, feed-forward w13/w2),
/// which run as float8 e4m3 GEMMs (per-output-row weight scales, per-token activation scales).
/// Approximate and opt-in; needs a CUDA GPU of compute capability >= 8.9 and LibTorch >= 2.1.
enum class Precision { BF16, FP16, FP32, FP8 };
const char* precisionName(Precision p);            ///< "bf16" / "fp16" / "fp32" / "fp8"
/// Accepts the names above and the aliases bfloat16, float16, half, float32, float, e4m3, fp8_e4m3.
std::optional<Precision> parsePrecision(const std::string& s);

/// Where the text encoders live between jobs (lets 12–16 GB cards fit).
enum class EncoderPlacement { Device, CPU, FreeAfterUse };

/// 8-bit RGB image, row-major, 3 bytes per pixel.
struct RGBImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;
  bool empty() const { return rgb.empty(); }
};

/// Cancellation shared between the caller and a running load/job. Thread-safe.
/// Checked at stage / step boundaries; reset by the core when a job starts.
class CancelToken {
 public:
  enum class Mode : int { None = 0, AfterImage = 1, Now = 2 };
  void request(Mode m) { mode_.store(static_cast<int>(m)); }
  Mode mode() const { return static_cast<Mode>(mode_.load()); }
  bool stopNow() const { return mode() == Mode::Now; }
  void reset() { mode_.store(0); }

 private:
  std::atomic<int> mode_{0};
};

/// Thrown when a load or job was cancelled (by a CancelToken or a callback).
class CancelledError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Thrown for device out-of-memory; the pipeline stays usable after it.
class OutOfMemoryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Bad parameters (size, steps, CFG, sampler, ...); message names the field and value.
class InvalidParamsError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Loading progress. `fraction` in [0,1] for the whole load.
struct LoadProgress {
  std::string stage;   ///< "config", "tokenizer", "text encoder", "clip", "transformer", "vae"
  std::string detail;  ///< e.g. the file being read
  double fraction = 0;
};
using LoadProgressFn = std::function<void(const LoadProgress&)>;

enum class Phase { Load, Encode, Denoise, Decode, Done };
const char* phaseName(Phase p);

}  // namespace newbie
