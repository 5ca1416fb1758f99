// The real PipelineBackend: a thin wrapper over newbie::Pipeline. Kept in its own file so
// tests that use a fake backend never pull the pipeline's symbols in.
#include "worker.h"

namespace newbie {
namespace {

class RealBackend final : public PipelineBackend {
 public:
  void load(const std::vector<std::filesystem::path>& paths, const LoadOptions& options,
            const LoadProgressFn& progress, const CancelToken* cancel) override {
    auto p = Pipeline::load(paths, options, progress, cancel);
    std::atomic_store(&pipeline_, std::shared_ptr<Pipeline>(std::move(p)));
  }
  bool isLoaded() const override { return std::atomic_load(&pipeline_) != nullptr; }
  void unload() override { std::atomic_store(&pipeline_, std::shared_ptr<Pipeline>()); }
  GenerationResult generate(const GenerationParams& params, const Callbacks& callbacks,
                            CancelToken& cancel) override {
    auto p = std::atomic_load(&pipeline_);
    if (!p) throw std::logic_error("no model");
    return p->generate(params, callbacks, cancel);
  }
  int countTokens(const std::string& prompt, const std::string& preset) const override {
    auto p = std::atomic_load(&pipeline_);
    return p ? p->countTokens(prompt, preset) : -1;
  }
  ModelSummary summary() const override {
    auto p = std::atomic_load(&pipeline_);
    return p ? p->summary() : ModelSummary{};
  }

 private:
  std::shared_ptr<Pipeline> pipeline_;
};

}  // namespace

std::unique_ptr<PipelineBackend> makePipelineBackend() { return std::make_unique<RealBackend>(); }

}  // namespace newbie
