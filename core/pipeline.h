#pragma once
// The core's facade: load a NewBie-image-Exp0.1 model once, then run jobs on it.
//
// Thread-safety: a Pipeline is used by one thread at a time (the app's worker thread owns
// it). Callbacks run on that thread. CancelToken may be set from any thread.
// No LibTorch types appear here (pimpl), so ui/ never includes <torch/...>.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/types.h"

namespace newbie {

struct LoadOptions {
  std::string device = "cpu";            ///< "cpu", "cuda", "cuda:1"
  Precision precision = Precision::FP32; ///< DiT and text encoders
  std::optional<Precision> vaePrecision; ///< default: fp32 on CPU, bf16 on CUDA when precision is bf16/fp16
  EncoderPlacement encoderPlacement = EncoderPlacement::Device;
  std::size_t encodingCacheEntries = 32; ///< LRU size of the text-encoding cache
  /// TAEF1 decoder weights for previews (taef1_decoder.safetensors). Empty: looked up as
  /// `<model>/vae_approx/taef1_decoder.safetensors` and `<model>/taef1_decoder.safetensors`.
  std::filesystem::path taef1Path;
};

struct GenerationParams {
  std::string prompt;                       ///< sent verbatim (XML or tags)
  std::string negativePrompt;               ///< empty: Gemma gets "" -> [BOS]
  std::optional<std::string> systemPrompt;  ///< custom string; overrides systemPreset
  std::string systemPreset = "auto";        ///< preset name, or "auto" (XML -> xml preset, else tags)
  bool comfyCompatible = false;             ///< Jina gets the full text as ComfyUI does
  int width = 1024;
  int height = 1024;
  int steps = 28;
  std::string sampler = "euler";            ///< euler | midpoint | dpmpp_2m | unipc | ...
  std::string schedule;                     ///< "" = the sampler's own grid; diffusers | simple | official | ...
  double shift = 6.0;
  double cfgScale = 4.5;
  double cfgTrunc = 1.0;                    ///< official rule: CFG while t < cfgTrunc (1 = always)
  double renorm = 0.0;                      ///< official norm cap; 0 = off
  bool cfgNormalization = false;            ///< diffusers PR12803 rescale
  uint64_t seed = 0;
  std::filesystem::path noiseFile;          ///< optional: tensor 'noise' [1,16,H/8,W/8]
  int previewEvery = 0;                     ///< 0 = no previews
  std::string previewKind = "linear";       ///< linear | taef1
};

struct StepInfo {
  int index = 0;        ///< 0-based
  int total = 0;
  double sigma = 0;
  double stepMs = 0;    ///< wall time of this step (model calls + update)
  double previewMs = 0; ///< cost of making the preview (0 if none)
  std::optional<RGBImage> preview;
};

struct Callbacks {
  std::function<void(Phase)> onPhase;
  std::function<void(const StepInfo&)> onStep;
};

struct Timings {
  double encodeMs = 0, denoiseMs = 0, decodeMs = 0, totalMs = 0;
  bool encodeCacheHit = false;
  std::vector<double> stepMs;
};

struct GenerationResult {
  RGBImage image;
  std::vector<float> latent;           ///< final latent, model space, [1,16,H/8,W/8] row-major
  std::vector<int64_t> latentShape;
  std::string metadataJson;            ///< everything needed to reproduce (see png metadata)
  Timings timings;
  int gemmaTokens = 0;
  bool gemmaTruncated = false;
};

/// Text-encoder outputs for one prompt (for `newbie-cli encode` and tests).
struct EncodeResult {
  std::vector<int64_t> gemmaIds, jinaIds;  ///< exactly what the encoders saw
  int gemmaTokensBeforeTruncation = 0;
  bool truncated = false;
  std::string gemmaText, jinaText, systemPrompt;
  std::vector<float> capFeats;             ///< [1, L, C] fp32, row-major
  std::vector<int64_t> capShape;
  std::vector<float> pooled;               ///< [1, P] fp32
  std::vector<int64_t> pooledShape;
  double ms = 0;
  bool cacheHit = false;
};

/// Description of what was loaded, for status bars and `inspect`.
struct ModelSummary {
  std::string layout;       ///< "official", "diffusers", "comfyui"
  std::string identity;     ///< stable id (folder name + transformer file size/hash prefix)
  bool isDemo = false;      ///< the embedded demo model (random weights)
  std::string device;
  Precision precision = Precision::FP32;
  int64_t ditParameters = 0;
};

class Pipeline {
 public:
  /// Locates, validates and loads every component from `paths` (a model folder, or
  /// ComfyUI files / models folder). Reports progress; throws CancelledError when `cancel`
  /// asks to stop, and std::runtime_error with file / tensor context for bad files.
  static std::unique_ptr<Pipeline> load(const std::vector<std::filesystem::path>& paths, const LoadOptions& options,
                                        const LoadProgressFn& progress = {}, const CancelToken* cancel = nullptr);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  /// Runs one job. `cancel` is reset at the start of the job. Mode::Now stops at the next
  /// step boundary (CancelledError), Mode::AfterImage lets this image finish.
  GenerationResult generate(const GenerationParams& params, const Callbacks& callbacks, CancelToken& cancel);

  /// Runs both text encoders on the positive prompt of `params` (or its negative when
  /// `negative`), through the same prompt assembly and cache as generate().
  EncodeResult encode(const GenerationParams& params, bool negative = false);

  /// Gemma token count for the editor's live counter (tokenizer only, BOS included,
  /// system prompt resolved as generate() would). Cheap; thread-safe.
  int countTokens(const std::string& prompt, const std::string& systemPreset = "auto") const;

  const ModelSummary& summary() const;
  const LoadOptions& options() const;
  /// Text-encoding cache statistics (for the UI).
  std::size_t encodingCacheHits() const;
  std::size_t encodingCacheMisses() const;
  /// Releases cached device memory (after an error, or before a reload).
  void releaseCaches();

  /// Validation used by generate(); throws InvalidParamsError naming the field.
  static void validate(const GenerationParams& p);

  struct Impl;

 private:
  explicit Pipeline(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace newbie
