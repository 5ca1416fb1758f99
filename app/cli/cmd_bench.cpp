// newbie-cli bench: speed and memory of each stage (see docs/PERFORMANCE.md).
#include <cstdio>
#include <fstream>

#include "args.h"
#include "bench.h"

namespace newbie::cli {

int cmdBench(const Args& args) {
  ArgParser a(args,
              {"--model", "--random-weights", "--width", "--height", "--steps", "--cfg", "--caption-tokens",
               "--precision", "--device", "--warmup", "--repeats", "--json", "--save-model", "--encoder-placement",
               "--upload"},
              {"--help", "--no-end-to-end", "--padded-batch"});
  if (a.has("--help")) {
    std::puts(
        "usage: newbie-cli bench [--model DIR | --random-weights full|tiny] [--width 1024 --height 1024]\n"
        "         [--steps N] [--cfg G] [--caption-tokens 256] [--precision bf16|fp16|fp32|fp8] [--device cuda|cpu]\n"
        "         [--warmup K] [--repeats R] [--json OUT] [--no-end-to-end] [--padded-batch]\n"
        "         [--encoder-placement device|cpu]\n"
        "Medians after warm-up (CUDA events on GPU): text encoding, DiT forward and CFG step, VAE decode,\n"
        "end-to-end image, peak/steady VRAM, achieved TFLOP/s. 'tiny' runs anywhere; 'full' builds the real\n"
        "NewBie-image-Exp0.1 shapes with random bf16 weights (about 17 GB of device memory).\n"
        "--precision fp8 (CUDA, compute capability >= 8.9): e4m3 DiT block linears; also reports the error\n"
        "against bf16 (fp8_vs_bf16_velocity_rel_l2, fp8_vs_bf16_image_mean_abs_u8, fp8_vs_bf16_image_psnr_db).\n"
        "--save-model DIR writes the built components to DIR in the official HF layout and exits; a later\n"
        "'bench --model DIR' then measures loading from disk (load_s, load_components_s, load_gb_per_s);\n"
        "--upload plain loads with the previous plain .to() path instead of the pinned pipeline (A/B).\n"
        "--encoder-placement cpu builds Gemma and Jina on the CPU in fp32 (DiT + VAE on the device): the\n"
        "low-VRAM placement; peak_vram_end_to_end_gb is then the whole image's device peak.");
    return 0;
  }
  BenchOptions o;
  for (const auto& m : a.all("--model")) o.model.emplace_back(m);
  o.randomWeights = a.get("--random-weights", o.model.empty() ? "tiny" : "");
  o.width = a.getInt("--width", 1024);
  o.height = a.getInt("--height", 1024);
  o.steps = a.getInt("--steps", 28);
  o.cfg = a.getDouble("--cfg", 4.5);
  o.captionTokens = a.getInt("--caption-tokens", 256);
  o.device = a.get("--device", "cuda");
  const auto prec = parsePrecision(a.get("--precision", o.device == "cpu" ? "fp32" : "bf16"));
  if (!prec) throw std::invalid_argument("--precision must be bf16, fp16, fp32 or fp8");
  o.precision = *prec;
  o.warmup = a.getInt("--warmup", 3);
  o.repeats = a.getInt("--repeats", 10);
  o.endToEnd = !a.has("--no-end-to-end");
  o.split = !a.has("--padded-batch");
  const std::string placement = a.get("--encoder-placement", "device");
  if (placement == "cpu") o.encoderPlacement = EncoderPlacement::CPU;
  else if (placement != "device") throw std::invalid_argument("--encoder-placement must be device or cpu");
  if (a.has("--save-model")) o.saveModel = a.get("--save-model");
  const std::string upload = a.get("--upload", "pinned");
  if (upload != "pinned" && upload != "plain") throw std::invalid_argument("--upload must be pinned or plain");
  o.pinnedUpload = upload == "pinned";
  const auto r = runBench(o, [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); });
  std::puts(r.dump(1).c_str());
  if (a.has("--json")) {
    std::ofstream out(a.get("--json"));
    if (!out) throw std::runtime_error(a.get("--json") + ": cannot write");
    out << r.dump(1) << "\n";
  }
  return 0;
}

}  // namespace newbie::cli
