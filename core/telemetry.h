#pragma once
// Machine telemetry for the GPU monitor: NVIDIA GPUs through NVML (loaded at run time with
// dlopen, no link-time dependency) and CPU / RAM from /proc. No Qt, no LibTorch.
//
// Thread-safety: a TelemetrySource is used by one thread at a time (the monitor's sampling
// thread). Construction never throws; a source that cannot work reports available() == false
// and a human-readable reason().

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace newbie {

/// One GPU at one instant. Fields the driver cannot report stay std::nullopt.
struct GpuSample {
  int index = 0;
  std::string name;
  std::optional<double> utilisationPercent;  ///< 0..100, SM busy
  std::optional<double> memoryUsedBytes;
  std::optional<double> memoryTotalBytes;
  std::optional<double> temperatureC;
  std::optional<double> powerWatts;
  std::optional<double> smClockMHz;
};

/// Host (CPU / RAM) at one instant.
struct HostSample {
  std::optional<double> cpuPercent;          ///< all cores, 0..100; needs two samples (delta)
  std::optional<double> ramUsedBytes;        ///< MemTotal - MemAvailable
  std::optional<double> ramTotalBytes;
  std::optional<double> processRssBytes;     ///< this process
};

struct TelemetrySample {
  double timeSeconds = 0;   ///< steady clock, seconds (only differences are meaningful)
  std::vector<GpuSample> gpus;
  std::optional<HostSample> host;
};

/// A source of samples. sample() is cheap (a few ms at most) and must not load the GPU.
class TelemetrySource {
 public:
  virtual ~TelemetrySource() = default;
  virtual bool available() const = 0;
  /// Why the source has no data (empty when available()).
  virtual std::string reason() const = 0;
  /// Fills the parts this source knows about; leaves the others untouched.
  virtual void sample(TelemetrySample& out) = 0;
};

/// NVIDIA GPUs via NVML. Tries libnvidia-ml.so.1 on the loader path, then
/// /usr/local/nvidia/lib64/ and /usr/lib/x86_64-linux-gnu/.
class NvmlSource final : public TelemetrySource {
 public:
  NvmlSource();
  ~NvmlSource() override;
  NvmlSource(const NvmlSource&) = delete;
  NvmlSource& operator=(const NvmlSource&) = delete;
  bool available() const override;
  std::string reason() const override;
  void sample(TelemetrySample& out) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// CPU % from /proc/stat deltas, RAM from /proc/meminfo, RSS from /proc/self/status.
/// `procRoot` lets tests point it at a fake /proc.
class ProcSource final : public TelemetrySource {
 public:
  explicit ProcSource(std::string procRoot = "/proc");
  bool available() const override;
  std::string reason() const override;
  void sample(TelemetrySample& out) override;

 private:
  std::string root_;
  uint64_t lastIdle_ = 0, lastTotal_ = 0;
  bool haveLast_ = false;
};

/// NVML (if present) + /proc together; reason() explains a missing GPU.
class CombinedSource final : public TelemetrySource {
 public:
  CombinedSource();
  explicit CombinedSource(std::vector<std::unique_ptr<TelemetrySource>> sources);
  bool available() const override;
  std::string reason() const override;
  void sample(TelemetrySample& out) override;
  /// True when at least one source reported GPUs on the last call.
  bool hasGpu() const { return hasGpu_; }

 private:
  std::vector<std::unique_ptr<TelemetrySource>> sources_;
  bool hasGpu_ = false;
};

/// Seconds on a steady clock (for TelemetrySample::timeSeconds).
double telemetryNowSeconds();

/// Optional hook: the core's own CUDA caching-allocator usage in bytes, set by code that
/// links LibTorch with CUDA (the monitor shows it when set). Never throws.
using ProcessGpuMemoryFn = std::optional<double> (*)();
void setProcessGpuMemoryHook(ProcessGpuMemoryFn fn);
std::optional<double> processGpuMemoryBytes();

}  // namespace newbie
