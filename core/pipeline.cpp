// The data path, top to bottom:
//   prompt -> tokens -> text features (Gemma penultimate + Jina pooled, cached)
//   -> noise -> sampler loop (DiT, CFG) -> latent -> VAE -> RGB8 image + metadata.
// Loading happens once, in named stages with progress and cancellation.
#include "pipeline.h"

#include <chrono>
#include <cmath>
#include <mutex>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "encoding_cache.h"
#include "io/model_locator.h"
#include "io/upload.h"
#include "log/log.h"
#include "models/flux_vae.h"
#include "models/gemma3.h"
#include "models/jina_xlmr.h"
#include "models/nextdit.h"
#include "models/nextdit_graph.h"
#include "models/taef1.h"
#include "pipeline_support.h"
#include "preview.h"
#include "sampling/cfg.h"
#include "sampling/noise.h"
#include "sampling/samplers.h"
#include "sampling/schedules.h"
#include "text/prompt.h"
#include "text/tokenizer.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace newbie {

namespace {
using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}
}  // namespace

struct Pipeline::Impl {
  LoadOptions opts;
  ModelSummary summary;
  io::ModelLocation loc;
  torch::Device device{torch::kCPU};
  torch::ScalarType dtype = torch::kFloat32;     // DiT + text encoders (on the device)
  torch::ScalarType vaeDtype = torch::kFloat32;

  std::unique_ptr<text::Tokenizer> gemmaTok, jinaTok;
  models::Gemma3Encoder gemma{nullptr};
  models::JinaTextTower jina{nullptr};
  models::NextDiT dit{nullptr};
  std::unique_ptr<models::NextDiTGraphs> ditGraphs;  ///< CUDA-graph replay of fixed-shape forwards
  models::FluxVaeDecoder vae{nullptr};
  models::Taef1Decoder taef1{nullptr};
  fs::path taef1Path;

  EncodingCache cache;
  mutable std::mutex tokMu;  // countTokens() may run on another thread than generate()

  // ---- text encoders -------------------------------------------------------------------
  torch::Device encoderDevice() const {
    return opts.encoderPlacement == EncoderPlacement::CPU ? torch::Device(torch::kCPU) : device;
  }
  torch::ScalarType encoderDtype() const {
    // CPU matmuls in bf16/fp16 are slow (and fp16 unsupported for some ops) in LibTorch 1.13.
    return encoderDevice().is_cpu() ? torch::kFloat32 : dtype;
  }
  void loadGemma() {
    if (gemma) return;
    const json cfg = pipeline_support::readJsonIfExists(loc.gemma.configFile);
    gemma = models::loadGemma3Encoder(loc.gemma.store, cfg.is_null() ? nullptr : &cfg, encoderDevice(), encoderDtype());
  }
  void loadJina() {
    if (jina) return;
    const json cfg = pipeline_support::readJsonIfExists(loc.jina.configFile);
    jina = models::loadJinaTextTower(loc.jina.store, cfg.is_null() ? nullptr : &cfg, encoderDevice(), encoderDtype());
  }
  void loadEncoders() {
    loadGemma();
    loadJina();
  }
  void releaseEncodersIfAsked() {
    if (opts.encoderPlacement != EncoderPlacement::FreeAfterUse) return;
    gemma = nullptr;
    jina = nullptr;
    pipeline_support::emptyDeviceCache();
  }

  /// Both encoders on one prompt; features on the DiT's device and dtype.
  EncodedText encode(const text::EncoderInputs& in, bool* hit) {
    const std::string key = EncodingCache::makeKey(in.gemmaIds, in.jinaIds, summary.identity,
                                                   precisionName(opts.precision), device.str());
    if (auto cached = cache.get(key)) {
      if (hit) *hit = true;
      return *cached;
    }
    if (hit) *hit = false;
    loadEncoders();
    const auto ed = encoderDevice();
    // ids: [1, L] int64
    auto gIds = torch::tensor(in.gemmaIds, torch::kInt64).unsqueeze(0).to(ed);
    auto jIds = torch::tensor(in.jinaIds, torch::kInt64).unsqueeze(0).to(ed);
    EncodedText out;
    out.capFeats = gemma->forward(gIds).to(device, dtype);  // [1, L, C]
    out.pooled = jina->forward(jIds).to(device, dtype);     // [1, P]
    cache.put(key, out);
    return out;
  }

