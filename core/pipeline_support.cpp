#include "pipeline_support.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include <torch/cuda.h>

#include "sampling/samplers.h"
#include "sampling/schedules.h"

#if NEWBIE_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace fs = std::filesystem;
using nlohmann::json;

namespace newbie::pipeline_support {

torch::Device parseDevice(const std::string& s) {
  if (s == "cpu") return torch::kCPU;
  if (s.rfind("cuda", 0) == 0) {
    if (!torch::cuda::is_available())
      throw InvalidParamsError("device '" + s + "': no CUDA device is available (this LibTorch build " +
                               std::string(
#if NEWBIE_WITH_CUDA
                                   "has CUDA, but no GPU/driver was found"
#else
                                   "is CPU-only"
#endif
                                   ) +
                               "); use --device cpu");
    try {
      torch::Device d(s);
      if (d.has_index() && d.index() >= static_cast<int>(torch::cuda::device_count()))
        throw InvalidParamsError("device '" + s + "': only " + std::to_string(torch::cuda::device_count()) +
                                 " CUDA device(s)");
      return d;
    } catch (const c10::Error&) {
      throw InvalidParamsError("device '" + s + "' is not a valid device (use cpu, cuda or cuda:N)");
    }
  }
  throw InvalidParamsError("device '" + s + "' is not a valid device (use cpu, cuda or cuda:N)");
}

torch::ScalarType scalarType(Precision p) {
  switch (p) {
    case Precision::BF16: return torch::kBFloat16;
    case Precision::FP16: return torch::kFloat16;
    case Precision::FP32: return torch::kFloat32;
    case Precision::FP8: return torch::kBFloat16;  // compute dtype; only the DiT block linears are e4m3
  }
  return torch::kFloat32;
}

torch::ScalarType vaeScalarType(const LoadOptions& o, const torch::Device& d) {
  if (o.vaePrecision) {
    if (*o.vaePrecision == Precision::FP16)
      throw InvalidParamsError("vae precision fp16 is refused: the FLUX VAE overflows in float16 (use bf16 or fp32)");
    if (*o.vaePrecision == Precision::FP8)
      throw InvalidParamsError("vae precision fp8 is not supported: fp8 applies to the DiT only (use bf16 or fp32)");
    return scalarType(*o.vaePrecision);
  }
  if (d.is_cpu() || o.precision == Precision::FP32) return torch::kFloat32;
  return torch::kBFloat16;
}

json readJsonIfExists(const fs::path& p) {
  if (p.empty() || !fs::exists(p)) return nullptr;
  std::ifstream in(p);
  if (!in) throw std::runtime_error(p.string() + ": cannot open");
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    throw std::runtime_error(p.string() + ": not valid JSON: " + e.what());
  }
}

std::string modelIdentity(const io::ModelLocation& loc) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](const std::string& s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  for (const auto* c : {&loc.transformer, &loc.gemma, &loc.jina, &loc.vae})
    for (const auto& f : c->store.files()) {
      for (const auto& t : f->tensors()) {
        mix(t.name);
        mix(io::dtypeName(t.dtype));
        mix(std::to_string(t.begin) + ":" + std::to_string(t.end));
      }
      mix(std::to_string(f->fileSize()));
    }
  std::string name = !loc.root.empty() ? loc.root.filename().string()
                                       : (loc.transformer.files.empty() ? std::string("model")
                                                                        : loc.transformer.files.front().stem().string());
  if (name.empty()) name = loc.root.parent_path().filename().string();
  std::ostringstream os;
  os << name << "-" << std::hex << (h & 0xffffffffffull);
  return os.str();
}

fs::path findTaef1(const fs::path& explicitPath, const io::ModelLocation& loc) {
  if (!explicitPath.empty()) return explicitPath;
  std::vector<fs::path> bases;
  if (!loc.root.empty()) bases.push_back(loc.root);
  if (!loc.vae.files.empty()) bases.push_back(loc.vae.files.front().parent_path().parent_path());
  for (const auto& b : bases)
    for (const auto& cand : {b / "vae_approx" / "taef1_decoder.safetensors", b / "taef1_decoder.safetensors"})
      if (fs::exists(cand)) return cand;
  return bases.empty() ? fs::path("taef1_decoder.safetensors") : bases.front() / "vae_approx" / "taef1_decoder.safetensors";
}

std::unique_ptr<text::Tokenizer> loadTokenizer(const io::TokenizerComponent& c, text::TokenizerFlavor flavor) {
  if (!c.tokenizerJson.empty()) return text::Tokenizer::fromTokenizerJson(c.tokenizerJson);
  if (!c.sentencepieceModel.empty()) return text::Tokenizer::fromSentencePieceFile(c.sentencepieceModel, flavor);
  if (!c.embeddedIn.empty()) return text::Tokenizer::fromSafetensors(c.embeddedIn, flavor);
  throw std::runtime_error(std::string("no ") + (flavor == text::TokenizerFlavor::Gemma ? "Gemma" : "Jina") +
                           " tokenizer found: looked for tokenizer.json, tokenizer.model and an embedded "
                           "'spiece_model' tensor");
}

