#pragma once
// Test double of PipelineBackend (tests only): `steps` steps of `stepMs` each, previews every
// step, honours CancelToken, and can be told to throw.
#include <QThread>

#include <atomic>

#include "worker.h"

namespace newbie::test {

class FakeBackend : public PipelineBackend {
 public:
  enum class Fail { None, OutOfMemory, Runtime, InvalidParams };
  struct Shared {
    std::atomic<int> stepMs{15};
    std::atomic<int> generated{0};
    std::atomic<int> fail{0};
    std::atomic<bool> loadFails{false};
  };
  explicit FakeBackend(std::shared_ptr<Shared> s) : s_(std::move(s)) {}

  void load(const std::vector<std::filesystem::path>&, const LoadOptions& o, const LoadProgressFn& progress,
            const CancelToken* cancel) override {
    for (int i = 0; i <= 4; ++i) {
      if (cancel && cancel->stopNow()) throw CancelledError("load cancelled");
      if (progress) progress({"transformer", "fake.safetensors", i / 4.0});
      QThread::msleep(5);
    }
    if (s_->loadFails) throw std::runtime_error("fake: missing model files in /nowhere");
    summary_.identity = "fake";
    summary_.isDemo = true;
    summary_.device = o.device;
    summary_.precision = o.precision;
    loaded_ = true;
  }
  bool isLoaded() const override { return loaded_; }
  void unload() override { loaded_ = false; }
  GenerationResult generate(const GenerationParams& p, const Callbacks& cb, CancelToken& cancel) override {
    const auto f = static_cast<Fail>(s_->fail.load());
    if (cb.onPhase) cb.onPhase(Phase::Encode);
    if (f == Fail::InvalidParams) throw InvalidParamsError("steps: 0 is not in [1, 200]");
    if (cb.onPhase) cb.onPhase(Phase::Denoise);
    for (int i = 0; i < p.steps; ++i) {
      if (cancel.stopNow()) throw CancelledError("cancelled at step " + std::to_string(i));
      QThread::msleep(static_cast<unsigned long>(s_->stepMs.load()));
      if (f == Fail::OutOfMemory && i == 1) throw OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB");
      if (f == Fail::Runtime && i == 1) throw std::runtime_error("transformer: tensor 'x' has shape [1,2]");
      StepInfo s;
      s.index = i;
      s.total = p.steps;
      s.sigma = 1.0 - static_cast<double>(i) / p.steps;
      s.stepMs = s_->stepMs;
      if (p.previewEvery > 0 && (i + 1) % p.previewEvery == 0) s.preview = image(8, 8, 100);
      if (cb.onStep) cb.onStep(s);
    }
    if (cb.onPhase) cb.onPhase(Phase::Decode);
    GenerationResult r;
    r.image = image(p.width / 8, p.height / 8, static_cast<uint8_t>(p.seed % 251));
    r.metadataJson = "{\"prompt\":\"" + p.prompt + "\",\"steps\":" + std::to_string(p.steps) + ",\"seed\":" + std::to_string(p.seed) + "}";
    r.timings.totalMs = p.steps * s_->stepMs;
    ++s_->generated;
    return r;
  }
  int countTokens(const std::string& prompt, const std::string&) const override {
    return static_cast<int>(prompt.size() / 4) + 1;
  }
  ModelSummary summary() const override { return summary_; }

  static RGBImage image(int w, int h, uint8_t v) {
    RGBImage im;
    im.width = w;
    im.height = h;
    im.rgb.assign(static_cast<size_t>(w) * h * 3, v);
    for (size_t i = 0; i < im.rgb.size(); i += 7) im.rgb[i] = static_cast<uint8_t>(i);
    return im;
  }

 private:
  std::shared_ptr<Shared> s_;
  std::atomic<bool> loaded_{false};
  ModelSummary summary_;
};

}  // namespace newbie::test