  // ---- DiT evaluation for the sampler ----------------------------------------------------
  /// v for cond (and uncond) at model time t. Different caption lengths run as separate
  /// exact-length passes (no padding masks); equal lengths share one batched pass.
  torch::Tensor runDit(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& cap,
                       const std::vector<int64_t>& lens, const torch::Tensor& pooled) {
    if (!ditGraphs) ditGraphs = std::make_unique<models::NextDiTGraphs>(dit);
    return ditGraphs->forward(x, t, cap, lens, pooled);
  }

  sampling::ModelOutput evalDit(const torch::Tensor& x, double tModel, bool wantUncond, const EncodedText& c,
                                const EncodedText& u) {
    auto xd = x.to(dtype);  // x: [1, 16, h, w] fp32 -> compute dtype
    const int64_t lc = c.capFeats.size(1), lu = u.capFeats.defined() ? u.capFeats.size(1) : 0;
    sampling::ModelOutput out;
    if (!wantUncond) {
      auto t = torch::full({1}, tModel, torch::TensorOptions().dtype(torch::kFloat32).device(device));
      out.cond = runDit(xd, t, c.capFeats, {lc}, c.pooled).to(torch::kFloat32);
      return out;
    }
    if (lc == lu) {
      auto t = torch::full({2}, tModel, torch::TensorOptions().dtype(torch::kFloat32).device(device));
      auto v = runDit(torch::cat({xd, xd}, 0), t, torch::cat({c.capFeats, u.capFeats}, 0), {lc, lu},
                            torch::cat({c.pooled, u.pooled}, 0))
                   .to(torch::kFloat32);
      out.cond = v.narrow(0, 0, 1);
      out.uncond = v.narrow(0, 1, 1);
      return out;
    }
    auto t = torch::full({1}, tModel, torch::TensorOptions().dtype(torch::kFloat32).device(device));
    out.cond = runDit(xd, t, c.capFeats, {lc}, c.pooled).to(torch::kFloat32);
    out.uncond = runDit(xd, t, u.capFeats, {lu}, u.pooled).to(torch::kFloat32);
    return out;
  }

  RGBImage makePreview(const sampling::StepEvent& e, const GenerationParams& p) {
    // e.denoised: predicted x0 [1, 16, h, w], fp32, model space
    if (p.previewKind == "taef1") {
      if (!taef1) taef1 = models::loadTaef1(taef1Path, device, vaeDtype);
      auto img = taef1->forward(e.denoised.to(vaeDtype));
      return previewImageToRGB8(img);
    }
    return linearPreview(e.denoised);
  }
};

// ---------------------------------------------------------------------------------------