void validateParams(const GenerationParams& p) {
  auto bad = [](const std::string& m) { throw InvalidParamsError(m); };
  for (auto [name, v] : {std::pair<const char*, int>{"width", p.width}, {"height", p.height}}) {
    if (v < 16 || v > 4096) bad(std::string(name) + " " + std::to_string(v) + " is outside 16..4096 pixels");
    if (v % 16 != 0)
      bad(std::string(name) + " " + std::to_string(v) + " is not a multiple of 16 (try " + std::to_string(v / 16 * 16) +
          " or " + std::to_string((v / 16 + 1) * 16) + ")");
  }
  if (p.steps < 1 || p.steps > 1000) bad("steps " + std::to_string(p.steps) + " must be between 1 and 1000");
  if (!std::isfinite(p.cfgScale) || p.cfgScale < 0 || p.cfgScale > 100)
    bad("CFG scale " + std::to_string(p.cfgScale) + " must be a finite number in 0..100");
  if (!std::isfinite(p.cfgTrunc) || p.cfgTrunc < 0) bad("CFG truncation " + std::to_string(p.cfgTrunc) + " must be >= 0");
  if (!std::isfinite(p.renorm) || p.renorm < 0) bad("renorm " + std::to_string(p.renorm) + " must be >= 0");
  if (!std::isfinite(p.shift) || p.shift <= 0) bad("shift " + std::to_string(p.shift) + " must be > 0");
  if (p.previewEvery < 0) bad("preview interval " + std::to_string(p.previewEvery) + " must be >= 0");
  if (p.previewKind != "linear" && p.previewKind != "taef1")
    bad("preview kind '" + p.previewKind + "' is unknown (linear or taef1)");
  bool known = false;
  for (const auto& s : sampling::samplerList()) known = known || s.name == p.sampler;
  if (!known) {
    std::string names;
    for (const auto& s : sampling::samplerList()) names += (names.empty() ? "" : ", ") + s.name;
    bad("sampler '" + p.sampler + "' is unknown (known: " + names + ")");
  }
  if (!p.schedule.empty() && p.schedule != "auto") {
    const auto& sn = sampling::scheduleNames();
    if (std::find(sn.begin(), sn.end(), p.schedule) == sn.end()) {
      std::string names;
      for (const auto& s : sn) names += (names.empty() ? "" : ", ") + s;
      bad("schedule '" + p.schedule + "' is unknown (known: " + names + ")");
    }
  }
  if (p.sampler.rfind("official", 0) == 0 && p.steps < 2) bad("official samplers need steps >= 2 (grid points)");
}

std::string metadataRecord(const GenerationParams& p, const text::EncoderInputs& pos, const text::EncoderInputs& neg,
                           const ModelSummary& model, const LoadOptions& opts, const GenerationResult& r) {
  json j;
  j["app"] = {{"name", "NewBie Studio"}, {"version", NEWBIE_VERSION}};
  j["prompt"] = p.prompt;
  j["negative_prompt"] = p.negativePrompt;
  j["system_prompt"] = pos.systemPrompt;
  j["system_preset"] = pos.systemPreset;
  j["negative_system_prompt"] = neg.systemPrompt;
  j["comfy_compatible"] = p.comfyCompatible;
  j["seed"] = p.seed;
  if (!p.noiseFile.empty()) j["noise_file"] = p.noiseFile.string();
  j["steps"] = p.steps;
  j["sampler"] = p.sampler;
  j["schedule"] = (p.schedule.empty() || p.schedule == "auto") ? sampling::samplerInfo(p.sampler).defaultSchedule : p.schedule;
  j["shift"] = p.shift;
  j["cfg_scale"] = p.cfgScale;
  j["cfg_trunc"] = p.cfgTrunc;
  j["renorm"] = p.renorm;
  j["cfg_normalization"] = p.cfgNormalization;
  j["width"] = p.width;
  j["height"] = p.height;
  j["precision"] = precisionName(opts.precision);
  j["device"] = model.device;
  j["model"] = {{"identity", model.identity}, {"layout", model.layout}, {"demo", model.isDemo},
                {"dit_parameters", model.ditParameters}};
  j["gemma_tokens"] = pos.gemmaTokensBeforeTruncation;
  j["gemma_truncated"] = pos.truncated;
  j["timings_ms"] = {{"encode", r.timings.encodeMs},
                     {"denoise", r.timings.denoiseMs},
                     {"decode", r.timings.decodeMs},
                     {"total", r.timings.totalMs},
                     {"encode_cache_hit", r.timings.encodeCacheHit}};
  return j.dump();
}

void synchronize(const torch::Device& d) {
  if (d.is_cuda()) torch::cuda::synchronize(d.has_index() ? d.index() : -1);
}

void emptyDeviceCache() {
#if NEWBIE_WITH_CUDA
  if (torch::cuda::is_available()) c10::cuda::CUDACachingAllocator::emptyCache();
#endif
}

bool isOutOfMemory(const std::string& what) {
  return what.find("out of memory") != std::string::npos || what.find("CUDA out of memory") != std::string::npos ||
         what.find("OutOfMemory") != std::string::npos;
}

std::string firstLine(const std::string& s) {
  const auto n = s.find('\n');
  return n == std::string::npos ? s : s.substr(0, n);
}

std::string oomMessage(const GenerationParams& p, const LoadOptions& o, const std::string& what) {
  std::ostringstream os;
  os << "out of GPU memory at " << p.width << "x" << p.height << " in " << precisionName(o.precision) << " ("
     << firstLine(what) << "). Try a smaller size, bf16, or placing the text encoders on the CPU / freeing them "
     << "after encoding. The model is still loaded; caches were released.";
  return os.str();
}

}  // namespace newbie::pipeline_support
