#include "telemetry.h"

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>

namespace newbie {

double telemetryNowSeconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

namespace {
std::atomic<ProcessGpuMemoryFn> gProcessGpuMemoryHook{nullptr};
}

void setProcessGpuMemoryHook(ProcessGpuMemoryFn fn) { gProcessGpuMemoryHook.store(fn); }

std::optional<double> processGpuMemoryBytes() {
  auto fn = gProcessGpuMemoryHook.load();
  if (!fn) return std::nullopt;
  try {
    return fn();
  } catch (...) {
    return std::nullopt;
  }
}

// ---------------------------------------------------------------- NVML
// Only the handful of NVML entry points we need, declared with their C ABI.
namespace {
using nvmlReturn_t = int;
using nvmlDevice_t = void*;
struct NvmlUtilization {
  unsigned int gpu;
  unsigned int memory;
};
struct NvmlMemory {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};
constexpr nvmlReturn_t kNvmlSuccess = 0;
constexpr int kNvmlTemperatureGpu = 0;
constexpr int kNvmlClockSm = 1;
}  // namespace

struct NvmlSource::Impl {
  void* lib = nullptr;
  bool initialised = false;
  std::string reason;
  unsigned int count = 0;
  std::vector<nvmlDevice_t> devices;
  std::vector<std::string> names;

  nvmlReturn_t (*init)() = nullptr;
  nvmlReturn_t (*shutdown)() = nullptr;
  const char* (*errorString)(nvmlReturn_t) = nullptr;
  nvmlReturn_t (*getCount)(unsigned int*) = nullptr;
  nvmlReturn_t (*getHandle)(unsigned int, nvmlDevice_t*) = nullptr;
  nvmlReturn_t (*getName)(nvmlDevice_t, char*, unsigned int) = nullptr;
  nvmlReturn_t (*getUtil)(nvmlDevice_t, NvmlUtilization*) = nullptr;
  nvmlReturn_t (*getMem)(nvmlDevice_t, NvmlMemory*) = nullptr;
  nvmlReturn_t (*getTemp)(nvmlDevice_t, int, unsigned int*) = nullptr;
  nvmlReturn_t (*getPower)(nvmlDevice_t, unsigned int*) = nullptr;
  nvmlReturn_t (*getClock)(nvmlDevice_t, int, unsigned int*) = nullptr;

  template <typename F>
  bool sym(F& f, const char* name) {
    f = reinterpret_cast<F>(dlsym(lib, name));
    return f != nullptr;
  }

  std::string err(nvmlReturn_t r) const {
    if (errorString) return errorString(r);
    return "NVML error " + std::to_string(r);
  }

