#include "bench.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>

#include <torch/torch.h>

#include "io/model_locator.h"
#include "io/upload.h"
#include "log/log.h"
#include "model_save.h"
#include "models/flux_vae.h"
#include "models/gemma3.h"
#include "models/jina_xlmr.h"
#include "models/nextdit.h"
#include "models/nextdit_block.h"
#include "models/nextdit_graph.h"
#include "pipeline_support.h"
#include "sampling/noise.h"
#include "sampling/schedules.h"

#if NEWBIE_WITH_CUDA
#include <ATen/cuda/CUDAEvent.h>
#include <c10/cuda/CUDACachingAllocator.h>
#endif
#if NEWBIE_HAVE_CUDA_KERNELS
#include "cuda/dit_fused.h"
#endif

using nlohmann::json;

namespace newbie {
namespace {

struct Components {
  models::Gemma3Encoder gemma{nullptr};
  models::JinaTextTower jina{nullptr};
  models::NextDiT dit{nullptr};
  models::FluxVaeDecoder vae{nullptr};
};

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

/// Median milliseconds of fn() over `repeats` after `warmup` runs.
template <class F>
double timeIt(const torch::Device& dev, int warmup, int repeats, F&& fn) {
  for (int i = 0; i < warmup; ++i) fn();
  pipeline_support::synchronize(dev);
  std::vector<double> ms;
  for (int i = 0; i < repeats; ++i) {
#if NEWBIE_WITH_CUDA
    if (dev.is_cuda()) {
      at::cuda::CUDAEvent a(cudaEventDefault), b(cudaEventDefault);
      a.record();
      fn();
      b.record();
      b.synchronize();
      ms.push_back(a.elapsed_time(b));
      continue;
    }
#endif
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    pipeline_support::synchronize(dev);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return median(ms);
}

struct Mem {
  double allocatedGB = 0, peakGB = 0;
};
Mem memory(const torch::Device& dev) {
  Mem m;
#if NEWBIE_WITH_CUDA
  if (dev.is_cuda()) {
    const auto s = c10::cuda::CUDACachingAllocator::getDeviceStats(dev.has_index() ? dev.index() : 0);
    const auto agg = static_cast<std::size_t>(c10::CachingAllocator::StatType::AGGREGATE);
    m.allocatedGB = s.allocated_bytes[agg].current / 1e9;
    m.peakGB = s.allocated_bytes[agg].peak / 1e9;
  }
#endif
  return m;
}
void resetPeak(const torch::Device& dev) {
#if NEWBIE_WITH_CUDA
  if (dev.is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(dev.has_index() ? dev.index() : 0);
#endif
}

/// Builds or loads the components, the text encoders on edev in edt and the DiT + VAE on dev;
/// `seconds[name]` = wall time of each (device synchronised).
Components build(const BenchOptions& o, const torch::Device& dev, torch::ScalarType dt, torch::ScalarType vdt,
                 const torch::Device& edev, torch::ScalarType edt, json& seconds) {
  Components c;
  models::VaeLoadOptions vo;
  vo.device = dev;
  vo.dtype = vdt;
  auto timed = [&](const char* name, const std::function<void()>& fn) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    pipeline_support::synchronize(dev);
    seconds[name] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  if (!o.model.empty()) {
    auto loc = io::locateModel(o.model);
    timed("gemma", [&] {
      const json g = pipeline_support::readJsonIfExists(loc.gemma.configFile);
      c.gemma = models::loadGemma3Encoder(loc.gemma.store, g.is_null() ? nullptr : &g, edev, edt);
    });
    timed("jina", [&] {
      const json j = pipeline_support::readJsonIfExists(loc.jina.configFile);
      c.jina = models::loadJinaTextTower(loc.jina.store, j.is_null() ? nullptr : &j, edev, edt);
    });
    timed("dit", [&] {
      const json t = pipeline_support::readJsonIfExists(loc.transformer.configFile);
      c.dit = models::loadNextDiT(loc.transformer.store, t.is_null() ? nullptr : &t, dev, dt);
    });
    timed("vae", [&] {
      const auto vc = loc.vae.configFile.empty() ? models::FluxVaeConfig::detect(loc.vae.store)
                                                 : models::FluxVaeConfig::fromJsonFile(loc.vae.configFile);
      c.vae = models::loadFluxVae(loc.vae.store, vc, vo, "vae");
    });
    return c;
  }
  models::Gemma3Config gc = models::Gemma3Config::gemma3_4b();
  models::JinaXlmrConfig jc = models::JinaXlmrConfig::jinaClipV2();
  models::NextDiTConfig dc = models::NextDiTConfig::newbieFull();
  models::FluxVaeConfig vc = models::FluxVaeConfig::flux1Dev();
  if (o.randomWeights == "tiny") {
    gc.vocabSize = 2048, gc.hiddenSize = 64, gc.intermediateSize = 128, gc.numLayers = 4, gc.numHeads = 4;
    gc.numKvHeads = 2, gc.headDim = 16, gc.queryPreAttnScalar = 16, gc.layerIsGlobal = {false, true, false, true};
    jc.vocabSize = 2048, jc.hiddenSize = 32, jc.numLayers = 2, jc.numHeads = 2, jc.intermediateSize = 128;
    dc.dim = 96, dc.nLayers = 2, dc.nHeads = 4, dc.nKvHeads = 2, dc.ffnHidden = 256, dc.adalnDim = 96;
    dc.capFeatDim = 64, dc.clipTextDim = 32, dc.axesDims = {8, 8, 8};
    vc.blockOutChannels = {16, 32, 64, 64}, vc.normNumGroups = 8;
  } else if (o.randomWeights != "full") {
    throw InvalidParamsError("--random-weights must be 'full' or 'tiny', not '" + o.randomWeights + "'");
  }
  timed("gemma", [&] { c.gemma = models::gemma3RandomEncoder(gc, edev, edt, 1); });
  timed("jina", [&] { c.jina = models::jinaRandomTextTower(jc, edev, edt, 2); });
  timed("dit", [&] {
    c.dit = models::NextDiT(dc);
    c.dit->initRandom(3, dev, dt);
  });
  timed("vae", [&] { c.vae = models::randomFluxVae(vc, 4, vo); });
  return c;
}

/// Time of every operation of one main Next-DiT layer at S tokens (B = 1), each op timed alone on
/// the real shapes with the fast paths as configured: where the step's time goes.
json profileMainLayer(const models::NextDiT& dit, const torch::Device& dev, int64_t S, int warmup, int repeats) {
  json p;
#if NEWBIE_HAVE_CUDA_KERNELS
  const auto& cfg = dit->config();
  const int64_t D = cfg.dim, nh = cfg.nHeads, nkv = cfg.nKvHeads, hd = cfg.headDim(), F = cfg.ffnHidden;
  const auto& blk = dit->layers.front();
  auto opt = torch::TensorOptions().device(dev).dtype(dit->dtype());
  auto x = torch::randn({1, S, D}).to(opt);  // CPU generator (see nextdit_graph.h)
  auto scale = torch::ones({D}, opt);
  auto qkw = torch::ones({nh + nkv, hd}, opt);
  auto cis = torch::polar(torch::ones({1, S, 1, hd / 2}), torch::rand({1, S, 1, hd / 2})).to(dev);
  auto n = cuda::rmsNormScale(x, scale, cfg.normEps);
  auto qkv = blk->attention->qkv->forward(n);
  auto rot = cuda::qkNormRope(qkv, nh + nkv, hd, qkw, cis, cfg.qkNormEps);
  auto v = qkv.narrow(-1, (nh + nkv) * hd, nkv * hd).view({1, S, nkv, hd});
  auto q = rot.narrow(2, 0, nh), k = rot.narrow(2, nh, nkv);
  auto o = models::nextdit::attention(q, k, v, torch::Tensor());
  auto a = blk->attention->out->forward(o);
  auto h13 = blk->feed_forward->w13->forward(n);
  auto g = cuda::swiGlu(h13);
  auto f = blk->feed_forward->w2->forward(g);
  auto t = [&](auto&& fn) { return timeIt(dev, warmup, repeats, fn); };
  const auto fast = models::nextdit::fastPaths();
  p["rms_norm_scale"] = t([&] { cuda::rmsNormScale(x, scale, cfg.normEps); });
  p["gemm_qkv"] = t([&] { blk->attention->qkv->forward(n); });
  p["qk_norm_rope"] = t([&] { cuda::qkNormRope(qkv, nh + nkv, hd, qkw, cis, cfg.qkNormEps); });
  models::nextdit::setFastPaths({fast.fusedKernels, false});
  p["attention"] = t([&] { models::nextdit::attention(q, k, v, torch::Tensor()); });
  models::nextdit::setFastPaths({fast.fusedKernels, true});
  p["attention_forced_cudnn"] = t([&] { models::nextdit::attention(q, k, v, torch::Tensor()); });
  models::nextdit::setFastPaths(fast);
  p["gemm_out"] = t([&] { blk->attention->out->forward(o); });
  auto xx = x.clone();
  p["residual_norm_next"] = t([&] { cuda::residualNorm(xx, a, scale, scale, cfg.normEps); });
  p["gemm_w13"] = t([&] { blk->feed_forward->w13->forward(n); });
  p["swiglu"] = t([&] { cuda::swiGlu(h13); });
  p["gemm_w2"] = t([&] { blk->feed_forward->w2->forward(g); });
  p["residual_norm_end"] = t([&] { cuda::residualNorm(xx, f, scale, torch::Tensor(), cfg.normEps); });
  double sum = 0;
  for (const char* k2 : {"rms_norm_scale", "gemm_qkv", "qk_norm_rope", "attention", "gemm_out", "residual_norm_next",
                         "gemm_w13", "swiglu", "gemm_w2", "residual_norm_end"})
    sum += p[k2].get<double>();
  p["sum_of_ops"] = sum;
  models::nextdit::BlockScales sc{scale.view({1, 1, D}), scale.view({1, 1, D}), scale.view({1, 1, D}),
                                  scale.view({1, 1, D})};
  p["whole_layer"] = t([&] { blk->forward(xx, cis, torch::Tensor(), sc); });
  p["tokens"] = S;
  const double gemmFlop = 2.0 * S * D * ((nh + 2 * nkv) * hd + nh * hd + 3 * F);
  p["gemm_tflops"] = gemmFlop / ((p["gemm_qkv"].get<double>() + p["gemm_out"].get<double>() +
                                  p["gemm_w13"].get<double>() + p["gemm_w2"].get<double>()) / 1e3) / 1e12;
  p["attention_tflops"] = 4.0 * S * S * nh * hd / (p["attention"].get<double>() / 1e3) / 1e12;
#else
  (void)dit, (void)dev, (void)S, (void)warmup, (void)repeats;
#endif
  return p;
}

}  // namespace

double nextDiTForwardFlops(int64_t D, int64_t layers, int64_t refiners, int64_t heads, int64_t kv, int64_t ffn,
                           int64_t L, int64_t N, int64_t capFeatDim) {
  const double hd = static_cast<double>(D) / heads;
  auto block = [&](double T) {
    const double qkv = 2.0 * T * D * (heads + 2 * kv) * hd;
    const double out = 2.0 * T * heads * hd * D;
    const double mlp = 2.0 * T * D * ffn * 3;
    const double attn = 4.0 * T * T * heads * hd;  // QK^T and PV
    return qkv + out + mlp + attn;
  };
  double f = refiners * block(static_cast<double>(L)) + refiners * block(static_cast<double>(N)) +
             layers * block(static_cast<double>(L + N));
  f += 2.0 * L * capFeatDim * D + 2.0 * N * 64 * D + 2.0 * N * D * 64;  // embedders + final linear
  return f;
}

json runBench(const BenchOptions& o, const std::function<void(const std::string&)>& progress) {
  c10::InferenceMode guard;
  auto say = [&](const std::string& s) {
    log::info("bench: {}", s);
    if (progress) progress(s);
  };
  const torch::Device dev = pipeline_support::parseDevice(o.device);
  const torch::ScalarType dt = pipeline_support::scalarType(o.precision);
  if (o.precision == Precision::FP8) models::requireFp8Support(dev);  // before building any weights
  LoadOptions lo;
  lo.precision = o.precision;
  const torch::ScalarType vdt = pipeline_support::vaeScalarType(lo, dev);
  if (o.width % 16 || o.height % 16) throw InvalidParamsError("width/height must be multiples of 16");

  json r;
  r["options"] = {{"width", o.width}, {"height", o.height}, {"steps", o.steps}, {"cfg", o.cfg},
                  {"caption_tokens", o.captionTokens}, {"precision", precisionName(o.precision)},
                  {"device", dev.str()}, {"weights", o.model.empty() ? "random-" + o.randomWeights : "model"},
                  {"warmup", o.warmup}, {"repeats", o.repeats}, {"cond_uncond", o.split ? "split" : "padded-batch"}};
  // --encoder-placement cpu: the text encoders on the CPU in float32 (DiT + VAE stay on dev).
  const bool encCpu = o.encoderPlacement == EncoderPlacement::CPU;
  const torch::Device edev = encCpu ? torch::Device(torch::kCPU) : dev;
  const torch::ScalarType edt = encCpu ? torch::kFloat32 : dt;
  r["options"]["encoder_placement"] = encCpu ? "cpu" : "device";
#if NEWBIE_WITH_CUDA
  if (dev.is_cuda()) {
    // Exactness over speed unless asked: TF32 stays off (goldens) — bf16 runs are unaffected.
    r["gpu"] = "cuda";
  }
#endif
  // The CUDA caching allocator's statistics exist only after the first allocation.
  if (dev.is_cuda()) torch::zeros({1}, torch::TensorOptions().device(dev));
  resetPeak(dev);
  const auto tLoad = std::chrono::steady_clock::now();
  const io::UploadStats up0 = io::uploadTotals();
  json componentSeconds = json::object();
  r["options"]["upload"] = o.pinnedUpload ? "pinned" : "plain";
  const bool pinnedBefore = io::pinnedUploadEnabled();
  io::setPinnedUploadEnabled(o.pinnedUpload);
  Components c;
  try {
    c = build(o, dev, dt, vdt, edev, edt, componentSeconds);
  } catch (...) {
    io::setPinnedUploadEnabled(pinnedBefore);
    throw;
  }
  io::setPinnedUploadEnabled(pinnedBefore);
  pipeline_support::synchronize(dev);
  const double loadS = std::chrono::duration<double>(std::chrono::steady_clock::now() - tLoad).count();
  const uint64_t loadBytes = io::uploadTotals().bytes - up0.bytes;
  r["load_s"] = loadS;
  r["load_components_s"] = componentSeconds;
  r["load_bytes"] = loadBytes;
  r["load_gb_per_s"] = loadS > 0 ? static_cast<double>(loadBytes) / loadS / 1e9 : 0.0;
  r["vram_after_load_gb"] = memory(dev).allocatedGB;
  say(log::format("built/loaded components in {:.1f} s ({:.2f} GB of tensors read, {:.2f} GB/s), {:.2f} GB resident",
                  loadS, loadBytes / 1e9, r["load_gb_per_s"].get<double>(), r["vram_after_load_gb"].get<double>()));
  if (!o.saveModel.empty()) {
    const SavedModelInfo saved = saveOfficialModel(o.saveModel, *c.gemma, *c.jina, *c.dit, *c.vae);
    r["save_model_dir"] = o.saveModel.string();
    r["save_tensor_bytes"] = saved.tensorBytes;
    r["save_files"] = saved.files;
    r["save_s"] = saved.seconds;
    say(log::format("saved the components to {} ({:.2f} GB in {} files, {:.1f} s)", o.saveModel.string(),
                    saved.tensorBytes / 1e9, saved.files, saved.seconds));
    return r;
  }

  const auto& dc = c.dit->config();
  const int64_t h = o.height / 8, w = o.width / 8, N = (h / 2) * (w / 2);
  const int64_t Lc = o.captionTokens, Lu = 1;  // empty negative: Gemma sees [BOS] only
  auto gen = at::detail::createCPUGenerator(7);
  auto ids = [&](int64_t L, int64_t vocab) {
    return at::randint(4, vocab, {1, L}, gen, torch::TensorOptions().dtype(torch::kInt64)).to(edev);
  };

  // Text encoding: Gemma over the caption + Jina over a prompt of the same length.
  const auto gIds = ids(Lc, c.gemma->config().vocabSize);
  const auto jIds = ids(std::min<int64_t>(Lc, 2048), c.jina->config().vocabSize);
  torch::Tensor capC, pooled;
  const int encWarmup = encCpu ? 1 : std::max(1, o.warmup / 2), encRepeats = encCpu ? 2 : std::max(3, o.repeats / 2);
  const double encMs = timeIt(edev, encWarmup, encRepeats, [&] {
    capC = c.gemma->forward(gIds).to(dev, dt);
    pooled = c.jina->forward(jIds).to(dev, dt);
  });
  r["text_encode_ms"] = encMs;
  say(log::format("text encoding ({} tokens): {:.2f} ms", Lc, encMs));
  torch::Tensor capU = c.gemma->forward(ids(Lu, c.gemma->config().vocabSize)).to(dev, dt);
  torch::Tensor pooledU = pooled.clone();

  // DiT: one forward and one CFG step (cond at Lc + uncond at its own length).
  auto x = sampling::makeNoise(1, {1, 16, h, w}, dev).to(dt);
  auto t1 = torch::full({1}, 0.3, torch::TensorOptions().dtype(torch::kFloat32).device(dev));
  auto t2 = torch::full({2}, 0.3, torch::TensorOptions().dtype(torch::kFloat32).device(dev));
  // One image as the end-to-end row measures it: encode, `steps` Euler CFG steps, decode.
  // dit(x, t, cap, len, pooled) runs one DiT forward (eagerly or through the CUDA graphs).
  auto sampleImage = [&](const auto& dit) {  // -> the decoded image [1,3,H,W]
    const auto sig = sampling::diffusersSigmas(o.steps, 6.0);
    auto cc = c.gemma->forward(gIds).to(dev, dt);
    auto pp = c.jina->forward(jIds).to(dev, dt);
    auto xx = sampling::makeNoise(3, {1, 16, h, w}, dev);
    for (int i = 0; i < o.steps; ++i) {
      auto tt = torch::full({1}, 1.0 - sig[i], torch::TensorOptions().dtype(torch::kFloat32).device(dev));
      auto xd = xx.to(dt);
      auto vc = dit(xd, tt, cc, Lc, pp).to(torch::kFloat32);
      auto vu = dit(xd, tt, capU, Lu, pooledU).to(torch::kFloat32);
      xx = xx + (sig[i] - sig[i + 1]) * (vu + o.cfg * (vc - vu));
    }
    return c.vae->decodeModelLatent(xx.to(vdt));
  };
  auto eagerDit = [&](const torch::Tensor& xd, const torch::Tensor& tt, const torch::Tensor& cap, int64_t len,
                      const torch::Tensor& pool) { return c.dit->forward(xd, tt, cap, {len}, pool); };
  // FP8: the references come from the bf16 weights first (one DiT forward; with end-to-end also the
  // image of the end-to-end loop), then the block linears are quantised and everything measured
  // below runs in fp8. The image is made again with the fp8 DiT after the end-to-end timing.
  auto fp8SampleImage = [&] { return models::imageToU8(sampleImage(eagerDit)); };  // uint8 [1,3,H,W]
  torch::Tensor fp8RefImage;
  if (o.precision == Precision::FP8) {
    const auto ref = c.dit->forward(x, t1, capC, {Lc}, pooled).to(torch::kFloat32);
    if (o.endToEnd) fp8RefImage = fp8SampleImage();
    const auto tq = std::chrono::steady_clock::now();
    c.dit->quantizeLinearsFp8();
    pipeline_support::emptyDeviceCache();
    pipeline_support::synchronize(dev);
    r["fp8_quantize_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - tq).count();
    r["vram_after_fp8_quantize_gb"] = memory(dev).allocatedGB;
    const auto v8 = c.dit->forward(x, t1, capC, {Lc}, pooled).to(torch::kFloat32);
    r["fp8_vs_bf16_velocity_rel_l2"] = ((v8 - ref).norm() / ref.norm()).item<double>();
    say(log::format("fp8: block linears quantised in {:.2f} s, {:.2f} GB resident; DiT output vs bf16: rel L2 {:.4f}",
                    r["fp8_quantize_s"].get<double>(), r["vram_after_fp8_quantize_gb"].get<double>(),
                    r["fp8_vs_bf16_velocity_rel_l2"].get<double>()));
  }
  // The fast paths (fused kernels, cuDNN attention, CUDA graphs) are measured one by one against
  // the plain LibTorch path: plain -> + fused/cuDNN (eager) -> + graphs (the headline numbers).
  models::NextDiTGraphs graphs(c.dit);
  const auto fast = models::nextdit::fastPaths();
  auto ditFwd = [&](const torch::Tensor& cap, int64_t len, const torch::Tensor& pool) {
    return graphs.forward(x, t1, cap, {len}, pool);
  };
  auto splitStep = [&] {
    ditFwd(capC, Lc, pooled);
    ditFwd(capU, Lu, pooledU);
  };
  const bool graphsByDefault = graphs.enabled();  // NEWBIE_CUDA_GRAPHS=1
  if (o.split && dev.is_cuda()) {
    graphs.setEnabled(false);
    models::nextdit::setFastPaths({false, false});
    r["dit_cfg_step_plain_ms"] = timeIt(dev, o.warmup, o.repeats, splitStep);
    models::nextdit::setFastPaths({fast.fusedKernels, false});
    r["dit_cfg_step_fused_default_sdpa_ms"] = timeIt(dev, o.warmup, o.repeats, splitStep);
    models::nextdit::setFastPaths({fast.fusedKernels, true});
    r["dit_cfg_step_fused_cudnn_sdpa_ms"] = timeIt(dev, o.warmup, o.repeats, splitStep);
    models::nextdit::setFastPaths(fast);
    r["dit_cfg_step_eager_ms"] = timeIt(dev, o.warmup, o.repeats, splitStep);
    graphs.setEnabled(graphsByDefault);
    say(log::format("CFG step: plain LibTorch {:.2f} ms, fused kernels {:.2f} ms, forced cuDNN attention {:.2f} ms",
                    r["dit_cfg_step_plain_ms"].get<double>(), r["dit_cfg_step_fused_default_sdpa_ms"].get<double>(),
                    r["dit_cfg_step_fused_cudnn_sdpa_ms"].get<double>()));
  }
  r["fast_paths"] = {{"fused_kernels_built", models::nextdit::fusedKernelsBuilt()},
                     {"fused_kernels", fast.fusedKernels},
                     {"cudnn_attention", fast.cudnnAttention},
                     {"cuda_graphs", graphs.enabled()}};
  resetPeak(dev);
  const double fwdMs = timeIt(dev, o.warmup, o.repeats, [&] { ditFwd(capC, Lc, pooled); });
  auto cfgStep = [&] {
    if (o.split) {
      splitStep();
    } else {
      auto capPad = torch::cat({capU, torch::zeros({1, Lc - Lu, capU.size(2)}, capU.options())}, 1);
      c.dit->forward(torch::cat({x, x}), t2, torch::cat({capC, capPad}), {Lc, Lu}, torch::cat({pooled, pooledU}),
                     nullptr, models::CaptionBatching::PaddedMask);
    }
  };
  const double stepMs = timeIt(dev, o.warmup, o.repeats, cfgStep);
  const double fC = nextDiTForwardFlops(dc.dim, dc.nLayers, dc.nRefinerLayers, dc.nHeads, dc.nKvHeads, dc.ffnHidden,
                                        Lc, N, dc.capFeatDim);
  const double fU = nextDiTForwardFlops(dc.dim, dc.nLayers, dc.nRefinerLayers, dc.nHeads, dc.nKvHeads, dc.ffnHidden,
                                        Lu, N, dc.capFeatDim);
  if (dev.is_cuda() && models::nextdit::fusedKernelsBuilt()) {
    r["profile_main_layer_ms"] = profileMainLayer(c.dit, dev, Lc + N, o.warmup, o.repeats);
    say("main-layer profile (cond pass, ms): " + r["profile_main_layer_ms"].dump());
  }
  if (o.split && dev.is_cuda() && !graphsByDefault) {  // CUDA graphs, measured last (see nextdit_graph.h)
    graphs.setEnabled(true);
    r["dit_cfg_step_graph_ms"] = timeIt(dev, o.warmup, o.repeats, splitStep);
    say(log::format("CFG step replayed from CUDA graphs: {:.2f} ms", r["dit_cfg_step_graph_ms"].get<double>()));
    graphs.setEnabled(false);
  }
  r["cuda_graphs_captured"] = graphs.graphCount();
  if (!graphs.lastCaptureError().empty()) r["cuda_graph_capture_error"] = graphs.lastCaptureError();
  r["dit_forward_ms"] = fwdMs;
  r["dit_cfg_step_ms"] = stepMs;
  r["dit_cfg_step_tflop"] = (fC + fU) / 1e12;
  r["dit_cfg_step_tflops_achieved"] = (fC + fU) / (stepMs / 1e3) / 1e12;
  r["dit_parameters"] = c.dit->parameterCount();
  r["image_tokens"] = N;
  r["peak_vram_step_gb"] = memory(dev).peakGB;
  // H100 SXM dense bf16 ~790 TFLOP/s measured for large GEMMs (see docs/PERFORMANCE.md).
  r["h100_floor_ms_at_790_tflops"] = (fC + fU) / 790e12 * 1e3;
  say(log::format("DiT forward {:.2f} ms; CFG step {:.2f} ms ({:.1f} TFLOP/s achieved)", fwdMs, stepMs,
                  r["dit_cfg_step_tflops_achieved"].get<double>()));

  // VAE decode at the image size.
  auto lat = sampling::makeNoise(2, {1, 16, h, w}, dev).to(vdt);
  resetPeak(dev);
  c.vae->decodeModelLatent(lat);  // first decode of this size: cuDNN autotuning (trial workspaces) if on
  r["peak_vram_vae_first_gb"] = memory(dev).peakGB;
  r["cudnn_benchmark"] = dev.is_cuda() && at::globalContext().benchmarkCuDNN();
  resetPeak(dev);
  const double vaeMs = timeIt(dev, std::max(1, o.warmup / 2), std::max(3, o.repeats / 2),
                              [&] { c.vae->decodeModelLatent(lat); });
  r["vae_decode_ms"] = vaeMs;
  r["peak_vram_vae_gb"] = memory(dev).peakGB;
  say(log::format("VAE decode {}x{}: {:.2f} ms; peak {:.2f} GB (first decode of the size {:.2f} GB)", o.width,
                  o.height, vaeMs, r["peak_vram_vae_gb"].get<double>(), r["peak_vram_vae_first_gb"].get<double>()));
  {  // the same decode on the plain path (NCHW, LibTorch GroupNorm + SiLU), measured beside it
    const bool cl = c.vae->channelsLast(), fused = c.vae->fusedGroupNorm();
    c.vae->setChannelsLast(false);
    c.vae->setFusedGroupNorm(false);
    const double plainMs = timeIt(dev, 1, std::max(3, o.repeats / 2), [&] { c.vae->decodeModelLatent(lat); });
    c.vae->setChannelsLast(cl);
    c.vae->setFusedGroupNorm(fused);
    r["vae_decode_plain_ms"] = plainMs;
    say(log::format("VAE decode {}x{}, plain path (NCHW, LibTorch GroupNorm): {:.2f} ms", o.width, o.height, plainMs));
  }

  if (o.endToEnd) {
    resetPeak(dev);
    auto graphDit = [&](const torch::Tensor& xd, const torch::Tensor& tt, const torch::Tensor& cap, int64_t len,
                        const torch::Tensor& pool) { return graphs.forward(xd, tt, cap, {len}, pool); };
    const double e2e = timeIt(dev, 1, 3, [&] { sampleImage(graphDit); });
    r["end_to_end_ms"] = e2e;
    r["peak_vram_end_to_end_gb"] = memory(dev).peakGB;
    say(log::format("end to end ({} steps, CFG): {:.1f} ms", o.steps, e2e));
    if (fp8RefImage.defined()) {  // same noise and prompts, fp8 DiT vs the bf16 one
      const auto d = fp8SampleImage().to(torch::kFloat32) - fp8RefImage.to(torch::kFloat32);
      const double mae = d.abs().mean().item<double>(), mse = d.square().mean().item<double>();
      r["fp8_vs_bf16_image_mean_abs_u8"] = mae;
      r["fp8_vs_bf16_image_psnr_db"] = mse > 0 ? json(10.0 * std::log10(255.0 * 255.0 / mse)) : json(nullptr);
      say(log::format("fp8 image vs bf16: mean |diff| {:.3f} (0-255), PSNR {:.2f} dB", mae,
                      mse > 0 ? 10.0 * std::log10(255.0 * 255.0 / mse) : 0.0));
    }
  }
  r["vram_steady_gb"] = memory(dev).allocatedGB;
  return r;
}

}  // namespace newbie
