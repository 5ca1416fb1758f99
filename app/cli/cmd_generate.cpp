// newbie-cli generate: one image from a prompt file, with a progress bar on a terminal.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <torch/torch.h>

#include "args.h"
#include "io/safetensors.h"
#include "pipeline.h"
#include "png.h"

namespace fs = std::filesystem;

namespace newbie::cli {

namespace {

const char* kGenerateHelp =
    "usage: newbie-cli generate --model DIR|FILE... (--prompt-file F | --prompt TEXT) --out OUT.png [options]\n"
    "  --negative-file F | --negative TEXT   negative prompt (default: empty)\n"
    "  --system-prompt TEXT | --system-preset NAME   (default preset: auto = xml for XML prompts, else tags)\n"
    "  --comfy-compatible                    Jina gets the full text, as ComfyUI does\n"
    "  --width W --height H                  multiples of 16 (default 1024x1024)\n"
    "  --steps N --cfg G --cfg-trunc T --renorm R --cfg-normalization --shift S\n"
    "  --schedule diffusers|simple|simple_discard|official   --sampler euler|midpoint|dpmpp_2m|unipc|...\n"
    "  --seed N | --noise F.safetensors      initial noise (tensor 'noise' [1,16,H/8,W/8])\n"
    "  --precision bf16|fp16|fp32|fp8 --device cpu|cuda[:N] --encoders device|cpu|free\n"
    "  --preview-every N --preview-dir D --preview-kind linear|taef1\n"
    "  --save-latent F.safetensors           final latent (model space) as tensor 'latent'\n";

struct ProgressBar {
  bool tty = isatty(2) != 0;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  void step(const StepInfo& s) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double eta = (s.index + 1) > 0 ? elapsed / (s.index + 1) * (s.total - s.index - 1) : 0;
    if (tty) {
      const int width = 30, filled = static_cast<int>(width * (s.index + 1) / std::max(1, s.total));
      std::fprintf(stderr, "\r[%.*s%*s] step %d/%d  sigma %.3f  %.0f ms/step  ETA %.1fs ", filled,
                   "##############################", width - filled, "", s.index + 1, s.total, s.sigma, s.stepMs, eta);
      if (s.index + 1 == s.total) std::fprintf(stderr, "\n");
    } else {
      std::fprintf(stderr, "step %d/%d sigma %.4f %.1f ms\n", s.index + 1, s.total, s.sigma, s.stepMs);
    }
  }
};

}  // namespace

int cmdGenerate(const Args& args) {
  ArgParser a(args,
              {"--model", "--prompt-file", "--prompt", "--negative-file", "--negative", "--system-prompt",
               "--system-preset", "--width", "--height", "--steps", "--cfg", "--cfg-trunc", "--renorm", "--shift",
               "--schedule", "--sampler", "--seed", "--noise", "--precision", "--device", "--encoders",
               "--preview-every", "--preview-dir", "--preview-kind", "--out", "--save-latent"},
              {"--help", "--comfy-compatible", "--cfg-normalization"});
  if (a.has("--help")) {
    std::fputs(kGenerateHelp, stdout);
    return 0;
  }
  const auto models = modelPathsFromArgs(a);
  if (!a.has("--out")) throw std::invalid_argument("--out OUT.png is required");
  GenerationParams p;
  promptFromArgs(a, p);
  p.width = a.getInt("--width", 1024);
  p.height = a.getInt("--height", 1024);
  p.steps = a.getInt("--steps", 28);
  p.cfgScale = a.getDouble("--cfg", 4.5);
  p.cfgTrunc = a.getDouble("--cfg-trunc", 1.0);
  p.renorm = a.getDouble("--renorm", 0.0);
  p.cfgNormalization = a.has("--cfg-normalization");
  p.shift = a.getDouble("--shift", 6.0);
  p.sampler = a.get("--sampler", "euler");
  p.schedule = a.get("--schedule", "");
  if (a.has("--seed")) p.seed = std::stoull(a.get("--seed"));
  if (a.has("--noise")) p.noiseFile = a.get("--noise");
  p.previewEvery = a.getInt("--preview-every", 0);
  p.previewKind = a.get("--preview-kind", "linear");
  const std::string previewDir = a.get("--preview-dir", "");
  if (p.previewEvery > 0 && previewDir.empty())
    throw std::invalid_argument("--preview-every needs --preview-dir D (where preview PNGs are written)");
  Pipeline::validate(p);

  const LoadOptions lo = loadOptionsFromArgs(a);

  const bool tty = isatty(2) != 0;
  auto pipeline = Pipeline::load(models, lo, [&](const LoadProgress& pr) {
    if (tty) std::fprintf(stderr, "\rloading %-12s %3.0f%%", pr.stage.c_str(), pr.fraction * 100);
  });
  if (tty) std::fprintf(stderr, "\n");
  if (pipeline->summary().isDemo)
    std::fprintf(stderr, "note: this is the demo model (random weights): expect noise-like images\n");

  if (!previewDir.empty()) fs::create_directories(previewDir);
  ProgressBar bar;
  Callbacks cb;
  cb.onStep = [&](const StepInfo& s) {
    bar.step(s);
    if (s.preview && !previewDir.empty()) {
      char name[64];
      std::snprintf(name, sizeof name, "preview_%03d.png", s.index + 1);
      writePng(fs::path(previewDir) / name, *s.preview);
    }
  };
  CancelToken cancel;
  GenerationResult r = pipeline->generate(p, cb, cancel);
  writePngWithRecord(a.get("--out"), r.image, r.metadataJson);
  if (a.has("--save-latent")) {
    auto t = torch::from_blob(r.latent.data(), r.latentShape, torch::kFloat32).clone();
    io::saveSafetensors(a.get("--save-latent"), {{"latent", t}}, {{"format", "pt"}, {"metadata", r.metadataJson}});
  }
  std::printf("wrote %s (%dx%d): encode %.0f ms%s, denoise %.0f ms, decode %.0f ms, total %.0f ms\n",
              a.get("--out").c_str(), r.image.width, r.image.height, r.timings.encodeMs,
              r.timings.encodeCacheHit ? " (cached)" : "", r.timings.denoiseMs, r.timings.decodeMs, r.timings.totalMs);
  if (r.gemmaTruncated)
    std::fprintf(stderr, "warning: the prompt had %d Gemma tokens and was truncated to 512\n", r.gemmaTokens);
  return 0;
}

}  // namespace newbie::cli