Pipeline::Pipeline(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Pipeline::~Pipeline() = default;

const ModelSummary& Pipeline::summary() const { return impl_->summary; }
const LoadOptions& Pipeline::options() const { return impl_->opts; }
std::size_t Pipeline::encodingCacheHits() const { return impl_->cache.hits(); }
std::size_t Pipeline::encodingCacheMisses() const { return impl_->cache.misses(); }

void Pipeline::releaseCaches() {
  impl_->cache.clear();
  impl_->releaseEncodersIfAsked();
  pipeline_support::emptyDeviceCache();
}

std::unique_ptr<Pipeline> Pipeline::load(const std::vector<fs::path>& paths, const LoadOptions& options,
                                         const LoadProgressFn& progress, const CancelToken* cancel) {
  c10::InferenceMode guard;
  auto impl = std::make_unique<Impl>();
  impl->opts = options;
  impl->cache.setCapacity(options.encodingCacheEntries);
  impl->device = pipeline_support::parseDevice(options.device);
  impl->dtype = pipeline_support::scalarType(options.precision);
  impl->vaeDtype = pipeline_support::vaeScalarType(options, impl->device);
  if (options.precision == Precision::FP8) {  // refused before anything is read
    const std::string why = models::fp8Unsupported(impl->device);
    if (!why.empty()) throw InvalidParamsError("precision fp8: " + why + "; use bf16 instead");
  }
  const auto loadStart = Clock::now();
  const io::UploadStats uploadStart = io::uploadTotals();

  auto report = [&](const std::string& stage, const std::string& detail, double fraction) {
    log::info("load: {} {} ({:.0f}%)", stage, detail, fraction * 100);
    if (progress) progress(LoadProgress{stage, detail, fraction});
    if (cancel && cancel->mode() != CancelToken::Mode::None) throw CancelledError("model loading cancelled");
  };

  // Stage 1: config — find every component and its naming from the headers.
  report("config", "locating components", 0.0);
  impl->loc = io::locateModel(paths);
  auto& loc = impl->loc;
  const double total = std::max<double>(1.0, static_cast<double>(loc.gemma.parameterCount + loc.jina.parameterCount +
                                                                    loc.transformer.parameterCount +
                                                                    loc.vae.parameterCount));
  double done = 0;
  auto advance = [&](int64_t params) { done += static_cast<double>(params); return 0.05 + 0.95 * done / total; };

  impl->summary.layout = io::layoutName(loc.layout);
  impl->summary.isDemo = loc.isDemo;
  impl->summary.device = impl->device.str();
  impl->summary.precision = options.precision;
  impl->summary.identity = pipeline_support::modelIdentity(loc);
  impl->taef1Path = pipeline_support::findTaef1(options.taef1Path, loc);

  // Stage 2: tokenizers.
  report("tokenizer", loc.gemmaTokenizer.preferredSource(), 0.02);
  impl->gemmaTok = pipeline_support::loadTokenizer(loc.gemmaTokenizer, text::TokenizerFlavor::Gemma);
  impl->jinaTok = pipeline_support::loadTokenizer(loc.jinaTokenizer, text::TokenizerFlavor::XlmR);

  // Stage 3: text encoders (unless they are loaded per job).
  if (options.encoderPlacement != EncoderPlacement::FreeAfterUse) {
    report("text encoder", loc.gemma.files.empty() ? "" : loc.gemma.files.front().string(), 0.05);
    impl->loadGemma();
    const double f1 = advance(loc.gemma.parameterCount);
    report("clip", loc.jina.files.empty() ? "" : loc.jina.files.front().string(), f1);
    impl->loadJina();
    advance(loc.jina.parameterCount);
  } else {
    advance(loc.gemma.parameterCount + loc.jina.parameterCount);
  }

  // Stage 4: the transformer.
  report("transformer", loc.transformer.files.empty() ? "" : loc.transformer.files.front().string(), advance(0));
  const json tcfg = pipeline_support::readJsonIfExists(loc.transformer.configFile);
  impl->dit = models::loadNextDiT(loc.transformer.store, tcfg.is_null() ? nullptr : &tcfg, impl->device, impl->dtype);
  impl->summary.ditParameters = impl->dit->parameterCount();
  if (options.precision == Precision::FP8) {
    impl->dit->quantizeLinearsFp8();  // block linears -> e4m3 + row scales; their bf16 weights are freed
    pipeline_support::emptyDeviceCache();
  }

  // Stage 5: the VAE decoder.
  report("vae", loc.vae.files.empty() ? "" : loc.vae.files.front().string(), advance(loc.transformer.parameterCount));
  models::VaeLoadOptions vopt;
  vopt.device = impl->device;
  vopt.dtype = impl->vaeDtype;
  const auto vcfg = loc.vae.configFile.empty() ? models::FluxVaeConfig::detect(loc.vae.store)
                                               : models::FluxVaeConfig::fromJsonFile(loc.vae.configFile);
  impl->vae = models::loadFluxVae(loc.vae.store, vcfg, vopt, loc.vae.files.empty() ? "vae" : loc.vae.files.front().string());
  pipeline_support::synchronize(impl->device);
  {
    const double s = std::chrono::duration<double>(Clock::now() - loadStart).count();
    const double gb = static_cast<double>(io::uploadTotals().bytes - uploadStart.bytes) / 1e9;
    log::info("load: {:.2f} GB of tensors read in {:.2f} s ({:.2f} GB/s) to {}", gb, s, s > 0 ? gb / s : 0.0,
              impl->device.str());
  }
  report("done", impl->summary.identity, 1.0);
  return std::unique_ptr<Pipeline>(new Pipeline(std::move(impl)));
}

void Pipeline::validate(const GenerationParams& p) { pipeline_support::validateParams(p); }

EncodeResult Pipeline::encode(const GenerationParams& p, bool negative) {
  c10::InferenceMode guard;
  auto& m = *impl_;
  const auto t0 = Clock::now();
  text::PromptOptions popt;
  popt.systemPreset = p.systemPreset;
  popt.customSystemPrompt = p.systemPrompt;
  popt.comfyCompatible = p.comfyCompatible;
  text::EncoderInputs in;
  {
    std::lock_guard<std::mutex> lock(m.tokMu);
    in = negative ? text::buildNegativeInputs(*m.gemmaTok, *m.jinaTok, p.negativePrompt, p.prompt, popt)
                  : text::buildPositiveInputs(*m.gemmaTok, *m.jinaTok, p.prompt, popt);
  }
  EncodeResult r;
  const EncodedText e = m.encode(in, &r.cacheHit);
  m.releaseEncodersIfAsked();
  auto toHost = [](const torch::Tensor& t, std::vector<float>& v, std::vector<int64_t>& shape) {
    auto c = t.to(torch::kCPU, torch::kFloat32).contiguous();
    shape = c.sizes().vec();
    v.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  };
  toHost(e.capFeats, r.capFeats, r.capShape);
  toHost(e.pooled, r.pooled, r.pooledShape);
  r.gemmaIds = in.gemmaIds;
  r.jinaIds = in.jinaIds;
  r.gemmaTokensBeforeTruncation = in.gemmaTokensBeforeTruncation;
  r.truncated = in.truncated;
  r.gemmaText = in.gemmaText;
  r.jinaText = in.jinaText;
  r.systemPrompt = in.systemPrompt;
  r.ms = msSince(t0);
  return r;
}

int Pipeline::countTokens(const std::string& prompt, const std::string& systemPreset) const {
  std::lock_guard<std::mutex> lock(impl_->tokMu);
  return text::countGemmaTokens(*impl_->gemmaTok, prompt, systemPreset);
}

GenerationResult Pipeline::generate(const GenerationParams& p, const Callbacks& cb, CancelToken& cancel) {
  validate(p);
  cancel.reset();
  c10::InferenceMode guard;
  auto& m = *impl_;
  GenerationResult result;
  const auto tJob = Clock::now();
  auto phase = [&](Phase ph) {
    if (cb.onPhase) cb.onPhase(ph);
  };

  try {
    // ---- prompt -> tokens -> text features ----------------------------------------------
    phase(Phase::Encode);
    const auto tEnc = Clock::now();
    text::PromptOptions popt;
    popt.systemPreset = p.systemPreset;
    popt.customSystemPrompt = p.systemPrompt;
    popt.comfyCompatible = p.comfyCompatible;
    text::EncoderInputs pos, neg;
    {
      std::lock_guard<std::mutex> lock(m.tokMu);
      pos = text::buildPositiveInputs(*m.gemmaTok, *m.jinaTok, p.prompt, popt);
      neg = text::buildNegativeInputs(*m.gemmaTok, *m.jinaTok, p.negativePrompt, p.prompt, popt);
    }
    result.gemmaTokens = pos.gemmaTokensBeforeTruncation;
    result.gemmaTruncated = pos.truncated;
    if (pos.truncated)
      log::warn("prompt has {} Gemma tokens; truncated to 512 as in training", pos.gemmaTokensBeforeTruncation);
    const bool needUncond = p.cfgScale != 1.0;
    bool hitC = false, hitU = true;
    const EncodedText cond = m.encode(pos, &hitC);
    EncodedText uncond;
    if (needUncond) uncond = m.encode(neg, &hitU);
    m.releaseEncodersIfAsked();
    result.timings.encodeCacheHit = hitC && hitU;
    result.timings.encodeMs = msSince(tEnc);
    if (cancel.stopNow()) throw CancelledError("cancelled before denoising");

    // ---- noise -----------------------------------------------------------------------------
    const std::vector<int64_t> shape{1, 16, p.height / 8, p.width / 8};
    // x: [1, 16, H/8, W/8] fp32, model space, σ = 1
    torch::Tensor noise = p.noiseFile.empty() ? sampling::makeNoise(p.seed, shape, m.device)
                                              : sampling::loadNoise(p.noiseFile, shape, m.device);

    // ---- sampler loop ------------------------------------------------------------------------
    phase(Phase::Denoise);
    const auto tDen = Clock::now();
    sampling::SampleRequest req;
    req.sampler = p.sampler;
    req.schedule = p.schedule;
    req.steps = p.steps;
    req.shift = p.shift;
    sampling::Guidance g;
    g.scale = p.cfgScale;
    g.cfgTrunc = p.cfgTrunc;
    g.renorm = p.renorm;
    g.cfgNormalization = p.cfgNormalization;
    g.truncRule = p.cfgNormalization ? sampling::Guidance::TruncRule::StepRatio : sampling::Guidance::TruncRule::ModelTime;

    sampling::ModelEval eval = [&](const torch::Tensor& x, double tModel, bool wantUncond) {
      return m.evalDit(x, tModel, wantUncond && needUncond, cond, uncond);
    };
    auto tStep = Clock::now();
    sampling::SampleHooks hooks;
    hooks.shouldStop = [&] { return cancel.stopNow(); };
    hooks.onStep = [&](const sampling::StepEvent& e) {
      StepInfo info;
      info.index = e.index;
      info.total = e.total;
      info.sigma = e.sigma;
      const bool wantPreview = p.previewEvery > 0 && ((e.index + 1) % p.previewEvery == 0) && e.index + 1 < e.total;
      if (wantPreview) {
        const auto tPrev = Clock::now();
        info.preview = m.makePreview(e, p);
        info.previewMs = msSince(tPrev);
      }
      info.stepMs = msSince(tStep);
      tStep = Clock::now();
      result.timings.stepMs.push_back(info.stepMs);
      if (cb.onStep) cb.onStep(info);
    };
    torch::Tensor latent = sampling::sample(req, noise, eval, g, hooks);  // [1, 16, h, w] fp32
    pipeline_support::synchronize(m.device);
    result.timings.denoiseMs = msSince(tDen);

    // ---- latent -> image ---------------------------------------------------------------------
    phase(Phase::Decode);
    const auto tDec = Clock::now();
    auto image = m.vae->decodeModelLatent(latent.to(m.vaeDtype));  // [1, 3, H, W] ~[-1, 1]
    result.image = models::imageToRGB8(image);
    result.timings.decodeMs = msSince(tDec);

    auto latentCpu = latent.to(torch::kCPU).contiguous();
    result.latentShape = latentCpu.sizes().vec();
    result.latent.assign(latentCpu.data_ptr<float>(), latentCpu.data_ptr<float>() + latentCpu.numel());
    result.timings.totalMs = msSince(tJob);
    result.metadataJson = pipeline_support::metadataRecord(p, pos, neg, m.summary, m.opts, result);
    phase(Phase::Done);
    return result;
  } catch (const c10::Error& e) {
    if (pipeline_support::isOutOfMemory(e.what())) {
      m.cache.clear();
      m.releaseEncodersIfAsked();
      pipeline_support::emptyDeviceCache();
      throw OutOfMemoryError(pipeline_support::oomMessage(p, m.opts, e.what()));
    }
    throw std::runtime_error(std::string("generation failed: ") + pipeline_support::firstLine(e.what()));
  }
}

}  // namespace newbie