  void open() {
    const char* candidates[] = {"libnvidia-ml.so.1", "/usr/local/nvidia/lib64/libnvidia-ml.so.1",
                                "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1"};
    std::string lastError;
    for (const char* c : candidates) {
      lib = dlopen(c, RTLD_NOW | RTLD_LOCAL);
      if (lib) break;
      const char* e = dlerror();
      lastError = e ? e : c;
    }
    if (!lib) {
      reason = "NVIDIA driver library libnvidia-ml.so.1 not found (no NVIDIA GPU or driver): " + lastError;
      return;
    }
    bool ok = (sym(init, "nvmlInit_v2") || sym(init, "nvmlInit")) && sym(shutdown, "nvmlShutdown") &&
              (sym(getCount, "nvmlDeviceGetCount_v2") || sym(getCount, "nvmlDeviceGetCount")) &&
              (sym(getHandle, "nvmlDeviceGetHandleByIndex_v2") || sym(getHandle, "nvmlDeviceGetHandleByIndex"));
    sym(errorString, "nvmlErrorString");
    sym(getName, "nvmlDeviceGetName");
    sym(getUtil, "nvmlDeviceGetUtilizationRates");
    sym(getMem, "nvmlDeviceGetMemoryInfo");
    sym(getTemp, "nvmlDeviceGetTemperature");
    sym(getPower, "nvmlDeviceGetPowerUsage");
    sym(getClock, "nvmlDeviceGetClockInfo");
    if (!ok) {
      reason = "libnvidia-ml.so.1 lacks the NVML entry points nvmlInit / nvmlDeviceGetCount";
      return;
    }
    nvmlReturn_t r = init();
    if (r != kNvmlSuccess) {
      reason = "nvmlInit failed: " + err(r);
      return;
    }
    initialised = true;
    r = getCount(&count);
    if (r != kNvmlSuccess || count == 0) {
      reason = r != kNvmlSuccess ? "nvmlDeviceGetCount failed: " + err(r) : std::string("NVML reports no GPUs");
      count = 0;
      return;
    }
    for (unsigned int i = 0; i < count; ++i) {
      nvmlDevice_t d = nullptr;
      if (getHandle(i, &d) != kNvmlSuccess) continue;
      char name[96] = {0};
      if (getName) getName(d, name, sizeof(name) - 1);
      devices.push_back(d);
      names.emplace_back(name);
    }
    if (devices.empty()) reason = "NVML could not open any of its " + std::to_string(count) + " GPUs";
  }
};

NvmlSource::NvmlSource() : impl_(std::make_unique<Impl>()) { impl_->open(); }

NvmlSource::~NvmlSource() {
  if (impl_->initialised && impl_->shutdown) impl_->shutdown();
  if (impl_->lib) dlclose(impl_->lib);
}

bool NvmlSource::available() const { return !impl_->devices.empty(); }
std::string NvmlSource::reason() const { return available() ? std::string() : impl_->reason; }

void NvmlSource::sample(TelemetrySample& out) {
  auto& m = *impl_;
  for (std::size_t i = 0; i < m.devices.size(); ++i) {
    nvmlDevice_t d = m.devices[i];
    GpuSample g;
    g.index = static_cast<int>(i);
    g.name = m.names[i];
    NvmlUtilization u{};
    if (m.getUtil && m.getUtil(d, &u) == kNvmlSuccess) g.utilisationPercent = u.gpu;
    NvmlMemory mem{};
    if (m.getMem && m.getMem(d, &mem) == kNvmlSuccess) {
      g.memoryUsedBytes = static_cast<double>(mem.used);
      g.memoryTotalBytes = static_cast<double>(mem.total);
    }
    unsigned int v = 0;
    if (m.getTemp && m.getTemp(d, kNvmlTemperatureGpu, &v) == kNvmlSuccess) g.temperatureC = v;
    if (m.getPower && m.getPower(d, &v) == kNvmlSuccess) g.powerWatts = v / 1000.0;
    if (m.getClock && m.getClock(d, kNvmlClockSm, &v) == kNvmlSuccess) g.smClockMHz = v;
    out.gpus.push_back(std::move(g));
  }
}

// ---------------------------------------------------------------- /proc
ProcSource::ProcSource(std::string procRoot) : root_(std::move(procRoot)) {}

bool ProcSource::available() const {
  std::ifstream f(root_ + "/meminfo");
  return static_cast<bool>(f);
}

std::string ProcSource::reason() const {
  return available() ? std::string() : root_ + "/meminfo is not readable (not Linux?)";
}

namespace {
/// Value in kB of `key:` in a /proc file like meminfo or self/status.
std::optional<double> procKb(const std::string& path, const std::string& key) {
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line)) {
    if (line.compare(0, key.size(), key) == 0 && line.size() > key.size() && line[key.size()] == ':') {
      std::istringstream is(line.substr(key.size() + 1));
      double kb = 0;
      if (is >> kb) return kb * 1024.0;
    }
  }
  return std::nullopt;
}
}  // namespace

void ProcSource::sample(TelemetrySample& out) {
  HostSample h = out.host.value_or(HostSample{});
  {
    std::ifstream f(root_ + "/stat");
    std::string cpu;
    if (f >> cpu && cpu == "cpu") {
      uint64_t v[10] = {0};
      int n = 0;
      while (n < 10 && f >> v[n]) ++n;
      if (n >= 4) {
        // user nice system idle iowait irq softirq steal (guest is already counted in user)
        uint64_t idle = v[3] + (n > 4 ? v[4] : 0);
        uint64_t total = 0;
        for (int i = 0; i < std::min(n, 8); ++i) total += v[i];
        if (haveLast_ && total > lastTotal_) {
          double dt = static_cast<double>(total - lastTotal_);
          double di = static_cast<double>(idle >= lastIdle_ ? idle - lastIdle_ : 0);
          h.cpuPercent = std::clamp(100.0 * (1.0 - di / dt), 0.0, 100.0);
        }
        lastIdle_ = idle;
        lastTotal_ = total;
        haveLast_ = true;
      }
    }
  }
  auto total = procKb(root_ + "/meminfo", "MemTotal");
  auto avail = procKb(root_ + "/meminfo", "MemAvailable");
  if (total) h.ramTotalBytes = total;
  if (total && avail) h.ramUsedBytes = *total - *avail;
  h.processRssBytes = procKb(root_ + "/self/status", "VmRSS");
  out.host = h;
}

// ---------------------------------------------------------------- combined
CombinedSource::CombinedSource() {
  sources_.push_back(std::make_unique<NvmlSource>());
  sources_.push_back(std::make_unique<ProcSource>());
}

CombinedSource::CombinedSource(std::vector<std::unique_ptr<TelemetrySource>> sources) : sources_(std::move(sources)) {}

bool CombinedSource::available() const {
  for (const auto& s : sources_)
    if (s->available()) return true;
  return false;
}

std::string CombinedSource::reason() const {
  std::string r;
  for (const auto& s : sources_) {
    if (s->available()) continue;
    if (!r.empty()) r += "; ";
    r += s->reason();
  }
  return r;
}

void CombinedSource::sample(TelemetrySample& out) {
  out.timeSeconds = telemetryNowSeconds();
  for (auto& s : sources_)
    if (s->available()) s->sample(out);
  hasGpu_ = !out.gpus.empty();
}

}  // namespace newbie
